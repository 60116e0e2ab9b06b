//! The double-entry ledger (docs/reference.md §3). Per merchant, environment and currency there are
//! four accounts; every movement is a [`Posting`] that debits one and credits another by the same
//! amount, so **all entries sum to zero per currency** by construction.
//!
//! Sign convention for stored entries: a credit is `+amount`, a debit is `-amount`. The balance of
//! an account is the sum of its entries, so `available` and `in_flight` are positive when they hold
//! money and `funding` (money that came from outside) is negative.

use crate::money::Amount;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LedgerAccount {
    Available,
    InFlight,
    PaidOut,
    Funding,
}

impl LedgerAccount {
    pub const ALL: [LedgerAccount; 4] = [
        LedgerAccount::Available,
        LedgerAccount::InFlight,
        LedgerAccount::PaidOut,
        LedgerAccount::Funding,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Available => "available",
            Self::InFlight => "in_flight",
            Self::PaidOut => "paid_out",
            Self::Funding => "funding",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.as_str() == s)
    }
}

/// What caused a posting; shown as the balance transaction's `type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PostingKind {
    Funding,
    PayoutReserve,
    PayoutPaid,
    PayoutRelease,
    PayoutReturn,
}

impl PostingKind {
    pub const ALL: [PostingKind; 5] = [
        PostingKind::Funding,
        PostingKind::PayoutReserve,
        PostingKind::PayoutPaid,
        PostingKind::PayoutRelease,
        PostingKind::PayoutReturn,
    ];

    /// The kind a balance transaction's `type` names.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Funding => "funding",
            Self::PayoutReserve => "payout",
            Self::PayoutPaid => "payout_paid",
            Self::PayoutRelease => "payout_release",
            Self::PayoutReturn => "payout_return",
        }
    }

    /// The accounts this kind of posting moves money between: (debit, credit).
    pub fn accounts(self) -> (LedgerAccount, LedgerAccount) {
        use LedgerAccount::*;
        match self {
            Self::Funding => (Funding, Available),
            Self::PayoutReserve => (Available, InFlight),
            Self::PayoutPaid => (InFlight, PaidOut),
            Self::PayoutRelease => (InFlight, Available),
            Self::PayoutReturn => (PaidOut, Available),
        }
    }
}

/// A balanced movement of `amount` from `debit` to `credit`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Posting {
    pub kind: PostingKind,
    pub amount: Amount,
}

impl Posting {
    pub fn new(kind: PostingKind, amount: Amount) -> Self {
        Self { kind, amount }
    }

    /// The two signed entries. They always sum to zero.
    pub fn entries(&self) -> [(LedgerAccount, i64); 2] {
        let (debit, credit) = self.kind.accounts();
        let amount = self.amount.minor();
        [(debit, -amount), (credit, amount)]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_posting_kind_balances_and_moves_between_distinct_accounts() {
        for kind in [
            PostingKind::Funding,
            PostingKind::PayoutReserve,
            PostingKind::PayoutPaid,
            PostingKind::PayoutRelease,
            PostingKind::PayoutReturn,
        ] {
            let p = Posting::new(kind, Amount::new(1234).unwrap());
            let [(a, x), (b, y)] = p.entries();
            assert_ne!(a, b);
            assert_eq!(x + y, 0);
        }
    }
}
