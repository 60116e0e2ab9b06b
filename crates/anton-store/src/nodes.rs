//! The deployment's API nodes and their heartbeats (for limits that hold across nodes).

use sqlx::{AnyConnection, Row};

use crate::Result;

/// Records that node `id` is alive now (inserting it on its first beat).
pub async fn heartbeat(conn: &mut AnyConnection, id: &str, role: &str, now_us: i64) -> Result<()> {
    sqlx::query(
        "INSERT INTO nodes (id, role, started_us, heartbeat_us) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (id) DO UPDATE SET heartbeat_us = excluded.heartbeat_us",
    )
    .bind(id)
    .bind(role)
    .bind(now_us)
    .bind(now_us)
    .execute(&mut *conn)
    .await?;
    // Nodes gone for a minute are forgotten (a crashed node never removes itself).
    sqlx::query("DELETE FROM nodes WHERE heartbeat_us < $1")
        .bind(now_us - 60_000_000)
        .execute(conn)
        .await?;
    Ok(())
}

/// A stopping node leaves at once, so the others take over its share of the limits.
pub async fn remove(conn: &mut AnyConnection, id: &str) -> Result<()> {
    sqlx::query("DELETE FROM nodes WHERE id = $1")
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// API-serving nodes (`all` or `api`) whose heartbeat is at or after `since_us`.
pub async fn count_api_nodes(pool: &crate::Pool, since_us: i64) -> Result<u64> {
    let n: i64 = sqlx::query(
        "SELECT COUNT(*) AS n FROM nodes WHERE heartbeat_us >= $1 AND role IN ('all', 'api')",
    )
    .bind(since_us)
    .fetch_one(pool)
    .await?
    .try_get("n")?;
    Ok(u64::try_from(n).unwrap_or(0))
}
