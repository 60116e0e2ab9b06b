//! Live payouts over bank files (docs/live-payouts.md), through the HTTPS API: with rails for
//! USD (NACHA), EUR (SEPA pain.001) and GBP (UK pain.001) configured, live payouts are accepted;
//! at a cut-off each rail's pending payouts go into one file in its outbox and move to
//! `processing`; the files read back, with the rails crate's independent readers, to exactly
//! those payouts; running the worker again changes nothing; and a file whose transmission was
//! interrupted is put again as the same bytes, never as a second file.

use std::path::{Path, PathBuf};

use anton_core::keys::Environment;
use anton_core::money::{Amount, Currency};
use anton_engine::rail::files::config::{
    FileRailConfig, LineEnding, NachaIdentity, Pain001Identity,
};
use anton_server::config::Config;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{spawn_app_with, Backend, TestApp};

fn rail(dir: &Path, currency: &str, zone: &str) -> FileRailConfig {
    let outbox = dir.join(format!("outbox-{currency}"));
    let inbox = dir.join(format!("inbox-{currency}"));
    std::fs::create_dir_all(&outbox).expect("outbox");
    std::fs::create_dir_all(&inbox).expect("inbox");
    FileRailConfig {
        time_zone: zone.into(),
        cutoffs: vec!["10:00".into(), "15:30".into()],
        holidays: vec![],
        business_days: ["mon", "tue", "wed", "thu", "fri"]
            .map(String::from)
            .to_vec(),
        effective_days: 1,
        settlement_days: 2,
        outbox,
        inbox,
        sftp: None,
        file_name: None,
        inbox_stable_looks: false,
        nacha: None,
        pain001: None,
        poll_interval_ms: 5_000,
        // Small, so a cut-off of a few payouts takes several jobs (and a building file).
        payouts_per_job: 4,
    }
}

/// Rails for USD, EUR and GBP with directory outboxes under the node's data dir.
pub fn configure_rails(config: &mut Config) {
    let dir = config.data_dir.clone();
    let mut usd = rail(&dir, "usd", "America/New_York");
    usd.nacha = Some(NachaIdentity {
        immediate_destination: "091000019".into(),
        immediate_origin: " 123456789".into(),
        destination_name: "TEST BANK".into(),
        origin_name: "ANTON PAYOUTS".into(),
        company_name: "ANTON PAYOUTS".into(),
        company_id: "1234567890".into(),
        odfi: "09100001".into(),
        entry_description: "PAYOUT".into(),
        sec: "ppd".into(),
        line_ending: LineEnding::Lf,
    });
    let identity = |iban: &str, bic: Option<&str>, sort_code: Option<&str>| Pain001Identity {
        initiating_party_name: "Anton Payouts".into(),
        initiating_party_id: Some("CUST42".into()),
        debtor_name: "Anton Payouts".into(),
        debtor_iban: iban.into(),
        debtor_bic: bic.map(Into::into),
        debtor_sort_code: sort_code.map(Into::into),
        batch_booking: true,
        service_level: None,
        local_instrument: None,
    };
    let mut eur = rail(&dir, "eur", "Europe/Berlin");
    eur.pain001 = Some(identity(
        "DE89370400440532013000",
        Some("COBADEFFXXX"),
        None,
    ));
    let mut gbp = rail(&dir, "gbp", "Europe/London");
    let mut uk = identity("GB29NWBK60161331926819", None, Some("601613"));
    uk.local_instrument = Some("FPS".into());
    gbp.pain001 = Some(uk);
    config.rails.insert("usd".into(), usd);
    config.rails.insert("eur".into(), eur);
    config.rails.insert("gbp".into(), gbp);
}

pub fn outbox(app: &TestApp, currency: &str) -> PathBuf {
    app.data_dir.path().join(format!("outbox-{currency}"))
}

/// The test bank's answers to the (first) file in `currency`'s outbox, as at a fixed time.
pub fn bank_answer(app: &TestApp, currency: &str) -> anton_rails::test_bank::Answers {
    let name = files_in(&outbox(app, currency))[0].clone();
    let contents = std::fs::read_to_string(outbox(app, currency).join(&name)).expect("read");
    anton_rails::test_bank::answer(
        &name,
        &contents,
        time::OffsetDateTime::from_unix_timestamp(1_800_000_000).expect("time"),
    )
    .expect("the test bank reads Anton's file")
}

pub fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("list")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

pub async fn recipient(app: &TestApp, key: &str, name: &str, bank: Value) -> String {
    let r = app
        .post("/v1/recipients", key)
        .json(&json!({"name": name, "bank_account": bank}))
        .send()
        .await
        .expect("recipient");
    assert_eq!(r.status(), StatusCode::OK);
    let body: Value = r.json().await.expect("json");
    body["id"].as_str().expect("id").to_owned()
}

pub async fn payout(
    app: &TestApp,
    key: &str,
    recipient: &str,
    amount: i64,
    currency: &str,
) -> String {
    let r = app
        .post("/v1/payouts", key)
        .json(
            &json!({"amount": amount, "currency": currency, "recipient": recipient,
                      "description": "Royalties, Nov."}),
        )
        .send()
        .await
        .expect("payout");
    let status = r.status();
    let body: Value = r.json().await.expect("json");
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["status"], "pending");
    body["id"].as_str().expect("id").to_owned()
}

/// GET `path` with `key`, as JSON.
pub async fn get_json(app: &TestApp, key: &str, path: &str) -> Value {
    app.get(path, key)
        .send()
        .await
        .expect("get")
        .json()
        .await
        .expect("json")
}

pub async fn status(app: &TestApp, key: &str, id: &str) -> String {
    let body = get_json(app, key, &format!("/v1/payouts/{id}")).await;
    body["status"].as_str().expect("status").to_owned()
}

/// A live key for the app's merchant, with USD, EUR and GBP funded.
pub async fn live(app: &TestApp) -> String {
    let key = app.create_key(&app.merchant, Environment::Live, None).await;
    let tenant = anton_store::Tenant::new(app.merchant.clone(), Environment::Live);
    for currency in Currency::ALL {
        anton_engine::operator::fund(
            &app.store,
            &tenant,
            currency,
            Amount::new(10_000_000).expect("amount"),
            &anton_engine::audit::Actor::operator(),
        )
        .await
        .expect("fund");
    }
    key
}

fn after_the_next_cutoffs() -> jiff::Timestamp {
    jiff::Timestamp::now() + jiff::SignedDuration::from_hours(72)
}

async fn cutoff_puts_each_rails_payouts_in_one_file(backend: Backend) {
    let app = spawn_app_with(backend, configure_rails, None).await;
    let key = live(&app).await;
    let us = [
        app.create_recipient(&key, "0001").await["id"]
            .as_str()
            .expect("id")
            .to_owned(),
        app.create_recipient(&key, "0002").await["id"]
            .as_str()
            .expect("id")
            .to_owned(),
    ];
    let eu = recipient(
        &app,
        &key,
        "Françoise Lefèvre",
        json!({"type": "iban", "iban": "FR1420041010050500013M02606", "bic": "BNPAFRPP"}),
    )
    .await;
    let uk = recipient(
        &app,
        &key,
        "Ada Lovelace",
        json!({"type": "gb_fps", "sort_code": "20-00-00", "account_number": "55779911"}),
    )
    .await;
    let usd = [
        payout(&app, &key, &us[0], 1_000, "USD").await,
        payout(&app, &key, &us[1], 2_500, "USD").await,
        payout(&app, &key, &us[0], 7, "USD").await,
    ];
    let eur = [
        payout(&app, &key, &eu, 12_345, "EUR").await,
        payout(&app, &key, &eu, 1, "EUR").await,
    ];
    let gbp = [payout(&app, &key, &uk, 99_999, "GBP").await];

    let sent = app.run_file_rails(after_the_next_cutoffs()).await;
    assert_eq!(sent.len(), 3, "one file per rail: {sent:?}");
    for id in usd.iter().chain(&eur).chain(&gbp) {
        assert_eq!(status(&app, &key, id).await, "processing", "{id}");
    }
    // Each payout names its file and what the bank calls it there; so does its event.
    let body = get_json(&app, &key, &format!("/v1/payouts/{}", eur[0])).await;
    let eur_file = files_in(&outbox(&app, "eur"))[0].clone();
    assert_eq!(body["bank_transfer"]["file"], eur_file.as_str());
    assert_eq!(body["bank_transfer"]["reference"], eur[0].replace('_', "-"));
    let usd_body = get_json(&app, &key, &format!("/v1/payouts/{}", usd[1])).await;
    let trace = usd_body["bank_transfer"]["reference"]
        .as_str()
        .expect("trace");
    assert!(
        trace.len() == 15 && trace.starts_with("09100001"),
        "{trace}"
    );
    let path = format!("/v1/events?object={}&type=payout.processing", eur[0]);
    let events = get_json(&app, &key, &path).await;
    assert_eq!(
        events["data"][0]["data"]["object"]["bank_transfer"]["file"],
        eur_file.as_str()
    );

    // USD: a NACHA file with the three entries, read by the independent reader.
    let names = files_in(&outbox(&app, "usd"));
    assert_eq!(names.len(), 1, "{names:?}");
    assert!(names[0].starts_with("ANTON-USD-") && names[0].ends_with(".ach"));
    let text = std::fs::read_to_string(outbox(&app, "usd").join(&names[0])).expect("read");
    let ach = anton_rails::nacha::read::parse(&text).expect("a valid NACHA file");
    let entries: Vec<_> = ach.batches.iter().flat_map(|b| &b.entries).collect();
    let amounts: Vec<u64> = entries.iter().map(|e| e.amount_cents).collect();
    assert_eq!(amounts, [1_000, 2_500, 7]);
    assert_eq!(
        entries[1].trace_number, trace,
        "the payout's reference is its trace number"
    );
    assert_eq!(entries[1].account_number.trim(), "000123450002");
    assert_eq!(entries[0].rdfi_routing, "110000000");
    assert_eq!(ach.control.total_credit_cents, 3_507);

    // EUR: a SEPA pain.001 with both transfers, the name prepared for the SEPA character set.
    let names = files_in(&outbox(&app, "eur"));
    assert_eq!(names.len(), 1, "{names:?}");
    let text = std::fs::read_to_string(outbox(&app, "eur").join(&names[0])).expect("read");
    let sepa = anton_rails::iso20022::pain001_read::parse(&text).expect("a valid pain.001");
    let txs = &sepa.payments[0].transactions;
    assert_eq!(txs.len(), 2);
    assert_eq!(txs[0].end_to_end_id, eur[0].replace('_', "-"));
    assert_eq!(txs[0].amount_minor, 12_345);
    assert_eq!(txs[0].creditor_name, "Francoise Lefevre");
    assert_eq!(sepa.payments[0].service_level.as_deref(), Some("SEPA"));
    assert_eq!(sepa.control_sum_minor, Some(12_346));

    // GBP: a UK pain.001 paying the sort code and account.
    let names = files_in(&outbox(&app, "gbp"));
    let text = std::fs::read_to_string(outbox(&app, "gbp").join(&names[0])).expect("read");
    let uk_file = anton_rails::iso20022::pain001_read::parse(&text).expect("a valid pain.001");
    let tx = &uk_file.payments[0].transactions[0];
    assert_eq!(tx.currency, "GBP");
    assert_eq!(tx.amount_minor, 99_999);
    assert_eq!(
        tx.creditor_clearing.as_ref().map(|c| c.member_id.as_str()),
        Some("200000")
    );

    // Again at the same time: nothing new, nothing rewritten.
    let before: Vec<Vec<u8>> = ["usd", "eur", "gbp"]
        .iter()
        .map(|c| {
            let dir = outbox(&app, c);
            std::fs::read(dir.join(&files_in(&dir)[0])).expect("read")
        })
        .collect();
    assert!(app
        .run_file_rails(after_the_next_cutoffs())
        .await
        .is_empty());
    for (c, bytes) in ["usd", "eur", "gbp"].iter().zip(&before) {
        let dir = outbox(&app, c);
        assert_eq!(files_in(&dir).len(), 1);
        assert_eq!(
            &std::fs::read(dir.join(&files_in(&dir)[0])).expect("read"),
            bytes
        );
    }

    // A transmission interrupted after the put and before its record (as a crash would leave
    // it): the next pass renders the same bytes, the outbox takes them as already there.
    let name = files_in(&outbox(&app, "usd"))[0].clone();
    let file = anton_store::payout_files::by_name(app.store.read(), &name)
        .await
        .expect("read")
        .expect("recorded");
    assert_eq!(file.payout_count, 3);
    assert_eq!(file.sha256.as_deref(), Some(sha256(&before[0]).as_str()));
    let id = file.id.clone();
    app.store
        .write(move |c| {
            Box::pin(async move {
                sqlx::query("UPDATE payout_files SET status = 'sealed' WHERE id = $1")
                    .bind(id)
                    .execute(c)
                    .await?;
                Ok(())
            })
        })
        .await
        .expect("reset");
    assert_eq!(app.run_file_rails(after_the_next_cutoffs()).await, [name]);
    assert_eq!(files_in(&outbox(&app, "usd")).len(), 1);

    // A payout created after the cut-off waits for the next one, in a new file.
    let late = payout(&app, &key, &us[0], 500, "USD").await;
    assert_eq!(status(&app, &key, &late).await, "pending");
    let later = after_the_next_cutoffs() + jiff::SignedDuration::from_hours(48);
    let sent = app.run_file_rails(later).await;
    assert_eq!(sent.len(), 1, "only USD had a pending payout: {sent:?}");
    assert_eq!(files_in(&outbox(&app, "usd")).len(), 2);
    assert_eq!(status(&app, &key, &late).await, "processing");
    app.assert_ledger_balanced(&anton_store::Tenant::new(
        app.merchant.clone(),
        Environment::Live,
    ))
    .await;
}

fn sha256(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(bytes))
}

#[tokio::test]
async fn cutoff_puts_each_rails_payouts_in_one_file_sqlite() {
    cutoff_puts_each_rails_payouts_in_one_file(Backend::Sqlite).await;
}

#[tokio::test]
async fn cutoff_puts_each_rails_payouts_in_one_file_postgres() {
    cutoff_puts_each_rails_payouts_in_one_file(Backend::Postgres).await;
}

#[tokio::test]
async fn a_rail_the_bank_would_refuse_stops_the_start_by_name() {
    let data_dir = tempfile::tempdir().expect("dir");
    let mut config = Config {
        data_dir: data_dir.path().to_path_buf(),
        ..Config::default()
    };
    configure_rails(&mut config);
    if let Some(eur) = config.rails.get_mut("eur") {
        if let Some(identity) = eur.pain001.as_mut() {
            identity.debtor_iban = "DE89370400440532013001".into();
        }
    }
    let err = anton_engine::rail::files::config::check_all(&config.rails)
        .expect_err("refused")
        .to_string();
    assert!(err.starts_with("rails.eur.pain001:"), "{err}");
    assert!(err.contains("IBAN"), "{err}");
    assert!(!err.contains("DE89370400440532013001"), "{err}");
    config.rails.clear();
    configure_rails(&mut config);
    if let Some(usd) = config.rails.get_mut("usd") {
        usd.time_zone = "Mars/Olympus".into();
    }
    let err = anton_engine::rail::files::config::check_all(&config.rails)
        .expect_err("refused")
        .to_string();
    assert!(err.starts_with("rails.usd: time_zone"), "{err}");
    for (rail, template, why) in [
        ("usd", "ACH-{date}.txt", "must hold {date} and {time}"),
        ("usd", "ACH {date}{time}.txt", "holds ' '"),
        ("usd", "../{date}{time}", "holds '/'"),
        ("usd", ".ACH-{date}{time}", "must not start with '.'"),
        ("eur", "SCT_{date}_{time}", "message id"),
        ("eur", "SCT-{date}-{time}.txt", "ends in .xml"),
    ] {
        config.rails.clear();
        configure_rails(&mut config);
        config.rails.get_mut(rail).expect("rail").file_name = Some(template.into());
        let err = anton_engine::rail::files::config::check_all(&config.rails)
            .expect_err("refused")
            .to_string();
        assert!(
            err.starts_with(&format!("rails.{rail}.file_name:")),
            "{err}"
        );
        assert!(err.contains(why), "{template}: {err}");
    }
}

/// File names as the bank asks (`file_name`): the files are put under them, and the bank's
/// answers, which name the originals, still apply.
#[tokio::test]
async fn files_are_named_as_the_bank_asks() {
    let app = spawn_app_with(
        Backend::Sqlite,
        |c| {
            configure_rails(c);
            c.rails.get_mut("usd").expect("usd").file_name =
                Some("acme_ach_{date}_{time}.txt".into());
            c.rails.get_mut("eur").expect("eur").file_name =
                Some("ACME-SCT-{currency}{date}{time}".into());
        },
        None,
    )
    .await;
    let key = live(&app).await;
    let us = app.create_recipient(&key, "0003").await["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let eu = recipient(
        &app,
        &key,
        "Jan de Vries",
        json!({"type": "iban", "iban": "DE89370400440532013000"}),
    )
    .await;
    let ach = payout(&app, &key, &us, 1_000, "USD").await;
    let sepa = payout(&app, &key, &eu, 2_000, "EUR").await;
    app.run_file_rails(after_the_next_cutoffs()).await;
    let usd = files_in(&outbox(&app, "usd"));
    let eur = files_in(&outbox(&app, "eur"));
    assert!(
        usd.len() == 1 && usd[0].starts_with("acme_ach_") && usd[0].ends_with(".txt"),
        "{usd:?}"
    );
    assert!(
        eur.len() == 1 && eur[0].starts_with("ACME-SCT-EUR") && eur[0].ends_with(".xml"),
        "{eur:?}"
    );
    let body = get_json(&app, &key, &format!("/v1/payouts/{ach}")).await;
    assert_eq!(body["bank_transfer"]["file"], usd[0].as_str());
    // The bank's answers: a return for the ACH payout (last four 0003), and a status report
    // and a notification for the SEPA one, which name the file by its message id.
    for currency in ["usd", "eur"] {
        for file in bank_answer(&app, currency).now {
            let inbox = app.data_dir.path().join(format!("inbox-{currency}"));
            std::fs::write(inbox.join(&file.name), file.contents).expect("write");
        }
    }
    let passes = app.file_rail_passes(after_the_next_cutoffs()).await;
    let read: Vec<_> = passes.iter().flat_map(|p| p.read.clone()).collect();
    assert!(
        read.iter().all(|(_, r)| matches!(
            r,
            anton_engine::rail::files::inbound::Ingested::Applied { .. }
        )),
        "{read:?}"
    );
    assert_eq!(status(&app, &key, &ach).await, "failed");
    assert_eq!(status(&app, &key, &sepa).await, "paid");
}

#[tokio::test]
async fn live_payouts_in_a_currency_without_a_rail_are_refused() {
    let app = spawn_app_with(
        Backend::Sqlite,
        |c| {
            configure_rails(c);
            c.rails.remove("gbp");
        },
        None,
    )
    .await;
    let key = live(&app).await;
    let uk = recipient(
        &app,
        &key,
        "Ada Lovelace",
        json!({"type": "gb_fps", "sort_code": "200000", "account_number": "55779911"}),
    )
    .await;
    let r = app
        .post("/v1/payouts", &key)
        .json(&json!({"amount": 100, "currency": "GBP", "recipient": uk}))
        .send()
        .await
        .expect("payout");
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let body: Value = r.json().await.expect("json");
    assert_eq!(body["error"]["code"], "live_rail_not_configured");
    assert!(body["error"]["message"]
        .as_str()
        .expect("message")
        .contains("GBP"));
}

/// A bank that wants CRLF gets every NACHA record ended by CRLF, and its CRLF return file applies.
#[tokio::test]
async fn a_bank_that_wants_crlf_records_gets_them() {
    let app = spawn_app_with(
        Backend::Sqlite,
        |c| {
            configure_rails(c);
            if let Some(identity) = c.rails.get_mut("usd").and_then(|r| r.nacha.as_mut()) {
                identity.line_ending = LineEnding::Crlf;
            }
        },
        None,
    )
    .await;
    let key = live(&app).await;
    let us = app.create_recipient(&key, "0002").await["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let id = payout(&app, &key, &us, 1_500, "USD").await;
    app.run_file_rails(after_the_next_cutoffs()).await;
    let name = files_in(&outbox(&app, "usd"))[0].clone();
    let text = std::fs::read_to_string(outbox(&app, "usd").join(&name)).expect("read");
    assert!(text.ends_with("\r\n"));
    let records: Vec<&str> = text.split_terminator("\r\n").collect();
    assert_eq!(records.len() % 10, 0, "blocked to 10 records");
    assert!(records.iter().all(|r| r.len() == 94 && !r.contains('\n')));
    let file = anton_rails::nacha::read::parse(&text).expect("parses");
    assert_eq!(file.batches[0].entries[0].amount_cents, 1_500);
    // The test bank answers with a return; written with CRLF records, it applies the same.
    let answers = bank_answer(&app, "usd");
    let returns = answers.now[0]
        .contents
        .replace("\r\n", "\n")
        .replace('\n', "\r\n");
    let inbox = app.data_dir.path().join("inbox-usd");
    std::fs::write(inbox.join("returns.ach"), returns).expect("write");
    app.file_rail_passes(after_the_next_cutoffs()).await;
    assert_eq!(status(&app, &key, &id).await, "failed");
}
