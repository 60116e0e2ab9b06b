//! The developer tools run as a developer runs them: `anton-tools bench …` writes a report whose
//! figures come from real payouts and deliveries, and `anton-tools crash-test` survives its kills.
//! PostgreSQL runs use `ANTON_TEST_DATABASE_URL` (default: the build machine's server); when it
//! is set but unreachable the tests fail, never skip.

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
        bench.contains("payouts") && bench.contains("webhooks") && bench.contains("connections"),
        "{bench}"
    );
}
