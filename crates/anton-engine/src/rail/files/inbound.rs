//! The bank's answers, read from a rail's inbox and applied **exactly once, whole or not at
//! all** (docs/live-payouts.md):
//!
//! - A file is known by the SHA-256 of its bytes: the record of it commits in the same write
//!   job as every payout it moves, so the same file read twice (or by two nodes) moves nothing
//!   the second time.
//! - NACHA returns: the entry named by the return's original trace number fails (still
//!   `processing`) or is returned (already `paid`), with the return reason's failure code.
//! - `pain.002`: a rejected transaction fails with its reason; a rejection of the whole message
//!   or batch fails every payout of the file that the report does not reject on its own.
//! - `camt.054`: a booked debit quoting a payout's end-to-end id pays it; a booked credit with
//!   return information returns it (or fails it, if it was never paid). Entries that are not
//!   Anton's (fees, funding) are passed over: a statement holds the whole account.
//! - A file that cannot be read, is not a kind Anton reads, or names a payout Anton never put
//!   in a file of this rail is **quarantined**: recorded with the reason, nothing applied, and
//!   logged for the operator. A payout already past the step a file reports is left as it is.

use std::collections::{HashMap, VecDeque};

use anton_core::payout::{FailureCode, PayoutStatus, Transition};
use anton_rails::iso20022::{camt054, pain002};
use anton_rails::nacha;
use anton_store::payout_files::{self, InboundRow};
use anton_store::payouts::PayoutRecord;
use anton_store::{Backend, Store, Tenant};
use sha2::{Digest, Sha256};

use super::config::FileRail;
use super::cutoff::RailError;
use crate::payouts::transition::{self, Move, Moved};

/// What a file reports about one payout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Report {
    Paid,
    Failed(FailureCode),
}

/// Whom a report is about: a reference from one of Anton's files (with the amount and currency
/// the bank states for it, when it does), or every payout of a file (a whole-message
/// rejection) except those the file reports on their own.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Target {
    Reference(Claim),
    File(String),
}

/// A reference, and what the bank says it was for.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Claim {
    reference: String,
    amount_minor: Option<i64>,
    currency: Option<String>,
}

impl Claim {
    fn of(reference: &str) -> Self {
        Claim {
            reference: reference.to_owned(),
            amount_minor: None,
            currency: None,
        }
    }

    /// Why the bank's statement of this payment differs from what Anton sent, if it does.
    fn mismatch(&self, rail: &str, sent_minor: i64) -> Option<String> {
        let reference = self.reference.escape_debug();
        if let Some(currency) = &self.currency {
            if !currency.eq_ignore_ascii_case(rail) {
                return Some(format!(
                    "it states payment {reference} in {}, which Anton sent in {}",
                    currency.escape_debug(),
                    rail.to_ascii_uppercase()
                ));
            }
        }
        match self.amount_minor {
            Some(amount) if amount != sent_minor => Some(format!(
                "it states {amount} minor units for payment {reference}, which Anton sent for \
                 {sent_minor}: a reconciliation mismatch"
            )),
            _ => None,
        }
    }
}

/// What a bank says of one of Anton's files as a whole: its name, and the number of payments
/// and their sum the bank counted in it, when it says.
#[derive(Debug)]
struct FileClaim {
    name: String,
    count: Option<u64>,
    total_minor: Option<i64>,
}

/// A file read: its kind, and what it reports.
#[derive(Debug)]
struct Read {
    kind: &'static str,
    reports: Vec<(Target, Report)>,
    /// pain.002: the file it answers, with the bank's figures for it.
    files: Vec<FileClaim>,
    /// camt.054: references Anton does not know are someone else's entries, not an error.
    unknown_is_foreign: bool,
}

/// What reading one file did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ingested {
    /// These bytes were read before.
    AlreadySeen,
    Applied {
        moved: Vec<Moved>,
    },
    Quarantined {
        reason: String,
    },
}

/// Reads `bytes` (the file `name` of `rail`'s inbox) and applies it, or quarantines it.
pub async fn ingest(
    store: &Store,
    rail: &FileRail,
    name: &str,
    bytes: &[u8],
) -> Result<Ingested, RailError> {
    let sha256 = hex::encode(Sha256::digest(bytes));
    if payout_files::inbound_seen(store.read(), &rail.key(), &sha256).await? {
        return Ok(Ingested::AlreadySeen);
    }
    let mut row = InboundRow {
        sha256,
        rail: rail.key(),
        name: name.to_owned(),
        kind: "unknown".into(),
        status: "applied".into(),
        reason: None,
        moved: 0,
        received_us: anton_store::now_us(),
    };
    let read = match read(bytes) {
        Ok(read) => read,
        Err(reason) => return quarantine(store, row, reason).await,
    };
    row.kind = read.kind.into();
    let lock = store.backend() == Backend::Postgres;
    let job_row = row.clone();
    let result = store
        .write(move |c| Box::pin(async move { apply(c, &job_row, &read, lock).await }))
        .await?;
    match result {
        Ok(Some(moved)) => Ok(Ingested::Applied { moved }),
        Ok(None) => Ok(Ingested::AlreadySeen),
        Err(reason) => quarantine(store, row, reason).await,
    }
}

/// Quarantines a file without reading it (one too large to read): recorded once, by the digest
/// of `marker` (what the listing says of it), with `reason`.
pub async fn quarantine_unread(
    store: &Store,
    rail: &FileRail,
    name: &str,
    marker: &[u8],
    reason: String,
) -> Result<Ingested, RailError> {
    let sha256 = hex::encode(Sha256::digest(marker));
    if payout_files::inbound_seen(store.read(), &rail.key(), &sha256).await? {
        return Ok(Ingested::AlreadySeen);
    }
    let row = InboundRow {
        sha256,
        rail: rail.key(),
        name: name.to_owned(),
        kind: "unknown".into(),
        status: "quarantined".into(),
        reason: None,
        moved: 0,
        received_us: anton_store::now_us(),
    };
    quarantine(store, row, reason).await
}

async fn quarantine(
    store: &Store,
    mut row: InboundRow,
    reason: String,
) -> Result<Ingested, RailError> {
    row.status = "quarantined".into();
    row.reason = Some(reason.clone());
    let logged = row.clone();
    let recorded = store
        .write(move |c| Box::pin(async move { payout_files::record_inbound(c, &row).await }))
        .await?;
    // Another node recorded it first: it logs and counts it.
    if !recorded {
        return Ok(Ingested::AlreadySeen);
    }
    tracing::warn!(
        file.name = %logged.name.escape_debug(),
        rail = %logged.rail,
        reason = %reason,
        "bank file quarantined"
    );
    Ok(Ingested::Quarantined { reason })
}

/// The job: find each report's payout, then record the file and move them. A reason to
/// quarantine (`Ok(Err(reason))`) is found before anything is written; `Ok(Ok(None))`: another
/// node recorded the file first.
async fn apply(
    c: &mut anton_store::Conn,
    row: &InboundRow,
    read: &Read,
    lock: bool,
) -> anton_store::Result<Result<Option<Vec<Moved>>, String>> {
    // The bank's figures for a file it answers are checked first: another count or sum than
    // the file carried is a reconciliation mismatch.
    for claim in &read.files {
        let Some((count, total)) = payout_files::file_totals(c, &row.rail, &claim.name).await?
        else {
            return Ok(Err(
                "it answers a file Anton did not send on this rail".into()
            ));
        };
        let counted = claim.count.map(|n| i64::try_from(n).unwrap_or(i64::MAX));
        if counted.is_some_and(|n| n != count) || claim.total_minor.is_some_and(|t| t != total) {
            return Ok(Err(format!(
                "it counts {} payments for {} minor units in {}, which carried {count} for \
                 {total}: a reconciliation mismatch",
                claim.count.map_or("some".to_owned(), |n| n.to_string()),
                claim
                    .total_minor
                    .map_or("a sum not given".to_owned(), |t| t.to_string()),
                claim.name.escape_debug(),
            )));
        }
    }
    // Resolve every report first: a file naming a payout Anton did not send is refused whole.
    let mut targets: Vec<(Tenant, anton_core::id::PayoutId, Report)> = Vec::new();
    let mut listed = std::collections::HashSet::new();
    for (target, report) in &read.reports {
        if let Target::Reference(claim) = target {
            match payout_files::by_reference(c, &row.rail, &claim.reference).await? {
                Some((tenant, id, amount)) => {
                    // The bank states another amount or currency than Anton sent: nothing of
                    // the file is applied, and the operator is told.
                    if let Some(why) = claim.mismatch(&row.rail, amount) {
                        return Ok(Err(why));
                    }
                    listed.insert(claim.reference.clone());
                    targets.push((tenant, id, *report));
                }
                None if read.unknown_is_foreign => {}
                None => {
                    return Ok(Err(
                        "it names a payment Anton did not send on this rail".into()
                    ))
                }
            }
        }
    }
    for (target, report) in &read.reports {
        if let Target::File(name) = target {
            let items = payout_files::payouts_of_file(c, &row.rail, name).await?;
            if items.is_empty() {
                return Ok(Err(
                    "it answers a file Anton did not send on this rail".into()
                ));
            }
            for (tenant, id, reference) in items {
                if !listed.contains(&reference) {
                    targets.push((tenant, id, *report));
                }
            }
        }
    }
    if !payout_files::record_inbound(c, row).await? {
        return Ok(Ok(None));
    }
    // Each payout's reports in file order (a statement may hold a payout's debit and then its
    // return), applied in rounds of one move per payout: two moves for one payout in one
    // `transition_many` would both pass its single compare-and-set. Each round reads the
    // payouts locked (PostgreSQL), so a settlement pass deciding about the same payout waits.
    let mut order: Vec<(Tenant, anton_core::id::PayoutId)> = Vec::new();
    let mut reports: HashMap<(Tenant, anton_core::id::PayoutId), VecDeque<Report>> = HashMap::new();
    for (tenant, id, report) in targets {
        let key = (tenant, id);
        if !reports.contains_key(&key) {
            order.push(key.clone());
        }
        reports.entry(key).or_default().push_back(report);
    }
    let mut moved = Vec::new();
    loop {
        let mut moves = Vec::new();
        for key in &order {
            let Some(queue) = reports.get_mut(key) else {
                continue;
            };
            if queue.is_empty() {
                continue;
            }
            let Some(payout) =
                anton_store::payouts::get_locked(&mut *c, &key.0, &key.1, lock).await?
            else {
                queue.clear();
                continue;
            };
            // The first report that still asks for a step; the others wait for the next round.
            while let Some(report) = queue.pop_front() {
                if let Some(transition) = step(&payout, report) {
                    moves.push(Move {
                        tenant: key.0.clone(),
                        payout,
                        transition,
                        rail_due_us: None,
                    });
                    break;
                }
            }
        }
        if moves.is_empty() {
            break;
        }
        let mut conn = anton_store::list::BatchConn::Any(&mut *c);
        moved.extend(transition::transition_many(&mut conn, &moves, lock, row.received_us).await?);
    }
    let count = i64::try_from(moved.len()).unwrap_or(i64::MAX);
    payout_files::set_inbound_moved(c, &row.rail, &row.sha256, count).await?;
    Ok(Ok(Some(moved)))
}

/// The step a report asks of a payout in its current status, if any: a payout already past it
/// (paid and reported paid again, failed, returned) is left alone.
fn step(payout: &PayoutRecord, report: Report) -> Option<Transition> {
    match (payout.status, report) {
        (PayoutStatus::Processing, Report::Paid) => Some(Transition::Pay),
        (PayoutStatus::Processing, Report::Failed(code)) => Some(Transition::Fail(code)),
        (PayoutStatus::Paid, Report::Failed(code)) => Some(Transition::Return(code)),
        _ => None,
    }
}

/// What a file reports, by its kind; or why it cannot be applied.
fn read(bytes: &[u8]) -> Result<Read, String> {
    let text = std::str::from_utf8(bytes).map_err(|_| "it is not UTF-8 text".to_owned())?;
    let first = text.trim_start_matches('\u{feff}').trim_start();
    if first.starts_with('1') {
        return read_nacha(text);
    }
    if first.starts_with('<') {
        // Each reader refuses a root in another message's namespace, so the one that names
        // the file's kind explains why it could not read it.
        let pain002_error = match pain002::parse(text) {
            Ok(report) => return Ok(read_pain002(&report)),
            Err(e) => e,
        };
        return match camt054::parse(text) {
            Ok(notification) => Ok(read_camt054(&notification)),
            Err(e) if text.contains(":xsd:camt.054.") => {
                Err(format!("a camt.054 Anton cannot read: {e}"))
            }
            Err(_) if text.contains(":xsd:pain.002.") => {
                Err(format!("a pain.002 Anton cannot read: {pain002_error}"))
            }
            Err(_) => Err("it is XML, but neither a pain.002 nor a camt.054".into()),
        };
    }
    Err("it is neither a NACHA file nor ISO 20022 XML".into())
}

fn read_nacha(text: &str) -> Result<Read, String> {
    let file =
        nacha::read::parse(text).map_err(|e| format!("a NACHA file Anton cannot read: {e}"))?;
    let mut reports = Vec::new();
    for entry in file.batches.iter().flat_map(|b| &b.entries) {
        let mut returned = false;
        for addenda in &entry.addenda {
            if let nacha::read::Addenda::Return(r) = addenda {
                let code = nacha::returns::failure_code(&r.reason_code)
                    .ok_or_else(|| "a return without a return reason code".to_owned())?;
                // A return's amount is the original entry's.
                reports.push((
                    Target::Reference(Claim {
                        amount_minor: i64::try_from(entry.amount_cents).ok(),
                        ..Claim::of(&r.original_trace)
                    }),
                    Report::Failed(code),
                ));
                returned = true;
            }
        }
        // A notification of change (98) reports no outcome: the payout went through.
        let noc = entry
            .addenda
            .iter()
            .any(|a| matches!(a, nacha::read::Addenda::Change(_)));
        if !returned && !noc {
            return Err(
                "a NACHA file with entries that are neither returns nor notifications of change"
                    .into(),
            );
        }
    }
    Ok(Read {
        kind: "nacha_returns",
        reports,
        files: Vec::new(),
        unknown_is_foreign: false,
    })
}

fn read_pain002(report: &pain002::StatusReport) -> Read {
    let reason = |reasons: &[pain002::StatusReason]| {
        reasons
            .iter()
            .find_map(|r| r.reason.as_ref())
            .map_or(FailureCode::Declined, |r| r.failure_code())
    };
    let mut reports = Vec::new();
    for batch in &report.payment_informations {
        for tx in &batch.transactions {
            if tx.status.is_rejected() {
                let code = match reason(&tx.reasons) {
                    FailureCode::Declined => reason(&batch.reasons),
                    code => code,
                };
                reports.push((
                    Target::Reference(Claim::of(&tx.original_end_to_end_id)),
                    Report::Failed(code),
                ));
            }
        }
        if batch.rejects_whole_batch() && !report.rejects_whole_message() {
            // One batch per file: its message is the file.
            reports.push((
                Target::File(format!("{}.xml", report.original_message_id)),
                Report::Failed(reason(&batch.reasons)),
            ));
        }
    }
    if report.rejects_whole_message() {
        reports.push((
            Target::File(format!("{}.xml", report.original_message_id)),
            Report::Failed(reason(&report.group_reasons)),
        ));
    }
    Read {
        kind: "pain002",
        reports,
        files: vec![FileClaim {
            name: format!("{}.xml", report.original_message_id),
            count: report.original_transaction_count,
            total_minor: report.original_control_sum_minor,
        }],
        unknown_is_foreign: false,
    }
}

fn read_camt054(notification: &camt054::Notification) -> Read {
    let mut reports = Vec::new();
    for entry in notification.notifications.iter().flat_map(|n| &n.entries) {
        if entry.status != camt054::EntryStatus::Booked {
            continue;
        }
        for tx in entry.transactions() {
            let Some(reference) = &tx.end_to_end_id else {
                continue;
            };
            let report = match (tx.credit_debit, &tx.return_information) {
                (camt054::CreditDebit::Debit, None) if !entry.reversal => Report::Paid,
                (camt054::CreditDebit::Credit, Some(info)) => Report::Failed(
                    info.reason
                        .as_ref()
                        .map_or(FailureCode::Declined, |r| r.failure_code()),
                ),
                _ => continue,
            };
            // A debit's amount (stated, or the entry's when it is the entry's only
            // transaction) is checked; a return's is not: a bank may credit it net of its fee.
            let amount_minor = match report {
                Report::Paid => tx.amount_minor,
                Report::Failed(_) => None,
            };
            reports.push((
                Target::Reference(Claim {
                    reference: reference.clone(),
                    amount_minor,
                    currency: Some(entry.currency.as_str().to_owned()),
                }),
                report,
            ));
        }
    }
    Read {
        kind: "camt054",
        reports,
        files: Vec::new(),
        unknown_is_foreign: true,
    }
}
