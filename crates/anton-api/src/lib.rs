//! Anton's HTTPS JSON API (docs/reference.md §2): a thin adapter over the engine. Each handler
//! parses and authenticates the request, calls one engine use case, and renders its answer or maps
//! its [`anton_engine::EngineError`] to the error envelope. **Architecture invariant: the API makes
//! no money or idempotency decision and reads or writes nothing but through the engine** — its
//! own state is rate limiters and authentication caches.
//!
//! Layout:
//! - Cross-cutting, one home each: [`error`] (the envelope; 5xx opaque and logged once),
//!   [`request_id`] (ids, the request's log span, security headers), [`auth`] (the [`auth::Auth`]
//!   extractor: key → tenant, scopes, limits), [`client`] (client addresses, failed-authentication
//!   budgets), [`idempotency`] (the key header, fingerprints,
//!   rendering answers), [`body`] (raw bodies, strict JSON), [`list`] (list parameters),
//!   [`extract`] (`Query`/`Path` that answer with the envelope).
//! - One module per resource, each exposing `router()` and handlers named `<verb>_<resource>`:
//!   `payouts`, `recipients`, `balance`, `events`, `webhooks`. Wire input types live beside
//!   their handlers; the objects they answer with are the engine's ([`anton_engine::objects`]).
//! - [`openapi`]: the OpenAPI 3.1 document, generated from the handlers.
//! - [`router`]/[`health_router`]: the assembled application; [`ApiState`]: what it shares.

mod alerts;
mod audit_log;
pub mod auth;
mod balance;
pub mod body;
pub mod client;
pub mod error;
mod events;
pub mod extract;
pub mod idempotency;
pub mod list;
pub mod metrics;
pub mod openapi;
mod payouts;
mod recipients;
pub mod request_id;
mod request_log;
mod requests;
mod risk_rules;
mod router;
mod state;
mod webhooks;

pub use router::{health_router, router};
pub use state::ApiState;
