//! The webhook backlog at a glance, for the node's metrics (read at each scrape): events waiting
//! for fan-out, deliveries whose attempt time has come, the oldest of either, and endpoints by
//! state. Deployment-wide (every merchant): operators' figures, never shown to a merchant.

use sqlx::Row;

use crate::Result;

/// What waits to be delivered, and the endpoints' states.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Backlog {
    /// Events not yet fanned out to deliveries.
    pub events_waiting: i64,
    /// Deliveries due by now (waiting for a slot or being attempted), retries included.
    pub deliveries_due: i64,
    /// The earliest time (µs) among waiting events' creation and due deliveries' attempt times.
    pub oldest_us: Option<i64>,
    pub endpoints_enabled: i64,
    /// Enabled endpoints whose deliveries are failing (`failing_since` set).
    pub endpoints_failing: i64,
    pub endpoints_disabled: i64,
}

/// Reads the [`Backlog`] at `now_us`. Each count walks a partial index of unfinished work only
/// (`events_outbox`, the deliveries' claim and lease indexes), so its cost is the backlog's size.
pub async fn backlog(pool: &crate::Pool, now_us: i64) -> Result<Backlog> {
    let events = sqlx::query(
        "SELECT COUNT(*) AS n, MIN(created_us) AS oldest FROM events WHERE fanout_us IS NULL",
    )
    .fetch_one(pool)
    .await?;
    let deliveries = sqlx::query(
        "SELECT COUNT(*) AS n, MIN(next_attempt_us) AS oldest FROM webhook_deliveries \
         WHERE next_attempt_us IS NOT NULL AND next_attempt_us <= $1",
    )
    .bind(now_us)
    .fetch_one(pool)
    .await?;
    let endpoints = sqlx::query(
        "SELECT \
           COALESCE(SUM(CASE WHEN status = 'enabled' THEN 1 ELSE 0 END), 0) AS enabled, \
           COALESCE(SUM(CASE WHEN status = 'enabled' AND failing_since_us IS NOT NULL \
                             THEN 1 ELSE 0 END), 0) AS failing, \
           COALESCE(SUM(CASE WHEN status = 'disabled' THEN 1 ELSE 0 END), 0) AS disabled \
         FROM webhook_endpoints",
    )
    .fetch_one(pool)
    .await?;
    let oldest = [
        events.try_get::<Option<i64>, _>("oldest")?,
        deliveries.try_get::<Option<i64>, _>("oldest")?,
    ]
    .into_iter()
    .flatten()
    .min();
    Ok(Backlog {
        events_waiting: events.try_get("n")?,
        deliveries_due: deliveries.try_get("n")?,
        oldest_us: oldest,
        endpoints_enabled: endpoints.try_get("enabled")?,
        endpoints_failing: endpoints.try_get("failing")?,
        endpoints_disabled: endpoints.try_get("disabled")?,
    })
}
