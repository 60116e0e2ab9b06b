//! Idempotency records (docs/reference.md §2): the first response to a keyed POST and the request's
//! fingerprint, written in the same transaction as the request's effects.

use std::collections::{HashMap, HashSet};

use sqlx::{Any, AnyConnection, Executor, Row};

use crate::list::{chunks_for, rows_from, rows_insert, BatchConn, RowGet, Sql};

use crate::{Result, Tenant};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredResponse {
    pub fingerprint: String,
    pub status: u16,
    pub body: String,
}

pub async fn get<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    t: &Tenant,
    key: &str,
) -> Result<Option<StoredResponse>> {
    let row = sqlx::query(
        "SELECT fingerprint, status, body FROM idempotency_keys WHERE merchant_id = $1 AND env = $2 AND key = $3",
    )
    .bind(t.m())
    .bind(t.e())
    .bind(key)
    .fetch_optional(ex)
    .await?;
    match row {
        None => Ok(None),
        Some(r) => Ok(Some(StoredResponse {
            fingerprint: r.try_get("fingerprint")?,
            status: u16::try_from(r.try_get::<i64, _>("status")?).unwrap_or(500),
            body: r.try_get("body")?,
        })),
    }
}

/// Fails with `UniqueViolation` when another request stored the key first.
pub async fn insert(
    conn: &mut AnyConnection,
    t: &Tenant,
    key: &str,
    resp: &StoredResponse,
    now_us: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO idempotency_keys (merchant_id, env, key, fingerprint, status, body, created_us) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(t.m())
    .bind(t.e())
    .bind(key)
    .bind(&resp.fingerprint)
    .bind(i64::from(resp.status))
    .bind(&resp.body)
    .bind(now_us)
    .execute(conn)
    .await?;
    Ok(())
}

/// Deletes records older than `before_us` (kept at least 24 h; the sweeper uses 48 h).
pub async fn delete_older_than(conn: &mut AnyConnection, before_us: i64) -> Result<u64> {
    let r = sqlx::query("DELETE FROM idempotency_keys WHERE created_us < $1")
        .bind(before_us)
        .execute(conn)
        .await?;
    Ok(r.rows_affected())
}

/// An idempotency record's key as the batched path addresses it: the tenant's key text. Sorts as
/// the table's primary key does.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RecordKey {
    pub tenant: Tenant,
    pub key: String,
}

impl RecordKey {
    pub fn new(tenant: Tenant, key: impl Into<String>) -> Self {
        Self {
            tenant,
            key: key.into(),
        }
    }

    fn bind(&self, sql: &mut Sql) {
        sql.text(self.tenant.m())
            .push(", ")
            .text(self.tenant.e())
            .push(", ")
            .text(&self.key);
    }

    fn from_row(r: &dyn RowGet) -> Result<Self> {
        Ok(Self {
            tenant: Tenant::from_stored(&r.text("merchant_id")?, &r.text("env")?)?,
            key: r.text("key")?,
        })
    }
}

async fn get_many_chunk(
    conn: &mut BatchConn<'_>,
    keys: &[RecordKey],
) -> Result<HashMap<RecordKey, StoredResponse>> {
    if keys.is_empty() {
        return Ok(HashMap::new());
    }
    // A join from the VALUES list, not `(…) IN (VALUES …)`: SQLite plans the latter as a scan of
    // the whole table when the list has more than one row.
    let mut sql = Sql::for_batch(
        conn,
        "SELECT i.merchant_id, i.env, i.key, i.fingerprint, i.status, i.body FROM ",
    );
    rows_from(&mut sql, keys, |sql, k| k.bind(sql));
    sql.push(
        " JOIN idempotency_keys i ON i.merchant_id = v.column1 AND i.env = v.column2 AND i.key = v.column3",
    );
    let rows = sql
        .fetch_batch(conn, |r| {
            Ok((
                RecordKey::from_row(r)?,
                StoredResponse {
                    fingerprint: r.text("fingerprint")?,
                    status: u16::try_from(r.int("status")?).unwrap_or(500),
                    body: r.text("body")?,
                },
            ))
        })
        .await?;
    Ok(rows.into_iter().collect())
}

/// Stored responses for `keys`, in one statement.
pub async fn get_many(
    conn: &mut BatchConn<'_>,
    keys: &[RecordKey],
) -> Result<HashMap<RecordKey, StoredResponse>> {
    let mut out = HashMap::new();
    for chunk in chunks_for(conn, keys) {
        out.extend(get_many_chunk(&mut *conn, chunk).await?);
    }
    Ok(out)
}

/// A response to store for a key in the batched path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRecord {
    pub key: RecordKey,
    pub response: StoredResponse,
}

/// Appends the statement of [`store_new_many`] for `rows` (without sorting them): it returns
/// `merchant_id, env, key` of each row stored.
pub fn push_store_new(sql: &mut Sql, rows: &[NewRecord], now_us: i64) {
    sql.push(
        "INSERT INTO idempotency_keys (merchant_id, env, key, fingerprint, status, body, created_us) ",
    );
    rows_insert(sql, rows, |sql, r| {
        r.key.bind(sql);
        sql.push(", ")
            .text(&r.response.fingerprint)
            .push(", ")
            .push_int(i64::from(r.response.status))
            .push(", ")
            .text(&r.response.body)
            .push(", ")
            .push_int(now_us);
    });
    sql.push(" ON CONFLICT (merchant_id, env, key) DO NOTHING RETURNING merchant_id, env, key");
}

async fn store_new_many_chunk(
    conn: &mut BatchConn<'_>,
    rows: &[NewRecord],
    now_us: i64,
) -> Result<HashSet<RecordKey>> {
    let mut sql = Sql::for_batch(conn, "");
    push_store_new(&mut sql, rows, now_us);
    let rows = sql.fetch_batch(conn, RecordKey::from_row).await?;
    Ok(rows.into_iter().collect())
}

/// Stores final responses for keys not stored yet, in key order; returns the keys this
/// transaction stored. A key missing from the result was stored by another transaction first
/// (on PostgreSQL this waits for that transaction to end): its request must not take effect
/// here, and its caller gets the stored response instead. Sorting makes two nodes with
/// overlapping keys take them in the same order, so neither can deadlock the other.
pub async fn store_new_many(
    conn: &mut BatchConn<'_>,
    rows: &mut [NewRecord],
    now_us: i64,
) -> Result<HashSet<RecordKey>> {
    rows.sort_by(|a, b| a.key.cmp(&b.key));
    let mut stored = HashSet::new();
    for chunk in chunks_for(conn, rows) {
        stored.extend(store_new_many_chunk(&mut *conn, chunk, now_us).await?);
    }
    Ok(stored)
}
