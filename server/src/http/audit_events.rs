//! `GET /api/households/{household_id}/audit-events`: the household's append-only record,
//! newest first, for its owners.

use axum::Json;
use shared::audit::AuditEvent;
use shared::page::Page;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::extract::AppQuery;
use super::pagination::{PageParams, page};
use super::params::HouseholdPath;
use super::problems::DataErrors;
use crate::auth::context::HouseholdAccess;
use crate::db::audit_events;
use crate::error::Result;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list))
}

#[utoipa::path(get, path = "/api/households/{household_id}/audit-events", tag = "audit",
    params(HouseholdPath, PageParams),
    security(("internal_token" = [])),
    responses((status = 200, body = Page<AuditEvent>), DataErrors))]
pub(super) async fn list(
    access: HouseholdAccess,
    AppQuery(params): AppQuery<PageParams>,
) -> Result<Json<Page<AuditEvent>>> {
    let limit = params.limit()?;
    let after = params.cursor(|c| c.parse::<uuid::Uuid>().ok())?;
    let rows = audit_events::list(&access.read_as_owner(), after, limit + 1).await?;
    let Page { items, next_cursor } = page(rows, limit, |r| r.event_id.to_string());
    let items = items.into_iter().map(|r| r.event).collect();
    Ok(Json(Page { items, next_cursor }))
}
