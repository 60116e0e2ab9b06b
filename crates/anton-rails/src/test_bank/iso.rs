//! The test bank's answers to a `pain.001`: what happens to each payment (decided once, here,
//! from its creditor account), then the status report and the notifications that say so.

use anton_core::payout::{FailureCode, SimulatedOutcome};
use time::OffsetDateTime;

use super::{
    answer_name, camt054_write, outcome_for_account, pain002_write, utc, AnswerFile, Answers,
    Fingerprint, TestBankError, CAMT054_RETURNS_SUFFIX, CAMT054_SUFFIX, PAIN002_SUFFIX,
};
use crate::iso20022::pain001_read::{
    CreditTransferInitiation, CreditorAccount, PaymentInformation, Transaction,
};

/// The original file with what happens to each of its payments.
pub(super) struct Decided<'a> {
    pub(super) original: &'a CreditTransferInitiation,
    /// The original's `PmtInf` blocks, in file order.
    pub(super) batches: Vec<DecidedBatch<'a>>,
}

/// One `PmtInf` of the original and what happens to each of its payments.
pub(super) struct DecidedBatch<'a> {
    pub(super) info: &'a PaymentInformation,
    /// The batch's transactions, in file order.
    pub(super) payments: Vec<Decision<'a>>,
}

/// One transaction of the original and what happens to it.
pub(super) struct Decision<'a> {
    pub(super) transaction: &'a Transaction,
    pub(super) outcome: SimulatedOutcome,
}

impl Decision<'_> {
    /// Whether the bank debits the payment now (it is paid, perhaps to be returned later).
    pub(super) fn is_paid_now(&self) -> bool {
        matches!(
            self.outcome,
            SimulatedOutcome::Paid | SimulatedOutcome::PaidThenReturned(_)
        )
    }

    /// Why the payment comes back after settlement, when it does.
    pub(super) fn returned_because(&self) -> Option<FailureCode> {
        match self.outcome {
            SimulatedOutcome::PaidThenReturned(code) => Some(code),
            _ => None,
        }
    }
}

/// The test bank's answers to `file` (see the module documentation of `test_bank`).
pub(super) fn answer(
    name: &str,
    file: &CreditTransferInitiation,
    fingerprint: Fingerprint,
    at: OffsetDateTime,
) -> Result<Answers, TestBankError> {
    let decided = decide(file);
    let named = |suffix, contents| AnswerFile {
        name: answer_name(name, suffix),
        contents,
    };
    let mut now = vec![named(
        PAIN002_SUFFIX,
        pain002_write::render(&decided, fingerprint, at)?,
    )];
    if let Some(debits) = camt054_write::debits(&decided, fingerprint, at)? {
        now.push(named(CAMT054_SUFFIX, debits));
    }
    let returns = camt054_write::returns(&decided, fingerprint, at)?;
    let after_settlement = returns.map(|c| named(CAMT054_RETURNS_SUFFIX, c));
    // The reader refuses a file without a `PmtInf`, so the day it is answered never shows.
    let execution_dates = file.payments.iter().map(|p| p.requested_execution_date);
    let settles_on = execution_dates.max().unwrap_or_else(|| utc(at).date());
    Ok(Answers {
        now,
        after_settlement: after_settlement.into_iter().collect(),
        settles_on,
    })
}

/// What happens to each payment of `file`, by its creditor account.
fn decide(file: &CreditTransferInitiation) -> Decided<'_> {
    let batches = (file.payments.iter())
        .map(|info| DecidedBatch {
            info,
            payments: (info.transactions.iter())
                .map(|transaction| {
                    let account = match &transaction.creditor_account {
                        CreditorAccount::Iban(iban) => iban,
                        CreditorAccount::Other { id, .. } => id,
                    };
                    let outcome = outcome_for_account(account);
                    Decision {
                        transaction,
                        outcome,
                    }
                })
                .collect(),
        })
        .collect();
    Decided {
        original: file,
        batches,
    }
}
