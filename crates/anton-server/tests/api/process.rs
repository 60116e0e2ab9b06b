//! Tests of the real `anton` binary as a user runs it: the README quickstart, verbatim, and the
//! canary test that plants a key and an account number and looks for them where they must not be.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

const ANTON: &str = env!("CARGO_BIN_EXE_anton");

/// A running `anton serve` in `dir` (default data dir `./anton-data`), on a free port.
pub(crate) struct Server {
    pub(crate) child: Child,
    pub(crate) port: u16,
    log: PathBuf,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What a spawned node needs in its environment for `backend` (a fresh PostgreSQL database's
/// URL; nothing for SQLite, which lives in the data directory), and the guard that drops that
/// database.
pub(crate) async fn backend_env(
    backend: crate::helpers::Backend,
) -> (
    Vec<(&'static str, String)>,
    Option<crate::helpers::PgDatabaseGuard>,
) {
    match backend {
        crate::helpers::Backend::Postgres => {
            let (url, name) = crate::helpers::fresh_pg_database().await;
            (
                vec![("ANTON_DATABASE_URL", url)],
                Some(crate::helpers::PgDatabaseGuard(name)),
            )
        }
        crate::helpers::Backend::Sqlite => (Vec::new(), None),
    }
}

pub(crate) fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub(crate) fn client(ca: &Path) -> reqwest::Client {
    reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(&std::fs::read(ca).unwrap()).unwrap())
        .tls_built_in_root_certs(false)
        .build()
        .unwrap()
}

pub(crate) async fn start_server(dir: &Path, extra_env: &[(&str, &str)]) -> Server {
    let port = free_port();
    let log = dir.join("server.log");
    let mut cmd = Command::new(ANTON);
    cmd.arg("serve")
        .current_dir(dir)
        .env("ANTON_LISTEN", format!("127.0.0.1:{port}"))
        .env("ANTON_METRICS__LISTEN", "127.0.0.1:0")
        .stdout(Stdio::from(
            std::fs::File::create(dir.join("server.out")).unwrap(),
        ))
        .stderr(Stdio::from(std::fs::File::create(&log).unwrap()));
    for (k, v) in extra_env {
        cmd.env(k, v);
    }
    let child = cmd.spawn().expect("start anton serve");
    let server = Server { child, port, log };
    let ca = dir.join("anton-data/tls/ca.pem");
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if ca.exists() {
            if let Ok(r) = client(&ca)
                .get(format!("https://localhost:{port}/healthz"))
                .send()
                .await
            {
                if r.status().is_success() {
                    return server;
                }
            }
        }
        assert!(
            Instant::now() < deadline,
            "the server did not become healthy; log: {}",
            std::fs::read_to_string(&server.log).unwrap_or_default()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn anton(dir: &Path, args: &[&str]) -> String {
    anton_env(dir, &[], args)
}

/// `anton ARGS` in `dir` with extra environment variables.
pub(crate) fn anton_env(dir: &Path, env: &[(&str, &str)], args: &[&str]) -> String {
    let out = Command::new(ANTON)
        .args(args)
        .envs(env.iter().copied())
        .current_dir(dir)
        .output()
        .expect("run anton");
    assert!(
        out.status.success(),
        "anton {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_readme_quickstart_works_verbatim() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md")).unwrap();
    let start = readme
        .find("<!-- quickstart:begin -->")
        .expect("README has a quickstart block");
    let end = readme
        .find("<!-- quickstart:end -->")
        .expect("quickstart end marker");
    let block = &readme[start..end];
    let script = block
        .split("```bash\n")
        .nth(1)
        .and_then(|s| s.split("```").next())
        .expect("a bash code block inside the quickstart markers");

    let dir = tempfile::tempdir().unwrap();
    let server = start_server(
        dir.path(),
        &[
            ("ANTON_SIMULATOR__PROCESSING_DELAY_MS", "200"),
            ("ANTON_SIMULATOR__SETTLE_DELAY_MS", "200"),
        ],
    )
    .await;
    std::fs::write(dir.path().join("quickstart.sh"), script).unwrap();
    let out = Command::new("bash")
        .args(["-euo", "pipefail", "quickstart.sh"])
        .current_dir(dir.path())
        .env("ANTON", ANTON)
        .env("ANTON_URL", format!("https://localhost:{}", server.port))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "quickstart failed\nstdout: {stdout}\nstderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains(": paid"),
        "the payout reached paid: {stdout}"
    );
    assert!(stdout.contains("\"available\""), "{stdout}");
}

fn grep_dir(dir: &Path, needle: &[u8]) -> Vec<PathBuf> {
    let mut hits = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            hits.extend(grep_dir(&path, needle));
        } else {
            let mut bytes = Vec::new();
            std::fs::File::open(&path)
                .unwrap()
                .read_to_end(&mut bytes)
                .unwrap();
            if bytes.windows(needle.len()).any(|w| w == needle) {
                hits.push(path);
            }
        }
    }
    hits
}

/// Every row of every table of a PostgreSQL database, as text.
async fn pg_dump_text(url: &str) -> String {
    use sqlx::Connection;
    let mut conn = sqlx::PgConnection::connect(url).await.unwrap();
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT quote_ident(tablename) FROM pg_tables WHERE schemaname = current_schema()",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    assert!(tables.len() > 5, "the schema has its tables: {tables:?}");
    let mut out = String::new();
    for t in tables {
        let rows: Vec<String> = sqlx::query_scalar(&format!("SELECT t::text FROM {t} t"))
            .fetch_all(&mut conn)
            .await
            .unwrap();
        out += &rows.join("\n");
    }
    out
}

async fn planted_secrets_never_reach_logs_error_bodies_or_the_database_in_plaintext(
    backend: crate::helpers::Backend,
) {
    const ACCOUNT: &str = "31415926535897";
    const IBAN: &str = "GB82WEST12345698765432";
    let dir = tempfile::tempdir().unwrap();
    let pg = match backend {
        crate::helpers::Backend::Postgres => Some(crate::helpers::fresh_pg_database().await),
        crate::helpers::Backend::Sqlite => None,
    };
    let _database = pg
        .as_ref()
        .map(|(_, name)| crate::helpers::PgDatabaseGuard(name.clone()));
    let mut env = vec![("ANTON_LOG", "debug"), ("ANTON_LOG_FORMAT", "json")];
    if let Some((url, _)) = &pg {
        env.push(("ANTON_DATABASE_URL", url.as_str()));
    }
    let server = start_server(dir.path(), &env).await;
    let anton = |dir: &Path, args: &[&str]| anton_env(dir, &env, args);
    let mer = anton(dir.path(), &["merchants", "create", "Canary Ltd"]);
    let key = anton(
        dir.path(),
        &[
            "keys",
            "create",
            "--merchant",
            &mer,
            "--env",
            "test",
            "--quiet",
        ],
    );
    let c = client(&dir.path().join("anton-data/tls/ca.pem"));
    let base = format!("https://localhost:{}", server.port);
    let mut bodies = String::new();
    let call = |req: reqwest::RequestBuilder| {
        let req = req.bearer_auth(&key);
        async move { req.send().await.unwrap().text().await.unwrap() }
    };
    bodies += &call(
        c.post(format!("{base}/v1/test_helpers/balance/fund"))
            .json(&json!({"amount": 50_000, "currency": "USD"})),
    )
    .await;
    let rcp = call(c.post(format!("{base}/v1/recipients")).json(&json!({"name": "Canary", "bank_account": {"type": "us_ach", "routing_number": "110000000", "account_number": ACCOUNT, "account_type": "checking"}}))).await;
    bodies += &rcp;
    let rcp: Value = serde_json::from_str(&rcp).unwrap();
    let rid = rcp["id"].as_str().unwrap();
    bodies += &call(
        c.post(format!("{base}/v1/payouts"))
            .json(&json!({"amount": 1_000, "currency": "USD", "recipient": rid})),
    )
    .await;
    // Bad input that carries the number, in every shape a client might get wrong:
    for bad in [
        json!({"name": "Canary", "bank_account": {"type": "us_ach", "routing_number": "110000001", "account_number": ACCOUNT, "account_type": "checking"}}),
        json!({"name": "Canary", "bank_account": {"type": "us_ach", "routing_number": "110000000", "account_number": ACCOUNT.parse::<i64>().unwrap(), "account_type": "checking"}}),
        json!({"name": "Canary", "bank_account": {"type": "us_ach", "routing_number": "110000000", "account_number": format!("{ACCOUNT}999"), "account_type": "checking"}}),
        json!({"name": "Canary", "bank_account": {"type": "iban", "iban": format!("{IBAN}0")}}),
        json!({"name": "Canary", "bank_account": {"type": "us_ach", "routing_number": "110000000", "account_number": ACCOUNT, "account_type": ACCOUNT}}),
    ] {
        bodies += &call(c.post(format!("{base}/v1/recipients")).json(&bad)).await;
    }
    bodies += &call(
        c.patch(format!("{base}/v1/recipients/{rid}"))
            .json(&json!({"bank_account": {"type": "iban", "iban": IBAN}})),
    )
    .await;
    // A wrong key that looks like the real one.
    let near = format!("{}x", &key[..key.len() - 1]);
    bodies += &c
        .get(format!("{base}/v1/balance"))
        .bearer_auth(&near)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    bodies += &c
        .get(format!("{base}/v1/balance"))
        .bearer_auth(&key)
        .header("Origin", "https://evil.example")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    drop(server);

    let logs = std::fs::read_to_string(dir.path().join("server.log")).unwrap();
    assert!(
        logs.contains("request served"),
        "the server logged requests at all"
    );
    assert!(
        !logs.contains('\u{1b}'),
        "log lines written to a file carry no ANSI colour codes"
    );
    for secret in [ACCOUNT, IBAN, &key[8..], &near[8..]] {
        assert!(
            !logs.contains(secret),
            "a secret reached the logs: {secret}"
        );
        assert!(
            !bodies.contains(secret),
            "a secret reached a response body: {secret}"
        );
    }
    let dump = match &pg {
        Some((url, name)) => {
            let dump = pg_dump_text(url).await;
            crate::helpers::drop_pg_database(&crate::helpers::pg_admin_url(), name).await;
            dump
        }
        None => String::new(),
    };
    for secret in [ACCOUNT, IBAN, &key] {
        let hits = grep_dir(&dir.path().join("anton-data"), secret.as_bytes());
        assert!(
            hits.is_empty(),
            "{secret} is stored in plaintext in {hits:?}"
        );
        assert!(
            !dump.contains(secret),
            "{secret} is stored in plaintext in PostgreSQL"
        );
    }
    if pg.is_some() {
        assert!(
            dump.contains("Canary Ltd") && dump.contains("5897"),
            "the dump holds the merchant and the recipient's last4: the search would find them"
        );
    }
    assert!(
        bodies.contains("6789") || bodies.contains("5897"),
        "last4 is shown"
    );
}

fn anton_fails(dir: &Path, args: &[&str]) -> String {
    let out = Command::new(ANTON)
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run anton");
    assert!(!out.status.success(), "anton {args:?} should fail");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn operators_manage_keys_live_funds_and_limits_with_the_cli() {
    let dir = tempfile::tempdir().unwrap();
    let server = start_server(dir.path(), &[]).await;
    let d = dir.path();
    let c = client(&d.join("anton-data/tls/ca.pem"));
    let base = format!("https://localhost:{}", server.port);
    let mer = anton(d, &["merchants", "create", "Ops Ltd"]);
    assert!(anton(d, &["merchants", "list"]).contains(&mer));

    // A restricted live key with an expiry, then list it (never the key itself).
    let key = anton(
        d,
        &[
            "keys",
            "create",
            "--merchant",
            &mer,
            "--env",
            "live",
            "--scope",
            "balance:read",
            "--expires-in",
            "30d",
            "--quiet",
        ],
    );
    assert!(key.starts_with("rk_live_"));
    let listed = anton(d, &["keys", "list", "--merchant", &mer]);
    assert!(
        listed.contains("balance:read") && listed.contains("active"),
        "{listed}"
    );
    assert!(
        !listed.contains(&key[8..]),
        "the key list never shows the key"
    );
    let key_id = listed.split_whitespace().next().unwrap().to_owned();

    // Live funding is an operator action; the balance shows it.
    anton(
        d,
        &[
            "balance",
            "fund",
            "--merchant",
            &mer,
            "--env",
            "live",
            "--currency",
            "EUR",
            "--amount",
            "123456",
        ],
    );
    let balance: Value = c
        .get(format!("{base}/v1/balance"))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(balance["livemode"], true);
    assert_eq!(
        balance["available"][0],
        json!({"currency": "EUR", "amount": 123456})
    );
    assert_eq!(
        anton(d, &["ledger", "check", "--merchant", &mer, "--env", "live"]),
        "ledger ok"
    );

    // Roll with a grace period: both keys work; then revoke the old one.
    let new_key = anton(
        d,
        &["keys", "roll", "--merchant", &mer, &key_id, "--grace", "1h"],
    );
    assert!(new_key.starts_with("rk_live_") && new_key != key);
    for k in [&key, &new_key] {
        assert!(c
            .get(format!("{base}/v1/balance"))
            .bearer_auth(k)
            .send()
            .await
            .unwrap()
            .status()
            .is_success());
    }
    anton(d, &["keys", "revoke", "--merchant", &mer, &key_id]);
    // The server learns of a revocation made by another process within a second (docs/reference.md
    // §4).
    let deadline = Instant::now() + Duration::from_secs(5);
    while c
        .get(format!("{base}/v1/balance"))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap()
        .status()
        != reqwest::StatusCode::UNAUTHORIZED
    {
        assert!(
            Instant::now() < deadline,
            "the revoked key is still accepted"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(c
        .get(format!("{base}/v1/balance"))
        .bearer_auth(&new_key)
        .send()
        .await
        .unwrap()
        .status()
        .is_success());

    anton(
        d,
        &[
            "merchants",
            "set-rate-limit",
            &mer,
            "--live",
            "500",
            "--test",
            "50",
        ],
    );
    // Every command that prints data has --json, one object per line, for scripts.
    let json_lines = |args: &[&str]| -> Vec<Value> {
        anton(d, args)
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    };
    let merchants = json_lines(&["merchants", "list", "--json"]);
    let ours = merchants.iter().find(|m| m["id"] == mer.as_str()).unwrap();
    assert_eq!(
        (&ours["name"], &ours["rate_limit_live_per_s"]),
        (&json!("Ops Ltd"), &json!(500))
    );
    let keys = json_lines(&["keys", "list", "--merchant", &mer, "--json"]);
    assert_eq!(keys.len(), 2);
    assert!(keys.iter().all(|k| k.get("key").is_none()), "never the key");
    assert!(keys
        .iter()
        .any(|k| k["id"] == key_id.as_str() && k["revoked"].is_string()));
    // The key answered requests: its last use is recorded (in the background, so polled).
    let deadline = Instant::now() + Duration::from_secs(5);
    while !json_lines(&["keys", "list", "--merchant", &mer, "--json"])
        .iter()
        .any(|k| k["id"] == key_id.as_str() && k["last_used"].is_string())
    {
        assert!(Instant::now() < deadline, "last_used is never recorded");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let created = json_lines(&[
        "keys",
        "create",
        "--merchant",
        &mer,
        "--env",
        "test",
        "--json",
    ]);
    assert!(created[0]["key"].as_str().unwrap().starts_with("sk_test_"));
    assert_eq!(created[0]["kind"], "secret");
    let checked = json_lines(&[
        "ledger",
        "check",
        "--merchant",
        &mer,
        "--env",
        "live",
        "--json",
    ]);
    assert_eq!(checked[0]["ok"], true);
    let funded = json_lines(&[
        "balance",
        "fund",
        "--merchant",
        &mer,
        "--env",
        "test",
        "--currency",
        "USD",
        "--amount",
        "5",
        "--json",
    ]);
    assert_eq!(
        (&funded[0]["amount"], &funded[0]["currency"]),
        (&json!(5), &json!("USD"))
    );
    // Shell completions name the commands.
    for shell in ["bash", "zsh", "fish"] {
        let script = anton(d, &["completions", shell]);
        assert!(
            script.contains("merchants") && script.contains("webhooks"),
            "{shell}"
        );
    }

    // Mistakes get a clear message and a non-zero exit.
    assert!(anton_fails(
        d,
        &[
            "keys",
            "create",
            "--merchant",
            &mer,
            "--env",
            "test",
            "--scope",
            "payouts:admin"
        ]
    )
    .contains("unknown scope"));
    assert!(anton_fails(
        d,
        &["keys", "create", "--merchant", "mer_nope", "--env", "test"]
    )
    .contains("no merchant"));
    assert!(anton_fails(
        d,
        &["keys", "roll", "--merchant", &mer, &key_id, "--grace", "8d"]
    )
    .contains("at most 7 days"));
    assert!(anton_fails(
        d,
        &["keys", "roll", "--merchant", &mer, &key_id, "--grace", "1h"]
    )
    .contains("revoked"));
    assert!(anton_fails(
        d,
        &[
            "balance",
            "fund",
            "--merchant",
            &mer,
            "--env",
            "live",
            "--currency",
            "JPY",
            "--amount",
            "5"
        ]
    )
    .contains("not supported"));
    assert!(anton_fails(
        d,
        &[
            "keys",
            "create",
            "--merchant",
            &mer,
            "--env",
            "test",
            "--allow-ip",
            "not-an-ip"
        ]
    )
    .contains("CIDR"));
}

/// Operators install `anton`: the benchmarks and the crash harness are the developer binary
/// `anton-tools`, not commands of the product.
#[test]
fn the_product_binary_has_no_benchmark_or_crash_test_command() {
    let dir = tempfile::tempdir().unwrap();
    let help = anton(dir.path(), &["--help"]);
    assert!(help.contains("serve"), "{help}");
    assert!(!help.contains("bench") && !help.contains("crash"), "{help}");
}

/// `anton serve` with a role from the environment (as `--role`): a worker's port answers health
/// checks and nothing of the API; SIGTERM stops it cleanly.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_worker_node_serves_health_checks_only_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = start_server(dir.path(), &[("ANTON_ROLE", "worker")]).await;
    let c = client(&dir.path().join("anton-data/tls/ca.pem"));
    let base = format!("https://localhost:{}", server.port);
    let ready = c.get(format!("{base}/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), 200);
    let api = c.get(format!("{base}/v1/egress_ips")).send().await.unwrap();
    assert_eq!(api.status(), 404, "no public API on a worker");
    // SIGTERM: a graceful stop, exit status 0.
    let pid = server.child.id().to_string();
    let killed = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
    assert!(killed.success());
    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(s) = server.child.try_wait().unwrap() {
            break s;
        }
        assert!(Instant::now() < deadline, "the node stops after SIGTERM");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert!(status.success(), "{status:?}");
    let help = anton(dir.path(), &["serve", "--help"]);
    assert!(help.contains("--role"), "{help}");
}

crate::both_backends!(planted_secrets_never_reach_logs_error_bodies_or_the_database_in_plaintext);
