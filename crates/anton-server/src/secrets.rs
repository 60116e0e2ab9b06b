//! Server-side secrets ([`anton_engine::Secrets`]) as files: the key that hashes API keys, the key
//! that fingerprints bank accounts, and the AES-256-GCM keyring that encrypts account numbers.
//!
//! They live as files in the secrets directory (mode 0600), generated on first start for the
//! embedded default. `encryption.keys` holds one `<id> <hex key>` per line, the first one active:
//! to rotate, put a new line first and keep the old ones for reading.

use std::fs;
use std::io::Write;
use std::path::Path;

use anton_core::crypto::{KeyedHasher, Keyring};
use anyhow::{bail, Context};
use rand::RngCore;

pub use anton_engine::Secrets;

fn random_hex() -> String {
    let mut b = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut b);
    hex::encode(b)
}

/// Writes `contents` to a new file readable by the owner only.
pub fn write_private(path: &Path, contents: &[u8]) -> anyhow::Result<()> {
    let mut opts = fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts
        .open(path)
        .with_context(|| format!("creating {}", path.display()))?;
    f.write_all(contents)?;
    f.sync_all()?;
    Ok(())
}

fn read_or_create(path: &Path, make: impl FnOnce() -> String) -> anyhow::Result<String> {
    if !path.exists() {
        write_private(path, make().as_bytes())?;
    }
    fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))
}

fn parse_key(text: &str, what: &str) -> anyhow::Result<Vec<u8>> {
    let key = hex::decode(text.trim()).with_context(|| format!("{what} is not hex"))?;
    if key.len() != 32 {
        bail!("{what} must be 32 bytes (64 hex characters)");
    }
    Ok(key)
}

/// Loads the secrets from `dir`, generating any that are missing.
pub fn load_or_generate(dir: &Path) -> anyhow::Result<Secrets> {
    crate::private::directory(dir)?;
    let api = read_or_create(&dir.join("api_key_hash.key"), random_hex)?;
    let fp = read_or_create(&dir.join("fingerprint.key"), random_hex)?;
    let enc = read_or_create(&dir.join("encryption.keys"), || {
        format!("k1 {}\n", random_hex())
    })?;
    let mut ring = Vec::new();
    for line in enc
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
    {
        let (id, key) = line
            .split_once(' ')
            .context("encryption.keys lines are `<id> <hex key>`")?;
        ring.push((id.to_owned(), parse_key(key, "an encryption key")?));
    }
    crate::private::check_tree(dir)?;
    Ok(Secrets {
        api_key_hasher: KeyedHasher::new(&parse_key(&api, "api_key_hash.key")?),
        fingerprint_hasher: KeyedHasher::new(&parse_key(&fp, "fingerprint.key")?),
        keyring: Keyring::new(&ring).context("encryption.keys")?,
    })
}
