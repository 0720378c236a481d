//! The caller's memberships, read in a [`UserTx`] before any household is chosen.
//!
//! Roles and statuses decode through the `sqlx::Type` derived in `shared`; the schema's
//! CHECK constraints admit no other text, so a row that does not decode is an internal
//! error, never a guessed role.

use shared::Role;
use shared::households::{HouseholdStatus, Membership};
use uuid::Uuid;

use super::tenant::UserTx;

/// The caller's role in `household_id` and the household's status; `None` both when the
/// household does not exist and when the caller is not a member (indistinguishable on
/// purpose).
pub async fn find(
    tx: &mut UserTx,
    sub: &str,
    household_id: Uuid,
) -> sqlx::Result<Option<(Role, HouseholdStatus)>> {
    sqlx::query_as(
        "SELECT m.role, h.status FROM household_members m \
         JOIN households h ON h.id = m.household_id \
         WHERE m.household_id = $1 AND m.user_sub = $2",
    )
    .bind(household_id)
    .bind(sub)
    .fetch_optional(tx.conn())
    .await
}

/// Every household the caller belongs to, by name.
pub async fn list(tx: &mut UserTx, sub: &str) -> sqlx::Result<Vec<Membership>> {
    sqlx::query_as(
        "SELECT h.id AS household_id, h.name, m.role, h.status FROM household_members m \
         JOIN households h ON h.id = m.household_id \
         WHERE m.user_sub = $1 ORDER BY h.name, h.id",
    )
    .bind(sub)
    .fetch_all(tx.conn())
    .await
}
