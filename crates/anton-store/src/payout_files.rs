//! The bank files of the live file rails and the payouts in them (docs/live-payouts.md): a file
//! per rail and cut-off, its items (one per payout, with the reference the bank's answers
//! quote), and the per-rail sequences that never repeat.
//!
//! **A payout is in at most one file**: `payout_file_items` is unique by payout, and the engine
//! adds an item in the same transaction that moves the payout from `pending` to `processing`.

use sqlx::{AnyConnection, Row};

use anton_core::id::{MerchantId, PayoutId};
use anton_core::keys::Environment;

use crate::payouts::DuePayout;
use crate::{Result, StoreError, Tenant};

/// Where a file is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileStatus {
    /// Items are being added (a cut-off that needs more than one write job).
    Building,
    /// Complete; not yet (known to be) in the outbox.
    Sealed,
    /// In the outbox: `sha256` is of exactly the bytes put there.
    Transmitted,
}

impl FileStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Building => "building",
            Self::Sealed => "sealed",
            Self::Transmitted => "transmitted",
        }
    }

    fn parse(s: &str) -> Result<Self> {
        match s {
            "building" => Ok(Self::Building),
            "sealed" => Ok(Self::Sealed),
            "transmitted" => Ok(Self::Transmitted),
            _ => Err(StoreError::Corrupt("payout_files.status".into())),
        }
    }
}

/// One file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileRow {
    pub id: String,
    pub rail: String,
    pub cutoff_us: i64,
    pub name: String,
    pub status: FileStatus,
    /// The file's place among the rail's files of its local day, from 0.
    pub file_number: i64,
    /// The entries' effective date (`YYYY-MM-DD`).
    pub effective_date: String,
    pub payout_count: i64,
    pub total_minor: i64,
    pub sha256: Option<String>,
    pub created_us: i64,
    pub transmitted_us: Option<i64>,
    /// ACH: when its entries with no return are final (see the migration).
    pub final_us: Option<i64>,
    pub settled_us: Option<i64>,
}

/// One payout in a file, at `position` (from 0), with what the file says of it as it was when
/// it went in. `Debug` leaves out the account (encrypted as it is).
#[derive(Clone, PartialEq, Eq)]
pub struct ItemRow {
    pub position: i64,
    pub tenant: Tenant,
    pub payout_id: PayoutId,
    pub reference: String,
    pub amount: i64,
    pub name: String,
    /// The recipient's account as stored on the recipient (the keyring's ciphertext).
    pub account_ciphertext: String,
    pub account_type: Option<String>,
    pub bic: Option<String>,
    pub description: Option<String>,
}

impl std::fmt::Debug for ItemRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ItemRow")
            .field("position", &self.position)
            .field("payout_id", &self.payout_id)
            .field("reference", &self.reference)
            .field("amount", &self.amount)
            .finish_non_exhaustive()
    }
}

const FILE_COLUMNS: &str = "id, rail, cutoff_us, name, status, file_number, effective_date, \
                            payout_count, total_minor, sha256, created_us, transmitted_us, \
                            final_us, settled_us";

fn file_from(r: &sqlx::any::AnyRow) -> Result<FileRow> {
    Ok(FileRow {
        id: r.try_get("id")?,
        rail: r.try_get("rail")?,
        cutoff_us: r.try_get("cutoff_us")?,
        name: r.try_get("name")?,
        status: FileStatus::parse(&r.try_get::<String, _>("status")?)?,
        file_number: r.try_get("file_number")?,
        effective_date: r.try_get("effective_date")?,
        payout_count: r.try_get("payout_count")?,
        total_minor: r.try_get("total_minor")?,
        sha256: r.try_get("sha256")?,
        created_us: r.try_get("created_us")?,
        transmitted_us: r.try_get("transmitted_us")?,
        final_us: r.try_get("final_us")?,
        settled_us: r.try_get("settled_us")?,
    })
}

/// A file to start ([`start`]).
#[derive(Debug, Clone)]
pub struct NewFile<'a> {
    pub id: &'a str,
    pub rail: &'a str,
    pub cutoff_us: i64,
    pub name: &'a str,
    pub final_us: Option<i64>,
    pub effective_date: &'a str,
    /// When the file's local day began: files of the rail since then number this one.
    pub day_start_us: i64,
}

/// Starts the file of `rail`'s cut-off `cutoff_us`, named `name`, unless one exists: returns
/// the cut-off's file, and whether this call made it. The row is then locked (`lock`,
/// PostgreSQL) until the job commits, so jobs adding to one file run one after another and
/// each sees the count and status the last one left; a node that races another for the same
/// cut-off waits for the other's commit and then finds its file.
pub async fn start(
    c: &mut AnyConnection,
    new: &NewFile<'_>,
    now_us: i64,
    lock: bool,
) -> Result<(FileRow, bool)> {
    let (rail, cutoff_us) = (new.rail, new.cutoff_us);
    let inserted = sqlx::query(
        "INSERT INTO payout_files (id, rail, cutoff_us, name, status, file_number, \
         effective_date, payout_count, total_minor, created_us, final_us) \
         SELECT $1, $2, $3, $4, 'building', COUNT(*), $5, 0, 0, $6, $7 FROM payout_files \
         WHERE rail = $2 AND cutoff_us >= $8 AND cutoff_us < $3 \
         ON CONFLICT (rail, cutoff_us) DO NOTHING",
    )
    .bind(new.id)
    .bind(rail)
    .bind(cutoff_us)
    .bind(new.name)
    .bind(new.effective_date)
    .bind(now_us)
    .bind(new.final_us)
    .bind(new.day_start_us)
    .execute(&mut *c)
    .await?
    .rows_affected()
        == 1;
    let lock = if lock { " FOR UPDATE" } else { "" };
    let row = sqlx::query(&format!(
        "SELECT {FILE_COLUMNS} FROM payout_files WHERE rail = $1 AND cutoff_us = $2{lock}"
    ))
    .bind(rail)
    .bind(cutoff_us)
    .fetch_one(&mut *c)
    .await?;
    Ok((file_from(&row)?, inserted))
}

/// The live payouts of `currency` still `pending` that were created at or before `until_us`,
/// oldest first, at most `limit`. `lock` (PostgreSQL): the rows are locked until the job
/// commits, so a cancel racing the cut-off waits for it (and then finds the payout moved).
pub async fn pending_live(
    c: &mut AnyConnection,
    currency: &str,
    until_us: i64,
    limit: i64,
    lock: bool,
) -> Result<Vec<DuePayout>> {
    let lock = if lock { " FOR UPDATE" } else { "" };
    let rows = sqlx::query(&format!(
        "SELECT merchant_id, {} FROM payouts WHERE env = 'live' AND status = 'pending' \
         AND currency = $1 AND created_us <= $2 ORDER BY created_us, id LIMIT $3{lock}",
        crate::payouts::COLUMNS
    ))
    .bind(currency)
    .bind(until_us)
    .bind(limit)
    .fetch_all(&mut *c)
    .await?;
    let mut due = Vec::with_capacity(rows.len());
    for r in &rows {
        let merchant_id = MerchantId::parse(&r.try_get::<String, _>("merchant_id")?)
            .map_err(|_| StoreError::Corrupt("payouts.merchant_id".into()))?;
        due.push(DuePayout {
            tenant: Tenant::new(merchant_id, Environment::Live),
            payout: crate::payouts::from_row(r)?,
        });
    }
    Ok(due)
}

/// Adds `items` to the building file `file_id` and its count and total. A file that is no
/// longer building takes nothing: an error, and the job writes nothing.
pub async fn add_items(c: &mut AnyConnection, file_id: &str, items: &[ItemRow]) -> Result<()> {
    let total: i64 = items.iter().map(|i| i.amount).sum();
    let updated = sqlx::query(
        "UPDATE payout_files SET payout_count = payout_count + $1, total_minor = total_minor + $2 \
         WHERE id = $3 AND status = 'building'",
    )
    .bind(i64::try_from(items.len()).unwrap_or(i64::MAX))
    .bind(total)
    .bind(file_id)
    .execute(&mut *c)
    .await?
    .rows_affected();
    if updated != 1 {
        return Err(StoreError::Corrupt(
            "payout_files: items added to a file that is not building".into(),
        ));
    }
    for item in items {
        sqlx::query(
            "INSERT INTO payout_file_items (file_id, position, merchant_id, env, payout_id, \
             reference, amount, name, account_ciphertext, account_type, bic, description) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .bind(file_id)
        .bind(item.position)
        .bind(item.tenant.m())
        .bind(item.tenant.e())
        .bind(item.payout_id.as_str())
        .bind(&item.reference)
        .bind(item.amount)
        .bind(&item.name)
        .bind(&item.account_ciphertext)
        .bind(&item.account_type)
        .bind(&item.bic)
        .bind(&item.description)
        .execute(&mut *c)
        .await?;
    }
    Ok(())
}

/// Removes a file that was started but got no payout.
pub async fn discard_empty(c: &mut AnyConnection, file_id: &str) -> Result<()> {
    sqlx::query("DELETE FROM payout_files WHERE id = $1 AND payout_count = 0")
        .bind(file_id)
        .execute(c)
        .await?;
    Ok(())
}

/// Records on each item's payout the file that carries it and the reference the bank quotes
/// (shown on the payout).
pub async fn set_bank_transfer(
    c: &mut AnyConnection,
    file_name: &str,
    items: &[ItemRow],
) -> Result<()> {
    for item in items {
        sqlx::query(
            "UPDATE payouts SET bank_file = $1, bank_reference = $2 \
             WHERE merchant_id = $3 AND env = $4 AND id = $5",
        )
        .bind(file_name)
        .bind(&item.reference)
        .bind(item.tenant.m())
        .bind(item.tenant.e())
        .bind(item.payout_id.as_str())
        .execute(&mut *c)
        .await?;
    }
    Ok(())
}

/// Marks a building file complete.
pub async fn seal(c: &mut AnyConnection, file_id: &str) -> Result<()> {
    sqlx::query("UPDATE payout_files SET status = 'sealed' WHERE id = $1 AND status = 'building'")
        .bind(file_id)
        .execute(c)
        .await?;
    Ok(())
}

/// Records that the file is in the outbox, as bytes with digest `sha256`.
pub async fn mark_transmitted(
    c: &mut AnyConnection,
    file_id: &str,
    sha256: &str,
    now_us: i64,
) -> Result<()> {
    sqlx::query(
        "UPDATE payout_files SET status = 'transmitted', sha256 = $1, transmitted_us = $2 \
         WHERE id = $3 AND status = 'sealed'",
    )
    .bind(sha256)
    .bind(now_us)
    .bind(file_id)
    .execute(c)
    .await?;
    Ok(())
}

/// Takes `n` consecutive values of the per-rail sequence `key` (e.g. `usd:trace`), which starts
/// at 1; returns the first.
pub async fn take_sequence(c: &mut AnyConnection, key: &str, n: i64) -> Result<i64> {
    let next: i64 = sqlx::query(
        "INSERT INTO rail_sequences (rail, next_value) VALUES ($1, 1 + $2) \
         ON CONFLICT (rail) DO UPDATE SET next_value = rail_sequences.next_value + $2 \
         RETURNING next_value",
    )
    .bind(key)
    .bind(n)
    .fetch_one(c)
    .await?
    .try_get("next_value")?;
    Ok(next - n)
}

/// Files of `rail` that are not yet transmitted (building or sealed), oldest first.
pub async fn unsent(pool: &crate::Pool, rail: &str) -> Result<Vec<FileRow>> {
    let rows = sqlx::query(&format!(
        "SELECT {FILE_COLUMNS} FROM payout_files WHERE status <> 'transmitted' AND rail = $1 \
         ORDER BY created_us"
    ))
    .bind(rail)
    .fetch_all(pool)
    .await?;
    rows.iter().map(file_from).collect()
}

/// The latest cut-off `rail` made a file for.
pub async fn last_cutoff(pool: &crate::Pool, rail: &str) -> Result<Option<i64>> {
    Ok(
        sqlx::query("SELECT MAX(cutoff_us) AS c FROM payout_files WHERE rail = $1")
            .bind(rail)
            .fetch_one(pool)
            .await?
            .try_get("c")?,
    )
}

/// Every file, newest first, at most `limit` (the operator's list).
pub async fn list(pool: &crate::Pool, limit: i64) -> Result<Vec<FileRow>> {
    let rows = sqlx::query(&format!(
        "SELECT {FILE_COLUMNS} FROM payout_files ORDER BY cutoff_us DESC, rail LIMIT $1"
    ))
    .bind(limit)
    .fetch_all(pool)
    .await?;
    rows.iter().map(file_from).collect()
}

/// A file by name.
pub async fn by_name(pool: &crate::Pool, name: &str) -> Result<Option<FileRow>> {
    let row = sqlx::query(&format!(
        "SELECT {FILE_COLUMNS} FROM payout_files WHERE name = $1"
    ))
    .bind(name)
    .fetch_optional(pool)
    .await?;
    row.as_ref().map(file_from).transpose()
}

/// A file's items, in position order.
pub async fn items(pool: &crate::Pool, file_id: &str) -> Result<Vec<ItemRow>> {
    let rows = sqlx::query(
        "SELECT position, merchant_id, env, payout_id, reference, amount, name, \
         account_ciphertext, account_type, bic, description FROM payout_file_items \
         WHERE file_id = $1 ORDER BY position",
    )
    .bind(file_id)
    .fetch_all(pool)
    .await?;
    let corrupt = |what: &str| StoreError::Corrupt(format!("payout_file_items.{what}"));
    rows.iter()
        .map(|r| {
            let merchant_id = MerchantId::parse(&r.try_get::<String, _>("merchant_id")?)
                .map_err(|_| corrupt("merchant_id"))?;
            let env = Environment::parse(&r.try_get::<String, _>("env")?)
                .ok_or_else(|| corrupt("env"))?;
            Ok(ItemRow {
                position: r.try_get("position")?,
                tenant: Tenant::new(merchant_id, env),
                payout_id: PayoutId::parse(&r.try_get::<String, _>("payout_id")?)
                    .map_err(|_| corrupt("payout_id"))?,
                reference: r.try_get("reference")?,
                amount: r.try_get("amount")?,
                name: r.try_get("name")?,
                account_ciphertext: r.try_get("account_ciphertext")?,
                account_type: r.try_get("account_type")?,
                bic: r.try_get("bic")?,
                description: r.try_get("description")?,
            })
        })
        .collect()
}

/// The payout of `rail`'s file item quoted as `reference` (the latest, should a NACHA trace
/// sequence ever wrap).
pub async fn by_reference(
    c: &mut AnyConnection,
    rail: &str,
    reference: &str,
) -> Result<Option<(Tenant, PayoutId, i64)>> {
    let row = sqlx::query(
        "SELECT i.merchant_id AS merchant_id, i.env AS env, i.payout_id AS payout_id, \
         i.amount AS amount FROM payout_file_items i JOIN payout_files f ON f.id = i.file_id \
         WHERE i.reference = $1 AND f.rail = $2 ORDER BY f.cutoff_us DESC LIMIT 1",
    )
    .bind(reference)
    .bind(rail)
    .fetch_optional(c)
    .await?;
    match row {
        Some(r) => {
            let (tenant, id) = scoped_payout(&r)?;
            Ok(Some((tenant, id, r.try_get("amount")?)))
        }
        None => Ok(None),
    }
}

/// The payout count and total (minor units) of `rail`'s transmitted file named `name`.
pub async fn file_totals(
    c: &mut AnyConnection,
    rail: &str,
    name: &str,
) -> Result<Option<(i64, i64)>> {
    let row = sqlx::query(
        "SELECT payout_count, total_minor FROM payout_files \
         WHERE name = $1 AND rail = $2 AND status = 'transmitted'",
    )
    .bind(name)
    .bind(rail)
    .fetch_optional(c)
    .await?;
    match row {
        Some(r) => Ok(Some((
            r.try_get("payout_count")?,
            r.try_get("total_minor")?,
        ))),
        None => Ok(None),
    }
}

/// Every payout of `rail`'s transmitted file named `name`, in position order.
pub async fn payouts_of_file(
    c: &mut AnyConnection,
    rail: &str,
    name: &str,
) -> Result<Vec<(Tenant, PayoutId, String)>> {
    let rows = sqlx::query(
        "SELECT i.merchant_id AS merchant_id, i.env AS env, i.payout_id AS payout_id, \
         i.reference AS reference FROM payout_file_items i JOIN payout_files f ON f.id = i.file_id \
         WHERE f.name = $1 AND f.rail = $2 AND f.status = 'transmitted' \
         ORDER BY i.position",
    )
    .bind(name)
    .bind(rail)
    .fetch_all(c)
    .await?;
    rows.iter()
        .map(|r| {
            let (tenant, id) = scoped_payout(r)?;
            Ok((tenant, id, r.try_get("reference")?))
        })
        .collect()
}

fn scoped_payout(r: &sqlx::any::AnyRow) -> Result<(Tenant, PayoutId)> {
    let corrupt = |what: &str| StoreError::Corrupt(format!("payout_file_items.{what}"));
    let merchant_id = MerchantId::parse(&r.try_get::<String, _>("merchant_id")?)
        .map_err(|_| corrupt("merchant_id"))?;
    let env = Environment::parse(&r.try_get::<String, _>("env")?).ok_or_else(|| corrupt("env"))?;
    let id =
        PayoutId::parse(&r.try_get::<String, _>("payout_id")?).map_err(|_| corrupt("payout_id"))?;
    Ok((Tenant::new(merchant_id, env), id))
}

/// Transmitted files of `rail` whose entries are final at `now_us` and not yet settled.
pub async fn final_due(pool: &crate::Pool, rail: &str, now_us: i64) -> Result<Vec<FileRow>> {
    let rows = sqlx::query(&format!(
        "SELECT {FILE_COLUMNS} FROM payout_files WHERE rail = $1 AND status = 'transmitted' \
         AND final_us IS NOT NULL AND final_us <= $2 AND settled_us IS NULL ORDER BY cutoff_us"
    ))
    .bind(rail)
    .bind(now_us)
    .fetch_all(pool)
    .await?;
    rows.iter().map(file_from).collect()
}

/// Up to `limit` payouts of file `file_id` still `processing`; locked on PostgreSQL (`lock`).
pub async fn processing_in_file(
    c: &mut AnyConnection,
    file_id: &str,
    limit: i64,
    lock: bool,
) -> Result<Vec<DuePayout>> {
    let lock = if lock { " FOR UPDATE OF p" } else { "" };
    let columns: String = crate::payouts::COLUMNS
        .split(',')
        .map(|c| format!("p.{}", c.trim()))
        .collect::<Vec<_>>()
        .join(", ");
    let rows = sqlx::query(&format!(
        "SELECT p.merchant_id AS merchant_id, p.env AS env, {columns} FROM payout_file_items i \
         JOIN payouts p ON p.merchant_id = i.merchant_id AND p.env = i.env AND p.id = i.payout_id \
         WHERE i.file_id = $1 AND p.status = 'processing' ORDER BY i.position LIMIT $2{lock}"
    ))
    .bind(file_id)
    .bind(limit)
    .fetch_all(&mut *c)
    .await?;
    let mut due = Vec::with_capacity(rows.len());
    for r in &rows {
        let merchant_id = MerchantId::parse(&r.try_get::<String, _>("merchant_id")?)
            .map_err(|_| StoreError::Corrupt("payouts.merchant_id".into()))?;
        let env = Environment::parse(&r.try_get::<String, _>("env")?)
            .ok_or_else(|| StoreError::Corrupt("payouts.env".into()))?;
        due.push(DuePayout {
            tenant: Tenant::new(merchant_id, env),
            payout: crate::payouts::from_row(r)?,
        });
    }
    Ok(due)
}

/// Records that the settlement pass paid what was left of file `file_id`.
pub async fn mark_settled(c: &mut AnyConnection, file_id: &str, now_us: i64) -> Result<()> {
    sqlx::query("UPDATE payout_files SET settled_us = $1 WHERE id = $2")
        .bind(now_us)
        .bind(file_id)
        .execute(c)
        .await?;
    Ok(())
}

/// A file read from an inbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboundRow {
    pub sha256: String,
    pub rail: String,
    pub name: String,
    pub kind: String,
    pub status: String,
    pub reason: Option<String>,
    pub moved: i64,
    pub received_us: i64,
}

/// Whether `rail` read a file with these bytes before (applied or quarantined).
pub async fn inbound_seen(pool: &crate::Pool, rail: &str, sha256: &str) -> Result<bool> {
    Ok(
        sqlx::query("SELECT 1 AS one FROM inbound_files WHERE rail = $1 AND sha256 = $2")
            .bind(rail)
            .bind(sha256)
            .fetch_optional(pool)
            .await?
            .is_some(),
    )
}

/// Records a file read from an inbox; `false` when it was recorded already (another node read
/// it first), in which case the caller's job must write nothing else.
pub async fn record_inbound(c: &mut AnyConnection, row: &InboundRow) -> Result<bool> {
    Ok(sqlx::query(
        "INSERT INTO inbound_files (sha256, rail, name, kind, status, reason, moved, \
         received_us) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (rail, sha256) DO NOTHING",
    )
    .bind(&row.sha256)
    .bind(&row.rail)
    .bind(&row.name)
    .bind(&row.kind)
    .bind(&row.status)
    .bind(&row.reason)
    .bind(row.moved)
    .bind(row.received_us)
    .execute(c)
    .await?
    .rows_affected()
        == 1)
}

/// Records how many payouts an applied file moved.
pub async fn set_inbound_moved(
    c: &mut AnyConnection,
    rail: &str,
    sha256: &str,
    moved: i64,
) -> Result<()> {
    sqlx::query("UPDATE inbound_files SET moved = $1 WHERE rail = $2 AND sha256 = $3")
        .bind(moved)
        .bind(rail)
        .bind(sha256)
        .execute(c)
        .await?;
    Ok(())
}

/// Files read from the inboxes, newest first.
pub async fn inbound(pool: &crate::Pool, limit: i64) -> Result<Vec<InboundRow>> {
    let rows = sqlx::query(
        "SELECT sha256, rail, name, kind, status, reason, moved, received_us FROM inbound_files \
         ORDER BY received_us DESC LIMIT $1",
    )
    .bind(limit)
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(InboundRow {
                sha256: r.try_get("sha256")?,
                rail: r.try_get("rail")?,
                name: r.try_get("name")?,
                kind: r.try_get("kind")?,
                status: r.try_get("status")?,
                reason: r.try_get("reason")?,
                moved: r.try_get("moved")?,
                received_us: r.try_get("received_us")?,
            })
        })
        .collect()
}
