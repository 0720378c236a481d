//! Every HTTP call the micro-frontend makes, typed with the `shared` wire types, to the paths
//! that `shared::paths` builds.
//!
//! Data calls carry the internal token from the [`TokenManager`]. A 401 means the API
//! rejected that token (it expired early, or the signing key rotated), so the call renews it
//! once and retries; a second 401 means the sign-in itself is gone and surfaces as
//! [`ApiError::AuthRequired`]. Every request carries the mount's `AbortSignal`, so removing
//! the element cancels whatever it had in flight. Error answers are RFC 9457 problems and
//! decode into [`shared::Problem`], so views can show the server's title and its per-field
//! messages next to the fields.
//!
//! - `error`: [`ApiError`] and what it is made from.
//! - `http`: `fetch` and the JSON in and out, under every call.
//! - `tokens`: the token manager's clock and exchange ([`token_manager`], [`exchange`]).
//! - `account`: the calls made with the Auth0 access token, before any household.
//! - `household`: [`Client`] and [`HouseholdApi`], the data calls of one household.
//!
//! [`TokenManager`]: crate::token::TokenManager

mod account;
mod error;
mod household;
mod http;
mod tokens;

pub use account::{create_household, my_households, redeem_invitation};
pub use error::ApiError;
pub use household::{Client, HouseholdApi};
// The standalone page's sign-in sends its requests through the same `fetch`.
#[cfg(feature = "standalone")]
pub(crate) use http::{Body, fetch, json};
pub use tokens::{exchange, now_secs, token_manager};
