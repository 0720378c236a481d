//! A development identity provider that speaks the subset of Auth0's OpenID
//! Connect dialect single page apps use: discovery, JWKS, authorization code + PKCE (S256)
//! answered by redirect or by web message (silent sign-in in a hidden iframe), rotating
//! refresh tokens with reuse detection, and logout; enough for auth0-spa-js unchanged.
//!
//! It exists so that local work and tests need no Auth0 tenant, while the
//! server still validates tokens exactly as it does Auth0's: it discovers this
//! issuer, fetches its JWKS and checks RS256 signatures, `iss`, `aud` and `exp`
//! with no special case for development. Only mount it in development.
//!
//! One file per concern: `keys` (signing key, JWKS), `claims` (what the tokens say), `codes`
//! and `pkce` (pending authorization codes and their proof), `refresh` (refresh token
//! families), `session` (the session cookie), `page` and `web_message` (the HTML pages),
//! and a file per endpoint.

mod authorize;
mod claims;
mod codes;
mod discovery;
mod keys;
mod logout;
mod page;
mod pkce;
mod refresh;
mod session;
mod token;
mod userinfo;
mod web_message;

#[cfg(test)]
mod tests;

use std::collections::BTreeSet;
use std::fmt;
use std::sync::Arc;

use axum::Router;
use axum::http::{HeaderName, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use rsa::RsaPrivateKey;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use url::Url;

use self::claims::{AccessClaims, IdClaims};
use self::codes::Codes;
use self::keys::SigningKey;
pub use self::keys::{Jwks, RsaJwk};
use self::refresh::RefreshTokens;

/// The scopes granted when the app asks for none.
const SCOPE: &str = "openid profile email";
/// The scope that asks for a refresh token.
const OFFLINE_ACCESS: &str = "offline_access";
/// Every scope this issuer grants, in the order a granted scope lists them.
const SCOPES: [&str; 4] = ["openid", "profile", "email", OFFLINE_ACCESS];
/// auth0-spa-js names itself in this header on every token request.
const AUTH0_CLIENT: HeaderName = HeaderName::from_static("auth0-client");
/// Tokens, codes and sign-in pages must not be kept by caches.
const NO_STORE: (HeaderName, &str) = (header::CACHE_CONTROL, "no-store");

/// A user offered on the development sign-in page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DevUser {
    /// Subject identifier put in tokens' `sub`, e.g. `"auth0|alice"`.
    pub sub: String,
    /// Display name (ID token `name`).
    pub name: String,
    /// E-mail address (ID token `email`).
    pub email: String,
}

/// Configuration of the development identity provider.
#[derive(Debug, Clone)]
pub struct DevIdpConfig {
    /// Issuer URL, the root of its own origin as Auth0's is, e.g. `http://127.0.0.1:8090/`;
    /// must end with `/`.
    pub issuer: String,
    /// API audience put in access tokens' `aud`.
    pub audience: String,
    /// The single page app's client id; ID tokens' `aud`.
    pub client_id: String,
    /// Redirect URIs accepted at `/authorize` (exact match, as parsed URLs). Their origins
    /// are the app's web origins: they may call the token endpoint from script and receive
    /// web messages.
    pub redirect_uris: Vec<String>,
    /// Users offered on the sign-in page.
    pub users: Vec<DevUser>,
    /// Lifetime of access and ID tokens, in seconds.
    pub token_ttl_secs: u64,
}

impl DevIdpConfig {
    fn user(&self, sub: &str) -> Option<&DevUser> {
        self.users.iter().find(|u| u.sub == sub)
    }

    /// `uri`, serialised, if it is one of the redirect URIs. Compared as parsed URLs, so that
    /// an origin with or without its `/` is one URI (`window.location.origin` has none).
    fn redirect_uri(&self, uri: &str) -> Option<String> {
        let url = Url::parse(uri).ok()?;
        self.redirect_uris
            .iter()
            .any(|r| Url::parse(r).is_ok_and(|r| r == url))
            .then(|| url.into())
    }

    /// The origins of the redirect URIs, as browsers send them in `Origin`.
    fn web_origins(&self) -> BTreeSet<String> {
        self.redirect_uris
            .iter()
            .filter_map(|u| Url::parse(u).ok())
            .map(|u| u.origin().ascii_serialization())
            .collect()
    }
}

/// What is granted of `requested`: the scopes this issuer knows, always with `openid`.
fn granted_scope(requested: Option<&str>) -> String {
    let requested: Vec<&str> = requested.unwrap_or(SCOPE).split(' ').collect();
    let granted: Vec<&str> = SCOPES
        .into_iter()
        .filter(|s| *s == "openid" || requested.contains(s))
        .collect();
    granted.join(" ")
}

/// The development identity provider: configuration, an RSA signing key, the pending
/// single-use authorization codes and the refresh token families.
pub struct DevIdp {
    config: DevIdpConfig,
    key: SigningKey,
    codes: Codes,
    refresh: RefreshTokens,
}

impl fmt::Debug for DevIdp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DevIdp")
            .field("config", &self.config)
            .field("kid", &self.key.kid())
            .finish_non_exhaustive()
    }
}

impl DevIdp {
    /// Creates a provider with a freshly generated RSA-2048 signing key.
    pub fn new(config: DevIdpConfig) -> anyhow::Result<Self> {
        Self::with_key(config, keys::generate()?)
    }

    /// Creates a provider signing with `key` (at least 2048 bits).
    pub fn with_key(config: DevIdpConfig, key: RsaPrivateKey) -> anyhow::Result<Self> {
        anyhow::ensure!(config.issuer.ends_with('/'), "issuer must end with '/'");
        Ok(Self {
            config,
            key: SigningKey::from_rsa(&key)?,
            codes: Codes::default(),
            refresh: RefreshTokens::default(),
        })
    }

    /// Issues an RS256 access token for `sub`, as Auth0 would for the app.
    pub fn issue_access_token(&self, sub: &str) -> anyhow::Result<String> {
        self.issue_access_token_with_scope(sub, SCOPE)
    }

    /// The `/userinfo` endpoint, access tokens' second audience.
    fn userinfo_url(&self) -> String {
        format!("{}userinfo", self.config.issuer)
    }

    fn issue_access_token_with_scope(&self, sub: &str, scope: &str) -> anyhow::Result<String> {
        let userinfo = self.userinfo_url();
        let claims = AccessClaims::new(&self.config, sub, &userinfo, scope);
        self.key.sign(&claims)
    }

    fn issue_id_token(
        &self,
        user: &DevUser,
        auth_time: u64,
        nonce: Option<&str>,
    ) -> anyhow::Result<String> {
        let claims = IdClaims::new(&self.config, user, auth_time, nonce);
        self.key.sign(&claims)
    }

    /// The JSON Web Key Set publishing the signing key.
    pub fn jwks(&self) -> Jwks {
        self.key.jwks()
    }
}

/// The provider's routes, served at the issuer's path (`server dev`: the root of its own
/// origin).
pub fn router(idp: Arc<DevIdp>) -> Router {
    // Like Auth0's "Allowed Web Origins": the app's origins may call discovery, JWKS and
    // the token endpoint from script (e.g. `trunk serve` on another port, or a host under
    // development listed in DEV_IDP_CALLBACK_URLS).
    let origins: Vec<HeaderValue> = idp
        .config
        .web_origins()
        .iter()
        .filter_map(|o| HeaderValue::from_str(o).ok())
        .collect();
    let cors = CorsLayer::new()
        .allow_origin(AllowOrigin::list(origins))
        .allow_methods([Method::GET, Method::POST])
        .allow_headers([header::CONTENT_TYPE, header::AUTHORIZATION, AUTH0_CLIENT]);
    Router::new()
        .route(
            "/.well-known/openid-configuration",
            get(discovery::discovery),
        )
        .route("/.well-known/jwks.json", get(discovery::jwks))
        .route("/authorize", get(authorize::authorize))
        .route("/oauth/token", post(token::token))
        .route("/oauth/revoke", post(token::revoke))
        .route(
            "/userinfo",
            get(userinfo::userinfo).post(userinfo::userinfo),
        )
        .route("/v2/logout", get(logout::logout))
        .layer(cors)
        // What every answer of the API's router gets too: a panic answers 500, a trace line
        // per request, and no MIME sniffing of the sign-in page.
        .layer(tower_http::catch_panic::CatchPanicLayer::new())
        .layer(tower_http::trace::TraceLayer::new_for_http())
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .with_state(idp)
}

/// A 302 to `base` with `pairs` appended to its query.
fn redirect(base: &Url, pairs: &[(&str, &str)]) -> Response {
    let mut url = base.clone();
    if !pairs.is_empty() {
        url.query_pairs_mut().extend_pairs(pairs);
    }
    (StatusCode::FOUND, [(header::LOCATION, url.to_string())]).into_response()
}
