//! Vehicle rows. Every function takes the household transaction: RLS scopes each
//! statement to its household, so "another household's vehicle" is simply "not found".
//!
//! Rows are read with `*` into [`Vehicle`] (its `FromRow` is derived in `shared`), because
//! the table's columns are exactly its fields: a test in `tests/api/rows.rs` holds them
//! equal, so a column added to one and not the other fails there. Only the writes name
//! columns, since they take them from the request types.

use shared::vehicles::{FuelUnit, NewVehicle, Vehicle, VehiclePatch};
use uuid::Uuid;

use super::tenant::HouseholdTx;

/// One page ordered by name; `after` is the last name of the previous page.
pub async fn list(
    tx: &mut HouseholdTx,
    after: Option<&str>,
    limit: u32,
) -> sqlx::Result<Vec<Vehicle>> {
    sqlx::query_as(
        "SELECT * FROM vehicles WHERE ($1::text IS NULL OR name > $1) ORDER BY name LIMIT $2",
    )
    .bind(after)
    .bind(i64::from(limit))
    .fetch_all(tx.conn())
    .await
}

pub async fn get(tx: &mut HouseholdTx, id: Uuid) -> sqlx::Result<Option<Vehicle>> {
    sqlx::query_as("SELECT * FROM vehicles WHERE id = $1")
        .bind(id)
        .fetch_optional(tx.conn())
        .await
}

/// Inserts into the transaction's household: `household_id` comes from the column
/// default (the context), never from the request.
pub async fn create(tx: &mut HouseholdTx, v: &NewVehicle) -> sqlx::Result<Vehicle> {
    sqlx::query_as(
        "INSERT INTO vehicles (name, make, model, year, fuel_unit) \
         VALUES ($1, $2, $3, $4, $5) RETURNING *",
    )
    .bind(v.name.trim())
    .bind(v.make.trim())
    .bind(v.model.trim())
    .bind(v.year)
    .bind(v.fuel_unit)
    .fetch_one(tx.conn())
    .await
}

pub async fn update(
    tx: &mut HouseholdTx,
    id: Uuid,
    p: &VehiclePatch,
) -> sqlx::Result<Option<Vehicle>> {
    sqlx::query_as(
        "UPDATE vehicles SET name = COALESCE($2, name), make = COALESCE($3, make), \
         model = COALESCE($4, model), year = COALESCE($5, year), fuel_unit = COALESCE($6, fuel_unit) \
         WHERE id = $1 RETURNING *",
    )
    .bind(id)
    .bind(p.name.as_deref().map(str::trim))
    .bind(p.make.as_deref().map(str::trim))
    .bind(p.model.as_deref().map(str::trim))
    .bind(p.year)
    .bind(p.fuel_unit)
    .fetch_optional(tx.conn())
    .await
}

/// Whether a row was deleted (its fuel logs go with it).
pub async fn delete(tx: &mut HouseholdTx, id: Uuid) -> sqlx::Result<bool> {
    let done = sqlx::query("DELETE FROM vehicles WHERE id = $1")
        .bind(id)
        .execute(tx.conn())
        .await?;
    Ok(done.rows_affected() > 0)
}

/// Locks the vehicle row for the rest of the transaction, so concurrent fuel-log inserts
/// for one vehicle check odometer order one at a time. `None` when not in this household.
pub async fn lock(tx: &mut HouseholdTx, id: Uuid) -> sqlx::Result<Option<FuelUnit>> {
    sqlx::query_scalar("SELECT fuel_unit FROM vehicles WHERE id = $1 FOR UPDATE")
        .bind(id)
        .fetch_optional(tx.conn())
        .await
}
