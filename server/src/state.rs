//! `AppState`: everything a handler may use, built once at start-up. No statics.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::PgPool;
use uuid::Uuid;

use crate::auth::auth0::{self, Auth0Validator};
use crate::auth::internal::{CachedVerifier, InternalSigner};
use crate::config::{Config, RateLimits};
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
    pub fn new(rates: RateLimits) -> Self {
        Self {
            requests_ip: KeyedLimiter::new(rates.requests_per_ip, MAX_LIMITER_KEYS),
            exchange_ip: KeyedLimiter::new(rates.exchange_per_ip, MAX_LIMITER_KEYS),
            exchange_user: KeyedLimiter::new(rates.exchange_per_user, MAX_LIMITER_KEYS),
            data_user: KeyedLimiter::new(rates.data_per_user, MAX_LIMITER_KEYS),
            me_user: KeyedLimiter::new(rates.data_per_user, MAX_LIMITER_KEYS),
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
}

/// The knobs tests turn that are no setting; production uses the defaults.
#[derive(Debug, Clone, Copy)]
pub struct Tuning {
    pub jwks_cooldown: Duration,
}

impl Default for Tuning {
    fn default() -> Self {
        Self {
            jwks_cooldown: auth0::DEFAULT_COOLDOWN,
        }
    }
}

impl AppState {
    pub fn new(
        config: Config,
        db: PgPool,
        signer: InternalSigner,
        tuning: Tuning,
    ) -> anyhow::Result<Self> {
        let auth0 = Auth0Validator::new(&config.auth0, tuning.jwks_cooldown)?;
        let verifier = CachedVerifier::new(signer.verifier(), VERIFIED_TOKEN_CACHE);
        let limits = Limiters::new(config.runtime.rate_limits);
        Ok(Self {
            config: Arc::new(config),
            db,
            auth0: Arc::new(auth0),
            signer: Arc::new(signer),
            verifier: Arc::new(verifier),
            limits: Arc::new(limits),
        })
    }
}
