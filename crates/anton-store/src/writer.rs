//! The group-commit writer (DESIGN.md §10).
//!
//! One task per store owns one write connection. It waits for a job, then takes every job already
//! waiting (up to `batch_max`), and runs them in a single transaction, each inside its own savepoint.
//! After `COMMIT` returns (durable: `synchronous=FULL` on SQLite, `synchronous_commit=on` on
//! PostgreSQL) each caller is answered. A job that returns `Err` has its savepoint rolled back and
//! gets its error; its neighbours commit. If the commit itself fails, every job of the batch gets
//! the error and nothing of the batch is visible.
//!
//! On SQLite this also removes write-lock contention entirely: the writer is the only writer. On
//! PostgreSQL it turns N concurrent requests into one fsync.
//!
//! Beside closure jobs the writer has one *batched* lane: items given as data (`Box<dyn Any>`) to a
//! registered [`BatchRunner`], which handles all the items waiting in a batch together with a
//! constant number of set-based statements (the payout-creation hot path). The runner's part of a
//! batch runs in one savepoint: if it fails, its items get the error and the jobs still commit.
//!
//! On SQLite the batched lane runs on a **native connection** (rusqlite) owned by a dedicated
//! thread: the whole batch — `BEGIN IMMEDIATE`, the runner's statements (prepared once and cached),
//! `COMMIT` — is one hand-off to that thread instead of two thread wake-ups per statement through
//! sqlx's connection worker, which measured ~300 µs per statement on a 2-core VM. The writer task
//! still orders everything: it runs a batch's closure jobs (sqlx connection, committed first), then
//! hands the batched items to the native thread and waits for its commit before taking the next
//! batch, so the two connections never contend for SQLite's write lock.

use std::any::Any;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use futures_util::future::{BoxFuture, FutureExt};
use sqlx::{AnyConnection, Connection};
use tokio::sync::{mpsc, oneshot};

use crate::list::BatchConn;
use crate::{Backend, Result, StoreError};

type Completion = Box<dyn FnOnce(Result<()>) + Send>;
type Job =
    Box<dyn for<'c> FnOnce(&'c mut AnyConnection) -> BoxFuture<'c, (bool, Completion)> + Send>;

/// One item of batched work, and one result, type-erased for the writer.
pub type BatchItem = Box<dyn Any + Send>;

/// Handles every batched item of one write batch at once, inside the batch's transaction.
/// Returns one output per item, in order. An `Err` rolls back everything the runner wrote.
///
/// On a native SQLite connection the returned future is polled once and must be ready: every
/// statement through [`BatchConn::Sqlite`] completes synchronously, so a runner must not await
/// anything else (timers, channels, other connections).
pub trait BatchRunner: Send + Sync + 'static {
    fn run<'c, 'a: 'c>(
        &'c self,
        conn: &'c mut BatchConn<'a>,
        backend: Backend,
        items: Vec<BatchItem>,
    ) -> BoxFuture<'c, Result<Vec<BatchItem>>>;
}

type Runner = Arc<OnceLock<Arc<dyn BatchRunner>>>;

enum Work {
    Job(Job),
    Batched(BatchItem, oneshot::Sender<Result<BatchItem>>),
}

#[derive(Debug, Clone)]
pub struct WriterConfig {
    /// Most jobs in one transaction. Bounds the latency a job can add to its neighbours.
    pub batch_max: usize,
    /// Queue depth before callers wait for room (back-pressure instead of unbounded memory).
    pub queue_max: usize,
}

impl Default for WriterConfig {
    fn default() -> Self {
        Self {
            batch_max: 512,
            queue_max: 8192,
        }
    }
}

#[derive(Clone)]
pub(crate) struct Writer {
    tx: mpsc::Sender<Work>,
    runner: Runner,
}

impl Writer {
    pub(crate) async fn start(
        url: String,
        backend: Backend,
        config: WriterConfig,
        commits: Arc<tokio::sync::Notify>,
    ) -> Result<Self> {
        // Connect once up front so a bad URL fails at start, not at the first request.
        let conn = crate::connect_one(&url, backend).await?;
        let native = match backend {
            Backend::Sqlite => NativeSqlite::start(&url)?,
            Backend::Postgres => None,
        };
        let (tx, rx) = mpsc::channel(config.queue_max);
        let runner: Runner = Arc::new(OnceLock::new());
        tokio::spawn(run(
            url,
            backend,
            config,
            conn,
            native,
            rx,
            runner.clone(),
            commits,
        ));
        Ok(Self { tx, runner })
    }

    /// Registers the runner of batched items (once; later calls are ignored).
    pub(crate) fn set_runner(&self, runner: Arc<dyn BatchRunner>) {
        let _ = self.runner.set(runner);
    }

    pub(crate) async fn submit_batched(&self, item: BatchItem) -> Result<BatchItem> {
        let (done_tx, done_rx) = oneshot::channel();
        self.tx
            .send(Work::Batched(item, done_tx))
            .await
            .map_err(|_| StoreError::WriterUnavailable)?;
        done_rx.await.unwrap_or(Err(StoreError::WriterUnavailable))
    }

    pub(crate) async fn submit<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: for<'c> FnOnce(&'c mut AnyConnection) -> BoxFuture<'c, Result<T>> + Send + 'static,
    {
        let (done_tx, done_rx) = oneshot::channel::<Result<T>>();
        let job: Job = Box::new(move |conn| {
            Box::pin(async move {
                let result = f(conn).await;
                let keep = result.is_ok();
                let completion: Completion = Box::new(move |commit: Result<()>| {
                    let _ = done_tx.send(commit.and(result));
                });
                (keep, completion)
            })
        });
        self.tx
            .send(Work::Job(job))
            .await
            .map_err(|_| StoreError::WriterUnavailable)?;
        // A dropped job (writer lost its connection before running it) reads as unavailable.
        done_rx.await.unwrap_or(Err(StoreError::WriterUnavailable))
    }
}

#[expect(
    clippy::too_many_arguments,
    reason = "the writer task's whole state, moved in once"
)]
async fn run(
    url: String,
    backend: Backend,
    config: WriterConfig,
    conn: AnyConnection,
    native: Option<NativeSqlite>,
    mut rx: mpsc::Receiver<Work>,
    runner: Runner,
    commits: Arc<tokio::sync::Notify>,
) {
    let mut conn = Some(conn);
    let mut batch = Vec::with_capacity(config.batch_max);
    while let Some(first) = rx.recv().await {
        batch.push(first);
        while batch.len() < config.batch_max {
            match rx.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        let runner = runner.get();
        if let (Some(native), Some(runner)) = (&native, runner) {
            run_native(native, runner, &mut batch).await;
            commits.notify_one();
            if batch.is_empty() {
                continue;
            }
        }
        if conn.is_none() {
            conn = reconnect(&url, backend).await;
        }
        let Some(c) = conn.as_mut() else {
            // Still no database: fail this batch fast (the jobs are dropped → WriterUnavailable).
            batch.clear();
            continue;
        };
        let result = run_batch(c, backend, &mut batch, runner).await;
        commits.notify_one();
        if let Err(e) = result {
            tracing::error!(error = %e, error.cause = ?std::error::Error::source(&e), "write batch failed; reconnecting");
            batch.clear();
            conn = None;
        }
    }
}

async fn reconnect(url: &str, backend: Backend) -> Option<AnyConnection> {
    match crate::connect_one(url, backend).await {
        Ok(c) => Some(c),
        Err(e) => {
            tracing::warn!(error = %e, "database writer cannot connect");
            tokio::time::sleep(Duration::from_millis(200)).await;
            None
        }
    }
}

async fn run_batch(
    conn: &mut AnyConnection,
    backend: Backend,
    batch: &mut Vec<Work>,
    runner: Option<&Arc<dyn BatchRunner>>,
) -> Result<()> {
    let mut completions: Vec<Completion> = Vec::with_capacity(batch.len());
    let mut batched = Vec::new();
    let mut batched_replies = Vec::new();
    // SQLite: take the write lock up front, so a batch never fails half-way on a lock upgrade when an
    // operator command writes at the same moment (it waits for busy_timeout instead).
    let mut tx = match backend {
        Backend::Sqlite => conn.begin_with("BEGIN IMMEDIATE").await?,
        Backend::Postgres => conn.begin().await?,
    };
    for work in batch.drain(..) {
        let job = match work {
            Work::Job(job) => job,
            Work::Batched(item, reply) => {
                batched.push(item);
                batched_replies.push(reply);
                continue;
            }
        };
        let mut sp = tx.begin().await?;
        let (keep, completion) = job(&mut sp).await;
        if keep {
            sp.commit().await?;
        } else {
            sp.rollback().await?;
        }
        completions.push(completion);
    }
    let mut outputs = None;
    if !batched.is_empty() {
        match runner {
            None => {
                for r in batched_replies.drain(..) {
                    let _ = r.send(Err(StoreError::Corrupt(
                        "no batch runner registered".into(),
                    )));
                }
            }
            Some(runner) => {
                let mut sp = tx.begin().await?;
                match runner
                    .run(&mut BatchConn::Any(&mut sp), backend, batched)
                    .await
                {
                    Ok(out) => {
                        sp.commit().await?;
                        outputs = Some(out);
                    }
                    Err(e) => {
                        sp.rollback().await?;
                        tracing::error!(error = %e, "batched writes failed; their requests get an error");
                        for r in batched_replies.drain(..) {
                            let _ = r.send(Err(StoreError::WriterUnavailable));
                        }
                    }
                }
            }
        }
    }
    match tx.commit().await {
        Ok(()) => {
            for c in completions {
                c(Ok(()));
            }
            if let Some(out) = outputs {
                for (r, o) in batched_replies.into_iter().zip(out) {
                    let _ = r.send(Ok(o));
                }
            }
            Ok(())
        }
        Err(e) => {
            for c in completions {
                c(Err(StoreError::WriterUnavailable));
            }
            for r in batched_replies {
                let _ = r.send(Err(StoreError::WriterUnavailable));
            }
            Err(e.into())
        }
    }
}

/// The native SQLite connection of the batched lane and the thread that owns it.
struct NativeSqlite {
    tx: std::sync::mpsc::Sender<NativeJob>,
}

type NativeJob = Box<dyn FnOnce(&mut rusqlite::Connection) + Send>;

impl NativeSqlite {
    /// Opens the database file of `url` (already created by sqlx) with the writer's settings.
    /// `None` for an in-memory database, which a second connection could not share.
    fn start(url: &str) -> Result<Option<Self>> {
        use std::str::FromStr;
        let options = sqlx::sqlite::SqliteConnectOptions::from_str(url)?;
        let path = options.get_filename().to_path_buf();
        if path.as_os_str() == ":memory:" || url.contains("mode=memory") {
            return Ok(None);
        }
        let conn = rusqlite::Connection::open(&path)?;
        conn.query_row("PRAGMA journal_mode = WAL", [], |_| Ok(()))?;
        conn.execute_batch(
            "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA cache_size = -65536;",
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

/// Takes the batched items out of `batch` and runs them in one transaction on the native
/// connection; each caller is answered from that thread right after the commit. Returns when the
/// transaction has ended.
async fn run_native(native: &NativeSqlite, runner: &Arc<dyn BatchRunner>, batch: &mut Vec<Work>) {
    let mut items = Vec::new();
    let mut replies = Vec::new();
    let mut rest = Vec::with_capacity(batch.len());
    for work in batch.drain(..) {
        match work {
            Work::Batched(item, reply) => {
                items.push(item);
                replies.push(reply);
            }
            job @ Work::Job(_) => rest.push(job),
        }
    }
    *batch = rest;
    if items.is_empty() {
        return;
    }
    let runner = Arc::clone(runner);
    let (done_tx, done_rx) = oneshot::channel::<()>();
    let job: NativeJob = Box::new(move |conn| {
        match native_transaction(conn, runner.as_ref(), items) {
            Ok(outputs) => {
                for (reply, output) in replies.into_iter().zip(outputs) {
                    let _ = reply.send(Ok(output));
                }
            }
            Err(e) => {
                tracing::error!(error = %e, error.cause = ?std::error::Error::source(&e), "batched writes failed; their requests get an error");
                for reply in replies {
                    let _ = reply.send(Err(StoreError::WriterUnavailable));
                }
            }
        }
        let _ = done_tx.send(());
    });
    // If the thread is gone the job is dropped with its replies: the callers read unavailable.
    if native.tx.send(job).is_ok() {
        let _ = done_rx.await;
    }
}

fn native_transaction(
    conn: &mut rusqlite::Connection,
    runner: &dyn BatchRunner,
    items: Vec<BatchItem>,
) -> Result<Vec<BatchItem>> {
    conn.execute_batch("BEGIN IMMEDIATE")?;
    let outcome = runner
        .run(&mut BatchConn::Sqlite(conn), Backend::Sqlite, items)
        .now_or_never()
        .unwrap_or_else(|| {
            Err(StoreError::Corrupt(
                "a batch runner awaited something other than its SQLite connection".into(),
            ))
        })
        .and_then(|outputs| {
            conn.execute_batch("COMMIT")?;
            Ok(outputs)
        });
    if outcome.is_err() && !conn.is_autocommit() {
        let _ = conn.execute_batch("ROLLBACK");
    }
    outcome
}
