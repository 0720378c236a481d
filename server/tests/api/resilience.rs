//! Slow clients, an exhausted pool, a database that goes away, quotas and the proxy
//! setting: the server answers others promptly, with 503 + `Retry-After` where it cannot,
//! and never with a 500.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::{Value, json};
use shared::Role;
use shared::paths;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::helpers::{Options, TestApp, TestIssuer, assert_problem, config, key_file};

/// Production's pool wait and the pool of the attack in the issue.
fn small_pool(settings: Vec<&'static str>) -> Options {
    Options {
        pool_size: 4,
        acquire_timeout: Duration::from_secs(1),
        settings,
        ..Options::default()
    }
}

/// Sends a POST's headers, then its body one byte every 100 ms until `stop`. Returns
/// whether the server kept the request open all along.
async fn trickle(base: String, path: String, token: String, stop: Arc<AtomicBool>) -> bool {
    let addr = base.trim_start_matches("http://");
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    while !stop.load(Ordering::SeqCst) {
        if stream.write_all(b" ").await.is_err() {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    true
}

#[tokio::test]
async fn slow_bodies_never_starve_another_households_reads() {
    let app = TestApp::spawn_with(small_pool(vec![])).await;
    let (a, token_a) = app.household_with("A", "auth0|mallory", "member").await;
    let (b, token_b) = app.household_with("B", "auth0|bob", "owner").await;
    app.db.vehicle(b, "Bob's car").await;

    let stop = Arc::new(AtomicBool::new(false));
    let slow: Vec<_> = (0..24)
        .map(|_| {
            tokio::spawn(trickle(
                app.base.clone(),
                paths::vehicles(a),
                token_a.clone(),
                stop.clone(),
            ))
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(500)).await;

    for _ in 0..20 {
        let started = Instant::now();
        let response = app.get(&paths::vehicles(b), &token_b).await;
        let took = started.elapsed();
        assert_eq!(response.status(), 200);
        assert!(took < Duration::from_secs(1), "a read took {took:?}");
    }
    stop.store(true, Ordering::SeqCst);
    for open in futures::future::join_all(slow).await {
        assert!(open.unwrap(), "every slow body was still being read");
    }
}

#[tokio::test]
async fn an_exhausted_pool_answers_503_with_retry_after_at_once() {
    let app = TestApp::spawn_with(small_pool(vec![])).await;
    let (h, token) = app.household_with("Home", "auth0|alice", "owner").await;
    let mut held = Vec::new();
    for _ in 0..4 {
        held.push(app.state.db.acquire().await.unwrap());
    }

    let started = Instant::now();
    let response = app.get(&paths::vehicles(h), &token).await;
    let took = started.elapsed();
    assert!(response.headers().contains_key("retry-after"));
    assert_problem(response, 503).await;
    assert!(took < Duration::from_secs(3), "the refusal took {took:?}");

    drop(held);
    assert_eq!(app.get(&paths::vehicles(h), &token).await.status(), 200);
}

#[tokio::test]
async fn a_database_at_a_closed_port_answers_503_and_readyz_fails() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!(
        "postgres://household_app@{}/nowhere",
        closed.local_addr().unwrap()
    );
    drop(closed);
    let issuer = TestIssuer::start().await;
    let (_keys, key_file) = key_file();
    let config = config(&issuer.url, &url, key_file, 300);
    let pool = server::db::pool_options()
        .acquire_timeout(Duration::from_secs(1))
        .connect_lazy(&url)
        .unwrap();
    let signer = server::auth::internal::InternalSigner::new(&config.internal).unwrap();
    let state = server::state::AppState::new(
        config,
        pool,
        crate::helpers::context_key(),
        signer,
        server::state::Tuning::default(),
    )
    .unwrap();
    let household = uuid::Uuid::new_v4();
    let token = state
        .signer
        .sign("auth0|alice", household, Role::Owner)
        .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(server::run(state, listener, std::future::pending()));
    let http = reqwest::Client::new();

    let ready = http.get(format!("{base}/readyz")).send().await.unwrap();
    assert_problem(ready, 503).await;
    let started = Instant::now();
    let response = http
        .get(format!("{base}{}", paths::vehicles(household)))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert!(response.headers().contains_key("retry-after"));
    let body = assert_problem(response, 503).await;
    assert!(started.elapsed() < Duration::from_secs(3));
    let text = body.to_string();
    assert!(
        !text.contains("refused") && !text.contains("os error"),
        "{text}"
    );
}

#[tokio::test]
async fn terminated_backends_under_load_give_only_200_or_503_then_200s_again() {
    let app = TestApp::spawn_with(small_pool(vec![])).await;
    let (h, token) = app.household_with("Home", "auth0|alice", "owner").await;
    app.db.vehicle(h, "Car").await;
    let stop = Arc::new(AtomicBool::new(false));
    let load: Vec<_> = (0..6)
        .map(|_| {
            let (http, url, token, stop) = (
                app.http.clone(),
                app.url(&paths::vehicles(h)),
                token.clone(),
                stop.clone(),
            );
            tokio::spawn(async move {
                let mut statuses = Vec::new();
                while !stop.load(Ordering::SeqCst) {
                    let response = http.get(&url).bearer_auth(&token).send().await.unwrap();
                    statuses.push(response.status().as_u16());
                }
                statuses
            })
        })
        .collect();
    for _ in 0..3 {
        tokio::time::sleep(Duration::from_millis(300)).await;
        sqlx::query(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE datname = current_database() AND usename = 'household_app'",
        )
        .execute(&app.db.admin)
        .await
        .unwrap();
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    stop.store(true, Ordering::SeqCst);
    let mut statuses = Vec::new();
    for task in load {
        statuses.extend(task.await.unwrap());
    }
    assert!(statuses.len() > 20, "{} requests only", statuses.len());
    let unexpected: Vec<_> = statuses
        .iter()
        .filter(|s| **s != 200 && **s != 503)
        .collect();
    assert!(
        unexpected.is_empty(),
        "answers besides 200 and 503: {unexpected:?}"
    );

    // Broken connections leave the pool as they are met; then every answer is a 200.
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut in_a_row = 0;
    while in_a_row < 10 {
        assert!(Instant::now() < deadline, "no recovery: {statuses:?}");
        let status = app.get(&paths::vehicles(h), &token).await.status();
        assert!(status == 200 || status == 503, "{status}");
        in_a_row = if status == 200 { in_a_row + 1 } else { 0 };
    }
    let ready = app.http.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), 200);
}

#[tokio::test]
async fn a_slow_request_gets_408_and_slow_headers_are_cut_off() {
    let app = TestApp::spawn_with(small_pool(vec![
        "--request-timeout-secs",
        "1",
        "--header-read-timeout-secs",
        "1",
    ]))
    .await;
    let (h, token) = app.household_with("Home", "auth0|alice", "owner").await;

    let addr = app.base.trim_start_matches("http://").to_owned();
    let mut stream = TcpStream::connect(&addr).await.unwrap();
    let head = format!(
        "POST {} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n",
        paths::vehicles(h)
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let started = Instant::now();
    let mut answer = Vec::new();
    let mut buf = [0u8; 4096];
    while !answer.windows(4).any(|w| w == b"\r\n\r\n") {
        let _ = stream.write_all(b" ").await;
        let read = tokio::time::timeout(Duration::from_millis(100), stream.read(&mut buf)).await;
        if let Ok(Ok(n)) = read {
            assert!(n > 0, "closed without an answer");
            answer.extend_from_slice(&buf[..n]);
        }
        assert!(started.elapsed() < Duration::from_secs(5), "no answer");
    }
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("application/problem+json"), "{answer}");

    let mut stream = TcpStream::connect(&addr).await.unwrap();
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHo")
        .await
        .unwrap();
    let started = Instant::now();
    let read = tokio::time::timeout(Duration::from_secs(5), stream.read(&mut buf))
        .await
        .expect("the server closes a connection whose headers never end");
    assert!(matches!(read, Ok(0) | Err(_)) || buf.starts_with(b"HTTP/1.1 408"));
    assert!(started.elapsed() >= Duration::from_millis(900));
}

#[tokio::test]
async fn a_household_at_its_quota_gets_409_and_racing_creates_never_pass_it() {
    let app = TestApp::spawn_with(small_pool(vec![
        "--household-max-vehicles",
        "3",
        "--household-max-fuel-logs",
        "2",
    ]))
    .await;
    let (h, token) = app.household_with("Home", "auth0|alice", "owner").await;
    let path = paths::vehicles(h);
    let creates = (0..10).map(|i| {
        app.send(
            Method::POST,
            &path,
            &token,
            Some(json!({ "name": format!("car {i}") })),
        )
    });
    let mut created = 0;
    for response in futures::future::join_all(creates).await {
        if response.status() == 201 {
            created += 1;
        } else {
            let problem = assert_problem(response, 409).await;
            assert_eq!(problem["type"], "/problems/quota-exceeded");
        }
    }
    assert_eq!(created, 3);
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM vehicles")
        .fetch_one(&app.db.admin)
        .await
        .unwrap();
    assert_eq!(count, 3);

    // Another household's rows count for it alone.
    let other = app.db.household("Other").await;
    app.db.vehicle(other, "theirs").await;
    let page: Value = app
        .get(&paths::vehicles(h), &token)
        .await
        .json()
        .await
        .unwrap();
    let v = page["items"][0]["id"].as_str().unwrap().to_owned();
    let logs = format!("{}/{v}/fuel-logs", paths::vehicles(h));
    for (i, expected) in [201, 201, 409].into_iter().enumerate() {
        let body = json!({"filled_at": format!("2026-01-0{}", i + 1), "odometer_km": 100.0 * (i + 1) as f64,
                          "volume": 40.0, "cost": 60.0});
        let response = app.send(Method::POST, &logs, &token, Some(body)).await;
        assert_eq!(response.status(), expected);
    }
}

/// Storage an account or a household could otherwise fill without end: households owned
/// per account and open invitations per household, each a 409 whose type names the limit,
/// also when the creates race.
#[tokio::test]
async fn an_account_and_a_household_get_409_naming_the_quota_they_reached() {
    let app = TestApp::spawn_with(small_pool(vec![
        "--account-max-households",
        "2",
        "--household-max-open-invitations",
        "2",
    ]))
    .await;
    let token = app.issuer.token("auth0|alice");
    let creates = (0..6).map(|i| {
        app.send(
            Method::POST,
            paths::HOUSEHOLDS,
            &token,
            Some(json!({ "name": format!("Home {i}") })),
        )
    });
    let mut created = 0;
    for response in futures::future::join_all(creates).await {
        if response.status() == 201 {
            created += 1;
        } else {
            let problem = assert_problem(response, 409).await;
            assert_eq!(problem["type"], "/problems/households-per-account-exceeded");
        }
    }
    assert_eq!(created, 2, "two households, however the creates race");
    // Another account owns its own two.
    let other = app.issuer.token("auth0|bob");
    let response = app
        .send(
            Method::POST,
            paths::HOUSEHOLDS,
            &other,
            Some(json!({ "name": "Bob's" })),
        )
        .await;
    assert_eq!(response.status(), 201);

    let (h, owner) = app.household_with("Invites", "auth0|carol", "owner").await;
    for expected in [201, 201, 409] {
        let response = app
            .send(
                Method::POST,
                &paths::invitations(h),
                &owner,
                Some(json!({"role": "member"})),
            )
            .await;
        if expected == 409 {
            let problem = assert_problem(response, 409).await;
            assert_eq!(problem["type"], "/problems/open-invitations-exceeded");
        } else {
            assert_eq!(response.status(), 201);
        }
    }
    // A revoked invitation is no longer open, so it makes room.
    sqlx::query(
        "UPDATE invitations SET revoked_at = now() WHERE household_id = $1 AND id IN \
                 (SELECT id FROM invitations WHERE household_id = $1 LIMIT 1)",
    )
    .bind(h)
    .execute(&app.db.admin)
    .await
    .unwrap();
    let response = app
        .send(
            Method::POST,
            &paths::invitations(h),
            &owner,
            Some(json!({"role": "member"})),
        )
        .await;
    assert_eq!(response.status(), 201);
}

#[tokio::test]
async fn the_summary_carries_the_latest_economy_points_only() {
    let app = TestApp::spawn().await;
    let (h, token) = app.household_with("Home", "auth0|alice", "owner").await;
    let v = app.db.vehicle(h, "Car").await;
    let max = shared::summary::ECONOMY_POINTS_MAX as i32;
    sqlx::query(
        "INSERT INTO fuel_logs (household_id, vehicle_id, filled_at, odometer_km, volume, cost) \
         SELECT $1, $2, date '2000-01-01' + i, 1000.0 * i, 60.0, 90.0 \
         FROM generate_series(0, $3) AS i",
    )
    .bind(h)
    .bind(v)
    .bind(max + 5)
    .execute(&app.db.admin)
    .await
    .unwrap();
    let summary: Value = app
        .get(&paths::summary(h), &token)
        .await
        .json()
        .await
        .unwrap();
    let car = &summary["vehicles"][0];
    assert_eq!(car["fill_ups"], max + 6);
    assert_eq!(car["distance_km"], 1000.0 * f64::from(max + 5));
    let economy = car["economy"].as_array().unwrap();
    assert_eq!(economy.len(), max as usize);
    let last = chrono::NaiveDate::from_ymd_opt(2000, 1, 1).unwrap()
        + chrono::Days::new(u64::try_from(max + 5).unwrap());
    assert_eq!(economy.last().unwrap()["date"], last.to_string());
    assert_eq!(economy[0]["l_per_100km"], 6.0);
}

#[tokio::test]
async fn the_runtime_role_has_statement_and_idle_transaction_timeouts() {
    let app = TestApp::spawn().await;
    let (statement, idle): (String, String) = sqlx::query_as(
        "SELECT current_setting('statement_timeout'), \
                current_setting('idle_in_transaction_session_timeout')",
    )
    .fetch_one(&app.db.app)
    .await
    .unwrap();
    assert_eq!((statement.as_str(), idle.as_str()), ("5s", "5s"));
}

async fn exchange_from(app: &TestApp, forwarded_for: &str) -> u16 {
    app.http
        .post(app.url(paths::EXCHANGE))
        .bearer_auth("not-a-token")
        .header("x-forwarded-for", forwarded_for)
        .json(&json!({ "household_id": uuid::Uuid::new_v4() }))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

fn per_ip_limited(settings: Vec<&'static str>) -> Options {
    let mut options = small_pool(settings);
    options.tuning.rates.exchange_per_ip.burst = 2;
    options.tuning.rates.exchange_per_ip.per_second = 1;
    options
}

#[tokio::test]
async fn through_a_trusted_proxy_clients_are_limited_apart() {
    let app = TestApp::spawn_with(per_ip_limited(vec!["--trusted-proxies", "127.0.0.1"])).await;
    for _ in 0..2 {
        assert_eq!(exchange_from(&app, "203.0.113.1").await, 401);
    }
    assert_eq!(exchange_from(&app, "203.0.113.1").await, 429);
    // A client that forges a hop before its own address is still itself.
    assert_eq!(exchange_from(&app, "203.0.113.2, 203.0.113.1").await, 429);
    assert_eq!(exchange_from(&app, "203.0.113.2").await, 401);
}

#[tokio::test]
async fn a_forged_forwarded_for_from_an_untrusted_peer_changes_nothing() {
    let app = TestApp::spawn_with(per_ip_limited(vec!["--trusted-proxies", "10.0.0.0/8"])).await;
    assert_eq!(exchange_from(&app, "203.0.113.1").await, 401);
    assert_eq!(exchange_from(&app, "203.0.113.2").await, 401);
    assert_eq!(exchange_from(&app, "203.0.113.3").await, 429);
}

#[tokio::test]
async fn my_households_are_rate_limited_per_user() {
    let mut options = small_pool(vec![]);
    options.tuning.rates.data_per_user.burst = 2;
    options.tuning.rates.data_per_user.per_second = 1;
    let app = TestApp::spawn_with(options).await;
    let alice = app.issuer.token("auth0|alice");
    for _ in 0..2 {
        assert_eq!(app.get(paths::MY_HOUSEHOLDS, &alice).await.status(), 200);
    }
    let limited = app.get(paths::MY_HOUSEHOLDS, &alice).await;
    assert!(limited.headers().contains_key("retry-after"));
    assert_problem(limited, 429).await;
    let bob = app.issuer.token("auth0|bob");
    assert_eq!(app.get(paths::MY_HOUSEHOLDS, &bob).await.status(), 200);
}

/// An account that owns several households gets one total across them, besides each
/// household's own; the 429 names the limit that refused (IETF `RateLimit` headers).
#[tokio::test]
async fn an_account_gets_one_total_across_its_households() {
    let mut options = small_pool(vec![]);
    options.tuning.rates.data_per_user.burst = 100;
    options.tuning.rates.data_per_account.burst = 6;
    options.tuning.rates.data_per_account.per_second = 1;
    let app = TestApp::spawn_with(options).await;
    let mut tokens = Vec::new();
    for name in ["One", "Two", "Three"] {
        let (h, token) = app.household_with(name, "auth0|alice", "owner").await;
        tokens.push((h, token));
    }
    let (other, bob) = app.household_with("Bob's", "auth0|bob", "owner").await;
    for (h, token) in tokens.iter().cycle().take(6) {
        assert_eq!(app.get(&paths::vehicles(*h), token).await.status(), 200);
    }

    let (h, token) = &tokens[0];
    let limited = app.get(&paths::vehicles(*h), token).await;
    let header = |name: &str| limited.headers()[name].to_str().unwrap().to_owned();
    let retry: u64 = header("retry-after").parse().unwrap();
    assert!(retry >= 1);
    assert_eq!(header("ratelimit-policy"), r#""data_per_account";q=6;w=6"#);
    assert_eq!(
        header("ratelimit"),
        format!(r#""data_per_account";r=0;t={retry}"#)
    );
    assert_problem(limited, 429).await;
    // Another account is not held back.
    assert_eq!(app.get(&paths::vehicles(other), &bob).await.status(), 200);
}

#[tokio::test]
async fn a_body_that_stalls_gets_408() {
    let app = TestApp::spawn_with(small_pool(vec!["--body-timeout-secs", "1"])).await;
    let (h, token) = app.household_with("Home", "auth0|alice", "owner").await;
    let addr = app.base.trim_start_matches("http://").to_owned();
    let mut stream = TcpStream::connect(&addr).await.unwrap();
    let head = format!(
        "POST {} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{{",
        paths::vehicles(h)
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut answer = vec![0u8; 4096];
    let n = tokio::time::timeout(Duration::from_secs(5), stream.read(&mut answer))
        .await
        .expect("an answer once the body stalls")
        .unwrap();
    let answer = String::from_utf8_lossy(&answer[..n]);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("/problems/request-timeout"), "{answer}");
}

/// Requests stuck in the database (they wait on a row lock the test holds) hold at most
/// their household's and their account's share of the pool: the next one of the same
/// household, or of the same account in a third household, waits for one of its own and
/// then gets a 429 naming the share; another household and another account are answered
/// at once all along, and the stuck ones finish once the lock goes.
#[tokio::test]
async fn requests_stuck_in_the_database_hold_only_their_tenants_share() {
    let app = TestApp::spawn_with(Options {
        pool_size: 6,
        acquire_timeout: Duration::from_secs(1),
        settings: vec![
            "--database-max-in-flight-per-household",
            "2",
            "--database-max-in-flight-per-account",
            "3",
        ],
        ..Options::default()
    })
    .await;
    let (stuck, stuck_token) = app.household_with("Stuck", "auth0|alice", "owner").await;
    let (second, second_token) = app.household_with("Second", "auth0|alice", "owner").await;
    let (third, third_token) = app.household_with("Third", "auth0|alice", "owner").await;
    let (other, other_token) = app.household_with("Bob's", "auth0|bob", "owner").await;
    let stuck_car = app.db.vehicle(stuck, "Car").await;
    let second_car = app.db.vehicle(second, "Van").await;

    // The lock: both vehicles' rows, held by an owner transaction.
    let mut lock = Some(app.db.admin.begin().await.unwrap());
    sqlx::query("SELECT 1 FROM vehicles WHERE id IN ($1, $2) FOR UPDATE")
        .bind(stuck_car)
        .bind(second_car)
        .execute(&mut **lock.as_mut().unwrap())
        .await
        .unwrap();
    let patch = |household, car, token: &String| {
        let app = &app;
        let path = paths::vehicle(household, car);
        let token = token.clone();
        async move {
            app.send(Method::PATCH, &path, &token, Some(json!({"year": 2001})))
                .await
                .status()
        }
    };
    let stuck_writes = futures::future::join3(
        patch(stuck, stuck_car, &stuck_token),
        patch(stuck, stuck_car, &stuck_token),
        patch(second, second_car, &second_token),
    );
    let probes = async {
        // Let the three writes reach the lock first.
        tokio::time::sleep(Duration::from_millis(300)).await;
        let refused = |response: reqwest::Response, share: &'static str| async move {
            let policy = response.headers()["ratelimit-policy"]
                .to_str()
                .unwrap()
                .to_owned();
            assert!(policy.starts_with(&format!("\"{share}\";")), "{policy}");
            assert!(response.headers().contains_key("retry-after"));
            assert_problem(response, 429).await;
        };
        let (own_path, account_path) = (paths::vehicles(stuck), paths::vehicles(third));
        let started = Instant::now();
        let (own, account, others) = tokio::join!(
            app.get(&own_path, &stuck_token),
            app.get(&account_path, &third_token),
            async {
                let started = Instant::now();
                let response = app.get(&paths::vehicles(other), &other_token).await;
                (response.status(), started.elapsed())
            },
        );
        refused(own, "in_flight_per_household").await;
        refused(account, "in_flight_per_account").await;
        assert!(
            started.elapsed() >= Duration::from_millis(900),
            "they waited for a share"
        );
        assert_eq!(others.0, 200);
        assert!(
            others.1 < Duration::from_millis(500),
            "another account: {:?}",
            others.1
        );
        lock.take().unwrap().commit().await.unwrap();
    };
    let ((a, b, c), ()) = tokio::join!(stuck_writes, probes);
    assert_eq!([a, b, c].map(|s| s.as_u16()), [200; 3]);
}

/// An export reads every row of a household in one statement, so a replica runs one at a
/// time: while one is held up in the database, another household's export answers 429
/// naming `exports_in_flight` at once, and that household's ordinary reads are served.
#[tokio::test]
async fn one_export_at_a_time_and_the_rest_are_served() {
    let app = TestApp::spawn().await;
    let (first, first_owner) = app.household_with("First", "auth0|alice", "owner").await;
    let (second, second_owner) = app.household_with("Second", "auth0|bob", "owner").await;
    // The first export waits on a lock the test holds on one of the tables it reads.
    let mut lock = Some(app.db.admin.begin().await.unwrap());
    sqlx::query("LOCK TABLE audit_events IN ACCESS EXCLUSIVE MODE")
        .execute(&mut **lock.as_mut().unwrap())
        .await
        .unwrap();
    let first_export = paths::export(first);
    let held = app.get(&first_export, &first_owner);
    let probes = async {
        tokio::time::sleep(Duration::from_millis(300)).await;
        let started = Instant::now();
        let response = app.get(&paths::export(second), &second_owner).await;
        assert!(
            started.elapsed() < Duration::from_millis(500),
            "refused at once"
        );
        let policy = response.headers()["ratelimit-policy"]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(policy.starts_with("\"exports_in_flight\";"), "{policy}");
        assert_problem(response, 429).await;
        let read = app.get(&paths::vehicles(second), &second_owner).await;
        assert_eq!(read.status(), 200);
        lock.take().unwrap().commit().await.unwrap();
    };
    let (held, ()) = tokio::join!(held, probes);
    assert_eq!(held.status(), 200);
    // The slot is free again.
    let again = app.get(&paths::export(second), &second_owner).await;
    assert_eq!(again.status(), 200);
}
