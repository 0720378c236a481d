//! `AppState`: everything a handler may use, built once at start-up. No statics.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::PgPool;
use uuid::Uuid;

use crate::auth::auth0::{self, Auth0Validator};
use crate::auth::internal::{CachedVerifier, InternalSigner};
use crate::config::{Config, RateLimits};
use crate::metrics::Metrics;
use crate::rate_limit::KeyedLimiter;

/// At most this many keys per limiter are remembered.
const MAX_LIMITER_KEYS: usize = 100_000;
/// At most this many verified internal tokens are cached.
const VERIFIED_TOKEN_CACHE: usize = 50_000;

pub struct Limiters {
    pub requests_ip: KeyedLimiter<IpAddr>,
    pub exchange_ip: KeyedLimiter<IpAddr>,
    pub exchange_user: KeyedLimiter<(String, Uuid)>,
    pub data_user: KeyedLimiter<(String, Uuid)>,
    /// `/api/me/households` per subject, at the data routes' rate.
    pub me_user: KeyedLimiter<String>,
}

impl Limiters {
    /// The limiters, each counting its refusals under its own name.
    pub fn new(rates: RateLimits, metrics: &Metrics) -> Self {
        fn limiter<K: Eq + std::hash::Hash + Clone + Send + Sync + 'static>(
            rate: crate::rate_limit::Rate,
            name: &'static str,
            metrics: &Metrics,
        ) -> KeyedLimiter<K> {
            KeyedLimiter::new(rate, MAX_LIMITER_KEYS).counting(metrics.rate_limit_refusals(name))
        }
        Self {
            requests_ip: limiter(rates.requests_per_ip, "requests_per_ip", metrics),
            exchange_ip: limiter(rates.exchange_per_ip, "exchange_per_ip", metrics),
            exchange_user: limiter(rates.exchange_per_user, "exchange_per_user", metrics),
            data_user: limiter(rates.data_per_user, "data_per_user", metrics),
            me_user: limiter(rates.data_per_user, "me_per_user", metrics),
        }
    }
}

#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    pub db: PgPool,
    pub auth0: Arc<Auth0Validator>,
    pub signer: Arc<InternalSigner>,
    pub verifier: Arc<CachedVerifier>,
    pub limits: Arc<Limiters>,
    pub metrics: Arc<Metrics>,
}

/// The knobs tests turn that are no setting; production uses the defaults.
#[derive(Debug, Clone, Copy)]
pub struct Tuning {
    pub jwks_cooldown: Duration,
    /// How often the identity provider's keys are refreshed in the background.
    pub jwks_refresh: Duration,
}

impl Default for Tuning {
    fn default() -> Self {
        Self {
            jwks_cooldown: auth0::DEFAULT_COOLDOWN,
            jwks_refresh: auth0::DEFAULT_REFRESH,
        }
    }
}

impl AppState {
    /// Builds the state and starts the background refresh of the identity provider's keys
    /// (so it must be called within a Tokio runtime); the task ends when the last clone
    /// of the state is dropped.
    pub fn new(
        config: Config,
        db: PgPool,
        signer: InternalSigner,
        tuning: Tuning,
    ) -> anyhow::Result<Self> {
        let metrics = Metrics::new()?;
        let auth0 = Arc::new(
            Auth0Validator::new(&config.auth0, tuning.jwks_cooldown)?
                .counting(metrics.jwks_fetches()),
        );
        auth0.spawn_refresh(tuning.jwks_refresh);
        let verifier = CachedVerifier::new(signer.verifier(), VERIFIED_TOKEN_CACHE)
            .counting(metrics.token_cache());
        let limits = Limiters::new(config.runtime.rate_limits, &metrics);
        Ok(Self {
            config: Arc::new(config),
            db,
            auth0,
            signer: Arc::new(signer),
            verifier: Arc::new(verifier),
            limits: Arc::new(limits),
            metrics: Arc::new(metrics),
        })
    }
}
