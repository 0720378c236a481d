//! `/v2/logout`, as Auth0's: ends the session and returns to `returnTo` only when it is one
//! of the app's redirect URIs or on one of their origins, so it cannot be an open redirect.

use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::CookieJar;
use serde::Deserialize;
use url::Url;

use super::page::page;
use super::{DevIdp, redirect, session};

#[derive(Deserialize)]
pub(super) struct LogoutParams {
    #[serde(rename = "returnTo")]
    return_to: Option<String>,
    client_id: Option<String>,
}

pub(super) async fn logout(
    State(idp): State<Arc<DevIdp>>,
    Query(p): Query<LogoutParams>,
    jar: CookieJar,
) -> Response {
    let c = &idp.config;
    let client_ok = p.client_id.as_ref().is_none_or(|id| *id == c.client_id);
    let target = p
        .return_to
        .and_then(|r| Url::parse(&r).ok())
        .filter(|target| {
            c.redirect_uris
                .iter()
                .filter_map(|r| Url::parse(r).ok())
                .any(|allowed| allowed == *target || allowed.origin() == target.origin())
        });
    let response = match target {
        Some(target) if client_ok => redirect(&target, &[]),
        _ => page(StatusCode::OK, "Signed out", "<p>You are signed out.</p>"),
    };
    (session::end(c, jar), response).into_response()
}
