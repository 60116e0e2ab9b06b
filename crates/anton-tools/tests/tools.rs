//! The developer tools run as a developer runs them: `anton-tools bench …` writes a report whose
//! figures come from real payouts and deliveries, and `anton-tools crash-test` survives its kills.
//! PostgreSQL runs use `ANTON_TEST_DATABASE_URL` (default: `postgres://postgres@127.0.0.1:5432/
//! postgres`); when it is set but unreachable the tests fail, never skip. When it is not set and
//! the default server does not answer, they return at once: the API suite's
//! `postgresql_is_reachable` fails once, saying how to point the suite at a server.

#![expect(
    clippy::unwrap_used,
    reason = "a test should fail loudly on any unexpected None or Err"
)]

use std::path::Path;
use std::process::Command;

const TOOLS: &str = env!("CARGO_BIN_EXE_anton-tools");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Backend {
    Sqlite,
    Postgres,
}

fn pg_admin_url() -> String {
    std::env::var("ANTON_TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

/// Called first by every test that needs PostgreSQL: `true` when it should return at once (see
/// the module docs).
async fn skip_postgres() -> bool {
    if std::env::var_os("ANTON_TEST_DATABASE_URL").is_some() {
        return false;
    }
    let connect = <sqlx::PgConnection as sqlx::Connection>::connect(&pg_admin_url()).await;
    if connect.is_err() {
        eprintln!("PostgreSQL unreachable: this test did not run (see postgresql_is_reachable)");
    }
    connect.is_err()
}

/// `anton-tools ARGS` in `dir`; its standard output, once it has succeeded.
fn tools(dir: &Path, args: &[&str]) -> String {
    let out = Command::new(TOOLS)
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run anton-tools");
    assert!(
        out.status.success(),
        "anton-tools {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

/// `anton-tools bench` is a developer command: a short run on each backend writes a report whose
/// figures come from real payouts, with the ledger checked, and the connection bench reports RSS.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_bench_commands_write_a_report() {
    if skip_postgres().await {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("report.md");
    let report_arg = report.to_str().unwrap();
    let pg = pg_admin_url();
    let bench_databases = || async {
        let mut admin = <sqlx::PgConnection as sqlx::Connection>::connect(&pg)
            .await
            .unwrap();
        sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM pg_database WHERE datname LIKE 'anton_bench_%'",
        )
        .fetch_one(&mut admin)
        .await
        .unwrap()
    };
    // Counted before and after: a bench run elsewhere on this server (or one killed earlier) may
    // have left its own database.
    let before = bench_databases().await;
    for backend in ["sqlite", pg.as_str()] {
        tools(
            dir.path(),
            &[
                "bench",
                "payouts",
                "--backend",
                backend,
                "--connections",
                "2",
                "--seconds",
                "1",
                "--report",
                report_arg,
            ],
        );
    }
    tools(
        dir.path(),
        &[
            "bench",
            "webhooks",
            "--endpoints",
            "2",
            "--events",
            "20",
            "--rate",
            "20",
            "--seconds",
            "1",
            "--report",
            report_arg,
        ],
    );
    tools(
        dir.path(),
        &[
            "bench",
            "connections",
            "--count",
            "20",
            "--report",
            report_arg,
        ],
    );
    let text = std::fs::read_to_string(&report).unwrap();
    assert_eq!(
        text.matches("Ledger invariants after the run: hold")
            .count(),
        2,
        "{text}"
    );
    assert!(
        text.contains("SQLite") && text.contains("PostgreSQL"),
        "{text}"
    );
    assert_eq!(text.matches("errors: 0").count(), 2, "{text}");
    let created: Vec<u64> = text
        .lines()
        .filter_map(|l| l.strip_prefix("- Payouts created: "))
        .map(|l| l.split_whitespace().next().unwrap().parse().unwrap())
        .collect();
    assert!(
        created.len() == 2 && created.iter().all(|n| *n > 0),
        "{text}"
    );
    assert!(
        text.contains("20 of 20 TLS keep-alive connections"),
        "{text}"
    );
    assert!(
        text.contains("Backlog: 20 events → 40 deliveries")
            && text.contains("event-to-delivery p50"),
        "{text}"
    );
    // The PostgreSQL run dropped its database.
    assert!(bench_databases().await <= before);
}

/// `anton-tools bench lifecycle` (issue 16): a short run per backend takes every payout of its
/// lifecycle phases through the rail to its third delivery, and reports the four phases, the
/// ratios the targets are about and the ledger check.
async fn the_lifecycle_bench_follows_every_payout_to_its_last_delivery(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("report.md");
    let backend_arg = match backend {
        Backend::Sqlite => "sqlite".to_owned(),
        Backend::Postgres => pg_admin_url(),
    };
    let args: Vec<String> = [
        "bench",
        "lifecycle",
        "--backend",
        &backend_arg,
        "--connections",
        "4",
        "--seconds",
        "1",
        "--rate",
        "40",
        "--processing-delay-ms",
        "100",
        "--settle-delay-ms",
        "100",
        "--drain-limit-s",
        "60",
        "--report",
        report.to_str().unwrap(),
    ]
    .iter()
    .map(|a| a.to_string())
    .collect();
    let dir_path = dir.path().to_owned();
    tokio::task::spawn_blocking(move || {
        tools(
            &dir_path,
            &args.iter().map(String::as_str).collect::<Vec<_>>(),
        )
    })
    .await
    .unwrap();
    let text = std::fs::read_to_string(&report).unwrap();
    assert!(text.contains("## Payout lifecycle"), "{text}");
    assert!(
        text.contains("Ledger invariants after every phase: hold"),
        "{text}"
    );
    let rows: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("| creation only |") || l.starts_with("| lifecycle |"))
        .collect();
    assert_eq!(rows.len(), 4, "{text}");
    for row in rows.iter().filter(|r| r.starts_with("| lifecycle |")) {
        assert!(!row.contains("did not finish"), "{text}");
        // The sustained rate column: payouts that reached their last delivery.
        let sustained: f64 = row.split('|').nth(6).unwrap().trim().parse().unwrap();
        assert!(sustained > 0.0, "{text}");
    }
    assert!(text.contains("Creation→paid p99 at 40 payouts/s"), "{text}");
}

mod the_lifecycle_bench_follows_every_payout_to_its_last_delivery {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        super::the_lifecycle_bench_follows_every_payout_to_its_last_delivery(super::Backend::Sqlite)
            .await
    }
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        if super::skip_postgres().await {
            return;
        }
        super::the_lifecycle_bench_follows_every_payout_to_its_last_delivery(
            super::Backend::Postgres,
        )
        .await
    }
}

/// `anton-tools bench receiver` (the outside benchmark's receiver): it writes where it listens and
/// its CA, counts the payout deliveries it gets (not other events) and answers the count, over
/// HTTPS verified against its own CA.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_receiver_counts_payout_deliveries() {
    let dir = tempfile::tempdir().unwrap();
    let info_path = dir.path().join("info.json");
    let mut child = Command::new(TOOLS)
        .args(["bench", "receiver", "--info", info_path.to_str().unwrap()])
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let info: serde_json::Value = loop {
        if let Some(v) = std::fs::read(&info_path)
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
        {
            break v;
        }
        assert!(std::time::Instant::now() < deadline, "no receiver info");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    };
    let ca = std::fs::read(info["ca"].as_str().unwrap()).unwrap();
    let client = reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(&ca).unwrap())
        .tls_built_in_root_certs(false)
        .build()
        .unwrap();
    let count = || async {
        client
            .get(info["count_url"].as_str().unwrap())
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    };
    assert_eq!(count().await, "0");
    for ty in ["payout.created", "recipient.created", "payout.paid"] {
        client
            .post(info["url"].as_str().unwrap())
            .body(serde_json::json!({"id": "evt_1", "type": ty}).to_string())
            .send()
            .await
            .unwrap()
            .error_for_status()
            .unwrap();
    }
    assert_eq!(count().await, "2");
    child.kill().unwrap();
    child.wait().unwrap();
}

/// The crash harness (`anton-tools crash-test`, issue 5): 20 SIGKILLs under payout load with the rail
/// and the dispatcher running; every acknowledged payout exactly once, no key twice, the ledger
/// balanced, every event delivered, SQLite intact. Its figures go to the test's real stdout, so
/// they appear in the CI log.
async fn the_crash_harness_passes_with_twenty_kills(backend: Backend) {
    let mut cmd = std::process::Command::new(TOOLS);
    cmd.args(["crash-test", "--kills", "20"]);
    if backend == Backend::Postgres {
        cmd.args(["--backend", &pg_admin_url()]);
    }
    let status = tokio::task::spawn_blocking(move || cmd.status())
        .await
        .unwrap()
        .unwrap();
    assert!(
        status.success(),
        "anton-tools crash-test failed (its output is above)"
    );
}

mod the_crash_harness_passes_with_twenty_kills {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        super::the_crash_harness_passes_with_twenty_kills(super::Backend::Sqlite).await
    }
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        if super::skip_postgres().await {
            return;
        }
        super::the_crash_harness_passes_with_twenty_kills(super::Backend::Postgres).await
    }
}

/// The tools binary offers what `anton` no longer does.
#[test]
fn the_tools_binary_runs_the_benchmarks_and_the_crash_harness() {
    let dir = tempfile::tempdir().unwrap();
    let help = tools(dir.path(), &["--help"]);
    assert!(
        help.contains("bench") && help.contains("crash-test"),
        "{help}"
    );
    let bench = tools(dir.path(), &["bench", "--help"]);
    assert!(
        bench.contains("payouts")
            && bench.contains("webhooks")
            && bench.contains("lifecycle")
            && bench.contains("connections"),
        "{bench}"
    );
}

/// `anton-tools bench rails` (issue 21): a short run per backend puts every payout of its
/// cut-off into the two files and applies the test bank's answers, and reports both with the
/// ceiling of the same run.
async fn the_rails_bench_takes_a_cut_off_to_its_answers(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("report.md");
    let backend_arg = match backend {
        Backend::Sqlite => "sqlite".to_owned(),
        Backend::Postgres => pg_admin_url(),
    };
    let args: Vec<String> = [
        "bench",
        "rails",
        "--backend",
        &backend_arg,
        "--payouts",
        "60",
        "--payouts-per-job",
        "7",
        "--report",
        report.to_str().unwrap(),
    ]
    .iter()
    .map(|a| a.to_string())
    .collect();
    let dir_path = dir.path().to_owned();
    tokio::task::spawn_blocking(move || {
        tools(
            &dir_path,
            &args.iter().map(String::as_str).collect::<Vec<_>>(),
        )
    })
    .await
    .unwrap();
    let text = std::fs::read_to_string(&report).unwrap();
    assert!(
        text.contains("## Live rails: a cut-off of 60 payouts"),
        "{text}"
    );
    for line in [
        "- Ceiling, same run: ",
        "- Cut-off (node start",
        "- Answers (3 files",
    ] {
        assert!(
            text.lines().any(|l| l.starts_with(line)),
            "{line} in {text}"
        );
    }
}

mod the_rails_bench_takes_a_cut_off_to_its_answers {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        super::the_rails_bench_takes_a_cut_off_to_its_answers(super::Backend::Sqlite).await
    }
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        if super::skip_postgres().await {
            return;
        }
        super::the_rails_bench_takes_a_cut_off_to_its_answers(super::Backend::Postgres).await
    }
}
