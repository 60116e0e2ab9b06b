//! Risk rules a merchant changed from their defaults (docs/risk.md), one row per tenant and
//! rule; a rule without a row is at its default (`anton_core::risk::RuleSet::defaults`). The
//! outflow windows the rules compare against live on the `available` balance rows
//! (`ledger::Available`, `ledger::Delta::outflow`), under the balance's own lock.

use std::collections::HashMap;

use sqlx::{Any, AnyConnection, Executor, Row};

use crate::ledger::BalanceKey;
use crate::list::{chunks_for, rows_from, BatchConn, Sql};
use crate::{Result, Tenant};

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
