//! The identity provider's keys are refreshed in the background: a rotated key is known
//! before a sign-in needs it, a key removed at the issuer is refused after the next
//! refresh, a failed refresh is retried, and a plain-http issuer outside loopback is
//! refused at start.

use std::process::Command;
use std::time::{Duration, Instant};

use crate::helpers::{AUDIENCE, CLIENT_ID, Options, TestApp, assert_problem};

/// Refreshes every 300 ms; a request may fetch no key on its own path (the cooldown
/// outlasts the test), so what a request finds is what the background task fetched.
fn background_only() -> Options {
    let mut options = Options::default();
    options.tuning.jwks_refresh = Duration::from_millis(300);
    options.tuning.jwks_cooldown = Duration::from_secs(3600);
    options
}

/// Waits until the issuer has answered two more JWKS fetches: the second began after the
/// first had been stored (fetches never overlap), so the keys held are those published
/// now.
async fn two_more_fetches(app: &TestApp) {
    let target = app.issuer.jwks_fetches() + 2;
    let deadline = Instant::now() + Duration::from_secs(10);
    while app.issuer.jwks_fetches() < target {
        assert!(Instant::now() < deadline, "no background refresh");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn a_rotated_key_is_fetched_in_the_background_before_a_sign_in_needs_it() {
    let app = TestApp::spawn_with(background_only()).await;
    let household = app.db.household("Home").await;
    app.db.member(household, "auth0|alice", "member").await;
    app.internal_token("auth0|alice", household).await;

    app.issuer.rotate();
    two_more_fetches(&app).await;
    // With the issuer unreachable, the sign-in cannot have fetched anything itself.
    app.issuer.set_online(false);
    let started = Instant::now();
    app.internal_token("auth0|alice", household).await;
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[tokio::test]
async fn a_key_removed_at_the_issuer_is_refused_after_the_next_refresh() {
    let app = TestApp::spawn_with(background_only()).await;
    let household = app.db.household("Home").await;
    app.db.member(household, "auth0|alice", "member").await;
    let signed_with_the_old_key = app.issuer.token("auth0|alice");
    let accepted = app
        .exchange_with(&signed_with_the_old_key, &household.to_string())
        .await;
    assert_eq!(accepted.status(), 200);

    app.issuer.rotate();
    two_more_fetches(&app).await;
    let refused = app
        .exchange_with(&signed_with_the_old_key, &household.to_string())
        .await;
    assert_problem(refused, 401).await;
    // The key that replaced it works.
    app.internal_token("auth0|alice", household).await;
}

#[tokio::test]
async fn a_failed_refresh_is_retried_until_the_issuer_answers() {
    // Unreachable at start; requests may not fetch on their own (the cooldown), and the
    // next scheduled refresh is an hour away: only the retries can bring the keys.
    let mut options = Options {
        issuer_offline: true,
        ..Options::default()
    };
    options.tuning.jwks_refresh = Duration::from_secs(3600);
    options.tuning.jwks_cooldown = Duration::from_secs(3600);
    let app = TestApp::spawn_with(options).await;
    let household = app.db.household("Home").await;
    app.db.member(household, "auth0|alice", "member").await;
    let token = app.issuer.token("auth0|alice");
    let unavailable = app.exchange_with(&token, &household.to_string()).await;
    assert_problem(unavailable, 503).await;

    app.issuer.set_online(true);
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let response = app.exchange_with(&token, &household.to_string()).await;
        if response.status() == 200 {
            break;
        }
        assert_problem(response, 503).await;
        assert!(Instant::now() < deadline, "the keys never came");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[test]
fn serve_refuses_a_plain_http_issuer_outside_loopback() {
    let out = Command::new(env!("CARGO_BIN_EXE_server"))
        .arg("serve")
        .env_remove("AUTH0_DOMAIN")
        .env("DATABASE_URL", "postgres://household_app@127.0.0.1:9/none")
        .env("AUTH0_ISSUER", "http://idp.example/")
        .env("AUTH0_AUDIENCE", AUDIENCE)
        .env("AUTH0_CLIENT_ID", CLIENT_ID)
        .env("INTERNAL_JWT_KEY_FILE", "/nonexistent/k.pem")
        .env("BIND_ADDR", "127.0.0.1:0")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("AUTH0_ISSUER") && stderr.contains("only on loopback"),
        "{stderr}"
    );
}
