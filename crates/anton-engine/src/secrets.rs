//! The server-side secrets the use cases need: the key that hashes API keys, the key that
//! fingerprints bank accounts, and the keyring that encrypts account numbers and endpoint
//! secrets. Data only — where they come from (files, a vault) is the binary's business — and
//! redacted in `Debug`.

use anton_core::crypto::{KeyedHasher, Keyring};

#[derive(Debug, Clone)]
pub struct Secrets {
    pub api_key_hasher: KeyedHasher,
    pub fingerprint_hasher: KeyedHasher,
    pub keyring: Keyring,
}
