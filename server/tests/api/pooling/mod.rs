//! What a read costs on the wire, and what a pooled connection carries from one request to
//! the next. The round-trip counts stay here, at `pooling::`, where `scripts/bench/run`
//! selects them by name; the shared fixtures are here too.

use reqwest::Method;
use serde_json::json;
use uuid::Uuid;

use server::db::tenant::HouseholdTx;
use shared::paths;

use crate::helpers::{Options, TestApp, Via, assert_problem};
use relay::{Relay, Trips};

mod context;
mod pgbouncer;
mod relay;

/// One row of the round-trip table `scripts/bench/run` prints (it runs these tests with
/// `--nocapture` and keeps the lines that start so).
fn report(request: &str, trips: &Trips) {
    eprintln!(
        "ROUND TRIPS | {request} | {} | {} |",
        trips.round_trips, trips.pings
    );
}

/// `path` with its ids as the route's template names them.
fn template(path: &str, household: Uuid, vehicle: Uuid) -> String {
    path.replace(&household.to_string(), "{household_id}")
        .replace(&vehicle.to_string(), "{vehicle_id}")
}

/// sqlx's default statement cache.
const CACHED: u16 = 100;

fn one_connection(via: Via) -> Options {
    Options {
        pool_size: 1,
        via,
        ..Options::default()
    }
}

/// A household with an owner, a vehicle and one fuel log.
async fn seeded(app: &TestApp, name: &str, owner: &str) -> (Uuid, String, Uuid) {
    let (household, token) = app.household_with(name, owner, "owner").await;
    let vehicle = app.db.vehicle(household, &format!("{name} car")).await;
    sqlx::query(
        "INSERT INTO fuel_logs (household_id, vehicle_id, filled_at, odometer_km, volume, cost) \
         VALUES ($1, $2, '2026-01-01', 1000, 40, 60)",
    )
    .bind(household)
    .bind(vehicle)
    .execute(&app.db.admin)
    .await
    .unwrap();
    (household, token, vehicle)
}

fn read_paths(household: Uuid, vehicle: Uuid) -> [String; 7] {
    [
        paths::vehicles(household),
        paths::vehicle(household, vehicle),
        paths::fuel_logs(household, vehicle),
        paths::summary(household),
        paths::members(household),
        paths::audit_events(household),
        paths::join_requests(household),
    ]
}

#[tokio::test]
async fn a_warm_read_is_one_round_trip() {
    let relay = Relay::start().await;
    let app = TestApp::spawn_with(one_connection(Via::Relay(relay.port, CACHED))).await;
    let (household, token, vehicle) = seeded(&app, "Relayed", "owner-r").await;
    let one = Trips {
        round_trips: 1,
        pings: 1,
    };
    for path in read_paths(household, vehicle) {
        // The first request prepares the statement on the pool's one connection.
        assert_eq!(app.get(&path, &token).await.status(), 200, "{path}");
        relay.take(&app).await;
        let response = app.get(&path, &token).await;
        assert_eq!(response.status(), 200, "{path}");
        let trips = relay.take(&app).await;
        report(
            &format!("GET `{}`", template(&path, household, vehicle)),
            &trips,
        );
        assert!(trips.round_trips + trips.pings <= 2, "{path}: {trips:?}");
        assert_eq!(
            trips, one,
            "{path}: one Bind/Execute/Sync, and the pool's ping"
        );
    }
    // The same read as before this design: BEGIN, enter, the query, COMMIT.
    for _ in 0..2 {
        relay.take(&app).await;
        let mut tx = HouseholdTx::begin(
            &app.state.db,
            &crate::helpers::context_key(),
            household,
            "owner-r",
        )
        .await
        .unwrap();
        sqlx::query("SELECT * FROM vehicles")
            .fetch_all(tx.conn())
            .await
            .unwrap();
        tx.commit().await.unwrap();
    }
    let before = relay.take(&app).await;
    report(
        "a read in `BEGIN` … `COMMIT` (before reads were one statement)",
        &before,
    );
    assert_eq!(before.round_trips, 4);
    // A refused reader costs the same single statement.
    app.db.suspend(household).await;
    relay.take(&app).await;
    assert_problem(
        app.get(&read_paths(household, vehicle)[0], &token).await,
        403,
    )
    .await;
    assert_eq!(relay.take(&app).await, one, "a refusal is one round trip");
}

#[tokio::test]
async fn a_warm_exchange_is_one_round_trip_and_a_refusal_too() {
    let relay = Relay::start().await;
    let app = TestApp::spawn_with(one_connection(Via::Relay(relay.port, CACHED))).await;
    let (household, _, _) = seeded(&app, "Exchanged", "owner-x").await;
    let token = app.issuer.token("owner-x");
    let one = Trips {
        round_trips: 1,
        pings: 1,
    };
    // The first prepares the statement on the pool's one connection.
    let id = household.to_string();
    let exchange = || app.exchange_with(&token, &id);
    assert_eq!(exchange().await.status(), 200);
    relay.take(&app).await;
    assert_eq!(exchange().await.status(), 200);
    let trips = relay.take(&app).await;
    report("POST `/exchange`", &trips);
    assert_eq!(trips, one, "one Bind/Execute/Sync, and the pool's ping");
    // Not a member, and a suspended household: the same single statement.
    let stranger = app.issuer.token("stranger-x");
    assert_problem(app.exchange_with(&stranger, &id).await, 403).await;
    assert_eq!(relay.take(&app).await, one, "a non-member");
    app.db.suspend(household).await;
    relay.take(&app).await;
    assert_problem(exchange().await, 403).await;
    assert_eq!(relay.take(&app).await, one, "a suspended household");
}

#[tokio::test]
async fn without_a_statement_cache_a_read_is_one_statement_in_a_transaction() {
    let relay = Relay::start().await;
    let app = TestApp::spawn_with(one_connection(Via::Relay(relay.port, 0))).await;
    let (household, token, vehicle) = seeded(&app, "Uncached", "owner-u").await;
    for path in read_paths(household, vehicle) {
        assert_eq!(app.get(&path, &token).await.status(), 200, "{path}");
        relay.take(&app).await;
        assert_eq!(app.get(&path, &token).await.status(), 200, "{path}");
        let trips = relay.take(&app).await;
        report(
            &format!(
                "GET `{}`, statement cache off (behind PgBouncer)",
                template(&path, household, vehicle)
            ),
            &trips,
        );
        // BEGIN, Parse/Describe/Sync, Bind/Execute/Sync, COMMIT.
        assert_eq!(trips.round_trips, 4, "{path}");
    }
}

#[tokio::test]
async fn a_write_keeps_its_transaction() {
    let relay = Relay::start().await;
    let app = TestApp::spawn_with(one_connection(Via::Relay(relay.port, CACHED))).await;
    let (household, token, _) = seeded(&app, "Written", "owner-w").await;
    let path = paths::vehicles(household);
    let events_before = audit_events(&app, household).await;
    for name in ["first", "second"] {
        relay.take(&app).await;
        let response = app
            .send(Method::POST, &path, &token, Some(json!({ "name": name })))
            .await;
        assert_eq!(response.status(), 201);
        // BEGIN, enter, quota, insert, audit, COMMIT: the write is all or nothing.
        let trips = relay.take(&app).await;
        if name == "second" {
            report(
                "POST `/api/households/{household_id}/vehicles` (a write)",
                &trips,
            );
        }
    }
    assert_eq!(
        audit_events(&app, household).await,
        events_before + 2,
        "each write with its audit event"
    );
}

async fn audit_events(app: &TestApp, household: Uuid) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM audit_events WHERE household_id = $1")
        .bind(household)
        .fetch_one(&app.db.admin)
        .await
        .unwrap()
}
