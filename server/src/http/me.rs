//! `GET /api/me/households`: the caller's households, from the Auth0 token alone.

use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use shared::households::MyHouseholds;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::problems::SignedInErrors;
use crate::auth::bearer;
use crate::db::memberships;
use crate::db::tenant::UserTx;
use crate::error::Result;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(my_households))
}

#[utoipa::path(get, path = "/api/me/households", tag = "identity", security(("auth0_token" = [])),
    responses((status = 200, body = MyHouseholds), SignedInErrors))]
async fn my_households(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Json<MyHouseholds>> {
    let claims = state.auth0.validate(bearer(&headers)?).await?;
    tracing::Span::current().record("sub", claims.sub.as_str());
    state.limits.me_user.check(&claims.sub).await?;
    let mut tx = UserTx::begin(&state.db, &state.context_key, &claims.sub).await?;
    let households = memberships::list(&mut tx, &claims.sub).await?;
    Ok(Json(MyHouseholds { households }))
}
