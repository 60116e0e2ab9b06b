//! A node's housekeeping, each a loop the binary spawns until shutdown: the heartbeat that lets
//! API nodes share per-key rate limits, planner statistics on PostgreSQL, and the sweep of old
//! idempotency records — with the hourly loop every retention sweep (and the risk history's
//! refresh) runs in ([`every_hour`]).

use std::time::Duration;

use anton_store::{now_us, Store};
use tokio::sync::watch;

use crate::Engine;

/// How often an API node beats, and how old a beat may be for its node to count as alive.
const HEARTBEAT: Duration = Duration::from_secs(1);
const HEARTBEAT_FRESH: Duration = Duration::from_secs(3);
/// Idempotency records are kept at least 24 h (docs/reference.md §2); the sweep deletes those older
/// than this.
const IDEMPOTENCY_KEEP_US: i64 = 48 * 3600 * 1_000_000;

/// Rate limits across nodes: every second this node records its heartbeat (as `role`) and counts
/// the API nodes alive; each allows `limit / count` per key ([`Engine::api_nodes`]). A stopping
/// node removes itself, so the others take over its share within a second.
pub async fn heartbeat(engine: Engine, role: &'static str, mut shutdown: watch::Receiver<bool>) {
    let store = engine.store();
    let mut tick = tokio::time::interval(HEARTBEAT);
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = shutdown.changed() => break,
        }
        let now = now_us();
        let id = engine.node_id().to_owned();
        let beat = store
            .write(move |c| {
                Box::pin(async move { anton_store::nodes::heartbeat(c, &id, role, now).await })
            })
            .await;
        if let Err(e) = beat {
            tracing::warn!(error = %e, "node heartbeat failed");
            continue;
        }
        let since = now - i64::try_from(HEARTBEAT_FRESH.as_micros()).unwrap_or(3_000_000);
        match anton_store::nodes::count_api_nodes(store.read(), since).await {
            Ok(n) => engine.set_api_nodes(n),
            Err(e) => tracing::warn!(error = %e, "counting API nodes failed"),
        }
    }
    let id = engine.node_id().to_owned();
    let _ = store
        .write(move |c| Box::pin(async move { anton_store::nodes::remove(c, &id).await }))
        .await;
}

/// PostgreSQL: analyzes tables that changed a lot, every 100 ms (see
/// `Store::refresh_statistics`). Nothing on SQLite. Until a table that grew from empty is
/// analyzed, cached plans may walk another index instead of its primary key: with a check every
/// second, a one-endpoint webhook backlog (about a second long) ran a third of its runs that way
/// (docs/benchmarks.md). The check is one catalog query.
pub async fn keep_statistics_fresh(store: Store, mut shutdown: watch::Receiver<bool>) {
    if store.backend() != anton_store::Backend::Postgres {
        return;
    }
    let mut tick = tokio::time::interval(Duration::from_millis(100));
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = shutdown.changed() => return,
        }
        match store.refresh_statistics().await {
            Ok(tables) if !tables.is_empty() => {
                tracing::debug!(tables = ?tables, "planner statistics refreshed");
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "refreshing planner statistics failed"),
        }
    }
}

/// Deletes idempotency records older than 48 h, hourly. Safe on every node at once (a plain
/// DELETE by age).
pub async fn sweep_idempotency_records(store: Store, shutdown: watch::Receiver<bool>) {
    every_hour("idempotency records", shutdown, || {
        let cutoff = now_us() - IDEMPOTENCY_KEEP_US;
        store.write(move |c| {
            Box::pin(async move { anton_store::idempotency::delete_older_than(c, cutoff).await })
        })
    })
    .await;
}

/// The loop of every hourly task — the retention sweeps (idempotency records, the request log,
/// resolved alerts, the sign-in throttle's ended windows) and the refresh of the risk rules' payout history: `task` at once and then
/// hourly until `shutdown`, logging how many rows of `what` it handled (deleted, or refreshed),
/// or why it failed (it is tried again at the next hour).
pub async fn every_hour<F, Fut, E>(what: &'static str, mut shutdown: watch::Receiver<bool>, task: F)
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = std::result::Result<u64, E>>,
    E: std::fmt::Display,
{
    let mut tick = tokio::time::interval(Duration::from_secs(3_600));
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = shutdown.changed() => return,
        }
        match task().await {
            Ok(n) => tracing::debug!(rows = n, what, "hourly task done"),
            Err(e) => tracing::warn!(error = %e, what, "hourly task failed"),
        }
    }
}
