//! A rail's outbox and inbox on the bank's SFTP server (`[rails.*.sftp]`, docs/live-payouts.md).
//!
//! The server is known before the first connection: its host key is pinned in the
//! configuration, the only key offered for is the pinned key's algorithm, and a server that
//! presents any other key (or a certificate) is refused — there is no "accept new keys" mode,
//! as there is no way to turn TLS verification off. Anton logs in with its own key (Ed25519 or
//! ECDSA; this build of the SSH library carries no RSA), which never leaves the node.
//!
//! A file is put as the outbox directory does it: the bytes go to a hidden temporary file of
//! this call's own (created exclusively, 0600), are flushed and synced (`fsync@openssh.com`
//! where the server has it), and are published under the file's name by a hard link
//! (`hardlink@openssh.com`) or, where the server has none, a rename — neither replaces a file
//! that exists (SFTP v3's rename refuses to), so a retry after a crash finds the same bytes
//! (success) or other bytes (a conflict for an operator), never clobbers a file. A server whose
//! rename replaces files is not fit to be the outbox.

use std::borrow::Cow;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use russh::client;
use russh::keys::{HashAlg, PrivateKey, PrivateKeyWithHashAlg, PublicKey, PublicKeyOrCertificate};
use russh_sftp::client::error::Error as SftpStatusError;
use russh_sftp::client::SftpSession;
use russh_sftp::protocol::{FileAttributes, OpenFlags, StatusCode};
use serde::{Deserialize, Serialize};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

use super::outbox::{OutboxError, Put};

/// `[rails.<currency>.sftp]`: the bank's SFTP server. With it, the rail's `outbox` and `inbox`
/// are directories on that server.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SftpConfig {
    pub host: String,
    #[serde(default = "ssh_port")]
    pub port: u16,
    pub user: String,
    /// Anton's private key for the server, an OpenSSH key file (Ed25519 or ECDSA, no
    /// passphrase) readable by the node's user only.
    pub private_key: PathBuf,
    /// The server's host key, as the bank gives it out of band: `ssh-ed25519 AAAA…` (a line of
    /// `known_hosts` without the host names; a trailing comment is ignored).
    pub host_key: String,
    /// How long connecting and each SFTP request may take, in seconds (1–300).
    #[serde(default = "timeout_secs")]
    pub timeout_secs: u64,
}

fn ssh_port() -> u16 {
    22
}

fn timeout_secs() -> u64 {
    30
}

/// A checked [`SftpConfig`]: the key loaded, the host key parsed.
#[derive(Clone)]
pub struct Server {
    host: String,
    port: u16,
    user: String,
    key: Arc<PrivateKey>,
    host_key: PublicKey,
    timeout: Duration,
}

impl std::fmt::Debug for Server {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Server")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("user", &self.user)
            .field("key", &"<redacted>")
            .field(
                "host_key",
                &self.host_key.fingerprint(HashAlg::Sha256).to_string(),
            )
            .finish()
    }
}

impl Server {
    /// `host:port`, for messages.
    pub fn address(&self) -> String {
        format!("{}:{}", self.host, self.port)
    }

    /// The longest one whole step (a put, a listing, a read) may take.
    pub fn step_deadline(&self) -> Duration {
        self.timeout * 4
    }

    /// The error of a step that ran past [`Self::step_deadline`].
    pub fn too_slow(&self) -> SftpError {
        SftpError::Timeout {
            address: self.address(),
            secs: self.step_deadline().as_secs(),
        }
    }
}

/// Checks `c`, loading the private key; an error names the key (`sftp.private_key`, …) and
/// why.
pub fn check(c: &SftpConfig) -> Result<Server, (&'static str, String)> {
    if c.host.trim().is_empty() {
        return Err(("sftp.host", "must not be empty".into()));
    }
    if c.user.is_empty() {
        return Err(("sftp.user", "must not be empty".into()));
    }
    if !(1..=300).contains(&c.timeout_secs) {
        return Err(("sftp.timeout_secs", "must be 1 to 300".into()));
    }
    let host_key = PublicKey::from_openssh(c.host_key.trim()).map_err(|_| {
        (
            "sftp.host_key",
            "is not an OpenSSH public key (`ssh-ed25519 AAAA…`)".into(),
        )
    })?;
    if !usable(&host_key) {
        return Err((
            "sftp.host_key",
            format!(
                "is {}; Anton speaks Ed25519 and ECDSA host keys (ask the bank for one)",
                host_key.algorithm()
            ),
        ));
    }
    let key = load_key(&c.private_key).map_err(|why| ("sftp.private_key", why))?;
    Ok(Server {
        host: c.host.trim().to_owned(),
        port: c.port,
        user: c.user.clone(),
        key: Arc::new(key),
        host_key,
        timeout: Duration::from_secs(c.timeout_secs),
    })
}

fn usable(key: &PublicKey) -> bool {
    matches!(
        key.algorithm(),
        russh::keys::Algorithm::Ed25519 | russh::keys::Algorithm::Ecdsa { .. }
    )
}

/// Reads the key file, refusing one that others may read (as OpenSSH does). The messages never
/// quote the file.
fn load_key(path: &std::path::Path) -> Result<PrivateKey, String> {
    let shown = path.display();
    let meta = std::fs::metadata(path).map_err(|e| format!("{shown} cannot be read ({e})"))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if meta.permissions().mode() & 0o077 != 0 {
            return Err(format!(
                "{shown} may be read by others; make it the node user's alone (chmod 600)"
            ));
        }
    }
    #[cfg(not(unix))]
    let _ = meta;
    // The key's text is wiped when it goes (the parsed key wipes itself).
    let text = zeroize::Zeroizing::new(
        std::fs::read_to_string(path).map_err(|e| format!("{shown} cannot be read ({e})"))?,
    );
    let key = russh::keys::decode_secret_key(&text, None)
        .map_err(|_| format!("{shown} is not an OpenSSH private key without a passphrase"))?;
    if !usable(key.public_key()) {
        return Err(format!(
            "{shown} is an {} key; use Ed25519 or ECDSA",
            key.algorithm()
        ));
    }
    Ok(key)
}

/// Why a step over SFTP failed; the messages name the server and never a secret.
#[derive(Debug, thiserror::Error)]
pub enum SftpError {
    #[error("the SFTP server at {address} presented host key {presented}, not the pinned one; not connected")]
    HostKey { address: String, presented: String },
    #[error("the SFTP server at {address} refused Anton's key for user {user}")]
    Refused { address: String, user: String },
    #[error("the SFTP server at {address} did not answer within {secs} s")]
    Timeout { address: String, secs: u64 },
    #[error("the SFTP server at {address}: {why}")]
    Failed { address: String, why: String },
}

/// Checks the server's key against the pinned one, noting what a refused server presented.
struct Pinned {
    key: PublicKey,
    presented: Arc<Mutex<Option<String>>>,
}

impl client::Handler for Pinned {
    type Error = russh::Error;

    async fn check_server_key(
        &mut self,
        presented: &PublicKeyOrCertificate,
    ) -> Result<bool, Self::Error> {
        // The library has checked the key exchange's signature by this key; what is left is
        // whether the key is the bank's.
        let (ok, shown) = match presented {
            PublicKeyOrCertificate::PublicKey { key, .. } => (
                key.key_data() == self.key.key_data(),
                key.fingerprint(HashAlg::Sha256).to_string(),
            ),
            PublicKeyOrCertificate::Certificate(_) => (false, "a certificate".to_owned()),
        };
        if !ok {
            *self.presented.lock().unwrap_or_else(|e| e.into_inner()) = Some(shown);
        }
        Ok(ok)
    }
}

/// A logged-in SFTP session.
pub struct Connection {
    handle: client::Handle<Pinned>,
    sftp: SftpSession,
    address: String,
}

/// A file in a remote directory: its name, size and modification time.
pub type Listed = (String, u64, Option<SystemTime>);

impl Server {
    /// Connects, checks the host key, logs in and starts SFTP.
    pub async fn connect(&self) -> Result<Connection, SftpError> {
        let address = self.address();
        let presented = Arc::new(Mutex::new(None));
        let handler = Pinned {
            key: self.host_key.clone(),
            presented: presented.clone(),
        };
        let config = Arc::new(client::Config {
            // Only the pinned key's algorithm is offered, so a server with several host keys
            // presents the pinned one.
            preferred: russh::Preferred {
                key: Cow::Owned(vec![self.host_key.algorithm()]),
                ..russh::Preferred::DEFAULT
            },
            // A server that stops answering (keep-alives included) ends the session, so nothing
            // waits on it for ever.
            inactivity_timeout: Some((self.timeout * 2).max(Duration::from_secs(60))),
            keepalive_interval: Some(Duration::from_secs(15)),
            nodelay: true,
            ..client::Config::default()
        });
        let failed = |why: String| SftpError::Failed {
            address: address.clone(),
            why,
        };
        let steps = async {
            let mut handle =
                match client::connect(config, (self.host.as_str(), self.port), handler).await {
                    Ok(handle) => handle,
                    Err(e) => {
                        let presented = presented.lock().unwrap_or_else(|e| e.into_inner()).take();
                        return Err(match presented {
                            Some(presented) => SftpError::HostKey {
                                address: address.clone(),
                                presented,
                            },
                            None => failed(format!("could not connect ({e})")),
                        });
                    }
                };
            let key = PrivateKeyWithHashAlg::new(self.key.clone(), None);
            let auth = handle
                .authenticate_publickey(self.user.clone(), key)
                .await
                .map_err(|e| failed(format!("could not log in ({e})")))?;
            if !auth.success() {
                return Err(SftpError::Refused {
                    address: address.clone(),
                    user: self.user.clone(),
                });
            }
            let channel = handle
                .channel_open_session()
                .await
                .map_err(|e| failed(format!("could not open a session ({e})")))?;
            channel
                .request_subsystem(true, "sftp")
                .await
                .map_err(|e| failed(format!("has no SFTP ({e})")))?;
            let config = russh_sftp::client::Config {
                request_timeout_secs: self.timeout.as_secs(),
                // Each read in flight must be answered within the timeout: fewer at once suit
                // slower links.
                max_concurrent_reads: 4,
                ..Default::default()
            };
            let sftp = SftpSession::new_with_config(channel.into_stream(), config)
                .await
                .map_err(|e| failed(format!("did not start SFTP ({e})")))?;
            Ok(Connection {
                handle,
                sftp,
                address: address.clone(),
            })
        };
        match tokio::time::timeout(self.timeout, steps).await {
            Ok(result) => result,
            Err(_) => Err(SftpError::Timeout {
                address: address.clone(),
                secs: self.timeout.as_secs(),
            }),
        }
    }
}

/// `dir/name`, for SFTP's POSIX paths.
pub(super) fn join(dir: &str, name: &str) -> String {
    format!("{}/{name}", dir.trim_end_matches('/'))
}

fn not_found(e: &SftpStatusError) -> bool {
    matches!(e, SftpStatusError::Status(s) if s.status_code == StatusCode::NoSuchFile)
}

impl Connection {
    /// Whether the connection has ended (the server closed it, or it broke).
    pub fn is_closed(&self) -> bool {
        self.handle.is_closed()
    }

    fn failed(&self, what: &str, e: impl std::fmt::Display) -> SftpError {
        SftpError::Failed {
            address: self.address.clone(),
            why: format!("{what} ({e})"),
        }
    }

    /// Puts `bytes` into `dir` as `name`: see the module's comment.
    pub async fn put(&self, dir: &str, name: &str, bytes: &[u8]) -> Result<Put, OutboxError> {
        let target = join(dir, name);
        let remote = |e: SftpError| OutboxError::Remote(e.to_string());
        match self.read(&target, bytes.len() as u64 + 1).await {
            Ok(existing) if existing == bytes => return Ok(Put::AlreadyThere),
            Ok(_) => return Err(OutboxError::Conflict(name.to_owned())),
            Err(None) => {}
            Err(Some(e)) => return Err(remote(e)),
        }
        let prefix = format!(".{name}.");
        let partial = join(
            dir,
            &format!("{prefix}{}.partial", anton_core::random_base62(12)),
        );
        let attributes = FileAttributes {
            permissions: Some(0o600),
            ..FileAttributes::empty()
        };
        let mut file = self
            .sftp
            .open_with_flags_and_attributes(
                partial.clone(),
                OpenFlags::CREATE | OpenFlags::EXCLUDE | OpenFlags::WRITE,
                attributes,
            )
            .await
            .map_err(|e| remote(self.failed("could not create a temporary file", e)))?;
        // Writes, then waits for every write and the fsync, then the close's answer.
        let written = async {
            file.write_all(bytes).await?;
            file.flush().await?;
            file.close().await
        }
        .await;
        if let Err(e) = written {
            let _ = self.sftp.remove_file(partial).await;
            return Err(remote(self.failed("could not write the file", e)));
        }
        super::failpoint::hit("rail.mid_put");
        // `hardlink@openssh.com` where the server has it (atomic, never replaces); else a rename
        // (SFTP v3 refuses to rename onto a file that exists; servers that do otherwise are
        // not fit to be a bank's drop box).
        let linked = match self.sftp.hardlink(partial.clone(), target.clone()).await {
            Ok(true) => Ok(()),
            Ok(false) => self.sftp.rename(partial.clone(), target.clone()).await,
            Err(e) => Err(e),
        };
        let published = match linked {
            Ok(()) => Ok(Put::Written),
            // The name is taken (another node published it first) or the publication failed:
            // what is there decides.
            Err(publish) => match self.read(&target, bytes.len() as u64 + 1).await {
                Ok(existing) if existing == bytes => Ok(Put::AlreadyThere),
                Ok(_) => Err(OutboxError::Conflict(name.to_owned())),
                Err(_) => match self.sftp.try_exists(partial.clone()).await {
                    // The server took the temporary file away before it was published.
                    Ok(false) => Err(OutboxError::Taken {
                        name: name.to_owned(),
                        address: self.address.clone(),
                    }),
                    _ => Err(remote(self.failed("could not publish the file", publish))),
                },
            },
        };
        // This call's temporary file (a link leaves it; a rename that failed too), and any a
        // crashed put of the same name left behind.
        let _ = self.sftp.remove_file(partial).await;
        if let Ok(listed) = self.sftp.read_dir(dir).await {
            for entry in listed {
                let other = entry.file_name();
                if other.starts_with(&prefix) && other.ends_with(".partial") {
                    let _ = self.sftp.remove_file(join(dir, &other)).await;
                }
            }
        }
        published
    }

    /// The regular, not hidden files of `dir`, sorted by name.
    pub async fn list(&self, dir: &str) -> Result<Vec<Listed>, SftpError> {
        let entries = self
            .sftp
            .read_dir(dir)
            .await
            .map_err(|e| self.failed("could not list the inbox", e))?;
        let mut files: Vec<Listed> = entries
            // A server may leave out the type (SFTP v3 attributes are optional): only what is
            // known not to be a file is passed over.
            .filter(|e| {
                let kind = e.file_type();
                !kind.is_dir() && !kind.is_symlink() && !e.file_name().starts_with('.')
            })
            .map(|e| {
                let meta = e.metadata();
                let modified = meta
                    .mtime
                    .map(|s| SystemTime::UNIX_EPOCH + Duration::from_secs(u64::from(s)));
                (e.file_name(), meta.size.unwrap_or(0), modified)
            })
            .collect();
        files.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(files)
    }

    /// Reads at most `max` bytes of the file at `path`. `Err(None)`: there is no such file.
    pub async fn read(&self, path: &str, max: u64) -> Result<Vec<u8>, Option<SftpError>> {
        let file = match self.sftp.open(path.to_owned()).await {
            Ok(file) => file,
            Err(e) if not_found(&e) => return Err(None),
            Err(e) => return Err(Some(self.failed("could not open a file", e))),
        };
        let mut bytes = Vec::new();
        let mut limited = file.take(max);
        limited
            .read_to_end(&mut bytes)
            .await
            .map_err(|e| Some(self.failed("could not read a file", e)))?;
        let _ = limited.into_inner().close().await;
        Ok(bytes)
    }

    /// Ends the session politely, giving up after a few seconds (a hung server is dropped).
    pub async fn close(self) {
        let polite = async {
            let _ = self.sftp.close().await;
            let _ = self
                .handle
                .disconnect(russh::Disconnect::ByApplication, "", "en")
                .await;
        };
        let _ = tokio::time::timeout(Duration::from_secs(5), polite).await;
    }
}
