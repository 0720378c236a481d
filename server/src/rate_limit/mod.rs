//! Keyed rate limits with bounded memory, shared by the replicas when `REDIS_URL` is set.
//!
//! Each key gets a GCRA limiter from `governor`; the limiters live in a `quick_cache`
//! of fixed capacity, so a flood of distinct keys (spoofed subjects, IPv6 addresses)
//! evicts the least recently used keys instead of growing without bound. With Redis,
//! [`redis_gcra`] runs the same rule on state every replica sees, and these per-process
//! limiters are the fallback while Redis gives no answer.

mod redis_gcra;

use std::convert::Infallible;
use std::hash::Hash;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use quick_cache::sync::Cache;

use crate::config::Rate;
use crate::error::{AppError, RatePolicy};

pub use redis_gcra::{LimitKey, SharedLimits};

/// The GCRA quota of `rate`.
fn quota(rate: Rate) -> Quota {
    let per_second = NonZeroU32::new(rate.per_second.max(1)).unwrap_or(NonZeroU32::MIN);
    let burst = NonZeroU32::new(rate.burst.max(1)).unwrap_or(NonZeroU32::MIN);
    Quota::per_second(per_second).allow_burst(burst)
}

pub struct KeyedLimiter<K: Eq + Hash + Clone + Send + Sync + 'static> {
    quota: Quota,
    clock: DefaultClock,
    limiters: Cache<K, Arc<DefaultDirectRateLimiter>>,
}

impl<K: Eq + Hash + Clone + Send + Sync + 'static> KeyedLimiter<K> {
    pub fn new(rate: Rate, max_keys: usize) -> Self {
        Self {
            quota: quota(rate),
            clock: DefaultClock::default(),
            limiters: Cache::new(max_keys),
        }
    }

    /// Counts one request for `key`: a 429 with the seconds to wait when over the rate.
    pub fn check(&self, key: &K) -> Result<(), AppError> {
        let limiter = self
            .limiters
            .get_or_insert_with(key, || {
                Ok::<_, Infallible>(Arc::new(RateLimiter::direct(self.quota)))
            })
            .unwrap_or_else(|never| match never {});
        limiter
            .check()
            .map_err(|not_until| retry_after(not_until.wait_time_from(self.clock.now())))
    }
}

/// A 429 telling the client to wait `wait`, in whole seconds rounded up.
fn retry_after(wait: Duration) -> AppError {
    AppError::RateLimited {
        retry_after_secs: wait.as_secs() + u64::from(wait.subsec_nanos() > 0),
        policy: None,
    }
}

/// One limit: Redis's verdict when `REDIS_URL` is set and Redis answers, else this
/// process's own (see [`redis_gcra`] for why an outage falls back rather than refuses).
pub struct Limiter<K: Eq + Hash + Clone + Send + Sync + 'static> {
    /// Part of the Redis key, so that limiters do not count each other's requests.
    name: &'static str,
    rate: Rate,
    local: KeyedLimiter<K>,
    shared: Option<SharedLimits>,
    /// The limit's refusal counter (`rate_limit_refusals_total{limit=name}`).
    refusals: Option<prometheus::IntCounter>,
}

impl<K: LimitKey + Eq + Hash + Clone + Send + Sync + 'static> Limiter<K> {
    pub fn new(
        name: &'static str,
        rate: Rate,
        max_keys: usize,
        shared: Option<SharedLimits>,
    ) -> Self {
        Self {
            name,
            rate,
            local: KeyedLimiter::new(rate, max_keys),
            shared,
            refusals: None,
        }
    }

    /// Counts every refusal, whoever decided it (Redis or this process), on `refusals`.
    pub fn counting(mut self, refusals: prometheus::IntCounter) -> Self {
        self.refusals = Some(refusals);
        self
    }

    /// Counts one request for `key`: a 429 with the seconds to wait when over the rate.
    pub async fn check(&self, key: &K) -> Result<(), AppError> {
        let verdict = match &self.shared {
            Some(shared) => match shared.check(self.name, self.rate, key).await {
                Some(verdict) => verdict,
                None => self.local.check(key),
            },
            None => self.local.check(key),
        };
        if verdict.is_err()
            && let Some(refusals) = &self.refusals
        {
            refusals.inc();
        }
        verdict.map_err(|refused| match refused {
            AppError::RateLimited {
                retry_after_secs, ..
            } => AppError::RateLimited {
                retry_after_secs,
                policy: Some(self.policy()),
            },
            other => other,
        })
    }

    /// This limit as a 429 names it.
    pub fn policy(&self) -> RatePolicy {
        let (per_second, burst) = (self.rate.per_second.max(1), self.rate.burst.max(1));
        RatePolicy {
            name: self.name,
            quota: burst,
            window_secs: u64::from(burst.div_ceil(per_second)),
        }
    }
}

/// The limiter key of a client address: IPv6 clients are limited per network of
/// `ipv6_prefix` bits (`RATE_LIMIT_IPV6_PREFIX`, default /56), since one customer usually
/// holds a whole /56 or /48 and could otherwise rotate through it.
pub fn client_key(ip: IpAddr, ipv6_prefix: u8) -> IpAddr {
    match ip {
        IpAddr::V6(v6) if v6.to_ipv4_mapped().is_none() => {
            let bits = u128::from(v6);
            let mask = u128::MAX
                .checked_shl(128 - u32::from(ipv6_prefix.min(128)))
                .unwrap_or(0);
            IpAddr::V6(std::net::Ipv6Addr::from(bits & mask))
        }
        IpAddr::V6(v6) => IpAddr::V4(
            v6.to_ipv4_mapped()
                .unwrap_or(std::net::Ipv4Addr::UNSPECIFIED),
        ),
        v4 => v4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_passes_and_the_next_request_is_told_when_to_retry() {
        let limiter = KeyedLimiter::new(
            Rate {
                per_second: 1,
                burst: 3,
            },
            100,
        );
        for _ in 0..3 {
            limiter.check(&"a").unwrap();
        }
        match limiter.check(&"a") {
            Err(AppError::RateLimited {
                retry_after_secs, ..
            }) => assert_eq!(retry_after_secs, 1),
            other => panic!("expected 429, got {other:?}"),
        }
        limiter.check(&"b").expect("other keys are unaffected");
    }

    #[test]
    fn memory_stays_bounded_under_a_flood_of_distinct_keys() {
        let limiter = KeyedLimiter::new(
            Rate {
                per_second: 1,
                burst: 1,
            },
            1_000,
        );
        for i in 0..100_000u32 {
            let _ = limiter.check(&i);
        }
        assert!(
            limiter.limiters.len() <= 1_000,
            "{} keys held",
            limiter.limiters.len()
        );
    }

    #[test]
    fn ipv6_clients_share_a_limit_per_network_of_the_configured_prefix() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:bbbb::9".parse().unwrap();
        let c: IpAddr = "2001:db8:1:ff:cccc::9".parse().unwrap();
        let other: IpAddr = "2001:db8:1:100::1".parse().unwrap();
        assert_eq!(client_key(a, 64), client_key(b, 64));
        assert_ne!(client_key(a, 64), client_key(c, 64));
        // A /56 holds 256 /64s: a customer rotating through them stays one client.
        assert_eq!(client_key(a, 56), client_key(c, 56));
        assert_eq!(client_key(a, 56), "2001:db8:1::".parse::<IpAddr>().unwrap());
        assert_ne!(client_key(a, 56), client_key(other, 56));
        assert_eq!(client_key(a, 128), a);
        assert_eq!(client_key(a, 0), "::".parse::<IpAddr>().unwrap());
        let mapped: IpAddr = "::ffff:192.0.2.7".parse().unwrap();
        assert_eq!(
            client_key(mapped, 56),
            "192.0.2.7".parse::<IpAddr>().unwrap()
        );
    }
}
