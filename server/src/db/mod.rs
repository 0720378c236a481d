//! Database access. Tenant data is reachable only through [`tenant::HouseholdTx`];
//! a caller's own memberships only through [`tenant::UserTx`].

pub mod audit;
pub mod audit_events;
pub mod fuel_logs;
pub mod households;
pub mod invitations;
pub mod members;
pub mod memberships;
pub mod migrate;
pub mod summary;
pub mod tenant;
pub mod vehicles;

use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use shared::problem::FieldError;
use sqlx::PgPool;
use sqlx::postgres::PgPoolOptions;

use crate::error::AppError;

/// The runtime pool. No test-before-acquire ping: that would be one more round trip on
/// every request, and a dead connection surfaces as an error that is retried by clients.
pub fn pool_options() -> PgPoolOptions {
    PgPoolOptions::new()
        .max_connections(16)
        .acquire_timeout(Duration::from_secs(5))
        .test_before_acquire(false)
}

pub async fn connect(url: &SecretString, size: u32) -> Result<PgPool, sqlx::Error> {
    pool_options()
        .max_connections(size)
        .connect(url.expose_secret())
        .await
}

/// Maps the constraints named in `migrations/` to the answers a client can act on.
/// Everything else stays an internal error.
pub fn constraint_error(e: &sqlx::Error) -> Option<AppError> {
    let db = e.as_database_error()?;
    // 42501: "new row violates row-level security policy": a write the database refused.
    if db.code().as_deref() == Some("42501") {
        return Some(AppError::Forbidden(
            "this household does not allow that change",
        ));
    }
    match db.constraint()? {
        "vehicles_name_unique_per_household" => Some(AppError::Conflict(
            "a vehicle with this name already exists",
        )),
        "fuel_logs_vehicle_fkey" => Some(AppError::NotFound),
        "household_members_last_owner" => Some(AppError::Conflict(
            "a household keeps at least one owner: make someone else an owner first",
        )),
        "household_members_pkey" => Some(AppError::Conflict("already a member of this household")),
        "join_requests_one_pending_per_requester" => Some(AppError::Conflict(
            "a join request of yours is already waiting for an owner",
        )),
        field_rule => Some(AppError::Validation(vec![rule_error(field_rule)?])),
    }
}

/// The field error of each CHECK constraint that repeats a rule of `validate()`: the
/// same error, built by `shared`, so a client reads one message whichever side refused
/// the value. `tests/api/constraints.rs` breaks each one past `validate()` to prove it.
pub fn rule_error(constraint: &str) -> Option<FieldError> {
    use shared::{fuel_logs as f, households as h, vehicles as v};
    Some(match constraint {
        "vehicles_name_required" => v::name_required(),
        "vehicles_name_length" => v::name_too_long(),
        "vehicles_make_length" => v::text_too_long("make"),
        "vehicles_model_length" => v::text_too_long("model"),
        "vehicles_year_range" => v::year_out_of_range(),
        "fuel_logs_odometer_range" => f::odometer_out_of_range(),
        "fuel_logs_volume_positive" => f::volume_out_of_range(),
        "fuel_logs_cost_positive" => f::cost_out_of_range(),
        "fuel_logs_note_length" => f::note_too_long(),
        "households_name_required" => h::name_required(),
        "households_name_length" => h::name_too_long(),
        _ => return None,
    })
}
