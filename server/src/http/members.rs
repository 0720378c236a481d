//! `/api/households/{household_id}/members[/{sub}]`: everyone sees the members; owners
//! change roles and remove; anyone may leave. Roles are the database's, and its policies
//! and the last-owner trigger refuse what these handlers refuse.

use axum::Json;
use axum::http::StatusCode;
use shared::audit::AuditAction;
use shared::households::{Members, RoleChange, parse_role};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::extract::{AppJson, SubjectPath};
use super::params::{HouseholdPath, MemberPath};
use super::problems::{Conflict, DataErrors, Invalid, NotFound};
use crate::auth::context::HouseholdAccess;
use crate::db::tenant::HouseholdTx;
use crate::db::{audit_events, members};
use crate::error::{AppError, Result};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(change_role, remove))
}

#[utoipa::path(get, path = "/api/households/{household_id}/members", tag = "members",
    params(HouseholdPath), security(("internal_token" = [])),
    responses((status = 200, body = Members), DataErrors))]
pub(super) async fn list(access: HouseholdAccess) -> Result<Json<Members>> {
    let members = members::list(&access.read()).await?;
    Ok(Json(Members { members }))
}

/// Changes a member's role.
///
/// 404 for no such member; 409 when it would demote the last owner; 422 for an unknown role.
#[utoipa::path(patch, path = "/api/households/{household_id}/members/{sub}", tag = "members",
    params(MemberPath), request_body = RoleChange, security(("internal_token" = [])),
    responses((status = 204, description = "Changed"),
        NotFound, Conflict, Invalid, DataErrors))]
pub(super) async fn change_role(
    access: HouseholdAccess,
    SubjectPath(sub): SubjectPath,
    AppJson(change): AppJson<RoleChange>,
) -> Result<StatusCode> {
    let mut scope = access.begin().await?;
    scope.require_owner()?;
    let role = parse_role(&change.role).map_err(|e| AppError::Validation(vec![e]))?;
    if !members::set_role(&mut scope.tx, &sub, role).await? {
        return Err(AppError::NotFound);
    }
    let target = format!("{sub} as {}", role.as_str());
    audit_events::record(scope.tx.conn(), AuditAction::MemberRoleChanged, &target).await?;
    scope.tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Removes a member, or the caller itself: leaving.
///
/// 404 for no such member; 409 when the last owner would leave.
#[utoipa::path(delete, path = "/api/households/{household_id}/members/{sub}", tag = "members",
    params(MemberPath), security(("internal_token" = [])),
    responses((status = 204, description = "Removed, or left"),
        NotFound, Conflict, Invalid, DataErrors))]
pub(super) async fn remove(
    access: HouseholdAccess,
    SubjectPath(sub): SubjectPath,
) -> Result<StatusCode> {
    let mut scope = access.begin().await?;
    let leaving = sub == scope.claims.sub;
    if !leaving {
        scope.require_owner()?;
    }
    let action = if leaving {
        AuditAction::MemberLeft
    } else {
        AuditAction::MemberRemoved
    };
    if !remove_recorded(&mut scope.tx, &sub, action).await? {
        return Err(AppError::NotFound);
    }
    scope.tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Removes `sub`, recorded as `action`; whether there was such a member. Recorded first:
/// once gone, a leaver is no member who may write to the record.
pub(super) async fn remove_recorded(
    tx: &mut HouseholdTx,
    sub: &str,
    action: AuditAction,
) -> Result<bool> {
    audit_events::record(tx.conn(), action, sub).await?;
    Ok(members::remove(tx, sub).await?)
}
