//! Anton's domain model. **Architecture invariant: `anton-core` does no I/O** — no sockets, no
//! files, no database, no clock reads except through the callers' `now` arguments. Everything here
//! is pure parsing, arithmetic and cryptography, so it is cheap to test exhaustively and safe to
//! share between the server and the merchant-side SDK.
//!
//! Layout:
//! - [`id`]: prefixed random ids (`po_…`, `rcp_…`), one newtype per object kind.
//! - [`money`]: [`money::Amount`] (integer minor units) and [`money::Currency`].
//! - [`bank`]: parsed bank accounts (ABA routing checksum, IBAN, UK sort code) and their redaction.
//! - [`crypto`]: field encryption (AES-256-GCM with key ids) and keyed fingerprints.
//! - [`keys`]: the API key format (checksummed), environments and scopes.
//! - [`payout`]: the payout lifecycle as a state machine, and the simulator's outcomes.
//! - [`risk`]: the risk rules for unusual payout activity and the pure assessment of a payout.
//! - [`ledger`]: double-entry accounts and balanced postings.
//! - [`event`]: event types and the event JSON shape.
//! - [`team`]: portal roles and what each may do (the permission matrix).
//! - [`signature`]: the webhook signature scheme (both header sets) and its verifier.
//! - [`time`]: timestamps as the API renders them.

pub mod bank;
pub mod crypto;
pub mod event;
pub mod id;
pub mod keys;
pub mod ledger;
pub mod money;
pub mod payout;
pub mod risk;
pub mod signature;
pub mod signature_ed25519;
pub mod team;
pub mod time;

/// The API version this build speaks (docs/reference.md §2, `Anton-Version`).
pub const API_VERSION: &str = "2026-11-28";

/// Random base62 text from the operating system's CSPRNG: one `getrandom` call per string, each
/// byte mapped by rejection sampling (bytes ≥ 248 are redrawn) so every character is uniform.
pub fn random_base62(len: usize) -> String {
    use rand::RngCore;
    const ALPHABET: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    let mut out = String::with_capacity(len);
    let mut buf = [0u8; 64];
    while out.len() < len {
        rand::rngs::OsRng.fill_bytes(&mut buf);
        for b in buf {
            if b < 248 && out.len() < len {
                out.push(ALPHABET[usize::from(b % 62)] as char);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn random_base62_has_the_length_and_alphabet_asked_for() {
        for len in [0, 1, 24, 32, 100] {
            let s = super::random_base62(len);
            assert_eq!(s.len(), len);
            assert!(s.bytes().all(|b| b.is_ascii_alphanumeric()));
        }
        assert_ne!(super::random_base62(24), super::random_base62(24));
    }
}
