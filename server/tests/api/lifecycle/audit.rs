//! The audit record: it is the household's answer to "who did what", so every write and
//! operator command must land in it, attributed and without secrets.

use reqwest::Method;
use serde_json::{Value, json};
use shared::paths;

use super::{actions, has, invite};
use crate::helpers::{TestApp, assert_problem};

#[tokio::test]
async fn the_audit_record_holds_data_writes_with_actor_time_and_request_id_and_no_token() {
    let app = TestApp::spawn().await;
    let (h, owner) = app.household_with("Home", "auth0|alice", "owner").await;
    app.db.member(h, "auth0|bob", "member").await;
    let bob = app.internal_token("auth0|bob", h).await;
    let created = app
        .http
        .post(app.url(&paths::vehicles(h)))
        .bearer_auth(&bob)
        .header("x-request-id", "req-create-golf")
        .json(&json!({"name": "Golf"}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let created_id_header = created.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_owned();
    let vehicle: Value = created.json().await.unwrap();
    let id = vehicle["id"].as_str().unwrap();
    let vehicle_path = paths::vehicle(h, id.parse().unwrap());
    let patched = app
        .send(
            Method::PATCH,
            &vehicle_path,
            &bob,
            Some(json!({"make": "VW"})),
        )
        .await;
    assert_eq!(patched.status(), 200);
    let logged = app
        .send(
            Method::POST,
            &format!("{vehicle_path}/fuel-logs"),
            &bob,
            Some(json!({"filled_at": "2026-01-02", "odometer_km": 100.0, "volume": 40.0, "cost": 60.0})),
        )
        .await;
    assert_eq!(logged.status(), 201);
    let log: Value = logged.json().await.unwrap();
    assert_eq!(
        app.send(Method::DELETE, &vehicle_path, &bob, None)
            .await
            .status(),
        204
    );

    let events = actions(&app, h, &owner).await;

    let create = events
        .iter()
        .find(|e| e["action"] == "vehicle_created")
        .unwrap();
    assert_eq!(create["actor"], "auth0|bob");
    assert_eq!(create["target"], id);
    // The id is the server's own: the client's is echoed, never recorded as ours.
    assert_eq!(created_id_header, "req-create-golf");
    assert_ne!(create["request_id"], "req-create-golf");
    assert!(
        create["request_id"]
            .as_str()
            .is_some_and(|id| id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit())),
        "{create}"
    );
    assert!(
        create["at"]
            .as_str()
            .unwrap()
            .parse::<chrono::DateTime<chrono::Utc>>()
            .is_ok()
    );
    assert!(has(&events, "vehicle_updated", "auth0|bob", id));
    assert!(has(
        &events,
        "fuel_log_created",
        "auth0|bob",
        log["id"].as_str().unwrap()
    ));
    assert!(has(&events, "vehicle_deleted", "auth0|bob", id));
    // Newest first.
    assert_eq!(events[0]["action"], "vehicle_deleted");
    let text = serde_json::to_string(&events).unwrap();
    assert!(!text.contains(&bob) && !text.contains(&owner));
    let stored: Vec<String> = sqlx::query_scalar("SELECT row_to_json(a)::text FROM audit_events a")
        .fetch_all(&app.db.admin)
        .await
        .unwrap();
    assert!(stored.iter().all(|r| !r.contains("eyJ")), "{stored:?}");
}

#[tokio::test]
async fn the_audit_record_is_paginated_newest_first() {
    let app = TestApp::spawn().await;
    let (h, owner) = app.household_with("Home", "auth0|alice", "owner").await;
    for _ in 0..3 {
        invite(&app, h, &owner, "viewer").await;
    }
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("{}?limit=2&cursor={c}", paths::audit_events(h)),
            None => format!("{}?limit=2", paths::audit_events(h)),
        };
        let page: Value = app.get(&path, &owner).await.json().await.unwrap();
        seen.extend(page["items"].as_array().unwrap().iter().cloned());
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    assert_eq!(seen.len(), 3);
    let times: Vec<&str> = seen.iter().map(|e| e["at"].as_str().unwrap()).collect();
    let mut sorted = times.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(times, sorted);
    assert_problem(
        app.get(&format!("{}?cursor=bm9wZQ", paths::audit_events(h)), &owner)
            .await,
        400,
    )
    .await;
}

/// A cursor that held the event's position in a sequence all households share would count,
/// in its gaps, the other households' activity.
#[tokio::test]
async fn an_audit_cursor_reveals_nothing_of_other_households() {
    use base64::Engine;
    let app = TestApp::spawn().await;
    let (a, alice) = app.household_with("A", "auth0|alice", "owner").await;
    let (b, bob) = app.household_with("B", "auth0|bob", "owner").await;
    invite(&app, a, &alice, "viewer").await;
    for _ in 0..3 {
        invite(&app, b, &bob, "viewer").await;
    }
    invite(&app, a, &alice, "member").await;
    let first: Value = app
        .get(&format!("{}?limit=1", paths::audit_events(a)), &alice)
        .await
        .json()
        .await
        .unwrap();
    let cursor = first["next_cursor"].as_str().unwrap();

    let key = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(cursor)
        .unwrap();
    let key = String::from_utf8(key).unwrap();
    assert!(
        key.parse::<u64>().is_err(),
        "the cursor is a position: {key}"
    );
    assert_eq!(key.parse::<uuid::Uuid>().unwrap().get_version_num(), 4);
    // It leads to A's earlier event, and in B to nothing.
    let next: Value = app
        .get(
            &format!("{}?cursor={cursor}", paths::audit_events(a)),
            &alice,
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(next["items"].as_array().unwrap().len(), 1);
    assert!(
        next["items"][0]["target"]
            .as_str()
            .unwrap()
            .ends_with("as viewer")
    );
    let elsewhere: Value = app
        .get(&format!("{}?cursor={cursor}", paths::audit_events(b)), &bob)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(elsewhere["items"], json!([]));
    assert_eq!(elsewhere["next_cursor"], Value::Null);
}

#[tokio::test]
async fn the_operator_commands_are_in_the_audit_record() {
    let app = TestApp::spawn().await;
    let (h, owner) = app.household_with("Home", "auth0|alice", "owner").await;
    let mut admin = app.db.admin.acquire().await.unwrap();
    use shared::households::HouseholdStatus;
    assert!(
        server::db::households::update_status(&mut admin, h, HouseholdStatus::Suspended)
            .await
            .unwrap()
    );
    assert!(
        server::db::households::update_status(&mut admin, h, HouseholdStatus::Active)
            .await
            .unwrap()
    );
    // Reactivation lets the owner's old token in again, to read the record.
    let events = actions(&app, h, &owner).await;
    assert!(has(&events, "household_suspended", "operator", ""));
    assert!(has(&events, "household_reactivated", "operator", ""));
}

/// Every write appends an event, so without a bound a write loop grows the record without
/// end. A household keeps its newest `keep` events (pruned once it holds a tenth more, in
/// the writing transaction); another household's record is not touched.
#[tokio::test]
async fn a_household_keeps_its_newest_events_and_no_more() {
    let app = TestApp::spawn().await;
    let keep: i64 = 20;
    sqlx::query("UPDATE app_private.audit_retention SET keep = $1")
        .bind(keep)
        .execute(&app.db.admin)
        .await
        .unwrap();
    let (quiet, quiet_owner) = app.household_with("Quiet", "auth0|bob", "owner").await;
    for _ in 0..3 {
        invite(&app, quiet, &quiet_owner, "viewer").await;
    }
    let (h, owner) = app.household_with("Busy", "auth0|alice", "owner").await;
    let vehicle: Value = app
        .send(
            Method::POST,
            &paths::vehicles(h),
            &owner,
            Some(json!({"name": "Car"})),
        )
        .await
        .json()
        .await
        .unwrap();
    let path = paths::vehicle(h, vehicle["id"].as_str().unwrap().parse().unwrap());
    let count = |household: uuid::Uuid| {
        sqlx::query_scalar::<_, i64>("SELECT count(*) FROM audit_events WHERE household_id = $1")
            .bind(household)
            .fetch_one(&app.db.admin)
    };
    let mut most = 0;
    for year in 1990..2030 {
        let response = app
            .send(Method::PATCH, &path, &owner, Some(json!({"year": year})))
            .await;
        assert_eq!(response.status(), 200);
        most = most.max(count(h).await.unwrap());
    }
    let held = count(h).await.unwrap();
    assert!((keep..=keep + 2).contains(&held), "holds {held}");
    assert!(most <= keep + 2, "held {most} at most");
    let tally: i64 =
        sqlx::query_scalar("SELECT events FROM app_private.audit_tally WHERE household = $1")
            .bind(h)
            .fetch_one(&app.db.admin)
            .await
            .unwrap();
    assert_eq!(tally, held, "the count the pruning goes by");
    // The newest stay: the last write is the first event of the owner's first page.
    let events = actions(&app, h, &owner).await;
    assert_eq!(events[0]["action"], "vehicle_updated");
    assert_eq!(
        count(quiet).await.unwrap(),
        3,
        "the quiet household keeps its own"
    );
}
