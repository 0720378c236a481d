//! What the tests stand on: `TestDb` (a fresh migrated database and the runtime-role pool),
//! `TestIssuer` (an OpenID issuer on a loopback port, standing in for Auth0), `TestApp` (the
//! server on a loopback port, wired to both) and `TestRedis`.

#![allow(dead_code)]

mod app;
mod db;
mod issuer;
mod redis_server;

pub use app::*;
pub use db::*;
pub use issuer::*;
pub use redis_server::*;

use serde_json::Value;

pub const AUDIENCE: &str = "https://api.household.test";
pub const CLIENT_ID: &str = "test-spa";
/// The context key every test database has installed and every test server proves with.
pub const CONTEXT_KEY: &str = "dGVzdCBjb250ZXh0IGtleSwgdGhpcnR5LXR3byBieXRlcyE=";

pub fn context_key() -> server::db::context::ContextKey {
    server::db::context::ContextKey::from_base64(CONTEXT_KEY).unwrap()
}

/// The server's proof for entering `household` as `sub` (`app.enter_household`'s third
/// argument).
pub fn proof(household: uuid::Uuid, sub: &str) -> String {
    context_key().prove(server::db::context::Context::household(household, sub))
}

pub fn now() -> u64 {
    jsonwebtoken::get_current_timestamp()
}

/// Asserts an RFC 9457 problem with `status`, and returns its body.
pub async fn assert_problem(response: reqwest::Response, status: u16) -> Value {
    assert_eq!(response.status(), status, "status");
    let content_type = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned());
    assert_eq!(content_type.as_deref(), Some("application/problem+json"));
    assert!(response.headers().contains_key("x-request-id"));
    let request_id = response.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_owned();
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["status"], status);
    assert!(
        body["type"].is_string() && body["title"].is_string(),
        "{body}"
    );
    assert_eq!(
        body["request_id"],
        request_id.as_str(),
        "the problem names the request"
    );
    body
}
