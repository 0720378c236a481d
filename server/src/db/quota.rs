//! Per-household row quotas (`HOUSEHOLD_MAX_VEHICLES`, `HOUSEHOLD_MAX_FUEL_LOGS`), checked
//! in the insert's transaction without races: a transaction-scoped advisory lock keyed on
//! the household serialises that household's inserts, and the count is taken in a later
//! statement, whose snapshot (READ COMMITTED) already sees every insert committed before
//! the lock was granted. Other households never wait on it. The count runs under RLS, so
//! it counts the household's own rows only.

use crate::error::AppError;

use super::tenant::HouseholdTx;

/// Namespace of the advisory lock, so it cannot meet another use of advisory locks.
const LOCK_SEED: i64 = 2026_1213;

#[derive(Debug, Clone, Copy)]
pub enum Rows {
    Vehicles,
    FuelLogs,
}

impl Rows {
    fn count_sql(self) -> &'static str {
        match self {
            Rows::Vehicles => "SELECT count(*) FROM vehicles",
            Rows::FuelLogs => "SELECT count(*) FROM fuel_logs",
        }
    }

    fn name(self) -> &'static str {
        match self {
            Rows::Vehicles => "vehicles",
            Rows::FuelLogs => "fuel logs",
        }
    }
}

/// Holds this household's insert lock until the transaction ends and refuses with 409
/// when it already holds `max` rows of the kind. Take it before any row lock, so that
/// inserts always lock in the same order.
pub async fn reserve(tx: &mut HouseholdTx, rows: Rows, max: u32) -> Result<(), AppError> {
    sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1::text, $2))")
        .bind(tx.household_id())
        .bind(LOCK_SEED)
        .execute(tx.conn())
        .await?;
    let count: i64 = sqlx::query_scalar(rows.count_sql())
        .fetch_one(tx.conn())
        .await?;
    if count >= i64::from(max) {
        return Err(AppError::QuotaExceeded {
            what: rows.name(),
            limit: max,
        });
    }
    Ok(())
}
