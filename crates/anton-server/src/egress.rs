//! Webhook egress: the HTTPS transport the dispatcher posts through
//! ([`anton_engine::webhooks::dispatch::Transport`]).
//!
//! One reqwest client per egress address (round-robin), each verifying certificates against the
//! public roots plus the operator's extra CA, never following redirects, never using a proxy (a
//! proxy would connect to the destination by name, after the guard), and resolving names through
//! the SSRF guard ([`GuardedResolver`]), so it connects only to addresses the guard allowed.

use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use anton_engine::webhooks::dispatch::sending::BODY_KEEP;
use anton_engine::webhooks::dispatch::{Failure, Request, Sent, Transport};
use anton_engine::webhooks::ssrf::{DestinationRefused, Guard};
use anton_engine::webhooks::WebhooksConfig;
use anyhow::Context;
use futures_util::future::BoxFuture;

/// The transport (see the module docs).
pub struct Clients {
    clients: Vec<reqwest::Client>,
    next: AtomicUsize,
}

impl Clients {
    pub fn build(config: &WebhooksConfig, guard: &Guard) -> anyhow::Result<Self> {
        let extra = match &config.extra_root_ca {
            Some(path) => {
                let pem = std::fs::read(path).with_context(|| {
                    format!("reading webhooks.extra_root_ca {}", path.display())
                })?;
                Some(reqwest::Certificate::from_pem(&pem).context("webhooks.extra_root_ca")?)
            }
            None => None,
        };
        let egress: Vec<Option<IpAddr>> = if config.egress_ips.is_empty() {
            vec![None]
        } else {
            config.egress_ips.iter().copied().map(Some).collect()
        };
        let mut clients = Vec::new();
        for ip in egress {
            let mut b = reqwest::Client::builder()
                .use_rustls_tls()
                .https_only(false)
                .redirect(reqwest::redirect::Policy::none())
                .timeout(Duration::from_millis(config.timeout_ms))
                .connect_timeout(Duration::from_millis(config.timeout_ms.min(10_000)))
                .no_proxy()
                .dns_resolver(Arc::new(GuardedResolver(guard.clone())))
                .pool_max_idle_per_host(config.max_in_flight as usize)
                // HTTP/1.1 keep-alive, one connection per concurrent attempt (at most the
                // endpoint's cap): faster to one endpoint than the same attempts multiplexed on
                // one HTTP/2 connection (docs/benchmarks.md), and what every receiver speaks.
                .http1_only()
                .user_agent(concat!("Anton-Webhooks/", env!("CARGO_PKG_VERSION")))
                .local_address(ip);
            if let Some(ca) = &extra {
                b = b.add_root_certificate(ca.clone());
            }
            clients.push(b.build().context("building the webhook HTTP client")?);
        }
        Ok(Self {
            clients,
            next: AtomicUsize::new(0),
        })
    }

    fn pick(&self) -> reqwest::Client {
        let i = self.next.fetch_add(1, Ordering::Relaxed) % self.clients.len();
        self.clients[i].clone()
    }
}

impl Transport for Clients {
    fn post(&self, request: Request) -> BoxFuture<'static, Sent> {
        let mut post = self.pick().post(request.url);
        for (name, value) in request.headers {
            post = post.header(name, value);
        }
        let post = post.body(request.body);
        Box::pin(async move {
            match post.send().await {
                Ok(resp) => answered(resp).await,
                Err(e) => Sent::Failed(if e.is_timeout() {
                    Failure::Timeout
                } else if source_is::<DestinationRefused>(&e) {
                    Failure::RefusedDestination
                } else if source_is::<rustls::Error>(&e) {
                    Failure::Tls
                } else if e.is_connect() {
                    Failure::Connect
                } else {
                    Failure::Request
                }),
            }
        })
    }
}

/// The answer: status, `Retry-After`, and the first [`BODY_KEEP`] bytes of at most four times
/// that read.
async fn answered(mut resp: reqwest::Response) -> Sent {
    let status = resp.status().as_u16();
    let retry_after = resp
        .headers()
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(Duration::from_secs);
    let mut kept = Vec::new();
    let mut read = 0usize;
    while read < BODY_KEEP * 4 {
        match resp.chunk().await {
            Ok(Some(chunk)) => {
                read += chunk.len();
                let room = BODY_KEEP.saturating_sub(kept.len());
                kept.extend_from_slice(&chunk[..chunk.len().min(room)]);
            }
            _ => break,
        }
    }
    Sent::Answered {
        status,
        retry_after,
        body: String::from_utf8_lossy(&kept).into_owned(),
    }
}

/// Whether an `E` is anywhere in `e`'s chain. An `io::Error` is opened with `get_ref`: its
/// `source()` skips the error it wraps (the resolver's refusal, rustls's handshake error), so
/// walking sources alone would miss them.
fn source_is<E: std::error::Error + 'static>(e: &(dyn std::error::Error + 'static)) -> bool {
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = cur {
        if err.is::<E>() {
            return true;
        }
        if let Some(inner) = err
            .downcast_ref::<std::io::Error>()
            .and_then(std::io::Error::get_ref)
        {
            if source_is::<E>(inner) {
                return true;
            }
        }
        cur = err.source();
    }
    false
}

/// The client's resolver: the SSRF guard's ([`Guard::resolve`]).
pub struct GuardedResolver(pub Guard);

impl reqwest::dns::Resolve for GuardedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let guard = self.0.clone();
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let allowed = guard.resolve(host).await?;
            Ok(
                Box::new(allowed.into_iter().map(|ip| SocketAddr::new(ip, 0)))
                    as reqwest::dns::Addrs,
            )
        })
    }
}
