//! Per-vehicle figures for the summary, in one query: one row per vehicle, its totals kept
//! on write and at most [`ECONOMY_POINTS_MAX`] economy points, so a read does the same
//! work however many fuel logs the household holds.

use std::sync::LazyLock;

use chrono::NaiveDate;
use shared::summary::{ECONOMY_POINTS_MAX, EconomyPoint, VehicleSummary, mpg_us};
use shared::vehicles::FuelUnit;
use sqlx::FromRow;
use uuid::Uuid;

use super::read::{HouseholdRead, in_household};
use crate::error::AppError;

/// Volumes stay in the vehicle's own unit (all of a vehicle's logs share it); litres are
/// worked out here, from the one conversion `shared` defines.
#[derive(FromRow)]
struct Row {
    vehicle_id: Uuid,
    name: String,
    fuel_unit: FuelUnit,
    fill_ups: i64,
    volume: f64,
    cost: f64,
    distance_km: f64,
    /// Volume of the fill-ups that close a measured distance.
    burned: f64,
    dates: Vec<NaiveDate>,
    volumes: Vec<f64>,
    distances: Vec<f64>,
}

/// Row-level security keeps it to one household; the joins name household_id all the
/// same, so that they stay within one shard where tables are distributed by household.
///
/// The totals are `vehicle_totals`, kept on every write (migration
/// `20261207000005_vehicle_totals`), so no read passes over the whole history. Economy
/// uses the full-tank method: the fuel of a fill-up is what the distance since the
/// previous fill-up (by date, then odometer, then id) burned, so the first fill-up's fuel
/// counts for no distance. The chart's points come from the latest `$4 + 1` fill-ups of
/// each vehicle, read newest first along `fuel_logs_vehicle_history_idx`.
const SUMMARY: &str = "\
SELECT v.id AS vehicle_id, v.name, v.fuel_unit,
       t.fill_ups, t.volume, t.cost, t.distance_km, t.burned,
       coalesce(p.dates, '{}') AS dates, coalesce(p.volumes, '{}') AS volumes,
       coalesce(p.distances, '{}') AS distances
FROM vehicles v
JOIN vehicle_totals t ON t.household_id = v.household_id AND t.vehicle_id = v.id
LEFT JOIN LATERAL (
    SELECT array_agg(w.filled_at ORDER BY w.filled_at, w.odometer_km, w.id) AS dates,
           array_agg(w.volume ORDER BY w.filled_at, w.odometer_km, w.id) AS volumes,
           array_agg(w.distance ORDER BY w.filled_at, w.odometer_km, w.id) AS distances
    FROM (SELECT r.id, r.filled_at, r.odometer_km, r.volume,
                 r.odometer_km - lag(r.odometer_km)
                     OVER (ORDER BY r.filled_at, r.odometer_km, r.id) AS distance
          FROM (SELECT f.id, f.filled_at, f.odometer_km, f.volume FROM fuel_logs f
                WHERE f.household_id = v.household_id AND f.vehicle_id = v.id
                ORDER BY f.filled_at DESC, f.odometer_km DESC, f.id DESC
                LIMIT $4 + 1) r) w
    WHERE w.distance > 0
) p ON true
ORDER BY v.name, v.id";

static SUMMARY_READ: LazyLock<String> = LazyLock::new(|| in_household(SUMMARY));

/// Every vehicle (those without logs too), with figures from its fill-ups.
pub async fn per_vehicle(read: &HouseholdRead) -> Result<Vec<VehicleSummary>, AppError> {
    let admitted = read
        .fetch(&SUMMARY_READ, |q| q.bind(i64::from(ECONOMY_POINTS_MAX)))
        .await?;
    let rows: Vec<Row> = admitted.all()?;
    Ok(rows.into_iter().map(summarise).collect())
}

fn summarise(r: Row) -> VehicleSummary {
    let litres = r.fuel_unit.litres();
    let economy = r
        .dates
        .into_iter()
        .zip(r.volumes.into_iter().zip(r.distances))
        .map(|(date, (volume, distance))| EconomyPoint {
            date,
            l_per_100km: volume * litres / distance * 100.0,
        })
        .collect();
    let (l_per_100km, cost_per_km) = if r.distance_km > 0.0 {
        (
            Some(r.burned * litres / r.distance_km * 100.0),
            Some(r.cost / r.distance_km),
        )
    } else {
        (None, None)
    };
    VehicleSummary {
        vehicle_id: r.vehicle_id,
        name: r.name,
        fill_ups: u32::try_from(r.fill_ups).unwrap_or(u32::MAX),
        distance_km: r.distance_km,
        fuel_litres: r.volume * litres,
        cost: r.cost,
        l_per_100km,
        mpg_us: l_per_100km.map(mpg_us),
        cost_per_km,
        economy,
    }
}
