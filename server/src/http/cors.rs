//! Cross-origin access for host pages on other origins (`CORS_ALLOWED_ORIGINS`): the
//! exchange, the API, the internal JWKS and the bundle at `/mfe/`. Nothing else (the host
//! page, the development issuer, which answers CORS itself) is touched.
//!
//! tower-http's `CorsLayer` writes its method, header and max-age headers whatever the
//! origin, and answers every `OPTIONS`; so it is applied only to requests from a listed
//! origin, and an unlisted one gets no CORS header at all: its preflight is answered 204
//! with none, which the browser reads as a refusal.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tower::{Layer, ServiceExt};
use tower_http::cors::{AllowOrigin, CorsLayer};

/// Chromium caps a preflight's cache at two hours (Firefox at a day): a host pays one
/// preflight per URL per two hours rather than one per request, and a policy change
/// reaches browsers within that time.
const MAX_AGE: Duration = Duration::from_secs(7200);

/// The policy for the listed origins; cheap to clone (one `Arc`).
#[derive(Clone)]
pub struct Cors(Arc<Policy>);

struct Policy {
    origins: Vec<HeaderValue>,
    layer: CorsLayer,
}

impl Cors {
    /// `origins` as [`crate::config::Runtime::cors_allowed_origins`] holds them: validated,
    /// serialised as browsers send `Origin`.
    pub fn new(origins: &[String]) -> Self {
        let origins: Vec<HeaderValue> = origins
            .iter()
            .filter_map(|o| HeaderValue::from_str(o).ok())
            .collect();
        let layer = CorsLayer::new()
            .allow_origin(AllowOrigin::list(origins.clone()))
            // What the element sends (mfe/src/api/), and the SDKs' calls to the API.
            .allow_methods([Method::GET, Method::POST, Method::PATCH, Method::DELETE])
            .allow_headers([header::AUTHORIZATION, header::CONTENT_TYPE])
            .expose_headers([
                HeaderName::from_static("x-request-id"),
                header::RETRY_AFTER,
                HeaderName::from_static("ratelimit"),
                HeaderName::from_static("ratelimit-policy"),
                header::WWW_AUTHENTICATE,
            ])
            .max_age(MAX_AGE);
        Self(Arc::new(Policy { origins, layer }))
    }
}

/// The routes a host on another origin may reach from script.
fn in_scope(path: &str) -> bool {
    path == "/exchange"
        || path == "/.well-known/jwks.json"
        || path.starts_with("/api/")
        || path.starts_with("/mfe/")
}

/// Applies the policy to the routes in scope.
pub async fn middleware(State(cors): State<Cors>, request: Request, next: Next) -> Response {
    if !in_scope(request.uri().path()) {
        return next.run(request).await;
    }
    let listed = request
        .headers()
        .get(header::ORIGIN)
        .is_some_and(|o| cors.0.origins.contains(o));
    let mut response = if listed {
        match cors.0.layer.layer(next).oneshot(request).await {
            Ok(response) => response,
            Err(never) => match never {},
        }
    } else if request.method() == Method::OPTIONS
        && request
            .headers()
            .contains_key(header::ACCESS_CONTROL_REQUEST_METHOD)
    {
        StatusCode::NO_CONTENT.into_response()
    } else {
        next.run(request).await
    };
    // The answer differs by origin: a shared cache must not hand one origin's to another
    // (tower-http adds this itself for the listed ones).
    if !listed {
        response
            .headers_mut()
            .append(header::VARY, HeaderValue::from_static("origin"));
    }
    response
}
