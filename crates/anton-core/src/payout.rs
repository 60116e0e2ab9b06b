//! The payout lifecycle (docs/reference.md §3) as a state machine.
//!
//! ```text
//! pending ──► processing ──► paid ──► returned
//!    │             └──────► failed
//!    ├──► canceled            (only from pending, by the merchant)
//!    └──► requires_review ──► pending (approved) | canceled (rejected)
//! ```
//!
//! **Transitions not on this graph are impossible**: the only way to change a status is
//! [`PayoutStatus::apply`], which returns the new status, the ledger posting and the event type for
//! the transition, or a typed error. Callers never compare status strings.

use crate::event::EventType;
use crate::ledger::PostingKind;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PayoutStatus {
    Pending,
    RequiresReview,
    Processing,
    Paid,
    Failed,
    Canceled,
    Returned,
}

impl PayoutStatus {
    pub const ALL: [PayoutStatus; 7] = [
        PayoutStatus::Pending,
        PayoutStatus::RequiresReview,
        PayoutStatus::Processing,
        PayoutStatus::Paid,
        PayoutStatus::Failed,
        PayoutStatus::Canceled,
        PayoutStatus::Returned,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::RequiresReview => "requires_review",
            Self::Processing => "processing",
            Self::Paid => "paid",
            Self::Failed => "failed",
            Self::Canceled => "canceled",
            Self::Returned => "returned",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|st| st.as_str() == s)
    }

    /// Applies `t`, or explains why it is not allowed from this status.
    pub fn apply(self, t: Transition) -> Result<Applied, InvalidTransition> {
        use PayoutStatus::*;
        use Transition::*;
        let (to, posting) = match (self, t) {
            (Pending, StartProcessing) => (Processing, None),
            (Pending, Cancel) => (Canceled, Some(PostingKind::PayoutRelease)),
            (RequiresReview, Approve) => (Pending, None),
            (RequiresReview, Reject) => (Canceled, Some(PostingKind::PayoutRelease)),
            (Processing, Pay) => (Paid, Some(PostingKind::PayoutPaid)),
            (Processing, Fail(_)) => (Failed, Some(PostingKind::PayoutRelease)),
            (Paid, Return(_)) => (Returned, Some(PostingKind::PayoutReturn)),
            (from, t) => {
                return Err(InvalidTransition {
                    from,
                    transition: t,
                })
            }
        };
        let event = match to {
            Pending => EventType::PayoutCreated,
            Processing => EventType::PayoutProcessing,
            Paid => EventType::PayoutPaid,
            Failed => EventType::PayoutFailed,
            Canceled => EventType::PayoutCanceled,
            Returned => EventType::PayoutReturned,
            RequiresReview => EventType::PayoutReviewRequired,
        };
        let failure = match t {
            Fail(code) | Return(code) => Some(code),
            _ => None,
        };
        Ok(Applied {
            to,
            posting,
            event,
            failure,
        })
    }
}

/// The result of an allowed transition: everything the store must write in one transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Applied {
    pub to: PayoutStatus,
    pub posting: Option<PostingKind>,
    pub event: EventType,
    pub failure: Option<FailureCode>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transition {
    StartProcessing,
    Pay,
    Fail(FailureCode),
    Cancel,
    Return(FailureCode),
    Approve,
    Reject,
}

impl Transition {
    pub fn name(self) -> &'static str {
        match self {
            Self::StartProcessing => "start processing",
            Self::Pay => "pay",
            Self::Fail(_) => "fail",
            Self::Cancel => "cancel",
            Self::Return(_) => "return",
            Self::Approve => "approve",
            Self::Reject => "reject",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a {} payout cannot {}", from.as_str(), transition.name())]
pub struct InvalidTransition {
    pub from: PayoutStatus,
    pub transition: Transition,
}

/// Why a payout failed or was returned (shown as `failure_code`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FailureCode {
    AccountClosed,
    NoAccount,
    InvalidAccountNumber,
    AccountFrozen,
    Declined,
}

impl FailureCode {
    pub const ALL: [FailureCode; 5] = [
        FailureCode::AccountClosed,
        FailureCode::NoAccount,
        FailureCode::InvalidAccountNumber,
        FailureCode::AccountFrozen,
        FailureCode::Declined,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::AccountClosed => "account_closed",
            Self::NoAccount => "no_account",
            Self::InvalidAccountNumber => "invalid_account_number",
            Self::AccountFrozen => "account_frozen",
            Self::Declined => "declined",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == s)
    }

    pub fn message(self) -> &'static str {
        match self {
            Self::AccountClosed => "The bank account has been closed.",
            Self::NoAccount => "The bank account could not be found.",
            Self::InvalidAccountNumber => "The bank account number is not valid at the bank.",
            Self::AccountFrozen => "The bank account is frozen; the funds were returned.",
            Self::Declined => "The bank declined the payout.",
        }
    }
}

/// What the test-mode simulator rail does with a payout, chosen by the account's last four digits
/// (docs/reference.md §3 "Rails").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SimulatedOutcome {
    Paid,
    Failed(FailureCode),
    PaidThenReturned(FailureCode),
    StaysProcessing,
}

impl SimulatedOutcome {
    pub fn for_last4(last4: &str) -> Self {
        match last4 {
            "0002" => Self::Failed(FailureCode::AccountClosed),
            "0003" => Self::Failed(FailureCode::NoAccount),
            "0004" => Self::Failed(FailureCode::InvalidAccountNumber),
            "0005" => Self::PaidThenReturned(FailureCode::AccountFrozen),
            "0006" => Self::StaysProcessing,
            _ => Self::Paid,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use PayoutStatus::*;

    const ALL_TRANSITIONS: [Transition; 7] = [
        Transition::StartProcessing,
        Transition::Pay,
        Transition::Fail(FailureCode::Declined),
        Transition::Cancel,
        Transition::Return(FailureCode::AccountFrozen),
        Transition::Approve,
        Transition::Reject,
    ];

    #[test]
    fn only_the_documented_edges_exist() {
        let allowed = [
            (Pending, "start processing", Processing),
            (Pending, "cancel", Canceled),
            (RequiresReview, "approve", Pending),
            (RequiresReview, "reject", Canceled),
            (Processing, "pay", Paid),
            (Processing, "fail", Failed),
            (Paid, "return", Returned),
        ];
        let mut count = 0;
        for from in PayoutStatus::ALL {
            for t in ALL_TRANSITIONS {
                match from.apply(t) {
                    Ok(a) => {
                        count += 1;
                        assert!(allowed.contains(&(from, t.name(), a.to)), "{from:?} {t:?}");
                    }
                    Err(e) => assert_eq!(e.from, from),
                }
            }
        }
        assert_eq!(count, allowed.len());
    }

    #[test]
    fn money_moves_exactly_once_per_path() {
        // reserve at creation; then exactly one of paid / release, and return only after paid.
        assert_eq!(
            Pending.apply(Transition::StartProcessing).unwrap().posting,
            None
        );
        assert_eq!(
            Processing.apply(Transition::Pay).unwrap().posting,
            Some(PostingKind::PayoutPaid)
        );
        assert_eq!(
            Pending.apply(Transition::Cancel).unwrap().posting,
            Some(PostingKind::PayoutRelease)
        );
        assert!(Failed.apply(Transition::Cancel).is_err());
        assert!(Paid.apply(Transition::Fail(FailureCode::Declined)).is_err());
    }

    #[test]
    fn simulator_outcomes_follow_the_last_four_digits() {
        assert_eq!(
            SimulatedOutcome::for_last4("0002"),
            SimulatedOutcome::Failed(FailureCode::AccountClosed)
        );
        assert_eq!(
            SimulatedOutcome::for_last4("0006"),
            SimulatedOutcome::StaysProcessing
        );
        assert_eq!(SimulatedOutcome::for_last4("6789"), SimulatedOutcome::Paid);
    }
}
