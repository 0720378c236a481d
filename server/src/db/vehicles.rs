//! Vehicle rows. Every function takes the household transaction: RLS scopes each
//! statement to its household, so "another household's vehicle" is simply "not found".
//!
//! Rows are read with `*` into [`Vehicle`] (its `FromRow` is derived in `shared`), because
//! the table's columns are exactly its fields: a test in `tests/api/rows.rs` holds them
//! equal, so a column added to one and not the other fails there.
//!
//! Writes bind the request as one JSON value and let PostgreSQL's `jsonb_populate_record`
//! map it onto a `vehicles` row; the columns they write are the request type's field names
//! ([`super::columns_of`]). So one fact, the wire type, decides what a write writes: a new
//! field of `NewVehicle` or `VehiclePatch` needs no SQL edit here, and a field without its
//! column fails every write. Columns not in the request type (`id`, `household_id`,
//! `created_at`) keep their defaults on insert and their values on update.

use std::sync::LazyLock;

use shared::vehicles::{FuelUnit, NewVehicle, Vehicle, VehiclePatch};
use sqlx::types::Json;
use uuid::Uuid;

use super::columns_of;
use super::read::{HouseholdRead, in_household};
use super::tenant::HouseholdTx;
use crate::error::AppError;

/// Built once from [`NewVehicle`]'s fields; serde has already filled in its defaults.
static INSERT: LazyLock<String> = LazyLock::new(|| {
    let columns = columns_of::<NewVehicle>();
    format!(
        "INSERT INTO vehicles ({columns}) \
         SELECT {columns} FROM jsonb_populate_record(NULL::vehicles, $1) RETURNING *"
    )
});

/// Built once from [`VehiclePatch`]'s fields. `jsonb_populate_record(v, …)` keeps the
/// row's value for every key the patch leaves out, and `VehiclePatch` leaves out its
/// `None` fields when serialized: absent (or null) fields stay as they are.
static UPDATE: LazyLock<String> = LazyLock::new(|| {
    let columns = columns_of::<VehiclePatch>();
    format!(
        "UPDATE vehicles v SET ({columns}) = \
         (SELECT {columns} FROM jsonb_populate_record(v, $2)) WHERE id = $1 RETURNING *"
    )
});

static LIST: LazyLock<String> = LazyLock::new(|| {
    in_household(
        "SELECT * FROM vehicles WHERE ($4::text IS NULL OR name > $4) ORDER BY name LIMIT $5",
    )
});

/// One page ordered by name; `after` is the last name of the previous page.
pub async fn list(
    read: &HouseholdRead,
    after: Option<&str>,
    limit: u32,
) -> Result<Vec<Vehicle>, AppError> {
    let admitted = read
        .fetch(&LIST, |q| q.bind(after).bind(i64::from(limit)))
        .await?;
    Ok(admitted.all()?)
}

static GET: LazyLock<String> =
    LazyLock::new(|| in_household("SELECT * FROM vehicles WHERE id = $4"));

pub async fn get(read: &HouseholdRead, id: Uuid) -> Result<Option<Vehicle>, AppError> {
    Ok(read.fetch(&GET, |q| q.bind(id)).await?.first()?)
}

/// Inserts into the transaction's household: `household_id` comes from the column
/// default (the context), never from the request.
pub async fn create(tx: &mut HouseholdTx, v: &NewVehicle) -> sqlx::Result<Vehicle> {
    sqlx::query_as(&INSERT)
        .bind(Json(v.normalized()))
        .fetch_one(tx.conn())
        .await
}

pub async fn update(
    tx: &mut HouseholdTx,
    id: Uuid,
    p: &VehiclePatch,
) -> sqlx::Result<Option<Vehicle>> {
    sqlx::query_as(&UPDATE)
        .bind(id)
        .bind(Json(p.normalized()))
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

#[cfg(test)]
mod tests {
    use super::LIST;

    /// `scripts/bench/vehicles.pgbench`, the benchmark's ceiling, must run this very
    /// statement: its one SQL line, with the parameters put back, is `LIST`.
    #[test]
    fn the_benchmark_ceiling_runs_the_list_statement() {
        let script = include_str!("../../../scripts/bench/vehicles.pgbench");
        let sql = script
            .lines()
            .filter(|l| !l.starts_with("--") && !l.starts_with('\\') && !l.trim().is_empty())
            .collect::<Vec<_>>();
        assert_eq!(sql.len(), 1, "one statement: {sql:?}");
        let generic = sql[0]
            .trim_end_matches(';')
            .replace("'HOUSEHOLD'::uuid", "$1")
            .replace("'bench|member'", "$2")
            .replace("'PROOF'", "$3")
            .replace("NULL::text", "$4")
            .replace("LIMIT 51", "LIMIT $5");
        assert_eq!(generic, *LIST);
    }
}
