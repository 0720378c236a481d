//! A fair share of the database connections: at most so many statements in flight per
//! household and per account (`DATABASE_MAX_IN_FLIGHT_PER_HOUSEHOLD`, `…_PER_ACCOUNT`), so
//! one tenant reading as fast as it can holds a bounded part of the pool while the others
//! are served. A request over its share waits for one of its own to finish, up to
//! `DATABASE_ACQUIRE_TIMEOUT_MS`, then gets a 429: the tenant's own load, not the server's.
//!
//! The semaphores live in caches of fixed capacity, like the rate limiters' state: a flood
//! of distinct keys evicts the least recently used instead of growing without bound (an
//! evicted key in use keeps its permits; a new semaphore for it starts afresh).

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use quick_cache::sync::Cache;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use uuid::Uuid;

use crate::error::{AppError, RatePolicy};

const MAX_KEYS: usize = 100_000;

/// Exports running at once on a replica. An export reads every row of a household in one
/// statement: at the fuel-log quota with 100,000 audit events, 0.64 s of PostgreSQL and
/// 30 MB. One at a time keeps a loop of them to at most one core of the database; another
/// export meanwhile answers 429 at once (exports are rare, and retried).
pub const EXPORTS_AT_ONCE: u32 = 1;

/// The permits a data request holds until it is answered.
#[derive(Debug)]
pub struct FairShare {
    _household: OwnedSemaphorePermit,
    _account: OwnedSemaphorePermit,
}

pub struct FairShares {
    per_household: u32,
    per_account: u32,
    wait: Duration,
    households: Cache<Uuid, Arc<Semaphore>>,
    accounts: Cache<String, Arc<Semaphore>>,
    exports: Arc<Semaphore>,
}

impl FairShares {
    pub fn new(per_household: u32, per_account: u32, wait: Duration) -> Self {
        Self {
            per_household,
            per_account,
            wait,
            households: Cache::new(MAX_KEYS),
            accounts: Cache::new(MAX_KEYS),
            exports: Arc::new(Semaphore::new(EXPORTS_AT_ONCE as usize)),
        }
    }

    /// A place among `household`'s and `sub`'s statements in flight, waiting for one at
    /// most the acquire timeout; a 429 naming the share when none comes free.
    pub async fn enter(&self, household: Uuid, sub: &str) -> Result<FairShare, AppError> {
        let household_permit = acquire(
            semaphore(&self.households, &household, self.per_household),
            self.wait,
            "in_flight_per_household",
            self.per_household,
        )
        .await?;
        let account = acquire(
            semaphore(&self.accounts, &sub.to_owned(), self.per_account),
            self.wait,
            "in_flight_per_account",
            self.per_account,
        )
        .await?;
        Ok(FairShare {
            _household: household_permit,
            _account: account,
        })
    }
}

impl FairShares {
    /// One of the replica's [`EXPORTS_AT_ONCE`] export slots, held until the export is
    /// answered; a 429 naming `exports_in_flight` when none is free.
    pub fn export(&self) -> Result<OwnedSemaphorePermit, AppError> {
        self.exports
            .clone()
            .try_acquire_owned()
            .map_err(|_| refusal("exports_in_flight", EXPORTS_AT_ONCE))
    }
}

/// The 429 of a share that is taken: try again in a second.
fn refusal(name: &'static str, quota: u32) -> AppError {
    AppError::RateLimited {
        retry_after_secs: 1,
        policy: Some(RatePolicy {
            name,
            quota,
            window_secs: 1,
        }),
    }
}

fn semaphore<K: Eq + std::hash::Hash + Clone>(
    cache: &Cache<K, Arc<Semaphore>>,
    key: &K,
    permits: u32,
) -> Arc<Semaphore> {
    cache
        .get_or_insert_with(key, || {
            Ok::<_, Infallible>(Arc::new(Semaphore::new(permits as usize)))
        })
        .unwrap_or_else(|never| match never {})
}

async fn acquire(
    semaphore: Arc<Semaphore>,
    wait: Duration,
    name: &'static str,
    quota: u32,
) -> Result<OwnedSemaphorePermit, AppError> {
    match tokio::time::timeout(wait, semaphore.acquire_owned()).await {
        Ok(Ok(permit)) => Ok(permit),
        _ => Err(refusal(name, quota)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_household_holds_at_most_its_share_and_others_are_not_held_back() {
        let shares = FairShares::new(2, 3, Duration::from_millis(50));
        let h = Uuid::new_v4();
        let first = shares.enter(h, "a").await.unwrap();
        let _second = shares.enter(h, "a").await.unwrap();
        match shares.enter(h, "a").await {
            Err(AppError::RateLimited { policy, .. }) => {
                assert_eq!(policy.unwrap().name, "in_flight_per_household")
            }
            other => panic!("expected 429, got {other:?}"),
        }
        // Another household of the same account: the account's third place.
        let _third = shares.enter(Uuid::new_v4(), "a").await.unwrap();
        match shares.enter(Uuid::new_v4(), "a").await {
            Err(AppError::RateLimited { policy, .. }) => {
                assert_eq!(policy.unwrap().name, "in_flight_per_account")
            }
            other => panic!("expected 429, got {other:?}"),
        }
        shares
            .enter(Uuid::new_v4(), "b")
            .await
            .expect("another account");
        // A place that comes free within the wait is taken.
        let waiting = shares.enter(h, "c");
        drop(first);
        waiting.await.expect("the freed place");
    }
}
