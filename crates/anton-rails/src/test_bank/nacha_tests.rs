//! The test bank's NACHA answers: Anton's own credit files (made by `nacha::write`) with
//! accounts ending in each of 0001–0006, answered, then read back by `nacha::read` and
//! `nacha::returns` as the engine will read them.

use std::collections::HashMap;

use anton_core::payout::SimulatedOutcome;
use time::macros::datetime;
use time::OffsetDateTime;

use super::*;
use crate::nacha::read::{self, Addenda, ParsedEntry};
use crate::nacha::returns::failure_code;
use crate::nacha::write::tests::{batch, header};
use crate::nacha::write::{self, AccountKind, Entry, File, Sec};

/// When the test bank answers, in the tests.
pub(super) const AT: OffsetDateTime = datetime!(2026-12-07 16:30:00 UTC);

/// A credit of `cents` to `account` at the bank `routing`, trace sequence `seq`.
fn credit(seq: u32, kind: AccountKind, routing: &str, account: &str, cents: u64) -> Entry {
    Entry {
        account_kind: kind,
        rdfi_routing: routing.into(),
        account_number: account.into(),
        amount_cents: cents,
        identification: format!("po_{seq:04}"),
        name: "Ada Lovelace".into(),
        discretionary_data: String::new(),
        trace_sequence: seq,
    }
}

/// Anton's credit file: two batches with accounts ending in each of 0001–0006, to checking and
/// savings accounts at three banks, and a third batch whose only payment is paid.
pub(super) fn outbound() -> String {
    use AccountKind::{Checking, Savings};
    let file = File {
        header: header(),
        batches: vec![
            batch(
                1,
                Sec::Ppd,
                vec![
                    credit(1, Checking, "011000015", "1234560001", 1_000),
                    credit(2, Savings, "021000021", "1234560002", 2_000),
                    credit(3, Checking, "011000015", "1234560003", 3_000),
                    credit(4, Checking, "091000019", "1234560005", 5_000),
                ],
            ),
            batch(
                2,
                Sec::Ccd,
                vec![
                    credit(5, Savings, "021000021", "9870004", 4_000),
                    credit(6, Checking, "011000015", "1234560006", 6_000),
                    credit(7, Savings, "011000015", "5550005", 7_000),
                ],
            ),
            batch(
                3,
                Sec::Ppd,
                vec![credit(8, Checking, "121000358", "000123456789", 8_000)],
            ),
        ],
    };
    write::render(&file).expect("Anton's writer writes the file")
}

/// What the simulator says the engine should conclude about a payment to `account` from ACH
/// answers: `None` when the bank sends nothing about it (paid, or staying processing, which
/// ACH cannot say: no return by the end of the settlement window is paid).
pub(super) fn expected(account: &str) -> Option<SimulatedOutcome> {
    match SimulatedOutcome::for_last4(&account[account.len().saturating_sub(4)..]) {
        SimulatedOutcome::Paid | SimulatedOutcome::StaysProcessing => None,
        answered => Some(answered),
    }
}

/// What `answers` say happened to each entry of `original`, read as the engine reads them:
/// a return sent at once fails the payout with its reason's failure code, one sent after
/// settlement returns it. Each return is checked against the entry it names.
pub(super) fn resolve(
    original: &str,
    answers: &Answers,
) -> Vec<(String, Option<SimulatedOutcome>)> {
    let original = read::parse(original).expect("the original reads");
    let entries: Vec<&ParsedEntry> = original.batches.iter().flat_map(|b| &b.entries).collect();
    let by_trace: HashMap<&str, &ParsedEntry> = (entries.iter())
        .map(|e| (e.trace_number.as_str(), *e))
        .collect();
    let mut returned = HashMap::new();
    for (files, late) in [(&answers.now, false), (&answers.after_settlement, true)] {
        for file in files {
            let parsed = read::parse(&file.contents)
                .unwrap_or_else(|e| panic!("{}: {e}\n{}", file.name, file.contents));
            for entry in parsed.batches.iter().flat_map(|b| &b.entries) {
                let [Addenda::Return(r)] = entry.addenda.as_slice() else {
                    panic!("a return has one addenda 99: {entry:?}");
                };
                let original = by_trace[r.original_trace.as_str()];
                assert_eq!(entry.transaction_code, original.transaction_code - 1);
                assert_eq!(entry.rdfi_routing, original.rdfi_routing);
                assert_eq!(entry.account_number, original.account_number);
                assert_eq!(entry.amount_cents, original.amount_cents);
                assert_eq!(r.original_rdfi, original.rdfi_routing[..8]);
                assert_eq!(r.trace_number, entry.trace_number);
                let code = failure_code(&r.reason_code).expect("a return reason code");
                let outcome = if late {
                    SimulatedOutcome::PaidThenReturned(code)
                } else {
                    SimulatedOutcome::Failed(code)
                };
                let first = returned.insert(r.original_trace.clone(), outcome);
                assert!(first.is_none(), "an entry returned twice");
            }
        }
    }
    let resolved = (entries.iter())
        .map(|e| (e.account_number.clone(), returned.remove(&e.trace_number)))
        .collect();
    assert!(
        returned.is_empty(),
        "returns of entries not in the original"
    );
    resolved
}

#[test]
fn every_ach_entry_is_answered_as_the_simulator_would() {
    let outbound = outbound();
    let answers = answer("ANTON-20261207-1.ach", &outbound, AT).expect("answered");
    let resolved = resolve(&outbound, &answers);
    assert_eq!(resolved.len(), 8);
    for (account, outcome) in &resolved {
        assert_eq!(
            *outcome,
            expected(account),
            "account ending {}",
            &account[account.len() - 4..]
        );
    }
    let failed = resolved
        .iter()
        .filter(|(_, o)| matches!(o, Some(SimulatedOutcome::Failed(_))));
    assert_eq!(failed.count(), 3, "0002, 0003, 0004");
    let returned = resolved
        .iter()
        .filter(|(_, o)| matches!(o, Some(SimulatedOutcome::PaidThenReturned(_))));
    assert_eq!(returned.count(), 2, "both accounts ending in 0005");
}

#[test]
fn ach_returns_keep_the_original_batch_and_send_the_file_back() {
    let outbound = outbound();
    let answers = answer("ANTON-20261207-1.ach", &outbound, AT).expect("answered");
    assert_eq!(answers.settles_on, time::macros::date!(2026 - 12 - 08));
    let [now] = answers.now.as_slice() else {
        panic!("one file now: {answers:?}")
    };
    let [late] = answers.after_settlement.as_slice() else {
        panic!("one file late: {answers:?}")
    };
    assert_eq!(now.name, "ANTON-20261207-1.ach.returns.ach");
    assert_eq!(late.name, "ANTON-20261207-1.ach.returns-late.ach");
    let original = read::parse(&outbound).expect("reads");
    let (now, late) = (
        read::parse(&now.contents).expect("reads"),
        read::parse(&late.contents).expect("reads"),
    );
    for (file, modifier) in [(&now, 'A'), (&late, 'B')] {
        let h = &file.header;
        assert_eq!(h.immediate_destination, original.header.immediate_origin);
        assert_eq!(h.immediate_origin, original.header.immediate_destination);
        assert_eq!(h.destination_name, original.header.origin_name);
        assert_eq!(h.origin_name, original.header.destination_name);
        assert_eq!(
            (h.creation_date.as_str(), h.creation_time.as_str()),
            ("261207", "1630")
        );
        assert_eq!(h.file_id_modifier, modifier);
        for batch in &file.batches {
            let first = &batch.entries[0].addenda[0];
            let Addenda::Return(first) = first else {
                panic!("{first:?}")
            };
            let of = original.batches.iter().find(|b| {
                b.entries
                    .iter()
                    .any(|e| e.trace_number == first.original_trace)
            });
            let of = of.expect("the original batch");
            assert_eq!(batch.company_name, of.company_name);
            assert_eq!(batch.company_id, of.company_id);
            assert_eq!(batch.sec, of.sec);
            assert_eq!(batch.entry_description, of.entry_description);
            assert_eq!(batch.odfi, of.odfi);
            assert_eq!(batch.service_class, 220);
        }
    }
    // Failed at once: 0002 (savings) and 0003 in batch 1, 0004 (savings) in batch 2.
    let codes = |file: &read::ParsedFile| -> Vec<Vec<(u8, String)>> {
        (file.batches.iter())
            .map(|b| {
                (b.entries.iter())
                    .map(|e| match &e.addenda[0] {
                        Addenda::Return(r) => (e.transaction_code, r.reason_code.clone()),
                        other => panic!("{other:?}"),
                    })
                    .collect()
            })
            .collect()
    };
    let r = |code: u8, reason: &str| (code, reason.to_owned());
    assert_eq!(
        codes(&now),
        [vec![r(31, "R02"), r(21, "R03")], vec![r(31, "R04")]]
    );
    assert_eq!(codes(&late), [vec![r(21, "R16")], vec![r(31, "R16")]]);
    // Sent at once, dated with the original (before it settles); late, two days after.
    assert!(now
        .batches
        .iter()
        .all(|b| b.effective_date == "261208" && b.settlement_date == "342"));
    assert!(late
        .batches
        .iter()
        .all(|b| b.effective_date == "261210" && b.settlement_date == "344"));
    // Totals and counts: an entry and its addenda per return.
    assert_eq!(now.control.total_credit_cents, 2_000 + 3_000 + 4_000);
    assert_eq!(now.control.entry_addenda_count, 6);
    assert_eq!(now.control.batch_count, 2);
    assert_eq!(late.control.total_credit_cents, 5_000 + 7_000);
    assert_eq!(late.control.entry_addenda_count, 4);
    assert_eq!(
        (
            now.control.total_debit_cents,
            late.control.total_debit_cents
        ),
        (0, 0)
    );
    assert_eq!(now.batches[0].control.total_credit_cents, 5_000);
}

#[test]
fn an_ach_return_file_is_laid_out_field_by_field() {
    let file = File {
        header: header(),
        batches: vec![batch(
            1,
            Sec::Ppd,
            vec![credit(
                1,
                AccountKind::Checking,
                "011000015",
                "1234560003",
                2_500,
            )],
        )],
    };
    let outbound = write::render(&file).expect("renders");
    let answers = answer("a.ach", &outbound, AT).expect("answered");
    let trace = format!(
        "01100001{:07}",
        Fingerprint::of(&outbound).0 % 1_000 * 10_000 + 1
    );
    let l = |value: &str, width: usize| format!("{value:<width$}");
    let expected = [
        format!(
            "1011234567890 091000019{}A094101{}{}{}",
            "2612071630",
            l("ANTON PAYOUTS", 23),
            l("WELLS FARGO", 23),
            l("RETURNS", 8)
        ),
        format!(
            "5220{}{}1234567890PPD{}{}2612083421091000010000001",
            l("ANTON", 16),
            l("", 20),
            l("PAYOUT", 10),
            l("", 6)
        ),
        format!(
            "621011000015{}0000002500{}{}  1{trace}",
            l("1234560003", 17),
            l("PO_0001", 15),
            l("ADA LOVELACE", 22)
        ),
        format!(
            "799R03091000010000001{}01100001{}{trace}",
            l("", 6),
            l("", 44)
        ),
        format!(
            "82200000020001100001{}0000000025001234567890{}091000010000001",
            "0".repeat(12),
            l("", 25)
        ),
        format!(
            "9000001000001000000020001100001{}000000002500{}",
            "0".repeat(12),
            l("", 39)
        ),
    ];
    let text = &answers.now[0].contents;
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 10, "one block");
    for (i, want) in expected.iter().enumerate() {
        assert_eq!(lines[i], want, "record {}", i + 1);
    }
    assert!(lines[6..].iter().all(|filler| *filler == "9".repeat(94)));
    assert!(text.ends_with('\n'));
    assert!(answers.after_settlement.is_empty());
}

#[test]
fn an_ach_file_whose_payments_are_all_paid_or_pending_gets_no_answer() {
    let entries = ["1234560001", "1234560006", "000123456789"]
        .iter()
        .zip(1..)
        .map(|(account, seq)| credit(seq, AccountKind::Checking, "011000015", account, 100))
        .collect();
    let outbound = write::render(&File {
        header: header(),
        batches: vec![batch(1, Sec::Ppd, entries)],
    })
    .expect("renders");
    let answers = answer("quiet.ach", &outbound, AT).expect("answered");
    assert!(
        answers.now.is_empty() && answers.after_settlement.is_empty(),
        "{answers:?}"
    );
}

#[test]
fn an_ach_file_of_returns_or_debits_is_refused() {
    let outbound = outbound();
    let answers = answer("a.ach", &outbound, AT).expect("answered");
    // The test bank's own return file put back in the outbox: entries 21 and 31.
    let returns = &answers.now[0].contents;
    assert_eq!(
        answer("a.ach.returns.ach", returns, AT),
        Err(TestBankError::NotACredit {
            batch: 1,
            entry: 1,
            code: 31
        })
    );
}
