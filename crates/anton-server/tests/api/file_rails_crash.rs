//! The real `anton serve` killed, again and again, while it builds and puts its bank files: at
//! each of the file rail's crash points (`ANTON_FAILPOINT`, see
//! `anton_engine::rail::files::failpoint`) the process aborts as `kill -9` would stop it, and a
//! new process starts on the same data. At the end every live payout is `processing` and in
//! exactly one file of the outbox: none in two, none lost, no half-written file left. Once with
//! the outbox a local directory, once with it on a real OpenSSH server over SFTP.
//!
//! Each payout has its own amount, so the files' entries name their payouts by amount. Cut-offs
//! are every 2 seconds, every day of the week, and a job moves 3 payouts, so a cut-off of a
//! round's payouts is several jobs (a file that is still building when the process dies).

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::helpers::Backend;
use crate::process::{anton_env, backend_env, client, free_port};
use crate::sshd::Sshd;

const POINTS: [&str; 4] = [
    "rail.after_chunk",
    "rail.before_put",
    "rail.mid_put",
    "rail.after_put",
];
const ROUNDS: usize = 8;
const PER_ROUND: i64 = 10;

/// The node's `anton.toml`; with `sshd`, the outbox and inbox are on that SFTP server.
fn config(dir: &Path, sshd: Option<&Sshd>) -> String {
    let cutoffs: Vec<String> = (0..24 * 60 * 30)
        .map(|i| {
            let s = i * 2;
            format!("\"{:02}:{:02}:{:02}\"", s / 3600, s / 60 % 60, s % 60)
        })
        .collect();
    let (root, sftp) = match sshd {
        Some(sshd) => {
            let c = sshd.config();
            let section = format!(
                "[rails.usd.sftp]\nhost = \"{}\"\nport = {}\nuser = \"{}\"\n\
                 private_key = \"{}\"\nhost_key = \"{}\"\n",
                c.host,
                c.port,
                c.user,
                c.private_key.display(),
                c.host_key
            );
            (sshd.root.clone(), Some(section))
        }
        None => (dir.to_path_buf(), None),
    };
    for d in ["outbox", "inbox"] {
        std::fs::create_dir_all(root.join(d)).unwrap();
    }
    let (outbox, inbox) = match sftp {
        Some(_) => ("outbox".into(), "inbox".into()),
        None => (
            dir.join("outbox").display().to_string(),
            dir.join("inbox").display().to_string(),
        ),
    };
    format!(
        "[rails.usd]\ntime_zone = \"UTC\"\ncutoffs = [{}]\n\
         business_days = [\"mon\", \"tue\", \"wed\", \"thu\", \"fri\", \"sat\", \"sun\"]\n\
         outbox = \"{}\"\ninbox = \"{}\"\npoll_interval_ms = 100\npayouts_per_job = 3\n\
         [rails.usd.nacha]\nimmediate_destination = \"091000019\"\nimmediate_origin = \" 123456789\"\n\
         destination_name = \"TEST BANK\"\norigin_name = \"ANTON\"\ncompany_name = \"ANTON\"\n\
         company_id = \"1234567890\"\nodfi = \"09100001\"\n{}",
        cutoffs.join(", "),
        outbox,
        inbox,
        sftp.unwrap_or_default(),
    )
}

fn spawn(dir: &Path, env: &[(&str, &str)], port: u16, failpoint: Option<&str>) -> Child {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_anton"));
    cmd.arg("serve")
        .current_dir(dir)
        .env("ANTON_LISTEN", format!("127.0.0.1:{port}"))
        .env("ANTON_METRICS__LISTEN", "127.0.0.1:0")
        .stdout(Stdio::null())
        .stderr(Stdio::from(
            std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(dir.join("server.log"))
                .unwrap(),
        ));
    for (k, v) in env {
        cmd.env(k, v);
    }
    if let Some(point) = failpoint {
        cmd.env("ANTON_FAILPOINT", point);
    }
    cmd.spawn().expect("start anton serve")
}

async fn healthy(dir: &Path, port: u16) -> bool {
    let ca = dir.join("anton-data/tls/ca.pem");
    ca.exists()
        && client(&ca)
            .get(format!("https://localhost:{port}/healthz"))
            .send()
            .await
            .is_ok_and(|r| r.status().is_success())
}

/// Every live payout of the merchant, by id: (status, amount).
async fn payouts(dir: &Path, port: u16, key: &str) -> BTreeMap<String, (String, i64)> {
    let c = client(&dir.join("anton-data/tls/ca.pem"));
    let mut all = BTreeMap::new();
    let mut after: Option<String> = None;
    loop {
        let mut url = format!("https://localhost:{port}/v1/payouts?limit=100");
        if let Some(a) = &after {
            url.push_str(&format!("&starting_after={a}"));
        }
        let page: Value = c
            .get(url)
            .bearer_auth(key)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let data = page["data"].as_array().unwrap();
        for p in data {
            all.insert(
                p["id"].as_str().unwrap().to_owned(),
                (
                    p["status"].as_str().unwrap().to_owned(),
                    p["amount"].as_i64().unwrap(),
                ),
            );
        }
        if !page["has_more"].as_bool().unwrap() {
            return all;
        }
        after = data.last().map(|p| p["id"].as_str().unwrap().to_owned());
    }
}

async fn killed_while_making_files_loses_and_duplicates_nothing(backend: Backend) {
    killed_many_times(backend, None).await;
}

/// The same with the outbox on a real OpenSSH server: killed while a file is on its way there.
async fn killed_while_putting_files_over_sftp_loses_and_duplicates_nothing(backend: Backend) {
    let Some(binary) = Sshd::binary() else { return };
    let sshd = Sshd::start(&binary);
    killed_many_times(backend, Some(&sshd)).await;
}

async fn killed_many_times(backend: Backend, sshd: Option<&Sshd>) {
    let dir = crate::helpers::private_tempdir();
    let d = dir.path();
    let (env, _database) = backend_env(backend).await;
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    std::fs::write(d.join("anton.toml"), config(d, sshd)).unwrap();
    let outbox = match sshd {
        Some(sshd) => sshd.root.join("outbox"),
        None => d.join("outbox"),
    };
    let mer = anton_env(d, &env, &["merchants", "create", "Crash Ltd"]);
    let key = anton_env(
        d,
        &env,
        &[
            "keys",
            "create",
            "--merchant",
            &mer,
            "--env",
            "live",
            "--quiet",
        ],
    );
    anton_env(
        d,
        &env,
        &[
            "merchants",
            "set-rate-limit",
            &mer,
            "--live",
            "1000",
            "--test",
            "1000",
        ],
    );
    anton_env(
        d,
        &env,
        &[
            "balance",
            "fund",
            "--merchant",
            &mer,
            "--env",
            "live",
            "--currency",
            "USD",
            "--amount",
            "100000000",
        ],
    );

    // The recipient, made by a node without crash points.
    let port = free_port();
    let mut child = spawn(d, &env, port, None);
    let deadline = Instant::now() + Duration::from_secs(60);
    while !healthy(d, port).await {
        assert!(Instant::now() < deadline, "the first node starts");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let r: Value = client(&d.join("anton-data/tls/ca.pem"))
        .post(format!("https://localhost:{port}/v1/recipients"))
        .bearer_auth(&key)
        .json(&json!({"name": "Ada", "bank_account": {"type": "us_ach",
            "routing_number": "110000000", "account_number": "000123450001",
            "account_type": "checking"}}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let recipient = r["id"].as_str().unwrap().to_owned();
    child.kill().unwrap();
    child.wait().unwrap();

    let mut amount = 1_000;
    for round in 0..ROUNDS {
        let point = POINTS[round % POINTS.len()];
        let port = free_port();
        let mut child = spawn(d, &env, port, Some(point));
        let deadline = Instant::now() + Duration::from_secs(60);
        let mut created = false;
        loop {
            if let Some(status) = child.try_wait().unwrap() {
                assert!(
                    !status.success(),
                    "round {round}: the node stopped on its own"
                );
                break;
            }
            if !created && healthy(d, port).await {
                let c = client(&d.join("anton-data/tls/ca.pem"));
                let base = format!("https://localhost:{port}");
                for _ in 0..PER_ROUND {
                    amount += 1;
                    // The node may die at any moment now; a creation it did not answer may or
                    // may not have committed, and the final count comes from the API anyway.
                    let _ = c
                        .post(format!("{base}/v1/payouts"))
                        .bearer_auth(&key)
                        .json(&json!({"amount": amount, "currency": "USD",
                            "recipient": recipient}))
                        .send()
                        .await;
                }
                created = true;
            }
            assert!(
                Instant::now() < deadline,
                "round {round}: the node never reached {point}"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    // A last node without crash points finishes the work.
    let port = free_port();
    let mut child = spawn(d, &env, port, None);
    let deadline = Instant::now() + Duration::from_secs(90);
    let all = loop {
        if healthy(d, port).await {
            let all = payouts(d, port, &key).await;
            let unsent = anton_env(d, &env, &["rails", "files", "--json"])
                .lines()
                .filter(|l| l.contains("\"direction\":\"sent\"") && !l.contains("\"transmitted\""))
                .count();
            if !all.is_empty() && unsent == 0 && all.values().all(|(s, _)| s == "processing") {
                break all;
            }
        }
        assert!(
            Instant::now() < deadline,
            "the last node finishes the files"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    child.kill().unwrap();
    child.wait().unwrap();

    // Every payout in exactly one file of the outbox, and nothing else there.
    let mut in_files: BTreeMap<u64, usize> = BTreeMap::new();
    let mut files = 0;
    for entry in std::fs::read_dir(&outbox).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name().to_string_lossy().into_owned();
        assert!(
            !name.starts_with('.'),
            "a half-written file was left: {name}"
        );
        let text = std::fs::read_to_string(entry.path()).unwrap();
        let file =
            anton_rails::nacha::read::parse(&text).expect("every file is a valid NACHA file");
        for e in file.batches.iter().flat_map(|b| &b.entries) {
            *in_files.entry(e.amount_cents).or_default() += 1;
        }
        files += 1;
    }
    let expected: BTreeMap<u64, usize> = all
        .values()
        .map(|(_, amount)| (u64::try_from(*amount).unwrap(), 1))
        .collect();
    assert_eq!(in_files, expected, "each payout in exactly one file");
    println!(
        "file rail crash{}: {ROUNDS} kills, {} payouts, {files} files, every payout in exactly one",
        if sshd.is_some() { " (SFTP)" } else { "" },
        all.len()
    );
}

crate::both_backends!(killed_while_making_files_loses_and_duplicates_nothing);
crate::both_backends!(killed_while_putting_files_over_sftp_loses_and_duplicates_nothing);
