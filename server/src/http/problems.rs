//! The error answers of the OpenAPI document, declared once: each type is one group of
//! statuses a handler lists in `responses(…)`, every one a `Problem` (a component of the
//! document, [`super::openapi::ApiDoc`]) as
//! `application/problem+json`. What a status means for one route is said in that
//! handler's description.

use std::collections::BTreeMap;

use utoipa::IntoResponses;
use utoipa::openapi::{ContentBuilder, Ref, RefOr, Response, ResponseBuilder};

const PROBLEM_JSON: &str = "application/problem+json";

fn problem(description: &str) -> RefOr<Response> {
    let schema = Ref::from_schema_name("Problem");
    let content = ContentBuilder::new().schema(Some(schema)).build();
    ResponseBuilder::new()
        .description(description)
        .content(PROBLEM_JSON, content)
        .build()
        .into()
}

macro_rules! problems {
    ($($(#[$doc:meta])* $name:ident { $($status:literal => $description:literal),+ $(,)? })+) => {$(
        $(#[$doc])*
        pub struct $name;

        impl IntoResponses for $name {
            fn responses() -> BTreeMap<String, RefOr<Response>> {
                [$(($status, $description)),+]
                    .into_iter()
                    .map(|(status, description)| (status.to_string(), problem(description)))
                    .collect()
            }
        }
    )+};
}

problems! {
    /// What every household data route may answer: the token, scope and rate-limit checks
    /// run before any handler.
    DataErrors {
        400 => "Malformed id, body or query",
        401 => "Missing or invalid internal token",
        403 => "Another household, or a role that may not do this",
        408 => "The request was not received in time",
        429 => "Rate limited; see Retry-After",
        503 => "The database is unavailable or saturated; see Retry-After",
    }
    /// What every route called with the Auth0 access token may answer.
    SignedInErrors {
        401 => "Missing or invalid Auth0 access token",
        429 => "Rate limited; see Retry-After",
        503 => "Identity provider keys or the database unavailable; see Retry-After",
    }
    /// `POST /exchange`'s refusals (the RFC 8693 form answers RFC 6749 §5.2 errors instead).
    ExchangeErrors {
        400 => "Malformed body or household id",
        401 => "Missing or invalid Auth0 access token",
        403 => "Not a member, no such household, or suspended",
        415 => "Neither JSON nor the RFC 8693 form",
        429 => "Rate limited; see Retry-After",
        503 => "Identity provider keys or the database unavailable; see Retry-After",
    }
    BadRequest { 400 => "Malformed id" }
    NotFound { 404 => "Not found, or not this household's" }
    Conflict { 409 => "Conflicts with the household's state; the detail says how" }
    TooLarge { 413 => "The body is over the size limit" }
    Invalid { 422 => "Invalid fields; `errors` names each" }
    Unavailable { 503 => "The database does not answer" }
}
