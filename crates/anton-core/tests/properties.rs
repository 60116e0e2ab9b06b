//! Properties of the parsers and the payout state machine (STYLE.md §6): parsers never panic on
//! any input, accept exactly what they should, and the lifecycle moves money exactly once.

use anton_core::bank::{aba_checksum_ok, BankAccount};
use anton_core::id::PayoutId;
use anton_core::keys::{ApiKey, Environment, KeyKind};
use anton_core::ledger::LedgerAccount;
use anton_core::money::{Amount, Currency};
use anton_core::payout::{FailureCode, PayoutStatus, Transition};
use proptest::prelude::*;

proptest! {
    /// A verifier sees attacker-controlled headers: any of them gets an error, never a panic
    /// (`t=-9223372036854775808` once overflowed `now − t`).
    #[test]
    fn signature_verification_never_panics_on_any_header(
        t in any::<i64>(),
        rest in ".{0,40}",
        now in any::<i64>(),
        free in ".{0,80}",
    ) {
        let secret = anton_core::signature::WebhookSecret::parse(
            "whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
        )
        .unwrap();
        let body: &[u8] = b"{}";
        let header = format!("t={t},v1={rest}");
        let checked = anton_core::signature::verify(body, &header, &secret, now, 300);
        prop_assert!(checked.is_err());
        let _ = anton_core::signature::verify(body, &free, &secret, now, 300);
        let _ = anton_core::signature::verify_standard(body, "evt_1", &t.to_string(), &free, &secret, now, 300);
    }

    #[test]
    fn key_parsing_never_panics_and_rejects_mutations(s in ".{0,80}", pos in 8usize..46, c in "[A-Za-z0-9]") {
        let _ = ApiKey::parse(&s);
        let key = ApiKey::generate(KeyKind::Restricted, Environment::Test);
        let text = key.expose_secret();
        prop_assert!(ApiKey::parse(text).is_ok());
        // Change one character of the random part or checksum: CRC32 catches every single change.
        let mut mutated = text.to_owned();
        let pos = pos.min(text.len() - 1);
        mutated.replace_range(pos..=pos, &c);
        if mutated != text {
            prop_assert!(ApiKey::parse(&mutated).is_err(), "{mutated}");
        }
    }

    #[test]
    fn ids_parse_only_with_their_own_prefix(s in "[a-z]{1,4}_[A-Za-z0-9]{1,30}") {
        match PayoutId::parse(&s) {
            Ok(id) => prop_assert!(id.as_str().starts_with("po_")),
            Err(_) => prop_assert!(!s.starts_with("po_")),
        }
    }

    #[test]
    fn aba_checksum_accepts_exactly_the_weighted_sum_rule(d in proptest::collection::vec(0u32..10, 9)) {
        let routing: String = d.iter().map(|x| char::from_digit(*x, 10).unwrap()).collect();
        let sum = 3 * (d[0] + d[3] + d[6]) + 7 * (d[1] + d[4] + d[7]) + (d[2] + d[5] + d[8]);
        prop_assert_eq!(aba_checksum_ok(&routing), sum % 10 == 0);
    }

    #[test]
    fn bank_parsers_never_panic_and_never_echo_numbers_in_errors(
        a in prop_oneof!["[0-9]{9}", "[0-9 -]{6,8}", "[A-Z]{2}[0-9]{2}[A-Z0-9]{10,30}", ".{0,40}"],
        b in prop_oneof!["[0-9]{4,20}", ".{0,40}"],
        c in prop_oneof![Just("checking".to_owned()), ".{0,12}"],
    ) {
        for r in [
            BankAccount::parse_us_ach(&a, &b, &c),
            BankAccount::parse_iban(&a, Some(&b)),
            BankAccount::parse_iban(&b, None),
            BankAccount::parse_gb_fps(&a, &b),
        ] {
            match r {
                Ok(acct) => {
                    let shown = format!("{:?}", acct);
                    prop_assert!(!shown.contains(&acct.account_secret()));
                }
                Err(e) => {
                    // An account number (4+ digits) the client sent never comes back in the message.
                    let msg = e.to_string();
                    let is_number = b.len() >= 4 && b.bytes().all(|x| x.is_ascii_digit());
                    prop_assert!(!(is_number && msg.contains(b.as_str())), "{}", msg);
                }
            }
        }
    }

    #[test]
    fn amounts_and_currencies_parse_total_functions(v in any::<i64>(), s in ".{0,5}") {
        match Amount::new(v) {
            Ok(a) => prop_assert!(a.minor() >= 1 && a.minor() <= Amount::MAX_MINOR),
            Err(_) => prop_assert!(!(1..=Amount::MAX_MINOR).contains(&v)),
        }
        if let Ok(c) = Currency::parse(&s) {
            prop_assert_eq!(c.as_str(), s.as_str());
        }
    }

    /// Any sequence of transitions from `pending` moves a reserved amount out of `in_flight` at
    /// most once, and a payout only ends in `in_flight` while pending or processing.
    #[test]
    fn any_transition_sequence_moves_money_consistently(steps in proptest::collection::vec(0u8..7, 0..12)) {
        let amount = 100i64;
        // After creation: available → in_flight.
        let mut in_flight = amount;
        let mut paid_out = 0i64;
        let mut available_delta = -amount;
        let mut status = PayoutStatus::Pending;
        for s in steps {
            let t = match s {
                0 => Transition::StartProcessing,
                1 => Transition::Pay,
                2 => Transition::Fail(FailureCode::Declined),
                3 => Transition::Cancel,
                4 => Transition::Return(FailureCode::AccountFrozen),
                5 => Transition::Approve,
                _ => Transition::Reject,
            };
            if let Ok(applied) = status.apply(t) {
                if let Some(kind) = applied.posting {
                    let (debit, credit) = kind.accounts();
                    for (account, delta) in [(debit, -amount), (credit, amount)] {
                        match account {
                            LedgerAccount::InFlight => in_flight += delta,
                            LedgerAccount::PaidOut => paid_out += delta,
                            LedgerAccount::Available => available_delta += delta,
                            LedgerAccount::Funding => prop_assert!(false, "payouts never touch funding"),
                        }
                    }
                }
                status = applied.to;
            }
            prop_assert!(in_flight >= 0 && paid_out >= 0);
            prop_assert_eq!(in_flight + paid_out + available_delta, 0);
            let expect_in_flight = matches!(status, PayoutStatus::Pending | PayoutStatus::Processing | PayoutStatus::RequiresReview);
            prop_assert_eq!(in_flight, if expect_in_flight { amount } else { 0 });
            prop_assert_eq!(paid_out, if status == PayoutStatus::Paid { amount } else { 0 });
        }
    }
}
