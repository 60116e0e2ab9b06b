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
//! - SQLite (and PostgreSQL without lanes): in the writer's group commit. The batcher queues the
//!   item on its own typed channel and tells the writer that the queue has work
//!   ([`super::Work::Batch`]); the writer takes what waits ([`Source::take`]) and runs it beside
//!   the closure jobs of that commit.

use std::sync::atomic::{AtomicBool, Ordering};
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

    pub(crate) fn on_writer(runner: R, queue_max: usize, writer: mpsc::Sender<Work>) -> Self {
        let (tx, rx) = mpsc::channel(queue_max);
        let queue = Queue {
            runner: Arc::new(runner),
            tx,
            rx: std::sync::Mutex::new(rx),
            announced: AtomicBool::new(false),
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
                queue.tx.send((item, done_tx)).await.is_ok() && {
                    // One announcement per batch of waiting items: the writer clears the flag
                    // before it takes them, so an item queued after that is announced again.
                    let queue: Arc<dyn Source> = queue.clone();
                    !queue.announce() || writer.send(Work::Batch(queue)).await.is_ok()
                }
            }
        };
        if !sent {
            return Err(StoreError::WriterUnavailable);
        }
        done_rx.await.unwrap_or(Err(StoreError::WriterUnavailable))
    }
}

/// A batcher's queue on the writer's path.
pub(crate) struct Queue<R: BatchRunner> {
    runner: Arc<R>,
    tx: mpsc::Sender<Pending<R>>,
    /// Taken from by the writer only.
    rx: std::sync::Mutex<mpsc::Receiver<Pending<R>>>,
    /// The writer has been told that items wait (and has not taken them yet).
    announced: AtomicBool,
}

/// A queue of batched work as the writer sees it.
pub(crate) trait Source: Send + Sync {
    /// Whether the writer must be told of a new item (`false`: it has been told already).
    fn announce(&self) -> bool;
    /// Takes up to `max` waiting items as one batch (`None` when none wait).
    fn take(&self, max: usize) -> Option<Box<dyn Taken>>;
}

impl<R: BatchRunner> Source for Queue<R> {
    fn announce(&self) -> bool {
        !self.announced.swap(true, Ordering::AcqRel)
    }

    fn take(&self, max: usize) -> Option<Box<dyn Taken>> {
        // Cleared first: an item queued from now on is announced again, so none is stranded.
        self.announced.store(false, Ordering::Release);
        let mut rx = self.rx.lock().unwrap_or_else(|p| p.into_inner());
        let mut items = Vec::new();
        let mut replies = Vec::new();
        while items.len() < max {
            match rx.try_recv() {
                Ok((item, reply)) => {
                    items.push(item);
                    replies.push(reply);
                }
                Err(_) => break,
            }
        }
        let more = items.len() == max;
        (!items.is_empty()).then(|| {
            Box::new(TakenItems::<R> {
                runner: Arc::clone(&self.runner),
                items,
                replies,
                outputs: None,
                more,
            }) as Box<dyn Taken>
        })
    }
}

/// One batch of one use case, taken by the writer: run inside its transaction, then answered.
pub(crate) trait Taken: Send {
    /// Runs the items; their outputs are kept until [`Taken::finish`].
    fn run<'c, 'a: 'c>(
        &'c mut self,
        conn: &'c mut BatchConn<'a>,
        mode: BatchMode,
    ) -> BoxFuture<'c, Result<()>>;
    /// Whether more items may wait in the queue (the batch was full).
    fn more(&self) -> bool;
    /// Answers every caller: its output if the run succeeded and `committed` is `Ok`, else
    /// `WriterUnavailable`.
    fn finish(self: Box<Self>, committed: Result<()>);
}

struct TakenItems<R: BatchRunner> {
    runner: Arc<R>,
    items: Vec<R::Item>,
    replies: Vec<oneshot::Sender<Result<R::Output>>>,
    outputs: Option<Result<Vec<R::Output>>>,
    more: bool,
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

    fn more(&self) -> bool {
        self.more
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
