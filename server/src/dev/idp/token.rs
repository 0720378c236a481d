//! `/oauth/token` and `/oauth/revoke`: the authorization code grant with PKCE and the refresh
//! token grant (rotating, see `refresh`). Bodies are forms, or JSON as auth0-spa-js sends
//! with `useFormData: false`. Errors are RFC 6749 §5.2 JSON; every answer is `no-store`.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::Value;
use url::form_urlencoded;

use super::refresh::{Grant, Refused};
use super::{DevIdp, NO_STORE, OFFLINE_ACCESS, pkce};

/// A successful token response (RFC 6749 §5.1, plus OpenID Connect's `id_token`).
#[derive(Serialize)]
struct Tokens {
    access_token: String,
    id_token: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    refresh_token: Option<String>,
    token_type: &'static str,
    expires_in: u64,
    scope: String,
}

/// An OAuth error response (RFC 6749 §5.2).
#[derive(Serialize)]
pub(super) struct OAuthError {
    error: &'static str,
    error_description: &'static str,
}

fn token_error(error: &'static str, error_description: &'static str) -> OAuthError {
    OAuthError {
        error,
        error_description,
    }
}

impl IntoResponse for OAuthError {
    fn into_response(self) -> Response {
        let status = match self.error {
            "invalid_client" => StatusCode::UNAUTHORIZED,
            "server_error" => StatusCode::INTERNAL_SERVER_ERROR,
            _ => StatusCode::BAD_REQUEST,
        };
        (status, [NO_STORE], Json(self)).into_response()
    }
}

/// What a grant established, for the tokens to say.
struct Issue {
    sub: String,
    scope: String,
    auth_time: u64,
    nonce: Option<String>,
    refresh_token: Option<String>,
}

/// Auth0's words for a refresh token it will not take, which auth0-spa-js looks for.
const INVALID_REFRESH_TOKEN: &str = "Unknown or invalid refresh token.";

pub(super) async fn token(
    State(idp): State<Arc<DevIdp>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, OAuthError> {
    let params = params(&headers, &body)?;
    let param = |name: &str| params.get(name).map(String::as_str);
    let issued = match param("grant_type") {
        Some("authorization_code") => authorization_code(&idp, &param),
        Some("refresh_token") => refresh_token(&idp, &param),
        Some(_) => Err(token_error(
            "unsupported_grant_type",
            "use authorization_code or refresh_token",
        )),
        None => Err(token_error("invalid_request", "grant_type is required")),
    };
    let tokens = issued.and_then(|issue| tokens(&idp, issue))?;
    Ok(([NO_STORE, (header::PRAGMA, "no-cache")], Json(tokens)).into_response())
}

fn authorization_code<'a>(
    idp: &DevIdp,
    param: &impl Fn(&str) -> Option<&'a str>,
) -> Result<Issue, OAuthError> {
    let code = param("code").ok_or_else(|| token_error("invalid_request", "code is required"))?;
    // Single use: the code is gone whatever the outcome below.
    let pending = idp
        .codes
        .take(code)
        .ok_or_else(|| token_error("invalid_grant", "unknown, used or expired code"))?;
    let (Some(client_id), Some(redirect_uri), Some(verifier)) = (
        param("client_id"),
        param("redirect_uri"),
        param("code_verifier"),
    ) else {
        let missing = "client_id, redirect_uri and code_verifier are required";
        return Err(token_error("invalid_request", missing));
    };
    if !pkce::is_verifier(verifier) {
        return Err(token_error("invalid_request", "malformed code_verifier"));
    }
    if client_id != pending.client_id {
        return Err(token_error(
            "invalid_grant",
            "code was issued to another client",
        ));
    }
    if idp.config.redirect_uri(redirect_uri).as_ref() != Some(&pending.redirect_uri) {
        return Err(token_error("invalid_grant", "redirect_uri does not match"));
    }
    if !pkce::verifies(verifier, &pending.code_challenge) {
        return Err(token_error("invalid_grant", "code_verifier does not match"));
    }
    let refresh_token = if pending.scope.split(' ').any(|s| s == OFFLINE_ACCESS) {
        idp.refresh.start(Grant {
            client_id: pending.client_id,
            sub: pending.sub.clone(),
            scope: pending.scope.clone(),
            auth_time: pending.auth_time,
        })
    } else {
        None
    };
    Ok(Issue {
        sub: pending.sub,
        scope: pending.scope,
        auth_time: pending.auth_time,
        nonce: pending.nonce,
        refresh_token,
    })
}

/// Rotates the presented token; its family's grant (its scope, its sign-in) carries over.
fn refresh_token<'a>(
    idp: &DevIdp,
    param: &impl Fn(&str) -> Option<&'a str>,
) -> Result<Issue, OAuthError> {
    let (Some(client_id), Some(token)) = (param("client_id"), param("refresh_token")) else {
        let missing = "client_id and refresh_token are required";
        return Err(token_error("invalid_request", missing));
    };
    let (grant, next) = idp.refresh.rotate(token, client_id).map_err(|refused| {
        if refused == Refused::Reused {
            tracing::warn!(
                "dev-idp: a rotated refresh token was used again; its family is revoked"
            );
        }
        token_error("invalid_grant", INVALID_REFRESH_TOKEN)
    })?;
    Ok(Issue {
        sub: grant.sub,
        scope: grant.scope,
        auth_time: grant.auth_time,
        nonce: None,
        refresh_token: Some(next),
    })
}

fn tokens(idp: &DevIdp, issue: Issue) -> Result<Tokens, OAuthError> {
    let user = idp
        .config
        .user(&issue.sub)
        .ok_or_else(|| token_error("invalid_grant", "unknown user"))?;
    let signed = idp
        .issue_access_token_with_scope(&user.sub, &issue.scope)
        .and_then(|at| {
            let id = idp.issue_id_token(user, issue.auth_time, issue.nonce.as_deref())?;
            Ok((at, id))
        });
    let (access_token, id_token) =
        signed.map_err(|_| token_error("server_error", "signing failed"))?;
    Ok(Tokens {
        access_token,
        id_token,
        refresh_token: issue.refresh_token,
        token_type: "Bearer",
        expires_in: idp.config.token_ttl_secs,
        scope: issue.scope,
    })
}

/// RFC 7009: revokes the refresh token's family; answers 200 whether or not it was known.
pub(super) async fn revoke(
    State(idp): State<Arc<DevIdp>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, OAuthError> {
    let params = params(&headers, &body)?;
    let (Some(client_id), Some(token)) = (params.get("client_id"), params.get("token")) else {
        return Err(token_error(
            "invalid_request",
            "client_id and token are required",
        ));
    };
    if *client_id != idp.config.client_id {
        return Err(token_error("invalid_client", "unknown client"));
    }
    idp.refresh.revoke(token);
    Ok((StatusCode::OK, [NO_STORE]).into_response())
}

/// The body's parameters, each once: a form (taken raw rather than through `Form`, so that a
/// repeated parameter is refused instead of one copy silently winning), or a JSON object of
/// strings and numbers.
fn params(headers: &HeaderMap, body: &[u8]) -> Result<HashMap<String, String>, OAuthError> {
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    let mut params = HashMap::new();
    if json {
        let Ok(Value::Object(object)) = serde_json::from_slice(body) else {
            return Err(token_error(
                "invalid_request",
                "the body is not a JSON object",
            ));
        };
        for (k, v) in object {
            let v = match v {
                Value::String(s) => s,
                Value::Number(n) => n.to_string(),
                Value::Bool(b) => b.to_string(),
                _ => return Err(token_error("invalid_request", "parameters are strings")),
            };
            params.insert(k, v);
        }
        return Ok(params);
    }
    for (k, v) in form_urlencoded::parse(body) {
        if params.insert(k.into_owned(), v.into_owned()).is_some() {
            return Err(token_error("invalid_request", "repeated parameter"));
        }
    }
    Ok(params)
}
