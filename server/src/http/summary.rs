//! `GET /api/households/{household_id}/summary`.

use axum::Json;
use shared::summary::Summary;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::params::HouseholdPath;
use super::problems::DataErrors;
use crate::auth::context::HouseholdAccess;
use crate::db::summary;
use crate::error::Result;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(household_summary))
}

#[utoipa::path(
    get,
    path = "/api/households/{household_id}/summary",
    tag = "summary",
    params(HouseholdPath),
    security(("internal_token" = [])),
    responses(
        (status = 200, body = Summary),
        DataErrors,
    ),
)]
async fn household_summary(access: HouseholdAccess) -> Result<Json<Summary>> {
    let read = access.read();
    let vehicles = summary::per_vehicle(&read).await?;
    Ok(Json(Summary {
        household_id: read.household_id(),
        vehicles,
    }))
}
