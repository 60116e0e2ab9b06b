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

use std::time::Duration;

use futures_util::future::BoxFuture;
use sqlx::{AnyConnection, Connection};
use tokio::sync::{mpsc, oneshot};

use crate::{Backend, Result, StoreError};

type Completion = Box<dyn FnOnce(Result<()>) + Send>;
type Job =
    Box<dyn for<'c> FnOnce(&'c mut AnyConnection) -> BoxFuture<'c, (bool, Completion)> + Send>;

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
    tx: mpsc::Sender<Job>,
}

impl Writer {
    pub(crate) async fn start(url: String, backend: Backend, config: WriterConfig) -> Result<Self> {
        // Connect once up front so a bad URL fails at start, not at the first request.
        let conn = crate::connect_one(&url, backend).await?;
        let (tx, rx) = mpsc::channel(config.queue_max);
        tokio::spawn(run(url, backend, config, conn, rx));
        Ok(Self { tx })
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
            .send(job)
            .await
            .map_err(|_| StoreError::WriterUnavailable)?;
        // A dropped job (writer lost its connection before running it) reads as unavailable.
        done_rx.await.unwrap_or(Err(StoreError::WriterUnavailable))
    }
}

async fn run(
    url: String,
    backend: Backend,
    config: WriterConfig,
    conn: AnyConnection,
    mut rx: mpsc::Receiver<Job>,
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
        if conn.is_none() {
            conn = reconnect(&url, backend).await;
        }
        let Some(c) = conn.as_mut() else {
            // Still no database: fail this batch fast (the jobs are dropped → WriterUnavailable).
            batch.clear();
            continue;
        };
        if let Err(e) = run_batch(c, backend, &mut batch).await {
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

async fn run_batch(conn: &mut AnyConnection, backend: Backend, batch: &mut Vec<Job>) -> Result<()> {
    let mut completions: Vec<Completion> = Vec::with_capacity(batch.len());
    // SQLite: take the write lock up front, so a batch never fails half-way on a lock upgrade when an
    // operator command writes at the same moment (it waits for busy_timeout instead).
    let mut tx = match backend {
        Backend::Sqlite => conn.begin_with("BEGIN IMMEDIATE").await?,
        Backend::Postgres => conn.begin().await?,
    };
    for job in batch.drain(..) {
        let mut sp = tx.begin().await?;
        let (keep, completion) = job(&mut sp).await;
        if keep {
            sp.commit().await?;
        } else {
            sp.rollback().await?;
        }
        completions.push(completion);
    }
    match tx.commit().await {
        Ok(()) => {
            for c in completions {
                c(Ok(()));
            }
            Ok(())
        }
        Err(e) => {
            for c in completions {
                c(Err(StoreError::WriterUnavailable));
            }
            Err(e.into())
        }
    }
}
