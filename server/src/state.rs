//! `AppState`: everything a handler may use, built once at start-up. No statics.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::PgPool;
use uuid::Uuid;

use crate::auth::auth0::{self, Auth0Validator};
use crate::auth::internal::{CachedVerifier, InternalSigner};
use crate::config::{Config, RateLimits};
use crate::rate_limit::{Limiter, SharedLimits};

/// At most this many keys per limiter are remembered.
const MAX_LIMITER_KEYS: usize = 100_000;
/// At most this many verified internal tokens are cached.
const VERIFIED_TOKEN_CACHE: usize = 50_000;

pub struct Limiters {
    pub requests_ip: Limiter<IpAddr>,
    pub exchange_ip: Limiter<IpAddr>,
    pub exchange_user: Limiter<(String, Uuid)>,
    pub data_user: Limiter<(String, Uuid)>,
    /// `/api/me/households` per subject, at the data routes' rate.
    pub me_user: Limiter<String>,
}

impl Limiters {
    /// Each limiter is shared through `shared` (Redis) when given, else per process.
    pub fn new(rates: RateLimits, shared: Option<SharedLimits>) -> Self {
        let max = MAX_LIMITER_KEYS;
        Self {
            requests_ip: Limiter::new("requests_ip", rates.requests_per_ip, max, shared.clone()),
            exchange_ip: Limiter::new("exchange_ip", rates.exchange_per_ip, max, shared.clone()),
            exchange_user: Limiter::new(
                "exchange_user",
                rates.exchange_per_user,
                max,
                shared.clone(),
            ),
            data_user: Limiter::new("data_user", rates.data_per_user, max, shared.clone()),
            me_user: Limiter::new("me_user", rates.data_per_user, max, shared),
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
        // Lazily connected (no await here): a Redis that is down at start-up is an outage
        // like any other, not a reason to refuse to start.
        let shared = config
            .runtime
            .redis_url
            .as_ref()
            .map(SharedLimits::new)
            .transpose()?;
        let limits = Limiters::new(config.runtime.rate_limits, shared);
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
