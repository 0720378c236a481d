//! What every request passes before its route: the per-address limit
//! (`RATE_LIMIT_REQUESTS_PER_IP`), the body's idle timeout (`BODY_TIMEOUT_SECS`) and the
//! whole request's timeout (`REQUEST_TIMEOUT_SECS`). The header-read timeout is the accept
//! loop's (`crate::listen`).
//!
//! The whole-request timeout answers 408 problem+json. tower-http's `TimeoutLayer` would
//! answer an empty body; a slow *database* answers 503 on its own before this fires
//! (`statement_timeout`, the pool's acquire timeout), so what reaches this limit is almost
//! always a client too slow to send its request.

use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tower_http::timeout::TimeoutBody;

use super::extract::client_ip;
use crate::error::AppError;
use crate::rate_limit::client_key;
use crate::state::AppState;

pub async fn guard(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let ip = client_ip(&request, &state.config.runtime.trusted_proxies);
    if let Err(refused) = state
        .limits
        .requests_ip
        .check(&client_key(
            ip,
            state.config.runtime.rate_limits.ipv6_prefix,
        ))
        .await
    {
        return refused.into_response();
    }
    let timeouts = state.config.runtime.timeouts;
    let body_idle = Duration::from_secs(timeouts.body_secs);
    let request = request.map(|body| Body::new(TimeoutBody::new(body_idle, body)));
    match tokio::time::timeout(
        Duration::from_secs(timeouts.request_secs),
        next.run(request),
    )
    .await
    {
        Ok(response) => response,
        Err(_) => AppError::RequestTimeout.into_response(),
    }
}
