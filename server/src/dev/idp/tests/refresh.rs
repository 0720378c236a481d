//! Refresh tokens: issued for `offline_access`, rotated on each use, a reused one revokes
//! its whole family, as Auth0's rotation does.

use super::*;

const OFFLINE: &str = "openid profile email offline_access";

/// Signs `alice` in asking for `offline_access`; the token response.
async fn signed_in(app: &Router) -> Value {
    let (verifier, challenge) = pkce();
    let code = code_with_scope(app, &challenge, OFFLINE).await;
    let (status, body) = exchange(app, &code, &verifier, CALLBACK).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

fn refresh_token(body: &Value) -> String {
    body["refresh_token"]
        .as_str()
        .unwrap_or_else(|| panic!("a refresh token in {body}"))
        .to_owned()
}

async fn refresh(app: &Router, token: &str) -> (StatusCode, Value) {
    token_request(
        app,
        &[
            ("grant_type", "refresh_token"),
            ("client_id", CLIENT),
            ("refresh_token", token),
            // auth0-spa-js sends it along; it changes nothing.
            ("redirect_uri", CALLBACK),
        ],
    )
    .await
}

fn assert_invalid_grant((status, body): (StatusCode, Value)) {
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["error"], "invalid_grant");
    // auth0-spa-js recognises a dead refresh token by these words.
    assert!(
        body["error_description"]
            .as_str()
            .is_some_and(|d| d.contains("invalid refresh token")),
        "{body}"
    );
}

#[tokio::test]
async fn offline_access_brings_a_refresh_token_that_rotates_on_use() {
    let (idp, app) = app();
    let first = signed_in(&app).await;
    assert_eq!(first["scope"], OFFLINE);
    let (_, key) = jwks_key(&idp);
    let mut validation = Validation::new(Algorithm::RS256);
    validation.set_issuer(&[ISSUER]);
    validation.set_audience(&[CLIENT]);
    let first_id = decode::<Value>(
        first["id_token"].as_str().expect("id_token"),
        &key,
        &validation,
    )
    .expect("valid ID token")
    .claims;

    let (status, second) = refresh(&app, &refresh_token(&first)).await;
    assert_eq!(status, StatusCode::OK, "{second}");
    assert_ne!(refresh_token(&second), refresh_token(&first));
    assert_eq!(second["scope"], OFFLINE);
    let id = decode::<Value>(
        second["id_token"].as_str().expect("id_token"),
        &key,
        &validation,
    )
    .expect("valid ID token")
    .claims;
    // The sign-in it stands for is the first one; no nonce, as none was asked.
    assert_eq!(id["auth_time"], first_id["auth_time"]);
    assert_eq!(id["sub"], "alice");
    assert_eq!(id.get("nonce"), None);
    validation.set_audience(&[AUDIENCE]);
    let access = decode::<Value>(
        second["access_token"].as_str().expect("access"),
        &key,
        &validation,
    )
    .expect("valid access token")
    .claims;
    assert_eq!(access["sub"], "alice");
    assert_eq!(access["scope"], OFFLINE);

    let (status, third) = refresh(&app, &refresh_token(&second)).await;
    assert_eq!(status, StatusCode::OK, "{third}");
}

#[tokio::test]
async fn a_reused_refresh_token_revokes_its_whole_family_and_no_other() {
    let (_, app) = app();
    let family = signed_in(&app).await;
    let other = signed_in(&app).await;
    let old = refresh_token(&family);
    let (status, rotated) = refresh(&app, &old).await;
    assert_eq!(status, StatusCode::OK, "{rotated}");

    // The old token again: someone else holds the family. Both copies die.
    assert_invalid_grant(refresh(&app, &old).await);
    assert_invalid_grant(refresh(&app, &refresh_token(&rotated)).await);
    assert_invalid_grant(refresh(&app, &old).await);

    let (status, body) = refresh(&app, &refresh_token(&other)).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "another sign-in is untouched: {body}"
    );
}

#[tokio::test]
async fn a_refresh_token_is_only_for_its_client_and_another_client_does_not_burn_it() {
    let (_, app) = app();
    let body = signed_in(&app).await;
    let token = refresh_token(&body);
    let stolen = [
        ("grant_type", "refresh_token"),
        ("client_id", "another-client"),
        ("refresh_token", token.as_str()),
    ];
    assert_invalid_grant(token_request(&app, &stolen).await);
    let (status, body) = refresh(&app, &token).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[tokio::test]
async fn unknown_or_missing_refresh_tokens_are_refused() {
    let (_, app) = app();
    assert_invalid_grant(refresh(&app, "not-a-token").await);
    let missing = [("grant_type", "refresh_token"), ("client_id", CLIENT)];
    let (status, body) = token_request(&app, &missing).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_request"))
    );
}

#[tokio::test]
async fn a_revoked_refresh_token_is_refused() {
    let (_, app) = app();
    let body = signed_in(&app).await;
    let token = refresh_token(&body);
    let req = Request::post("/oauth/revoke")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(
            json!({ "client_id": CLIENT, "token": token, "token_type_hint": "refresh_token" })
                .to_string(),
        ))
        .expect("request");
    let (status, _, _) = send(&app, req).await;
    assert_eq!(status, StatusCode::OK);
    assert_invalid_grant(refresh(&app, &token).await);
}

#[tokio::test]
async fn the_token_endpoint_takes_json_as_auth0_spa_js_sends_without_form_data() {
    let (_, app) = app();
    let body = signed_in(&app).await;
    let req = Request::post("/oauth/token")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(
            json!({
                "grant_type": "refresh_token",
                "client_id": CLIENT,
                "refresh_token": refresh_token(&body),
            })
            .to_string(),
        ))
        .expect("request");
    let (status, _, bytes) = send(&app, req).await;
    let body: Value = serde_json::from_slice(&bytes).expect("JSON");
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body["refresh_token"].is_string());
}

#[tokio::test]
async fn web_origins_may_send_the_auth0_client_header_and_others_get_no_cors() {
    let (_, app) = app();
    let preflight = |origin: &str| {
        Request::builder()
            .method(Method::OPTIONS)
            .uri("/oauth/token")
            .header(header::ORIGIN, origin)
            .header(header::ACCESS_CONTROL_REQUEST_METHOD, "POST")
            .header(
                header::ACCESS_CONTROL_REQUEST_HEADERS,
                "auth0-client,content-type",
            )
            .body(Body::empty())
            .expect("request")
    };
    let res = app
        .clone()
        .oneshot(preflight("http://127.0.0.1:8080"))
        .await
        .expect("infallible");
    let headers = res.headers();
    assert_eq!(
        headers
            .get(header::ACCESS_CONTROL_ALLOW_ORIGIN)
            .map(|v| v.to_str().expect("ascii")),
        Some("http://127.0.0.1:8080")
    );
    let allowed = headers
        .get(header::ACCESS_CONTROL_ALLOW_HEADERS)
        .expect("allowed headers")
        .to_str()
        .expect("ascii");
    assert!(allowed.contains("auth0-client"), "{allowed}");

    let res = app
        .clone()
        .oneshot(preflight("http://127.0.0.1:9999"))
        .await
        .expect("infallible");
    assert!(
        res.headers()
            .get(header::ACCESS_CONTROL_ALLOW_ORIGIN)
            .is_none()
    );
}
