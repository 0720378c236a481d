//! The caller's memberships, read in a [`UserTx`] before any household is chosen.

use shared::Role;
use shared::households::{HouseholdStatus, Membership};
use sqlx::Row;
use uuid::Uuid;

use super::tenant::UserTx;

fn status(s: &str) -> HouseholdStatus {
    match s {
        "active" => HouseholdStatus::Active,
        // Anything else is treated as not usable: fail closed.
        _ => HouseholdStatus::Suspended,
    }
}

/// The caller's role in `household_id` and the household's status; `None` both when the
/// household does not exist and when the caller is not a member (indistinguishable on
/// purpose).
pub async fn find(
    tx: &mut UserTx,
    sub: &str,
    household_id: Uuid,
) -> sqlx::Result<Option<(Role, HouseholdStatus)>> {
    let row = sqlx::query(
        "SELECT m.role, h.status FROM household_members m \
         JOIN households h ON h.id = m.household_id \
         WHERE m.household_id = $1 AND m.user_sub = $2",
    )
    .bind(household_id)
    .bind(sub)
    .fetch_optional(tx.conn())
    .await?;
    Ok(row.and_then(|r| {
        let role = Role::parse(r.get::<&str, _>(0))?;
        Some((role, status(r.get::<&str, _>(1))))
    }))
}

/// Every household the caller belongs to, by name.
pub async fn list(tx: &mut UserTx, sub: &str) -> sqlx::Result<Vec<Membership>> {
    let rows = sqlx::query(
        "SELECT h.id, h.name, m.role, h.status FROM household_members m \
         JOIN households h ON h.id = m.household_id \
         WHERE m.user_sub = $1 ORDER BY h.name, h.id",
    )
    .bind(sub)
    .fetch_all(tx.conn())
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            Some(Membership {
                household_id: r.get(0),
                name: r.get(1),
                role: Role::parse(r.get::<&str, _>(2))?,
                status: status(r.get::<&str, _>(3)),
            })
        })
        .collect())
}
