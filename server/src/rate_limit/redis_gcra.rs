//! Limits shared by every replica (`REDIS_URL`): the GCRA of [`super::KeyedLimiter`], run
//! atomically in Redis by one Lua script (EVALSHA; loaded again after a Redis restart).
//!
//! Keys are `household:rl:<limiter>:<digest>`, the digest a SHA-256 of the subject or the
//! address, so neither shows in clear in `KEYS`, `MONITOR` or a dump. It keeps them out of
//! sight, not secret (every IPv4 address can be hashed): Redis stays on a private network.
//! Each key expires once its burst is whole again, so Redis holds only active clients.
//!
//! When Redis gives no answer within [`TIMEOUT`] (down, unreachable, overloaded), the
//! request is counted by the process's own limiter instead, as without `REDIS_URL`: the
//! service stays up and a client stays bounded, per replica. After a failure Redis is left
//! alone for [`COOL_DOWN`], so an outage adds no latency to every request; the first answer
//! after it ends the outage. Both changes are logged once.

use std::net::IpAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use redis::Script;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::{Rate, retry_after};
use crate::error::AppError;

/// How long a request waits for Redis before its own process decides.
pub const TIMEOUT: Duration = Duration::from_millis(250);
/// How long Redis is not asked after it failed to answer.
pub const COOL_DOWN: Duration = Duration::from_secs(1);
const PREFIX: &str = "household:rl:";

/// What a limiter counts by, as the bytes its Redis key is a digest of.
pub trait LimitKey {
    fn digest_into(&self, hasher: &mut Sha256);
}

impl LimitKey for IpAddr {
    fn digest_into(&self, hasher: &mut Sha256) {
        match self {
            IpAddr::V4(v4) => hasher.update(v4.octets()),
            IpAddr::V6(v6) => hasher.update(v6.octets()),
        }
    }
}

impl LimitKey for String {
    fn digest_into(&self, hasher: &mut Sha256) {
        hasher.update(self.as_bytes());
    }
}

impl LimitKey for (String, Uuid) {
    fn digest_into(&self, hasher: &mut Sha256) {
        // A subject holds no NUL, so the pair reads back one way only.
        hasher.update(self.0.as_bytes());
        hasher.update([0]);
        hasher.update(self.1.as_bytes());
    }
}

/// The Redis connection every limiter of a process shares (cheap to clone).
#[derive(Clone)]
pub struct SharedLimits(Arc<Inner>);

struct Inner {
    redis: ConnectionManager,
    script: Script,
    epoch: Instant,
    /// Milliseconds after `epoch` before which Redis is not asked.
    quiet_until_ms: AtomicU64,
    /// Whether the last attempt got an answer: only changes are logged.
    answering: AtomicBool,
}

impl SharedLimits {
    /// Connects lazily: a Redis that is down at start-up is an outage like any other.
    pub fn new(url: &SecretString) -> anyhow::Result<Self> {
        let client = redis::Client::open(url.expose_secret())
            .map_err(|e| anyhow::anyhow!("REDIS_URL: {:?}", e.kind()))?;
        // One connection attempt per try; the cool-down paces the next.
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(TIMEOUT))
            .set_response_timeout(Some(TIMEOUT))
            .set_number_of_retries(0);
        let redis = ConnectionManager::new_lazy_with_config(client, config)?;
        Ok(Self(Arc::new(Inner {
            redis,
            script: Script::new(include_str!("gcra.lua")),
            epoch: Instant::now(),
            quiet_until_ms: AtomicU64::new(0),
            answering: AtomicBool::new(true),
        })))
    }

    /// Redis's verdict on one more request for `key` under `rate`, or `None` when Redis
    /// gives none (the caller's own limiter decides then).
    pub async fn check(
        &self,
        limiter: &str,
        rate: Rate,
        key: &impl LimitKey,
    ) -> Option<Result<(), AppError>> {
        let inner = &self.0;
        if inner.now_ms() < inner.quiet_until_ms.load(Ordering::Relaxed) {
            return None;
        }
        let mut redis = inner.redis.clone();
        let mut invocation = inner.script.key(redis_key(limiter, key));
        invocation.arg(interval_micros(rate)).arg(rate.burst);
        let answer =
            tokio::time::timeout(TIMEOUT, invocation.invoke_async::<u64>(&mut redis)).await;
        match answer {
            Ok(Ok(wait_micros)) => {
                if !inner.answering.swap(true, Ordering::Relaxed) {
                    tracing::info!("Redis answers again: rate limits are shared by the replicas");
                }
                Some(match wait_micros {
                    0 => Ok(()),
                    wait => Err(retry_after(Duration::from_micros(wait))),
                })
            }
            Ok(Err(e)) => inner.failed(&e.to_string()),
            Err(_) => inner.failed("no answer in time"),
        }
    }
}

impl Inner {
    fn now_ms(&self) -> u64 {
        u64::try_from(self.epoch.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    fn failed<T>(&self, why: &str) -> Option<T> {
        let until = self.now_ms().saturating_add(COOL_DOWN.as_millis() as u64);
        self.quiet_until_ms.store(until, Ordering::Relaxed);
        if self.answering.swap(false, Ordering::Relaxed) {
            tracing::warn!(
                error = why,
                "Redis gives no answer: each replica limits on its own until it does"
            );
        }
        None
    }
}

/// The GCRA emission interval, whole microseconds (rounded up: never looser than `rate`).
fn interval_micros(rate: Rate) -> u64 {
    1_000_000u64.div_ceil(u64::from(rate.per_second.max(1)))
}

fn redis_key(limiter: &str, key: &impl LimitKey) -> String {
    let mut hasher = Sha256::new();
    key.digest_into(&mut hasher);
    let digest = hasher.finalize();
    format!(
        "{PREFIX}{limiter}:{}",
        URL_SAFE_NO_PAD.encode(&digest[..16])
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_name_the_limiter_but_not_the_subject() {
        let key = redis_key("data_user", &("auth0|alice".to_owned(), Uuid::nil()));
        assert!(key.starts_with("household:rl:data_user:"), "{key}");
        assert!(!key.contains("alice"), "{key}");
        let ip: IpAddr = "192.0.2.7".parse().unwrap();
        assert!(!redis_key("requests_ip", &ip).contains("192"));
        assert_ne!(
            redis_key("me_user", &"a".to_owned()),
            redis_key("me_user", &"b".to_owned())
        );
    }

    #[test]
    fn the_interval_is_never_shorter_than_the_rate_allows() {
        let rate = |per_second| Rate {
            per_second,
            burst: 1,
        };
        assert_eq!(interval_micros(rate(20)), 50_000);
        assert_eq!(interval_micros(rate(3)), 333_334);
        assert_eq!(interval_micros(rate(u32::MAX)), 1);
    }
}
