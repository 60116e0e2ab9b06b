//! Putting a file into a rail's outbox directory, idempotently by name: a file already there
//! with the same bytes is success (a retry after a crash), with other bytes an error that needs
//! an operator (never overwritten). The bytes go to a hidden temporary file of this call's own
//! first, are synced, and are published by a hard link, which fails rather than replace a file
//! already there — so the bank never picks up half a file, and two nodes putting the same file
//! at once cannot expose or clobber each other's. The file is the node user's alone (0600): it
//! holds full account numbers. `anton rails test-bank` writes its answers with it too.

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
    /// The outbox on the bank's SFTP server could not be reached or written (the message
    /// names the server).
    #[error("{0}")]
    Remote(String),
    /// The bank's server took the file's temporary copy away before it was published: the
    /// bank may hold the bytes under the temporary name. Not put again by this node until an
    /// operator has looked (a restart tries once more).
    #[error(
        "the SFTP server at {address} took the temporary file of {name} before it was published \
         (it must leave names starting with a dot alone); not put again until the node restarts"
    )]
    Taken { name: String, address: String },
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
    let prefix = format!(".{name}.");
    let partial = dir.join(format!("{prefix}{}.partial", anton_core::random_base62(12)));
    {
        // The file holds full account numbers: readable by the node's user only.
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut f = options.open(&partial)?;
        f.write_all(bytes)?;
        f.sync_all()?;
    }
    super::failpoint::hit("rail.mid_put");
    let published = match std::fs::hard_link(&partial, &target) {
        Ok(()) => Ok(Put::Written),
        // Another put published first (and, once it had, swept this call's temporary file
        // away): the same file, or a conflict.
        Err(e)
            if matches!(
                e.kind(),
                std::io::ErrorKind::AlreadyExists | std::io::ErrorKind::NotFound
            ) =>
        {
            if std::fs::read(&target)? == bytes {
                Ok(Put::AlreadyThere)
            } else {
                Err(OutboxError::Conflict(name.to_owned()))
            }
        }
        Err(e) => Err(e.into()),
    };
    // This call's temporary file, and any a crashed put of the same name left behind (a put of
    // the same name still running finds its own gone, and the file published, above).
    for entry in std::fs::read_dir(dir)?.flatten() {
        let other = entry.file_name();
        let other = other.to_string_lossy();
        if other.starts_with(&prefix) && other.ends_with(".partial") {
            let _ = std::fs::remove_file(entry.path());
        }
    }
    // The link is durable once the directory is synced.
    std::fs::File::open(dir)?.sync_all()?;
    published
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

    #[test]
    fn nodes_putting_one_file_at_once_publish_it_whole_once() {
        let dir = tempfile::tempdir().expect("dir");
        // What a put killed between its temporary file and the link left behind.
        std::fs::write(dir.path().join(".a.ach.crashed.partial"), b"half").expect("write");
        let bytes = vec![b'9'; 1 << 20];
        let results: Vec<Put> = std::thread::scope(|s| {
            let puts: Vec<_> = (0..8)
                .map(|_| s.spawn(|| put(dir.path(), "a.ach", &bytes).expect("put")))
                .collect();
            puts.into_iter()
                .map(|p| p.join().expect("thread"))
                .collect()
        });
        assert_eq!(results.iter().filter(|r| **r == Put::Written).count(), 1);
        assert_eq!(
            std::fs::read(dir.path().join("a.ach")).expect("read"),
            bytes
        );
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .expect("list")
            .map(|e| e.expect("entry").file_name())
            .collect();
        assert_eq!(names, ["a.ach"], "no temporary file is left behind");
    }
}
