//! The per-merchant request log: one row per API request whose key was recognised, written in
//! batches (the API's request-log sink), listed by the merchant, swept after the retention.

use anton_core::id::{KeyId, RequestId};
use sqlx::{Any, AnyConnection, Executor};

use crate::list::{chunks_for, rows_insert, BatchConn, Page, RowGet, Sql};
use crate::{Result, Tenant};

/// One request as the log keeps it: never a body, a key or bank details.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestRecord {
    pub tenant: Tenant,
    pub id: RequestId,
    /// When the request arrived: the millisecond its id carries, in unix microseconds (the
    /// table's key orders by it; [`created_us_of`]).
    pub created_us: i64,
    pub method: String,
    /// The route template (`/v1/payouts/{id}`), `unmatched` for none.
    pub route: String,
    pub status: u16,
    pub error_code: Option<String>,
    pub key_id: KeyId,
    pub source_ip: Option<String>,
    pub user_agent: Option<String>,
    pub duration_us: i64,
    pub idempotency_key: Option<String>,
}

/// The `created_us` of request `id`: the millisecond its id carries. `None` for an id that was
/// not generated (no time in it).
pub fn created_us_of(id: &RequestId) -> Option<i64> {
    id.generated_unix_ms()
        .and_then(|ms| i64::try_from(ms).ok())
        .map(|ms| ms * 1000)
}

const COLUMNS: &str = "merchant_id, env, id, created_us, method, route, status, error_code, \
     key_id, source_ip, user_agent, duration_us, idempotency_key";

fn from_row(r: &dyn RowGet) -> Result<RequestRecord> {
    Ok(RequestRecord {
        tenant: Tenant::from_stored(&r.text("merchant_id")?, &r.text("env")?)?,
        id: crate::stored(&r.text("id")?, "request id")?,
        created_us: r.int("created_us")?,
        method: r.text("method")?,
        route: r.text("route")?,
        status: u16::try_from(r.int("status")?)
            .map_err(|_| crate::StoreError::Corrupt("stored status".into()))?,
        error_code: r.opt_text("error_code")?,
        key_id: crate::stored(&r.text("key_id")?, "key id")?,
        source_ip: r.opt_text("source_ip")?,
        user_agent: r.opt_text("user_agent")?,
        duration_us: r.int("duration_us")?,
        idempotency_key: r.opt_text("idempotency_key")?,
    })
}

/// Appends many requests, with one multi-row statement per chunk (one per batch on PostgreSQL's
/// native connection). A request already logged is skipped, so a round that is written again
/// after a lost answer does not fail.
pub async fn insert_many(conn: &mut BatchConn<'_>, rows: &[RequestRecord]) -> Result<()> {
    for chunk in chunks_for(conn, rows) {
        let mut sql = Sql::for_batch(conn, "INSERT INTO request_log (");
        sql.push(COLUMNS).push(") ");
        rows_insert(&mut sql, chunk, |sql, r| {
            sql.text(r.tenant.m())
                .push(", ")
                .text(r.tenant.e())
                .push(", ")
                .text(r.id.as_str())
                .push(", ")
                .push_int(r.created_us)
                .push(", ")
                .text(&r.method)
                .push(", ")
                .text(&r.route)
                .push(", ")
                .push_int(i64::from(r.status))
                .push(", ")
                .opt_text(r.error_code.as_deref())
                .push(", ")
                .text(r.key_id.as_str())
                .push(", ")
                .opt_text(r.source_ip.as_deref())
                .push(", ")
                .opt_text(r.user_agent.as_deref())
                .push(", ")
                .push_int(r.duration_us)
                .push(", ")
                .opt_text(r.idempotency_key.as_deref());
        });
        sql.push(" ON CONFLICT (merchant_id, env, created_us, id) DO NOTHING");
        sql.execute_batch(conn).await?;
    }
    Ok(())
}

/// Which requests a list returns (each `None` is no filter).
#[derive(Debug, Clone, Default)]
pub struct RequestFilter {
    /// `[lo, hi)` status codes: a class (`4xx` = 400..500) or one code.
    pub status: Option<(u16, u16)>,
    pub route: Option<String>,
    pub method: Option<String>,
    pub key_id: Option<KeyId>,
}

pub async fn list<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    t: &Tenant,
    filter: &RequestFilter,
    page: &Page,
) -> Result<Vec<RequestRecord>> {
    let mut sql = Sql::new("SELECT ");
    sql.push(COLUMNS)
        .push(" FROM request_log WHERE merchant_id = ")
        .text(t.m())
        .push(" AND env = ")
        .text(t.e());
    if let Some((lo, hi)) = filter.status {
        sql.push(" AND status >= ").push_int(i64::from(lo));
        sql.push(" AND status < ").push_int(i64::from(hi));
    }
    if let Some(route) = &filter.route {
        sql.push(" AND route = ").text(route);
    }
    if let Some(method) = &filter.method {
        sql.push(" AND method = ").text(method);
    }
    if let Some(key) = &filter.key_id {
        sql.push(" AND key_id = ").text(key.as_str());
    }
    page.finish(&mut sql);
    sql.fetch_all(ex)
        .await?
        .iter()
        .map(|r| from_row(r))
        .collect()
}

/// The tenant's request `id`, found by the table's key (its time is in the id).
pub async fn get<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    t: &Tenant,
    id: &RequestId,
) -> Result<Option<RequestRecord>> {
    let Some(created_us) = created_us_of(id) else {
        return Ok(None);
    };
    let mut sql = Sql::new("SELECT ");
    sql.push(COLUMNS)
        .push(" FROM request_log WHERE merchant_id = ")
        .text(t.m())
        .push(" AND env = ")
        .text(t.e())
        .push(" AND created_us = ")
        .push_int(created_us)
        .push(" AND id = ")
        .text(id.as_str());
    sql.fetch_all(ex)
        .await?
        .first()
        .map(|r| from_row(r))
        .transpose()
}

/// The page position of the tenant's request `id`, found by the table's key (its time is in the
/// id), `None` when the tenant has no such request.
pub async fn cursor<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    t: &Tenant,
    id: &RequestId,
) -> Result<Option<(i64, String)>> {
    let Some(created_us) = created_us_of(id) else {
        return Ok(None);
    };
    let found: Option<i64> = sqlx::query_scalar(
        "SELECT created_us FROM request_log WHERE merchant_id = $1 AND env = $2 \
         AND created_us = $3 AND id = $4",
    )
    .bind(t.m())
    .bind(t.e())
    .bind(created_us)
    .bind(id.as_str())
    .fetch_optional(ex)
    .await?;
    Ok(found.map(|c| (c, id.to_string())))
}

/// Deletes up to `limit` of the tenant's requests older than `before_us`; returns how many.
/// Bounded, so a sweep never holds the writer long: the sweeper calls it until it returns less
/// than `limit`.
pub async fn delete_older_than(
    conn: &mut AnyConnection,
    t: &Tenant,
    before_us: i64,
    limit: i64,
) -> Result<u64> {
    let r = sqlx::query(
        "DELETE FROM request_log WHERE merchant_id = $1 AND env = $2 AND created_us < $3 \
         AND id IN (SELECT id FROM request_log WHERE merchant_id = $1 AND env = $2 \
         AND created_us < $3 ORDER BY created_us LIMIT $4)",
    )
    .bind(t.m())
    .bind(t.e())
    .bind(before_us)
    .bind(limit)
    .execute(conn)
    .await?;
    Ok(r.rows_affected())
}
