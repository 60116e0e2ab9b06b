//! Anton's server binary, `anton`: startup, configuration, TLS, the roles and the workers a node
//! runs, the webhook egress, and the command tree (operator and integrator commands). It wires
//! the crates together and decides nothing about money or requests: the use cases are
//! `anton-engine`'s, the HTTPS API is `anton-api`'s.
//!
//! Layout (see ARCHITECTURE.md for walkthroughs):
//! - [`cli`]: the `clap` command tree; thin wrappers over [`startup`], the engine's operator
//!   actions and [`integrator`] (the merchant-side commands, through the SDK).
//! - [`config`]: `anton.toml` + `ANTON_*` settings, validated at start.
//! - [`tls`]: the rustls server config; the local CA generated on first start.
//! - [`secrets`]: server-side keys as files (API-key hashing, fingerprints, field encryption).
//! - [`startup`]: [`startup::Application`] builds the store, the engine and the egress; it then
//!   starts the workers its role runs and serves the API on a listener until stopped.
//! - [`http`]: the HTTPS listener — TLS, HTTP/1.1 and HTTP/2, connection limits and timeouts.
//! - [`private`]: the data and secrets directories, created and kept private to the operator.
//! - [`egress`]: the HTTPS transport webhook attempts go out through (behind the SSRF guard).
//! - [`telemetry`]: structured logs, text or JSON.
//!
//! Benchmarks and the crash harness are not here: they are the `anton-tools` binary.

pub mod cli;
pub mod config;
pub mod egress;
pub mod http;
pub mod integrator;
mod metrics;
pub mod private;
pub mod secrets;
pub mod smtp;
pub mod startup;
pub mod telemetry;
pub mod tls;
