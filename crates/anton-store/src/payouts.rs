//! Payouts. Status changes go through [`update_status`], which only succeeds from the status the
//! caller read (a compare-and-set), so two actors can never both apply a transition.

use anton_core::id::{KeyId, MerchantId, PayoutId, RecipientId};
use anton_core::keys::Environment;
use anton_core::payout::PayoutStatus;
use anton_core::time::Timestamp;
use sqlx::{Any, AnyConnection, Executor};

use std::collections::{HashMap, HashSet};

use anton_core::money::Currency;

use crate::idempotency::{NewRecord, RecordKey, StoredResponse};
use crate::ledger::{BalanceKey, Delta};
use crate::list::{chunks_for, key_from_row, rows_insert, BatchConn, Page, RowGet, Sql};
use crate::recipients::RecipientBrief;
use crate::{stored, Result, Scoped, StoreError, Tenant};

#[derive(Debug, Clone)]
pub struct PayoutRecord {
    pub id: PayoutId,
    pub recipient_id: RecipientId,
    pub amount: i64,
    pub currency: String,
    pub status: PayoutStatus,
    pub failure_code: Option<String>,
    pub failure_message: Option<String>,
    pub description: Option<String>,
    /// JSON object text.
    pub metadata: String,
    pub outcome_last4: String,
    pub arrival_date: Option<String>,
    pub rail_due_us: Option<i64>,
    pub created: Timestamp,
    pub updated: Timestamp,
}

const COLUMNS: &str =
    "id, recipient_id, amount, currency, status, failure_code, failure_message, description, \
    metadata, outcome_last4, arrival_date, rail_due_us, created_us, updated_us";

fn corrupt(what: &str) -> StoreError {
    StoreError::Corrupt(format!("payouts.{what}"))
}

fn from_row(r: &dyn RowGet) -> Result<PayoutRecord> {
    Ok(PayoutRecord {
        id: PayoutId::parse(&r.text("id")?).map_err(|_| corrupt("id"))?,
        recipient_id: RecipientId::parse(&r.text("recipient_id")?)
            .map_err(|_| corrupt("recipient_id"))?,
        amount: r.int("amount")?,
        currency: r.text("currency")?,
        status: PayoutStatus::parse(&r.text("status")?).ok_or_else(|| corrupt("status"))?,
        failure_code: r.opt_text("failure_code")?,
        failure_message: r.opt_text("failure_message")?,
        description: r.opt_text("description")?,
        metadata: r.text("metadata")?,
        outcome_last4: r.text("outcome_last4")?,
        arrival_date: r.opt_text("arrival_date")?,
        rail_due_us: r.opt_int("rail_due_us")?,
        created: Timestamp::from_unix_micros(r.int("created_us")?),
        updated: Timestamp::from_unix_micros(r.int("updated_us")?),
    })
}

pub async fn insert(conn: &mut AnyConnection, t: &Tenant, p: &PayoutRecord) -> Result<()> {
    sqlx::query(
        "INSERT INTO payouts (merchant_id, env, id, recipient_id, amount, currency, status, failure_code, failure_message, \
         description, metadata, outcome_last4, arrival_date, rail_due_us, rail_lease_us, created_us, updated_us) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, NULL, NULL, $8, $9, $10, $11, $12, NULL, $13, $14)",
    )
    .bind(t.m())
    .bind(t.e())
    .bind(p.id.as_str())
    .bind(p.recipient_id.as_str())
    .bind(p.amount)
    .bind(&p.currency)
    .bind(p.status.as_str())
    .bind(p.description.clone())
    .bind(&p.metadata)
    .bind(&p.outcome_last4)
    .bind(p.arrival_date.clone())
    .bind(p.rail_due_us)
    .bind(p.created.unix_micros())
    .bind(p.updated.unix_micros())
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn get<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    t: &Tenant,
    id: &PayoutId,
) -> Result<Option<PayoutRecord>> {
    let row = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM payouts WHERE merchant_id = $1 AND env = $2 AND id = $3"
    ))
    .bind(t.m())
    .bind(t.e())
    .bind(id.as_str())
    .fetch_optional(ex)
    .await?;
    row.as_ref().map(|r| from_row(r)).transpose()
}

/// Writes what a merchant may change on a payout: description, metadata (and `updated`).
pub async fn update_details(conn: &mut AnyConnection, t: &Tenant, p: &PayoutRecord) -> Result<()> {
    sqlx::query(
        "UPDATE payouts SET description = $1, metadata = $2, updated_us = $3 \
         WHERE merchant_id = $4 AND env = $5 AND id = $6",
    )
    .bind(p.description.clone())
    .bind(&p.metadata)
    .bind(p.updated.unix_micros())
    .bind(t.m())
    .bind(t.e())
    .bind(p.id.as_str())
    .execute(conn)
    .await?;
    Ok(())
}

/// Whether the recipient has payouts still under way (pending, in review or processing).
pub async fn recipient_has_active(
    conn: &mut AnyConnection,
    t: &Tenant,
    recipient: &RecipientId,
) -> Result<bool> {
    let row = sqlx::query(
        "SELECT 1 FROM payouts WHERE merchant_id = $1 AND env = $2 AND recipient_id = $3 \
         AND status IN ('pending', 'requires_review', 'processing') LIMIT 1",
    )
    .bind(t.m())
    .bind(t.e())
    .bind(recipient.as_str())
    .fetch_optional(conn)
    .await?;
    Ok(row.is_some())
}

#[derive(Debug, Clone, Default)]
pub struct PayoutFilter {
    pub status: Option<PayoutStatus>,
    pub recipient: Option<RecipientId>,
}

pub async fn list<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    t: &Tenant,
    filter: &PayoutFilter,
    page: &Page,
) -> Result<Vec<PayoutRecord>> {
    let mut sql = Sql::new(&format!(
        "SELECT {COLUMNS} FROM payouts WHERE merchant_id = "
    ));
    sql.text(t.m()).push(" AND env = ").text(t.e());
    if let Some(s) = filter.status {
        sql.push(" AND status = ").text(s.as_str());
    }
    if let Some(r) = &filter.recipient {
        sql.push(" AND recipient_id = ").text(r.as_str());
    }
    page.finish(&mut sql);
    sql.fetch_all(ex)
        .await?
        .iter()
        .map(|r| from_row(r))
        .collect()
}

/// The new state a transition writes.
#[derive(Debug, Clone)]
pub struct StatusUpdate<'a> {
    pub from: PayoutStatus,
    pub to: PayoutStatus,
    pub failure_code: Option<&'a str>,
    pub failure_message: Option<&'a str>,
    pub arrival_date: Option<&'a str>,
    /// When the rail should act next (None: nothing scheduled).
    pub rail_due_us: Option<i64>,
    pub now_us: i64,
}

/// Compare-and-set of the status. `false` when the payout is no longer in `from` (someone else
/// moved it first) — the caller must then not write the transition's posting or event.
pub async fn update_status(
    conn: &mut AnyConnection,
    t: &Tenant,
    id: &PayoutId,
    u: &StatusUpdate<'_>,
) -> Result<bool> {
    let r = sqlx::query(
        "UPDATE payouts SET status = $1, failure_code = COALESCE($2, failure_code), \
         failure_message = COALESCE($3, failure_message), arrival_date = COALESCE($4, arrival_date), \
         rail_due_us = $5, rail_lease_us = NULL, updated_us = $6 \
         WHERE merchant_id = $7 AND env = $8 AND id = $9 AND status = $10",
    )
    .bind(u.to.as_str())
    .bind(u.failure_code.map(str::to_owned))
    .bind(u.failure_message.map(str::to_owned))
    .bind(u.arrival_date.map(str::to_owned))
    .bind(u.rail_due_us)
    .bind(u.now_us)
    .bind(t.m())
    .bind(t.e())
    .bind(id.as_str())
    .bind(u.from.as_str())
    .execute(conn)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// One payout's status change in a set ([`update_status_many`]): the compare-and-set of
/// [`update_status`] for the payout `payout` of `tenant`.
#[derive(Debug, Clone)]
pub struct StatusRow {
    pub tenant: Tenant,
    pub payout: PayoutId,
    pub from: PayoutStatus,
    pub to: PayoutStatus,
    pub failure_code: Option<&'static str>,
    pub failure_message: Option<&'static str>,
    pub arrival_date: Option<String>,
    pub rail_due_us: Option<i64>,
}

/// [`update_status`] for a set of payouts in one statement per chunk (`UPDATE … FROM` a row set,
/// `RETURNING` what moved): the payouts whose status was still `from` and now is `to`. A payout
/// moved by someone else meanwhile is not returned, and its posting and event must not be
/// written.
pub async fn update_status_many(
    conn: &mut BatchConn<'_>,
    rows: &[StatusRow],
    now_us: i64,
) -> Result<HashSet<Scoped<PayoutId>>> {
    let mut moved = HashSet::new();
    for chunk in chunks_for(conn, rows) {
        if chunk.is_empty() {
            continue;
        }
        let mut sql = Sql::for_batch(
            conn,
            "UPDATE payouts SET status = v.column5, \
             failure_code = COALESCE(v.column6, payouts.failure_code), \
             failure_message = COALESCE(v.column7, payouts.failure_message), \
             arrival_date = COALESCE(v.column8, payouts.arrival_date), \
             rail_due_us = v.column9, rail_lease_us = NULL, updated_us = ",
        );
        sql.push_int(now_us).push(" FROM ");
        crate::list::rows_from(&mut sql, chunk, |sql, r| {
            sql.text(r.tenant.m())
                .push(", ")
                .text(r.tenant.e())
                .push(", ")
                .text(r.payout.as_str())
                .push(", ")
                .text(r.from.as_str())
                .push(", ")
                .text(r.to.as_str())
                .push(", ")
                .opt_text(r.failure_code)
                .push(", ")
                .opt_text(r.failure_message)
                .push(", ")
                .opt_text(r.arrival_date.as_deref())
                .push(", ")
                .opt_int(r.rail_due_us);
        });
        sql.push(
            " WHERE payouts.merchant_id = v.column1 AND payouts.env = v.column2 \
             AND payouts.id = v.column3 AND payouts.status = v.column4 \
             RETURNING merchant_id, env, id",
        );
        let rows = sql
            .fetch_batch(conn, |r| key_from_row::<PayoutId>(r, "payout id"))
            .await?;
        moved.extend(rows);
    }
    Ok(moved)
}

/// Stops scheduling rail work for these payouts (their status needs none, e.g. canceled). Not a
/// status change: the status is untouched. One statement per chunk.
pub async fn unschedule_many(conn: &mut BatchConn<'_>, ids: &[Scoped<PayoutId>]) -> Result<()> {
    for chunk in chunks_for(conn, ids) {
        if chunk.is_empty() {
            continue;
        }
        let mut sql = Sql::for_batch(
            conn,
            "UPDATE payouts SET rail_due_us = NULL, rail_lease_us = NULL FROM ",
        );
        crate::list::rows_from(&mut sql, chunk, |sql, k| {
            sql.text(k.tenant.m())
                .push(", ")
                .text(k.tenant.e())
                .push(", ")
                .text(k.id.as_str());
        });
        sql.push(
            " WHERE payouts.merchant_id = v.column1 AND payouts.env = v.column2 \
             AND payouts.id = v.column3",
        );
        sql.execute_batch(conn).await?;
    }
    Ok(())
}

/// When the next rail step in `env` falls due (Unix µs), if any: the rail's worker sleeps until
/// then. Spans tenants, like [`due_for_rail`].
pub async fn next_rail_due<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    env: Environment,
) -> Result<Option<i64>> {
    Ok(sqlx::query_scalar(
        "SELECT rail_due_us FROM payouts WHERE rail_due_us IS NOT NULL AND env = $1 \
         ORDER BY rail_due_us LIMIT 1",
    )
    .bind(env.as_str())
    .fetch_optional(ex)
    .await?)
}

/// A payout the rail should act on now, with its tenant.
#[derive(Debug, Clone)]
pub struct DuePayout {
    pub tenant: Tenant,
    pub payout: PayoutRecord,
}

/// Payouts in one environment whose rail step is due, oldest first. Run inside the writer's
/// transaction: on PostgreSQL the rows stay locked (`FOR UPDATE SKIP LOCKED`) so workers on other
/// nodes take different payouts; on SQLite the single writer already excludes everyone else.
///
/// `skip_locked` (PostgreSQL): lock the rows read, skipping those another worker holds.
pub async fn due_for_rail(
    conn: &mut BatchConn<'_>,
    env: Environment,
    now_us: i64,
    limit: i64,
    skip_locked: bool,
) -> Result<Vec<DuePayout>> {
    let lock = if skip_locked {
        " FOR UPDATE SKIP LOCKED"
    } else {
        ""
    };
    let mut sql = Sql::for_batch(
        conn,
        &format!(
            "SELECT merchant_id, {COLUMNS} FROM payouts \
             WHERE rail_due_us IS NOT NULL AND rail_due_us <= "
        ),
    );
    sql.push_int(now_us)
        .push(" AND env = ")
        .text(env.as_str())
        .push(" ORDER BY rail_due_us LIMIT ")
        .push_int(limit)
        .push(lock);
    sql.fetch_batch(conn, |r| {
        let merchant_id =
            MerchantId::parse(&r.text("merchant_id")?).map_err(|_| corrupt("merchant_id"))?;
        Ok(DuePayout {
            tenant: Tenant::new(merchant_id, env),
            payout: from_row(r)?,
        })
    })
    .await
}

async fn insert_many_chunk(
    conn: &mut BatchConn<'_>,
    rows: &[(Tenant, PayoutRecord)],
) -> Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let mut sql = Sql::for_batch(conn, "");
    push_insert(&mut sql, rows);
    sql.execute_batch(conn).await?;
    Ok(())
}

/// Appends the statement that inserts `rows` (see [`insert_many`]).
pub fn push_insert(sql: &mut Sql, rows: &[(Tenant, PayoutRecord)]) {
    // failure_code, failure_message and rail_lease_us start NULL.
    sql.push(
        "INSERT INTO payouts (merchant_id, env, id, recipient_id, amount, currency, status, \
         description, metadata, outcome_last4, arrival_date, rail_due_us, created_us, updated_us) ",
    );
    rows_insert(sql, rows, |sql, (t, p)| {
        sql.text(t.m())
            .push(", ")
            .text(t.e())
            .push(", ")
            .text(p.id.as_str())
            .push(", ")
            .text(p.recipient_id.as_str())
            .push(", ")
            .push_int(p.amount)
            .push(", ")
            .text(&p.currency)
            .push(", ")
            .text(p.status.as_str())
            .push(", ")
            .opt_text(p.description.as_deref())
            .push(", ")
            .text(&p.metadata)
            .push(", ")
            .text(&p.outcome_last4)
            .push(", ")
            .opt_text(p.arrival_date.as_deref())
            .push(", ")
            .opt_int(p.rail_due_us)
            .push(", ")
            .push_int(p.created.unix_micros())
            .push(", ")
            .push_int(p.updated.unix_micros());
    });
}

/// Inserts many payouts in one statement.
pub async fn insert_many(conn: &mut BatchConn<'_>, rows: &[(Tenant, PayoutRecord)]) -> Result<()> {
    for chunk in chunks_for(conn, rows) {
        insert_many_chunk(&mut *conn, chunk).await?;
    }
    Ok(())
}

/// What deciding a batch of creations reads: stored idempotency responses by key, live
/// recipients, `available` balances (missing rows read as 0), and the acting API keys that may
/// still act (see `api_keys::usable_many`).
#[derive(Debug, Default)]
pub struct CreationReads {
    pub stored: HashMap<RecordKey, StoredResponse>,
    pub recipients: HashMap<Scoped<RecipientId>, RecipientBrief>,
    pub available: HashMap<BalanceKey, i64>,
    pub usable_actors: HashSet<Scoped<KeyId>>,
}

/// The four reads of a batch of creations as **one statement** (a `UNION ALL` of the four keyed
/// joins, each row tagged with its kind): one round trip instead of four, for the PostgreSQL
/// lanes, where a batch's time is mostly round trips. Balances are read without locks (see
/// `BatchMode::Optimistic`). The same joins as `idempotency::get_many`,
/// `recipients::get_many_brief`, `ledger::read_available` and `api_keys::usable_many` (at
/// `now_us`).
pub async fn creation_reads(
    conn: &mut BatchConn<'_>,
    keys: &[RecordKey],
    recipients: &[Scoped<RecipientId>],
    balances: &[BalanceKey],
    (actors, now_us): (&[Scoped<KeyId>], i64),
) -> Result<CreationReads> {
    let mut out = CreationReads {
        available: balances.iter().map(|k| (k.clone(), 0)).collect(),
        ..CreationReads::default()
    };
    if !matches!(conn, BatchConn::Pg(_)) {
        // Row sets as `VALUES` cannot be empty: the three statements, each skipped when empty.
        out.stored = crate::idempotency::get_many(conn, keys).await?;
        out.recipients = crate::recipients::get_many_brief(conn, recipients).await?;
        out.available
            .extend(crate::ledger::read_available(conn, false, balances).await?);
        out.usable_actors = crate::api_keys::usable_many(conn, actors, now_us).await?;
        return Ok(out);
    }
    let rows = read_at_once(conn, keys, recipients, balances, (actors, now_us)).await?;
    for (kind, tenant, third, (d, e, f), n) in rows {
        match kind.as_str() {
            "key" => {
                out.stored.insert(
                    RecordKey::new(tenant, third),
                    StoredResponse {
                        fingerprint: d,
                        status: u16::try_from(n).unwrap_or(500),
                        body: e,
                    },
                );
            }
            "recipient" => {
                out.recipients.insert(
                    Scoped::new(tenant, stored::<RecipientId>(&third, "recipient id")?),
                    RecipientBrief {
                        currency: d,
                        bank_type: e,
                        last4: f,
                    },
                );
            }
            "actor" => {
                out.usable_actors
                    .insert(Scoped::new(tenant, stored::<KeyId>(&third, "api key id")?));
            }
            _ => {
                let currency = Currency::parse(&third)
                    .map_err(|_| StoreError::Corrupt("stored currency".into()))?;
                out.available.insert(BalanceKey::new(tenant, currency), n);
            }
        }
    }
    Ok(out)
}

/// A row of [`read_at_once`]: its kind (`key`, `recipient`, `balance`, `actor`), the tenant, the third key
/// column, three text values and a number (see the statement for which is which).
type TaggedRow = (String, Tenant, String, (String, String, String), i64);

/// The four keyed joins of [`creation_reads`] as one `UNION ALL` statement, each row tagged
/// with its kind.
async fn read_at_once(
    conn: &mut BatchConn<'_>,
    keys: &[RecordKey],
    recipients: &[Scoped<RecipientId>],
    balances: &[BalanceKey],
    (actors, now_us): (&[Scoped<KeyId>], i64),
) -> Result<Vec<TaggedRow>> {
    // Each row set is (merchant, env, third key column) — the key text, the recipient id, the
    // currency — so the three joins share one shape.
    type Triple<'k> = (&'k Tenant, &'k str);
    let key_rows: Vec<Triple> = keys.iter().map(|k| (&k.tenant, k.key.as_str())).collect();
    let recipient_rows: Vec<Triple> = recipients
        .iter()
        .map(|k| (&k.tenant, k.id.as_str()))
        .collect();
    let balance_rows: Vec<Triple> = balances
        .iter()
        .map(|k| (&k.tenant, k.currency.as_str()))
        .collect();
    let actor_rows: Vec<Triple> = actors.iter().map(|k| (&k.tenant, k.id.as_str())).collect();
    let triple = |sql: &mut Sql, (t, third): &Triple| {
        sql.text(t.m())
            .push(", ")
            .text(t.e())
            .push(", ")
            .text(third);
    };
    let mut sql = Sql::for_batch(conn, "");
    let mut parts = 0;
    let mut part = |sql: &mut Sql, select: &str, rows: &[Triple], join: &str| {
        if rows.is_empty() {
            return;
        }
        sql.push(if parts == 0 { "" } else { " UNION ALL " })
            .push(select);
        crate::list::rows_from(sql, rows, triple);
        sql.push(join);
        parts += 1;
    };
    part(
        &mut sql,
        "SELECT 'key' AS kind, i.merchant_id AS a, i.env AS b, i.key AS c, i.fingerprint AS d, \
         i.body AS e, '' AS f, i.status AS n FROM ",
        &key_rows,
        " JOIN idempotency_keys i ON i.merchant_id = v.column1 AND i.env = v.column2 \
         AND i.key = v.column3",
    );
    part(
        &mut sql,
        "SELECT 'recipient' AS kind, r.merchant_id AS a, r.env AS b, r.id AS c, r.currency AS d, \
         r.bank_type AS e, r.last4 AS f, 0 AS n FROM ",
        &recipient_rows,
        " JOIN recipients r ON r.merchant_id = v.column1 AND r.env = v.column2 \
         AND r.id = v.column3 AND r.deleted_us IS NULL",
    );
    part(
        &mut sql,
        "SELECT 'balance' AS kind, b.merchant_id AS a, b.env AS b, b.currency AS c, '' AS d, \
         '' AS e, '' AS f, b.amount AS n FROM ",
        &balance_rows,
        " JOIN balances b ON b.merchant_id = v.column1 AND b.env = v.column2 \
         AND b.currency = v.column3 AND b.account = 'available'",
    );
    part(
        &mut sql,
        "SELECT 'actor' AS kind, k.merchant_id AS a, k.env AS b, k.id AS c, '' AS d, '' AS e, \
         '' AS f, 0 AS n FROM ",
        &actor_rows,
        " JOIN api_keys k ON k.merchant_id = v.column1 AND k.env = v.column2 AND k.id = v.column3 \
         AND k.revoked_us IS NULL AND (k.expires_us IS NULL OR k.expires_us > ",
    );
    if !actor_rows.is_empty() {
        sql.push_int(now_us).push(")");
    }
    if parts == 0 {
        return Ok(Vec::new());
    }
    sql.fetch_batch(conn, |r| {
        Ok((
            r.text("kind")?,
            Tenant::from_stored(&r.text("a")?, &r.text("b")?)?,
            r.text("c")?,
            (r.text("d")?, r.text("e")?, r.text("f")?),
            r.int("n")?,
        ))
    })
    .await
}

/// The rows that a batch of payout creations writes (the creations that stand).
#[derive(Debug, Default)]
pub struct CreationRows {
    pub postings: Vec<crate::ledger::PostingRow>,
    pub payouts: Vec<(Tenant, PayoutRecord)>,
    pub events: Vec<(Tenant, anton_core::event::NewEvent)>,
    /// Debits of `available` and credits of `in_flight`, sorted (the global lock order).
    pub deltas: Vec<Delta>,
}

impl CreationRows {
    /// The debits, as `(balance, signed amount)`.
    pub fn debits(&self) -> impl Iterator<Item = (&BalanceKey, i64)> {
        self.deltas
            .iter()
            .filter(|d| d.amount < 0)
            .map(|d| (&d.balance, d.amount))
    }
}

/// Writes `rows` one statement per table (per chunk): postings, payouts, events, and last the
/// balances, which on PostgreSQL take the balance rows' locks until the commit.
pub async fn insert_creations(conn: &mut BatchConn<'_>, rows: &CreationRows) -> Result<()> {
    crate::ledger::insert_postings(conn, &rows.postings).await?;
    insert_many(conn, &rows.payouts).await?;
    crate::events::insert_many(conn, &rows.events).await?;
    crate::ledger::apply_deltas(conn, &rows.deltas).await?;
    Ok(())
}

/// What [`write_creations_at_once`] wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AtOnce {
    /// Idempotency records stored: fewer than given when another transaction stored a key first.
    pub keys_stored: usize,
    /// Balance rows debited: fewer than the debits when a debited row does not exist.
    pub debited: usize,
}

/// The idempotency records (in key order, as [`crate::idempotency::store_new_many`] takes them)
/// and `rows` as **one statement**, each write a data-modifying CTE: one round trip whatever the
/// batch's size. The CTEs run in no set order, so the caller must hold the locks of the balances
/// it debits already (`ledger::read_available` with `lock`). A debit that would leave
/// `available` negative fails the CHECK ([`StoreError::CheckViolation`]). PostgreSQL only (the
/// batched lanes): SQLite has no data-modifying CTEs.
pub async fn write_creations_at_once(
    conn: &mut BatchConn<'_>,
    keys: &mut [NewRecord],
    rows: &CreationRows,
    now_us: i64,
) -> Result<AtOnce> {
    let debits: Vec<&Delta> = rows.deltas.iter().filter(|d| d.amount < 0).collect();
    let credits: Vec<&Delta> = rows.deltas.iter().filter(|d| d.amount > 0).collect();
    let mut sql = Sql::for_batch(conn, "WITH ");
    let mut ctes = 0;
    let mut cte = |sql: &mut Sql, name: &str, statement: &dyn Fn(&mut Sql)| {
        sql.push(if ctes == 0 { "" } else { ", " })
            .push(name)
            .push(" AS (");
        statement(sql);
        sql.push(")");
        ctes += 1;
    };
    if !keys.is_empty() {
        keys.sort_by(|a, b| a.key.cmp(&b.key));
        cte(&mut sql, "k", &|sql| {
            crate::idempotency::push_store_new(sql, keys, now_us)
        });
    }
    if !rows.postings.is_empty() {
        cte(&mut sql, "p", &|sql| {
            crate::ledger::push_insert_postings(sql, &rows.postings)
        });
    }
    if !rows.payouts.is_empty() {
        cte(&mut sql, "o", &|sql| push_insert(sql, &rows.payouts));
    }
    if !rows.events.is_empty() {
        cte(&mut sql, "e", &|sql| {
            crate::events::push_insert(sql, &rows.events)
        });
    }
    if !debits.is_empty() {
        cte(&mut sql, "d", &|sql| {
            crate::ledger::push_debits(sql, &debits);
            sql.push(" RETURNING 1");
        });
    }
    if !credits.is_empty() {
        cte(&mut sql, "c", &|sql| {
            crate::ledger::push_credits(sql, &credits)
        });
    }
    if ctes == 0 {
        return Ok(AtOnce {
            keys_stored: 0,
            debited: 0,
        });
    }
    // What the statement returns: one row per stored key, and the count of debited rows.
    let stored = "SELECT 'key' AS kind, 0::int8 AS n FROM k";
    let debited = "SELECT 'debited' AS kind, count(*)::int8 AS n FROM d";
    let tail = match (keys.is_empty(), debits.is_empty()) {
        (false, false) => format!(" {stored} UNION ALL {debited}"),
        (false, true) => format!(" {stored}"),
        (true, false) => format!(" {debited}"),
        (true, true) => " SELECT 'none' AS kind, 0::int8 AS n".to_owned(),
    };
    sql.push(&tail);
    let out = sql
        .fetch_batch(conn, |r| Ok((r.text("kind")?, r.int("n")?)))
        .await?;
    Ok(AtOnce {
        keys_stored: out.iter().filter(|(kind, _)| kind == "key").count(),
        debited: out
            .iter()
            .find(|(kind, _)| kind == "debited")
            .map_or(0, |(_, n)| usize::try_from(*n).unwrap_or(0)),
    })
}
