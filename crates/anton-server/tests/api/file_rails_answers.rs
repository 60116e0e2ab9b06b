//! The whole file loop in live mode, through the HTTPS API: 51 payouts to accounts ending in
//! 0001–0006 on the USD (NACHA), EUR (SEPA) and GBP (UK) rails; the cut-off's files answered by
//! the test bank (`anton_rails::test_bank`, the simulator's last-four table); the answers read
//! from the inboxes; the ACH settlement window ending; the late returns. Every payout ends as
//! the table says, with its events and balanced ledgers; the same answer file read again (under
//! another name) changes nothing; a file that is not the bank's, or names a payment Anton never
//! sent, is quarantined whole.

use std::path::Path;

use anton_core::keys::Environment;
use anton_engine::rail::files::inbound::Ingested;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::file_rails::{
    bank_answer, configure_rails, files_in, get_json, live, outbox, payout, recipient, status,
};
use crate::helpers::{spawn_app_with, Backend, TestApp};

/// A German IBAN (bank 37040044) for a 10-digit account number, with its check digits.
pub(crate) fn iban_de(account: &str) -> String {
    let bban = format!("37040044{account}");
    // Check digits: 98 minus the BBAN, then "DE00", as digits (D=13, E=14), modulo 97.
    let digits = format!("{bban}131400");
    let rem = digits
        .bytes()
        .fold(0u32, |r, d| (r * 10 + u32::from(d - b'0')) % 97);
    format!("DE{:02}{bban}", 98 - rem)
}

fn inbox(app: &TestApp, currency: &str) -> std::path::PathBuf {
    app.data_dir.path().join(format!("inbox-{currency}"))
}

/// The test bank answers every file in `currency`'s outbox: `now` answers, or the late ones.
fn bank_answers(app: &TestApp, currency: &str, late: bool) -> usize {
    let (out, inb) = (outbox(app, currency), inbox(app, currency));
    let mut written = 0;
    for name in files_in(&out) {
        let contents = std::fs::read_to_string(out.join(&name)).expect("read");
        let answers = anton_rails::test_bank::answer(
            &name,
            &contents,
            time::OffsetDateTime::from_unix_timestamp(1_800_000_000).expect("time"),
        )
        .expect("the test bank reads Anton's file");
        let files = if late {
            answers.after_settlement
        } else {
            answers.now
        };
        for file in files {
            std::fs::write(inb.join(&file.name), file.contents).expect("write");
            written += 1;
        }
    }
    written
}

pub(crate) async fn events_of(app: &TestApp, key: &str, id: &str) -> Vec<String> {
    let body = get_json(app, key, &format!("/v1/events?object={id}")).await;
    let mut types: Vec<String> = body["data"]
        .as_array()
        .expect("data")
        .iter()
        .map(|e| e["type"].as_str().expect("type").to_owned())
        .collect();
    types.sort();
    types
}

pub(crate) async fn failure(app: &TestApp, key: &str, id: &str) -> Value {
    get_json(app, key, &format!("/v1/payouts/{id}")).await["failure_code"].clone()
}

/// 51 live payouts to accounts ending in 0001–0006 in USD, EUR and GBP: seven to each 0001
/// account (paid), two to each of the others. (currency, last four, payout id).
pub(crate) async fn fifty_one_payouts(
    app: &TestApp,
    key: &str,
) -> Vec<(String, &'static str, String)> {
    let mut payouts: Vec<(String, &str, String)> = Vec::new();
    for last4 in ["0001", "0002", "0003", "0004", "0005", "0006"] {
        let us = app.create_recipient(key, last4).await["id"]
            .as_str()
            .expect("id")
            .to_owned();
        let eu = recipient(
            app,
            key,
            "Jan de Vries",
            json!({"type": "iban", "iban": iban_de(&format!("053201{last4}"))}),
        )
        .await;
        let uk = recipient(
            app,
            key,
            "Ada Lovelace",
            json!({"type": "gb_fps", "sort_code": "200000", "account_number": format!("5577{last4}")}),
        )
        .await;
        let times = if last4 == "0001" { 7 } else { 2 };
        for i in 0..times {
            let amount = 1_000 + i;
            payouts.push((
                "usd".into(),
                last4,
                payout(app, key, &us, amount, "USD").await,
            ));
            payouts.push((
                "eur".into(),
                last4,
                payout(app, key, &eu, amount, "EUR").await,
            ));
            payouts.push((
                "gbp".into(),
                last4,
                payout(app, key, &uk, amount, "GBP").await,
            ));
        }
    }
    payouts
}

/// Where a payout of [`fifty_one_payouts`] ends once the bank's answers, the settlement
/// window and the late returns are all in: its status, failure code and events (sorted).
pub(crate) fn final_state(
    currency: &str,
    last4: &str,
) -> (&'static str, Value, &'static [&'static str]) {
    let status = match (currency, last4) {
        (_, "0002" | "0003" | "0004") => "failed",
        (_, "0005") => "returned",
        ("usd", _) => "paid",
        (_, "0006") => "processing",
        _ => "paid",
    };
    let code = match last4 {
        "0002" => json!("account_closed"),
        "0003" => json!("no_account"),
        "0004" => json!("invalid_account_number"),
        "0005" => json!("account_frozen"),
        _ => Value::Null,
    };
    let events: &[&str] = match status {
        "failed" => &["payout.created", "payout.failed", "payout.processing"],
        "returned" => &[
            "payout.created",
            "payout.paid",
            "payout.processing",
            "payout.returned",
        ],
        "paid" => &["payout.created", "payout.paid", "payout.processing"],
        _ => &["payout.created", "payout.processing"],
    };
    (status, code, events)
}

async fn the_bank_answers_and_every_payout_ends_as_the_table_says(backend: Backend) {
    let app = spawn_app_with(backend, configure_rails, None).await;
    let key = live(&app).await;
    let payouts = fifty_one_payouts(&app, &key).await;
    assert_eq!(payouts.len(), 51);
    let t1 = jiff::Timestamp::now() + jiff::SignedDuration::from_hours(72);
    assert_eq!(app.run_file_rails(t1).await.len(), 3);

    // The bank's first answers: ACH returns, ISO status reports and debit notifications.
    for currency in ["usd", "eur", "gbp"] {
        assert!(bank_answers(&app, currency, false) > 0, "{currency}");
    }
    let passes = app.file_rail_passes(t1).await;
    let read: Vec<&(String, Ingested)> = passes.iter().flat_map(|p| &p.read).collect();
    assert_eq!(
        read.len(),
        5,
        "1 ACH return file, 2 pain.002, 2 camt.054: {read:?}"
    );
    assert!(
        read.iter()
            .all(|(_, r)| matches!(r, Ingested::Applied { .. })),
        "{read:?}"
    );
    for (currency, last4, id) in &payouts {
        let expected = match (currency.as_str(), *last4) {
            (_, "0002" | "0003" | "0004") => "failed",
            ("usd", _) | (_, "0006") => "processing",
            _ => "paid",
        };
        assert_eq!(status(&app, &key, id).await, expected, "{currency} {last4}");
    }

    // The same return file again, under another name: nothing moves.
    let ach_returns = files_in(&inbox(&app, "usd"));
    let copy = inbox(&app, "usd").join("copy-of-returns.ach");
    std::fs::copy(inbox(&app, "usd").join(&ach_returns[0]), &copy).expect("copy");
    let passes = app.file_rail_passes(t1).await;
    assert!(
        passes.iter().all(|p| p.read.is_empty()),
        "a file read twice is seen once"
    );

    // The ACH settlement window ends with no return: the rest of the USD file is paid.
    let t2 = t1 + jiff::SignedDuration::from_hours(24 * 10);
    let passes = app.file_rail_passes(t2).await;
    assert_eq!(
        passes.iter().map(|p| p.settled).sum::<usize>(),
        11,
        "seven 0001, two 0005, two 0006"
    );

    // Late returns (0005): the ACH return and the ISO camt.054 credits.
    for currency in ["usd", "eur", "gbp"] {
        assert_eq!(bank_answers(&app, currency, true), 1, "{currency}");
    }
    app.file_rail_passes(t2).await;
    for (currency, last4, id) in &payouts {
        let (expected, expected_code, expected_events) = final_state(currency, last4);
        assert_eq!(status(&app, &key, id).await, expected, "{currency} {last4}");
        assert_eq!(
            failure(&app, &key, id).await,
            expected_code,
            "{currency} {last4}"
        );
        assert_eq!(
            events_of(&app, &key, id).await,
            expected_events,
            "{currency} {last4}"
        );
    }
    app.assert_ledger_balanced(&anton_store::Tenant::new(
        app.merchant.clone(),
        Environment::Live,
    ))
    .await;
}

#[tokio::test]
async fn the_bank_answers_and_every_payout_ends_as_the_table_says_sqlite() {
    the_bank_answers_and_every_payout_ends_as_the_table_says(Backend::Sqlite).await;
}

#[tokio::test]
async fn the_bank_answers_and_every_payout_ends_as_the_table_says_postgres() {
    the_bank_answers_and_every_payout_ends_as_the_table_says(Backend::Postgres).await;
}

fn write(dir: &Path, name: &str, contents: &str) {
    std::fs::write(dir.join(name), contents).expect("write");
}

#[tokio::test]
async fn a_file_that_is_not_the_banks_or_names_an_unknown_payment_is_quarantined_whole() {
    let app = spawn_app_with(Backend::Sqlite, configure_rails, None).await;
    let key = live(&app).await;
    let us = app.create_recipient(&key, "0002").await["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let id = payout(&app, &key, &us, 1_000, "USD").await;
    let t1 = jiff::Timestamp::now() + jiff::SignedDuration::from_hours(72);
    app.run_file_rails(t1).await;
    let returns = bank_answer(&app, "usd").now[0].contents.clone();
    // The same return, with the original trace number changed to one Anton never sent.
    let trace = &returns
        .lines()
        .find(|l| l.starts_with('7'))
        .expect("addenda")[6..21];
    let unknown = returns.replace(trace, "091000019999999");
    let inb = inbox(&app, "usd");
    write(&inb, "a-junk.txt", "hello");
    write(&inb, "b-unknown.ach", &unknown);
    let passes = app.file_rail_passes(t1).await;
    let read: Vec<_> = passes.iter().flat_map(|p| p.read.clone()).collect();
    assert_eq!(read.len(), 2, "{read:?}");
    for (file, result) in &read {
        assert!(
            matches!(result, Ingested::Quarantined { .. }),
            "{file}: {result:?}"
        );
    }
    assert_eq!(
        status(&app, &key, &id).await,
        "processing",
        "nothing applied"
    );
    let rows = anton_store::payout_files::inbound(app.store.read(), 10)
        .await
        .expect("inbound");
    assert!(rows
        .iter()
        .all(|r| r.status == "quarantined" && r.moved == 0));
    // The real return still applies.
    write(&inb, "c-returns.ach", &returns);
    app.file_rail_passes(t1).await;
    assert_eq!(status(&app, &key, &id).await, "failed");
    let r = app
        .get(&format!("/v1/payouts/{id}"), &key)
        .send()
        .await
        .expect("get");
    assert_eq!(r.status(), StatusCode::OK);
}

/// `anton rails test-bank --once` (the real binary) answers the files; the node applies the
/// answers; a second run writes nothing; `anton rails files --json` lists what was sent and read.
#[tokio::test]
async fn the_test_bank_command_answers_and_the_files_command_lists() {
    let app = spawn_app_with(Backend::Sqlite, configure_rails, None).await;
    let key = live(&app).await;
    let paid = app.create_recipient(&key, "0001").await["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let missing = app.create_recipient(&key, "0003").await["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let closed = recipient(
        &app,
        &key,
        "Jan de Vries",
        json!({"type": "iban", "iban": iban_de("0532010002")}),
    )
    .await;
    let ok = payout(&app, &key, &paid, 1_000, "USD").await;
    let no_account = payout(&app, &key, &missing, 2_000, "USD").await;
    let account_closed = payout(&app, &key, &closed, 3_000, "EUR").await;
    let t1 = jiff::Timestamp::now() + jiff::SignedDuration::from_hours(72);
    assert_eq!(app.run_file_rails(t1).await.len(), 2);

    let test_bank = |currency: &str| {
        let (out, inb) = (outbox(&app, currency), inbox(&app, currency));
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_anton"))
            .args(["rails", "test-bank", "--once", "--json", "--outbox"])
            .arg(out)
            .arg("--inbox")
            .arg(inb)
            .output()
            .expect("run anton");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let line: Value = serde_json::from_slice(&out.stdout).expect("json");
        line["written"].as_array().expect("written").len()
    };
    assert_eq!(test_bank("usd"), 1, "a return file for 0003");
    assert_eq!(
        test_bank("eur"),
        1,
        "a pain.002 (nothing paid, so no camt.054)"
    );
    assert_eq!(test_bank("usd"), 0, "answers are written once");
    app.file_rail_passes(t1).await;
    assert_eq!(status(&app, &key, &ok).await, "processing");
    assert_eq!(status(&app, &key, &no_account).await, "failed");
    assert_eq!(failure(&app, &key, &no_account).await, "no_account");
    assert_eq!(status(&app, &key, &account_closed).await, "failed");
    assert_eq!(failure(&app, &key, &account_closed).await, "account_closed");

    let out = app.operator_cli("ops", &["rails", "files", "--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("json line"))
        .collect();
    let sent: Vec<&Value> = lines.iter().filter(|l| l["direction"] == "sent").collect();
    let read: Vec<&Value> = lines.iter().filter(|l| l["direction"] == "read").collect();
    assert_eq!(sent.len(), 2);
    assert!(sent.iter().all(|f| f["status"] == "transmitted"));
    assert_eq!(read.len(), 2);
    assert!(read.iter().all(|f| f["status"] == "applied"));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        !text.contains("0532010002"),
        "no account number in the listing"
    );
}

/// A notification holding a payout's debit and then its return (a same-day return): the payout
/// is paid, then returned — one posting each, the ledger balanced — never moved twice at once.
#[tokio::test]
async fn a_debit_and_its_return_in_one_notification_pay_then_return_once() {
    let app = spawn_app_with(Backend::Sqlite, configure_rails, None).await;
    let key = live(&app).await;
    let eu = recipient(
        &app,
        &key,
        "Jan de Vries",
        json!({"type": "iban", "iban": iban_de("0532010005")}),
    )
    .await;
    let id = payout(&app, &key, &eu, 4_200, "EUR").await;
    let t1 = jiff::Timestamp::now() + jiff::SignedDuration::from_hours(72);
    app.run_file_rails(t1).await;
    let answers = bank_answer(&app, "eur");
    let debit = answers
        .now
        .iter()
        .find(|f| f.name.ends_with(".camt054.xml"))
        .expect("a debit notification")
        .contents
        .clone();
    let returns = &answers.after_settlement[0].contents;
    let entry_start = returns.find("<Ntry>").expect("an entry");
    let entry_end = returns.rfind("</Ntry>").expect("an entry") + "</Ntry>".len();
    let at = debit.rfind("</Ntfctn>").expect("a notification");
    let mut both = debit.clone();
    both.insert_str(at, &returns[entry_start..entry_end]);
    std::fs::write(inbox(&app, "eur").join("both.camt054.xml"), both).expect("write");
    let passes = app.file_rail_passes(t1).await;
    let read: Vec<_> = passes.iter().flat_map(|p| p.read.clone()).collect();
    assert!(
        matches!(&read[..], [(_, Ingested::Applied { moved })] if moved.len() == 2),
        "{read:?}"
    );
    assert_eq!(status(&app, &key, &id).await, "returned");
    assert_eq!(failure(&app, &key, &id).await, "account_frozen");
    assert_eq!(
        events_of(&app, &key, &id).await,
        [
            "payout.created",
            "payout.paid",
            "payout.processing",
            "payout.returned"
        ]
    );
    app.assert_ledger_balanced(&anton_store::Tenant::new(
        app.merchant.clone(),
        Environment::Live,
    ))
    .await;
}

/// A file too large to be a bank's answer is quarantined unread, once, with the reason.
#[tokio::test]
async fn a_file_too_large_to_be_an_answer_is_quarantined_unread() {
    let app = spawn_app_with(Backend::Sqlite, configure_rails, None).await;
    let huge = std::fs::File::create(inbox(&app, "usd").join("huge.ach")).expect("create");
    huge.set_len(64 * 1024 * 1024 + 1).expect("sparse");
    let t1 = jiff::Timestamp::now();
    let passes = app.file_rail_passes(t1).await;
    let read: Vec<_> = passes.iter().flat_map(|p| p.read.clone()).collect();
    match &read[..] {
        [(name, Ingested::Quarantined { reason })] => {
            assert_eq!(name, "huge.ach");
            assert!(reason.contains("larger than"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
    let again = app.file_rail_passes(t1).await;
    assert!(again.iter().all(|p| p.read.is_empty()), "quarantined once");
}

/// Reconciliation: an answer that states another amount (an ACH return, a camt.054 debit) or
/// another currency than Anton sent for the payment, or a status report counting another sum
/// for the file, is quarantined whole as a mismatch, with the figures in the reason; the true
/// answers still apply.
#[tokio::test]
async fn answers_stating_another_amount_or_currency_are_quarantined_as_mismatches() {
    let app = spawn_app_with(Backend::Sqlite, configure_rails, None).await;
    let key = live(&app).await;
    let us = app.create_recipient(&key, "0002").await["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let eu = recipient(
        &app,
        &key,
        "Jan de Vries",
        json!({"type": "iban", "iban": iban_de("0532010001")}),
    )
    .await;
    let ach = payout(&app, &key, &us, 1_234, "USD").await;
    let sepa = payout(&app, &key, &eu, 4_321, "EUR").await;
    let t1 = jiff::Timestamp::now() + jiff::SignedDuration::from_hours(72);
    app.run_file_rails(t1).await;
    let answer = |currency: &str| bank_answer(&app, currency);
    // The ACH return for 12.34, restated as 12.35 (entry, batch and file totals alike, so the
    // file itself is consistent).
    let returns = answer("usd").now[0].contents.clone();
    let restated: String = returns
        .lines()
        .map(|l| match l.as_bytes().first() {
            Some(b'6') => l.replace("0000001234", "0000001235"),
            Some(b'8' | b'9') => l.replace("000000001234", "000000001235"),
            _ => l.to_owned(),
        })
        .map(|l| l + "\n")
        .collect();
    assert_ne!(restated, returns);
    write(&inbox(&app, "usd"), "a-restated.ach", &restated);
    // The SEPA debit for 43.21, restated as 43.20; and as the same amount in GBP.
    let debit = answer("eur")
        .now
        .into_iter()
        .find(|f| f.name.ends_with(".camt054.xml"))
        .expect("a debit notification")
        .contents;
    assert!(debit.contains("43.21"));
    write(
        &inbox(&app, "eur"),
        "a-restated.camt054.xml",
        &debit.replace("43.21", "43.20"),
    );
    write(
        &inbox(&app, "eur"),
        "b-other-currency.camt054.xml",
        &debit.replace("Ccy=\"EUR\"", "Ccy=\"GBP\""),
    );
    // The SEPA file's status report, counting another sum for the file.
    let report = answer("eur")
        .now
        .into_iter()
        .find(|f| f.name.ends_with(".pain002.xml"))
        .expect("a status report")
        .contents;
    let group_sum = "<OrgnlCtrlSum>43.21</OrgnlCtrlSum>";
    assert!(report.contains(group_sum));
    write(
        &inbox(&app, "eur"),
        "c-restated.pain002.xml",
        &report.replacen(group_sum, "<OrgnlCtrlSum>43.22</OrgnlCtrlSum>", 1),
    );
    let passes = app.file_rail_passes(t1).await;
    let mut read: Vec<_> = passes.iter().flat_map(|p| p.read.clone()).collect();
    read.sort_by(|a, b| a.0.cmp(&b.0));
    let reasons: Vec<String> = read
        .iter()
        .map(|(name, result)| match result {
            Ingested::Quarantined { reason } => reason.clone(),
            other => panic!("{name}: {other:?}"),
        })
        .collect();
    assert_eq!(reasons.len(), 4, "{reasons:?}");
    assert!(
        reasons.iter().any(
            |r| r.contains("counts 1 payments for 4322 minor units in ANTON-EUR-")
                && r.contains("which carried 1 for 4321")
        ),
        "{reasons:?}"
    );
    assert!(
        reasons
            .iter()
            .any(|r| r.contains("states 1235 minor units") && r.contains("sent for 1234")),
        "{reasons:?}"
    );
    assert!(
        reasons
            .iter()
            .any(|r| r.contains("states 4320 minor units") && r.contains("sent for 4321")),
        "{reasons:?}"
    );
    assert!(
        reasons
            .iter()
            .any(|r| r.contains("in GBP, which Anton sent in EUR")),
        "{reasons:?}"
    );
    assert_eq!(status(&app, &key, &ach).await, "processing");
    assert_eq!(status(&app, &key, &sepa).await, "processing");
    // The true answers apply.
    write(&inbox(&app, "usd"), "c-returns.ach", &returns);
    write(&inbox(&app, "eur"), "c-debit.camt054.xml", &debit);
    app.file_rail_passes(t1).await;
    assert_eq!(status(&app, &key, &ach).await, "failed");
    assert_eq!(status(&app, &key, &sepa).await, "paid");
}

/// With `inbox_stable_looks`, an answer the bank writes in place is read only once two looks in
/// a row list it the same: half a file is never read, the whole one is applied.
#[tokio::test]
async fn an_answer_written_in_place_is_read_once_it_stops_changing() {
    let app = spawn_app_with(
        Backend::Sqlite,
        |c| {
            configure_rails(c);
            c.rails.retain(|k, _| k == "usd");
            c.rails.get_mut("usd").expect("usd").inbox_stable_looks = true;
        },
        None,
    )
    .await;
    let key = live(&app).await;
    let us = app.create_recipient(&key, "0003").await["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let id = payout(&app, &key, &us, 1_000, "USD").await;
    let t1 = jiff::Timestamp::now() + jiff::SignedDuration::from_hours(72);
    let rail = &app.rails[0];
    let mut state = anton_engine::rail::files::worker::RailState::new(rail);
    macro_rules! look {
        () => {
            anton_engine::rail::files::worker::run_once(
                &app.store,
                &app.secrets,
                rail,
                t1,
                &mut state,
            )
            .await
        };
    }
    assert_eq!(look!().sent.len(), 1);
    let returns = bank_answer(&app, "usd").now.remove(0).contents;
    // The bank has written half the file: listed once, then changed: never read.
    let path = inbox(&app, "usd").join("returns.ach");
    std::fs::write(&path, &returns[..returns.len() / 2]).expect("write");
    let pass = look!();
    assert!(
        pass.read.is_empty() && pass.errors.is_empty(),
        "{:?}",
        pass.errors
    );
    std::fs::write(&path, &returns).expect("write");
    assert!(look!().read.is_empty(), "changed since the last look");
    assert_eq!(status(&app, &key, &id).await, "processing");
    // The same two looks in a row: read, whole, and applied.
    let pass = look!();
    assert!(
        matches!(&pass.read[..], [(_, Ingested::Applied { .. })]),
        "{:?}",
        pass.read
    );
    assert_eq!(status(&app, &key, &id).await, "failed");
    let rows = anton_store::payout_files::inbound(app.store.read(), 10)
        .await
        .expect("inbound");
    assert!(
        rows.iter().all(|r| r.status == "applied"),
        "nothing quarantined"
    );
}
