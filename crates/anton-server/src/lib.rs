//! Anton's server: the HTTPS API, authentication, idempotency, the simulator rail, operator commands
//! and the `anton` binary.
//!
//! Layout (see ARCHITECTURE.md for walkthroughs):
//! - [`cli`]: the `clap` command tree; thin wrappers over [`startup`], [`operator`] and
//!   [`integrator`] (the merchant-side commands, through the SDK).
//! - [`config`]: `anton.toml` + `ANTON_*` settings, validated at start.
//! - [`tls`]: the rustls server config; the local CA generated on first start.
//! - [`secrets`]: server-side keys (API-key hashing, fingerprints, field encryption).
//! - [`startup`]: [`startup::Application`] builds everything and serves on a listener until stopped.
//! - [`api`]: cross-cutting HTTP pieces: errors, request ids, auth, rate limits, idempotency, bodies.
//! - One module per resource: [`recipients`], [`payouts`], [`balance`], [`events`]; each exposes
//!   `router()` and handlers named `<verb>_<resource>`.
//! - [`webhooks`]: endpoints API, the dispatcher (fan-out, leases, signed attempts, retries) and
//!   the SSRF guard.
//! - [`rail`]: the test-mode simulator rail worker.
//! - [`operator`]: merchants and keys, used by the CLI and tests.
//! - [`openapi`]: the OpenAPI 3.1 document, generated from the code.
//!
//! Benchmarks and the crash harness are not here: they are the `anton-tools` binary.

pub mod api;
pub mod balance;
pub mod cli;
pub mod config;
pub mod events;
pub mod integrator;
pub mod openapi;
pub mod operator;
pub mod payouts;
pub mod rail;
pub mod recipients;
pub mod secrets;
pub mod startup;
pub mod state;
pub mod telemetry;
pub mod tls;
pub mod webhooks;
