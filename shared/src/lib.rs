//! Wire types that the server answers with and the micro-frontend decodes.
//!
//! Grouped by endpoint so each side names the same thing the same way. This crate
//! compiles for `wasm32-unknown-unknown` as well as natively, so it carries only serde
//! types and the few rules both sides must agree on (validation limits, roles).

pub mod exchange;
pub mod fuel_logs;
pub mod households;
pub mod page;
pub mod problem;
pub mod summary;
pub mod vehicles;

pub use households::Role;
pub use problem::Problem;
