//! Payouts. Status changes go through [`update_status`], which only succeeds from the status the
//! caller read (a compare-and-set), so two actors can never both apply a transition.

use anton_core::id::{MerchantId, PayoutId, RecipientId};
use anton_core::keys::Environment;
use anton_core::payout::PayoutStatus;
use anton_core::time::Timestamp;
use sqlx::{Any, AnyConnection, Executor};

use std::collections::HashSet;

use crate::list::{chunks_for, key_from_row, rows_insert, BatchConn, Page, RowGet, Sql};
use crate::{Result, Scoped, StoreError, Tenant};

mod creation;
pub use creation::{
    creation_reads, insert_creations, write_creations_at_once, AtOnce, CreationReads, CreationRows,
    RiskReads,
};

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
    /// The risk assessment made at creation (JSON object text; `None` for payouts created before
    /// the risk rules).
    pub risk: Option<String>,
    /// The review of a payout held by a risk rule (JSON object text; `None` if never held).
    pub review: Option<String>,
    /// Live file rails: the bank file that carried the payout and the reference the bank
    /// quotes (`None` until a cut-off puts it in a file).
    pub bank_file: Option<String>,
    pub bank_reference: Option<String>,
}

pub(crate) const COLUMNS: &str =
    "id, recipient_id, amount, currency, status, failure_code, failure_message, description, \
    metadata, outcome_last4, arrival_date, rail_due_us, created_us, updated_us, risk, review, \
    bank_file, bank_reference";

fn corrupt(what: &str) -> StoreError {
    StoreError::Corrupt(format!("payouts.{what}"))
}

pub(crate) fn from_row(r: &dyn RowGet) -> Result<PayoutRecord> {
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
        risk: r.opt_text("risk")?,
        review: r.opt_text("review")?,
        bank_file: r.opt_text("bank_file")?,
        bank_reference: r.opt_text("bank_reference")?,
    })
}

pub async fn insert(conn: &mut AnyConnection, t: &Tenant, p: &PayoutRecord) -> Result<()> {
    sqlx::query(
        "INSERT INTO payouts (merchant_id, env, id, recipient_id, amount, currency, status, failure_code, failure_message, \
         description, metadata, outcome_last4, arrival_date, rail_due_us, rail_lease_us, created_us, updated_us, risk, review) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, NULL, NULL, $8, $9, $10, $11, $12, NULL, $13, $14, $15, $16)",
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
    .bind(p.risk.clone())
    .bind(p.review.clone())
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

/// [`get`] on the job's connection, the row locked until the job commits when `lock`
/// (PostgreSQL): a bank answer and the settlement pass deciding about one payout take turns.
pub async fn get_locked(
    conn: &mut AnyConnection,
    t: &Tenant,
    id: &PayoutId,
    lock: bool,
) -> Result<Option<PayoutRecord>> {
    let lock = if lock { " FOR UPDATE" } else { "" };
    let row = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM payouts WHERE merchant_id = $1 AND env = $2 AND id = $3{lock}"
    ))
    .bind(t.m())
    .bind(t.e())
    .bind(id.as_str())
    .fetch_optional(conn)
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
        crate::list::rows_from(&mut sql, chunk, |sql, k| k.bind(sql));
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
         description, metadata, outcome_last4, arrival_date, rail_due_us, created_us, updated_us, \
         risk, review) ",
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
            .push_int(p.updated.unix_micros())
            .push(", ")
            .opt_text(p.risk.as_deref())
            .push(", ")
            .opt_text(p.review.as_deref());
    });
}

/// Inserts many payouts in one statement.
pub async fn insert_many(conn: &mut BatchConn<'_>, rows: &[(Tenant, PayoutRecord)]) -> Result<()> {
    for chunk in chunks_for(conn, rows) {
        insert_many_chunk(&mut *conn, chunk).await?;
    }
    Ok(())
}

/// Writes a payout's review (JSON object text), in the transaction of its status change.
pub async fn set_review(
    c: &mut AnyConnection,
    t: &Tenant,
    id: &PayoutId,
    review: &str,
) -> Result<()> {
    sqlx::query("UPDATE payouts SET review = $1 WHERE merchant_id = $2 AND env = $3 AND id = $4")
        .bind(review)
        .bind(t.m())
        .bind(t.e())
        .bind(id.as_str())
        .execute(c)
        .await?;
    Ok(())
}

/// Payouts of every tenant held for review since before `before_us`, oldest first, at most
/// `limit` (the expiry sweep's scan; a partial index holds only the held payouts).
pub async fn in_review_before<'e, E: Executor<'e, Database = Any>>(
    c: E,
    before_us: i64,
    limit: i64,
) -> Result<Vec<(Tenant, PayoutRecord)>> {
    let rows = sqlx::query(&format!(
        "SELECT merchant_id, env, {COLUMNS} FROM payouts \
         WHERE status = 'requires_review' AND created_us < $1 ORDER BY created_us LIMIT $2"
    ))
    .bind(before_us)
    .bind(limit)
    .fetch_all(c)
    .await?;
    rows.iter()
        .map(|r| {
            let t = Tenant::from_stored(&r.text("merchant_id")?, &r.text("env")?)?;
            Ok((t, from_row(r)?))
        })
        .collect()
}
