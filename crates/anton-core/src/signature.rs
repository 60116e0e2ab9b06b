//! The webhook signature scheme (docs/reference.md §5.3), for both the sender and every verifier.
//!
//! - `Anton-Signature: t=<unix>,v1=<hex>[,v1=<hex>…]`: HMAC-SHA256 keyed with the **whole secret
//!   string's bytes** (`whsec_…` included), over `"{t}.{raw body}"`. One `v1` per active secret.
//! - Standard Webhooks `webhook-signature: v1,<base64> [v1,<base64>…]`: HMAC-SHA256 keyed with the
//!   base64-decoded part after `whsec_`, over `"{webhook-id}.{webhook-timestamp}.{raw body}"`.
//!
//! Verification compares MACs in constant time (`hmac`'s `verify_slice` uses `subtle`) over the raw
//! body bytes, accepts any one matching `v1`, and rejects timestamps more than the tolerance away
//! from
//! `now` in either direction.

use std::fmt;

use base64::{engine::general_purpose::STANDARD, Engine};
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::signature_ed25519::{sign_v1a, Ed25519Secret};

type HmacSha256 = Hmac<Sha256>;

/// Default replay window, seconds.
pub const TOLERANCE_SECONDS: i64 = 300;

/// A webhook signing secret, `whsec_<base64 of 32 random bytes>`. `Debug` never prints it.
#[derive(Clone, PartialEq, Eq)]
pub struct WebhookSecret {
    text: String,
    raw: Vec<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a webhook secret looks like whsec_<base64>")]
pub struct SecretFormatError;

impl WebhookSecret {
    pub fn generate() -> Self {
        use rand::RngCore;
        let mut raw = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut raw);
        Self {
            text: format!("whsec_{}", STANDARD.encode(raw)),
            raw: raw.to_vec(),
        }
    }

    pub fn parse(s: &str) -> Result<Self, SecretFormatError> {
        let b64 = s.strip_prefix("whsec_").ok_or(SecretFormatError)?;
        let raw = STANDARD.decode(b64).map_err(|_| SecretFormatError)?;
        if raw.is_empty() {
            return Err(SecretFormatError);
        }
        Ok(Self {
            text: s.to_owned(),
            raw,
        })
    }

    /// The full secret, to show once or store encrypted.
    pub fn expose_secret(&self) -> &str {
        &self.text
    }

    fn anton_mac(&self) -> HmacSha256 {
        HmacSha256::new_from_slice(self.text.as_bytes()).expect("HMAC accepts keys of any length")
    }

    fn standard_mac(&self) -> HmacSha256 {
        HmacSha256::new_from_slice(&self.raw).expect("HMAC accepts keys of any length")
    }
}

impl fmt::Debug for WebhookSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("WebhookSecret([REDACTED])")
    }
}

/// The signature headers of one delivery attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureHeaders {
    pub anton_signature: String,
    pub webhook_signature: String,
}

/// Signs `body` with every active secret (newest first), for both header sets.
pub fn sign(
    secrets: &[WebhookSecret],
    event_id: &str,
    timestamp: i64,
    body: &[u8],
) -> SignatureHeaders {
    let ts = timestamp.to_string();
    let mut anton = format!("t={ts}");
    let mut standard = String::new();
    for secret in secrets {
        let mut mac = secret.anton_mac();
        mac.update(ts.as_bytes());
        mac.update(b".");
        mac.update(body);
        anton.push_str(",v1=");
        anton.push_str(&hex::encode(mac.finalize().into_bytes()));

        let mut mac = secret.standard_mac();
        mac.update(event_id.as_bytes());
        mac.update(b".");
        mac.update(ts.as_bytes());
        mac.update(b".");
        mac.update(body);
        if !standard.is_empty() {
            standard.push(' ');
        }
        standard.push_str("v1,");
        standard.push_str(&STANDARD.encode(mac.finalize().into_bytes()));
    }
    SignatureHeaders {
        anton_signature: anton,
        webhook_signature: standard,
    }
}

/// An endpoint's signing key as stored (encrypted): an HMAC secret (`whsec_…`, the default) or
/// an Ed25519 private key (`whsk_…`, the asymmetric option), told apart by prefix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SigningKey {
    Hmac(WebhookSecret),
    Ed25519(Ed25519Secret),
}

impl SigningKey {
    pub fn parse(s: &str) -> Option<Self> {
        if s.starts_with("whsk_") {
            Ed25519Secret::parse(s).ok().map(Self::Ed25519)
        } else {
            WebhookSecret::parse(s).ok().map(Self::Hmac)
        }
    }

    /// The key's text, to store encrypted.
    pub fn expose_secret(&self) -> &str {
        match self {
            Self::Hmac(s) => s.expose_secret(),
            Self::Ed25519(k) => k.expose_secret(),
        }
    }
}

/// The signature headers of one attempt under `keys` (newest first): `Anton-Signature` when an
/// HMAC secret signs (`None` for an Ed25519 endpoint, which has none), and `webhook-signature`
/// with a `v1,` entry per HMAC secret and a `v1a,` entry per Ed25519 key.
pub fn sign_with(
    keys: &[SigningKey],
    event_id: &str,
    timestamp: i64,
    body: &[u8],
) -> (Option<String>, String) {
    let (mut hmac, mut ed25519) = (Vec::new(), Vec::new());
    for k in keys {
        match k {
            SigningKey::Hmac(s) => hmac.push(s.clone()),
            SigningKey::Ed25519(e) => ed25519.push(e.clone()),
        }
    }
    let mut standard = Vec::new();
    let mut anton = None;
    if !hmac.is_empty() {
        let h = sign(&hmac, event_id, timestamp, body);
        anton = Some(h.anton_signature);
        standard.push(h.webhook_signature);
    }
    if !ed25519.is_empty() {
        standard.push(sign_v1a(&ed25519, event_id, timestamp, body));
    }
    (anton, standard.join(" "))
}

/// Why a signature was rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    #[error("the signature header is malformed")]
    MalformedHeader,
    #[error("the signature timestamp is outside the tolerance")]
    TimestampOutsideTolerance,
    #[error("no signature in the header matches the payload")]
    NoMatchingSignature,
}

impl VerifyError {
    /// The snake_case name used by the shared test vectors and in error responses.
    pub fn code(self) -> &'static str {
        match self {
            Self::MalformedHeader => "malformed_header",
            Self::TimestampOutsideTolerance => "timestamp_outside_tolerance",
            Self::NoMatchingSignature => "no_matching_signature",
        }
    }
}

struct ParsedHeader<'a> {
    timestamp: i64,
    timestamp_text: &'a str,
    v1: Vec<&'a str>,
}

fn parse_anton_header(header: &str) -> Result<ParsedHeader<'_>, VerifyError> {
    let mut timestamp = None;
    let mut v1 = Vec::new();
    for part in header.split(',') {
        let (k, v) = part.split_once('=').ok_or(VerifyError::MalformedHeader)?;
        match k.trim() {
            "t" => {
                let v = v.trim();
                let t: i64 = v.parse().map_err(|_| VerifyError::MalformedHeader)?;
                timestamp = Some((t, v));
            }
            "v1" => v1.push(v.trim()),
            _ => {} // other schemes are ignored, so new ones can be added without breaking verifiers
        }
    }
    let (timestamp, timestamp_text) = timestamp.ok_or(VerifyError::MalformedHeader)?;
    Ok(ParsedHeader {
        timestamp,
        timestamp_text,
        v1,
    })
}

/// Verifies an `Anton-Signature` header against the raw body, including the replay window.
pub fn verify(
    body: &[u8],
    header: &str,
    secret: &WebhookSecret,
    now_unix: i64,
    tolerance_seconds: i64,
) -> Result<i64, VerifyError> {
    let parsed = parse_anton_header(header)?;
    if outside(now_unix, parsed.timestamp, tolerance_seconds) {
        return Err(VerifyError::TimestampOutsideTolerance);
    }
    check_v1(body, &parsed, secret)?;
    Ok(parsed.timestamp)
}

/// `|now − t| > tolerance`, without overflow for any header value (`t = i64::MIN` is just old).
pub(crate) fn outside(now_unix: i64, t: i64, tolerance_seconds: i64) -> bool {
    now_unix.abs_diff(t) > tolerance_seconds.unsigned_abs()
}

/// Verifies the signature only, **without** the replay window: for re-checking stored deliveries.
pub fn verify_ignoring_timestamp(
    body: &[u8],
    header: &str,
    secret: &WebhookSecret,
) -> Result<i64, VerifyError> {
    let parsed = parse_anton_header(header)?;
    check_v1(body, &parsed, secret)?;
    Ok(parsed.timestamp)
}

fn check_v1(
    body: &[u8],
    parsed: &ParsedHeader<'_>,
    secret: &WebhookSecret,
) -> Result<(), VerifyError> {
    let mut mac = secret.anton_mac();
    mac.update(parsed.timestamp_text.as_bytes());
    mac.update(b".");
    mac.update(body);
    for candidate in &parsed.v1 {
        let Ok(bytes) = hex::decode(candidate) else {
            continue;
        };
        if mac.clone().verify_slice(&bytes).is_ok() {
            return Ok(());
        }
    }
    Err(VerifyError::NoMatchingSignature)
}

/// Verifies Standard Webhooks headers (`webhook-id`, `webhook-timestamp`, `webhook-signature`).
pub fn verify_standard(
    body: &[u8],
    webhook_id: &str,
    webhook_timestamp: &str,
    webhook_signature: &str,
    secret: &WebhookSecret,
    now_unix: i64,
    tolerance_seconds: i64,
) -> Result<i64, VerifyError> {
    let ts: i64 = webhook_timestamp
        .trim()
        .parse()
        .map_err(|_| VerifyError::MalformedHeader)?;
    if outside(now_unix, ts, tolerance_seconds) {
        return Err(VerifyError::TimestampOutsideTolerance);
    }
    let mut mac = secret.standard_mac();
    mac.update(webhook_id.as_bytes());
    mac.update(b".");
    mac.update(webhook_timestamp.trim().as_bytes());
    mac.update(b".");
    mac.update(body);
    for sig in webhook_signature.split(' ') {
        let Some(b64) = sig.strip_prefix("v1,") else {
            continue;
        };
        let Ok(bytes) = STANDARD.decode(b64) else {
            continue;
        };
        if mac.clone().verify_slice(&bytes).is_ok() {
            return Ok(ts);
        }
    }
    Err(VerifyError::NoMatchingSignature)
}
