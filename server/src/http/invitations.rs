//! `/api/households/{household_id}/invitations[/{invitation_id}]` (owners make single-use
//! codes, list the open ones, revoke one) and `POST /api/invitations/redeem` (a signed-in person redeems it: a join request awaiting
//! an owner; the code in the body, so it never lands in an access log). Redemption runs before the caller belongs to the household, in a
//! [`RedemptionTx`] that sees only the invitation the code names.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use shared::audit::AuditAction;
use shared::invitations::{
    Invitation, JoinRequestStatus, NewInvitation, OpenInvitations, RedeemInvitation, Redemption,
};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use super::extract::{AppJson, AppPath};
use super::params::{HouseholdPath, InvitationPath};
use super::problems::{Conflict, DataErrors, Invalid, NotFound, SignedInErrors};
use crate::auth::bearer;
use crate::auth::context::HouseholdAccess;
use crate::db::invitations::{self, Redeemed};
use crate::db::tenant::RedemptionTx;
use crate::db::{audit_events, quota};
use crate::error::{AppError, Result};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(revoke))
        .routes(routes!(redeem))
}

/// The open invitations (not used, revoked or expired), the soonest to expire first:
/// who made each, for which role, until when. Never a code: the server holds only hashes.
#[utoipa::path(get, path = "/api/households/{household_id}/invitations", tag = "invitations",
    params(HouseholdPath), security(("internal_token" = [])),
    responses((status = 200, body = OpenInvitations), DataErrors))]
pub(super) async fn list(access: HouseholdAccess) -> Result<Json<OpenInvitations>> {
    let invitations = invitations::open(&access.read_as_owner()).await?;
    Ok(Json(OpenInvitations { invitations }))
}

/// Revokes an open invitation: its code no longer redeems. An audit event.
///
/// 404 when the household has no such open invitation (unknown, used, revoked, expired).
#[utoipa::path(delete, path = "/api/households/{household_id}/invitations/{invitation_id}",
    tag = "invitations", params(InvitationPath), security(("internal_token" = [])),
    responses((status = 204, description = "Revoked"), NotFound, DataErrors))]
pub(super) async fn revoke(
    access: HouseholdAccess,
    AppPath((_, id)): AppPath<(Uuid, Uuid)>,
) -> Result<StatusCode> {
    let mut scope = access.begin().await?;
    scope.require_owner()?;
    let role = invitations::revoke(&mut scope.tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    audit_events::record(
        scope.tx.conn(),
        AuditAction::InvitationRevoked,
        &format!("{id} as {}", role.as_str()),
    )
    .await?;
    scope.tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Makes a single-use code for a role no higher than the caller's own.
///
/// 403 for a role above the caller's; 422 for an unknown role.
#[utoipa::path(post, path = "/api/households/{household_id}/invitations", tag = "invitations",
    params(HouseholdPath), request_body = NewInvitation, security(("internal_token" = [])),
    responses((status = 201, description = "The code, shown this once", body = Invitation),
        Invalid,
        Conflict,
        DataErrors))]
pub(super) async fn create(
    State(state): State<AppState>,
    access: HouseholdAccess,
    AppJson(new): AppJson<NewInvitation>,
) -> Result<(StatusCode, Json<Invitation>)> {
    let mut scope = access.begin().await?;
    scope.require_owner()?;
    let role =
        shared::households::parse_role(&new.role).map_err(|e| AppError::Validation(vec![e]))?;
    if role.rank() > scope.tx.role().rank() {
        return Err(AppError::Forbidden(
            "an invitation cannot grant a role above your own",
        ));
    }
    let max = state.config.runtime.quotas.max_open_invitations;
    let household = scope.tx.household_id();
    quota::reserve(
        scope.tx.conn(),
        household,
        quota::Rows::OpenInvitations,
        max,
    )
    .await?;
    let code = invitations::new_code(scope.tx.household_id());
    let (id, expires_at) = invitations::create(&mut scope.tx, &code, role).await?;
    audit_events::record(
        scope.tx.conn(),
        AuditAction::InvitationCreated,
        &format!("{id} as {}", role.as_str()),
    )
    .await?;
    scope.tx.commit().await?;
    Ok((
        StatusCode::CREATED,
        Json(Invitation {
            code,
            role,
            expires_at,
        }),
    ))
}

/// Redeems an invitation code: a join request that an owner approves or denies.
///
/// 404 for an unknown, used or expired code; 409 when the caller is already a member or
/// has a request pending.
#[utoipa::path(post, path = "/api/invitations/redeem", tag = "invitations", security(("auth0_token" = [])),
    request_body = RedeemInvitation,
    responses((status = 202, body = Redemption),
        NotFound, Conflict, Invalid, SignedInErrors))]
pub(super) async fn redeem(
    State(state): State<AppState>,
    headers: HeaderMap,
    AppJson(RedeemInvitation { code }): AppJson<RedeemInvitation>,
) -> Result<(StatusCode, Json<Redemption>)> {
    let token = bearer(&headers)?;
    let claims = state.auth0.validate(token).await?;
    let code = code.trim();
    tracing::Span::current().record("sub", claims.sub.as_str());
    let household_id = invitations::household_of(code).ok_or(AppError::NotFound)?;
    // The exchange's per-person budget, so codes cannot be guessed at speed.
    state
        .limits
        .exchange_user
        .check(&(claims.sub.clone(), household_id))
        .await?;
    let mut tx = RedemptionTx::begin(
        &state.db,
        &state.context_key,
        household_id,
        &invitations::hash(code),
        &claims.sub,
    )
    .await?;
    match invitations::redeem(&mut tx, &claims.sub).await? {
        Redeemed::Unusable => return Err(AppError::NotFound),
        Redeemed::AlreadyMember => {
            return Err(AppError::Conflict(
                "you are already a member of this household",
            ));
        }
        Redeemed::Requested => {}
    }
    audit_events::record(tx.conn(), AuditAction::JoinRequested, &claims.sub).await?;
    tx.commit().await?;
    // Before answering, so that the owners deciding see who asks.
    state.refresh_profile(&claims.sub, token).await;
    Ok((
        StatusCode::ACCEPTED,
        Json(Redemption {
            household_id,
            status: JoinRequestStatus::Pending,
        }),
    ))
}
