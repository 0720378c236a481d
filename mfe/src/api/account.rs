//! The calls made with the Auth0 access token itself rather than an internal one, before
//! any household is chosen: the caller's households, a new household, and redeeming an
//! invitation code.

use shared::households::{CreatedHousehold, MyHouseholds, NewHousehold};
use shared::invitations::{RedeemInvitation, Redemption};
use shared::paths;
use web_sys::AbortSignal;

use super::error::ApiError;
use super::http::{Body, fetch, read, to_json};
use crate::json::Decode;

/// `GET {api_base}/api/me/households`, with the Auth0 access token (no household yet).
pub async fn my_households(
    api_base: &str,
    access_token: &str,
    signal: Option<&AbortSignal>,
) -> Result<MyHouseholds, ApiError> {
    let url = at(api_base, paths::MY_HOUSEHOLDS);
    signed_in("GET", &url, access_token, None, signal).await
}

/// `POST {api_base}/api/households`, with the Auth0 access token: the caller owns the new
/// household.
pub async fn create_household(
    api_base: &str,
    access_token: &str,
    household: &NewHousehold,
) -> Result<CreatedHousehold, ApiError> {
    let url = at(api_base, paths::HOUSEHOLDS);
    let body = to_json(household)?;
    signed_in("POST", &url, access_token, Some(&body), None).await
}

/// `POST {api_base}/api/invitations/redeem {"code"}`, with the Auth0 access token: files a join
/// request that an owner of the code's household approves or denies.
pub async fn redeem_invitation(
    api_base: &str,
    access_token: &str,
    code: &str,
) -> Result<Redemption, ApiError> {
    let url = at(api_base, paths::REDEEM);
    let body = to_json(&RedeemInvitation {
        code: code.trim().to_owned(),
    })?;
    signed_in("POST", &url, access_token, Some(&body), None).await
}

/// `path` at `api_base` (empty for the page's own origin).
fn at(api_base: &str, path: &str) -> String {
    let mut url = api_base.trim_end_matches('/').to_owned();
    url.push_str(path);
    url
}

/// A call with the Auth0 access token rather than an internal one.
async fn signed_in<T: Decode>(
    method: &str,
    url: &str,
    access_token: &str,
    body: Option<&str>,
    signal: Option<&AbortSignal>,
) -> Result<T, ApiError> {
    let body = body.map_or(Body::Empty, Body::Json);
    let response = fetch(method, url, Some(access_token), body, signal).await?;
    match response.status() {
        401 => Err(ApiError::AuthRequired),
        _ => read(response).await,
    }
}
