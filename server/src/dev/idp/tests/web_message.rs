//! Silent sign-in as auth0-spa-js does it without refresh tokens: `prompt=none` and
//! `response_mode=web_message` in a hidden iframe, and `max_age` against the session's age.

use super::*;

/// `/authorize` in web-message mode with `extra`, and a session cookie if given: status,
/// CSP and page.
async fn silently(extra: &[(&str, &str)], cookie: Option<&str>) -> (StatusCode, String, String) {
    let (_, app) = app();
    let (_, challenge) = pkce();
    let mut pairs = vec![
        ("response_type", "code"),
        ("response_mode", "web_message"),
        ("prompt", "none"),
        ("client_id", CLIENT),
        ("redirect_uri", CALLBACK),
        ("code_challenge", challenge.as_str()),
        ("code_challenge_method", "S256"),
    ];
    pairs.extend_from_slice(extra);
    let mut req = Request::get(format!("/authorize?{}", form(&pairs)));
    if let Some(cookie) = cookie {
        req = req.header(header::COOKIE, cookie);
    }
    let res = app
        .oneshot(req.body(Body::empty()).expect("request"))
        .await
        .expect("infallible");
    let status = res.status();
    let csp = res
        .headers()
        .get(header::CONTENT_SECURITY_POLICY)
        .map(|v| v.to_str().expect("ascii").to_owned())
        .unwrap_or_default();
    let body = to_bytes(res.into_body(), 1 << 20).await.expect("body");
    (
        status,
        csp,
        String::from_utf8(body.to_vec()).expect("UTF-8"),
    )
}

fn session(auth_time: u64) -> String {
    format!("dev_idp_session={auth_time}.alice")
}

/// The one script of the page.
fn script(page: &str) -> &str {
    let start = page.find("<script>").expect("a script") + "<script>".len();
    let end = page.find("</script>").expect("its end");
    &page[start..end]
}

#[tokio::test]
async fn with_a_session_the_code_is_posted_to_the_apps_origin_only() {
    let now = claims::now();
    let (status, csp, page) = silently(&[("state", "s-1")], Some(&session(now))).await;
    assert_eq!(status, StatusCode::OK);
    let script = script(&page);
    assert!(
        script.contains(r#""type":"authorization_response""#),
        "{script}"
    );
    assert!(
        script.contains(r#""state":"s-1""#) && script.contains(r#""code":""#),
        "{script}"
    );
    assert!(
        script.ends_with(r#","http://127.0.0.1:8080");"#),
        "the target origin: {script}"
    );
    // The page runs that script and no other, and only the app's origin may frame it.
    let hash = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(script.as_bytes()));
    assert!(
        csp.contains(&format!("script-src 'sha256-{hash}'")),
        "{csp}"
    );
    assert!(
        csp.contains("frame-ancestors http://127.0.0.1:8080"),
        "{csp}"
    );
}

#[tokio::test]
async fn without_a_session_login_required_is_posted_not_the_picker() {
    let (status, _, page) = silently(&[("state", "s-2")], None).await;
    assert_eq!(status, StatusCode::OK);
    let script = script(&page);
    assert!(script.contains(r#""error":"login_required""#), "{script}");
    assert!(script.contains(r#""state":"s-2""#), "{script}");
    assert!(!page.contains("choose a demo user"));
}

#[tokio::test]
async fn a_state_cannot_break_out_of_the_script() {
    let now = claims::now();
    let state = "</script><script>alert(1)</script>";
    let (_, _, page) = silently(&[("state", state)], Some(&session(now))).await;
    assert_eq!(page.matches("<script>").count(), 1, "{page}");
    assert!(script(&page).contains(r"\u003c/script\u003e"), "{page}");
}

#[tokio::test]
async fn a_session_older_than_max_age_does_not_count() {
    let now = claims::now();
    let fresh = silently(&[("max_age", "600")], Some(&session(now - 60)))
        .await
        .2;
    assert!(script(&fresh).contains(r#""code":""#), "{fresh}");
    let stale = silently(&[("max_age", "600")], Some(&session(now - 3600)))
        .await
        .2;
    assert!(
        script(&stale).contains(r#""error":"login_required""#),
        "{stale}"
    );
    let malformed = silently(&[("max_age", "soon")], Some(&session(now)))
        .await
        .2;
    assert!(
        script(&malformed).contains(r#""error":"invalid_request""#),
        "{malformed}"
    );
}

#[tokio::test]
async fn the_id_token_carries_the_sessions_auth_time() {
    let (idp, app) = app();
    let (verifier, challenge) = pkce();
    let signed_in_at = claims::now() - 120;
    let query = form(&[
        ("response_type", "code"),
        ("client_id", CLIENT),
        ("redirect_uri", CALLBACK),
        ("code_challenge", &challenge),
        ("code_challenge_method", "S256"),
        ("prompt", "none"),
    ]);
    let req = Request::get(format!("/authorize?{query}"))
        .header(header::COOKIE, session(signed_in_at))
        .body(Body::empty())
        .expect("request");
    let (status, location, _) = send(&app, req).await;
    assert_eq!(status, StatusCode::FOUND);
    let location = Url::parse(&location.expect("Location")).expect("URL");
    let code = location
        .query_pairs()
        .find(|(k, _)| k == "code")
        .expect("a code")
        .1
        .into_owned();
    let (status, body) = exchange(&app, &code, &verifier, CALLBACK).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, key) = jwks_key(&idp);
    let mut validation = Validation::new(Algorithm::RS256);
    validation.set_issuer(&[ISSUER]);
    validation.set_audience(&[CLIENT]);
    let claims = decode::<Value>(
        body["id_token"].as_str().expect("id_token"),
        &key,
        &validation,
    )
    .expect("valid ID token")
    .claims;
    assert_eq!(claims["auth_time"], signed_in_at);
}
