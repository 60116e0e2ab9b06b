//! The test bank's `camt.054.001.08` notifications on Anton's own accounts (each original
//! `PmtInf`'s debtor IBAN, one `Ntfctn` per account in order of first appearance):
//!
//! - [`debits`]: the booked debits of the payments paid. A batch the original asks to book as
//!   one (`BtchBookg` true) is one entry per currency with its `NtryDtls/Btch` (the original's
//!   message id, `PmtInfId`, count and total of what was booked) and one `TxDtls` per payment;
//!   any other payment is an entry of its own. Booked on the requested execution date.
//! - [`returns`]: the booked credits of the payments returned after settlement, one entry each,
//!   with the payment's `EndToEndId` in `Refs` and the return reason in `RtrInf`. Booked
//!   [`LATE_RETURN_DELAY_DAYS`] after the requested execution date.
//!
//! Every transaction states its amount (`TxDtls/Amt`) and every entry adds up, as the reader
//! checks.

use std::collections::HashMap;

use time::{Date, Duration, OffsetDateTime};

use super::iso::{Decided, DecidedBatch};
use super::xml::{date_time, Xml};
use super::{Fingerprint, TestBankError, LATE_RETURN_DELAY_DAYS};
use crate::iso20022::camt054::{CreditDebit, EntryStatus};
use crate::iso20022::pain001_read::{PaymentInformation, Transaction};
use crate::iso20022::reasons;

/// The namespace of the notifications.
const NAMESPACE: &str = "urn:iso:std:iso:20022:tech:xsd:camt.054.001.08";
/// The service level that makes a batch SEPA's.
const SEPA: &str = "SEPA";

/// One entry to book: a batch's payments in one currency, or a single payment.
struct Booking<'a> {
    batch: &'a PaymentInformation,
    /// The currency of every payment in it.
    currency: &'a str,
    /// Whether the entry is a batch booking (it then carries `NtryDtls/Btch`).
    batched: bool,
    payments: Vec<&'a Transaction>,
}

/// What the entries of a notification are.
#[derive(Clone, Copy)]
enum Kind {
    /// The payments' debits, on the execution date.
    Debits,
    /// The returns' credits, after settlement, with the reason code sent.
    Returns { reason: &'static str },
}

impl Kind {
    fn direction(self) -> CreditDebit {
        match self {
            Self::Debits => CreditDebit::Debit,
            Self::Returns { .. } => CreditDebit::Credit,
        }
    }

    /// The `SubFmlyCd` of the entry's bank transaction code (family `ICDT`, issued credit
    /// transfers): a SEPA or domestic credit transfer, or a returned one.
    fn sub_family(self, batch: &PaymentInformation) -> &'static str {
        match self {
            Self::Returns { .. } => "RRTN",
            Self::Debits if batch.service_level.as_deref() == Some(SEPA) => "ESCT",
            Self::Debits => "DMCT",
        }
    }

    /// The day the entry is booked on.
    fn booking_date(self, batch: &PaymentInformation) -> Date {
        let executed = batch.requested_execution_date;
        match self {
            Self::Debits => executed,
            // Past the year 9999 only; the return is then booked with its debit.
            Self::Returns { .. } => {
                (executed.checked_add(Duration::days(LATE_RETURN_DELAY_DAYS))).unwrap_or(executed)
            }
        }
    }
}

/// The notification of the debits booked for `decided`'s paid payments, or `None` when none is
/// paid.
pub(super) fn debits(
    decided: &Decided<'_>,
    fingerprint: Fingerprint,
    at: OffsetDateTime,
) -> Result<Option<String>, TestBankError> {
    let mut bookings = Vec::new();
    for batch in &decided.batches {
        let paid = batch.payments.iter().filter(|d| d.is_paid_now());
        let paid: Vec<&Transaction> = paid.map(|d| d.transaction).collect();
        if batch.info.batch_booking == Some(true) {
            bookings.extend(by_currency(batch, paid));
        } else {
            bookings.extend(paid.into_iter().map(|t| single(batch.info, t)));
        }
    }
    let bookings = bookings.into_iter().map(|b| (b, Kind::Debits)).collect();
    let original = &decided.original.message_id;
    render(bookings, original, fingerprint.message_id("NTF"), at)
}

/// The notification of the returns credited for `decided`'s payments paid then returned, or
/// `None` when none is.
pub(super) fn returns(
    decided: &Decided<'_>,
    fingerprint: Fingerprint,
    at: OffsetDateTime,
) -> Result<Option<String>, TestBankError> {
    let mut bookings = Vec::new();
    for batch in &decided.batches {
        for decision in &batch.payments {
            if let Some(code) = decision.returned_because() {
                let reason = reasons::reason_for(code);
                let booking = single(batch.info, decision.transaction);
                bookings.push((booking, Kind::Returns { reason }));
            }
        }
    }
    let original = &decided.original.message_id;
    render(bookings, original, fingerprint.message_id("RTN"), at)
}

/// A booking of one payment of `batch`.
fn single<'a>(batch: &'a PaymentInformation, payment: &'a Transaction) -> Booking<'a> {
    Booking {
        batch,
        currency: &payment.currency,
        batched: false,
        payments: vec![payment],
    }
}

/// The batch bookings of `paid`, payments of `batch`: one per currency, in order of first
/// appearance (Anton's batches have one; the reader allows more outside SEPA).
fn by_currency<'a>(batch: &DecidedBatch<'a>, paid: Vec<&'a Transaction>) -> Vec<Booking<'a>> {
    let mut bookings: Vec<Booking<'a>> = Vec::new();
    for payment in paid {
        match bookings.iter_mut().find(|b| b.currency == payment.currency) {
            Some(booking) => booking.payments.push(payment),
            None => bookings.push(Booking {
                batch: batch.info,
                currency: &payment.currency,
                batched: true,
                payments: vec![payment],
            }),
        }
    }
    bookings
}

/// The notification of `bookings`, payments of the original `original_message_id`: one
/// `Ntfctn` per debtor account, in order of first appearance; `None` when there are no
/// bookings.
fn render(
    bookings: Vec<(Booking<'_>, Kind)>,
    original_message_id: &str,
    message_id: String,
    at: OffsetDateTime,
) -> Result<Option<String>, TestBankError> {
    if bookings.is_empty() {
        return Ok(None);
    }
    let mut accounts: Vec<(&str, Vec<(Booking<'_>, Kind)>)> = Vec::new();
    let mut index: HashMap<&str, usize> = HashMap::new();
    for (booking, kind) in bookings {
        let iban = booking.batch.debtor_iban.as_str();
        let at = *index.entry(iban).or_insert_with(|| {
            accounts.push((iban, Vec::new()));
            accounts.len() - 1
        });
        if let Some((_, list)) = accounts.get_mut(at) {
            list.push((booking, kind));
        }
    }
    let mut x = Xml::document(NAMESPACE);
    x.open("BkToCstmrDbtCdtNtfctn");
    x.open("GrpHdr");
    x.leaf("MsgId", &message_id);
    x.leaf("CreDtTm", &date_time(at));
    x.close("GrpHdr");
    // Entries are numbered across the message, for their `AcctSvcrRef`.
    let mut entry_number = 0_u64;
    for (n, (iban, bookings)) in accounts.iter().enumerate() {
        x.open("Ntfctn");
        x.leaf("Id", &format!("{message_id}-{}", n + 1));
        x.leaf("CreDtTm", &date_time(at));
        x.open("Acct");
        x.open("Id");
        x.leaf("IBAN", iban);
        x.close("Id");
        x.close("Acct");
        for (reference, (booking, kind)) in bookings.iter().enumerate() {
            entry_number += 1;
            let servicer_reference = format!("{message_id}-E{entry_number}");
            let entry = Entry {
                original_message_id,
                reference: reference + 1,
                servicer_reference: &servicer_reference,
                booking,
                kind: *kind,
            };
            render_entry(&mut x, &entry)?;
        }
        x.close("Ntfctn");
    }
    x.close("BkToCstmrDbtCdtNtfctn");
    Ok(Some(x.finish()))
}

/// One `Ntry` to write.
struct Entry<'b, 'a> {
    /// The original's `GrpHdr/MsgId`.
    original_message_id: &'b str,
    /// `NtryRef`: its position in its `Ntfctn`.
    reference: usize,
    /// `AcctSvcrRef`: unique in the message.
    servicer_reference: &'b str,
    booking: &'b Booking<'a>,
    kind: Kind,
}

/// One `Ntry`, in the schema's order.
fn render_entry(x: &mut Xml, entry: &Entry<'_, '_>) -> Result<(), TestBankError> {
    let (booking, kind) = (entry.booking, entry.kind);
    let total: i128 = (booking.payments.iter())
        .map(|p| i128::from(p.amount_minor))
        .sum();
    let direction = kind.direction().code();
    x.open("Ntry");
    x.leaf("NtryRef", &entry.reference.to_string());
    x.amount("Amt", booking.currency, total)?;
    x.leaf("CdtDbtInd", direction);
    x.code("Sts", EntryStatus::Booked.code());
    x.date("BookgDt", kind.booking_date(booking.batch));
    x.date("ValDt", kind.booking_date(booking.batch));
    x.leaf("AcctSvcrRef", entry.servicer_reference);
    x.open("BkTxCd");
    x.open("Domn");
    x.leaf("Cd", "PMNT");
    x.open("Fmly");
    x.leaf("Cd", "ICDT");
    x.leaf("SubFmlyCd", kind.sub_family(booking.batch));
    x.close("Fmly");
    x.close("Domn");
    x.close("BkTxCd");
    x.open("NtryDtls");
    if booking.batched {
        x.open("Btch");
        x.leaf("MsgId", entry.original_message_id);
        x.leaf("PmtInfId", &booking.batch.id);
        x.leaf("NbOfTxs", &booking.payments.len().to_string());
        x.amount("TtlAmt", booking.currency, total)?;
        x.leaf("CdtDbtInd", direction);
        x.close("Btch");
    }
    for payment in &booking.payments {
        render_transaction(x, entry, payment)?;
    }
    x.close("NtryDtls");
    x.close("Ntry");
    Ok(())
}

/// One `TxDtls`, in the schema's order. A debit names the original message, batch and
/// instruction too; a return names the payment by its `EndToEndId`, as banks do.
fn render_transaction(
    x: &mut Xml,
    entry: &Entry<'_, '_>,
    payment: &Transaction,
) -> Result<(), TestBankError> {
    let (booking, kind) = (entry.booking, entry.kind);
    x.open("TxDtls");
    x.open("Refs");
    if let Kind::Debits = kind {
        x.leaf("MsgId", entry.original_message_id);
        x.leaf("PmtInfId", &booking.batch.id);
        x.optional_leaf("InstrId", payment.instruction_id.as_deref());
    }
    x.leaf("EndToEndId", &payment.end_to_end_id);
    x.close("Refs");
    x.amount("Amt", booking.currency, i128::from(payment.amount_minor))?;
    x.leaf("CdtDbtInd", kind.direction().code());
    if let Kind::Returns { reason } = kind {
        x.open("RtrInf");
        x.code("Rsn", reason);
        x.close("RtrInf");
    }
    x.close("TxDtls");
    Ok(())
}
