//! SQLite's native write connection (rusqlite, the same SQLite library sqlx links), owned by the
//! thread `anton-sqlite-writer`: a group commit's batched items and native closure jobs run there
//! as one hand-off — `BEGIN IMMEDIATE`, every statement (prepared once and cached), `COMMIT` —
//! instead of two thread wake-ups per statement through sqlx's connection worker, which measured
//! ~300 µs per statement on a 2-core VM.

use std::time::Duration;

use futures_util::future::FutureExt;
use tokio::sync::oneshot;

use super::batch::{take_batches, Taken};
use super::{BatchMode, Completion, NativeClosure, Work};
use crate::list::BatchConn;
use crate::{Result, StoreError};

/// The native connection and the thread that owns it.
pub(super) struct NativeSqlite {
    tx: std::sync::mpsc::Sender<NativeJob>,
}

type NativeJob = Box<dyn FnOnce(&mut rusqlite::Connection) + Send>;

impl NativeSqlite {
    /// Opens the database file of `url` (already created by sqlx) with the writer's settings.
    /// `None` for an in-memory database, which a second connection could not share.
    pub(super) fn start(url: &str) -> Result<Option<Self>> {
        use std::str::FromStr;
        let options = sqlx::sqlite::SqliteConnectOptions::from_str(url)?;
        let path = options.get_filename().to_path_buf();
        if path.as_os_str() == ":memory:" || url.contains("mode=memory") {
            return Ok(None);
        }
        let conn = rusqlite::Connection::open(&path)?;
        conn.query_row("PRAGMA journal_mode = WAL", [], |_| Ok(()))?;
        // temp_store: savepoint sub-journals in memory, not in a temporary file per transaction
        // (measured in docs/benchmarks.md).
        conn.execute_batch(
            "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA cache_size = -65536; \
             PRAGMA temp_store = MEMORY;",
        )?;
        conn.busy_timeout(Duration::from_secs(5))?;
        // Nine chunk sizes per statement kind (see `list::chunks_pow2`), all kept prepared.
        conn.set_prepared_statement_cache_capacity(256);
        let (tx, rx) = std::sync::mpsc::channel::<NativeJob>();
        let mut conn = conn;
        std::thread::Builder::new()
            .name("anton-sqlite-writer".into())
            .spawn(move || {
                while let Ok(job) = rx.recv() {
                    job(&mut conn);
                }
            })
            .map_err(|e| {
                StoreError::Corrupt(format!("cannot start the SQLite writer thread: {e}"))
            })?;
        Ok(Some(Self { tx }))
    }
}

/// Takes the batched work and the native closure jobs out of `batch` and runs them in one
/// transaction on the native connection; each caller is answered from that thread right after the
/// commit. Returns when the transaction has ended; `true` if there was one.
/// Runs the native part of `batch` (removed from it) as one transaction: `None` when there was
/// none, else its work items and whether it committed.
pub(super) async fn run_native(
    native: &NativeSqlite,
    batch: &mut Vec<Work>,
) -> Option<(usize, bool)> {
    let taken = take_batches(batch);
    let mut jobs = Vec::new();
    let mut rest = Vec::with_capacity(batch.len());
    for work in batch.drain(..) {
        match work {
            Work::Native(job) => jobs.push(job),
            other => rest.push(other),
        }
    }
    *batch = rest;
    if taken.is_empty() && jobs.is_empty() {
        return None;
    }
    let items = jobs.len() + taken.iter().map(|t| t.len()).sum::<usize>();
    let (done_tx, done_rx) = oneshot::channel::<bool>();
    let job: NativeJob = Box::new(move |conn| {
        let _ = done_tx.send(native_transaction(conn, jobs, taken));
    });
    // If the thread is gone the job is dropped with its callers' replies: they read unavailable.
    let committed = native.tx.send(job).is_ok() && done_rx.await.unwrap_or(false);
    Some((items, committed))
}

/// One native SQLite transaction: each closure job in a savepoint of its own (an `Err` rolls back
/// only its writes), then each use case's batched items (the runner's part likewise in one
/// savepoint), then the commit, after which everyone is answered. If the commit fails, everyone
/// gets the error. Returns whether it committed.
fn native_transaction(
    conn: &mut rusqlite::Connection,
    jobs: Vec<NativeClosure>,
    mut taken: Vec<Box<dyn Taken>>,
) -> bool {
    if let Err(e) = conn.execute_batch("BEGIN IMMEDIATE") {
        tracing::error!(error = %e, "cannot begin a write batch");
        // Dropping the jobs and the batches answers their callers `WriterUnavailable`.
        return false;
    }
    let mut completions: Vec<Completion> = Vec::with_capacity(jobs.len());
    let mut broken = false;
    for job in jobs {
        if broken || conn.execute_batch("SAVEPOINT job").is_err() {
            broken = true;
            continue; // dropped: its caller reads unavailable
        }
        match job(&mut BatchConn::Sqlite(conn)).now_or_never() {
            Some((keep, completion)) => {
                let end = if keep {
                    conn.execute_batch("RELEASE job")
                } else {
                    conn.execute_batch("ROLLBACK TO job; RELEASE job")
                };
                broken = end.is_err();
                completions.push(completion);
            }
            None => {
                tracing::error!("a native write job awaited something other than its connection");
                broken = conn.execute_batch("ROLLBACK TO job; RELEASE job").is_err();
            }
        }
    }
    for items in &mut taken {
        if broken || conn.execute_batch("SAVEPOINT batched").is_err() {
            broken = true;
            break;
        }
        let ran = match items
            .run(&mut BatchConn::Sqlite(conn), BatchMode::Exclusive)
            .now_or_never()
        {
            Some(ran) => ran,
            None => {
                tracing::error!(
                    "a batch runner awaited something other than its SQLite connection"
                );
                Err(StoreError::WriterUnavailable)
            }
        };
        let end = if ran.is_ok() {
            conn.execute_batch("RELEASE batched")
        } else {
            conn.execute_batch("ROLLBACK TO batched; RELEASE batched")
        };
        broken = end.is_err();
    }
    let committed = if broken {
        Err(StoreError::WriterUnavailable)
    } else {
        conn.execute_batch("COMMIT").map_err(StoreError::from)
    };
    if committed.is_err() && !conn.is_autocommit() {
        let _ = conn.execute_batch("ROLLBACK");
    }
    if let Err(e) = &committed {
        tracing::error!(error = %e, "a native write batch did not commit");
    }
    let ok = committed.is_ok();
    super::answer_all(ok, completions, taken);
    ok
}
