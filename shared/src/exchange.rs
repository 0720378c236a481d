//! `POST /exchange`: an Auth0 access token plus a household id in, an internal token out.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::Role;

/// The JSON form of the exchange. The household id is a string on the wire so that the
/// server can answer a malformed one with a 400 problem rather than a decoder error.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "js", derive(jsvalue::Encode))]
#[serde(deny_unknown_fields)]
pub struct Request {
    pub household_id: String,
}

/// The answer to the JSON form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "js", derive(jsvalue::Decode))]
pub struct Response {
    pub access_token: String,
    pub token_type: String,
    pub expires_in: u64,
    pub household_id: Uuid,
    pub role: Role,
}

/// RFC 8693 names used by the form-encoded exchange.
pub mod rfc8693 {
    pub const GRANT_TYPE: &str = "urn:ietf:params:oauth:grant-type:token-exchange";
    pub const ACCESS_TOKEN_TYPE: &str = "urn:ietf:params:oauth:token-type:access_token";
    pub const JWT_TOKEN_TYPE: &str = "urn:ietf:params:oauth:token-type:jwt";
    /// `audience=urn:household:<uuid>` names the household the token is for.
    pub const AUDIENCE_PREFIX: &str = "urn:household:";
}

/// Claims of the internal token, as any backend verifying it sees them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InternalClaims {
    pub iss: String,
    pub aud: String,
    pub sub: String,
    pub household_id: Uuid,
    pub role: Role,
    pub iat: u64,
    pub exp: u64,
    pub jti: String,
}
