//! Prometheus metrics, served as `GET /metrics` on a listener of their own
//! (`METRICS_BIND_ADDR`), never on the public address.
//!
//! `prometheus` (TiKV's client) rather than `metrics` + `metrics-exporter-prometheus`: its
//! registry is a value, not a process-wide recorder, so each `AppState` owns its metrics
//! (no statics, as for everything else here) and each test server in one test binary
//! counts only its own requests.
//!
//! Every label is bounded and names no tenant: the matched route template (never the raw
//! path), the method, the status, and fixed outcome and limit names. No household id,
//! subject or token is ever a label value.

use std::sync::Arc;

use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderName, HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge, IntGaugeVec, Opts,
    Registry, TextEncoder,
};
use sqlx::PgPool;
use tokio::time::Instant;

use crate::error::AcquireTimedOut;

const SERVER_TIMING: HeaderName = HeaderName::from_static("server-timing");

pub struct Metrics {
    registry: Registry,
    http_requests: IntCounterVec,
    http_duration: HistogramVec,
    exchanges: IntCounterVec,
    db_connections: IntGaugeVec,
    db_max_connections: IntGauge,
    db_acquire_timeouts: IntCounter,
    rate_limit_refusals: IntCounterVec,
    jwks_fetches: IntCounterVec,
    token_cache: IntCounterVec,
}

impl Metrics {
    pub fn new() -> prometheus::Result<Self> {
        let registry = Registry::new();
        let counters = |name: &str, help: &str, labels: &[&str]| {
            let c = IntCounterVec::new(Opts::new(name, help), labels)?;
            registry.register(Box::new(c.clone()))?;
            Ok::<_, prometheus::Error>(c)
        };
        let http_requests = counters(
            "http_requests_total",
            "HTTP requests answered, by method, matched route template and status",
            &["method", "route", "status"],
        )?;
        let exchanges = counters(
            "exchanges_total",
            "POST /exchange answers by outcome: issued, invalid_token, forbidden, suspended, \
             rate_limited, bad_request, unavailable, error",
            &["outcome"],
        )?;
        let rate_limit_refusals = counters(
            "rate_limit_refusals_total",
            "Requests refused with 429, by limit",
            &["limit"],
        )?;
        let jwks_fetches = counters(
            "auth0_jwks_fetches_total",
            "Fetches of the identity provider's keys (discovery and JWKS), by outcome: ok, error",
            &["outcome"],
        )?;
        let token_cache = counters(
            "internal_token_cache_total",
            "Internal-token verifications by verified-token cache result: hit, miss",
            &["result"],
        )?;
        let http_duration = HistogramVec::new(
            HistogramOpts::new(
                "http_request_duration_seconds",
                "Time to the response's headers, by method and matched route template",
            ),
            &["method", "route"],
        )?;
        registry.register(Box::new(http_duration.clone()))?;
        let db_connections = IntGaugeVec::new(
            Opts::new(
                "db_pool_connections",
                "Runtime pool connections by state: in_use, idle",
            ),
            &["state"],
        )?;
        registry.register(Box::new(db_connections.clone()))?;
        let db_max_connections = IntGauge::new(
            "db_pool_max_connections",
            "Most connections the runtime pool opens (DATABASE_POOL_SIZE)",
        )?;
        registry.register(Box::new(db_max_connections.clone()))?;
        let db_acquire_timeouts = IntCounter::new(
            "db_pool_acquire_timeouts_total",
            "Requests answered 503 because no pooled connection came free within \
             DATABASE_ACQUIRE_TIMEOUT_MS",
        )?;
        registry.register(Box::new(db_acquire_timeouts.clone()))?;
        Ok(Self {
            registry,
            http_requests,
            http_duration,
            exchanges,
            db_connections,
            db_max_connections,
            db_acquire_timeouts,
            rate_limit_refusals,
            jwks_fetches,
            token_cache,
        })
    }

    /// The counter of 429s of the limit named `limit` (a fixed name, never a key).
    pub fn rate_limit_refusals(&self, limit: &'static str) -> IntCounter {
        self.rate_limit_refusals.with_label_values(&[limit])
    }

    /// The JWKS fetch counters, labelled `ok` or `error`.
    pub fn jwks_fetches(&self) -> IntCounterVec {
        self.jwks_fetches.clone()
    }

    /// The verified-token cache's hit and miss counters.
    pub fn token_cache(&self) -> (IntCounter, IntCounter) {
        (
            self.token_cache.with_label_values(&["hit"]),
            self.token_cache.with_label_values(&["miss"]),
        )
    }

    pub fn exchange(&self, outcome: &'static str) {
        self.exchanges.with_label_values(&[outcome]).inc();
    }

    /// The text exposition, with the pool's gauges read now.
    pub fn render(&self, pool: &PgPool) -> String {
        let open = i64::from(pool.size());
        let idle = i64::try_from(pool.num_idle()).unwrap_or(i64::MAX);
        self.db_connections
            .with_label_values(&["in_use"])
            .set((open - idle).max(0));
        self.db_connections.with_label_values(&["idle"]).set(idle);
        self.db_max_connections
            .set(i64::from(pool.options().get_max_connections()));
        let mut out = Vec::new();
        if let Err(e) = TextEncoder::new().encode(&self.registry.gather(), &mut out) {
            tracing::error!(error = %e, "encoding the metrics failed");
        }
        String::from_utf8(out).unwrap_or_default()
    }
}

/// Counts and times every answer of the main router. Outermost, so that what it counts is
/// what the client got, whichever layer answered. The same time goes to the client as
/// `Server-Timing: app;dur=<ms>`, so a browser's Resource Timing (`serverTiming`, same origin)
/// and its network panel tell the server's share of a request from the rest.
pub async fn track(State(metrics): State<Arc<Metrics>>, request: Request, next: Next) -> Response {
    let matched = request
        .extensions()
        .get::<MatchedPath>()
        .map(|path| path.as_str().to_owned());
    let method = method_label(request.method());
    let started = Instant::now();
    let mut response = next.run(request).await;
    let elapsed = started.elapsed();
    if let Ok(timing) =
        HeaderValue::from_str(&format!("app;dur={:.2}", elapsed.as_secs_f64() * 1000.0))
    {
        response.headers_mut().insert(SERVER_TIMING, timing);
    }
    let route = matched.as_deref().unwrap_or_else(|| {
        response
            .extensions()
            .get::<RouteLabel>()
            .map_or("unmatched", |label| label.0)
    });
    metrics
        .http_duration
        .with_label_values(&[method, route])
        .observe(elapsed.as_secs_f64());
    metrics
        .http_requests
        .with_label_values(&[method, route, response.status().as_str()])
        .inc();
    if response.extensions().get::<AcquireTimedOut>().is_some() {
        metrics.db_acquire_timeouts.inc();
    }
    response
}

/// The route template of an answer from a nested service, for which axum records no
/// [`MatchedPath`].
#[derive(Debug, Clone, Copy)]
pub struct RouteLabel(pub &'static str);

/// `service`, its answers counted under the route template `route` rather than
/// `unmatched` (`nest_service` leaves no [`MatchedPath`]).
pub fn labelled<S, B>(
    route: &'static str,
    service: S,
) -> tower::util::MapResponse<
    S,
    impl FnOnce(axum::http::Response<B>) -> axum::http::Response<B> + Clone,
>
where
    S: tower::Service<Request, Response = axum::http::Response<B>>,
{
    tower::ServiceExt::map_response(service, move |mut response: axum::http::Response<B>| {
        response.extensions_mut().insert(RouteLabel(route));
        response
    })
}

/// Known methods by name; any other (hyper accepts made-up ones) as `other`, so a client
/// cannot mint label values.
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

/// The metrics listener's router: `GET /metrics` and nothing else.
pub fn router(metrics: Arc<Metrics>, pool: PgPool) -> Router {
    Router::new().route(
        "/metrics",
        get(move || async move {
            let mut response = metrics.render(&pool).into_response();
            response.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
            );
            response
        }),
    )
}
