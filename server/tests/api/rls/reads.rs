//! Reads: with no household, or a bad one, in the context nothing is visible, and a
//! household sees exactly its own rows.

use server::db::tenant::HouseholdTx;
use sqlx::Connection;
use uuid::Uuid;

use super::{count, two_households};

const TENANT_TABLES: [&str; 4] = ["households", "household_members", "vehicles", "fuel_logs"];

#[tokio::test]
async fn without_a_household_every_tenant_table_reads_empty_and_writes_change_nothing() {
    let t = two_households().await;
    let mut conn = t.db.app.acquire().await.unwrap();
    for table in TENANT_TABLES {
        assert_eq!(
            count(&mut conn, table).await,
            0,
            "{table} leaked rows without a household"
        );
    }
    for table in ["vehicles", "fuel_logs"] {
        let updated = sqlx::query(&format!("UPDATE {table} SET created_at = now()"))
            .execute(&mut *conn)
            .await
            .unwrap();
        assert_eq!(updated.rows_affected(), 0, "UPDATE {table}");
        let deleted = sqlx::query(&format!("DELETE FROM {table}"))
            .execute(&mut *conn)
            .await
            .unwrap();
        assert_eq!(deleted.rows_affected(), 0, "DELETE {table}");
    }
    let total: i64 = sqlx::query_scalar("SELECT count(*) FROM vehicles")
        .fetch_one(&t.db.admin)
        .await
        .unwrap();
    assert_eq!(total, 2, "nothing was deleted");
}

#[tokio::test]
async fn an_empty_or_malformed_setting_matches_nothing_and_is_not_an_error() {
    let t = two_households().await;
    let mut conn = t.db.app.acquire().await.unwrap();
    for value in [
        "",
        "not-a-uuid",
        "'; DROP TABLE vehicles; --",
        "00000000-0000-0000-0000-000000000000",
    ] {
        let mut tx = conn.begin().await.unwrap();
        sqlx::query("SELECT set_config('app.current_household_id', $1, true)")
            .bind(value)
            .execute(&mut *tx)
            .await
            .unwrap();
        assert_eq!(count(&mut tx, "vehicles").await, 0, "setting {value:?}");
        tx.rollback().await.unwrap();
    }
}

#[tokio::test]
async fn household_a_sees_only_its_own_rows() {
    let t = two_households().await;
    let mut tx = HouseholdTx::begin(&t.db.app, &crate::helpers::context_key(), t.a, "user-a")
        .await
        .unwrap();
    let ids: Vec<Uuid> = sqlx::query_scalar("SELECT household_id FROM vehicles")
        .fetch_all(tx.conn())
        .await
        .unwrap();
    assert_eq!(ids, vec![t.a]);
    let logs: Vec<Uuid> = sqlx::query_scalar("SELECT household_id FROM fuel_logs")
        .fetch_all(tx.conn())
        .await
        .unwrap();
    assert_eq!(logs, vec![t.a]);
    let households: Vec<Uuid> = sqlx::query_scalar("SELECT id FROM households")
        .fetch_all(tx.conn())
        .await
        .unwrap();
    assert_eq!(households, vec![t.a]);
    let members: Vec<String> = sqlx::query_scalar("SELECT user_sub FROM household_members")
        .fetch_all(tx.conn())
        .await
        .unwrap();
    assert_eq!(members, vec!["user-a".to_string()]);
}
