//! OpenID Connect discovery and the JWKS: what the server (and the app) read to find the
//! endpoints and the signing key, exactly as they read Auth0's.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use serde::Serialize;

use super::{DevIdp, Jwks, SCOPES};

/// The provider metadata (OpenID Connect Discovery 1.0 §3) this issuer supports.
#[derive(Serialize)]
pub(super) struct Discovery {
    issuer: String,
    authorization_endpoint: String,
    token_endpoint: String,
    jwks_uri: String,
    userinfo_endpoint: String,
    end_session_endpoint: String,
    revocation_endpoint: String,
    response_types_supported: [&'static str; 1],
    response_modes_supported: [&'static str; 2],
    code_challenge_methods_supported: [&'static str; 1],
    id_token_signing_alg_values_supported: [&'static str; 1],
    grant_types_supported: [&'static str; 2],
    subject_types_supported: [&'static str; 1],
    token_endpoint_auth_methods_supported: [&'static str; 1],
    scopes_supported: [&'static str; 4],
}

pub(super) async fn discovery(State(idp): State<Arc<DevIdp>>) -> Json<Discovery> {
    let iss = &idp.config.issuer;
    Json(Discovery {
        issuer: iss.clone(),
        authorization_endpoint: format!("{iss}authorize"),
        token_endpoint: format!("{iss}oauth/token"),
        jwks_uri: format!("{iss}.well-known/jwks.json"),
        userinfo_endpoint: idp.userinfo_url(),
        end_session_endpoint: format!("{iss}v2/logout"),
        revocation_endpoint: format!("{iss}oauth/revoke"),
        response_types_supported: ["code"],
        response_modes_supported: ["query", "web_message"],
        code_challenge_methods_supported: ["S256"],
        id_token_signing_alg_values_supported: ["RS256"],
        grant_types_supported: ["authorization_code", "refresh_token"],
        subject_types_supported: ["public"],
        token_endpoint_auth_methods_supported: ["none"],
        scopes_supported: SCOPES,
    })
}

pub(super) async fn jwks(State(idp): State<Arc<DevIdp>>) -> Json<Jwks> {
    Json(idp.jwks())
}
