//! Database access. Tenant data is reachable only through [`tenant::HouseholdTx`];
//! a caller's own memberships only through [`tenant::UserTx`].

pub mod audit;
pub mod fuel_logs;
pub mod households;
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
    let field = |f: &str, m: &str| Some(AppError::Validation(vec![FieldError::new(f, m)]));
    match db.constraint()? {
        "vehicles_name_unique_per_household" => Some(AppError::Conflict(
            "a vehicle with this name already exists",
        )),
        "fuel_logs_vehicle_fkey" => Some(AppError::NotFound),
        "vehicles_name_length" => field("name", "must be 1 to 100 characters"),
        "vehicles_make_length" => field("make", "must be at most 100 characters"),
        "vehicles_model_length" => field("model", "must be at most 100 characters"),
        "vehicles_year_range" => field("year", "must be between 1886 and 2100"),
        "fuel_logs_odometer_range" => field("odometer_km", "must be between 0 and 10,000,000 km"),
        "fuel_logs_volume_positive" => field("volume", "must be greater than 0 and at most 2,000"),
        "fuel_logs_cost_positive" => field("cost", "must be greater than 0 and at most 100,000"),
        "fuel_logs_note_length" => field("note", "must be at most 500 characters"),
        _ => None,
    }
}
