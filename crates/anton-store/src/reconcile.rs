//! What the live rails' bank files add up to (docs/live-payouts.md, "Reconciliation"): per file,
//! its payouts by where they are now, counted and summed, beside what the file sent; per rail,
//! the files not yet in the bank's hands and the payouts the bank has not yet answered for (the
//! gauges each scrape reads, docs/monitoring.md).

use std::collections::BTreeMap;

use sqlx::Row;

use crate::{Pool, Result};

/// A count and a sum of amounts (minor units).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    pub count: i64,
    pub total_minor: i64,
}

/// A file's payouts by status now: `processing` (no final answer yet), `paid`, `failed`,
/// `returned`. Their counts and sums add up to the file's own unless something is wrong.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileOutcomes {
    pub by_status: BTreeMap<String, Tally>,
}

impl FileOutcomes {
    /// Every payout of the file, whatever its status.
    pub fn all(&self) -> Tally {
        self.by_status
            .values()
            .fold(Tally::default(), |a, t| Tally {
                count: a.count + t.count,
                total_minor: a.total_minor + t.total_minor,
            })
    }

    pub fn of(&self, status: &str) -> Tally {
        self.by_status.get(status).copied().unwrap_or_default()
    }
}

/// The payouts of the file `file_id` by their status now.
pub async fn file_outcomes(pool: &Pool, file_id: &str) -> Result<FileOutcomes> {
    let rows = sqlx::query(
        "SELECT p.status AS status, COUNT(*) AS n, CAST(SUM(i.amount) AS BIGINT) AS total \
         FROM payout_file_items i JOIN payouts p ON p.merchant_id = i.merchant_id \
         AND p.env = i.env AND p.id = i.payout_id WHERE i.file_id = $1 GROUP BY p.status",
    )
    .bind(file_id)
    .fetch_all(pool)
    .await?;
    let mut outcomes = FileOutcomes::default();
    for r in &rows {
        outcomes.by_status.insert(
            r.try_get("status")?,
            Tally {
                count: r.try_get("n")?,
                total_minor: r.try_get("total")?,
            },
        );
    }
    Ok(outcomes)
}

/// One rail's health as the database has it now.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RailHealth {
    /// Files building or sealed: made, not yet (known to be) in the outbox.
    pub unsent: i64,
    /// When the oldest of them was started.
    pub oldest_unsent_us: Option<i64>,
    /// Payouts in transmitted files with no final answer yet (`processing`).
    pub outstanding: i64,
    /// When the oldest file holding one of them was transmitted.
    pub oldest_outstanding_us: Option<i64>,
}

/// Every rail that has ever made a file, by its key (`usd`, …).
pub async fn rail_health(pool: &Pool) -> Result<BTreeMap<String, RailHealth>> {
    let mut rails: BTreeMap<String, RailHealth> = BTreeMap::new();
    let rows = sqlx::query("SELECT DISTINCT rail FROM payout_files")
        .fetch_all(pool)
        .await?;
    for r in &rows {
        rails.entry(r.try_get("rail")?).or_default();
    }
    let rows = sqlx::query(
        "SELECT rail, COUNT(*) AS n, MIN(created_us) AS oldest FROM payout_files \
         WHERE status <> 'transmitted' GROUP BY rail",
    )
    .fetch_all(pool)
    .await?;
    for r in &rows {
        let health = rails.entry(r.try_get("rail")?).or_default();
        health.unsent = r.try_get("n")?;
        health.oldest_unsent_us = r.try_get("oldest")?;
    }
    let rows = sqlx::query(
        "SELECT f.rail AS rail, COUNT(*) AS n, MIN(f.transmitted_us) AS oldest FROM payouts p \
         JOIN payout_files f ON f.name = p.bank_file \
         WHERE p.status = 'processing' AND p.bank_file IS NOT NULL AND f.status = 'transmitted' \
         GROUP BY f.rail",
    )
    .fetch_all(pool)
    .await?;
    for r in &rows {
        let health = rails.entry(r.try_get("rail")?).or_default();
        health.outstanding = r.try_get("n")?;
        health.oldest_outstanding_us = r.try_get("oldest")?;
    }
    Ok(rails)
}
