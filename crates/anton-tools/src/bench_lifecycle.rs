//! `anton-tools bench lifecycle`: payouts through their whole life on a node as `anton serve`
//! runs it — creation over HTTPS, the rail (`pending → processing → paid`) and the webhook
//! dispatcher on, each merchant's HTTPS endpoint subscribed to every event (three deliveries per
//! payout) — against creation alone in the same run.
//!
//! Four phases, each on a fresh database, in this order:
//! 1. creation only (workers off), as fast as the clients go;
//! 2. the whole lifecycle, as fast as the clients go;
//! 3. creation only at `--rate` (default: half of phase 2's sustained lifecycle rate);
//! 4. the whole lifecycle at that rate.
//!
//! A lifecycle phase ends when the receiver has every payout's three deliveries (or after
//! `--drain-limit-s`, reported as not keeping up). Its **sustained rate** is the payouts it
//! created divided by the time from the first request to the last delivery, less the simulator's
//! configured delays (the fixed time a payout must wait however fast the node is): a node that
//! keeps up finishes one pipeline latency after the load stops, one that falls behind finishes
//! later and its rate drops accordingly. While it runs, a sampler reads the backlog once a second:
//! payouts whose next rail step is past due and payout events not yet delivered.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anton_store::{now_us, Store};
use anyhow::Context;
use axum::body::Bytes;
use axum::extract::State;
use axum::routing::post;
use axum::Router;
use serde_json::json;

use crate::bench::{
    bench_client, bench_merchants, database_url, drive, drop_database, machine, tempfile_dir,
    LocalReceiver, MachineCpu, Target,
};
use anton_server::startup::Application;

/// The command's options (see `anton-tools bench lifecycle --help`).
#[derive(clap::Args, Clone)]
pub struct LifecycleArgs {
    /// `sqlite` or a `postgres://…` server URL (a new database is created on it per phase).
    #[arg(long, default_value = "sqlite")]
    pub backend: String,
    /// Concurrent keep-alive connections of the load generator.
    #[arg(long, default_value_t = 64)]
    pub connections: usize,
    /// Seconds of load per phase.
    #[arg(long, default_value_t = 10)]
    pub seconds: u64,
    /// Merchants the load is spread over, each with its own balance and endpoint.
    #[arg(long, default_value_t = 1)]
    pub merchants: usize,
    /// Rate of phases 3 and 4 in payouts/s (default: half of phase 2's sustained rate).
    #[arg(long)]
    pub rate: Option<u64>,
    /// The simulator's pending → processing delay.
    #[arg(long, default_value_t = 500)]
    pub processing_delay_ms: u64,
    /// The simulator's processing → paid delay.
    #[arg(long, default_value_t = 500)]
    pub settle_delay_ms: u64,
    /// How often the rail looks for due payouts (the product's default: 250).
    #[arg(long, default_value_t = 250)]
    pub poll_interval_ms: u64,
    /// How long a lifecycle phase may take after its load stops before it counts as not
    /// keeping up.
    #[arg(long, default_value_t = 120)]
    pub drain_limit_s: u64,
    /// Append the report to this Markdown file.
    #[arg(long, default_value = "bench-report.md")]
    pub report: PathBuf,
}

/// What the receiver saw: every payout delivery with its event id, whether it was the
/// `payout.paid` one, its payout's id and its arrival (Unix µs, the node's clock).
#[derive(Default)]
struct Received {
    count: AtomicU64,
    arrivals: Mutex<Vec<Arrival>>,
}

struct Arrival {
    event: String,
    paid: bool,
    payout: String,
    at_us: i64,
}

async fn hook(State(r): State<Arc<Received>>, body: Bytes) -> &'static str {
    let at_us = now_us();
    let Ok(v) = serde_json::from_slice::<serde_json::Value>(&body) else {
        return "ok";
    };
    let kind = v["type"].as_str().unwrap_or_default();
    if !kind.starts_with("payout.") {
        return "ok"; // the setup's recipient.created
    }
    let arrival = Arrival {
        event: v["id"].as_str().unwrap_or_default().to_owned(),
        paid: kind == "payout.paid",
        payout: v["data"]["object"]["id"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
        at_us,
    };
    r.arrivals
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .push(arrival);
    r.count.fetch_add(1, Ordering::Relaxed);
    "ok"
}

#[derive(Clone, Copy, PartialEq)]
enum Mode {
    CreationOnly,
    Lifecycle,
}

/// One phase's figures.
struct Phase {
    mode: Mode,
    rate: u64,
    /// Creation latencies of the successes, sorted.
    creation: Vec<Duration>,
    errors: u64,
    load_s: f64,
    /// Machine CPU seconds per payout (node, receiver, load generator and database together) and
    /// the machine's busy share: over the load, and for a lifecycle phase until its last delivery.
    cpu: Option<(f64, f64)>,
    life: Option<Life>,
    ledger_ok: bool,
}

/// What a lifecycle phase adds.
struct Life {
    /// Payouts/s over the whole phase, less the configured delays (module docs).
    sustained: f64,
    /// From the end of the load to the last delivery.
    drain_s: f64,
    kept_up: bool,
    /// Largest sample of (overdue payouts, undelivered payout events).
    backlog_max: (i64, i64),
    /// Sorted milliseconds: creation → paid (the rail's step), creation → `payout.paid` at the
    /// receiver, event → delivery (every payout event).
    to_paid: Vec<f64>,
    to_paid_webhook: Vec<f64>,
    event_to_delivery: Vec<f64>,
}

pub async fn run(args: LifecycleArgs) -> anyhow::Result<()> {
    let args = LifecycleArgs {
        merchants: args.merchants.max(1),
        connections: args.connections.max(1),
        ..args
    };
    let creation_max = phase(&args, Mode::CreationOnly, 0).await?;
    let life_max = phase(&args, Mode::Lifecycle, 0).await?;
    let sustained = life_max.life.as_ref().map_or(0.0, |l| l.sustained);
    let rate = args.rate.unwrap_or((sustained / 2.0) as u64).max(1);
    let creation_half = phase(&args, Mode::CreationOnly, rate).await?;
    let life_half = phase(&args, Mode::Lifecycle, rate).await?;
    let phases = [creation_max, life_max, creation_half, life_half];
    let out = report(&args, &phases)?;
    print!("{out}");
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&args.report)?;
    std::io::Write::write_all(&mut f, out.as_bytes())?;
    if phases.iter().any(|p| !p.ledger_ok) {
        anyhow::bail!("ledger invariants violated");
    }
    Ok(())
}

/// Runs one phase on a fresh node and database, and cleans up after it.
async fn phase(args: &LifecycleArgs, mode: Mode, rate: u64) -> anyhow::Result<Phase> {
    let received = Arc::new(Received::default());
    let receiver = LocalReceiver::start(
        Router::new()
            .route("/hook", post(hook))
            .with_state(received.clone()),
    )
    .await?;
    let dir = tempfile_dir()?;
    let (url, _, pg_database) = database_url(&args.backend, &dir, "anton_bench").await?;
    let mut config = crate::bench_webhooks::node_config(&dir, url, &receiver)?;
    config.simulator.processing_delay_ms = args.processing_delay_ms;
    config.simulator.settle_delay_ms = args.settle_delay_ms;
    config.simulator.poll_interval_ms = args.poll_interval_ms;
    config.workers = mode == Mode::Lifecycle;
    let app = Application::build(config).await?;
    let ca = app
        .generated_ca()
        .cloned()
        .context("the bench uses the generated CA")?;
    let base = format!("https://localhost:{}", app.local_addr().port());
    let store = app.engine().store().clone();
    let secrets = app.engine().secrets().clone();
    let (stop_node, stopped) = tokio::sync::oneshot::channel::<()>();
    let node = tokio::spawn(app.run_until_stopped(async move {
        let _ = stopped.await;
    }));
    let client = bench_client(&ca)?;
    let (targets, tenants) =
        bench_merchants(&store, &secrets, &client, &base, args.merchants).await?;
    if mode == Mode::Lifecycle {
        subscribe(&client, &base, &targets, &receiver.url()).await?;
    }
    let result = measure(args, mode, rate, (&store, &ca, &base), targets, &received).await;

    let mut ledger_ok = true;
    for t in &tenants {
        if let Err(v) = anton_store::ledger::check_invariants(store.read(), t).await? {
            ledger_ok = false;
            eprintln!("ledger violation: {v}");
        }
    }
    let _ = stop_node.send(());
    let _ = node.await;
    store.close().await;
    if let Some(name) = pg_database {
        drop_database(&args.backend, &name).await;
    }
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_dir_all(&receiver.dir);
    let mut phase = result?;
    phase.ledger_ok = ledger_ok;
    Ok(phase)
}

/// Each merchant's endpoint at the receiver, subscribed to every event, created through the API.
async fn subscribe(
    client: &reqwest::Client,
    base: &str,
    targets: &[Target],
    url: &str,
) -> anyhow::Result<()> {
    for t in targets {
        client
            .post(format!("{base}/v1/webhook_endpoints"))
            .bearer_auth(&t.key)
            .json(&json!({"url": url, "enabled_events": ["*"]}))
            .send()
            .await?
            .error_for_status()
            .context("creating the bench's webhook endpoint")?;
    }
    Ok(())
}

/// The load, and for a lifecycle phase the wait for every delivery and the figures after it.
async fn measure(
    args: &LifecycleArgs,
    mode: Mode,
    rate: u64,
    (store, ca, base): (&Store, &std::path::Path, &str),
    targets: Vec<Target>,
    received: &Received,
) -> anyhow::Result<Phase> {
    let sampling = Arc::new(Mutex::new((0i64, 0i64)));
    let sampler = (mode == Mode::Lifecycle).then(|| {
        let (store, sampling) = (store.clone(), sampling.clone());
        tokio::spawn(sample_backlog(store, sampling))
    });
    let cpu0 = MachineCpu::now();
    let started = Instant::now();
    let bases = [base.to_owned()];
    let (mut creation, errors, load_s) =
        drive(ca, &bases, targets, args.connections, rate, args.seconds).await?;
    creation.sort();
    let per_payout = |cpu0: Option<MachineCpu>, n: usize| {
        cpu0.zip(MachineCpu::now()).map(|(a, b)| {
            let (seconds, share) = b.since(a);
            (seconds / n.max(1) as f64, share)
        })
    };
    let mut phase = Phase {
        mode,
        rate,
        cpu: per_payout(cpu0, creation.len()),
        creation,
        errors,
        load_s,
        life: None,
        ledger_ok: true,
    };
    if mode == Mode::CreationOnly {
        return Ok(phase);
    }
    let load_end = Instant::now();
    let want = phase.creation.len() as u64 * 3;
    let deadline = load_end + Duration::from_secs(args.drain_limit_s);
    while received.count.load(Ordering::Relaxed) < want && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let kept_up = received.count.load(Ordering::Relaxed) >= want;
    let done = Instant::now();
    phase.cpu = per_payout(cpu0, phase.creation.len());
    if let Some(s) = sampler {
        s.abort();
    }
    let delays = Duration::from_millis(args.processing_delay_ms + args.settle_delay_ms);
    let busy = done.duration_since(started).saturating_sub(delays);
    let (to_paid, to_paid_webhook, event_to_delivery) = latencies(store, received).await?;
    let backlog_max = *sampling.lock().unwrap_or_else(|p| p.into_inner());
    phase.life = Some(Life {
        sustained: phase.creation.len() as f64 / busy.as_secs_f64().max(load_s),
        drain_s: done.duration_since(load_end).as_secs_f64(),
        kept_up,
        backlog_max,
        to_paid,
        to_paid_webhook,
        event_to_delivery,
    });
    Ok(phase)
}

/// Once a second until aborted: the payouts whose next rail step is past due and the payout
/// events not yet delivered (every endpoint is at the receiver, one per merchant); keeps the
/// largest of each in `max`.
async fn sample_backlog(store: Store, max: Arc<Mutex<(i64, i64)>>) {
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    loop {
        tick.tick().await;
        let row: Result<(i64, i64), sqlx::Error> = sqlx::query_as(
            "SELECT (SELECT count(*) FROM payouts WHERE rail_due_us IS NOT NULL AND rail_due_us < $1), \
                    (SELECT count(*) FROM events WHERE fanout_us IS NULL) \
                    + (SELECT count(*) FROM webhook_deliveries WHERE next_attempt_us IS NOT NULL)",
        )
        .bind(now_us())
        .fetch_one(store.read())
        .await;
        if let Ok((overdue, undelivered)) = row {
            let mut m = max.lock().unwrap_or_else(|p| p.into_inner());
            *m = (m.0.max(overdue), m.1.max(undelivered));
        }
    }
}

/// Sorted milliseconds of creation → paid (the database's step time), creation → `payout.paid`
/// at the receiver, and event → delivery for every payout event.
async fn latencies(
    store: &Store,
    received: &Received,
) -> anyhow::Result<(Vec<f64>, Vec<f64>, Vec<f64>)> {
    let payouts: Vec<(String, i64, i64, String)> =
        sqlx::query_as("SELECT id, created_us, updated_us, status FROM payouts")
            .fetch_all(store.read())
            .await?;
    let events: HashMap<String, i64> =
        sqlx::query_as::<_, (String, i64)>("SELECT id, created_us FROM events")
            .fetch_all(store.read())
            .await?
            .into_iter()
            .collect();
    let ms = |us: i64| us as f64 / 1000.0;
    let created: HashMap<&str, i64> = payouts
        .iter()
        .map(|(id, c, _, _)| (id.as_str(), *c))
        .collect();
    let mut to_paid: Vec<f64> = payouts
        .iter()
        .filter(|(_, _, _, s)| s == "paid")
        .map(|(_, c, u, _)| ms(u - c))
        .collect();
    let arrivals = received.arrivals.lock().unwrap_or_else(|p| p.into_inner());
    let mut to_paid_webhook: Vec<f64> = arrivals
        .iter()
        .filter(|a| a.paid)
        .filter_map(|a| created.get(a.payout.as_str()).map(|c| ms(a.at_us - c)))
        .collect();
    let mut event_to_delivery: Vec<f64> = arrivals
        .iter()
        .filter_map(|a| events.get(&a.event).map(|c| ms(a.at_us - c)))
        .collect();
    for v in [&mut to_paid, &mut to_paid_webhook, &mut event_to_delivery] {
        v.sort_by(f64::total_cmp);
    }
    Ok((to_paid, to_paid_webhook, event_to_delivery))
}

fn pct(sorted: &[f64], p: f64) -> f64 {
    sorted
        .get(((sorted.len() as f64 * p) as usize).min(sorted.len().saturating_sub(1)))
        .copied()
        .unwrap_or(0.0)
}

fn creation_ms(p: &Phase) -> Vec<f64> {
    p.creation
        .iter()
        .map(|d| d.as_secs_f64() * 1000.0)
        .collect()
}

/// The Markdown report: a table of the four phases and the three ratios the targets are about.
fn report(args: &LifecycleArgs, phases: &[Phase; 4]) -> anyhow::Result<String> {
    let label = if args.backend == "sqlite" {
        "SQLite (WAL, synchronous=FULL)"
    } else {
        "PostgreSQL (synchronous_commit=on)"
    };
    let mut out = String::new();
    writeln!(out, "\n## Payout lifecycle — {label}\n")?;
    writeln!(
        out,
        "- Machine: {} (node, receiver, load generator and database on the same cores)",
        machine()
    )?;
    writeln!(
        out,
        "- Date: {}",
        anton_core::time::Timestamp::from_unix_micros(now_us()).to_rfc3339()
    )?;
    writeln!(
        out,
        "- Load: {} HTTPS/1.1 keep-alive connections, {} merchant(s) (each its own balance and an endpoint subscribed to every event), {} s per phase; simulator delays {} ms + {} ms, rail poll every {} ms",
        args.connections, args.merchants, args.seconds, args.processing_delay_ms, args.settle_delay_ms, args.poll_interval_ms
    )?;
    writeln!(out)?;
    writeln!(out, "| phase | rate | created/s | errors | creation p50 / p99 ms | lifecycle payouts/s | creation→paid p50 / p99 ms | creation→`payout.paid` received p50 / p99 ms | event→delivery p50 / p99 ms | largest backlog (overdue payouts / undelivered) | drain after load | machine CPU per payout |")?;
    writeln!(out, "|---|---|---|---|---|---|---|---|---|---|---|---|")?;
    for p in phases {
        row(&mut out, p)?;
    }
    let sustained = |p: &Phase| p.life.as_ref().map_or(0.0, |l| l.sustained);
    let created_per_s = |p: &Phase| p.creation.len() as f64 / p.load_s;
    let p99 = |p: &Phase| pct(&creation_ms(p), 0.99);
    writeln!(out)?;
    writeln!(
        out,
        "- Sustained lifecycle ÷ creation-only, at the maximum: **{:.2}** (target ≥ 0.8)",
        sustained(&phases[1]) / created_per_s(&phases[0]).max(1e-9)
    )?;
    writeln!(
        out,
        "- Creation p99 with the workers on ÷ creation only, at {} payouts/s: **{:.2}** (target ≤ 2)",
        phases[3].rate,
        p99(&phases[3]) / p99(&phases[2]).max(1e-9)
    )?;
    if let Some(l) = &phases[3].life {
        writeln!(
            out,
            "- Creation→paid p99 at {} payouts/s: **{:.0} ms** (target ≤ delays + 1 s = {} ms)",
            phases[3].rate,
            pct(&l.to_paid, 0.99),
            args.processing_delay_ms + args.settle_delay_ms + 1000
        )?;
    }
    let ledger = phases.iter().all(|p| p.ledger_ok);
    writeln!(
        out,
        "- Ledger invariants after every phase: {}",
        if ledger { "hold" } else { "VIOLATED" }
    )?;
    Ok(out)
}

fn row(out: &mut String, p: &Phase) -> anyhow::Result<()> {
    let c = creation_ms(p);
    let name = match p.mode {
        Mode::CreationOnly => "creation only",
        Mode::Lifecycle => "lifecycle",
    };
    let rate = if p.rate == 0 {
        "max".to_owned()
    } else {
        format!("{}/s", p.rate)
    };
    write!(
        out,
        "| {name} | {rate} | {:.0} | {} | {:.1} / {:.1} |",
        p.creation.len() as f64 / p.load_s,
        p.errors,
        pct(&c, 0.5),
        pct(&c, 0.99)
    )?;
    let cpu = p.cpu.map_or("n/a".to_owned(), |(s, share)| {
        format!("{:.0} µs ({:.0}% busy)", s * 1e6, share * 100.0)
    });
    match &p.life {
        None => writeln!(out, " | | | | | | {cpu} |")?,
        Some(l) => writeln!(
            out,
            " {:.0}{} | {:.0} / {:.0} | {:.0} / {:.0} | {:.0} / {:.0} | {} / {} | {:.2} s | {cpu} |",
            l.sustained,
            if l.kept_up { "" } else { " (did not finish)" },
            pct(&l.to_paid, 0.5),
            pct(&l.to_paid, 0.99),
            pct(&l.to_paid_webhook, 0.5),
            pct(&l.to_paid_webhook, 0.99),
            pct(&l.event_to_delivery, 0.5),
            pct(&l.event_to_delivery, 0.99),
            l.backlog_max.0,
            l.backlog_max.1,
            l.drain_s,
        )?,
    }
    Ok(())
}
