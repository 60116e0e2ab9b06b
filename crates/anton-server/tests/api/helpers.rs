//! The test application: the real server (TLS, real database, random port) started in-process,
//! and typed helpers that speak HTTPS to it like a merchant would.
//!
//! PostgreSQL tests create their own database on `ANTON_TEST_DATABASE_URL` (default:
//! `postgres://postgres@127.0.0.1:5432/postgres`) and drop it afterwards. When that URL is set but
//! unreachable every PostgreSQL test fails — none is skipped. When it is not set and the default
//! server does not answer (a fresh machine), one test, `postgresql_is_reachable`, fails with how to
//! point the suite at a server, and the other PostgreSQL tests return at once instead of each
//! failing with the same panic.

use std::net::SocketAddr;

use anton_core::id::MerchantId;
use anton_core::keys::{Environment, ScopeSet};
use anton_engine::operator::{self, KeySpec};
use anton_server::config::{Config, SimulatorConfig};
use anton_server::secrets::Secrets;
use anton_server::startup::Application;
use anton_store::{Store, Tenant};
use reqwest::{RequestBuilder, Response, StatusCode};
use serde_json::{json, Value};
use sqlx::{Connection, Executor};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Generates `<name>::sqlite` and `<name>::postgres` tests from `async fn name(backend)`.
#[macro_export]
macro_rules! both_backends {
    ($($name:ident),+ $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$name($crate::helpers::Backend::Sqlite).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if $crate::helpers::skip_postgres() {
                    return;
                }
                super::$name($crate::helpers::Backend::Postgres).await
            }
        }
    )+};
}

/// A temporary directory only its owner may open, as a node's data directory must be.
pub fn private_tempdir() -> tempfile::TempDir {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o700)).expect("chmod");
    dir
}

pub fn pg_admin_url() -> String {
    std::env::var("ANTON_TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

/// Whether the suite's PostgreSQL server answers: `Err` with the reason (probed once per test
/// binary, on a thread of its own so any test's runtime may ask).
fn pg_probe() -> &'static Result<(), String> {
    static PROBE: std::sync::OnceLock<Result<(), String>> = std::sync::OnceLock::new();
    PROBE.get_or_init(|| {
        let url = pg_admin_url();
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| e.to_string())?;
            rt.block_on(async {
                let connect = sqlx::PgConnection::connect(&url);
                match tokio::time::timeout(std::time::Duration::from_secs(10), connect).await {
                    Ok(Ok(_)) => Ok(()),
                    Ok(Err(e)) => Err(e.to_string()),
                    Err(_) => Err("no answer within 10 s".to_owned()),
                }
            })
        })
        .join()
        .unwrap_or_else(|_| Err("the probe panicked".to_owned()))
    })
}

/// What to do when the suite's PostgreSQL server does not answer. The URL is shown without its
/// password.
fn pg_unreachable(reason: &str) -> String {
    let shown = url::Url::parse(&pg_admin_url()).map_or_else(
        |_| "(an unparsable URL)".to_owned(),
        |mut u| {
            if u.password().is_some() {
                let _ = u.set_password(Some("***"));
            }
            u.to_string()
        },
    );
    format!(
        "PostgreSQL is not reachable at {shown}: {reason}\n\
         Half of the test suite runs on PostgreSQL, each test in a database of its own, so it \
         needs a server where the user may create databases. Start one on 127.0.0.1:5432 with \
         user `postgres` and trust authentication, or point the suite at yours:\n    \
         ANTON_TEST_DATABASE_URL=postgres://USER:PASSWORD@HOST:PORT/postgres \
         cargo test --workspace --locked"
    )
}

/// Called first by every PostgreSQL test: `true` when it should return at once (the URL is not
/// set and the default server does not answer: `postgresql_is_reachable` reports it once). With
/// the URL set, an unreachable server fails the test.
pub fn skip_postgres() -> bool {
    let Err(reason) = pg_probe() else {
        return false;
    };
    if std::env::var_os("ANTON_TEST_DATABASE_URL").is_some() {
        panic!("{}", pg_unreachable(reason));
    }
    eprintln!("PostgreSQL unreachable: this test did not run (see postgresql_is_reachable)");
    true
}

/// The one failure a run without PostgreSQL shows, saying how to point the suite at a server.
#[test]
fn postgresql_is_reachable() {
    if let Err(reason) = pg_probe() {
        panic!("{}", pg_unreachable(reason));
    }
}

/// A new, empty PostgreSQL database; returns its URL and name.
pub async fn fresh_pg_database() -> (String, String) {
    let admin = pg_admin_url();
    let name = format!("anton_t_{}", anton_core::random_base62(12).to_lowercase());
    let mut conn = sqlx::PgConnection::connect(&admin)
        .await
        .unwrap_or_else(|e| panic!("{}", pg_unreachable(&e.to_string())));
    conn.execute(format!("CREATE DATABASE {name}").as_str())
        .await
        .expect("create test database");
    let (base, _) = admin
        .rsplit_once('/')
        .expect("the admin URL names a database");
    (format!("{base}/{name}"), name)
}

/// Drops a database made by [`fresh_pg_database`] (best effort: `None` if it could not).
pub async fn drop_pg_database(admin: &str, name: &str) -> Option<()> {
    let mut c = sqlx::PgConnection::connect(admin).await.ok()?;
    c.execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str())
        .await
        .ok()
        .map(|_| ())
}

/// Drops a database made by [`fresh_pg_database`] from synchronous code (`Drop`): best effort,
/// on a thread of its own with its own runtime.
fn drop_pg_database_now(name: String) {
    let admin = pg_admin_url();
    let _ = std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .ok()?;
        rt.block_on(drop_pg_database(&admin, &name))
    })
    .join();
}

/// Owns a database made by [`fresh_pg_database`] for a server run as a separate process, and
/// drops it when the test ends (declare it before the server, so the server stops first).
pub struct PgDatabaseGuard(pub String);

impl Drop for PgDatabaseGuard {
    fn drop(&mut self) {
        drop_pg_database_now(std::mem::take(&mut self.0));
    }
}

pub struct TestApp {
    pub base: String,
    pub addr: SocketAddr,
    /// The admin listener (`/metrics`, plain HTTP).
    pub metrics_addr: SocketAddr,
    pub client: reqwest::Client,
    pub store: Store,
    pub secrets: Secrets,
    pub data_dir: tempfile::TempDir,
    /// The default merchant and its secret test key.
    pub merchant: MerchantId,
    pub key: String,
    pub simulator: SimulatorConfig,
    pub webhooks: std::sync::Arc<anton_engine::webhooks::WebhookRuntime>,
    /// The live file rails configured (`[rails]`), as the node checked them.
    pub rails: Vec<anton_engine::rail::files::config::FileRail>,
    database_url: String,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    running: Option<tokio::task::JoinHandle<anyhow::Result<()>>>,
    pg_database: Option<String>,
}

pub async fn spawn_app(backend: Backend) -> TestApp {
    spawn_app_with(backend, |_| {}, None).await
}

/// [`spawn_app`] with configuration changes and, optionally, the name resolver for webhook
/// destinations.
pub async fn spawn_app_with(
    backend: Backend,
    customize: impl FnOnce(&mut Config),
    lookup: Option<std::sync::Arc<dyn anton_engine::webhooks::ssrf::NameLookup>>,
) -> TestApp {
    let data_dir = private_tempdir();
    let (database_url, pg_database) = match backend {
        Backend::Sqlite => (
            format!(
                "sqlite://{}?mode=rwc",
                data_dir.path().join("anton.db").display()
            ),
            None,
        ),
        Backend::Postgres => {
            let (url, name) = fresh_pg_database().await;
            (url, Some(name))
        }
    };
    let simulator = SimulatorConfig {
        processing_delay_ms: 0,
        settle_delay_ms: 0,
        return_delay_ms: 0,
        poll_interval_ms: 50,
    };
    let mut config = Config {
        data_dir: data_dir.path().to_path_buf(),
        listen: "127.0.0.1:0".parse().expect("addr"),
        database_url: Some(database_url.clone()),
        simulator: simulator.clone(),
        // Tests drive the rail explicitly with `run_rail()`; no background worker races them.
        workers: false,
        metrics: anton_server::config::MetricsConfig {
            listen: ([127, 0, 0, 1], 0).into(),
            ..Default::default()
        },
        ..Config::default()
    };
    customize(&mut config);
    let rails = anton_engine::rail::files::config::check_all(&config.rails).expect("rails");
    let app = Application::build_with_lookup(
        config,
        lookup.unwrap_or_else(|| std::sync::Arc::new(anton_engine::webhooks::ssrf::SystemLookup)),
    )
    .await
    .expect("the application builds");
    let webhooks = app.engine().webhooks().clone();
    let addr = app.local_addr();
    let metrics_addr = app.metrics_addr().expect("metrics are on");
    let ca = std::fs::read(app.generated_ca().expect("a generated CA")).expect("read CA");
    let store = app.engine().store().clone();
    let secrets = app.engine().secrets().clone();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let running = tokio::spawn(app.run_until_stopped(async move {
        let _ = rx.await;
    }));
    let client = reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(&ca).expect("CA pem"))
        .tls_built_in_root_certs(false)
        .build()
        .expect("client");
    let merchant = operator::create_merchant(&store, "Test Merchant")
        .await
        .expect("merchant");
    let mut app = TestApp {
        base: format!("https://localhost:{}", addr.port()),
        addr,
        metrics_addr,
        client,
        store,
        secrets,
        data_dir,
        merchant: merchant.id.clone(),
        key: String::new(),
        simulator,
        webhooks,
        rails,
        database_url,
        shutdown: Some(tx),
        running: Some(running),
        pg_database,
    };
    // Generous limits so functional tests never trip the rate limiter by accident.
    app.set_rate_limits(&merchant.id, 10_000, 10_000).await;
    app.key = app.create_key(&merchant.id, Environment::Test, None).await;
    app
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(name) = self.pg_database.take() {
            drop_pg_database_now(name);
        }
    }
}

/// Another node of the same deployment: same database, secrets and certificate, its own port,
/// its own writer and caches.
pub struct Node {
    pub base: String,
    _shutdown: tokio::sync::oneshot::Sender<()>,
}

impl TestApp {
    /// Stops the node as SIGTERM does and waits until it has (the database stays readable
    /// through `store`).
    pub async fn stop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(running) = self.running.take() {
            running
                .await
                .expect("the node's task")
                .expect("the node stops cleanly");
        }
    }

    /// The real `anton` binary run as the operator runs it on this deployment (its database and
    /// data directory), as OS user `user`.
    pub fn operator_cli(&self, user: &str, args: &[&str]) -> std::process::Output {
        std::process::Command::new(env!("CARGO_BIN_EXE_anton"))
            .args(args)
            .env("ANTON_DATABASE_URL", &self.database_url)
            .env("ANTON_DATA_DIR", self.data_dir.path())
            .env("USER", user)
            .env_remove("LOGNAME")
            .output()
            .expect("run anton")
    }

    /// [`Self::operator_cli`] with more environment (`ANTON_PORTAL__PUBLIC_URL`, …).
    pub fn operator_cli_env(
        &self,
        user: &str,
        args: &[&str],
        envs: &[(&str, &str)],
    ) -> std::process::Output {
        std::process::Command::new(env!("CARGO_BIN_EXE_anton"))
            .args(args)
            .env("ANTON_DATABASE_URL", &self.database_url)
            .env("ANTON_DATA_DIR", self.data_dir.path())
            .env("USER", user)
            .env_remove("LOGNAME")
            .envs(envs.iter().copied())
            .output()
            .expect("run anton")
    }

    pub async fn second_node(&self) -> Node {
        self.node(|_| {}).await
    }

    /// Another node on this deployment's database and secrets, configured by `customize`
    /// (role, workers, webhooks…). Workers are off unless `customize` turns them on.
    pub async fn node(&self, customize: impl FnOnce(&mut Config)) -> Node {
        let mut config = Config {
            data_dir: self.data_dir.path().to_path_buf(),
            listen: "127.0.0.1:0".parse().expect("addr"),
            database_url: Some(self.database_url.clone()),
            simulator: self.simulator.clone(),
            workers: false,
            metrics: anton_server::config::MetricsConfig {
                listen: ([127, 0, 0, 1], 0).into(),
                ..Default::default()
            },
            ..Config::default()
        };
        customize(&mut config);
        let app = Application::build(config).await.expect("the node builds");
        let base = format!("https://localhost:{}", app.local_addr().port());
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(app.run_until_stopped(async move {
            let _ = rx.await;
        }));
        Node {
            base,
            _shutdown: tx,
        }
    }

    pub fn tenant(&self) -> Tenant {
        Tenant::new(self.merchant.clone(), Environment::Test)
    }

    pub fn ca_path(&self) -> std::path::PathBuf {
        self.data_dir.path().join("tls").join("ca.pem")
    }

    pub async fn set_rate_limits(&self, m: &MerchantId, live: i64, test: i64) {
        let id = m.clone();
        self.store
            .write(move |c| {
                Box::pin(async move {
                    anton_store::merchants::set_rate_limits(c, &id, live, test).await
                })
            })
            .await
            .expect("set rate limits");
    }

    /// A key for `merchant` in `env`: secret (all scopes) when `scopes` is None.
    pub async fn create_key(
        &self,
        merchant: &MerchantId,
        env: Environment,
        scopes: Option<&[&str]>,
    ) -> String {
        self.create_key_with(KeySpec {
            merchant_id: merchant.clone(),
            env,
            scopes: scopes.map(|s| ScopeSet::parse_list(s.iter().copied()).expect("scopes")),
            expires_in: None,
            allowed_cidrs: vec![],
            name: "test".into(),
            created_by: "tests".into(),
        })
        .await
    }

    pub async fn create_key_with(&self, spec: KeySpec) -> String {
        let (_, key) = operator::create_key(
            &self.store,
            &self.secrets,
            &spec,
            &anton_engine::audit::Actor::operator(),
        )
        .await
        .expect("key");
        key.expose_secret().to_owned()
    }

    /// A second merchant with a secret test key.
    pub async fn other_merchant(&self) -> (MerchantId, String) {
        let m = operator::create_merchant(&self.store, "Other Merchant")
            .await
            .expect("merchant");
        self.set_rate_limits(&m.id, 10_000, 10_000).await;
        let key = self.create_key(&m.id, Environment::Test, None).await;
        (m.id, key)
    }

    pub fn get(&self, path: &str, key: &str) -> RequestBuilder {
        self.client
            .get(format!("{}{path}", self.base))
            .bearer_auth(key)
    }

    pub fn post(&self, path: &str, key: &str) -> RequestBuilder {
        self.client
            .post(format!("{}{path}", self.base))
            .bearer_auth(key)
    }

    pub async fn fund(&self, key: &str, amount: i64, currency: &str) {
        let r = self
            .post("/v1/test_helpers/balance/fund", key)
            .json(&json!({"amount": amount, "currency": currency}))
            .send()
            .await
            .expect("fund");
        assert_eq!(
            r.status(),
            StatusCode::OK,
            "{}",
            r.text().await.unwrap_or_default()
        );
    }

    /// A US recipient whose account number ends in `last4` (the simulator's outcome selector).
    pub async fn create_recipient(&self, key: &str, last4: &str) -> Value {
        let r = self
            .post("/v1/recipients", key)
            .json(&json!({
                "name": "Ada Lovelace",
                "email": "ada@example.com",
                "bank_account": {"type": "us_ach", "routing_number": "110000000",
                                 "account_number": format!("00012345{last4}"), "account_type": "checking"}
            }))
            .send()
            .await
            .expect("create recipient");
        assert_eq!(r.status(), StatusCode::OK);
        r.json().await.expect("json")
    }

    pub async fn create_payout(&self, key: &str, recipient: &str, amount: i64) -> Response {
        self.post("/v1/payouts", key)
            .json(&json!({"amount": amount, "currency": "USD", "recipient": recipient}))
            .send()
            .await
            .expect("create payout")
    }

    /// Creates a payout on its own task (for requests that must be in flight together): the
    /// status and the JSON body.
    pub fn spawn_payout(
        &self,
        key: &str,
        recipient: &str,
        amount: i64,
    ) -> tokio::task::JoinHandle<(StatusCode, Value)> {
        let request = self
            .post("/v1/payouts", key)
            .json(&json!({"amount": amount, "currency": "USD", "recipient": recipient}));
        tokio::spawn(async move {
            let r = request.send().await.expect("create payout");
            let status = r.status();
            (status, r.json().await.expect("json"))
        })
    }

    /// `GET /v1/balance`.
    pub async fn balance(&self, key: &str) -> Value {
        self.get("/v1/balance", key)
            .send()
            .await
            .expect("balance")
            .json()
            .await
            .expect("json")
    }

    pub async fn payout(&self, key: &str, id: &str) -> Value {
        self.get(&format!("/v1/payouts/{id}"), key)
            .send()
            .await
            .expect("get")
            .json()
            .await
            .expect("json")
    }

    /// Every object of a list endpoint (`path` without query), following `starting_after` with
    /// pages of `limit`, newest first.
    pub async fn list_all(&self, key: &str, path: &str, limit: usize) -> Vec<Value> {
        let mut all: Vec<Value> = Vec::new();
        loop {
            let q = match all.last() {
                Some(last) => format!(
                    "{path}?limit={limit}&starting_after={}",
                    last["id"].as_str().expect("id")
                ),
                None => format!("{path}?limit={limit}"),
            };
            let page: Value = self
                .get(&q, key)
                .send()
                .await
                .expect("list")
                .json()
                .await
                .expect("json");
            assert_eq!(page["object"], "list");
            let data = page["data"].as_array().expect("data");
            assert!(data.len() <= limit);
            all.extend(data.iter().cloned());
            if !page["has_more"].as_bool().expect("has_more") {
                return all;
            }
        }
    }

    /// The same list walked the other way: from its oldest object, pages of `limit` following
    /// `ending_before` towards the newest, each page newest first; returns every object newest
    /// first (the oldest included), as [`Self::list_all`] does.
    pub async fn list_all_backwards(&self, key: &str, path: &str, limit: usize) -> Vec<Value> {
        let all = self.list_all(key, path, 100).await;
        let Some(oldest) = all.last() else {
            return all;
        };
        let mut walked = vec![oldest.clone()];
        loop {
            let first = walked[0]["id"].as_str().expect("id").to_owned();
            let q = format!("{path}?limit={limit}&ending_before={first}");
            let page: Value = self
                .get(&q, key)
                .send()
                .await
                .expect("list")
                .json()
                .await
                .expect("json");
            let data = page["data"].as_array().expect("data");
            assert!(data.len() <= limit);
            let mut newer = data.clone();
            newer.extend(walked);
            walked = newer;
            if !page["has_more"].as_bool().expect("has_more") {
                return walked;
            }
        }
    }

    /// Runs the simulator rail until nothing is due.
    pub async fn run_rail(&self) -> usize {
        let mut total = 0;
        for _ in 0..10 {
            let n = anton_engine::rail::simulator::run_due(
                &self.store,
                &self.simulator,
                anton_store::now_us(),
            )
            .await
            .expect("rail pass")
            .len();
            total += n;
            if n == 0 {
                break;
            }
        }
        total
    }

    /// Runs every file rail's worker as if the time were `now` (a cut-off at or before `now`
    /// makes its file); returns the names of the files transmitted.
    pub async fn run_file_rails(&self, now: jiff::Timestamp) -> Vec<String> {
        let passes = self.file_rail_passes(now).await;
        passes
            .into_iter()
            .flat_map(|p| p.sent.into_iter().map(|f| f.name))
            .collect()
    }

    /// [`Self::run_file_rails`], returning what each rail's pass did (sent, read, settled).
    pub async fn file_rail_passes(
        &self,
        now: jiff::Timestamp,
    ) -> Vec<anton_engine::rail::files::worker::Pass> {
        let mut passes = Vec::new();
        for rail in &self.rails {
            let mut state = anton_engine::rail::files::worker::RailState::new(rail);
            let pass = anton_engine::rail::files::worker::run_once(
                &self.store,
                &self.secrets,
                rail,
                now,
                &mut state,
            )
            .await;
            state.link.close().await;
            assert!(pass.errors.is_empty(), "file rail pass: {:?}", pass.errors);
            passes.push(pass);
        }
        passes
    }

    pub async fn assert_ledger_balanced(&self, t: &Tenant) {
        let r = anton_store::ledger::check_invariants(self.store.read(), t)
            .await
            .expect("check");
        assert_eq!(r, Ok(()), "ledger invariants");
    }

    /// Runs `sql` (a literal of the test: a trigger playing a fault, …) on the node's database,
    /// through its writer.
    pub async fn exec(&self, sql: &'static str) {
        self.store
            .write(move |c| {
                Box::pin(async move {
                    sqlx::query(sql).execute(&mut *c).await?;
                    Ok(())
                })
            })
            .await
            .expect("test SQL");
    }

    /// Rows in `table` (test-only helper; table names are literals in the tests).
    pub async fn count(&self, table: &str) -> i64 {
        sqlx::query_scalar::<_, i64>(&format!("SELECT COUNT(*) FROM {table}"))
            .fetch_one(self.store.read())
            .await
            .expect("count")
    }
}

pub async fn error_of(r: Response) -> (StatusCode, Value) {
    let status = r.status();
    let body: Value = r.json().await.expect("error body is JSON");
    assert!(
        body["error"]["request_id"]
            .as_str()
            .is_some_and(|s| s.starts_with("req_")),
        "{body}"
    );
    assert!(body["error"]["type"].is_string(), "{body}");
    (status, body)
}
