//! Vehicle rows. Every function takes the household transaction: RLS scopes each
//! statement to its household, so "another household's vehicle" is simply "not found".

use shared::vehicles::{FuelUnit, NewVehicle, Vehicle, VehiclePatch};
use sqlx::postgres::PgRow;
use sqlx::{FromRow, Row};
use uuid::Uuid;

use super::tenant::HouseholdTx;

const COLUMNS: &str = "id, household_id, name, make, model, year, fuel_unit, created_at";

pub struct VehicleRow(pub Vehicle);

impl<'r> FromRow<'r, PgRow> for VehicleRow {
    fn from_row(r: &'r PgRow) -> sqlx::Result<Self> {
        let unit: &str = r.try_get("fuel_unit")?;
        Ok(VehicleRow(Vehicle {
            id: r.try_get("id")?,
            household_id: r.try_get("household_id")?,
            name: r.try_get("name")?,
            make: r.try_get("make")?,
            model: r.try_get("model")?,
            year: r.try_get("year")?,
            fuel_unit: FuelUnit::parse(unit)
                .ok_or_else(|| sqlx::Error::Decode(format!("fuel_unit {unit:?}").into()))?,
            created_at: r.try_get("created_at")?,
        }))
    }
}

/// One page ordered by name; `after` is the last name of the previous page.
pub async fn list(
    tx: &mut HouseholdTx,
    after: Option<&str>,
    limit: u32,
) -> sqlx::Result<Vec<Vehicle>> {
    let rows: Vec<VehicleRow> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM vehicles WHERE ($1::text IS NULL OR name > $1) ORDER BY name LIMIT $2"
    ))
    .bind(after)
    .bind(i64::from(limit))
    .fetch_all(tx.conn())
    .await?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

pub async fn get(tx: &mut HouseholdTx, id: Uuid) -> sqlx::Result<Option<Vehicle>> {
    let row: Option<VehicleRow> =
        sqlx::query_as(&format!("SELECT {COLUMNS} FROM vehicles WHERE id = $1"))
            .bind(id)
            .fetch_optional(tx.conn())
            .await?;
    Ok(row.map(|r| r.0))
}

/// Inserts into the transaction's household: `household_id` comes from the column
/// default (the context), never from the request.
pub async fn create(tx: &mut HouseholdTx, v: &NewVehicle) -> sqlx::Result<Vehicle> {
    let row: VehicleRow = sqlx::query_as(&format!(
        "INSERT INTO vehicles (name, make, model, year, fuel_unit) VALUES ($1, $2, $3, $4, $5) RETURNING {COLUMNS}"
    ))
    .bind(v.name.trim())
    .bind(v.make.trim())
    .bind(v.model.trim())
    .bind(v.year)
    .bind(v.fuel_unit.as_str())
    .fetch_one(tx.conn())
    .await?;
    Ok(row.0)
}

pub async fn update(
    tx: &mut HouseholdTx,
    id: Uuid,
    p: &VehiclePatch,
) -> sqlx::Result<Option<Vehicle>> {
    let row: Option<VehicleRow> = sqlx::query_as(&format!(
        "UPDATE vehicles SET name = COALESCE($2, name), make = COALESCE($3, make), \
         model = COALESCE($4, model), year = COALESCE($5, year), fuel_unit = COALESCE($6, fuel_unit) \
         WHERE id = $1 RETURNING {COLUMNS}"
    ))
    .bind(id)
    .bind(p.name.as_deref().map(str::trim))
    .bind(p.make.as_deref().map(str::trim))
    .bind(p.model.as_deref().map(str::trim))
    .bind(p.year)
    .bind(p.fuel_unit.map(FuelUnit::as_str))
    .fetch_optional(tx.conn())
    .await?;
    Ok(row.map(|r| r.0))
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
    let unit: Option<String> =
        sqlx::query_scalar("SELECT fuel_unit FROM vehicles WHERE id = $1 FOR UPDATE")
            .bind(id)
            .fetch_optional(tx.conn())
            .await?;
    Ok(unit.as_deref().and_then(FuelUnit::parse))
}
