//! The HTTP surface: one module per resource, each with its own `router()`.

pub mod audit_events;
pub mod bundle;
pub mod cors;
pub mod exchange;
pub mod extract;
pub mod fuel_logs;
pub mod guard;
pub mod health;
pub mod host;
pub mod households;
pub mod invitations;
pub mod join_requests;
pub mod me;
pub mod members;
pub mod openapi;
pub mod summary;
pub mod vehicles;
