//! The webhook dispatcher (docs/reference.md §5.2): fans events out to deliveries, claims due
//! deliveries with a lease, sends each one signed afresh, and records every attempt with its
//! consequences. Four jobs, four modules:
//!
//! - [`claims`]: one fan-out-and-claim pass — claims and leases;
//! - [`windows`]: per-endpoint concurrency windows and the node's room — fairness;
//! - [`sending`]: signing and posting one attempt through a [`Transport`];
//! - [`recording`]: writing outcomes and scheduling retries.
//!
//! This module is the loop that drives them, one per node: claim (only when a delivery is due),
//! fan out (only when an event is waiting; the new deliveries are claimed as they are created,
//! within the room left), start the attempts, then sleep until the store commits something, an
//! attempt frees room, the poll interval passes, or the node stops. The dispatcher's write jobs
//! are native (`Store::write_native`): on SQLite they run on the writer thread, on PostgreSQL on
//! a lane of their own.
//!
//! Time: the schedule runs on the [`Clock`](crate::webhooks::Clock) (real time plus an offset
//! that tests advance); leases and signatures always use the real time.

mod claims;
mod recording;
pub mod sending;
mod windows;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anton_store::webhooks::{self, Claimed};
use anton_store::{now_us, Store};
use tokio::sync::{mpsc, watch, Notify};

use crate::webhooks::{WebhookRuntime, WebhooksConfig};
use crate::{Engine, Secrets};
use claims::{Claim, Known, Pass};
use sending::Done;
pub use sending::{Failure, Request, Sent, Transport};
use windows::{Outcome, Room, PREFETCH};

/// Runs the dispatcher of `engine`'s node until `stop` turns true, sending through `transport`.
pub async fn run(engine: Engine, transport: Arc<dyn Transport>, mut stop: watch::Receiver<bool>) {
    let store = engine.store().clone();
    let config = engine.config().webhooks.clone();
    let runtime = engine.webhooks().clone();
    let room = Arc::new(Room::new(&config));
    let (done_tx, done_rx) = mpsc::unbounded_channel::<Done>();
    // Claimed here but not started when the node stops: their leases are released at the end.
    let abandoned: Arc<Mutex<Vec<Claimed>>> = Arc::default();
    let recorder = tokio::spawn(recording::record(
        store.clone(),
        config.clone(),
        runtime.clone(),
        engine.metrics().clone(),
        done_rx,
    ));
    let attempts = Attempts {
        room: room.clone(),
        transport,
        secrets: engine.secrets().clone(),
        runtime: runtime.clone(),
        done: done_tx,
        abandoned: abandoned.clone(),
        timeout_us: i64::try_from(config.timeout_ms).unwrap_or(15_000) * 1_000,
    };
    // Longer than a claimed delivery can wait and run here (PREFETCH rounds of attempts, each at
    // most the timeout, which covers connecting too), with a margin: a crashed node's claims are
    // taken over that long after it claimed them. A fast endpoint is claimed further ahead; should
    // it slow down, a delivery whose lease would run out during its attempt is not attempted here
    // (the lease lapses and it is claimed again), so no delivery runs twice at once.
    let lease = attempts.timeout_us * (PREFETCH as i64 + 2);
    let committed = store.commits();
    let mut state = LoopState::default();
    while !*stop.borrow() {
        if state.stalled
            && state.woke_by_commit
            && (state.no_room || !webhooks::outbox_waiting(store.read()).await.unwrap_or(true))
        {
            state.woke_by_commit = wait(&committed, &runtime, &config, &mut stop).await;
            continue;
        }
        let lease_now = now_us();
        let pass = Pass {
            now: runtime.clock.now_us(),
            lease_now,
            lease_until: lease_now + lease,
            per_endpoint: room.per_endpoint(),
            limit: room.limit(),
            allowance: room.allowance(),
            known: std::mem::take(&mut state.known),
            per_event: state.per_event,
        };
        let (lease_until, limit) = (pass.lease_until, pass.limit);
        let started = Instant::now();
        let claimed = match claims::fan_out_and_claim(&store, pass).await {
            Ok(claim) => {
                if claim.wrote {
                    room.note_pass(
                        i64::try_from(started.elapsed().as_micros()).unwrap_or(i64::MAX),
                    );
                }
                state.after(claim, limit)
            }
            Err(e) => {
                state.stalled = false;
                state.busy = false;
                tracing::warn!(error = %e, "claiming webhook deliveries failed");
                Vec::new()
            }
        };
        for d in claimed {
            attempts.start(d, lease_until, stop.clone());
        }
        if state.busy {
            state.woke_by_commit = false;
            continue;
        }
        state.woke_by_commit = wait(&committed, &runtime, &config, &mut stop).await;
    }
    // Stopping: attempts under way finish (each within the timeout) and are recorded; deliveries
    // not started give their leases back, so another node (or this one, restarted) sends them
    // at once instead of after the lease.
    drop(attempts);
    let _ = recorder.await;
    release_abandoned(&store, &abandoned).await;
}

/// What the loop knows between passes.
struct LoopState {
    /// Due work that nothing here has room for (the last claim came back empty). Then a commit
    /// wakes the loop only for new events (its own empty claims commit too, and would spin).
    stalled: bool,
    /// Events wait but this node has no room for their deliveries; a commit brings no room
    /// (finished attempts wake the loop), so it does not wake the loop either.
    no_room: bool,
    /// The last wait ended with a commit.
    woke_by_commit: bool,
    /// More work is known to wait: go again at once.
    busy: bool,
    /// What the last pass found out (see [`Known`]).
    known: Known,
    /// Deliveries per event at the last fan-out, to size the next.
    per_event: usize,
}

impl Default for LoopState {
    fn default() -> Self {
        Self {
            stalled: false,
            no_room: false,
            woke_by_commit: false,
            busy: false,
            known: Known::default(),
            per_event: 1,
        }
    }
}

impl LoopState {
    /// Learns from a pass that could claim `limit`; returns what it claimed.
    fn after(&mut self, claim: Claim, limit: usize) -> Vec<Claimed> {
        let Claim {
            fanned_out,
            more_waiting,
            no_room,
            per_event,
            claimed,
            ..
        } = claim;
        self.no_room = no_room;
        self.per_event = per_event.unwrap_or(self.per_event);
        self.stalled = !fanned_out && claimed.as_ref().is_some_and(Vec::is_empty);
        let claimed = claimed.unwrap_or_default();
        let full = limit > 0 && claimed.len() == limit;
        self.busy = (more_waiting && fanned_out) || full;
        self.known = Known {
            waiting: more_waiting,
            due: full,
        };
        claimed
    }
}

/// What every attempt task needs.
struct Attempts {
    room: Arc<Room>,
    transport: Arc<dyn Transport>,
    secrets: Secrets,
    runtime: Arc<WebhookRuntime>,
    done: mpsc::UnboundedSender<Done>,
    abandoned: Arc<Mutex<Vec<Claimed>>>,
    timeout_us: i64,
}

impl Attempts {
    /// Attempts the claimed delivery `d` on a task of its own, once its endpoint and the node
    /// have a slot for it; a stopping node gives it back instead.
    fn start(&self, d: Claimed, lease_until: i64, mut stopping: watch::Receiver<bool>) {
        let held = self.room.hold(&d);
        let (room, transport, secrets, runtime, done_tx, abandoned, timeout_us) = (
            self.room.clone(),
            self.transport.clone(),
            self.secrets.clone(),
            self.runtime.clone(),
            self.done.clone(),
            self.abandoned.clone(),
            self.timeout_us,
        );
        tokio::spawn(async move {
            let permits = tokio::select! {
                p = room.permits(&held) => p,
                _ = stopping.wait_for(|s| *s) => {
                    abandoned.lock().unwrap_or_else(|p| p.into_inner()).push(d);
                    return;
                }
            };
            // Its lease would run out before the attempt could (an endpoint that slowed down
            // after it was claimed far ahead): not attempted here. The lease lapses and the
            // delivery is claimed again, never run twice at once.
            let (done, window) = if now_us() + timeout_us >= lease_until {
                tracing::debug!(delivery = %d.id, "lease too short for an attempt; left to lapse");
                (None, room.window(&held))
            } else {
                let done = sending::attempt(&transport, &secrets, &runtime, d).await;
                let window = room.note_attempt(&held, done.latency_us, Outcome::of(&done));
                (Some(done), window)
            };
            room.release(&held, permits, window);
            let refill = room.finish(held);
            if let Some(done) = done {
                let _ = done_tx.send(done);
            }
            if refill {
                // Half the prefetch is used (the endpoint's or the node's): claim more before
                // the connections idle.
                runtime.wake.notify_one();
            }
        });
    }
}

/// Gives back the leases of deliveries claimed here but never started.
async fn release_abandoned(store: &Store, abandoned: &Mutex<Vec<Claimed>>) {
    let released: Vec<_> =
        std::mem::take(&mut *abandoned.lock().unwrap_or_else(|p| p.into_inner()))
            .iter()
            .map(Claimed::key)
            .collect();
    if released.is_empty() {
        return;
    }
    let n = released.len();
    let result = store
        .write_native(move |c| {
            Box::pin(async move { webhooks::release_leases(c, &released).await })
        })
        .await;
    match result {
        Ok(()) => tracing::info!(
            deliveries = n,
            "released the leases of unstarted deliveries"
        ),
        Err(e) => tracing::warn!(error = %e, "releasing leases failed; they expire instead"),
    }
}

/// Sleeps until a commit of this node's writer, a wake-up (an attempt finished, resend, recover),
/// the poll interval, or the stop. `true` when a commit woke it.
async fn wait(
    committed: &Notify,
    runtime: &WebhookRuntime,
    config: &WebhooksConfig,
    stop: &mut watch::Receiver<bool>,
) -> bool {
    tokio::select! {
        () = committed.notified() => true,
        () = runtime.wake.notified() => false,
        () = tokio::time::sleep(Duration::from_millis(config.poll_interval_ms)) => false,
        _ = stop.changed() => false,
    }
}
