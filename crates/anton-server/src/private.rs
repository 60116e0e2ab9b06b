//! Files only the operator's user may read. The data directory holds the SQLite database (names,
//! emails, metadata, balances, stored answers), the secrets and the TLS keys: it is created mode
//! 0700 and its files 0600, and a node refuses to start when the data or secrets directory, or a
//! file in it, is open to other users — better a clear message at start than data readable by
//! every local account.

use std::fs;
use std::io::ErrorKind;
use std::path::Path;

use anyhow::{bail, Context};

/// Permission bits that let anyone but the owner in.
#[cfg(unix)]
const OTHERS: u32 = 0o077;

/// Creates `dir` and any missing parents, each mode 0700; refuses a `dir` that
/// exists open to other users.
pub fn directory(dir: &Path) -> anyhow::Result<()> {
    create_directory(dir)?;
    refuse_if_open(dir, "chmod 700")
}

/// Creates `dir` and any missing parents, each mode 0700; an existing `dir` is left
/// as it is.
pub fn create_directory(dir: &Path) -> anyhow::Result<()> {
    if !dir.exists() {
        let mut builder = fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::DirBuilderExt;
            builder.mode(0o700);
        }
        builder
            .create(dir)
            .with_context(|| format!("creating {}", dir.display()))?;
    }
    Ok(())
}

/// Creates the file `path` empty, mode 0600, if it does not exist; refuses one that exists open
/// to other users. For SQLite's database file: SQLite gives its `-wal` and `-shm` files the
/// database file's permissions.
pub fn file(path: &Path) -> anyhow::Result<()> {
    let mut opts = fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    match opts.open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == ErrorKind::AlreadyExists => refuse_if_open(path, "chmod 600"),
        Err(e) => Err(e).with_context(|| format!("creating {}", path.display())),
    }
}

/// Refuses `dir` or any file directly in it that is open to other users.
pub fn check_tree(dir: &Path) -> anyhow::Result<()> {
    refuse_if_open(dir, "chmod 700")?;
    let entries = fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))?;
    for entry in entries {
        let path = entry?.path();
        if path.is_file() {
            refuse_if_open(&path, "chmod 600")?;
        }
    }
    Ok(())
}

#[cfg(unix)]
fn refuse_if_open(path: &Path, fix: &str) -> anyhow::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let mode = fs::metadata(path)
        .with_context(|| format!("reading the permissions of {}", path.display()))?
        .permissions()
        .mode();
    if mode & OTHERS != 0 {
        bail!(
            "{} is open to other users (mode {:o}): it holds Anton's data or secrets; run `{fix} {}` and start again",
            path.display(),
            mode & 0o777,
            path.display()
        );
    }
    Ok(())
}

#[cfg(not(unix))]
fn refuse_if_open(_: &Path, _: &str) -> anyhow::Result<()> {
    Ok(())
}

/// The file of a SQLite database URL (`None` for an in-memory database or another backend).
pub fn sqlite_file(url: &str) -> Option<&Path> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or(rest);
    (!path.is_empty() && path != ":memory:" && !url.contains("mode=memory"))
        .then(|| Path::new(path))
}
