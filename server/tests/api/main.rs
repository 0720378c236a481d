//! Integration tests: a real PostgreSQL (a fresh database per test, queried as the
//! non-superuser runtime role), real HTTP on a loopback port, and keys the tests make.

mod helpers;

mod audit;
mod constraints;
mod data_api;
#[cfg(feature = "dev")]
mod dev_idp;
mod embedding;
mod exchange;
mod hostile_input;
mod idp_keys;
mod interface;
mod lifecycle;
mod metrics;
mod openapi;
mod pgbouncer;
mod pooling;
mod random_requests;
mod resilience;
mod revocation;
mod rls;
mod rows;
mod shared_limits;
mod tokens;
mod totals;
