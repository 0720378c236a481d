//! Writes: the policies, not the API, stop a household from changing, adding or moving
//! rows of another, and stop a viewer from writing at all.

use server::db::tenant::HouseholdTx;
use uuid::Uuid;

use super::{count, two_households};

#[tokio::test]
async fn household_a_cannot_update_or_delete_b_rows_by_id() {
    let t = two_households().await;
    let mut tx = HouseholdTx::begin(&t.db.app, &crate::helpers::context_key(), t.a, "user-a")
        .await
        .unwrap();
    let updated = sqlx::query("UPDATE vehicles SET name = 'pwned' WHERE id = $1")
        .bind(t.b_vehicle)
        .execute(tx.conn())
        .await
        .unwrap();
    assert_eq!(updated.rows_affected(), 0);
    let deleted = sqlx::query("DELETE FROM vehicles WHERE id = $1")
        .bind(t.b_vehicle)
        .execute(tx.conn())
        .await
        .unwrap();
    assert_eq!(deleted.rows_affected(), 0);
    let deleted = sqlx::query("DELETE FROM fuel_logs WHERE vehicle_id = $1")
        .bind(t.b_vehicle)
        .execute(tx.conn())
        .await
        .unwrap();
    assert_eq!(deleted.rows_affected(), 0);
    tx.commit().await.unwrap();
    let name: String = sqlx::query_scalar("SELECT name FROM vehicles WHERE id = $1")
        .bind(t.b_vehicle)
        .fetch_one(&t.db.admin)
        .await
        .unwrap();
    assert_eq!(name, "B's car");
}

fn is_rls_violation(e: &sqlx::Error) -> bool {
    e.as_database_error().and_then(|d| d.code()).as_deref() == Some("42501")
}

#[tokio::test]
async fn household_a_cannot_insert_a_row_for_b() {
    let t = two_households().await;
    let mut tx = HouseholdTx::begin(&t.db.app, &crate::helpers::context_key(), t.a, "user-a")
        .await
        .unwrap();
    let err = sqlx::query("INSERT INTO vehicles (household_id, name) VALUES ($1, 'smuggled')")
        .bind(t.b)
        .execute(tx.conn())
        .await
        .unwrap_err();
    assert!(is_rls_violation(&err), "{err}");
}

#[tokio::test]
async fn an_insert_without_household_id_lands_in_the_current_household() {
    let t = two_households().await;
    t.db.member(t.a, "member-a", "member").await;
    let mut tx = HouseholdTx::begin(&t.db.app, &crate::helpers::context_key(), t.a, "member-a")
        .await
        .unwrap();
    let household: Uuid =
        sqlx::query_scalar("INSERT INTO vehicles (name) VALUES ('new') RETURNING household_id")
            .fetch_one(tx.conn())
            .await
            .unwrap();
    assert_eq!(household, t.a);
}

#[tokio::test]
async fn household_a_cannot_move_its_row_to_b() {
    let t = two_households().await;
    let mut tx = HouseholdTx::begin(&t.db.app, &crate::helpers::context_key(), t.a, "user-a")
        .await
        .unwrap();
    // The vehicle has fuel logs, so first try a log-free one: the policy, not the FK, refuses.
    let fresh: Uuid =
        sqlx::query_scalar("INSERT INTO vehicles (name) VALUES ('mover') RETURNING id")
            .fetch_one(tx.conn())
            .await
            .unwrap();
    let err = sqlx::query("UPDATE vehicles SET household_id = $1 WHERE id = $2")
        .bind(t.b)
        .bind(fresh)
        .execute(tx.conn())
        .await
        .unwrap_err();
    assert!(is_rls_violation(&err), "{err}");
}

#[tokio::test]
async fn a_fuel_log_cannot_point_at_another_households_vehicle() {
    let t = two_households().await;
    let mut tx = HouseholdTx::begin(&t.db.app, &crate::helpers::context_key(), t.a, "user-a")
        .await
        .unwrap();
    let err = sqlx::query(
        "INSERT INTO fuel_logs (vehicle_id, filled_at, odometer_km, volume, cost) VALUES ($1, '2026-02-01', 2000, 40, 60)",
    )
    .bind(t.b_vehicle)
    .execute(tx.conn())
    .await
    .unwrap_err();
    let constraint = err
        .as_database_error()
        .and_then(|d| d.constraint().map(str::to_owned));
    assert_eq!(
        constraint.as_deref(),
        Some("fuel_logs_vehicle_fkey"),
        "{err}"
    );
    let _ = t.a_vehicle;
}

#[tokio::test]
async fn viewers_are_refused_writes_by_the_database_itself() {
    let t = two_households().await;
    t.db.member(t.a, "viewer-a", "viewer").await;
    let mut tx = HouseholdTx::begin(&t.db.app, &crate::helpers::context_key(), t.a, "viewer-a")
        .await
        .unwrap();
    let err = sqlx::query("INSERT INTO vehicles (name) VALUES ('viewer car')")
        .execute(tx.conn())
        .await
        .unwrap_err();
    assert!(is_rls_violation(&err), "{err}");
    drop(tx);
    let mut tx = HouseholdTx::begin(&t.db.app, &crate::helpers::context_key(), t.a, "viewer-a")
        .await
        .unwrap();
    assert_eq!(count(tx.conn(), "vehicles").await, 1, "viewers still read");
    let updated = sqlx::query("UPDATE vehicles SET name = 'renamed'")
        .execute(tx.conn())
        .await
        .unwrap();
    assert_eq!(updated.rows_affected(), 0);
    let deleted = sqlx::query("DELETE FROM vehicles")
        .execute(tx.conn())
        .await
        .unwrap();
    assert_eq!(deleted.rows_affected(), 0);
}
