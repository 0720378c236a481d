//! The development issuer standing in for Auth0 before the real server: the access tokens
//! of its code grant and of its rotating refresh grant pass `/exchange` exactly as Auth0's
//! do (discovery and JWKS over HTTP, RS256, `iss`, `aud`), and a reused refresh token ends
//! the family for whoever holds it.

use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::Value;
use server::dev::idp::{DevIdp, DevIdpConfig, DevUser, router};
use sha2::{Digest, Sha256};

use crate::helpers::{AUDIENCE, CLIENT_ID, Options, RSA_KEYS, TestApp};

const SUB: &str = "auth0|alice";

/// The issuer at the root of its own loopback port, as `server dev` serves it: its issuer
/// URL and its one callback.
async fn serve_issuer() -> (String, String) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let issuer = format!("{base}/");
    let callback = format!("{base}/callback");
    let config = DevIdpConfig {
        issuer: issuer.clone(),
        audience: AUDIENCE.into(),
        client_id: CLIENT_ID.into(),
        redirect_uris: vec![callback.clone()],
        users: vec![DevUser {
            sub: SUB.into(),
            name: "Alice".into(),
            email: "alice@example.test".into(),
        }],
        token_ttl_secs: 300,
    };
    let idp = DevIdp::with_key(config, RSA_KEYS[1].clone()).unwrap();
    let app = router(Arc::new(idp));
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (issuer, callback)
}

/// Signs in through `/authorize` and the code grant, asking for `offline_access`.
async fn sign_in(http: &reqwest::Client, issuer: &str, callback: &str) -> Value {
    let verifier = URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>());
    let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
    let authorize = http
        .get(format!("{issuer}authorize"))
        .query(&[
            ("response_type", "code"),
            ("client_id", CLIENT_ID),
            ("redirect_uri", callback),
            ("audience", AUDIENCE),
            ("scope", "openid profile email offline_access"),
            ("code_challenge", &challenge),
            ("code_challenge_method", "S256"),
            ("login_hint", SUB),
        ])
        .send()
        .await
        .unwrap();
    let location = url::Url::parse(authorize.headers()["location"].to_str().unwrap()).unwrap();
    let code = location
        .query_pairs()
        .find(|(k, _)| k == "code")
        .expect("a code")
        .1
        .into_owned();
    token(
        http,
        issuer,
        &[
            ("grant_type", "authorization_code"),
            ("client_id", CLIENT_ID),
            ("code", &code),
            ("code_verifier", &verifier),
            ("redirect_uri", callback),
        ],
    )
    .await
}

async fn token(http: &reqwest::Client, issuer: &str, form: &[(&str, &str)]) -> Value {
    http.post(format!("{issuer}oauth/token"))
        .form(form)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

async fn refresh(http: &reqwest::Client, issuer: &str, refresh_token: &Value) -> Value {
    let refresh_token = refresh_token.as_str().expect("a refresh token");
    let form = [
        ("grant_type", "refresh_token"),
        ("client_id", CLIENT_ID),
        ("refresh_token", refresh_token),
    ];
    token(http, issuer, &form).await
}

#[tokio::test]
async fn refreshed_tokens_pass_the_exchange_and_a_reused_refresh_token_ends_the_family() {
    let (issuer, callback) = serve_issuer().await;
    let app = TestApp::spawn_with(Options {
        issuer: Some(issuer.clone()),
        ..Options::default()
    })
    .await;
    let household = app.db.household("Maple Street").await;
    app.db.member(household, SUB, "owner").await;
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();

    let signed_in = sign_in(&http, &issuer, &callback).await;
    let response = app
        .exchange_with(
            signed_in["access_token"].as_str().unwrap(),
            &household.to_string(),
        )
        .await;
    assert_eq!(response.status(), 200, "the code grant's token");

    let rotated = refresh(&http, &issuer, &signed_in["refresh_token"]).await;
    let response = app
        .exchange_with(
            rotated["access_token"].as_str().expect("{rotated}"),
            &household.to_string(),
        )
        .await;
    assert_eq!(response.status(), 200, "the refresh grant's token");
    let exchanged: Value = response.json().await.unwrap();
    assert_eq!(exchanged["role"], "owner");

    let reused = refresh(&http, &issuer, &signed_in["refresh_token"]).await;
    assert_eq!(reused["error"], "invalid_grant", "{reused}");
    let after = refresh(&http, &issuer, &rotated["refresh_token"]).await;
    assert_eq!(
        after["error"], "invalid_grant",
        "the family is revoked: {after}"
    );
}
