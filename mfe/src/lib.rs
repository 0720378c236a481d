//! The household garage micro-frontend: a Leptos (client-side rendered) component, served
//! to host pages as the `<household-mfe>` custom element.
//!
//! - [`token`]: the token manager (shared exchanges, caching, refresh); no browser needed.
//! - [`api`]: every HTTP call, typed with the `shared` wire types; [`json`] reads answers
//!   and writes requests.
//! - [`garage`]: the views, [`garage::HouseholdMfe`] at their root.
//! - [`element`]: the custom element that mounts the garage for a host page.
//! - [`jwt`] (with [`base64url`]): a token's claims, read without verifying them.
//! - `standalone` (feature, on by default): the micro-frontend as its own page.
//!
//! Everything compiles natively as well as for wasm32, so `cargo test -p mfe` runs the
//! browser-free parts (token manager, forms, chart layout) on the host; the browser glue
//! simply cannot run there.

pub mod api;
pub mod base64url;
pub mod element;
pub mod garage;
pub mod json;
pub mod jwt;
#[cfg(feature = "standalone")]
pub mod standalone;
pub mod token;
