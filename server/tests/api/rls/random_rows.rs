//! Property test over row operations: hand-picked cases miss interleavings, so random
//! sequences are checked against a model of who owns which row.

use proptest::prelude::*;
use server::db::tenant::HouseholdTx;
use uuid::Uuid;

use super::count;
use crate::helpers::TestDb;

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
                let mut tx = HouseholdTx::begin(
                    &db.app,
                    &crate::helpers::context_key(),
                    households[by],
                    "member",
                )
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
                let mut tx = HouseholdTx::begin(
                    &db.app,
                    &crate::helpers::context_key(),
                    households[by],
                    "member",
                )
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
                let mut tx = HouseholdTx::begin(
                    &db.app,
                    &crate::helpers::context_key(),
                    households[by],
                    "viewer",
                )
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
                let mut tx = HouseholdTx::begin(
                    &db.app,
                    &crate::helpers::context_key(),
                    households[by],
                    "owner",
                )
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
