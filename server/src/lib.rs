//! The household token exchange and data API.
//!
//! A request's path reads top to bottom: route (`http::*`) → extractor
//! (`auth::context::HouseholdAccess`) → body → scoped transaction (`db::tenant`) → SQL (`db::*`),
//! or for a read one statement that enters the household and reads (`db::read`) → response (`shared` types, or `error::AppError` as problem+json).

pub mod auth;
pub mod cli;
pub mod config;
pub mod db;
#[cfg(feature = "dev")]
pub mod dev;
pub mod error;
pub mod fair_share;
pub mod http;
pub mod listen;
pub mod metrics;
pub mod profiles;
pub mod rate_limit;
pub mod request_id;
pub mod state;

use std::future::Future;
use std::time::Duration;

use axum::Router;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request};
use axum::http::{HeaderValue, header};
use axum::response::Response;
use tokio::net::TcpListener;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;
use tracing::Span;

use crate::config::Config;
use crate::error::AppError;
use crate::http::extract::BODY_LIMIT;
use crate::request_id::{ClientRequestId, RequestId};
use crate::state::{AppState, Tuning};

/// The whole router, for `serve` and for in-process tests.
pub fn app(state: AppState) -> Router {
    let cors = http::cors::Cors::new(&state.config.runtime.cors_allowed_origins);
    let metrics = state.metrics.clone();
    http::routes(&state)
        .fallback(|| async { AppError::NotFound })
        .method_not_allowed_fallback(|| async {
            AppError::BadRequest("method not allowed on this route".into())
        })
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            http::guard::guard,
        ))
        .with_state(state)
        .layer(axum::middleware::from_fn_with_state(
            cors,
            http::cors::middleware,
        ))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(CatchPanicLayer::custom(|_| {
            axum::response::IntoResponse::into_response(AppError::Internal(anyhow::anyhow!(
                "handler panicked"
            )))
        }))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|req: &Request| {
                    let route = req
                        .extensions()
                        .get::<MatchedPath>()
                        .map(MatchedPath::as_str)
                        .unwrap_or("unmatched");
                    let id = req
                        .extensions()
                        .get::<RequestId>()
                        .map(RequestId::as_str)
                        .unwrap_or_default();
                    let client_id = req
                        .extensions()
                        .get::<ClientRequestId>()
                        .map(ClientRequestId::as_str);
                    tracing::info_span!(
                        "request",
                        request_id = id,
                        client_request_id = client_id,
                        method = %req.method(),
                        route,
                        household_id = tracing::field::Empty,
                        sub = tracing::field::Empty,
                        status = tracing::field::Empty,
                        latency_us = tracing::field::Empty,
                    )
                })
                .on_request(())
                .on_response(|res: &Response, latency: Duration, span: &Span| {
                    span.record("status", res.status().as_u16());
                    span.record("latency_us", latency.as_micros() as u64);
                    tracing::info!("handled");
                }),
        )
        .layer(axum::middleware::from_fn(request_id::middleware))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(axum::middleware::from_fn_with_state(
            metrics,
            metrics::track,
        ))
}

/// Connects, refuses to start when the database would not isolate households (see
/// [`db::audit`]), and builds the state.
pub async fn start(config: Config, tuning: Tuning) -> anyhow::Result<AppState> {
    let db = db::connect(&config.database_url, &config.runtime)
        .await
        .map_err(|e| anyhow::anyhow!("cannot connect with DATABASE_URL: {e}"))?;
    db::pooler::check_reset(&db.connect_options()).await?;
    let context_key = db::context::ContextKey::from_file(&config.database_context_key_file)?;
    // In one transaction, so that the checks hold together behind a transaction-mode pooler.
    let mut tx = db.begin().await?;
    db::context::check_installed(&mut tx, &context_key).await?;
    let report = db::audit::audit(&mut tx).await?;
    db::warn_without_timeouts(&mut tx).await?;
    tx.commit().await?;
    let problems = report.problems();
    if !problems.is_empty() {
        anyhow::bail!(
            "refusing to start: the database would not isolate households:\n  - {}\nconnect DATABASE_URL as the \
             runtime role (see server/sql/bootstrap.sql) and run `server migrate`; `server audit-rls` shows the state",
            problems.join("\n  - ")
        );
    }
    for problem in report.key_problems() {
        tracing::warn!(
            problem,
            "`server audit-rls` will fail: a tenant table is not keyed by household"
        );
    }
    let signer = auth::internal::InternalSigner::new(&config.internal)?;
    AppState::new(config, db, context_key, signer, tuning)
}

/// Serves [`app`] until `shutdown` resolves, then drains in-flight requests.
pub async fn run(
    state: AppState,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let header_read = Duration::from_secs(state.config.runtime.timeouts.header_read_secs);
    run_router(app(state), listener, header_read, shutdown).await
}

/// Serves `router` until `shutdown` resolves, then drains in-flight requests. A client
/// gets `header_read_timeout` to send a request's headers.
pub async fn run_router(
    router: Router,
    listener: TcpListener,
    header_read_timeout: Duration,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    listen::serve(router, listener, header_read_timeout, shutdown).await
}

/// Serves `GET /metrics` (and nothing else) on `listener` until `shutdown` resolves.
pub async fn run_metrics(
    state: AppState,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let header_read = Duration::from_secs(state.config.runtime.timeouts.header_read_secs);
    let router = metrics::router(state.metrics.clone(), state.db.clone());
    run_router(router, listener, header_read, shutdown).await
}

/// Binds `METRICS_BIND_ADDR`, when set, and serves the metrics there in the background
/// until `shutdown` resolves. A bad address stops the start, as the main listener's does.
pub async fn spawn_metrics(
    state: &AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let Some(addr) = state.config.runtime.metrics_bind_addr else {
        return Ok(());
    };
    let listener = TcpListener::bind(addr)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on METRICS_BIND_ADDR {addr}: {e}"))?;
    tracing::info!(%addr, "serving metrics");
    let state = state.clone();
    tokio::spawn(async move {
        if let Err(e) = run_metrics(state, listener, shutdown).await {
            tracing::error!(error = %e, "the metrics listener stopped");
        }
    });
    Ok(())
}

/// `server serve`: [`start`], the metrics listener when configured, then [`run`].
pub async fn serve(
    config: Config,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let state = start(config, Tuning::default()).await?;
    let shutdown = futures::FutureExt::shared(Box::pin(shutdown));
    spawn_metrics(&state, shutdown.clone()).await?;
    run(state, listener, shutdown).await
}

/// Resolves on ctrl-c or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutting down");
}
