//! A pool of one connection: the household context must die with its transaction, or
//! the next borrower of the connection inherits it.

use server::db::tenant::HouseholdTx;
use sqlx::postgres::PgPoolOptions;
use uuid::Uuid;

use super::count;
use crate::helpers::TestDb;

#[tokio::test]
async fn one_pooled_connection_carries_no_household_from_one_transaction_to_the_next() {
    let db = TestDb::with_pool(PgPoolOptions::new().max_connections(1)).await;
    let a = db.household("A").await;
    let b = db.household("B").await;
    db.vehicle(a, "a1").await;
    db.vehicle(b, "b1").await;
    db.vehicle(b, "b2").await;
    db.member(a, "user-a", "owner").await;
    db.member(b, "user-b", "owner").await;

    let mut tx = HouseholdTx::begin(&db.app, &crate::helpers::context_key(), a, "user-a")
        .await
        .unwrap();
    assert_eq!(count(tx.conn(), "vehicles").await, 1);
    tx.commit().await.unwrap();

    let mut tx = HouseholdTx::begin(&db.app, &crate::helpers::context_key(), b, "user-b")
        .await
        .unwrap();
    let seen: Vec<Uuid> = sqlx::query_scalar("SELECT household_id FROM vehicles")
        .fetch_all(tx.conn())
        .await
        .unwrap();
    assert_eq!(seen, vec![b, b]);
    // An error mid-transaction, then rollback.
    assert!(sqlx::query("SELECT 1/0").execute(tx.conn()).await.is_err());
    drop(tx);

    let mut conn = db.app.acquire().await.unwrap();
    let setting: Option<String> =
        sqlx::query_scalar("SELECT current_setting('app.current_household_id', true)")
            .fetch_one(&mut *conn)
            .await
            .unwrap();
    assert!(
        setting.as_deref().unwrap_or("").is_empty(),
        "leaked setting {setting:?}"
    );
    assert_eq!(count(&mut conn, "vehicles").await, 0);
}
