//! Dynamic SQL: list endpoints (optional filters plus keyset pagination, newest first) and the
//! multi-row statements of batched writes.
//!
//! Pagination is by `(created_us, id)` of the `starting_after` object, so pages are stable while new
//! rows arrive and cost the same at any depth (no OFFSET).

use sqlx::any::{AnyArguments, AnyRow};
use sqlx::{Any, AnyConnection, Executor};

use crate::{Result, Tenant};

/// One bound value.
#[derive(Debug, Clone)]
pub enum Arg {
    Text(String),
    Int(i64),
    /// A NULL text value.
    Null,
    /// A NULL integer value.
    NullInt,
    /// A column of a row set, bound as one PostgreSQL `text[]` (see [`rows_from`]).
    TextArray(Vec<Option<String>>),
    /// A column of a row set, bound as one PostgreSQL `int8[]`.
    IntArray(Vec<Option<i64>>),
}

/// SQL text with `$n` placeholders and their values, built in order.
#[derive(Debug, Default)]
pub struct Sql {
    text: String,
    args: Vec<Arg>,
    /// Row sets become one array parameter per column (native PostgreSQL), not `VALUES` rows.
    arrays: bool,
}

impl Sql {
    pub fn new(text: &str) -> Self {
        Self {
            text: text.to_owned(),
            args: Vec::new(),
            arrays: false,
        }
    }

    /// A statement for a batch runner's connection: on native PostgreSQL its row sets
    /// ([`rows_from`], [`rows_insert`]) are bound as arrays, so the statement's text is the same
    /// for any number of rows.
    pub fn for_batch(conn: &BatchConn<'_>, text: &str) -> Self {
        let mut sql = Self::new(text);
        sql.arrays = matches!(conn, BatchConn::Pg(_));
        sql
    }

    pub fn push(&mut self, text: &str) -> &mut Self {
        self.text.push_str(text);
        self
    }

    pub fn bind(&mut self, arg: Arg) -> &mut Self {
        self.args.push(arg);
        self.text.push('$');
        self.text.push_str(&self.args.len().to_string());
        self
    }

    pub fn text(&mut self, v: &str) -> &mut Self {
        self.bind(Arg::Text(v.to_owned()))
    }

    pub fn push_int(&mut self, v: i64) -> &mut Self {
        self.bind(Arg::Int(v))
    }

    pub fn opt_text(&mut self, v: Option<&str>) -> &mut Self {
        self.bind(v.map_or(Arg::Null, |s| Arg::Text(s.to_owned())))
    }

    pub fn opt_int(&mut self, v: Option<i64>) -> &mut Self {
        self.bind(v.map_or(Arg::NullInt, Arg::Int))
    }

    /// The query through sqlx's `Any` driver, which has no array parameters: a statement built
    /// for a native PostgreSQL connection (`Sql::for_batch`) is refused here, not run.
    fn query_text<'a>(
        &'a self,
        text: &'a str,
    ) -> Result<sqlx::query::Query<'a, Any, AnyArguments<'a>>> {
        let mut q = sqlx::query_with::<Any, AnyArguments<'_>>(text, AnyArguments::default());
        for a in &self.args {
            q = match a {
                Arg::Text(s) => q.bind(s.clone()),
                Arg::Int(i) => q.bind(*i),
                Arg::Null => q.bind(None::<String>),
                Arg::NullInt => q.bind(None::<i64>),
                Arg::TextArray(_) | Arg::IntArray(_) => {
                    return Err(crate::StoreError::Corrupt(
                        "a statement with array parameters on a non-PostgreSQL connection".into(),
                    ))
                }
            };
        }
        Ok(q)
    }

    fn query_pg(&self) -> sqlx::query::Query<'_, sqlx::Postgres, sqlx::postgres::PgArguments> {
        let mut q = sqlx::query(&self.text);
        for a in &self.args {
            q = match a {
                Arg::Text(s) => q.bind(s.as_str()),
                Arg::Int(i) => q.bind(*i),
                Arg::Null => q.bind(None::<String>),
                Arg::NullInt => q.bind(None::<i64>),
                Arg::TextArray(v) => q.bind(v.as_slice()),
                Arg::IntArray(v) => q.bind(v.as_slice()),
            };
        }
        q
    }

    pub async fn fetch_all<'e, E: Executor<'e, Database = Any>>(
        &self,
        ex: E,
    ) -> Result<Vec<AnyRow>> {
        Ok(self.query_text(&self.text)?.fetch_all(ex).await?)
    }

    pub async fn execute<'e, E: Executor<'e, Database = Any>>(&self, ex: E) -> Result<u64> {
        Ok(self
            .query_text(&self.text)?
            .execute(ex)
            .await?
            .rows_affected())
    }

    /// The text for `conn`'s database. On SQLite, `$n` becomes `?`: sqlx resolves every `$n` by
    /// name, a linear scan per parameter, which turns a multi-row statement with thousands of
    /// parameters quadratic. The builder numbers parameters strictly in order, so plain `?` binds
    /// the same values; no SQL text here contains a literal `$`.
    fn text_for(&self, conn: &AnyConnection) -> std::borrow::Cow<'_, str> {
        if conn.backend_name() != "SQLite" {
            return std::borrow::Cow::Borrowed(&self.text);
        }
        std::borrow::Cow::Owned(self.qmark_text())
    }

    fn qmark_text(&self) -> String {
        let mut out = String::with_capacity(self.text.len());
        let mut chars = self.text.chars().peekable();
        while let Some(c) = chars.next() {
            if c == '$' && chars.peek().is_some_and(char::is_ascii_digit) {
                while chars.peek().is_some_and(char::is_ascii_digit) {
                    chars.next();
                }
                out.push('?');
            } else {
                out.push(c);
            }
        }
        out
    }

    /// [`Sql::fetch_all`] on one connection, with the placeholders that backend binds fastest.
    pub async fn fetch_all_on(&self, conn: &mut AnyConnection) -> Result<Vec<AnyRow>> {
        let text = self.text_for(conn).into_owned();
        Ok(self.query_text(&text)?.fetch_all(conn).await?)
    }

    /// [`Sql::execute`] on one connection, with the placeholders that backend binds fastest.
    pub async fn execute_on(&self, conn: &mut AnyConnection) -> Result<u64> {
        let text = self.text_for(conn).into_owned();
        Ok(self.query_text(&text)?.execute(conn).await?.rows_affected())
    }

    /// Executes on a batch runner's connection.
    pub async fn execute_batch(&self, conn: &mut BatchConn<'_>) -> Result<u64> {
        match conn {
            BatchConn::Any(c) => self.execute_on(c).await,
            BatchConn::Pg(c) => Ok(self.query_pg().execute(&mut **c).await?.rows_affected()),
            BatchConn::Sqlite(c) => {
                let mut st = c.prepare_cached(&self.qmark_text())?;
                let n = st.execute(rusqlite::params_from_iter(self.args.iter()))?;
                Ok(u64::try_from(n).unwrap_or(u64::MAX))
            }
        }
    }

    /// Runs a query on a batch runner's connection, decoding each row with `decode` (by column
    /// name, the same code for both connection kinds).
    pub async fn fetch_batch<T>(
        &self,
        conn: &mut BatchConn<'_>,
        decode: impl Fn(&dyn RowGet) -> Result<T>,
    ) -> Result<Vec<T>> {
        match conn {
            BatchConn::Any(c) => self
                .fetch_all_on(c)
                .await?
                .iter()
                .map(|r| decode(r))
                .collect(),
            BatchConn::Pg(c) => self
                .query_pg()
                .fetch_all(&mut **c)
                .await?
                .iter()
                .map(|r| decode(r))
                .collect(),
            BatchConn::Sqlite(c) => {
                let mut st = c.prepare_cached(&self.qmark_text())?;
                let mut rows = st.query(rusqlite::params_from_iter(self.args.iter()))?;
                let mut out = Vec::new();
                while let Some(r) = rows.next()? {
                    out.push(decode(r)?);
                }
                Ok(out)
            }
        }
    }
}

impl rusqlite::ToSql for Arg {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        use rusqlite::types::{ToSqlOutput, Value, ValueRef};
        Ok(match self {
            Self::Text(s) => ToSqlOutput::Borrowed(ValueRef::Text(s.as_bytes())),
            Self::Int(i) => ToSqlOutput::Owned(Value::Integer(*i)),
            Self::Null | Self::NullInt => ToSqlOutput::Owned(Value::Null),
            Self::TextArray(_) | Self::IntArray(_) => {
                return Err(rusqlite::Error::ToSqlConversionFailure(
                    "array parameters are for PostgreSQL only".into(),
                ))
            }
        })
    }
}

/// The connection a [`crate::BatchRunner`] writes through, inside the batch's transaction: sqlx's
/// (PostgreSQL) or, on SQLite, a native connection owned by the writer's own thread, which runs
/// the whole batch without a thread hand-off per statement (see [`crate::writer`]).
pub enum BatchConn<'a> {
    Any(&'a mut AnyConnection),
    /// PostgreSQL's batched lanes (see [`crate::writer`]): row sets bound as arrays.
    Pg(&'a mut sqlx::PgConnection),
    Sqlite(&'a mut rusqlite::Connection),
}

/// A result row of either connection kind, read by column name.
pub trait RowGet {
    fn text(&self, col: &str) -> Result<String>;
    fn int(&self, col: &str) -> Result<i64>;
    fn opt_text(&self, col: &str) -> Result<Option<String>>;
    fn opt_int(&self, col: &str) -> Result<Option<i64>>;
}

impl RowGet for AnyRow {
    fn text(&self, col: &str) -> Result<String> {
        Ok(sqlx::Row::try_get(self, col)?)
    }
    fn int(&self, col: &str) -> Result<i64> {
        Ok(sqlx::Row::try_get(self, col)?)
    }
    fn opt_text(&self, col: &str) -> Result<Option<String>> {
        Ok(sqlx::Row::try_get(self, col)?)
    }
    fn opt_int(&self, col: &str) -> Result<Option<i64>> {
        Ok(sqlx::Row::try_get(self, col)?)
    }
}

impl RowGet for sqlx::postgres::PgRow {
    fn text(&self, col: &str) -> Result<String> {
        Ok(sqlx::Row::try_get(self, col)?)
    }
    fn int(&self, col: &str) -> Result<i64> {
        Ok(sqlx::Row::try_get(self, col)?)
    }
    fn opt_text(&self, col: &str) -> Result<Option<String>> {
        Ok(sqlx::Row::try_get(self, col)?)
    }
    fn opt_int(&self, col: &str) -> Result<Option<i64>> {
        Ok(sqlx::Row::try_get(self, col)?)
    }
}

impl RowGet for rusqlite::Row<'_> {
    fn text(&self, col: &str) -> Result<String> {
        Ok(self.get(col)?)
    }
    fn int(&self, col: &str) -> Result<i64> {
        Ok(self.get(col)?)
    }
    fn opt_text(&self, col: &str) -> Result<Option<String>> {
        Ok(self.get(col)?)
    }
    fn opt_int(&self, col: &str) -> Result<Option<i64>> {
        Ok(self.get(col)?)
    }
}

/// A tenant row's key ([`Scoped`]) from its `merchant_id`, `env` and `id` columns; `what` names
/// the id in the error if the stored value does not parse.
pub(crate) fn key_from_row<I: std::str::FromStr>(
    r: &dyn RowGet,
    what: &str,
) -> Result<crate::Scoped<I>> {
    Ok(crate::Scoped::new(
        crate::Tenant::from_stored(&r.text("merchant_id")?, &r.text("env")?)?,
        crate::stored(&r.text("id")?, what)?,
    ))
}

/// Common list filters.
#[derive(Debug, Clone, Default)]
pub struct Page {
    /// 1..=100, checked by the API layer.
    pub limit: i64,
    /// `(created_us, id)` of the `starting_after` object.
    pub after: Option<(i64, String)>,
    /// `(created_us, id)` of the `ending_before` object: the page is the objects just newer than
    /// it, read oldest first (see [`paged`]).
    pub before: Option<(i64, String)>,
    pub created_gte_us: Option<i64>,
    pub created_lt_us: Option<i64>,
}

impl Page {
    /// Appends the created filters, the cursor and `ORDER BY … LIMIT limit+1` (the extra row tells
    /// whether there is a next page).
    pub fn finish(&self, sql: &mut Sql) {
        if let Some(gte) = self.created_gte_us {
            sql.push(" AND created_us >= ").push_int(gte);
        }
        if let Some(lt) = self.created_lt_us {
            sql.push(" AND created_us < ").push_int(lt);
        }
        if let Some((c, id)) = &self.after {
            sql.push(" AND (created_us < ").push_int(*c);
            sql.push(" OR (created_us = ").push_int(*c);
            sql.push(" AND id < ").text(id);
            sql.push("))");
        }
        if let Some((c, id)) = &self.before {
            sql.push(" AND (created_us > ").push_int(*c);
            sql.push(" OR (created_us = ").push_int(*c);
            sql.push(" AND id > ").text(id);
            sql.push("))");
            sql.push(" ORDER BY created_us ASC, id ASC LIMIT ")
                .push_int(self.limit + 1);
        } else {
            sql.push(" ORDER BY created_us DESC, id DESC LIMIT ")
                .push_int(self.limit + 1);
        }
    }
}

/// Splits the `limit+1` rows a list read with `page` into the page, newest first, and whether
/// more follow in the direction of reading (older ones; newer ones for `ending_before`).
pub fn paged<T>(mut items: Vec<T>, page: &Page) -> (Vec<T>, bool) {
    let limit = usize::try_from(page.limit).unwrap_or(0);
    let has_more = items.len() > limit;
    items.truncate(limit);
    if page.before.is_some() {
        items.reverse();
    }
    (items, has_more)
}

/// Appends `(v1, v2, …), (…)` rows to `sql`, one per item, each written by `row`.
pub fn values<T>(sql: &mut Sql, items: &[T], mut row: impl FnMut(&mut Sql, &T)) {
    for (i, item) in items.iter().enumerate() {
        sql.push(if i == 0 { "(" } else { ", (" });
        row(sql, item);
        sql.push(")");
    }
}

/// Appends a row set as a table expression named `v`, with columns `column1`, `column2`, … (the
/// names PostgreSQL and SQLite give `VALUES` columns): `(VALUES (…), (…)) AS v`, or on native
/// PostgreSQL `unnest($1::text[], $2::int8[], …) AS v(column1, column2, …)`. `row` binds one
/// item's values in column order (literal text it pushes between them is ignored in array form,
/// so every column must be bound, never written as a literal). `items` must not be empty: neither
/// form can express an empty row set with its columns.
pub fn rows_from<T>(sql: &mut Sql, items: &[T], row: impl FnMut(&mut Sql, &T)) {
    if sql.arrays {
        unnest(sql, items, row);
    } else {
        sql.push("(VALUES ");
        values(sql, items, row);
        sql.push(") AS v");
    }
}

/// Appends a row set as the source of an `INSERT INTO t (…)`: `VALUES (…), (…)`, or on native
/// PostgreSQL `SELECT * FROM unnest(…) AS v(…)` (see [`rows_from`]).
pub fn rows_insert<T>(sql: &mut Sql, items: &[T], row: impl FnMut(&mut Sql, &T)) {
    if sql.arrays {
        sql.push("SELECT * FROM ");
        unnest(sql, items, row);
    } else {
        sql.push("VALUES ");
        values(sql, items, row);
    }
}

fn unnest<T>(sql: &mut Sql, items: &[T], mut row: impl FnMut(&mut Sql, &T)) {
    let mut columns: Vec<Arg> = Vec::new();
    for item in items {
        let mut one = Sql::default();
        row(&mut one, item);
        if columns.is_empty() {
            columns = one
                .args
                .iter()
                .map(|a| match a {
                    Arg::Int(_) | Arg::NullInt => Arg::IntArray(Vec::with_capacity(items.len())),
                    _ => Arg::TextArray(Vec::with_capacity(items.len())),
                })
                .collect();
        }
        for (column, value) in columns.iter_mut().zip(one.args) {
            match (column, value) {
                (Arg::TextArray(c), Arg::Text(v)) => c.push(Some(v)),
                (Arg::IntArray(c), Arg::Int(v)) => c.push(Some(v)),
                (Arg::TextArray(c), _) => c.push(None),
                (Arg::IntArray(c), _) => c.push(None),
                _ => {}
            }
        }
    }
    let names: Vec<String> = (1..=columns.len()).map(|i| format!("column{i}")).collect();
    sql.push("unnest(");
    for (i, column) in columns.into_iter().enumerate() {
        if i > 0 {
            sql.push(", ");
        }
        let cast = match column {
            Arg::IntArray(_) => "::int8[]",
            _ => "::text[]",
        };
        sql.bind(column).push(cast);
    }
    sql.push(") AS v(").push(&names.join(", ")).push(")");
}

/// [`chunks_pow2`], except that a native PostgreSQL connection takes every item at once (its row
/// sets are arrays: one statement text for any number of rows).
pub fn chunks_for<'t, T>(conn: &BatchConn<'_>, items: &'t [T]) -> Vec<&'t [T]> {
    match conn {
        BatchConn::Pg(_) if !items.is_empty() => vec![items],
        BatchConn::Pg(_) => Vec::new(),
        _ => chunks_pow2(items),
    }
}

/// Largest rows per multi-row statement.
pub const CHUNK_ROWS_MAX: usize = 256;

/// Splits `items` into chunks whose sizes are powers of two (largest first, at most
/// [`CHUNK_ROWS_MAX`]). A multi-row statement's text depends on its row count; with power-of-two
/// chunks there are only nine texts per statement kind, so every one stays in the prepared
/// statement cache instead of being parsed again for each batch size.
pub fn chunks_pow2<T>(items: &[T]) -> Vec<&[T]> {
    let mut out = Vec::new();
    let mut rest = items;
    while !rest.is_empty() {
        let n = rest.len().min(CHUNK_ROWS_MAX);
        let size = 1 << (usize::BITS - 1 - n.leading_zeros());
        let (head, tail) = rest.split_at(size);
        out.push(head);
        rest = tail;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_are_powers_of_two_covering_every_item_once() {
        for n in [0usize, 1, 2, 3, 7, 64, 100, 255, 256, 257, 600] {
            let items: Vec<usize> = (0..n).collect();
            let chunks = chunks_pow2(&items);
            assert!(chunks
                .iter()
                .all(|c| c.len().is_power_of_two() && c.len() <= CHUNK_ROWS_MAX));
            let flat: Vec<usize> = chunks.concat();
            assert_eq!(flat, items);
        }
        assert_eq!(
            chunks_pow2(&[0; 100])
                .iter()
                .map(|c| c.len())
                .collect::<Vec<_>>(),
            [64, 32, 4]
        );
    }
}

/// The tables list endpoints page through. A closed set, so the table name in [`cursor`] is never
/// caller-supplied text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Listed {
    Recipients,
    Payouts,
    BalanceTransactions,
    Events,
    WebhookEndpoints,
    Deliveries,
    Requests,
    AuditLog,
    Alerts,
}

impl Listed {
    fn table(self) -> &'static str {
        match self {
            Self::Recipients => "recipients",
            Self::Payouts => "payouts",
            Self::BalanceTransactions => "balance_transactions",
            Self::Events => "events",
            Self::WebhookEndpoints => "webhook_endpoints",
            Self::Deliveries => "webhook_deliveries",
            Self::Requests => "request_log",
            Self::AuditLog => "audit_log",
            Self::Alerts => "alerts",
        }
    }

    /// Whether `id` is an id of this table's kind (checked before any lookup).
    pub fn is_id(self, id: &str) -> bool {
        use anton_core::id::{
            BalanceTransactionId, DeliveryId, EventId, PayoutId, RecipientId, RequestId,
            WebhookEndpointId,
        };
        match self {
            Self::Recipients => RecipientId::parse(id).is_ok(),
            Self::Payouts => PayoutId::parse(id).is_ok(),
            Self::BalanceTransactions => BalanceTransactionId::parse(id).is_ok(),
            Self::Events => EventId::parse(id).is_ok(),
            Self::WebhookEndpoints => WebhookEndpointId::parse(id).is_ok(),
            Self::Deliveries => DeliveryId::parse(id).is_ok(),
            Self::Requests => RequestId::parse(id).is_ok(),
            Self::AuditLog => anton_core::id::AuditEntryId::parse(id).is_ok(),
            Self::Alerts => anton_core::id::AlertId::parse(id).is_ok(),
        }
    }
}

/// The page position `(created_us, id)` of the tenant's object `id` in `table` (deleted
/// recipients included, so a page boundary survives a deletion).
pub async fn cursor<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    table: Listed,
    t: &Tenant,
    id: &str,
) -> Result<Option<(i64, String)>> {
    use sqlx::Row;
    if table == Listed::Requests {
        // Keyed by time, which the id carries: found by the key, not by a scan.
        return match anton_core::id::RequestId::parse(id) {
            Ok(rid) => crate::request_log::cursor(ex, t, &rid).await,
            Err(_) => Ok(None),
        };
    }
    let row = sqlx::query(&format!(
        "SELECT created_us FROM {} WHERE merchant_id = $1 AND env = $2 AND id = $3",
        table.table()
    ))
    .bind(t.m())
    .bind(t.e())
    .bind(id)
    .fetch_optional(ex)
    .await?;
    Ok(match row {
        Some(r) => Some((r.try_get("created_us")?, id.to_owned())),
        None => None,
    })
}
