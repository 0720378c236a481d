//! The members of the current household, in its [`HouseholdTx`]. The database lets only
//! owners change or remove others, anyone remove themselves, and keeps an owner
//! (`household_members_last_owner`): these functions do not repeat those rules.

use std::sync::LazyLock;

use shared::Role;
use shared::households::Member;

use super::read::{HouseholdRead, in_household};
use super::tenant::HouseholdTx;
use crate::error::AppError;

static LIST: LazyLock<String> = LazyLock::new(|| {
    in_household(
        "SELECT m.user_sub AS sub, m.role, m.created_at, p.name, p.email \
         FROM household_members m LEFT JOIN profiles p ON p.user_sub = m.user_sub \
         ORDER BY m.role = 'owner' DESC, m.user_sub",
    )
});

/// Owners first, then by subject, with the names the profiles give.
pub async fn list(read: &HouseholdRead) -> Result<Vec<Member>, AppError> {
    Ok(read.fetch(&LIST, |q| q).await?.all()?)
}

/// Whether `sub` was a member (and now has `role`).
pub async fn set_role(tx: &mut HouseholdTx, sub: &str, role: Role) -> sqlx::Result<bool> {
    let done = sqlx::query("UPDATE household_members SET role = $2 WHERE user_sub = $1")
        .bind(sub)
        .bind(role)
        .execute(tx.conn())
        .await?;
    Ok(done.rows_affected() > 0)
}

/// Whether a member was removed.
pub async fn remove(tx: &mut HouseholdTx, sub: &str) -> sqlx::Result<bool> {
    let done = sqlx::query("DELETE FROM household_members WHERE user_sub = $1")
        .bind(sub)
        .execute(tx.conn())
        .await?;
    Ok(done.rows_affected() > 0)
}

/// Adds an approved requester.
pub async fn add(tx: &mut HouseholdTx, sub: &str, role: Role) -> sqlx::Result<()> {
    sqlx::query("INSERT INTO household_members (user_sub, role) VALUES ($1, $2)")
        .bind(sub)
        .bind(role)
        .execute(tx.conn())
        .await?;
    Ok(())
}

/// Whether `sub` is the household's only owner (the one who cannot leave).
pub async fn sole_owner(tx: &mut HouseholdTx, sub: &str) -> sqlx::Result<bool> {
    sqlx::query_scalar(
        "SELECT count(*) FILTER (WHERE role = 'owner') = 1 \
                AND bool_or(user_sub = $1 AND role = 'owner') \
         FROM household_members",
    )
    .bind(sub)
    .fetch_one(tx.conn())
    .await
}
