//! `GET /openapi.json`: the OpenAPI 3.1 description of every route, error bodies included.

use axum::routing::get;
use axum::{Json, Router};
use shared::problem::Problem;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{IntoParams, IntoResponses, Modify, OpenApi};
use uuid::Uuid;

use crate::state::AppState;

#[derive(OpenApi)]
#[openapi(
    info(title = "Household API", description = "Token exchange and household data under PostgreSQL row-level security."),
    paths(
        super::exchange::exchange, super::exchange::jwks, super::me::my_households,
        super::vehicles::list, super::vehicles::create, super::vehicles::one, super::vehicles::update, super::vehicles::remove,
        super::fuel_logs::list, super::fuel_logs::create, super::summary::household_summary,
        super::households::create, super::members::list, super::members::change_role, super::members::remove,
        super::invitations::create, super::invitations::redeem,
        super::join_requests::list, super::join_requests::approve, super::join_requests::deny,
        super::audit_events::list,
        super::health::healthz, super::health::readyz, super::host::household_page, super::host::client_config,
        openapi_json,
    ),
    modifiers(&Security),
)]
pub struct ApiDoc;

/// The error answers every household data route shares (`responses(…, DataErrors)`):
/// the token, scope and rate-limit checks run before any handler.
#[derive(IntoResponses)]
pub enum DataErrors {
    #[response(
        status = 400,
        description = "Malformed id, body or query",
        content_type = "application/problem+json"
    )]
    BadRequest(Problem),
    #[response(
        status = 401,
        description = "Missing or invalid internal token",
        content_type = "application/problem+json"
    )]
    Unauthorized(Problem),
    #[response(
        status = 403,
        description = "Another household, or a viewer writing",
        content_type = "application/problem+json"
    )]
    Forbidden(Problem),
    #[response(
        status = 429,
        description = "Rate limited; see Retry-After",
        content_type = "application/problem+json"
    )]
    RateLimited(Problem),
    #[response(
        status = 408,
        description = "The request was not received in time",
        content_type = "application/problem+json"
    )]
    RequestTimeout(Problem),
    #[response(
        status = 503,
        description = "The database is unavailable or saturated; see Retry-After",
        content_type = "application/problem+json"
    )]
    Unavailable(Problem),
}

/// The path of every household data route (`params(HouseholdPath)`).
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
pub struct HouseholdPath {
    /// The household; must equal the token's household_id claim
    pub household_id: Uuid,
}

/// The path of the routes under one member or join request (`params(MemberPath)`).
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
pub struct MemberPath {
    /// The household; must equal the token's household_id claim
    pub household_id: Uuid,
    /// The person's subject (URL-encoded: `auth0%7C…`)
    pub sub: String,
}

/// The path of the routes under one vehicle (`params(VehiclePath)`).
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
pub struct VehiclePath {
    /// The household; must equal the token's household_id claim
    pub household_id: Uuid,
    /// A vehicle of that household
    pub vehicle_id: Uuid,
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

pub fn router() -> Router<AppState> {
    Router::new().route("/openapi.json", get(openapi_json))
}

#[utoipa::path(get, path = "/openapi.json", tag = "operations", responses((status = 200, description = "This document")))]
async fn openapi_json() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
