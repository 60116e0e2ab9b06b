//! Building and running a node: `Application::build` → `port()` → `run_until_stopped()`.
//!
//! The HTTPS listener accepts TCP, completes a rustls handshake (10 s limit) and serves HTTP/1.1 or
//! HTTP/2 on it. **Nothing is ever served in plaintext**: a client that speaks HTTP without TLS
//! fails the handshake and the connection is closed without an HTTP response.

use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

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
use crate::secrets::Secrets;
use crate::state::AppState;

const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

pub struct Application {
    listener: TcpListener,
    tls: Arc<ServerConfig>,
    state: AppState,
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
        Self::build_with_lookup(config, Arc::new(crate::webhooks::ssrf::SystemLookup)).await
    }

    /// [`Application::build`] with another name resolver for webhook destinations (tests).
    pub async fn build_with_lookup(
        config: Config,
        lookup: Arc<dyn crate::webhooks::ssrf::NameLookup>,
    ) -> anyhow::Result<Self> {
        let store = open_store(&config).await?;
        let secrets = Secrets::load_or_generate(&config.secrets_dir())?;
        let tls = crate::tls::load(&config.data_dir, &config.tls)?;
        let listener = TcpListener::bind(config.listen)
            .await
            .with_context(|| format!("binding {}", config.listen))?;
        let webhooks = Arc::new(crate::webhooks::dispatcher::WebhookRuntime {
            guard: crate::webhooks::ssrf::Guard {
                allow: Arc::new(crate::webhooks::ssrf::Allowlist::new(
                    &config.webhooks.allow_private,
                )),
                lookup,
            },
            egress_ips: config.webhooks.egress_ips.clone(),
            clock: Arc::default(),
            wake: Arc::default(),
        });
        // Fail at start, not at the first delivery, when the extra CA cannot be read.
        crate::webhooks::dispatcher::Clients::build(&config.webhooks, &webhooks.guard)?;
        let state = AppState::new(store, secrets, config.simulator.clone(), webhooks);
        Ok(Self {
            listener,
            tls: tls.server_config,
            state,
            config,
            generated_ca: tls.generated_ca,
        })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .expect("a bound TCP listener has a local address")
    }

    pub fn state(&self) -> &AppState {
        &self.state
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
        let mut workers = Vec::new();
        if self.config.runs_workers() {
            workers.push(tokio::spawn(crate::rail::simulator::run(
                self.state.store.clone(),
                self.config.simulator.clone(),
                stop_rx.clone(),
            )));
            workers.push(tokio::spawn(crate::webhooks::dispatcher::run(
                self.state.store.clone(),
                self.state.secrets.clone(),
                self.config.webhooks.clone(),
                self.state.webhooks.clone(),
                stop_rx.clone(),
            )));
        }
        if self.config.serves_api() {
            let role = match self.config.role {
                crate::config::Role::Api => "api",
                _ => "all",
            };
            workers.push(tokio::spawn(heartbeat(
                self.state.clone(),
                role,
                stop_rx.clone(),
            )));
        }
        workers.push(tokio::spawn(keep_statistics_fresh(
            self.state.store.clone(),
            stop_rx.clone(),
        )));
        tokio::spawn(sweep_idempotency_records(
            self.state.store.clone(),
            stop_rx.clone(),
        ));
        let app = if self.config.serves_api() {
            crate::api::router(self.state.clone())
        } else {
            crate::api::health_router(self.state.clone())
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

/// How often an API node beats, and how old a beat may be for its node to count as alive.
const HEARTBEAT: Duration = Duration::from_secs(1);
const HEARTBEAT_FRESH: Duration = Duration::from_secs(3);

/// Rate limits across nodes: every second this node records its heartbeat and counts the API
/// nodes alive; each allows `limit / count` per key. A stopping node removes itself, so the
/// others take over its share within a second.
async fn heartbeat(
    state: crate::state::AppState,
    role: &'static str,
    mut shutdown: tokio::sync::watch::Receiver<bool>,
) {
    let mut tick = tokio::time::interval(HEARTBEAT);
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = shutdown.changed() => break,
        }
        let now = anton_store::now_us();
        let id = state.node_id.clone();
        let beat = state
            .store
            .write(move |c| {
                Box::pin(async move { anton_store::nodes::heartbeat(c, &id, role, now).await })
            })
            .await;
        if let Err(e) = beat {
            tracing::warn!(error = %e, "node heartbeat failed");
            continue;
        }
        let since = now - i64::try_from(HEARTBEAT_FRESH.as_micros()).unwrap_or(3_000_000);
        match anton_store::nodes::count_api_nodes(state.store.read(), since).await {
            Ok(n) => state
                .api_nodes
                .store(n.max(1), std::sync::atomic::Ordering::Relaxed),
            Err(e) => tracing::warn!(error = %e, "counting API nodes failed"),
        }
    }
    let id = state.node_id.clone();
    let _ = state
        .store
        .write(move |c| Box::pin(async move { anton_store::nodes::remove(c, &id).await }))
        .await;
}

/// PostgreSQL: analyzes tables that changed a lot, every 100 ms (see
/// `Store::refresh_statistics`). Nothing on SQLite. Until a table that grew from empty is
/// analyzed, cached plans may walk another index instead of its primary key: with a check every
/// second, a one-endpoint webhook backlog (about a second long) ran a third of its runs that way
/// (~6,500 against ~10,500 deliveries/s). The check is one catalog query.
async fn keep_statistics_fresh(store: Store, mut shutdown: tokio::sync::watch::Receiver<bool>) {
    if store.backend() != anton_store::Backend::Postgres {
        return;
    }
    let mut tick = tokio::time::interval(Duration::from_millis(100));
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = shutdown.changed() => return,
        }
        match store.refresh_statistics().await {
            Ok(tables) if !tables.is_empty() => {
                tracing::debug!(tables = ?tables, "planner statistics refreshed");
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "refreshing planner statistics failed"),
        }
    }
}

/// Idempotency records are kept at least 24 h (DESIGN.md §2); this deletes those older than 48 h,
/// hourly. Safe on every node at once (a plain DELETE by age).
async fn sweep_idempotency_records(store: Store, mut shutdown: tokio::sync::watch::Receiver<bool>) {
    const KEEP_US: i64 = 48 * 3600 * 1_000_000;
    let mut tick = tokio::time::interval(Duration::from_secs(3600));
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = shutdown.changed() => return,
        }
        let cutoff = anton_store::now_us() - KEEP_US;
        match store
            .write(move |c| {
                Box::pin(
                    async move { anton_store::idempotency::delete_older_than(c, cutoff).await },
                )
            })
            .await
        {
            Ok(n) => tracing::debug!(deleted = n, "idempotency records swept"),
            Err(e) => tracing::warn!(error = %e, "idempotency sweep failed"),
        }
    }
}
