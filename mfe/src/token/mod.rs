//! The token manager: one internal token per (household, API) pair, fetched once and shared.
//!
//! Every view of the garage, and the host through `getInternalToken()`, asks for a token at
//! the same moment on first render. Without sharing, each would run its own exchange and
//! trip the server's per-user rate limit. So callers for the same [`TokenKey`] share one
//! in-flight exchange (`futures::future::Shared`), and the answer is cached until shortly
//! before it expires.
//!
//! The core knows nothing of the browser: the exchange and the clock are passed in, so the
//! rules below run in native unit tests. `api::token_manager` wires in the real ones.
//!
//! Rules:
//! - Expiry is checked when a token is read, not by timers, so a sleeping tab never hands
//!   out a token that died while it slept.
//! - Expiry is measured from when the exchange *started*, by our clock, from the server's
//!   `expires_in`: the browser's clock may be off from the server's, so the token's own
//!   `exp` claim is not trusted for this.
//! - Each exchange has a generation. A forced refresh starts a new one; an answer is stored
//!   only if its generation is still the key's current one, and a waiter whose generation
//!   was superseded moves on to the current exchange instead of taking the stale answer.
//! - A failed exchange is never cached: the next caller tries again.
//! - [`TokenManager::forget`] and [`TokenManager::clear`] (household switch, logout) drop the
//!   key's token and in-flight exchange; a late answer for it is discarded and its waiters
//!   get [`TokenError::Cleared`].

use std::cell::RefCell;
use std::collections::HashMap;
use std::future::Future;
use std::rc::{Rc, Weak};

use futures::future::{FutureExt, LocalBoxFuture, Shared};
use shared::Role;
use shared::exchange;
use uuid::Uuid;

/// What a token is for: the household and the API (its base URL) that will accept it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TokenKey {
    pub household_id: Uuid,
    /// The API base URL, normalised without a trailing slash; empty for the page's origin.
    pub api_base: String,
}

impl TokenKey {
    pub fn new(household_id: Uuid, api_base: &str) -> Self {
        Self {
            household_id,
            api_base: api_base.trim_end_matches('/').to_owned(),
        }
    }
}

/// An internal token and what the exchange said about it.
#[derive(Debug, Clone, PartialEq)]
pub struct Token {
    pub access_token: String,
    pub household_id: Uuid,
    /// The caller's role in the household; decides which controls the garage shows.
    pub role: Role,
    /// Seconds since the epoch, by the manager's clock, from which this token is no longer
    /// handed out.
    pub refresh_at: f64,
    generation: u64,
}

/// Why no token could be had. `Clone` because one outcome is shared by every waiter.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    /// The access token was missing, expired or rejected: the user must sign in (again).
    #[error("sign-in required")]
    Unauthorized,
    /// Not a member of the household, or the household is suspended.
    #[error("no access to this household")]
    Forbidden,
    /// Too many exchanges; the server's `Retry-After`, when it sent one.
    #[error("too many requests")]
    RateLimited { retry_after_secs: Option<u64> },
    /// No answer: offline, blocked by CORS, aborted.
    #[error("network error: {0}")]
    Network(String),
    /// Any other answer, or a success whose body was not an exchange answer.
    #[error("the token exchange failed with status {0}")]
    Server(u16),
    /// The key was forgotten (household switch, logout) while the exchange was in flight.
    #[error("the token was cleared")]
    Cleared,
}

impl TokenError {
    /// The error for a non-success answer of `POST /exchange`.
    pub fn from_status(status: u16, retry_after_secs: Option<u64>) -> Self {
        match status {
            401 => Self::Unauthorized,
            403 => Self::Forbidden,
            429 => Self::RateLimited { retry_after_secs },
            other => Self::Server(other),
        }
    }
}

/// Seconds before expiry at which a token stops being handed out: a minute, or a tenth of
/// the lifetime for short-lived tokens, so a request started with it still arrives in time.
pub fn refresh_margin(lifetime_secs: f64) -> f64 {
    if lifetime_secs < 600.0 {
        lifetime_secs * 0.1
    } else {
        60.0
    }
}

type Outcome = Result<Token, TokenError>;
type ExchangeFn =
    dyn Fn(&TokenKey) -> LocalBoxFuture<'static, Result<exchange::Response, TokenError>>;
type InFlight = Shared<LocalBoxFuture<'static, Outcome>>;

enum State {
    Pending(InFlight),
    Ready(Token),
    /// The exchange failed. Kept, not removed, so that waiters of an older generation get
    /// this error rather than [`TokenError::Cleared`] or yet another exchange.
    Failed(TokenError),
}

struct Slot {
    generation: u64,
    state: State,
}

#[derive(Default)]
struct Inner {
    slots: HashMap<TokenKey, Slot>,
    next_generation: u64,
    exchanges: u64,
}

impl Inner {
    /// Stores an outcome unless its generation was superseded or its key cleared.
    fn settle(&mut self, key: &TokenKey, generation: u64, outcome: &Outcome) {
        if let Some(slot) = self.slots.get_mut(key)
            && slot.generation == generation
        {
            slot.state = match outcome {
                Ok(token) => State::Ready(token.clone()),
                Err(error) => State::Failed(error.clone()),
            };
        }
    }
}

/// Which existing token or exchange a call may reuse.
#[derive(Clone, Copy)]
enum Reuse {
    /// A valid cached token or the current exchange.
    Current,
    /// Only an exchange newer than this generation (a rejected token's).
    NewerThan(u64),
    /// Nothing: start a new exchange.
    Nothing,
}

enum Step {
    Done(Token),
    Wait(u64, InFlight),
}

/// Hands out internal tokens; cheap to clone, and clones share the cache.
#[derive(Clone)]
pub struct TokenManager {
    inner: Rc<RefCell<Inner>>,
    exchange: Rc<ExchangeFn>,
    clock: Rc<dyn Fn() -> f64>,
}

impl TokenManager {
    /// `exchange` turns a key into the exchange's answer (it is called once per exchange);
    /// `clock` gives seconds since the epoch.
    pub fn new<E, F, C>(exchange: E, clock: C) -> Self
    where
        E: Fn(&TokenKey) -> F + 'static,
        F: Future<Output = Result<exchange::Response, TokenError>> + 'static,
        C: Fn() -> f64 + 'static,
    {
        Self {
            inner: Rc::default(),
            exchange: Rc::new(move |key: &TokenKey| exchange(key).boxed_local()),
            clock: Rc::new(clock),
        }
    }

    /// A valid token for `key`: the cached one, the one being fetched, or a new exchange.
    /// The exchange starts (or is joined) at the call, not when the future is first polled.
    pub fn get(&self, key: &TokenKey) -> impl Future<Output = Outcome> + 'static {
        let step = self.begin(key, Reuse::Current);
        self.clone().finish(key.clone(), step)
    }

    /// A token from an exchange started by this call, never an older cached or in-flight one.
    pub fn refresh(&self, key: &TokenKey) -> impl Future<Output = Outcome> + 'static {
        let step = self.begin(key, Reuse::Nothing);
        self.clone().finish(key.clone(), step)
    }

    /// A token to replace `rejected`, which the API answered 401. Joins an exchange newer
    /// than `rejected` if there is one, so that many requests rejected at once (say, after
    /// the signing key rotated) share one new exchange instead of forcing one each.
    pub fn renew(
        &self,
        key: &TokenKey,
        rejected: &Token,
    ) -> impl Future<Output = Outcome> + 'static {
        let step = self.begin(key, Reuse::NewerThan(rejected.generation));
        self.clone().finish(key.clone(), step)
    }

    /// Drops the key's token and in-flight exchange (the household was switched away from).
    pub fn forget(&self, key: &TokenKey) {
        self.inner.borrow_mut().slots.remove(key);
    }

    /// Drops every token and in-flight exchange (logout, or a new access-token source).
    pub fn clear(&self) {
        self.inner.borrow_mut().slots.clear();
    }

    /// How many exchanges this manager has started, for the dev toolbar and tests.
    pub fn exchange_count(&self) -> u64 {
        self.inner.borrow().exchanges
    }

    fn begin(&self, key: &TokenKey, reuse: Reuse) -> Step {
        let now = (self.clock)();
        {
            let inner = self.inner.borrow();
            if let Some(slot) = inner.slots.get(key) {
                let may_reuse = match reuse {
                    Reuse::Current => true,
                    Reuse::NewerThan(generation) => slot.generation > generation,
                    Reuse::Nothing => false,
                };
                match &slot.state {
                    State::Ready(token) if may_reuse && now < token.refresh_at => {
                        return Step::Done(token.clone());
                    }
                    State::Pending(in_flight) if may_reuse => {
                        return Step::Wait(slot.generation, in_flight.clone());
                    }
                    _ => {}
                }
            }
        }
        self.start(key, now)
    }

    fn start(&self, key: &TokenKey, now: f64) -> Step {
        let generation = {
            let mut inner = self.inner.borrow_mut();
            inner.exchanges += 1;
            inner.next_generation += 1;
            inner.next_generation
        };
        // Called with no borrow held, in case the exchange reaches back into the manager.
        let exchange = (self.exchange)(key);
        let weak: Weak<RefCell<Inner>> = Rc::downgrade(&self.inner);
        let settle_key = key.clone();
        let in_flight = async move {
            let outcome = exchange.await.map(|answer| {
                let lifetime = answer.expires_in as f64;
                Token {
                    access_token: answer.access_token,
                    household_id: answer.household_id,
                    role: answer.role,
                    refresh_at: now + lifetime - refresh_margin(lifetime),
                    generation,
                }
            });
            // Stored here, once, however many callers wait; skipped if the manager is gone.
            if let Some(inner) = weak.upgrade() {
                inner.borrow_mut().settle(&settle_key, generation, &outcome);
            }
            outcome
        }
        .boxed_local()
        .shared();
        self.inner.borrow_mut().slots.insert(
            key.clone(),
            Slot {
                generation,
                state: State::Pending(in_flight.clone()),
            },
        );
        Step::Wait(generation, in_flight)
    }

    async fn finish(self, key: TokenKey, mut step: Step) -> Outcome {
        loop {
            let (generation, in_flight) = match step {
                Step::Done(token) => return Ok(token),
                Step::Wait(generation, in_flight) => (generation, in_flight),
            };
            let outcome = in_flight.await;
            {
                let inner = self.inner.borrow();
                match inner.slots.get(&key) {
                    Some(slot) if slot.generation == generation => return outcome,
                    None => return Err(TokenError::Cleared),
                    Some(Slot {
                        state: State::Failed(error),
                        ..
                    }) => return Err(error.clone()),
                    // Superseded by a forced refresh or a re-fetch after a clear: take that.
                    Some(_) => {}
                }
            }
            step = self.begin(&key, Reuse::NewerThan(generation));
        }
    }
}

#[cfg(test)]
mod tests;
