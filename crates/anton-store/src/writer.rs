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
//! batch, so the two connections never contend for SQLite's write lock. On SQLite the writer
//! task has a thread (and current-thread runtime) of its own, so the hand-offs between it and the
//! native thread never wait for a busy node runtime to poll it.

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
/// A closure job written against [`BatchConn`]: on SQLite it runs on the native connection's
/// thread with the batched items (see [`Writer::submit_native`]).
type NativeClosure =
    Box<dyn for<'c, 'a> FnOnce(&'c mut BatchConn<'a>) -> BoxFuture<'c, (bool, Completion)> + Send>;

/// One item of batched work, and one result, type-erased for the writer.
pub type BatchItem = Box<dyn Any + Send + Sync>;

/// How a batch may read the rows it decides on, given what else writes at the same time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BatchMode {
    /// SQLite: the batch's transaction holds the database's only write lock.
    Exclusive,
    /// PostgreSQL, conservative: lock the rows a decision depends on (`SELECT … FOR UPDATE`)
    /// when reading them.
    Locking,
    /// PostgreSQL, several lanes at once: read without locks, write everything else first and
    /// the contended rows (balances) last, so concurrent batches hold those locks only for their
    /// last statement and the commit. If the rows no longer allow what was decided, fail with
    /// [`StoreError::Stale`]: the writer rolls back and runs the batch again in `Locking` mode.
    Optimistic,
}

/// Handles every batched item of one write batch at once, inside the batch's transaction.
/// Returns one output per item, in order. An `Err` rolls back everything the runner wrote. The
/// runner may be called twice with the same items (an optimistic attempt that came back
/// [`StoreError::Stale`], then a locking one), so it must not consume them.
///
/// On a native SQLite connection the returned future is polled once and must be ready: every
/// statement through [`BatchConn::Sqlite`] completes synchronously, so a runner must not await
/// anything else (timers, channels, other connections).
pub trait BatchRunner: Send + Sync + 'static {
    fn run<'c, 'a: 'c>(
        &'c self,
        conn: &'c mut BatchConn<'a>,
        mode: BatchMode,
        items: &'c [BatchItem],
    ) -> BoxFuture<'c, Result<Vec<BatchItem>>>;
}

type Runner = Arc<OnceLock<Arc<dyn BatchRunner>>>;

type Batched = (BatchItem, oneshot::Sender<Result<BatchItem>>);

enum Work {
    Job(Job),
    Native(NativeClosure),
    Batched(Batched),
}

#[derive(Debug, Clone)]
pub struct WriterConfig {
    /// Most jobs in one transaction. Bounds the latency a job can add to its neighbours.
    pub batch_max: usize,
    /// Queue depth before callers wait for room (back-pressure instead of unbounded memory).
    pub queue_max: usize,
    /// PostgreSQL: connections that run batched items (payout creations) in parallel, beside
    /// the one that runs closure jobs. Opened on first use.
    pub batch_lanes: usize,
}

impl Default for WriterConfig {
    fn default() -> Self {
        Self {
            batch_max: 512,
            queue_max: 8192,
            batch_lanes: 2,
        }
    }
}

#[derive(Clone)]
pub(crate) struct Writer {
    tx: mpsc::Sender<Work>,
    /// PostgreSQL: the queue of the batched lanes (see [`lane`]).
    lanes: Option<mpsc::Sender<Batched>>,
    /// PostgreSQL: the queue of the native closure jobs' lane (see [`job_lane`]).
    jobs: Option<mpsc::Sender<NativeClosure>>,
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
        let (lanes, jobs) = match backend {
            Backend::Postgres => {
                let (lanes_tx, lanes_rx) = mpsc::channel(config.queue_max);
                let lanes_rx = Arc::new(tokio::sync::Mutex::new(lanes_rx));
                let mut lanes: Vec<BoxFuture<'static, ()>> = (0..config.batch_lanes)
                    .map(|_| {
                        lane(
                            url.clone(),
                            config.batch_max,
                            Arc::clone(&lanes_rx),
                            runner.clone(),
                            Arc::clone(&commits),
                        )
                        .boxed()
                    })
                    .collect();
                let (jobs_tx, jobs_rx) = mpsc::channel(config.queue_max);
                lanes.push(
                    job_lane(url.clone(), config.batch_max, jobs_rx, Arc::clone(&commits)).boxed(),
                );
                // The lanes run on their own thread and runtime: a lane woken by its database's
                // answer runs at once instead of queueing behind the request tasks on the
                // node's runtime (a batch is five round trips, each such wake-up).
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .map_err(|e| {
                        StoreError::Corrupt(format!("cannot start the writer lanes: {e}"))
                    })?;
                std::thread::Builder::new()
                    .name("anton-pg-lanes".into())
                    .spawn(move || {
                        runtime.block_on(futures_util::future::join_all(lanes));
                    })
                    .map_err(|e| {
                        StoreError::Corrupt(format!("cannot start the writer lanes: {e}"))
                    })?;
                ((config.batch_lanes > 0).then_some(lanes_tx), Some(jobs_tx))
            }
            Backend::Sqlite => (None, None),
        };
        let writer = run(
            url,
            backend,
            config,
            conn,
            native,
            rx,
            runner.clone(),
            commits,
        );
        if backend == Backend::Sqlite {
            // On SQLite the writer task runs on a thread of its own: between two batches it is
            // woken by the native thread's commit and by the next job, and on the node's runtime
            // each of those wake-ups queued behind thousands of request and attempt tasks (traced:
            // the native writer thread idle ~14 ms between batches, a quarter of a busy run).
            // Its connection (sqlx's SQLite worker thread) is not tied to a runtime.
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| StoreError::Corrupt(format!("cannot start the writer: {e}")))?;
            std::thread::Builder::new()
                .name("anton-writer".into())
                .spawn(move || runtime.block_on(writer))
                .map_err(|e| StoreError::Corrupt(format!("cannot start the writer: {e}")))?;
        } else {
            tokio::spawn(writer);
        }
        Ok(Self {
            tx,
            lanes,
            jobs,
            runner,
        })
    }

    /// Registers the runner of batched items (once; later calls are ignored).
    pub(crate) fn set_runner(&self, runner: Arc<dyn BatchRunner>) {
        let _ = self.runner.set(runner);
    }

    pub(crate) async fn submit_batched(&self, item: BatchItem) -> Result<BatchItem> {
        let (done_tx, done_rx) = oneshot::channel();
        let sent = match &self.lanes {
            Some(lanes) => lanes.send((item, done_tx)).await.is_ok(),
            None => self.tx.send(Work::Batched((item, done_tx))).await.is_ok(),
        };
        if !sent {
            return Err(StoreError::WriterUnavailable);
        }
        done_rx.await.unwrap_or(Err(StoreError::WriterUnavailable))
    }

    /// Runs `f` in a write batch, like [`Writer::submit`], through a [`BatchConn`]. On SQLite
    /// with a file database it runs on the native connection's thread, in the transaction of the
    /// batched items, inside a savepoint of its own: the whole job is one hand-off to that thread
    /// instead of two thread wake-ups per statement (and, on a busy node, a wait for the async
    /// runtime to poll the writer between statements). Like a [`BatchRunner`] on SQLite, `f`'s
    /// future must await nothing but its connection. On PostgreSQL it goes to the job lane
    /// ([`job_lane`]); with in-memory SQLite it runs as a closure job on the writer's connection
    /// (`BatchConn::Any`).
    pub(crate) async fn submit_native<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: for<'c, 'a> FnOnce(&'c mut BatchConn<'a>) -> BoxFuture<'c, Result<T>> + Send + 'static,
    {
        let (done_tx, done_rx) = oneshot::channel::<Result<T>>();
        let job: NativeClosure =
            Box::new(move |conn| Box::pin(async move { outcome(f(conn).await, done_tx) }));
        let sent = match &self.jobs {
            Some(jobs) => jobs.send(job).await.is_ok(),
            None => self.tx.send(Work::Native(job)).await.is_ok(),
        };
        if !sent {
            return Err(StoreError::WriterUnavailable);
        }
        done_rx.await.unwrap_or(Err(StoreError::WriterUnavailable))
    }

    pub(crate) async fn submit<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: for<'c> FnOnce(&'c mut AnyConnection) -> BoxFuture<'c, Result<T>> + Send + 'static,
    {
        let (done_tx, done_rx) = oneshot::channel::<Result<T>>();
        let job: Job =
            Box::new(move |conn| Box::pin(async move { outcome(f(conn).await, done_tx) }));
        self.tx
            .send(Work::Job(job))
            .await
            .map_err(|_| StoreError::WriterUnavailable)?;
        // A dropped job (writer lost its connection before running it) reads as unavailable.
        done_rx.await.unwrap_or(Err(StoreError::WriterUnavailable))
    }
}

/// A closure job's result as the writer needs it: whether to keep its savepoint, and what to tell
/// its caller once the commit has (or has not) happened.
fn outcome<T: Send + 'static>(
    result: Result<T>,
    done_tx: oneshot::Sender<Result<T>>,
) -> (bool, Completion) {
    let keep = result.is_ok();
    let completion: Completion = Box::new(move |commit: Result<()>| {
        let _ = done_tx.send(commit.and(result));
    });
    (keep, completion)
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
        if let Some(native) = &native {
            if run_native(native, runner, &mut batch).await {
                commits.notify_one();
            }
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
        let mut sp = tx.begin().await?;
        let (keep, completion) = match work {
            Work::Job(job) => job(&mut sp).await,
            Work::Native(job) => job(&mut BatchConn::Any(&mut sp)).await,
            Work::Batched((item, reply)) => {
                sp.rollback().await?;
                batched.push(item);
                batched_replies.push(reply);
                continue;
            }
        };
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
                let mode = match backend {
                    Backend::Sqlite => BatchMode::Exclusive,
                    Backend::Postgres => BatchMode::Locking,
                };
                match runner
                    .run(&mut BatchConn::Any(&mut sp), mode, &batched)
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
        // temp_store: savepoint sub-journals in memory, not in a temporary file per transaction
        // (12,320–12,468 → 13,027–13,268 deliveries/s, SQLite, 100 endpoints).
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

/// Takes the batched items and the native closure jobs out of `batch` and runs them in one
/// transaction on the native connection; each caller is answered from that thread right after the
/// commit. Returns when the transaction has ended; `true` if there was one.
async fn run_native(
    native: &NativeSqlite,
    runner: Option<&Arc<dyn BatchRunner>>,
    batch: &mut Vec<Work>,
) -> bool {
    let mut items = Vec::new();
    let mut replies = Vec::new();
    let mut jobs = Vec::new();
    let mut rest = Vec::with_capacity(batch.len());
    for work in batch.drain(..) {
        match work {
            Work::Batched((item, reply)) => {
                items.push(item);
                replies.push(reply);
            }
            Work::Native(job) => jobs.push(job),
            job @ Work::Job(_) => rest.push(job),
        }
    }
    *batch = rest;
    if items.is_empty() && jobs.is_empty() {
        return false;
    }
    let runner = runner.cloned();
    let (done_tx, done_rx) = oneshot::channel::<()>();
    let job: NativeJob = Box::new(move |conn| {
        native_transaction(conn, runner.as_deref(), jobs, items, replies);
        let _ = done_tx.send(());
    });
    // If the thread is gone the job is dropped with its replies: the callers read unavailable.
    if native.tx.send(job).is_ok() {
        let _ = done_rx.await;
    }
    true
}

/// Sends each batched item's caller its output, or — when the batch failed — logs the error and
/// answers every caller `WriterUnavailable` (a 503: the request may be retried as it is).
fn answer(
    replies: Vec<oneshot::Sender<Result<BatchItem>>>,
    outcome: Result<Vec<BatchItem>>,
) -> std::result::Result<(), ()> {
    match outcome {
        Ok(outputs) => {
            for (reply, output) in replies.into_iter().zip(outputs) {
                let _ = reply.send(Ok(output));
            }
            Ok(())
        }
        Err(e) => {
            tracing::error!(error = %e, error.cause = ?std::error::Error::source(&e), "batched writes failed; their requests get an error");
            for reply in replies {
                let _ = reply.send(Err(StoreError::WriterUnavailable));
            }
            Err(())
        }
    }
}

/// One native SQLite transaction: each closure job in a savepoint of its own (an `Err` rolls back
/// only its writes), then the batched items (the runner's part likewise in one savepoint), then
/// the commit, after which everyone is answered. If the commit fails, everyone gets the error.
fn native_transaction(
    conn: &mut rusqlite::Connection,
    runner: Option<&dyn BatchRunner>,
    jobs: Vec<NativeClosure>,
    items: Vec<BatchItem>,
    replies: Vec<oneshot::Sender<Result<BatchItem>>>,
) {
    if let Err(e) = conn.execute_batch("BEGIN IMMEDIATE") {
        tracing::error!(error = %e, "cannot begin a write batch");
        // Dropping the jobs and replies answers their callers `WriterUnavailable`.
        return;
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
    let mut outputs: Option<Result<Vec<BatchItem>>> = None;
    if !items.is_empty() && !broken {
        let run = match runner {
            None => Err(StoreError::Corrupt("no batch runner registered".into())),
            Some(runner) => conn
                .execute_batch("SAVEPOINT batched")
                .map_err(StoreError::from)
                .and_then(|()| {
                    runner
                        .run(&mut BatchConn::Sqlite(conn), BatchMode::Exclusive, &items)
                        .now_or_never()
                        .unwrap_or_else(|| {
                            Err(StoreError::Corrupt(
                                "a batch runner awaited something other than its SQLite connection"
                                    .into(),
                            ))
                        })
                }),
        };
        let end = if run.is_ok() {
            conn.execute_batch("RELEASE batched")
        } else {
            conn.execute_batch("ROLLBACK TO batched; RELEASE batched")
        };
        broken = end.is_err();
        outputs = Some(run);
    }
    let committed = if broken {
        Err(StoreError::WriterUnavailable)
    } else {
        conn.execute_batch("COMMIT").map_err(StoreError::from)
    };
    if committed.is_err() && !conn.is_autocommit() {
        let _ = conn.execute_batch("ROLLBACK");
    }
    match committed {
        Ok(()) => {
            for c in completions {
                c(Ok(()));
            }
            if let Some(outcome) = outputs {
                let _ = answer(replies, outcome);
            }
        }
        Err(e) => {
            tracing::error!(error = %e, "a native write batch did not commit");
            for c in completions {
                c(Err(StoreError::WriterUnavailable));
            }
            for r in replies {
                let _ = r.send(Err(StoreError::WriterUnavailable));
            }
        }
    }
}

/// One PostgreSQL batched lane: its own connection, taking every item waiting in the shared queue
/// (up to `batch_max`) whenever it is free, so while one lane waits for its commit the next batch
/// already runs in another database session. Lanes run [`BatchMode::Optimistic`] first; a
/// batch that comes back [`StoreError::Stale`] is rolled back and run again in
/// [`BatchMode::Locking`]. A deadlock victim (possible against other nodes' or the closure
/// writer's locks) is run once more, locking.
async fn lane(
    url: String,
    batch_max: usize,
    rx: Arc<tokio::sync::Mutex<mpsc::Receiver<Batched>>>,
    runner: Runner,
    commits: Arc<tokio::sync::Notify>,
) {
    let mut conn: Option<sqlx::PgConnection> = None;
    let mut batch: Vec<Batched> = Vec::with_capacity(batch_max);
    loop {
        {
            let mut rx = rx.lock().await;
            let Some(first) = rx.recv().await else {
                return;
            };
            batch.push(first);
            while batch.len() < batch_max {
                match rx.try_recv() {
                    Ok(item) => batch.push(item),
                    Err(_) => break,
                }
            }
        }
        let (items, replies): (Vec<BatchItem>, Vec<_>) = batch.drain(..).unzip();
        let Some(runner) = runner.get() else {
            for r in replies {
                let _ = r.send(Err(StoreError::Corrupt(
                    "no batch runner registered".into(),
                )));
            }
            continue;
        };
        if conn.is_none() {
            conn = match connect_lane(&url).await {
                Ok(c) => Some(c),
                Err(e) => {
                    tracing::warn!(error = %e, "database writer lane cannot connect");
                    None
                }
            };
        }
        // No database: the replies are dropped, which the callers read as unavailable.
        let Some(c) = conn.as_mut() else { continue };
        let mut outcome = lane_transaction(c, runner.as_ref(), BatchMode::Optimistic, &items).await;
        if matches!(&outcome, Err(e) if matches!(e, StoreError::Stale) || e.is_conflict()) {
            outcome = lane_transaction(c, runner.as_ref(), BatchMode::Locking, &items).await;
        }
        commits.notify_one();
        if answer(replies, outcome).is_err() {
            // As the closure writer does: start the next batch on a fresh connection.
            conn = None;
        }
    }
}

/// PostgreSQL's lane for native closure jobs: one connection of its own (opened on first use), on
/// the lanes' thread, taking every job waiting and running them in one transaction, each in a
/// savepoint, like the closure writer does — but with no wait for the node's busy runtime between
/// statements, and beside the closure writer and the payout lanes instead of behind them. One
/// lane, so this node's jobs never contend with each other for row locks.
async fn job_lane(
    url: String,
    batch_max: usize,
    mut rx: mpsc::Receiver<NativeClosure>,
    commits: Arc<tokio::sync::Notify>,
) {
    let mut conn: Option<sqlx::PgConnection> = None;
    let mut jobs: Vec<NativeClosure> = Vec::with_capacity(batch_max);
    while let Some(first) = rx.recv().await {
        jobs.push(first);
        while jobs.len() < batch_max {
            match rx.try_recv() {
                Ok(job) => jobs.push(job),
                Err(_) => break,
            }
        }
        if conn.is_none() {
            conn = match connect_lane(&url).await {
                Ok(c) => Some(c),
                Err(e) => {
                    tracing::warn!(error = %e, "database writer job lane cannot connect");
                    None
                }
            };
        }
        // No database: the jobs are dropped, which their callers read as unavailable.
        let Some(c) = conn.as_mut() else {
            jobs.clear();
            continue;
        };
        if let Err(e) = job_transaction(c, &mut jobs).await {
            tracing::error!(error = %e, "write job batch failed; reconnecting");
            conn = None;
        }
        jobs.clear();
        commits.notify_one();
    }
}

async fn job_transaction(
    conn: &mut sqlx::PgConnection,
    jobs: &mut Vec<NativeClosure>,
) -> Result<()> {
    let mut completions: Vec<Completion> = Vec::with_capacity(jobs.len());
    let outcome: Result<()> = async {
        let mut tx = conn.begin().await?;
        for job in jobs.drain(..) {
            let mut sp = tx.begin().await?;
            let (keep, completion) = job(&mut BatchConn::Pg(&mut sp)).await;
            completions.push(completion);
            if keep {
                sp.commit().await?;
            } else {
                sp.rollback().await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }
    .await;
    let answer = || match &outcome {
        Ok(()) => Ok(()),
        Err(_) => Err(StoreError::WriterUnavailable),
    };
    for c in completions {
        c(answer());
    }
    outcome
}

/// A lane's native connection. Durable commits, like every connection; unlike the others it
/// keeps PostgreSQL's default plan caching: its statements have one text for any batch size
/// (row sets bound as arrays), so after a few executions each runs a cached generic plan —
/// planned again whenever `ANALYZE` changes a table's statistics (see
/// [`crate::Store::refresh_statistics`]). Planning each execution measured ~12% of the
/// database's CPU.
async fn connect_lane(url: &str) -> Result<sqlx::PgConnection> {
    use sqlx::ConnectOptions;
    use std::str::FromStr;
    let mut conn = sqlx::postgres::PgConnectOptions::from_str(url)?
        .disable_statement_logging()
        .connect()
        .await?;
    sqlx::Executor::execute(&mut conn, "SET synchronous_commit = on").await?;
    Ok(conn)
}

async fn lane_transaction(
    conn: &mut sqlx::PgConnection,
    runner: &dyn BatchRunner,
    mode: BatchMode,
    items: &[BatchItem],
) -> Result<Vec<BatchItem>> {
    let mut tx = conn.begin().await?;
    match runner.run(&mut BatchConn::Pg(&mut tx), mode, items).await {
        Ok(outputs) => {
            tx.commit().await?;
            Ok(outputs)
        }
        Err(e) => {
            // A failed rollback means the connection is gone; the caller sees `e` and the next
            // statement on this connection reports the loss.
            let _ = tx.rollback().await;
            Err(e)
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::list::Sql;
    use crate::{Store, StoreError};

    async fn merchants(store: &Store) -> Vec<String> {
        sqlx::query_scalar("SELECT id FROM merchants ORDER BY id")
            .fetch_all(store.read())
            .await
            .unwrap()
    }

    /// Native jobs share a transaction but not their failures: a job that fails (or awaits
    /// something other than its connection) loses exactly its own writes.
    #[tokio::test]
    async fn a_failed_native_job_rolls_back_only_its_own_writes() {
        let (store, dir) = crate::test_store().await;
        let insert = |id: &'static str, fail: bool| {
            let store = store.clone();
            async move {
                store
                    .write_native(move |c| {
                        Box::pin(async move {
                            let mut sql = Sql::for_batch(
                                c,
                                "INSERT INTO merchants (id, name, created_us) VALUES (",
                            );
                            sql.text(id).push(", 'x', 1)");
                            sql.execute_batch(c).await?;
                            if fail {
                                return Err(StoreError::Stale);
                            }
                            Ok(id)
                        })
                    })
                    .await
            }
        };
        let stray = store.write_native(|c| {
            Box::pin(async move {
                Sql::for_batch(
                    c,
                    "INSERT INTO merchants (id, name, created_us) VALUES ('mer_stray', 'x', 1)",
                )
                .execute_batch(c)
                .await?;
                tokio::task::yield_now().await;
                Ok(())
            })
        });
        let (a, b, c, s) = tokio::join!(
            insert("mer_a", false),
            insert("mer_b", true),
            insert("mer_c", false),
            stray
        );
        assert_eq!(a.unwrap(), "mer_a");
        assert!(matches!(b, Err(StoreError::Stale)), "{b:?}");
        assert_eq!(c.unwrap(), "mer_c");
        assert!(matches!(s, Err(StoreError::WriterUnavailable)), "{s:?}");
        assert_eq!(merchants(&store).await, ["mer_a", "mer_c"]);
        std::fs::remove_dir_all(dir).ok();
    }
}
