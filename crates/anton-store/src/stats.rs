//! Aggregates for the portal's dashboard: a tenant's payouts per day, status and currency, and
//! an endpoint's deliveries per status since a moment. Both read through a tenant index's
//! prefix (`payouts_list`, `webhook_deliveries_list`) bounded by time, so a dashboard costs the
//! rows of its window, not of the tenant's history.

use anton_core::id::WebhookEndpointId;
use sqlx::Row;

use crate::{Pool, Result, Tenant};

/// A microsecond count of one day.
pub const DAY_US: i64 = 86_400_000_000;

/// The tenant's payouts created on one UTC day in one status and currency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DayCount {
    /// Days since the Unix epoch (UTC).
    pub day: i64,
    pub status: String,
    pub currency: String,
    pub count: i64,
    /// Their amounts' sum, in minor units.
    pub amount: i64,
}

/// The tenant's payouts created since `since_us`, counted per UTC day, status and currency.
pub async fn payouts_by_day(pool: &Pool, t: &Tenant, since_us: i64) -> Result<Vec<DayCount>> {
    let rows = sqlx::query(
        "SELECT created_us / 86400000000 AS day, status, currency, COUNT(*) AS n, \
         CAST(SUM(amount) AS BIGINT) AS total FROM payouts \
         WHERE merchant_id = $1 AND env = $2 AND created_us >= $3 \
         GROUP BY created_us / 86400000000, status, currency",
    )
    .bind(t.m())
    .bind(t.e())
    .bind(since_us)
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(DayCount {
                day: r.try_get("day")?,
                status: r.try_get("status")?,
                currency: r.try_get("currency")?,
                count: r.try_get("n")?,
                amount: r.try_get("total")?,
            })
        })
        .collect()
}

/// The tenant's deliveries to `endpoint` created since `since_us`, counted per status.
pub async fn deliveries_by_status(
    pool: &Pool,
    t: &Tenant,
    endpoint: &WebhookEndpointId,
    since_us: i64,
) -> Result<Vec<(String, i64)>> {
    let rows = sqlx::query(
        "SELECT status, COUNT(*) AS n FROM webhook_deliveries \
         WHERE merchant_id = $1 AND env = $2 AND endpoint_id = $3 AND created_us >= $4 \
         GROUP BY status",
    )
    .bind(t.m())
    .bind(t.e())
    .bind(endpoint.as_str())
    .bind(since_us)
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("status")?, r.try_get("n")?)))
        .collect()
}
