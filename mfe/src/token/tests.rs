//! The token manager's rules, with a fake exchange that stays open until the test answers
//! it and a clock the test moves.

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::rc::Rc;

use futures::channel::oneshot;
use futures::executor::LocalPool;
use futures::task::LocalSpawnExt;
use shared::Role;
use shared::exchange::Response;
use uuid::Uuid;

use super::*;

type Reply = oneshot::Sender<Result<Response, TokenError>>;

const T0: f64 = 1_800_000_000.0;

/// The other end of the manager's exchange: records each exchange and answers on demand.
struct Fake {
    open: RefCell<Vec<(TokenKey, Reply)>>,
    now: Cell<f64>,
}

impl Fake {
    /// Answers the `index`th still-open exchange (0 is the oldest).
    fn answer(&self, index: usize, token: &str, expires_in: u64) {
        let (key, reply) = self.open.borrow_mut().remove(index);
        let answer = Response {
            access_token: token.to_owned(),
            token_type: "Bearer".to_owned(),
            expires_in,
            household_id: key.household_id,
            role: Role::Member,
        };
        assert!(reply.send(Ok(answer)).is_ok(), "the exchange was dropped");
    }

    fn fail(&self, index: usize, error: TokenError) {
        let (_, reply) = self.open.borrow_mut().remove(index);
        assert!(reply.send(Err(error)).is_ok(), "the exchange was dropped");
    }

    fn open_keys(&self) -> Vec<TokenKey> {
        self.open.borrow().iter().map(|(k, _)| k.clone()).collect()
    }
}

fn setup() -> (TokenManager, Rc<Fake>, LocalPool) {
    let fake = Rc::new(Fake {
        open: RefCell::default(),
        now: Cell::new(T0),
    });
    let (exchange_side, clock_side) = (fake.clone(), fake.clone());
    let manager = TokenManager::new(
        move |key: &TokenKey| {
            let (reply, answer) = oneshot::channel();
            exchange_side.open.borrow_mut().push((key.clone(), reply));
            async move {
                answer
                    .await
                    .unwrap_or_else(|_| Err(TokenError::Network("dropped".into())))
            }
        },
        move || clock_side.now.get(),
    );
    (manager, fake, LocalPool::new())
}

fn household(n: u128) -> TokenKey {
    TokenKey::new(Uuid::from_u128(n), "https://api.example/")
}

/// Runs `call` on the pool; the returned cell holds its outcome once it finishes.
fn spawn(
    pool: &LocalPool,
    call: impl Future<Output = Outcome> + 'static,
) -> Rc<RefCell<Option<Outcome>>> {
    let cell = Rc::new(RefCell::new(None));
    let out = cell.clone();
    pool.spawner()
        .spawn_local(async move { *out.borrow_mut() = Some(call.await) })
        .expect("the pool accepts tasks");
    cell
}

fn token(cell: &Rc<RefCell<Option<Outcome>>>) -> String {
    match cell.borrow().as_ref() {
        Some(Ok(token)) => token.access_token.clone(),
        other => panic!("expected a token, got {other:?}"),
    }
}

/// Gets a token for `key` that the fake answers at once with `value`.
fn fetch(
    manager: &TokenManager,
    fake: &Fake,
    pool: &mut LocalPool,
    key: &TokenKey,
    value: &str,
) -> Token {
    let cell = spawn(pool, manager.get(key));
    pool.run_until_stalled();
    if !fake.open.borrow().is_empty() {
        fake.answer(0, value, 300);
        pool.run_until_stalled();
    }
    let outcome = cell.borrow_mut().take();
    outcome.expect("finished").expect("a token")
}

#[test]
fn a_hundred_concurrent_callers_share_one_exchange() {
    let (manager, fake, mut pool) = setup();
    let calls: Vec<_> = (0..100)
        .map(|_| spawn(&pool, manager.get(&household(1))))
        .collect();
    pool.run_until_stalled();
    assert_eq!(manager.exchange_count(), 1);
    assert!(calls.iter().all(|c| c.borrow().is_none()), "still waiting");

    fake.answer(0, "t1", 300);
    pool.run_until_stalled();

    assert!(calls.iter().all(|c| token(c) == "t1"));
    assert_eq!(manager.exchange_count(), 1);
}

#[test]
fn a_token_is_reused_until_ten_percent_of_a_short_lifetime_remains() {
    let (manager, fake, mut pool) = setup();
    fetch(&manager, &fake, &mut pool, &household(1), "t1");

    fake.now.set(T0 + 269.9);
    let again = fetch(&manager, &fake, &mut pool, &household(1), "unused");
    assert_eq!(again.access_token, "t1");
    assert_eq!(manager.exchange_count(), 1);

    fake.now.set(T0 + 270.0);
    let renewed = fetch(&manager, &fake, &mut pool, &household(1), "t2");
    assert_eq!(renewed.access_token, "t2");
    assert_eq!(manager.exchange_count(), 2);
}

#[test]
fn a_long_lived_token_is_renewed_a_minute_before_it_expires() {
    let (manager, fake, mut pool) = setup();
    let first = spawn(&pool, manager.get(&household(1)));
    pool.run_until_stalled();
    fake.answer(0, "t1", 3600);
    pool.run_until_stalled();
    assert_eq!(token(&first), "t1");

    fake.now.set(T0 + 3539.0);
    assert_eq!(
        fetch(&manager, &fake, &mut pool, &household(1), "x").access_token,
        "t1"
    );
    fake.now.set(T0 + 3540.0);
    assert_eq!(
        fetch(&manager, &fake, &mut pool, &household(1), "t2").access_token,
        "t2"
    );
}

#[test]
fn the_margin_is_a_minute_or_a_tenth_of_a_short_lifetime() {
    assert_eq!(refresh_margin(300.0), 30.0);
    assert!((refresh_margin(599.0) - 59.9).abs() < 1e-9);
    assert_eq!(refresh_margin(600.0), 60.0);
    assert_eq!(refresh_margin(86_400.0), 60.0);
}

#[test]
fn a_failed_exchange_reaches_every_waiter_and_is_not_cached() {
    let (manager, fake, mut pool) = setup();
    let calls: Vec<_> = (0..5)
        .map(|_| spawn(&pool, manager.get(&household(1))))
        .collect();
    pool.run_until_stalled();
    fake.fail(0, TokenError::Network("offline".into()));
    pool.run_until_stalled();
    for call in &calls {
        assert_eq!(
            *call.borrow(),
            Some(Err(TokenError::Network("offline".into())))
        );
    }

    let retried = fetch(&manager, &fake, &mut pool, &household(1), "t1");
    assert_eq!(retried.access_token, "t1");
    assert_eq!(manager.exchange_count(), 2);
}

#[test]
fn each_household_and_api_gets_its_own_token() {
    let (manager, fake, mut pool) = setup();
    let other_api = TokenKey::new(Uuid::from_u128(1), "https://other.example");
    let a = spawn(&pool, manager.get(&household(1)));
    let b = spawn(&pool, manager.get(&household(2)));
    let c = spawn(&pool, manager.get(&other_api));
    pool.run_until_stalled();
    assert_eq!(
        fake.open_keys(),
        vec![household(1), household(2), other_api.clone()]
    );
    fake.answer(0, "a", 300);
    fake.answer(0, "b", 300);
    fake.answer(0, "c", 300);
    pool.run_until_stalled();
    assert_eq!(
        (token(&a), token(&b), token(&c)),
        ("a".into(), "b".into(), "c".into())
    );
    assert_eq!(
        fetch(&manager, &fake, &mut pool, &household(2), "x").access_token,
        "b"
    );
    assert_eq!(manager.exchange_count(), 3);
}

#[test]
fn a_trailing_slash_does_not_make_a_different_key() {
    assert_eq!(
        TokenKey::new(Uuid::nil(), "https://api.example/"),
        TokenKey::new(Uuid::nil(), "https://api.example")
    );
}

#[test]
fn a_forced_refresh_during_an_exchange_gets_the_newer_token() {
    let (manager, fake, mut pool) = setup();
    let early = spawn(&pool, manager.get(&household(1)));
    pool.run_until_stalled();
    let forced = spawn(&pool, manager.refresh(&household(1)));
    pool.run_until_stalled();
    assert_eq!(
        manager.exchange_count(),
        2,
        "the force did not join the old exchange"
    );

    fake.answer(0, "old", 300);
    pool.run_until_stalled();
    assert!(
        forced.borrow().is_none(),
        "the forced caller waits for its own exchange"
    );
    assert!(
        early.borrow().is_none(),
        "a superseded answer is not handed out"
    );

    fake.answer(0, "new", 300);
    pool.run_until_stalled();
    assert_eq!(token(&forced), "new");
    assert_eq!(token(&early), "new");
    assert_eq!(
        fetch(&manager, &fake, &mut pool, &household(1), "x").access_token,
        "new"
    );
    assert_eq!(manager.exchange_count(), 2);
}

#[test]
fn a_late_answer_from_a_superseded_exchange_is_not_stored() {
    let (manager, fake, mut pool) = setup();
    let _early = spawn(&pool, manager.get(&household(1)));
    let forced = spawn(&pool, manager.refresh(&household(1)));
    pool.run_until_stalled();

    fake.answer(1, "new", 300);
    pool.run_until_stalled();
    assert_eq!(token(&forced), "new");
    fake.answer(0, "old", 300);
    pool.run_until_stalled();

    assert_eq!(
        fetch(&manager, &fake, &mut pool, &household(1), "x").access_token,
        "new"
    );
}

#[test]
fn a_refresh_with_a_cached_token_still_exchanges() {
    let (manager, fake, mut pool) = setup();
    fetch(&manager, &fake, &mut pool, &household(1), "t1");
    let forced = spawn(&pool, manager.refresh(&household(1)));
    pool.run_until_stalled();
    fake.answer(0, "t2", 300);
    pool.run_until_stalled();
    assert_eq!(token(&forced), "t2");
    assert_eq!(manager.exchange_count(), 2);
}

#[test]
fn requests_rejected_together_share_one_renewal() {
    let (manager, fake, mut pool) = setup();
    let rejected = fetch(&manager, &fake, &mut pool, &household(1), "t1");
    let renewals: Vec<_> = (0..10)
        .map(|_| spawn(&pool, manager.renew(&household(1), &rejected)))
        .collect();
    pool.run_until_stalled();
    assert_eq!(manager.exchange_count(), 2);
    fake.answer(0, "t2", 300);
    pool.run_until_stalled();
    assert!(renewals.iter().all(|r| token(r) == "t2"));

    // A straggler whose request was rejected with t1 takes t2 without another exchange.
    let late = spawn(&pool, manager.renew(&household(1), &rejected));
    pool.run_until_stalled();
    assert_eq!(token(&late), "t2");
    assert_eq!(manager.exchange_count(), 2);
}

#[test]
fn a_household_switch_discards_the_old_households_late_answer() {
    let (manager, fake, mut pool) = setup();
    let old = spawn(&pool, manager.get(&household(1)));
    pool.run_until_stalled();
    manager.forget(&household(1));
    let new = spawn(&pool, manager.get(&household(2)));
    pool.run_until_stalled();

    fake.answer(0, "stale", 300);
    fake.answer(0, "fresh", 300);
    pool.run_until_stalled();

    assert_eq!(*old.borrow(), Some(Err(TokenError::Cleared)));
    assert_eq!(token(&new), "fresh");
    // Nothing was stored for the old household: asking again exchanges again.
    fetch(&manager, &fake, &mut pool, &household(1), "again");
    assert_eq!(manager.exchange_count(), 3);
}

#[test]
fn after_a_clear_a_new_caller_never_receives_the_answer_started_before_it() {
    let (manager, fake, mut pool) = setup();
    let before = spawn(&pool, manager.get(&household(1)));
    pool.run_until_stalled();
    manager.clear();
    let after = spawn(&pool, manager.get(&household(1)));
    pool.run_until_stalled();
    assert_eq!(manager.exchange_count(), 2);

    fake.answer(0, "stale", 300);
    pool.run_until_stalled();
    assert!(after.borrow().is_none());

    fake.answer(0, "fresh", 300);
    pool.run_until_stalled();
    assert_eq!(token(&after), "fresh");
    assert_eq!(
        token(&before),
        "fresh",
        "the old waiter moved to the current exchange"
    );
}

#[test]
fn a_logout_during_an_exchange_leaves_nothing_behind() {
    let (manager, fake, mut pool) = setup();
    let waiting = spawn(&pool, manager.get(&household(1)));
    pool.run_until_stalled();
    manager.clear();
    fake.answer(0, "stale", 300);
    pool.run_until_stalled();
    assert_eq!(*waiting.borrow(), Some(Err(TokenError::Cleared)));
    assert_eq!(
        fetch(&manager, &fake, &mut pool, &household(1), "t2").access_token,
        "t2"
    );
}

#[test]
fn a_waiter_superseded_by_a_failed_refresh_gets_that_failure() {
    let (manager, fake, mut pool) = setup();
    let early = spawn(&pool, manager.get(&household(1)));
    let forced = spawn(&pool, manager.refresh(&household(1)));
    pool.run_until_stalled();
    fake.fail(1, TokenError::Unauthorized);
    fake.answer(0, "old", 300);
    pool.run_until_stalled();
    assert_eq!(*forced.borrow(), Some(Err(TokenError::Unauthorized)));
    assert_eq!(*early.borrow(), Some(Err(TokenError::Unauthorized)));
    assert_eq!(manager.exchange_count(), 2);
}

#[test]
fn exchange_statuses_map_to_typed_errors() {
    assert_eq!(TokenError::from_status(401, None), TokenError::Unauthorized);
    assert_eq!(TokenError::from_status(403, None), TokenError::Forbidden);
    assert_eq!(
        TokenError::from_status(429, Some(7)),
        TokenError::RateLimited {
            retry_after_secs: Some(7)
        }
    );
    assert_eq!(TokenError::from_status(503, None), TokenError::Server(503));
}
