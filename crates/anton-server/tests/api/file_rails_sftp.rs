//! Live payouts with the bank's files exchanged over SFTP, with a real OpenSSH server
//! ([`crate::sshd`]) and a node with its workers on: 51 live payouts across USD (ACH), EUR
//! (SEPA) and GBP; the cut-off's files arrive on the server; the real `anton rails test-bank`
//! answers on the server's side; the node's own worker reads the answers over SFTP and applies
//! them; the ACH settlement window ends; the late returns come in. Every payout ends as the
//! simulator's table says, every event reaches a webhook endpoint and verifies with the SDK's
//! verifier, and the ledger balances. Beside it: a server presenting another host key is
//! refused (nothing sent), a refused client key is named, and a put over SFTP is idempotent by
//! name and never replaces a file.
//!
//! The node's own rail worker runs on the clock, so the rails here have yesterday, today and
//! tomorrow as bank holidays: it can make no cut-off while the test runs, and the test makes the
//! cut-off and ends the settlement window by running a look at a later time itself (as the
//! other file rail tests do).

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anton_core::keys::Environment;
use anton_engine::rail::files::config::{check_all, Format};
use anton_engine::rail::files::exchange::{Exchange, Link, Transport};
use anton_engine::rail::files::outbox::{OutboxError, Put};
use anton_engine::rail::files::sftp;
use anton_server::config::Config;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::file_rails::{configure_rails, files_in, live, payout, status};
use crate::file_rails_answers::{events_of, failure, fifty_one_payouts, final_state};
use crate::helpers::{spawn_app_with, Backend, TestApp};
use crate::sshd::Sshd;
use crate::webhooks::{receiver, TestLookup};

/// The file rails of [`configure_rails`], with their outboxes and inboxes on `sshd` (relative
/// paths, under the directory its SFTP sessions start in), and no cut-off from yesterday to
/// tomorrow.
fn configure_sftp(config: &mut Config, sshd: &Sshd) {
    configure_rails(config);
    for (currency, rail) in config.rails.iter_mut() {
        let outbox = format!("outbox-{currency}");
        let inbox = format!("inbox-{currency}");
        std::fs::create_dir_all(sshd.root.join(&outbox)).expect("outbox");
        std::fs::create_dir_all(sshd.root.join(&inbox)).expect("inbox");
        rail.outbox = outbox.into();
        rail.inbox = inbox.into();
        rail.sftp = Some(sshd.config());
        rail.poll_interval_ms = 200;
        let zone = jiff::tz::TimeZone::get(&rail.time_zone).expect("zone");
        let today = jiff::Timestamp::now().to_zoned_datetime(zone).date();
        rail.holidays = [-1, 0, 1]
            .map(|d| {
                today
                    .checked_add(jiff::Span::new().days(d))
                    .expect("date")
                    .to_string()
            })
            .to_vec();
    }
}

/// A time just after a business day's last cut-off on every rail, past the holidays
/// [`configure_sftp`] sets: 23:00 UTC on the first weekday three days or more from today (in
/// New York, Berlin and London that day's 15:30 cut-off has passed, less than a day ago).
fn after_a_cutoff() -> jiff::Timestamp {
    let mut day = jiff::Timestamp::now()
        .to_zoned_datetime(jiff::tz::TimeZone::UTC)
        .date()
        .checked_add(jiff::Span::new().days(3))
        .expect("date");
    while matches!(
        day.weekday(),
        jiff::civil::Weekday::Saturday | jiff::civil::Weekday::Sunday
    ) {
        day = day.tomorrow().expect("date");
    }
    day.at(23, 0, 0, 0)
        .to_zoned_datetime(jiff::tz::TimeZone::UTC)
        .expect("time")
        .timestamp()
}

/// One look at `rail` at `now`, as the node's worker makes it (its connection closed after).
async fn look(
    app: &TestApp,
    rail: &anton_engine::rail::files::config::FileRail,
    now: jiff::Timestamp,
) -> anton_engine::rail::files::worker::Pass {
    let mut state = anton_engine::rail::files::worker::RailState::new(rail);
    let pass = anton_engine::rail::files::worker::run_once(
        &app.store,
        &app.secrets,
        rail,
        now,
        &mut state,
    )
    .await;
    state.link.close().await;
    pass
}

/// The USD rail on `sshd` as [`configure_sftp`] makes it, for `app`'s data directory.
fn usd_rail_on(app: &TestApp, sshd: &Sshd) -> anton_engine::rail::files::config::FileRail {
    let mut config = Config {
        data_dir: app.data_dir.path().to_path_buf(),
        ..Config::default()
    };
    configure_sftp(&mut config, sshd);
    config.rails.retain(|k, _| k == "usd");
    check_all(&config.rails).expect("rail").remove(0)
}

/// Runs the real `anton rails test-bank --once` on the server's side of `currency`'s rail;
/// returns how many answer files it wrote.
fn test_bank(sshd: &Sshd, currency: &str, late: bool) -> usize {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_anton"));
    command.args(["rails", "test-bank", "--once", "--json", "--outbox"]);
    command.arg(sshd.root.join(format!("outbox-{currency}")));
    command.arg("--inbox");
    command.arg(sshd.root.join(format!("inbox-{currency}")));
    if late {
        command.arg("--late");
    }
    let out = command.output().expect("run anton");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let line: Value = serde_json::from_slice(&out.stdout).expect("json");
    line["written"].as_array().expect("written").len()
}

/// Polls until every payout is in the state `expected` gives it.
async fn wait_for_states(
    app: &TestApp,
    key: &str,
    payouts: &[(String, &'static str, String)],
    expected: impl Fn(&str, &str) -> &'static str,
) {
    let deadline = Instant::now() + Duration::from_secs(60);
    for (currency, last4, id) in payouts {
        let want = expected(currency, last4);
        loop {
            let now = status(app, key, id).await;
            if now == want {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "{currency} {last4} {id} is {now}, not {want}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

async fn fifty_one_live_payouts_over_sftp(backend: Backend) {
    let Some(binary) = Sshd::binary() else { return };
    let sshd = Sshd::start(&binary);
    let hooks = receiver().await;
    let lookup = Arc::new(TestLookup::default());
    lookup
        .0
        .lock()
        .unwrap()
        .insert("localhost".into(), vec!["127.0.0.1".parse().unwrap()]);
    let ca = hooks.ca.clone();
    let app = spawn_app_with(
        backend,
        |c| {
            configure_sftp(c, &sshd);
            c.workers = true;
            c.webhooks.extra_root_ca = Some(ca);
            c.webhooks.allow_private = vec!["localhost".into()];
            c.webhooks.retry_schedule_ms = crate::webhooks::FAST.to_vec();
            c.webhooks.poll_interval_ms = 20;
        },
        Some(lookup),
    )
    .await;
    let key = live(&app).await;
    let r = app
        .post("/v1/webhook_endpoints", &key)
        .json(&json!({"url": hooks.url, "enabled_events": [
            "payout.created", "payout.processing", "payout.paid", "payout.failed",
            "payout.returned"]}))
        .send()
        .await
        .expect("endpoint");
    assert_eq!(r.status(), StatusCode::OK);
    let endpoint: Value = r.json().await.expect("json");
    let verifier = anton_sdk::webhook::Webhook::new(endpoint["secret"].as_str().expect("secret"))
        .expect("verifier");

    let payouts = fifty_one_payouts(&app, &key).await;
    assert_eq!(payouts.len(), 51);

    // The cut-off: one file per rail, on the server. The node's own worker may finish putting
    // a file the test's look started, so the test waits for the files rather than count its own
    // puts.
    let t1 = after_a_cutoff();
    app.run_file_rails(t1).await;
    let deadline = Instant::now() + Duration::from_secs(30);
    let outboxes = ["usd", "eur", "gbp"].map(|c| sshd.root.join(format!("outbox-{c}")));
    while !outboxes.iter().all(|d| files_in(d).len() == 1) {
        assert!(
            Instant::now() < deadline,
            "one whole file per rail on the server"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    for dir in &outboxes {
        let name = &files_in(dir)[0];
        assert!(name.starts_with("ANTON-"), "{name}");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.join(name))
                .expect("meta")
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600, "a bank file is its owner's alone");
        }
    }
    for (currency, _, id) in &payouts {
        assert_eq!(status(&app, &key, id).await, "processing", "{currency}");
    }

    // The bank answers; the node's worker reads the answers over SFTP and applies them.
    for currency in ["usd", "eur", "gbp"] {
        assert!(test_bank(&sshd, currency, false) > 0, "{currency}");
    }
    wait_for_states(&app, &key, &payouts, |currency, last4| {
        match (currency, last4) {
            (_, "0002" | "0003" | "0004") => "failed",
            ("usd", _) | (_, "0006") => "processing",
            _ => "paid",
        }
    })
    .await;

    // The ACH settlement window ends; then the late returns.
    let t2 = t1 + jiff::SignedDuration::from_hours(24 * 10);
    let settled: usize = app
        .file_rail_passes(t2)
        .await
        .iter()
        .map(|p| p.settled)
        .sum();
    assert_eq!(settled, 11, "seven 0001, two 0005, two 0006");
    for currency in ["usd", "eur", "gbp"] {
        assert_eq!(test_bank(&sshd, currency, true), 1, "{currency}");
    }
    wait_for_states(&app, &key, &payouts, |c, l| final_state(c, l).0).await;

    let mut expected_deliveries = 0;
    for (currency, last4, id) in &payouts {
        let (_, code, events) = final_state(currency, last4);
        assert_eq!(failure(&app, &key, id).await, code, "{currency} {last4}");
        assert_eq!(
            events_of(&app, &key, id).await,
            events,
            "{currency} {last4}"
        );
        expected_deliveries += events.len();
    }

    // Every event reached the endpoint, signed: the SDK's verifier accepts each delivery.
    let deadline = Instant::now() + Duration::from_secs(60);
    let delivered: BTreeMap<String, Vec<String>> = loop {
        let got = hooks.shared.got.lock().unwrap().clone();
        let mut by_payout: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let mut ids = std::collections::HashSet::new();
        for g in &got {
            let signature = g
                .headers
                .get("anton-signature")
                .expect("Anton-Signature")
                .to_str()
                .expect("ascii");
            let event = verifier.verify(&g.body, signature).expect("verifies");
            assert!(event.livemode);
            if ids.insert(event.id.clone()) {
                by_payout
                    .entry(event.data.object["id"].as_str().expect("object").into())
                    .or_default()
                    .push(event.kind.clone());
            }
        }
        if ids.len() >= expected_deliveries {
            break by_payout;
        }
        assert!(
            Instant::now() < deadline,
            "{} of {expected_deliveries} events delivered",
            ids.len()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    for (currency, last4, id) in &payouts {
        let mut got = delivered.get(id).cloned().unwrap_or_default();
        got.sort();
        assert_eq!(got, final_state(currency, last4).2, "{currency} {last4}");
    }
    app.assert_ledger_balanced(&anton_store::Tenant::new(
        app.merchant.clone(),
        Environment::Live,
    ))
    .await;
    reconciled(&app, &sshd).await;
}

/// After [`fifty_one_live_payouts_over_sftp`]: each file's payouts by outcome (`anton rails
/// files --json`), the rails' gauges and counters, and a junk file quarantined by the node's
/// worker, seen as a metric.
async fn reconciled(app: &TestApp, sshd: &Sshd) {
    let out = app.operator_cli("ops", &["rails", "files", "--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let files: Vec<Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("json line"))
        .filter(|f: &Value| f["direction"] == "sent")
        .collect();
    assert_eq!(files.len(), 3);
    for f in &files {
        let count = |outcome: &str| f["outcomes"][outcome]["count"].as_i64().expect("count");
        // usd: 0001 and 0006 paid (settled); eur and gbp: 0006 still at the bank.
        let (paid, at_bank) = if f["rail"] == "usd" { (9, 0) } else { (7, 2) };
        assert_eq!(
            [
                count("paid"),
                count("failed"),
                count("returned"),
                count("at_bank")
            ],
            [paid, 6, 2, at_bank],
            "{f}"
        );
        assert_eq!(f["reconciled"], true, "{f}");
        let sums: i64 = ["paid", "failed", "returned", "at_bank"]
            .iter()
            .map(|o| f["outcomes"][o]["total_minor"].as_i64().expect("sum"))
            .sum();
        assert_eq!(Some(sums), f["total_minor"].as_i64(), "{f}");
    }
    let metrics = crate::metrics::scrape(app).await;
    for line in [
        "anton_rail_payouts_outstanding{rail=\"usd\"} 0",
        "anton_rail_payouts_outstanding{rail=\"eur\"} 2",
        "anton_rail_payouts_outstanding{rail=\"gbp\"} 2",
        "anton_rail_files_unsent{rail=\"eur\"} 0",
        "anton_rail_oldest_unsent_age_seconds{rail=\"usd\"} 0.0",
        "anton_rail_files_read_total{rail=\"usd\",outcome=\"applied\"} 2",
        "anton_rail_files_read_total{rail=\"eur\",outcome=\"applied\"} 3",
        "anton_rail_files_read_total{rail=\"usd\",outcome=\"quarantined\"} 0",
    ] {
        assert!(metrics.contains(line), "{line} in:\n{metrics}");
    }
    // A file that is not the bank's, dropped on the server (whole, as a bank drops its files):
    // the node's worker quarantines it.
    let inbox = sshd.root.join("inbox-usd");
    std::fs::write(inbox.join(".junk.txt"), "hello").expect("write");
    std::fs::rename(inbox.join(".junk.txt"), inbox.join("junk.txt")).expect("rename");
    let deadline = Instant::now() + Duration::from_secs(30);
    let quarantined = "anton_rail_files_read_total{rail=\"usd\",outcome=\"quarantined\"} 1";
    while !crate::metrics::scrape(app).await.contains(quarantined) {
        assert!(Instant::now() < deadline, "the junk file is quarantined");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn fifty_one_live_payouts_over_sftp_sqlite() {
    fifty_one_live_payouts_over_sftp(Backend::Sqlite).await;
}

#[tokio::test]
async fn fifty_one_live_payouts_over_sftp_postgres() {
    fifty_one_live_payouts_over_sftp(Backend::Postgres).await;
}

/// A server presenting a host key other than the pinned one is refused before anything is sent
/// (the error names the key it presented); with the right key the same file goes. A client key
/// the server does not know is named as refused.
#[tokio::test]
async fn only_the_pinned_server_gets_the_files() {
    let Some(binary) = Sshd::binary() else { return };
    let sshd = Sshd::start(&binary);
    let (_, impostor) = sshd.other_key("impostor");
    let (stranger, _) = sshd.other_key("stranger");
    let app = spawn_app_with(
        Backend::Sqlite,
        |c| {
            configure_sftp(c, &sshd);
            c.rails.retain(|k, _| k == "usd");
            let sftp = c
                .rails
                .get_mut("usd")
                .expect("usd")
                .sftp
                .as_mut()
                .expect("sftp");
            sftp.host_key = impostor.clone();
        },
        None,
    )
    .await;
    let key = live(&app).await;
    let us = app.create_recipient(&key, "0001").await["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let id = payout(&app, &key, &us, 1_000, "USD").await;
    let t1 = after_a_cutoff();
    let pass = look(&app, &app.rails[0], t1).await;
    assert!(pass.sent.is_empty());
    let errors: Vec<String> = pass.errors.iter().map(ToString::to_string).collect();
    assert!(
        errors
            .iter()
            .any(|e| e.contains("not the pinned one") && e.contains("SHA256:")),
        "{errors:?}"
    );
    assert!(files_in(&sshd.root.join("outbox-usd")).is_empty());
    // The file is made and waits: the payout is in it, processing.
    assert_eq!(status(&app, &key, &id).await, "processing");

    // The operator's key is not the one the server knows: refused, and said so.
    let mut wrong = sshd.config();
    wrong.private_key = stranger;
    let refused = sftp::check(&wrong).expect("config").connect().await;
    let refused = refused.err().expect("refused").to_string();
    assert!(refused.contains("refused Anton's key"), "{refused}");

    // The right host key: the waiting file goes, once.
    let rail = usd_rail_on(&app, &sshd);
    assert!(matches!(rail.format, Format::Nacha(_)));
    let pass = look(&app, &rail, t1).await;
    assert!(pass.errors.is_empty(), "{:?}", pass.errors);
    assert_eq!(pass.sent.len(), 1);
    assert_eq!(files_in(&sshd.root.join("outbox-usd")).len(), 1);
}

/// A put over SFTP: written once; the same bytes again are already there; other bytes are a
/// conflict and the file stays as it was; what a crashed put left is swept; nothing else is left.
#[tokio::test]
async fn a_put_over_sftp_is_idempotent_by_name_and_never_replaces() {
    let Some(binary) = Sshd::binary() else { return };
    let sshd = Sshd::start(&binary);
    std::fs::create_dir(sshd.root.join("out")).expect("dir");
    let server = sftp::check(&sshd.config()).expect("config");
    let mut link = Link::new(&Exchange {
        transport: Transport::Sftp(Arc::new(server)),
        outbox: "out".into(),
        inbox: "in".into(),
    });
    let out = sshd.root.join("out");
    std::fs::write(out.join(".a.ach.crashed.partial"), b"half").expect("write");
    let bytes = vec![b'9'; 3 << 20];
    assert_eq!(
        link.put("a.ach", bytes.clone()).await.expect("put"),
        Put::Written
    );
    assert_eq!(
        link.put("a.ach", bytes.clone()).await.expect("put"),
        Put::AlreadyThere
    );
    assert!(matches!(
        link.put("a.ach", b"other".to_vec()).await,
        Err(OutboxError::Conflict(_))
    ));
    assert_eq!(std::fs::read(out.join("a.ach")).expect("read"), bytes);
    let names: Vec<_> = std::fs::read_dir(&out)
        .expect("list")
        .map(|e| e.expect("entry").file_name())
        .collect();
    assert_eq!(names, ["a.ach"], "no temporary file is left behind");
    link.close().await;
    assert_private(&out.join("a.ach"));
}

fn assert_private(path: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path).expect("meta").permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}

/// An `[sftp]` section the node cannot use stops the start, naming the key, never quoting a
/// key file: a private key others may read, one with a passphrase, an RSA or unreadable host key.
#[tokio::test]
async fn an_sftp_section_the_node_cannot_use_stops_the_start_by_name() {
    let Some(binary) = Sshd::binary() else { return };
    let sshd = Sshd::start(&binary);
    let refused = |change: &dyn Fn(&mut anton_engine::rail::files::sftp::SftpConfig)| {
        let data_dir = tempfile::tempdir().expect("dir");
        let mut config = Config {
            data_dir: data_dir.path().to_path_buf(),
            ..Config::default()
        };
        configure_sftp(&mut config, &sshd);
        config.rails.retain(|k, _| k == "gbp");
        change(
            config
                .rails
                .get_mut("gbp")
                .expect("gbp")
                .sftp
                .as_mut()
                .expect("sftp"),
        );
        check_all(&config.rails).expect_err("refused").to_string()
    };
    let (shared, _) = sshd.other_key("shared");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o644)).expect("chmod");
        let err = refused(&|s| s.private_key = shared.clone());
        assert!(err.starts_with("rails.gbp.sftp.private_key:"), "{err}");
        assert!(err.contains("chmod 600"), "{err}");
    }
    let locked = sshd.root.join("locked");
    let out = std::process::Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "a passphrase", "-f"])
        .arg(&locked)
        .output()
        .expect("ssh-keygen");
    assert!(out.status.success());
    let err = refused(&|s| s.private_key = locked.clone());
    assert!(err.contains("without a passphrase"), "{err}");
    let rsa = sshd.root.join("rsa");
    let out = std::process::Command::new("ssh-keygen")
        .args(["-q", "-t", "rsa", "-b", "2048", "-N", "", "-f"])
        .arg(&rsa)
        .output()
        .expect("ssh-keygen");
    assert!(out.status.success());
    let rsa_public = std::fs::read_to_string(rsa.with_extension("pub")).expect("pub");
    let err = refused(&|s| s.host_key = rsa_public.clone());
    assert!(err.starts_with("rails.gbp.sftp.host_key:"), "{err}");
    assert!(err.contains("Ed25519 and ECDSA"), "{err}");
    let err = refused(&|s| s.private_key = rsa.clone());
    assert!(err.starts_with("rails.gbp.sftp.private_key:"), "{err}");
    let err = refused(&|s| s.host_key = "AAAAC3NzaC1lZDI1NTE5".into());
    assert!(err.contains("is not an OpenSSH public key"), "{err}");
    let err = refused(&|s| s.timeout_secs = 0);
    assert!(err.starts_with("rails.gbp.sftp.timeout_secs:"), "{err}");
    // The messages name the file, never what is in it.
    for key in [&shared, &rsa] {
        let err = refused(&|s| s.private_key = key.clone());
        let text = std::fs::read_to_string(key).expect("key");
        let body: String = text.lines().filter(|l| !l.starts_with("-----")).collect();
        assert!(!err.contains(&body[..24]), "{err}");
    }
}

/// A server that accepts the connection and then says nothing: the look ends with a clear
/// timeout (its other steps not waiting again), the file waits, and the next look against the
/// real server puts it.
#[tokio::test]
async fn a_server_that_does_not_answer_times_out_and_the_file_waits() {
    let Some(binary) = Sshd::binary() else { return };
    let sshd = Sshd::start(&binary);
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let silent_port = silent.local_addr().expect("addr").port();
    let held = tokio::spawn(async move {
        let mut open = Vec::new();
        while let Ok((socket, _)) = silent.accept().await {
            open.push(socket);
        }
    });
    let app = spawn_app_with(
        Backend::Sqlite,
        |c| {
            configure_sftp(c, &sshd);
            c.rails.retain(|k, _| k == "usd");
            let sftp = c
                .rails
                .get_mut("usd")
                .and_then(|r| r.sftp.as_mut())
                .expect("sftp");
            sftp.port = silent_port;
            sftp.timeout_secs = 1;
        },
        None,
    )
    .await;
    let key = live(&app).await;
    let us = app.create_recipient(&key, "0001").await["id"]
        .as_str()
        .expect("id")
        .to_owned();
    payout(&app, &key, &us, 1_000, "USD").await;
    let t1 = after_a_cutoff();
    let started = Instant::now();
    let pass = look(&app, &app.rails[0], t1).await;
    let errors: Vec<String> = pass.errors.iter().map(ToString::to_string).collect();
    assert!(pass.sent.is_empty(), "{errors:?}");
    assert!(
        errors[0].contains("did not answer within 1 s"),
        "{errors:?}"
    );
    // The inbox step did not connect again: it failed at once, naming why.
    assert!(
        errors
            .iter()
            .any(|e| e.contains("not tried again in this look")),
        "{errors:?}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    held.abort();

    let pass = look(&app, &usd_rail_on(&app, &sshd), t1).await;
    assert!(pass.errors.is_empty(), "{:?}", pass.errors);
    assert_eq!(pass.sent.len(), 1);
}
