//! PostgreSQL's lanes: native connections beside the closure writer, on a thread and
//! current-thread runtime of their own (`anton-pg-lanes`), so a lane woken by its database's
//! answer runs at once instead of queueing behind the request tasks on the node's runtime (a
//! batch is five round trips, each such wake-up).
//!
//! - **Batch lanes**: each [`Batcher`](super::Batcher) of a use case gets `batch_lanes` of them
//!   ([`Lanes::batcher`]). A free lane takes every item waiting (up to `batch_max`), so while one
//!   lane waits for its commit the next batch already runs in another database session (one
//!   writer connection was one PostgreSQL backend, i.e. one core). Lanes run
//!   [`BatchMode::Optimistic`] first; a batch that comes back [`StoreError::Stale`] is rolled
//!   back and run again in [`BatchMode::Locking`]. A deadlock victim (possible against other
//!   nodes' or the closure writer's locks) is run once more, locking.
//! - **The job lane** ([`job_lane`]): native closure jobs, every waiting job in one transaction,
//!   each in a savepoint. One lane, so a node's jobs never contend with each other for row locks.
//!
//! Every lane's connection is opened on first use and again after a failed batch.

use std::sync::Arc;

use anton_metrics::{Rerun, WriterPath};
use sqlx::Connection;
use tokio::sync::mpsc;

use super::batch::{answer, BatchRunner, Batcher, Pending};
use super::{BatchMode, Completion, NativeClosure, Signals, WriterConfig};
use crate::list::BatchConn;
use crate::{Result, StoreError};

/// The lanes' runtime. Its thread ends when the last holder (the writer, a batcher) is dropped.
pub(crate) struct Lanes {
    handle: tokio::runtime::Handle,
    url: String,
    config: WriterConfig,
    signals: Arc<Signals>,
    /// Held, never sent on: the runtime's thread runs until every copy is gone.
    _alive: mpsc::Sender<()>,
}

impl Lanes {
    /// Starts the runtime and the job lane; returns the job lane's queue too.
    pub(crate) fn start(
        url: &str,
        config: &WriterConfig,
        signals: Arc<Signals>,
    ) -> Result<(Arc<Self>, mpsc::Sender<NativeClosure>)> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| StoreError::Corrupt(format!("cannot start the writer lanes: {e}")))?;
        let handle = runtime.handle().clone();
        let (alive, mut until_dropped) = mpsc::channel::<()>(1);
        std::thread::Builder::new()
            .name("anton-pg-lanes".into())
            .spawn(move || {
                runtime.block_on(async move { while until_dropped.recv().await.is_some() {} });
            })
            .map_err(|e| StoreError::Corrupt(format!("cannot start the writer lanes: {e}")))?;
        let (jobs_tx, jobs_rx) = mpsc::channel(config.queue_max);
        handle.spawn(job_lane(
            url.to_owned(),
            config.batch_max,
            jobs_rx,
            Arc::clone(&signals),
        ));
        let lanes = Self {
            handle,
            url: url.to_owned(),
            config: config.clone(),
            signals,
            _alive: alive,
        };
        Ok((Arc::new(lanes), jobs_tx))
    }

    /// Whether batched use cases get lanes of their own (`batch_lanes > 0`).
    pub(crate) fn for_batches(&self) -> bool {
        self.config.batch_lanes > 0
    }

    /// A batcher for `runner` with `batch_lanes` lanes taking from its queue.
    pub(crate) fn batcher<R: BatchRunner>(self: &Arc<Self>, runner: R) -> Batcher<R> {
        let (tx, rx) = mpsc::channel(self.config.queue_max);
        let rx = Arc::new(tokio::sync::Mutex::new(rx));
        let runner = Arc::new(runner);
        for _ in 0..self.config.batch_lanes {
            self.handle.spawn(lane(
                self.url.clone(),
                self.config.batch_max,
                Arc::clone(&rx),
                Arc::clone(&runner),
                Arc::clone(&self.signals),
            ));
        }
        Batcher::on_lanes(tx, Arc::clone(self))
    }
}

/// One batch lane of a use case (see the module docs).
async fn lane<R: BatchRunner>(
    url: String,
    batch_max: usize,
    rx: Arc<tokio::sync::Mutex<mpsc::Receiver<Pending<R>>>>,
    runner: Arc<R>,
    signals: Arc<Signals>,
) {
    let mut conn: Option<sqlx::PgConnection> = None;
    let mut batch: Vec<Pending<R>> = Vec::with_capacity(batch_max);
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
        let (items, replies): (Vec<R::Item>, Vec<_>) = batch.drain(..).unzip();
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
        let started = std::time::Instant::now();
        let mut outcome = lane_transaction(c, &*runner, BatchMode::Optimistic, &items).await;
        if let Err(e) = &outcome {
            let why = match e {
                StoreError::Stale => Some(Rerun::Stale),
                e if e.is_conflict() => Some(Rerun::Conflict),
                _ => None,
            };
            if let Some(why) = why {
                signals.metrics.writer_rerun(why);
                outcome = lane_transaction(c, &*runner, BatchMode::Locking, &items).await;
            }
        }
        signals.committed(WriterPath::Lane, items.len(), started, outcome.is_ok());
        if answer(replies, outcome).is_err() {
            // As the closure writer does: start the next batch on a fresh connection.
            conn = None;
        }
    }
}

async fn lane_transaction<R: BatchRunner>(
    conn: &mut sqlx::PgConnection,
    runner: &R,
    mode: BatchMode,
    items: &[R::Item],
) -> Result<Vec<R::Output>> {
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

/// PostgreSQL's lane for native closure jobs: one connection of its own, taking every job
/// waiting and running them in one transaction, each in a savepoint, like the closure writer
/// does — but with no wait for the node's busy runtime between statements, and beside the
/// closure writer and the batch lanes instead of behind them.
async fn job_lane(
    url: String,
    batch_max: usize,
    mut rx: mpsc::Receiver<NativeClosure>,
    signals: Arc<Signals>,
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
        let (started, items) = (std::time::Instant::now(), jobs.len());
        let result = job_transaction(c, &mut jobs).await;
        if let Err(e) = &result {
            tracing::error!(error = %e, "write job batch failed; reconnecting");
            conn = None;
        }
        jobs.clear();
        signals.committed(WriterPath::JobLane, items, started, result.is_ok());
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
