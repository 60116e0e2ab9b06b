//! Where a rail's files go and come from: directories on the node (or a share mounted there),
//! or directories on the bank's SFTP server ([`sftp`]). A [`Link`] is one worker's way there;
//! over SFTP it keeps its connection between looks and makes a new one when the last has ended
//! or failed.

use std::path::PathBuf;
use std::sync::Arc;

use super::outbox::{self, OutboxError, Put};
use super::sftp::{self, Connection, Listed, SftpError};

/// How a rail reaches its outbox and inbox.
#[derive(Debug, Clone)]
pub enum Transport {
    /// `outbox` and `inbox` are directories here.
    Local,
    /// `outbox` and `inbox` are directories on this server.
    Sftp(Arc<sftp::Server>),
}

/// A rail's outbox and inbox, and how to reach them.
#[derive(Debug, Clone)]
pub struct Exchange {
    pub transport: Transport,
    pub outbox: PathBuf,
    pub inbox: PathBuf,
}

/// Why listing or reading the inbox failed.
#[derive(Debug, thiserror::Error)]
pub enum InboxError {
    #[error("the inbox could not be read ({0})")]
    Local(#[from] std::io::Error),
    #[error(transparent)]
    Sftp(#[from] SftpError),
}

/// One worker's way to a rail's outbox and inbox.
pub struct Link {
    exchange: Exchange,
    connection: Option<Connection>,
    /// Why the server could not be reached in this look: the look's other steps fail at once
    /// rather than each wait for a connection of its own.
    down: Option<String>,
    /// Files whose temporary copy the server took away: not uploaded again by this worker (each
    /// look would otherwise send the bank the bytes once more).
    /// By name, with the server's address.
    taken: std::collections::HashMap<String, String>,
}

impl Link {
    pub fn new(exchange: &Exchange) -> Self {
        Link {
            exchange: exchange.clone(),
            connection: None,
            down: None,
            taken: std::collections::HashMap::new(),
        }
    }

    /// A new look: a server that was down is tried again.
    pub fn begin_look(&mut self) {
        self.down = None;
    }

    /// The SFTP connection, made if there is none or the last one ended.
    async fn connection(&mut self, server: &sftp::Server) -> Result<&Connection, SftpError> {
        if let Some(why) = &self.down {
            return Err(SftpError::Failed {
                address: server.address(),
                why: format!("not tried again in this look ({why})"),
            });
        }
        if self.connection.as_ref().is_none_or(Connection::is_closed) {
            if let Some(old) = self.connection.take() {
                old.close().await;
            }
            match server.connect().await {
                Ok(c) => self.connection = Some(c),
                Err(e) => {
                    self.down = Some(e.to_string());
                    return Err(e);
                }
            }
        }
        Ok(self.connection.as_ref().expect("just connected"))
    }

    /// Drops the connection after an error, so the next look connects afresh; the rest of this
    /// look leaves the server alone.
    async fn forget(&mut self, why: &str) {
        self.down.get_or_insert_with(|| why.to_owned());
        if let Some(old) = self.connection.take() {
            old.close().await;
        }
    }

    /// Puts a file into the outbox, idempotently by name ([`outbox::put`]).
    pub async fn put(&mut self, name: &str, bytes: Vec<u8>) -> Result<Put, OutboxError> {
        match self.exchange.transport.clone() {
            Transport::Local => {
                let dir = self.exchange.outbox.clone();
                let name = name.to_owned();
                tokio::task::spawn_blocking(move || outbox::put(&dir, &name, &bytes))
                    .await
                    .map_err(|e| OutboxError::Remote(format!("the outbox task failed: {e}")))?
            }
            Transport::Sftp(server) => {
                if let Some(address) = self.taken.get(name) {
                    return Err(OutboxError::Taken {
                        name: name.to_owned(),
                        address: address.clone(),
                    });
                }
                let dir = remote_path(&self.exchange.outbox);
                let result = match self.connection(&server).await {
                    Ok(c) => {
                        tokio::time::timeout(server.step_deadline(), c.put(&dir, name, &bytes))
                            .await
                            .unwrap_or_else(|_| {
                                Err(OutboxError::Remote(server.too_slow().to_string()))
                            })
                    }
                    Err(e) => Err(OutboxError::Remote(e.to_string())),
                };
                match &result {
                    Err(OutboxError::Remote(why)) => self.forget(why).await,
                    Err(OutboxError::Taken { name, address }) => {
                        self.taken.insert(name.clone(), address.clone());
                    }
                    _ => {}
                }
                result
            }
        }
    }

    /// The inbox's files (name, size, modification time), hidden files and directories left
    /// out, sorted by name.
    pub async fn list_inbox(&mut self) -> Result<Vec<Listed>, InboxError> {
        match self.exchange.transport.clone() {
            Transport::Local => {
                let dir = self.exchange.inbox.clone();
                tokio::task::spawn_blocking(move || list_dir(&dir))
                    .await
                    .map_err(std::io::Error::other)?
                    .map_err(InboxError::Local)
            }
            Transport::Sftp(server) => {
                let dir = remote_path(&self.exchange.inbox);
                let result = match self.connection(&server).await {
                    Ok(c) => tokio::time::timeout(server.step_deadline(), c.list(&dir))
                        .await
                        .unwrap_or_else(|_| Err(server.too_slow())),
                    Err(e) => Err(e),
                };
                if let Err(e) = &result {
                    self.forget(&e.to_string()).await;
                }
                Ok(result?)
            }
        }
    }

    /// Reads at most `max` bytes of the inbox file `name`.
    pub async fn read_inbox(&mut self, name: &str, max: u64) -> Result<Vec<u8>, InboxError> {
        match self.exchange.transport.clone() {
            Transport::Local => {
                use tokio::io::AsyncReadExt as _;
                let file = tokio::fs::File::open(self.exchange.inbox.join(name)).await?;
                let mut bytes = Vec::new();
                file.take(max).read_to_end(&mut bytes).await?;
                Ok(bytes)
            }
            Transport::Sftp(server) => {
                let path = sftp::join(&remote_path(&self.exchange.inbox), name);
                let result = match self.connection(&server).await {
                    Ok(c) => tokio::time::timeout(server.step_deadline(), c.read(&path, max))
                        .await
                        .unwrap_or_else(|_| Err(Some(server.too_slow())))
                        .map_err(|e| {
                            e.map_or_else(
                                || InboxError::Local(std::io::ErrorKind::NotFound.into()),
                                InboxError::Sftp,
                            )
                        }),
                    Err(e) => Err(e.into()),
                };
                if let Err(InboxError::Sftp(e)) = &result {
                    self.forget(&e.to_string()).await;
                }
                result
            }
        }
    }

    /// Ends the connection, if any.
    pub async fn close(mut self) {
        if let Some(old) = self.connection.take() {
            old.close().await;
        }
    }
}

/// A remote directory as the configuration spells it (TOML strings are UTF-8).
fn remote_path(path: &std::path::Path) -> String {
    path.to_string_lossy().into_owned()
}

/// A local directory's files, as [`Link::list_inbox`] gives them.
fn list_dir(dir: &std::path::Path) -> std::io::Result<Vec<Listed>> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let meta = entry.metadata()?;
        if name.starts_with('.') || !meta.is_file() {
            continue;
        }
        files.push((name, meta.len(), meta.modified().ok()));
    }
    files.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(files)
}
