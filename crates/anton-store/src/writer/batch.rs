//! Batched use cases: work handed to the writer **as typed data**, decided together.
//!
//! A use case that is hot enough to be set-based (payout creation) implements [`BatchRunner`]:
//! its items and outputs are its own types, and its `run` handles every item waiting in a group
//! commit with a constant number of statements. [`crate::Store::batcher`] turns a runner into a
//! [`Batcher`], a typed handle whose [`Batcher::submit`] hands one item to the writer and returns
//! that item's output once the commit is durable. Nothing is type-erased on the way: the writer
//! sees a batch only through [`Taken`], whose implementation knows its runner's types.
//!
//! Where the items run:
//! - PostgreSQL: on the batcher's own lanes (see [`super::lanes`]), each lane a database session.
//! - SQLite (and PostgreSQL without lanes): in the writer's group commit. Each item travels to the
//!   writer in a [`super::Work::Batch`] message of its own, as a [`Deposit`] that knows its use
//!   case's types; the writer puts every deposit of a commit into its use case's queue and takes
//!   each queue whole ([`Source::take`]) to run beside the closure jobs. An item and its message
//!   are one: a message dropped unrun (the writer lost its connection) drops the item with its
//!   caller's reply, which the caller reads as `WriterUnavailable`, and an item is never left
//!   waiting for a message that did not come.

use std::sync::Arc;

use futures_util::future::BoxFuture;
use tokio::sync::{mpsc, oneshot};

use super::{BatchMode, Work};
use crate::list::BatchConn;
use crate::{Result, StoreError};

/// Handles every waiting item of one use case at once, inside the batch's transaction. Returns
/// one output per item, in order. An `Err` rolls back everything the runner wrote. The runner may
/// be called twice with the same items (an optimistic attempt that came back
/// [`StoreError::Stale`], then a locking one), so it must not consume them.
///
/// On a native SQLite connection the returned future is polled once and must be ready: every
/// statement through [`BatchConn::Sqlite`] completes synchronously, so a runner must not await
/// anything else (timers, channels, other connections).
pub trait BatchRunner: Send + Sync + 'static {
    /// What a caller hands in.
    type Item: Send + Sync + 'static;
    /// What that caller gets back once the batch has committed.
    type Output: Send + 'static;

    fn run<'c, 'a: 'c>(
        &'c self,
        conn: &'c mut BatchConn<'a>,
        mode: BatchMode,
        items: &'c [Self::Item],
    ) -> BoxFuture<'c, Result<Vec<Self::Output>>>;
}

/// An item and where its output goes.
pub(crate) type Pending<R> = (
    <R as BatchRunner>::Item,
    oneshot::Sender<Result<<R as BatchRunner>::Output>>,
);

/// The typed handle of one batched use case (see the module docs). Cheap to clone.
pub struct Batcher<R: BatchRunner> {
    route: Route<R>,
}

enum Route<R: BatchRunner> {
    /// PostgreSQL: the queue the batcher's lanes take from. The lanes' runtime lives while a
    /// batcher or the store holds it.
    Lanes(mpsc::Sender<Pending<R>>, Arc<super::lanes::Lanes>),
    /// The writer's group commit.
    Writer(Arc<Queue<R>>, mpsc::Sender<Work>),
}

impl<R: BatchRunner> Clone for Batcher<R> {
    fn clone(&self) -> Self {
        let route = match &self.route {
            Route::Lanes(tx, lanes) => Route::Lanes(tx.clone(), Arc::clone(lanes)),
            Route::Writer(queue, writer) => Route::Writer(Arc::clone(queue), writer.clone()),
        };
        Self { route }
    }
}

impl<R: BatchRunner> Batcher<R> {
    pub(crate) fn on_lanes(tx: mpsc::Sender<Pending<R>>, lanes: Arc<super::lanes::Lanes>) -> Self {
        Self {
            route: Route::Lanes(tx, lanes),
        }
    }

    pub(crate) fn on_writer(runner: R, writer: mpsc::Sender<Work>) -> Self {
        let queue = Queue {
            runner: Arc::new(runner),
            pending: std::sync::Mutex::new(Vec::new()),
        };
        Self {
            route: Route::Writer(Arc::new(queue), writer),
        }
    }

    /// Hands `item` to the next batch of this use case; its output comes back once the batch's
    /// commit is durable. `WriterUnavailable` when the batch could not be written (the request
    /// may be retried as it is).
    pub async fn submit(&self, item: R::Item) -> Result<R::Output> {
        let (done_tx, done_rx) = oneshot::channel();
        let sent = match &self.route {
            Route::Lanes(tx, _) => tx.send((item, done_tx)).await.is_ok(),
            Route::Writer(queue, writer) => {
                let deposit = Box::new(ItemFor {
                    queue: Arc::clone(queue),
                    item: (item, done_tx),
                });
                writer.send(Work::Batch(deposit)).await.is_ok()
            }
        };
        if !sent {
            return Err(StoreError::WriterUnavailable);
        }
        done_rx.await.unwrap_or(Err(StoreError::WriterUnavailable))
    }
}

/// A batcher's queue on the writer's path: the items deposited in the current group commit.
/// Only the writer task touches it.
pub(crate) struct Queue<R: BatchRunner> {
    runner: Arc<R>,
    pending: std::sync::Mutex<Vec<Pending<R>>>,
}

/// One item on its way to the writer, with the queue of its use case.
pub(crate) trait Deposit: Send {
    /// Its use case's queue.
    fn source(&self) -> Arc<dyn Source>;
    /// Puts the item into that queue.
    fn deposit(self: Box<Self>);
}

struct ItemFor<R: BatchRunner> {
    queue: Arc<Queue<R>>,
    item: Pending<R>,
}

impl<R: BatchRunner> Deposit for ItemFor<R> {
    fn source(&self) -> Arc<dyn Source> {
        self.queue.clone()
    }

    fn deposit(self: Box<Self>) {
        self.queue
            .pending
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(self.item);
    }
}

/// A use case's queue as the writer sees it.
pub(crate) trait Source: Send + Sync {
    /// Takes every deposited item as one batch (`None` when there is none).
    fn take(&self) -> Option<Box<dyn Taken>>;
}

impl<R: BatchRunner> Source for Queue<R> {
    fn take(&self) -> Option<Box<dyn Taken>> {
        let pending = std::mem::take(&mut *self.pending.lock().unwrap_or_else(|p| p.into_inner()));
        if pending.is_empty() {
            return None;
        }
        let (items, replies) = pending.into_iter().unzip();
        Some(Box::new(TakenItems::<R> {
            runner: Arc::clone(&self.runner),
            items,
            replies,
            outputs: None,
        }))
    }
}

/// Deposits every item of `batch`'s batched work and takes each use case's queue whole: the
/// batches to run in this transaction, one per use case. Afterwards `batch` holds only closure
/// work. Nothing fallible happens in between, so no item is left in a queue: a batch dropped
/// unrun drops its items' replies (`WriterUnavailable`).
pub(crate) fn take_batches(batch: &mut Vec<Work>) -> Vec<Box<dyn Taken>> {
    let mut sources: Vec<Arc<dyn Source>> = Vec::new();
    let mut rest = Vec::with_capacity(batch.len());
    for work in batch.drain(..) {
        match work {
            Work::Batch(deposit) => {
                let source = deposit.source();
                deposit.deposit();
                if !sources.iter().any(|s| Arc::ptr_eq(s, &source)) {
                    sources.push(source);
                }
            }
            other => rest.push(other),
        }
    }
    *batch = rest;
    sources.iter().filter_map(|s| s.take()).collect()
}

/// One batch of one use case, taken by the writer: run inside its transaction, then answered.
pub(crate) trait Taken: Send {
    /// Runs the items; their outputs are kept until [`Taken::finish`].
    fn run<'c, 'a: 'c>(
        &'c mut self,
        conn: &'c mut BatchConn<'a>,
        mode: BatchMode,
    ) -> BoxFuture<'c, Result<()>>;
    /// Answers every caller: its output if the run succeeded and `committed` is `Ok`, else
    /// `WriterUnavailable`.
    fn finish(self: Box<Self>, committed: Result<()>);
    /// How many items (for the writer's metrics).
    fn len(&self) -> usize;
}

struct TakenItems<R: BatchRunner> {
    runner: Arc<R>,
    items: Vec<R::Item>,
    replies: Vec<oneshot::Sender<Result<R::Output>>>,
    outputs: Option<Result<Vec<R::Output>>>,
}

impl<R: BatchRunner> Taken for TakenItems<R> {
    fn run<'c, 'a: 'c>(
        &'c mut self,
        conn: &'c mut BatchConn<'a>,
        mode: BatchMode,
    ) -> BoxFuture<'c, Result<()>> {
        Box::pin(async move {
            let outputs = self.runner.run(conn, mode, &self.items).await;
            let ran = outputs.is_ok();
            // The runner's error is kept for `finish`, which logs it and answers the callers.
            self.outputs = Some(outputs);
            if ran {
                Ok(())
            } else {
                Err(StoreError::WriterUnavailable)
            }
        })
    }

    fn len(&self) -> usize {
        self.items.len()
    }

    fn finish(self: Box<Self>, committed: Result<()>) {
        match committed {
            Ok(()) => {
                let outcome = self.outputs.unwrap_or(Err(StoreError::WriterUnavailable));
                let _ = answer(self.replies, outcome);
            }
            // The transaction did not commit (logged where it failed): nothing of it happened.
            Err(_) => {
                for reply in self.replies {
                    let _ = reply.send(Err(StoreError::WriterUnavailable));
                }
            }
        }
    }
}

/// Sends each item's caller its output, or — when the batch failed — logs the error and answers
/// every caller `WriterUnavailable` (a 503: the request may be retried as it is). `Err` when the
/// batch failed.
pub(crate) fn answer<T>(
    replies: Vec<oneshot::Sender<Result<T>>>,
    outcome: Result<Vec<T>>,
) -> std::result::Result<(), ()> {
    match outcome {
        Ok(outputs) => {
            debug_assert_eq!(outputs.len(), replies.len(), "one output per item");
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
