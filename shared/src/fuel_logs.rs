//! `/api/households/{household_id}/vehicles/{vehicle_id}/fuel-logs`.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::problem::FieldError;

// Also a row of `fuel_logs`: the table's columns are exactly these fields.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "sqlx", derive(sqlx::FromRow))]
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

// The error of each rule, written once: `validate` reports them, and the server answers
// the database constraint that repeats the rule (see `migrations/`) with the same one.

/// `filled_at` is before [`EARLIEST_YEAR`] or after tomorrow.
pub fn filled_at_out_of_range() -> FieldError {
    FieldError::new(
        "filled_at",
        format!("must be a date between {EARLIEST_YEAR} and today"),
    )
}

/// `odometer_km` is negative, above [`ODOMETER_MAX_KM`] or not a number.
pub fn odometer_out_of_range() -> FieldError {
    FieldError::new(
        "odometer_km",
        format!("must be between 0 and {} km", grouped(ODOMETER_MAX_KM)),
    )
}

/// `volume` is not positive, above [`VOLUME_MAX`] or not a number.
pub fn volume_out_of_range() -> FieldError {
    FieldError::new(
        "volume",
        format!("must be greater than 0 and at most {}", grouped(VOLUME_MAX)),
    )
}

/// `cost` is not positive, above [`COST_MAX`] or not a number.
pub fn cost_out_of_range() -> FieldError {
    FieldError::new(
        "cost",
        format!("must be greater than 0 and at most {}", grouped(COST_MAX)),
    )
}

/// `note` is longer than [`NOTE_MAX`].
pub fn note_too_long() -> FieldError {
    FieldError::new("note", format!("must be at most {NOTE_MAX} characters"))
}

/// A limit as people read it: whole, with thousands separators (`10,000,000`).
/// Formatted as an integer: float formatting would add kilobytes to the element's bundle.
fn grouped(limit: f64) -> String {
    let digits = (limit as u64).to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

impl NewFuelLog {
    /// Field errors that need no other data. `today` bounds the date (a fill-up cannot be
    /// in the future; one day of slack covers time zones). The server also checks that the
    /// odometer increases along the vehicle's history.
    pub fn validate(&self, today: NaiveDate) -> Vec<FieldError> {
        let mut errors = Vec::new();
        let earliest = NaiveDate::from_ymd_opt(EARLIEST_YEAR, 1, 1).unwrap_or(NaiveDate::MIN);
        if self.filled_at < earliest || self.filled_at > today + chrono::Days::new(1) {
            errors.push(filled_at_out_of_range());
        }
        if !(self.odometer_km.is_finite() && (0.0..=ODOMETER_MAX_KM).contains(&self.odometer_km)) {
            errors.push(odometer_out_of_range());
        }
        if !(self.volume.is_finite() && self.volume > 0.0 && self.volume <= VOLUME_MAX) {
            errors.push(volume_out_of_range());
        }
        if !(self.cost.is_finite() && self.cost > 0.0 && self.cost <= COST_MAX) {
            errors.push(cost_out_of_range());
        }
        if self.note.chars().count() > NOTE_MAX {
            errors.push(note_too_long());
        }
        crate::text::check_controls("note", &self.note, true, &mut errors);
        errors
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_read_with_thousands_separators() {
        let shown: Vec<String> = [0.0, 999.0, 2_000.0, 100_000.0, 10_000_000.0]
            .into_iter()
            .map(grouped)
            .collect();
        assert_eq!(shown, ["0", "999", "2,000", "100,000", "10,000,000"]);
    }

    #[test]
    fn the_messages_name_the_limits_as_before() {
        let messages: Vec<String> = [
            odometer_out_of_range(),
            volume_out_of_range(),
            cost_out_of_range(),
            filled_at_out_of_range(),
        ]
        .into_iter()
        .map(|e| e.message)
        .collect();
        assert_eq!(
            messages,
            [
                "must be between 0 and 10,000,000 km",
                "must be greater than 0 and at most 2,000",
                "must be greater than 0 and at most 100,000",
                "must be a date between 1900 and today",
            ]
        );
    }
}
