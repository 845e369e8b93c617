//! Helpers shared by the integration tests.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

pub mod conformance;
pub mod gen;
pub mod oracle;
pub mod server;
pub mod strategies;
