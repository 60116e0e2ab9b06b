//! Building and running a node: `Application::build` → `local_addr()` → `run_until_stopped()`. The node
//! is wired here: the store, the engine over it, the API over the engine, and the workers (the
//! rail, the webhook dispatcher with its HTTPS egress, housekeeping) by role.
//!
//! The HTTPS listener accepts TCP, completes a rustls handshake (10 s limit) and serves HTTP/1.1 or
//! HTTP/2 on it. **Nothing is ever served in plaintext**: a client that speaks HTTP without TLS
//! fails the handshake and the connection is closed without an HTTP response.

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
use axum::extract::{ConnectInfo, Request};
use axum::Router;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use hyper_util::service::TowerToHyperService;
use rustls::ServerConfig;
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;
use tower::ServiceExt;

use crate::config::Config;

const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

pub struct Application {
    listener: TcpListener,
    tls: Arc<ServerConfig>,
    engine: Engine,
    /// The webhook transport, built at start so a bad extra CA fails the start.
    egress: Arc<crate::egress::Clients>,
    config: Config,
    generated_ca: Option<PathBuf>,
}

/// Opens the database named by the config (creating the data dir for SQLite) and migrates it.
pub async fn open_store(config: &Config) -> anyhow::Result<Store> {
    std::fs::create_dir_all(&config.data_dir)
        .with_context(|| format!("creating the data directory {}", config.data_dir.display()))?;
    let mut options = StoreOptions::default();
    options.writer.batch_lanes = config.database_write_lanes;
    let store = Store::connect(&config.database_url(), options)
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
        let store = open_store(&config).await?;
        let secrets = crate::secrets::load_or_generate(&config.secrets_dir())?;
        let tls = crate::tls::load(&config.data_dir, &config.tls)?;
        let listener = TcpListener::bind(config.listen)
            .await
            .with_context(|| format!("binding {}", config.listen))?;
        let engine = Engine::new(
            store,
            secrets,
            EngineConfig {
                simulator: config.simulator.clone(),
                webhooks: config.webhooks.clone(),
                live_rail: false,
            },
            lookup,
        );
        // Fail at start, not at the first delivery, when the extra CA cannot be read.
        let egress = Arc::new(crate::egress::Clients::build(
            &config.webhooks,
            &engine.webhooks().guard,
        )?);
        Ok(Self {
            listener,
            tls: tls.server_config,
            engine,
            egress,
            config,
            generated_ca: tls.generated_ca,
        })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .expect("a bound TCP listener has a local address")
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
        let mut workers = Vec::new();
        if self.config.runs_workers() {
            workers.push(tokio::spawn(anton_engine::rail::simulator::run(
                engine.store().clone(),
                self.config.simulator.clone(),
                stop_rx.clone(),
            )));
            workers.push(tokio::spawn(anton_engine::webhooks::dispatch::run(
                engine.clone(),
                self.egress.clone(),
                stop_rx.clone(),
            )));
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
        }
        workers.push(tokio::spawn(maintenance::keep_statistics_fresh(
            engine.store().clone(),
            stop_rx.clone(),
        )));
        tokio::spawn(maintenance::sweep_idempotency_records(
            engine.store().clone(),
            stop_rx.clone(),
        ));
        let state = ApiState::new(engine);
        let app = if self.config.serves_api() {
            anton_api::router(state)
        } else {
            anton_api::health_router(state)
        };
        serve(self.listener, self.tls, app, async move {
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
        Ok(())
    }
}

/// How long a stopping node waits for its workers (webhook attempts run at most their timeout).
const WORKER_DRAIN: Duration = Duration::from_secs(30);

/// Accepts TLS connections on `listener` and serves `app` on them until `shutdown` resolves.
pub async fn serve(
    listener: TcpListener,
    tls: Arc<ServerConfig>,
    app: Router,
    shutdown: impl Future<Output = ()>,
) {
    let acceptor = TlsAcceptor::from(tls);
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    tokio::pin!(shutdown);
    loop {
        let (tcp, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(c) => c,
                Err(e) => {
                    // Out of file descriptors and the like: back off instead of spinning.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = tcp.set_nodelay(true);
        let acceptor = acceptor.clone();
        let app = app.clone();
        let watcher = graceful.watcher();
        tokio::spawn(async move {
            let stream = match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(tcp)).await {
                Ok(Ok(s)) => s,
                Ok(Err(e)) => {
                    tracing::debug!(client.addr = %peer, error = %e, "TLS handshake failed");
                    return;
                }
                Err(_) => return,
            };
            let svc = app.map_request(move |mut req: Request<hyper::body::Incoming>| {
                req.extensions_mut().insert(ConnectInfo(peer));
                req
            });
            let builder = auto::Builder::new(TokioExecutor::new());
            let conn =
                builder.serve_connection(TokioIo::new(stream), TowerToHyperService::new(svc));
            let _ = watcher.watch(conn.into_owned()).await;
        });
    }
    drop(listener);
    let _ = tokio::time::timeout(Duration::from_secs(30), graceful.shutdown()).await;
}
