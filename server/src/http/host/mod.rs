//! The host wrapper: `/household/{household_id}/mfe` (and `/`, `/callback`) serve a small
//! host page that logs in with the identity provider (Authorization Code + PKCE) and
//! embeds `<household-mfe>`; `/config.json` is the one place both the host and the
//! standalone micro-frontend read the identity provider settings from. The built
//! micro-frontend at `/mfe/*` is [`super::bundle`]'s.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{Html, IntoResponse, Response};
use serde_json::json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use super::extract::AppPath;
use super::problems::BadRequest;
use crate::error::Result;
use crate::state::AppState;

const PAGE: &str = include_str!("index.html");
const SCRIPT: &str = include_str!("host.js");

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(start_page))
        .routes(routes!(callback_page))
        .routes(routes!(household_page))
        .routes(routes!(script))
        .routes(routes!(client_config))
}

/// The origin of the identity provider, for the page's Content-Security-Policy.
fn issuer_origin(state: &AppState) -> String {
    url::Url::parse(&state.config.auth0.issuer)
        .map(|u| u.origin().ascii_serialization())
        .unwrap_or_default()
}

/// The security headers of an HTML page (the host page, the standalone page) beyond the
/// `nosniff` every answer carries: a CSP without inline script, no framing, no referrer. `base_uri` is what `<base>` may name
/// (the standalone page has one).
pub(crate) fn page_headers(state: &AppState, headers: &mut HeaderMap, base_uri: &str) {
    let idp = issuer_origin(state);
    // wasm needs 'wasm-unsafe-eval'; the standalone page's own <style> elements need inline
    // styles (the element adopts a style sheet and needs none).
    let csp = format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; \
         connect-src 'self' {idp}; img-src 'self' data:; form-action 'self' {idp}; frame-ancestors 'none'; base-uri {base_uri}"
    );
    if let Ok(v) = HeaderValue::from_str(&csp) {
        headers.insert(header::CONTENT_SECURITY_POLICY, v);
    }
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
}

fn with_csp(state: &AppState, body: &'static str) -> Response {
    let mut response = Html(body).into_response();
    let headers = response.headers_mut();
    page_headers(state, headers, "'none'");
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

#[utoipa::path(get, path = "/", tag = "host", responses((status = 200, description = "The host page: sign in, then pick a household", content_type = "text/html")))]
async fn start_page(State(state): State<AppState>) -> Response {
    with_csp(&state, PAGE)
}

#[utoipa::path(get, path = "/callback", tag = "host", responses((status = 200, description = "The host page, where the identity provider returns after sign-in", content_type = "text/html")))]
async fn callback_page(State(state): State<AppState>) -> Response {
    with_csp(&state, PAGE)
}

/// The id is parsed (400 otherwise) but never written into the page: the script reads it
/// from the URL and hands it to the element as an attribute.
#[utoipa::path(get, path = "/household/{household_id}/mfe", tag = "host", params(("household_id" = Uuid, Path)), responses((status = 200, description = "The host page embedding <household-mfe>", content_type = "text/html"), BadRequest))]
async fn household_page(
    State(state): State<AppState>,
    AppPath(_): AppPath<Uuid>,
) -> Result<Response> {
    Ok(with_csp(&state, PAGE))
}

#[utoipa::path(get, path = "/host.js", tag = "host", responses((status = 200, description = "The host page's script", content_type = "text/javascript")))]
async fn script() -> Response {
    let mut response = SCRIPT.into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/javascript; charset=utf-8"),
    );
    response
}

/// Identity-provider settings for browser code: the same build works against a real
/// Auth0 tenant and the development issuer.
#[utoipa::path(get, path = "/config.json", tag = "host", responses((status = 200, description = "Identity provider settings for browser code: issuer, client_id, audience, api_base")))]
async fn client_config(State(state): State<AppState>) -> Json<serde_json::Value> {
    let auth0 = &state.config.auth0;
    Json(json!({
        "issuer": auth0.issuer,
        "client_id": auth0.client_id,
        "audience": auth0.audience,
        "api_base": "",
    }))
}
