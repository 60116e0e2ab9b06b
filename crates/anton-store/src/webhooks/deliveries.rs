//! Deliveries as the API shows and schedules them: the delivery log with its attempts, a new
//! delivery (fan-out, resend), and recovery after an outage.

use std::collections::HashMap;

use anton_core::id::{DeliveryId, EventId, WebhookEndpointId};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use super::{bind_key, DeliveryKey};
use crate::list::{chunks_for, chunks_pow2, rows_insert, values, BatchConn, Page, Sql};
use crate::{stored, Result, Scoped, Tenant};

/// A delivery row.
#[derive(Debug, Clone)]
pub struct DeliveryRecord {
    pub id: DeliveryId,
    pub endpoint_id: WebhookEndpointId,
    pub event_id: EventId,
    pub event_type: String,
    pub status: String,
    pub attempts: i64,
    pub next_attempt_us: Option<i64>,
    pub last_status_code: Option<i64>,
    pub last_error: Option<String>,
    pub created_us: i64,
    pub updated_us: i64,
}

const DELIVERY_COLUMNS: &str = "id, endpoint_id, event_id, event_type, status, attempts, \
     next_attempt_us, last_status_code, last_error, created_us, updated_us";

fn delivery_from_row(r: &AnyRow) -> Result<DeliveryRecord> {
    Ok(DeliveryRecord {
        id: stored(&r.try_get::<String, _>("id")?, "delivery id")?,
        endpoint_id: stored(
            &r.try_get::<String, _>("endpoint_id")?,
            "webhook endpoint id",
        )?,
        event_id: stored(&r.try_get::<String, _>("event_id")?, "event id")?,
        event_type: r.try_get("event_type")?,
        status: r.try_get("status")?,
        attempts: r.try_get("attempts")?,
        next_attempt_us: r.try_get("next_attempt_us")?,
        last_status_code: r.try_get("last_status_code")?,
        last_error: r.try_get("last_error")?,
        created_us: r.try_get("created_us")?,
        updated_us: r.try_get("updated_us")?,
    })
}

/// One attempt as the log lists it.
#[derive(Debug, Clone)]
pub struct AttemptRecord {
    pub attempt: i64,
    pub started_us: i64,
    pub latency_us: i64,
    pub status_code: Option<i64>,
    pub response_body: Option<String>,
    pub error_class: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct DeliveryFilter {
    /// `pending`, `retrying`, `succeeded`, `exhausted` or `canceled`.
    pub status: Option<String>,
    pub event: Option<EventId>,
}

/// An endpoint's deliveries, newest first, each with its attempts.
pub async fn list_deliveries(
    pool: &crate::Pool,
    t: &Tenant,
    endpoint_id: &WebhookEndpointId,
    filter: &DeliveryFilter,
    page: &Page,
) -> Result<Vec<(DeliveryRecord, Vec<AttemptRecord>)>> {
    let mut sql = Sql::new(&format!(
        "SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries WHERE merchant_id = "
    ));
    sql.text(t.m())
        .push(" AND env = ")
        .text(t.e())
        .push(" AND endpoint_id = ")
        .text(endpoint_id.as_str());
    if let Some(s) = &filter.status {
        sql.push(" AND status = ").text(s);
    }
    if let Some(e) = &filter.event {
        sql.push(" AND event_id = ").text(e.as_str());
    }
    page.finish(&mut sql);
    let deliveries: Vec<DeliveryRecord> = sql
        .fetch_all(pool)
        .await?
        .iter()
        .map(delivery_from_row)
        .collect::<Result<_>>()?;
    with_attempts(pool, t, deliveries).await
}

/// The tenant's delivery `id` to endpoint `endpoint`, if it is one.
pub async fn get_delivery(
    pool: &crate::Pool,
    t: &Tenant,
    endpoint: &WebhookEndpointId,
    id: &DeliveryId,
) -> Result<Option<DeliveryRecord>> {
    let mut sql = Sql::new(&format!(
        "SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries WHERE merchant_id = "
    ));
    sql.text(t.m())
        .push(" AND env = ")
        .text(t.e())
        .push(" AND id = ")
        .text(id.as_str())
        .push(" AND endpoint_id = ")
        .text(endpoint.as_str());
    sql.fetch_all(pool)
        .await?
        .first()
        .map(delivery_from_row)
        .transpose()
}

/// The tenant's deliveries of event `event` (one per endpoint it went to), each with its
/// attempts (a payout's timeline in the portal).
pub async fn deliveries_of_event(
    pool: &crate::Pool,
    t: &Tenant,
    event: &EventId,
) -> Result<Vec<(DeliveryRecord, Vec<AttemptRecord>)>> {
    let mut sql = Sql::new(&format!(
        "SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries WHERE merchant_id = "
    ));
    sql.text(t.m())
        .push(" AND env = ")
        .text(t.e())
        .push(" AND event_id = ")
        .text(event.as_str())
        .push(" ORDER BY created_us, id");
    let deliveries: Vec<DeliveryRecord> = sql
        .fetch_all(pool)
        .await?
        .iter()
        .map(delivery_from_row)
        .collect::<Result<_>>()?;
    with_attempts(pool, t, deliveries).await
}

/// `deliveries`, each with its attempts: one statement per chunk (a join from the VALUES list
/// of their keys), not one query per delivery.
async fn with_attempts(
    pool: &crate::Pool,
    t: &Tenant,
    deliveries: Vec<DeliveryRecord>,
) -> Result<Vec<(DeliveryRecord, Vec<AttemptRecord>)>> {
    let keys: Vec<DeliveryKey> = deliveries
        .iter()
        .map(|d| Scoped::new(t.clone(), d.id.clone()))
        .collect();
    let mut attempts: HashMap<String, Vec<AttemptRecord>> = HashMap::new();
    for chunk in chunks_pow2(&keys) {
        let mut sql = Sql::new(
            "SELECT a.delivery_id, a.attempt, a.started_us, a.latency_us, a.status_code, \
             a.response_body, a.error_class FROM (VALUES ",
        );
        values(&mut sql, chunk, bind_key);
        sql.push(
            ") AS v JOIN webhook_attempts a ON a.merchant_id = v.column1 AND a.env = v.column2 \
             AND a.delivery_id = v.column3 ORDER BY a.delivery_id, a.attempt",
        );
        for r in sql.fetch_all(pool).await? {
            attempts
                .entry(r.try_get("delivery_id")?)
                .or_default()
                .push(AttemptRecord {
                    attempt: r.try_get("attempt")?,
                    started_us: r.try_get("started_us")?,
                    latency_us: r.try_get("latency_us")?,
                    status_code: r.try_get("status_code")?,
                    response_body: r.try_get("response_body")?,
                    error_class: r.try_get("error_class")?,
                });
        }
    }
    let out = deliveries
        .into_iter()
        .map(|d| {
            let a = attempts.remove(d.id.as_str()).unwrap_or_default();
            (d, a)
        })
        .collect();
    Ok(out)
}

/// A delivery to create.
#[derive(Debug, Clone)]
pub struct NewDelivery {
    pub tenant: Tenant,
    pub id: DeliveryId,
    pub endpoint_id: WebhookEndpointId,
    pub event_id: EventId,
    pub event_type: String,
    pub next_attempt_us: i64,
    /// Claimed at creation by the dispatcher that fans it out (see [`super::fan_out`]).
    pub lease_us: Option<i64>,
    pub created_us: i64,
}

pub async fn insert_deliveries(conn: &mut BatchConn<'_>, rows: &[NewDelivery]) -> Result<()> {
    for chunk in chunks_for(conn, rows) {
        let mut sql = Sql::for_batch(
            conn,
            "INSERT INTO webhook_deliveries (merchant_id, env, id, endpoint_id, event_id, event_type, status, \
             attempts, next_attempt_us, lease_us, created_us, updated_us) ",
        );
        rows_insert(&mut sql, chunk, |sql, d| {
            sql.text(d.tenant.m())
                .push(", ")
                .text(d.tenant.e())
                .push(", ")
                .text(d.id.as_str())
                .push(", ")
                .text(d.endpoint_id.as_str())
                .push(", ")
                .text(d.event_id.as_str())
                .push(", ")
                .text(&d.event_type)
                .push(", ")
                .text("pending")
                .push(", ")
                .push_int(0)
                .push(", ")
                .push_int(d.next_attempt_us)
                .push(", ")
                .opt_int(d.lease_us)
                .push(", ")
                .push_int(d.created_us)
                .push(", ")
                .push_int(d.created_us);
        });
        sql.execute_batch(conn).await?;
    }
    Ok(())
}

/// Schedules every retrying or exhausted delivery of an endpoint created since `since_us` for now.
pub async fn recover(
    conn: &mut AnyConnection,
    t: &Tenant,
    endpoint_id: &WebhookEndpointId,
    since_us: i64,
    now_us: i64,
) -> Result<u64> {
    let r = sqlx::query(
        "UPDATE webhook_deliveries SET next_attempt_us = $1, status = 'retrying', updated_us = $2 \
         WHERE merchant_id = $3 AND env = $4 AND endpoint_id = $5 AND created_us >= $6 \
         AND status IN ('retrying', 'exhausted')",
    )
    .bind(now_us)
    .bind(now_us)
    .bind(t.m())
    .bind(t.e())
    .bind(endpoint_id.as_str())
    .bind(since_us)
    .execute(conn)
    .await?;
    Ok(r.rows_affected())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::webhooks::test_support::*;

    #[tokio::test]
    async fn a_recovery_schedules_the_failed_deliveries_since_its_time_and_no_others() {
        let (store, dir) = setup().await;
        let mut sql = vec![endpoint("we_1"), event("evt_1", 1)];
        for (id, status, created) in [
            ("del_old", "exhausted", 1),
            ("del_ex", "exhausted", 100),
            ("del_re", "retrying", 100),
            ("del_ok", "succeeded", 100),
        ] {
            sql.push(due_delivery(id, "we_1", "evt_1"));
            sql.push(format!(
                "UPDATE webhook_deliveries SET status = '{status}', created_us = {created}, \
                 next_attempt_us = NULL WHERE id = '{id}'"
            ));
        }
        exec(&store, sql).await;
        let n = store
            .write(|c| {
                Box::pin(async move {
                    let id = WebhookEndpointId::parse("we_1").unwrap();
                    recover(c, &tenant(), &id, 50, 7_000).await
                })
            })
            .await
            .unwrap();
        assert_eq!(n, 2);
        assert_eq!(
            count(
                &store,
                "SELECT COUNT(*) FROM webhook_deliveries WHERE next_attempt_us = 7000 \
                 AND status = 'retrying' AND id IN ('del_ex', 'del_re')"
            )
            .await,
            2
        );
        std::fs::remove_dir_all(dir).ok();
    }
}
