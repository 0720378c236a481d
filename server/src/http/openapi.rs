//! `GET /openapi.json`: the OpenAPI 3.1 description of every route, error bodies included.
//! The paths come from each handler's `#[utoipa::path]`, collected as the routes are
//! registered ([`super::api`]); this module adds the document's info and security schemes.

use std::sync::OnceLock;

use axum::http::header;
use axum::response::IntoResponse;
use shared::problem::Problem;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::state::AppState;

#[derive(OpenApi)]
#[openapi(
    info(title = "Household API", description = "Token exchange and household data under PostgreSQL row-level security."),
    components(schemas(Problem)),
    modifiers(&Security),
)]
pub struct ApiDoc;

/// The whole document, as `GET /openapi.json` serves it.
pub fn document() -> utoipa::openapi::OpenApi {
    super::api().into_openapi()
}

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

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(openapi_json))
}

#[utoipa::path(get, path = "/openapi.json", tag = "operations", responses((status = 200, description = "This document")))]
async fn openapi_json() -> impl IntoResponse {
    // The document is the same for the life of the process: written once.
    static JSON: OnceLock<String> = OnceLock::new();
    let json = JSON.get_or_init(|| {
        serde_json::to_string(&document()).expect("the OpenAPI document serializes")
    });
    ([(header::CONTENT_TYPE, "application/json")], json.as_str())
}
