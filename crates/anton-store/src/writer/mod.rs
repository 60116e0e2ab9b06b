//! The group-commit writer (docs/reference.md §10).
//!
//! One task per store owns one write connection. It waits for work, then takes everything already
//! waiting (up to `batch_max` pieces), and runs it in one transaction per connection (on SQLite:
//! the native connection's, then the sqlx connection's), each job inside its own savepoint. After
//! `COMMIT` returns (durable: `synchronous=FULL` on SQLite, `synchronous_commit=on` on
//! PostgreSQL) each caller is answered. A job that returns `Err` has its savepoint rolled back and
//! gets its error; its neighbours commit. If a commit itself fails, every caller of that
//! transaction gets `WriterUnavailable` and nothing of it is visible.
//!
//! On SQLite this also removes write-lock contention entirely: the writer is the only writer. On
//! PostgreSQL it turns N concurrent requests into one fsync.
//!
//! Three kinds of work:
//! - **closure jobs** ([`Writer::submit`], `Store::write`) on the writer's sqlx connection;
//! - **native closure jobs** ([`Writer::submit_native`], `Store::write_native`), written against
//!   [`BatchConn`]: on SQLite on the [`native`] connection's thread, on PostgreSQL on the job lane
//!   ([`lanes`]);
//! - **batched use cases** ([`batch`]): typed items decided together by their use case's
//!   [`BatchRunner`] with a constant number of statements (the payout-creation hot path), on
//!   SQLite in the native transaction (in memory: the sqlx one), on PostgreSQL on lanes of their
//!   own.
//!
//! The writer task orders everything on SQLite: it hands what it took's native jobs and batched
//! items to the native thread and waits for that commit, then runs the closure jobs on its sqlx
//! connection in a transaction of their own, before taking the next work — so the two
//! connections never contend for SQLite's write lock. On SQLite the writer task has a thread (and
//! current-thread runtime) of its own, so the hand-offs between it and the native thread never wait
//! for a busy node runtime to poll it.

pub mod batch;
mod lanes;
mod native;

use std::sync::Arc;
use std::time::Duration;

use futures_util::future::BoxFuture;
use sqlx::{AnyConnection, Connection};
use tokio::sync::{mpsc, oneshot};

use crate::list::BatchConn;
use crate::{Backend, Result, StoreError};
use batch::{take_batches, BatchRunner, Batcher};

type Completion = Box<dyn FnOnce(Result<()>) + Send>;
type Job =
    Box<dyn for<'c> FnOnce(&'c mut AnyConnection) -> BoxFuture<'c, (bool, Completion)> + Send>;
/// A closure job written against [`BatchConn`]: on SQLite it runs on the native connection's
/// thread with the batched items (see [`Writer::submit_native`]).
type NativeClosure =
    Box<dyn for<'c, 'a> FnOnce(&'c mut BatchConn<'a>) -> BoxFuture<'c, (bool, Completion)> + Send>;

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

/// What the writer task takes from its queue.
pub(crate) enum Work {
    Job(Job),
    Native(NativeClosure),
    /// One item of a batched use case (see [`batch`]).
    Batch(Box<dyn batch::Deposit>),
}

#[derive(Debug, Clone)]
pub struct WriterConfig {
    /// Most jobs in one transaction. Bounds the latency a job can add to its neighbours.
    pub batch_max: usize,
    /// Queue depth before callers wait for room (back-pressure instead of unbounded memory).
    pub queue_max: usize,
    /// PostgreSQL: connections per batched use case (payout creations) that run its batches in
    /// parallel, beside the one that runs closure jobs. Opened on first use. 0: batches run in
    /// the closure writer's transactions.
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

/// What each commit site reports to: the store's waiters (`Store::commits`) and the node's
/// metrics (`anton_writer_*`).
pub(crate) struct Signals {
    pub(crate) commits: Arc<tokio::sync::Notify>,
    pub(crate) metrics: Arc<anton_metrics::Metrics>,
}

impl Signals {
    /// A group commit on `path` ended (committed or not): `items` work items, begun at `started`.
    pub(crate) fn committed(
        &self,
        path: anton_metrics::WriterPath,
        items: usize,
        started: std::time::Instant,
        ok: bool,
    ) {
        self.metrics
            .writer_commit(path, items, started.elapsed(), ok);
        self.commits.notify_one();
    }
}

#[derive(Clone)]
pub(crate) struct Writer {
    tx: mpsc::Sender<Work>,
    /// PostgreSQL: the lanes' runtime (batch lanes, the job lane; see [`lanes`]).
    lanes: Option<Arc<lanes::Lanes>>,
    /// PostgreSQL: the queue of the native closure jobs' lane.
    jobs: Option<mpsc::Sender<NativeClosure>>,
}

impl Writer {
    pub(crate) async fn start(
        url: String,
        backend: Backend,
        config: WriterConfig,
        signals: Arc<Signals>,
    ) -> Result<Self> {
        // Connect once up front so a bad URL fails at start, not at the first request.
        let conn = crate::connect_one(&url, backend).await?;
        let native = match backend {
            Backend::Sqlite => native::NativeSqlite::start(&url)?,
            Backend::Postgres => None,
        };
        let (tx, rx) = mpsc::channel(config.queue_max);
        let (lanes, jobs) = match backend {
            Backend::Postgres => {
                let (lanes, jobs) = lanes::Lanes::start(&url, &config, Arc::clone(&signals))?;
                (Some(lanes), Some(jobs))
            }
            Backend::Sqlite => (None, None),
        };
        let writer = run(url, backend, config, conn, native, rx, signals);
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
        Ok(Self { tx, lanes, jobs })
    }

    /// The typed handle of a batched use case (see [`batch`]): on PostgreSQL with lanes of its
    /// own, otherwise through this writer's group commits.
    pub(crate) fn batcher<R: BatchRunner>(&self, runner: R) -> Batcher<R> {
        match &self.lanes {
            Some(lanes) if lanes.for_batches() => lanes.batcher(runner),
            _ => Batcher::on_writer(runner, self.tx.clone()),
        }
    }

    /// Runs `f` in a write batch, like [`Writer::submit`], through a [`BatchConn`]. On SQLite
    /// with a file database it runs on the native connection's thread, in the transaction of the
    /// batched items, inside a savepoint of its own: the whole job is one hand-off to that thread
    /// instead of two thread wake-ups per statement (and, on a busy node, a wait for the async
    /// runtime to poll the writer between statements). Like a [`BatchRunner`] on SQLite, `f`'s
    /// future must await nothing but its connection. On PostgreSQL it goes to the job lane
    /// ([`lanes`]); with in-memory SQLite it runs as a closure job on the writer's connection
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
        self.submit_keeping(f, Result::is_ok).await
    }

    /// [`Writer::submit`] for a job that may refuse (`Ok(Err(refusal))`): a refusal's writes are
    /// rolled back with its savepoint, and the refusal is its answer.
    pub(crate) async fn submit_refusable<T, E, F>(&self, f: F) -> Result<std::result::Result<T, E>>
    where
        T: Send + 'static,
        E: Send + 'static,
        F: for<'c> FnOnce(
                &'c mut AnyConnection,
            ) -> BoxFuture<'c, Result<std::result::Result<T, E>>>
            + Send
            + 'static,
    {
        self.submit_keeping(f, |r| matches!(r, Ok(Ok(_)))).await
    }

    /// Submits a closure job whose savepoint is kept when `keep` says so of its result.
    async fn submit_keeping<T, F>(&self, f: F, keep: fn(&Result<T>) -> bool) -> Result<T>
    where
        T: Send + 'static,
        F: for<'c> FnOnce(&'c mut AnyConnection) -> BoxFuture<'c, Result<T>> + Send + 'static,
    {
        let (done_tx, done_rx) = oneshot::channel::<Result<T>>();
        let job: Job = Box::new(move |conn| {
            Box::pin(async move {
                let result = f(conn).await;
                let kept = keep(&result);
                let (_, completion) = outcome(result, done_tx);
                (kept, completion)
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

/// The writer task: takes what waits, runs it in one transaction, answers, and again.
async fn run(
    url: String,
    backend: Backend,
    config: WriterConfig,
    conn: AnyConnection,
    native: Option<native::NativeSqlite>,
    mut rx: mpsc::Receiver<Work>,
    signals: Arc<Signals>,
) {
    use anton_metrics::WriterPath;
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
        if let Some(native) = &native {
            let started = std::time::Instant::now();
            if let Some((items, ok)) = native::run_native(native, &mut batch).await {
                signals.committed(WriterPath::Sqlite, items, started, ok);
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
        let (started, items) = (std::time::Instant::now(), batch.len());
        let result = run_batch(c, backend, &mut batch).await;
        signals.committed(WriterPath::Writer, items, started, result.is_ok());
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

/// One transaction on the writer's sqlx connection: each closure job in a savepoint, then each
/// batched use case's items in one (SQLite in memory, or PostgreSQL without batch lanes).
async fn run_batch(
    conn: &mut AnyConnection,
    backend: Backend,
    batch: &mut Vec<Work>,
) -> Result<()> {
    // Taken first: should anything below fail, the batches are dropped with their callers'
    // replies (`WriterUnavailable`), never left in a queue.
    let mut taken = take_batches(batch);
    let mut completions: Vec<Completion> = Vec::with_capacity(batch.len());
    // SQLite: take the write lock up front, so a batch never fails half-way on a lock upgrade when
    // an operator command writes at the same moment (it waits for busy_timeout instead).
    let mut tx = match backend {
        Backend::Sqlite => conn.begin_with("BEGIN IMMEDIATE").await?,
        Backend::Postgres => conn.begin().await?,
    };
    for work in batch.drain(..) {
        let (keep, completion, sp) = match work {
            Work::Job(job) => {
                let mut sp = tx.begin().await?;
                let (keep, completion) = job(&mut sp).await;
                (keep, completion, sp)
            }
            Work::Native(job) => {
                let mut sp = tx.begin().await?;
                let (keep, completion) = job(&mut BatchConn::Any(&mut sp)).await;
                (keep, completion, sp)
            }
            // Taken out above.
            Work::Batch(_) => continue,
        };
        if keep {
            sp.commit().await?;
        } else {
            sp.rollback().await?;
        }
        completions.push(completion);
    }
    let mode = match backend {
        Backend::Sqlite => BatchMode::Exclusive,
        Backend::Postgres => BatchMode::Locking,
    };
    for items in &mut taken {
        let mut sp = tx.begin().await?;
        if items.run(&mut BatchConn::Any(&mut sp), mode).await.is_ok() {
            sp.commit().await?;
        } else {
            sp.rollback().await?;
        }
    }
    let committed = tx.commit().await;
    answer_all(committed.is_ok(), completions, taken);
    committed.map_err(StoreError::from)
}

/// Answers everyone a transaction served, once it has ended: its outcome if it committed, else
/// `WriterUnavailable` (nothing of it happened; the request may be retried as it is).
fn answer_all(committed: bool, completions: Vec<Completion>, taken: Vec<Box<dyn batch::Taken>>) {
    let answer = || {
        if committed {
            Ok(())
        } else {
            Err(StoreError::WriterUnavailable)
        }
    };
    for c in completions {
        c(answer());
    }
    for items in taken {
        items.finish(answer());
    }
}

#[cfg(test)]
mod tests {
    use futures_util::future::BoxFuture;

    use super::BatchMode;
    use crate::list::{BatchConn, Sql};
    use crate::{BatchRunner, Store, StoreError, StoreOptions};

    /// A batched use case for the tests: inserts a merchant per item (its id) and answers the
    /// id's length; `fail` makes every batch fail after its inserts.
    struct Merchants {
        fail: bool,
    }

    impl BatchRunner for Merchants {
        type Item = &'static str;
        type Output = usize;

        fn run<'c, 'a: 'c>(
            &'c self,
            conn: &'c mut BatchConn<'a>,
            _mode: BatchMode,
            items: &'c [&'static str],
        ) -> BoxFuture<'c, crate::Result<Vec<usize>>> {
            Box::pin(async move {
                for id in items {
                    let mut sql = Sql::for_batch(
                        conn,
                        "INSERT INTO merchants (id, name, created_us) VALUES (",
                    );
                    sql.text(id).push(", 'x', 1)");
                    sql.execute_batch(conn).await?;
                }
                if self.fail {
                    return Err(StoreError::Stale);
                }
                Ok(items.iter().map(|id| id.len()).collect())
            })
        }
    }

    /// Two batched use cases and a native job in flight together: each item gets its own use
    /// case's typed output; a use case whose batch fails answers only its own items
    /// `WriterUnavailable`, and nothing it wrote remains. With `batch_max` 4, ten items of one
    /// use case take several batches and every one is answered.
    #[tokio::test]
    async fn batched_items_get_typed_outputs_and_a_failed_use_case_fails_only_its_items() {
        let dir =
            std::env::temp_dir().join(format!("anton-store-{}", anton_core::random_base62(10)));
        std::fs::create_dir_all(&dir).unwrap();
        let url = format!("sqlite://{}?mode=rwc", dir.join("t.db").display());
        let mut options = StoreOptions::default();
        options.writer.batch_max = 4;
        let store = Store::connect(&url, options).await.unwrap();
        store.migrate().await.unwrap();
        let good = store.batcher(Merchants { fail: false });
        let bad = store.batcher(Merchants { fail: true });
        const GOOD: [&str; 10] = [
            "mer_a", "mer_bb", "mer_ccc", "mer_d", "mer_ee", "mer_f", "mer_g", "mer_hh", "mer_i",
            "mer_jjjj",
        ];
        let good_results = futures_util::future::join_all(GOOD.iter().map(|id| good.submit(id)));
        let bad_results =
            futures_util::future::join_all(["mer_x", "mer_y"].iter().map(|id| bad.submit(id)));
        let job = store.write_native(|c| {
            Box::pin(async move {
                Sql::for_batch(
                    c,
                    "INSERT INTO merchants (id, name, created_us) VALUES ('mer_job', 'x', 1)",
                )
                .execute_batch(c)
                .await
            })
        });
        let (good_results, bad_results, job) = tokio::join!(good_results, bad_results, job);
        let lengths: Vec<usize> = good_results.into_iter().map(Result::unwrap).collect();
        assert_eq!(lengths, GOOD.map(str::len));
        assert!(bad_results
            .iter()
            .all(|r| matches!(r, Err(StoreError::WriterUnavailable))));
        assert_eq!(job.unwrap(), 1);
        let mut expected: Vec<String> = GOOD.iter().map(|s| s.to_string()).collect();
        expected.push("mer_job".into());
        expected.sort();
        assert_eq!(merchants(&store).await, expected);
        std::fs::remove_dir_all(dir).ok();
    }

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
