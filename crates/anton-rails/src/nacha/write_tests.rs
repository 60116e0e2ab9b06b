//! The writer's own tests: a small file record by record against the layouts (the expected
//! lines are spelled out field by field, not produced by the writer), its refusals, and
//! properties of any file it writes. Files read back by the independent reader are in
//! `roundtrip_tests.rs`.

use proptest::prelude::*;
use time::macros::{date, datetime};

use super::*;

pub(crate) fn header() -> FileHeader {
    FileHeader {
        immediate_destination: "091000019".into(),
        immediate_origin: "1234567890".into(),
        destination_name: "WELLS FARGO".into(),
        origin_name: "ANTON PAYOUTS".into(),
        created: datetime!(2026-12-07 09:05),
        file_id_modifier: 'A',
        reference_code: "".into(),
    }
}

fn entry(seq: u32, routing: &str, cents: u64) -> Entry {
    Entry {
        account_kind: AccountKind::Checking,
        rdfi_routing: routing.into(),
        account_number: "000123456789".into(),
        amount_cents: cents,
        identification: "po_0VcqAbC".into(),
        name: "Ada Lovelace".into(),
        discretionary_data: "".into(),
        trace_sequence: seq,
    }
}

pub(crate) fn batch(number: u32, sec: Sec, entries: Vec<Entry>) -> Batch {
    Batch {
        company_name: "ANTON".into(),
        company_discretionary_data: "".into(),
        company_id: "1234567890".into(),
        sec,
        entry_description: "PAYOUT".into(),
        descriptive_date: "".into(),
        effective_date: date!(2026 - 12 - 08),
        odfi: "09100001".into(),
        batch_number: number,
        entries,
    }
}

/// `value` left-justified in `width` spaces.
fn l(value: &str, width: usize) -> String {
    format!("{value:<width$}")
}

#[test]
fn a_small_file_is_laid_out_field_by_field() {
    let file = File {
        header: header(),
        batches: vec![batch(
            1,
            Sec::Ppd,
            vec![entry(1, "011000015", 2_500), entry(2, "021000021", 100_000)],
        )],
    };
    let text = render(&file).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let expected = [
        format!(
            "101 09100001912345678902612070905A094101{}{}{}",
            l("WELLS FARGO", 23),
            l("ANTON PAYOUTS", 23),
            l("", 8)
        ),
        format!(
            "5220{}{}1234567890PPD{}{}261208   1091000010000001",
            l("ANTON", 16),
            l("", 20),
            l("PAYOUT", 10),
            l("", 6)
        ),
        format!(
            "622011000015{}0000002500{}{}  0091000010000001",
            l("000123456789", 17),
            l("PO_0VCQABC", 15),
            l("ADA LOVELACE", 22)
        ),
        format!(
            "622021000021{}0000100000{}{}  0091000010000002",
            l("000123456789", 17),
            l("PO_0VCQABC", 15),
            l("ADA LOVELACE", 22)
        ),
        // Two entries; hash 01100001 + 02100002; no debits; 1,025.00 of credits.
        format!(
            "82200000020003200003000000000000000000102500{}{}091000010000001",
            "1234567890",
            l("", 25)
        ),
        format!(
            "9000001000001000000020003200003000000000000000000102500{}",
            l("", 39)
        ),
    ];
    assert_eq!(lines.len(), 10, "one block");
    for (i, want) in expected.iter().enumerate() {
        assert_eq!(lines[i], want, "record {}", i + 1);
    }
    for filler in &lines[6..] {
        assert_eq!(*filler, "9".repeat(94));
    }
    assert!(lines.iter().all(|l| l.len() == 94));
}

#[test]
fn the_entry_hash_keeps_its_rightmost_ten_digits() {
    // 121000358's RDFI identification is 12100035: 1,000 entries sum to 12,100,035,000, 11
    // digits.
    let entries = (1..=1_000).map(|i| entry(i, "121000358", 1)).collect();
    let text = render(&File {
        header: header(),
        batches: vec![batch(1, Sec::Ccd, entries)],
    })
    .unwrap();
    let control = text.lines().find(|l| l.starts_with('8')).unwrap();
    assert_eq!(&control[4..10], "001000", "entry count");
    assert_eq!(&control[10..20], "2100035000", "hash mod 10^10");
    let file_control = text
        .lines()
        .find(|l| l.starts_with('9') && l != &"9".repeat(94));
    assert_eq!(
        &file_control.unwrap()[7..13],
        "000101",
        "1,004 records: 101 blocks"
    );
    assert_eq!(text.lines().count(), 1_010);
}

#[test]
fn values_that_do_not_fit_are_refused_never_cut() {
    let ok = || File {
        header: header(),
        batches: vec![batch(1, Sec::Ppd, vec![entry(1, "011000015", 100)])],
    };
    let refused = |f: &mut dyn FnMut(&mut File)| {
        let mut file = ok();
        f(&mut file);
        render(&file).unwrap_err()
    };
    assert_eq!(
        refused(&mut |f| f.batches[0].entries[0].account_number = "1".repeat(18)),
        WriteError::TooLong {
            field: "account_number",
            width: 17
        }
    );
    assert_eq!(
        refused(&mut |f| f.batches[0].entries[0].rdfi_routing = "011000016".into()),
        WriteError::Routing {
            field: "rdfi_routing"
        }
    );
    assert_eq!(
        refused(&mut |f| f.batches[0].entries[0].name = "Zoë".into()),
        WriteError::Character { field: "name" }
    );
    assert_eq!(
        refused(&mut |f| f.batches[0].entries[0].amount_cents = 10_000_000_000),
        WriteError::Range {
            field: "amount_cents"
        }
    );
    assert_eq!(
        refused(&mut |f| f.batches[0].entries[0].amount_cents = 0),
        WriteError::Range {
            field: "amount_cents"
        }
    );
    assert_eq!(
        refused(&mut |f| f.batches[0].odfi = "0910000".into()),
        WriteError::NotDigits { field: "odfi" }
    );
    assert_eq!(
        refused(&mut |f| f.header.file_id_modifier = 'a'),
        WriteError::Character {
            field: "file_id_modifier"
        }
    );
    assert_eq!(
        refused(&mut |f| f.batches[0].entries.clear()),
        WriteError::EmptyBatch
    );
    assert_eq!(
        refused(&mut |f| {
            let twin = f.batches[0].entries[0].clone();
            f.batches.push(batch(2, Sec::Ccd, vec![twin]));
        }),
        WriteError::DuplicateTrace(1)
    );
    let e = refused(&mut |f| f.batches[0].entries[0].account_number = "9".repeat(18));
    assert!(!e.to_string().contains("999999"), "no value in the message");
}

#[test]
fn free_text_is_prepared_and_says_when_it_changed() {
    assert_eq!(text("Ada Lovelace", 22), ("ADA LOVELACE".into(), false));
    assert_eq!(text("Zoë Šťastná", 22), ("ZOE S ASTNA".into(), true));
    assert_eq!(
        text("Bartholomew Fitzgerald-Smythe", 22),
        ("BARTHOLOMEW FITZGERALD".into(), true)
    );
    assert_eq!(text("  东京  ", 22), ("".into(), true));
}

#[test]
fn an_entry_debug_shows_four_digits_of_the_account() {
    let e = format!("{:?}", entry(1, "011000015", 1));
    assert!(e.contains("…6789") && !e.contains("000123456789"), "{e}");
}

fn arb_routing() -> impl Strategy<Value = String> {
    proptest::sample::select(vec![
        "011000015",
        "021000021",
        "091000019",
        "121000358",
        "026009593",
        "111000025",
    ])
    .prop_map(str::to_owned)
}

fn arb_entry() -> impl Strategy<Value = Entry> {
    (
        any::<bool>(),
        arb_routing(),
        "[0-9A-Z]{4,17}",
        1u64..=AMOUNT_MAX,
        "[ -~]{0,15}",
        "[ -~]{0,22}",
    )
        .prop_map(|(savings, routing, account, cents, id, name)| Entry {
            account_kind: if savings {
                AccountKind::Savings
            } else {
                AccountKind::Checking
            },
            rdfi_routing: routing,
            account_number: account,
            amount_cents: cents,
            identification: id,
            name,
            discretionary_data: String::new(),
            trace_sequence: 0,
        })
}

pub(crate) fn arb_file() -> impl Strategy<Value = File> {
    proptest::collection::vec(proptest::collection::vec(arb_entry(), 1..12), 1..4).prop_map(
        |batches| {
            let mut seq = 0;
            let batches = batches
                .into_iter()
                .enumerate()
                .map(|(i, mut entries)| {
                    for e in &mut entries {
                        seq += 1;
                        e.trace_sequence = seq;
                    }
                    let sec = if i % 2 == 0 { Sec::Ppd } else { Sec::Ccd };
                    batch(u32::try_from(i).unwrap_or(0) + 1, sec, entries)
                })
                .collect();
            File {
                header: header(),
                batches,
            }
        },
    )
}

proptest! {
    #[test]
    fn any_file_is_whole_blocks_of_94_character_records(file in arb_file()) {
        let text = render(&file).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        prop_assert_eq!(lines.len() % 10, 0);
        prop_assert!(lines.iter().all(|l| l.len() == 94 && l.bytes().all(|b| (0x20..=0x7e).contains(&b))));
        let entries: usize = file.batches.iter().map(|b| b.entries.len()).sum();
        prop_assert_eq!(lines.iter().filter(|l| l.starts_with('6')).count(), entries);
    }
}
