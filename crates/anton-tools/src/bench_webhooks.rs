//! `anton-tools bench webhooks`: webhook delivery throughput and event-to-delivery latency to a local
//! HTTPS receiver (its own CA, trusted through `webhooks.extra_root_ca`), in the same process.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anton_core::event::{EventType, NewEvent};
use anton_core::id::WebhookEndpointId;
use anton_core::keys::Environment;
use anton_core::money::{Amount, Currency};
use anton_core::signature::WebhookSecret;
use anton_core::time::Timestamp;
use anton_store::webhooks::EndpointRecord;
use anton_store::{now_us, Store, Tenant};
use anyhow::Context;
use axum::body::Bytes;
use axum::extract::State;
use axum::routing::post;
use axum::Router;
use serde_json::json;

use crate::bench::{
    bench_client, database_url, drop_database, machine, tempfile_dir, LocalReceiver, MachineCpu,
};
use anton_engine::operator;
use anton_server::config::Config;
use anton_server::startup::Application;

#[derive(Default)]
struct Received {
    count: AtomicU64,
    /// Record (payout id, arrival) for the latency phase.
    record: AtomicBool,
    arrivals: Mutex<Vec<(String, Instant)>>,
}

async fn hook(State(r): State<Arc<Received>>, body: Bytes) -> &'static str {
    r.count.fetch_add(1, Ordering::Relaxed);
    if r.record.load(Ordering::Relaxed) {
        let at = Instant::now();
        if let Ok(v) = serde_json::from_slice::<serde_json::Value>(&body) {
            if let Some(id) = v["data"]["object"]["id"].as_str() {
                r.arrivals
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .push((id.to_owned(), at));
            }
        }
    }
    "ok"
}

pub async fn run(
    backend: &str,
    endpoints: usize,
    events: usize,
    rate: u64,
    seconds: u64,
    nodes: usize,
    report: &PathBuf,
) -> anyhow::Result<()> {
    if nodes > 1 && backend == "sqlite" {
        anyhow::bail!("--nodes > 1 needs PostgreSQL (SQLite is one node)");
    }
    let received = Arc::new(Received::default());
    let receiver = LocalReceiver::start(
        Router::new()
            .route("/hook", post(hook))
            .with_state(received.clone()),
    )
    .await?;

    let dir = tempfile_dir()?;
    let (url, backend_label, pg_database) = database_url(backend, &dir, "anton_bench").await?;
    let config = node_config(&dir, url, &receiver)?;
    let concurrency = config.webhooks.max_concurrency_per_endpoint;
    let app = Application::build(config.clone()).await?;
    let addr = app.local_addr();
    let ca = app
        .generated_ca()
        .cloned()
        .context("the bench uses the generated CA")?;
    let store = app.engine().store().clone();
    let secrets = app.engine().secrets().clone();
    let merchant = operator::create_merchant(&store, "webhook bench").await?;
    let tenant = Tenant::new(merchant.id.clone(), Environment::Test);
    operator::set_rate_limits(
        &store,
        &merchant.id,
        1_000_000,
        1_000_000,
        &anton_engine::audit::Actor::operator(),
    )
    .await?;
    seed(
        &store,
        &secrets,
        &tenant,
        endpoints,
        events,
        &receiver.url(),
    )
    .await?;
    store.refresh_statistics().await?;
    let extra_stops = start_workers(&config, nodes).await?;
    let (stop_node, stop_node_rx) = tokio::sync::oneshot::channel::<()>();
    let cpu0 = MachineCpu::now();
    let t0 = Instant::now();
    let node = tokio::spawn(app.run_until_stopped(async move {
        let _ = stop_node_rx.await;
    }));
    until_received(&received, (events * endpoints) as u64).await?;
    let drain = t0.elapsed().as_secs_f64();
    let cpu = cpu0.zip(MachineCpu::now()).map(|(a, b)| b.since(a));

    // Phase 2: payouts through the API at a steady rate; latency per delivery.
    let latency = if rate > 0 {
        let base = format!("https://localhost:{}", addr.port());
        let steady = Steady {
            store: &store,
            secrets: &secrets,
            tenant: &tenant,
            ca: &ca,
            base,
            received: &received,
            endpoints,
        };
        Some(steady.run(rate, seconds).await?)
    } else {
        None
    };

    let out = report_text(
        backend_label,
        (endpoints, concurrency, nodes, events, rate, seconds),
        drain,
        cpu,
        latency,
    )?;
    print!("{out}");
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(report)?;
    std::io::Write::write_all(&mut f, out.as_bytes())?;
    stop_all((stop_node, node), extra_stops).await;
    let recv_dir = receiver.dir.clone();
    drop(receiver);
    store.close().await;
    if let Some(name) = pg_database {
        drop_database(backend, &name).await;
    }
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_dir_all(&recv_dir);
    Ok(())
}

/// The endpoints (each subscribed to `payout.created`, at the receiver) and the backlog of
/// `events`, written before the dispatcher starts.
async fn seed(
    store: &Store,
    secrets: &anton_engine::Secrets,
    tenant: &Tenant,
    endpoints: usize,
    events: usize,
    url: &str,
) -> anyhow::Result<()> {
    for _ in 0..endpoints {
        let secret = WebhookSecret::generate();
        let now = now_us();
        let record = EndpointRecord {
            id: WebhookEndpointId::generate(),
            url: url.to_owned(),
            enabled_events: "[\"payout.created\"]".into(),
            description: None,
            status: "enabled".into(),
            secret_ciphertext: secrets.keyring.encrypt(
                secret.expose_secret().as_bytes(),
                tenant.merchant_id.as_str().as_bytes(),
            ),
            previous_secret_ciphertext: None,
            previous_expires_us: None,
            failing_since_us: None,
            created_us: now,
            updated_us: now,
            signature_scheme: "hmac_sha256".into(),
            public_key: None,
        };
        let t = tenant.clone();
        store
            .write(move |c| {
                Box::pin(
                    async move { anton_store::webhooks::insert_endpoint(c, &t, &record).await },
                )
            })
            .await?;
    }
    // Phase 1: a backlog of events, written before the dispatcher starts.
    for start in (0..events).step_by(1000) {
        let n = (events - start).min(1000);
        let t = tenant.clone();
        store
            .write(move |c| {
                Box::pin(async move {
                    for i in start..start + n {
                        let ev = NewEvent::new(
                            EventType::PayoutCreated,
                            Environment::Test,
                            Timestamp::from_unix_micros(now_us()),
                            &format!("po_bench{i}"),
                            json!({"id": format!("po_bench{i}"), "object": "payout", "amount": 100, "currency": "usd"}),
                            None,
                        );
                        anton_store::events::insert(c, &t, &ev).await?;
                    }
                    Ok(())
                })
            })
            .await?;
    }
    Ok(())
}

/// Phase 2: payouts through the API at a steady rate, and each delivery's latency from the
/// acknowledgement of its payout's creation.
struct Steady<'a> {
    store: &'a Store,
    secrets: &'a anton_engine::Secrets,
    tenant: &'a Tenant,
    ca: &'a std::path::Path,
    base: String,
    received: &'a Received,
    endpoints: usize,
}

/// Payouts acknowledged, deliveries measured, p50, p99 and max latency (ms).
type Latency = (usize, usize, f64, f64, f64);

impl Steady<'_> {
    /// A key for the merchant, a funded balance and a recipient to pay: the key and the
    /// recipient's id.
    async fn payer(&self) -> anyhow::Result<(String, String)> {
        let key = operator::create_key(
            self.store,
            self.secrets,
            &operator::KeySpec {
                merchant_id: self.tenant.merchant_id.clone(),
                env: Environment::Test,
                scopes: None,
                expires_in: None,
                allowed_cidrs: vec![],
                name: "bench".into(),
                created_by: "bench".into(),
            },
            &anton_engine::audit::Actor::operator(),
        )
        .await?
        .1
        .expose_secret()
        .to_owned();
        operator::fund(
            self.store,
            self.tenant,
            Currency::Usd,
            Amount::new(Amount::MAX_MINOR)?,
            &anton_engine::audit::Actor::operator(),
        )
        .await?;
        let client = bench_client(self.ca)?;
        let recipient: serde_json::Value = client
            .post(format!("{}/v1/recipients", self.base))
            .bearer_auth(&key)
            .json(&json!({"name": "Bench Recipient", "bank_account": {"type": "us_ach", "routing_number": "110000000", "account_number": "000123456789", "account_type": "checking"}}))
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        let recipient = recipient["id"].as_str().unwrap_or_default().to_owned();
        Ok((key, recipient))
    }

    /// Each delivery's latency from its payout's acknowledgement (`acked`: payout id → when):
    /// the figures of [`Latency`].
    fn latency(&self, acked: &std::collections::HashMap<String, Instant>) -> Latency {
        let mut lat: Vec<f64> = self
            .received
            .arrivals
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .filter_map(|(id, at)| {
                acked
                    .get(id)
                    .map(|ack| at.saturating_duration_since(*ack).as_secs_f64() * 1000.0)
            })
            .collect();
        lat.sort_by(f64::total_cmp);
        let pct = |p: f64| {
            lat.get(((lat.len() as f64 * p) as usize).min(lat.len().saturating_sub(1)))
                .copied()
                .unwrap_or(0.0)
        };
        (acked.len(), lat.len(), pct(0.5), pct(0.99), pct(1.0))
    }

    async fn run(&self, rate: u64, seconds: u64) -> anyhow::Result<Latency> {
        let (key, recipient) = self.payer().await?;
        self.received.record.store(true, Ordering::Relaxed);
        let before = self.received.count.load(Ordering::Relaxed);
        let connections = 16usize;
        let interval = Duration::from_secs_f64(connections as f64 / rate as f64);
        let started = Instant::now();
        let acks: Arc<Mutex<Vec<(String, Instant)>>> = Arc::default();
        let mut tasks = Vec::new();
        for w in 0..connections {
            let (client, base, key, recipient, acks) = (
                bench_client(self.ca)?,
                self.base.clone(),
                key.clone(),
                recipient.clone(),
                acks.clone(),
            );
            tasks.push(tokio::spawn(async move {
                let mut next = started + interval * w as u32 / connections as u32;
                while started.elapsed() < Duration::from_secs(seconds) {
                    next += interval;
                    tokio::time::sleep_until(next.into()).await;
                    let r = client
                        .post(format!("{base}/v1/payouts"))
                        .bearer_auth(&key)
                        .json(&json!({"amount": 1, "currency": "USD", "recipient": recipient}))
                        .send()
                        .await;
                    if let Ok(r) = r {
                        let at = Instant::now();
                        if let Ok(v) = r.json::<serde_json::Value>().await {
                            if let Some(id) = v["id"].as_str() {
                                acks.lock()
                                    .unwrap_or_else(|p| p.into_inner())
                                    .push((id.to_owned(), at));
                            }
                        }
                    }
                }
            }));
        }
        for t in tasks {
            t.await?;
        }
        let acked: std::collections::HashMap<String, Instant> = acks
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .cloned()
            .collect();
        let want = before + (acked.len() * self.endpoints) as u64;
        let deadline = Instant::now() + Duration::from_secs(120);
        while self.received.count.load(Ordering::Relaxed) < want && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        Ok(self.latency(&acked))
    }
}

/// The report: the setup `(endpoints, concurrency, nodes, events, rate, seconds)`, the backlog's
/// duration and CPU, and the steady phase's latency.
fn report_text(
    backend_label: &str,
    (endpoints, concurrency, nodes, events, rate, seconds): (usize, u32, usize, usize, u64, u64),
    drain: f64,
    cpu: Option<(f64, f64)>,
    latency: Option<Latency>,
) -> anyhow::Result<String> {
    let expected = (events * endpoints) as u64;
    let mut out = String::new();
    writeln!(out, "\n## Webhook delivery — {backend_label}\n")?;
    writeln!(
        out,
        "- Machine: {} (server, receiver and load generator on the same cores)",
        machine()
    )?;
    writeln!(
        out,
        "- Date: {}",
        Timestamp::from_unix_micros(now_us()).to_rfc3339()
    )?;
    writeln!(
        out,
        "- Endpoints: {endpoints} (each subscribed to payout.created), {concurrency} concurrent requests per endpoint, HTTPS/1.1 keep-alive, signed with both header sets"
    )?;
    if nodes > 1 {
        writeln!(
            out,
            "- Nodes: {nodes} dispatchers in one process on one database"
        )?;
    }
    writeln!(
        out,
        "- Backlog: {events} events → {expected} deliveries in {drain:.2} s: **{:.0} deliveries/s** ({:.0} events/s)",
        expected as f64 / drain,
        events as f64 / drain
    )?;
    if let Some((cpu_s, share)) = cpu {
        writeln!(
            out,
            "- Machine CPU during the backlog: {:.0}% busy, {:.0} µs of CPU per delivery (node, receiver and database together)",
            share * 100.0,
            cpu_s * 1e6 / expected.max(1) as f64
        )?;
    }
    if let Some((acked, delivered, p50, p99, max)) = latency {
        writeln!(
            out,
            "- Steady {rate} events/s for {seconds} s: {acked} payouts, {delivered} deliveries measured; event-to-delivery p50 {p50:.1} ms, p99 {p99:.1} ms, max {max:.1} ms"
        )?;
    }
    Ok(out)
}

/// A stopper of a running node: send to stop it, then await its task.
type Running = (
    tokio::sync::oneshot::Sender<()>,
    tokio::task::JoinHandle<anyhow::Result<()>>,
);

/// `nodes - 1` more dispatchers (worker nodes) on the same database, started now.
async fn start_workers(config: &Config, nodes: usize) -> anyhow::Result<Vec<Running>> {
    let mut extra = Vec::new();
    for _ in 1..nodes {
        let mut c = config.clone();
        c.role = anton_server::config::Role::Worker;
        extra.push(Application::build(c).await?);
    }
    let mut extra_stops: Vec<Running> = Vec::new();
    for node in extra {
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        extra_stops.push((
            tx,
            tokio::spawn(node.run_until_stopped(async move {
                let _ = rx.await;
            })),
        ));
    }
    Ok(extra_stops)
}

/// Waits (at most 600 s) until the receiver has counted `expected` deliveries.
async fn until_received(received: &Received, expected: u64) -> anyhow::Result<()> {
    let deadline = Instant::now() + Duration::from_secs(600);
    while received.count.load(Ordering::Relaxed) < expected {
        if Instant::now() > deadline {
            anyhow::bail!(
                "only {} of {expected} deliveries arrived within 600 s",
                received.count.load(Ordering::Relaxed)
            );
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    Ok(())
}

/// The node: dispatcher on, the rail idle (it would add events and writes of its own), the
/// receiver trusted and allowed, no per-endpoint rate limit in the way.
pub(crate) fn node_config(
    dir: &std::path::Path,
    url: String,
    receiver: &LocalReceiver,
) -> anyhow::Result<Config> {
    let mut config = Config {
        data_dir: dir.to_path_buf(),
        listen: "127.0.0.1:0".parse()?,
        database_url: Some(url),
        metrics: anton_server::config::MetricsConfig {
            listen: ([127, 0, 0, 1], 0).into(),
            ..Default::default()
        },
        ..Config::default()
    };
    config.simulator.processing_delay_ms = 3_600_000;
    config.webhooks.extra_root_ca = Some(receiver.ca());
    config.webhooks.allow_private = vec!["localhost".into()];
    config.webhooks.rate_per_endpoint_per_s = 1_000_000;
    Ok(config)
}

/// Stops the first node, then the others, each once its workers have finished.
async fn stop_all(first: Running, others: Vec<Running>) {
    for (tx, handle) in std::iter::once(first).chain(others) {
        let _ = tx.send(());
        let _ = handle.await;
    }
}
