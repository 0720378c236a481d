//! The append-only record of a household (`audit_events`). Events are written in the
//! transaction of the change they record, so one never exists without the other.
//!
//! The actor is the request's subject as the database holds it (`app.current_user_sub`),
//! the household the transaction's (or, while redeeming a code, the code's), and the
//! request id the current request's. The runtime role may insert and read, nothing else.

use std::sync::LazyLock;

use shared::audit::{AuditAction, AuditEvent};
use sqlx::PgConnection;
use uuid::Uuid;

use super::read::{HouseholdRead, in_household};
use crate::error::AppError;
use crate::request_id;

/// Appends one event. `target` names what was acted on; never pass a token or a code.
pub async fn record(
    conn: &mut PgConnection,
    action: AuditAction,
    target: &str,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO audit_events (household_id, actor, action, target, request_id) \
         VALUES (COALESCE(app.current_household_id(), app.redeeming_household()), \
                 app.current_user_sub(), $1, $2, $3)",
    )
    .bind(action)
    .bind(target)
    .bind(request_id::current())
    .execute(conn)
    .await?;
    Ok(())
}

/// An event and its random id, which the next page's cursor names.
#[derive(sqlx::FromRow)]
pub struct Row {
    pub event_id: Uuid,
    #[sqlx(flatten)]
    pub event: AuditEvent,
}

/// Newest first, by the position (`id`, a sequence all households share) of the event the
/// cursor names, found under row-level security: another household's event id finds no
/// position, so its cursor reads nothing. The position itself never leaves the database.
static LIST: LazyLock<String> = LazyLock::new(|| {
    in_household(
        "SELECT e.event_id, e.at, e.actor, p.name AS actor_name, p.email AS actor_email, \
                e.action, e.target, e.request_id \
         FROM audit_events e LEFT JOIN profiles p ON p.user_sub = e.actor \
         WHERE ($4::uuid IS NULL OR e.id < (SELECT c.id FROM audit_events c \
                                            WHERE c.household_id = (SELECT app.current_household_id()) \
                                              AND c.event_id = $4)) \
         ORDER BY e.id DESC LIMIT $5",
    )
});

/// One page, newest first; `after` is the last event of the previous page.
pub async fn list(
    read: &HouseholdRead,
    after: Option<Uuid>,
    limit: u32,
) -> Result<Vec<Row>, AppError> {
    let admitted = read
        .fetch(&LIST, |q| q.bind(after).bind(i64::from(limit)))
        .await?;
    Ok(admitted.all()?)
}
