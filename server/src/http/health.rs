//! Liveness and readiness.

use axum::Json;
use axum::extract::State;
use serde_json::{Value, json};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::problems::Unavailable;
use crate::error::{AppError, Result};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(healthz))
        .routes(routes!(readyz))
}

#[utoipa::path(get, path = "/healthz", tag = "operations", responses((status = 200, description = "Alive")))]
async fn healthz() -> Json<Value> {
    Json(json!({ "status": "ok" }))
}

/// Ready when the database answers within the pool's acquire timeout.
#[utoipa::path(get, path = "/readyz", tag = "operations", responses((status = 200, description = "The database answers"), Unavailable))]
async fn readyz(State(state): State<AppState>) -> Result<Json<Value>> {
    // The simple protocol: one round trip, and whole behind a transaction-mode pooler.
    sqlx::raw_sql("SELECT 1")
        .execute(&state.db)
        .await
        .map_err(|_| AppError::Unavailable("the database is unreachable"))?;
    Ok(Json(json!({ "status": "ready" })))
}
