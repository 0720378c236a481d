//! Fuel-log rows of one vehicle, in the household transaction.
//!
//! Rows are read with `*` into [`FuelLog`] (its `FromRow` is derived in `shared`), because
//! the table's columns are exactly its fields (held equal by a test in `tests/api/rows.rs`).
//!
//! The insert binds each field rather than the request as JSON, as vehicle writes do:
//! JSON has no NaN or infinity (serde_json writes them as `null`), and the database must
//! refuse those with the field's own error (`fuel_logs_*` CHECK constraints), not as a
//! missing value.

use std::sync::LazyLock;

use chrono::NaiveDate;
use shared::fuel_logs::{FuelLog, NewFuelLog};
use sqlx::{FromRow, Row};
use uuid::Uuid;

use super::read::{HouseholdRead, in_household};
use super::tenant::HouseholdTx;
use crate::error::AppError;

/// Keyset position in a vehicle's history: (date, odometer) strictly increase together.
pub type Cursor = (NaiveDate, f64);

/// The vehicle's row (`listed_vehicle`), joined to each log of the page: no row at all
/// when the vehicle is not in the household, one row without a log when it has none.
static LIST: LazyLock<String> = LazyLock::new(|| {
    in_household(
        "SELECT v.id AS listed_vehicle, f.* FROM vehicles v \
         LEFT JOIN LATERAL (SELECT * FROM fuel_logs WHERE vehicle_id = v.id \
             AND ($5::date IS NULL OR (filled_at, odometer_km) < ($5, $6)) \
             ORDER BY filled_at DESC, odometer_km DESC LIMIT $7) f ON true \
         WHERE v.id = $4",
    )
});

/// A page of a vehicle's history, newest first; `None` when the vehicle is not in the
/// household (another household's vehicle is as absent as a missing one).
pub async fn list(
    read: &HouseholdRead,
    vehicle_id: Uuid,
    before: Option<Cursor>,
    limit: u32,
) -> Result<Option<Vec<FuelLog>>, AppError> {
    let admitted = read
        .fetch(&LIST, |q| {
            q.bind(vehicle_id)
                .bind(before.map(|c| c.0))
                .bind(before.map(|c| c.1))
                .bind(i64::from(limit))
        })
        .await?;
    if admitted.rows.is_empty() {
        return Ok(None);
    }
    let logs = admitted
        .rows
        .iter()
        .filter(|row| matches!(row.try_get::<Option<Uuid>, _>("id"), Ok(Some(_))))
        .map(FuelLog::from_row)
        .collect::<sqlx::Result<_>>()?;
    Ok(Some(logs))
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
    sqlx::query_as(
        "INSERT INTO fuel_logs (vehicle_id, filled_at, odometer_km, volume, cost, note) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING *",
    )
    .bind(vehicle_id)
    .bind(log.filled_at)
    .bind(log.odometer_km)
    .bind(log.volume)
    .bind(log.cost)
    .bind(log.note.trim())
    .fetch_one(tx.conn())
    .await
}
