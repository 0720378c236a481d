//! Extractors that answer bad input with the app's problem shape instead of axum's
//! plain-text rejections, and the household context of every data route
//! ([`HouseholdAccess`], whose checks are `auth::context`'s).

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, RawPathParams, Request};
use axum::http::request::Parts;
use axum::http::{Extensions, HeaderMap, StatusCode};
use ipnet::IpNet;
use serde::de::DeserializeOwned;

use crate::auth::context::{self, HouseholdAccess};
use crate::error::AppError;
use crate::state::AppState;

/// Largest request body any route accepts.
pub const BODY_LIMIT: usize = 16 * 1024;

/// JSON body: malformed → 400, unknown fields or wrong types → 422, too large → 413,
/// not JSON → 415.
pub struct AppJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for AppJson<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, AppError> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(value)) => Ok(AppJson(value)),
            Err(JsonRejection::JsonDataError(_)) => Err(AppError::Validation(vec![
                shared::problem::FieldError::new(
                    "body",
                    "has unknown fields, missing fields or values of the wrong type",
                ),
            ])),
            Err(JsonRejection::JsonSyntaxError(_)) => {
                Err(AppError::BadRequest("the body is not valid JSON".into()))
            }
            Err(JsonRejection::MissingJsonContentType(_)) => Err(AppError::UnsupportedMediaType),
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => Err(AppError::PayloadTooLarge),
            Err(e) => Err(body_error(&e)),
        }
    }
}

/// A body that could not be read: too large (413), too slow (408, `BODY_TIMEOUT_SECS`), or
/// broken off (400).
pub fn body_error(e: &(dyn std::error::Error + 'static)) -> AppError {
    let mut source = Some(e);
    while let Some(e) = source {
        if e.is::<tower_http::timeout::TimeoutError>() {
            return AppError::RequestTimeout;
        }
        if e.is::<http_body_util::LengthLimitError>() {
            return AppError::PayloadTooLarge;
        }
        source = e.source();
    }
    AppError::BadRequest("the body could not be read".into())
}

/// Path parameters: a malformed id (not a UUID) → 400.
pub struct AppPath<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for AppPath<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|p| AppPath(p.0))
            .map_err(|_: PathRejection| AppError::BadRequest("path ids must be UUIDs".into()))
    }
}

/// The `{sub}` of a member or join-request path, refused (422, field `sub`) before the
/// database when no subject could have it: empty, over 255 characters, or a control
/// character (`%00`).
pub struct SubjectPath(pub String);

impl<S: Send + Sync> FromRequestParts<S> for SubjectPath {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        let AppPath((_, sub)) =
            AppPath::<(uuid::Uuid, String)>::from_request_parts(parts, state).await?;
        shared::text::check_subject("sub", &sub).map_err(|e| AppError::Validation(vec![e]))?;
        Ok(Self(sub))
    }
}

/// Query string: malformed → 400.
pub struct AppQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for AppQuery<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|q| AppQuery(q.0))
            .map_err(|_: QueryRejection| {
                AppError::BadRequest("the query string is malformed".into())
            })
    }
}

/// The client's address: the TCP peer, or, when the peer is one of `TRUSTED_PROXIES`, what
/// those proxies report in `X-Forwarded-For` (see [`forwarded_client`]).
pub struct ClientIp(pub IpAddr);

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        Ok(ClientIp(forwarded_client(
            peer(&parts.extensions),
            &parts.headers,
            &state.config.runtime.trusted_proxies,
        )))
    }
}

/// [`ClientIp`] of a whole request, for middleware.
pub fn client_ip<B>(request: &Request<B>, trusted: &[IpNet]) -> IpAddr {
    forwarded_client(peer(request.extensions()), request.headers(), trusted)
}

fn peer(extensions: &Extensions) -> IpAddr {
    extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())
        // In-process tests have no connection: they share one bucket.
        .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED))
}

/// The right-most address in `X-Forwarded-For` that is not itself a trusted proxy, walking
/// from the peer leftwards through the hops each trusted proxy appended. Anything left of
/// the first untrusted hop was written by the client and is ignored, so a forged header
/// changes nothing; so is the whole header when the peer is not trusted. A malformed hop
/// ends the walk at the last address a trusted proxy vouched for.
pub fn forwarded_client(peer: IpAddr, headers: &HeaderMap, trusted: &[IpNet]) -> IpAddr {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    let mut client = peer.to_canonical();
    if !is_trusted(&client) {
        return client;
    }
    let hops: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .flat_map(|v| v.to_str().unwrap_or("?").split(','))
        .collect();
    for hop in hops.into_iter().rev() {
        let hop = hop.trim();
        let Some(ip) = hop
            .parse::<IpAddr>()
            .or_else(|_| hop.parse::<SocketAddr>().map(|s| s.ip()))
            .ok()
        else {
            break;
        };
        client = ip.to_canonical();
        if !is_trusted(&client) {
            break;
        }
    }
    client
}

/// The household context of a data route: see [`crate::auth::context`].
impl FromRequestParts<AppState> for HouseholdAccess {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let params = RawPathParams::from_request_parts(parts, state)
            .await
            .map_err(|_| AppError::BadRequest("household_id must be a UUID".into()))?;
        let household = context::path_household(&params);
        let claims = context::authorize(
            &state.verifier,
            &state.limits.data_user,
            &state.limits.data_account,
            &parts.headers,
            household,
        )
        .await?;
        let span = tracing::Span::current();
        span.record("household_id", tracing::field::display(claims.household_id));
        span.record("sub", claims.sub.as_str());
        let share = state.shares.enter(claims.household_id, &claims.sub).await?;
        Ok(Self::new(
            claims,
            state.db.clone(),
            state.context_key.clone(),
            state.config.runtime.behind_pooler(),
            share,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client(peer: &str, xff: &[&str], trusted: &[&str]) -> String {
        let mut headers = HeaderMap::new();
        for value in xff {
            headers.append("x-forwarded-for", value.parse().unwrap());
        }
        let trusted: Vec<IpNet> = trusted.iter().map(|n| n.parse().unwrap()).collect();
        forwarded_client(peer.parse().unwrap(), &headers, &trusted).to_string()
    }

    #[test]
    fn an_untrusted_peer_is_the_client_whatever_it_forwards() {
        assert_eq!(
            client("198.51.100.9", &["203.0.113.5"], &[]),
            "198.51.100.9"
        );
        assert_eq!(
            client("198.51.100.9", &["203.0.113.5"], &["10.0.0.0/8"]),
            "198.51.100.9"
        );
    }

    #[test]
    fn behind_trusted_proxies_the_right_most_untrusted_hop_is_the_client() {
        let trusted = ["10.0.0.0/8"];
        assert_eq!(
            client("10.0.0.2", &["203.0.113.5"], &trusted),
            "203.0.113.5"
        );
        // The client forged "1.2.3.4"; the proxy appended what it saw.
        assert_eq!(
            client("10.0.0.2", &["1.2.3.4, 203.0.113.5, 10.0.0.7"], &trusted),
            "203.0.113.5"
        );
        // Repeated headers are one list, in order.
        assert_eq!(
            client("10.0.0.2", &["1.2.3.4", "203.0.113.5"], &trusted),
            "203.0.113.5"
        );
        assert_eq!(
            client("10.0.0.2", &["[2001:db8::1]:443"], &trusted),
            "2001:db8::1"
        );
        assert_eq!(
            client("::ffff:10.0.0.2", &["203.0.113.5"], &trusted),
            "203.0.113.5"
        );
    }

    #[test]
    fn without_a_usable_hop_the_nearest_vouched_address_is_the_client() {
        let trusted = ["10.0.0.0/8"];
        assert_eq!(client("10.0.0.2", &[], &trusted), "10.0.0.2");
        assert_eq!(
            client("10.0.0.2", &["garbage, 10.0.0.3"], &trusted),
            "10.0.0.3"
        );
        assert_eq!(
            client("10.0.0.2", &["10.0.0.4, 10.0.0.3"], &trusted),
            "10.0.0.4"
        );
    }
}
