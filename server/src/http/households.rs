//! `POST /api/households`: a signed-in person creates a household and becomes its owner.
//! It runs before the caller has any household, in a [`FoundingTx`].
//! `PATCH`, `DELETE /api/households/{household_id}`: an owner renames or deletes it.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use shared::Role;
use shared::households::{CreatedHousehold, DeleteHousehold, HouseholdName, NewHousehold};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use super::extract::AppJson;
use super::params::HouseholdPath;
use super::problems::{Conflict, DataErrors, Invalid, SignedInErrors};
use crate::auth::bearer;
use crate::auth::context::HouseholdAccess;
use crate::db::households;
use crate::db::tenant::FoundingTx;
use crate::error::{AppError, Result};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create))
        .routes(routes!(show, rename, remove))
}

/// Creates a household owned by the caller.
///
/// 422 for a blank or overlong name.
#[utoipa::path(post, path = "/api/households", tag = "households", security(("auth0_token" = [])),
    request_body = NewHousehold,
    responses((status = 201, body = CreatedHousehold), Invalid, Conflict, SignedInErrors))]
pub(super) async fn create(
    State(state): State<AppState>,
    headers: HeaderMap,
    AppJson(new): AppJson<NewHousehold>,
) -> Result<(StatusCode, Json<CreatedHousehold>)> {
    let token = bearer(&headers)?;
    let claims = state.auth0.validate(token).await?;
    tracing::Span::current().record("sub", claims.sub.as_str());
    // The exchange's per-person budget: creating is rarer than exchanging.
    state
        .limits
        .exchange_user
        .check(&(claims.sub.clone(), Uuid::nil()))
        .await?;
    AppError::unless_valid(new.validate())?;
    let name = new.name.trim();
    let max = state.config.runtime.quotas.max_households_per_account;
    let mut tx = FoundingTx::begin(&state.db, &state.context_key, &claims.sub, max).await?;
    households::create(&mut tx, name).await?;
    let id = tx.household_id();
    tx.commit().await?;
    // Before answering, so that the owner is named when the first member looks.
    state.refresh_profile(&claims.sub, token).await;
    Ok((
        StatusCode::CREATED,
        Json(CreatedHousehold {
            id,
            name: name.to_owned(),
            role: Role::Owner,
        }),
    ))
}

/// The household's name, for every member.
#[utoipa::path(get, path = "/api/households/{household_id}", tag = "households",
    params(HouseholdPath), security(("internal_token" = [])),
    responses((status = 200, body = HouseholdName), DataErrors))]
pub(super) async fn show(access: HouseholdAccess) -> Result<Json<HouseholdName>> {
    let found = households::name(&access.read()).await?;
    // Admitted, so it exists; gone meanwhile (deleted) reads as no access.
    found.map(Json).ok_or(AppError::Forbidden(
        "you do not have access to this household",
    ))
}

/// Renames the household (owners): the same body as creating one.
///
/// 422 for a blank or overlong name.
#[utoipa::path(patch, path = "/api/households/{household_id}", tag = "households",
    params(HouseholdPath), request_body = NewHousehold, security(("internal_token" = [])),
    responses((status = 200, body = HouseholdName), Invalid, DataErrors))]
pub(super) async fn rename(
    access: HouseholdAccess,
    AppJson(new): AppJson<NewHousehold>,
) -> Result<Json<HouseholdName>> {
    AppError::unless_valid(new.validate())?;
    let mut scope = access.begin().await?;
    scope.require_owner()?;
    let name = new.name.trim();
    households::rename(&mut scope.tx, name).await?;
    let id = scope.tx.household_id();
    scope.tx.commit().await?;
    Ok(Json(HouseholdName {
        id,
        name: name.to_owned(),
    }))
}

/// Deletes the household and every row of it in every tenant table (owners), once
/// `confirm` repeats its name. Its members are refused on their next request; an operator
/// sees its tombstone (`server household list --deleted`).
///
/// 422 naming `confirm` when it is not the household's name.
#[utoipa::path(delete, path = "/api/households/{household_id}", tag = "households",
    params(HouseholdPath), request_body = DeleteHousehold, security(("internal_token" = [])),
    responses((status = 204, description = "Deleted, with everything it held"), Invalid, DataErrors))]
pub(super) async fn remove(
    access: HouseholdAccess,
    AppJson(body): AppJson<DeleteHousehold>,
) -> Result<StatusCode> {
    AppError::unless_valid(body.validate())?;
    let mut scope = access.begin().await?;
    scope.require_owner()?;
    if !households::delete(&mut scope.tx, body.confirm.trim()).await? {
        return Err(AppError::Validation(vec![DeleteHousehold::mismatch()]));
    }
    scope.tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
