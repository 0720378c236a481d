//! Row quotas: per household (`HOUSEHOLD_MAX_VEHICLES`, `HOUSEHOLD_MAX_FUEL_LOGS`,
//! `HOUSEHOLD_MAX_OPEN_INVITATIONS`) and per account (`ACCOUNT_MAX_HOUSEHOLDS`), checked in
//! the insert's transaction without races: a transaction-scoped advisory lock keyed on the
//! household (or the subject) serialises its inserts, and the count is taken in a later
//! statement, whose snapshot (READ COMMITTED) already sees every insert committed before
//! the lock was granted. Others never wait on it. The count runs under RLS, so it counts
//! the context's own rows only. Each refusal is a 409 whose problem type names the limit.

use std::sync::LazyLock;

use sqlx::PgConnection;

use crate::error::AppError;

use uuid::Uuid;

/// What makes an invitation open: not used, revoked or expired. The quota counts these,
/// the owners' list shows them, and only these can be revoked (`db::invitations`).
pub const OPEN_INVITATION: &str = "used_by IS NULL AND revoked_at IS NULL AND expires_at > now()";

/// Namespace of the advisory lock, so it cannot meet another use of advisory locks.
const LOCK_SEED: i64 = 2026_1213;

#[derive(Debug, Clone, Copy)]
pub enum Rows {
    Vehicles,
    FuelLogs,
    /// Invitations not used, revoked or expired.
    OpenInvitations,
    /// Households the context's subject owns (counted in the subject's own context).
    OwnedHouseholds,
}

impl Rows {
    fn count_sql(self) -> &'static str {
        static OPEN_INVITATIONS: LazyLock<String> =
            LazyLock::new(|| format!("SELECT count(*) FROM invitations WHERE {OPEN_INVITATION}"));
        match self {
            Rows::Vehicles => "SELECT count(*) FROM vehicles",
            Rows::FuelLogs => "SELECT count(*) FROM fuel_logs",
            Rows::OpenInvitations => &OPEN_INVITATIONS,
            Rows::OwnedHouseholds => "SELECT count(*) FROM household_members WHERE role = 'owner'",
        }
    }

    /// The refusal: its problem type (`/problems/<kind>`) and what it says.
    fn refusal(self, limit: u32) -> AppError {
        let (kind, detail) = match self {
            Rows::Vehicles => (
                "quota-exceeded",
                format!("this household already holds {limit} vehicles, the most it may"),
            ),
            Rows::FuelLogs => (
                "quota-exceeded",
                format!("this household already holds {limit} fuel logs, the most it may"),
            ),
            Rows::OpenInvitations => (
                "open-invitations-exceeded",
                format!(
                    "this household already has {limit} open invitations, the most it may: revoke one or let it expire"
                ),
            ),
            Rows::OwnedHouseholds => (
                "households-per-account-exceeded",
                format!("you already own {limit} households, the most one account may"),
            ),
        };
        AppError::QuotaExceeded { kind, detail }
    }
}

/// Holds this household's insert lock until the transaction ends and refuses with 409
/// when it already holds `max` rows of the kind. Take it before any row lock, so that
/// inserts always lock in the same order. `conn` is the household's transaction.
pub async fn reserve(
    conn: &mut PgConnection,
    household: Uuid,
    rows: Rows,
    max: u32,
) -> Result<(), AppError> {
    reserve_on(conn, &household.to_string(), rows, max).await
}

/// [`reserve`] on any context transaction, the lock keyed on `owner` (a household id, or a
/// subject for [`Rows::OwnedHouseholds`]).
pub async fn reserve_on(
    conn: &mut PgConnection,
    owner: &str,
    rows: Rows,
    max: u32,
) -> Result<(), AppError> {
    sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1, $2))")
        .bind(owner)
        .bind(LOCK_SEED)
        .execute(&mut *conn)
        .await?;
    let count: i64 = sqlx::query_scalar(rows.count_sql())
        .fetch_one(&mut *conn)
        .await?;
    if count >= i64::from(max) {
        return Err(rows.refusal(max));
    }
    Ok(())
}
