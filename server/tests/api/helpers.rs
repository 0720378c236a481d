//! `TestDb` (a fresh migrated database and the runtime-role pool), `TestIssuer` (an
//! OpenID issuer on a loopback port, standing in for Auth0) and `TestApp` (the server on
//! a loopback port, wired to both).

#![allow(dead_code)]

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, LazyLock, Mutex};

use axum::Json;
use axum::extract::State;
use axum::routing::get;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use rsa::RsaPrivateKey;
use rsa::pkcs1::EncodeRsaPrivateKey;
use rsa::traits::PublicKeyParts;
use serde_json::{Value, json};
use server::config::{Config, RateLimits};
use server::state::AppState;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions, PgSslMode};
use sqlx::{Connection, PgConnection, PgPool};
use uuid::Uuid;

use crate::pgbouncer::PgBouncer;

pub const AUDIENCE: &str = "https://api.household.test";
pub const CLIENT_ID: &str = "test-spa";

/// Two RSA keys for the whole test binary: generating them is the slow part.
pub static RSA_KEYS: LazyLock<[RsaPrivateKey; 2]> = LazyLock::new(|| {
    let mut rng = rand::rngs::OsRng;
    [
        RsaPrivateKey::new(&mut rng, 2048).unwrap(),
        RsaPrivateKey::new(&mut rng, 2048).unwrap(),
    ]
});

pub fn now() -> u64 {
    jsonwebtoken::get_current_timestamp()
}

fn admin_url() -> String {
    std::env::var("TEST_ADMIN_DATABASE_URL").expect(
        "TEST_ADMIN_DATABASE_URL must name a PostgreSQL superuser connection; ./scripts/test starts a throwaway cluster and sets it",
    )
}

/// A fresh database, migrated by the owner (the superuser here), plus a pool that connects
/// as the runtime role `household_app`, the way the server does. Dropped at the end.
pub struct TestDb {
    pub name: String,
    pub admin: PgPool,
    pub app: PgPool,
    pub app_options: PgConnectOptions,
    /// The PgBouncer the runtime-role pool goes through, if any.
    pub pgbouncer: Option<PgBouncer>,
}

/// Where the runtime-role pool connects.
#[derive(Debug, Clone, Copy)]
pub enum Via {
    /// Straight to PostgreSQL.
    Direct,
    /// Through a new PgBouncer in transaction mode with this many server connections, and
    /// without a statement cache (`DATABASE_STATEMENT_CACHE_CAPACITY=0`).
    PgBouncer(u32),
    /// Through something listening on this loopback port that relays to PostgreSQL, with
    /// this statement cache capacity (0: as the server runs behind a pooler).
    Relay(u16, u16),
}

impl Via {
    /// `TEST_PGBOUNCER=1` sends every test through PgBouncer.
    pub fn from_env() -> Self {
        if crate::pgbouncer::requested() {
            Via::PgBouncer(4)
        } else {
            Via::Direct
        }
    }
}

/// Host and port of the test cluster.
pub fn upstream() -> (String, u16) {
    let url = url::Url::parse(&admin_url()).unwrap();
    (
        url.host_str().unwrap().to_owned(),
        url.port().unwrap_or(5432),
    )
}

impl TestDb {
    pub async fn new() -> Self {
        Self::with_pool(PgPoolOptions::new().max_connections(8)).await
    }

    pub async fn with_pool(options: PgPoolOptions) -> Self {
        Self::with_pool_via(options, Via::from_env()).await
    }

    pub async fn with_pool_via(options: PgPoolOptions, via: Via) -> Self {
        let admin_url = admin_url();
        let name = format!("t_{}", Uuid::new_v4().simple());
        let mut conn = PgConnection::connect(&admin_url)
            .await
            .expect("connect as admin");
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut conn)
            .await
            .unwrap();
        sqlx::raw_sql(server::db::migrate::BOOTSTRAP_SQL)
            .execute(&mut conn)
            .await
            .unwrap();
        let admin_options: PgConnectOptions = admin_url
            .parse::<PgConnectOptions>()
            .unwrap()
            .database(&name);
        let admin = PgPoolOptions::new()
            .max_connections(4)
            .connect_with(admin_options.clone())
            .await
            .unwrap();
        server::db::migrate::MIGRATOR
            .run(&admin)
            .await
            .expect("migrations apply");
        let mut app_options = admin_options.clone().username("household_app");
        if let Ok(password) = std::env::var("TEST_APP_PASSWORD") {
            app_options = app_options.password(&password);
        }
        let mut pgbouncer = None;
        let routed = match via {
            Via::Direct => app_options.clone(),
            Via::PgBouncer(server_pool_size) => {
                let (host, port) = upstream();
                let bouncer = PgBouncer::start(&host, port, server_pool_size);
                let options = app_options
                    .clone()
                    .host("127.0.0.1")
                    .port(bouncer.port)
                    .statement_cache_capacity(0);
                pgbouncer = Some(bouncer);
                options
            }
            Via::Relay(port, capacity) => app_options
                .clone()
                .host("127.0.0.1")
                .port(port)
                .ssl_mode(PgSslMode::Disable)
                .statement_cache_capacity(usize::from(capacity)),
        };
        let app = options
            .connect_with(routed)
            .await
            .expect("connect as household_app");
        Self {
            name,
            admin,
            app,
            app_options,
            pgbouncer,
        }
    }

    pub fn app_url(&self) -> String {
        let admin = admin_url();
        let url = url::Url::parse(&admin).unwrap();
        format!(
            "postgres://household_app@{}:{}/{}",
            url.host_str().unwrap(),
            url.port().unwrap_or(5432),
            self.name
        )
    }

    pub fn admin_url(&self) -> String {
        let mut url = url::Url::parse(&admin_url()).unwrap();
        url.set_path(&self.name);
        url.to_string()
    }

    /// Seeds a household as the owner (a superuser, whom RLS does not bind).
    pub async fn household(&self, name: &str) -> Uuid {
        sqlx::query_scalar("INSERT INTO households (name) VALUES ($1) RETURNING id")
            .bind(name)
            .fetch_one(&self.admin)
            .await
            .unwrap()
    }

    pub async fn suspend(&self, household: Uuid) {
        sqlx::query("UPDATE households SET status = 'suspended' WHERE id = $1")
            .bind(household)
            .execute(&self.admin)
            .await
            .unwrap();
    }

    pub async fn member(&self, household: Uuid, sub: &str, role: &str) {
        sqlx::query(
            "INSERT INTO household_members (household_id, user_sub, role) VALUES ($1, $2, $3)",
        )
        .bind(household)
        .bind(sub)
        .bind(role)
        .execute(&self.admin)
        .await
        .unwrap();
    }

    pub async fn vehicle(&self, household: Uuid, name: &str) -> Uuid {
        sqlx::query_scalar("INSERT INTO vehicles (household_id, name) VALUES ($1, $2) RETURNING id")
            .bind(household)
            .bind(name)
            .fetch_one(&self.admin)
            .await
            .unwrap()
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let name = self.name.clone();
        let url = admin_url();
        // Drop needs async I/O; a short-lived thread with its own runtime does it.
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                if let Ok(mut c) = PgConnection::connect(&url).await {
                    let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                        .execute(&mut c)
                        .await;
                }
            });
        })
        .join();
    }
}

/// An OpenID issuer on a loopback port: discovery and JWKS over real HTTP, keys that can
/// be rotated or taken offline, and a count of JWKS fetches.
#[derive(Clone)]
pub struct TestIssuer {
    pub url: String,
    inner: Arc<IssuerState>,
}

struct IssuerState {
    url: String,
    /// Index into RSA_KEYS of the published/signing key.
    current: Mutex<usize>,
    online: AtomicBool,
    jwks_fetches: AtomicU64,
    /// Extra raw JWKS entries (wrong kinds) published alongside.
    extra: Mutex<Vec<Value>>,
}

pub fn kid_of(index: usize) -> String {
    format!("test-key-{index}")
}

pub fn rsa_jwk(index: usize) -> Value {
    let key = RSA_KEYS[index].to_public_key();
    json!({
        "kty": "RSA", "use": "sig", "alg": "RS256", "kid": kid_of(index),
        "n": B64.encode(key.n().to_bytes_be()), "e": B64.encode(key.e().to_bytes_be()),
    })
}

pub fn rsa_encoding_key(index: usize) -> EncodingKey {
    EncodingKey::from_rsa_der(RSA_KEYS[index].to_pkcs1_der().unwrap().as_bytes())
}

impl TestIssuer {
    pub async fn start() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/", listener.local_addr().unwrap());
        let inner = Arc::new(IssuerState {
            url: url.clone(),
            current: Mutex::new(0),
            online: AtomicBool::new(true),
            jwks_fetches: AtomicU64::new(0),
            extra: Mutex::new(Vec::new()),
        });
        async fn discovery(
            State(s): State<Arc<IssuerState>>,
        ) -> Result<Json<Value>, axum::http::StatusCode> {
            if !s.online.load(Ordering::SeqCst) {
                return Err(axum::http::StatusCode::SERVICE_UNAVAILABLE);
            }
            Ok(Json(
                json!({ "issuer": s.url, "jwks_uri": format!("{}jwks.json", s.url) }),
            ))
        }
        async fn jwks(
            State(s): State<Arc<IssuerState>>,
        ) -> Result<Json<Value>, axum::http::StatusCode> {
            if !s.online.load(Ordering::SeqCst) {
                return Err(axum::http::StatusCode::SERVICE_UNAVAILABLE);
            }
            s.jwks_fetches.fetch_add(1, Ordering::SeqCst);
            let mut keys = s.extra.lock().unwrap().clone();
            keys.push(rsa_jwk(*s.current.lock().unwrap()));
            Ok(Json(json!({ "keys": keys })))
        }
        let app = axum::Router::new()
            .route("/.well-known/openid-configuration", get(discovery))
            .route("/jwks.json", get(jwks))
            .with_state(inner.clone());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Self { url, inner }
    }

    pub fn jwks_fetches(&self) -> u64 {
        self.inner.jwks_fetches.load(Ordering::SeqCst)
    }

    /// Publishes (and signs with) the other key.
    pub fn rotate(&self) {
        let mut current = self.inner.current.lock().unwrap();
        *current = 1 - *current;
    }

    pub fn set_online(&self, online: bool) {
        self.inner.online.store(online, Ordering::SeqCst);
    }

    pub fn publish_extra(&self, entry: Value) {
        self.inner.extra.lock().unwrap().push(entry);
    }

    /// Claims of a valid access token for `sub`.
    pub fn claims(&self, sub: &str) -> Value {
        let now = now();
        json!({ "iss": self.url, "sub": sub, "aud": [AUDIENCE, format!("{}userinfo", self.url)],
                "iat": now, "exp": now + 600, "azp": CLIENT_ID, "scope": "openid profile" })
    }

    pub fn sign(&self, header: &Header, claims: &Value) -> String {
        let index = *self.inner.current.lock().unwrap();
        jsonwebtoken::encode(header, claims, &rsa_encoding_key(index)).unwrap()
    }

    pub fn header(&self) -> Header {
        let mut h = Header::new(Algorithm::RS256);
        h.kid = Some(kid_of(*self.inner.current.lock().unwrap()));
        h
    }

    /// A valid access token for `sub`.
    pub fn token(&self, sub: &str) -> String {
        self.sign(&self.header(), &self.claims(sub))
    }
}

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

/// A fresh internal signing key (PEM) in a temporary directory, removed with the `Dir`.
pub fn key_file() -> (tempdir::Dir, std::path::PathBuf) {
    let dir = tempdir::Dir::new();
    let key = dir.0.join("internal.pem");
    std::fs::write(
        &key,
        server::auth::internal::KeyPair::generate_pem().unwrap(),
    )
    .unwrap();
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
        let state = AppState::new(config, db.app.clone(), signer, tuning).unwrap();
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
        let state = AppState::new(config, pool, signer, server::state::Tuning::default()).unwrap();
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
            .post(self.url("/exchange"))
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

/// Asserts an RFC 9457 problem with `status`, and returns its body.
pub async fn assert_problem(response: reqwest::Response, status: u16) -> Value {
    assert_eq!(response.status(), status, "status");
    let content_type = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned());
    assert_eq!(content_type.as_deref(), Some("application/problem+json"));
    assert!(response.headers().contains_key("x-request-id"));
    let request_id = response.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_owned();
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["status"], status);
    assert!(
        body["type"].is_string() && body["title"].is_string(),
        "{body}"
    );
    assert_eq!(
        body["request_id"],
        request_id.as_str(),
        "the problem names the request"
    );
    body
}

/// A throwaway `redis-server` on a free loopback port, without persistence; killed on drop.
pub struct TestRedis {
    pub url: String,
    child: std::process::Child,
}

impl TestRedis {
    pub async fn start() -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = std::process::Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!(
                    "cannot run redis-server ({e}): the shared rate-limit tests start their own; \
                     install it (apt-get install redis-server) or run ./scripts/test, which does"
                )
            });
        let url = format!("redis://127.0.0.1:{port}/");
        let redis = Self { url, child };
        for _ in 0..100 {
            if redis.connection().await.is_ok() {
                return redis;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("redis-server did not answer on port {port} within 5 s");
    }

    async fn connection(&self) -> redis::RedisResult<redis::aio::MultiplexedConnection> {
        let client = redis::Client::open(self.url.as_str())?;
        let mut conn = client.get_multiplexed_async_connection().await?;
        redis::cmd("PING").query_async::<String>(&mut conn).await?;
        Ok(conn)
    }

    /// Every key Redis holds.
    pub async fn keys(&self) -> Vec<String> {
        let mut conn = self.connection().await.unwrap();
        redis::cmd("KEYS")
            .arg("*")
            .query_async(&mut conn)
            .await
            .unwrap()
    }

    /// Stops it at once, as a crash would.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for TestRedis {
    fn drop(&mut self) {
        self.kill();
    }
}
