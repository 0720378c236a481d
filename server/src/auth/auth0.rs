//! Validation of the identity provider's (Auth0's) RS256 access tokens.
//!
//! Keys come from the issuer's OpenID discovery document. A background task
//! ([`Auth0Validator::spawn_refresh`]) fetches them at start and then every
//! `jwks_refresh` (10 minutes), retrying a failure after 1 s, 2 s, 4 s… (at most the
//! interval): once warm, no sign-in waits on a fetch. Each refresh replaces the whole key
//! set, so a key removed at the issuer stops being trusted at the first refresh after its
//! removal, at most one interval later. A `kid` the cache does not know (a key added since
//! the last refresh, or one made up) may trigger one fetch on the request's path, at most
//! one per cooldown (30 s), and concurrent misses wait for that one fetch (a mutex held
//! across it). When the JWKS cannot be fetched the cached keys keep working, for at most
//! [`MAX_UNREFRESHED_AGE`] after their last successful fetch; with none the caller gets a
//! 503, never a panic. The algorithm is pinned to RS256 here, never taken from the token;
//! `jku`/`x5u`/`jwk` headers are ignored; JWKS entries that are not RSA signing keys are
//! never used.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use jsonwebtoken::jwk::{AlgorithmParameters, Jwk, KeyAlgorithm, PublicKeyUse};
use jsonwebtoken::{Algorithm, DecodingKey, Validation, decode, decode_header};
use serde::Deserialize;

use super::{acceptable_kid, well_formed};
use crate::config::{Auth0Config, check_issuer};
use crate::error::AppError;

/// Clock skew tolerated on `exp`, `nbf` and `iat`.
pub const LEEWAY_SECS: u64 = 60;
/// Least time between two fetches of the JWKS caused by unknown `kid`s.
pub const DEFAULT_COOLDOWN: Duration = Duration::from_secs(30);
/// How often the background task refreshes the keys: the longest a key removed at the
/// issuer stays trusted while the issuer answers.
pub const DEFAULT_REFRESH: Duration = Duration::from_secs(10 * 60);
/// The first retry after a failed refresh; each further failure doubles it, up to the
/// refresh interval.
const FIRST_RETRY: Duration = Duration::from_secs(1);
/// Keys not refreshed successfully for this long are no longer trusted: an issuer that
/// stays unreachable (or a fetch that an attacker blocks) cannot keep a removed key alive
/// for ever. Auth0's longest default access-token lifetime, so an outage shorter than a
/// token's life costs no sign-in.
pub const MAX_UNREFRESHED_AGE: Duration = Duration::from_secs(24 * 60 * 60);
const MAX_DOCUMENT_BYTES: usize = 256 * 1024;

/// The claims we read from an access token. Typed: a claim of the wrong JSON type fails
/// deserialisation, which is a rejection, not a skipped check.
#[derive(Debug, Clone, Deserialize)]
pub struct Auth0Claims {
    pub sub: String,
    pub iss: String,
    pub exp: u64,
    #[serde(default)]
    pub nbf: Option<u64>,
    #[serde(default)]
    pub iat: Option<u64>,
    pub aud: Audience,
    #[serde(default)]
    pub azp: Option<String>,
}

/// What `/userinfo` says of a person; `name` and `email` only with the `profile` and
/// `email` scopes.
#[derive(Debug, Clone, Deserialize)]
pub struct UserInfo {
    pub sub: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
}

/// `aud` may be one string or an array of them.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum Audience {
    One(String),
    Many(Vec<String>),
}

/// Where the issuer's discovery document says its keys and its `/userinfo` are.
#[derive(Debug, Clone)]
struct Endpoints {
    jwks_uri: String,
    userinfo: Option<String>,
}

#[derive(Default)]
struct KeyCache {
    keys: HashMap<String, DecodingKey>,
    endpoints: Option<Endpoints>,
    loaded_at: Option<Instant>,
    last_attempt: Option<Instant>,
}

pub struct Auth0Validator {
    issuer: String,
    validation: Validation,
    /// `azp` values accepted (`AUTH0_ALLOWED_CLIENT_IDS`).
    allowed_client_ids: Vec<String>,
    http: reqwest::Client,
    cache: RwLock<KeyCache>,
    fetch_lock: tokio::sync::Mutex<()>,
    cooldown: Duration,
    fetches: AtomicU64,
    /// Fetch outcomes (`ok`, `error`), when metrics are kept.
    outcomes: Option<prometheus::IntCounterVec>,
}

#[derive(Debug, thiserror::Error)]
pub enum Auth0Error {
    #[error("invalid token: {0}")]
    Invalid(&'static str),
    #[error("the identity provider's keys are unavailable")]
    KeysUnavailable,
}

impl From<Auth0Error> for AppError {
    fn from(e: Auth0Error) -> Self {
        match e {
            Auth0Error::Invalid(_) => AppError::Unauthorized("the access token is not valid"),
            Auth0Error::KeysUnavailable => {
                AppError::Unavailable("the identity provider's signing keys are unavailable")
            }
        }
    }
}

impl Auth0Validator {
    pub fn new(config: &Auth0Config, cooldown: Duration) -> anyhow::Result<Self> {
        let mut validation = Validation::new(Algorithm::RS256);
        validation.leeway = LEEWAY_SECS;
        validation.validate_exp = true;
        validation.validate_nbf = true;
        validation.validate_aud = true;
        validation.set_audience(&[&config.audience]);
        validation.set_issuer(&[&config.issuer]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(3))
            .timeout(Duration::from_secs(5))
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        Ok(Self {
            issuer: config.issuer.clone(),
            validation,
            allowed_client_ids: config.allowed_client_ids.clone(),
            http,
            cache: RwLock::default(),
            fetch_lock: tokio::sync::Mutex::new(()),
            cooldown,
            fetches: AtomicU64::new(0),
            outcomes: None,
        })
    }

    /// Counts each fetch on `outcomes`, labelled `ok` or `error`.
    pub fn counting(mut self, outcomes: prometheus::IntCounterVec) -> Self {
        self.outcomes = Some(outcomes);
        self
    }

    /// Keeps the keys fresh until the validator is dropped: a fetch now, then one whenever
    /// the keys are `interval` old; after a failure, retries at 1 s, 2 s, 4 s… (at most
    /// `interval`). Must be called within a Tokio runtime.
    pub fn spawn_refresh(self: &Arc<Self>, interval: Duration) -> tokio::task::JoinHandle<()> {
        let validator = Arc::downgrade(self);
        tokio::spawn(async move {
            let mut retry = FIRST_RETRY;
            loop {
                let Some(v) = validator.upgrade() else { return };
                let wait = match v.refresh_if_older(interval).await {
                    Ok(age) => {
                        retry = FIRST_RETRY;
                        interval.saturating_sub(age)
                    }
                    Err(_) => {
                        let wait = retry.min(interval);
                        retry = retry.saturating_mul(2);
                        wait
                    }
                };
                drop(v);
                tokio::time::sleep(wait.max(Duration::from_millis(10))).await;
            }
        })
    }

    /// Fetches the keys unless those held were fetched less than `max_age` ago. Returns
    /// the age of the keys held afterwards.
    async fn refresh_if_older(&self, max_age: Duration) -> anyhow::Result<Duration> {
        let _one_fetch = self.fetch_lock.lock().await;
        if let Some(age) = self.age().filter(|age| *age < max_age) {
            return Ok(age);
        }
        self.fetch_and_store().await?;
        Ok(Duration::ZERO)
    }

    /// How long ago the keys held were fetched.
    fn age(&self) -> Option<Duration> {
        let c = self.cache.read().unwrap_or_else(|e| e.into_inner());
        c.loaded_at.map(|t| t.elapsed())
    }

    /// How many times the JWKS was fetched (for tests and metrics).
    pub fn jwks_fetches(&self) -> u64 {
        self.fetches.load(Ordering::Relaxed)
    }

    /// Validates an access token and returns its claims.
    pub async fn validate(&self, token: &str) -> Result<Auth0Claims, Auth0Error> {
        if !well_formed(token) {
            return Err(Auth0Error::Invalid("malformed"));
        }
        let header = decode_header(token).map_err(|_| Auth0Error::Invalid("header"))?;
        if header.alg != Algorithm::RS256 {
            return Err(Auth0Error::Invalid("algorithm"));
        }
        let kid = header.kid.ok_or(Auth0Error::Invalid("no kid"))?;
        if !acceptable_kid(&kid) {
            return Err(Auth0Error::Invalid("kid"));
        }
        let key = self.key(&kid).await?;
        let data = decode::<Auth0Claims>(token, &key, &self.validation)
            .map_err(|_| Auth0Error::Invalid("rejected"))?;
        let now = jsonwebtoken::get_current_timestamp();
        if data.claims.iat.is_some_and(|iat| iat > now + LEEWAY_SECS) {
            return Err(Auth0Error::Invalid("issued in the future"));
        }
        // The audience says the token is for this API; `azp` says which application holds
        // it. Without this check any client with a token for the audience (a
        // machine-to-machine client, a third-party app the person consented to) would act
        // as the person. A token without `azp` is refused: fail closed.
        let client = data.claims.azp.as_deref();
        if !client.is_some_and(|c| self.allowed_client_ids.iter().any(|a| a == c)) {
            return Err(Auth0Error::Invalid("client not allowed"));
        }
        // A subject no person could have (empty, over 255 characters, a NUL) would fail in
        // the database; no identity provider issues one, so it is a token to refuse.
        if shared::text::check_subject("sub", &data.claims.sub).is_err() {
            return Err(Auth0Error::Invalid("subject"));
        }
        Ok(data.claims)
    }

    async fn key(&self, kid: &str) -> Result<DecodingKey, Auth0Error> {
        if let Some(key) = self.cached(kid) {
            return Ok(key);
        }
        let _one_fetch = self.fetch_lock.lock().await;
        // Whoever held the lock before us may have fetched what we need.
        if let Some(key) = self.cached(kid) {
            return Ok(key);
        }
        let may_fetch = {
            let c = self.cache.read().unwrap_or_else(|e| e.into_inner());
            c.last_attempt.is_none_or(|t| t.elapsed() >= self.cooldown)
        };
        // Whatever the reason (first use before the background fetch landed, a key added
        // since the last refresh, a made-up kid), at most one fetch per cooldown: a flood
        // of made-up kids or a dead identity provider costs one request.
        if may_fetch {
            let _ = self.fetch_and_store().await;
        }
        if self.age().is_none_or(|age| age >= MAX_UNREFRESHED_AGE) {
            return Err(Auth0Error::KeysUnavailable);
        }
        self.cached(kid).ok_or(Auth0Error::Invalid("unknown kid"))
    }

    /// Fetches the keys and, on success, replaces the whole set. The caller holds
    /// `fetch_lock`.
    async fn fetch_and_store(&self) -> anyhow::Result<()> {
        let result = self.fetch().await;
        if let Some(outcomes) = &self.outcomes {
            let outcome = if result.is_ok() { "ok" } else { "error" };
            outcomes.with_label_values(&[outcome]).inc();
        }
        let mut c = self.cache.write().unwrap_or_else(|e| e.into_inner());
        c.last_attempt = Some(Instant::now());
        match result {
            Ok((endpoints, keys)) => {
                c.keys = keys;
                c.endpoints = Some(endpoints);
                c.loaded_at = Some(Instant::now());
                Ok(())
            }
            Err(e) => {
                tracing::warn!(error = %e, issuer = %self.issuer, "fetching the identity provider's keys failed");
                Err(e)
            }
        }
    }

    /// The key named `kid`, from keys refreshed within [`MAX_UNREFRESHED_AGE`].
    fn cached(&self, kid: &str) -> Option<DecodingKey> {
        let c = self.cache.read().unwrap_or_else(|e| e.into_inner());
        let trusted = c
            .loaded_at
            .is_some_and(|t| t.elapsed() < MAX_UNREFRESHED_AGE);
        if trusted {
            c.keys.get(kid).cloned()
        } else {
            None
        }
    }

    fn endpoints(&self) -> Option<Endpoints> {
        let c = self.cache.read().unwrap_or_else(|e| e.into_inner());
        c.endpoints.clone()
    }

    async fn fetch(&self) -> anyhow::Result<(Endpoints, HashMap<String, DecodingKey>)> {
        let endpoints = match self.endpoints() {
            Some(known) => known,
            None => self.discover().await?,
        };
        self.fetches.fetch_add(1, Ordering::Relaxed);
        let jwks: serde_json::Value = self.get_json(&endpoints.jwks_uri, None).await?;
        let entries = jwks
            .get("keys")
            .and_then(|k| k.as_array())
            .ok_or_else(|| anyhow::anyhow!("JWKS has no keys array"))?;
        Ok((endpoints, entries.iter().filter_map(signing_key).collect()))
    }

    /// The person's name and e-mail from the issuer's `/userinfo` (OpenID Connect Core
    /// §5.3), asked with their access token (`token`, already validated). Auth0 answers
    /// for tokens with `openid` among their scopes; `sub` must be the token's.
    pub async fn userinfo(&self, token: &str, sub: &str) -> anyhow::Result<UserInfo> {
        let endpoints = match self.endpoints() {
            Some(known) => known,
            None => self.discover().await?,
        };
        let url = endpoints
            .userinfo
            .ok_or_else(|| anyhow::anyhow!("the issuer publishes no userinfo_endpoint"))?;
        let info: UserInfo = serde_json::from_value(self.get_json(&url, Some(token)).await?)?;
        anyhow::ensure!(info.sub == sub, "userinfo answered for another subject");
        Ok(info)
    }

    async fn discover(&self) -> anyhow::Result<Endpoints> {
        #[derive(Deserialize)]
        struct Discovery {
            issuer: String,
            jwks_uri: String,
            #[serde(default)]
            userinfo_endpoint: Option<String>,
        }
        let url = format!(
            "{}/.well-known/openid-configuration",
            self.issuer.trim_end_matches('/')
        );
        let doc: Discovery = serde_json::from_value(self.get_json(&url, None).await?)?;
        anyhow::ensure!(
            doc.issuer == self.issuer,
            "discovery names issuer {:?}, expected {:?}",
            doc.issuer,
            self.issuer
        );
        check_issuer(&doc.jwks_uri).map_err(|e| anyhow::anyhow!("jwks_uri: {e}"))?;
        // An endpoint that would not be accepted as an issuer is not asked with a token.
        let userinfo = doc.userinfo_endpoint.filter(|u| check_issuer(u).is_ok());
        Ok(Endpoints {
            jwks_uri: doc.jwks_uri,
            userinfo,
        })
    }

    async fn get_json(&self, url: &str, bearer: Option<&str>) -> anyhow::Result<serde_json::Value> {
        let mut request = self.http.get(url);
        if let Some(token) = bearer {
            request = request.bearer_auth(token);
        }
        let response = request.send().await?.error_for_status()?;
        if response
            .content_length()
            .is_some_and(|n| n as usize > MAX_DOCUMENT_BYTES)
        {
            anyhow::bail!("{url} is too large");
        }
        let body = response.bytes().await?;
        anyhow::ensure!(body.len() <= MAX_DOCUMENT_BYTES, "{url} is too large");
        Ok(serde_json::from_slice(&body)?)
    }
}

/// An RSA signature key usable for RS256, or nothing. Entries we cannot parse, symmetric
/// (`oct`), encryption (`use: enc`) or other-algorithm keys are skipped, one by one.
fn signing_key(entry: &serde_json::Value) -> Option<(String, DecodingKey)> {
    let jwk: Jwk = serde_json::from_value(entry.clone()).ok()?;
    let AlgorithmParameters::RSA(rsa) = &jwk.algorithm else {
        return None;
    };
    if jwk
        .common
        .public_key_use
        .as_ref()
        .is_some_and(|u| *u != PublicKeyUse::Signature)
    {
        return None;
    }
    if jwk
        .common
        .key_algorithm
        .is_some_and(|a| a != KeyAlgorithm::RS256)
    {
        return None;
    }
    let kid = jwk.common.key_id.clone().filter(|k| acceptable_kid(k))?;
    let key = DecodingKey::from_rsa_components(&rsa.n, &rsa.e).ok()?;
    Some((kid, key))
}
