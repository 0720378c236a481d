//! `POST /api/households`: a signed-in person creates a household and becomes its owner.
//! It runs before the caller has any household, in a [`FoundingTx`].

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use shared::Role;
use shared::households::{CreatedHousehold, NewHousehold};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use super::extract::AppJson;
use super::problems::{Conflict, Invalid, SignedInErrors};
use crate::auth::bearer;
use crate::db::households;
use crate::db::tenant::FoundingTx;
use crate::error::{AppError, Result};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(create))
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
    let claims = state.auth0.validate(bearer(&headers)?).await?;
    tracing::Span::current().record("sub", claims.sub.as_str());
    // The exchange's per-person budget: creating is rarer than exchanging.
    state
        .limits
        .exchange_user
        .check(&(claims.sub.clone(), Uuid::nil()))
        .await?;
    let errors = new.validate();
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let name = new.name.trim();
    let max = state.config.runtime.quotas.max_households_per_account;
    let mut tx = FoundingTx::begin(&state.db, &state.context_key, &claims.sub, max).await?;
    households::create(&mut tx, name).await?;
    let id = tx.household_id();
    tx.commit().await?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedHousehold {
            id,
            name: name.to_owned(),
            role: Role::Owner,
        }),
    ))
}
