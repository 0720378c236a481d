//! `/oauth/token`: the authorization code grant with PKCE, the only grant offered. Errors
//! are RFC 6749 §5.2 JSON; every answer is `no-store`.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use url::form_urlencoded;

use super::{DevIdp, NO_STORE, SCOPE, pkce};

/// A successful token response (RFC 6749 §5.1, plus OpenID Connect's `id_token`).
#[derive(Serialize)]
struct Tokens {
    access_token: String,
    id_token: String,
    token_type: &'static str,
    expires_in: u64,
    scope: &'static str,
}

/// An OAuth error response.
#[derive(Serialize)]
struct OAuthError<'a> {
    error: &'a str,
    error_description: &'a str,
}

/// Takes the form body raw rather than through `Form`, so that a repeated parameter is
/// refused instead of one copy silently winning.
pub(super) async fn token(State(idp): State<Arc<DevIdp>>, body: Bytes) -> Response {
    let mut params = HashMap::new();
    for (k, v) in form_urlencoded::parse(&body) {
        if params.insert(k.into_owned(), v.into_owned()).is_some() {
            return token_error("invalid_request", "repeated parameter");
        }
    }
    let param = |name: &str| params.get(name).map(String::as_str);
    match param("grant_type") {
        Some("authorization_code") => {}
        Some(_) => return token_error("unsupported_grant_type", "use authorization_code"),
        None => return token_error("invalid_request", "grant_type is required"),
    }
    let Some(code) = param("code") else {
        return token_error("invalid_request", "code is required");
    };
    // Single use: the code is gone whatever the outcome below.
    let Some(pending) = idp.codes.take(code) else {
        return token_error("invalid_grant", "unknown, used or expired code");
    };
    let (Some(client_id), Some(redirect_uri), Some(verifier)) = (
        param("client_id"),
        param("redirect_uri"),
        param("code_verifier"),
    ) else {
        let missing = "client_id, redirect_uri and code_verifier are required";
        return token_error("invalid_request", missing);
    };
    if !pkce::is_verifier(verifier) {
        return token_error("invalid_request", "malformed code_verifier");
    }
    if client_id != pending.client_id {
        return token_error("invalid_grant", "code was issued to another client");
    }
    if redirect_uri != pending.redirect_uri {
        return token_error("invalid_grant", "redirect_uri does not match");
    }
    if !pkce::verifies(verifier, &pending.code_challenge) {
        return token_error("invalid_grant", "code_verifier does not match");
    }
    let Some(user) = idp.config.user(&pending.sub) else {
        return token_error("invalid_grant", "unknown user");
    };
    let tokens = idp
        .issue_access_token(&user.sub)
        .and_then(|at| Ok((at, idp.issue_id_token(user, pending.nonce.as_deref())?)));
    let Ok((access_token, id_token)) = tokens else {
        let body = OAuthError {
            error: "server_error",
            error_description: "signing failed",
        };
        return (StatusCode::INTERNAL_SERVER_ERROR, Json(body)).into_response();
    };
    let body = Tokens {
        access_token,
        id_token,
        token_type: "Bearer",
        expires_in: idp.config.token_ttl_secs,
        scope: SCOPE,
    };
    ([NO_STORE, (header::PRAGMA, "no-cache")], Json(body)).into_response()
}

fn token_error(error: &str, error_description: &str) -> Response {
    let body = OAuthError {
        error,
        error_description,
    };
    (StatusCode::BAD_REQUEST, [NO_STORE], Json(body)).into_response()
}
