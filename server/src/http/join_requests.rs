//! `/api/households/{household_id}/join-requests[/{sub}/approve|deny]`: owners decide
//! who joins. Approval makes the requester a member with the invitation's role.

use axum::Json;
use axum::http::StatusCode;
use shared::audit::AuditAction;
use shared::invitations::{Decision, JoinRequests};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::extract::SubjectPath;
use super::params::{HouseholdPath, MemberPath};
use super::problems::{Conflict, DataErrors, Invalid, NotFound};
use crate::auth::context::HouseholdAccess;
use crate::db::{audit_events, invitations, members};
use crate::error::{AppError, Result};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(approve))
        .routes(routes!(deny))
}

#[utoipa::path(get, path = "/api/households/{household_id}/join-requests", tag = "join requests",
    params(HouseholdPath), security(("internal_token" = [])),
    responses((status = 200, description = "Pending requests, oldest first", body = JoinRequests), DataErrors))]
pub(super) async fn list(access: HouseholdAccess) -> Result<Json<JoinRequests>> {
    let requests = invitations::pending_read(&access.read_as_owner()).await?;
    Ok(Json(JoinRequests { requests }))
}

/// Approves a request: the requester becomes a member with the invitation's role.
///
/// 404 when that person has no pending request; 409 when they are already a member.
#[utoipa::path(post, path = "/api/households/{household_id}/join-requests/{sub}/approve", tag = "join requests",
    params(MemberPath), security(("internal_token" = [])),
    responses((status = 204, description = "The requester is a member"),
        NotFound, Conflict, Invalid, DataErrors))]
pub(super) async fn approve(
    access: HouseholdAccess,
    SubjectPath(sub): SubjectPath,
) -> Result<StatusCode> {
    let mut scope = access.begin().await?;
    scope.require_owner()?;
    let role = invitations::decide(&mut scope.tx, &sub, Decision::Approve)
        .await?
        .ok_or(AppError::NotFound)?;
    members::add(&mut scope.tx, &sub, role).await?;
    let target = format!("{sub} as {}", role.as_str());
    audit_events::record(scope.tx.conn(), AuditAction::JoinRequestApproved, &target).await?;
    scope.tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Denies a request.
///
/// 404 when that person has no pending request.
#[utoipa::path(post, path = "/api/households/{household_id}/join-requests/{sub}/deny", tag = "join requests",
    params(MemberPath), security(("internal_token" = [])),
    responses((status = 204, description = "Denied: that person may ask again only with a new code"),
        NotFound, Invalid, DataErrors))]
pub(super) async fn deny(
    access: HouseholdAccess,
    SubjectPath(sub): SubjectPath,
) -> Result<StatusCode> {
    let mut scope = access.begin().await?;
    scope.require_owner()?;
    invitations::decide(&mut scope.tx, &sub, Decision::Deny)
        .await?
        .ok_or(AppError::NotFound)?;
    audit_events::record(scope.tx.conn(), AuditAction::JoinRequestDenied, &sub).await?;
    scope.tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
