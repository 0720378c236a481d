//! The caller's memberships, read in a [`UserTx`] before any household is chosen.
//!
//! Roles and statuses decode through the `sqlx::Type` derived in `shared`; the schema's
//! CHECK constraints admit no other text, so a row that does not decode is an internal
//! error, never a guessed role.

use shared::households::Membership;

use super::tenant::UserTx;

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
