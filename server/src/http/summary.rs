//! `GET /api/households/{household_id}/summary`.

use axum::routing::get;
use axum::{Json, Router};
use shared::problem::Problem;
use shared::summary::Summary;

use crate::auth::context::HouseholdScope;
use crate::db::summary;
use crate::error::Result;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route(
        "/api/households/{household_id}/summary",
        get(household_summary),
    )
}

#[utoipa::path(get, path = "/api/households/{household_id}/summary", tag = "summary", params(("household_id" = Uuid, Path, description = "The household; must equal the token's household_id claim")), security(("internal_token" = [])),
    responses((status = 200, body = Summary), (status = 400, description = "Malformed id, body or query", body = Problem, content_type = "application/problem+json"), (status = 401, description = "Missing or invalid internal token", body = Problem, content_type = "application/problem+json"), (status = 403, description = "Another household, or a viewer writing", body = Problem, content_type = "application/problem+json"), (status = 429, description = "Rate limited; see Retry-After", body = Problem, content_type = "application/problem+json")))]
async fn household_summary(mut scope: HouseholdScope) -> Result<Json<Summary>> {
    let vehicles = summary::per_vehicle(&mut scope.tx).await?;
    Ok(Json(Summary {
        household_id: scope.tx.household_id(),
        vehicles,
    }))
}
