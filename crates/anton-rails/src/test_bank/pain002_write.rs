//! The test bank's `pain.002.001.10` status report on a `pain.001`: every transaction listed
//! with its own status (`RJCT` and its reason, `PDNG`, or `ACCP`), so that no status has to be
//! inferred from a batch's or the group's; those summarise (`ACCP` when nothing is rejected,
//! `RJCT` when everything is, `PART` otherwise), as the readers' rule "a rejected group or batch
//! rejects every transaction in it" wants.

use anton_core::payout::SimulatedOutcome;
use time::OffsetDateTime;

use super::iso::{Decided, DecidedBatch, Decision};
use super::xml::{date_time, decimal, Xml};
use super::{Fingerprint, TestBankError};
use crate::iso20022::pain002::Status;
use crate::iso20022::reasons;

/// The namespace of the report.
const NAMESPACE: &str = "urn:iso:std:iso:20022:tech:xsd:pain.002.001.10";
/// `OrgnlMsgNmId`: the only message the test bank answers.
const ORIGINAL_MESSAGE_NAME: &str = "pain.001.001.09";

/// The status report on `decided`'s original, made at `at`.
pub(super) fn render(
    decided: &Decided<'_>,
    fingerprint: Fingerprint,
    at: OffsetDateTime,
) -> Result<String, TestBankError> {
    let original = decided.original;
    let all = decided.batches.iter().flat_map(|b| &b.payments);
    let (count, sum) = count_and_sum(all.clone());
    let rejected = all.filter(|d| rejection(d).is_some()).count();
    let mut x = Xml::document(NAMESPACE);
    x.open("CstmrPmtStsRpt");
    x.open("GrpHdr");
    x.leaf("MsgId", &fingerprint.message_id("PSR"));
    x.leaf("CreDtTm", &date_time(at));
    x.close("GrpHdr");
    x.open("OrgnlGrpInfAndSts");
    x.leaf("OrgnlMsgId", &original.message_id);
    x.leaf("OrgnlMsgNmId", ORIGINAL_MESSAGE_NAME);
    x.leaf("OrgnlCreDtTm", &original.created_at);
    x.leaf("OrgnlNbOfTxs", &count.to_string());
    x.leaf("OrgnlCtrlSum", &decimal(sum)?);
    x.leaf("GrpSts", summary(rejected, count).code());
    x.close("OrgnlGrpInfAndSts");
    for batch in &decided.batches {
        render_batch(&mut x, batch)?;
    }
    x.close("CstmrPmtStsRpt");
    Ok(x.finish())
}

/// One `OrgnlPmtInfAndSts`: the batch's status and each of its transactions'.
fn render_batch(x: &mut Xml, batch: &DecidedBatch<'_>) -> Result<(), TestBankError> {
    let (count, sum) = count_and_sum(batch.payments.iter());
    let rejected = batch.payments.iter().filter(|d| rejection(d).is_some());
    x.open("OrgnlPmtInfAndSts");
    x.leaf("OrgnlPmtInfId", &batch.info.id);
    x.leaf("OrgnlNbOfTxs", &count.to_string());
    x.leaf("OrgnlCtrlSum", &decimal(sum)?);
    x.leaf("PmtInfSts", summary(rejected.count(), count).code());
    for decision in &batch.payments {
        render_transaction(x, decision)?;
    }
    x.close("OrgnlPmtInfAndSts");
    Ok(())
}

/// One `TxInfAndSts`, in the schema's order.
fn render_transaction(x: &mut Xml, decision: &Decision<'_>) -> Result<(), TestBankError> {
    let transaction = decision.transaction;
    x.open("TxInfAndSts");
    x.optional_leaf("OrgnlInstrId", transaction.instruction_id.as_deref());
    x.leaf("OrgnlEndToEndId", &transaction.end_to_end_id);
    let status = match decision.outcome {
        SimulatedOutcome::Failed(_) => Status::Rejected,
        SimulatedOutcome::StaysProcessing => Status::Pending,
        SimulatedOutcome::Paid | SimulatedOutcome::PaidThenReturned(_) => {
            Status::AcceptedCustomerProfile
        }
    };
    x.leaf("TxSts", status.code());
    if let Some(reason) = rejection(decision) {
        x.open("StsRsnInf");
        x.code("Rsn", reason);
        x.close("StsRsnInf");
    }
    x.open("OrgnlTxRef");
    x.open("Amt");
    let amount = i128::from(transaction.amount_minor);
    x.amount("InstdAmt", &transaction.currency, amount)?;
    x.close("Amt");
    x.close("OrgnlTxRef");
    x.close("TxInfAndSts");
    Ok(())
}

/// The reason code a rejected payment is rejected with, or `None` when it is not rejected.
fn rejection(decision: &Decision<'_>) -> Option<&'static str> {
    match decision.outcome {
        SimulatedOutcome::Failed(code) => Some(reasons::reason_for(code)),
        _ => None,
    }
}

/// The status of a group or batch of `count` transactions of which `rejected` are.
fn summary(rejected: usize, count: usize) -> Status {
    match rejected {
        0 => Status::AcceptedCustomerProfile,
        n if n == count => Status::Rejected,
        _ => Status::PartiallyAccepted,
    }
}

/// The number of `payments` and the sum of their amounts (a control sum, in hundredths).
fn count_and_sum<'d, 'a: 'd>(payments: impl Iterator<Item = &'d Decision<'a>>) -> (usize, i128) {
    payments.fold((0, 0), |(count, sum), d| {
        (count + 1, sum + i128::from(d.transaction.amount_minor))
    })
}
