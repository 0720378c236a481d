//! `AppState`: everything a handler may use, built once at start-up. No statics.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::PgPool;
use uuid::Uuid;

use crate::auth::auth0::{self, Auth0Validator};
use crate::auth::internal::{CachedVerifier, InternalSigner};
use crate::config::{Config, Rate, RateLimits};
use crate::metrics::Metrics;
use crate::rate_limit::{LimitKey, Limiter, SharedLimits};

/// At most this many keys per limiter are remembered.
const MAX_LIMITER_KEYS: usize = 100_000;
/// At most this many verified internal tokens are cached.
const VERIFIED_TOKEN_CACHE: usize = 50_000;

pub struct Limiters {
    pub requests_ip: Limiter<IpAddr>,
    pub exchange_ip: Limiter<IpAddr>,
    pub exchange_user: Limiter<(String, Uuid)>,
    pub data_user: Limiter<(String, Uuid)>,
    /// Data routes per subject across its households (`RATE_LIMIT_DATA_PER_ACCOUNT`).
    pub data_account: Limiter<String>,
    /// `/api/me/households` per subject, at the data routes' rate.
    pub me_user: Limiter<String>,
}

fn limiter<K: LimitKey + Eq + std::hash::Hash + Clone + Send + Sync + 'static>(
    name: &'static str,
    rate: Rate,
    shared: Option<&SharedLimits>,
    metrics: &Metrics,
) -> Limiter<K> {
    Limiter::new(name, rate, MAX_LIMITER_KEYS, shared.cloned())
        .counting(metrics.rate_limit_refusals(name))
}

impl Limiters {
    /// Each limiter is shared through `shared` (Redis) when given, else per process, and
    /// counts its refusals under its own name.
    pub fn new(rates: RateLimits, shared: Option<SharedLimits>, metrics: &Metrics) -> Self {
        let shared = shared.as_ref();
        Self {
            requests_ip: limiter("requests_per_ip", rates.requests_per_ip, shared, metrics),
            exchange_ip: limiter("exchange_per_ip", rates.exchange_per_ip, shared, metrics),
            exchange_user: limiter(
                "exchange_per_user",
                rates.exchange_per_user,
                shared,
                metrics,
            ),
            data_user: limiter("data_per_user", rates.data_per_user, shared, metrics),
            data_account: limiter("data_per_account", rates.data_per_account, shared, metrics),
            me_user: limiter("me_per_user", rates.data_per_user, shared, metrics),
        }
    }
}

#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    pub db: PgPool,
    /// Proves each household context to the database ([`crate::db::context`]).
    pub context_key: Arc<crate::db::context::ContextKey>,
    pub auth0: Arc<Auth0Validator>,
    pub signer: Arc<InternalSigner>,
    pub verifier: Arc<CachedVerifier>,
    pub limits: Arc<Limiters>,
    /// Statements in flight per household and account ([`crate::fair_share`]).
    pub shares: Arc<crate::fair_share::FairShares>,
    pub metrics: Arc<Metrics>,
    /// When people's names are next asked for ([`crate::profiles`]).
    pub profiles: Arc<crate::profiles::Profiles>,
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
    /// Refreshes `sub`'s name when due ([`crate::profiles`]); `token` is their access token,
    /// validated.
    pub async fn refresh_profile(&self, sub: &str, token: &str) {
        let sources = crate::profiles::Sources {
            db: &self.db,
            key: &self.context_key,
            auth0: &self.auth0,
        };
        self.profiles.refresh(sources, sub, token).await;
    }

    /// [`Self::refresh_profile`] in the background, so that the caller does not wait.
    pub fn refresh_profile_later(&self, sub: &str, token: &str) {
        if !self.profiles.due(sub) {
            return;
        }
        let (state, sub, token) = (self.clone(), sub.to_owned(), token.to_owned());
        tokio::spawn(async move { state.refresh_profile(&sub, &token).await });
    }

    /// Builds the state and starts the background refresh of the identity provider's keys
    /// (so it must be called within a Tokio runtime); the task ends when the last clone
    /// of the state is dropped.
    pub fn new(
        config: Config,
        db: PgPool,
        context_key: crate::db::context::ContextKey,
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
        // Lazily connected (no await here): a Redis that is down at start-up is an outage
        // like any other, not a reason to refuse to start.
        let shared = config
            .runtime
            .redis_url
            .as_ref()
            .map(SharedLimits::new)
            .transpose()?;
        let limits = Limiters::new(config.runtime.rate_limits, shared, &metrics);
        let shares = crate::fair_share::FairShares::new(
            config.runtime.max_in_flight_per_household,
            config.runtime.max_in_flight_per_account,
            Duration::from_millis(config.runtime.timeouts.acquire_ms),
        );
        Ok(Self {
            config: Arc::new(config),
            db,
            context_key: Arc::new(context_key),
            auth0,
            signer: Arc::new(signer),
            verifier: Arc::new(verifier),
            limits: Arc::new(limits),
            shares: Arc::new(shares),
            metrics: Arc::new(metrics),
            profiles: Arc::default(),
        })
    }
}
