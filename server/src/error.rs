//! `AppError`: the one error type of the HTTP boundary, answered as RFC 9457 problem+json.
//!
//! Internal errors (database, I/O, libraries) are logged with the request id and answered
//! with a fixed message: no library or database text ever reaches a client.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use shared::problem::{self, FieldError, Problem};

use crate::request_id;

pub type Result<T, E = AppError> = std::result::Result<T, E>;

/// `Retry-After` of every 503: an outage, a restart or an exhausted pool is usually over in
/// seconds, and clients that wait at least this long spread their retries.
pub const RETRY_UNAVAILABLE_SECS: u64 = 2;

/// A rate limit as a 429 names it: its name, the requests it allows in a burst (`q`) and
/// the seconds in which a spent burst fills again (`w`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RatePolicy {
    pub name: &'static str,
    pub quota: u32,
    pub window_secs: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// A missing, malformed or unacceptable bearer token. The detail is generic on purpose:
    /// telling a caller which check failed helps an attacker more than a client.
    #[error("unauthorized: {0}")]
    Unauthorized(&'static str),
    #[error("forbidden: {0}")]
    Forbidden(&'static str),
    /// The household exists and the caller belongs to it, but an operator suspended it.
    #[error("household suspended")]
    Suspended,
    #[error("not found")]
    NotFound,
    #[error("bad request: {0}")]
    BadRequest(String),
    #[error("conflict: {0}")]
    Conflict(&'static str),
    /// `DELETE /api/me` from the last owner of these households: answered as a 409 that
    /// names them (`households`, an extension member), so the person knows what to hand
    /// over or delete first.
    #[error("the last owner of {} households", .0.len())]
    LastOwner(Vec<shared::people::SoleOwnership>),
    #[error("payload too large")]
    PayloadTooLarge,
    #[error("unsupported media type")]
    UnsupportedMediaType,
    /// A `Host` this server does not answer to (`server dev` on loopback: a page whose
    /// name was rebound to 127.0.0.1, DNS rebinding).
    #[error("misdirected request")]
    Misdirected,
    #[error("validation failed")]
    Validation(Vec<FieldError>),
    #[error("rate limited")]
    RateLimited {
        retry_after_secs: u64,
        /// The limit that refused, for the `RateLimit` and `RateLimit-Policy` headers.
        policy: Option<RatePolicy>,
    },
    /// A dependency we cannot do without is down or saturated (the database unreachable,
    /// restarting or its pool exhausted; no signing keys of the identity provider could
    /// ever be fetched). Answered with `Retry-After`: trying again shortly is the remedy.
    #[error("unavailable: {0}")]
    Unavailable(&'static str),
    /// No pooled connection came free within `DATABASE_ACQUIRE_TIMEOUT_MS`: answered as
    /// [`Unavailable`](Self::Unavailable), and counted apart by the metrics.
    #[error("the connection pool is exhausted")]
    PoolExhausted,
    /// The client took too long to send its request (see `REQUEST_TIMEOUT_SECS`).
    #[error("request timeout")]
    RequestTimeout,
    /// The household already holds as many rows of this kind as it may
    /// (`HOUSEHOLD_MAX_VEHICLES`, `HOUSEHOLD_MAX_FUEL_LOGS`).
    #[error("quota exceeded: {detail}")]
    QuotaExceeded {
        /// The problem type's last segment, which names the limit.
        kind: &'static str,
        detail: String,
    },
    /// RFC 6749 §5.2 error for the RFC 8693 form of `/exchange`.
    #[error("oauth error {error}")]
    OAuth {
        status: StatusCode,
        error: &'static str,
        description: &'static str,
    },
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl AppError {
    /// A request's field errors as the 422 that names them; `Ok` when there are none.
    pub fn unless_valid(errors: Vec<FieldError>) -> Result<()> {
        if errors.is_empty() {
            Ok(())
        } else {
            Err(AppError::Validation(errors))
        }
    }

    pub fn status_code(&self) -> StatusCode {
        match self {
            AppError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(_) | AppError::Suspended => StatusCode::FORBIDDEN,
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Conflict(_) | AppError::LastOwner(_) | AppError::QuotaExceeded { .. } => {
                StatusCode::CONFLICT
            }
            AppError::RequestTimeout => StatusCode::REQUEST_TIMEOUT,
            AppError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            AppError::Misdirected => StatusCode::MISDIRECTED_REQUEST,
            AppError::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::Unavailable(_) | AppError::PoolExhausted => StatusCode::SERVICE_UNAVAILABLE,
            AppError::OAuth { status, .. } => *status,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn problem(&self) -> Problem {
        let (kind, title, detail): (&str, &str, Option<String>) = match self {
            AppError::Unauthorized(d) => ("invalid-token", "Unauthorized", Some((*d).into())),
            AppError::Forbidden(d) => ("forbidden", "Forbidden", Some((*d).into())),
            AppError::Suspended => (
                "household-suspended",
                "Household suspended",
                Some("this household is suspended".into()),
            ),
            AppError::NotFound => ("not-found", "Not Found", None),
            AppError::BadRequest(d) => ("bad-request", "Bad Request", Some(d.clone())),
            AppError::Conflict(d) => ("conflict", "Conflict", Some((*d).into())),
            AppError::LastOwner(households) => {
                let names: Vec<&str> = households.iter().map(|h| h.name.as_str()).collect();
                let detail = format!(
                    "you are the last owner of {}: make another member an owner, or delete it, first",
                    names.join(", ")
                );
                ("last-owner", "Conflict", Some(detail))
            }
            AppError::PayloadTooLarge => ("payload-too-large", "Payload Too Large", None),
            AppError::UnsupportedMediaType => (
                "unsupported-media-type",
                "Unsupported Media Type",
                Some("send application/json".into()),
            ),
            AppError::Misdirected => (
                "misdirected-request",
                "Misdirected Request",
                Some("this server answers only its own host names".into()),
            ),
            AppError::Validation(_) => (
                "validation",
                "Unprocessable Content",
                Some("one or more fields are invalid".into()),
            ),
            AppError::RateLimited { .. } => ("rate-limited", "Too Many Requests", None),
            AppError::Unavailable(d) => ("unavailable", "Service Unavailable", Some((*d).into())),
            AppError::PoolExhausted => (
                "unavailable",
                "Service Unavailable",
                Some("the database is busy: try again shortly".into()),
            ),
            AppError::RequestTimeout => (
                "request-timeout",
                "Request Timeout",
                Some("the request was not received in time".into()),
            ),
            AppError::QuotaExceeded { kind, detail } => {
                (kind, "Quota exceeded", Some(detail.clone()))
            }
            AppError::OAuth {
                error, description, ..
            } => (error, "Token exchange refused", Some((*description).into())),
            AppError::Internal(_) => ("internal", "Internal Server Error", None),
        };
        Problem {
            kind: format!("/problems/{kind}"),
            title: title.into(),
            status: self.status_code().as_u16(),
            detail,
            request_id: request_id::current(),
            errors: match self {
                AppError::Validation(errors) => errors.clone(),
                _ => Vec::new(),
            },
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = self.status_code();
        if let AppError::Internal(e) = &self {
            tracing::error!(error = ?e, "internal error");
        } else if status.is_server_error() {
            tracing::warn!(error = %self, "service unavailable");
        }
        // The RFC 8693 form answers in OAuth's own error shape (RFC 6749 §5.2).
        let mut response = if let AppError::OAuth {
            error, description, ..
        } = &self
        {
            let body = serde_json::json!({ "error": error, "error_description": description });
            (status, axum::Json(body)).into_response()
        } else {
            let body = match &self {
                AppError::LastOwner(households) => {
                    let mut body = serde_json::to_value(self.problem()).unwrap_or_default();
                    body["households"] = serde_json::to_value(households).unwrap_or_default();
                    serde_json::to_vec(&body)
                }
                _ => serde_json::to_vec(&self.problem()),
            }
            .unwrap_or_default();
            let mut r = (status, body).into_response();
            r.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static(problem::CONTENT_TYPE),
            );
            r
        };
        let headers = response.headers_mut();
        match &self {
            AppError::Unauthorized(_) => {
                headers.insert(
                    header::WWW_AUTHENTICATE,
                    HeaderValue::from_static(r#"Bearer error="invalid_token""#),
                );
            }
            AppError::RateLimited {
                retry_after_secs,
                policy,
            } => {
                headers.insert(header::RETRY_AFTER, HeaderValue::from(*retry_after_secs));
                if let Some(p) = policy {
                    // draft-ietf-httpapi-ratelimit-headers: the quota of the limit that
                    // refused, none of it left, and when some is.
                    let policy = format!("\"{}\";q={};w={}", p.name, p.quota, p.window_secs);
                    let left = format!("\"{}\";r=0;t={retry_after_secs}", p.name);
                    for (name, value) in [("ratelimit-policy", policy), ("ratelimit", left)] {
                        if let Ok(value) = HeaderValue::from_str(&value) {
                            headers.insert(name, value);
                        }
                    }
                }
            }
            AppError::Unavailable(_) | AppError::PoolExhausted => {
                headers.insert(
                    header::RETRY_AFTER,
                    HeaderValue::from(RETRY_UNAVAILABLE_SECS),
                );
            }
            AppError::OAuth { .. } => {
                headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            }
            _ => {}
        }
        if let AppError::PoolExhausted = self {
            response.extensions_mut().insert(AcquireTimedOut);
        }
        response
    }
}

/// Marks a response that answered [`AppError::PoolExhausted`], for the metrics layer.
#[derive(Debug, Clone, Copy)]
pub struct AcquireTimedOut;
