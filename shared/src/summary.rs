//! `GET /api/households/{household_id}/summary`.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Kilometres per mile and litres per US gallon, for the mpg figure.
pub const KM_PER_MILE: f64 = 1.609_344;
pub const LITRES_PER_US_GALLON: f64 = 3.785_411_784;

/// The most economy points a vehicle's summary carries: those among its latest this many
/// plus one fill-ups (each point is a pair of consecutive fill-ups). The totals still
/// cover the whole history; the bound keeps the answer small (with the vehicle quota,
/// at most `HOUSEHOLD_MAX_VEHICLES` × this many points) however long the history grows.
pub const ECONOMY_POINTS_MAX: u32 = 100;

/// Figures for one vehicle. Economy needs at least two fill-ups; until then it is `None`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "js", derive(jsvalue::Decode))]
pub struct VehicleSummary {
    pub vehicle_id: Uuid,
    pub name: String,
    pub fill_ups: u32,
    pub distance_km: f64,
    pub fuel_litres: f64,
    pub cost: f64,
    pub l_per_100km: Option<f64>,
    pub mpg_us: Option<f64>,
    pub cost_per_km: Option<f64>,
    /// Economy between consecutive fill-ups, oldest first, for the chart: the latest
    /// [`ECONOMY_POINTS_MAX`] of them.
    pub economy: Vec<EconomyPoint>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "js", derive(jsvalue::Decode))]
pub struct EconomyPoint {
    pub date: NaiveDate,
    pub l_per_100km: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "js", derive(jsvalue::Decode))]
pub struct Summary {
    pub household_id: Uuid,
    pub vehicles: Vec<VehicleSummary>,
}

/// Converts L/100 km to US miles per gallon.
pub fn mpg_us(l_per_100km: f64) -> f64 {
    (100.0 / KM_PER_MILE) * LITRES_PER_US_GALLON / l_per_100km
}
