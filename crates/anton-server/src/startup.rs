//! Building and running a node: `Application::build` → `local_addr()` → `run_until_stopped()`. The node
//! is wired here: the store, the engine over it, the API over the engine, and the workers (the
//! rail, the webhook dispatcher with its HTTPS egress, housekeeping) by role.
//!
//! The HTTPS listener is [`crate::http`]: TLS, HTTP/1.1 or HTTP/2, and its limits.

use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anton_api::ApiState;
use anton_engine::webhooks::ssrf::{NameLookup, SystemLookup};
use anton_engine::{maintenance, Engine, EngineConfig};
use anton_store::{Store, StoreOptions};
use anyhow::Context;
use axum::Router;
use rustls::ServerConfig;
use tokio::net::TcpListener;

use crate::config::Config;

pub struct Application {
    listener: TcpListener,
    /// The admin listener for `/metrics`, unless turned off.
    metrics_listener: Option<TcpListener>,
    tls: Arc<ServerConfig>,
    engine: Engine,
    /// The webhook transport, built at start so a bad extra CA fails the start.
    egress: Arc<crate::egress::Clients>,
    /// The SMTP relay for alert emails, when one is configured (built at start, like egress).
    mailer: Option<Arc<crate::smtp::SmtpMailer>>,
    config: Config,
    generated_ca: Option<PathBuf>,
    /// The live rails over bank files, checked at start (docs/live-payouts.md).
    rails: Vec<anton_engine::rail::files::config::FileRail>,
}

/// Opens the database named by the config (creating the data dir for SQLite) and migrates it.
pub async fn open_store(config: &Config) -> anyhow::Result<Store> {
    crate::private::directory(&config.data_dir)?;
    let url = config.database_url();
    if let Some(file) = crate::private::sqlite_file(&url) {
        // SQLite gives its -wal and -shm files the database file's mode: create it 0600 first.
        crate::private::file(file)?;
    }
    crate::private::check_tree(&config.data_dir)?;
    let mut options = StoreOptions::default();
    options.writer.batch_lanes = config.database_write_lanes;
    let store = Store::connect(&url, options)
        .await
        .context("connecting to the database")?;
    store.migrate().await.context("migrating the database")?;
    Ok(store)
}

impl Application {
    pub async fn build(config: Config) -> anyhow::Result<Self> {
        Self::build_with_lookup(config, Arc::new(SystemLookup)).await
    }

    /// [`Application::build`] with another name resolver for webhook destinations (tests).
    pub async fn build_with_lookup(
        config: Config,
        lookup: Arc<dyn NameLookup>,
    ) -> anyhow::Result<Self> {
        // A rail the bank would refuse stops the start, naming its key.
        let rails = anton_engine::rail::files::config::check_all(&config.rails)?;
        let store = open_store(&config).await?;
        let secrets = crate::secrets::load_or_generate(&config.secrets_dir())?;
        let tls = crate::tls::load(&config.data_dir, &config.tls)?;
        let listener = TcpListener::bind(config.listen)
            .await
            .with_context(|| format!("binding {}", config.listen))?;
        let metrics_listener = if config.metrics.enabled {
            let addr = config.metrics.listen;
            Some(TcpListener::bind(addr).await.with_context(|| {
                format!(
                    "binding the metrics listener {addr} (set [metrics] listen, or \
                     ANTON_METRICS__LISTEN; ANTON_METRICS__ENABLED=false turns it off)"
                )
            })?)
        } else {
            None
        };
        let engine = Engine::new(
            store,
            secrets,
            EngineConfig {
                simulator: config.simulator.clone(),
                webhooks: config.webhooks.clone(),
                live_currencies: rails
                    .iter()
                    .map(|r| {
                        (
                            r.currency,
                            anton_engine::rail::files::config::max_amount_minor(r),
                        )
                    })
                    .collect(),
                request_log: config.request_log.clone(),
                alerts: anton_engine::alerts::AlertsConfig {
                    email: config.smtp.host.is_some(),
                    ..config.alerts.clone()
                },
                risk: config.risk.clone(),
                team: config.portal.clone(),
            },
            lookup,
        );
        // Fail at start, not at the first delivery, when the extra CA cannot be read.
        let egress = Arc::new(crate::egress::Clients::build(
            &config.webhooks,
            &engine.webhooks().guard,
        )?);
        let mailer = crate::smtp::SmtpMailer::build(&config.smtp)?.map(Arc::new);
        // The portal's sign-in decoy hash is made now, not during a member's first sign-in.
        std::thread::spawn(anton_engine::team::password::warm_up);
        Ok(Self {
            listener,
            metrics_listener,
            tls: tls.server_config,
            engine,
            egress,
            mailer,
            config,
            generated_ca: tls.generated_ca,
            rails,
        })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .expect("a bound TCP listener has a local address")
    }

    /// Where `/metrics` is served, when it is.
    pub fn metrics_addr(&self) -> Option<SocketAddr> {
        self.metrics_listener
            .as_ref()
            .and_then(|l| l.local_addr().ok())
    }

    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    pub fn generated_ca(&self) -> Option<&PathBuf> {
        self.generated_ca.as_ref()
    }

    /// Serves until `shutdown` resolves, then stops accepting and lets open requests finish.
    pub async fn run_until_stopped(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
        let engine = self.engine.clone();
        let flush_engine = self.engine.clone();
        let mut workers = Vec::new();
        if self.config.runs_workers() {
            workers.push(tokio::spawn(anton_engine::rail::simulator::run(
                engine.store().clone(),
                self.config.simulator.clone(),
                engine.metrics().clone(),
                stop_rx.clone(),
            )));
            if !self.rails.is_empty() {
                workers.push(tokio::spawn(anton_engine::rail::files::worker::run(
                    engine.clone(),
                    self.rails.clone(),
                    stop_rx.clone(),
                )));
            }
            workers.push(tokio::spawn(anton_engine::webhooks::dispatch::run(
                engine.clone(),
                self.egress.clone(),
                stop_rx.clone(),
            )));
            workers.push(tokio::spawn(anton_engine::risk::review::expiry(
                engine.clone(),
                stop_rx.clone(),
            )));
            workers.push(tokio::spawn(anton_engine::risk::history::refresh(
                engine.clone(),
                stop_rx.clone(),
            )));
            // Resolved alerts age out even where evaluation is turned off.
            tokio::spawn(anton_engine::alerts::retention::sweep(
                engine.clone(),
                stop_rx.clone(),
            ));
            if self.config.alerts.enabled {
                workers.push(tokio::spawn(anton_engine::alerts::evaluate::run(
                    engine.clone(),
                    stop_rx.clone(),
                )));
                if let Some(mailer) = &self.mailer {
                    workers.push(tokio::spawn(anton_engine::alerts::email::run(
                        engine.clone(),
                        mailer.clone(),
                        stop_rx.clone(),
                    )));
                }
            }
        }
        if self.config.serves_api() {
            let role = match self.config.role {
                crate::config::Role::Api => "api",
                _ => "all",
            };
            workers.push(tokio::spawn(maintenance::heartbeat(
                engine.clone(),
                role,
                stop_rx.clone(),
            )));
            // Part of serving the API, not a background worker: on whatever `workers` says.
            workers.push(tokio::spawn(anton_engine::request_log::flush(
                engine.clone(),
                stop_rx.clone(),
            )));
        }
        workers.push(tokio::spawn(maintenance::keep_statistics_fresh(
            engine.store().clone(),
            stop_rx.clone(),
        )));
        tokio::spawn(maintenance::sweep_idempotency_records(
            engine.store().clone(),
            stop_rx.clone(),
        ));
        tokio::spawn(anton_engine::team::sessions::sweep_throttle(
            engine.clone(),
            stop_rx.clone(),
        ));
        tokio::spawn(anton_engine::request_log::sweep(
            engine.clone(),
            stop_rx.clone(),
        ));
        if let Some(listener) = self.metrics_listener {
            workers.push(tokio::spawn(crate::metrics::serve(
                listener,
                engine.clone(),
                stop_rx.clone(),
            )));
        }
        let state = ApiState::new(
            engine,
            self.config.http.auth_failures(),
            self.egress.clone(),
        );
        let app = if self.config.serves_api() {
            // The portal's pages beside the API, on the same listener (the API's fallback
            // answers every path neither has).
            // Its requests are counted in the same metrics as the API's, by route template.
            let portal = anton_portal::router(anton_portal::PortalState {
                engine: state.engine.clone(),
                mailer: self
                    .mailer
                    .clone()
                    .map(|m| m as Arc<dyn anton_engine::alerts::email::Mailer>),
                transport: self.egress.clone(),
            })
            .layer(axum::middleware::from_fn_with_state(
                state.engine.metrics().clone(),
                anton_api::metrics::record,
            ));
            portal.merge(anton_api::router(state))
        } else {
            anton_api::health_router(state)
        };
        let limits = self.config.http.clone();
        crate::http::serve(self.listener, self.tls, app, limits, async move {
            shutdown.await;
            let _ = stop_tx.send(true);
        })
        .await;
        // The workers finish what they started (a rail pass, webhook attempts under way, each
        // bounded by its timeout) and record it, so a stopped node leaves nothing half-done.
        let drain = futures_util::future::join_all(workers);
        if tokio::time::timeout(WORKER_DRAIN, drain).await.is_err() {
            tracing::warn!("workers did not stop in time; their leases expire instead");
        }
        // Every request has been answered: write the request log's last entries.
        let _ = tokio::time::timeout(WORKER_DRAIN, flush_engine.flush_request_log()).await;
        Ok(())
    }
}

/// How long a stopping node waits for its workers (webhook attempts run at most their timeout).
const WORKER_DRAIN: Duration = Duration::from_secs(30);

/// Accepts TLS connections on `listener` and serves `app` on them, with the default limits,
/// until `shutdown` resolves (see [`crate::http::serve`]).
pub async fn serve(
    listener: TcpListener,
    tls: Arc<ServerConfig>,
    app: Router,
    shutdown: impl Future<Output = ()>,
) {
    crate::http::serve(
        listener,
        tls,
        app,
        crate::http::HttpConfig::default(),
        shutdown,
    )
    .await;
}
