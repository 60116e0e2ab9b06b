//! A cut-off: the rail's pending live payouts go into one file, move to `processing`, and the
//! file goes to the outbox.
//!
//! 1. **Build** ([`build`]): write jobs of up to `payouts_per_job` payouts each. The first starts the
//!    cut-off's file (one per rail and cut-off: a second node finds the first's); each takes
//!    pending live payouts of the currency created by the cut-off, moves them to `processing`
//!    with their events, and records them as the file's items — in one transaction, so **no
//!    payout is in a file without having moved, or moved without being in one, and none is in
//!    two** (the items are unique by payout). The job that finds fewer than a chunk seals the
//!    file. A crash between jobs leaves a `building` file, which the next run goes on filling.
//! 2. **Transmit** ([`transmit`]): a sealed file is rendered from its items (deterministic, so
//!    the same bytes every time), put into the outbox idempotently by name, and only then
//!    marked `transmitted`. A crash before the mark puts the same bytes again, which the outbox
//!    takes as already there.

use anton_core::payout::Transition;
use anton_store::list::BatchConn;
use anton_store::payout_files::{self, FileRow, FileStatus, ItemRow};
use anton_store::{Backend, Store};
use jiff::Timestamp;
use sha2::{Digest, Sha256};

use super::config::{FileRail, Format};
use super::exchange::Link;
use super::outbox;
use super::render::{self, Payable};
use crate::payouts::transition::{self, Move};
use crate::Secrets;

/// Why a cut-off or a transmission did not finish; the worker logs it and tries again.
#[derive(Debug, thiserror::Error)]
pub enum RailError {
    #[error(transparent)]
    Store(#[from] anton_store::StoreError),
    #[error("file {name} could not be rendered: {why}")]
    Render { name: String, why: String },
    #[error(transparent)]
    Outbox(#[from] outbox::OutboxError),
    #[error("{0}")]
    Data(String),
}

type Result<T> = std::result::Result<T, RailError>;

/// Builds the file of `rail`'s cut-off `cutoff` (see the module documentation) and returns it
/// sealed; `None` when the cut-off found no payout (no file is made).
pub async fn build(store: &Store, rail: &FileRail, cutoff: Timestamp) -> Result<Option<FileRow>> {
    let name = render::file_name(rail, cutoff);
    loop {
        let rail = rail.clone();
        let name = name.clone();
        let lock = store.backend() == Backend::Postgres;
        let file = store
            .write(move |c| {
                Box::pin(async move { build_chunk(c, &rail, cutoff, &name, lock).await })
            })
            .await?;
        if file.is_some() {
            super::failpoint::hit("rail.after_chunk");
        }
        match file {
            Some(file) if file.status == FileStatus::Building => continue,
            other => return Ok(other),
        }
    }
}

/// One write job of [`build`]: returns the file as it stands after it.
async fn build_chunk(
    c: &mut anton_store::Conn,
    rail: &FileRail,
    cutoff: Timestamp,
    name: &str,
    lock: bool,
) -> anton_store::Result<Option<FileRow>> {
    let now_us = anton_store::now_us();
    let cutoff_us = cutoff.as_microsecond();
    let id = format!("pf_{}", anton_core::random_base62(24));
    let key = rail.key();
    let corrupt = |what: &str| anton_store::StoreError::Corrupt(format!("rail {key}: {what}"));
    let effective = rail
        .schedule
        .effective_date(cutoff)
        .ok_or_else(|| corrupt("the calendar has no effective date"))?;
    let day_start = rail
        .schedule
        .day_start(rail.schedule.local_date(cutoff))
        .ok_or_else(|| corrupt("the cut-off's day has no start"))?;
    // ACH entries are final at the end of their settlement date; ISO payments are paid by the
    // bank's notifications.
    let final_us = match rail.format {
        Format::Nacha(_) => rail
            .schedule
            .final_at(effective)
            .map(|t| t.as_microsecond()),
        Format::Pain001 { .. } => None,
    };
    let effective = effective.to_string();
    let new = payout_files::NewFile {
        id: &id,
        rail: &key,
        cutoff_us,
        name,
        final_us,
        effective_date: &effective,
        day_start_us: day_start.as_microsecond(),
    };
    let (mut file, _) = payout_files::start(c, &new, now_us, lock).await?;
    if file.status != FileStatus::Building {
        return Ok(Some(file));
    }
    let chunk = rail.payouts_per_job;
    let due = payout_files::pending_live(c, rail.currency.as_str(), cutoff_us, chunk, lock).await?;
    if due.is_empty() && file.payout_count == 0 {
        // Nothing to pay at this cut-off: no file (the job's insert is undone).
        payout_files::discard_empty(c, &file.id).await?;
        return Ok(None);
    }
    let full = i64::try_from(due.len()).unwrap_or(chunk) >= chunk;
    let (items, moves) = take(c, rail, &file, due).await?;
    let moved = transition::transition_many(&mut BatchConn::Any(c), &moves, lock, now_us).await?;
    if moved.len() != moves.len() {
        // Every payout read is locked (PostgreSQL) or behind the one writer (SQLite); one that
        // did not move means the store changed under the job: write nothing.
        return Err(corrupt("a cut-off's payout moved under it"));
    }
    if !items.is_empty() {
        payout_files::add_items(c, &file.id, &items).await?;
        payout_files::set_bank_transfer(c, &file.name, &items).await?;
    }
    file.payout_count += i64::try_from(items.len()).unwrap_or(0);
    file.total_minor += items.iter().map(|i| i.amount).sum::<i64>();
    if !full {
        payout_files::seal(c, &file.id).await?;
        file.status = FileStatus::Sealed;
    }
    Ok(Some(file))
}

/// The items and moves of a job's pending payouts: each goes into the file with what the file
/// will say of it (the recipient's name and account as they are now, snapshotted), and moves to
/// `processing`. A payout the file cannot carry — its recipient is gone, or its amount is over
/// what the format can hold — fails (`declined`) instead of stopping the rail.
async fn take(
    c: &mut anton_store::Conn,
    rail: &FileRail,
    file: &FileRow,
    due: Vec<anton_store::payouts::DuePayout>,
) -> anton_store::Result<(Vec<ItemRow>, Vec<Move>)> {
    let mut payable = Vec::with_capacity(due.len());
    let mut moves = Vec::with_capacity(due.len());
    for d in due {
        let recipient =
            anton_store::recipients::get(&mut *c, &d.tenant, &d.payout.recipient_id).await?;
        match recipient {
            Some(r) if d.payout.amount <= super::config::max_amount_minor(rail) => {
                payable.push((d, r));
            }
            _ => {
                tracing::warn!(
                    payout.id = %d.payout.id,
                    "a live payout cannot go in a bank file (recipient gone or amount over the \
                     format's limit): failed as declined"
                );
                moves.push(Move {
                    tenant: d.tenant,
                    payout: d.payout,
                    transition: Transition::Fail(anton_core::payout::FailureCode::Declined),
                    rail_due_us: None,
                });
            }
        }
    }
    let count = i64::try_from(payable.len()).unwrap_or(0);
    let first_sequence = match &rail.format {
        Format::Nacha(_) if count > 0 => {
            payout_files::take_sequence(c, &format!("{}:trace", rail.key()), count).await?
        }
        _ => 0,
    };
    let mut items = Vec::with_capacity(payable.len());
    for (i, (d, recipient)) in payable.into_iter().enumerate() {
        let i = i64::try_from(i).unwrap_or(0);
        let reference = match &rail.format {
            Format::Nacha(identity) => render::trace_reference(identity, first_sequence + i),
            Format::Pain001 { .. } => render::end_to_end_reference(d.payout.id.as_str()),
        };
        let mut payout = d.payout;
        // Before the move, so the `payout.processing` event shows the file too.
        payout.bank_file = Some(file.name.clone());
        payout.bank_reference = Some(reference.clone());
        // `bank_code` holds the BIC when one was given, else the IBAN's bank code (digits).
        let bic = recipient.bank_code.clone().filter(|code| {
            recipient.bank_type == "iban"
                && (code.len() == 8 || code.len() == 11)
                && code.bytes().take(6).all(|b| b.is_ascii_alphabetic())
        });
        items.push(ItemRow {
            position: file.payout_count + i,
            tenant: d.tenant.clone(),
            payout_id: payout.id.clone(),
            reference,
            amount: payout.amount,
            name: recipient.name,
            account_ciphertext: recipient.account_ciphertext,
            account_type: recipient.account_type,
            bic,
            description: payout.description.clone(),
        });
        moves.push(Move {
            tenant: d.tenant,
            payout,
            transition: Transition::StartProcessing,
            rail_due_us: None,
        });
    }
    Ok((items, moves))
}

/// Renders a sealed `file` from its items and puts it into the rail's outbox, then marks it
/// transmitted. Returns the SHA-256 of the bytes (hex).
pub async fn transmit(
    store: &Store,
    secrets: &Secrets,
    rail: &FileRail,
    link: &mut Link,
    file: &FileRow,
) -> Result<String> {
    let items = payout_files::items(store.read(), &file.id).await?;
    let total: i64 = items.iter().map(|i| i.amount).sum();
    if i64::try_from(items.len()).ok() != Some(file.payout_count) || total != file.total_minor {
        return Err(RailError::Data(format!(
            "file {} holds {} items for {total} but records {} for {}: not sent",
            file.name,
            items.len(),
            file.payout_count,
            file.total_minor
        )));
    }
    let mut payables = Vec::with_capacity(items.len());
    for item in &items {
        payables.push(payable(secrets, rail, item)?);
    }
    let cutoff = Timestamp::from_microsecond(file.cutoff_us)
        .map_err(|_| RailError::Data("a file's cut-off is out of range".into()))?;
    let effective: jiff::civil::Date = file
        .effective_date
        .parse()
        .map_err(|_| RailError::Data("a file's effective date is not a date".into()))?;
    let text = render::render(
        rail,
        &file.name,
        cutoff,
        file.file_number,
        effective,
        &payables,
    )
    .map_err(|why| RailError::Render {
        name: file.name.clone(),
        why,
    })?;
    let sha256 = hex::encode(Sha256::digest(text.as_bytes()));
    super::failpoint::hit("rail.before_put");
    link.put(&file.name, text.into_bytes()).await?;
    super::failpoint::hit("rail.after_put");
    let id = file.id.clone();
    let digest = sha256.clone();
    store
        .write(move |c| {
            Box::pin(async move {
                payout_files::mark_transmitted(c, &id, &digest, anton_store::now_us()).await
            })
        })
        .await?;
    Ok(sha256)
}

/// What the file needs of an item: its snapshot, the account decrypted.
fn payable(secrets: &Secrets, rail: &FileRail, item: &ItemRow) -> Result<Payable> {
    let secret = secrets
        .keyring
        .decrypt(
            &item.account_ciphertext,
            item.tenant.merchant_id.as_str().as_bytes(),
        )
        .map_err(|_| RailError::Data("a recipient's account does not decrypt".into()))?;
    let secret = String::from_utf8(secret)
        .map_err(|_| RailError::Data("a recipient's account is not text".into()))?;
    let account = anton_core::bank::BankAccount::from_secret(
        &secret,
        item.account_type.as_deref(),
        item.bic.as_deref(),
    )
    .map_err(|_| RailError::Data("a recipient's account does not parse".into()))?;
    let sequence = match rail.format {
        Format::Nacha(_) => item
            .reference
            .get(item.reference.len().saturating_sub(7)..)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0),
        Format::Pain001 { .. } => 0,
    };
    Ok(Payable {
        reference: item.reference.clone(),
        sequence,
        amount_minor: item.amount,
        name: item.name.clone(),
        account,
        description: item.description.clone(),
    })
}
