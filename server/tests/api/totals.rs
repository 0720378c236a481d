//! `vehicle_totals`, kept on write by triggers (migration `20261207000005_vehicle_totals`),
//! against a recount from scratch: random sequences of single and bulk inserts, deletions
//! and updates (ties in date and odometer included), and writers racing on one vehicle.

use proptest::prelude::*;
use sqlx::PgPool;
use uuid::Uuid;

use crate::helpers::TestDb;

/// The totals as the summary used to compute them, by window passes over every log.
const RECOUNT: &str = "\
SELECT v.id, count(f.volume),
       coalesce(sum(f.volume), 0), coalesce(sum(f.cost), 0),
       coalesce(sum(f.distance) FILTER (WHERE f.distance > 0), 0),
       coalesce(sum(f.volume) FILTER (WHERE f.distance > 0), 0)
FROM vehicles v
LEFT JOIN (SELECT vehicle_id, volume, cost,
                  odometer_km - lag(odometer_km)
                      OVER (PARTITION BY vehicle_id ORDER BY filled_at, odometer_km, id) AS distance
           FROM fuel_logs) f ON f.vehicle_id = v.id
WHERE v.household_id = $1
GROUP BY v.id ORDER BY v.id";

const KEPT: &str = "\
SELECT vehicle_id, fill_ups, volume, cost, distance_km, burned FROM vehicle_totals
WHERE household_id = $1 ORDER BY vehicle_id";

type Totals = Vec<(Uuid, i64, f64, f64, f64, f64)>;

async fn assert_kept(pool: &PgPool, household: Uuid) {
    let recounted: Totals = sqlx::query_as(RECOUNT)
        .bind(household)
        .fetch_all(pool)
        .await
        .unwrap();
    let kept: Totals = sqlx::query_as(KEPT)
        .bind(household)
        .fetch_all(pool)
        .await
        .unwrap();
    assert_eq!(kept.len(), recounted.len(), "one totals row per vehicle");
    for (k, r) in kept.iter().zip(&recounted) {
        assert_eq!((k.0, k.1), (r.0, r.1), "vehicle and fill-ups");
        for (kept, recounted) in [(k.2, r.2), (k.3, r.3), (k.4, r.4), (k.5, r.5)] {
            assert!(
                (kept - recounted).abs() <= 1e-6 * recounted.abs().max(1.0),
                "kept {k:?}, recounted {r:?}"
            );
        }
    }
}

#[derive(Debug, Clone)]
enum Op {
    /// One fill-up: vehicle, day, odometer, volume. Days and odometers repeat, for ties.
    Insert(usize, i32, i32, i32),
    /// Several fill-ups of one vehicle in one statement.
    InsertMany(usize, i32, i32),
    Delete(usize),
    /// Every fill-up before a day, across vehicles.
    DeleteBefore(i32),
    Update(usize, i32),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => (0..2usize, 0..8i32, 0..6i32, 1..60i32).prop_map(|(v, d, o, l)| Op::Insert(v, d, o, l)),
        1 => (0..2usize, 2..6i32, 0..8i32).prop_map(|(v, n, d)| Op::InsertMany(v, n, d)),
        3 => any::<usize>().prop_map(Op::Delete),
        1 => (0..8i32).prop_map(Op::DeleteBefore),
        1 => (any::<usize>(), 0..6i32).prop_map(|(p, o)| Op::Update(p, o)),
    ]
}

async fn apply(pool: &PgPool, household: Uuid, vehicles: &[Uuid], op: &Op) {
    let query = match op {
        Op::Insert(v, day, odometer, volume) => sqlx::query(
            "INSERT INTO fuel_logs (household_id, vehicle_id, filled_at, odometer_km, volume, cost) \
             VALUES ($1, $2, date '2026-01-01' + $3, 100.0 * $4, $5, 2.5 * $5)",
        )
        .bind(household)
        .bind(vehicles[*v])
        .bind(day)
        .bind(odometer)
        .bind(f64::from(*volume)),
        Op::InsertMany(v, n, day) => sqlx::query(
            "INSERT INTO fuel_logs (household_id, vehicle_id, filled_at, odometer_km, volume, cost) \
             SELECT $1, $2, date '2026-01-01' + $4 + i, 100.0 * (i + $4), 10 + i, 20 \
             FROM generate_series(1, $3) AS i",
        )
        .bind(household)
        .bind(vehicles[*v])
        .bind(n)
        .bind(day),
        Op::Delete(pick) => sqlx::query(
            "DELETE FROM fuel_logs WHERE id = (SELECT id FROM fuel_logs WHERE household_id = $1 \
             ORDER BY id OFFSET $2 % greatest((SELECT count(*) FROM fuel_logs WHERE household_id = $1), 1) LIMIT 1)",
        )
        .bind(household)
        .bind(i64::try_from(*pick % 1000).unwrap()),
        Op::DeleteBefore(day) => sqlx::query(
            "DELETE FROM fuel_logs WHERE household_id = $1 AND filled_at < date '2026-01-01' + $2",
        )
        .bind(household)
        .bind(day),
        Op::Update(pick, odometer) => sqlx::query(
            "UPDATE fuel_logs SET odometer_km = 100.0 * $3 WHERE id = (SELECT id FROM fuel_logs \
             WHERE household_id = $1 ORDER BY id OFFSET $2 % greatest((SELECT count(*) FROM fuel_logs WHERE household_id = $1), 1) LIMIT 1)",
        )
        .bind(household)
        .bind(i64::try_from(*pick % 1000).unwrap())
        .bind(odometer),
    };
    query.execute(pool).await.unwrap();
}

#[test]
fn totals_kept_on_write_match_a_recount() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let db = rt.block_on(TestDb::new());
    let config = ProptestConfig {
        cases: 48,
        ..ProptestConfig::default()
    };
    proptest!(config, |(ops in proptest::collection::vec(op(), 1..40))| {
        rt.block_on(async {
            let household = db.household("Totals").await;
            let vehicles = [db.vehicle(household, "One").await, db.vehicle(household, "Two").await];
            assert_kept(&db.admin, household).await;
            for op in &ops {
                apply(&db.admin, household, &vehicles, op).await;
                assert_kept(&db.admin, household).await;
            }
            sqlx::query("DELETE FROM vehicles WHERE id = $1")
                .bind(vehicles[0])
                .execute(&db.admin)
                .await
                .unwrap();
            assert_kept(&db.admin, household).await;
        });
    });
}

/// Eight writers insert into one vehicle at once, each fill-up in a transaction of its
/// own: the totals row lock orders them, and the totals match a recount.
#[tokio::test]
async fn racing_writers_keep_one_vehicles_totals() {
    let db = TestDb::new().await;
    let household = db.household("Race").await;
    let vehicle = db.vehicle(household, "Car").await;
    let writers = (0..8).map(|w| {
        let pool = db.admin.clone();
        tokio::spawn(async move {
            for i in 0..25 {
                sqlx::query(
                    "INSERT INTO fuel_logs (household_id, vehicle_id, filled_at, odometer_km, volume, cost) \
                     VALUES ($1, $2, date '2026-01-01' + $3, 10.0 * $3 + $4, 40, 60)",
                )
                .bind(household)
                .bind(vehicle)
                .bind((i * 7 + w * 3) % 50)
                .bind(f64::from(w))
                .execute(&pool)
                .await
                .unwrap();
            }
        })
    });
    for writer in writers.collect::<Vec<_>>() {
        writer.await.unwrap();
    }
    assert_kept(&db.admin, household).await;
    let fill_ups: i64 =
        sqlx::query_scalar("SELECT fill_ups FROM vehicle_totals WHERE vehicle_id = $1")
            .bind(vehicle)
            .fetch_one(&db.admin)
            .await
            .unwrap();
    assert_eq!(fill_ups, 200);
}
