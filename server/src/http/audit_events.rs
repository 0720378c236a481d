//! `GET /api/households/{household_id}/audit-events`: the household's append-only record,
//! newest first, for its owners.

use axum::routing::get;
use axum::{Json, Router};
use shared::audit::AuditEvent;
use shared::page::Page;

use super::extract::AppQuery;
use super::openapi::{DataErrors, HouseholdPath};
use super::vehicles::{PageParams, encode_cursor};
use crate::auth::context::HouseholdAccess;
use crate::db::audit_events;
use crate::error::{AppError, Result};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/api/households/{household_id}/audit-events", get(list))
}

#[utoipa::path(get, path = "/api/households/{household_id}/audit-events", tag = "audit",
    params(
        HouseholdPath,
        ("limit" = Option<u32>, Query, description = "Page size, 1 to 200 (default 50)"),
        ("cursor" = Option<String>, Query, description = "next_cursor of the previous page"),
    ),
    security(("internal_token" = [])),
    responses((status = 200, body = Page<AuditEvent>), DataErrors))]
pub(super) async fn list(
    access: HouseholdAccess,
    AppQuery(params): AppQuery<PageParams>,
) -> Result<Json<Page<AuditEvent>>> {
    let limit = params.limit()?;
    let before = params
        .cursor_text()?
        .map(|c| {
            c.parse::<i64>()
                .map_err(|_| AppError::BadRequest("cursor is not one this server issued".into()))
        })
        .transpose()?;
    let mut rows = audit_events::list(&access.read_as_owner(), before, limit + 1).await?;
    let next_cursor = if rows.len() > limit as usize {
        rows.truncate(limit as usize);
        rows.last().map(|r| encode_cursor(&r.id.to_string()))
    } else {
        None
    };
    let items = rows.into_iter().map(|r| r.event).collect();
    Ok(Json(Page { items, next_cursor }))
}
