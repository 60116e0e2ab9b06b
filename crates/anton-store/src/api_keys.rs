//! API keys. Looked up by keyed hash only; the key itself is never stored.

use anton_core::id::{KeyId, MerchantId};
use anton_core::keys::{Environment, KeyKind, ScopeSet};
use anton_core::time::Timestamp;
use sqlx::any::AnyRow;
use sqlx::{Any, AnyConnection, Executor, Row};

use std::collections::HashMap;

use crate::list::{chunks_for, key_from_row, rows_from, BatchConn, Sql};
use crate::{Result, Scoped, StoreError};

#[derive(Debug, Clone)]
pub struct ApiKeyRecord {
    pub id: KeyId,
    pub merchant_id: MerchantId,
    pub env: Environment,
    pub kind: KeyKind,
    pub name: String,
    pub display_prefix: String,
    pub last4: String,
    pub scopes: ScopeSet,
    /// CIDRs as text; parsed by the server (empty: any address).
    pub allowed_cidrs: Vec<String>,
    pub expires: Option<Timestamp>,
    pub revoked: Option<Timestamp>,
    pub exposed: Option<Timestamp>,
    pub last_used: Option<Timestamp>,
    pub created_by: String,
    pub created: Timestamp,
}

const COLUMNS: &str =
    "id, merchant_id, env, kind, name, display_prefix, last4, scopes, allowed_cidrs, \
    expires_us, revoked_us, exposed_us, last_used_us, created_by, created_us";

fn corrupt(what: &str) -> StoreError {
    StoreError::Corrupt(format!("api_keys.{what}"))
}

fn ts(v: Option<i64>) -> Option<Timestamp> {
    v.map(Timestamp::from_unix_micros)
}

fn from_row(r: &AnyRow) -> Result<ApiKeyRecord> {
    let scopes: String = r.try_get("scopes")?;
    let cidrs: String = r.try_get("allowed_cidrs")?;
    let kind = KeyKind::parse(&r.try_get::<String, _>("kind")?).ok_or_else(|| corrupt("kind"))?;
    Ok(ApiKeyRecord {
        id: KeyId::parse(&r.try_get::<String, _>("id")?).map_err(|_| corrupt("id"))?,
        merchant_id: MerchantId::parse(&r.try_get::<String, _>("merchant_id")?)
            .map_err(|_| corrupt("merchant_id"))?,
        env: Environment::parse(&r.try_get::<String, _>("env")?).ok_or_else(|| corrupt("env"))?,
        kind,
        name: r.try_get("name")?,
        display_prefix: r.try_get("display_prefix")?,
        last4: r.try_get("last4")?,
        // A secret key carries every standard scope, also those added after it was created
        // (never the opt-in ones: `Scope::OPT_IN`).
        scopes: if kind == KeyKind::Secret {
            ScopeSet::standard()
        } else {
            ScopeSet::parse_list(scopes.split_whitespace()).map_err(|_| corrupt("scopes"))?
        },
        allowed_cidrs: cidrs.split_whitespace().map(str::to_owned).collect(),
        expires: ts(r.try_get("expires_us")?),
        revoked: ts(r.try_get("revoked_us")?),
        exposed: ts(r.try_get("exposed_us")?),
        last_used: ts(r.try_get("last_used_us")?),
        created_by: r.try_get("created_by")?,
        created: Timestamp::from_unix_micros(r.try_get("created_us")?),
    })
}

/// Stores the new key `k` by its hash, and starts its first hour for the risk rule
/// `new_key_burst` (`risk::start_key_burst`).
pub async fn insert(conn: &mut AnyConnection, k: &ApiKeyRecord, key_hash: &str) -> Result<()> {
    sqlx::query(
        "INSERT INTO api_keys (id, merchant_id, env, kind, name, key_hash, display_prefix, last4, scopes, \
         allowed_cidrs, expires_us, revoked_us, exposed_us, last_used_us, created_by, created_us) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, NULL, NULL, NULL, $12, $13)",
    )
    .bind(k.id.as_str())
    .bind(k.merchant_id.as_str())
    .bind(k.env.as_str())
    .bind(k.kind.as_str())
    .bind(&k.name)
    .bind(key_hash)
    .bind(&k.display_prefix)
    .bind(&k.last4)
    .bind(k.scopes.to_list_string())
    .bind(k.allowed_cidrs.join(" "))
    .bind(k.expires.map(Timestamp::unix_micros))
    .bind(&k.created_by)
    .bind(k.created.unix_micros())
    .execute(&mut *conn)
    .await?;
    let key = Scoped::new(
        crate::Tenant::new(k.merchant_id.clone(), k.env),
        k.id.clone(),
    );
    crate::risk::start_key_burst(conn, &key, k.created.unix_micros()).await
}

/// Authentication lookup. Not tenant-scoped by design: the key is what identifies the tenant.
pub async fn find_by_hash<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    key_hash: &str,
) -> Result<Option<ApiKeyRecord>> {
    let row = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM api_keys WHERE key_hash = $1"
    ))
    .bind(key_hash)
    .fetch_optional(ex)
    .await?;
    row.as_ref().map(from_row).transpose()
}

pub async fn get<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    merchant_id: &MerchantId,
    id: &KeyId,
) -> Result<Option<ApiKeyRecord>> {
    let row = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM api_keys WHERE merchant_id = $1 AND id = $2"
    ))
    .bind(merchant_id.as_str())
    .bind(id.as_str())
    .fetch_optional(ex)
    .await?;
    row.as_ref().map(from_row).transpose()
}

pub async fn list<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    merchant_id: &MerchantId,
) -> Result<Vec<ApiKeyRecord>> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM api_keys WHERE merchant_id = $1 ORDER BY created_us DESC, id DESC"
    ))
    .bind(merchant_id.as_str())
    .fetch_all(ex)
    .await?;
    rows.iter().map(from_row).collect()
}

pub async fn revoke(
    conn: &mut AnyConnection,
    merchant_id: &MerchantId,
    id: &KeyId,
    now_us: i64,
) -> Result<bool> {
    let r = sqlx::query(
        "UPDATE api_keys SET revoked_us = $1 WHERE merchant_id = $2 AND id = $3 AND revoked_us IS NULL",
    )
    .bind(now_us)
    .bind(merchant_id.as_str())
    .bind(id.as_str())
    .execute(conn)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Shortens a key's life to `expires_us` (never lengthens it): used by rolling.
pub async fn expire_by(
    conn: &mut AnyConnection,
    merchant_id: &MerchantId,
    id: &KeyId,
    expires_us: i64,
) -> Result<bool> {
    let r = sqlx::query(
        "UPDATE api_keys SET expires_us = CASE WHEN expires_us IS NULL OR expires_us > $1 THEN $1 ELSE expires_us END \
         WHERE merchant_id = $2 AND id = $3 AND revoked_us IS NULL",
    )
    .bind(expires_us)
    .bind(merchant_id.as_str())
    .bind(id.as_str())
    .execute(conn)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Flags a key as possibly exposed; `false` when it already was.
pub async fn mark_exposed(conn: &mut AnyConnection, id: &KeyId, now_us: i64) -> Result<bool> {
    let r = sqlx::query("UPDATE api_keys SET exposed_us = $1 WHERE id = $2 AND exposed_us IS NULL")
        .bind(now_us)
        .bind(id.as_str())
        .execute(conn)
        .await?;
    Ok(r.rows_affected() == 1)
}

/// Moves a key's `last_used_us` forward to `now_us` (never back).
///
/// Best effort, and never waits for a row lock: on PostgreSQL a key row held by another
/// transaction (another node's touch, or a revocation or roll, which also takes the merchant's
/// audit lock) is skipped (`SKIP LOCKED`). The writer runs this in the same transaction as other
/// requests' jobs, one of which may already hold that merchant's audit lock; waiting here would
/// close a cycle with the other transaction and make PostgreSQL abort one of them as a deadlock
/// victim, failing an unrelated request. On SQLite the writer is the only writer.
pub async fn touch_last_used(conn: &mut AnyConnection, id: &KeyId, now_us: i64) -> Result<()> {
    let lock = if conn.backend_name() == "SQLite" {
        ""
    } else {
        " FOR NO KEY UPDATE SKIP LOCKED"
    };
    sqlx::query(&format!(
        "UPDATE api_keys SET last_used_us = $1 WHERE id IN \
         (SELECT id FROM api_keys WHERE id = $2 \
          AND (last_used_us IS NULL OR last_used_us < $1){lock})"
    ))
    .bind(now_us)
    .bind(id.as_str())
    .execute(conn)
    .await?;
    Ok(())
}

/// Whether the key `key` may still act at `now_us`: it exists for its tenant, is not revoked and
/// has not expired. Read inside a write transaction, so a mutation never commits on a key whose
/// revocation committed before the mutation's check (see `anton_engine::idempotency`).
pub async fn usable(conn: &mut AnyConnection, key: &Scoped<KeyId>, now_us: i64) -> Result<bool> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM api_keys WHERE merchant_id = $1 AND env = $2 AND id = $3 \
         AND revoked_us IS NULL AND (expires_us IS NULL OR expires_us > $4)",
    )
    .bind(key.tenant.m())
    .bind(key.tenant.e())
    .bind(key.id.as_str())
    .bind(now_us)
    .fetch_one(conn)
    .await?;
    Ok(n > 0)
}

/// [`usable`] for a batch's keys, one statement per chunk: the keys among `keys` that may act,
/// each with its first-hour count while it is in its first hour (`risk_key_bursts`, read
/// without a lock).
pub async fn usable_many(
    conn: &mut BatchConn<'_>,
    keys: &[Scoped<KeyId>],
    now_us: i64,
) -> Result<HashMap<Scoped<KeyId>, Option<i64>>> {
    let mut out = HashMap::new();
    for chunk in chunks_for(conn, keys) {
        if chunk.is_empty() {
            continue;
        }
        let mut sql = Sql::for_batch(
            conn,
            "SELECT k.merchant_id, k.env, k.id, COALESCE(b.count, -1) AS burst FROM ",
        );
        rows_from(&mut sql, chunk, |sql, k| k.bind(sql));
        sql.push(
            " JOIN api_keys k ON k.merchant_id = v.column1 AND k.env = v.column2 \
             AND k.id = v.column3 LEFT JOIN risk_key_bursts b ON b.merchant_id = k.merchant_id \
             AND b.env = k.env AND b.key_id = k.id AND b.ends_us > ",
        )
        .push_int(now_us)
        .push(" WHERE k.revoked_us IS NULL AND (k.expires_us IS NULL OR k.expires_us > ")
        .push_int(now_us)
        .push(")");
        let rows = sql
            .fetch_batch(conn, |r| {
                let burst = r.int("burst")?;
                Ok((
                    key_from_row::<KeyId>(r, "api key id")?,
                    (burst >= 0).then_some(burst),
                ))
            })
            .await?;
        out.extend(rows);
    }
    Ok(out)
}
