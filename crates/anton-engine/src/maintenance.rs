//! A node's housekeeping, each a loop the binary spawns until shutdown: the heartbeat that lets
//! API nodes share per-key rate limits, planner statistics on PostgreSQL, and the sweep of old
//! idempotency records — with the hourly loop every retention sweep (and the risk history's
//! refresh) runs in ([`every_hour`]), and the chunked delete the sweeps share
//! ([`delete_in_chunks`]).

use std::time::Duration;

use anton_store::Conn as AnyConnection;
use anton_store::{now_us, Store};
use futures_util::future::BoxFuture;
use tokio::sync::watch;

use crate::Engine;

/// How often an API node beats, and how old a beat may be for its node to count as alive.
const HEARTBEAT: Duration = Duration::from_secs(1);
const HEARTBEAT_FRESH: Duration = Duration::from_secs(3);
/// Idempotency records are kept at least 24 h (docs/reference.md §2); the sweep deletes those older
/// than this.
const IDEMPOTENCY_KEEP_US: i64 = 48 * 3600 * 1_000_000;

/// Runs `delete` — one bounded DELETE of at most `chunk` rows (its second argument), one writer
/// job — until a chunk comes back short, so a retention sweep never holds the writer for long;
/// returns how many rows went.
pub(crate) async fn delete_in_chunks<D>(
    store: &Store,
    chunk: i64,
    delete: D,
) -> anton_store::Result<u64>
where
    D: for<'c> Fn(&'c mut AnyConnection, i64) -> BoxFuture<'c, anton_store::Result<u64>>
        + Clone
        + Send
        + 'static,
{
    let mut deleted = 0;
    loop {
        let delete = delete.clone();
        let n = store.write(move |c| delete(c, chunk)).await?;
        deleted += n;
        if n < u64::try_from(chunk).unwrap_or(0) {
            return Ok(deleted);
        }
    }
}

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

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    /// 25 rows in chunks of 10: three jobs, every row gone, and the count is right; an empty
    /// table takes one job and deletes nothing.
    #[tokio::test]
    async fn a_sweep_deletes_in_chunks_until_one_comes_back_short() {
        let dir = tempfile::tempdir().expect("dir");
        let url = format!("sqlite://{}?mode=rwc", dir.path().join("t.db").display());
        let store = Store::connect(&url, anton_store::StoreOptions::default())
            .await
            .expect("connect");
        store
            .write(|c| {
                Box::pin(async move {
                    sqlx_exec(c, "CREATE TABLE old_rows (n BIGINT)").await?;
                    for n in 0..25 {
                        sqlx_exec(c, &format!("INSERT INTO old_rows (n) VALUES ({n})")).await?;
                    }
                    Ok(())
                })
            })
            .await
            .expect("rows");
        assert_eq!(
            delete_in_chunks(&store, 10, delete_some)
                .await
                .expect("sweep"),
            25
        );
        assert_eq!(JOBS.load(Ordering::SeqCst), 3);
        assert_eq!(
            delete_in_chunks(&store, 10, delete_some)
                .await
                .expect("sweep"),
            0
        );
        assert_eq!(JOBS.load(Ordering::SeqCst), 4);
        store.close().await;
    }

    /// The jobs [`delete_some`] ran (this module's one test counts them).
    static JOBS: AtomicUsize = AtomicUsize::new(0);

    fn delete_some(c: &mut AnyConnection, limit: i64) -> BoxFuture<'_, anton_store::Result<u64>> {
        JOBS.fetch_add(1, Ordering::SeqCst);
        Box::pin(async move {
            let sql =
                format!("DELETE FROM old_rows WHERE n IN (SELECT n FROM old_rows LIMIT {limit})");
            sqlx_exec(c, &sql).await
        })
    }

    async fn sqlx_exec(c: &mut AnyConnection, sql: &str) -> anton_store::Result<u64> {
        Ok(sqlx::query(sql).execute(c).await?.rows_affected())
    }
}
