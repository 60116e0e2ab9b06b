//! Configuration: defaults, then `anton.toml` (if present or named), then `ANTON_*` environment
//! variables (nested keys with `__`, e.g. `ANTON_TLS__CERT_FILE`), then command-line flags.
//! Unknown keys and bad values fail at start with a message naming the key.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use figment::providers::{Env, Format, Serialized, Toml};
use figment::Figment;
use serde::{Deserialize, Serialize};

pub use anton_engine::rail::simulator::SimulatorConfig;
pub use anton_engine::webhooks::WebhooksConfig;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Where the embedded default keeps its database, certificates and secrets.
    pub data_dir: PathBuf,
    /// The HTTPS listener for the API (and, later, the portal).
    pub listen: SocketAddr,
    /// `sqlite://…` or `postgres://…`. Default: SQLite at `<data_dir>/anton.db`.
    pub database_url: Option<String>,
    /// PostgreSQL: database sessions per node that create payouts in parallel (the "lanes";
    /// ARCHITECTURE.md). 2 measured best with the database on the same 2-core machine; a
    /// database server with more cores takes more. 1–64; ignored on SQLite (one writer).
    pub database_write_lanes: usize,
    /// Where the server secrets live. Default: `<data_dir>/secrets`. Every node of a deployment
    /// needs the same secrets.
    pub secrets_dir: Option<PathBuf>,
    pub tls: TlsConfig,
    pub simulator: SimulatorConfig,
    /// `text` (default) or `json`.
    pub log_format: String,
    /// What this node does (docs/reference.md §9): `all` (default), `api` (the HTTPS API only), or
    /// `worker` (the rail and the webhook dispatcher; its port answers only `/healthz` and
    /// `/readyz`). Any number of each on one PostgreSQL database.
    pub role: Role,
    /// Run the background workers (simulator rail, webhook dispatcher) in this process when the
    /// role includes them. Tests turn this off and drive the workers themselves.
    pub workers: bool,
    pub webhooks: WebhooksConfig,
    /// The HTTPS listener's limits: timeouts, connection caps, header size (docs/security.md).
    pub http: crate::http::HttpConfig,
    /// The admin listener for Prometheus (docs/monitoring.md).
    pub metrics: MetricsConfig,
    /// The per-merchant request log (docs/reference.md §6): on by default, kept 30 days.
    pub request_log: anton_engine::request_log::RequestLogConfig,
    /// Per-merchant alerts (docs/reference.md §8), evaluated on worker nodes.
    pub alerts: anton_engine::alerts::AlertsConfig,
    /// Payout risk rules (docs/risk.md): how long a held payout waits for review.
    pub risk: anton_engine::risk::RiskConfig,
    /// The SMTP relay alert emails go through (none by default: no email).
    pub smtp: crate::smtp::SmtpConfig,
    /// The merchant portal's accounts and sessions (docs/portal.md).
    pub portal: anton_engine::team::TeamConfig,
    /// Live rails over bank files, by currency (`usd`, `eur`, `gbp`; docs/live-payouts.md).
    /// None by default: live payouts are refused with `live_rail_not_configured`.
    pub rails:
        std::collections::BTreeMap<String, anton_engine::rail::files::config::FileRailConfig>,
}

/// The admin listener: `GET /metrics` (Prometheus text) and nothing else, in plain HTTP on its
/// own address — never on the public port. Loopback by default; metrics name no merchant, key or
/// URL, but an operator exposing the listener beyond the host should firewall it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MetricsConfig {
    /// Serve metrics at all (default true).
    pub enabled: bool,
    /// Where (default `127.0.0.1:9464`; port 0 picks a free one, logged at start).
    pub listen: SocketAddr,
}

impl Default for MetricsConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            listen: SocketAddr::from(([127, 0, 0, 1], 9464)),
        }
    }
}

/// A node's role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    #[default]
    All,
    Api,
    Worker,
}

impl Config {
    /// Whether this node runs the rail and the webhook dispatcher.
    pub fn runs_workers(&self) -> bool {
        self.workers && self.role != Role::Api
    }

    /// Whether this node serves the public API (a worker serves only health checks).
    pub fn serves_api(&self) -> bool {
        self.role != Role::Worker
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TlsConfig {
    /// PEM certificate chain. With `key_file`; when both are absent a local CA and a `localhost`
    /// certificate are generated into the data dir.
    pub cert_file: Option<PathBuf>,
    pub key_file: Option<PathBuf>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            data_dir: PathBuf::from("./anton-data"),
            listen: SocketAddr::from(([127, 0, 0, 1], 8443)),
            database_url: None,
            database_write_lanes: 2,
            secrets_dir: None,
            tls: TlsConfig::default(),
            simulator: SimulatorConfig::default(),
            log_format: "text".into(),
            role: Role::All,
            workers: true,
            webhooks: WebhooksConfig::default(),
            http: crate::http::HttpConfig::default(),
            metrics: MetricsConfig::default(),
            request_log: Default::default(),
            alerts: Default::default(),
            risk: Default::default(),
            smtp: Default::default(),
            portal: Default::default(),
            rails: Default::default(),
        }
    }
}

/// Command-line overrides (only the flags the user gave).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Overrides {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_dir: Option<PathBuf>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub listen: Option<SocketAddr>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<Role>,
}

/// Top-level settings, for the environment filter.
const CONFIG_KEYS: [&str; 19] = [
    "data_dir",
    "listen",
    "database_url",
    "database_write_lanes",
    "secrets_dir",
    "tls",
    "simulator",
    "log_format",
    "role",
    "workers",
    "webhooks",
    "http",
    "metrics",
    "request_log",
    "alerts",
    "risk",
    "smtp",
    "portal",
    "rails",
];

impl Config {
    /// Loads from `file` (or `./anton.toml` when it exists), the environment and `overrides`.
    pub fn load(file: Option<&Path>, overrides: &Overrides) -> anyhow::Result<Self> {
        let mut fig = Figment::from(Serialized::defaults(Config::default()));
        match file {
            Some(f) => {
                if !f.exists() {
                    bail!("configuration file {} does not exist", f.display());
                }
                fig = fig.merge(Toml::file(f));
            }
            None if Path::new("anton.toml").exists() => fig = fig.merge(Toml::file("anton.toml")),
            None => {}
        }
        // Only the variables that name a setting: other ANTON_* variables (ANTON_LOG, a merchant's
        // ANTON_KEY, …) are not configuration and must not fail the start.
        let env = Env::prefixed("ANTON_")
            .filter(|k| {
                CONFIG_KEYS.contains(
                    &k.as_str()
                        .to_ascii_lowercase()
                        .split("__")
                        .next()
                        .unwrap_or(""),
                )
            })
            .split("__");
        let config: Config = fig
            .merge(env)
            .merge(Serialized::defaults(overrides))
            .extract()
            .context("invalid configuration")?;
        config.validate()?;
        Ok(config)
    }

    fn validate(&self) -> anyhow::Result<()> {
        if self.tls.cert_file.is_some() != self.tls.key_file.is_some() {
            bail!("invalid configuration: tls.cert_file and tls.key_file must be set together");
        }
        if !matches!(self.log_format.as_str(), "text" | "json") {
            bail!("invalid configuration: log_format must be \"text\" or \"json\"");
        }
        if let Some(url) = &self.database_url {
            if !(url.starts_with("sqlite:")
                || url.starts_with("postgres:")
                || url.starts_with("postgresql:"))
            {
                bail!("invalid configuration: database_url must start with sqlite:, postgres: or postgresql:");
            }
        }
        if !(1..=64).contains(&self.database_write_lanes) {
            bail!("invalid configuration: database_write_lanes must be between 1 and 64");
        }
        if !(1..=3650).contains(&self.request_log.retention_days) {
            bail!("invalid configuration: request_log.retention_days must be between 1 and 3650");
        }
        let a = &self.alerts;
        if !(1..=3650).contains(&a.retention_days) {
            bail!("invalid configuration: alerts.retention_days must be between 1 and 3650");
        }
        if a.evaluate_every_ms < 10 || a.quiet_period_s == 0 || a.auth_failures_window_s == 0 {
            bail!("invalid configuration: alerts.evaluate_every_ms must be at least 10, alerts.quiet_period_s and alerts.auth_failures_window_s at least 1");
        }
        if a.auth_failures_threshold < 1 {
            bail!("invalid configuration: alerts.auth_failures_threshold must be at least 1");
        }
        if !(1..=720).contains(&self.risk.review_expires_after_hours) {
            bail!(
                "invalid configuration: risk.review_expires_after_hours must be between 1 and 720"
            );
        }
        self.portal
            .validate()
            .map_err(|e| anyhow::anyhow!("invalid configuration: {e}"))?;
        if let Some(url) = &self.portal.public_url {
            if !url.starts_with("https://") || url::Url::parse(url).is_err() {
                bail!("invalid configuration: portal.public_url must be an https:// URL");
            }
        }
        if self.webhooks.poll_interval_ms == 0 || self.webhooks.timeout_ms == 0 {
            bail!("invalid configuration: webhooks.poll_interval_ms and webhooks.timeout_ms must be at least 1");
        }
        if self.webhooks.max_concurrency_per_endpoint == 0 {
            bail!(
                "invalid configuration: webhooks.max_concurrency_per_endpoint must be at least 1"
            );
        }
        for entry in &self.webhooks.allow_private {
            if entry.trim().is_empty() {
                bail!(
                    "invalid configuration: webhooks.allow_private entries are host names or CIDRs"
                );
            }
        }
        if let Err(e) = self.http.validate() {
            bail!("invalid configuration: {e}");
        }
        if self.simulator.poll_interval_ms == 0 {
            bail!("invalid configuration: simulator.poll_interval_ms must be at least 1");
        }
        Ok(())
    }

    pub fn database_url(&self) -> String {
        self.database_url.clone().unwrap_or_else(|| {
            format!(
                "sqlite://{}?mode=rwc",
                self.data_dir.join("anton.db").display()
            )
        })
    }

    pub fn secrets_dir(&self) -> PathBuf {
        self.secrets_dir
            .clone()
            .unwrap_or_else(|| self.data_dir.join("secrets"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load_toml(text: &str) -> anyhow::Result<Config> {
        let dir =
            std::env::temp_dir().join(format!("anton-config-{}", anton_core::random_base62(8)));
        std::fs::create_dir_all(&dir)?;
        let file = dir.join("anton.toml");
        std::fs::write(&file, text)?;
        let r = Config::load(Some(&file), &Overrides::default());
        let _ = std::fs::remove_dir_all(&dir);
        r
    }

    #[test]
    fn every_top_level_setting_can_come_from_the_environment() {
        // The environment filter names the settings; one missing from it is silently ignored.
        let value = serde_json::to_value(Config::default()).unwrap();
        let mut keys: Vec<&str> = value
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        keys.sort_unstable();
        let mut named = CONFIG_KEYS.to_vec();
        named.sort_unstable();
        assert_eq!(keys, named);
    }

    #[test]
    fn a_valid_file_overrides_the_defaults() {
        let c =
            load_toml("listen = \"127.0.0.1:9443\"\n[simulator]\nsettle_delay_ms = 10\n").unwrap();
        assert_eq!(c.listen.port(), 9443);
        assert_eq!(c.simulator.settle_delay_ms, 10);
        assert_eq!(c.simulator.processing_delay_ms, 2_000);
    }

    #[test]
    fn bad_configuration_fails_with_a_message_naming_the_key() {
        let e = load_toml("lisen = \"127.0.0.1:9443\"\n").unwrap_err();
        assert!(format!("{e:#}").contains("lisen"), "{e:#}");
        let e = load_toml("listen = \"nowhere\"\n").unwrap_err();
        assert!(format!("{e:#}").contains("listen"), "{e:#}");
        let e = load_toml("[tls]\ncert_file = \"a.pem\"\n").unwrap_err();
        assert!(format!("{e:#}").contains("key_file"), "{e:#}");
        let e = load_toml("database_url = \"mysql://x\"\n").unwrap_err();
        assert!(format!("{e:#}").contains("database_url"), "{e:#}");
        let e = load_toml("database_write_lanes = 0\n").unwrap_err();
        assert!(format!("{e:#}").contains("database_write_lanes"), "{e:#}");
        assert_eq!(
            load_toml("database_write_lanes = 6\n")
                .unwrap()
                .database_write_lanes,
            6
        );
        assert!(Config::load(
            Some(Path::new("/nonexistent/anton.toml")),
            &Overrides::default()
        )
        .is_err());
    }
}
