//! `anton-tools crash-test`: proof that money and events survive crashes (issue 5,
//! docs/reference.md §9).
//!
//! Starts `anton serve` (the product's server code, run as this binary's `anton` command) as a
//! child process on a fresh database, drives concurrent payout creation with idempotency keys
//! while the rail settles payouts and the dispatcher delivers every event to a local HTTPS
//! receiver, kills the node with SIGKILL at random moments `--kills` times and restarts it,
//! retries every unacknowledged request with its own key, and then checks:
//!
//! - every acknowledged payout exists, exactly once, with the acknowledged id;
//! - each idempotency key produced at most one payout (every payout carries its key in metadata);
//! - the ledger invariants hold and no balance is negative;
//! - every event was delivered at least once to the endpoint;
//! - SQLite: `PRAGMA integrity_check` is `ok`.
//!
//! It prints its figures (kills, requests, payouts, losses, duplicates) and exits non-zero when a
//! check fails. CI runs 20 kills per backend; `--kills 500` is the soak.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anton_core::keys::Environment;
use anton_sdk::types::{ListParams, NewPayout, NewRecipient, NewWebhookEndpoint, PayoutStatus};
use anton_sdk::{Client, Error};
use anton_store::Tenant;
use anyhow::{bail, Context};
use axum::body::Bytes;
use axum::extract::State;
use axum::routing::post;
use axum::Router;
use futures_util::TryStreamExt;
use rand::{Rng, SeedableRng};

use crate::bench::{database_url, drop_database, tempfile_dir, LocalReceiver};
use anton_engine::operator;

/// Options of one run.
#[derive(clap::Args, Debug, Clone)]
pub struct CrashTest {
    /// `sqlite` or a `postgres://…` server URL (a fresh database is created on it and dropped).
    #[arg(long, default_value = "sqlite")]
    pub backend: String,
    /// How many times the node is killed with SIGKILL.
    #[arg(long, default_value_t = 20)]
    pub kills: usize,
    /// Concurrent clients creating payouts.
    #[arg(long, default_value_t = 8)]
    pub clients: usize,
    /// Random seed (kill moments, amounts); printed, so a failing run can be repeated.
    #[arg(long)]
    pub seed: Option<u64>,
}

#[derive(Default)]
struct Received {
    events: Mutex<HashSet<String>>,
    deliveries: AtomicU64,
}

async fn hook(State(r): State<Arc<Received>>, body: Bytes) -> &'static str {
    r.deliveries.fetch_add(1, Ordering::Relaxed);
    if let Ok(v) = serde_json::from_slice::<serde_json::Value>(&body) {
        if let Some(id) = v["id"].as_str() {
            r.events
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .insert(id.to_owned());
        }
    }
    "ok"
}

/// The node under test: `anton serve` in `dir`, restarted on the same port.
struct Node {
    dir: PathBuf,
    port: u16,
    db_url: String,
    child: Option<Child>,
}

impl Node {
    fn start(&mut self) -> anyhow::Result<()> {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.dir.join("server.log"))?;
        let child = crate::anton_command()?
            .arg("serve")
            .current_dir(&self.dir)
            .env("ANTON_LISTEN", format!("127.0.0.1:{}", self.port))
            .env("ANTON_METRICS__LISTEN", "127.0.0.1:0")
            .env("ANTON_DATABASE_URL", &self.db_url)
            .env("ANTON_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .context("starting anton serve")?;
        self.child = Some(child);
        Ok(())
    }

    fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill(); // SIGKILL
            let _ = c.wait();
        }
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        self.kill();
    }
}

async fn wait_ready(base: &str, ca: &Path) -> anyhow::Result<()> {
    let http = crate::bench::bench_client(ca)?;
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Ok(r) = http.get(format!("{base}/readyz")).send().await {
            if r.status().is_success() {
                return Ok(());
            }
        }
        if Instant::now() > deadline {
            bail!("the node did not become ready within 60 s");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// What the load generator saw.
#[derive(Default)]
struct Ledger {
    /// key → acknowledged payout id.
    acked: HashMap<String, String>,
    requests: u64,
    retried: u64,
}

pub async fn run(opts: CrashTest) -> anyhow::Result<()> {
    let seed = opts.seed.unwrap_or_else(|| rand::thread_rng().gen());
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let started = Instant::now();

    let received = Arc::new(Received::default());
    let receiver = LocalReceiver::start(
        Router::new()
            .route("/hook", post(hook))
            .with_state(received.clone()),
    )
    .await?;

    let dir = tempfile_dir()?;
    let (db_url, label, pg_database) = database_url(&opts.backend, &dir, "anton_crash").await?;
    let (mut node, base, ca) = start_node(&dir, &db_url, &receiver.ca()).await?;

    // A merchant, a key, a funded balance, a recipient and an endpoint for every event.
    let (store, secrets) = open_node_store(&dir, &db_url).await?;
    let (tenant, key) = crash_merchant(&store, &secrets).await?;
    let pem = std::fs::read(&ca)?;
    let client = |retries: u32| -> anyhow::Result<Client> {
        Ok(Client::builder(key.clone())
            .base_url(&base)
            .add_root_certificate_pem(&pem)?
            .timeout(Duration::from_secs(10))
            .max_retries(retries)
            .build()?)
    };
    let recipient = endpoint_balance_recipient(&client(10)?, &receiver.url()).await?;

    // The load: each client creates payouts, each with a fresh key, retrying a key until it is
    // acknowledged (through kills: connection errors, 503s).
    let ledger = Arc::new(Mutex::new(Ledger::default()));
    let stop = Arc::new(AtomicBool::new(false));
    let mut tasks = Vec::new();
    for w in 0..opts.clients {
        let amount_seed = seed.wrapping_add(w as u64);
        tasks.push(tokio::spawn(create_payouts(
            client(0)?,
            ledger.clone(),
            stop.clone(),
            recipient.clone(),
            w,
            amount_seed,
        )));
    }

    // The kills.
    kill_and_restart(&mut node, &mut rng, opts.kills, &base, &ca).await?;
    // Let the load run a little on the last incarnation, then stop it (every key resolves).
    tokio::time::sleep(Duration::from_millis(300)).await;
    stop.store(true, Ordering::Release);
    for t in tasks {
        t.await?;
    }

    // Everything settles: every payout leaves pending/processing, every event is delivered.
    let check = client(10)?;
    let (payouts, want, undelivered) = settle(&check, &received).await?;

    // The checks. (Every client has finished: the ledger is taken out of its mutex.)
    let l = std::mem::take(&mut *ledger.lock().unwrap_or_else(|e| e.into_inner()));
    let (lost, duplicates, unacked_payouts) = count(&l, &payouts);
    let ledger_ok = anton_store::ledger::check_invariants(store.read(), &tenant).await?;
    let negative = any_negative(&check).await?;

    // SQLite: the file after one last SIGKILL.
    drop(node);
    let integrity = match pg_database {
        None => Some(integrity_check(&store).await?),
        Some(_) => None,
    };
    let verdict = Verdict {
        lost,
        duplicates,
        unacked_payouts,
        undelivered,
        ledger_ok: ledger_ok.is_ok(),
        negative,
        integrity,
    };
    verdict.print(&opts, label, seed, started, &l, &payouts, &want, &received);

    store.close().await;
    if let Some(name) = &pg_database {
        drop_database(&opts.backend, name).await;
    }
    if verdict.failed() {
        bail!(
            "crash test FAILED (seed {seed}); the node's log is in {}",
            dir.display()
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_dir_all(&receiver.dir);
    println!("  result: ok");
    Ok(())
}

/// Writes the node's configuration (fast rail and retries, so that everything settles soon after
/// the last kill) into `dir`, starts it, and waits until it is ready: the node, its base URL and
/// its CA.
async fn start_node(
    dir: &Path,
    db_url: &str,
    receiver_ca: &Path,
) -> anyhow::Result<(Node, String, PathBuf)> {
    // The node's directory, database and configuration (fast rail and retries, so that
    // everything settles soon after the last kill).
    std::fs::write(
        dir.join("anton.toml"),
        format!(
            "[simulator]\nprocessing_delay_ms = 50\nsettle_delay_ms = 50\nreturn_delay_ms = 50\n\
             poll_interval_ms = 20\n\n[webhooks]\nextra_root_ca = \"{}\"\nallow_private = \
             [\"localhost\"]\ntimeout_ms = 2000\nretry_schedule_ms = [100, 200, 400, 800, 1000, \
             1000, 1000, 1000]\npoll_interval_ms = 20\n",
            receiver_ca.display()
        ),
    )?;
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let mut node = Node {
        dir: dir.to_path_buf(),
        port,
        db_url: db_url.to_owned(),
        child: None,
    };
    node.start()?;
    let base = format!("https://localhost:{port}");
    let ca = dir.join("anton-data/tls/ca.pem");
    let deadline = Instant::now() + Duration::from_secs(60);
    while !ca.exists() {
        if Instant::now() > deadline {
            bail!("the node did not write its CA");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    wait_ready(&base, &ca).await?;

    Ok((node, base, ca))
}

/// One client's load until `stop`: payouts of random amounts, each with a fresh key, retried
/// with that key until answered; what it saw goes to `ledger`.
async fn create_payouts(
    c: Client,
    ledger: Arc<Mutex<Ledger>>,
    stop: Arc<AtomicBool>,
    recipient: String,
    w: usize,
    amount_seed: u64,
) {
    let mut rng = rand::rngs::StdRng::seed_from_u64(amount_seed);
    let mut n = 0u64;
    while !stop.load(Ordering::Acquire) {
        n += 1;
        let key = format!("crash-{w}-{n}");
        let mut p = NewPayout::new(rng.gen_range(1..=10_000), "USD", recipient.as_str());
        p.metadata.insert("key".into(), key.clone());
        let mut tries = 0u64;
        loop {
            tries += 1;
            let r = c.payouts().create_with_key(&p, &key).await;
            let answered = {
                let mut l = ledger.lock().unwrap_or_else(|e| e.into_inner());
                l.requests += 1;
                if tries > 1 {
                    l.retried += 1;
                }
                match r {
                    Ok(payout) => {
                        l.acked.insert(key.clone(), payout.id);
                        true
                    }
                    // A refusal is an answer too: nothing was created for this key. Not a
                    // request still running under the key (409 `idempotency_error`) or a 429.
                    Err(Error::Api(e))
                        if e.status < 500
                            && !(e.status == 409
                                && e.kind == anton_sdk::ErrorType::Idempotency)
                            && e.status != 429 =>
                    {
                        true
                    }
                    Err(_) => false,
                }
            };
            if answered {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

/// Waits until every payout has left pending/processing and every event reached the endpoint
/// (or 180 s each): the payouts, the events' ids, and how many were never delivered.
async fn settle(
    check: &Client,
    received: &Received,
) -> anyhow::Result<(Vec<anton_sdk::types::Payout>, HashSet<String>, usize)> {
    let deadline = Instant::now() + Duration::from_secs(180);
    let payouts = loop {
        let all: Vec<_> = check
            .payouts()
            .list_all(ListParams::new())
            .try_collect()
            .await?;
        if all
            .iter()
            .all(|p| !matches!(p.status, PayoutStatus::Pending | PayoutStatus::Processing))
        {
            break all;
        }
        if Instant::now() > deadline {
            bail!("payouts still pending or processing after 180 s");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let events: Vec<_> = check
        .events()
        .list_all(ListParams::new())
        .try_collect()
        .await?;
    let want: HashSet<String> = events.iter().map(|e| e.id.clone()).collect();
    let deadline = Instant::now() + Duration::from_secs(180);
    let undelivered = loop {
        let got = received
            .events
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        let missing = want.difference(&got).count();
        if missing == 0 || Instant::now() > deadline {
            break missing;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };

    Ok((payouts, want, undelivered))
}

/// What the checks found.
struct Verdict {
    lost: usize,
    duplicates: usize,
    unacked_payouts: usize,
    undelivered: usize,
    ledger_ok: bool,
    negative: bool,
    /// SQLite's `PRAGMA integrity_check` (`None` on PostgreSQL).
    integrity: Option<String>,
}

impl Verdict {
    fn failed(&self) -> bool {
        self.lost > 0
            || self.duplicates > 0
            || self.unacked_payouts > 0
            || self.undelivered > 0
            || !self.ledger_ok
            || self.negative
            || self.integrity.as_deref().is_some_and(|v| v != "ok")
    }

    /// The run's figures, printed for the CI log.
    #[expect(
        clippy::too_many_arguments,
        reason = "the figures of one run, printed once"
    )]
    fn print(
        &self,
        opts: &CrashTest,
        label: &str,
        seed: u64,
        started: Instant,
        l: &Ledger,
        payouts: &[anton_sdk::types::Payout],
        want: &HashSet<String>,
        received: &Received,
    ) {
        let paid = payouts
            .iter()
            .filter(|p| p.status == PayoutStatus::Paid)
            .count();
        println!("crash test — {label}, seed {seed}");
        println!(
            "  kills: {}  clients: {}  duration: {:.1} s",
            opts.kills,
            opts.clients,
            started.elapsed().as_secs_f64()
        );
        println!(
            "  requests: {}  (retried after a failure: {})  acknowledged payouts: {}",
            l.requests,
            l.retried,
            l.acked.len()
        );
        println!(
            "  payouts in the database: {}  (paid {})  losses: {}  duplicates: {}  \
             unacknowledged but created: {}",
            payouts.len(),
            paid,
            self.lost,
            self.duplicates,
            self.unacked_payouts
        );
        println!(
            "  events: {}  deliveries received: {}  events never delivered: {}",
            want.len(),
            received.deliveries.load(Ordering::Relaxed),
            self.undelivered
        );
        println!(
            "  ledger: {}  negative balance: {}  sqlite integrity_check: {}",
            if self.ledger_ok {
                "balanced"
            } else {
                "VIOLATED"
            },
            self.negative,
            self.integrity.as_deref().unwrap_or("n/a")
        );
    }
}

/// The crash test's merchant (raised limits) and a secret test key.
async fn crash_merchant(
    store: &anton_store::Store,
    secrets: &anton_engine::Secrets,
) -> anyhow::Result<(Tenant, String)> {
    let merchant = operator::create_merchant(store, "Crash Test Ltd").await?;
    operator::set_rate_limits(
        store,
        &merchant.id,
        100_000,
        100_000,
        &anton_engine::audit::Actor::operator(),
    )
    .await?;
    let key = operator::create_key(
        store,
        secrets,
        &operator::KeySpec {
            merchant_id: merchant.id.clone(),
            env: Environment::Test,
            scopes: None,
            expires_in: None,
            allowed_cidrs: vec![],
            name: "crash-test".into(),
            created_by: "crash-test".into(),
        },
        &anton_engine::audit::Actor::operator(),
    )
    .await?
    .1
    .expose_secret()
    .to_owned();
    let tenant = Tenant::new(merchant.id.clone(), Environment::Test);
    Ok((tenant, key))
}

/// Through the API: an endpoint for every event at `receiver`, a funded balance, and a
/// recipient (its id).
async fn endpoint_balance_recipient(setup: &Client, receiver: &str) -> anyhow::Result<String> {
    setup
        .webhook_endpoints()
        .create(&NewWebhookEndpoint::new(receiver, &["*"]))
        .await?;
    setup
        .test_helpers()
        .fund_balance(1_000_000_000, "USD")
        .await?;
    Ok(setup
        .recipients()
        .create(&NewRecipient::new(
            "Crash Recipient",
            anton_sdk::types::BankAccountDetails::UsAch {
                routing_number: "110000000".into(),
                account_number: "000123456789".into(),
                account_type: anton_sdk::types::AccountType::Checking,
            },
        ))
        .await?
        .id)
}

/// Acknowledged payouts missing from the database (or under another key), payouts beyond the
/// first of one key, and payouts no client was told of.
fn count(l: &Ledger, payouts: &[anton_sdk::types::Payout]) -> (usize, usize, usize) {
    let by_id: HashMap<&str, &anton_sdk::types::Payout> =
        payouts.iter().map(|p| (p.id.as_str(), p)).collect();
    let mut per_key: HashMap<&str, usize> = HashMap::new();
    for p in payouts {
        *per_key
            .entry(p.metadata.get("key").map_or("", String::as_str))
            .or_default() += 1;
    }
    let lost = l
        .acked
        .iter()
        .filter(|(k, id)| {
            by_id
                .get(id.as_str())
                .is_none_or(|p| p.metadata.get("key") != Some(*k))
        })
        .count();
    let duplicates: usize = per_key.values().map(|n| n.saturating_sub(1)).sum();
    let unacked_payouts = payouts.len().saturating_sub(l.acked.len());
    (lost, duplicates, unacked_payouts)
}

/// SIGKILLs `node` `kills` times at random moments, restarting it (at once or after a pause, so
/// clients also see refused connections) and waiting until it is ready each time.
async fn kill_and_restart(
    node: &mut Node,
    rng: &mut rand::rngs::StdRng,
    kills: usize,
    base: &str,
    ca: &Path,
) -> anyhow::Result<()> {
    for i in 0..kills {
        tokio::time::sleep(Duration::from_millis(rng.gen_range(150..900))).await;
        node.kill();
        tokio::time::sleep(Duration::from_millis(rng.gen_range(0..300))).await;
        node.start()?;
        wait_ready(base, ca)
            .await
            .with_context(|| format!("restart {} of {kills}", i + 1))?;
    }
    Ok(())
}

/// SQLite's `PRAGMA integrity_check` of the database file.
async fn integrity_check(store: &anton_store::Store) -> anyhow::Result<String> {
    Ok(sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(store.read())
        .await?)
}

/// The node's store and secrets, opened beside it (the operator's view of its database).
async fn open_node_store(
    dir: &Path,
    db_url: &str,
) -> anyhow::Result<(anton_store::Store, anton_engine::Secrets)> {
    let config = anton_server::config::Config {
        data_dir: dir.join("anton-data"),
        database_url: Some(db_url.to_owned()),
        metrics: anton_server::config::MetricsConfig {
            listen: ([127, 0, 0, 1], 0).into(),
            ..Default::default()
        },
        ..anton_server::config::Config::default()
    };
    let store = anton_server::startup::open_store(&config).await?;
    let secrets = anton_server::secrets::load_or_generate(&config.secrets_dir())?;
    Ok((store, secrets))
}

/// Whether a balance of the merchant is negative.
async fn any_negative(check: &Client) -> anyhow::Result<bool> {
    let balance = check.balance().get().await?;
    Ok(balance
        .available
        .iter()
        .chain(balance.in_flight.iter())
        .any(|a| a.amount < 0))
}
