//! The issuer driven through its router, as the app and the server use it: here the code
//! flow, the picker, the session and logout; refresh tokens and web messages beside.

mod refresh;
mod web_message;

use std::collections::HashMap;
use std::sync::LazyLock;

use axum::body::{Body, to_bytes};
use axum::http::Request;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, DecodingKey, Validation, decode, decode_header};
use rand::RngCore;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use tower::ServiceExt;

use super::*;

static KEY: LazyLock<RsaPrivateKey> =
    LazyLock::new(|| RsaPrivateKey::new(&mut rand::rngs::OsRng, 2048).expect("RSA key"));
const ISSUER: &str = "http://127.0.0.1:8090/";
const CLIENT: &str = "spa-client";
const AUDIENCE: &str = "https://api.example.test";
const CALLBACK: &str = "http://127.0.0.1:8080/callback?from=idp";

fn app() -> (Arc<DevIdp>, Router) {
    let user = |sub: &str, name: &str| DevUser {
        sub: sub.into(),
        name: name.into(),
        email: format!("{sub}@example.test"),
    };
    let config = DevIdpConfig {
        issuer: ISSUER.into(),
        audience: AUDIENCE.into(),
        client_id: CLIENT.into(),
        redirect_uris: vec![CALLBACK.into()],
        users: vec![user("alice", "Alice <A&B>"), user("bob", "Bob")],
        token_ttl_secs: 300,
    };
    let idp = Arc::new(DevIdp::with_key(config, KEY.clone()).expect("dev idp"));
    (idp.clone(), router(idp))
}

fn pkce() -> (String, String) {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let verifier = URL_SAFE_NO_PAD.encode(bytes);
    let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
    (verifier, challenge)
}

fn form(pairs: &[(&str, &str)]) -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
}

async fn send(app: &Router, req: Request<Body>) -> (StatusCode, Option<String>, Vec<u8>) {
    let res = app.clone().oneshot(req).await.expect("infallible");
    let location = res
        .headers()
        .get(header::LOCATION)
        .map(|v| v.to_str().expect("ascii").to_owned());
    let status = res.status();
    let body = to_bytes(res.into_body(), 1 << 20).await.expect("body");
    (status, location, body.to_vec())
}

async fn get(app: &Router, uri: &str) -> (StatusCode, Option<String>, Vec<u8>) {
    send(app, Request::get(uri).body(Body::empty()).expect("request")).await
}

async fn authorize_with(
    app: &Router,
    extra: &[(&str, &str)],
) -> (StatusCode, Option<String>, Vec<u8>) {
    let mut pairs = vec![
        ("response_type", "code"),
        ("client_id", CLIENT),
        ("redirect_uri", CALLBACK),
    ];
    pairs.extend_from_slice(extra);
    get(app, &format!("/authorize?{}", form(&pairs))).await
}

/// Authorizes `alice` and returns the code after checking the redirect.
async fn code_for(app: &Router, challenge: &str) -> String {
    code_with_scope(app, challenge, SCOPE).await
}

/// [`code_for`] asking for `scope`.
async fn code_with_scope(app: &Router, challenge: &str, scope: &str) -> String {
    let state = "st&te =/?é";
    let extra = [
        ("state", state),
        ("code_challenge", challenge),
        ("code_challenge_method", "S256"),
        ("nonce", "n-0S6"),
        ("audience", AUDIENCE),
        ("scope", scope),
        ("login_hint", "alice"),
    ];
    let (status, location, _) = authorize_with(app, &extra).await;
    assert_eq!(status, StatusCode::FOUND);
    let location = Url::parse(&location.expect("Location")).expect("URL");
    assert!(location.as_str().starts_with(CALLBACK));
    let query: HashMap<_, _> = location.query_pairs().into_owned().collect();
    assert_eq!(query.get("from").map(String::as_str), Some("idp"));
    assert_eq!(query.get("state").map(String::as_str), Some(state));
    query.get("code").expect("code").clone()
}

async fn exchange(
    app: &Router,
    code: &str,
    verifier: &str,
    redirect_uri: &str,
) -> (StatusCode, Value) {
    token_request(
        app,
        &[
            ("grant_type", "authorization_code"),
            ("client_id", CLIENT),
            ("code", code),
            ("code_verifier", verifier),
            ("redirect_uri", redirect_uri),
        ],
    )
    .await
}

/// A form POST to the token endpoint; checks that a success is not to be stored.
async fn token_request(app: &Router, pairs: &[(&str, &str)]) -> (StatusCode, Value) {
    let req = Request::post("/oauth/token")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(form(pairs)))
        .expect("request");
    let res = app.clone().oneshot(req).await.expect("infallible");
    let status = res.status();
    if status == StatusCode::OK {
        assert_eq!(
            res.headers()
                .get(header::CACHE_CONTROL)
                .expect("cache-control"),
            "no-store"
        );
    }
    let bytes = to_bytes(res.into_body(), 1 << 20).await.expect("body");
    (status, serde_json::from_slice(&bytes).expect("JSON"))
}

fn jwks_key(idp: &DevIdp) -> (String, DecodingKey) {
    let [jwk] = idp.jwks().keys;
    let key = DecodingKey::from_rsa_components(&jwk.n, &jwk.e).expect("key");
    (jwk.kid, key)
}

#[tokio::test]
async fn pkce_round_trip_issues_verifiable_tokens() {
    let (idp, app) = app();
    let (verifier, challenge) = pkce();
    let code = code_for(&app, &challenge).await;
    let (status, body) = exchange(&app, &code, &verifier, CALLBACK).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 300);
    assert_eq!(
        body.get("refresh_token"),
        None,
        "no offline_access, no refresh token"
    );

    let (kid, key) = jwks_key(&idp);
    let access_token = body["access_token"].as_str().expect("access_token");
    assert_eq!(
        decode_header(access_token).expect("header").kid.as_deref(),
        Some(kid.as_str())
    );
    let mut validation = Validation::new(Algorithm::RS256);
    validation.set_audience(&[AUDIENCE]);
    validation.set_issuer(&[ISSUER]);
    let claims = decode::<Value>(access_token, &key, &validation)
        .expect("valid access token")
        .claims;
    assert_eq!(claims["sub"], "alice");
    assert_eq!(claims["azp"], CLIENT);
    assert_eq!(claims["scope"], SCOPE);
    assert_eq!(
        claims["aud"],
        json!([AUDIENCE, format!("{ISSUER}userinfo")])
    );

    validation.set_audience(&[CLIENT]);
    let id_token = body["id_token"].as_str().expect("id_token");
    let claims = decode::<Value>(id_token, &key, &validation)
        .expect("valid ID token")
        .claims;
    assert_eq!(claims["nonce"], "n-0S6");
    assert!(
        claims["auth_time"].as_u64().is_some_and(|t| t > 0),
        "{claims}"
    );
    assert_eq!(claims["email"], "alice@example.test");
    assert_eq!(claims["name"], "Alice <A&B>");
}

#[tokio::test]
async fn wrong_verifier_is_refused_and_burns_the_code() {
    let (_, app) = app();
    let (verifier, challenge) = pkce();
    let (other, _) = pkce();
    let code = code_for(&app, &challenge).await;
    let (status, body) = exchange(&app, &code, &other, CALLBACK).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_grant"))
    );
    let (status, body) = exchange(&app, &code, &verifier, CALLBACK).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_grant"))
    );
}

#[tokio::test]
async fn reused_code_is_refused() {
    let (_, app) = app();
    let (verifier, challenge) = pkce();
    let code = code_for(&app, &challenge).await;
    assert_eq!(
        exchange(&app, &code, &verifier, CALLBACK).await.0,
        StatusCode::OK
    );
    let (status, body) = exchange(&app, &code, &verifier, CALLBACK).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_grant"))
    );
}

#[tokio::test]
async fn unlisted_redirect_uri_is_refused_without_redirect() {
    let (_, app) = app();
    let (_, challenge) = pkce();
    let query = form(&[
        ("response_type", "code"),
        ("client_id", CLIENT),
        ("redirect_uri", "http://127.0.0.1:8080/callback"),
        ("code_challenge", &challenge),
        ("code_challenge_method", "S256"),
        ("login_hint", "alice"),
    ]);
    let (status, location, _) = get(&app, &format!("/authorize?{query}")).await;
    assert_eq!((status, location), (StatusCode::BAD_REQUEST, None));
}

#[tokio::test]
async fn different_redirect_uri_at_token_endpoint_is_refused() {
    let (_, app) = app();
    let (verifier, challenge) = pkce();
    let code = code_for(&app, &challenge).await;
    let (status, body) = exchange(&app, &code, &verifier, "http://127.0.0.1:8080/other").await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_grant"))
    );
}

#[tokio::test]
async fn plain_challenge_method_is_refused() {
    let (_, app) = app();
    let (verifier, _) = pkce();
    let extra = [
        ("state", "s1"),
        ("code_challenge", verifier.as_str()),
        ("code_challenge_method", "plain"),
        ("login_hint", "alice"),
    ];
    let (status, location, _) = authorize_with(&app, &extra).await;
    assert_eq!(status, StatusCode::FOUND);
    let location = Url::parse(&location.expect("Location")).expect("URL");
    let query: HashMap<_, _> = location.query_pairs().into_owned().collect();
    assert_eq!(
        query.get("error").map(String::as_str),
        Some("invalid_request")
    );
    assert_eq!(query.get("state").map(String::as_str), Some("s1"));
    assert!(!query.contains_key("code"));
}

#[tokio::test]
async fn login_page_lists_escaped_users() {
    let (_, app) = app();
    let (_, challenge) = pkce();
    let extra = [
        ("state", "a\"b"),
        ("code_challenge", challenge.as_str()),
        ("code_challenge_method", "S256"),
    ];
    let (status, _, body) = authorize_with(&app, &extra).await;
    assert_eq!(status, StatusCode::OK);
    let html = String::from_utf8(body).expect("UTF-8");
    assert!(html.contains("Alice &lt;A&amp;B&gt;"));
    assert!(html.contains("&amp;login_hint=bob\""));
    assert!(html.contains("state=a%22b"));
}

#[tokio::test]
async fn logout_redirects_only_to_known_origins() {
    let (_, app) = app();
    let (status, location, _) =
        get(&app, "/v2/logout?returnTo=http%3A%2F%2F127.0.0.1%3A8080%2F").await;
    assert_eq!(
        (status, location.as_deref()),
        (StatusCode::FOUND, Some("http://127.0.0.1:8080/"))
    );
    let (status, location, _) = get(
        &app,
        "/v2/logout?returnTo=http%3A%2F%2F127.0.0.1%3A8080.evil.test%2F",
    )
    .await;
    assert_eq!((status, location), (StatusCode::OK, None));
}

#[tokio::test]
async fn discovery_points_at_this_issuer() {
    let (_, app) = app();
    let (status, _, body) = get(&app, "/.well-known/openid-configuration").await;
    assert_eq!(status, StatusCode::OK);
    let doc: Value = serde_json::from_slice(&body).expect("JSON");
    assert_eq!(doc["issuer"], ISSUER);
    assert_eq!(doc["jwks_uri"], format!("{ISSUER}.well-known/jwks.json"));
    assert_eq!(doc["token_endpoint"], format!("{ISSUER}oauth/token"));
}

#[tokio::test]
async fn a_session_skips_the_picker_until_sign_out() {
    let (_, app) = app();
    let (_, challenge) = pkce();
    let uri = |extra: &[(&str, &str)]| {
        let mut pairs = vec![
            ("response_type", "code"),
            ("client_id", CLIENT),
            ("redirect_uri", CALLBACK),
            ("code_challenge", &challenge),
            ("code_challenge_method", "S256"),
        ];
        pairs.extend_from_slice(extra);
        format!("/authorize?{}", form(&pairs))
    };
    let with_cookie = |uri: String, cookie: &str| {
        Request::get(uri)
            .header(header::COOKIE, cookie)
            .body(Body::empty())
            .expect("request")
    };
    let set_cookie = |res: &Response| {
        let value = res.headers().get(header::SET_COOKIE).expect("Set-Cookie");
        value.to_str().expect("ascii").to_owned()
    };
    let picker = |body: &[u8]| String::from_utf8_lossy(body).contains("choose a demo user");

    // Picking a user starts a session, scoped to the issuer's path.
    let picked = Request::get(uri(&[("login_hint", "alice")]))
        .body(Body::empty())
        .expect("request");
    let res = app.clone().oneshot(picked).await.expect("infallible");
    let cookie = set_cookie(&res);
    assert!(
        cookie.starts_with("dev_idp_session=") && cookie.contains(".alice;"),
        "{cookie}"
    );
    assert!(
        cookie.split("; ").any(|a| a == "Path=/") && cookie.contains("HttpOnly"),
        "{cookie}"
    );
    let session = cookie.split(';').next().expect("a pair").to_owned();

    // With it, signing in again goes straight back with a code.
    let (status, location, _) = send(&app, with_cookie(uri(&[]), &session)).await;
    assert_eq!(status, StatusCode::FOUND);
    assert!(location.expect("Location").contains("code="));
    // `prompt=login` asks anyway; no session, or one naming nobody, asks too.
    let (status, _, body) = send(&app, with_cookie(uri(&[("prompt", "login")]), &session)).await;
    assert!(status == StatusCode::OK && picker(&body));
    let (status, _, body) = get(&app, &uri(&[])).await;
    assert!(status == StatusCode::OK && picker(&body));
    let forged = with_cookie(uri(&[]), "dev_idp_session=mallory");
    let (status, _, body) = send(&app, forged).await;
    assert!(status == StatusCode::OK && picker(&body));
    // `prompt=none` without a session fails instead of asking.
    let (status, location, _) = get(&app, &uri(&[("prompt", "none")])).await;
    assert_eq!(status, StatusCode::FOUND);
    assert!(location.expect("Location").contains("error=login_required"));

    // Signing out ends it.
    let out = Request::get("/v2/logout")
        .body(Body::empty())
        .expect("request");
    let res = app.clone().oneshot(out).await.expect("infallible");
    assert!(
        set_cookie(&res).starts_with("dev_idp_session=;") && set_cookie(&res).contains("Max-Age=0")
    );
}
