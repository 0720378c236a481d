//! Input a browser would never send, which the database would refuse: a NUL character
//! in a JSON string or a cursor, a subject with `%00` or past any stored length. Each is
//! the client's fault, so each is a 4xx problem, never a 500.

use reqwest::Method;
use serde_json::{Value, json};
use shared::invitations::Decision;
use shared::paths;

use crate::helpers::TestApp;

/// A client error as problem+json: a 4xx, whatever the layer that refused it.
async fn refused(response: reqwest::Response, what: &str) {
    let status = response.status();
    assert!(status.is_client_error(), "{what}: {status}");
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(content_type, "application/problem+json", "{what}");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["status"], status.as_u16(), "{what}");
}

/// A 422 whose errors name `field`: refused by the API's own rules, before the database.
async fn names_the_field(response: reqwest::Response, field: &str, what: &str) {
    assert_eq!(response.status(), 422, "{what}");
    let body: Value = response.json().await.unwrap();
    assert!(
        body["errors"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["field"] == field),
        "{what}: {body}"
    );
}

#[tokio::test]
async fn a_nul_character_in_a_json_string_is_a_client_error() {
    let app = TestApp::spawn().await;
    let (h, token) = app.household_with("Home", "auth0|alice", "owner").await;
    let vehicle = app.db.vehicle(h, "Golf").await;
    let founder = app.issuer.token("auth0|alice");
    let cases = [
        (
            Method::POST,
            paths::HOUSEHOLDS.to_owned(),
            &founder,
            json!({"name": "Ho\u{0}me"}),
            "name",
        ),
        (
            Method::POST,
            paths::vehicles(h),
            &token,
            json!({"name": "Po\u{0}lo"}),
            "name",
        ),
        (
            Method::PATCH,
            paths::vehicle(h, vehicle),
            &token,
            json!({"make": "V\u{0}W"}),
            "make",
        ),
        (
            Method::POST,
            paths::fuel_logs(h, vehicle),
            &token,
            json!({"filled_at": "2026-01-02", "odometer_km": 100.0, "volume": 40.0,
                   "cost": 60.0, "note": "full\u{0}tank"}),
            "note",
        ),
        (
            Method::PATCH,
            paths::household(h),
            &token,
            json!({"name": "Ho\u{0}me"}),
            "name",
        ),
        (
            Method::DELETE,
            paths::household(h),
            &token,
            json!({"confirm": "Ho\u{0}me"}),
            "confirm",
        ),
    ];
    for (method, path, token, body, field) in cases {
        let what = format!("{method} {path}");
        names_the_field(
            app.send(method, &path, token, Some(body)).await,
            field,
            &what,
        )
        .await;
    }
}

#[tokio::test]
async fn a_cursor_that_decodes_to_a_nul_character_is_a_client_error() {
    let app = TestApp::spawn().await;
    let (h, token) = app.household_with("Home", "auth0|alice", "owner").await;
    let vehicle = app.db.vehicle(h, "Golf").await;
    // "AA" is base64url for one zero byte.
    for path in [
        paths::vehicles(h),
        paths::fuel_logs(h, vehicle),
        paths::audit_events(h),
    ] {
        let path = format!("{path}?cursor=AA");
        refused(app.get(&path, &token).await, &path).await;
    }
}

#[tokio::test]
async fn a_subject_with_a_nul_or_past_any_length_is_a_client_error() {
    let app = TestApp::spawn().await;
    let (h, token) = app.household_with("Home", "auth0|alice", "owner").await;
    let long = "a".repeat(300);
    for sub in ["auth0|\u{0}", long.as_str()] {
        let change = Some(json!({"role": "viewer"}));
        let member = paths::member(h, sub);
        names_the_field(
            app.send(Method::PATCH, &member, &token, change).await,
            "sub",
            &member,
        )
        .await;
        names_the_field(
            app.send(Method::DELETE, &member, &token, None).await,
            "sub",
            &member,
        )
        .await;
        for decision in [Decision::Approve, Decision::Deny] {
            let path = paths::join_request(h, sub, decision);
            let answer = app.send(Method::POST, &path, &token, None).await;
            names_the_field(answer, "sub", &path).await;
        }
        let person = app.issuer.token("auth0|bob");
        let code = Some(json!({ "code": sub }));
        refused(
            app.send(Method::POST, paths::REDEEM, &person, code).await,
            paths::REDEEM,
        )
        .await;
    }
}
