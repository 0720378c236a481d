//! The standalone page's own login: OpenID Connect Authorization Code with PKCE, as a
//! public client of the issuer that `/config.json` names (Auth0, or `server dev`'s development issuer).
//!
//! - The redirect URI is the app's base URL, `document.baseURI`, which trunk writes from its
//!   `public_url` into `<base data-trunk-public-url>`: `{origin}/mfe/` when the server serves
//!   the bundle, `{origin}/` under `trunk serve --public-url /`. The issuer compares it
//!   exactly, so it is derived from where the page really is, never configured.
//! - What is kept while the browser is at the issuer, and how its answer is taken back, is
//!   `callback`.
//! - Tokens live in memory only; a reload signs in again. `state` ties the answer to this
//!   tab's request; the ID token's `nonce` ties the tokens to it. The ID token's signature
//!   is not checked: it came straight from the token endpoint (see `crate::jwt`).
//!
//! The requests go through `api::fetch` like every other call, and the answers through
//! `crate::json`.

use web_sys::{Url, UrlSearchParams};

use super::browser::window;
use super::callback::{Callback, Pending};
use super::error::LoginError;
use super::pkce;
use crate::api::{self, Body, now_secs};
use crate::json::Decode;
use crate::jwt::Claims;

const SCOPE: &str = "openid profile email";

/// `GET /config.json`: where to sign in and which API to call.
#[derive(Debug, Clone, Decode)]
pub struct Config {
    pub issuer: String,
    pub client_id: String,
    pub audience: String,
    /// Base URL of the API; empty for this origin.
    #[serde(default)]
    pub api_base: String,
}

/// The parts of the issuer's discovery document the login uses.
#[derive(Debug, Clone, Decode)]
struct Discovery {
    authorization_endpoint: String,
    token_endpoint: String,
    end_session_endpoint: Option<String>,
}

/// A sign-in: the Auth0 access token, in memory only.
#[derive(Debug, Clone, PartialEq)]
pub struct Session {
    pub access_token: String,
    /// Seconds since the epoch, by the browser's clock.
    pub expires_at: f64,
    /// Who signed in: the ID token's name, e-mail or subject.
    pub user: String,
}

impl Session {
    /// Whether the access token is still worth sending: not within 30 s of expiry.
    pub fn usable(&self) -> bool {
        now_secs() < self.expires_at - 30.0
    }
}

/// A login client for one issuer, at one redirect URI.
#[derive(Debug, Clone)]
pub struct Oidc {
    pub config: Config,
    discovery: Discovery,
    redirect_uri: String,
}

impl Oidc {
    /// Reads `/config.json` and the issuer's discovery document.
    pub async fn discover(redirect_uri: String) -> Result<Self, LoginError> {
        let config: Config = fetch_json(shared::paths::CONFIG).await?;
        let discovery = format!("{}.well-known/openid-configuration", config.issuer);
        let discovery = fetch_json(&discovery).await?;
        Ok(Self {
            config,
            discovery,
            redirect_uri,
        })
    }

    /// Sends the browser to the issuer; it comes back to the redirect URI.
    pub async fn login(&self, return_to: String) -> Result<(), LoginError> {
        let pending = Pending {
            verifier: pkce::random(pkce::VERIFIER_BYTES)?,
            state: pkce::random(16)?,
            nonce: pkce::random(16)?,
            return_to,
        };
        let challenge = pkce::challenge(&pending.verifier).await?;
        let url = Url::new(&self.discovery.authorization_endpoint)?;
        let query = url.search_params();
        for (name, value) in [
            ("response_type", "code"),
            ("client_id", &self.config.client_id),
            ("redirect_uri", &self.redirect_uri),
            ("audience", &self.config.audience),
            ("scope", SCOPE),
            ("state", &pending.state),
            ("nonce", &pending.nonce),
            ("code_challenge", &challenge),
            ("code_challenge_method", "S256"),
        ] {
            query.append(name, value);
        }
        pending.save()?;
        Ok(window()?.location().assign(&url.href())?)
    }

    /// Trades the answer's code for tokens, after checking `state` and then `nonce`.
    pub async fn finish(&self, callback: Callback) -> Result<Session, LoginError> {
        let Some(pending) = callback.pending.filter(|p| p.state == callback.state) else {
            return Err(LoginError(
                "The sign-in answer does not belong to this tab; please sign in again.".into(),
            ));
        };
        let code = match (callback.code, callback.error) {
            (_, Some(error)) => return Err(LoginError(format!("Sign-in failed: {error}"))),
            (Some(code), None) => code,
            (None, None) => return Err(LoginError("The sign-in answer has no code.".into())),
        };
        let form = UrlSearchParams::new()?;
        for (name, value) in [
            ("grant_type", "authorization_code"),
            ("client_id", &self.config.client_id),
            ("code", &code),
            ("code_verifier", &pending.verifier),
            ("redirect_uri", &self.redirect_uri),
        ] {
            form.append(name, value);
        }
        let endpoint = &self.discovery.token_endpoint;
        let response = api::fetch("POST", endpoint, None, Body::Form(&form), None)
            .await
            .map_err(|_| no_answer(endpoint))?;
        if !response.ok() {
            let error: OAuthError = api::json(&response).await.unwrap_or_default();
            let why = error.error_description.or(error.error).unwrap_or_default();
            return Err(LoginError(format!("The identity provider refused: {why}")));
        }
        let tokens: Tokens = api::json(&response)
            .await
            .map_err(|_| bad_answer(endpoint))?;
        let claims = Claims::of(&tokens.id_token);
        let claim = |name| claims.as_ref().and_then(|c| c.string(name));
        if claim("nonce") != Some(pending.nonce) {
            return Err(LoginError(
                "The sign-in answer was replayed; please sign in again.".into(),
            ));
        }
        let user = claim("name")
            .or_else(|| claim("email"))
            .or_else(|| claim("sub"));
        Ok(Session {
            access_token: tokens.access_token,
            expires_at: now_secs() + tokens.expires_in,
            user: user.unwrap_or_else(|| "signed in".to_owned()),
        })
    }

    /// Ends the issuer's session too, then comes back to the app signed out.
    pub fn logout(&self) -> Result<(), LoginError> {
        let endpoint = match &self.discovery.end_session_endpoint {
            Some(endpoint) => endpoint.clone(),
            // Auth0 lists it only when RP-initiated logout is on; `/v2/logout` always works.
            None => format!("{}v2/logout", self.config.issuer),
        };
        let url = Url::new(&endpoint)?;
        url.search_params()
            .append("client_id", &self.config.client_id);
        url.search_params().append("returnTo", &self.redirect_uri);
        Ok(window()?.location().assign(&url.href())?)
    }
}

#[derive(Decode)]
struct Tokens {
    access_token: String,
    id_token: String,
    expires_in: f64,
}

/// RFC 6749 §5.2.
#[derive(Default, Decode)]
struct OAuthError {
    error: Option<String>,
    error_description: Option<String>,
}

/// `GET url` from the issuer or our server, as JSON.
async fn fetch_json<T: Decode>(url: &str) -> Result<T, LoginError> {
    let response = api::fetch("GET", url, None, Body::Empty, None)
        .await
        .map_err(|_| no_answer(url))?;
    if !response.ok() {
        let status = response.status();
        return Err(LoginError(format!(
            "{url} answered {status}; is the server running?"
        )));
    }
    api::json(&response).await.map_err(|_| bad_answer(url))
}

fn no_answer(url: &str) -> LoginError {
    LoginError(format!("{url} could not be reached."))
}

fn bad_answer(url: &str) -> LoginError {
    LoginError(format!("{url} sent an unexpected answer."))
}
