//! `REDIS_URL`: two replicas sharing one throwaway `redis-server` share each client's
//! burst; a Redis that dies mid-test leaves the limits to each process (never a 500).

use std::time::Instant;

use reqwest::StatusCode;
use server::config::Rate;

use crate::helpers::{Options, TestApp, TestRedis, assert_problem};

/// A slow refill, so that only a burst can pass within a test's few requests.
const BURST: u32 = 5;
const RATE: Rate = Rate {
    per_second: 1,
    burst: BURST,
};

/// Two replicas behind a proxy at 127.0.0.1, sharing `redis`, with `limit` applied.
async fn replicas(redis: &TestRedis, limit: impl FnOnce(&mut Options)) -> (TestApp, String) {
    let url: &'static str = Box::leak(redis.url.clone().into_boxed_str());
    let mut options = Options {
        settings: vec!["--redis-url", url, "--trusted-proxies", "127.0.0.1"],
        ..Options::default()
    };
    limit(&mut options);
    let a = TestApp::spawn_with(options).await;
    let b = a.replica().await;
    (a, b)
}

async fn health(app: &TestApp, base: &str, client: &str) -> reqwest::Response {
    app.http
        .get(format!("{base}/healthz"))
        .header("x-forwarded-for", client)
        .send()
        .await
        .unwrap()
}

/// Requests to `base` until the first refusal (at most a burst): how many passed, and
/// the refusal.
async fn until_refused(app: &TestApp, base: &str, client: &str) -> (u32, reqwest::Response) {
    for passed in 0..=BURST {
        let response = health(app, base, client).await;
        if response.status() == StatusCode::TOO_MANY_REQUESTS {
            return (passed, response);
        }
        assert_eq!(response.status(), 200, "{base}: {}", response.status());
    }
    panic!("{base} let more than a burst through for {client}");
}

#[tokio::test]
async fn a_client_gets_one_burst_across_two_replicas_and_other_clients_their_own() {
    let redis = TestRedis::start().await;
    let (a, b) = replicas(&redis, |o| o.tuning.rates.requests_per_ip = RATE).await;
    let started = Instant::now();

    for _ in 0..BURST {
        let response = health(&a, &a.base, "198.51.100.1").await;
        assert_eq!(response.status(), 200, "the burst passes on replica A");
    }
    let (passed_on_b, refusal) = until_refused(&a, &b, "198.51.100.1").await;
    let elapsed = started.elapsed().as_secs();
    // Each process on its own would let a whole second burst through B; shared, only what
    // the rate refilled since the start (normally nothing) passes.
    assert!(
        u64::from(passed_on_b) <= elapsed,
        "B let {passed_on_b} through after A spent the burst ({elapsed} s elapsed)"
    );
    assert!(refusal.headers().contains_key("retry-after"));
    assert_problem(refusal, 429).await;

    let other = health(&a, &b, "198.51.100.2").await;
    assert_eq!(other.status(), 200, "another client is limited apart");

    let keys = redis.keys().await;
    assert!(!keys.is_empty(), "the limits live in Redis");
    assert!(
        keys.iter()
            .all(|k| k.starts_with("household:rl:requests_per_ip:") && !k.contains("198.51")),
        "{keys:?}"
    );
}

#[tokio::test]
async fn a_user_gets_one_exchange_burst_across_two_replicas() {
    let redis = TestRedis::start().await;
    let (a, b) = replicas(&redis, |o| o.tuning.rates.exchange_per_user = RATE).await;
    let household = a.db.household("Shared").await;
    a.db.member(household, "auth0|shared", "owner").await;
    let token = a.issuer.token("auth0|shared");
    let started = Instant::now();

    for _ in 0..BURST {
        let response = a.exchange_with(&token, &household.to_string()).await;
        assert_eq!(response.status(), 200, "the burst passes on replica A");
    }
    let mut passed_on_b = 0;
    let refusal = loop {
        let response = a
            .http
            .post(format!("{b}/exchange"))
            .bearer_auth(&token)
            .json(&serde_json::json!({ "household_id": household }))
            .send()
            .await
            .unwrap();
        if response.status() != 200 || passed_on_b > BURST {
            break response;
        }
        passed_on_b += 1;
    };
    assert!(u64::from(passed_on_b) <= started.elapsed().as_secs());
    assert!(refusal.headers().contains_key("retry-after"));
    assert_problem(refusal, 429).await;

    let keys = redis.keys().await;
    assert!(
        keys.iter()
            .any(|k| k.starts_with("household:rl:exchange_per_user:")),
        "{keys:?}"
    );
    assert!(
        keys.iter()
            .all(|k| !k.contains("shared") && !k.contains(&household.to_string())),
        "subjects and households stay out of the keys: {keys:?}"
    );
}

#[tokio::test]
async fn when_redis_dies_each_replica_limits_on_its_own_and_never_answers_500() {
    let mut redis = TestRedis::start().await;
    let (a, b) = replicas(&redis, |o| o.tuning.rates.requests_per_ip = RATE).await;
    for _ in 0..BURST {
        assert_eq!(health(&a, &a.base, "203.0.113.9").await.status(), 200);
    }
    assert_eq!(health(&a, &b, "203.0.113.9").await.status(), 429);

    redis.kill();
    // Each process's own limiter takes over: it never counted this client (Redis did), so
    // each replica lets one burst through, then refuses; nothing answers 500.
    let started = Instant::now();
    for base in [&a.base, &b] {
        let (passed, refusal) = until_refused(&a, base, "203.0.113.9").await;
        assert!(
            passed >= BURST - 1
                && u64::from(passed) <= u64::from(BURST) + started.elapsed().as_secs(),
            "{base} let {passed} through on its own"
        );
        assert!(refusal.headers().contains_key("retry-after"));
        assert_problem(refusal, 429).await;
    }
}
