//! Merchants: the businesses using Anton. Operator-managed (CLI), never through the public API.

use anton_core::id::MerchantId;
use anton_core::time::Timestamp;
use sqlx::any::AnyRow;
use sqlx::{Any, AnyConnection, Executor, Row};

use crate::{Result, StoreError};

#[derive(Debug, Clone)]
pub struct Merchant {
    pub id: MerchantId,
    pub name: String,
    pub rate_limit_live_per_s: i64,
    pub rate_limit_test_per_s: i64,
    pub created: Timestamp,
}

fn from_row(r: &AnyRow) -> Result<Merchant> {
    Ok(Merchant {
        id: MerchantId::parse(&r.try_get::<String, _>("id")?)
            .map_err(|e| StoreError::Corrupt(e.to_string()))?,
        name: r.try_get("name")?,
        rate_limit_live_per_s: r.try_get("rate_limit_live_per_s")?,
        rate_limit_test_per_s: r.try_get("rate_limit_test_per_s")?,
        created: Timestamp::from_unix_micros(r.try_get("created_us")?),
    })
}

const COLUMNS: &str = "id, name, rate_limit_live_per_s, rate_limit_test_per_s, created_us";

pub async fn insert(conn: &mut AnyConnection, m: &Merchant) -> Result<()> {
    sqlx::query(
        "INSERT INTO merchants (id, name, rate_limit_live_per_s, rate_limit_test_per_s, created_us) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(m.id.as_str())
    .bind(&m.name)
    .bind(m.rate_limit_live_per_s)
    .bind(m.rate_limit_test_per_s)
    .bind(m.created.unix_micros())
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn get<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    id: &MerchantId,
) -> Result<Option<Merchant>> {
    let row = sqlx::query(&format!("SELECT {COLUMNS} FROM merchants WHERE id = $1"))
        .bind(id.as_str())
        .fetch_optional(ex)
        .await?;
    row.as_ref().map(from_row).transpose()
}

pub async fn list<'e, E: Executor<'e, Database = Any>>(ex: E) -> Result<Vec<Merchant>> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM merchants ORDER BY created_us"
    ))
    .fetch_all(ex)
    .await?;
    rows.iter().map(from_row).collect()
}

/// Locks the merchant's row until the transaction ends, so what is read of it next stays true
/// until the commit (on PostgreSQL, against other nodes; SQLite's writer is alone anyway). A
/// write that changes nothing: portable, unlike `SELECT … FOR UPDATE`. `false`: no such merchant.
pub async fn lock(conn: &mut AnyConnection, id: &MerchantId) -> Result<bool> {
    let r = sqlx::query("UPDATE merchants SET audit_seq = audit_seq WHERE id = $1")
        .bind(id.as_str())
        .execute(conn)
        .await?;
    Ok(r.rows_affected() == 1)
}

pub async fn set_rate_limits(
    conn: &mut AnyConnection,
    id: &MerchantId,
    live: i64,
    test: i64,
) -> Result<bool> {
    let r = sqlx::query(
        "UPDATE merchants SET rate_limit_live_per_s = $1, rate_limit_test_per_s = $2 WHERE id = $3",
    )
    .bind(live)
    .bind(test)
    .bind(id.as_str())
    .execute(conn)
    .await?;
    Ok(r.rows_affected() == 1)
}
