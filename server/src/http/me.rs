//! `/api/me…`: the caller's own data, from the Auth0 token alone. `GET /api/me/households`
//! (the switcher), `GET /api/me` (profile and memberships), `GET /api/me/export` (the same
//! and their join requests, as an attachment), and `DELETE /api/me` (leave every household
//! and erase the profile).

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use shared::audit::AuditAction;
use shared::households::{HouseholdStatus, Membership, MyHouseholds};
use shared::people::{Me, MyExport, SoleOwnership};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use super::export::attachment;
use super::members::remove_recorded;
use super::problems::{Conflict, SignedInErrors};
use crate::auth::auth0::Auth0Claims;
use crate::auth::bearer;
use crate::db::tenant::{HouseholdTx, UserTx};
use crate::db::{members, memberships, profiles};
use crate::error::{AppError, Result};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(my_households))
        .routes(routes!(me, erase_me))
        .routes(routes!(my_export))
}

/// The validated caller, within their budget for `/api/me…`, and their access token.
async fn caller<'h>(state: &AppState, headers: &'h HeaderMap) -> Result<(Auth0Claims, &'h str)> {
    let token = bearer(headers)?;
    let claims = state.auth0.validate(token).await?;
    tracing::Span::current().record("sub", claims.sub.as_str());
    state.limits.me_user.check(&claims.sub).await?;
    Ok((claims, token))
}

/// [`caller`], whose name is then refreshed in the background when due: they signed in.
async fn signed_in(state: &AppState, headers: &HeaderMap) -> Result<Auth0Claims> {
    let (claims, token) = caller(state, headers).await?;
    state.refresh_profile_later(&claims.sub, token);
    Ok(claims)
}

#[utoipa::path(get, path = "/api/me/households", tag = "identity", security(("auth0_token" = [])),
    responses((status = 200, body = MyHouseholds), SignedInErrors))]
async fn my_households(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Json<MyHouseholds>> {
    let claims = signed_in(&state, &headers).await?;
    let mut tx = UserTx::begin(&state.db, &state.context_key, &claims.sub).await?;
    let households = memberships::list(&mut tx, &claims.sub).await?;
    Ok(Json(MyHouseholds { households }))
}

/// The caller's profile (as the identity provider named them) and households.
#[utoipa::path(get, path = "/api/me", tag = "identity", security(("auth0_token" = [])),
    responses((status = 200, body = Me), SignedInErrors))]
async fn me(State(state): State<AppState>, headers: HeaderMap) -> Result<Json<Me>> {
    let claims = signed_in(&state, &headers).await?;
    let mut tx = UserTx::begin(&state.db, &state.context_key, &claims.sub).await?;
    let profile = profiles::own(&mut tx, &claims.sub).await?;
    let households = memberships::list(&mut tx, &claims.sub).await?;
    Ok(Json(Me {
        profile,
        households,
    }))
}

/// Everything held of the caller that is theirs rather than a household's: the profile,
/// the memberships and their join requests in every household, as an attachment.
#[utoipa::path(get, path = "/api/me/export", tag = "identity", security(("auth0_token" = [])),
    responses((status = 200, body = MyExport, description = "The document, as an attachment"),
        SignedInErrors))]
async fn my_export(State(state): State<AppState>, headers: HeaderMap) -> Result<Response> {
    let (claims, _) = caller(&state, &headers).await?;
    let mut tx = UserTx::begin(&state.db, &state.context_key, &claims.sub).await?;
    let export = MyExport {
        profile: profiles::own(&mut tx, &claims.sub).await?,
        households: memberships::list(&mut tx, &claims.sub).await?,
        join_requests: profiles::join_requests(&mut tx, &claims.sub).await?,
    };
    let body = serde_json::to_vec(&export).map_err(anyhow::Error::from)?;
    Ok(attachment("application/json", "my-data.json".into(), body))
}

/// Leaves every household the caller can and erases their profile; their pending join
/// requests are withdrawn. Refused first, with nothing changed, when the caller is the
/// last owner of a household: 409 naming each (`households`). A suspended household
/// cannot be entered, so it cannot be left: its membership stays until it is reactivated
/// or an operator removes it.
#[utoipa::path(delete, path = "/api/me", tag = "identity", security(("auth0_token" = [])),
    responses((status = 204, description = "Gone from every household it could leave; profile erased"),
        Conflict, SignedInErrors))]
async fn erase_me(State(state): State<AppState>, headers: HeaderMap) -> Result<StatusCode> {
    // No refresh of the name here: it would race the erasure.
    let (claims, _) = caller(&state, &headers).await?;
    let sub = claims.sub.as_str();
    // Rare and heavy (a transaction per household): the person's budget for such requests.
    state
        .limits
        .exchange_user
        .check(&(sub.to_owned(), Uuid::nil()))
        .await?;
    let mut tx = UserTx::begin(&state.db, &state.context_key, sub).await?;
    let households = memberships::list(&mut tx, sub).await?;
    drop(tx);
    let active = households
        .into_iter()
        .filter(|h| h.status == HouseholdStatus::Active);
    // Every household looked at before any is left, so a refusal changes nothing.
    let mut leaving: Vec<Membership> = Vec::new();
    let mut sole: Vec<SoleOwnership> = Vec::new();
    for household in active {
        let Some(mut tx) = enter(&state, household.household_id, sub).await? else {
            continue;
        };
        if members::sole_owner(&mut tx, sub).await? {
            sole.push(SoleOwnership {
                household_id: household.household_id,
                name: household.name.clone(),
            });
        } else {
            leaving.push(household);
        }
    }
    if !sole.is_empty() {
        return Err(AppError::LastOwner(sole));
    }
    for household in leaving {
        let Some(mut tx) = enter(&state, household.household_id, sub).await? else {
            continue;
        };
        // The last-owner trigger still refuses (409) if the other owners left meanwhile.
        remove_recorded(&mut tx, sub, AuditAction::MemberLeft).await?;
        tx.commit().await?;
    }
    let mut tx = UserTx::begin(&state.db, &state.context_key, sub).await?;
    profiles::erase(&mut tx, sub).await?;
    tx.commit().await?;
    state.profiles.forget(sub);
    Ok(StatusCode::NO_CONTENT)
}

/// The household's transaction as `sub`, or `None` when it cannot be entered now
/// (suspended since it was listed, or left meanwhile).
async fn enter(state: &AppState, household: Uuid, sub: &str) -> Result<Option<HouseholdTx>> {
    match HouseholdTx::begin(&state.db, &state.context_key, household, sub).await {
        Ok(tx) => Ok(Some(tx)),
        Err(AppError::Forbidden(_) | AppError::Suspended) => Ok(None),
        Err(e) => Err(e),
    }
}
