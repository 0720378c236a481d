//! `POST /exchange` (both forms), the internal token and its JWKS, `/api/me/households`.

use serde_json::{Value, json};
use server::auth::internal::{InternalSigner, InternalVerifier, KeyPair};
use server::config::{DEFAULT_INTERNAL_AUDIENCE, DEFAULT_INTERNAL_ISSUER, InternalTokenConfig};
use shared::Role;
use shared::exchange::rfc8693;
use shared::paths;
use uuid::Uuid;

use crate::helpers::{Options, TestApp, assert_problem};

#[tokio::test]
async fn a_member_gets_an_internal_token_that_verifies_against_the_published_jwks() {
    let app = TestApp::spawn().await;
    let household = app.db.household("Home").await;
    app.db.member(household, "auth0|alice", "member").await;

    let response = app
        .exchange_with(&app.issuer.token("auth0|alice"), &household.to_string())
        .await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 300);
    assert_eq!(body["household_id"], household.to_string());
    assert_eq!(body["role"], "member");

    let jwks = app.get_json(paths::JWKS).await;
    let key = &jwks["keys"][0];
    assert_eq!(
        (
            key["kty"].as_str(),
            key["crv"].as_str(),
            key["alg"].as_str()
        ),
        (Some("OKP"), Some("Ed25519"), Some("EdDSA"))
    );
    let verifier =
        InternalVerifier::from_jwks(DEFAULT_INTERNAL_ISSUER, DEFAULT_INTERNAL_AUDIENCE, &jwks)
            .unwrap();
    let claims = verifier
        .verify(body["access_token"].as_str().unwrap())
        .unwrap();
    assert_eq!(claims.sub, "auth0|alice");
    assert_eq!(claims.household_id, household);
    assert_eq!(claims.role, Role::Member);
    assert_eq!(claims.exp - claims.iat, 300);
    assert!(!claims.jti.is_empty());
}

#[tokio::test]
async fn a_non_member_and_an_unknown_household_get_the_same_403() {
    let app = TestApp::spawn().await;
    let household = app.db.household("Someone else's").await;
    app.db.member(household, "auth0|bob", "owner").await;
    let token = app.issuer.token("auth0|mallory");

    let mut bodies = Vec::new();
    for id in [household, Uuid::new_v4()] {
        let mut body = assert_problem(app.exchange_with(&token, &id.to_string()).await, 403).await;
        body.as_object_mut().unwrap().remove("request_id");
        bodies.push(body);
    }
    assert_eq!(bodies[0], bodies[1], "no enumeration of household ids");
}

#[tokio::test]
async fn a_suspended_household_gets_no_token() {
    let app = TestApp::spawn().await;
    let household = app.db.household("Frozen").await;
    app.db.member(household, "auth0|alice", "owner").await;
    app.db.suspend(household).await;
    let body = assert_problem(
        app.exchange_with(&app.issuer.token("auth0|alice"), &household.to_string())
            .await,
        403,
    )
    .await;
    assert!(body["detail"].as_str().unwrap().contains("suspended"));
}

#[tokio::test]
async fn malformed_household_ids_are_a_400_before_any_database_work() {
    let app = TestApp::spawn().await;
    let token = app.issuer.token("auth0|alice");
    app.exchange_with(&token, &Uuid::new_v4().to_string()).await; // warm the key cache
    app.pool_acquires
        .store(0, std::sync::atomic::Ordering::SeqCst);
    let ten_kb = "7".repeat(10 * 1024);
    for id in [
        "",
        "not-a-uuid",
        ten_kb.as_str(),
        "' OR 1=1; --",
        "00000000-0000-0000-0000-00000000000g",
    ] {
        assert_problem(app.exchange_with(&token, id).await, 400).await;
    }
    for body in [
        json!({"household_id": 42}),
        json!({}),
        json!({"household_id": Uuid::new_v4(), "role": "owner"}),
    ] {
        let response = app
            .http
            .post(app.url(paths::EXCHANGE))
            .bearer_auth(&token)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_problem(response, 400).await;
    }
    assert_eq!(
        app.pool_acquires.load(std::sync::atomic::Ordering::SeqCst),
        0
    );
}

/// `good` with `field` set to `value`, or left out when `value` is `None`.
fn replaced(good: &[(&str, &str)], field: &str, value: Option<&str>) -> Vec<(String, String)> {
    good.iter()
        .filter_map(|&(k, v)| match (k == field, value) {
            (false, _) => Some((k.to_owned(), v.to_owned())),
            (true, Some(replacement)) => Some((k.to_owned(), replacement.to_owned())),
            (true, None) => None,
        })
        .collect()
}

async fn form<T: serde::Serialize + ?Sized>(app: &TestApp, fields: &T) -> reqwest::Response {
    app.http
        .post(app.url(paths::EXCHANGE))
        .form(fields)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn the_rfc_8693_form_issues_a_token_and_answers_errors_in_oauth_shape() {
    let app = TestApp::spawn().await;
    let household = app.db.household("Home").await;
    app.db.member(household, "auth0|alice", "viewer").await;
    let subject = app.issuer.token("auth0|alice");
    let audience = format!("{}{household}", rfc8693::AUDIENCE_PREFIX);
    let good = [
        ("grant_type", rfc8693::GRANT_TYPE),
        ("subject_token", subject.as_str()),
        ("subject_token_type", rfc8693::ACCESS_TOKEN_TYPE),
        ("audience", audience.as_str()),
    ];
    let response = form(&app, &good).await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["issued_token_type"], rfc8693::ACCESS_TOKEN_TYPE);
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["role"], "viewer");
    assert!(
        app.state
            .verifier
            .verify(body["access_token"].as_str().unwrap())
            .is_ok()
    );

    let stranger = format!("{}{}", rfc8693::AUDIENCE_PREFIX, Uuid::new_v4());
    let with = |field, value| replaced(&good, field, value);
    let cases = [
        (with("subject_token", None), "invalid_request"),
        (with("subject_token", Some("garbage")), "invalid_request"),
        (with("subject_token_type", Some("urn:x")), "invalid_request"),
        (
            with("grant_type", Some("password")),
            "unsupported_grant_type",
        ),
        (
            with("audience", Some("urn:household:nope")),
            "invalid_target",
        ),
        (with("audience", Some(&stranger)), "invalid_target"),
    ];
    for (fields, error) in cases {
        let response = form(&app, &fields).await;
        assert_eq!(response.status(), 400, "{error}");
        assert_eq!(response.headers()["cache-control"], "no-store");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["error"], error, "{body}");
        assert!(body["error_description"].is_string());
    }
}

#[tokio::test]
async fn other_content_types_are_refused_with_415() {
    let app = TestApp::spawn().await;
    let response = app
        .http
        .post(app.url(paths::EXCHANGE))
        .body("household_id=1")
        .header("content-type", "text/plain")
        .send()
        .await
        .unwrap();
    assert_problem(response, 415).await;
}

#[tokio::test]
async fn exchanges_are_rate_limited_per_address_and_per_user() {
    let mut options = Options::default();
    options.tuning.rates.exchange_per_user.burst = 3;
    options.tuning.rates.exchange_per_user.per_second = 1;
    let app = TestApp::spawn_with(options).await;
    let household = app.db.household("Home").await;
    app.db.member(household, "auth0|alice", "member").await;
    let token = app.issuer.token("auth0|alice");
    for _ in 0..3 {
        assert_eq!(
            app.exchange_with(&token, &household.to_string())
                .await
                .status(),
            200
        );
    }
    let response = app.exchange_with(&token, &household.to_string()).await;
    let retry_after: u64 = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=2).contains(&retry_after));
    assert_problem(response, 429).await;

    let mut options = Options::default();
    options.tuning.rates.exchange_per_ip.burst = 2;
    options.tuning.rates.exchange_per_ip.per_second = 1;
    let app = TestApp::spawn_with(options).await;
    let statuses: Vec<u16> = {
        let mut v = Vec::new();
        for _ in 0..3 {
            v.push(
                app.exchange_with("not-even-a-token", "x")
                    .await
                    .status()
                    .as_u16(),
            );
        }
        v
    };
    assert_eq!(
        statuses,
        vec![401, 401, 429],
        "the address limit runs before authentication"
    );
}

#[tokio::test]
async fn my_households_lists_names_and_roles() {
    let app = TestApp::spawn().await;
    let home = app.db.household("Home").await;
    let cabin = app.db.household("Cabin").await;
    let other = app.db.household("Not mine").await;
    app.db.member(home, "auth0|alice", "owner").await;
    app.db.member(cabin, "auth0|alice", "viewer").await;
    app.db.member(other, "auth0|bob", "owner").await;
    let response = app
        .get(paths::MY_HOUSEHOLDS, &app.issuer.token("auth0|alice"))
        .await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    let got: Vec<(String, String)> = body["households"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            (
                h["name"].as_str().unwrap().to_owned(),
                h["role"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            ("Cabin".into(), "viewer".into()),
            ("Home".into(), "owner".into())
        ]
    );
    assert_problem(app.get(paths::MY_HOUSEHOLDS, "bad").await, 401).await;
}

#[test]
fn the_verifier_accepts_only_its_own_unexpired_tokens() {
    let config = |issuer: &str, audience: &str, ttl| InternalTokenConfig {
        key_file: "unused".into(),
        next_key_file: None,
        ttl_secs: ttl,
        issuer: issuer.into(),
        audience: audience.into(),
    };
    let key = KeyPair::from_pem(&KeyPair::generate_pem().unwrap()).unwrap();
    let signer = InternalSigner::from_keys(key.clone(), None, &config("iss", "aud", 300));
    let verifier = signer.verifier();
    let household = Uuid::new_v4();
    let token = signer.sign("auth0|alice", household, Role::Owner).unwrap();
    assert_eq!(verifier.verify(&token).unwrap().household_id, household);

    let other_aud = InternalSigner::from_keys(key.clone(), None, &config("iss", "other", 300));
    let other_iss = InternalSigner::from_keys(key.clone(), None, &config("other", "aud", 300));
    let other_key = InternalSigner::from_keys(
        KeyPair::from_pem(&KeyPair::generate_pem().unwrap()).unwrap(),
        None,
        &config("iss", "aud", 300),
    );
    for bad in [
        other_aud
            .sign("auth0|alice", household, Role::Owner)
            .unwrap(),
        other_iss
            .sign("auth0|alice", household, Role::Owner)
            .unwrap(),
        other_key
            .sign("auth0|alice", household, Role::Owner)
            .unwrap(),
    ] {
        assert!(verifier.verify(&bad).is_err());
    }
    // A re-encoded household_id: the payload is changed and re-encoded, the signature kept.
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
    let parts: Vec<&str> = token.split('.').collect();
    let mut payload: Value = serde_json::from_slice(&B64.decode(parts[1]).unwrap()).unwrap();
    let reencoded = |payload: &Value| {
        let body = B64.encode(serde_json::to_vec(payload).unwrap());
        format!("{}.{body}.{}", parts[0], parts[2])
    };
    payload["household_id"] = json!(Uuid::new_v4());
    assert!(verifier.verify(&reencoded(&payload)).is_err());
    payload["household_id"] = json!("not-a-uuid");
    assert!(verifier.verify(&reencoded(&payload)).is_err());
}

#[test]
fn a_next_key_is_published_before_it_signs() {
    let config = InternalTokenConfig {
        key_file: "unused".into(),
        next_key_file: None,
        ttl_secs: 300,
        issuer: "iss".into(),
        audience: "aud".into(),
    };
    let current = KeyPair::from_pem(&KeyPair::generate_pem().unwrap()).unwrap();
    let next = KeyPair::from_pem(&KeyPair::generate_pem().unwrap()).unwrap();
    let before = InternalSigner::from_keys(current.clone(), Some(next.clone()), &config);
    let jwks = before.jwks();
    let kids: Vec<&str> = jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kid"].as_str().unwrap())
        .collect();
    assert_eq!(kids, vec![current.kid.as_str(), next.kid.as_str()]);
    // A verifier built from that JWKS already accepts tokens of the rotated signer.
    let verifier = InternalVerifier::from_jwks("iss", "aud", &jwks).unwrap();
    let after = InternalSigner::from_keys(next, None, &config);
    assert!(
        verifier
            .verify(&after.sign("s", Uuid::new_v4(), Role::Viewer).unwrap())
            .is_ok()
    );
}

#[tokio::test]
async fn an_expired_internal_token_is_refused_even_when_cached() {
    let app = TestApp::spawn_with(Options {
        ttl_secs: 1,
        ..Options::default()
    })
    .await;
    let (household, token) = app.household_with("Home", "auth0|alice", "member").await;
    let path = paths::vehicles(household);
    assert_eq!(
        app.get(&path, &token).await.status(),
        200,
        "verified and cached"
    );
    tokio::time::sleep(std::time::Duration::from_secs(
        1 + server::auth::internal::LEEWAY_SECS + 1,
    ))
    .await;
    assert_problem(app.get(&path, &token).await, 401).await;
}
