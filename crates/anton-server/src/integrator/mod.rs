//! The integrator commands (docs/reference.md §9): what a merchant's engineer runs on their own
//! machine —
//! `anton login`, `listen`, `trigger`, `events`, `webhooks verify`, `keys scan`. They speak to a
//! server through the SDK (`anton-sdk`), never to a database.
//!
//! Where the API key comes from, in order: `ANTON_API_KEY`, then the profile written by `anton
//! login` (a file of mode 0600 under `$ANTON_CONFIG_DIR`, default `~/.config/anton`). A key given
//! with `--api-key` works but is warned about: other users of the machine can read a process's
//! arguments.

use std::collections::BTreeMap;
use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};

use anton_core::keys::ApiKey;
use anton_sdk::Client;
use anyhow::{bail, Context};
use serde::{Deserialize, Serialize};

mod alerts;
mod events;
mod follow;
mod listen;
mod logs;
mod risk;
mod scan;
mod verify;

pub use alerts::{alerts_act, alerts_list};
pub use events::{event_types, events_list, events_resend, trigger, webhooks_test, TRIGGERABLE};
pub use listen::listen;
pub use logs::{logs_tail, TailFilter};
pub use risk::{risk_decide, risk_held, risk_rules, risk_set, RuleChange};
pub use scan::{keys_scan, scan_bytes, Finding};
pub use verify::{webhooks_verify, Signed};

/// An error that carries the process exit code (e.g. 1 for "keys found", 2 for misuse).
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct Exit {
    pub code: u8,
    pub message: String,
}

/// How to reach a server: the base URL, the CA to trust (for a local server), and the key.
#[derive(Clone, Default, Serialize, Deserialize)]
pub struct Profile {
    pub base_url: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ca_file: Option<PathBuf>,
    pub api_key: String,
    /// The secret `anton listen` signs forwarded events with (stable, so a local handler's
    /// configuration survives restarts).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub listen_secret: Option<String>,
}

impl std::fmt::Debug for Profile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Profile")
            .field("base_url", &self.base_url)
            .field("ca_file", &self.ca_file)
            .field("api_key", &"[REDACTED]")
            .finish()
    }
}

fn config_dir() -> anyhow::Result<PathBuf> {
    if let Some(d) = std::env::var_os("ANTON_CONFIG_DIR") {
        return Ok(PathBuf::from(d));
    }
    let home = std::env::var_os("HOME").context("HOME is not set; set ANTON_CONFIG_DIR")?;
    Ok(PathBuf::from(home).join(".config").join("anton"))
}

fn profiles_path() -> anyhow::Result<PathBuf> {
    Ok(config_dir()?.join("profiles.json"))
}

pub(super) fn read_profiles() -> anyhow::Result<BTreeMap<String, Profile>> {
    let path = profiles_path()?;
    match std::fs::read(&path) {
        Ok(bytes) => serde_json::from_slice(&bytes)
            .with_context(|| format!("{} is not a profiles file", path.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(BTreeMap::new()),
        Err(e) => Err(e).with_context(|| format!("reading {}", path.display())),
    }
}

pub(super) fn write_profiles(profiles: &BTreeMap<String, Profile>) -> anyhow::Result<PathBuf> {
    let path = profiles_path()?;
    let dir = path.parent().context("profiles path")?;
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let tmp = dir.join(".profiles.json.tmp");
    {
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create(true).truncate(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
        let mut f = opts
            .open(&tmp)
            .with_context(|| format!("writing {}", tmp.display()))?;
        f.write_all(&serde_json::to_vec_pretty(profiles)?)?;
        f.sync_all()?;
    }
    std::fs::rename(&tmp, &path)?;
    Ok(path)
}

/// Connection flags shared by the integrator commands.
#[derive(clap::Args, Clone, Default, Debug)]
pub struct Connect {
    /// Profile written by `anton login` (default: $ANTON_PROFILE or "default").
    #[arg(long, global = true, env = "ANTON_PROFILE")]
    pub profile: Option<String>,
    /// API base URL (default: the profile's, else https://localhost:8443).
    #[arg(long, global = true, env = "ANTON_BASE_URL")]
    pub base_url: Option<String>,
    /// A root CA to trust in addition to the public roots (a local server's ca.pem).
    #[arg(long = "ca", global = true, env = "ANTON_CA_FILE")]
    pub ca_file: Option<PathBuf>,
    /// The API key. Prefer ANTON_API_KEY or `anton login`: arguments are visible to other users.
    #[arg(long, global = true)]
    pub api_key: Option<String>,
}

impl Connect {
    pub(super) fn profile_name(&self) -> String {
        self.profile.clone().unwrap_or_else(|| "default".into())
    }

    /// The effective profile (flags and environment over the stored one).
    pub fn resolve(&self) -> anyhow::Result<Profile> {
        let stored = read_profiles()?.remove(&self.profile_name());
        let key = if let Some(k) = &self.api_key {
            eprintln!(
                "warning: an API key on the command line is visible to other users of this machine \
                 (ps, /proc); use ANTON_API_KEY or `anton login` instead"
            );
            k.clone()
        } else if let Ok(k) = std::env::var("ANTON_API_KEY") {
            k
        } else if let Some(p) = &stored {
            p.api_key.clone()
        } else {
            bail!(
                "no API key: set ANTON_API_KEY or run `anton login` (profile {:?})",
                self.profile_name()
            );
        };
        Ok(Profile {
            base_url: self
                .base_url
                .clone()
                .or_else(|| stored.as_ref().map(|p| p.base_url.clone()))
                .unwrap_or_else(|| "https://localhost:8443".into()),
            ca_file: self
                .ca_file
                .clone()
                .or_else(|| stored.as_ref().and_then(|p| p.ca_file.clone())),
            api_key: key,
            listen_secret: stored.and_then(|p| p.listen_secret),
        })
    }

    pub fn client(&self) -> anyhow::Result<(Client, Profile)> {
        let p = self.resolve()?;
        Ok((client_for(&p)?, p))
    }
}

fn client_for(p: &Profile) -> anyhow::Result<Client> {
    let mut b = Client::builder(p.api_key.clone()).base_url(&p.base_url);
    if let Some(ca) = &p.ca_file {
        let pem = std::fs::read(ca).with_context(|| format!("reading {}", ca.display()))?;
        b = b.add_root_certificate_pem(&pem)?;
    }
    Ok(b.build()?)
}

/// `anton login`: stores a profile (key from a file, an environment variable, or the terminal).
pub async fn login(
    connect: &Connect,
    api_key_file: Option<&Path>,
    api_key_env: Option<&str>,
) -> anyhow::Result<()> {
    let key = if let Some(path) = api_key_file {
        std::fs::read_to_string(path)
            .with_context(|| format!("reading {}", path.display()))?
            .trim()
            .to_owned()
    } else if let Some(var) = api_key_env {
        std::env::var(var).with_context(|| format!("{var} is not set"))?
    } else if let Some(k) = &connect.api_key {
        eprintln!(
            "warning: an API key on the command line is visible to other users of this machine; \
             use --api-key-file, --api-key-env or the prompt"
        );
        k.clone()
    } else if std::io::stdin().is_terminal() {
        rpassword::prompt_password("API key (input hidden): ")?
    } else {
        let mut s = String::new();
        std::io::stdin().read_to_string(&mut s)?;
        s
    };
    let key = key.trim().to_owned();
    let parsed = ApiKey::parse(&key)
        .map_err(|_| anyhow::anyhow!("that is not an Anton API key (checksum or format)"))?;
    let mut profiles = read_profiles()?;
    let name = connect.profile_name();
    let previous = profiles.remove(&name);
    let profile = Profile {
        base_url: connect
            .base_url
            .clone()
            .or_else(|| previous.as_ref().map(|p| p.base_url.clone()))
            .unwrap_or_else(|| "https://localhost:8443".into()),
        ca_file: connect
            .ca_file
            .clone()
            .map(|p| std::fs::canonicalize(&p).unwrap_or(p))
            .or_else(|| previous.as_ref().and_then(|p| p.ca_file.clone())),
        api_key: key,
        listen_secret: previous.and_then(|p| p.listen_secret),
    };
    // Reach the server (TLS verified) before saving anything.
    let client = client_for(&profile)?;
    client
        .egress_ips()
        .await
        .with_context(|| format!("cannot reach {}", profile.base_url))?;
    profiles.insert(name.clone(), profile);
    let path = write_profiles(&profiles)?;
    println!(
        "profile {name:?} saved to {} (mode 0600): {} key {}",
        path.display(),
        parsed.env().as_str(),
        parsed
    );
    Ok(())
}

pub(super) fn unix_now() -> i64 {
    anton_core::time::Timestamp::from_offset_date_time(time::OffsetDateTime::now_utc())
        .unix_seconds()
}
