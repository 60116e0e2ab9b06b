//! Field encryption for bank account numbers and keyed fingerprints.
//!
//! Ciphertexts are self-describing: `v1:<key id>:<base64(nonce ‖ ciphertext+tag)>`. The key id travels
//! with the ciphertext so keys can rotate: new writes use the active key, old rows stay readable with
//! the retired keys still listed in the keyring. The merchant id is bound as associated data, so a
//! ciphertext copied into another merchant's row does not decrypt.

use std::collections::HashMap;
use std::fmt;

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::{engine::general_purpose::STANDARD, Engine};
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CryptoError {
    #[error("encryption key id {0:?} is not in the keyring")]
    UnknownKey(String),
    #[error("ciphertext is malformed")]
    Malformed,
    #[error("ciphertext failed authentication")]
    Authentication,
    #[error("an encryption key must be 32 bytes")]
    KeyLength,
}

/// AES-256-GCM keys by id, one of them active for new writes. `Debug` never prints key material.
#[derive(Clone)]
pub struct Keyring {
    keys: HashMap<String, Aes256Gcm>,
    active: String,
}

impl fmt::Debug for Keyring {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Keyring")
            .field("active", &self.active)
            .field("keys", &self.keys.len())
            .finish()
    }
}

impl Keyring {
    /// `keys`: (id, 32-byte key). The first key is the active one.
    pub fn new(keys: &[(String, Vec<u8>)]) -> Result<Self, CryptoError> {
        let mut map = HashMap::new();
        for (id, key) in keys {
            if key.len() != 32 {
                return Err(CryptoError::KeyLength);
            }
            let cipher = Aes256Gcm::new_from_slice(key).map_err(|_| CryptoError::KeyLength)?;
            map.insert(id.clone(), cipher);
        }
        let active = keys
            .first()
            .map(|(id, _)| id.clone())
            .ok_or(CryptoError::KeyLength)?;
        Ok(Self { keys: map, active })
    }

    pub fn encrypt(&self, plaintext: &[u8], aad: &[u8]) -> String {
        let cipher = &self.keys[&self.active];
        let mut nonce = [0u8; 12];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let ct = cipher
            .encrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: plaintext,
                    aad,
                },
            )
            // AES-GCM encryption only fails for plaintexts over 64 GiB; ours are bank numbers.
            .expect("AES-GCM encryption of a short field cannot fail");
        let mut blob = Vec::with_capacity(12 + ct.len());
        blob.extend_from_slice(&nonce);
        blob.extend_from_slice(&ct);
        format!("v1:{}:{}", self.active, STANDARD.encode(blob))
    }

    pub fn decrypt(&self, stored: &str, aad: &[u8]) -> Result<Vec<u8>, CryptoError> {
        let mut parts = stored.splitn(3, ':');
        let (Some("v1"), Some(key_id), Some(b64)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(CryptoError::Malformed);
        };
        let cipher = self
            .keys
            .get(key_id)
            .ok_or_else(|| CryptoError::UnknownKey(key_id.to_owned()))?;
        let blob = STANDARD.decode(b64).map_err(|_| CryptoError::Malformed)?;
        if blob.len() < 12 + 16 {
            return Err(CryptoError::Malformed);
        }
        let (nonce, ct) = blob.split_at(12);
        cipher
            .decrypt(Nonce::from_slice(nonce), Payload { msg: ct, aad })
            .map_err(|_| CryptoError::Authentication)
    }
}

/// HMAC-SHA256 keyed with a server secret. Used for API key hashes and bank fingerprints: both are
/// high-entropy or low-entropy values that must be comparable without being reversible.
#[derive(Clone)]
pub struct KeyedHasher {
    key: Vec<u8>,
}

impl fmt::Debug for KeyedHasher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("KeyedHasher([REDACTED])")
    }
}

impl KeyedHasher {
    pub fn new(key: &[u8]) -> Self {
        Self { key: key.to_vec() }
    }

    pub fn hash_parts(&self, parts: &[&[u8]]) -> [u8; 32] {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.key)
            .expect("HMAC accepts keys of any length");
        for (i, part) in parts.iter().enumerate() {
            if i > 0 {
                mac.update(b"\x1f");
            }
            mac.update(part);
        }
        mac.finalize().into_bytes().into()
    }

    pub fn hash_hex(&self, parts: &[&[u8]]) -> String {
        hex::encode(self.hash_parts(parts))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ring() -> Keyring {
        Keyring::new(&[("k2".into(), vec![2; 32]), ("k1".into(), vec![1; 32])]).unwrap()
    }

    #[test]
    fn encrypts_with_the_active_key_and_decrypts_with_any_listed_key() {
        let old = Keyring::new(&[("k1".into(), vec![1; 32])]).unwrap();
        let c_old = old.encrypt(b"000123456789", b"mer_a");
        let c_new = ring().encrypt(b"000123456789", b"mer_a");
        assert!(c_new.starts_with("v1:k2:"));
        assert_eq!(ring().decrypt(&c_old, b"mer_a").unwrap(), b"000123456789");
        assert_eq!(ring().decrypt(&c_new, b"mer_a").unwrap(), b"000123456789");
        assert!(!c_new.contains("123456789"));
    }

    #[test]
    fn a_ciphertext_moved_to_another_merchant_does_not_decrypt() {
        let c = ring().encrypt(b"000123456789", b"mer_a");
        assert_eq!(
            ring().decrypt(&c, b"mer_b"),
            Err(CryptoError::Authentication)
        );
    }
}
