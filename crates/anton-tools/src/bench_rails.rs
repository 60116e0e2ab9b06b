//! `anton-tools bench rails`: a cut-off of `--payouts` live payouts on the USD (NACHA) and EUR
//! (SEPA pain.001) file rails, on a node as `anton serve` runs it — its rail worker on — and the
//! bank's answers read back.
//!
//! 1. A node with workers off takes the live payouts over HTTPS (half USD, half EUR; one in ten
//!    of each to an account the test bank refuses), the merchant's risk rules set to alert only. Creation is not what is measured here.
//! 2. A second node on the same database, workers on, finds the cut-off that has passed and
//!    builds, renders and puts one file per rail into its outbox directory: **cut-off** is the
//!    time from its start to every payout `processing` and both files in place.
//! 3. The test bank's answers (a NACHA return file; a pain.002 and a camt.054) are dropped in the
//!    inboxes: **answers** is the time until every payout is final as they say.
//!
//! The ceiling, measured in the same run on the same database: single-row durable commits per
//! second on one connection, the most a one-commit-per-payout design could do.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anton_core::keys::Environment;
use anton_core::money::{Amount, Currency};
use anton_engine::operator;
use anton_engine::rail::files::config::{
    FileRailConfig, LineEnding, NachaIdentity, Pain001Identity,
};
use anton_server::config::Config;
use anton_server::startup::Application;
use anton_store::Tenant;
use anyhow::Context;
use futures_util::StreamExt;
use serde_json::json;

use crate::bench::{bench_client, database_url, drop_database, machine, tempfile_dir};

/// The command's options (see `anton-tools bench rails --help`).
#[derive(clap::Args, Clone)]
pub struct RailsArgs {
    /// `sqlite` or a `postgres://…` server URL (a new database is created on it).
    #[arg(long, default_value = "sqlite")]
    pub backend: String,
    /// Live payouts in the cut-off, half USD and half EUR.
    #[arg(long, default_value_t = 10_000)]
    pub payouts: usize,
    /// Payouts moved per write job while a file is built.
    #[arg(long, default_value_t = 500)]
    pub payouts_per_job: i64,
    /// Append the report to this Markdown file.
    #[arg(long, default_value = "bench-report.md")]
    pub report: PathBuf,
}

fn rail(dir: &Path, currency: &str, per_job: i64) -> anyhow::Result<FileRailConfig> {
    let (outbox, inbox) = (
        dir.join(format!("out-{currency}")),
        dir.join(format!("in-{currency}")),
    );
    std::fs::create_dir_all(&outbox)?;
    std::fs::create_dir_all(&inbox)?;
    // A cut-off every 2 seconds of every day: the worker node finds one that has passed.
    let cutoffs = (0..24 * 60 * 30)
        .map(|i| {
            let s = i * 2;
            format!("{:02}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
        })
        .collect();
    Ok(FileRailConfig {
        time_zone: "UTC".into(),
        cutoffs,
        holidays: vec![],
        business_days: ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
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
        poll_interval_ms: 100,
        payouts_per_job: per_job,
    })
}

fn config(dir: &Path, url: &str, per_job: i64, workers: bool) -> anyhow::Result<Config> {
    let mut config = Config {
        data_dir: dir.to_path_buf(),
        listen: "127.0.0.1:0".parse()?,
        database_url: Some(url.to_owned()),
        workers,
        metrics: anton_server::config::MetricsConfig {
            listen: ([127, 0, 0, 1], 0).into(),
            ..Default::default()
        },
        ..Config::default()
    };
    let mut usd = rail(dir, "usd", per_job)?;
    usd.nacha = Some(NachaIdentity {
        immediate_destination: "091000019".into(),
        immediate_origin: " 123456789".into(),
        destination_name: "TEST BANK".into(),
        origin_name: "ANTON BENCH".into(),
        company_name: "ANTON BENCH".into(),
        company_id: "1234567890".into(),
        odfi: "09100001".into(),
        entry_description: "PAYOUT".into(),
        sec: "ppd".into(),
        line_ending: LineEnding::Lf,
    });
    let mut eur = rail(dir, "eur", per_job)?;
    eur.pain001 = Some(Pain001Identity {
        initiating_party_name: "Anton Bench".into(),
        initiating_party_id: None,
        debtor_name: "Anton Bench".into(),
        debtor_iban: "DE89370400440532013000".into(),
        debtor_bic: Some("COBADEFFXXX".into()),
        debtor_sort_code: None,
        batch_booking: true,
        service_level: None,
        local_instrument: None,
    });
    config.rails.insert("usd".into(), usd);
    config.rails.insert("eur".into(), eur);
    Ok(config)
}

/// What one run measured.
struct Figures {
    ceiling_commits_per_s: f64,
    created: usize,
    cutoff: Duration,
    file_bytes: u64,
    answers: usize,
    answered: Duration,
}

pub async fn run(args: RailsArgs) -> anyhow::Result<()> {
    let dir = tempfile_dir()?;
    let (url, label, pg_database) = database_url(&args.backend, &dir, "anton_bench_rails").await?;
    let result = measure(&args, &dir, &url).await;
    if let Some(name) = pg_database {
        drop_database(&args.backend, &name).await;
    }
    let _ = std::fs::remove_dir_all(&dir);
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!(
            "{}{suffix}",
            dir.with_extension("ceiling.db").display()
        ));
    }
    let figures = result?;
    let report = report(&args, label, &figures)?;
    print!("{report}");
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&args.report)?;
    std::io::Write::write_all(&mut file, report.as_bytes())?;
    Ok(())
}

async fn measure(args: &RailsArgs, dir: &Path, url: &str) -> anyhow::Result<Figures> {
    // 1. Creation, on a node without workers.
    let app = Application::build(config(dir, url, args.payouts_per_job, false)?).await?;
    let ca = app.generated_ca().cloned().context("the generated CA")?;
    let base = format!("https://localhost:{}", app.local_addr().port());
    let store = app.engine().store().clone();
    let secrets = app.engine().secrets().clone();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let node = tokio::spawn(app.run_until_stopped(async move {
        let _ = stopped.await;
    }));
    let ceiling_commits_per_s = raw_commits(url, dir).await?;
    let client = bench_client(&ca)?;
    let (key, risk_key, tenant) = live_merchant(&store, &secrets).await?;
    // The live risk rules would hold a burst of thousands of payouts for review (as they
    // should): here every rule only alerts, so all of them reach the cut-off.
    for rule in anton_core::risk::RuleName::ALL {
        client
            .post(format!("{base}/v1/risk_rules/{}", rule.as_str()))
            .bearer_auth(&risk_key)
            .json(&json!({"action": "alert"}))
            .send()
            .await?
            .error_for_status()?;
    }
    let post = |path: &str, body: serde_json::Value| {
        client
            .post(format!("{base}{path}"))
            .bearer_auth(&key)
            .json(&body)
            .send()
    };
    let mut recipients = Vec::new();
    for (currency, account) in [
        (
            "USD",
            json!({"type": "us_ach", "routing_number": "110000000", "account_number": "000123450001", "account_type": "checking"}),
        ),
        (
            "USD",
            json!({"type": "us_ach", "routing_number": "110000000", "account_number": "000123450003", "account_type": "checking"}),
        ),
        (
            "EUR",
            json!({"type": "iban", "iban": "DE89370400440532013000"}),
        ),
        (
            "EUR",
            json!({"type": "iban", "iban": "DE40370400440532010002"}),
        ),
    ] {
        let r: serde_json::Value = post(
            "/v1/recipients",
            json!({"name": "Ada Bench", "bank_account": account}),
        )
        .await?
        .error_for_status()?
        .json()
        .await?;
        recipients.push((
            currency,
            r["id"].as_str().context("recipient id")?.to_owned(),
        ));
    }
    let created = futures_util::stream::iter(0..args.payouts)
        .map(|i| {
            // Half USD, half EUR; one in ten of each to the account the test bank refuses.
            let refused = usize::from(i % 20 >= 18);
            let (currency, recipient) = &recipients[(i % 2) * 2 + refused];
            post(
                "/v1/payouts",
                json!({"amount": 1_000 + i, "currency": currency, "recipient": recipient}),
            )
        })
        .buffer_unordered(32)
        .filter(|r| std::future::ready(r.as_ref().is_ok_and(|r| r.status().is_success())))
        .count()
        .await;
    let _ = stop.send(());
    let _ = node.await;
    store.close().await;
    anyhow::ensure!(
        created == args.payouts,
        "{created} of {} payouts were created",
        args.payouts
    );
    // The cut-off after the last payout.
    tokio::time::sleep(Duration::from_millis(2_100)).await;

    // 2. The cut-off, on a node with workers on.
    let app = Application::build(config(dir, url, args.payouts_per_job, true)?).await?;
    let store = app.engine().store().clone();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let started = Instant::now();
    let node = tokio::spawn(app.run_until_stopped(async move {
        let _ = stopped.await;
    }));
    let outboxes = [dir.join("out-usd"), dir.join("out-eur")];
    let built = wait(Duration::from_secs(300), || async {
        let files = outboxes.iter().all(|d| visible_files(d).len() == 1);
        Ok(files && count(&store, "status = 'processing'").await? == created as i64)
    })
    .await;
    if let Err(e) = built {
        return Err(e.context(format!("the cut-off's files ({})", by_status(&store).await)));
    }
    let cutoff = started.elapsed();
    let mut file_bytes = 0;
    let mut answers = 0;
    for (outbox, inbox) in outboxes
        .iter()
        .zip([dir.join("in-usd"), dir.join("in-eur")])
    {
        for name in visible_files(outbox) {
            let text = std::fs::read_to_string(outbox.join(&name))?;
            file_bytes += text.len() as u64;
            let answer =
                anton_rails::test_bank::answer(&name, &text, time::OffsetDateTime::now_utc())
                    .map_err(|e| anyhow::anyhow!("the test bank: {e}"))?;
            for file in answer.now {
                std::fs::write(inbox.join(format!(".{}", file.name)), &file.contents)?;
                std::fs::rename(
                    inbox.join(format!(".{}", file.name)),
                    inbox.join(&file.name),
                )?;
                answers += 1;
            }
        }
    }

    // 3. The answers: the refused payouts fail, the SEPA ones are paid; ACH stays processing
    //    until its settlement window ends.
    let answered_at = Instant::now();
    let expected_final = (0..created).filter(|i| i % 2 == 1 || i % 20 == 18).count() as i64;
    wait(Duration::from_secs(600), || async {
        Ok(count(&store, "status IN ('paid', 'failed')").await? == expected_final)
    })
    .await
    .context("the answers applied")?;
    let answered = answered_at.elapsed();
    if let Err(v) = anton_store::ledger::check_invariants(store.read(), &tenant).await? {
        anyhow::bail!("ledger violation: {v}");
    }
    let _ = stop.send(());
    let _ = node.await;
    store.close().await;
    Ok(Figures {
        ceiling_commits_per_s,
        created,
        cutoff,
        file_bytes,
        answers,
        answered,
    })
}

/// A merchant with a live key and live USD and EUR balances, and a key that may change its
/// risk rules.
async fn live_merchant(
    store: &anton_store::Store,
    secrets: &anton_engine::Secrets,
) -> anyhow::Result<(String, String, Tenant)> {
    let actor = anton_engine::audit::Actor::operator();
    let m = operator::create_merchant(store, "rails bench").await?;
    operator::set_rate_limits(store, &m.id, 1_000_000, 1_000_000, &actor).await?;
    let tenant = Tenant::new(m.id.clone(), Environment::Live);
    for currency in [Currency::Usd, Currency::Eur] {
        operator::fund(
            store,
            &tenant,
            currency,
            Amount::new(Amount::MAX_MINOR)?,
            &actor,
        )
        .await?;
    }
    let spec = operator::KeySpec {
        merchant_id: m.id.clone(),
        env: Environment::Live,
        scopes: None,
        expires_in: None,
        allowed_cidrs: vec![],
        name: "bench".into(),
        created_by: "bench".into(),
    };
    let (_, key) = operator::create_key(store, secrets, &spec, &actor).await?;
    let risk = operator::KeySpec {
        scopes: Some(
            anton_core::keys::ScopeSet::parse_list(["risk_rules:read", "risk_rules:write"])
                .map_err(|e| anyhow::anyhow!("scopes: {e}"))?,
        ),
        name: "bench risk".into(),
        ..spec
    };
    let (_, risk_key) = operator::create_key(store, secrets, &risk, &actor).await?;
    Ok((
        key.expose_secret().to_owned(),
        risk_key.expose_secret().to_owned(),
        tenant,
    ))
}

/// The live payouts by status, for an error message.
async fn by_status(store: &anton_store::Store) -> String {
    use sqlx::Row;
    let rows =
        sqlx::query("SELECT status, COUNT(*) AS n FROM payouts WHERE env = 'live' GROUP BY status")
            .fetch_all(store.read())
            .await;
    match rows {
        Ok(rows) => rows
            .iter()
            .map(|r| {
                let status: String = r.try_get("status").unwrap_or_default();
                let n: i64 = r.try_get("n").unwrap_or_default();
                format!("{status} {n}")
            })
            .collect::<Vec<_>>()
            .join(", "),
        Err(e) => e.to_string(),
    }
}

/// Live payouts matching `condition` (a fixed SQL condition on `payouts`).
async fn count(store: &anton_store::Store, condition: &str) -> anyhow::Result<i64> {
    use sqlx::Row;
    let row = sqlx::query(&format!(
        "SELECT COUNT(*) AS n FROM payouts WHERE env = 'live' AND {condition}"
    ))
    .fetch_one(store.read())
    .await?;
    Ok(row.try_get("n")?)
}

fn visible_files(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| !n.starts_with('.'))
                .collect()
        })
        .unwrap_or_default()
}

/// Polls `done` every 20 ms until it holds, or fails after `limit`.
async fn wait<F, Fut>(limit: Duration, mut done: F) -> anyhow::Result<()>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<bool>>,
{
    let deadline = Instant::now() + limit;
    while !done().await? {
        anyhow::ensure!(Instant::now() < deadline, "not within {limit:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    Ok(())
}

/// Single-row durable commits per second on one connection for 2 s: on PostgreSQL in the run's
/// database, on SQLite in a file on the same disk with the node's settings (WAL,
/// synchronous=FULL).
async fn raw_commits(url: &str, dir: &Path) -> anyhow::Result<f64> {
    use sqlx::{Connection, Executor};
    let run = |mut c: sqlx::AnyConnection| async move {
        c.execute("CREATE TABLE bench_commits (n BIGINT)").await?;
        let started = Instant::now();
        let mut n = 0u64;
        while started.elapsed() < Duration::from_secs(2) {
            let mut tx = c.begin().await?;
            tx.execute("INSERT INTO bench_commits (n) VALUES (1)")
                .await?;
            tx.commit().await?;
            n += 1;
        }
        c.execute("DROP TABLE bench_commits").await?;
        anyhow::Ok(n as f64 / started.elapsed().as_secs_f64())
    };
    sqlx::any::install_default_drivers();
    if url.starts_with("sqlite") {
        // Beside the node's directory (whose files it checks are its user's alone).
        let path = dir.with_extension("ceiling.db");
        let mut c =
            sqlx::AnyConnection::connect(&format!("sqlite://{}?mode=rwc", path.display())).await?;
        c.execute("PRAGMA journal_mode = WAL").await?;
        c.execute("PRAGMA synchronous = FULL").await?;
        run(c).await
    } else {
        run(sqlx::AnyConnection::connect(url).await?).await
    }
}

fn report(args: &RailsArgs, label: &str, f: &Figures) -> anyhow::Result<String> {
    let mut out = String::new();
    writeln!(
        out,
        "\n## Live rails: a cut-off of {} payouts — {label}\n",
        f.created
    )?;
    writeln!(out, "- Machine: {}", machine())?;
    writeln!(
        out,
        "- `anton-tools bench rails --payouts {} --payouts-per-job {}`: USD (NACHA) and EUR (pain.001) in one cut-off, directory outboxes",
        args.payouts, args.payouts_per_job
    )?;
    writeln!(
        out,
        "- Ceiling, same run: {:.0} single-row durable commits/s on one connection",
        f.ceiling_commits_per_s
    )?;
    writeln!(
        out,
        "- Cut-off (node start → every payout `processing`, both files in the outbox, {:.1} MiB): {:.2} s, {:.0} payouts/s",
        f.file_bytes as f64 / 1_048_576.0,
        f.cutoff.as_secs_f64(),
        f.created as f64 / f.cutoff.as_secs_f64()
    )?;
    writeln!(
        out,
        "- Answers ({} files: returns, status reports, notifications → payouts final): {:.2} s",
        f.answers,
        f.answered.as_secs_f64()
    )?;
    Ok(out)
}
