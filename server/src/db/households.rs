//! Creating a household (`POST /api/households`), reading its name, renaming and deleting
//! it (`GET`, `PATCH`, `DELETE /api/households/{household_id}`), and `server household
//! suspend|reactivate <id>`: operator commands on the owner connection.
//!
//! Suspension needs no other step to take effect: every data request enters its household
//! through `app.enter_household`, which admits members of active households only, and the
//! exchange refuses suspended ones. Outstanding internal tokens stop working on their next
//! request, on every replica.

use secrecy::{ExposeSecret, SecretString};
use shared::Role;
use shared::audit::AuditAction;
use std::sync::LazyLock;

use shared::households::{HouseholdName, HouseholdStatus};
use sqlx::{Connection, PgConnection};
use uuid::Uuid;

use super::audit_events;
use super::read::{HouseholdRead, in_household};
use super::tenant::{FoundingTx, HouseholdTx};
use crate::error::AppError;

/// Creates the household of `tx` named `name`, with the caller as its owner, and records it.
pub async fn create(tx: &mut FoundingTx, name: &str) -> sqlx::Result<()> {
    sqlx::query("INSERT INTO households (id, name) VALUES ($1, $2)")
        .bind(tx.household_id())
        .bind(name)
        .execute(tx.conn())
        .await?;
    sqlx::query(
        "INSERT INTO household_members (user_sub, role) VALUES (app.current_user_sub(), $1)",
    )
    .bind(Role::Owner)
    .execute(tx.conn())
    .await?;
    audit_events::record(tx.conn(), AuditAction::HouseholdCreated, name).await
}

static NAME: LazyLock<String> = LazyLock::new(|| {
    in_household("SELECT id, name FROM households WHERE id = app.current_household_id()")
});

/// The household's id and name, for any member.
pub async fn name(read: &HouseholdRead) -> Result<Option<HouseholdName>, AppError> {
    Ok(read.fetch(&NAME, |q| q).await?.first()?)
}

/// Renames the household of `tx` (its owner's transaction) and records it.
pub async fn rename(tx: &mut HouseholdTx, name: &str) -> sqlx::Result<()> {
    sqlx::query("UPDATE households SET name = $1 WHERE id = app.current_household_id()")
        .bind(name)
        .execute(tx.conn())
        .await?;
    audit_events::record(tx.conn(), AuditAction::HouseholdRenamed, name).await
}

/// Deletes the household of `tx` (its owner's transaction), and every row of it by the
/// foreign keys' cascades, if `confirm` is its name; a trigger leaves its tombstone.
/// `false` when the name differs.
pub async fn delete(tx: &mut HouseholdTx, confirm: &str) -> sqlx::Result<bool> {
    let deleted =
        sqlx::query("DELETE FROM households WHERE id = app.current_household_id() AND name = $1")
            .bind(confirm)
            .execute(tx.conn())
            .await?;
    Ok(deleted.rows_affected() == 1)
}

/// A deleted household, as `server household list --deleted` prints it.
#[derive(Debug, sqlx::FromRow)]
pub struct Tombstone {
    pub household: Uuid,
    pub deleted_at: chrono::DateTime<chrono::Utc>,
    pub deleted_by: String,
}

/// The tombstones, the latest first, read with `owner_url`.
pub async fn tombstones(owner_url: &SecretString) -> anyhow::Result<Vec<Tombstone>> {
    let mut conn = PgConnection::connect(owner_url.expose_secret()).await?;
    Ok(sqlx::query_as(
        "SELECT household, deleted_at, deleted_by FROM app_private.household_tombstones \
         ORDER BY deleted_at DESC, household",
    )
    .fetch_all(&mut conn)
    .await?)
}

fn as_str(status: HouseholdStatus) -> &'static str {
    match status {
        HouseholdStatus::Active => "active",
        HouseholdStatus::Suspended => "suspended",
    }
}

/// Sets the household's status on a connection that owns the tables. The household is put
/// in context first, so an owner that is not a superuser (bound by `FORCE ROW LEVEL
/// SECURITY`) reaches it through the `household_operator_update` policy. `false` when no
/// household has that id.
pub async fn update_status(
    conn: &mut PgConnection,
    id: Uuid,
    status: HouseholdStatus,
) -> sqlx::Result<bool> {
    let mut tx = conn.begin().await?;
    // The owner proves the context with the installed key, which it may read.
    sqlx::query("SELECT app_private.enter_as_owner($1)")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    let updated = sqlx::query("UPDATE households SET status = $2 WHERE id = $1")
        .bind(id)
        .bind(as_str(status))
        .execute(&mut *tx)
        .await?
        .rows_affected();
    if updated == 1 {
        let action = match status {
            HouseholdStatus::Active => AuditAction::HouseholdReactivated,
            HouseholdStatus::Suspended => AuditAction::HouseholdSuspended,
        };
        sqlx::query("INSERT INTO audit_events (actor, action) VALUES ('operator', $1)")
            .bind(action)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(updated == 1)
}

/// The command: connects with `owner_url` and sets the status, or fails for an unknown id.
pub async fn set_status(
    owner_url: &SecretString,
    id: Uuid,
    status: HouseholdStatus,
) -> anyhow::Result<()> {
    let mut conn = PgConnection::connect(owner_url.expose_secret()).await?;
    if !update_status(&mut conn, id, status).await? {
        anyhow::bail!("no household has the id {id}");
    }
    Ok(())
}
