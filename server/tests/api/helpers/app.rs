//! `TestApp`: the server on a loopback port, wired to a `TestDb` and a `TestIssuer`, with
//! `serve`'s own configuration parser.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use serde_json::{Value, json};
use server::config::{Config, RateLimits};
use server::state::AppState;
use shared::paths;
use uuid::Uuid;

use super::*;

/// The server on a loopback port, with a fresh database and its own issuer.
pub struct TestApp {
    pub base: String,
    pub http: reqwest::Client,
    pub db: TestDb,
    pub issuer: TestIssuer,
    pub state: AppState,
    /// How many times a handler took a connection from the pool.
    pub pool_acquires: Arc<AtomicU64>,
    pub key_dir: tempdir::Dir,
    /// Where `/metrics` is served, with `Options::metrics`.
    pub metrics_base: Option<String>,
}

/// A fresh internal signing key (PEM) in a temporary directory, removed with the `Dir`,
/// and beside it `context.key` ([`CONTEXT_KEY`]), which [`config`] names.
pub fn key_file() -> (tempdir::Dir, std::path::PathBuf) {
    let dir = tempdir::Dir::new();
    let key = dir.0.join("internal.pem");
    std::fs::write(
        &key,
        server::auth::internal::KeyPair::generate_pem().unwrap(),
    )
    .unwrap();
    std::fs::write(dir.0.join("context.key"), CONTEXT_KEY).unwrap();
    (dir, key)
}

pub mod tempdir {
    /// A directory removed on drop.
    pub struct Dir(pub std::path::PathBuf);
    impl Dir {
        pub fn new() -> Self {
            let p = std::env::temp_dir()
                .join(format!("household-test-{}", uuid::Uuid::new_v4().simple()));
            std::fs::create_dir_all(&p).unwrap();
            Dir(p)
        }
    }
    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

/// `serve`'s configuration through the same parser and defaults, with what a test decides.
/// `ttl_secs` is set after parsing: tests expire tokens faster than an operator may (10 s).
pub fn config(
    issuer: &str,
    database_url: &str,
    key_file: std::path::PathBuf,
    ttl_secs: u64,
) -> Config {
    config_with(issuer, database_url, key_file, ttl_secs, &[])
}

/// [`config`] with more settings, as flags (`--trusted-proxies`, `10.0.0.0/8`, …).
pub fn config_with(
    issuer: &str,
    database_url: &str,
    key_file: std::path::PathBuf,
    ttl_secs: u64,
    settings: &[&str],
) -> Config {
    let context_key_file = key_file
        .with_file_name("context.key")
        .to_str()
        .expect("a UTF-8 temporary path")
        .to_owned();
    let key_file = key_file
        .to_str()
        .expect("a UTF-8 temporary path")
        .to_owned();
    let fixed = [
        "--database-url",
        database_url,
        "--auth0-issuer",
        issuer,
        "--auth0-audience",
        AUDIENCE,
        "--auth0-client-id",
        CLIENT_ID,
        "--internal-jwt-key-file",
        &key_file,
        "--database-context-key-file",
        &context_key_file,
        "--bind-addr",
        "127.0.0.1:0",
        "--database-pool-size",
        "4",
    ];
    let mut config =
        Config::from_args(fixed.iter().chain(settings)).unwrap_or_else(|e| panic!("{e}"));
    config.internal.ttl_secs = ttl_secs;
    config
}

/// What a test may turn: the limits (settings) and the server's tuning.
#[derive(Debug, Clone, Copy)]
pub struct Tuning {
    pub rates: RateLimits,
    pub jwks_cooldown: std::time::Duration,
    pub jwks_refresh: std::time::Duration,
}

pub struct Options {
    pub tuning: Tuning,
    pub pool_size: u32,
    pub ttl_secs: u64,
    /// How long a request waits for a pooled connection.
    pub acquire_timeout: std::time::Duration,
    /// More settings, as flags.
    pub settings: Vec<&'static str>,
    /// `CORS_ALLOWED_ORIGINS`, as parsed.
    pub cors_allowed_origins: Vec<String>,
    /// `MFE_DIST`.
    pub mfe_dist: Option<std::path::PathBuf>,
    /// Serve `/metrics` on a loopback port of its own (`TestApp::metrics_base`).
    pub metrics: bool,
    /// Take the issuer offline before the server starts (so no key is ever fetched).
    pub issuer_offline: bool,
    /// Where the pool connects: `TEST_PGBOUNCER` decides unless a test does.
    pub via: Via,
    /// `AUTH0_ISSUER` instead of the test's own [`TestIssuer`] (which still runs).
    pub issuer: Option<String>,
}

impl Default for Options {
    fn default() -> Self {
        let mut rates = RateLimits::default();
        // Generous limits unless a test is about them.
        rates.exchange_per_ip.burst = 10_000;
        rates.exchange_per_user.burst = 10_000;
        rates.data_per_user.burst = 10_000;
        rates.data_per_account.burst = 10_000;
        rates.requests_per_ip.burst = 10_000;
        Self {
            tuning: Tuning {
                rates,
                jwks_cooldown: server::state::Tuning::default().jwks_cooldown,
                jwks_refresh: server::state::Tuning::default().jwks_refresh,
            },
            pool_size: 8,
            ttl_secs: 300,
            // Generous unless a test is about it: 200 concurrent requests over 2
            // connections queue longer than production's 1 s on a loaded machine.
            acquire_timeout: std::time::Duration::from_secs(5),
            settings: Vec::new(),
            cors_allowed_origins: Vec::new(),
            mfe_dist: None,
            metrics: false,
            issuer_offline: false,
            via: Via::from_env(),
            issuer: None,
        }
    }
}

impl TestApp {
    pub async fn spawn() -> Self {
        Self::spawn_with(Options::default()).await
    }

    pub async fn spawn_with(options: Options) -> Self {
        let issuer = TestIssuer::start().await;
        issuer.set_online(!options.issuer_offline);
        let pool_acquires = Arc::new(AtomicU64::new(0));
        let counter = pool_acquires.clone();
        let pool = server::db::pool_options()
            .max_connections(options.pool_size)
            .acquire_timeout(options.acquire_timeout)
            .before_acquire(move |_, _| {
                counter.fetch_add(1, Ordering::SeqCst);
                Box::pin(async { Ok(true) })
            });
        let db = TestDb::with_pool_via(pool, options.via).await;
        let (key_dir, key_file) = key_file();
        let mut config = config_with(
            options.issuer.as_deref().unwrap_or(&issuer.url),
            &db.app_url(),
            key_file,
            options.ttl_secs,
            &options.settings,
        );
        config.runtime.rate_limits = options.tuning.rates;
        config.runtime.cors_allowed_origins = options.cors_allowed_origins;
        config.mfe_dist = options.mfe_dist;
        config.runtime.statement_cache_capacity = match options.via {
            Via::Direct => config.runtime.statement_cache_capacity,
            Via::PgBouncer(_) => 0,
            Via::Relay(_, capacity) => capacity,
        };
        let signer = server::auth::internal::InternalSigner::new(&config.internal).unwrap();
        let tuning = server::state::Tuning {
            jwks_cooldown: options.tuning.jwks_cooldown,
            jwks_refresh: options.tuning.jwks_refresh,
        };
        let state = AppState::new(config, db.app.clone(), context_key(), signer, tuning).unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let serving = state.clone();
        tokio::spawn(async move {
            server::run(serving, listener, std::future::pending())
                .await
                .unwrap()
        });
        let mut metrics_base = None;
        if options.metrics {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            metrics_base = Some(format!("http://{}", listener.local_addr().unwrap()));
            tokio::spawn(server::run_metrics(
                state.clone(),
                listener,
                std::future::pending(),
            ));
        }
        pool_acquires.store(0, Ordering::SeqCst);
        Self {
            base,
            http: reqwest::Client::new(),
            db,
            issuer,
            state,
            pool_acquires,
            key_dir,
            metrics_base,
        }
    }

    /// The text of `GET /metrics` on the metrics listener.
    pub async fn scrape(&self) -> String {
        let base = self
            .metrics_base
            .as_ref()
            .expect("spawned with Options::metrics");
        let response = self
            .http
            .get(format!("{base}/metrics"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        response.text().await.unwrap()
    }

    /// Another server process on the same database, with the same configuration and
    /// signing key: its own pool, state (caches, local limiters) and port. Replicas share
    /// nothing but the database, the keys and, when the configuration names one, Redis.
    pub async fn replica(&self) -> String {
        let config = (*self.state.config).clone();
        let pool = server::db::pool_options()
            .max_connections(4)
            .connect_with(self.db.app_options.clone())
            .await
            .unwrap();
        let signer = server::auth::internal::InternalSigner::new(&config.internal).unwrap();
        let state = AppState::new(
            config,
            pool,
            context_key(),
            signer,
            server::state::Tuning::default(),
        )
        .unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move {
            server::run(state, listener, std::future::pending())
                .await
                .unwrap()
        });
        base
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub async fn exchange_with(&self, bearer: &str, household: &str) -> reqwest::Response {
        self.http
            .post(self.url(paths::EXCHANGE))
            .bearer_auth(bearer)
            .json(&json!({ "household_id": household }))
            .send()
            .await
            .unwrap()
    }

    /// An internal token for a member, through the real exchange.
    pub async fn internal_token(&self, sub: &str, household: Uuid) -> String {
        let response = self
            .exchange_with(&self.issuer.token(sub), &household.to_string())
            .await;
        assert_eq!(
            response.status(),
            200,
            "exchange for {sub} failed: {}",
            response.text().await.unwrap()
        );
        response.json::<Value>().await.unwrap()["access_token"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// Waits (at most 5 s) until `sub`'s profile is in the database: the exchange writes it
    /// in the background, on the pool.
    pub async fn profile_written(&self, sub: &str) {
        for _ in 0..250 {
            let found: Option<i32> =
                sqlx::query_scalar("SELECT 1 FROM profiles WHERE user_sub = $1")
                    .bind(sub)
                    .fetch_optional(&self.db.admin)
                    .await
                    .unwrap();
            if found.is_some() {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        panic!("no profile of {sub} was written");
    }

    /// A public route's JSON body.
    pub async fn get_json(&self, path: &str) -> Value {
        let response = self.http.get(self.url(path)).send().await.unwrap();
        assert!(
            response.status().is_success(),
            "GET {path}: {}",
            response.status()
        );
        response.json().await.unwrap()
    }

    pub async fn get(&self, path: &str, token: &str) -> reqwest::Response {
        self.http
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
    }

    pub async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        token: &str,
        body: Option<Value>,
    ) -> reqwest::Response {
        let mut request = self.http.request(method, self.url(path)).bearer_auth(token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        request.send().await.unwrap()
    }

    /// A household with one member of `role`, and that member's internal token.
    pub async fn household_with(&self, name: &str, sub: &str, role: &str) -> (Uuid, String) {
        let household = self.db.household(name).await;
        self.db.member(household, sub, role).await;
        let token = self.internal_token(sub, household).await;
        (household, token)
    }
}
