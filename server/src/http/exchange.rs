//! `POST /exchange` (JSON and the RFC 8693 form) and `GET /.well-known/jwks.json`.
//!
//! Order matters: the per-address limit runs before anything else; the Auth0 token is
//! validated before the body is trusted; the household id is parsed before the database
//! is touched; the per-user limit runs once the user is known. Non-members and unknown
//! households get the same 403, so the answer reveals nothing about which ids exist.

use axum::Json;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use shared::Role;
use shared::exchange::{self, rfc8693};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use super::extract::{BODY_LIMIT, ClientIp, body_error};
use super::problems::ExchangeErrors;
use crate::auth::bearer;
use crate::db::read;
use crate::error::{AppError, Result};
use crate::rate_limit::client_key;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(exchange))
        .routes(routes!(jwks))
}

#[utoipa::path(post, path = "/exchange", tag = "identity", security(("auth0_token" = [])),
    description = "Exchanges an Auth0 access token for an internal token bound to one household. JSON form: \
        `Authorization: Bearer <Auth0 token>` and `{\"household_id\": \"<uuid>\"}`. RFC 8693 form \
        (`application/x-www-form-urlencoded`): `grant_type=urn:ietf:params:oauth:grant-type:token-exchange`, \
        `subject_token`, `subject_token_type=urn:ietf:params:oauth:token-type:access_token`, \
        `audience=urn:household:<uuid>`; its errors follow RFC 6749 §5.2.",
    request_body(content = exchange::Request, description = "JSON form"),
    responses((status = 200, body = exchange::Response), ExchangeErrors))]
async fn exchange(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    request: Request,
) -> Result<Response> {
    let form = is_form(&request);
    let result = exchange_either(&state, ip, request).await;
    state.metrics.exchange(outcome(&result));
    // The RFC 8693 form answers in OAuth's error vocabulary (RFC 6749 §5.2).
    if form {
        result.map_err(oauth_error)
    } else {
        result
    }
}

fn is_form(request: &Request) -> bool {
    content_type(request) == "application/x-www-form-urlencoded"
}

fn content_type(request: &Request) -> String {
    request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase())
        .unwrap_or_default()
}

async fn exchange_either(
    state: &AppState,
    ip: std::net::IpAddr,
    request: Request,
) -> Result<Response> {
    state
        .limits
        .exchange_ip
        .check(&client_key(
            ip,
            state.config.runtime.rate_limits.ipv6_prefix,
        ))
        .await?;
    let content_type = content_type(&request);
    let (parts, body) = request.into_parts();
    let body = axum::body::to_bytes(body, BODY_LIMIT)
        .await
        .map_err(|e| body_error(&e))?;
    match content_type.as_str() {
        "application/json" => json_exchange(state, &parts.headers, &body).await,
        "application/x-www-form-urlencoded" => form_exchange(state, &body).await,
        _ => Err(AppError::UnsupportedMediaType),
    }
}

/// The `outcome` label of `exchanges_total`: a fixed word per kind of answer.
fn outcome(result: &Result<Response>) -> &'static str {
    match result {
        Ok(_) => "issued",
        Err(AppError::Unauthorized(_)) => "invalid_token",
        Err(AppError::Forbidden(_)) => "forbidden",
        Err(AppError::Suspended) => "suspended",
        Err(AppError::RateLimited { .. }) => "rate_limited",
        Err(AppError::Unavailable(_) | AppError::PoolExhausted) => "unavailable",
        Err(e) if e.status_code().is_client_error() => "bad_request",
        Err(_) => "error",
    }
}

/// The form's refusals as RFC 6749 §5.2 errors: a bad subject token is `invalid_request`,
/// a household the subject cannot enter `invalid_target`. Others keep their answer.
fn oauth_error(e: AppError) -> AppError {
    match e {
        AppError::Unauthorized(_) => {
            oauth(400, "invalid_request", "the subject token is not valid")
        }
        AppError::Forbidden(_) | AppError::Suspended => oauth(
            400,
            "invalid_target",
            "no token can be issued for this audience",
        ),
        other => other,
    }
}

async fn json_exchange(state: &AppState, headers: &HeaderMap, body: &[u8]) -> Result<Response> {
    let subject_token = bearer(headers)?;
    let claims = state.auth0.validate(subject_token).await?;
    let request: exchange::Request = serde_json::from_slice(body).map_err(|_| {
        AppError::BadRequest("the body must be {\"household_id\": \"<uuid>\"}".into())
    })?;
    let household_id = parse_household(&request.household_id)
        .ok_or_else(|| AppError::BadRequest("household_id must be a UUID".into()))?;
    let (token, role) = issue(state, &claims.sub, household_id).await?;
    state.refresh_profile_later(&claims.sub, subject_token);
    let body = exchange::Response {
        access_token: token,
        token_type: "Bearer".into(),
        expires_in: state.signer.ttl_secs(),
        household_id,
        role,
    };
    Ok(no_store(Json(body).into_response()))
}

/// RFC 8693 §2.1 request parameters.
#[derive(Deserialize)]
struct TokenExchangeForm {
    grant_type: Option<String>,
    subject_token: Option<String>,
    subject_token_type: Option<String>,
    audience: Option<String>,
}

/// RFC 8693 §2.2.1 response.
#[derive(Serialize)]
struct TokenExchangeResponse {
    access_token: String,
    issued_token_type: &'static str,
    token_type: &'static str,
    expires_in: u64,
    household_id: Uuid,
    role: Role,
}

fn oauth(status: u16, error: &'static str, description: &'static str) -> AppError {
    AppError::OAuth {
        status: axum::http::StatusCode::from_u16(status)
            .unwrap_or(axum::http::StatusCode::BAD_REQUEST),
        error,
        description,
    }
}

async fn form_exchange(state: &AppState, body: &[u8]) -> Result<Response> {
    let form: TokenExchangeForm = serde_urlencoded::from_bytes(body)
        .map_err(|_| oauth(400, "invalid_request", "the form could not be parsed"))?;
    match form.grant_type.as_deref() {
        Some(rfc8693::GRANT_TYPE) => {}
        Some(_) => {
            return Err(oauth(
                400,
                "unsupported_grant_type",
                "only token exchange is supported",
            ));
        }
        None => return Err(oauth(400, "invalid_request", "grant_type is required")),
    }
    let subject_token = form
        .subject_token
        .ok_or_else(|| oauth(400, "invalid_request", "subject_token is required"))?;
    if form.subject_token_type.as_deref() != Some(rfc8693::ACCESS_TOKEN_TYPE) {
        return Err(oauth(
            400,
            "invalid_request",
            "subject_token_type must be an access token",
        ));
    }
    let household_id = form
        .audience
        .as_deref()
        .and_then(|a| a.strip_prefix(rfc8693::AUDIENCE_PREFIX))
        .and_then(parse_household)
        .ok_or_else(|| {
            oauth(
                400,
                "invalid_target",
                "audience must be urn:household:<uuid>",
            )
        })?;
    // Refusals stay typed here, so that they are counted as such; `exchange` words them
    // as OAuth errors.
    let claims = state.auth0.validate(&subject_token).await?;
    let (token, role) = issue(state, &claims.sub, household_id).await?;
    state.refresh_profile_later(&claims.sub, &subject_token);
    let body = TokenExchangeResponse {
        access_token: token,
        issued_token_type: rfc8693::ACCESS_TOKEN_TYPE,
        token_type: "Bearer",
        expires_in: state.signer.ttl_secs(),
        household_id,
        role,
    };
    Ok(no_store(Json(body).into_response()))
}

/// A canonical UUID (36 characters with hyphens, or 32 without), nothing longer.
fn parse_household(s: &str) -> Option<Uuid> {
    (s.len() <= 36).then(|| Uuid::parse_str(s).ok()).flatten()
}

/// Membership check and signature, shared by both forms.
async fn issue(state: &AppState, sub: &str, household_id: Uuid) -> Result<(String, Role)> {
    state
        .limits
        .exchange_user
        .check(&(sub.to_owned(), household_id))
        .await?;
    let behind_pooler = state.config.runtime.behind_pooler();
    let role = read::admission(
        &state.db,
        &state.context_key,
        household_id,
        sub,
        behind_pooler,
    )
    .await?;
    tracing::info!(%household_id, role = role.as_str(), "internal token issued");
    Ok((state.signer.sign(sub, household_id, role)?, role))
}

fn no_store(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

#[utoipa::path(get, path = "/.well-known/jwks.json", tag = "identity", responses((status = 200, description = "Public keys of internal tokens (current and next), as a JWK Set")))]
async fn jwks(State(state): State<AppState>) -> Response {
    let mut response = Json(state.signer.jwks()).into_response();
    // Verifiers may cache it briefly; a next key is published well before it signs.
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=300"),
    );
    response
}
