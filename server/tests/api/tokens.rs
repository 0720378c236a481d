//! Auth0 access-token validation at `/exchange`: bad tokens, key rotation, JWKS outages.

use std::sync::atomic::Ordering;
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use rsa::pkcs1::EncodeRsaPublicKey;
use serde_json::{Value, json};
use shared::paths;

use crate::helpers::{
    AUDIENCE, CLIENT_ID, Options, RSA_KEYS, TestApp, assert_problem, now, rsa_encoding_key, rsa_jwk,
};

fn b64(v: &Value) -> String {
    B64.encode(serde_json::to_vec(v).unwrap())
}

/// A token with any header and payload, signed with RS256 by `key_index` over the
/// encoded parts as given (so headers jsonwebtoken would not write can be tested).
fn raw_rs256(header: &Value, payload: &Value, key_index: usize) -> String {
    let message = format!("{}.{}", b64(header), b64(payload));
    let signature = jsonwebtoken::crypto::sign(
        message.as_bytes(),
        &rsa_encoding_key(key_index),
        Algorithm::RS256,
    )
    .unwrap();
    format!("{message}.{signature}")
}

fn with(mut claims: Value, key: &str, value: Value) -> Value {
    claims[key] = value;
    claims
}

fn without(mut claims: Value, key: &str) -> Value {
    claims.as_object_mut().unwrap().remove(key);
    claims
}

#[tokio::test]
async fn bad_tokens_are_refused_with_401_before_the_database_is_touched() {
    let app = TestApp::spawn().await;
    let household = app.db.household("Home").await;
    app.db.member(household, "auth0|alice", "owner").await;
    // Warm the key cache with one good exchange, then count pool use from zero.
    app.internal_token("auth0|alice", household).await;
    let internal = app.internal_token("auth0|alice", household).await;
    // The exchange's refresh of her name is done before the count starts.
    app.profile_written("auth0|alice").await;
    app.pool_acquires.store(0, Ordering::SeqCst);

    let iss = app.issuer.url.clone();
    let good = app.issuer.claims("auth0|alice");
    let header = app.issuer.header();
    let h = json!({ "alg": "RS256", "typ": "JWT", "kid": header.kid.clone().unwrap() });
    let sign = |claims: &Value| app.issuer.sign(&header, claims);
    let valid = sign(&good);
    let (vh, vp, vs) = {
        let parts: Vec<&str> = valid.split('.').collect();
        (
            parts[0].to_owned(),
            parts[1].to_owned(),
            parts[2].to_owned(),
        )
    };
    let public_pem = RSA_KEYS[0]
        .to_public_key()
        .to_pkcs1_pem(Default::default())
        .unwrap();
    let hs256_with_public_key = {
        let mut h = Header::new(Algorithm::HS256);
        h.kid = header.kid.clone();
        jsonwebtoken::encode(&h, &good, &EncodingKey::from_secret(public_pem.as_bytes())).unwrap()
    };
    let other_alg = |alg: Algorithm| {
        let mut h = Header::new(alg);
        h.kid = header.kid.clone();
        jsonwebtoken::encode(&h, &good, &rsa_encoding_key(0)).unwrap()
    };
    let flipped = {
        let mut payload = B64.decode(&vp).unwrap();
        payload[10] ^= 0x01;
        format!("{vh}.{}.{vs}", B64.encode(payload))
    };

    let cases: Vec<(&str, String)> = vec![
        (
            "alg none",
            format!("{}.{}.", b64(&json!({"alg": "none", "typ": "JWT"})), vp),
        ),
        (
            "alg none with a signature",
            format!(
                "{}.{}.{}",
                b64(&json!({"alg": "none", "kid": header.kid})),
                vp,
                vs
            ),
        ),
        ("HS256 keyed with the RSA public key", hs256_with_public_key),
        ("RS512", other_alg(Algorithm::RS512)),
        ("PS256", other_alg(Algorithm::PS256)),
        (
            "ES256 header",
            format!(
                "{}.{}.{}",
                b64(&json!({"alg": "ES256", "kid": header.kid})),
                vp,
                vs
            ),
        ),
        ("signed by another key", raw_rs256(&h, &good, 1)),
        ("one flipped payload byte", flipped),
        (
            "expired beyond leeway",
            sign(&with(good.clone(), "exp", json!(now() - 120))),
        ),
        (
            "nbf in the future",
            sign(&with(good.clone(), "nbf", json!(now() + 300))),
        ),
        (
            "iat in the future",
            sign(&with(good.clone(), "iat", json!(now() + 300))),
        ),
        (
            "wrong iss",
            sign(&with(good.clone(), "iss", json!("https://evil.example/"))),
        ),
        (
            "iss without trailing slash",
            sign(&with(good.clone(), "iss", json!(iss.trim_end_matches('/')))),
        ),
        (
            "wrong aud",
            sign(&with(
                good.clone(),
                "aud",
                json!("https://other-api.example"),
            )),
        ),
        (
            "an ID token",
            sign(&with(good.clone(), "aud", json!(CLIENT_ID))),
        ),
        (
            "string exp",
            sign(&with(good.clone(), "exp", json!((now() + 600).to_string()))),
        ),
        (
            "string nbf",
            sign(&with(good.clone(), "nbf", json!((now() + 600).to_string()))),
        ),
        ("numeric sub", sign(&with(good.clone(), "sub", json!(42)))),
        (
            "sub with a NUL",
            sign(&with(good.clone(), "sub", json!("auth0|\u{0}"))),
        ),
        (
            "sub of 256 characters",
            sign(&with(good.clone(), "sub", json!("a".repeat(256)))),
        ),
        ("empty sub", sign(&with(good.clone(), "sub", json!("")))),
        ("numeric aud", sign(&with(good.clone(), "aud", json!(7)))),
        ("missing sub", sign(&without(good.clone(), "sub"))),
        ("missing exp", sign(&without(good.clone(), "exp"))),
        ("missing iss", sign(&without(good.clone(), "iss"))),
        ("missing aud", sign(&without(good.clone(), "aud"))),
        (
            "azp of another client (a machine-to-machine app)",
            sign(&with(good.clone(), "azp", json!("m2m-client"))),
        ),
        ("missing azp", sign(&without(good.clone(), "azp"))),
        ("numeric azp", sign(&with(good.clone(), "azp", json!(7)))),
        (
            "kid with ../",
            raw_rs256(
                &json!({"alg": "RS256", "kid": "../../etc/passwd"}),
                &good,
                0,
            ),
        ),
        (
            "kid of 10 KB",
            raw_rs256(
                &json!({"alg": "RS256", "kid": "k".repeat(10 * 1024)}),
                &good,
                0,
            ),
        ),
        (
            "jku pointing elsewhere",
            raw_rs256(
                &json!({"alg": "RS256", "kid": "attacker", "jku": "http://127.0.0.1:9/jwks.json"}),
                &good,
                1,
            ),
        ),
        (
            "embedded jwk",
            raw_rs256(
                &json!({"alg": "RS256", "kid": "attacker2", "jwk": rsa_jwk(1)}),
                &good,
                1,
            ),
        ),
        ("no kid", raw_rs256(&json!({"alg": "RS256"}), &good, 0)),
        ("2 segments", format!("{vh}.{vp}")),
        ("4 segments", format!("{valid}.{vs}")),
        ("5 segments", format!("{valid}.{vs}.{vs}")),
        (
            "not base64url",
            format!("{vh}.{}!!.{vs}", &vp[..vp.len() - 2]),
        ),
        (
            "payload not JSON",
            format!("{vh}.{}.{vs}", B64.encode("not json")),
        ),
        ("empty bearer", String::new()),
        ("64 KB", "a".repeat(64 * 1024)),
        ("an internal token", internal),
    ];
    assert!(cases.len() >= 25);
    for (name, token) in cases {
        let response = app.exchange_with(&token, &household.to_string()).await;
        assert_eq!(response.status(), 401, "{name}");
        assert_eq!(
            response
                .headers()
                .get("www-authenticate")
                .map(|v| v.to_str().unwrap()),
            Some(r#"Bearer error="invalid_token""#),
            "{name}"
        );
        assert_problem(response, 401).await;
    }
    assert_eq!(
        app.pool_acquires.load(Ordering::SeqCst),
        0,
        "a refused token must not reach the database"
    );
}

/// `AUTH0_ALLOWED_CLIENT_IDS` replaces the default (`AUTH0_CLIENT_ID` alone).
#[tokio::test]
async fn only_the_allowed_clients_tokens_are_accepted() {
    let app = TestApp::spawn_with(Options {
        settings: vec!["--auth0-allowed-client-ids", "native-app,partner-app"],
        ..Options::default()
    })
    .await;
    let household = app.db.household("Home").await;
    app.db.member(household, "auth0|alice", "owner").await;
    let header = app.issuer.header();
    let from = |azp: &str| {
        let claims = with(app.issuer.claims("auth0|alice"), "azp", json!(azp));
        app.issuer.sign(&header, &claims)
    };

    for allowed in ["native-app", "partner-app"] {
        let response = app
            .exchange_with(&from(allowed), &household.to_string())
            .await;
        assert_eq!(response.status(), 200, "{allowed}");
    }
    let refused = app
        .exchange_with(&from(CLIENT_ID), &household.to_string())
        .await;
    assert_eq!(
        refused.headers()["www-authenticate"],
        r#"Bearer error="invalid_token""#
    );
    assert_problem(refused, 401).await;
}

#[tokio::test]
async fn a_missing_authorization_header_is_a_401_problem() {
    let app = TestApp::spawn().await;
    let response = app
        .http
        .post(app.url(paths::EXCHANGE))
        .json(&json!({"household_id": uuid::Uuid::new_v4()}))
        .send()
        .await
        .unwrap();
    assert!(response.headers().contains_key("www-authenticate"));
    assert_problem(response, 401).await;
}

#[tokio::test]
async fn a_rotated_key_is_fetched_once_and_then_accepted() {
    let mut options = Options::default();
    options.tuning.jwks_cooldown = Duration::from_millis(200);
    let app = TestApp::spawn_with(options).await;
    let household = app.db.household("Home").await;
    app.db.member(household, "auth0|alice", "member").await;
    app.internal_token("auth0|alice", household).await;
    assert_eq!(app.issuer.jwks_fetches(), 1);

    app.issuer.rotate();
    tokio::time::sleep(Duration::from_millis(250)).await;
    app.internal_token("auth0|alice", household).await;
    assert_eq!(app.issuer.jwks_fetches(), 2, "one refetch for the new kid");
    app.internal_token("auth0|alice", household).await;
    assert_eq!(app.issuer.jwks_fetches(), 2, "then served from the cache");
}

#[tokio::test]
async fn fifty_random_kids_cause_at_most_one_fetch_per_cooldown() {
    let app = TestApp::spawn().await;
    let household = app.db.household("Home").await;
    app.db.member(household, "auth0|alice", "member").await;
    app.internal_token("auth0|alice", household).await;
    let before = app.issuer.jwks_fetches();
    let claims = app.issuer.claims("auth0|alice");
    let requests = (0..50).map(|i| {
        let token = raw_rs256(&json!({"alg": "RS256", "kid": format!("random-{i}-{}", uuid::Uuid::new_v4().simple())}), &claims, 0);
        let app = &app;
        async move { app.exchange_with(&token, &household.to_string()).await.status() }
    });
    let statuses = futures::future::join_all(requests).await;
    assert!(statuses.iter().all(|s| *s == 401), "{statuses:?}");
    assert!(
        app.issuer.jwks_fetches() - before <= 1,
        "{} fetches",
        app.issuer.jwks_fetches() - before
    );
}

#[tokio::test]
async fn cached_keys_keep_working_while_the_jwks_is_unreachable() {
    let app = TestApp::spawn().await;
    let household = app.db.household("Home").await;
    app.db.member(household, "auth0|alice", "member").await;
    app.internal_token("auth0|alice", household).await;
    app.issuer.set_online(false);
    app.internal_token("auth0|alice", household).await;
}

#[tokio::test]
async fn with_no_keys_cached_and_the_jwks_unreachable_the_answer_is_503() {
    let app = TestApp::spawn_with(Options {
        issuer_offline: true,
        ..Options::default()
    })
    .await;
    let household = app.db.household("Home").await;
    let response = app
        .exchange_with(&app.issuer.token("auth0|alice"), &household.to_string())
        .await;
    assert_problem(response, 503).await;
}

#[tokio::test]
async fn jwks_entries_of_the_wrong_kind_are_never_used() {
    let app = TestApp::spawn().await;
    let household = app.db.household("Home").await;
    app.db.member(household, "auth0|alice", "member").await;
    let secret = b"a-shared-secret-that-must-never-verify-anything";
    app.issuer.publish_extra(
        json!({"kty": "oct", "kid": "sym", "alg": "HS256", "k": B64.encode(secret)}),
    );
    let mut enc = rsa_jwk(1);
    enc["use"] = json!("enc");
    enc["kid"] = json!("enc-key");
    app.issuer.publish_extra(enc);
    let claims = app.issuer.claims("auth0|alice");

    let mut h = Header::new(Algorithm::HS256);
    h.kid = Some("sym".into());
    let symmetric = jsonwebtoken::encode(&h, &claims, &EncodingKey::from_secret(secret)).unwrap();
    let encryption_key = raw_rs256(&json!({"alg": "RS256", "kid": "enc-key"}), &claims, 1);
    for token in [symmetric, encryption_key] {
        let response = app.exchange_with(&token, &household.to_string()).await;
        assert_problem(response, 401).await;
    }
    // The good key in the same document still works.
    app.internal_token("auth0|alice", household).await;
    let _ = AUDIENCE;
}
