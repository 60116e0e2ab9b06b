//! Real headless Chromium for the portal's browser tests, driven over WebDriver (chromedriver)
//! with fantoccini.
//!
//! **Certificate verification stays on.** The browser gets a home directory of its own whose
//! NSS database (`certutil`, Debian's libnss3-tools) trusts the test node's CA — Chromium on
//! Linux honours user-added roots there — so it verifies `localhost` like any other site.
//!
//! `ANTON_TEST_BROWSER=1` (CI sets it) makes a missing chromedriver, Chromium, certutil or
//! axe-core a failure; without it, a test says what is missing and passes. `ANTON_TEST_AXE`
//! names axe-core's `axe.min.js` (from npm; `.ci/run` installs it).

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use axum::http::Method;
use fantoccini::wd::WebDriverCompatibleCommand;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};

const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const CHROMIUM: &str = "/usr/bin/chromium";

pub struct Browser {
    pub client: Client,
    driver: Child,
    _home: tempfile::TempDir,
    axe: Option<String>,
}

fn required() -> bool {
    std::env::var_os("ANTON_TEST_BROWSER").is_some_and(|v| v == "1")
}

/// `None` (and a note) when something the browser tests need is missing and they are not
/// required; a panic naming it when they are.
fn missing(what: &str) -> Option<Browser> {
    assert!(
        !required(),
        "ANTON_TEST_BROWSER=1 but {what}: install Debian's chromium, chromium-driver and \
         libnss3-tools, and axe-core from npm (`.ci/run` does)"
    );
    eprintln!("{what}: the browser test did not run (CI runs it)");
    None
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn axe_source() -> Result<Option<String>, String> {
    match std::env::var("ANTON_TEST_AXE") {
        Ok(path) => std::fs::read_to_string(&path)
            .map(Some)
            .map_err(|e| format!("ANTON_TEST_AXE={path} cannot be read ({e})")),
        Err(_) if required() => Err("ANTON_TEST_AXE is not set".into()),
        Err(_) => Ok(None),
    }
}

/// An NSS database under `home` that trusts the CA in `ca_pem`.
fn trust_ca(home: &Path, ca_pem: &Path) -> Result<(), String> {
    let db = home.join(".pki/nssdb");
    std::fs::create_dir_all(&db).map_err(|e| e.to_string())?;
    let db = format!("sql:{}", db.display());
    let run = |args: &[&str]| {
        let out = Command::new("certutil")
            .args(args)
            .output()
            .map_err(|e| format!("certutil cannot run ({e})"))?;
        if out.status.success() {
            Ok(())
        } else {
            Err(format!(
                "certutil {args:?} failed: {}",
                String::from_utf8_lossy(&out.stderr)
            ))
        }
    };
    run(&["-N", "--empty-password", "-d", &db])?;
    let ca = ca_pem.to_str().ok_or("a CA path that is not UTF-8")?;
    run(&[
        "-A",
        "-n",
        "anton-test-ca",
        "-t",
        "C,,",
        "-i",
        ca,
        "-d",
        &db,
    ])
}

impl Browser {
    /// Chromium trusting the CA in `ca_pem`, or `None` when the tools are missing (see the
    /// module docs).
    pub async fn start(ca_pem: &Path) -> Option<Browser> {
        for tool in [CHROMEDRIVER, CHROMIUM] {
            if !Path::new(tool).exists() {
                return missing(&format!("{tool} is not installed"));
            }
        }
        let axe = match axe_source() {
            Ok(a) => a,
            Err(e) => return missing(&e),
        };
        let home = tempfile::tempdir().unwrap();
        if let Err(e) = trust_ca(home.path(), ca_pem) {
            return missing(&e);
        }
        let port = free_port();
        let driver = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .env("HOME", home.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let profile: PathBuf = home.path().join("profile");
        let caps = json!({
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": CHROMIUM,
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-quic", "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--disable-extensions",
                    "--window-size=1280,900",
                    format!("--user-data-dir={}", profile.display()),
                ],
            },
            "goog:loggingPrefs": {"browser": "ALL"},
        });
        let caps = match caps {
            Value::Object(m) => m,
            _ => unreachable!("an object literal"),
        };
        let url = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(30);
        let client = loop {
            let connector = hyper_util::client::legacy::connect::HttpConnector::new();
            match ClientBuilder::new(connector)
                .capabilities(caps.clone())
                .connect(&url)
                .await
            {
                Ok(c) => break c,
                Err(e) if Instant::now() < deadline => {
                    let _ = e;
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Err(e) => panic!("chromedriver did not start a session within 30 s: {e}"),
            }
        };
        Some(Browser {
            client,
            driver,
            _home: home,
            axe,
        })
    }

    /// Goes to `url` and waits for its document.
    pub async fn open(&self, url: &str) {
        self.client.goto(url).await.expect("navigate");
    }

    /// Opens `url` again and again (a person pressing reload), with a deadline, until the
    /// element matching `css` says `needle`; returns its text.
    pub async fn open_until(&self, url: &str, css: &str, needle: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            self.open(url).await;
            let found = match self.client.find(Locator::Css(css)).await {
                Ok(el) => el.text().await.unwrap_or_default(),
                Err(_) => String::new(),
            };
            if found.contains(needle) {
                return found;
            }
            assert!(
                Instant::now() < deadline,
                "{url}: {css} did not say {needle:?} within 30 s (it says {found:?})"
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// Whether an element matches `css` on the current page.
    pub async fn has(&self, css: &str) -> bool {
        self.client.find(Locator::Css(css)).await.is_ok()
    }

    /// Ticks the checkbox with id `id`.
    pub async fn tick(&self, id: &str) {
        let el = self
            .client
            .find(Locator::Id(id))
            .await
            .unwrap_or_else(|e| panic!("no checkbox #{id}: {e}"));
        if !el.is_selected().await.unwrap() {
            el.click().await.unwrap();
        }
    }

    /// The text of the element matching `css`.
    pub async fn text(&self, css: &str) -> String {
        self.client
            .wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no {css} on the page: {e}"))
            .text()
            .await
            .unwrap()
    }

    /// Types `value` into the field with id `id` (clearing it first).
    pub async fn fill(&self, id: &str, value: &str) {
        let el = self
            .client
            .find(Locator::Id(id))
            .await
            .unwrap_or_else(|e| panic!("no field #{id}: {e}"));
        el.clear().await.unwrap();
        el.send_keys(value).await.unwrap();
    }

    /// Clicks the element matching `css` and waits for the page it leads to: polls, with a
    /// deadline, until the old document is gone and the new one has loaded.
    pub async fn click(&self, css: &str) {
        let el = self
            .client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("nothing to click at {css}: {e}"));
        let old = self.client.find(Locator::Css("html")).await.unwrap();
        el.click().await.unwrap();
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let gone = old.tag_name().await.is_err();
            let loaded = self
                .client
                .execute("return document.readyState", vec![])
                .await
                .is_ok_and(|s| s == "complete");
            if gone && loaded {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "clicking {css} led nowhere within 15 s"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    pub async fn path(&self) -> String {
        self.client.current_url().await.unwrap().path().to_owned()
    }

    /// The browser console's errors and warnings since the last call (chromedriver's log).
    pub async fn console_problems(&self) -> Vec<String> {
        let log = self
            .client
            .issue_cmd(BrowserLog)
            .await
            .expect("browser log");
        log.as_array()
            .map(|entries| {
                entries
                    .iter()
                    .filter(|e| matches!(e["level"].as_str(), Some("SEVERE" | "WARNING")))
                    .map(|e| e["message"].as_str().unwrap_or_default().to_owned())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// axe-core's serious and critical violations on the current page (empty when axe-core
    /// is not there and not required).
    pub async fn accessibility_violations(&self) -> Vec<String> {
        let Some(axe) = &self.axe else {
            return Vec::new();
        };
        // WebDriver runs the script outside the page's CSP, as an extension would.
        self.client
            .execute(axe, vec![])
            .await
            .expect("axe-core loads");
        let found = self
            .client
            .execute(
                "return axe.run(document, {resultTypes: ['violations']}).then(r => \
                 r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical') \
                 .map(v => v.id + ' (' + v.impact + '): ' + v.help + ' at ' + \
                 v.nodes.map(n => n.target.join(' ')).join(', ')))",
                vec![],
            )
            .await
            .expect("axe.run");
        serde_json::from_value(found).unwrap()
    }

    /// Asserts the current page is clean: no console problem, no serious accessibility fault.
    pub async fn assert_clean(&self, page: &str) {
        self.assert_clean_answering(page, 200).await;
    }

    /// [`Self::assert_clean`] for a page whose document answered `status` (a refusal page):
    /// Chromium logs the document's own non-2xx status, and only that is expected.
    pub async fn assert_clean_answering(&self, page: &str, status: u16) {
        let url = self.client.current_url().await.unwrap().to_string();
        let own = format!(
            "{url} - Failed to load resource: the server responded with a status of {status} "
        );
        let mut console = self.console_problems().await;
        console.retain(|m| status == 200 || !m.starts_with(&own));
        assert!(console.is_empty(), "console on {page}: {console:#?}");
        let axe = self.accessibility_violations().await;
        assert!(axe.is_empty(), "axe-core on {page}: {axe:#?}");
    }

    /// A PNG of the viewport, written to `docs/portal/NAME.png` when
    /// `ANTON_UPDATE_SCREENSHOTS=1` (the screenshots docs/portal.md shows).
    pub async fn screenshot(&self, name: &str) {
        // The whole page: the window grown to the document's height for the picture.
        let height = self
            .client
            .execute("return document.documentElement.scrollHeight", vec![])
            .await
            .ok()
            .and_then(|h| h.as_u64())
            .unwrap_or(900)
            .clamp(600, 4000);
        let height = u32::try_from(height).unwrap_or(900);
        self.client
            .set_window_size(1280, height + 120)
            .await
            .unwrap();
        let png = self.client.screenshot().await.expect("screenshot");
        self.client.set_window_size(1280, 900).await.unwrap();
        assert!(png.starts_with(b"\x89PNG"), "a PNG");
        if std::env::var_os("ANTON_UPDATE_SCREENSHOTS").is_some_and(|v| v == "1") {
            let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/portal");
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(dir.join(format!("{name}.png")), png).unwrap();
        }
    }

    pub async fn close(mut self) {
        let _ = self.client.clone().close().await;
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.driver.kill();
    }
}

/// chromedriver's log endpoint (`goog:loggingPrefs`), which W3C WebDriver does not have.
#[derive(Debug)]
struct BrowserLog;

impl WebDriverCompatibleCommand for BrowserLog {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/se/log",
            session_id.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _: &url::Url) -> (Method, Option<String>) {
        (Method::POST, Some(r#"{"type":"browser"}"#.to_owned()))
    }
}
