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
mod lifecycle;
mod openapi;
mod resilience;
mod revocation;
mod rls;
mod rows;
mod tokens;
