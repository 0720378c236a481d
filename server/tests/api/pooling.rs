//! What a read costs on the wire, and what a pooled connection carries from one request to
//! the next: round trips counted by a relay between the pool and PostgreSQL, the household
//! context read back on a pool of one connection, and 300 concurrent reads through a real
//! PgBouncer in transaction mode.

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use reqwest::Method;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use uuid::Uuid;

use server::db::tenant::HouseholdTx;

use crate::helpers::{Options, TestApp, Via, assert_problem, upstream};
use crate::pgbouncer;
use shared::paths;

/// Relays connections to PostgreSQL and counts the ReadyForQuery ('Z') messages the server
/// sends: one per Sync (or simple query), so one per round trip of the extended protocol.
/// A 'Z' with nothing before it answers a bare Sync: sqlx's pool sends one whenever a
/// connection is released (its check that the connection is still usable, in a task of its
/// own after the query has answered); those are counted apart, as pings.
struct Relay {
    port: u16,
    counts: Arc<Counts>,
}

#[derive(Default)]
struct Counts {
    round_trips: AtomicU64,
    pings: AtomicU64,
}

/// Round trips and release pings since the last look.
#[derive(Debug, PartialEq)]
struct Trips {
    round_trips: u64,
    pings: u64,
}

impl Relay {
    async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let counts = Arc::new(Counts::default());
        let count = counts.clone();
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let (host, port) = upstream();
                let server = TcpStream::connect((host.as_str(), port)).await.unwrap();
                tokio::spawn(relay(client, server, count.clone()));
            }
        });
        Self { port, counts }
    }

    /// What the app's pool sent since the last call, once its connections are all back
    /// in the pool (so a release ping lands in the request it belongs to).
    async fn take(&self, app: &TestApp) -> Trips {
        while app.state.db.num_idle() < app.state.db.size() as usize {
            tokio::time::sleep(std::time::Duration::from_millis(2)).await;
        }
        Trips {
            round_trips: self.counts.round_trips.swap(0, Ordering::SeqCst),
            pings: self.counts.pings.swap(0, Ordering::SeqCst),
        }
    }
}

async fn relay(client: TcpStream, server: TcpStream, counts: Arc<Counts>) {
    let (mut client_read, mut client_write) = client.into_split();
    let (mut server_read, mut server_write) = server.into_split();
    tokio::spawn(async move {
        let _ = tokio::io::copy(&mut client_read, &mut server_write).await;
    });
    // Server messages are a type byte and a length that counts itself (SSL is off, so the
    // first byte is a message type too).
    let mut header = Vec::with_capacity(5);
    let mut skip = 0usize;
    let mut since_ready = 0u32;
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = match server_read.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => n,
        };
        for &byte in &buf[..n] {
            if skip > 0 {
                skip -= 1;
                continue;
            }
            header.push(byte);
            if header.len() == 5 {
                if header[0] == b'Z' {
                    let kind = if since_ready == 0 {
                        &counts.pings
                    } else {
                        &counts.round_trips
                    };
                    kind.fetch_add(1, Ordering::SeqCst);
                    since_ready = 0;
                } else {
                    since_ready += 1;
                }
                let len = u32::from_be_bytes([header[1], header[2], header[3], header[4]]);
                skip = len as usize - 4;
                header.clear();
            }
        }
        if client_write.write_all(&buf[..n]).await.is_err() {
            return;
        }
    }
}

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
    let base = format!("/api/households/{household}");
    [
        format!("{base}/vehicles"),
        format!("{base}/vehicles/{vehicle}"),
        format!("{base}/vehicles/{vehicle}/fuel-logs"),
        format!("{base}/summary"),
        format!("{base}/members"),
        format!("{base}/audit-events"),
        format!("{base}/join-requests"),
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
        let mut tx = HouseholdTx::begin(&app.state.db, household, "owner-r")
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

/// The settings `app.enter_household` makes, as the pool's connection holds them now.
/// The simple protocol (one message, no statement), so it reads whichever server
/// connection PgBouncer lends as well.
async fn context_left(app: &TestApp) -> Vec<Option<String>> {
    use sqlx::Row;
    let row = sqlx::raw_sql(
        "SELECT current_setting('app.current_household_id', true), \
                current_setting('app.current_user_sub', true), \
                current_setting('app.current_household_role', true)",
    )
    .fetch_one(&app.state.db)
    .await
    .unwrap();
    (0..3)
        .map(|i| row.get::<Option<String>, _>(i))
        .filter(|v| v.as_deref().is_some_and(|v| !v.is_empty()))
        .collect()
}

fn vehicle_households(page: &Value) -> HashSet<String> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["household_id"].as_str().unwrap().to_owned())
        .collect()
}

async fn alternate_households_on_one_connection(via: Via) {
    let app = TestApp::spawn_with(one_connection(via)).await;
    let (a, alice, a_car) = seeded(&app, "A", "alice").await;
    let (b, bob, b_car) = seeded(&app, "B", "bob").await;
    app.db.member(a, "carol", "member").await;
    let carol = app.internal_token("carol", a).await;
    sqlx::query("DELETE FROM household_members WHERE user_sub = 'carol'")
        .execute(&app.db.admin)
        .await
        .unwrap();
    for round in 0..10 {
        for (household, token, car) in [(a, &alice, a_car), (b, &bob, b_car)] {
            let page: Value = app
                .get(&paths::vehicles(household), token)
                .await
                .json()
                .await
                .unwrap();
            assert_eq!(
                vehicle_households(&page),
                HashSet::from([household.to_string()]),
                "round {round}"
            );
            assert_eq!(context_left(&app).await, Vec::<Option<String>>::new());
            let other_car = if car == a_car { b_car } else { a_car };
            let response = app.get(&paths::vehicle(household, other_car), token).await;
            assert_problem(response, 404).await;
            assert_eq!(context_left(&app).await, Vec::<Option<String>>::new());
            let response = app
                .send(
                    Method::POST,
                    &paths::vehicles(household),
                    token,
                    Some(json!({ "name": format!("round {round}") })),
                )
                .await;
            assert_eq!(response.status(), 201);
            assert_eq!(context_left(&app).await, Vec::<Option<String>>::new());
        }
        // Removed after the token was issued: refused, and nothing stays behind.
        let response = app.get(&paths::vehicles(a), &carol).await;
        assert_problem(response, 403).await;
        assert_eq!(context_left(&app).await, Vec::<Option<String>>::new());
    }
    let per_household: Vec<(Uuid, i64)> = sqlx::query_as(
        "SELECT household_id, count(*) FROM vehicles GROUP BY household_id ORDER BY household_id",
    )
    .fetch_all(&app.db.admin)
    .await
    .unwrap();
    assert_eq!(per_household.len(), 2);
    assert!(
        per_household.iter().all(|(_, n)| *n == 11),
        "{per_household:?}"
    );
}

#[tokio::test]
async fn one_pooled_connection_carries_no_household_context_between_requests() {
    alternate_households_on_one_connection(Via::Relay(Relay::start().await.port, CACHED)).await;
}

fn pgbouncer_or_skip() -> bool {
    if pgbouncer::available() {
        return true;
    }
    assert!(
        !pgbouncer::requested(),
        "TEST_PGBOUNCER=1 but {} is missing",
        pgbouncer::BINARY
    );
    eprintln!("skipped: {} is not installed", pgbouncer::BINARY);
    false
}

#[tokio::test]
async fn through_pgbouncer_the_role_keeps_its_timeouts() {
    if !pgbouncer_or_skip() {
        return;
    }
    let app = TestApp::spawn_with(one_connection(Via::PgBouncer(1))).await;
    use sqlx::Row;
    let row = sqlx::raw_sql(
        "SELECT current_setting('statement_timeout'), \
                current_setting('idle_in_transaction_session_timeout')",
    )
    .fetch_one(&app.state.db)
    .await
    .unwrap();
    let timeouts: (String, String) = (row.get(0), row.get(1));
    assert_eq!(timeouts, ("5s".to_owned(), "5s".to_owned()));
}

#[tokio::test]
async fn through_pgbouncer_no_household_context_outlives_a_request() {
    if pgbouncer_or_skip() {
        alternate_households_on_one_connection(Via::PgBouncer(1)).await;
    }
}

#[tokio::test]
async fn through_pgbouncer_300_concurrent_reads_stay_in_their_households() {
    if !pgbouncer_or_skip() {
        return;
    }
    // 16 client connections over 3 server connections: every server connection serves
    // every household in turn.
    let app = Arc::new(
        TestApp::spawn_with(Options {
            pool_size: 16,
            via: Via::PgBouncer(3),
            ..Options::default()
        })
        .await,
    );
    let mut households = Vec::new();
    for n in 0..3 {
        households.push(seeded(&app, &format!("H{n}"), &format!("owner-{n}")).await);
    }
    let households = Arc::new(households);
    let mut requests = tokio::task::JoinSet::new();
    for i in 0..300 {
        let app = app.clone();
        let households = households.clone();
        requests.spawn(async move {
            let (household, token, vehicle) = &households[i % 3];
            let path = &read_paths(*household, *vehicle)[i / 3 % 4];
            let response = app.get(path, token).await;
            assert_eq!(response.status(), 200, "{path}");
            let body: Value = response.json().await.unwrap();
            // Every household and vehicle id in the answer is this household's own.
            let own = [household.to_string(), vehicle.to_string()];
            let mut ids = Vec::new();
            collect_ids(&body, &mut ids);
            assert!(!ids.is_empty(), "{path}: {body}");
            for id in ids {
                assert!(own.contains(&id), "{path}: another household's id {id}");
            }
        });
    }
    let mut done = 0;
    while let Some(result) = requests.join_next().await {
        result.unwrap();
        done += 1;
    }
    assert_eq!(done, 300);
}

/// Every household and vehicle id in a JSON answer.
fn collect_ids(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, v) in map {
                let names_an_id = matches!(key.as_str(), "household_id" | "vehicle_id")
                    || (key == "id" && map.contains_key("fuel_unit"));
                if let (true, Some(id)) = (names_an_id, v.as_str()) {
                    out.push(id.to_owned());
                }
                collect_ids(v, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|v| collect_ids(v, out)),
        _ => {}
    }
}
