//! Verifying Anton's webhooks (docs/reference.md §5.3) — usable without the HTTP client.
//!
//! ```
//! use anton_sdk::webhook::{Webhook, WebhookError};
//!
//! # fn handle(raw_body: &[u8], anton_signature: &str) -> Result<(), WebhookError> {
//! let webhook = Webhook::new("whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=")?;
//! // The raw body bytes exactly as received: never a re-serialized JSON value.
//! let event = webhook.verify(raw_body, anton_signature)?;
//! if let Some(payout) = event.payout() {
//!     println!("{} is now {:?}", payout.id, payout.status);
//! }
//! # Ok(())
//! # }
//! ```
//!
//! What it guarantees: the HMAC is compared in constant time over the raw bytes; any one of several
//! `v1` signatures may match (a secret rotation overlaps); an endpoint created with
//! `signature_scheme: "ed25519"` is verified with its public key (`whpk_…`) against the `v1a`
//! signatures of the Standard Webhooks headers; the timestamp must be within 300 s of
//! now in either direction (replay protection), except through the separately named
//! [`Webhook::verify_ignoring_timestamp`], meant for re-checking stored deliveries. Only a
//! verified body is parsed.

use std::time::{SystemTime, UNIX_EPOCH};

use anton_core::signature::{self, VerifyError, WebhookSecret};
use anton_core::signature_ed25519::{verify_standard_v1a, WebhookPublicKey};

use crate::types::Event;

pub use anton_core::signature::TOLERANCE_SECONDS;

/// The header names of a delivery.
pub const ANTON_SIGNATURE: &str = "Anton-Signature";
pub const WEBHOOK_ID: &str = "webhook-id";
pub const WEBHOOK_TIMESTAMP: &str = "webhook-timestamp";
pub const WEBHOOK_SIGNATURE: &str = "webhook-signature";

/// Why a delivery was rejected. None of them carries the secret or the body.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WebhookError {
    /// The signature header is missing or not `t=<unix>,v1=<hex>…`.
    #[error("the signature header is missing or malformed")]
    MalformedHeader,
    /// The signed timestamp is more than the tolerance away from now (a replay, or a clock far
    /// off).
    #[error("the signature timestamp is outside the tolerance")]
    TimestampOutsideTolerance,
    /// No signature matches the body with any configured secret.
    #[error("no signature matches the payload")]
    NoMatchingSignature,
    /// A configured key is neither a secret `whsec_<base64>` nor a public key `whpk_<base64>`.
    #[error("a webhook secret looks like whsec_<base64>, a public key like whpk_<base64>")]
    InvalidSecret,
    /// The body is authentic but is not an event this SDK can read.
    #[error("the verified body is not a valid event: {0}")]
    InvalidPayload(String),
}

impl WebhookError {
    /// The snake_case code (the shared test vectors' names).
    pub fn code(&self) -> &'static str {
        match self {
            Self::MalformedHeader => "malformed_header",
            Self::TimestampOutsideTolerance => "timestamp_outside_tolerance",
            Self::NoMatchingSignature => "no_matching_signature",
            Self::InvalidSecret => "invalid_secret",
            Self::InvalidPayload(_) => "invalid_payload",
        }
    }
}

impl From<VerifyError> for WebhookError {
    fn from(e: VerifyError) -> Self {
        match e {
            VerifyError::MalformedHeader => Self::MalformedHeader,
            VerifyError::TimestampOutsideTolerance => Self::TimestampOutsideTolerance,
            VerifyError::NoMatchingSignature => Self::NoMatchingSignature,
        }
    }
}

/// What a verifier checks with: an endpoint's HMAC secret, or the public key of an endpoint
/// created with `signature_scheme: "ed25519"`.
#[derive(Debug, Clone)]
enum Key {
    Secret(WebhookSecret),
    Public(WebhookPublicKey),
}

/// A verifier holding one or more endpoint keys (several while you roll one: the old and the new
/// one): HMAC secrets (`whsec_…`) or Ed25519 public keys (`whpk_…`). `Debug` never prints a
/// secret.
#[derive(Debug, Clone)]
pub struct Webhook {
    keys: Vec<Key>,
    tolerance_seconds: i64,
}

impl Webhook {
    /// A verifier for one endpoint's secret (`whsec_…`) or Ed25519 public key (`whpk_…`).
    pub fn new(key: &str) -> Result<Self, WebhookError> {
        Self::with_secrets([key])
    }

    /// A verifier accepting a signature made with any of `keys` (`whsec_…` secrets, `whpk_…`
    /// public keys). An Ed25519 endpoint's deliveries carry only the Standard Webhooks headers
    /// (`v1a` signatures), so verify them with [`Webhook::verify_standard`] or the axum
    /// extractor.
    pub fn with_secrets<'a>(keys: impl IntoIterator<Item = &'a str>) -> Result<Self, WebhookError> {
        let keys = keys
            .into_iter()
            .map(|s| {
                let s = s.trim();
                if s.starts_with("whpk_") {
                    WebhookPublicKey::parse(s).map(Key::Public).ok()
                } else {
                    WebhookSecret::parse(s).map(Key::Secret).ok()
                }
                .ok_or(WebhookError::InvalidSecret)
            })
            .collect::<Result<Vec<_>, _>>()?;
        if keys.is_empty() {
            return Err(WebhookError::InvalidSecret);
        }
        Ok(Self {
            keys,
            tolerance_seconds: TOLERANCE_SECONDS,
        })
    }

    /// Narrows the replay window (seconds, at most the default 300).
    pub fn tolerance(mut self, seconds: u32) -> Self {
        self.tolerance_seconds = i64::from(seconds).min(TOLERANCE_SECONDS);
        self
    }

    /// Verifies `Anton-Signature` over the raw body, against the system clock, and returns the
    /// parsed event.
    pub fn verify(&self, raw_body: &[u8], anton_signature: &str) -> Result<Event, WebhookError> {
        self.verify_at(raw_body, anton_signature, unix_now())
    }

    /// [`Webhook::verify`] with an explicit `now` (unix seconds).
    pub fn verify_at(
        &self,
        raw_body: &[u8],
        anton_signature: &str,
        now_unix: i64,
    ) -> Result<Event, WebhookError> {
        self.check_at(raw_body, anton_signature, now_unix)?;
        parse_event(raw_body)
    }

    /// Verifies the signature only, **without the replay window**: for re-checking deliveries you
    /// stored earlier. Never use it on live traffic.
    pub fn verify_ignoring_timestamp(
        &self,
        raw_body: &[u8],
        anton_signature: &str,
    ) -> Result<Event, WebhookError> {
        self.check_ignoring_timestamp(raw_body, anton_signature)?;
        parse_event(raw_body)
    }

    /// [`Webhook::verify_ignoring_timestamp`] without parsing the body.
    pub fn check_ignoring_timestamp(
        &self,
        raw_body: &[u8],
        anton_signature: &str,
    ) -> Result<(), WebhookError> {
        self.any_secret(|key| match key {
            Key::Secret(secret) => {
                signature::verify_ignoring_timestamp(raw_body, anton_signature, secret)
            }
            Key::Public(_) => Err(VerifyError::NoMatchingSignature),
        })
    }

    /// Verifies the Standard Webhooks headers (`webhook-id`, `webhook-timestamp`,
    /// `webhook-signature`) against the system clock.
    pub fn verify_standard(
        &self,
        raw_body: &[u8],
        webhook_id: &str,
        webhook_timestamp: &str,
        webhook_signature: &str,
    ) -> Result<Event, WebhookError> {
        self.verify_standard_at(
            raw_body,
            webhook_id,
            webhook_timestamp,
            webhook_signature,
            unix_now(),
        )
    }

    /// [`Webhook::verify_standard`] with an explicit `now` (unix seconds).
    pub fn verify_standard_at(
        &self,
        raw_body: &[u8],
        webhook_id: &str,
        webhook_timestamp: &str,
        webhook_signature: &str,
        now_unix: i64,
    ) -> Result<Event, WebhookError> {
        self.check_standard_at(
            raw_body,
            webhook_id,
            webhook_timestamp,
            webhook_signature,
            now_unix,
        )?;
        parse_event(raw_body)
    }

    /// Checks the Standard Webhooks headers without parsing the body.
    pub fn check_standard_at(
        &self,
        raw_body: &[u8],
        webhook_id: &str,
        webhook_timestamp: &str,
        webhook_signature: &str,
        now_unix: i64,
    ) -> Result<(), WebhookError> {
        self.any_secret(|key| match key {
            Key::Secret(secret) => signature::verify_standard(
                raw_body,
                webhook_id,
                webhook_timestamp,
                webhook_signature,
                secret,
                now_unix,
                self.tolerance_seconds,
            ),
            Key::Public(public) => verify_standard_v1a(
                raw_body,
                webhook_id,
                webhook_timestamp,
                webhook_signature,
                public,
                now_unix,
                self.tolerance_seconds,
            ),
        })
    }

    /// Checks `Anton-Signature` without parsing the body (the CLI's `webhooks verify`).
    pub fn check_at(
        &self,
        raw_body: &[u8],
        anton_signature: &str,
        now_unix: i64,
    ) -> Result<(), WebhookError> {
        self.any_secret(|key| match key {
            Key::Secret(secret) => signature::verify(
                raw_body,
                anton_signature,
                secret,
                now_unix,
                self.tolerance_seconds,
            ),
            // An Ed25519 endpoint sends no Anton-Signature.
            Key::Public(_) => Err(VerifyError::NoMatchingSignature),
        })
    }

    /// `Ok` when `check` accepts the delivery with any configured secret. A malformed or stale
    /// header fails the same way for every secret, so that answer comes at once; otherwise the
    /// answer is that no signature matched.
    fn any_secret(
        &self,
        check: impl Fn(&Key) -> Result<i64, VerifyError>,
    ) -> Result<(), WebhookError> {
        for key in &self.keys {
            match check(key) {
                Ok(_) => return Ok(()),
                Err(
                    e @ (VerifyError::MalformedHeader | VerifyError::TimestampOutsideTolerance),
                ) => return Err(e.into()),
                Err(VerifyError::NoMatchingSignature) => {}
            }
        }
        Err(WebhookError::NoMatchingSignature)
    }
}

/// Verifies one `Anton-Signature` header with one secret at `now_unix` and returns the event —
/// the `verify(raw_body, header, secret, now)` of docs/reference.md §5.3.
pub fn verify(
    raw_body: &[u8],
    anton_signature: &str,
    secret: &str,
    now_unix: i64,
) -> Result<Event, WebhookError> {
    Webhook::new(secret)?.verify_at(raw_body, anton_signature, now_unix)
}

fn parse_event(raw_body: &[u8]) -> Result<Event, WebhookError> {
    serde_json::from_slice(raw_body).map_err(|e| WebhookError::InvalidPayload(e.to_string()))
}

fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}
