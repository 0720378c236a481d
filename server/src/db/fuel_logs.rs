//! Fuel-log rows of one vehicle, in the household transaction.

use chrono::NaiveDate;
use shared::fuel_logs::{FuelLog, NewFuelLog};
use sqlx::FromRow;
use uuid::Uuid;

use super::tenant::HouseholdTx;

const COLUMNS: &str =
    "id, household_id, vehicle_id, filled_at, odometer_km, volume, cost, note, created_at";

#[derive(FromRow)]
struct Row {
    id: Uuid,
    household_id: Uuid,
    vehicle_id: Uuid,
    filled_at: NaiveDate,
    odometer_km: f64,
    volume: f64,
    cost: f64,
    note: String,
    created_at: chrono::DateTime<chrono::Utc>,
}

impl From<Row> for FuelLog {
    fn from(r: Row) -> Self {
        FuelLog {
            id: r.id,
            household_id: r.household_id,
            vehicle_id: r.vehicle_id,
            filled_at: r.filled_at,
            odometer_km: r.odometer_km,
            volume: r.volume,
            cost: r.cost,
            note: r.note,
            created_at: r.created_at,
        }
    }
}

/// Keyset position in a vehicle's history: (date, odometer) strictly increase together.
pub type Cursor = (NaiveDate, f64);

/// A page of a vehicle's history, newest first.
pub async fn list(
    tx: &mut HouseholdTx,
    vehicle_id: Uuid,
    before: Option<Cursor>,
    limit: u32,
) -> sqlx::Result<Vec<FuelLog>> {
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM fuel_logs WHERE vehicle_id = $1 \
         AND ($2::date IS NULL OR (filled_at, odometer_km) < ($2, $3)) \
         ORDER BY filled_at DESC, odometer_km DESC LIMIT $4"
    ))
    .bind(vehicle_id)
    .bind(before.map(|c| c.0))
    .bind(before.map(|c| c.1))
    .bind(i64::from(limit))
    .fetch_all(tx.conn())
    .await?;
    Ok(rows.into_iter().map(Into::into).collect())
}

/// The odometer readings around `date`: the highest on or before it and the lowest after.
pub async fn neighbours(
    tx: &mut HouseholdTx,
    vehicle_id: Uuid,
    date: NaiveDate,
) -> sqlx::Result<(Option<f64>, Option<f64>)> {
    sqlx::query_as(
        "SELECT (SELECT max(odometer_km) FROM fuel_logs WHERE vehicle_id = $1 AND filled_at <= $2), \
                (SELECT min(odometer_km) FROM fuel_logs WHERE vehicle_id = $1 AND filled_at > $2)",
    )
    .bind(vehicle_id)
    .bind(date)
    .fetch_one(tx.conn())
    .await
}

pub async fn create(
    tx: &mut HouseholdTx,
    vehicle_id: Uuid,
    log: &NewFuelLog,
) -> sqlx::Result<FuelLog> {
    let row: Row = sqlx::query_as(&format!(
        "INSERT INTO fuel_logs (vehicle_id, filled_at, odometer_km, volume, cost, note) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING {COLUMNS}"
    ))
    .bind(vehicle_id)
    .bind(log.filled_at)
    .bind(log.odometer_km)
    .bind(log.volume)
    .bind(log.cost)
    .bind(log.note.trim())
    .fetch_one(tx.conn())
    .await?;
    Ok(row.into())
}
