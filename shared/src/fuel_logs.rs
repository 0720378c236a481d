//! `/api/households/{household_id}/vehicles/{vehicle_id}/fuel-logs`.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::problem::FieldError;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "js", derive(jsvalue::Decode))]
pub struct FuelLog {
    pub id: Uuid,
    pub household_id: Uuid,
    pub vehicle_id: Uuid,
    pub filled_at: NaiveDate,
    /// Odometer reading in kilometres.
    pub odometer_km: f64,
    /// Fuel added, in the vehicle's fuel unit.
    pub volume: f64,
    /// Amount paid, in the household's currency.
    pub cost: f64,
    pub note: String,
    pub created_at: DateTime<Utc>,
}

/// `POST …/fuel-logs`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "js", derive(jsvalue::Encode))]
#[serde(deny_unknown_fields)]
pub struct NewFuelLog {
    pub filled_at: NaiveDate,
    pub odometer_km: f64,
    pub volume: f64,
    pub cost: f64,
    #[serde(default)]
    pub note: String,
}

pub const NOTE_MAX: usize = 500;
pub const ODOMETER_MAX_KM: f64 = 10_000_000.0;
pub const VOLUME_MAX: f64 = 2_000.0;
pub const COST_MAX: f64 = 100_000.0;
/// The earliest plausible fill-up date.
pub const EARLIEST_YEAR: i32 = 1900;

impl NewFuelLog {
    /// Field errors that need no other data. `today` bounds the date (a fill-up cannot be
    /// in the future; one day of slack covers time zones). The server also checks that the
    /// odometer increases along the vehicle's history.
    pub fn validate(&self, today: NaiveDate) -> Vec<FieldError> {
        let mut errors = Vec::new();
        let earliest = NaiveDate::from_ymd_opt(EARLIEST_YEAR, 1, 1).unwrap_or(NaiveDate::MIN);
        if self.filled_at < earliest || self.filled_at > today + chrono::Days::new(1) {
            errors.push(FieldError::new(
                "filled_at",
                "must be a date between 1900 and today",
            ));
        }
        if !(self.odometer_km.is_finite() && (0.0..=ODOMETER_MAX_KM).contains(&self.odometer_km)) {
            errors.push(FieldError::new(
                "odometer_km",
                "must be between 0 and 10,000,000 km",
            ));
        }
        if !(self.volume.is_finite() && self.volume > 0.0 && self.volume <= VOLUME_MAX) {
            errors.push(FieldError::new(
                "volume",
                "must be greater than 0 and at most 2,000",
            ));
        }
        if !(self.cost.is_finite() && self.cost > 0.0 && self.cost <= COST_MAX) {
            errors.push(FieldError::new(
                "cost",
                "must be greater than 0 and at most 100,000",
            ));
        }
        if self.note.chars().count() > NOTE_MAX {
            errors.push(FieldError::new(
                "note",
                format!("must be at most {NOTE_MAX} characters"),
            ));
        }
        errors
    }
}
