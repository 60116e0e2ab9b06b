//! The HTTPS listener: TCP accept, the rustls handshake, HTTP/1.1 or HTTP/2, and the limits that
//! keep slow, idle or numerous clients from holding a node's connections and memory
//! (docs/security.md, "Limits"):
//!
//! - **connections**: at most `max_connections` open on the node and `max_connections_per_address`
//!   from one client address (IPv6: per /64, what one subscriber gets). A connection over either
//!   limit is closed at once, before its handshake.
//! - **handshake**: 10 s.
//! - **headers**: HTTP/1.1 header blocks of at most `max_header_bytes` (431 beyond), each read in
//!   `header_timeout_ms` from its first byte — or, on a keep-alive connection, from the end of the
//!   previous response (hyper's timer), so a connection idling between HTTP/1.1 requests is closed
//!   then too. HTTP/2 caps header lists at 16 KiB.
//! - **bodies**: read in `body_timeout_ms` (the API's body extractor, 408).
//! - **idle**: a connection with no request under way for `idle_timeout_ms` (bytes alone, such
//!   as HTTP/2 `PING`s, do not count) is closed (gracefully, within 2 s: a client that stops reading what it is
//!   sent cannot hold the connection open). A request under way — until its response is
//!   produced, or it is abandoned — is never idle.
//! - **memory and work per connection**: HTTP/1.1 read buffers of at most the header cap; HTTP/2
//!   flow-control windows of 64 KiB per stream and 1 MiB per connection, send buffers of 64 KiB
//!   per stream, 64 streams at once; a request's handler holds its connection's slots until it
//!   ends. So the connection limits bound the memory and the work all connections can hold.
//!
//! **Nothing is ever served in plaintext**: a client that speaks HTTP without TLS fails the
//! handshake and the connection is closed without an HTTP response.

use std::collections::HashMap;
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anton_api::body::BodyTimeout;
use anton_api::client::{AddressKey, AuthFailureLimits};
use axum::extract::{ConnectInfo, Request};
use axum::Router;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::service::TowerToHyperService;
use rustls::ServerConfig;
use serde::{Deserialize, Serialize};
use tokio::net::TcpListener;
use tokio::sync::{watch, OwnedSemaphorePermit, Semaphore};
use tokio_rustls::TlsAcceptor;
use tower::ServiceExt;

/// How long a TLS handshake may take.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a stopping listener lets open connections finish their requests.
const DRAIN: Duration = Duration::from_secs(30);
/// How long an idle connection being closed may take to flush its goodbye (HTTP/2 `GOAWAY`, TLS
/// `close_notify`) before it is dropped.
const IDLE_CLOSE_GRACE: Duration = Duration::from_secs(2);
/// HTTP/2 flow control: what one stream, and one connection, may have in flight unread.
const H2_STREAM_WINDOW: u32 = 64 * 1024;
const H2_CONNECTION_WINDOW: u32 = 1024 * 1024;
const H2_STREAMS_MAX: u32 = 64;
/// HTTP/2: what one stream may have buffered for a client that does not read.
const H2_SEND_BUFFER: usize = 64 * 1024;
/// How often the node's full connection table is logged while it lasts.
const FULL_WARNING_EVERY: Duration = Duration::from_secs(60);

/// The listener's limits (`[http]` in `anton.toml`; docs/security.md).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct HttpConfig {
    /// A request's header block must arrive within this, from its first byte (HTTP/1.1; also
    /// the longest wait for the next request on a keep-alive connection).
    pub header_timeout_ms: u64,
    /// A request's body must arrive within this, once its handler starts reading it (408).
    pub body_timeout_ms: u64,
    /// A connection with no request under way and no traffic for this long is closed.
    pub idle_timeout_ms: u64,
    /// Open connections on this node, at most.
    pub max_connections: usize,
    /// Open connections from one client address (IPv6: one /64), at most.
    pub max_connections_per_address: usize,
    /// Largest HTTP/1.1 header block (request line included) in bytes, 8192 or more (hyper's
    /// smallest read buffer); 431 beyond. It is also the connection's read buffer.
    pub max_header_bytes: usize,
    /// Failed authentications per second from one client address (IPv6: one /64), bursts of
    /// twice that; beyond, failures get 429 (requests with a valid key never do).
    pub auth_failures_per_address_per_s: u64,
    /// Failed authentications per second across the node, bursts of twice that.
    pub auth_failures_per_node_per_s: u64,
}

impl Default for HttpConfig {
    fn default() -> Self {
        Self {
            header_timeout_ms: 15_000,
            body_timeout_ms: 30_000,
            idle_timeout_ms: 60_000,
            max_connections: 4_096,
            max_connections_per_address: 256,
            max_header_bytes: 16 * 1024,
            auth_failures_per_address_per_s: AuthFailureLimits::default().per_address_per_s,
            auth_failures_per_node_per_s: AuthFailureLimits::default().per_node_per_s,
        }
    }
}

impl HttpConfig {
    /// The API's failed-authentication budgets.
    pub fn auth_failures(&self) -> AuthFailureLimits {
        AuthFailureLimits {
            per_address_per_s: self.auth_failures_per_address_per_s,
            per_node_per_s: self.auth_failures_per_node_per_s,
        }
    }

    /// Refuses values that would disable a limit or break the server.
    pub fn validate(&self) -> Result<(), String> {
        if self.header_timeout_ms == 0 || self.body_timeout_ms == 0 || self.idle_timeout_ms == 0 {
            return Err("http timeouts must be at least 1 ms".into());
        }
        if self.max_connections == 0 || self.max_connections_per_address == 0 {
            return Err("http connection limits must be at least 1".into());
        }
        if self.auth_failures_per_address_per_s == 0 || self.auth_failures_per_node_per_s == 0 {
            return Err("http.auth_failures_* must be at least 1 per second".into());
        }
        if !(8192..=1024 * 1024).contains(&self.max_header_bytes) {
            return Err("http.max_header_bytes must be between 8192 and 1048576".into());
        }
        Ok(())
    }
}

/// Accepts TLS connections on `listener` and serves `app` on them, within `limits`, until
/// `shutdown` resolves; then lets open requests finish (at most 30 s).
pub async fn serve(
    listener: TcpListener,
    tls: Arc<ServerConfig>,
    app: Router,
    limits: HttpConfig,
    shutdown: impl Future<Output = ()>,
) {
    let acceptor = TlsAcceptor::from(tls);
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    let per_address = Arc::new(PerAddress::new(limits.max_connections_per_address));
    let (stopping_tx, stopping) = watch::channel(false);
    let limits = Arc::new(limits);
    let mut last_full_warning: Option<Instant> = None;
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
        let Ok(slot) = slots.clone().try_acquire_owned() else {
            // Logged once a minute while it lasts, not per connection (a flood is not a log flood).
            if last_full_warning.is_none_or(|t: Instant| t.elapsed() >= FULL_WARNING_EVERY) {
                last_full_warning = Some(Instant::now());
                tracing::warn!(
                    limit = limits.max_connections,
                    "connections refused: the node's connection limit is reached"
                );
            }
            continue; // dropped: closed
        };
        let Some(held) = per_address.enter(peer.ip()) else {
            tracing::debug!(client.addr = %peer, "connection refused: this address's connection limit is reached");
            continue;
        };
        let _ = tcp.set_nodelay(true);
        let connection = Connection {
            acceptor: acceptor.clone(),
            app: app.clone(),
            limits: Arc::clone(&limits),
            peer,
            stopping: stopping.clone(),
            held: Arc::new((slot, held)),
        };
        tokio::spawn(connection.run(tcp));
    }
    drop(listener);
    let _ = stopping_tx.send(true);
    // Every connection holds a slot until it ends: all slots back means all connections closed.
    let everyone = u32::try_from(limits.max_connections).unwrap_or(u32::MAX);
    let _ = tokio::time::timeout(DRAIN, slots.acquire_many(everyone)).await;
}

/// One accepted connection and what it holds.
struct Connection {
    acceptor: TlsAcceptor,
    app: Router,
    limits: Arc<HttpConfig>,
    peer: SocketAddr,
    stopping: watch::Receiver<bool>,
    /// The node's and the address's slots, held by the connection and by each of its requests.
    held: Arc<(OwnedSemaphorePermit, AddressSlot)>,
}

impl Connection {
    async fn run(mut self, tcp: tokio::net::TcpStream) {
        let peer = self.peer;
        let activity = Activity::new();
        let stream = match tokio::time::timeout(HANDSHAKE_TIMEOUT, self.acceptor.accept(tcp)).await
        {
            Ok(Ok(s)) => s,
            Ok(Err(e)) => {
                tracing::debug!(client.addr = %peer, error = %e, "TLS handshake failed");
                return;
            }
            Err(_) => return,
        };
        let body_timeout = BodyTimeout(Duration::from_millis(self.limits.body_timeout_ms));
        let (app, tracker, held) = (
            self.app.clone(),
            Arc::clone(&activity),
            Arc::clone(&self.held),
        );
        let svc = tower::service_fn(move |mut req: Request<hyper::body::Incoming>| {
            // Counted until the response is produced or the request is abandoned (an HTTP/2
            // stream reset drops this future): a request under way keeps its connection open.
            let under_way = tracker.request();
            // A handler holds its connection's slots until it ends, even after the connection
            // closed: the connection limits bound the work under way, not only the sockets.
            let held = Arc::clone(&held);
            req.extensions_mut().insert(ConnectInfo(peer));
            req.extensions_mut().insert(body_timeout);
            let app = app.clone();
            async move {
                let response = app.oneshot(req).await;
                drop((under_way, held));
                response
            }
        });
        let mut builder = auto::Builder::new(TokioExecutor::new());
        builder
            .http1()
            .timer(TokioTimer::new())
            .header_read_timeout(Duration::from_millis(self.limits.header_timeout_ms))
            // The read buffer's cap is the header cap: a head that does not fit is refused with
            // 431 (hyper's `TooLarge`); bodies stream through the buffer in chunks.
            .max_buf_size(self.limits.max_header_bytes);
        builder
            .http2()
            .timer(TokioTimer::new())
            .initial_stream_window_size(H2_STREAM_WINDOW)
            .initial_connection_window_size(H2_CONNECTION_WINDOW)
            .max_send_buf_size(H2_SEND_BUFFER)
            .max_concurrent_streams(H2_STREAMS_MAX);
        let conn = builder.serve_connection(TokioIo::new(stream), TowerToHyperService::new(svc));
        tokio::pin!(conn);
        let idle = Duration::from_millis(self.limits.idle_timeout_ms);
        // Once closing, the connection ends by itself when its requests are answered; a client
        // that does not read what is written to it is cut off at this deadline.
        let mut deadline: Option<tokio::time::Instant> = None;
        let mut extended = false;
        loop {
            tokio::select! {
                _ = conn.as_mut() => return,
                () = tokio::time::sleep(activity.idle_left(idle)), if deadline.is_none() => {
                    if activity.idle_for() >= idle {
                        tracing::debug!(client.addr = %peer, "idle connection closed");
                        conn.as_mut().graceful_shutdown();
                        deadline = Some(tokio::time::Instant::now() + IDLE_CLOSE_GRACE);
                    }
                }
                _ = self.stopping.wait_for(|s| *s), if deadline.is_none() => {
                    conn.as_mut().graceful_shutdown();
                    deadline = Some(tokio::time::Instant::now() + DRAIN);
                }
                () = tokio::time::sleep_until(deadline.unwrap_or_else(tokio::time::Instant::now)),
                    if deadline.is_some() => {
                    // A request that raced the idle goodbye (an HTTP/2 stream opened before the
                    // client read the GOAWAY) gets the stopping node's time to finish, once.
                    if activity.under_way() && !extended {
                        extended = true;
                        deadline = Some(tokio::time::Instant::now() + DRAIN);
                    } else {
                        return;
                    }
                }
            }
        }
    }
}

/// How many of a connection's requests are under way, and when the last one began or ended.
/// Only requests count: bytes alone (HTTP/2 `PING`s, window updates, a trickle of header bytes
/// that the header timeout cuts) never keep a connection from being idle.
struct Activity {
    started: Instant,
    /// Milliseconds since `started` of the last request's start or end.
    last_ms: AtomicU64,
    requests: AtomicUsize,
}

impl Activity {
    fn new() -> Arc<Self> {
        Arc::new(Self {
            started: Instant::now(),
            last_ms: AtomicU64::new(0),
            requests: AtomicUsize::new(0),
        })
    }

    fn touch(&self) {
        let ms = u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.last_ms.store(ms, Ordering::Relaxed);
    }

    /// Counts a request as under way until the returned guard is dropped.
    fn request(self: &Arc<Self>) -> UnderWay {
        self.requests.fetch_add(1, Ordering::AcqRel);
        self.touch();
        UnderWay(Arc::clone(self))
    }

    fn under_way(&self) -> bool {
        self.requests.load(Ordering::Acquire) > 0
    }

    /// How long the connection has been idle: zero while a request is under way.
    fn idle_for(&self) -> Duration {
        if self.requests.load(Ordering::Acquire) > 0 {
            return Duration::ZERO;
        }
        let last = Duration::from_millis(self.last_ms.load(Ordering::Relaxed));
        self.started.elapsed().saturating_sub(last)
    }

    /// How long until the connection would have been idle for `idle` (at least a tick).
    fn idle_left(&self, idle: Duration) -> Duration {
        idle.saturating_sub(self.idle_for())
            .max(Duration::from_millis(10))
    }
}

/// A request under way on a connection (see [`Activity::request`]).
struct UnderWay(Arc<Activity>);

impl Drop for UnderWay {
    fn drop(&mut self) {
        self.0.requests.fetch_sub(1, Ordering::AcqRel);
        self.0.touch();
    }
}

/// Open connections per client address.
struct PerAddress {
    max: usize,
    open: Mutex<HashMap<AddressKey, usize>>,
}

/// One connection counted for its address until dropped.
struct AddressSlot {
    table: Arc<PerAddress>,
    key: AddressKey,
}

impl PerAddress {
    fn new(max: usize) -> Self {
        Self {
            max,
            open: Mutex::default(),
        }
    }

    /// A slot for one more connection from `ip`, unless its address has `max` open.
    fn enter(self: &Arc<Self>, ip: IpAddr) -> Option<AddressSlot> {
        let key = AddressKey::of(ip);
        let mut open = self.open.lock().unwrap_or_else(|p| p.into_inner());
        let n = open.entry(key).or_insert(0);
        if *n >= self.max {
            return None;
        }
        *n += 1;
        Some(AddressSlot {
            table: Arc::clone(self),
            key,
        })
    }
}

impl Drop for AddressSlot {
    fn drop(&mut self) {
        let mut open = self.table.open.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(n) = open.get_mut(&self.key) {
            *n -= 1;
            if *n == 0 {
                open.remove(&self.key);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_gets_its_limit_and_a_slot_back_when_a_connection_ends() {
        let table = Arc::new(PerAddress::new(2));
        let ip: IpAddr = "192.0.2.1".parse().unwrap();
        let first = table.enter(ip).unwrap();
        let _second = table.enter(ip).unwrap();
        assert!(table.enter(ip).is_none());
        assert!(table.enter("192.0.2.2".parse().unwrap()).is_some());
        drop(first);
        assert!(table.enter(ip).is_some());
    }
}
