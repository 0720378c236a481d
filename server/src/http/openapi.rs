//! `GET /openapi.json`: the OpenAPI 3.1 description of every route, error bodies included.

use axum::routing::get;
use axum::{Json, Router};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::state::AppState;

#[derive(OpenApi)]
#[openapi(
    info(title = "Household API", description = "Token exchange and household data under PostgreSQL row-level security."),
    paths(
        super::exchange::exchange, super::exchange::jwks, super::me::my_households,
        super::vehicles::list, super::vehicles::create, super::vehicles::one, super::vehicles::update, super::vehicles::remove,
        super::fuel_logs::list, super::fuel_logs::create, super::summary::household_summary,
        super::health::healthz, super::health::readyz, super::host::household_page, super::host::client_config,
        openapi_json,
    ),
    modifiers(&Security),
)]
pub struct ApiDoc;

struct Security;

impl Modify for Security {
    fn modify(&self, api: &mut utoipa::openapi::OpenApi) {
        let components = api.components.get_or_insert_with(Default::default);
        let bearer = |format: &str, description: &str| {
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format(format)
                    .description(Some(description))
                    .build(),
            )
        };
        components.add_security_scheme(
            "auth0_token",
            bearer("JWT", "An Auth0 (identity provider) access token, RS256"),
        );
        components.add_security_scheme(
            "internal_token",
            bearer("JWT", "An internal token from POST /exchange, EdDSA"),
        );
    }
}

pub fn router() -> Router<AppState> {
    Router::new().route("/openapi.json", get(openapi_json))
}

#[utoipa::path(get, path = "/openapi.json", tag = "operations", responses((status = 200, description = "This document")))]
async fn openapi_json() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
