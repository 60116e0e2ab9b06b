//! The integrator commands (DESIGN.md §9): what a merchant's engineer runs on their own machine —
//! `anton login`, `listen`, `trigger`, `events`, `webhooks verify`, `keys scan`. They speak to a
//! server through the SDK (`anton-sdk`), never to a database.
//!
//! Where the API key comes from, in order: `ANTON_API_KEY`, then the profile written by `anton
//! login` (a file of mode 0600 under `$ANTON_CONFIG_DIR`, default `~/.config/anton`). A key given
//! with `--api-key` works but is warned about: other users of the machine can read a process's
//! arguments.

use std::collections::{BTreeMap, HashSet, VecDeque};
use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anton_core::keys::ApiKey;
use anton_core::signature::{self, WebhookSecret};
use anton_sdk::types::{
    AccountType, BankAccountDetails, Event, ListParams, NewPayout, NewRecipient, RecipientUpdate,
};
use anton_sdk::Client;
use anyhow::{bail, Context};
use serde::{Deserialize, Serialize};
use serde_json::json;

/// An error that carries the process exit code (e.g. 1 for "keys found", 2 for misuse).
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct Exit {
    pub code: u8,
    pub message: String,
}

// ---------------------------------------------------------------------------------------------
// Profiles

/// How to reach a server: the base URL, the CA to trust (for a local server), and the key.
#[derive(Clone, Default, Serialize, Deserialize)]
pub struct Profile {
    pub base_url: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ca_file: Option<PathBuf>,
    pub api_key: String,
    /// The secret `anton listen` signs forwarded events with (stable, so a local handler's
    /// configuration survives restarts).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub listen_secret: Option<String>,
}

impl std::fmt::Debug for Profile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Profile")
            .field("base_url", &self.base_url)
            .field("ca_file", &self.ca_file)
            .field("api_key", &"[REDACTED]")
            .finish()
    }
}

fn config_dir() -> anyhow::Result<PathBuf> {
    if let Some(d) = std::env::var_os("ANTON_CONFIG_DIR") {
        return Ok(PathBuf::from(d));
    }
    let home = std::env::var_os("HOME").context("HOME is not set; set ANTON_CONFIG_DIR")?;
    Ok(PathBuf::from(home).join(".config").join("anton"))
}

fn profiles_path() -> anyhow::Result<PathBuf> {
    Ok(config_dir()?.join("profiles.json"))
}

fn read_profiles() -> anyhow::Result<BTreeMap<String, Profile>> {
    let path = profiles_path()?;
    match std::fs::read(&path) {
        Ok(bytes) => serde_json::from_slice(&bytes)
            .with_context(|| format!("{} is not a profiles file", path.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(BTreeMap::new()),
        Err(e) => Err(e).with_context(|| format!("reading {}", path.display())),
    }
}

fn write_profiles(profiles: &BTreeMap<String, Profile>) -> anyhow::Result<PathBuf> {
    let path = profiles_path()?;
    let dir = path.parent().context("profiles path")?;
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let tmp = dir.join(".profiles.json.tmp");
    {
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create(true).truncate(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
        let mut f = opts
            .open(&tmp)
            .with_context(|| format!("writing {}", tmp.display()))?;
        f.write_all(&serde_json::to_vec_pretty(profiles)?)?;
        f.sync_all()?;
    }
    std::fs::rename(&tmp, &path)?;
    Ok(path)
}

/// Connection flags shared by the integrator commands.
#[derive(clap::Args, Clone, Default, Debug)]
pub struct Connect {
    /// Profile written by `anton login` (default: $ANTON_PROFILE or "default").
    #[arg(long, global = true, env = "ANTON_PROFILE")]
    pub profile: Option<String>,
    /// API base URL (default: the profile's, else https://localhost:8443).
    #[arg(long, global = true, env = "ANTON_BASE_URL")]
    pub base_url: Option<String>,
    /// A root CA to trust in addition to the public roots (a local server's ca.pem).
    #[arg(long = "ca", global = true, env = "ANTON_CA_FILE")]
    pub ca_file: Option<PathBuf>,
    /// The API key. Prefer ANTON_API_KEY or `anton login`: arguments are visible to other users.
    #[arg(long, global = true)]
    pub api_key: Option<String>,
}

impl Connect {
    fn profile_name(&self) -> String {
        self.profile.clone().unwrap_or_else(|| "default".into())
    }

    /// The effective profile (flags and environment over the stored one).
    pub fn resolve(&self) -> anyhow::Result<Profile> {
        let stored = read_profiles()?.remove(&self.profile_name());
        let key = if let Some(k) = &self.api_key {
            eprintln!(
                "warning: an API key on the command line is visible to other users of this machine \
                 (ps, /proc); use ANTON_API_KEY or `anton login` instead"
            );
            k.clone()
        } else if let Ok(k) = std::env::var("ANTON_API_KEY") {
            k
        } else if let Some(p) = &stored {
            p.api_key.clone()
        } else {
            bail!(
                "no API key: set ANTON_API_KEY or run `anton login` (profile {:?})",
                self.profile_name()
            );
        };
        Ok(Profile {
            base_url: self
                .base_url
                .clone()
                .or_else(|| stored.as_ref().map(|p| p.base_url.clone()))
                .unwrap_or_else(|| "https://localhost:8443".into()),
            ca_file: self
                .ca_file
                .clone()
                .or_else(|| stored.as_ref().and_then(|p| p.ca_file.clone())),
            api_key: key,
            listen_secret: stored.and_then(|p| p.listen_secret),
        })
    }

    pub fn client(&self) -> anyhow::Result<(Client, Profile)> {
        let p = self.resolve()?;
        Ok((client_for(&p)?, p))
    }
}

fn client_for(p: &Profile) -> anyhow::Result<Client> {
    let mut b = Client::builder(p.api_key.clone()).base_url(&p.base_url);
    if let Some(ca) = &p.ca_file {
        let pem = std::fs::read(ca).with_context(|| format!("reading {}", ca.display()))?;
        b = b.add_root_certificate_pem(&pem)?;
    }
    Ok(b.build()?)
}

/// `anton login`: stores a profile (key from a file, an environment variable, or the terminal).
pub async fn login(
    connect: &Connect,
    api_key_file: Option<&Path>,
    api_key_env: Option<&str>,
) -> anyhow::Result<()> {
    let key = if let Some(path) = api_key_file {
        std::fs::read_to_string(path)
            .with_context(|| format!("reading {}", path.display()))?
            .trim()
            .to_owned()
    } else if let Some(var) = api_key_env {
        std::env::var(var).with_context(|| format!("{var} is not set"))?
    } else if let Some(k) = &connect.api_key {
        eprintln!(
            "warning: an API key on the command line is visible to other users of this machine; \
             use --api-key-file, --api-key-env or the prompt"
        );
        k.clone()
    } else if std::io::stdin().is_terminal() {
        rpassword::prompt_password("API key (input hidden): ")?
    } else {
        let mut s = String::new();
        std::io::stdin().read_to_string(&mut s)?;
        s
    };
    let key = key.trim().to_owned();
    let parsed = ApiKey::parse(&key)
        .map_err(|_| anyhow::anyhow!("that is not an Anton API key (checksum or format)"))?;
    let mut profiles = read_profiles()?;
    let name = connect.profile_name();
    let previous = profiles.remove(&name);
    let profile = Profile {
        base_url: connect
            .base_url
            .clone()
            .or_else(|| previous.as_ref().map(|p| p.base_url.clone()))
            .unwrap_or_else(|| "https://localhost:8443".into()),
        ca_file: connect
            .ca_file
            .clone()
            .map(|p| std::fs::canonicalize(&p).unwrap_or(p))
            .or_else(|| previous.as_ref().and_then(|p| p.ca_file.clone())),
        api_key: key,
        listen_secret: previous.and_then(|p| p.listen_secret),
    };
    // Reach the server (TLS verified) before saving anything.
    let client = client_for(&profile)?;
    client
        .egress_ips()
        .await
        .with_context(|| format!("cannot reach {}", profile.base_url))?;
    profiles.insert(name.clone(), profile);
    let path = write_profiles(&profiles)?;
    println!(
        "profile {name:?} saved to {} (mode 0600): {} key {}",
        path.display(),
        parsed.env().as_str(),
        parsed
    );
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// keys scan

/// A key found in a file. Only its prefix and last four characters are ever printed.
#[derive(Debug, Serialize)]
pub struct Finding {
    pub path: String,
    pub line: usize,
    pub column: usize,
    /// `sk_test_…abcd`
    pub key: String,
    pub kind: &'static str,
    pub env: &'static str,
}

const KEY_PREFIXES: [&[u8]; 4] = [b"sk_test_", b"sk_live_", b"rk_test_", b"rk_live_"];
/// Files larger than this are skipped (keys live in source and configuration).
const SCAN_MAX_FILE: u64 = 64 * 1024 * 1024;

/// Finds checksum-valid Anton keys in `bytes`.
pub fn scan_bytes(path: &str, bytes: &[u8], out: &mut Vec<Finding>) {
    let mut i = 0;
    while i + 8 <= bytes.len() {
        let at = &bytes[i..];
        if !KEY_PREFIXES.iter().any(|p| at.starts_with(p)) {
            i += 1;
            continue;
        }
        let end = at[8..]
            .iter()
            .position(|b| !b.is_ascii_alphanumeric())
            .map_or(at.len(), |n| n + 8);
        if let Ok(text) = std::str::from_utf8(&at[..end]) {
            if let Ok(key) = ApiKey::parse(text) {
                let line = bytes[..i].iter().filter(|b| **b == b'\n').count() + 1;
                let line_start = bytes[..i]
                    .iter()
                    .rposition(|b| *b == b'\n')
                    .map_or(0, |p| p + 1);
                out.push(Finding {
                    path: path.to_owned(),
                    line,
                    column: i - line_start + 1,
                    key: key.to_string(),
                    kind: key.kind().as_str(),
                    env: key.env().as_str(),
                });
            }
        }
        i += end;
    }
}

/// A progress line on stderr while a scan runs, when stderr is a terminal (never in pipes or CI
/// logs): files scanned so far, redrawn at most ten times a second.
struct Progress {
    on: bool,
    last: Instant,
}

impl Progress {
    fn new() -> Self {
        Self {
            on: std::io::stderr().is_terminal(),
            last: Instant::now(),
        }
    }

    fn tick(&mut self, files: usize, path: &Path) {
        if self.on && self.last.elapsed() >= Duration::from_millis(100) {
            self.last = Instant::now();
            let shown: String = path.display().to_string().chars().take(60).collect();
            eprint!("\r\x1b[2Kscanning… {files} files  {shown}");
        }
    }

    fn done(&self) {
        if self.on {
            eprint!("\r\x1b[2K");
        }
    }
}

fn scan_path(
    path: &Path,
    out: &mut Vec<Finding>,
    files: &mut usize,
    progress: &mut Progress,
) -> anyhow::Result<()> {
    let meta =
        std::fs::symlink_metadata(path).with_context(|| format!("reading {}", path.display()))?;
    if meta.is_dir() {
        let mut entries: Vec<_> = std::fs::read_dir(path)
            .with_context(|| format!("reading {}", path.display()))?
            .filter_map(Result::ok)
            .map(|e| e.path())
            .collect();
        entries.sort();
        for entry in entries {
            if entry.file_name().is_some_and(|n| n == ".git") {
                continue;
            }
            scan_path(&entry, out, files, progress)?;
        }
    } else if meta.is_file() && meta.len() <= SCAN_MAX_FILE {
        let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
        *files += 1;
        progress.tick(*files, path);
        scan_bytes(&path.display().to_string(), &bytes, out);
    }
    Ok(())
}

/// `anton keys scan PATH…`: exit 1 when a key is found (for pre-commit hooks and CI).
pub fn keys_scan(paths: &[PathBuf], as_json: bool) -> anyhow::Result<()> {
    let mut findings = Vec::new();
    let mut files = 0usize;
    let mut progress = Progress::new();
    for p in paths {
        let scanned = scan_path(p, &mut findings, &mut files, &mut progress);
        if let Err(e) = scanned {
            progress.done();
            return Err(Exit {
                code: 2,
                message: format!("{e:#}"),
            }
            .into());
        }
    }
    progress.done();
    if as_json {
        println!("{}", json!({"files_scanned": files, "findings": findings}));
    } else {
        for f in &findings {
            println!(
                "{}:{}:{}: {} ({} {} key)",
                f.path, f.line, f.column, f.key, f.env, f.kind
            );
        }
        eprintln!(
            "{} Anton key(s) found in {files} file(s) scanned",
            findings.len()
        );
    }
    if findings.is_empty() {
        Ok(())
    } else {
        Err(Exit {
            code: 1,
            message:
                "Anton keys found: revoke them (`anton keys roll`) and remove them from the files"
                    .into(),
        }
        .into())
    }
}

// ---------------------------------------------------------------------------------------------
// webhooks verify

fn unix_now() -> i64 {
    anton_core::time::Timestamp::from_offset_date_time(time::OffsetDateTime::now_utc())
        .unix_seconds()
}

/// `anton webhooks verify --header … < body`: exit 0 when valid, 1 otherwise.
pub fn webhooks_verify(
    secret: &str,
    header: &str,
    ignore_timestamp: bool,
    as_json: bool,
) -> anyhow::Result<()> {
    let mut body = Vec::new();
    std::io::stdin().read_to_end(&mut body)?;
    let webhook = anton_sdk::Webhook::new(secret).map_err(|e| Exit {
        code: 2,
        message: e.to_string(),
    })?;
    let result = if ignore_timestamp {
        webhook
            .verify_ignoring_timestamp(&body, header)
            .map(|_| ())
            .or_else(|e| match e {
                anton_sdk::WebhookError::InvalidPayload(_) => Ok(()),
                e => Err(e),
            })
    } else {
        webhook.check_at(&body, header, unix_now())
    };
    match result {
        Ok(()) => {
            if as_json {
                println!("{}", json!({"valid": true}));
            } else {
                println!("valid");
            }
            Ok(())
        }
        Err(e) => {
            if as_json {
                println!("{}", json!({"valid": false, "error": e.code()}));
            }
            Err(Exit {
                code: 1,
                message: format!("invalid: {} ({})", e, e.code()),
            }
            .into())
        }
    }
}

// ---------------------------------------------------------------------------------------------
// events, trigger

fn print_event_line(e: &Event) {
    println!(
        "{}  {}  {:<26} {}",
        e.created
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default(),
        e.id,
        e.kind,
        e.data.object["id"].as_str().unwrap_or("")
    );
}

pub async fn events_list(
    connect: &Connect,
    kind: Option<String>,
    limit: u32,
    as_json: bool,
) -> anyhow::Result<()> {
    let (client, _) = connect.client()?;
    let mut params = ListParams::new().limit(limit.clamp(1, 100));
    if let Some(k) = kind {
        params = params.filter("type", k);
    }
    let page = client.events().list(&params).await?;
    for e in &page.data {
        if as_json {
            println!("{}", serde_json::to_string(e)?);
        } else {
            print_event_line(e);
        }
    }
    Ok(())
}

pub async fn events_resend(
    connect: &Connect,
    event: &str,
    endpoint: &str,
    as_json: bool,
) -> anyhow::Result<()> {
    let (client, _) = connect.client()?;
    let d = client.events().resend(event, endpoint).await?;
    if as_json {
        println!("{}", serde_json::to_string(&d)?);
    } else {
        println!("{} scheduled: {} → {}", d.id, d.event, d.endpoint);
    }
    Ok(())
}

/// The event types `anton trigger` can cause, and how.
pub const TRIGGERABLE: [&str; 9] = [
    "recipient.created",
    "recipient.updated",
    "recipient.deleted",
    "payout.created",
    "payout.processing",
    "payout.paid",
    "payout.failed",
    "payout.canceled",
    "payout.returned",
];

/// `anton trigger EVENT`: creates the test-mode objects whose changes cause `EVENT` (and the
/// events on the way there). Refuses live keys.
pub async fn trigger(connect: &Connect, event: &str, as_json: bool) -> anyhow::Result<()> {
    if !TRIGGERABLE.contains(&event) {
        return Err(Exit {
            code: 2,
            message: format!(
                "cannot trigger {event:?}; one of: {}",
                TRIGGERABLE.join(", ")
            ),
        }
        .into());
    }
    let (client, profile) = connect.client()?;
    if ApiKey::parse(&profile.api_key).is_ok_and(|k| k.env().is_live()) {
        bail!("anton trigger runs in test mode only; this is a live key");
    }
    let mut created: Vec<(String, String)> = Vec::new();
    let recipient = client
        .recipients()
        .create(&NewRecipient::new(
            "Trigger Recipient",
            BankAccountDetails::UsAch {
                routing_number: "110000000".into(),
                account_number: "000123456789".into(),
                account_type: AccountType::Checking,
            },
        ))
        .await?;
    created.push(("recipient".into(), recipient.id.clone()));
    match event {
        "recipient.created" => {}
        "recipient.updated" => {
            client
                .recipients()
                .update(
                    &recipient.id,
                    &RecipientUpdate {
                        name: Some("Trigger Recipient (renamed)".into()),
                        ..RecipientUpdate::default()
                    },
                )
                .await?;
        }
        "recipient.deleted" => {
            client.recipients().delete(&recipient.id).await?;
        }
        payout_event => {
            client.test_helpers().fund_balance(1_000, "USD").await?;
            let payout = client
                .payouts()
                .create(&NewPayout::new(1_000, "USD", &recipient.id))
                .await?;
            created.push(("payout".into(), payout.id.clone()));
            match payout_event {
                "payout.created" => {}
                "payout.canceled" => {
                    client.payouts().cancel(&payout.id).await?;
                }
                "payout.processing" | "payout.paid" => {
                    client.test_helpers().pay_payout(&payout.id).await?;
                }
                "payout.failed" => {
                    client.test_helpers().fail_payout(&payout.id, None).await?;
                }
                _ => {
                    client.test_helpers().pay_payout(&payout.id).await?;
                    client.test_helpers().return_payout(&payout.id).await?;
                }
            }
        }
    }
    if as_json {
        let objects: Vec<_> = created
            .iter()
            .map(|(k, id)| json!({"object": k, "id": id}))
            .collect();
        println!("{}", json!({"triggered": event, "objects": objects}));
    } else {
        for (k, id) in &created {
            println!("created {k} {id}");
        }
        println!("triggered {event}");
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// listen

/// Forwarding destination: https anywhere (certificates verified), or http on loopback only.
fn forward_client(url: &str, extra_ca: Option<&Path>) -> anyhow::Result<reqwest::Client> {
    let u = reqwest::Url::parse(url).with_context(|| format!("{url:?} is not a URL"))?;
    let loopback = match u.host() {
        Some(url::Host::Domain(d)) => d == "localhost",
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    };
    match u.scheme() {
        "https" => {}
        "http" if loopback => {}
        _ => bail!("--forward-to must be https://, or http:// to localhost"),
    }
    let mut b = reqwest::Client::builder()
        .use_rustls_tls()
        .tls_built_in_root_certs(true)
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(15))
        .user_agent(concat!("anton-cli-listen/", env!("CARGO_PKG_VERSION")));
    if let Some(ca) = extra_ca {
        let pem = std::fs::read(ca).with_context(|| format!("reading {}", ca.display()))?;
        b = b.add_root_certificate(reqwest::Certificate::from_pem(&pem)?);
    }
    Ok(b.build()?)
}

fn subscribed(filter: &[String], kind: &str) -> bool {
    filter.is_empty() || filter.iter().any(|f| f == "*" || f == kind)
}

/// Sends one event to the local handler, signed with both header sets; retries with backoff.
async fn forward(
    http: &reqwest::Client,
    url: &str,
    secret: &WebhookSecret,
    event: &Event,
) -> (Option<u16>, u32, Duration) {
    let body = match serde_json::to_vec(event) {
        Ok(b) => b,
        Err(_) => return (None, 0, Duration::ZERO),
    };
    let started = Instant::now();
    let mut tries = 0;
    loop {
        tries += 1;
        let ts = unix_now();
        let sig = signature::sign(std::slice::from_ref(secret), &event.id, ts, &body);
        let r = http
            .post(url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header("Anton-Signature", &sig.anton_signature)
            .header("Anton-Event-Id", &event.id)
            .header("webhook-id", &event.id)
            .header("webhook-timestamp", ts.to_string())
            .header("webhook-signature", &sig.webhook_signature)
            .body(body.clone())
            .send()
            .await;
        let status = r.as_ref().ok().map(|r| r.status().as_u16());
        if status.is_some_and(|s| (200..300).contains(&s)) || tries >= 4 {
            return (status, tries, started.elapsed());
        }
        tokio::time::sleep(Duration::from_millis(250 * (1 << tries))).await;
    }
}

/// `anton listen --forward-to URL`: follows the server's events (new ones only) and forwards
/// each, signed with the local secret, to a handler on this machine, logging each delivery.
pub async fn listen(
    connect: &Connect,
    forward_to: &str,
    events: &[String],
    print_secret: bool,
    forward_ca: Option<&Path>,
    as_json: bool,
) -> anyhow::Result<()> {
    let (client, mut profile) = connect.client()?;
    let http = forward_client(forward_to, forward_ca)?;
    // The local secret: kept in the profile so a handler's configuration survives restarts.
    let secret = match profile
        .listen_secret
        .as_deref()
        .and_then(|s| WebhookSecret::parse(s).ok())
    {
        Some(s) => s,
        None => {
            let s = WebhookSecret::generate();
            profile.listen_secret = Some(s.expose_secret().to_owned());
            let mut all = read_profiles()?;
            if let Some(stored) = all.get_mut(&connect.profile_name()) {
                stored.listen_secret = profile.listen_secret.clone();
                write_profiles(&all)?;
            }
            s
        }
    };
    if print_secret {
        println!("{}", secret.expose_secret());
    } else {
        eprintln!(
            "forwarding events to {forward_to}, signed with the local secret \
             (run with --print-secret to see it)"
        );
    }
    std::io::stdout().flush()?;
    // New events only: from one second before now (created has second resolution), deduplicated.
    let mut since = time::OffsetDateTime::now_utc() - Duration::from_secs(1);
    let mut seen: HashSet<String> = HashSet::new();
    let mut order: VecDeque<(String, time::OffsetDateTime)> = VecDeque::new();
    // Events that existed before we started are not forwarded.
    {
        use futures_util::TryStreamExt;
        let existing: Vec<Event> = client
            .events()
            .list_all(ListParams::new().created_gte(since))
            .try_collect()
            .await?;
        for e in existing {
            order.push_back((e.id.clone(), e.created));
            seen.insert(e.id);
        }
    }
    eprintln!("ready");
    loop {
        let page: Vec<Event> = {
            use futures_util::TryStreamExt;
            match client
                .events()
                .list_all(ListParams::new().created_gte(since))
                .try_collect()
                .await
            {
                Ok(p) => p,
                Err(e) => {
                    eprintln!("polling events failed (retrying): {e}");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    continue;
                }
            }
        };
        // Oldest first.
        let mut fresh: Vec<Event> = page.into_iter().filter(|e| !seen.contains(&e.id)).collect();
        fresh.sort_by(|a, b| a.created.cmp(&b.created).then_with(|| a.id.cmp(&b.id)));
        for e in fresh {
            seen.insert(e.id.clone());
            order.push_back((e.id.clone(), e.created));
            if !subscribed(events, &e.kind) {
                continue;
            }
            let (status, tries, took) = forward(&http, forward_to, &secret, &e).await;
            if as_json {
                println!(
                    "{}",
                    json!({"event": e.id, "type": e.kind, "status": status, "attempts": tries, "ms": took.as_millis()})
                );
            } else {
                println!(
                    "{} {:<26} → {} [{}] {} ms{}",
                    e.id,
                    e.kind,
                    forward_to,
                    status.map_or("no answer".to_owned(), |s| s.to_string()),
                    took.as_millis(),
                    if tries > 1 {
                        format!(" ({tries} attempts)")
                    } else {
                        String::new()
                    }
                );
            }
            std::io::stdout().flush()?;
        }
        // Move the window forward, keeping a few seconds of overlap for late commits.
        let horizon = time::OffsetDateTime::now_utc() - Duration::from_secs(5);
        if horizon > since {
            since = horizon;
        }
        while order.front().is_some_and(|(_, t)| *t < since) {
            if let Some((id, _)) = order.pop_front() {
                seen.remove(&id);
            }
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}
