//! `/authorize`: checks the request, then either answers the app with a code (for the user
//! named by `login_hint` or the session) or shows the page that picks a demo user.
//!
//! The answer goes back as a redirect (`response_mode=query`, the default) or, for a hidden
//! iframe or a popup, as a message to the app's window (`response_mode=web_message`, what
//! auth0-spa-js uses with `prompt=none` for silent sign-in). Nothing is answered before
//! `client_id` and the exact `redirect_uri` are known good; later errors go back to the app
//! in OAuth's shape, with its `state`.

use std::sync::Arc;

use axum::extract::{Query, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::CookieJar;
use serde::Deserialize;
use shared::html::escape_html;
use url::Url;
use url::form_urlencoded;

use super::codes::PendingCode;
use super::page::{bad_request, page};
use super::{DevIdp, claims, granted_scope, pkce, redirect, session, web_message};

#[derive(Deserialize)]
pub(super) struct AuthorizeParams {
    response_type: Option<String>,
    client_id: Option<String>,
    redirect_uri: Option<String>,
    state: Option<String>,
    code_challenge: Option<String>,
    code_challenge_method: Option<String>,
    nonce: Option<String>,
    audience: Option<String>,
    login_hint: Option<String>,
    /// `login` shows the user picker even with a session; `none` fails rather than show it.
    prompt: Option<String>,
    scope: Option<String>,
    /// `query` (default) or `web_message`.
    response_mode: Option<String>,
    /// Seconds since the last sign-in beyond which the session does not count.
    max_age: Option<String>,
}

/// How the answer reaches the app.
#[derive(Clone, Copy)]
enum ResponseMode {
    Query,
    WebMessage,
}

pub(super) async fn authorize(
    State(idp): State<Arc<DevIdp>>,
    Query(p): Query<AuthorizeParams>,
    RawQuery(raw): RawQuery,
    jar: CookieJar,
) -> Response {
    let c = &idp.config;
    if p.client_id.as_deref() != Some(c.client_id.as_str()) {
        return bad_request("Unknown or missing <code>client_id</code>.");
    }
    let Some(redirect_uri) = p.redirect_uri.and_then(|r| c.redirect_uri(&r)) else {
        return bad_request("This <code>redirect_uri</code> is not allowed.");
    };
    let Ok(target) = Url::parse(&redirect_uri) else {
        return bad_request("This <code>redirect_uri</code> is not a URL.");
    };
    let (mode, known_mode) = match p.response_mode.as_deref() {
        None | Some("query") => (ResponseMode::Query, true),
        Some("web_message") => (ResponseMode::WebMessage, true),
        Some(_) => (ResponseMode::Query, false),
    };
    let state = p.state.as_deref();
    let respond = |pairs: &[(&str, &str)]| {
        let mut pairs = pairs.to_vec();
        pairs.extend(state.map(|s| ("state", s)));
        match mode {
            ResponseMode::Query => redirect(&target, &pairs),
            ResponseMode::WebMessage => web_message::respond(&target, &pairs),
        }
    };
    let fail = |error: &str, description: &str| {
        respond(&[("error", error), ("error_description", description)])
    };
    if !known_mode {
        return fail(
            "invalid_request",
            "response_mode must be query or web_message",
        );
    }
    if p.response_type.as_deref() != Some("code") {
        return fail("unsupported_response_type", "response_type must be code");
    }
    if p.code_challenge_method.as_deref() != Some("S256") {
        return fail("invalid_request", "code_challenge_method must be S256");
    }
    let Some(code_challenge) = p.code_challenge.filter(|ch| pkce::is_challenge(ch)) else {
        return fail("invalid_request", "a S256 code_challenge is required");
    };
    if p.audience.as_ref().is_some_and(|a| *a != c.audience) {
        return fail("invalid_request", "unknown audience");
    }
    let Ok(max_age) = p.max_age.as_deref().map(str::parse::<u64>).transpose() else {
        return fail("invalid_request", "max_age must be a number of seconds");
    };
    let now = claims::now();
    // A session too old for `max_age` counts as none: the user signs in again.
    let session = match p.prompt.as_deref() {
        Some("login") => None,
        _ => session::current(c, &jar)
            .filter(|s| max_age.is_none_or(|m| now.saturating_sub(s.auth_time) <= m)),
    };
    let (user, auth_time) = match (p.login_hint, session) {
        (Some(hint), _) => match c.user(&hint) {
            Some(user) => (user, now),
            None => return bad_request("No such demo user."),
        },
        (None, Some(s)) => (s.user, s.auth_time),
        (None, None) if p.prompt.as_deref() == Some("none") => {
            return fail("login_required", "no session at the issuer");
        }
        (None, None) => return login_page(&idp, raw.as_deref().unwrap_or_default()),
    };
    let pending = PendingCode {
        client_id: c.client_id.clone(),
        redirect_uri,
        code_challenge,
        nonce: p.nonce,
        sub: user.sub.clone(),
        scope: granted_scope(p.scope.as_deref()),
        auth_time,
    };
    let Some(code) = idp.codes.insert(pending) else {
        let busy = "<p>Too many pending sign-ins; retry shortly.</p>";
        return page(StatusCode::SERVICE_UNAVAILABLE, "Busy", busy);
    };
    let jar = session::start(c, jar, &user.sub, auth_time);
    (jar, respond(&[("code", code.as_str())])).into_response()
}

/// The user picker: a link per demo user back to `/authorize` with the same query and that
/// user as `login_hint`.
fn login_page(idp: &DevIdp, raw_query: &str) -> Response {
    let kept: Vec<(String, String)> = form_urlencoded::parse(raw_query.as_bytes())
        .filter(|(k, _)| k != "login_hint")
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let items: String = idp
        .config
        .users
        .iter()
        .map(|u| {
            let query = form_urlencoded::Serializer::new(String::new())
                .extend_pairs(&kept)
                .append_pair("login_hint", &u.sub)
                .finish();
            format!(
                r#"<li><a href="?{}"><b>{}</b><span>{} · {}</span></a></li>"#,
                escape_html(&query),
                escape_html(&u.name),
                escape_html(&u.email),
                escape_html(&u.sub),
            )
        })
        .collect();
    let body = format!("<p>Development sign-in: choose a demo user.</p><ul>{items}</ul>");
    page(StatusCode::OK, "Sign in", &body)
}
