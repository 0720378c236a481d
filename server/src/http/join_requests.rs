//! `/api/households/{household_id}/join-requests[/{sub}/approve|deny]`: owners decide
//! who joins. Approval makes the requester a member with the invitation's role.

use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use shared::audit::AuditAction;
use shared::invitations::JoinRequests;
use shared::problem::Problem;
use uuid::Uuid;

use super::extract::AppPath;
use super::openapi::{DataErrors, HouseholdPath, MemberPath};
use crate::auth::context::HouseholdAccess;
use crate::db::{audit_events, invitations, members};
use crate::error::{AppError, Result};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/households/{household_id}/join-requests", get(list))
        .route(
            "/api/households/{household_id}/join-requests/{sub}/approve",
            post(approve),
        )
        .route(
            "/api/households/{household_id}/join-requests/{sub}/deny",
            post(deny),
        )
}

#[utoipa::path(get, path = "/api/households/{household_id}/join-requests", tag = "join requests",
    params(HouseholdPath), security(("internal_token" = [])),
    responses((status = 200, description = "Pending requests, oldest first", body = JoinRequests), DataErrors))]
pub(super) async fn list(access: HouseholdAccess) -> Result<Json<JoinRequests>> {
    let requests = invitations::pending_read(&access.read_as_owner()).await?;
    Ok(Json(JoinRequests { requests }))
}

#[utoipa::path(post, path = "/api/households/{household_id}/join-requests/{sub}/approve", tag = "join requests",
    params(MemberPath), security(("internal_token" = [])),
    responses((status = 204, description = "The requester is a member"),
        (status = 404, description = "No pending request of that person", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already a member", body = Problem, content_type = "application/problem+json"),
        DataErrors))]
pub(super) async fn approve(
    access: HouseholdAccess,
    AppPath((_, sub)): AppPath<(Uuid, String)>,
) -> Result<StatusCode> {
    let mut scope = access.begin().await?;
    scope.require_owner()?;
    let role = invitations::decide(&mut scope.tx, &sub, true)
        .await?
        .ok_or(AppError::NotFound)?;
    members::add(&mut scope.tx, &sub, role).await?;
    let target = format!("{sub} as {}", role.as_str());
    audit_events::record(scope.tx.conn(), AuditAction::JoinRequestApproved, &target).await?;
    scope.tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/api/households/{household_id}/join-requests/{sub}/deny", tag = "join requests",
    params(MemberPath), security(("internal_token" = [])),
    responses((status = 204, description = "Denied: that person may ask again only with a new code"),
        (status = 404, description = "No pending request of that person", body = Problem, content_type = "application/problem+json"),
        DataErrors))]
pub(super) async fn deny(
    access: HouseholdAccess,
    AppPath((_, sub)): AppPath<(Uuid, String)>,
) -> Result<StatusCode> {
    let mut scope = access.begin().await?;
    scope.require_owner()?;
    invitations::decide(&mut scope.tx, &sub, false)
        .await?
        .ok_or(AppError::NotFound)?;
    audit_events::record(scope.tx.conn(), AuditAction::JoinRequestDenied, &sub).await?;
    scope.tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
