//! The ledger: balanced postings and the balance cache they maintain.
//!
//! **Invariants**: per merchant, environment and currency, the four account balances sum to zero;
//! `available` never goes negative; `balances` equals the sum of the postings. [`post`] keeps them
//! (the debit of `available` is a conditional UPDATE, so a racing overdraw is refused, never
//! written) and [`check_invariants`] verifies them from scratch.

use anton_core::id::BalanceTransactionId;
use anton_core::ledger::{LedgerAccount, Posting};
use anton_core::money::Currency;
use anton_core::risk::{Outflow, Window};
use sqlx::any::AnyRow;
use sqlx::{Any, AnyConnection, Executor, Row};

use std::collections::HashMap;

use crate::list::{chunks_for, rows_from, rows_insert, BatchConn, Page, RowGet, Sql};
use crate::{Result, Tenant};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PostOutcome {
    Posted(BalanceTransactionId),
    InsufficientFunds,
}

async fn add(
    conn: &mut AnyConnection,
    t: &Tenant,
    currency: Currency,
    account: LedgerAccount,
    delta: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO balances (merchant_id, env, currency, account, amount) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (merchant_id, env, currency, account) DO UPDATE SET amount = balances.amount + excluded.amount",
    )
    .bind(t.m())
    .bind(t.e())
    .bind(currency.as_str())
    .bind(account.as_str())
    .bind(delta)
    .execute(conn)
    .await?;
    Ok(())
}

/// The debit side of a posting: of `available` only if the balance covers it (`false`: it does
/// not, nothing was written), of any other account unconditionally.
async fn debit_step(
    conn: &mut AnyConnection,
    t: &Tenant,
    currency: Currency,
    debit: LedgerAccount,
    minus: i64,
) -> Result<bool> {
    if debit != LedgerAccount::Available {
        add(conn, t, currency, debit, minus).await?;
        return Ok(true);
    }
    let r = sqlx::query(
        "UPDATE balances SET amount = amount + $1 \
         WHERE merchant_id = $2 AND env = $3 AND currency = $4 AND account = 'available' AND amount >= $5",
    )
    .bind(minus)
    .bind(t.m())
    .bind(t.e())
    .bind(currency.as_str())
    .bind(-minus)
    .execute(&mut *conn)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Applies a posting. A debit of `available` happens only if the balance covers it.
pub async fn post(
    conn: &mut AnyConnection,
    t: &Tenant,
    currency: Currency,
    posting: Posting,
    source_id: Option<&str>,
    now_us: i64,
) -> Result<PostOutcome> {
    let [(debit, minus), (credit, plus)] = posting.entries();
    // The two balance rows are updated in one global order — by account name, so `available`
    // always first — on every path (`apply_deltas` sorts the same way): two transactions on
    // different nodes that touch the same balances then never wait for each other in a cycle,
    // which PostgreSQL would break by aborting one (a payout release taking `in_flight` then
    // `available` against a creation batch holding `available` then wanting `in_flight`).
    // `available` sorts first, so its conditional debit still runs before anything is written.
    if debit.as_str() <= credit.as_str() {
        if !debit_step(conn, t, currency, debit, minus).await? {
            return Ok(PostOutcome::InsufficientFunds);
        }
        add(conn, t, currency, credit, plus).await?;
    } else {
        add(conn, t, currency, credit, plus).await?;
        if !debit_step(conn, t, currency, debit, minus).await? {
            return Ok(PostOutcome::InsufficientFunds);
        }
    }
    let id = BalanceTransactionId::generate();
    sqlx::query(
        "INSERT INTO balance_transactions (merchant_id, env, id, type, currency, amount, debit, credit, source_id, created_us) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(t.m())
    .bind(t.e())
    .bind(id.as_str())
    .bind(posting.kind.as_str())
    .bind(currency.as_str())
    .bind(posting.amount.minor())
    .bind(debit.as_str())
    .bind(credit.as_str())
    .bind(source_id.map(str::to_owned))
    .bind(now_us)
    .execute(conn)
    .await?;
    Ok(PostOutcome::Posted(id))
}

/// One account's balance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountBalance {
    pub currency: String,
    pub account: String,
    pub amount: i64,
}

pub async fn balances<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    t: &Tenant,
) -> Result<Vec<AccountBalance>> {
    let rows = sqlx::query(
        "SELECT currency, account, amount FROM balances WHERE merchant_id = $1 AND env = $2 ORDER BY currency, account",
    )
    .bind(t.m())
    .bind(t.e())
    .fetch_all(ex)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(AccountBalance {
                currency: r.try_get("currency")?,
                account: r.try_get("account")?,
                amount: r.try_get("amount")?,
            })
        })
        .collect()
}

#[derive(Debug, Clone)]
pub struct BalanceTransactionRecord {
    pub id: String,
    pub kind: String,
    pub currency: String,
    pub amount: i64,
    pub debit: String,
    pub credit: String,
    pub source_id: Option<String>,
    pub created_us: i64,
}

fn txn_from_row(r: &AnyRow) -> Result<BalanceTransactionRecord> {
    Ok(BalanceTransactionRecord {
        id: r.try_get("id")?,
        kind: r.try_get("type")?,
        currency: r.try_get("currency")?,
        amount: r.try_get("amount")?,
        debit: r.try_get("debit")?,
        credit: r.try_get("credit")?,
        source_id: r.try_get("source_id")?,
        created_us: r.try_get("created_us")?,
    })
}

pub async fn list_transactions<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    t: &Tenant,
    kind: Option<&str>,
    source_id: Option<&str>,
    page: &Page,
) -> Result<Vec<BalanceTransactionRecord>> {
    let mut sql = Sql::new(
        "SELECT id, type, currency, amount, debit, credit, source_id, created_us FROM balance_transactions WHERE merchant_id = ",
    );
    sql.text(t.m()).push(" AND env = ").text(t.e());
    if let Some(k) = kind {
        sql.push(" AND type = ").text(k);
    }
    if let Some(s) = source_id {
        sql.push(" AND source_id = ").text(s);
    }
    page.finish(&mut sql);
    sql.fetch_all(ex).await?.iter().map(txn_from_row).collect()
}

/// Recomputes every balance of the tenant from its postings and compares. `Err` describes the first
/// violation found. Used by tests, the benchmark and `anton ledger check`.
pub async fn check_invariants(pool: &sqlx::AnyPool, t: &Tenant) -> Result<Result<(), String>> {
    let rows = sqlx::query(
        "SELECT currency, account, CAST(COALESCE(SUM(amount), 0) AS BIGINT) AS total FROM ( \
            SELECT currency, credit AS account, amount FROM balance_transactions WHERE merchant_id = $1 AND env = $2 \
            UNION ALL \
            SELECT currency, debit AS account, -amount FROM balance_transactions WHERE merchant_id = $1 AND env = $2 \
         ) postings GROUP BY currency, account",
    )
    .bind(t.m())
    .bind(t.e())
    .fetch_all(pool)
    .await?;
    let mut from_postings = std::collections::BTreeMap::new();
    for r in &rows {
        let c: String = r.try_get("currency")?;
        let a: String = r.try_get("account")?;
        let total: i64 = r.try_get("total")?;
        from_postings.insert((c, a), total);
    }
    let cached = balances(pool, t).await?;
    let mut per_currency = std::collections::BTreeMap::<String, i64>::new();
    for b in &cached {
        let expected = from_postings
            .remove(&(b.currency.clone(), b.account.clone()))
            .unwrap_or(0);
        if expected != b.amount {
            return Ok(Err(format!(
                "{} {} balance {} differs from its postings {}",
                b.currency, b.account, b.amount, expected
            )));
        }
        if b.account == "available" && b.amount < 0 {
            return Ok(Err(format!("{} available is negative", b.currency)));
        }
        *per_currency.entry(b.currency.clone()).or_default() += b.amount;
    }
    if let Some(((c, a), v)) = from_postings.into_iter().find(|(_, v)| *v != 0) {
        return Ok(Err(format!(
            "{c} {a} has postings summing to {v} but no balance row"
        )));
    }
    if let Some((c, sum)) = per_currency.into_iter().find(|(_, s)| *s != 0) {
        return Ok(Err(format!("{c} accounts sum to {sum}, not zero")));
    }
    Ok(Ok(()))
}

/// One balance: a tenant's money in one currency (its four account rows).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct BalanceKey {
    pub tenant: Tenant,
    pub currency: Currency,
}

impl BalanceKey {
    pub fn new(tenant: Tenant, currency: Currency) -> Self {
        Self { tenant, currency }
    }

    fn from_row(r: &dyn RowGet) -> Result<Self> {
        Ok(Self {
            tenant: Tenant::from_stored(&r.text("merchant_id")?, &r.text("env")?)?,
            currency: Currency::parse(&r.text("currency")?)
                .map_err(|_| crate::StoreError::Corrupt("stored currency".into()))?,
        })
    }

    fn bind(&self, sql: &mut Sql) {
        sql.text(self.tenant.m())
            .push(", ")
            .text(self.tenant.e())
            .push(", ")
            .text(self.currency.as_str());
    }
}

/// Balances sort as their rows do (merchant, env, currency as text): the global lock order.
impl Ord for BalanceKey {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (&self.tenant, self.currency.as_str()).cmp(&(&other.tenant, other.currency.as_str()))
    }
}

impl PartialOrd for BalanceKey {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

/// An `available` balance as a creation batch reads it: the amount, and the outflow windows the
/// risk rules compare against (`anton_core::risk`), as stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Available {
    pub amount: i64,
    pub outflow: Outflow,
}

/// The columns of a balance row's outflow windows, as `SELECT` lists them.
pub(crate) const OUTFLOW_COLUMNS: &str = "b.out_hour_us, b.out_hour_count, b.out_hour_sum, \
    b.out_day_us, b.out_day_count, b.out_day_sum";

/// The outflow windows of a row selected with [`OUTFLOW_COLUMNS`].
pub(crate) fn outflow_from_row(r: &dyn RowGet) -> Result<Outflow> {
    Ok(Outflow {
        hour: Window {
            start_us: r.int("out_hour_us")?,
            count: r.int("out_hour_count")?,
            sum: r.int("out_hour_sum")?,
        },
        day: Window {
            start_us: r.int("out_day_us")?,
            count: r.int("out_day_count")?,
            sum: r.int("out_day_sum")?,
        },
    })
}

/// Appends [`read_available`]'s statement for `keys` (not empty): their rows with the columns
/// `BalanceKey::from_row`, `account`, `amount` and [`outflow_from_row`] read.
fn push_read_available(sql: &mut Sql, keys: &[BalanceKey], lock: bool) {
    // A join from the keys' row set (see `idempotency::get_many`).
    sql.push(&format!(
        "SELECT b.merchant_id, b.env, b.currency, b.account, b.amount, {OUTFLOW_COLUMNS} FROM "
    ));
    rows_from(sql, keys, |sql, k| k.bind(sql));
    sql.push(
        " JOIN balances b ON b.merchant_id = v.column1 AND b.env = v.column2 \
         AND b.currency = v.column3",
    );
    // Locking takes `in_flight` too, each balance's rows together, in the global lock order. The
    // database's collation orders the ids here; `BalanceKey` sorts bytes. The two agree under
    // the `C`/`C.UTF-8` collations (docs/operations.md); under another, two transactions may lock
    // in different orders, and PostgreSQL aborts one as a deadlock victim, which is run again.
    // (`COLLATE "C"` on this ORDER BY measured ~6% fewer payouts/s.)
    sql.push(if lock {
        " AND b.account IN ('available', 'in_flight') \
         ORDER BY b.merchant_id, b.env, b.currency, b.account FOR UPDATE OF b"
    } else {
        " AND b.account = 'available'"
    });
}

async fn read_available_chunk(
    conn: &mut BatchConn<'_>,
    lock: bool,
    keys: &[BalanceKey],
) -> Result<HashMap<BalanceKey, Available>> {
    let mut out: HashMap<BalanceKey, Available> = keys
        .iter()
        .map(|k| (k.clone(), Available::default()))
        .collect();
    if keys.is_empty() {
        return Ok(out);
    }
    let mut sql = Sql::for_batch(conn, "");
    push_read_available(&mut sql, keys, lock);
    let rows = sql
        .fetch_batch(conn, |r| {
            Ok((
                BalanceKey::from_row(r)?,
                r.text("account")?,
                Available {
                    amount: r.int("amount")?,
                    outflow: outflow_from_row(r)?,
                },
            ))
        })
        .await?;
    out.extend(
        rows.into_iter()
            .filter(|(_, account, _)| account == "available")
            .map(|(key, _, available)| (key, available)),
    );
    Ok(out)
}

/// [`read_available`] with `lock` for `balances` (sorted, one chunk: PostgreSQL's lanes only),
/// and then, in the same statement, the first-hour counts of `bursts` (sorted) locked in key
/// order: the lock order (balances before keys' counts) in one round trip. Each locking read
/// is a CTE, which PostgreSQL materializes; the outer `UNION ALL` reads the balances' to the
/// end before it starts the counts', so every balance row is locked before any count.
pub async fn lock_available_and_bursts(
    conn: &mut BatchConn<'_>,
    balances: &[BalanceKey],
    bursts: &[crate::Scoped<anton_core::id::KeyId>],
) -> Result<(
    HashMap<BalanceKey, Available>,
    HashMap<crate::Scoped<anton_core::id::KeyId>, i64>,
)> {
    let mut available: HashMap<BalanceKey, Available> = balances
        .iter()
        .map(|k| (k.clone(), Available::default()))
        .collect();
    let mut counts = HashMap::new();
    let mut sql = Sql::for_batch(conn, "WITH lb AS MATERIALIZED (");
    push_read_available(&mut sql, balances, true);
    sql.push("), lk AS MATERIALIZED (");
    // Every count, even one whose first hour ended since it was read: the batch adds to it.
    crate::risk::push_lock_key_bursts(&mut sql, bursts, i64::MIN);
    sql.push(
        ") SELECT merchant_id, env, currency, account, amount, out_hour_us, out_hour_count, \
         out_hour_sum, out_day_us, out_day_count, out_day_sum FROM lb UNION ALL \
         SELECT merchant_id, env, key_id, 'burst', count, 0, 0, 0, 0, 0, 0 FROM lk",
    );
    let rows = sql
        .fetch_batch(conn, |r| {
            let tenant = Tenant::from_stored(&r.text("merchant_id")?, &r.text("env")?)?;
            Ok((
                tenant,
                r.text("currency")?,
                r.text("account")?,
                r.int("amount")?,
                outflow_from_row(r)?,
            ))
        })
        .await?;
    for (tenant, third, account, amount, outflow) in rows {
        match account.as_str() {
            "available" => {
                let currency = Currency::parse(&third)
                    .map_err(|_| crate::StoreError::Corrupt("stored currency".into()))?;
                available.insert(
                    BalanceKey::new(tenant, currency),
                    Available { amount, outflow },
                );
            }
            "burst" => {
                let id = crate::stored::<anton_core::id::KeyId>(&third, "api key id")?;
                counts.insert(crate::Scoped::new(tenant, id), amount);
            }
            _ => {}
        }
    }
    Ok((available, counts))
}

async fn apply_deltas_chunk(conn: &mut BatchConn<'_>, deltas: &[Delta]) -> Result<()> {
    let debits: Vec<_> = deltas.iter().filter(|d| d.amount < 0).collect();
    let credits: Vec<_> = deltas.iter().filter(|d| d.amount > 0).collect();
    if !debits.is_empty() {
        let mut sql = Sql::for_batch(conn, "");
        push_debits(&mut sql, &debits);
        let updated = sql.execute_batch(&mut *conn).await?;
        if updated != debits.len() as u64 {
            return Err(crate::StoreError::Corrupt(
                "a debited balance row does not exist".into(),
            ));
        }
    }
    if !credits.is_empty() {
        let mut sql = Sql::for_batch(conn, "");
        push_credits(&mut sql, &credits);
        sql.execute_batch(conn).await?;
    }
    Ok(())
}

/// A balance change: a signed amount on one account of one balance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delta {
    pub balance: BalanceKey,
    pub account: LedgerAccount,
    /// Minor units; negative debits the account.
    pub amount: i64,
    /// Payouts released to add to the balance's outflow windows: each window's start, and the
    /// count and sum to add (a debit of `available` by a creation batch; zero otherwise). A
    /// stored window older than the one given starts afresh; a newer one (another node's clock
    /// ahead) is added to.
    pub outflow: Outflow,
}

impl Delta {
    /// The global lock order: balance, then account by name (`available` first).
    pub fn lock_order(&self, other: &Self) -> std::cmp::Ordering {
        (&self.balance, self.account.as_str()).cmp(&(&other.balance, other.account.as_str()))
    }
}

fn push_delta(sql: &mut Sql, d: &&Delta) {
    d.balance.bind(sql);
    sql.push(", ")
        .text(d.account.as_str())
        .push(", ")
        .push_int(d.amount);
}

fn push_debit(sql: &mut Sql, d: &&Delta) {
    push_delta(sql, d);
    let o = &d.outflow;
    for v in [o.hour.start_us, o.hour.count, o.hour.sum] {
        sql.push(", ").push_int(v);
    }
    for v in [o.day.start_us, o.day.count, o.day.sum] {
        sql.push(", ").push_int(v);
    }
}

/// `SET` terms adding a row set's window (`start`, `count`, `sum` columns) to a balance's
/// stored window `window` (`hour` or `day`); see [`Delta::outflow`].
fn outflow_terms(window: &str, start: &str, count: &str, sum: &str) -> String {
    let newer = format!("balances.out_{window}_us >= {start}");
    format!(
        "out_{window}_count = CASE WHEN {newer} THEN balances.out_{window}_count + {count} \
         ELSE {count} END, \
         out_{window}_sum = CASE WHEN {newer} THEN balances.out_{window}_sum + {sum} \
         ELSE {sum} END, \
         out_{window}_us = CASE WHEN {newer} THEN balances.out_{window}_us ELSE {start} END"
    )
}

/// Appends the statement that adds negative `debits` to existing balance rows, and their
/// outflow to the windows (see [`apply_deltas`]).
pub fn push_debits(sql: &mut Sql, debits: &[&Delta]) {
    sql.push("UPDATE balances SET amount = balances.amount + v.column5, ");
    sql.push(&outflow_terms(
        "hour",
        "v.column6",
        "v.column7",
        "v.column8",
    ));
    sql.push(", ");
    sql.push(&outflow_terms(
        "day",
        "v.column9",
        "v.column10",
        "v.column11",
    ));
    sql.push(" FROM ");
    rows_from(sql, debits, push_debit);
    sql.push(
        " WHERE balances.merchant_id = v.column1 AND balances.env = v.column2 \
         AND balances.currency = v.column3 AND balances.account = v.column4",
    );
}

/// Adds `outflow` (payouts released: see [`Delta::outflow`]) to the windows of the `available`
/// balance of `key`, which exists (the payouts reserved from it). An approval releases a payout
/// whose funds were reserved at its creation.
pub async fn add_outflow(
    conn: &mut AnyConnection,
    key: &BalanceKey,
    outflow: Outflow,
) -> Result<()> {
    let sql = format!(
        "UPDATE balances SET {}, {} WHERE merchant_id = $7 AND env = $8 AND currency = $9 \
         AND account = 'available'",
        outflow_terms("hour", "$1", "$2", "$3"),
        outflow_terms("day", "$4", "$5", "$6"),
    );
    let o = outflow;
    sqlx::query(&sql)
        .bind(o.hour.start_us)
        .bind(o.hour.count)
        .bind(o.hour.sum)
        .bind(o.day.start_us)
        .bind(o.day.count)
        .bind(o.day.sum)
        .bind(key.tenant.m())
        .bind(key.tenant.e())
        .bind(key.currency.as_str())
        .execute(conn)
        .await?;
    Ok(())
}

/// Appends the statement that upserts positive `credits` (see [`apply_deltas`]).
pub fn push_credits(sql: &mut Sql, credits: &[&Delta]) {
    sql.push("INSERT INTO balances (merchant_id, env, currency, account, amount) ");
    rows_insert(sql, credits, push_delta);
    sql.push(" ON CONFLICT (merchant_id, env, currency, account) DO UPDATE SET amount = balances.amount + excluded.amount");
}

/// A posting to record in bulk (see [`insert_postings`]).
#[derive(Debug, Clone)]
pub struct PostingRow {
    pub id: BalanceTransactionId,
    pub balance: BalanceKey,
    pub posting: Posting,
    pub source_id: Option<String>,
    pub created_us: i64,
}

async fn insert_postings_chunk(conn: &mut BatchConn<'_>, rows: &[PostingRow]) -> Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let mut sql = Sql::for_batch(conn, "");
    push_insert_postings(&mut sql, rows);
    sql.execute_batch(conn).await?;
    Ok(())
}

/// Appends the statement that records `rows` (see [`insert_postings`]).
pub fn push_insert_postings(sql: &mut Sql, rows: &[PostingRow]) {
    sql.push("INSERT INTO balance_transactions (merchant_id, env, id, type, currency, amount, debit, credit, source_id, created_us) ");
    rows_insert(sql, rows, |sql, r| {
        let (debit, credit) = r.posting.kind.accounts();
        sql.text(r.balance.tenant.m())
            .push(", ")
            .text(r.balance.tenant.e())
            .push(", ")
            .text(r.id.as_str())
            .push(", ")
            .text(r.posting.kind.as_str())
            .push(", ")
            .text(r.balance.currency.as_str())
            .push(", ")
            .push_int(r.posting.amount.minor())
            .push(", ")
            .text(debit.as_str())
            .push(", ")
            .text(credit.as_str())
            .push(", ")
            .opt_text(r.source_id.as_deref())
            .push(", ")
            .push_int(r.created_us);
    });
}

/// Records balanced postings in one statement. Balances must be moved with [`apply_deltas`] in
/// the same transaction.
pub async fn insert_postings(conn: &mut BatchConn<'_>, rows: &[PostingRow]) -> Result<()> {
    for chunk in chunks_for(conn, rows) {
        insert_postings_chunk(&mut *conn, chunk).await?;
    }
    Ok(())
}

/// Reads the `available` balances of `keys`; with `lock` (PostgreSQL only) also locks their
/// `available` and `in_flight` rows until the end of the transaction (`FOR UPDATE`, in the global
/// lock order — balance, then account — so concurrent transactions cannot deadlock on them: a
/// batch's later statements then find every balance row they change already locked, except an
/// `in_flight` row not created yet, which only a holder of its `available` row creates). On
/// SQLite the writer's `BEGIN IMMEDIATE` already excludes every other writer. Missing rows read
/// as 0. Decisions made on locked values inside the same transaction are as
/// safe as the conditional `UPDATE` of [`post`]; decisions on unlocked values must be checked
/// when written (see `BatchMode::Optimistic`).
pub async fn read_available(
    conn: &mut BatchConn<'_>,
    lock: bool,
    keys: &[BalanceKey],
) -> Result<HashMap<BalanceKey, Available>> {
    debug_assert!(
        keys.windows(2).all(|w| w[0] < w[1]),
        "balance keys arrive sorted and distinct (the lock order)"
    );
    let mut out: HashMap<BalanceKey, Available> = keys
        .iter()
        .map(|k| (k.clone(), Available::default()))
        .collect();
    // Keys arrive sorted; chunks keep that order, so locks are still taken in key order.
    for chunk in chunks_for(conn, keys) {
        out.extend(read_available_chunk(&mut *conn, lock, chunk).await?);
    }
    Ok(out)
}

/// Adds signed deltas to account balances, in at most two statements: negative deltas update
/// existing rows (`UPDATE … FROM (VALUES …)`: an upsert would propose a negative row, which the
/// CHECK on `available` refuses before the conflict is resolved), positive ones upsert. The
/// caller guarantees (under [`read_available`]) that no `available` balance goes negative; the
/// CHECK constraint enforces it regardless.
pub async fn apply_deltas(conn: &mut BatchConn<'_>, deltas: &[Delta]) -> Result<()> {
    debug_assert!(
        deltas.windows(2).all(|w| w[0].lock_order(&w[1]).is_le()),
        "deltas arrive in the global lock order"
    );
    let debits: Vec<_> = deltas.iter().filter(|d| d.amount < 0).cloned().collect();
    let credits: Vec<_> = deltas.iter().filter(|d| d.amount > 0).cloned().collect();
    for chunk in chunks_for(conn, &debits)
        .into_iter()
        .chain(chunks_for(conn, &credits))
    {
        apply_deltas_chunk(&mut *conn, chunk).await?;
    }
    Ok(())
}
