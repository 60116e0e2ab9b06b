//! The asymmetric option of the webhook signature scheme (docs/reference.md §5.3): Standard
//! Webhooks `v1a`, Ed25519. An endpoint created with `signature_scheme: "ed25519"` is signed with
//! its own key pair: Anton keeps the private key (`whsk_<base64 of the 32-byte seed>`, stored
//! encrypted like an HMAC secret, never shown), the merchant gets the public key
//! (`whpk_<base64 of 32 bytes>`). `webhook-signature` then carries `v1a,<base64 signature>` over
//! `"{webhook-id}.{webhook-timestamp}.{raw body}"`, one per active key during a rotation, and
//! there is no `Anton-Signature`: no secret exists on the merchant's side to leak.
//!
//! Ed25519 is `ring`'s (the same library the TLS stack uses): signing from the seed, and
//! verification of a public key's signature, which needs no constant-time comparison (nothing
//! secret is compared).

use std::fmt;

use base64::{engine::general_purpose::STANDARD, Engine};
use ring::signature::{Ed25519KeyPair, KeyPair, UnparsedPublicKey, ED25519};

use crate::signature::{outside, VerifyError};

/// An endpoint's Ed25519 private key, `whsk_<base64 of the 32-byte seed>`. `Debug` never prints
/// it.
#[derive(Clone, PartialEq, Eq)]
pub struct Ed25519Secret {
    text: String,
    seed: [u8; 32],
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("an Ed25519 key looks like whsk_<base64 of 32 bytes> (private) or whpk_… (public)")]
pub struct KeyFormatError;

impl Ed25519Secret {
    pub fn generate() -> Self {
        use rand::RngCore;
        let mut seed = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut seed);
        Self {
            text: format!("whsk_{}", STANDARD.encode(seed)),
            seed,
        }
    }

    pub fn parse(s: &str) -> Result<Self, KeyFormatError> {
        let b64 = s.strip_prefix("whsk_").ok_or(KeyFormatError)?;
        let seed: [u8; 32] = STANDARD
            .decode(b64)
            .ok()
            .and_then(|v| v.try_into().ok())
            .ok_or(KeyFormatError)?;
        Ok(Self {
            text: s.to_owned(),
            seed,
        })
    }

    /// The private key's text, to store encrypted (never to show).
    pub fn expose_secret(&self) -> &str {
        &self.text
    }

    fn pair(&self) -> Ed25519KeyPair {
        Ed25519KeyPair::from_seed_unchecked(&self.seed)
            .expect("every 32-byte seed is an Ed25519 private key")
    }

    /// The public key the merchant verifies with.
    pub fn public_key(&self) -> WebhookPublicKey {
        let mut raw = [0u8; 32];
        raw.copy_from_slice(self.pair().public_key().as_ref());
        WebhookPublicKey {
            text: format!("whpk_{}", STANDARD.encode(raw)),
            raw,
        }
    }
}

impl fmt::Debug for Ed25519Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Ed25519Secret([REDACTED])")
    }
}

/// An endpoint's Ed25519 public key, `whpk_<base64 of 32 bytes>`: public, shown on the endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookPublicKey {
    text: String,
    raw: [u8; 32],
}

impl WebhookPublicKey {
    pub fn parse(s: &str) -> Result<Self, KeyFormatError> {
        let b64 = s.strip_prefix("whpk_").ok_or(KeyFormatError)?;
        let raw: [u8; 32] = STANDARD
            .decode(b64)
            .ok()
            .and_then(|v| v.try_into().ok())
            .ok_or(KeyFormatError)?;
        Ok(Self {
            text: s.to_owned(),
            raw,
        })
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }
}

/// What Standard Webhooks signs: `"{webhook-id}.{webhook-timestamp}.{raw body}"`.
fn signed_content(webhook_id: &str, timestamp: &str, body: &[u8]) -> Vec<u8> {
    let mut m = Vec::with_capacity(webhook_id.len() + timestamp.len() + body.len() + 2);
    m.extend_from_slice(webhook_id.as_bytes());
    m.push(b'.');
    m.extend_from_slice(timestamp.as_bytes());
    m.push(b'.');
    m.extend_from_slice(body);
    m
}

/// The `webhook-signature` value for `body` under every active key (newest first):
/// `v1a,<base64> v1a,<base64>…`.
pub fn sign_v1a(keys: &[Ed25519Secret], event_id: &str, timestamp: i64, body: &[u8]) -> String {
    let content = signed_content(event_id, &timestamp.to_string(), body);
    keys.iter()
        .map(|k| format!("v1a,{}", STANDARD.encode(k.pair().sign(&content).as_ref())))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Verifies Standard Webhooks headers signed with `v1a` (Ed25519) against `key`; accepts any one
/// matching signature (a rotation overlaps) and returns the timestamp.
pub fn verify_standard_v1a(
    body: &[u8],
    webhook_id: &str,
    webhook_timestamp: &str,
    webhook_signature: &str,
    key: &WebhookPublicKey,
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
    let content = signed_content(webhook_id, webhook_timestamp.trim(), body);
    let public = UnparsedPublicKey::new(&ED25519, key.raw);
    let matches = webhook_signature
        .split(' ')
        .filter_map(|s| s.strip_prefix("v1a,"))
        .filter_map(|b64| STANDARD.decode(b64).ok())
        .any(|sig| public.verify(&content, &sig).is_ok());
    if matches {
        Ok(ts)
    } else {
        Err(VerifyError::NoMatchingSignature)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_verifies_with_the_public_key_and_nothing_else() {
        let key = Ed25519Secret::generate();
        let public = key.public_key();
        assert_eq!(WebhookPublicKey::parse(public.as_str()), Ok(public.clone()));
        assert_eq!(Ed25519Secret::parse(key.expose_secret()), Ok(key.clone()));
        let body = br#"{"id":"evt_1"}"#;
        let header = sign_v1a(std::slice::from_ref(&key), "evt_1", 1_000, body);
        assert!(header.starts_with("v1a,"));
        let check = |body: &[u8], id: &str, ts: &str, header: &str, key: &WebhookPublicKey| {
            verify_standard_v1a(body, id, ts, header, key, 1_000, 300)
        };
        assert_eq!(check(body, "evt_1", "1000", &header, &public), Ok(1_000));
        let other = Ed25519Secret::generate().public_key();
        let no = Err(VerifyError::NoMatchingSignature);
        assert_eq!(check(body, "evt_1", "1000", &header, &other), no);
        assert_eq!(
            check(b"{\"id\":\"evt_2\"}", "evt_1", "1000", &header, &public),
            no
        );
        assert_eq!(check(body, "evt_2", "1000", &header, &public), no);
        assert_eq!(check(body, "evt_1", "1001", &header, &public), no);
        // An HMAC entry is no Ed25519 signature.
        assert_eq!(check(body, "evt_1", "1000", "v1,AAAA", &public), no);
        let stale = verify_standard_v1a(body, "evt_1", "1000", &header, &public, 1_301, 300);
        assert_eq!(stale, Err(VerifyError::TimestampOutsideTolerance));
        // During a rotation both keys sign; either public key verifies.
        let next = Ed25519Secret::generate();
        let both = sign_v1a(&[next.clone(), key.clone()], "evt_1", 1_000, body);
        assert_eq!(both.split(' ').count(), 2);
        assert_eq!(check(body, "evt_1", "1000", &both, &public), Ok(1_000));
        assert_eq!(
            check(body, "evt_1", "1000", &both, &next.public_key()),
            Ok(1_000)
        );
        assert!(!format!("{key:?}").contains(&key.expose_secret()[5..]));
    }

    #[test]
    fn keys_of_the_wrong_shape_are_refused() {
        for bad in ["whpk_", "whpk_AAAA", "whsec_AAAA", "pk_x", ""] {
            assert!(WebhookPublicKey::parse(bad).is_err(), "{bad}");
        }
        assert!(Ed25519Secret::parse("whsk_AAAA").is_err());
    }
}
