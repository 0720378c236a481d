//! Per-vehicle figures for the summary, aggregated by PostgreSQL in one query: the answer
//! has one row per vehicle and at most [`ECONOMY_POINTS_MAX`] economy points each, however
//! many fuel logs the household holds (its quota bounds the work, `statement_timeout` the
//! time).

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

/// Row-level security keeps it to one household; the joins and windows name household_id
/// all the same, so that they stay within one shard where tables are distributed by
/// household.
///
/// Economy uses the full-tank method: the fuel of a fill-up is what the distance since the
/// previous fill-up (by date, then odometer) burned, so the first fill-up's fuel counts
/// for no distance.
const SUMMARY: &str = "\
WITH fills AS (
    SELECT household_id, vehicle_id, filled_at, odometer_km, volume, cost,
           odometer_km - lag(odometer_km)
               OVER (PARTITION BY household_id, vehicle_id ORDER BY filled_at, odometer_km)
               AS distance
    FROM fuel_logs
), totals AS (
    SELECT household_id, vehicle_id, count(*) AS fill_ups, sum(volume) AS volume, sum(cost) AS cost,
           coalesce(sum(distance) FILTER (WHERE distance > 0), 0) AS distance_km,
           coalesce(sum(volume) FILTER (WHERE distance > 0), 0) AS burned
    FROM fills GROUP BY household_id, vehicle_id
), latest AS (
    SELECT household_id, vehicle_id, filled_at, odometer_km, volume, distance,
           row_number() OVER (PARTITION BY household_id, vehicle_id ORDER BY filled_at DESC, odometer_km DESC) AS age
    FROM fills WHERE distance > 0
), points AS (
    SELECT household_id, vehicle_id,
           array_agg(filled_at ORDER BY filled_at, odometer_km) AS dates,
           array_agg(volume ORDER BY filled_at, odometer_km) AS volumes,
           array_agg(distance ORDER BY filled_at, odometer_km) AS distances
    FROM latest WHERE age <= $4 GROUP BY household_id, vehicle_id
)
SELECT v.id AS vehicle_id, v.name, v.fuel_unit,
       coalesce(t.fill_ups, 0) AS fill_ups, coalesce(t.volume, 0) AS volume,
       coalesce(t.cost, 0) AS cost, coalesce(t.distance_km, 0) AS distance_km,
       coalesce(t.burned, 0) AS burned,
       coalesce(p.dates, '{}') AS dates, coalesce(p.volumes, '{}') AS volumes,
       coalesce(p.distances, '{}') AS distances
FROM vehicles v
LEFT JOIN totals t ON t.household_id = v.household_id AND t.vehicle_id = v.id
LEFT JOIN points p ON p.household_id = v.household_id AND p.vehicle_id = v.id
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
