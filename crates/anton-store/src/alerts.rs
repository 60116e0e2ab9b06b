//! Per-merchant alerts: the signals the request log's writer and the dispatcher record, the
//! alerts the worker's evaluation makes of them, and the addresses each key was used from.

use anton_core::id::{AlertId, KeyId};
use sqlx::{Any, AnyConnection, Executor};

use crate::list::{chunks_for, rows_insert, BatchConn, Page, RowGet, Sql};
use crate::{Result, StoreError, Tenant};

/// Something a rule watches for, noticed `count` times up to `last_us`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signal {
    pub tenant: Tenant,
    pub rule: &'static str,
    pub subject: String,
    pub count: i64,
    pub last_us: i64,
    /// JSON object text.
    pub detail: String,
}

/// A signal as the evaluation claims it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimedSignal {
    pub tenant: Tenant,
    pub rule: String,
    pub subject: String,
    pub count: i64,
    pub last_us: i64,
    pub detail: String,
}

/// Records signals in the caller's write (a request-log round, a dispatcher's recording).
pub async fn insert_signals(conn: &mut BatchConn<'_>, rows: &[Signal], now_us: i64) -> Result<()> {
    for chunk in chunks_for(conn, rows) {
        let mut sql = Sql::for_batch(
            conn,
            "INSERT INTO alert_signals (id, merchant_id, env, rule, subject, count, created_us, \
             last_us, detail) ",
        );
        rows_insert(&mut sql, chunk, |sql, s| {
            sql.text(&format!("sig_{}", anton_core::random_base62(22)))
                .push(", ")
                .text(s.tenant.m())
                .push(", ")
                .text(s.tenant.e())
                .push(", ")
                .text(s.rule)
                .push(", ")
                .text(&s.subject)
                .push(", ")
                .push_int(s.count)
                .push(", ")
                .push_int(now_us)
                .push(", ")
                .push_int(s.last_us)
                .push(", ")
                .text(&s.detail);
        });
        sql.execute_batch(conn).await?;
    }
    Ok(())
}

/// Claims up to `limit` unprocessed signals, oldest first, marking them processed at `now_us`.
/// Two evaluations claiming at once never claim the same signal: on PostgreSQL the second waits
/// for the first's rows and then finds them processed.
pub async fn claim_signals(
    c: &mut AnyConnection,
    now_us: i64,
    limit: i64,
) -> Result<Vec<ClaimedSignal>> {
    let rows = sqlx::query(
        "UPDATE alert_signals SET processed_us = $1 WHERE processed_us IS NULL AND id IN \
         (SELECT id FROM alert_signals WHERE processed_us IS NULL ORDER BY created_us LIMIT $2) \
         RETURNING merchant_id, env, rule, subject, count, last_us, detail",
    )
    .bind(now_us)
    .bind(limit)
    .fetch_all(&mut *c)
    .await?;
    rows.iter()
        .map(|r| {
            let r: &dyn RowGet = r;
            Ok(ClaimedSignal {
                tenant: Tenant::from_stored(&r.text("merchant_id")?, &r.text("env")?)?,
                rule: r.text("rule")?,
                subject: r.text("subject")?,
                count: r.int("count")?,
                last_us: r.int("last_us")?,
                detail: r.text("detail")?,
            })
        })
        .collect()
}

/// How many times `rule` was noticed for the tenant since `since_us` (claimed or not).
pub async fn window_count(
    c: &mut AnyConnection,
    t: &Tenant,
    rule: &str,
    since_us: i64,
) -> Result<i64> {
    let n: Option<i64> = sqlx::query_scalar(
        "SELECT CAST(SUM(count) AS BIGINT) FROM alert_signals WHERE merchant_id = $1 AND env = $2 AND rule = $3 \
         AND created_us >= $4",
    )
    .bind(t.m())
    .bind(t.e())
    .bind(rule)
    .bind(since_us)
    .fetch_one(&mut *c)
    .await?;
    Ok(n.unwrap_or(0))
}

/// Deletes up to `limit` processed signals recorded before `before_us`; returns how many.
pub async fn delete_processed_before(
    c: &mut AnyConnection,
    before_us: i64,
    limit: i64,
) -> Result<u64> {
    let r = sqlx::query(
        "DELETE FROM alert_signals WHERE id IN (SELECT id FROM alert_signals \
         WHERE processed_us IS NOT NULL AND created_us < $1 LIMIT $2)",
    )
    .bind(before_us)
    .bind(limit)
    .execute(c)
    .await?;
    Ok(r.rows_affected())
}

/// Every address the key has been used from (none: the key's next address is its first).
pub async fn known_addresses(
    conn: &mut BatchConn<'_>,
    t: &Tenant,
    key: &KeyId,
) -> Result<Vec<String>> {
    let mut sql = Sql::for_batch(
        conn,
        "SELECT source_ip FROM api_key_addresses WHERE merchant_id = ",
    );
    sql.text(t.m())
        .push(" AND env = ")
        .text(t.e())
        .push(" AND key_id = ")
        .text(key.as_str());
    sql.fetch_batch(conn, |r| r.text("source_ip")).await
}

/// Records that keys were used from addresses (a pair already known is kept).
pub async fn add_addresses(
    conn: &mut BatchConn<'_>,
    rows: &[(Tenant, KeyId, String)],
    now_us: i64,
) -> Result<()> {
    for chunk in chunks_for(conn, rows) {
        let mut sql = Sql::for_batch(
            conn,
            "INSERT INTO api_key_addresses (merchant_id, env, key_id, source_ip, first_us) ",
        );
        rows_insert(&mut sql, chunk, |sql, (t, k, ip)| {
            sql.text(t.m())
                .push(", ")
                .text(t.e())
                .push(", ")
                .text(k.as_str())
                .push(", ")
                .text(ip)
                .push(", ")
                .push_int(now_us);
        });
        sql.push(" ON CONFLICT (merchant_id, env, key_id, source_ip) DO NOTHING");
        sql.execute_batch(conn).await?;
    }
    Ok(())
}

/// An alert as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertRecord {
    pub tenant: Tenant,
    pub id: AlertId,
    pub rule: String,
    pub subject: String,
    /// `open`, `acknowledged` or `resolved`.
    pub status: String,
    /// JSON object text.
    pub detail: String,
    pub count: i64,
    pub first_seen_us: i64,
    pub last_seen_us: i64,
    pub acknowledged_us: Option<i64>,
    pub acknowledged_by: Option<String>,
    pub resolved_us: Option<i64>,
    pub resolved_by: Option<String>,
    pub created_us: i64,
    pub updated_us: i64,
}

const COLUMNS: &str = "merchant_id, env, id, rule, subject, status, detail, count, first_seen_us, \
     last_seen_us, acknowledged_us, acknowledged_by, resolved_us, resolved_by, created_us, updated_us";

fn from_row(r: &dyn RowGet) -> Result<AlertRecord> {
    Ok(AlertRecord {
        tenant: Tenant::from_stored(&r.text("merchant_id")?, &r.text("env")?)?,
        id: crate::stored(&r.text("id")?, "alert id")?,
        rule: r.text("rule")?,
        subject: r.text("subject")?,
        status: r.text("status")?,
        detail: r.text("detail")?,
        count: r.int("count")?,
        first_seen_us: r.int("first_seen_us")?,
        last_seen_us: r.int("last_seen_us")?,
        acknowledged_us: r.opt_int("acknowledged_us")?,
        acknowledged_by: r.opt_text("acknowledged_by")?,
        resolved_us: r.opt_int("resolved_us")?,
        resolved_by: r.opt_text("resolved_by")?,
        created_us: r.int("created_us")?,
        updated_us: r.int("updated_us")?,
    })
}

fn rows(rows: Vec<sqlx::any::AnyRow>) -> Result<Vec<AlertRecord>> {
    rows.iter().map(|r| from_row(r)).collect()
}

pub async fn insert(c: &mut AnyConnection, a: &AlertRecord) -> Result<()> {
    sqlx::query(&format!(
        "INSERT INTO alerts ({COLUMNS}) VALUES \
         ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)"
    ))
    .bind(a.tenant.m())
    .bind(a.tenant.e())
    .bind(a.id.as_str())
    .bind(&a.rule)
    .bind(&a.subject)
    .bind(&a.status)
    .bind(&a.detail)
    .bind(a.count)
    .bind(a.first_seen_us)
    .bind(a.last_seen_us)
    .bind(a.acknowledged_us)
    .bind(a.acknowledged_by.as_deref())
    .bind(a.resolved_us)
    .bind(a.resolved_by.as_deref())
    .bind(a.created_us)
    .bind(a.updated_us)
    .execute(c)
    .await?;
    Ok(())
}

/// Writes an alert's changeable fields.
pub async fn update(c: &mut AnyConnection, a: &AlertRecord) -> Result<()> {
    let r = sqlx::query(
        "UPDATE alerts SET status = $1, detail = $2, count = $3, last_seen_us = $4, \
         acknowledged_us = $5, acknowledged_by = $6, resolved_us = $7, resolved_by = $8, \
         updated_us = $9 WHERE merchant_id = $10 AND env = $11 AND id = $12",
    )
    .bind(&a.status)
    .bind(&a.detail)
    .bind(a.count)
    .bind(a.last_seen_us)
    .bind(a.acknowledged_us)
    .bind(a.acknowledged_by.as_deref())
    .bind(a.resolved_us)
    .bind(a.resolved_by.as_deref())
    .bind(a.updated_us)
    .bind(a.tenant.m())
    .bind(a.tenant.e())
    .bind(a.id.as_str())
    .execute(c)
    .await?;
    if r.rows_affected() != 1 {
        return Err(StoreError::Corrupt("an alert to update is missing".into()));
    }
    Ok(())
}

/// The tenant's open (or acknowledged) alert of `rule` about `subject`.
pub async fn find_unresolved(
    c: &mut AnyConnection,
    t: &Tenant,
    rule: &str,
    subject: &str,
) -> Result<Option<AlertRecord>> {
    let r = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM alerts WHERE merchant_id = $1 AND env = $2 AND rule = $3 \
         AND subject = $4 AND status <> 'resolved'"
    ))
    .bind(t.m())
    .bind(t.e())
    .bind(rule)
    .bind(subject)
    .fetch_all(&mut *c)
    .await?;
    Ok(rows(r)?.into_iter().next())
}

/// Every tenant's unresolved alerts of `rule` (the evaluation's resolution pass).
pub async fn unresolved_of_rule(c: &mut AnyConnection, rule: &str) -> Result<Vec<AlertRecord>> {
    let r = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM alerts WHERE rule = $1 AND status <> 'resolved'"
    ))
    .bind(rule)
    .fetch_all(&mut *c)
    .await?;
    rows(r)
}

/// Deletes up to `limit` alerts (every tenant's) resolved before `before_us`, with their queued
/// emails; returns how many alerts. Unresolved alerts are never deleted, however old.
pub async fn delete_resolved_before(
    c: &mut AnyConnection,
    before_us: i64,
    limit: i64,
) -> Result<u64> {
    // Chosen by the `alerts_resolved` index, deleted by the primary key.
    let chosen = "SELECT merchant_id, env, id FROM alerts \
                  WHERE status = 'resolved' AND resolved_us < $1 ORDER BY resolved_us LIMIT $2";
    sqlx::query(&format!(
        "DELETE FROM alert_emails WHERE (merchant_id, env, alert_id) IN ({chosen})"
    ))
    .bind(before_us)
    .bind(limit)
    .execute(&mut *c)
    .await?;
    let r = sqlx::query(&format!(
        "DELETE FROM alerts WHERE (merchant_id, env, id) IN ({chosen})"
    ))
    .bind(before_us)
    .bind(limit)
    .execute(&mut *c)
    .await?;
    Ok(r.rows_affected())
}

/// Every tenant's enabled endpoints that are failing: (tenant, id, url, failing since).
pub async fn failing_endpoints(
    c: &mut AnyConnection,
) -> Result<Vec<(Tenant, String, String, i64)>> {
    let r = sqlx::query(
        "SELECT merchant_id, env, id, url, failing_since_us FROM webhook_endpoints \
         WHERE status = 'enabled' AND failing_since_us IS NOT NULL",
    )
    .fetch_all(&mut *c)
    .await?;
    r.iter()
        .map(|r| {
            let r: &dyn RowGet = r;
            Ok((
                Tenant::from_stored(&r.text("merchant_id")?, &r.text("env")?)?,
                r.text("id")?,
                r.text("url")?,
                r.int("failing_since_us")?,
            ))
        })
        .collect()
}

/// Which alerts a list returns (each `None` is no filter).
#[derive(Debug, Clone, Default)]
pub struct AlertFilter {
    pub status: Option<String>,
    pub rule: Option<String>,
}

pub async fn list<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    t: &Tenant,
    filter: &AlertFilter,
    page: &Page,
) -> Result<Vec<AlertRecord>> {
    let mut sql = Sql::new("SELECT ");
    sql.push(COLUMNS)
        .push(" FROM alerts WHERE merchant_id = ")
        .text(t.m())
        .push(" AND env = ")
        .text(t.e());
    if let Some(status) = &filter.status {
        sql.push(" AND status = ").text(status);
    }
    if let Some(rule) = &filter.rule {
        sql.push(" AND rule = ").text(rule);
    }
    page.finish(&mut sql);
    sql.fetch_all(ex)
        .await?
        .iter()
        .map(|r| from_row(r))
        .collect()
}

pub async fn get<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    t: &Tenant,
    id: &AlertId,
) -> Result<Option<AlertRecord>> {
    let r = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM alerts WHERE merchant_id = $1 AND env = $2 AND id = $3"
    ))
    .bind(t.m())
    .bind(t.e())
    .bind(id.as_str())
    .fetch_all(ex)
    .await?;
    Ok(rows(r)?.into_iter().next())
}

/// The addresses the merchant's alerts are mailed to.
pub async fn alert_emails<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    merchant: &str,
) -> Result<Vec<String>> {
    let text: Option<String> =
        sqlx::query_scalar("SELECT alert_emails FROM merchants WHERE id = $1")
            .bind(merchant)
            .fetch_optional(ex)
            .await?;
    Ok(text
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default())
}

/// Sets the addresses the merchant's alerts are mailed to; `false`: no such merchant.
pub async fn set_alert_emails(
    c: &mut AnyConnection,
    merchant: &str,
    emails: &[String],
) -> Result<bool> {
    let text = serde_json::to_string(emails).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let r = sqlx::query("UPDATE merchants SET alert_emails = $1 WHERE id = $2")
        .bind(text)
        .bind(merchant)
        .execute(c)
        .await?;
    Ok(r.rows_affected() == 1)
}

/// Queues the email announcing `event` (`raised`, `resolved`) of alert `a`, due now.
pub async fn queue_email(
    c: &mut AnyConnection,
    a: &AlertRecord,
    event: &str,
    now_us: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO alert_emails (id, merchant_id, env, alert_id, event, created_us, next_attempt_us) \
         VALUES ($1, $2, $3, $4, $5, $6, $6)",
    )
    .bind(format!("aem_{}", anton_core::random_base62(22)))
    .bind(a.tenant.m())
    .bind(a.tenant.e())
    .bind(a.id.as_str())
    .bind(event)
    .bind(now_us)
    .execute(c)
    .await?;
    Ok(())
}

/// A queued alert email, claimed for sending.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueuedEmail {
    pub id: String,
    pub tenant: Tenant,
    pub alert_id: AlertId,
    pub event: String,
    pub attempts: i64,
}

/// Claims up to `limit` due emails: each is leased until `lease_until_us` (a mailer that dies
/// leaves it to be sent again after the lease), so two mailers never send one at once.
pub async fn claim_emails(
    c: &mut AnyConnection,
    now_us: i64,
    lease_until_us: i64,
    limit: i64,
) -> Result<Vec<QueuedEmail>> {
    let rows = sqlx::query(
        "UPDATE alert_emails SET next_attempt_us = $1 WHERE next_attempt_us <= $2 AND id IN \
         (SELECT id FROM alert_emails WHERE next_attempt_us <= $2 ORDER BY next_attempt_us LIMIT $3) \
         RETURNING id, merchant_id, env, alert_id, event, attempts",
    )
    .bind(lease_until_us)
    .bind(now_us)
    .bind(limit)
    .fetch_all(&mut *c)
    .await?;
    rows.iter()
        .map(|r| {
            let r: &dyn RowGet = r;
            Ok(QueuedEmail {
                id: r.text("id")?,
                tenant: Tenant::from_stored(&r.text("merchant_id")?, &r.text("env")?)?,
                alert_id: crate::stored(&r.text("alert_id")?, "alert id")?,
                event: r.text("event")?,
                attempts: r.int("attempts")?,
            })
        })
        .collect()
}

/// Records an attempt: sent (`next_attempt_us` None and no error), to retry at
/// `next_attempt_us`, or given up (both None, with the error).
pub async fn email_attempted(
    c: &mut AnyConnection,
    id: &str,
    sent_us: Option<i64>,
    next_attempt_us: Option<i64>,
    error: Option<&str>,
) -> Result<()> {
    sqlx::query(
        "UPDATE alert_emails SET attempts = attempts + 1, sent_us = $1, next_attempt_us = $2, \
         last_error = $3 WHERE id = $4",
    )
    .bind(sent_us)
    .bind(next_attempt_us)
    .bind(error)
    .bind(id)
    .execute(c)
    .await?;
    Ok(())
}
