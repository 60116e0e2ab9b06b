//! Risk rules a merchant changed from their defaults (docs/risk.md), one row per tenant and
//! rule; a rule without a row is at its default (`anton_core::risk::RuleSet::defaults`). The
//! outflow windows the rules compare against live on the `available` balance rows
//! (`ledger::Available`, `ledger::Delta::outflow`), under the balance's own lock. The other
//! facts they read: the trailing history per currency (`risk_history`, refreshed hourly), the
//! addresses each key was used from (`api_key_addresses`), and the recipients' fingerprints
//! (`recipients::RecipientBrief::destination`).

use std::collections::{HashMap, HashSet};

use anton_core::id::KeyId;
use anton_core::money::Currency;
use anton_core::risk::History;
use sqlx::{Any, AnyConnection, Executor, Row};

use crate::ledger::BalanceKey;
use crate::list::{chunks_for, rows_from, BatchConn, Sql};
use crate::{stored, Result, Scoped, StoreError, Tenant};

/// One stored rule, as text (the engine parses it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleRow {
    pub rule: String,
    pub enabled: bool,
    pub action: String,
    /// JSON: `{"USD": …, "EUR": …, "GBP": …}` or a count.
    pub limits: String,
}

/// The distinct tenants of `balances` (sorted, as balances are).
pub fn tenants_of(balances: &[BalanceKey]) -> Vec<Tenant> {
    let mut tenants: Vec<Tenant> = balances.iter().map(|b| b.tenant.clone()).collect();
    tenants.dedup();
    tenants
}

/// The stored rules of one tenant.
pub async fn rules_of<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    t: &Tenant,
) -> Result<Vec<RuleRow>> {
    let rows = sqlx::query(
        "SELECT rule, enabled, action, limits FROM risk_rules WHERE merchant_id = $1 AND env = $2",
    )
    .bind(t.m())
    .bind(t.e())
    .fetch_all(ex)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(RuleRow {
                rule: r.try_get("rule")?,
                enabled: r.try_get::<i64, _>("enabled")? != 0,
                action: r.try_get("action")?,
                limits: r.try_get("limits")?,
            })
        })
        .collect()
}

/// The stored rules of many tenants, in one statement per chunk (a creation batch's read).
pub async fn rules_many(
    conn: &mut BatchConn<'_>,
    tenants: &[Tenant],
) -> Result<HashMap<Tenant, Vec<RuleRow>>> {
    let mut out: HashMap<Tenant, Vec<RuleRow>> = HashMap::new();
    for chunk in chunks_for(conn, tenants) {
        if chunk.is_empty() {
            continue;
        }
        let mut sql = Sql::for_batch(
            conn,
            "SELECT r.merchant_id, r.env, r.rule, r.enabled, r.action, r.limits FROM ",
        );
        rows_from(&mut sql, chunk, |sql, t| {
            sql.text(t.m()).push(", ").text(t.e());
        });
        sql.push(" JOIN risk_rules r ON r.merchant_id = v.column1 AND r.env = v.column2");
        let rows = sql
            .fetch_batch(conn, |r| {
                Ok((
                    Tenant::from_stored(&r.text("merchant_id")?, &r.text("env")?)?,
                    RuleRow {
                        rule: r.text("rule")?,
                        enabled: r.int("enabled")? != 0,
                        action: r.text("action")?,
                        limits: r.text("limits")?,
                    },
                ))
            })
            .await?;
        for (t, row) in rows {
            out.entry(t).or_default().push(row);
        }
    }
    Ok(out)
}

/// Stores one rule of a tenant (replacing its earlier row).
pub async fn put_rule(c: &mut AnyConnection, t: &Tenant, row: &RuleRow, now_us: i64) -> Result<()> {
    sqlx::query(
        "INSERT INTO risk_rules (merchant_id, env, rule, enabled, action, limits, updated_us) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (merchant_id, env, rule) DO UPDATE SET \
         enabled = excluded.enabled, action = excluded.action, limits = excluded.limits, \
         updated_us = excluded.updated_us",
    )
    .bind(t.m())
    .bind(t.e())
    .bind(&row.rule)
    .bind(i64::from(row.enabled))
    .bind(&row.action)
    .bind(&row.limits)
    .bind(now_us)
    .execute(c)
    .await?;
    Ok(())
}

/// Takes the merchant's row lock (the one its audit chain appends under) until the end of the
/// transaction, so two changes to one merchant's rules on different nodes read and write one
/// after the other (on SQLite the single writer orders them already).
pub async fn lock_rules(c: &mut AnyConnection, t: &Tenant) -> Result<()> {
    sqlx::query("UPDATE merchants SET audit_seq = audit_seq WHERE id = $1")
        .bind(t.m())
        .execute(c)
        .await?;
    Ok(())
}

/// The creations' acting API keys, each with the address its request came from.
pub type KeyAddress = (Scoped<KeyId>, String);

/// Of `pairs`, those whose key had been used from the address before `before_us` (the
/// `api_key_addresses` the request log records); the others are new to their key, for the risk
/// rule `new_address`. One statement per chunk.
pub async fn addresses_known_before(
    conn: &mut BatchConn<'_>,
    pairs: &[KeyAddress],
    before_us: i64,
) -> Result<HashSet<KeyAddress>> {
    let mut out = HashSet::new();
    for chunk in chunks_for(conn, pairs) {
        if chunk.is_empty() {
            continue;
        }
        let mut sql = Sql::for_batch(
            conn,
            "SELECT a.merchant_id, a.env, a.key_id, a.source_ip FROM ",
        );
        rows_from(&mut sql, chunk, push_key_address);
        sql.push(KNOWN_ADDRESS_JOIN).push_int(before_us);
        let rows = sql
            .fetch_batch(conn, |r| {
                let key = Scoped::new(
                    Tenant::from_stored(&r.text("merchant_id")?, &r.text("env")?)?,
                    stored::<KeyId>(&r.text("key_id")?, "api key id")?,
                );
                Ok((key, r.text("source_ip")?))
            })
            .await?;
        out.extend(rows);
    }
    Ok(out)
}

/// One row of a [`KeyAddress`] row set: merchant, environment, key id, address.
pub(crate) fn push_key_address(sql: &mut Sql, (k, ip): &KeyAddress) {
    k.bind(sql);
    sql.push(", ").text(ip);
}

/// The join of a [`KeyAddress`] row set `v` with the addresses first used before the integer
/// that follows.
pub(crate) const KNOWN_ADDRESS_JOIN: &str =
    " JOIN api_key_addresses a ON a.merchant_id = v.column1 \
     AND a.env = v.column2 AND a.key_id = v.column3 AND a.source_ip = v.column4 AND a.first_us < ";

/// The refreshed history of `balances` (those never refreshed are absent), in one statement
/// per chunk, for the risk rule `amount_vs_history`.
pub async fn history_many(
    conn: &mut BatchConn<'_>,
    balances: &[BalanceKey],
) -> Result<HashMap<BalanceKey, History>> {
    let mut out = HashMap::new();
    for chunk in chunks_for(conn, balances) {
        if chunk.is_empty() {
            continue;
        }
        let mut sql = Sql::for_batch(
            conn,
            "SELECT h.merchant_id, h.env, h.currency, h.p95, h.samples FROM ",
        );
        rows_from(&mut sql, chunk, |sql, b| {
            sql.text(b.tenant.m())
                .push(", ")
                .text(b.tenant.e())
                .push(", ")
                .text(b.currency.as_str());
        });
        sql.push(HISTORY_JOIN);
        let rows = sql
            .fetch_batch(conn, |r| {
                let currency = Currency::parse(&r.text("currency")?)
                    .map_err(|_| StoreError::Corrupt("risk_history.currency".into()))?;
                let tenant = Tenant::from_stored(&r.text("merchant_id")?, &r.text("env")?)?;
                let history = History {
                    p95: r.int("p95")?,
                    samples: r.int("samples")?,
                };
                Ok((BalanceKey::new(tenant, currency), history))
            })
            .await?;
        out.extend(rows);
    }
    Ok(out)
}

/// The join of a balance row set `v` (merchant, environment, currency) with `risk_history`.
const HISTORY_JOIN: &str = " JOIN risk_history h ON h.merchant_id = v.column1 \
     AND h.env = v.column2 AND h.currency = v.column3";

/// The tenants whose history to refresh: every tenant with an `available` balance (a payout
/// needs one), and those with a stored history (so that one gone quiet is cleared).
pub async fn history_tenants<'e, E: Executor<'e, Database = Any>>(ex: E) -> Result<Vec<Tenant>> {
    let rows = sqlx::query(
        "SELECT merchant_id, env FROM balances WHERE account = 'available' \
         UNION SELECT merchant_id, env FROM risk_history",
    )
    .fetch_all(ex)
    .await?;
    rows.iter()
        .map(|r| Tenant::from_stored(&r.try_get::<String, _>(0)?, &r.try_get::<String, _>(1)?))
        .collect()
}

/// A tenant's payouts created since `since_us`, per currency: the 95th percentile of their
/// amounts (nearest rank: the smallest amount with 95% of them at or below it) and their number.
/// Payouts held for review, or rejected from it, are not the merchant's history; every other
/// payout is (a failed one was meant). One sort of the tenant's window, on its listing index.
pub async fn compute_history<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    t: &Tenant,
    since_us: i64,
) -> Result<Vec<(String, History)>> {
    let rows = sqlx::query(
        "SELECT currency, amount, n FROM (SELECT currency, amount, \
         ROW_NUMBER() OVER (PARTITION BY currency ORDER BY amount) AS rn, \
         COUNT(*) OVER (PARTITION BY currency) AS n FROM payouts \
         WHERE merchant_id = $1 AND env = $2 AND created_us >= $3 \
         AND status <> 'requires_review' AND NOT (status = 'canceled' AND review IS NOT NULL)) t \
         WHERE rn = (n * 95 + 99) / 100",
    )
    .bind(t.m())
    .bind(t.e())
    .bind(since_us)
    .fetch_all(ex)
    .await?;
    rows.iter()
        .map(|r| {
            let history = History {
                p95: r.try_get("amount")?,
                samples: r.try_get("n")?,
            };
            Ok((r.try_get("currency")?, history))
        })
        .collect()
}

/// Replaces a tenant's stored history with `rows`.
pub async fn put_history(
    c: &mut AnyConnection,
    t: &Tenant,
    rows: &[(String, History)],
    now_us: i64,
) -> Result<()> {
    sqlx::query("DELETE FROM risk_history WHERE merchant_id = $1 AND env = $2")
        .bind(t.m())
        .bind(t.e())
        .execute(&mut *c)
        .await?;
    for (currency, h) in rows {
        sqlx::query(
            "INSERT INTO risk_history (merchant_id, env, currency, p95, samples, computed_us) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(t.m())
        .bind(t.e())
        .bind(currency)
        .bind(h.p95)
        .bind(h.samples)
        .bind(now_us)
        .execute(&mut *c)
        .await?;
    }
    Ok(())
}

/// Starts the first hour of the new key `key`, created at `created_us`, for the risk rule
/// `new_key_burst` (written with the key: `api_keys::insert`).
pub async fn start_key_burst(
    c: &mut AnyConnection,
    key: &Scoped<KeyId>,
    created_us: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO risk_key_bursts (merchant_id, env, key_id, ends_us, count) \
         VALUES ($1, $2, $3, $4, 0)",
    )
    .bind(key.tenant.m())
    .bind(key.tenant.e())
    .bind(key.id.as_str())
    .bind(created_us + anton_core::risk::KEY_BURST_US)
    .execute(c)
    .await?;
    Ok(())
}

/// The payouts released so far by those of `keys` (sorted) whose first hour ends after
/// `ending_after_us` (`i64::MIN`: every one), for the risk rule `new_key_burst`, locked
/// (`FOR UPDATE`, in key order, after the balances: the lock order; PostgreSQL only). One
/// statement per chunk. (Unlocked, the counts come with the keys' usability:
/// `api_keys::usable_many`.)
pub async fn lock_key_bursts(
    conn: &mut BatchConn<'_>,
    keys: &[Scoped<KeyId>],
    ending_after_us: i64,
) -> Result<HashMap<Scoped<KeyId>, i64>> {
    let mut out = HashMap::new();
    for chunk in chunks_for(conn, keys) {
        if chunk.is_empty() {
            continue;
        }
        let mut sql = Sql::for_batch(conn, "");
        push_lock_key_bursts(&mut sql, chunk, ending_after_us);
        let rows = sql
            .fetch_batch(conn, |r| {
                let key = Scoped::new(
                    Tenant::from_stored(&r.text("merchant_id")?, &r.text("env")?)?,
                    stored::<KeyId>(&r.text("key_id")?, "api key id")?,
                );
                Ok((key, r.int("count")?))
            })
            .await?;
        out.extend(rows);
    }
    Ok(out)
}

/// Appends [`lock_key_bursts`]'s statement for `keys` (not empty): their counts
/// (`merchant_id`, `env`, `key_id`, `count`) locked in key order.
pub(crate) fn push_lock_key_bursts(sql: &mut Sql, keys: &[Scoped<KeyId>], ending_after_us: i64) {
    sql.push("SELECT b.merchant_id, b.env, b.key_id, b.count FROM ");
    rows_from(sql, keys, |sql, k| k.bind(sql));
    sql.push(
        " JOIN risk_key_bursts b ON b.merchant_id = v.column1 AND b.env = v.column2 \
         AND b.key_id = v.column3 AND b.ends_us > ",
    )
    .push_int(ending_after_us)
    .push(" ORDER BY b.merchant_id, b.env, b.key_id FOR UPDATE OF b");
}

/// What a creation batch adds to a key's first-hour count, and what it decided on: the count
/// it read and the most the count may hold for its decisions to stand (`read` when the rule
/// fired; see `anton_core::risk::RuleSet::key_burst_room`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BurstDelta {
    pub key: Scoped<KeyId>,
    pub add: i64,
    pub read: i64,
    pub room: i64,
}

impl BurstDelta {
    /// Whether the batch's decisions hold on `locked`, the count read under its lock: it is the
    /// count they were made on, or one with room for all of them.
    pub fn holds(&self, locked: i64) -> bool {
        locked == self.read || locked <= self.room
    }
}

/// Appends the statement adding `deltas` (sorted) to their keys' first-hour counts, each only
/// where the count is still one its batch's decisions hold on ([`BurstDelta::holds`]: the
/// caller holds the rows' locks and checked that already; this is the backstop);
/// `RETURNING 1` per row added tells the caller how many held.
pub(crate) fn push_add_key_bursts(sql: &mut Sql, deltas: &[BurstDelta]) {
    sql.push("UPDATE risk_key_bursts SET count = risk_key_bursts.count + v.column4 FROM ");
    rows_from(sql, deltas, |sql, d| {
        d.key.bind(sql);
        for n in [d.add, d.read, d.room] {
            sql.push(", ").push_int(n);
        }
    });
    sql.push(
        " WHERE risk_key_bursts.merchant_id = v.column1 AND risk_key_bursts.env = v.column2 \
         AND risk_key_bursts.key_id = v.column3 \
         AND (risk_key_bursts.count = v.column5 OR risk_key_bursts.count <= v.column6)",
    );
}

/// Adds `deltas` to their keys' first-hour counts (read under the batch's locks, so each holds;
/// see [`push_add_key_bursts`]); those adding nothing are skipped. One statement per chunk.
pub async fn add_key_bursts(conn: &mut BatchConn<'_>, deltas: &[BurstDelta]) -> Result<()> {
    let deltas: Vec<BurstDelta> = deltas.iter().filter(|d| d.add != 0).cloned().collect();
    for chunk in chunks_for(conn, &deltas) {
        if chunk.is_empty() {
            continue;
        }
        let mut sql = Sql::for_batch(conn, "");
        push_add_key_bursts(&mut sql, chunk);
        sql.execute_batch(conn).await?;
    }
    Ok(())
}
