//! Wire types that the server answers with and the micro-frontend decodes.
//!
//! Grouped by endpoint so each side names the same thing the same way. This crate
//! compiles for `wasm32-unknown-unknown` as well as natively, so it carries only serde
//! types and the few rules both sides must agree on (validation limits and their
//! messages, roles). The server turns on the `openapi` and `sqlx` features, so these same
//! types describe its API and are its database rows; the micro-frontend turns on neither.

pub mod audit;
pub mod exchange;
pub mod fuel_logs;
pub mod households;
pub mod html;
pub mod invitations;
pub mod page;
pub mod paths;
pub mod people;
pub mod problem;
pub mod summary;
pub mod text;
pub mod vehicles;

pub use households::Role;
pub use problem::Problem;
