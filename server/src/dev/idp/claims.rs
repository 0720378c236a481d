//! What the issued tokens say, shaped as Auth0 shapes them for a single page app, so the
//! server's validation cannot tell the two issuers apart.

use std::time::{SystemTime, UNIX_EPOCH};

use serde::Serialize;

use super::{DevIdpConfig, DevUser};

/// An access token for the API: `aud` holds the API and the issuer's `/userinfo`, as
/// Auth0's does when `openid` is among the scopes.
#[derive(Debug, Serialize)]
pub(super) struct AccessClaims<'a> {
    iss: &'a str,
    sub: &'a str,
    aud: [&'a str; 2],
    iat: u64,
    exp: u64,
    /// The client the token was issued to.
    azp: &'a str,
    scope: &'a str,
}

impl<'a> AccessClaims<'a> {
    /// `userinfo` is the issuer's `/userinfo` URL, the second audience; `scope` what was
    /// granted.
    pub(super) fn new(
        config: &'a DevIdpConfig,
        sub: &'a str,
        userinfo: &'a str,
        scope: &'a str,
    ) -> Self {
        let (iat, exp) = lifetime(config);
        Self {
            iss: &config.issuer,
            sub,
            aud: [&config.audience, userinfo],
            iat,
            exp,
            azp: &config.client_id,
            scope,
        }
    }
}

/// An ID token for the app (its `aud` is the client id), naming the user.
#[derive(Debug, Serialize)]
pub(super) struct IdClaims<'a> {
    iss: &'a str,
    sub: &'a str,
    aud: &'a str,
    iat: u64,
    exp: u64,
    /// When the user signed in at the issuer, which `max_age` is checked against.
    auth_time: u64,
    name: &'a str,
    email: &'a str,
    /// Echoed from `/authorize`, so the app can tie the token to its own request.
    #[serde(skip_serializing_if = "Option::is_none")]
    nonce: Option<&'a str>,
}

impl<'a> IdClaims<'a> {
    pub(super) fn new(
        config: &'a DevIdpConfig,
        user: &'a DevUser,
        auth_time: u64,
        nonce: Option<&'a str>,
    ) -> Self {
        let (iat, exp) = lifetime(config);
        Self {
            iss: &config.issuer,
            sub: &user.sub,
            aud: &config.client_id,
            iat,
            exp,
            auth_time,
            name: &user.name,
            email: &user.email,
            nonce,
        }
    }
}

/// `iat` and `exp` of a token issued now.
fn lifetime(config: &DevIdpConfig) -> (u64, u64) {
    let now = now();
    (now, now.saturating_add(config.token_ttl_secs))
}

/// Seconds since the epoch, as tokens count time.
pub(super) fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}
