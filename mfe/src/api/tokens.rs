//! The token manager's browser side: the browser's clock, and the exchange over `fetch`.

use std::future::Future;

use shared::{exchange, paths};
use web_sys::AbortSignal;

use super::error::ApiError;
use super::http::{Body, fetch, header, json, to_json};
use crate::token::{TokenError, TokenKey, TokenManager};

/// Seconds since the epoch by the browser's clock: the token manager's clock.
pub fn now_secs() -> f64 {
    js_sys::Date::now() / 1000.0
}

/// The browser's token manager. `access_token` yields the Auth0 access token (the host's
/// `accessTokenProvider`, or the standalone login); it is called at each exchange, so a
/// source that changes is read afresh. `signal` aborts exchanges when the mount goes away.
pub fn token_manager<S, F>(access_token: S, signal: Option<AbortSignal>) -> TokenManager
where
    S: Fn() -> F + 'static,
    F: Future<Output = Result<String, TokenError>> + 'static,
{
    TokenManager::new(
        move |key: &TokenKey| {
            let (key, signal, access_token) = (key.clone(), signal.clone(), access_token());
            async move { exchange(&key, &access_token.await?, signal.as_ref()).await }
        },
        now_secs,
    )
}

/// `POST {api_base}/exchange`: an Auth0 access token in, an internal token out.
pub async fn exchange(
    key: &TokenKey,
    access_token: &str,
    signal: Option<&AbortSignal>,
) -> Result<exchange::Response, TokenError> {
    let body = exchange::Request {
        household_id: key.household_id.to_string(),
    };
    let transport = |e: ApiError| TokenError::Network(e.to_string());
    let mut url = key.api_base.clone();
    url.push_str(paths::EXCHANGE);
    let body = to_json(&body).map_err(transport)?;
    let response = fetch("POST", &url, Some(access_token), Body::Json(&body), signal)
        .await
        .map_err(transport)?;
    if !response.ok() {
        let retry_after = header(&response, "retry-after").and_then(|v| v.trim().parse().ok());
        return Err(TokenError::from_status(response.status(), retry_after));
    }
    json(&response)
        .await
        .map_err(|_| TokenError::Server(response.status()))
}
