//! Row-level security, straight against PostgreSQL as the runtime role: the database
//! itself, not the API, keeps each household's rows to it.

use sqlx::PgConnection;
use uuid::Uuid;

use crate::helpers::TestDb;

mod forged_context;
mod pooled;
mod random_membership;
mod random_rows;
mod reads;
mod writes;

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
