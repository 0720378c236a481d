//! `/userinfo` (OpenID Connect Core §5.3), as Auth0 serves it: the access token as a
//! bearer, one of this issuer's, unexpired, with the endpoint among its audiences and
//! `openid` among its scopes; `name` with the `profile` scope, `email` with `email`.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use jsonwebtoken::{Algorithm, Validation};
use serde::{Deserialize, Serialize};

use super::{DevIdp, NO_STORE};

#[derive(Deserialize)]
struct Presented {
    sub: String,
    #[serde(default)]
    scope: String,
}

#[derive(Serialize)]
struct UserInfo<'a> {
    sub: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    email: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    email_verified: Option<bool>,
}

/// RFC 6750 §3: the answer to a missing or unacceptable token.
fn refused(error: &'static str, status: StatusCode) -> Response {
    let challenge = format!("Bearer error=\"{error}\"");
    let mut response = status.into_response();
    if let Ok(value) = HeaderValue::from_str(&challenge) {
        response
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, value);
    }
    response
}

pub(super) async fn userinfo(State(idp): State<Arc<DevIdp>>, headers: HeaderMap) -> Response {
    let Ok(token) = crate::auth::bearer(&headers) else {
        return refused("invalid_token", StatusCode::UNAUTHORIZED);
    };
    let mut validation = Validation::new(Algorithm::RS256);
    validation.set_issuer(&[&idp.config.issuer]);
    validation.set_audience(&[idp.userinfo_url()]);
    validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
    let Some(presented) = idp.key.verify::<Presented>(token, &validation) else {
        return refused("invalid_token", StatusCode::UNAUTHORIZED);
    };
    let scopes: Vec<&str> = presented.scope.split(' ').collect();
    if !scopes.contains(&"openid") {
        return refused("insufficient_scope", StatusCode::FORBIDDEN);
    }
    // A subject the sign-in page does not offer (a token minted for a benchmark) is
    // answered with its subject alone.
    let user = idp.config.user(&presented.sub);
    let email = user
        .filter(|_| scopes.contains(&"email"))
        .map(|u| u.email.as_str());
    let body = UserInfo {
        sub: &presented.sub,
        name: user
            .filter(|_| scopes.contains(&"profile"))
            .map(|u| u.name.as_str()),
        email,
        email_verified: email.map(|_| true),
    };
    ([NO_STORE], Json(body)).into_response()
}
