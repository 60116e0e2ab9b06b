//! The merchant's side of [Anton](https://github.com/): a typed HTTPS client for every v1
//! endpoint, a webhook verifier that cannot be used wrongly, and an axum extractor.
//!
//! - [`Client`] (feature `client`, default): certificates always verified, automatic
//!   idempotency keys reused on retry, bounded retries with backoff and jitter, typed errors
//!   carrying the request id, auto-paginating list streams. See [`client`].
//! - [`webhook`]: `Anton-Signature` and Standard Webhooks verification over the raw body,
//!   constant-time, 300 s tolerance, typed errors; returns the parsed [`types::Event`]. Needs no
//!   HTTP stack: `default-features = false` gives just this and the types.
//! - [`axum::VerifiedEvent`] (feature `axum`): a handler argument that is only ever a verified
//!   event; anything else gets 400 before the handler runs.
//!
//! The API key is a server-side secret: keep it out of browsers and apps, out of logs (this
//! crate's `Debug` output never shows it) and out of your repository (`anton keys scan`).

#[cfg(feature = "axum")]
pub mod axum;
#[cfg(feature = "client")]
pub mod client;
#[cfg(feature = "client")]
pub mod error;
pub mod types;
pub mod webhook;

#[cfg(feature = "client")]
pub use client::{Client, ClientBuilder};
#[cfg(feature = "client")]
pub use error::{ApiError, Error, ErrorType};
pub use webhook::{Webhook, WebhookError};
