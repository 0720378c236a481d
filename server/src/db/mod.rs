//! Database access. Tenant data is reachable only through [`tenant::HouseholdTx`] and, for
//! reads, [`read::HouseholdRead`] (both enter the household with `app.enter_household`);
//! a caller's own memberships only through [`tenant::UserTx`], or, for the exchange, as
//! [`read::admission`] admits a read (`app.enter_household` alone).

pub mod audit;
pub mod audit_events;
pub mod context;
pub mod export;
pub mod fuel_logs;
pub mod households;
pub mod invitations;
pub mod members;
pub mod memberships;
pub mod migrate;
pub mod pooler;
pub mod profiles;
pub mod quota;
pub mod read;
pub mod summary;
pub mod tenant;
pub mod vehicles;

use std::str::FromStr;
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use shared::problem::FieldError;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{PgConnection, PgPool};

use crate::config::Runtime;
use crate::error::AppError;

/// The runtime pool. No test-before-acquire ping: that would be one more round trip on
/// every request, and a dead connection surfaces as a 503 that clients retry. A request
/// waits at most `DATABASE_ACQUIRE_TIMEOUT_MS` for a connection, then gets a 503 with
/// `Retry-After`: a fast refusal, not a queue that grows while the database is saturated.
pub fn pool_options() -> PgPoolOptions {
    PgPoolOptions::new()
        .max_connections(crate::config::DEFAULT_POOL_SIZE)
        .acquire_timeout(Duration::from_millis(
            crate::config::DEFAULT_ACQUIRE_TIMEOUT_MS,
        ))
        .test_before_acquire(false)
}

/// The runtime pool for `runtime`'s settings. `DATABASE_STATEMENT_CACHE_CAPACITY` is the
/// number of named prepared statements each connection keeps (0: none, for a pooler).
pub async fn connect(url: &SecretString, runtime: &Runtime) -> Result<PgPool, sqlx::Error> {
    let options = PgConnectOptions::from_str(url.expose_secret())?
        .statement_cache_capacity(usize::from(runtime.statement_cache_capacity));
    pool_options()
        .max_connections(runtime.pool_size)
        .acquire_timeout(Duration::from_millis(runtime.timeouts.acquire_ms))
        .connect_with(options)
        .await
}

/// The column list a write of request type `T` names: `T`'s field names as serde spells
/// them, each quoted. It comes from the type, never from a request, so no request text
/// reaches SQL; a field without its column fails the statement ("column … does not exist").
pub fn columns_of<'de, T: Deserialize<'de>>() -> String {
    serde_aux::serde_introspection::serde_introspect::<T>()
        .iter()
        .map(|field| format!("\"{}\"", field.replace('"', "\"\"")))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Warns when the runtime role runs without `statement_timeout` or
/// `idle_in_transaction_session_timeout`, which `server/sql/bootstrap.sql` sets on the role
/// itself (so they hold through PgBouncer, which drops startup options).
pub async fn warn_without_timeouts(conn: &mut PgConnection) -> Result<(), sqlx::Error> {
    let (statement, idle): (String, String) = sqlx::query_as(
        "SELECT current_setting('statement_timeout'), \
                current_setting('idle_in_transaction_session_timeout')",
    )
    .fetch_one(conn)
    .await?;
    if statement == "0" || idle == "0" {
        tracing::warn!(
            statement_timeout = statement,
            idle_in_transaction_session_timeout = idle,
            "the runtime role has no statement or idle-in-transaction timeout: run server/sql/bootstrap.sql again"
        );
    }
    Ok(())
}

/// Whether `e` says the database cannot serve right now (unreachable, restarting, out of
/// connections, or the pool exhausted), which a client should retry, rather than a fault
/// in the request or in this code. SQLSTATE classes: 08 connection exception, 53
/// insufficient resources, 57 operator intervention (shutdown, restart, and 57014, a
/// statement cancelled by `statement_timeout`), and 25P03, a transaction ended by
/// `idle_in_transaction_session_timeout`.
pub fn is_unavailable(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::Protocol(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Database(db) => db.code().is_some_and(|code| {
            ["08", "53", "57"]
                .iter()
                .any(|class| code.starts_with(class))
                || code == "25P03"
        }),
        _ => false,
    }
}

/// Whether PostgreSQL refused a value itself: SQLSTATE class 22, data exception.
pub fn is_data_exception(e: &sqlx::Error) -> bool {
    e.as_database_error()
        .and_then(|db| db.code())
        .is_some_and(|code| code.starts_with("22"))
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

/// The database's errors as the API answers them: a named constraint as its 409 or 422, a
/// value PostgreSQL refused as 400, and anything else as 503 (logged, never shown).
impl From<sqlx::Error> for AppError {
    fn from(e: sqlx::Error) -> Self {
        if let Some(answer) = constraint_error(&e) {
            answer
        } else if matches!(e, sqlx::Error::PoolTimedOut) {
            tracing::warn!("no pooled connection came free in time");
            AppError::PoolExhausted
        } else if is_unavailable(&e) {
            tracing::warn!(error = %e, "database unavailable");
            AppError::Unavailable("the database is unavailable: try again shortly")
        } else if is_data_exception(&e) {
            // The request carried a value PostgreSQL cannot hold (a NUL character, a number
            // or date out of range): the client's fault, whichever check missed it first.
            tracing::info!(error = %e, "a value the database refused");
            AppError::BadRequest(
                "a value in the request cannot be stored (a NUL character, or out of range)".into(),
            )
        } else {
            // Not the client's doing, and not for it to see: a statement of ours the
            // database refused (a misconfigured pooler's 42P05 or 26000, a schema this build
            // does not expect) or a row that did not decode. Logged as the fault it is; the
            // client gets a 503 it may retry, never a 500 or the database's words.
            let code = e.as_database_error().and_then(|d| d.code());
            if code.as_deref() == Some(context::NOT_PROVEN) {
                tracing::error!(error = %e, "the database refused the context's proof: is the key in DATABASE_CONTEXT_KEY_FILE still installed?");
            } else {
                tracing::error!(error = %e, code = code.as_deref(), "database failure");
            }
            AppError::Unavailable("the database could not answer this request: try again shortly")
        }
    }
}
