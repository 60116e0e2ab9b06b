//! `anton-tools bench payouts`: payout creations per second over HTTPS keep-alive, with durable commits.
//!
//! The command starts a node in-process on a fresh database (SQLite in a temporary directory, or
//! a new PostgreSQL database on the given server), creates merchants with raised rate limits,
//! funds them, creates one recipient each, and then runs `--connections` HTTP/1.1 keep-alive
//! clients, each sending `POST /v1/payouts` with an Idempotency-Key, for `--seconds`. Server and
//! load generator share the machine's cores; the report says so. At the end it checks the ledger
//! invariants of every merchant, and writes a Markdown report.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anton_core::keys::Environment;
use anton_core::money::{Amount, Currency};
use anton_store::Tenant;
use anyhow::{bail, Context};
use clap::Subcommand;
use serde_json::json;

use anton_engine::operator;
use anton_server::config::Config;
use anton_server::startup::Application;

#[derive(Subcommand)]
pub enum BenchCommand {
    /// Payout creation throughput and latency over HTTPS.
    Payouts {
        /// `sqlite` or a `postgres://…` server URL (a new database is created on it).
        #[arg(long, default_value = "sqlite")]
        backend: String,
        /// Concurrent keep-alive connections.
        #[arg(long, default_value_t = 64)]
        connections: usize,
        #[arg(long, default_value_t = 10)]
        seconds: u64,
        /// Merchants the load is spread over (1: every payout hits one balance).
        #[arg(long, default_value_t = 1)]
        merchants: usize,
        /// Target rate in requests/s (0: as fast as possible).
        #[arg(long, default_value_t = 0)]
        rate: u64,
        /// API nodes on the one database (PostgreSQL), connections spread round-robin.
        #[arg(long, default_value_t = 1)]
        nodes: usize,
        /// Append the report to this Markdown file.
        #[arg(long, default_value = "bench-report.md")]
        report: PathBuf,
    },
    /// Webhook deliveries per second and event-to-delivery latency to a local HTTPS receiver.
    ///
    /// Phase 1 (throughput): `--events` `payout.created` events are written at once, then the
    /// dispatcher starts and delivers them to each of `--endpoints` endpoints; the report gives
    /// deliveries/s until the last one arrived. Phase 2 (latency, with `--rate`): payouts are
    /// created through the API at that rate for `--seconds`; each delivery's latency is its
    /// arrival at the receiver minus the moment the payout's creation was acknowledged.
    Webhooks {
        #[arg(long, default_value = "sqlite")]
        backend: String,
        #[arg(long, default_value_t = 1)]
        endpoints: usize,
        #[arg(long, default_value_t = 10_000)]
        events: usize,
        /// Events per second for the latency phase (0: skip it).
        #[arg(long, default_value_t = 0)]
        rate: u64,
        #[arg(long, default_value_t = 10)]
        seconds: u64,
        /// Nodes running the dispatcher on the one database (PostgreSQL).
        #[arg(long, default_value_t = 1)]
        nodes: usize,
        #[arg(long, default_value = "bench-report.md")]
        report: PathBuf,
    },
    /// Payouts through their whole life (creation, rail and webhook deliveries together) against
    /// creation alone, in one run of four phases (see `bench_lifecycle`).
    Lifecycle(crate::bench_lifecycle::LifecycleArgs),
    /// A cut-off of live payouts on the USD and EUR file rails, through a node with its rail
    /// worker on, and the bank's answers read back (docs/live-payouts.md).
    Rails(crate::bench_rails::RailsArgs),
    /// A webhook receiver as a process of its own, for `scripts/bench-outside.py` (counts
    /// payout deliveries; runs until interrupted).
    Receiver(crate::bench_receiver::ReceiverArgs),
    /// Server memory with many open connections: starts `anton serve` as a child process, opens
    /// `--count` TLS keep-alive connections (one request each, then idle) and reads the child's RSS.
    Connections {
        #[arg(long, default_value_t = 1000)]
        count: usize,
        #[arg(long, default_value = "bench-report.md")]
        report: PathBuf,
    },
}

pub async fn run(cmd: BenchCommand) -> anyhow::Result<()> {
    match cmd {
        BenchCommand::Payouts {
            backend,
            connections,
            seconds,
            merchants,
            rate,
            nodes,
            report,
        } => {
            payouts(
                &backend,
                connections,
                seconds,
                merchants.max(1),
                rate,
                nodes.max(1),
                &report,
            )
            .await
        }
        BenchCommand::Webhooks {
            backend,
            endpoints,
            events,
            rate,
            seconds,
            nodes,
            report,
        } => {
            crate::bench_webhooks::run(
                &backend,
                endpoints.max(1),
                events,
                rate,
                seconds,
                nodes.max(1),
                &report,
            )
            .await
        }
        BenchCommand::Lifecycle(args) => crate::bench_lifecycle::run(args).await,
        BenchCommand::Rails(args) => crate::bench_rails::run(args).await,
        BenchCommand::Receiver(args) => crate::bench_receiver::run(args).await,
        BenchCommand::Connections { count, report } => open_connections(count, &report).await,
    }
}

/// A fresh database for the run: its URL, a label, and (PostgreSQL) its name, to drop afterwards.
/// PostgreSQL databases are named `<prefix>_<random>`: each tool its own prefix, so a run can
/// tell its leftovers from another tool's databases.
pub(crate) async fn database_url(
    backend: &str,
    dir: &std::path::Path,
    prefix: &str,
) -> anyhow::Result<(String, &'static str, Option<String>)> {
    if backend == "sqlite" {
        let url = format!("sqlite://{}?mode=rwc", dir.join("anton.db").display());
        return Ok((url, "SQLite (WAL, synchronous=FULL)", None));
    }
    if !backend.starts_with("postgres") {
        bail!("--backend is sqlite or a postgres:// URL");
    }
    use sqlx::{Connection, Executor};
    let name = format!("{prefix}_{}", anton_core::random_base62(10).to_lowercase());
    let mut admin = sqlx::PgConnection::connect(backend)
        .await
        .context("connecting to PostgreSQL")?;
    admin
        .execute(format!("CREATE DATABASE {name}").as_str())
        .await?;
    let (base, _) = backend
        .rsplit_once('/')
        .context("the PostgreSQL URL has no database part")?;
    Ok((
        format!("{base}/{name}"),
        "PostgreSQL (synchronous_commit=on)",
        Some(name),
    ))
}

/// Drops the run's PostgreSQL database (best effort; `FORCE` closes the node's connections).
pub(crate) async fn drop_database(admin_url: &str, name: &str) {
    use sqlx::{Connection, Executor};
    if let Ok(mut admin) = sqlx::PgConnection::connect(admin_url).await {
        let _ = admin
            .execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str())
            .await;
    }
}

pub(crate) fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(0);
    let mem = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|s| {
            s.lines().next().map(|l| {
                l.split_whitespace()
                    .nth(1)
                    .unwrap_or("0")
                    .parse::<u64>()
                    .unwrap_or(0)
            })
        })
        .map(|kb| format!("{:.0} GiB", kb as f64 / 1_048_576.0))
        .unwrap_or_default();
    format!("{cpu}, {cores} cores, {mem}")
}

/// The whole machine's CPU time (every process: the node, the receiver, the database server),
/// from `/proc/stat`: a snapshot, to tell how much CPU a run used.
#[derive(Debug, Clone, Copy)]
pub(crate) struct MachineCpu {
    busy: u64,
    total: u64,
}

impl MachineCpu {
    /// `None` where `/proc/stat` is unavailable (not Linux).
    pub(crate) fn now() -> Option<Self> {
        let stat = std::fs::read_to_string("/proc/stat").ok()?;
        let line = stat.lines().find(|l| l.starts_with("cpu "))?;
        let ticks: Vec<u64> = line
            .split_whitespace()
            .skip(1)
            .filter_map(|t| t.parse().ok())
            .collect();
        // user nice system idle iowait irq softirq steal …: busy is user, nice, system, irq and
        // softirq (idle, iowait and time stolen by the hypervisor are not this machine's work).
        let at = |i: usize| ticks.get(i).copied().unwrap_or(0);
        Some(Self {
            busy: [0, 1, 2, 5, 6].into_iter().map(at).sum(),
            total: (0..8).map(at).sum(),
        })
    }

    /// Since `earlier`: the CPU seconds used on all cores (USER_HZ is 100 on Linux), and the
    /// share of the machine they are.
    pub(crate) fn since(self, earlier: Self) -> (f64, f64) {
        let busy = self.busy.saturating_sub(earlier.busy) as f64;
        let total = self.total.saturating_sub(earlier.total).max(1) as f64;
        (busy / 100.0, busy / total)
    }
}

pub(crate) struct Target {
    pub(crate) key: String,
    pub(crate) recipient: String,
}

async fn payouts(
    backend: &str,
    connections: usize,
    seconds: u64,
    merchants: usize,
    rate: u64,
    nodes: usize,
    report: &PathBuf,
) -> anyhow::Result<()> {
    if nodes > 1 && backend == "sqlite" {
        bail!("--nodes > 1 needs PostgreSQL (SQLite is one node)");
    }
    let dir = tempfile_dir()?;
    let (url, backend_label, pg_database) = database_url(backend, &dir, "anton_bench").await?;
    let mut config = Config {
        data_dir: dir.clone(),
        listen: "127.0.0.1:0".parse()?,
        database_url: Some(url),
        metrics: anton_server::config::MetricsConfig {
            listen: ([127, 0, 0, 1], 0).into(),
            ..Default::default()
        },
        ..Config::default()
    };
    config.workers = false; // measure creation alone; the rail would compete for the writer
                            // The request log is on, as on a node's defaults; `ANTON_REQUEST_LOG__ENABLED=false` (the
                            // server's own setting) measures without it.
    config.request_log.enabled = request_log_enabled();
    let app = Application::build(config.clone()).await?;
    let addr = app.local_addr();
    let ca = app
        .generated_ca()
        .cloned()
        .context("the bench uses the generated CA")?;
    let store = app.engine().store().clone();
    let secrets = app.engine().secrets().clone();
    // Every node is stopped before the database is dropped (its background tasks would
    // otherwise fail against a closed pool or a dropped database).
    let mut running = Vec::new();
    let mut start = |app: Application| {
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let handle = tokio::spawn(app.run_until_stopped(async move {
            let _ = rx.await;
        }));
        running.push((tx, handle));
    };
    start(app);
    // More API nodes on the same database, secrets and certificate.
    let mut bases = vec![format!("https://localhost:{}", addr.port())];
    for _ in 1..nodes {
        let mut c = config.clone();
        c.role = anton_server::config::Role::Api;
        let node = Application::build(c).await?;
        bases.push(format!("https://localhost:{}", node.local_addr().port()));
        start(node);
    }

    let client = bench_client(&ca)?;
    let (targets, tenants) =
        bench_merchants(&store, &secrets, &client, &bases[0], merchants).await?;

    let (mut lat, errors, elapsed) =
        drive(&ca, &bases, targets, connections, rate, seconds).await?;
    lat.sort();

    // Then the rail over everything created, every step due at once (the clock a day ahead at
    // each pass): the rail's own throughput, without its delays.
    let rail_started = Instant::now();
    let mut steps = 0usize;
    let mut now = anton_store::now_us();
    loop {
        now += 86_400_000_000;
        let n = anton_engine::rail::simulator::run_due(&store, &config.simulator, now)
            .await?
            .len();
        if n == 0 {
            break;
        }
        steps += n;
    }
    let rail_s = rail_started.elapsed().as_secs_f64();

    let mut ledger_ok = true;
    for t in &tenants {
        if let Err(v) = anton_store::ledger::check_invariants(store.read(), t).await? {
            ledger_ok = false;
            eprintln!("ledger violation: {v}");
        }
    }
    let out = payouts_report(
        backend_label,
        (connections, merchants, seconds, rate, nodes),
        &lat,
        errors,
        elapsed,
        ledger_ok,
    )?;
    let out = format!(
        "{out}- Rail afterwards: {steps} payout steps in {rail_s:.2} s ({:.0} steps/s; passes of up to {}, delays skipped)\n",
        steps as f64 / rail_s.max(1e-9),
        anton_engine::rail::simulator::PASS_MAX
    );
    print!("{out}");
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(report)?;
    std::io::Write::write_all(&mut f, out.as_bytes())?;
    for (tx, handle) in running {
        let _ = tx.send(());
        let _ = handle.await;
    }
    store.close().await;
    if let Some(name) = pg_database {
        drop_database(backend, &name).await;
    }
    let _ = std::fs::remove_dir_all(&dir);
    if !ledger_ok {
        bail!("ledger invariants violated");
    }
    Ok(())
}

/// Whether the node records the request log: on unless `ANTON_REQUEST_LOG__ENABLED=false`.
pub(crate) fn request_log_enabled() -> bool {
    std::env::var("ANTON_REQUEST_LOG__ENABLED").map_or(true, |v| v != "false")
}

/// The bench's merchants: each with raised limits, a funded balance, a key and one recipient.
pub(crate) async fn bench_merchants(
    store: &anton_store::Store,
    secrets: &anton_engine::Secrets,
    client: &reqwest::Client,
    base: &str,
    merchants: usize,
) -> anyhow::Result<(Vec<Target>, Vec<Tenant>)> {
    let mut targets = Vec::new();
    let mut tenants = Vec::new();
    for i in 0..merchants {
        let m = operator::create_merchant(store, &format!("bench merchant {i}")).await?;
        operator::set_rate_limits(
            store,
            &m.id,
            1_000_000,
            1_000_000,
            &anton_engine::audit::Actor::operator(),
        )
        .await?;
        let tenant = Tenant::new(m.id.clone(), Environment::Test);
        operator::fund(
            store,
            &tenant,
            Currency::Usd,
            Amount::new(Amount::MAX_MINOR)?,
            &anton_engine::audit::Actor::operator(),
        )
        .await?;
        let spec = operator::KeySpec {
            merchant_id: m.id.clone(),
            env: Environment::Test,
            scopes: None,
            expires_in: None,
            allowed_cidrs: vec![],
            name: "bench".into(),
            created_by: "bench".into(),
        };
        let (_, key) = operator::create_key(
            store,
            secrets,
            &spec,
            &anton_engine::audit::Actor::operator(),
        )
        .await?;
        let resp: serde_json::Value = client
            .post(format!("{base}/v1/recipients"))
            .bearer_auth(key.expose_secret())
            .json(&json!({"name": "Bench Recipient", "bank_account": {"type": "us_ach", "routing_number": "110000000", "account_number": "000123456789", "account_type": "checking"}}))
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        targets.push(Target {
            key: key.expose_secret().to_owned(),
            recipient: resp["id"].as_str().unwrap_or_default().to_owned(),
        });
        tenants.push(tenant);
    }
    Ok((targets, tenants))
}

/// `connections` keep-alive clients creating payouts for `seconds` (at `rate`/s in all when set):
/// every latency of a success, the errors, and the seconds it took.
pub(crate) async fn drive(
    ca: &std::path::Path,
    bases: &[String],
    targets: Vec<Target>,
    connections: usize,
    rate: u64,
    seconds: u64,
) -> anyhow::Result<(Vec<Duration>, u64, f64)> {
    let nodes = bases.len();
    let targets = Arc::new(targets);
    let stop = Arc::new(AtomicBool::new(false));
    let started = Instant::now();
    let per_conn_interval =
        (rate > 0).then(|| Duration::from_secs_f64(connections as f64 / rate as f64));
    let mut tasks = Vec::new();
    for w in 0..connections {
        // One client per worker: its own keep-alive connection.
        let client = bench_client(ca)?;
        let (targets, stop, base) = (targets.clone(), stop.clone(), bases[w % nodes].clone());
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            let mut errors = 0u64;
            let mut n = 0u64;
            // Connections are staggered over one interval, so a steady rate arrives evenly
            // instead of in bursts of `connections` requests.
            let mut next = started
                + per_conn_interval.map_or(Duration::ZERO, |iv| iv * w as u32 / connections as u32);
            while !stop.load(Ordering::Relaxed) {
                if let Some(iv) = per_conn_interval {
                    next += iv;
                    tokio::time::sleep_until(next.into()).await;
                }
                let t = &targets[(w + n as usize) % targets.len()];
                n += 1;
                let t0 = Instant::now();
                let r = client
                    .post(format!("{base}/v1/payouts"))
                    .bearer_auth(&t.key)
                    .header("Idempotency-Key", format!("bench-{w}-{n}"))
                    .json(&json!({"amount": 100, "currency": "USD", "recipient": t.recipient}))
                    .send()
                    .await;
                match r {
                    Ok(resp) if resp.status().is_success() => {
                        let _ = resp.bytes().await;
                        lat.push(t0.elapsed());
                    }
                    _ => errors += 1,
                }
            }
            (lat, errors)
        }));
    }
    tokio::time::sleep(Duration::from_secs(seconds)).await;
    stop.store(true, Ordering::Relaxed);
    let mut lat = Vec::new();
    let mut errors = 0;
    for t in tasks {
        let (l, e) = t.await?;
        lat.extend(l);
        errors += e;
    }
    Ok((lat, errors, started.elapsed().as_secs_f64()))
}

/// The report of a payout run: the load `(connections, merchants, seconds, rate, nodes)`, the
/// sorted latencies of the successes, errors, duration and the ledger check.
fn payouts_report(
    backend_label: &str,
    (connections, merchants, seconds, rate, nodes): (usize, usize, u64, u64, usize),
    lat: &[Duration],
    errors: u64,
    elapsed: f64,
    ledger_ok: bool,
) -> anyhow::Result<String> {
    let pct = |p: f64| {
        lat.get(((lat.len() as f64 * p) as usize).min(lat.len().saturating_sub(1)))
            .map(|d| d.as_secs_f64() * 1000.0)
            .unwrap_or(0.0)
    };
    let throughput = lat.len() as f64 / elapsed;
    let mut out = String::new();
    writeln!(out, "\n## Payout creation — {backend_label}\n")?;
    writeln!(
        out,
        "- Machine: {} (server and load generator on the same cores)",
        machine()
    )?;
    writeln!(
        out,
        "- Date: {}",
        anton_core::time::Timestamp::from_unix_micros(anton_store::now_us()).to_rfc3339()
    )?;
    writeln!(
        out,
        "- Request log: {}",
        if request_log_enabled() {
            "on"
        } else {
            "off (ANTON_REQUEST_LOG__ENABLED=false)"
        }
    )?;
    writeln!(out, "- Load: {connections} HTTPS/1.1 keep-alive connections, {merchants} merchant(s), {seconds} s, target rate {}", if rate == 0 { "max".to_string() } else { format!("{rate}/s") })?;
    if nodes > 1 {
        writeln!(
            out,
            "- Nodes: {nodes} API nodes in one process on one database, connections spread round-robin"
        )?;
    }
    writeln!(
        out,
        "- Payouts created: {} ({throughput:.0}/s), errors: {errors}",
        lat.len()
    )?;
    writeln!(
        out,
        "- Latency: p50 {:.2} ms, p90 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        pct(0.50),
        pct(0.90),
        pct(0.99),
        pct(1.0)
    )?;
    writeln!(
        out,
        "- Ledger invariants after the run: {}",
        if ledger_ok { "hold" } else { "VIOLATED" }
    )?;
    Ok(out)
}

/// An in-process HTTPS webhook receiver with a CA of its own (benchmarks, crash test): serves
/// `router` on 127.0.0.1 until dropped. Anton must trust `ca()` (`webhooks.extra_root_ca`).
pub(crate) struct LocalReceiver {
    pub port: u16,
    pub dir: PathBuf,
    _stop: tokio::sync::oneshot::Sender<()>,
}

impl LocalReceiver {
    pub(crate) async fn start(router: axum::Router) -> anyhow::Result<Self> {
        let dir = tempfile_dir()?;
        anton_server::tls::generate_local_ca(&dir, &["localhost"])?;
        let tls =
            anton_server::tls::server_config(&dir.join("server.pem"), &dir.join("server.key"))?;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let port = listener.local_addr()?.port();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        // A stand-in for many merchants' receivers: every connection the node's dispatcher opens
        // (endpoints x concurrency, all from 127.0.0.1) is admitted.
        let limits = anton_server::http::HttpConfig {
            max_connections: 1_000_000,
            max_connections_per_address: 1_000_000,
            ..anton_server::http::HttpConfig::default()
        };
        tokio::spawn(anton_server::http::serve(
            listener,
            Arc::new(tls),
            router,
            limits,
            async move {
                let _ = stopped.await;
            },
        ));
        Ok(Self {
            port,
            dir,
            _stop: stop,
        })
    }

    pub(crate) fn ca(&self) -> PathBuf {
        self.dir.join("ca.pem")
    }

    pub(crate) fn url(&self) -> String {
        format!("https://localhost:{}/hook", self.port)
    }
}

pub(crate) fn tempfile_dir() -> anyhow::Result<PathBuf> {
    let dir = std::env::temp_dir().join(format!("anton-bench-{}", anton_core::random_base62(8)));
    anton_server::private::directory(&dir)?;
    Ok(dir)
}

/// An HTTPS client that trusts exactly `ca` (plus nothing else) and verifies certificates.
pub fn bench_client(ca: &std::path::Path) -> anyhow::Result<reqwest::Client> {
    let pem = std::fs::read(ca)?;
    Ok(reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(&pem)?)
        .tls_built_in_root_certs(false)
        .http1_only()
        .pool_max_idle_per_host(1)
        .build()?)
}

fn rss_kib(pid: u32) -> anyhow::Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .context("no VmRSS in /proc status")
}

/// Kills the child server however the bench ends.
struct ChildServer(std::process::Child);

impl Drop for ChildServer {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

async fn open_connections(count: usize, report: &PathBuf) -> anyhow::Result<()> {
    let dir = tempfile_dir()?;
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let child = crate::anton_command()?
        .args(["serve", "--data-dir"])
        .arg(&dir)
        .arg("--listen")
        .arg(format!("127.0.0.1:{port}"))
        .env("ANTON_LOG", "warn")
        .env("ANTON_METRICS__LISTEN", "127.0.0.1:0")
        // Every connection comes from 127.0.0.1: the per-address limit must admit them all.
        .env(
            "ANTON_HTTP__MAX_CONNECTIONS_PER_ADDRESS",
            (count + 16).to_string(),
        )
        .env(
            "ANTON_HTTP__MAX_CONNECTIONS",
            (count + 16).max(4096).to_string(),
        )
        .stdout(std::process::Stdio::null())
        .spawn()
        .context("starting anton serve")?;
    let server = ChildServer(child);
    let pid = server.0.id();
    let ca = dir.join("tls/ca.pem");
    let base = format!("https://localhost:{port}");
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if ca.exists() {
            if let Ok(r) = bench_client(&ca)?
                .get(format!("{base}/healthz"))
                .send()
                .await
            {
                if r.status().is_success() {
                    break;
                }
            }
        }
        if Instant::now() > deadline {
            bail!("the server did not start");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let idle_rss = rss_kib(pid)?;
    // Each client holds one connection; keep them all alive until the measurement.
    let mut clients = Vec::with_capacity(count);
    let mut tasks = Vec::new();
    for _ in 0..count {
        let c = bench_client(&ca)?;
        let url = format!("{base}/healthz");
        let c2 = c.clone();
        tasks.push(tokio::spawn(async move {
            c2.get(url).send().await.map(|r| r.status().is_success())
        }));
        clients.push(c);
        if tasks.len() % 100 == 0 {
            tokio::time::sleep(Duration::from_millis(10)).await; // do not overflow the accept backlog
        }
    }
    let mut ok = 0;
    for t in tasks {
        if matches!(t.await, Ok(Ok(true))) {
            ok += 1;
        }
    }
    let loaded_rss = rss_kib(pid)?;
    let mut out = String::new();
    writeln!(out, "\n## Server memory with open connections\n")?;
    writeln!(out, "- Machine: {}", machine())?;
    writeln!(
        out,
        "- Date: {}",
        anton_core::time::Timestamp::from_unix_micros(anton_store::now_us()).to_rfc3339()
    )?;
    writeln!(out, "- `anton serve` (embedded default, SQLite) as its own process; {ok} of {count} TLS keep-alive connections open and idle after one request each")?;
    writeln!(
        out,
        "- RSS: {:.1} MiB before, {:.1} MiB with the connections open ({:.1} KiB per connection)",
        idle_rss as f64 / 1024.0,
        loaded_rss as f64 / 1024.0,
        (loaded_rss.saturating_sub(idle_rss)) as f64 / count.max(1) as f64
    )?;
    print!("{out}");
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(report)?;
    std::io::Write::write_all(&mut f, out.as_bytes())?;
    drop(clients);
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
