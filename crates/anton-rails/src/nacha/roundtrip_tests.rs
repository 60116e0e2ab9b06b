//! The writer checked by the independent reader: any file Anton writes reads back to the same
//! entries, amounts and totals, with controls the reader verified itself.

use proptest::prelude::*;

use super::read::{parse, Addenda};
use super::write::tests::arb_file;
use super::write::{render, File};

/// The reader's view of `file` matches what was written, field by field.
fn reads_back(file: &File) -> Result<(), TestCaseError> {
    let text = render(file).map_err(|e| TestCaseError::fail(e.to_string()))?;
    let parsed = parse(&text).map_err(|e| TestCaseError::fail(e.to_string()))?;
    let h = &file.header;
    prop_assert_eq!(
        parsed.header.immediate_destination.trim(),
        h.immediate_destination.as_str()
    );
    prop_assert_eq!(parsed.header.file_id_modifier, h.file_id_modifier);
    prop_assert_eq!(parsed.batches.len(), file.batches.len());
    let mut credit = 0;
    for (b, pb) in file.batches.iter().zip(&parsed.batches) {
        prop_assert_eq!(pb.service_class, 220);
        prop_assert_eq!(pb.sec.as_str(), b.sec.code());
        prop_assert_eq!(&pb.odfi, &b.odfi);
        prop_assert_eq!(pb.batch_number, b.batch_number);
        prop_assert_eq!(pb.entries.len(), b.entries.len());
        for (e, pe) in b.entries.iter().zip(&pb.entries) {
            prop_assert_eq!(pe.transaction_code, e.account_kind.credit_code());
            prop_assert_eq!(&pe.rdfi_routing, &e.rdfi_routing);
            prop_assert_eq!(pe.account_number.as_str(), e.account_number.trim_end());
            prop_assert_eq!(pe.amount_cents, e.amount_cents);
            let name = e.name.to_ascii_uppercase();
            prop_assert_eq!(pe.name.as_str(), name.trim_end());
            prop_assert_eq!(
                pe.trace_number.clone(),
                format!("{}{:07}", b.odfi, e.trace_sequence)
            );
            prop_assert!(pe.addenda.is_empty());
            credit += e.amount_cents;
        }
        prop_assert_eq!(pb.control.total_debit_cents, 0);
    }
    prop_assert_eq!(parsed.control.total_credit_cents, credit);
    prop_assert_eq!(parsed.control.total_debit_cents, 0);
    Ok(())
}

proptest! {
    #[test]
    fn every_file_written_reads_back_the_same(file in arb_file()) {
        reads_back(&file)?;
    }
}

#[test]
fn a_return_is_read_with_its_reason() {
    // A bank's return of an entry Anton sent (written by hand from the layouts): transaction
    // code 21 (a returned checking credit), addenda 99 with R03.
    let l = |v: &str, w: usize| format!("{v:<w$}");
    let records = [
        format!(
            "101 09100001912345678902612101200A094101{}{}{}",
            l("WELLS FARGO", 23),
            l("ANTON PAYOUTS", 23),
            l("", 8)
        ),
        format!(
            "5220{}{}1234567890PPD{}{}2612103441091000010000001",
            l("ANTON", 16),
            l("", 20),
            l("PAYOUT", 10),
            l("", 6)
        ),
        format!(
            "621011000015{}0000002500{}{}  1091000010000009",
            l("000123456789", 17),
            l("PO_0VCQABC", 15),
            l("ADA LOVELACE", 22)
        ),
        format!(
            "799R03091000010000001{}01100001{}091000010000009",
            l("", 6),
            l("", 44)
        ),
        format!(
            "82200000020001100001{}{}1234567890{}091000010000001",
            "0".repeat(12),
            "000000002500",
            l("", 25)
        ),
        format!(
            "9000001000001000000020001100001{}000000002500{}",
            "0".repeat(12),
            l("", 39)
        ),
    ];
    for r in &records {
        assert_eq!(r.len(), 94, "{r}");
    }
    let mut text = records.join("\n");
    for _ in 0..4 {
        text.push('\n');
        text.push_str(&"9".repeat(94));
    }
    let parsed = parse(&text).unwrap();
    let e = &parsed.batches[0].entries[0];
    assert_eq!(e.transaction_code, 21);
    let Some(Addenda::Return(r)) = e.addenda.first() else {
        panic!("a return addenda: {:?}", e.addenda);
    };
    assert_eq!(r.reason_code, "R03");
    assert_eq!(r.original_trace, "091000010000001");
    assert_eq!(
        super::returns::failure_code(&r.reason_code),
        Some(anton_core::payout::FailureCode::NoAccount)
    );
}

proptest! {
    /// Inbound files are the bank's: whatever a file holds, reading it answers, never panics.
    #[test]
    fn a_damaged_file_is_refused_never_a_panic(
        file in arb_file(),
        at in any::<proptest::sample::Index>(),
        byte in any::<u8>(),
        cut in any::<proptest::sample::Index>(),
    ) {
        let text = render(&file).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let mut bytes = text.into_bytes();
        let i = at.index(bytes.len());
        bytes[i] = byte;
        let damaged = String::from_utf8_lossy(&bytes).into_owned();
        let _ = parse(&damaged);
        let end = cut.index(damaged.len());
        let end = (0..=end).rev().find(|&k| damaged.is_char_boundary(k)).unwrap_or(0);
        let _ = parse(&damaged[..end]);
    }
}
