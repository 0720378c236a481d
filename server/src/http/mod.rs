//! The HTTP surface: one module per resource, each registering its routes once, with the
//! handlers' `#[utoipa::path]`, into [`api`]; the OpenAPI document is what they register.

pub mod audit_events;
pub mod bundle;
pub mod cors;
pub mod exchange;
pub mod export;
pub mod extract;
pub mod fuel_logs;
pub mod guard;
pub mod health;
pub mod host;
pub mod households;
pub mod invitations;
pub mod join_requests;
pub mod me;
pub mod members;
pub mod openapi;
pub mod pagination;
pub mod params;
pub mod problems;
pub mod summary;
pub mod vehicles;

use axum::Router;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;

use crate::state::AppState;

/// Every documented route, with its part of the OpenAPI document.
pub fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(openapi::ApiDoc::openapi())
        .merge(health::router())
        .merge(exchange::router())
        .merge(me::router())
        .merge(vehicles::router())
        .merge(fuel_logs::router())
        .merge(summary::router())
        .merge(households::router())
        .merge(export::router())
        .merge(members::router())
        .merge(invitations::router())
        .merge(join_requests::router())
        .merge(audit_events::router())
        .merge(host::router())
        .merge(openapi::router())
}

/// The routes [`crate::app`] serves: [`api`], and the built micro-frontend at `/mfe/` when
/// `MFE_DIST` is set (static files: the one part the document leaves out).
pub fn routes(state: &AppState) -> Router<AppState> {
    let (router, _) = api().split_for_parts();
    match &state.config.mfe_dist {
        Some(dist) => bundle::nest(router, state, dist),
        None => router,
    }
}
