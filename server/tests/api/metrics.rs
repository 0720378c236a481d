//! `METRICS_BIND_ADDR`: Prometheus text on a listener of its own, scraped over real HTTP.
//! The counters move with the requests, and no household id, subject or token appears.

use std::time::Duration;

use reqwest::Method;
use serde_json::json;
use shared::paths;

use crate::helpers::{
    Options, TestApp, TestDb, TestIssuer, assert_problem, config_with, key_file, tempdir,
};

/// The value of the sample of `name` whose labels include every `labels` pair.
fn sample(text: &str, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    text.lines()
        .filter(|line| !line.starts_with('#'))
        .filter_map(|line| line.rsplit_once(' '))
        .find(|(series, _)| {
            let (metric, rest) = series.split_once('{').unwrap_or((series, ""));
            metric == name
                && labels
                    .iter()
                    .all(|(k, v)| rest.contains(&format!("{k}=\"{v}\"")))
        })
        .map(|(_, value)| value.parse().unwrap())
}

fn value(text: &str, name: &str, labels: &[(&str, &str)]) -> f64 {
    sample(text, name, labels).unwrap_or_else(|| panic!("no {name} {labels:?} in:\n{text}"))
}

fn with_metrics(options: Options) -> Options {
    Options {
        metrics: true,
        ..options
    }
}

const VEHICLES: &str = "/api/households/{household_id}/vehicles";

#[tokio::test]
async fn requests_are_counted_by_route_template_and_no_household_or_subject_appears() {
    let app = TestApp::spawn_with(with_metrics(Options::default())).await;
    let sub = "auth0|metrics-subject-7f3a";
    let (household, token) = app.household_with("Home", sub, "owner").await;
    let path = paths::vehicles(household);
    for _ in 0..3 {
        assert_eq!(app.get(&path, &token).await.status(), 200);
    }
    let created = app
        .send(Method::POST, &path, &token, Some(json!({"name": "Van"})))
        .await;
    assert_eq!(created.status(), 201);
    let refused = app
        .exchange_with("not.a.token", &household.to_string())
        .await;
    assert_problem(refused, 401).await;
    let stray = format!("/no/such/{}", uuid::Uuid::new_v4());
    assert_eq!(app.get(&stray, &token).await.status(), 404);

    let text = app.scrape().await;
    let get = [("method", "GET"), ("route", VEHICLES), ("status", "200")];
    assert_eq!(value(&text, "http_requests_total", &get), 3.0);
    let post = [("method", "POST"), ("route", VEHICLES), ("status", "201")];
    assert_eq!(value(&text, "http_requests_total", &post), 1.0);
    let unmatched = [("route", "unmatched"), ("status", "404")];
    assert_eq!(value(&text, "http_requests_total", &unmatched), 1.0);
    let latency = [("method", "GET"), ("route", VEHICLES)];
    assert_eq!(
        value(&text, "http_request_duration_seconds_count", &latency),
        3.0
    );
    assert_eq!(
        value(&text, "exchanges_total", &[("outcome", "issued")]),
        1.0
    );
    assert_eq!(
        value(&text, "exchanges_total", &[("outcome", "invalid_token")]),
        1.0
    );
    // One exchange's token, four data requests: verified once, then served from the cache.
    assert_eq!(
        value(&text, "internal_token_cache_total", &[("result", "miss")]),
        1.0
    );
    assert_eq!(
        value(&text, "internal_token_cache_total", &[("result", "hit")]),
        3.0
    );
    assert!(value(&text, "auth0_jwks_fetches_total", &[("outcome", "ok")]) >= 1.0);
    assert_eq!(value(&text, "db_pool_max_connections", &[]), 8.0);
    assert!(sample(&text, "db_pool_connections", &[("state", "idle")]).is_some());

    for secret in [
        household.to_string(),
        household.simple().to_string(),
        sub.to_owned(),
        "metrics-subject".to_owned(),
        token.clone(),
        stray,
    ] {
        assert!(!text.contains(&secret), "{secret} appears in:\n{text}");
    }
}

#[tokio::test]
async fn every_answer_says_the_servers_own_time_in_server_timing() {
    let app = TestApp::spawn_with(Options::default()).await;
    let (household, token) = app.household_with("Home", "auth0|timing", "owner").await;
    let ok = app.get(&paths::vehicles(household), &token).await;
    let refused = app
        .exchange_with("not.a.token", &household.to_string())
        .await;
    let missing = app.get("/no/such/route", &token).await;
    for (what, response) in [("200", ok), ("401", refused), ("404", missing)] {
        let timing = response.headers()["server-timing"]
            .to_str()
            .unwrap()
            .to_owned();
        let ms: f64 = timing
            .strip_prefix("app;dur=")
            .unwrap_or_else(|| panic!("{what}: {timing}"))
            .parse()
            .unwrap();
        assert!((0.0..10_000.0).contains(&ms), "{what}: {timing}");
    }
}

#[tokio::test]
async fn the_bundle_is_counted_under_its_route_template_not_its_file_names() {
    let dist = tempdir::Dir::new();
    std::fs::write(dist.0.join("mfe-0123456789abcdef.js"), "export {}").unwrap();
    std::fs::write(dist.0.join("index.html"), "<!doctype html>").unwrap();
    let app = TestApp::spawn_with(with_metrics(Options {
        mfe_dist: Some(dist.0.clone()),
        ..Options::default()
    }))
    .await;
    for path in ["/mfe/mfe-0123456789abcdef.js", "/mfe/household/x/mfe"] {
        let response = app.http.get(app.url(path)).send().await.unwrap();
        assert_eq!(response.status(), 200, "{path}");
    }
    let text = app.scrape().await;
    let bundle = [("route", "/mfe/{*path}"), ("status", "200")];
    assert_eq!(value(&text, "http_requests_total", &bundle), 2.0);
    assert!(!text.contains("0123456789abcdef"), "{text}");
}

#[tokio::test]
async fn rate_limit_refusals_are_counted_by_limit_name() {
    let mut options = Options::default();
    options.tuning.rates.data_per_user.per_second = 1;
    options.tuning.rates.data_per_user.burst = 2;
    let app = TestApp::spawn_with(with_metrics(options)).await;
    let (household, token) = app.household_with("Home", "auth0|alice", "member").await;
    let path = paths::vehicles(household);
    let mut refused = 0;
    for _ in 0..6 {
        if app.get(&path, &token).await.status() == 429 {
            refused += 1;
        }
    }
    assert!(refused >= 3, "{refused} refusals");

    let text = app.scrape().await;
    assert_eq!(
        value(
            &text,
            "rate_limit_refusals_total",
            &[("limit", "data_per_user")]
        ),
        f64::from(refused)
    );
    let too_many = [("route", VEHICLES), ("status", "429")];
    assert_eq!(
        value(&text, "http_requests_total", &too_many),
        f64::from(refused)
    );
    // Every limit's series exists from the start, at zero until it refuses.
    assert_eq!(
        value(
            &text,
            "rate_limit_refusals_total",
            &[("limit", "exchange_per_ip")]
        ),
        0.0
    );
}

#[tokio::test]
async fn a_request_that_waits_out_the_pool_is_counted_and_in_use_connections_show() {
    let app = TestApp::spawn_with(with_metrics(Options {
        pool_size: 1,
        acquire_timeout: Duration::from_millis(200),
        ..Options::default()
    }))
    .await;
    let (household, token) = app.household_with("Home", "auth0|alice", "member").await;
    let held = app.state.db.acquire().await.unwrap();

    let response = app.get(&paths::vehicles(household), &token).await;
    assert_problem(response, 503).await;

    let text = app.scrape().await;
    assert_eq!(value(&text, "db_pool_acquire_timeouts_total", &[]), 1.0);
    assert_eq!(
        value(&text, "db_pool_connections", &[("state", "in_use")]),
        1.0
    );
    assert_eq!(
        value(&text, "exchanges_total", &[("outcome", "issued")]),
        1.0
    );
    drop(held);
}

#[tokio::test]
async fn the_main_listener_does_not_serve_metrics_and_the_metrics_listener_serves_nothing_else() {
    let app = TestApp::spawn_with(with_metrics(Options::default())).await;
    let response = app.http.get(app.url("/metrics")).send().await.unwrap();
    assert_problem(response, 404).await;

    let base = app.metrics_base.clone().unwrap();
    for path in ["/healthz", "/api/me/households", "/openapi.json"] {
        let response = app.http.get(format!("{base}{path}")).send().await.unwrap();
        assert_eq!(response.status(), 404, "{path}");
    }
    let response = app
        .http
        .get(format!("{base}/metrics"))
        .send()
        .await
        .unwrap();
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain; version=0.0.4")
    );
}

#[tokio::test]
async fn serve_opens_the_metrics_listener_on_metrics_bind_addr() {
    let db = TestDb::new().await;
    let issuer = TestIssuer::start().await;
    let (_dir, key) = key_file();
    // A free port, as an operator would name one.
    let metrics_addr = {
        let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        probe.local_addr().unwrap().to_string()
    };
    let config = config_with(
        &issuer.url,
        &db.app_url(),
        key,
        300,
        &["--metrics-bind-addr", &metrics_addr],
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(server::serve(config, listener, std::future::pending()));

    let http = reqwest::Client::new();
    // The main listener is bound already: this waits for the server to start.
    let health = http.get(format!("{base}/healthz")).send().await.unwrap();
    assert_eq!(health.status(), 200);
    let text = http
        .get(format!("http://{metrics_addr}/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let healthz = [("route", "/healthz"), ("status", "200")];
    assert_eq!(value(&text, "http_requests_total", &healthz), 1.0);
}
