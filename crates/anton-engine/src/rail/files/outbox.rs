//! Putting a file into a rail's outbox directory, idempotently by name: a file already there
//! with the same bytes is success (a retry after a crash), with other bytes an error that needs
//! an operator (never overwritten). The bytes go to a hidden temporary name first, are synced,
//! and are renamed into place, so the bank never picks up half a file. The file is the node
//! user's alone (0600): it holds full account numbers.

use std::io::Write as _;
use std::path::Path;

/// What [`put`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Put {
    Written,
    AlreadyThere,
}

#[derive(Debug, thiserror::Error)]
pub enum OutboxError {
    #[error("the outbox already holds a different file named {0}; it was left as it is")]
    Conflict(String),
    #[error("the outbox could not be written ({0})")]
    Io(#[from] std::io::Error),
}

/// Puts `bytes` into `dir` as `name`.
pub fn put(dir: &Path, name: &str, bytes: &[u8]) -> Result<Put, OutboxError> {
    let target = dir.join(name);
    match std::fs::read(&target) {
        Ok(existing) if existing == bytes => return Ok(Put::AlreadyThere),
        Ok(_) => return Err(OutboxError::Conflict(name.to_owned())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e.into()),
    }
    let partial = dir.join(format!(".{name}.partial"));
    {
        // The file holds full account numbers: readable by the node's user only.
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut f = options.open(&partial)?;
        f.write_all(bytes)?;
        f.sync_all()?;
    }
    super::failpoint::hit("rail.mid_put");
    std::fs::rename(&partial, &target)?;
    // The rename is durable once the directory is synced.
    std::fs::File::open(dir)?.sync_all()?;
    Ok(Put::Written)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_is_put_once_and_never_replaced() {
        let dir = tempfile::tempdir().expect("dir");
        assert_eq!(put(dir.path(), "a.ach", b"one").expect("put"), Put::Written);
        assert_eq!(
            put(dir.path(), "a.ach", b"one").expect("put"),
            Put::AlreadyThere
        );
        assert!(matches!(
            put(dir.path(), "a.ach", b"two"),
            Err(OutboxError::Conflict(_))
        ));
        assert_eq!(
            std::fs::read(dir.path().join("a.ach")).expect("read"),
            b"one"
        );
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .expect("list")
            .map(|e| e.expect("entry").file_name())
            .collect();
        assert_eq!(names, ["a.ach"], "no temporary file is left behind");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join("a.ach"))
                .expect("meta")
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }
}
