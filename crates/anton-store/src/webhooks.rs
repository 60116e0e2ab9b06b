//! Webhook endpoints, the delivery outbox and the attempt log (DESIGN.md §5).
//!
//! Events are the outbox: `events.fanout_us` is NULL until [`fan_out`] has created one delivery per
//! subscribed endpoint. Deliveries are claimed by [`claim_due`] with a lease (a conditional
//! `UPDATE`, safe with several dispatchers on PostgreSQL and taken over when it expires), and the
//! outcomes of attempts are written by [`record_attempts`]. The dispatcher's functions take a
//! [`BatchConn`] (they run as native write jobs) and build their row sets with
//! [`rows_from`]/[`rows_insert`], so they bind arrays on PostgreSQL's job lane.

use std::collections::{HashMap, HashSet};

use anton_core::id::{DeliveryId, WebhookEndpointId};
use sqlx::any::AnyRow;
use sqlx::{Any, AnyConnection, Executor, Row};

use crate::list::{
    chunks_for, chunks_pow2, rows_from, rows_insert, values, BatchConn, Page, RowGet, Sql,
};
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

fn endpoint_from_row(r: &dyn RowGet) -> Result<EndpointRecord> {
    Ok(EndpointRecord {
        id: WebhookEndpointId::parse(&r.text("id")?)
            .map_err(|_| crate::StoreError::Corrupt("webhook endpoint id".into()))?,
        url: r.text("url")?,
        enabled_events: r.text("enabled_events")?,
        description: r.opt_text("description")?,
        status: r.text("status")?,
        secret_ciphertext: r.text("secret_ciphertext")?,
        previous_secret_ciphertext: r.opt_text("previous_secret_ciphertext")?,
        previous_expires_us: r.opt_int("previous_expires_us")?,
        failing_since_us: r.opt_int("failing_since_us")?,
        created_us: r.int("created_us")?,
        updated_us: r.int("updated_us")?,
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
    row.as_ref().map(|r| endpoint_from_row(r)).transpose()
}

/// [`get_endpoint`] inside a write job on a [`BatchConn`].
pub async fn get_endpoint_on(
    conn: &mut BatchConn<'_>,
    t: &Tenant,
    id: &str,
) -> Result<Option<EndpointRecord>> {
    let mut sql = Sql::for_batch(
        conn,
        &format!("SELECT {ENDPOINT_COLUMNS} FROM webhook_endpoints WHERE merchant_id = "),
    );
    sql.text(t.m())
        .push(" AND env = ")
        .text(t.e())
        .push(" AND id = ")
        .text(id);
    Ok(sql.fetch_batch(conn, endpoint_from_row).await?.pop())
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
        .map(|r| endpoint_from_row(r))
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
    /// Claimed at creation by the dispatcher that fans it out (see [`fan_out`]).
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
                .text(&d.endpoint_id)
                .push(", ")
                .text(&d.event_id)
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

/// What one [`fan_out`] did.
#[derive(Debug, Clone)]
pub struct FanOut {
    /// Events fanned out (and marked).
    pub events: usize,
    /// Deliveries created.
    pub deliveries: usize,
    /// More events may be waiting (a limit was reached).
    pub more: bool,
    /// The new deliveries claimed at creation (see [`DirectClaim`]).
    pub claimed: Vec<Claimed>,
}

/// Lets [`fan_out`] claim the deliveries it creates, as [`claim_due`] would (same lease, same
/// per-endpoint room): they are inserted already leased and handed to the dispatcher with their
/// endpoint and body, with no claim statement, lease update or detail read of their own. Only
/// room left after the claim of older due deliveries is used, so a fresh event never starves a
/// backlog of retries.
#[derive(Debug, Clone, Copy)]
pub struct DirectClaim<'a> {
    pub lease_until_us: i64,
    /// Most deliveries claimed in all.
    pub limit: usize,
    /// Most per endpoint, for endpoints not in `room`.
    pub per_endpoint: usize,
    /// What each listed endpoint `(merchant, env, endpoint)` may still take (more or less than
    /// `per_endpoint`).
    pub room: &'a HashMap<(String, String, String), usize>,
}

impl DirectClaim<'_> {
    /// What `endpoint` may take in this fan-out.
    fn room_of(&self, endpoint: &Key) -> usize {
        self.room
            .get(endpoint)
            .copied()
            .unwrap_or(self.per_endpoint)
    }

    /// Whether one more new delivery to `endpoint` is claimed, given what this fan-out claimed so
    /// far (`claimed` in all, `taken` per endpoint); if so, counts it.
    fn admits(&self, endpoint: Key, claimed: usize, taken: &mut HashMap<Key, usize>) -> bool {
        if claimed >= self.limit {
            return false;
        }
        let room = self.room_of(&endpoint);
        let n = taken.entry(endpoint).or_insert(0);
        if *n >= room {
            return false;
        }
        *n += 1;
        true
    }
}

/// Creates the deliveries of up to `limit` events not fanned out yet, oldest first, and marks
/// those events; it stops after the event that brings the deliveries to `max_deliveries` (so one
/// write job stays short whatever the number of endpoints: with 100 endpoints, 512 events were
/// 51,200 inserts, a second and more during which the node claimed nothing), and with a direct
/// claim before an event with subscribers once its `limit` is used up. Runs as a writer
/// job, so on SQLite it is the only writer; on PostgreSQL the `FOR UPDATE SKIP LOCKED` lets
/// several nodes share the work.
pub async fn fan_out(
    conn: &mut BatchConn<'_>,
    backend: crate::Backend,
    now_us: i64,
    limit: i64,
    max_deliveries: usize,
    direct: Option<DirectClaim<'_>>,
) -> Result<FanOut> {
    let mut sql = Sql::for_batch(
        conn,
        "SELECT merchant_id, env, id, type, body FROM events WHERE fanout_us IS NULL ORDER BY created_us LIMIT ",
    );
    sql.bind(crate::list::Arg::Int(limit));
    if backend == crate::Backend::Postgres {
        sql.push(" FOR UPDATE SKIP LOCKED");
    }
    let events: Vec<(String, String, String, String, String)> = sql
        .fetch_batch(conn, |r| {
            Ok((
                r.text("merchant_id")?,
                r.text("env")?,
                r.text("id")?,
                r.text("type")?,
                r.text("body")?,
            ))
        })
        .await?;
    if events.is_empty() {
        return Ok(FanOut {
            events: 0,
            deliveries: 0,
            more: false,
            claimed: Vec::new(),
        });
    }
    let read = events.len();
    let tenants: HashSet<(String, String)> = events
        .iter()
        .map(|(m, e, _, _, _)| (m.clone(), e.clone()))
        .collect();
    // Per tenant: its enabled endpoints (id, enabled_events, details).
    type Subscribers = Vec<(String, String, EndpointDetails)>;
    let mut endpoints: HashMap<(String, String), Subscribers> = HashMap::new();
    for (m, e) in &tenants {
        let mut sql = Sql::for_batch(
            conn,
            "SELECT id, enabled_events, url, status, secret_ciphertext, previous_secret_ciphertext, \
             previous_expires_us FROM webhook_endpoints WHERE merchant_id = ",
        );
        sql.text(m)
            .push(" AND env = ")
            .text(e)
            .push(" AND status = 'enabled'");
        let list = sql
            .fetch_batch(conn, |r| {
                Ok((
                    r.text("id")?,
                    r.text("enabled_events")?,
                    (
                        r.text("url")?,
                        r.text("status")?,
                        r.text("secret_ciphertext")?,
                        r.opt_text("previous_secret_ciphertext")?,
                        r.opt_int("previous_expires_us")?,
                    ),
                ))
            })
            .await?;
        endpoints.insert((m.clone(), e.clone()), list);
    }
    let mut deliveries = Vec::new();
    let mut claimed = Vec::new();
    // Direct claims so far per endpoint.
    let mut taken: HashMap<Key, usize> = HashMap::new();
    let mut handled = 0;
    for (m, e, id, ty, body) in &events {
        if deliveries.len() >= max_deliveries {
            break;
        }
        let subscribers: Vec<_> = endpoints
            .get(&(m.clone(), e.clone()))
            .map(|list| {
                list.iter()
                    .filter(|(_, enabled, _)| subscribed(enabled, ty))
                    .collect()
            })
            .unwrap_or_default();
        // With a direct claim, the node's room for new deliveries: once it is used up, the events
        // wait here, in the outbox, rather than as deliveries written now and again when claimed.
        // (Not an endpoint's room: events behind a full endpoint's would wait too — a dead
        // endpoint would hold up every other one. Its new deliveries are written unleased.)
        // Events without subscribers are marked whatever the room.
        if direct.is_some_and(|d| claimed.len() >= d.limit) && !subscribers.is_empty() {
            break;
        }
        handled += 1;
        if subscribers.is_empty() {
            continue;
        }
        let tenant = Tenant::from_stored(m, e)?;
        for (endpoint_id, _, details) in subscribers {
            let mut d = NewDelivery {
                tenant: tenant.clone(),
                id: DeliveryId::generate(),
                endpoint_id: endpoint_id.clone(),
                event_id: id.clone(),
                event_type: ty.clone(),
                next_attempt_us: now_us,
                lease_us: None,
                created_us: now_us,
            };
            let key = || (m.clone(), e.clone(), endpoint_id.clone());
            if let Some(direct) = direct.filter(|c| c.admits(key(), claimed.len(), &mut taken)) {
                d.lease_us = Some(direct.lease_until_us);
                let (url, status, secret, previous, previous_expires) = details;
                claimed.push(Claimed {
                    tenant: tenant.clone(),
                    id: d.id.as_str().to_owned(),
                    endpoint_id: endpoint_id.clone(),
                    event_id: id.clone(),
                    event_type: ty.clone(),
                    status: "pending".into(),
                    attempts: 0,
                    url: url.clone(),
                    endpoint_status: status.clone(),
                    secret_ciphertext: secret.clone(),
                    previous_secret_ciphertext: previous.clone(),
                    previous_expires_us: *previous_expires,
                    body: body.clone(),
                });
            }
            deliveries.push(d);
        }
    }
    let events = &events[..handled];
    insert_deliveries(conn, &deliveries).await?;
    for chunk in chunks_for(conn, events) {
        // UPDATE … FROM (VALUES …): a primary-key lookup per row on both backends.
        let mut sql = Sql::for_batch(conn, "UPDATE events SET fanout_us = ");
        sql.push_int(now_us).push(" FROM ");
        rows_from(&mut sql, chunk, |sql, (m, e, id, _, _)| {
            sql.text(m).push(", ").text(e).push(", ").text(id);
        });
        sql.push(
            " WHERE events.merchant_id = v.column1 AND events.env = v.column2 AND events.id = v.column3",
        );
        sql.execute_batch(conn).await?;
    }
    Ok(FanOut {
        events: handled,
        deliveries: deliveries.len(),
        more: handled < read || i64::try_from(read).is_ok_and(|r| r == limit),
        claimed,
    })
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

/// Endpoints per claim statement (a `UNION ALL` of one index range scan each).
const CLAIM_UNION: usize = 64;

/// Claims due deliveries until `lease_until_us`: at most `per_endpoint` per endpoint (so one
/// endpoint's backlog never fills a claim) and `limit` in all; an endpoint listed in `allowance`
/// (`(merchant, env, endpoint)`) gets at most that many instead (its remaining prefetch and rate
/// budget on this node; 0 skips it). The lease is a conditional
/// `UPDATE`: of two dispatchers racing for a row, exactly one gets it.
/// `now_us` is the schedule's time (deliveries due by then); `lease_now_us` the real time leases
/// are compared with (so a test clock moved forward never expires a running attempt's lease).
pub async fn claim_due(
    conn: &mut BatchConn<'_>,
    now_us: i64,
    lease_now_us: i64,
    lease_until_us: i64,
    per_endpoint: i64,
    limit: usize,
    allowance: &HashMap<(String, String, String), usize>,
) -> Result<Vec<Claimed>> {
    // Per enabled endpoint with room, its oldest due and unleased deliveries: one index range
    // scan each (`webhook_deliveries_endpoint_due`, which holds unleased deliveries only), whatever
    // the backlog and however many are leased, in a UNION ALL of up to CLAIM_UNION endpoints per
    // statement. Before them, deliveries whose lease expired (their node crashed or stalled):
    // they are the oldest work. A disabled endpoint's deliveries wait until it is enabled again.
    let endpoints: Vec<(String, String, String)> = Sql::for_batch(
        conn,
        "SELECT merchant_id, env, id FROM webhook_endpoints WHERE status = 'enabled'",
    )
    .fetch_batch(conn, key_from_row)
    .await?;
    // Endpoints with room, in a random order so that no endpoint is always served last.
    let mut wanted: Vec<((String, String, String), i64)> = endpoints
        .into_iter()
        .filter_map(|ep| {
            let room = allowance
                .get(&ep)
                .copied()
                .unwrap_or(usize::try_from(per_endpoint).unwrap_or(0));
            (room > 0).then(|| (ep, i64::try_from(room).unwrap_or(0)))
        })
        .collect();
    {
        use rand::seq::SliceRandom;
        wanted.shuffle(&mut rand::thread_rng());
    }
    // The claim is shared out evenly: each endpoint gets at most its share of what is left
    // (recomputed per statement, so endpoints with little due leave more to the ones after them).
    // Taking each endpoint's whole room from the first few endpoints instead both read rows only
    // to drop them and left most endpoints idle until a later claim — with every endpoint's
    // concurrency capped, the node's attempts then ran on a handful of endpoints.
    let mut keys = expired_leases(conn, now_us, lease_now_us, limit, &mut wanted).await?;
    wanted.retain(|(_, room)| *room > 0);
    let mut left = wanted.len();
    for chunk in wanted.chunks(CLAIM_UNION) {
        let rest = limit.saturating_sub(keys.len());
        if rest == 0 {
            break;
        }
        let share = i64::try_from(rest.div_ceil(left)).unwrap_or(i64::MAX);
        left -= chunk.len();
        let mut sql = Sql::for_batch(conn, "");
        for (i, ((m, e, ep), room)) in chunk.iter().enumerate() {
            let room = (*room).min(share);
            if i > 0 {
                sql.push(" UNION ALL ");
            }
            sql.push("SELECT * FROM (SELECT merchant_id, env, id FROM webhook_deliveries WHERE merchant_id = ")
                .text(m)
                .push(" AND env = ")
                .text(e)
                .push(" AND endpoint_id = ")
                .text(ep)
                .push(" AND next_attempt_us IS NOT NULL AND lease_us IS NULL AND next_attempt_us <= ")
                .push_int(now_us)
                .push(" ORDER BY next_attempt_us LIMIT ")
                .push_int(room)
                .push(&format!(") AS q{i}"));
        }
        keys.extend(sql.fetch_batch(conn, key_from_row).await?);
    }
    keys.truncate(limit);
    let mut out = Vec::new();
    for chunk in chunks_for(conn, &keys) {
        // UPDATE … FROM (VALUES …): a primary-key lookup per row on both backends.
        let mut sql = Sql::for_batch(conn, "UPDATE webhook_deliveries SET lease_us = ");
        sql.push_int(lease_until_us).push(" FROM ");
        rows_from(&mut sql, chunk, |sql, (m, e, id)| {
            sql.text(m).push(", ").text(e).push(", ").text(id);
        });
        sql.push(
            " WHERE webhook_deliveries.merchant_id = v.column1 AND webhook_deliveries.env = v.column2 \
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
        let mut claimed = sql
            .fetch_batch(conn, |r| {
                Ok(Claimed {
                    tenant: Tenant::from_stored(&r.text("merchant_id")?, &r.text("env")?)?,
                    id: r.text("id")?,
                    endpoint_id: r.text("endpoint_id")?,
                    event_id: r.text("event_id")?,
                    event_type: r.text("event_type")?,
                    status: r.text("status")?,
                    attempts: r.int("attempts")?,
                    url: String::new(),
                    endpoint_status: String::new(),
                    secret_ciphertext: String::new(),
                    previous_secret_ciphertext: None,
                    previous_expires_us: None,
                    body: String::new(),
                })
            })
            .await?;
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
        let endpoints = endpoint_details(conn, &endpoint_keys).await?;
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
        let bodies = event_bodies(conn, &event_keys).await?;
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

/// Due deliveries whose lease expired, oldest lease first (through `webhook_deliveries_leased`,
/// which holds only the leased deliveries: normally an empty range), of the endpoints in `wanted`
/// that still have room; each one taken counts against its endpoint's room there. Disabled
/// endpoints' are skipped in the query; the rest is read a page at a time until `limit` are taken
/// or none is left, so expired leases of endpoints without room (a dead endpoint's, left to lapse)
/// never hide the ones behind them.
async fn expired_leases(
    conn: &mut BatchConn<'_>,
    now_us: i64,
    lease_now_us: i64,
    limit: usize,
    wanted: &mut [(Key, i64)],
) -> Result<Vec<Key>> {
    let page = i64::try_from(limit.max(1)).unwrap_or(i64::MAX);
    let mut room: HashMap<Key, &mut i64> = wanted.iter_mut().map(|(k, r)| (k.clone(), r)).collect();
    let mut keys = Vec::new();
    // Where the last page ended: (lease, merchant, env, id).
    let mut after: Option<(i64, Key)> = None;
    while keys.len() < limit && room.values().any(|left| **left > 0) {
        let mut sql = Sql::for_batch(
            conn,
            "SELECT d.merchant_id, d.env, d.id, d.endpoint_id, d.lease_us FROM webhook_deliveries d \
             JOIN webhook_endpoints w ON w.merchant_id = d.merchant_id AND w.env = d.env \
             AND w.id = d.endpoint_id \
             WHERE d.lease_us IS NOT NULL AND d.next_attempt_us IS NOT NULL AND d.lease_us < ",
        );
        sql.push_int(lease_now_us)
            .push(" AND d.next_attempt_us <= ")
            .push_int(now_us)
            .push(" AND w.status = 'enabled'");
        if let Some((lease, (m, e, id))) = &after {
            sql.push(" AND (d.lease_us > ")
                .push_int(*lease)
                .push(" OR (d.lease_us = ")
                .push_int(*lease)
                .push(" AND (d.merchant_id, d.env, d.id) > (")
                .text(m)
                .push(", ")
                .text(e)
                .push(", ")
                .text(id)
                .push(")))");
        }
        sql.push(" ORDER BY d.lease_us, d.merchant_id, d.env, d.id LIMIT ")
            .push_int(page);
        let expired: Vec<(Key, String, i64)> = sql
            .fetch_batch(conn, |r| {
                Ok((key_from_row(r)?, r.text("endpoint_id")?, r.int("lease_us")?))
            })
            .await?;
        let full = i64::try_from(expired.len()).unwrap_or(i64::MAX) == page;
        for ((m, e, id), endpoint, lease) in expired {
            after = Some((lease, (m.clone(), e.clone(), id.clone())));
            if keys.len() >= limit {
                break;
            }
            if let Some(left) = room.get_mut(&(m.clone(), e.clone(), endpoint)) {
                if **left > 0 {
                    **left -= 1;
                    keys.push((m, e, id));
                }
            }
        }
        if !full {
            break;
        }
    }
    Ok(keys)
}

fn tenant_key(t: &Tenant, id: &str) -> Key {
    (t.m().to_owned(), t.e().to_owned(), id.to_owned())
}

/// What the dispatcher needs of an endpoint: url, status, secret, previous secret and its expiry.
type EndpointDetails = (String, String, String, Option<String>, Option<i64>);

fn key_from_row(r: &dyn RowGet) -> Result<Key> {
    Ok((r.text("merchant_id")?, r.text("env")?, r.text("id")?))
}

/// Endpoints by their whole primary key, from a `VALUES` list joined with nothing else (see
/// `claim_due` for why).
async fn endpoint_details(
    conn: &mut BatchConn<'_>,
    keys: &[Key],
) -> Result<HashMap<Key, EndpointDetails>> {
    let mut out = HashMap::new();
    for chunk in chunks_for(conn, keys) {
        let mut sql = Sql::for_batch(
            conn,
            "SELECT w.merchant_id, w.env, w.id, w.url, w.status, w.secret_ciphertext, \
             w.previous_secret_ciphertext, w.previous_expires_us FROM ",
        );
        rows_from(&mut sql, chunk, |sql, (m, e, id)| {
            sql.text(m).push(", ").text(e).push(", ").text(id);
        });
        sql.push(
            " JOIN webhook_endpoints w ON w.merchant_id = v.column1 AND w.env = v.column2 AND w.id = v.column3",
        );
        let rows = sql
            .fetch_batch(conn, |r| {
                Ok((
                    key_from_row(r)?,
                    (
                        r.text("url")?,
                        r.text("status")?,
                        r.text("secret_ciphertext")?,
                        r.opt_text("previous_secret_ciphertext")?,
                        r.opt_int("previous_expires_us")?,
                    ),
                ))
            })
            .await?;
        out.extend(rows);
    }
    Ok(out)
}

/// Event bodies by their whole primary key (as `endpoint_details`).
async fn event_bodies(conn: &mut BatchConn<'_>, keys: &[Key]) -> Result<HashMap<Key, String>> {
    let mut out = HashMap::new();
    for chunk in chunks_for(conn, keys) {
        let mut sql = Sql::for_batch(conn, "SELECT ev.merchant_id, ev.env, ev.id, ev.body FROM ");
        rows_from(&mut sql, chunk, |sql, (m, e, id)| {
            sql.text(m).push(", ").text(e).push(", ").text(id);
        });
        sql.push(
            " JOIN events ev ON ev.merchant_id = v.column1 AND ev.env = v.column2 AND ev.id = v.column3",
        );
        let rows = sql
            .fetch_batch(conn, |r| Ok((key_from_row(r)?, r.text("body")?)))
            .await?;
        out.extend(rows);
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
    conn: &mut BatchConn<'_>,
    t: &Tenant,
    endpoint_id: &str,
    now_us: i64,
) -> Result<bool> {
    let mut sql = Sql::for_batch(
        conn,
        "UPDATE webhook_endpoints SET status = 'disabled', updated_us = ",
    );
    sql.push_int(now_us)
        .push(" WHERE merchant_id = ")
        .text(t.m())
        .push(" AND env = ")
        .text(t.e())
        .push(" AND id = ")
        .text(endpoint_id)
        .push(" AND status = 'enabled'");
    Ok(sql.execute_batch(conn).await? == 1)
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

/// Whether a delivery of an enabled endpoint is due and not leased (a read, so an idle dispatcher
/// writes nothing). Asked per enabled endpoint through `webhook_deliveries_endpoint_due`, the
/// index claims use; a disabled endpoint's deliveries wait until it is enabled again, so they do
/// not count (the dispatcher would claim nothing for them).
pub async fn any_due(pool: &crate::Pool, now_us: i64, lease_now_us: i64) -> Result<bool> {
    let unleased = sqlx::query(
        "SELECT 1 AS one FROM webhook_endpoints w WHERE w.status = 'enabled' AND EXISTS (\
         SELECT 1 FROM webhook_deliveries d WHERE d.merchant_id = w.merchant_id AND d.env = w.env \
         AND d.endpoint_id = w.id AND d.next_attempt_us IS NOT NULL AND d.lease_us IS NULL \
         AND d.next_attempt_us <= $1) LIMIT 1",
    )
    .bind(now_us)
    .fetch_optional(pool)
    .await?;
    if unleased.is_some() {
        return Ok(true);
    }
    // Expired leases, through `webhook_deliveries_leased` (see `expired_leases`).
    Ok(sqlx::query(
        "SELECT 1 AS one FROM webhook_deliveries d JOIN webhook_endpoints w \
         ON w.merchant_id = d.merchant_id AND w.env = d.env AND w.id = d.endpoint_id \
         WHERE d.lease_us IS NOT NULL AND d.next_attempt_us IS NOT NULL AND d.lease_us < $1 \
         AND d.next_attempt_us <= $2 AND w.status = 'enabled' LIMIT 1",
    )
    .bind(lease_now_us)
    .bind(now_us)
    .fetch_optional(pool)
    .await?
    .is_some())
}

/// Writes many attempts and their deliveries' new states in a constant number of statements
/// (per power-of-two chunk): one multi-row insert into the attempt log, one `UPDATE … FROM
/// (VALUES …)` of the deliveries (releasing their leases). Attempts already recorded are kept.
pub async fn record_attempts(
    conn: &mut BatchConn<'_>,
    rows: &[(Tenant, String, AttemptOutcome)],
    now_us: i64,
) -> Result<()> {
    for chunk in chunks_for(conn, rows) {
        let mut sql = Sql::for_batch(
            conn,
            "INSERT INTO webhook_attempts (merchant_id, env, delivery_id, attempt, started_us, latency_us, \
             status_code, response_body, error_class) ",
        );
        rows_insert(&mut sql, chunk, |sql, (t, id, o)| {
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
        sql.execute_batch(conn).await?;

        // Typed casts: a VALUES column that is NULL in every row would otherwise be text on
        // PostgreSQL (array row sets are typed already; the casts' text is not part of them).
        let mut sql = Sql::for_batch(
            conn,
            "UPDATE webhook_deliveries SET status = v.column4, attempts = v.column5, \
             next_attempt_us = v.column6, lease_us = NULL, last_status_code = v.column7, \
             last_error = v.column8, updated_us = ",
        );
        sql.push_int(now_us).push(" FROM ");
        rows_from(&mut sql, chunk, |sql, (t, id, o)| {
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
            " WHERE webhook_deliveries.merchant_id = v.column1 AND webhook_deliveries.env = v.column2 \
             AND webhook_deliveries.id = v.column3 AND webhook_deliveries.status <> 'canceled'",
        );
        sql.execute_batch(conn).await?;
    }
    Ok(())
}

/// Gives claimed deliveries back without an attempt (a stopping node): due again at once.
pub async fn release_leases(conn: &mut BatchConn<'_>, rows: &[(Tenant, String)]) -> Result<()> {
    for chunk in chunks_for(conn, rows) {
        let mut sql = Sql::for_batch(conn, "UPDATE webhook_deliveries SET lease_us = NULL FROM ");
        rows_from(&mut sql, chunk, |sql, (t, id)| {
            sql.text(t.m()).push(", ").text(t.e()).push(", ").text(id);
        });
        sql.push(
            " WHERE webhook_deliveries.merchant_id = v.column1 AND webhook_deliveries.env = v.column2 \
             AND webhook_deliveries.id = v.column3",
        );
        sql.execute_batch(conn).await?;
    }
    Ok(())
}

/// Clears the failure clock of endpoints that just delivered successfully.
pub async fn clear_failing(conn: &mut BatchConn<'_>, endpoints: &[(Tenant, String)]) -> Result<()> {
    for chunk in chunks_for(conn, endpoints) {
        let mut sql = Sql::for_batch(
            conn,
            "UPDATE webhook_endpoints SET failing_since_us = NULL FROM ",
        );
        rows_from(&mut sql, chunk, |sql, (t, id)| {
            sql.text(t.m()).push(", ").text(t.e()).push(", ").text(id);
        });
        sql.push(
            " WHERE webhook_endpoints.merchant_id = v.column1 AND webhook_endpoints.env = v.column2 \
             AND webhook_endpoints.id = v.column3 AND webhook_endpoints.failing_since_us IS NOT NULL",
        );
        sql.execute_batch(conn).await?;
    }
    Ok(())
}

/// Starts the failure clock of endpoints that just failed (where not running) and returns when
/// each endpoint's clock started.
pub async fn start_failing(
    conn: &mut BatchConn<'_>,
    endpoints: &[(Tenant, String)],
    now_us: i64,
) -> Result<HashMap<(String, String, String), i64>> {
    let mut out = HashMap::new();
    for chunk in chunks_for(conn, endpoints) {
        // Joins from the VALUES list (primary-key lookups), not `IN (VALUES …)` (a table scan on
        // SQLite).
        let mut sql = Sql::for_batch(conn, "UPDATE webhook_endpoints SET failing_since_us = ");
        sql.push_int(now_us).push(" FROM ");
        rows_from(&mut sql, chunk, |sql, (t, id)| {
            sql.text(t.m()).push(", ").text(t.e()).push(", ").text(id);
        });
        sql.push(
            " WHERE webhook_endpoints.merchant_id = v.column1 AND webhook_endpoints.env = v.column2 \
             AND webhook_endpoints.id = v.column3 AND webhook_endpoints.failing_since_us IS NULL",
        );
        sql.execute_batch(conn).await?;
        let mut sql = Sql::for_batch(
            conn,
            "SELECT w.merchant_id, w.env, w.id, w.failing_since_us FROM ",
        );
        rows_from(&mut sql, chunk, |sql, (t, id)| {
            sql.text(t.m()).push(", ").text(t.e()).push(", ").text(id);
        });
        sql.push(
            " JOIN webhook_endpoints w ON w.merchant_id = v.column1 AND w.env = v.column2 AND w.id = v.column3",
        );
        let rows = sql
            .fetch_batch(conn, |r| {
                Ok((key_from_row(r)?, r.opt_int("failing_since_us")?))
            })
            .await?;
        out.extend(
            rows.into_iter()
                .filter_map(|(k, since)| since.map(|s| (k, s))),
        );
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    //! The claim and fan-out rules, on a SQLite file through the native writer (the same
    //! functions run on PostgreSQL through the API tests).
    use super::*;
    use crate::Store;

    const M: &str = "mer_test";

    /// Runs `sql` statements in one native write job.
    async fn exec(store: &Store, statements: Vec<String>) {
        store
            .write_native(move |c| {
                Box::pin(async move {
                    for s in &statements {
                        Sql::for_batch(c, s).execute_batch(c).await?;
                    }
                    Ok(())
                })
            })
            .await
            .unwrap();
    }

    /// The single number a `SELECT COUNT(*) …` answers.
    async fn count(store: &Store, sql: &str) -> i64 {
        let (n,): (i64,) = sqlx::query_as(sql).fetch_one(store.read()).await.unwrap();
        n
    }

    fn endpoint(id: &str) -> String {
        format!(
            "INSERT INTO webhook_endpoints (merchant_id, env, id, url, enabled_events, status, \
             secret_ciphertext, created_us, updated_us) VALUES ('{M}', 'test', '{id}', \
             'https://example.com/{id}', '[\"*\"]', 'enabled', 'ct-{id}', 1, 1)"
        )
    }

    fn event(id: &str, created: i64) -> String {
        format!(
            "INSERT INTO events (merchant_id, env, id, type, object_id, body, created_us) \
             VALUES ('{M}', 'test', '{id}', 'payout.created', 'po_1', '{{\"id\":\"{id}\"}}', {created})"
        )
    }

    fn due_delivery(id: &str, endpoint: &str, event: &str) -> String {
        format!(
            "INSERT INTO webhook_deliveries (merchant_id, env, id, endpoint_id, event_id, event_type, \
             status, attempts, next_attempt_us, created_us, updated_us) VALUES ('{M}', 'test', '{id}', \
             '{endpoint}', '{event}', 'payout.created', 'pending', 0, 5, 5, 5)"
        )
    }

    async fn setup() -> (Store, std::path::PathBuf) {
        let (store, dir) = crate::test_store().await;
        exec(
            &store,
            vec![format!(
                "INSERT INTO merchants (id, name, created_us) VALUES ('{M}', 'Test', 1)"
            )],
        )
        .await;
        (store, dir)
    }

    #[tokio::test]
    async fn a_claim_is_shared_out_evenly_between_endpoints_with_due_deliveries() {
        let (store, dir) = setup().await;
        let mut sql = vec![event("evt_1", 1)];
        for e in 0..4 {
            sql.push(endpoint(&format!("we_{e}")));
            for d in 0..10 {
                sql.push(due_delivery(
                    &format!("dlv_{e}_{d}"),
                    &format!("we_{e}"),
                    "evt_1",
                ));
            }
        }
        exec(&store, sql).await;
        let claimed = store
            .write_native(|c| {
                Box::pin(async move { claim_due(c, 10, 10, 1_000, 80, 8, &HashMap::new()).await })
            })
            .await
            .unwrap();
        let mut per: HashMap<String, usize> = HashMap::new();
        for d in &claimed {
            *per.entry(d.endpoint_id.clone()).or_default() += 1;
            assert_eq!(d.body, "{\"id\":\"evt_1\"}");
            assert_eq!(d.url, format!("https://example.com/{}", d.endpoint_id));
        }
        assert_eq!(claimed.len(), 8);
        assert_eq!(per.len(), 4, "every endpoint gets a share: {per:?}");
        assert!(per.values().all(|n| *n == 2), "{per:?}");
        std::fs::remove_dir_all(dir).ok();
    }

    #[tokio::test]
    async fn a_delivery_is_due_when_unleased_on_an_enabled_endpoint() {
        let (store, dir) = setup().await;
        exec(
            &store,
            vec![
                endpoint("we_1"),
                event("evt_1", 1),
                due_delivery("dlv_1", "we_1", "evt_1"),
            ],
        )
        .await;
        // Due at 5: not yet at 4, due at 10.
        assert!(!any_due(store.read(), 4, 4).await.unwrap());
        assert!(any_due(store.read(), 10, 10).await.unwrap());
        // Leased until 100: not due before then (lease time), due again after.
        exec(
            &store,
            vec!["UPDATE webhook_deliveries SET lease_us = 100".into()],
        )
        .await;
        assert!(!any_due(store.read(), 10, 50).await.unwrap());
        assert!(any_due(store.read(), 10, 101).await.unwrap());
        // A disabled endpoint's deliveries wait until it is enabled again.
        exec(
            &store,
            vec!["UPDATE webhook_endpoints SET status = 'disabled'".into()],
        )
        .await;
        assert!(!any_due(store.read(), 10, 101).await.unwrap());
        std::fs::remove_dir_all(dir).ok();
    }

    #[tokio::test]
    async fn fan_out_claims_new_deliveries_within_each_endpoints_room_and_stops_at_its_delivery_budget(
    ) {
        let (store, dir) = setup().await;
        exec(
            &store,
            vec![
                endpoint("we_full"),
                endpoint("we_free"),
                event("evt_1", 1),
                event("evt_2", 2),
                event("evt_3", 3),
            ],
        )
        .await;
        let fanned = store
            .write_native(|c| {
                Box::pin(async move {
                    let room: HashMap<Key, usize> =
                        [((M.to_owned(), "test".to_owned(), "we_full".to_owned()), 0)].into();
                    let direct = DirectClaim {
                        lease_until_us: 1_000,
                        limit: 10,
                        per_endpoint: 5,
                        room: &room,
                    };
                    // Two endpoints: the budget of 3 deliveries is reached by the second event.
                    fan_out(c, crate::Backend::Sqlite, 10, 100, 3, Some(direct)).await
                })
            })
            .await
            .unwrap();
        assert_eq!(
            (fanned.events, fanned.deliveries, fanned.more),
            (2, 4, true)
        );
        // we_full has no room; we_free has: both of its deliveries are claimed, with what an
        // attempt needs.
        let got: Vec<_> = fanned
            .claimed
            .iter()
            .map(|c| (c.endpoint_id.as_str(), c.event_id.as_str()))
            .collect();
        assert_eq!(got, [("we_free", "evt_1"), ("we_free", "evt_2")]);
        let c = &fanned.claimed[0];
        assert_eq!(c.body, "{\"id\":\"evt_1\"}");
        assert_eq!(c.secret_ciphertext, "ct-we_free");
        let rows: Vec<(String, Option<i64>)> = sqlx::query_as(
            "SELECT id, lease_us FROM webhook_deliveries ORDER BY endpoint_id, event_id",
        )
        .fetch_all(store.read())
        .await
        .unwrap();
        let mut leased: Vec<_> = rows
            .iter()
            .filter(|(_, l)| l.is_some())
            .map(|(id, _)| id.clone())
            .collect();
        leased.sort();
        let mut claimed: Vec<_> = fanned.claimed.iter().map(|c| c.id.clone()).collect();
        claimed.sort();
        assert_eq!(rows.len(), 4);
        assert_eq!(leased, claimed);
        let waiting: Vec<(String,)> =
            sqlx::query_as("SELECT id FROM events WHERE fanout_us IS NULL")
                .fetch_all(store.read())
                .await
                .unwrap();
        assert_eq!(waiting, [("evt_3".to_owned(),)]);
        std::fs::remove_dir_all(dir).ok();
    }

    #[tokio::test]
    async fn fan_out_stops_when_the_nodes_room_is_used_up_and_passes_events_nobody_subscribes_to() {
        let (store, dir) = setup().await;
        exec(
            &store,
            vec![
                endpoint("we_1"),
                endpoint("we_2"),
                // Subscribed to another type: never gets a delivery here, and takes no room.
                format!(
                    "INSERT INTO webhook_endpoints (merchant_id, env, id, url, enabled_events, \
                     status, secret_ciphertext, created_us, updated_us) VALUES ('{M}', 'live', \
                     'we_3', 'https://example.com/we_3', '[\"payout.failed\"]', 'enabled', 'ct', 1, 1)"
                ),
                format!(
                    "INSERT INTO events (merchant_id, env, id, type, object_id, body, created_us) \
                     VALUES ('{M}', 'live', 'evt_0', 'payout.created', 'po_1', '{{}}', 0)"
                ),
                event("evt_1", 1),
                event("evt_2", 2),
                event("evt_3", 3),
            ],
        )
        .await;
        let fan = |limit: usize| {
            let store = store.clone();
            async move {
                store
                    .write_native(move |c| {
                        Box::pin(async move {
                            let room = HashMap::new();
                            let direct = DirectClaim {
                                lease_until_us: 1_000,
                                limit,
                                per_endpoint: 80,
                                room: &room,
                            };
                            fan_out(c, crate::Backend::Sqlite, 10, 100, 1_000, Some(direct)).await
                        })
                    })
                    .await
                    .unwrap()
            }
        };
        // Room for 3: evt_0 (nobody subscribed) passes, evt_1 takes 2, evt_2 the third (its
        // other delivery is written unleased), and evt_3 waits in the outbox instead of becoming
        // deliveries nobody here can claim now.
        let first = fan(3).await;
        assert_eq!(
            (
                first.events,
                first.deliveries,
                first.claimed.len(),
                first.more
            ),
            (3, 4, 3, true)
        );
        // No room at all: nothing is fanned out, and the caller hears that events wait.
        let none = fan(0).await;
        assert_eq!((none.events, none.deliveries, none.more), (0, 0, true));
        let waiting: Vec<(String,)> =
            sqlx::query_as("SELECT id FROM events WHERE fanout_us IS NULL ORDER BY id")
                .fetch_all(store.read())
                .await
                .unwrap();
        assert_eq!(waiting, [("evt_3".to_owned(),)]);
        assert_eq!(
            count(
                &store,
                "SELECT COUNT(*) FROM webhook_deliveries WHERE lease_us IS NULL"
            )
            .await,
            1
        );
        std::fs::remove_dir_all(dir).ok();
    }

    #[tokio::test]
    async fn expired_leases_of_endpoints_without_room_or_disabled_do_not_hide_the_others() {
        let (store, dir) = setup().await;
        let mut sql = vec![
            endpoint("we_full"),
            endpoint("we_off"),
            endpoint("we_1"),
            event("evt_1", 1),
        ];
        for (d, ep) in [
            ("dlv_f0", "we_full"),
            ("dlv_f1", "we_full"),
            ("dlv_o0", "we_off"),
            ("dlv_o1", "we_off"),
            ("dlv_a0", "we_1"),
        ] {
            sql.push(due_delivery(d, ep, "evt_1"));
        }
        // All leases expired (at 100); the full endpoint's and the disabled one's are the oldest.
        sql.push(
            "UPDATE webhook_deliveries SET lease_us = 10 WHERE endpoint_id = 'we_full'".into(),
        );
        sql.push("UPDATE webhook_deliveries SET lease_us = 20 WHERE endpoint_id = 'we_off'".into());
        sql.push("UPDATE webhook_deliveries SET lease_us = 40 WHERE endpoint_id = 'we_1'".into());
        sql.push("UPDATE webhook_endpoints SET status = 'disabled' WHERE id = 'we_off'".into());
        exec(&store, sql).await;
        let allowance: HashMap<Key, usize> =
            [((M.to_owned(), "test".to_owned(), "we_full".to_owned()), 0)]
                .into_iter()
                .collect();
        let claimed: Vec<String> = store
            .write_native(move |c| {
                Box::pin(async move { claim_due(c, 30, 100, 1_000, 80, 2, &allowance).await })
            })
            .await
            .unwrap()
            .into_iter()
            .map(|d| d.id)
            .collect();
        assert_eq!(claimed, ["dlv_a0"]);
        std::fs::remove_dir_all(dir).ok();
    }

    #[tokio::test]
    async fn a_claim_takes_expired_leases_first_then_unleased_deliveries_never_live_leases() {
        let (store, dir) = setup().await;
        let mut sql = vec![endpoint("we_1"), event("evt_1", 1)];
        for d in 0..6 {
            sql.push(due_delivery(&format!("dlv_{d}"), "we_1", "evt_1"));
        }
        // dlv_0 and dlv_1: leased until 50 (expired at 100); dlv_2: leased until 500 (live).
        sql.push(
            "UPDATE webhook_deliveries SET lease_us = 50 WHERE id IN ('dlv_0', 'dlv_1')".into(),
        );
        sql.push("UPDATE webhook_deliveries SET lease_us = 500 WHERE id = 'dlv_2'".into());
        // dlv_3: unleased but due only at 20 (earliest of the unleased is dlv_4, dlv_5 at 5).
        sql.push("UPDATE webhook_deliveries SET next_attempt_us = 20 WHERE id = 'dlv_3'".into());
        exec(&store, sql).await;
        let claim = |limit: usize| {
            let store = store.clone();
            async move {
                let mut ids: Vec<String> = store
                    .write_native(move |c| {
                        Box::pin(async move {
                            claim_due(c, 30, 100, 1_000, 80, limit, &HashMap::new()).await
                        })
                    })
                    .await
                    .unwrap()
                    .into_iter()
                    .map(|d| d.id)
                    .collect();
                ids.sort();
                ids
            }
        };
        assert_eq!(claim(3).await, ["dlv_0", "dlv_1", "dlv_4"]);
        assert_eq!(claim(10).await, ["dlv_3", "dlv_5"]);
        // Everything is leased now (dlv_2 by its own live lease): nothing is due.
        assert!(claim(10).await.is_empty());
        assert!(!any_due(store.read(), 30, 100).await.unwrap());
        assert_eq!(
            count(
                &store,
                "SELECT COUNT(*) FROM webhook_deliveries WHERE lease_us = 1000"
            )
            .await,
            5
        );
        std::fs::remove_dir_all(dir).ok();
    }
}
