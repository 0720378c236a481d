//! Row-level security, straight against PostgreSQL as the runtime role.

use proptest::prelude::*;
use server::db::tenant::HouseholdTx;
use sqlx::postgres::PgPoolOptions;
use sqlx::{Connection, PgConnection};
use uuid::Uuid;

use crate::helpers::TestDb;

const TENANT_TABLES: [&str; 4] = ["households", "household_members", "vehicles", "fuel_logs"];

struct Two {
    db: TestDb,
    a: Uuid,
    b: Uuid,
    a_vehicle: Uuid,
    b_vehicle: Uuid,
}

async fn two_households() -> Two {
    let db = TestDb::new().await;
    let a = db.household("A").await;
    let b = db.household("B").await;
    db.member(a, "user-a", "owner").await;
    db.member(b, "user-b", "owner").await;
    let a_vehicle = db.vehicle(a, "A's car").await;
    let b_vehicle = db.vehicle(b, "B's car").await;
    for (h, v) in [(a, a_vehicle), (b, b_vehicle)] {
        sqlx::query(
            "INSERT INTO fuel_logs (household_id, vehicle_id, filled_at, odometer_km, volume, cost) \
             VALUES ($1, $2, '2026-01-01', 1000, 40, 60)",
        )
        .bind(h)
        .bind(v)
        .execute(&db.admin)
        .await
        .unwrap();
    }
    Two {
        db,
        a,
        b,
        a_vehicle,
        b_vehicle,
    }
}

async fn count(conn: &mut PgConnection, table: &str) -> i64 {
    sqlx::query_scalar(&format!("SELECT count(*) FROM {table}"))
        .fetch_one(conn)
        .await
        .unwrap()
}

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
    let mut tx = HouseholdTx::begin(&t.db.app, t.a, "user-a").await.unwrap();
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

#[tokio::test]
async fn household_a_cannot_update_or_delete_b_rows_by_id() {
    let t = two_households().await;
    let mut tx = HouseholdTx::begin(&t.db.app, t.a, "user-a").await.unwrap();
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
    let mut tx = HouseholdTx::begin(&t.db.app, t.a, "user-a").await.unwrap();
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
    let mut tx = HouseholdTx::begin(&t.db.app, t.a, "member-a")
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
    let mut tx = HouseholdTx::begin(&t.db.app, t.a, "user-a").await.unwrap();
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
    let mut tx = HouseholdTx::begin(&t.db.app, t.a, "user-a").await.unwrap();
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
    let mut tx = HouseholdTx::begin(&t.db.app, t.a, "viewer-a")
        .await
        .unwrap();
    let err = sqlx::query("INSERT INTO vehicles (name) VALUES ('viewer car')")
        .execute(tx.conn())
        .await
        .unwrap_err();
    assert!(is_rls_violation(&err), "{err}");
    drop(tx);
    let mut tx = HouseholdTx::begin(&t.db.app, t.a, "viewer-a")
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

    let mut tx = HouseholdTx::begin(&db.app, a, "user-a").await.unwrap();
    assert_eq!(count(tx.conn(), "vehicles").await, 1);
    tx.commit().await.unwrap();

    let mut tx = HouseholdTx::begin(&db.app, b, "user-b").await.unwrap();
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

/// An operation of the property test, by household `by` (index into the households).
#[derive(Debug, Clone)]
enum Op {
    Insert { by: usize },
    InsertFor { by: usize, target: usize },
    List { by: usize },
    UpdateAny { by: usize, pick: usize },
    DeleteAny { by: usize, pick: usize },
    Unscoped,
}

fn op() -> impl Strategy<Value = Op> {
    let by = 0..3usize;
    prop_oneof![
        3 => by.clone().prop_map(|by| Op::Insert { by }),
        1 => (by.clone(), 0..3usize).prop_map(|(by, target)| Op::InsertFor { by, target }),
        3 => by.clone().prop_map(|by| Op::List { by }),
        2 => (by.clone(), any::<usize>()).prop_map(|(by, pick)| Op::UpdateAny { by, pick }),
        1 => (by, any::<usize>()).prop_map(|(by, pick)| Op::DeleteAny { by, pick }),
        1 => Just(Op::Unscoped),
    ]
}

/// Random operations by random households against a model of who owns what: no row of
/// another household is ever returned or changed.
#[test]
fn random_operations_never_cross_households() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let db = rt.block_on(TestDb::new());
    let households: Vec<Uuid> = rt.block_on(async {
        let mut v = Vec::new();
        for name in ["H0", "H1", "H2"] {
            let household = db.household(name).await;
            for role in ["owner", "member", "viewer"] {
                db.member(household, role, role).await;
            }
            v.push(household);
        }
        v
    });
    let config = ProptestConfig {
        cases: 4,
        failure_persistence: None,
        ..ProptestConfig::default()
    };
    let mut runner = proptest::test_runner::TestRunner::new(config);
    let total_ops = std::sync::atomic::AtomicUsize::new(0);
    runner
        .run(&proptest::collection::vec(op(), 300..=320), |ops| {
            total_ops.fetch_add(ops.len(), std::sync::atomic::Ordering::Relaxed);
            rt.block_on(run_ops(&db, &households, ops))
        })
        .unwrap();
    assert!(total_ops.into_inner() >= 1_000);
}

async fn run_ops(db: &TestDb, households: &[Uuid], ops: Vec<Op>) -> Result<(), TestCaseError> {
    sqlx::query("DELETE FROM vehicles")
        .execute(&db.admin)
        .await
        .unwrap();
    // The model: vehicle id → owning household.
    let mut model: Vec<(Uuid, Uuid)> = Vec::new();
    let mut n = 0u64;
    for op in ops {
        match op {
            Op::Insert { by } => {
                n += 1;
                let mut tx = HouseholdTx::begin(&db.app, households[by], "member")
                    .await
                    .unwrap();
                let (id, owner): (Uuid, Uuid) = sqlx::query_as(
                    "INSERT INTO vehicles (name) VALUES ($1) RETURNING id, household_id",
                )
                .bind(format!("v{n}"))
                .fetch_one(tx.conn())
                .await
                .unwrap();
                tx.commit().await.unwrap();
                prop_assert_eq!(owner, households[by]);
                model.push((id, owner));
            }
            Op::InsertFor { by, target } => {
                n += 1;
                let mut tx = HouseholdTx::begin(&db.app, households[by], "member")
                    .await
                    .unwrap();
                let result = sqlx::query_scalar::<_, Uuid>(
                    "INSERT INTO vehicles (household_id, name) VALUES ($1, $2) RETURNING id",
                )
                .bind(households[target])
                .bind(format!("v{n}"))
                .fetch_one(tx.conn())
                .await;
                if by == target {
                    let id = result.unwrap();
                    tx.commit().await.unwrap();
                    model.push((id, households[by]));
                } else {
                    prop_assert!(result.is_err(), "insert for another household succeeded");
                }
            }
            Op::List { by } => {
                let mut tx = HouseholdTx::begin(&db.app, households[by], "viewer")
                    .await
                    .unwrap();
                let mut rows: Vec<(Uuid, Uuid)> =
                    sqlx::query_as("SELECT id, household_id FROM vehicles")
                        .fetch_all(tx.conn())
                        .await
                        .unwrap();
                let mut expected: Vec<(Uuid, Uuid)> = model
                    .iter()
                    .copied()
                    .filter(|(_, h)| *h == households[by])
                    .collect();
                rows.sort();
                expected.sort();
                prop_assert_eq!(rows, expected);
            }
            Op::UpdateAny { by, pick } | Op::DeleteAny { by, pick } if !model.is_empty() => {
                let (id, owner) = model[pick % model.len()];
                let delete = matches!(op, Op::DeleteAny { .. });
                let sql = if delete {
                    "DELETE FROM vehicles WHERE id = $1"
                } else {
                    "UPDATE vehicles SET make = 'x' WHERE id = $1"
                };
                let mut tx = HouseholdTx::begin(&db.app, households[by], "owner")
                    .await
                    .unwrap();
                let affected = sqlx::query(sql)
                    .bind(id)
                    .execute(tx.conn())
                    .await
                    .unwrap()
                    .rows_affected();
                tx.commit().await.unwrap();
                let own = owner == households[by];
                prop_assert_eq!(
                    affected,
                    u64::from(own),
                    "household {} changed a row of {}",
                    households[by],
                    owner
                );
                if delete && own {
                    model.retain(|(v, _)| *v != id);
                }
            }
            Op::UpdateAny { .. } | Op::DeleteAny { .. } => {}
            Op::Unscoped => {
                let mut conn = db.app.acquire().await.unwrap();
                prop_assert_eq!(count(&mut conn, "vehicles").await, 0);
            }
        }
    }
    Ok(())
}
