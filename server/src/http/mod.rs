//! The HTTP surface: one module per resource, each with its own `router()`.

pub mod bundle;
pub mod cors;
pub mod exchange;
pub mod extract;
pub mod fuel_logs;
pub mod health;
pub mod host;
pub mod me;
pub mod openapi;
pub mod summary;
pub mod vehicles;
