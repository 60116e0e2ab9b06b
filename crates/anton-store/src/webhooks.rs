//! Webhook endpoints, the delivery outbox and the attempt log (DESIGN.md §5).
//!
//! Events are the outbox: `events.fanout_us` is NULL until [`fan_out`] has created one delivery per
//! subscribed endpoint. Deliveries are claimed by [`claim_due`] with a lease (a conditional
//! `UPDATE`, safe with several dispatchers on PostgreSQL and taken over when it expires), and the
//! outcome of each attempt is written by [`record_attempt`].

use std::collections::{HashMap, HashSet};

use anton_core::id::{DeliveryId, WebhookEndpointId};
use sqlx::any::AnyRow;
use sqlx::{Any, AnyConnection, Executor, Row};

use crate::list::{chunks_pow2, values, Page, Sql};
use crate::{Result, Tenant};

/// A stored endpoint.
#[derive(Debug, Clone)]
pub struct EndpointRecord {
    pub id: WebhookEndpointId,
    pub url: String,
    /// JSON array of event types, or `["*"]`.
    pub enabled_events: String,
    pub description: Option<String>,
    /// `enabled` or `disabled`.
    pub status: String,
    pub secret_ciphertext: String,
    pub previous_secret_ciphertext: Option<String>,
    pub previous_expires_us: Option<i64>,
    pub failing_since_us: Option<i64>,
    pub created_us: i64,
    pub updated_us: i64,
}

const ENDPOINT_COLUMNS: &str = "id, url, enabled_events, description, status, secret_ciphertext, \
     previous_secret_ciphertext, previous_expires_us, failing_since_us, created_us, updated_us";

fn endpoint_from_row(r: &AnyRow) -> Result<EndpointRecord> {
    Ok(EndpointRecord {
        id: WebhookEndpointId::parse(&r.try_get::<String, _>("id")?)
            .map_err(|_| crate::StoreError::Corrupt("webhook endpoint id".into()))?,
        url: r.try_get("url")?,
        enabled_events: r.try_get("enabled_events")?,
        description: r.try_get("description")?,
        status: r.try_get("status")?,
        secret_ciphertext: r.try_get("secret_ciphertext")?,
        previous_secret_ciphertext: r.try_get("previous_secret_ciphertext")?,
        previous_expires_us: r.try_get("previous_expires_us")?,
        failing_since_us: r.try_get("failing_since_us")?,
        created_us: r.try_get("created_us")?,
        updated_us: r.try_get("updated_us")?,
    })
}

pub async fn insert_endpoint(
    conn: &mut AnyConnection,
    t: &Tenant,
    e: &EndpointRecord,
) -> Result<()> {
    sqlx::query(&format!(
        "INSERT INTO webhook_endpoints (merchant_id, env, {ENDPOINT_COLUMNS}) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)"
    ))
    .bind(t.m())
    .bind(t.e())
    .bind(e.id.as_str())
    .bind(&e.url)
    .bind(&e.enabled_events)
    .bind(e.description.clone())
    .bind(&e.status)
    .bind(&e.secret_ciphertext)
    .bind(e.previous_secret_ciphertext.clone())
    .bind(e.previous_expires_us)
    .bind(e.failing_since_us)
    .bind(e.created_us)
    .bind(e.updated_us)
    .execute(conn)
    .await?;
    Ok(())
}

/// Writes every mutable column of `e`. `false` when the endpoint does not exist (for this tenant).
pub async fn update_endpoint(
    conn: &mut AnyConnection,
    t: &Tenant,
    e: &EndpointRecord,
) -> Result<bool> {
    let r = sqlx::query(
        "UPDATE webhook_endpoints SET url = $1, enabled_events = $2, description = $3, status = $4, \
         secret_ciphertext = $5, previous_secret_ciphertext = $6, previous_expires_us = $7, \
         failing_since_us = $8, updated_us = $9 WHERE merchant_id = $10 AND env = $11 AND id = $12",
    )
    .bind(&e.url)
    .bind(&e.enabled_events)
    .bind(e.description.clone())
    .bind(&e.status)
    .bind(&e.secret_ciphertext)
    .bind(e.previous_secret_ciphertext.clone())
    .bind(e.previous_expires_us)
    .bind(e.failing_since_us)
    .bind(e.updated_us)
    .bind(t.m())
    .bind(t.e())
    .bind(e.id.as_str())
    .execute(conn)
    .await?;
    Ok(r.rows_affected() == 1)
}

pub async fn get_endpoint<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    t: &Tenant,
    id: &WebhookEndpointId,
) -> Result<Option<EndpointRecord>> {
    let row = sqlx::query(&format!(
        "SELECT {ENDPOINT_COLUMNS} FROM webhook_endpoints WHERE merchant_id = $1 AND env = $2 AND id = $3"
    ))
    .bind(t.m())
    .bind(t.e())
    .bind(id.as_str())
    .fetch_optional(ex)
    .await?;
    row.as_ref().map(endpoint_from_row).transpose()
}

pub async fn list_endpoints<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    t: &Tenant,
    page: &Page,
) -> Result<Vec<EndpointRecord>> {
    let mut sql = Sql::new(&format!(
        "SELECT {ENDPOINT_COLUMNS} FROM webhook_endpoints WHERE merchant_id = "
    ));
    sql.text(t.m()).push(" AND env = ").text(t.e());
    page.finish(&mut sql);
    sql.fetch_all(ex)
        .await?
        .iter()
        .map(endpoint_from_row)
        .collect()
}

/// Deletes the endpoint and cancels its scheduled deliveries (their log stays readable until the
/// endpoint id is gone with them). `false` when it did not exist.
pub async fn delete_endpoint(
    conn: &mut AnyConnection,
    t: &Tenant,
    id: &WebhookEndpointId,
    now_us: i64,
) -> Result<bool> {
    let r = sqlx::query(
        "DELETE FROM webhook_endpoints WHERE merchant_id = $1 AND env = $2 AND id = $3",
    )
    .bind(t.m())
    .bind(t.e())
    .bind(id.as_str())
    .execute(&mut *conn)
    .await?;
    if r.rows_affected() == 0 {
        return Ok(false);
    }
    sqlx::query(
        "UPDATE webhook_deliveries SET status = 'canceled', next_attempt_us = NULL, lease_us = NULL, \
         updated_us = $1 WHERE merchant_id = $2 AND env = $3 AND endpoint_id = $4 AND next_attempt_us IS NOT NULL",
    )
    .bind(now_us)
    .bind(t.m())
    .bind(t.e())
    .bind(id.as_str())
    .execute(conn)
    .await?;
    Ok(true)
}

/// Whether an endpoint subscribed with `enabled_events` (JSON array) gets events of `event_type`.
pub fn subscribed(enabled_events: &str, event_type: &str) -> bool {
    serde_json::from_str::<Vec<String>>(enabled_events)
        .map(|list| list.iter().any(|t| t == "*" || t == event_type))
        .unwrap_or(false)
}

/// A delivery row.
#[derive(Debug, Clone)]
pub struct DeliveryRecord {
    pub id: DeliveryId,
    pub endpoint_id: String,
    pub event_id: String,
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
        id: DeliveryId::parse(&r.try_get::<String, _>("id")?)
            .map_err(|_| crate::StoreError::Corrupt("delivery id".into()))?,
        endpoint_id: r.try_get("endpoint_id")?,
        event_id: r.try_get("event_id")?,
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
    pub status: Option<String>,
    pub event: Option<String>,
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
        sql.push(" AND event_id = ").text(e);
    }
    page.finish(&mut sql);
    let deliveries: Vec<DeliveryRecord> = sql
        .fetch_all(pool)
        .await?
        .iter()
        .map(delivery_from_row)
        .collect::<Result<_>>()?;
    let mut out = Vec::with_capacity(deliveries.len());
    for d in deliveries {
        let attempts = sqlx::query(
            "SELECT attempt, started_us, latency_us, status_code, response_body, error_class \
             FROM webhook_attempts WHERE merchant_id = $1 AND env = $2 AND delivery_id = $3 ORDER BY attempt",
        )
        .bind(t.m())
        .bind(t.e())
        .bind(d.id.as_str())
        .fetch_all(pool)
        .await?
        .iter()
        .map(|r| {
            Ok(AttemptRecord {
                attempt: r.try_get("attempt")?,
                started_us: r.try_get("started_us")?,
                latency_us: r.try_get("latency_us")?,
                status_code: r.try_get("status_code")?,
                response_body: r.try_get("response_body")?,
                error_class: r.try_get("error_class")?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
        out.push((d, attempts));
    }
    Ok(out)
}

/// A delivery to create.
#[derive(Debug, Clone)]
pub struct NewDelivery {
    pub tenant: Tenant,
    pub id: DeliveryId,
    pub endpoint_id: String,
    pub event_id: String,
    pub event_type: String,
    pub next_attempt_us: i64,
    pub created_us: i64,
}

pub async fn insert_deliveries(conn: &mut AnyConnection, rows: &[NewDelivery]) -> Result<()> {
    for chunk in chunks_pow2(rows) {
        let mut sql = Sql::new(
            "INSERT INTO webhook_deliveries (merchant_id, env, id, endpoint_id, event_id, event_type, status, \
             attempts, next_attempt_us, lease_us, last_status_code, last_error, created_us, updated_us) VALUES ",
        );
        values(&mut sql, chunk, |sql, d| {
            sql.text(d.tenant.m())
                .push(", ")
                .text(d.tenant.e())
                .push(", ")
                .text(d.id.as_str())
                .push(", ")
                .text(&d.endpoint_id)
                .push(", ")
                .text(&d.event_id)
                .push(", ")
                .text(&d.event_type)
                .push(", 'pending', 0, ")
                .push_int(d.next_attempt_us)
                .push(", NULL, NULL, NULL, ")
                .push_int(d.created_us)
                .push(", ")
                .push_int(d.created_us);
        });
        sql.execute_on(conn).await?;
    }
    Ok(())
}

/// Creates the deliveries of up to `limit` events not fanned out yet, oldest first, and marks
/// those events. Returns how many events were handled. Runs as a writer job, so on SQLite it is
/// the only writer; on PostgreSQL the `FOR UPDATE SKIP LOCKED` lets several nodes share the work.
pub async fn fan_out(
    conn: &mut AnyConnection,
    backend: crate::Backend,
    now_us: i64,
    limit: i64,
) -> Result<usize> {
    let mut q = String::from(
        "SELECT merchant_id, env, id, type FROM events WHERE fanout_us IS NULL ORDER BY created_us LIMIT $1",
    );
    if backend == crate::Backend::Postgres {
        q.push_str(" FOR UPDATE SKIP LOCKED");
    }
    let events: Vec<(String, String, String, String)> = sqlx::query(&q)
        .bind(limit)
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| {
            Ok((
                r.try_get("merchant_id")?,
                r.try_get("env")?,
                r.try_get("id")?,
                r.try_get("type")?,
            ))
        })
        .collect::<Result<_>>()?;
    if events.is_empty() {
        return Ok(0);
    }
    let tenants: HashSet<(String, String)> = events
        .iter()
        .map(|(m, e, _, _)| (m.clone(), e.clone()))
        .collect();
    let mut endpoints: HashMap<(String, String), Vec<(String, String)>> = HashMap::new();
    for (m, e) in &tenants {
        let rows = sqlx::query(
            "SELECT id, enabled_events FROM webhook_endpoints WHERE merchant_id = $1 AND env = $2 AND status = 'enabled'",
        )
        .bind(m)
        .bind(e)
        .fetch_all(&mut *conn)
        .await?;
        let list = rows
            .iter()
            .map(|r| Ok((r.try_get("id")?, r.try_get("enabled_events")?)))
            .collect::<Result<Vec<(String, String)>>>()?;
        endpoints.insert((m.clone(), e.clone()), list);
    }
    let mut deliveries = Vec::new();
    for (m, e, id, ty) in &events {
        let Some(list) = endpoints.get(&(m.clone(), e.clone())) else {
            continue;
        };
        for (endpoint_id, enabled) in list {
            if !subscribed(enabled, ty) {
                continue;
            }
            let (Ok(merchant_id), Some(env)) = (
                anton_core::id::MerchantId::parse(m),
                anton_core::keys::Environment::parse(e),
            ) else {
                return Err(crate::StoreError::Corrupt("event tenant".into()));
            };
            deliveries.push(NewDelivery {
                tenant: Tenant::new(merchant_id, env),
                id: DeliveryId::generate(),
                endpoint_id: endpoint_id.clone(),
                event_id: id.clone(),
                event_type: ty.clone(),
                next_attempt_us: now_us,
                created_us: now_us,
            });
        }
    }
    insert_deliveries(conn, &deliveries).await?;
    for chunk in chunks_pow2(&events) {
        let mut sql = Sql::new("UPDATE events SET fanout_us = ");
        sql.push_int(now_us)
            .push(" WHERE (merchant_id, env, id) IN (VALUES ");
        values(&mut sql, chunk, |sql, (m, e, id, _)| {
            sql.text(m).push(", ").text(e).push(", ").text(id);
        });
        sql.push(")");
        sql.execute_on(conn).await?;
    }
    Ok(events.len())
}

/// A claimed delivery, with what the dispatcher needs to send it.
#[derive(Debug, Clone)]
pub struct Claimed {
    pub tenant: Tenant,
    pub id: String,
    pub endpoint_id: String,
    pub event_id: String,
    pub event_type: String,
    pub status: String,
    pub attempts: i64,
    pub url: String,
    pub endpoint_status: String,
    pub secret_ciphertext: String,
    pub previous_secret_ciphertext: Option<String>,
    pub previous_expires_us: Option<i64>,
    pub body: String,
}

/// Claims due deliveries until `lease_until_us`: at most `per_endpoint` per endpoint (so one
/// endpoint's backlog never fills a claim) and `limit` in all; an endpoint listed in `allowance`
/// (`(merchant, env, endpoint)`) gets at most that many (its remaining concurrency and rate budget
/// on this node; 0 skips it). The lease is a conditional
/// `UPDATE`: of two dispatchers racing for a row, exactly one gets it.
/// `now_us` is the schedule's time (deliveries due by then); `lease_now_us` the real time leases
/// are compared with (so a test clock moved forward never expires a running attempt's lease).
pub async fn claim_due(
    conn: &mut AnyConnection,
    now_us: i64,
    lease_now_us: i64,
    lease_until_us: i64,
    per_endpoint: i64,
    limit: usize,
    allowance: &HashMap<(String, String, String), usize>,
) -> Result<Vec<Claimed>> {
    let candidates = sqlx::query(
        "SELECT merchant_id, env, id, endpoint_id FROM (\
           SELECT merchant_id, env, id, endpoint_id, next_attempt_us, ROW_NUMBER() OVER (\
             PARTITION BY merchant_id, env, endpoint_id ORDER BY next_attempt_us, id) AS rn \
           FROM webhook_deliveries WHERE next_attempt_us <= $1 AND (lease_us IS NULL OR lease_us < $2)\
         ) AS c WHERE rn <= $3 ORDER BY next_attempt_us LIMIT $4",
    )
    .bind(now_us)
    .bind(lease_now_us)
    .bind(per_endpoint)
    .bind(i64::try_from(limit).unwrap_or(i64::MAX))
    .fetch_all(&mut *conn)
    .await?;
    let mut keys: Vec<(String, String, String)> = Vec::new();
    let mut taken: HashMap<(String, String, String), usize> = HashMap::new();
    for r in &candidates {
        let (m, e, id, ep): (String, String, String, String) = (
            r.try_get("merchant_id")?,
            r.try_get("env")?,
            r.try_get("id")?,
            r.try_get("endpoint_id")?,
        );
        let endpoint = (m.clone(), e.clone(), ep);
        let max = allowance
            .get(&endpoint)
            .copied()
            .unwrap_or(usize::try_from(per_endpoint).unwrap_or(0));
        let n = taken.entry(endpoint).or_default();
        if *n < max {
            *n += 1;
            keys.push((m, e, id));
        }
    }
    let mut out = Vec::new();
    for chunk in chunks_pow2(&keys) {
        let mut sql = Sql::new("UPDATE webhook_deliveries SET lease_us = ");
        sql.push_int(lease_until_us)
            .push(" WHERE (lease_us IS NULL OR lease_us < ")
            .push_int(lease_now_us)
            .push(") AND next_attempt_us <= ")
            .push_int(now_us)
            .push(" AND (merchant_id, env, id) IN (VALUES ");
        values(&mut sql, chunk, |sql, (m, e, id)| {
            sql.text(m).push(", ").text(e).push(", ").text(id);
        });
        sql.push(") RETURNING merchant_id, env, id");
        let won: Vec<(String, String, String)> = sql
            .fetch_all_on(&mut *conn)
            .await?
            .iter()
            .map(|r| {
                Ok((
                    r.try_get("merchant_id")?,
                    r.try_get("env")?,
                    r.try_get("id")?,
                ))
            })
            .collect::<Result<_>>()?;
        if won.is_empty() {
            continue;
        }
        let mut sql = Sql::new(
            "SELECT d.merchant_id, d.env, d.id, d.endpoint_id, d.event_id, d.event_type, d.status, d.attempts, \
             w.url, w.status AS endpoint_status, w.secret_ciphertext, w.previous_secret_ciphertext, \
             w.previous_expires_us, ev.body \
             FROM webhook_deliveries d \
             JOIN webhook_endpoints w ON w.merchant_id = d.merchant_id AND w.env = d.env AND w.id = d.endpoint_id \
             JOIN events ev ON ev.merchant_id = d.merchant_id AND ev.env = d.env AND ev.id = d.event_id \
             WHERE (d.merchant_id, d.env, d.id) IN (VALUES ",
        );
        values(&mut sql, &won, |sql, (m, e, id)| {
            sql.text(m).push(", ").text(e).push(", ").text(id);
        });
        sql.push(")");
        for r in sql.fetch_all_on(&mut *conn).await? {
            let m: String = r.try_get("merchant_id")?;
            let e: String = r.try_get("env")?;
            let (Ok(merchant_id), Some(env)) = (
                anton_core::id::MerchantId::parse(&m),
                anton_core::keys::Environment::parse(&e),
            ) else {
                return Err(crate::StoreError::Corrupt("delivery tenant".into()));
            };
            out.push(Claimed {
                tenant: Tenant::new(merchant_id, env),
                id: r.try_get("id")?,
                endpoint_id: r.try_get("endpoint_id")?,
                event_id: r.try_get("event_id")?,
                event_type: r.try_get("event_type")?,
                status: r.try_get("status")?,
                attempts: r.try_get("attempts")?,
                url: r.try_get("url")?,
                endpoint_status: r.try_get("endpoint_status")?,
                secret_ciphertext: r.try_get("secret_ciphertext")?,
                previous_secret_ciphertext: r.try_get("previous_secret_ciphertext")?,
                previous_expires_us: r.try_get("previous_expires_us")?,
                body: r.try_get("body")?,
            });
        }
    }
    Ok(out)
}

/// The outcome of one attempt, to record.
#[derive(Debug, Clone)]
pub struct AttemptOutcome {
    pub attempt: i64,
    pub started_us: i64,
    pub latency_us: i64,
    pub status_code: Option<i64>,
    pub response_body: Option<String>,
    pub error_class: Option<String>,
    /// The delivery's new status and next attempt (None: nothing more scheduled).
    pub new_status: String,
    pub next_attempt_us: Option<i64>,
}

/// Writes an attempt and the delivery's new state, releasing its lease. An attempt already recorded
/// (a lease taken over after a crash raced with the original) is kept as it was.
pub async fn record_attempt(
    conn: &mut AnyConnection,
    t: &Tenant,
    delivery_id: &str,
    o: &AttemptOutcome,
    now_us: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO webhook_attempts (merchant_id, env, delivery_id, attempt, started_us, latency_us, \
         status_code, response_body, error_class) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
         ON CONFLICT (merchant_id, env, delivery_id, attempt) DO NOTHING",
    )
    .bind(t.m())
    .bind(t.e())
    .bind(delivery_id)
    .bind(o.attempt)
    .bind(o.started_us)
    .bind(o.latency_us)
    .bind(o.status_code)
    .bind(o.response_body.clone())
    .bind(o.error_class.clone())
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "UPDATE webhook_deliveries SET status = $1, attempts = $2, next_attempt_us = $3, lease_us = NULL, \
         last_status_code = $4, last_error = $5, updated_us = $6 \
         WHERE merchant_id = $7 AND env = $8 AND id = $9 AND status <> 'canceled'",
    )
    .bind(&o.new_status)
    .bind(o.attempt)
    .bind(o.next_attempt_us)
    .bind(o.status_code)
    .bind(o.error_class.clone())
    .bind(now_us)
    .bind(t.m())
    .bind(t.e())
    .bind(delivery_id)
    .execute(conn)
    .await?;
    Ok(())
}

/// Sets an endpoint's failure clock: `Some(t)` keeps an existing start, `None` clears it.
pub async fn set_endpoint_failing(
    conn: &mut AnyConnection,
    t: &Tenant,
    endpoint_id: &str,
    failing_since_us: Option<i64>,
) -> Result<Option<i64>> {
    match failing_since_us {
        None => {
            sqlx::query(
                "UPDATE webhook_endpoints SET failing_since_us = NULL WHERE merchant_id = $1 AND env = $2 AND id = $3",
            )
            .bind(t.m())
            .bind(t.e())
            .bind(endpoint_id)
            .execute(conn)
            .await?;
            Ok(None)
        }
        Some(since) => {
            sqlx::query(
                "UPDATE webhook_endpoints SET failing_since_us = $1 WHERE merchant_id = $2 AND env = $3 AND id = $4 \
                 AND failing_since_us IS NULL",
            )
            .bind(since)
            .bind(t.m())
            .bind(t.e())
            .bind(endpoint_id)
            .execute(&mut *conn)
            .await?;
            let row = sqlx::query(
                "SELECT failing_since_us FROM webhook_endpoints WHERE merchant_id = $1 AND env = $2 AND id = $3",
            )
            .bind(t.m())
            .bind(t.e())
            .bind(endpoint_id)
            .fetch_optional(conn)
            .await?;
            Ok(match row {
                Some(r) => r.try_get("failing_since_us")?,
                None => None,
            })
        }
    }
}

/// Disables an endpoint (410 Gone, or failing for too long). `false` if it was not enabled.
pub async fn disable_endpoint(
    conn: &mut AnyConnection,
    t: &Tenant,
    endpoint_id: &str,
    now_us: i64,
) -> Result<bool> {
    let r = sqlx::query(
        "UPDATE webhook_endpoints SET status = 'disabled', updated_us = $1 \
         WHERE merchant_id = $2 AND env = $3 AND id = $4 AND status = 'enabled'",
    )
    .bind(now_us)
    .bind(t.m())
    .bind(t.e())
    .bind(endpoint_id)
    .execute(conn)
    .await?;
    Ok(r.rows_affected() == 1)
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

/// Whether an event waits for fan-out (a read, so an idle dispatcher writes nothing).
pub async fn outbox_waiting(pool: &crate::Pool) -> Result<bool> {
    Ok(
        sqlx::query("SELECT 1 AS one FROM events WHERE fanout_us IS NULL LIMIT 1")
            .fetch_optional(pool)
            .await?
            .is_some(),
    )
}

/// Whether a delivery is due and not leased (a read, so an idle dispatcher writes nothing).
pub async fn any_due(pool: &crate::Pool, now_us: i64, lease_now_us: i64) -> Result<bool> {
    Ok(sqlx::query(
        "SELECT 1 AS one FROM webhook_deliveries WHERE next_attempt_us <= $1 AND (lease_us IS NULL OR lease_us < $2) LIMIT 1",
    )
    .bind(now_us)
    .bind(lease_now_us)
    .fetch_optional(pool)
    .await?
    .is_some())
}
