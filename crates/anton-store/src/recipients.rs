//! Recipients: who gets paid, and their (encrypted) bank account.

use anton_core::id::RecipientId;
use anton_core::risk::Destination;
use anton_core::time::Timestamp;
use sqlx::any::AnyRow;
use sqlx::{Any, AnyConnection, Executor, Row};

use std::collections::HashMap;

use crate::list::{chunks_for, key_from_row, rows_from, BatchConn, Page, Sql};
use crate::{Result, Scoped, StoreError, Tenant};

/// A stored recipient. `account_ciphertext` is the only place the full number lives.
#[derive(Clone)]
pub struct RecipientRecord {
    pub id: RecipientId,
    pub name: String,
    pub email: Option<String>,
    pub bank_type: String,
    pub country: String,
    pub currency: String,
    pub bank_code: Option<String>,
    pub account_type: Option<String>,
    pub last4: String,
    pub fingerprint: String,
    pub account_ciphertext: String,
    pub bank_changed: Timestamp,
    /// JSON object text.
    pub metadata: String,
    pub created: Timestamp,
    pub updated: Timestamp,
}

impl std::fmt::Debug for RecipientRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RecipientRecord")
            .field("id", &self.id)
            .field("bank_type", &self.bank_type)
            .field("last4", &self.last4)
            .finish_non_exhaustive()
    }
}

const COLUMNS: &str =
    "id, name, email, bank_type, country, currency, bank_code, account_type, last4, \
    fingerprint, account_ciphertext, bank_changed_us, metadata, created_us, updated_us";

fn from_row(r: &AnyRow) -> Result<RecipientRecord> {
    Ok(RecipientRecord {
        id: RecipientId::parse(&r.try_get::<String, _>("id")?)
            .map_err(|_| StoreError::Corrupt("recipients.id".into()))?,
        name: r.try_get("name")?,
        email: r.try_get("email")?,
        bank_type: r.try_get("bank_type")?,
        country: r.try_get("country")?,
        currency: r.try_get("currency")?,
        bank_code: r.try_get("bank_code")?,
        account_type: r.try_get("account_type")?,
        last4: r.try_get("last4")?,
        fingerprint: r.try_get("fingerprint")?,
        account_ciphertext: r.try_get("account_ciphertext")?,
        bank_changed: Timestamp::from_unix_micros(r.try_get("bank_changed_us")?),
        metadata: r.try_get("metadata")?,
        created: Timestamp::from_unix_micros(r.try_get("created_us")?),
        updated: Timestamp::from_unix_micros(r.try_get("updated_us")?),
    })
}

pub async fn insert(conn: &mut AnyConnection, t: &Tenant, r: &RecipientRecord) -> Result<()> {
    sqlx::query(
        "INSERT INTO recipients (merchant_id, env, id, name, email, bank_type, country, currency, bank_code, \
         account_type, last4, fingerprint, account_ciphertext, bank_changed_us, metadata, created_us, updated_us, deleted_us) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, NULL)",
    )
    .bind(t.m())
    .bind(t.e())
    .bind(r.id.as_str())
    .bind(&r.name)
    .bind(r.email.clone())
    .bind(&r.bank_type)
    .bind(&r.country)
    .bind(&r.currency)
    .bind(r.bank_code.clone())
    .bind(r.account_type.clone())
    .bind(&r.last4)
    .bind(&r.fingerprint)
    .bind(&r.account_ciphertext)
    .bind(r.bank_changed.unix_micros())
    .bind(&r.metadata)
    .bind(r.created.unix_micros())
    .bind(r.updated.unix_micros())
    .execute(conn)
    .await?;
    Ok(())
}

/// A live (not deleted) recipient of this tenant.
pub async fn get<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    t: &Tenant,
    id: &RecipientId,
) -> Result<Option<RecipientRecord>> {
    let row = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM recipients WHERE merchant_id = $1 AND env = $2 AND id = $3 AND deleted_us IS NULL"
    ))
    .bind(t.m())
    .bind(t.e())
    .bind(id.as_str())
    .fetch_optional(ex)
    .await?;
    row.as_ref().map(from_row).transpose()
}

pub async fn list<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    t: &Tenant,
    page: &Page,
) -> Result<Vec<RecipientRecord>> {
    let mut sql = Sql::new(&format!(
        "SELECT {COLUMNS} FROM recipients WHERE merchant_id = "
    ));
    sql.text(t.m())
        .push(" AND env = ")
        .text(t.e())
        .push(" AND deleted_us IS NULL");
    page.finish(&mut sql);
    sql.fetch_all(ex).await?.iter().map(from_row).collect()
}

/// Writes every mutable column of `r`.
pub async fn update(conn: &mut AnyConnection, t: &Tenant, r: &RecipientRecord) -> Result<bool> {
    let res = sqlx::query(
        "UPDATE recipients SET name = $1, email = $2, bank_type = $3, country = $4, currency = $5, bank_code = $6, \
         account_type = $7, last4 = $8, fingerprint = $9, account_ciphertext = $10, bank_changed_us = $11, \
         metadata = $12, updated_us = $13 \
         WHERE merchant_id = $14 AND env = $15 AND id = $16 AND deleted_us IS NULL",
    )
    .bind(&r.name)
    .bind(r.email.clone())
    .bind(&r.bank_type)
    .bind(&r.country)
    .bind(&r.currency)
    .bind(r.bank_code.clone())
    .bind(r.account_type.clone())
    .bind(&r.last4)
    .bind(&r.fingerprint)
    .bind(&r.account_ciphertext)
    .bind(r.bank_changed.unix_micros())
    .bind(&r.metadata)
    .bind(r.updated.unix_micros())
    .bind(t.m())
    .bind(t.e())
    .bind(r.id.as_str())
    .execute(conn)
    .await?;
    Ok(res.rows_affected() == 1)
}

/// Soft delete: payouts keep pointing at the row; the API no longer shows it.
pub async fn delete(
    conn: &mut AnyConnection,
    t: &Tenant,
    id: &RecipientId,
    now_us: i64,
) -> Result<bool> {
    let res = sqlx::query(
        "UPDATE recipients SET deleted_us = $1 WHERE merchant_id = $2 AND env = $3 AND id = $4 AND deleted_us IS NULL",
    )
    .bind(now_us)
    .bind(t.m())
    .bind(t.e())
    .bind(id.as_str())
    .execute(conn)
    .await?;
    Ok(res.rows_affected() == 1)
}

/// What payout creation needs to know about a recipient.
#[derive(Debug, Clone)]
pub struct RecipientBrief {
    pub currency: String,
    pub bank_type: String,
    pub last4: String,
    /// When the bank details were last changed after the recipient's creation (`None`: never),
    /// for the risk rule `bank_details_changed`.
    pub bank_changed_us: Option<i64>,
    /// The bank account among the merchant's recipients, for the risk rules `new_destination`
    /// and `shared_bank_account`.
    pub destination: Destination,
}

/// The `SELECT` term of [`RecipientBrief::bank_changed_us`] (0 for never), on recipients `r`.
pub(crate) const BANK_CHANGED_TERM: &str =
    "CASE WHEN r.bank_changed_us > r.created_us THEN r.bank_changed_us ELSE 0 END";

/// The `SELECT` term of [`Destination::first_seen_us`] on recipients `r`: when any recipient of
/// the tenant, deleted ones included, took on this fingerprint (`bank_changed_us` is when a
/// recipient's current details arrived). An index lookup (`recipients_by_fingerprint`).
pub(crate) const FIRST_SEEN_TERM: &str =
    "(SELECT MIN(o.bank_changed_us) FROM recipients o WHERE o.merchant_id = r.merchant_id \
     AND o.env = r.env AND o.fingerprint = r.fingerprint)";

/// The `SELECT` term of [`Destination::sharing`] on recipients `r`: the tenant's live
/// recipients with this fingerprint.
pub(crate) const SHARING_TERM: &str =
    "(SELECT COUNT(*) FROM recipients o WHERE o.merchant_id = r.merchant_id \
     AND o.env = r.env AND o.fingerprint = r.fingerprint AND o.deleted_us IS NULL)";

async fn get_many_brief_chunk(
    conn: &mut BatchConn<'_>,
    keys: &[Scoped<RecipientId>],
) -> Result<HashMap<Scoped<RecipientId>, RecipientBrief>> {
    if keys.is_empty() {
        return Ok(HashMap::new());
    }
    // A join from the VALUES list (see `idempotency::get_many`).
    let mut sql = Sql::for_batch(
        conn,
        &format!(
            "SELECT r.merchant_id, r.env, r.id, r.currency, r.bank_type, r.last4, \
             {BANK_CHANGED_TERM} AS bank_changed, {FIRST_SEEN_TERM} AS first_seen, \
             {SHARING_TERM} AS sharing FROM "
        ),
    );
    rows_from(&mut sql, keys, |sql, k| k.bind(sql));
    sql.push(
        " JOIN recipients r ON r.merchant_id = v.column1 AND r.env = v.column2 AND r.id = v.column3 \
         WHERE r.deleted_us IS NULL",
    );
    let rows = sql
        .fetch_batch(conn, |r| {
            Ok((
                key_from_row::<RecipientId>(r, "recipient id")?,
                RecipientBrief {
                    currency: r.text("currency")?,
                    bank_type: r.text("bank_type")?,
                    last4: r.text("last4")?,
                    bank_changed_us: Some(r.int("bank_changed")?).filter(|at| *at > 0),
                    destination: Destination {
                        first_seen_us: r.int("first_seen")?,
                        sharing: r.int("sharing")?,
                    },
                },
            ))
        })
        .await?;
    Ok(rows.into_iter().collect())
}

/// Live recipients by key, in one statement.
pub async fn get_many_brief(
    conn: &mut BatchConn<'_>,
    keys: &[Scoped<RecipientId>],
) -> Result<HashMap<Scoped<RecipientId>, RecipientBrief>> {
    let mut out = HashMap::new();
    for chunk in chunks_for(conn, keys) {
        out.extend(get_many_brief_chunk(&mut *conn, chunk).await?);
    }
    Ok(out)
}
