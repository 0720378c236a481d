//! Through a real PgBouncer in transaction mode: server connections are shared between
//! clients there, which a relay of our own does not reproduce.

use std::sync::Arc;

use serde_json::Value;

use super::context::alternate_households_on_one_connection;
use super::{one_connection, read_paths, seeded};
use crate::helpers::{Options, TestApp, Via};
use crate::pgbouncer;

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

/// `serve` checks the pooler before its first request: one that hands a server connection
/// to another client with named statements still on it (no reset query) is refused by
/// name; the deployment's own configuration and a direct connection pass.
#[tokio::test]
async fn serve_refuses_a_pooler_without_the_reset_query_and_names_the_setting() {
    if !pgbouncer_or_skip() {
        return;
    }
    let db = crate::helpers::TestDb::new().await;
    let (host, port) = crate::helpers::upstream();
    let check = server::db::pooler::check_reset;
    check(&db.app_options)
        .await
        .expect("a direct connection passes");

    let good = pgbouncer::PgBouncer::start(&host, port, 2);
    let through = |bouncer: &pgbouncer::PgBouncer| {
        db.app_options
            .clone()
            .host("127.0.0.1")
            .port(bouncer.port)
            .statement_cache_capacity(0)
    };
    check(&through(&good))
        .await
        .expect("the reset query passes");

    let bad = pgbouncer::PgBouncer::start_without_reset(&host, port, 2);
    let refused = check(&through(&bad)).await.unwrap_err().to_string();
    assert!(
        refused.contains("server_reset_query = DEALLOCATE ALL")
            && refused.contains("server_reset_query_always = 1"),
        "{refused}"
    );
}
