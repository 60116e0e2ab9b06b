//! Two-factor codes: TOTP (RFC 6238 by `totp-rs`: SHA-1, 6 digits, 30 s steps, one step of
//! clock skew either way — what every authenticator app speaks) and one-time recovery codes.
//!
//! A TOTP secret is 20 random bytes (160 bits, RFC 4226's recommendation), stored encrypted
//! with the keyring; a code is accepted once (the member's last step is kept, [`Totp::check`]
//! returns the step to spend). Recovery codes are 10 characters from an alphabet without look-
//! alikes, shown once and stored as keyed hashes.

use anton_core::crypto::{KeyedHasher, Keyring};
use subtle::ConstantTimeEq;
use totp_rs::{Algorithm, TOTP};

use crate::error::{EngineError, Result};

/// A TOTP step, in seconds.
const STEP_S: u64 = 30;
/// How many recovery codes a member gets.
pub const RECOVERY_CODES: usize = 10;
// 32 characters: no i, l or o, so nothing reads as another.
const RECOVERY_ALPHABET: &[u8; 32] = b"abcdefghjkmnpqrstuvwxyz023456789";

/// A member's TOTP secret, in the clear only in memory (redacted in `Debug`).
pub struct Secret(Vec<u8>);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("totp::Secret([REDACTED])")
    }
}

impl Secret {
    /// 20 bytes from the operating system's CSPRNG.
    pub fn generate() -> Self {
        use rand::RngCore;
        let mut bytes = vec![0u8; 20];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        Self(bytes)
    }

    /// Encrypted for storage, bound to `owner` (the invitation's or member's id).
    pub fn seal(&self, keyring: &Keyring, owner: &str) -> String {
        keyring.encrypt(&self.0, owner.as_bytes())
    }

    pub fn open(keyring: &Keyring, stored: &str, owner: &str) -> Result<Self> {
        keyring
            .decrypt(stored, owner.as_bytes())
            .map(Self)
            .map_err(|_| {
                EngineError::Internal(anton_store::StoreError::Corrupt(
                    "a TOTP secret does not decrypt".into(),
                ))
            })
    }

    fn totp(&self, account: &str) -> Result<TOTP> {
        // Account names may not hold ':' (the otpauth label's separator); an email has none
        // that matter, and the issuer says which Anton it is.
        TOTP::new(
            Algorithm::SHA1,
            6,
            1,
            STEP_S,
            self.0.clone(),
            Some("Anton".into()),
            account.replace(':', "."),
        )
        .map_err(|_| {
            EngineError::Internal(anton_store::StoreError::Corrupt(
                "a TOTP secret is unusable".into(),
            ))
        })
    }

    /// The `otpauth://` URI an authenticator app enrols from (the QR code's text).
    pub fn uri(&self, account: &str) -> Result<String> {
        Ok(self.totp(account)?.get_url())
    }

    /// The secret in base32, for typing into an app by hand.
    pub fn base32(&self) -> String {
        totp_rs::Secret::Raw(self.0.clone())
            .to_encoded()
            .to_string()
    }

    /// The time step `code` is good for at `now_s` (this step or one either side), if any:
    /// each step's code compared in constant time.
    pub fn check(&self, code: &str, now_s: u64) -> Option<i64> {
        let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
        let totp = self.totp("member").ok()?;
        let now = now_s / STEP_S;
        let mut found = None;
        for step in [now.saturating_sub(1), now, now + 1] {
            let expected = totp.generate(step * STEP_S);
            if bool::from(expected.as_bytes().ct_eq(code.as_bytes())) {
                found = i64::try_from(step).ok();
            }
        }
        found
    }

    /// The code of `now_s` (tests and the test tools enrol like an app would).
    pub fn code_at(&self, now_s: u64) -> String {
        self.totp("member")
            .map(|t| t.generate(now_s))
            .unwrap_or_default()
    }
}

/// Fresh recovery codes, as shown (`abcde-fghjk`).
pub fn recovery_codes() -> Vec<String> {
    use rand::RngCore;
    (0..RECOVERY_CODES)
        .map(|_| {
            let mut bytes = [0u8; 10];
            rand::rngs::OsRng.fill_bytes(&mut bytes);
            let s: String = bytes
                .iter()
                .map(|b| RECOVERY_ALPHABET[usize::from(b % 32)] as char)
                .collect();
            format!("{}-{}", &s[..5], &s[5..])
        })
        .collect()
}

/// Whether `code` looks like a recovery code rather than a TOTP code.
pub fn is_recovery_code(code: &str) -> bool {
    normalize_recovery(code).len() == 10
}

fn normalize_recovery(code: &str) -> String {
    code.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// The keyed hash a recovery code is stored as, bound to its member.
pub fn recovery_hash(hasher: &KeyedHasher, member: &str, code: &str) -> String {
    hasher.hash_hex(&[
        b"portal-recovery-code",
        member.as_bytes(),
        normalize_recovery(code).as_bytes(),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_is_good_for_its_step_and_one_either_side() {
        let s = Secret::generate();
        let now = 1_800_000_000;
        let code = s.code_at(now);
        assert_eq!(code.len(), 6);
        assert_eq!(s.check(&code, now), Some(60_000_000));
        assert_eq!(s.check(&code, now + 30), Some(60_000_000));
        assert_eq!(s.check(&code, now + 90), None);
        assert_eq!(s.check("12345", now), None);
        assert!(s
            .uri("ada@example.com")
            .unwrap()
            .starts_with("otpauth://totp/Anton:"));
    }

    #[test]
    fn recovery_codes_are_distinct_and_hash_as_typed() {
        let codes = recovery_codes();
        assert_eq!(codes.len(), RECOVERY_CODES);
        let set: std::collections::HashSet<_> = codes.iter().collect();
        assert_eq!(set.len(), RECOVERY_CODES);
        let h = KeyedHasher::new(b"k");
        let c = &codes[0];
        assert!(is_recovery_code(c));
        assert!(!is_recovery_code("123456"));
        assert_eq!(
            recovery_hash(&h, "mbr_1", c),
            recovery_hash(&h, "mbr_1", &c.to_uppercase().replace('-', " "))
        );
        assert_ne!(recovery_hash(&h, "mbr_1", c), recovery_hash(&h, "mbr_2", c));
    }
}
