//! Households have a life: creation, members and roles, invitations, join requests and
//! the audit record, through the routes, and straight against PostgreSQL as the runtime
//! role with the API bypassed.

use reqwest::{Method, Response};
use serde_json::{Value, json};
use shared::paths;
use uuid::Uuid;

use crate::helpers::TestApp;

mod audit;
mod creation;
mod database;
mod invitations;
mod members;
mod people;

/// A request with `sub`'s Auth0 token.
async fn as_person(app: &TestApp, sub: &str, path: &str, body: Option<Value>) -> Response {
    app.send(Method::POST, path, &app.issuer.token(sub), body)
        .await
}

async fn invite(app: &TestApp, h: Uuid, owner_token: &str, role: &str) -> String {
    let response = app
        .send(
            Method::POST,
            &paths::invitations(h),
            owner_token,
            Some(json!({"role": role})),
        )
        .await;
    assert_eq!(response.status(), 201);
    response.json::<Value>().await.unwrap()["code"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn redeem(app: &TestApp, sub: &str, code: &str) -> Response {
    as_person(app, sub, paths::REDEEM, Some(json!({ "code": code }))).await
}

async fn actions(app: &TestApp, h: Uuid, owner_token: &str) -> Vec<Value> {
    let response = app.get(&paths::audit_events(h), owner_token).await;
    assert_eq!(response.status(), 200);
    let page: Value = response.json().await.unwrap();
    page["items"].as_array().unwrap().clone()
}

fn has(events: &[Value], action: &str, actor: &str, target: &str) -> bool {
    events
        .iter()
        .any(|e| e["action"] == action && e["actor"] == actor && e["target"] == target)
}
