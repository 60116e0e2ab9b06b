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

/// Deletes the endpoint and cancels its scheduled deliveries (their rows stay, marked `canceled`;
/// the API no longer lists them, since the endpoint is a 404). `false` when it did not exist.
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
    // Every attempt of the page's deliveries in one statement per chunk (a join from the VALUES
    // list of their keys), not one query per delivery.
    let keys: Vec<(String, String, String)> = deliveries
        .iter()
        .map(|d| tenant_key(t, d.id.as_str()))
        .collect();
    let mut attempts: HashMap<String, Vec<AttemptRecord>> = HashMap::new();
    for chunk in chunks_pow2(&keys) {
        let mut sql = Sql::new(
            "SELECT a.delivery_id, a.attempt, a.started_us, a.latency_us, a.status_code, \
             a.response_body, a.error_class FROM (VALUES ",
        );
        values(&mut sql, chunk, |sql, (m, e, id)| {
            sql.text(m).push(", ").text(e).push(", ").text(id);
        });
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
            deliveries.push(NewDelivery {
                tenant: Tenant::from_stored(m, e)?,
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
        // UPDATE … FROM (VALUES …): a primary-key lookup per row on both backends.
        let mut sql = Sql::new("UPDATE events SET fanout_us = ");
        sql.push_int(now_us).push(" FROM (VALUES ");
        values(&mut sql, chunk, |sql, (m, e, id, _)| {
            sql.text(m).push(", ").text(e).push(", ").text(id);
        });
        sql.push(
            ") AS v WHERE events.merchant_id = v.column1 AND events.env = v.column2 AND events.id = v.column3",
        );
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
    // Per enabled endpoint with room, its oldest due and unleased deliveries: one index range
    // scan each (`webhook_deliveries_endpoint_due`), whatever the backlog, in a UNION ALL of up to
    // 32 endpoints per statement. A disabled endpoint's deliveries wait until it is enabled again.
    let endpoints: Vec<(String, String, String)> =
        sqlx::query("SELECT merchant_id, env, id FROM webhook_endpoints WHERE status = 'enabled'")
            .fetch_all(&mut *conn)
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
    // Endpoints with room, in a random order so that no endpoint is always served last.
    let mut wanted: Vec<((String, String, String), i64)> = endpoints
        .into_iter()
        .filter_map(|ep| {
            let room = allowance
                .get(&ep)
                .copied()
                .unwrap_or(usize::MAX)
                .min(usize::try_from(per_endpoint).unwrap_or(0));
            (room > 0).then(|| (ep, i64::try_from(room).unwrap_or(0)))
        })
        .collect();
    {
        use rand::seq::SliceRandom;
        wanted.shuffle(&mut rand::thread_rng());
    }
    let mut keys: Vec<(String, String, String)> = Vec::new();
    for chunk in wanted.chunks(32) {
        if keys.len() >= limit {
            break;
        }
        let mut sql = Sql::new("");
        for (i, ((m, e, ep), room)) in chunk.iter().enumerate() {
            if i > 0 {
                sql.push(" UNION ALL ");
            }
            sql.push("SELECT * FROM (SELECT merchant_id, env, id FROM webhook_deliveries WHERE merchant_id = ")
                .text(m)
                .push(" AND env = ")
                .text(e)
                .push(" AND endpoint_id = ")
                .text(ep)
                .push(" AND next_attempt_us IS NOT NULL AND next_attempt_us <= ")
                .push_int(now_us)
                .push(" AND (lease_us IS NULL OR lease_us < ")
                .push_int(lease_now_us)
                .push(") ORDER BY next_attempt_us LIMIT ")
                .push_int(*room)
                .push(&format!(") AS q{i}"));
        }
        for r in sql.fetch_all_on(&mut *conn).await? {
            keys.push((
                r.try_get("merchant_id")?,
                r.try_get("env")?,
                r.try_get("id")?,
            ));
        }
    }
    keys.truncate(limit);
    let mut out = Vec::new();
    for chunk in chunks_pow2(&keys) {
        // UPDATE … FROM (VALUES …): a primary-key lookup per row on both backends.
        let mut sql = Sql::new("UPDATE webhook_deliveries SET lease_us = ");
        sql.push_int(lease_until_us).push(" FROM (VALUES ");
        values(&mut sql, chunk, |sql, (m, e, id)| {
            sql.text(m).push(", ").text(e).push(", ").text(id);
        });
        sql.push(
            ") AS v WHERE webhook_deliveries.merchant_id = v.column1 AND webhook_deliveries.env = v.column2 \
             AND webhook_deliveries.id = v.column3 AND (webhook_deliveries.lease_us IS NULL OR webhook_deliveries.lease_us < ",
        )
        .push_int(lease_now_us)
        .push(") AND webhook_deliveries.next_attempt_us <= ")
        .push_int(now_us)
        .push(
            " RETURNING webhook_deliveries.merchant_id, webhook_deliveries.env, webhook_deliveries.id, \
             webhook_deliveries.endpoint_id, webhook_deliveries.event_id, webhook_deliveries.event_type, \
             webhook_deliveries.status, webhook_deliveries.attempts",
        );
        let mut claimed = Vec::new();
        for r in sql.fetch_all_on(&mut *conn).await? {
            let m: String = r.try_get("merchant_id")?;
            let e: String = r.try_get("env")?;
            claimed.push(Claimed {
                tenant: Tenant::from_stored(&m, &e)?,
                id: r.try_get("id")?,
                endpoint_id: r.try_get("endpoint_id")?,
                event_id: r.try_get("event_id")?,
                event_type: r.try_get("event_type")?,
                status: r.try_get("status")?,
                attempts: r.try_get("attempts")?,
                url: String::new(),
                endpoint_status: String::new(),
                secret_ciphertext: String::new(),
                previous_secret_ciphertext: None,
                previous_expires_us: None,
                body: String::new(),
            });
        }
        if claimed.is_empty() {
            continue;
        }
        // The endpoints, then the event bodies, each by its whole primary key from a VALUES list
        // and joined with nothing else: in a three-way join PostgreSQL without fresh statistics
        // (a bulk load before autovacuum analyzed it) walked an index by `(merchant_id, env)`
        // alone, scanning the merchant's whole backlog per delivery.
        let endpoint_keys: Vec<Key> = claimed
            .iter()
            .map(|c| tenant_key(&c.tenant, &c.endpoint_id))
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        let endpoints = endpoint_details(&mut *conn, &endpoint_keys).await?;
        // An endpoint deleted in the same instant (another node) takes its deliveries with it:
        // its delete cancels them, so they are never claimed again.
        claimed.retain_mut(|c| {
            let key = tenant_key(&c.tenant, &c.endpoint_id);
            let Some((url, status, secret, previous, previous_expires)) = endpoints.get(&key)
            else {
                return false;
            };
            c.url.clone_from(url);
            c.endpoint_status.clone_from(status);
            c.secret_ciphertext.clone_from(secret);
            c.previous_secret_ciphertext.clone_from(previous);
            c.previous_expires_us = *previous_expires;
            true
        });
        let event_keys: Vec<Key> = claimed
            .iter()
            .map(|c| tenant_key(&c.tenant, &c.event_id))
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        let bodies = event_bodies(&mut *conn, &event_keys).await?;
        for mut c in claimed {
            let key = tenant_key(&c.tenant, &c.event_id);
            let Some(body) = bodies.get(&key) else {
                return Err(crate::StoreError::Corrupt(
                    "a delivery's event is missing".into(),
                ));
            };
            c.body.clone_from(body);
            out.push(c);
        }
    }
    Ok(out)
}

/// A tenant-scoped key: (merchant, env, id).
type Key = (String, String, String);

fn tenant_key(t: &Tenant, id: &str) -> Key {
    (t.m().to_owned(), t.e().to_owned(), id.to_owned())
}

/// What the dispatcher needs of an endpoint: url, status, secret, previous secret and its expiry.
type EndpointDetails = (String, String, String, Option<String>, Option<i64>);

/// Endpoints by their whole primary key, from a `VALUES` list joined with nothing else (see
/// `claim_due` for why).
async fn endpoint_details(
    conn: &mut AnyConnection,
    keys: &[Key],
) -> Result<HashMap<Key, EndpointDetails>> {
    let mut out = HashMap::new();
    for chunk in chunks_pow2(keys) {
        let mut sql = Sql::new(
            "SELECT w.merchant_id, w.env, w.id, w.url, w.status, w.secret_ciphertext, \
             w.previous_secret_ciphertext, w.previous_expires_us FROM (VALUES ",
        );
        values(&mut sql, chunk, |sql, (m, e, id)| {
            sql.text(m).push(", ").text(e).push(", ").text(id);
        });
        sql.push(
            ") AS v JOIN webhook_endpoints w ON w.merchant_id = v.column1 AND w.env = v.column2 AND w.id = v.column3",
        );
        for r in sql.fetch_all_on(&mut *conn).await? {
            out.insert(
                (
                    r.try_get("merchant_id")?,
                    r.try_get("env")?,
                    r.try_get("id")?,
                ),
                (
                    r.try_get("url")?,
                    r.try_get("status")?,
                    r.try_get("secret_ciphertext")?,
                    r.try_get("previous_secret_ciphertext")?,
                    r.try_get("previous_expires_us")?,
                ),
            );
        }
    }
    Ok(out)
}

/// Event bodies by their whole primary key (as `endpoint_details`).
async fn event_bodies(conn: &mut AnyConnection, keys: &[Key]) -> Result<HashMap<Key, String>> {
    let mut out = HashMap::new();
    for chunk in chunks_pow2(keys) {
        let mut sql = Sql::new("SELECT ev.merchant_id, ev.env, ev.id, ev.body FROM (VALUES ");
        values(&mut sql, chunk, |sql, (m, e, id)| {
            sql.text(m).push(", ").text(e).push(", ").text(id);
        });
        sql.push(
            ") AS v JOIN events ev ON ev.merchant_id = v.column1 AND ev.env = v.column2 AND ev.id = v.column3",
        );
        for r in sql.fetch_all_on(&mut *conn).await? {
            out.insert(
                (
                    r.try_get("merchant_id")?,
                    r.try_get("env")?,
                    r.try_get("id")?,
                ),
                r.try_get("body")?,
            );
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

/// Writes many attempts and their deliveries' new states in a constant number of statements
/// (per power-of-two chunk): one multi-row insert into the attempt log, one `UPDATE … FROM
/// (VALUES …)` of the deliveries (releasing their leases). Attempts already recorded are kept.
pub async fn record_attempts(
    conn: &mut AnyConnection,
    rows: &[(Tenant, String, AttemptOutcome)],
    now_us: i64,
) -> Result<()> {
    for chunk in chunks_pow2(rows) {
        let mut sql = Sql::new(
            "INSERT INTO webhook_attempts (merchant_id, env, delivery_id, attempt, started_us, latency_us, \
             status_code, response_body, error_class) VALUES ",
        );
        values(&mut sql, chunk, |sql, (t, id, o)| {
            sql.text(t.m())
                .push(", ")
                .text(t.e())
                .push(", ")
                .text(id)
                .push(", ")
                .push_int(o.attempt)
                .push(", ")
                .push_int(o.started_us)
                .push(", ")
                .push_int(o.latency_us)
                .push(", ")
                .opt_int(o.status_code)
                .push(", ")
                .opt_text(o.response_body.as_deref())
                .push(", ")
                .opt_text(o.error_class.as_deref());
        });
        sql.push(" ON CONFLICT (merchant_id, env, delivery_id, attempt) DO NOTHING");
        sql.execute_on(&mut *conn).await?;

        // Typed casts: a VALUES column that is NULL in every row would otherwise be text on
        // PostgreSQL.
        let mut sql = Sql::new(
            "UPDATE webhook_deliveries SET status = v.column4, attempts = v.column5, \
             next_attempt_us = v.column6, lease_us = NULL, last_status_code = v.column7, \
             last_error = v.column8, updated_us = ",
        );
        sql.push_int(now_us).push(" FROM (VALUES ");
        values(&mut sql, chunk, |sql, (t, id, o)| {
            sql.text(t.m())
                .push(", ")
                .text(t.e())
                .push(", ")
                .text(id)
                .push(", ")
                .text(&o.new_status)
                .push(", CAST(")
                .push_int(o.attempt)
                .push(" AS BIGINT), CAST(")
                .opt_int(o.next_attempt_us)
                .push(" AS BIGINT), CAST(")
                .opt_int(o.status_code)
                .push(" AS BIGINT), CAST(")
                .opt_text(o.error_class.as_deref())
                .push(" AS TEXT)");
        });
        sql.push(
            ") AS v WHERE webhook_deliveries.merchant_id = v.column1 AND webhook_deliveries.env = v.column2 \
             AND webhook_deliveries.id = v.column3 AND webhook_deliveries.status <> 'canceled'",
        );
        sql.execute_on(&mut *conn).await?;
    }
    Ok(())
}

/// Gives claimed deliveries back without an attempt (a stopping node): due again at once.
pub async fn release_leases(conn: &mut AnyConnection, rows: &[(Tenant, String)]) -> Result<()> {
    for chunk in chunks_pow2(rows) {
        let mut sql = Sql::new("UPDATE webhook_deliveries SET lease_us = NULL FROM (VALUES ");
        values(&mut sql, chunk, |sql, (t, id)| {
            sql.text(t.m()).push(", ").text(t.e()).push(", ").text(id);
        });
        sql.push(
            ") AS v WHERE webhook_deliveries.merchant_id = v.column1 AND webhook_deliveries.env = v.column2 \
             AND webhook_deliveries.id = v.column3",
        );
        sql.execute_on(&mut *conn).await?;
    }
    Ok(())
}

/// Clears the failure clock of endpoints that just delivered successfully.
pub async fn clear_failing(conn: &mut AnyConnection, endpoints: &[(Tenant, String)]) -> Result<()> {
    for chunk in chunks_pow2(endpoints) {
        let mut sql =
            Sql::new("UPDATE webhook_endpoints SET failing_since_us = NULL FROM (VALUES ");
        values(&mut sql, chunk, |sql, (t, id)| {
            sql.text(t.m()).push(", ").text(t.e()).push(", ").text(id);
        });
        sql.push(
            ") AS v WHERE webhook_endpoints.merchant_id = v.column1 AND webhook_endpoints.env = v.column2 \
             AND webhook_endpoints.id = v.column3 AND webhook_endpoints.failing_since_us IS NOT NULL",
        );
        sql.execute_on(&mut *conn).await?;
    }
    Ok(())
}

/// Starts the failure clock of endpoints that just failed (where not running) and returns when
/// each endpoint's clock started.
pub async fn start_failing(
    conn: &mut AnyConnection,
    endpoints: &[(Tenant, String)],
    now_us: i64,
) -> Result<HashMap<(String, String, String), i64>> {
    let mut out = HashMap::new();
    for chunk in chunks_pow2(endpoints) {
        // Joins from the VALUES list (primary-key lookups), not `IN (VALUES …)` (a table scan on
        // SQLite).
        let mut sql = Sql::new("UPDATE webhook_endpoints SET failing_since_us = ");
        sql.push_int(now_us).push(" FROM (VALUES ");
        values(&mut sql, chunk, |sql, (t, id)| {
            sql.text(t.m()).push(", ").text(t.e()).push(", ").text(id);
        });
        sql.push(
            ") AS v WHERE webhook_endpoints.merchant_id = v.column1 AND webhook_endpoints.env = v.column2 \
             AND webhook_endpoints.id = v.column3 AND webhook_endpoints.failing_since_us IS NULL",
        );
        sql.execute_on(&mut *conn).await?;
        let mut sql =
            Sql::new("SELECT w.merchant_id, w.env, w.id, w.failing_since_us FROM (VALUES ");
        values(&mut sql, chunk, |sql, (t, id)| {
            sql.text(t.m()).push(", ").text(t.e()).push(", ").text(id);
        });
        sql.push(
            ") AS v JOIN webhook_endpoints w ON w.merchant_id = v.column1 AND w.env = v.column2 AND w.id = v.column3",
        );
        for r in sql.fetch_all_on(&mut *conn).await? {
            let since: Option<i64> = r.try_get("failing_since_us")?;
            if let Some(since) = since {
                out.insert(
                    (
                        r.try_get("merchant_id")?,
                        r.try_get("env")?,
                        r.try_get("id")?,
                    ),
                    since,
                );
            }
        }
    }
    Ok(out)
}
