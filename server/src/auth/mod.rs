//! Who is calling: Auth0 access tokens (`auth0`), the internal tokens this server signs
//! (`internal`), and the fused extractor data routes use (`context`).

pub mod auth0;
pub mod context;
pub mod internal;

use axum::http::{HeaderMap, header};

use crate::error::AppError;

/// Tokens larger than this are refused before any parsing. Real Auth0 access tokens are
/// about 1 KB; internal tokens about 400 bytes.
pub const MAX_TOKEN_BYTES: usize = 8 * 1024;

/// The bearer token of a request. A missing, empty or non-Bearer header is a 401, never a
/// silently anonymous request.
pub fn bearer(headers: &HeaderMap) -> Result<&str, AppError> {
    let value = headers
        .get(header::AUTHORIZATION)
        .ok_or(AppError::Unauthorized("a bearer token is required"))?;
    let value = value
        .to_str()
        .map_err(|_| AppError::Unauthorized("malformed authorization header"))?;
    let (scheme, token) = value
        .split_once(' ')
        .ok_or(AppError::Unauthorized("a bearer token is required"))?;
    let token = token.trim();
    if !scheme.eq_ignore_ascii_case("bearer") || token.is_empty() {
        return Err(AppError::Unauthorized("a bearer token is required"));
    }
    Ok(token)
}

/// Cheap shape checks done before any decoding: size, three base64url segments.
pub fn well_formed(token: &str) -> bool {
    token.len() <= MAX_TOKEN_BYTES
        && token.split('.').count() == 3
        && token.split('.').all(|s| {
            !s.is_empty()
                && s.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
}

/// A `kid` we are willing to look up: short, and no path or URL characters.
pub fn acceptable_kid(kid: &str) -> bool {
    (1..=128).contains(&kid.len())
        && kid
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.=+".contains(&b))
        && !kid.contains("..")
}
