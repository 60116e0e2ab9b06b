//! The test-mode simulator rail: `pending → processing → paid` after configurable delays, with the
//! account's last four digits choosing another outcome (`0002`–`0006`, see
//! [`anton_core::payout::SimulatedOutcome`]).
//!
//! Each pass is one write job: select due payouts (on PostgreSQL `FOR UPDATE SKIP LOCKED`, so
//! workers on several nodes take different payouts), apply one step to each, schedule the next —
//! set-based ([`transition::transition_many`]: a constant number of statements for up to
//! [`PASS_MAX`] payouts). A step and its posting and event commit together; a crash mid-pass
//! loses nothing (the pass rolls back and the payouts are still due). Every step is a
//! compare-and-set, so running a pass twice is safe.

use std::sync::Arc;
use std::time::Duration;

use anton_core::keys::Environment;
use anton_core::payout::{PayoutStatus, SimulatedOutcome, Transition};
use anton_metrics::Metrics;
use anton_store::list::BatchConn;
use anton_store::payouts::{due_for_rail, next_rail_due, unschedule_many};
use anton_store::{Backend, Scoped, Store};

use crate::payouts::transition::{self, Move, Moved};

/// Delays of the test-mode simulator rail (docs/reference.md §3).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SimulatorConfig {
    /// pending → processing.
    pub processing_delay_ms: u64,
    /// processing → paid/failed.
    pub settle_delay_ms: u64,
    /// paid → returned (for the `0005` account).
    pub return_delay_ms: u64,
    /// The longest the worker sleeps between looks at the payouts (it wakes sooner when a step
    /// falls due sooner).
    pub poll_interval_ms: u64,
}

impl Default for SimulatorConfig {
    fn default() -> Self {
        Self {
            processing_delay_ms: 2_000,
            settle_delay_ms: 3_000,
            return_delay_ms: 5_000,
            poll_interval_ms: 250,
        }
    }
}

/// Most payouts moved per pass (see [`run_due`]).
pub const PASS_MAX: i64 = 200;

fn ms(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX / 1000) * 1000
}

/// The step for a due payout, and when the one after it is due (`None`: nothing more to do).
fn next_step(
    status: PayoutStatus,
    outcome: SimulatedOutcome,
    cfg: &SimulatorConfig,
    now_us: i64,
) -> Option<(Transition, Option<i64>)> {
    use SimulatedOutcome::*;
    match (status, outcome) {
        (PayoutStatus::Pending, StaysProcessing) => Some((Transition::StartProcessing, None)),
        (PayoutStatus::Pending, _) => Some((
            Transition::StartProcessing,
            Some(now_us + ms(cfg.settle_delay_ms)),
        )),
        (PayoutStatus::Processing, Paid) => Some((Transition::Pay, None)),
        (PayoutStatus::Processing, PaidThenReturned(_)) => {
            Some((Transition::Pay, Some(now_us + ms(cfg.return_delay_ms))))
        }
        (PayoutStatus::Processing, Failed(code)) => Some((Transition::Fail(code), None)),
        (PayoutStatus::Paid, PaidThenReturned(code)) => Some((Transition::Return(code), None)),
        _ => None,
    }
}

/// Runs one pass at time `now_us`; returns how many payouts moved. Tests call this directly.
///
/// On SQLite the pass is a native write job (`Store::write_native`): it shares the native writer's
/// group commit with the creation batches and the dispatcher's jobs (one commit, no thread
/// hand-off per statement). On PostgreSQL it is a closure job on the writer's own connection, not
/// on the job lane: a pass waits for the balance rows that the creation lanes hold until their
/// commits, and on the job lane the dispatcher's jobs in the same transaction waited with it
/// (measured in docs/benchmarks.md, issue 16). At most [`PASS_MAX`] payouts per pass: on SQLite
/// a commit that carries a pass carries creations too, and a smaller pass keeps what it adds to
/// their latency small; the worker runs the next pass at once while more are due, so a backlog
/// still drains at full speed, pass after pass.
pub async fn run_due(
    store: &Store,
    cfg: &SimulatorConfig,
    now_us: i64,
) -> anton_store::Result<Vec<Moved>> {
    let cfg = cfg.clone();
    match store.backend() {
        Backend::Postgres => {
            store
                .write(move |c| {
                    Box::pin(async move {
                        let mut conn = BatchConn::Any(c);
                        pass(&mut conn, &cfg, true, now_us).await
                    })
                })
                .await
        }
        Backend::Sqlite => {
            store
                .write_native(move |c| Box::pin(async move { pass(c, &cfg, false, now_us).await }))
                .await
        }
    }
}

/// One pass on the writer's connection (see [`run_due`]). `lock` (PostgreSQL): the due payouts
/// are read `FOR UPDATE SKIP LOCKED`, and the balances locked first, in the global order (see
/// `transition_many`).
async fn pass(
    c: &mut BatchConn<'_>,
    cfg: &SimulatorConfig,
    lock: bool,
    now_us: i64,
) -> anton_store::Result<Vec<Moved>> {
    let due = due_for_rail(c, Environment::Test, now_us, PASS_MAX, lock).await?;
    let mut moves = Vec::with_capacity(due.len());
    let mut idle = Vec::new();
    for d in due {
        let outcome = SimulatedOutcome::for_last4(&d.payout.outcome_last4);
        match next_step(d.payout.status, outcome, cfg, now_us) {
            Some((transition, rail_due_us)) => moves.push(Move {
                tenant: d.tenant,
                payout: d.payout,
                transition,
                rail_due_us,
            }),
            // Nothing to do in this status (e.g. canceled): stop scheduling it.
            None => idle.push(Scoped::new(d.tenant, d.payout.id)),
        }
    }
    unschedule_many(c, &idle).await?;
    transition::transition_many(c, &moves, lock, now_us).await
}

/// Passes start at least this far apart (or `poll_interval_ms` apart, if shorter): under a steady
/// load each pass moves the set that fell due meanwhile, not one payout per commit.
const PASS_SPACING: Duration = Duration::from_millis(25);

/// The background worker, until `shutdown` resolves. It reads when the next step falls due
/// (`next_rail_due`, one indexed read, so an idle node writes nothing); if that is now, it runs
/// the passes (back to back while each comes back full) and reads again; if not, it sleeps until
/// then — a step is taken when it is due, not at the next poll — but at most `poll_interval_ms`,
/// so the payouts created meanwhile (or by another node) are seen within that time. Passes start
/// at least [`PASS_SPACING`] apart.
pub async fn run(
    store: Store,
    cfg: SimulatorConfig,
    metrics: Arc<Metrics>,
    shutdown: tokio::sync::watch::Receiver<bool>,
) {
    let mut shutdown = shutdown;
    let poll = Duration::from_millis(cfg.poll_interval_ms);
    let spacing = PASS_SPACING.min(poll);
    let mut last_pass: Option<tokio::time::Instant> = None;
    loop {
        let now_us = anton_store::now_us();
        let wait = match next_rail_due(store.read(), Environment::Test).await {
            Ok(Some(due_us)) if due_us <= now_us => None,
            Ok(Some(due_us)) => {
                let us = u64::try_from(due_us - now_us).unwrap_or(0);
                Some(Duration::from_micros(us).min(poll))
            }
            Ok(None) => Some(poll),
            Err(e) => {
                tracing::warn!(error = %e, "simulator could not read its next due step");
                Some(poll)
            }
        };
        let wake = match (wait, last_pass) {
            (Some(wait), _) => tokio::time::Instant::now() + wait,
            (None, Some(last)) => last + spacing,
            (None, None) => tokio::time::Instant::now(),
        };
        tokio::select! {
            _ = tokio::time::sleep_until(wake) => {}
            _ = shutdown.changed() => return,
        }
        if wait.is_some() {
            continue; // read again: the step may be due now, or a new one sooner
        }
        last_pass = Some(tokio::time::Instant::now());
        loop {
            match run_due(&store, &cfg, anton_store::now_us()).await {
                Ok(moved) => {
                    for m in &moved {
                        metrics.payout_transition(
                            "simulator",
                            m.live,
                            m.to.as_str(),
                            m.currency.as_str(),
                        );
                    }
                    if moved.len() as i64 >= PASS_MAX {
                        continue; // more are due: go again at once
                    }
                    break;
                }
                Err(e) => {
                    // Retried after a poll interval, not at the pass spacing.
                    tracing::warn!(error = %e, "simulator pass failed; will retry");
                    tokio::select! {
                        _ = tokio::time::sleep(poll) => {}
                        _ = shutdown.changed() => return,
                    }
                    break;
                }
            }
        }
    }
}
