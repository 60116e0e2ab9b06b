//! Idempotency records (DESIGN.md §2): the first response to a keyed POST and the request's
//! fingerprint, written in the same transaction as the request's effects.

use sqlx::{Any, AnyConnection, Executor, Row};

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
