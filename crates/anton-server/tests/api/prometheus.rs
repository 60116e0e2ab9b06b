//! A real Prometheus server (Debian's `prometheus`, which `.ci/run` installs) scrapes a real node
//! and loads the shipped rules: after payouts through the HTTPS API, a PromQL query returns them,
//! the node's target is up, every shipped rule evaluates without error, and every query of the
//! shipped Grafana dashboard is valid PromQL that this Prometheus answers.
//!
//! `ANTON_TEST_PROMETHEUS` names the binary (CI sets it, so a missing one fails there); without
//! it the test uses `prometheus` from `PATH`, and says so and passes when there is none.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::helpers::{spawn_app, Backend};

const RULES: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../deploy/prometheus/alerts.yml"
);
const DASHBOARD: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../deploy/grafana/anton-dashboard.json"
);

fn prometheus_binary() -> Option<PathBuf> {
    if let Ok(named) = std::env::var("ANTON_TEST_PROMETHEUS") {
        let path = PathBuf::from(&named);
        assert!(
            path.is_file(),
            "ANTON_TEST_PROMETHEUS={named} is not a file: install Debian's `prometheus` package \
             (or unset the variable to skip this test)"
        );
        return Some(path);
    }
    let found = std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join("prometheus"))
        .find(|p| p.is_file());
    if found.is_none() {
        eprintln!(
            "prometheus is not installed: the end-to-end scrape test did not run (CI runs it; \
             install Debian's `prometheus` package to run it here)"
        );
    }
    found
}

/// The Prometheus server, stopped when dropped.
struct Prometheus {
    child: Child,
    base: String,
    _dir: tempfile::TempDir,
}

impl Drop for Prometheus {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(binary: &Path, target: &str) -> Prometheus {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("prometheus.yml");
    std::fs::write(
        &config,
        format!(
            "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nrule_files:\n  - {RULES}\n\
             scrape_configs:\n  - job_name: anton\n    static_configs:\n      - targets: [\"{target}\"]\n"
        ),
    )
    .unwrap();
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new(binary)
        .arg(format!("--config.file={}", config.display()))
        .arg(format!(
            "--storage.tsdb.path={}",
            dir.path().join("data").display()
        ))
        .arg(format!("--web.listen-address=127.0.0.1:{port}"))
        .arg("--log.level=warn")
        .stdout(Stdio::null())
        .stderr(Stdio::from(
            std::fs::File::create(dir.path().join("prometheus.log")).unwrap(),
        ))
        .spawn()
        .expect("prometheus starts");
    Prometheus {
        child,
        base: format!("http://127.0.0.1:{port}"),
        _dir: dir,
    }
}

/// Polls Prometheus's HTTP API at `path` until `done` accepts its `data` (20 s at most).
async fn until(p: &Prometheus, path: &str, what: &str, done: impl Fn(&Value) -> bool) -> Value {
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut last = Value::Null;
    while Instant::now() < deadline {
        if let Ok(r) = reqwest::get(format!("{}{path}", p.base)).await {
            if let Ok(body) = r.json::<Value>().await {
                if done(&body["data"]) {
                    return body["data"].clone();
                }
                last = body;
            }
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!("Prometheus never showed {what}; last answer: {last}");
}

fn scalar(data: &Value) -> Option<f64> {
    data["result"][0]["value"][1].as_str()?.parse().ok()
}

#[tokio::test]
async fn a_real_prometheus_scrapes_the_node_and_evaluates_the_shipped_rules() {
    let Some(binary) = prometheus_binary() else {
        return;
    };
    let app = spawn_app(Backend::Sqlite).await;
    let prometheus = start(&binary, &app.metrics_addr.to_string());
    app.fund(&app.key, 10_000, "USD").await;
    let rcp = app.create_recipient(&app.key, "6789").await;
    for _ in 0..3 {
        let r = app
            .create_payout(&app.key, rcp["id"].as_str().unwrap(), 700)
            .await;
        assert_eq!(r.status(), reqwest::StatusCode::OK);
    }
    until(
        &prometheus,
        "/api/v1/query?query=up%7Bjob%3D%22anton%22%7D",
        "the node up",
        |d| scalar(d) == Some(1.0),
    )
    .await;
    let q = "/api/v1/query?query=sum(anton_payouts_created_total%7Benv%3D%22test%22%7D)";
    until(&prometheus, q, "3 payouts created", |d| {
        scalar(d) == Some(3.0)
    })
    .await;
    let q = "/api/v1/query?query=sum(anton_payout_amount_minor_units_total)";
    until(&prometheus, q, "2,100 minor units", |d| {
        scalar(d) == Some(2_100.0)
    })
    .await;
    // Every shipped rule loaded and evaluated without error.
    let rules = until(&prometheus, "/api/v1/rules", "every rule evaluated", |d| {
        let rules: Vec<&Value> = d["groups"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|g| g["rules"].as_array().into_iter().flatten())
            .collect();
        !rules.is_empty() && rules.iter().all(|r| r["health"] == "ok")
    })
    .await;
    let mut names: Vec<&str> = rules["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["name"].as_str().unwrap())
        .collect();
    names.sort_unstable();
    assert_eq!(
        names,
        [
            "anton-api",
            "anton-nodes",
            "anton-payouts",
            "anton-rails",
            "anton-webhooks"
        ]
    );
    // Every dashboard query parses and runs (Grafana fills in `$job`); the nodes panel has data
    // (the rate panels need two scrapes inside their window, which this short run need not have).
    let dashboard: Value =
        serde_json::from_str(&std::fs::read_to_string(DASHBOARD).unwrap()).unwrap();
    let client = reqwest::Client::new();
    let mut queries = 0;
    for panel in dashboard["panels"].as_array().unwrap() {
        for target in panel["targets"].as_array().unwrap() {
            let expr = target["expr"].as_str().unwrap().replace("$job", "anton");
            let answer: Value = client
                .get(format!("{}/api/v1/query", prometheus.base))
                .query(&[("query", expr.as_str())])
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            assert_eq!(answer["status"], "success", "{expr}: {answer}");
            if expr.contains("up{") {
                assert!(
                    !answer["data"]["result"].as_array().unwrap().is_empty(),
                    "{expr}: no data"
                );
            }
            queries += 1;
        }
    }
    assert!(queries >= 16, "{queries}");
}
