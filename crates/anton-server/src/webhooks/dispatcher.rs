//! The webhook dispatcher (DESIGN.md §5.2): fans events out to deliveries, claims due deliveries
//! with a lease, sends each one signed afresh, and records every attempt with its consequences
//! (retry schedule, `delivery.failing|exhausted|recovered`, disabling an endpoint).
//!
//! One loop per node: claim (only when a delivery is due), fan out (only when an event is
//! waiting; the new deliveries are claimed as they are created, within the room left), start the
//! attempts, then sleep until the store commits something, an attempt frees room, the poll
//! interval passes, or the node stops. What a node claims is bounded twice: per endpoint by its
//! prefetch (a multiple of its concurrency window, so a dead or slow endpoint's backlog never
//! holds up another endpoint) and in all by a multiple of `max_in_flight` (so a delivery claimed
//! now never queues long behind earlier claims), and a claim is shared out evenly between the
//! endpoints with work. Attempts run concurrently, per endpoint at most its window (see
//! [`Speeds`]: opened by successes up to `max_concurrency_per_endpoint`, closed to one by an
//! endpoint that does not answer, so dead endpoints never fill the node's slots). Outcomes are
//! recorded in batches by a recorder task (one write job for every outcome waiting). The
//! dispatcher's write jobs are native (`Store::write_native`): on SQLite they run on the writer
//! thread, on PostgreSQL on a lane of their own.
//!
//! Time: the schedule runs on [`Clock`] (real time plus an offset that tests advance, so the
//! whole three-day schedule runs in seconds); signatures always carry the real time, which is what
//! a receiver checks.

use std::collections::{HashMap, HashSet};
use std::net::IpAddr;
use std::sync::atomic::{AtomicI64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anton_core::event::{EventType, NewEvent};
use anton_core::signature::{self, WebhookSecret};
use anton_core::time::Timestamp;
use anton_store::webhooks::{self, AttemptOutcome, Claimed, DeliveryRecord, EndpointKey};
use anton_store::{events, now_us, BatchConn, Store, Tenant};
use anyhow::Context;
use rand::Rng;
use reqwest::Url;
use tokio::sync::{mpsc, watch, Notify};

use super::ssrf::{DestinationRefused, Guard, GuardedResolver};
use crate::config::WebhooksConfig;
use crate::secrets::Secrets;

/// The schedule's clock: real time plus an offset (0 in production; tests advance it).
#[derive(Debug, Default)]
pub struct Clock {
    offset_us: AtomicI64,
}

impl Clock {
    pub fn now_us(&self) -> i64 {
        now_us() + self.offset_us.load(Ordering::Acquire)
    }

    /// Moves the schedule's time forward (tests).
    pub fn advance(&self, by: Duration) {
        self.offset_us.fetch_add(
            i64::try_from(by.as_micros()).unwrap_or(i64::MAX),
            Ordering::AcqRel,
        );
    }
}

/// What the API and the dispatcher share.
pub struct WebhookRuntime {
    pub guard: Guard,
    pub egress_ips: Vec<IpAddr>,
    pub clock: Arc<Clock>,
    /// Wakes the dispatcher (resend, recover).
    pub wake: Arc<Notify>,
}

/// Most deliveries claimed at once.
const CLAIM_MAX: usize = 1024;
/// Deliveries claimed and not finished on a node, in units of its in-flight cap: enough that its
/// connections stay busy while the next claim commits, few enough that a delivery claimed now
/// does not queue long behind the node's earlier claims.
const OUTSTANDING_PER_SLOT: usize = 8;
/// Deliveries claimed ahead per endpoint, in units of its concurrency cap ("rounds" of attempts),
/// for an endpoint of unknown or ordinary speed. It also sets the lease (see `run`).
const PREFETCH: usize = 8;
/// Rounds claimed ahead at most for an endpoint that answers fast (see [`Speeds`]): with 80 a
/// fast endpoint drained its prefetch before the next claim committed on PostgreSQL (one endpoint,
/// 1,847 deliveries/s with 8 rounds, 2,673 with 16, 3,386 with 32).
const PREFETCH_FAST: usize = 32;
/// An endpoint's concurrency window before anything is known of it (see [`Speeds::window`]).
const INITIAL_WINDOW: usize = 2;
/// Events fanned out per write.
const FANOUT_MAX: i64 = 512;
/// Deliveries created per write (the fan-out stops after the event that reaches it).
const FANOUT_DELIVERIES: usize = 2048;
/// Response bytes kept in the attempt log; at most four times that is read.
const BODY_KEEP: usize = 1024;

/// One finished attempt, for the recorder.
struct Done {
    delivery: Claimed,
    started_us: i64,
    latency_us: i64,
    status_code: Option<u16>,
    retry_after: Option<Duration>,
    body: Option<String>,
    error_class: Option<&'static str>,
}

/// The HTTP clients, one per egress address (round-robin), each verifying certificates against
/// the public roots plus the operator's extra CA, never following redirects, never using a proxy
/// (a proxy would connect to the destination by name, after the guard).
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
                // endpoint's cap): measured 8,600–10,400 deliveries/s to one endpoint against
                // 6,700–7,500/s with the same attempts multiplexed on one HTTP/2 connection, and
                // it is what every receiver speaks.
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

    fn pick(&self) -> &reqwest::Client {
        let i = self.next.fetch_add(1, Ordering::Relaxed) % self.clients.len();
        &self.clients[i]
    }
}

/// An endpoint's deliveries claimed here and not finished, and its concurrency gate.
type Outstanding = (usize, Arc<Gate>);

/// An endpoint's attempts at once on this node: a semaphore whose permits follow the endpoint's
/// window ([`Speeds::window`]). A window that grows adds permits; one that shrinks takes permits
/// back as the attempts holding them finish.
struct Gate {
    sem: Arc<tokio::sync::Semaphore>,
    /// Permits in existence, held or free.
    total: Mutex<usize>,
}

impl Gate {
    fn new(window: usize) -> Self {
        Self {
            sem: Arc::new(tokio::sync::Semaphore::new(window)),
            total: Mutex::new(window),
        }
    }

    /// Gives back a finished attempt's permit, with the permits brought to `window`.
    fn release(&self, permit: tokio::sync::OwnedSemaphorePermit, window: usize) {
        let mut total = self.total.lock().unwrap_or_else(|p| p.into_inner());
        if *total > window {
            permit.forget();
            *total -= 1;
        } else {
            drop(permit);
            if window > *total {
                self.sem.add_permits(window - *total);
                *total = window;
            }
        }
    }
}

/// How an attempt ended, for an endpoint's window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    /// A 2xx.
    Success,
    /// Another status: the endpoint answers, but is unwell.
    Refused,
    /// No answer: a timeout, a connection or request error. The attempt may have held a slot for
    /// the whole timeout.
    Unreachable,
    /// Not sent (disabled endpoint, refused destination, no secret): says nothing of the endpoint.
    NotSent,
}

impl Outcome {
    fn of(done: &Done) -> Self {
        match (done.status_code, done.error_class) {
            (Some(s), _) if (200..300).contains(&s) => Self::Success,
            (Some(_), _) => Self::Refused,
            (None, Some("timeout" | "connect" | "request")) => Self::Unreachable,
            (None, _) => Self::NotSent,
        }
    }
}

/// How far ahead each endpoint is claimed. The half of an endpoint's prefetch still queued when
/// the next claim starts must last until that claim commits, so an endpoint that answers in 2 ms
/// needs more rounds ahead than one that answers in 200 ms. Rounds = 4 × pass time / the
/// endpoint's attempt time (both smoothed), between [`PREFETCH`] and [`PREFETCH_FAST`]. An
/// endpoint that slows down (timeouts) is back at `PREFETCH` within a few attempts; what it holds
/// beyond its lease is not attempted (see `run`).
///
/// Each endpoint also has a concurrency window: its attempts at once on this node, at most its
/// cap (`max_concurrency_per_endpoint`). It starts at [`INITIAL_WINDOW`], doubles with every
/// success, halves with every other status and falls to 1 when the endpoint does not answer
/// (timeout, connection error). So a dead endpoint holds one of the node's `max_in_flight` slots
/// and [`PREFETCH`] of its deliveries, and an endpoint that answers reaches its cap within a few
/// attempts. What a node claims for an endpoint is window × rounds. Endpoints whose last attempt
/// got no answer share at most half of the node's slots and half of its room, so however many
/// of them there are, the endpoints that answer keep the other half.
#[derive(Debug, Default)]
struct Speeds {
    endpoints: HashMap<EndpointKey, EndpointSpeed>,
    /// This node's fan-out-and-claim passes, smoothed (µs).
    pass_us: i64,
}

#[derive(Debug, Clone, Copy)]
struct EndpointSpeed {
    /// Its attempts' duration, smoothed (µs); 0 before the first.
    attempt_us: i64,
    window: usize,
    /// Its last attempt got an answer (any status), or it has not been tried yet.
    answering: bool,
}

impl Speeds {
    /// Endpoints remembered at most (a node seeing more forgets them all and starts again).
    const MAX: usize = 10_000;

    fn smooth(old: i64, new: i64) -> i64 {
        if old == 0 {
            new
        } else {
            old + (new - old) / 8
        }
    }

    fn rounds(&self, key: &EndpointKey) -> usize {
        match self.endpoints.get(key).map(|e| e.attempt_us) {
            Some(attempt) if attempt > 0 && self.pass_us > 0 => {
                let r = (4 * self.pass_us) / attempt.max(1);
                usize::try_from(r)
                    .unwrap_or(PREFETCH)
                    .clamp(PREFETCH, PREFETCH_FAST)
            }
            _ => PREFETCH,
        }
    }

    /// Whether the endpoint's last attempt got an answer (yes for one not tried yet).
    fn answering(&self, key: &EndpointKey) -> bool {
        self.endpoints.get(key).is_none_or(|e| e.answering)
    }

    /// The endpoint's concurrency window, at most `cap`.
    fn window(&self, key: &EndpointKey, cap: usize) -> usize {
        self.endpoints
            .get(key)
            .map_or(INITIAL_WINDOW, |e| e.window)
            .clamp(1, cap.max(1))
    }

    /// What the node may have claimed for the endpoint and not finished: window × rounds.
    fn prefetch(&self, key: &EndpointKey, cap: usize) -> usize {
        self.window(key, cap) * self.rounds(key)
    }

    /// Records an attempt: its duration, and its outcome in the window. Returns the new window.
    fn note_attempt(&mut self, key: &EndpointKey, cap: usize, us: i64, outcome: Outcome) -> usize {
        if self.endpoints.len() >= Self::MAX && !self.endpoints.contains_key(key) {
            self.endpoints.clear();
        }
        let e = self.endpoints.entry(key.clone()).or_insert(EndpointSpeed {
            attempt_us: 0,
            window: INITIAL_WINDOW,
            answering: true,
        });
        e.attempt_us = Self::smooth(e.attempt_us, us.max(1));
        e.answering = match outcome {
            Outcome::Success | Outcome::Refused => true,
            Outcome::Unreachable => false,
            Outcome::NotSent => e.answering,
        };
        e.window = match outcome {
            Outcome::Success => e.window.saturating_mul(2),
            Outcome::Refused => e.window / 2,
            Outcome::Unreachable => 1,
            Outcome::NotSent => e.window,
        }
        .clamp(1, cap.max(1));
        e.window
    }

    fn note_pass(&mut self, us: i64) {
        self.pass_us = Self::smooth(self.pass_us, us.max(1));
    }
}

fn endpoint_key(d: &Claimed) -> EndpointKey {
    d.endpoint_key()
}

fn bucket_name(k: &EndpointKey) -> String {
    format!(
        "{}/{}/{}",
        k.tenant.merchant_id,
        k.tenant.env.as_str(),
        k.id
    )
}

/// Runs the dispatcher until `stop` turns true.
pub async fn run(
    store: Store,
    secrets: Secrets,
    config: WebhooksConfig,
    runtime: Arc<WebhookRuntime>,
    mut stop: watch::Receiver<bool>,
) {
    let clients = match Clients::build(&config, &runtime.guard) {
        Ok(c) => Arc::new(c),
        Err(e) => {
            tracing::error!(error = %e, "webhook dispatcher cannot start");
            return;
        }
    };
    // Per endpoint on this node: deliveries claimed and not finished, and the gate that lets at
    // most its window (≤ `cap`) of them run at once. Claims prefetch up to `Speeds::prefetch`
    // (window × rounds) per endpoint, so the endpoint's connections stay busy while claims and
    // records commit in the background.
    let outstanding: Arc<Mutex<HashMap<EndpointKey, Outstanding>>> = Arc::default();
    // Their total, bounded by `node_max`: a claim takes at most what is left of it.
    let total = Arc::new(AtomicUsize::new(0));
    let node_max = (config.max_in_flight as usize).max(1) * OUTSTANDING_PER_SLOT;
    let (done_tx, done_rx) = mpsc::unbounded_channel::<Done>();
    // Claimed here but not started when the node stops: their leases are released at the end.
    let abandoned: Arc<Mutex<Vec<Claimed>>> = Arc::default();
    let recorder = tokio::spawn(record(
        store.clone(),
        config.clone(),
        runtime.clone(),
        done_rx,
    ));
    let cap = config.max_concurrency_per_endpoint as usize;
    // Per-endpoint rate: a token bucket per endpoint (rate/s, burst 2 × rate), on this node.
    let rate_limiter = crate::api::ratelimit::RateLimiter::default();
    let rated: Mutex<HashSet<EndpointKey>> = Mutex::default();
    let speeds: Arc<Mutex<Speeds>> = Arc::default();
    // All attempts of this node at once, whatever the endpoints: bounds sockets and CPU so an
    // overloaded node does not turn its own slowness into timeouts (and retries) everywhere.
    let global = Arc::new(tokio::sync::Semaphore::new(config.max_in_flight as usize));
    // Of those, what endpoints that do not answer may hold together (each attempt up to the
    // timeout): half, so the endpoints that answer always keep the other half.
    let quiet = Arc::new(tokio::sync::Semaphore::new(
        (config.max_in_flight as usize / 2).max(1),
    ));
    // Longer than a claimed delivery can wait and run here (PREFETCH rounds of attempts, each at
    // most the timeout, which covers connecting too), with a margin: a crashed node's claims are
    // taken over that long after it claimed them. A fast endpoint is claimed further ahead; should
    // it slow down, a delivery whose lease would run out during its attempt is not attempted here
    // (the lease lapses and it is claimed again), so no delivery runs twice at once.
    let timeout_us = i64::try_from(config.timeout_ms).unwrap_or(15_000) * 1_000;
    let lease = timeout_us * (PREFETCH as i64 + 2);
    let committed = store.commits();
    // `stalled`: due work that nothing here has room for (the last claim came back empty). Then a
    // commit wakes the loop only for new events (our own empty claims commit too, and would spin).
    // `no_room`: events wait but this node has no room for their deliveries; a commit brings no
    // room (finished attempts wake the loop), so it does not wake the loop either.
    let mut stalled = false;
    let mut no_room = false;
    let mut woke_by_commit = false;
    let mut known = Known::default();
    let mut per_event = 1;
    loop {
        if *stop.borrow() {
            break;
        }
        if stalled
            && woke_by_commit
            && (no_room || !webhooks::outbox_waiting(store.read()).await.unwrap_or(true))
        {
            woke_by_commit = wait(&committed, &runtime, &config, &mut stop).await;
            continue;
        }
        let mut busy_loop = false;
        stalled = false;
        let now = runtime.clock.now_us();
        // What each endpoint may still take on this node: what is left of its prefetch, bounded
        // by its burst and its rate budget. Endpoints not listed get the ordinary prefetch (and a
        // fresh bucket).
        let burst = usize::try_from(2 * config.rate_per_endpoint_per_s).unwrap_or(usize::MAX);
        let allowance: HashMap<EndpointKey, usize> = {
            let map = outstanding.lock().unwrap_or_else(|p| p.into_inner());
            let speeds = speeds.lock().unwrap_or_else(|p| p.into_inner());
            let mut out: HashMap<EndpointKey, usize> = map
                .iter()
                .map(|(k, (n, _))| (k.clone(), speeds.prefetch(k, cap).saturating_sub(*n)))
                .collect();
            // Known endpoints with nothing outstanding that must take less than an unknown one
            // (a closed window, not answering) or may take far more (fast ones). The others get
            // the unknown endpoint's prefetch for one claim, and are listed once outstanding: a
            // node that knows thousands of endpoints does not copy them all on every pass.
            let fresh = INITIAL_WINDOW.min(cap) * PREFETCH;
            for k in speeds.endpoints.keys() {
                let prefetch = speeds.prefetch(k, cap);
                if prefetch < fresh || speeds.rounds(k) > PREFETCH || !speeds.answering(k) {
                    out.entry(k.clone()).or_insert(prefetch);
                }
            }
            for room in out.values_mut() {
                *room = (*room).min(burst);
            }
            // Endpoints that do not answer share half the node's room: what is left of it goes
            // to them in turn.
            let quiet_held: usize = map
                .iter()
                .filter(|(k, _)| !speeds.answering(k))
                .map(|(_, (n, _))| *n)
                .sum();
            let mut quiet_left = (node_max / 2).saturating_sub(quiet_held);
            for (k, room) in out.iter_mut() {
                if !speeds.answering(k) {
                    *room = (*room).min(quiet_left);
                    quiet_left -= *room;
                }
            }
            let full = 2 * config.rate_per_endpoint_per_s;
            rated
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .retain(|key| {
                    let budget = rate_limiter
                        .peek(&bucket_name(key), config.rate_per_endpoint_per_s)
                        .remaining;
                    let entry = out
                        .entry(key.clone())
                        .or_insert(INITIAL_WINDOW.min(cap) * PREFETCH);
                    *entry = (*entry).min(usize::try_from(budget).unwrap_or(usize::MAX));
                    budget < full // a full bucket constrains nothing: stop tracking it
                });
            out
        };
        let real = now_us();
        // An endpoint not listed is unknown here (its first window, the ordinary prefetch) and has
        // a full bucket: at most its burst.
        let per_endpoint = (INITIAL_WINDOW.min(cap) * PREFETCH).min(burst);
        let limit = CLAIM_MAX.min(node_max.saturating_sub(total.load(Ordering::Acquire)));
        let lease_until = real + lease;
        let pass = Pass {
            now,
            lease_now: real,
            lease_until,
            per_endpoint,
            limit,
            allowance,
            known: std::mem::take(&mut known),
            per_event,
        };
        let started = Instant::now();
        let claim = fan_out_and_claim(&store, pass).await;
        if claim.as_ref().is_ok_and(|c| c.wrote) {
            speeds
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .note_pass(i64::try_from(started.elapsed().as_micros()).unwrap_or(i64::MAX));
        }
        match claim {
            Ok(Claim {
                fanned_out,
                more_waiting,
                no_room: none_fits,
                per_event: fanned_per_event,
                claimed,
                ..
            }) => {
                busy_loop |= more_waiting && fanned_out;
                no_room = none_fits;
                if let Some(n) = fanned_per_event {
                    per_event = n;
                }
                // Due work that nothing here has room for (see `stalled` above).
                stalled = !fanned_out && claimed.as_ref().is_some_and(Vec::is_empty);
                let claimed = claimed.unwrap_or_default();
                busy_loop |= limit > 0 && claimed.len() == limit;
                known = Known {
                    waiting: more_waiting,
                    due: limit > 0 && claimed.len() == limit,
                };
                total.fetch_add(claimed.len(), Ordering::AcqRel);
                for d in claimed {
                    let key = endpoint_key(&d);
                    let (prefetch, window) = {
                        let speeds = speeds.lock().unwrap_or_else(|p| p.into_inner());
                        (speeds.prefetch(&key, cap), speeds.window(&key, cap))
                    };
                    rate_limiter.check(&bucket_name(&key), config.rate_per_endpoint_per_s);
                    rated
                        .lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .insert(key.clone());
                    let gate = {
                        let mut map = outstanding.lock().unwrap_or_else(|p| p.into_inner());
                        let entry = map
                            .entry(key.clone())
                            .or_insert_with(|| (0, Arc::new(Gate::new(window))));
                        entry.0 += 1;
                        entry.1.clone()
                    };
                    let (global, quiet) = (global.clone(), quiet.clone());
                    let (clients, secrets, runtime, done_tx, outstanding, abandoned, total) = (
                        clients.clone(),
                        secrets.clone(),
                        runtime.clone(),
                        done_tx.clone(),
                        outstanding.clone(),
                        abandoned.clone(),
                        total.clone(),
                    );
                    let speeds = speeds.clone();
                    let mut stopping = stop.clone();
                    tokio::spawn(async move {
                        let done = {
                            // Waiting for a slot: a stopping node gives the delivery back instead.
                            let (endpoint_permit, _quiet_permit, _node_permit) = tokio::select! {
                                p = async {
                                    let endpoint = gate.sem.clone().acquire_owned().await;
                                    let answering = || {
                                        speeds
                                            .lock()
                                            .unwrap_or_else(|p| p.into_inner())
                                            .answering(&key)
                                    };
                                    // An endpoint that does not answer takes one of the quiet
                                    // slots first. Whether it answers can change while it waits
                                    // for a node slot (an earlier attempt timed out): then the
                                    // node slot goes back and it queues for a quiet one.
                                    loop {
                                        let quiet = if answering() {
                                            None
                                        } else {
                                            quiet.clone().acquire_owned().await.ok()
                                        };
                                        let node = global.clone().acquire_owned().await;
                                        if quiet.is_none() && !answering() {
                                            continue;
                                        }
                                        break (endpoint, quiet, node);
                                    }
                                } => p,
                                _ = stopping.wait_for(|s| *s) => {
                                    abandoned.lock().unwrap_or_else(|p| p.into_inner()).push(d);
                                    return;
                                }
                            };
                            // Its lease would run out before the attempt could (an endpoint that
                            // slowed down after it was claimed far ahead): not attempted here. The
                            // lease lapses and the delivery is claimed again, never run twice at
                            // once.
                            let (done, window) = if now_us() + timeout_us >= lease_until {
                                tracing::debug!(delivery = %d.id, "lease too short for an attempt; left to lapse");
                                let window = speeds
                                    .lock()
                                    .unwrap_or_else(|p| p.into_inner())
                                    .window(&key, cap);
                                (None, window)
                            } else {
                                let done = attempt(&clients, &secrets, &runtime, d).await;
                                let window = speeds
                                    .lock()
                                    .unwrap_or_else(|p| p.into_inner())
                                    .note_attempt(&key, cap, done.latency_us, Outcome::of(&done));
                                (Some(done), window)
                            };
                            if let Ok(permit) = endpoint_permit {
                                gate.release(permit, window);
                            }
                            done
                        };
                        let refill = {
                            let mut map = outstanding.lock().unwrap_or_else(|p| p.into_inner());
                            let mut left = 0;
                            if let Some(entry) = map.get_mut(&key) {
                                entry.0 = entry.0.saturating_sub(1);
                                left = entry.0;
                                if left == 0 {
                                    map.remove(&key);
                                }
                            }
                            // The node's room, too: half of it free again.
                            let node_left = total.fetch_sub(1, Ordering::AcqRel) - 1;
                            left == prefetch / 2 || left == 0 || node_left == node_max / 2
                        };
                        if let Some(done) = done {
                            let _ = done_tx.send(done);
                        }
                        if refill {
                            // Half the prefetch is used (the endpoint's or the node's): claim more
                            // before the connections idle.
                            runtime.wake.notify_one();
                        }
                    });
                }
            }
            Err(e) => tracing::warn!(error = %e, "claiming webhook deliveries failed"),
        }
        if busy_loop {
            woke_by_commit = false;
            continue;
        }
        woke_by_commit = wait(&committed, &runtime, &config, &mut stop).await;
    }
    // Stopping: attempts under way finish (each within the timeout) and are recorded; deliveries
    // not started give their leases back, so another node (or this one, restarted) sends them
    // at once instead of after the lease.
    drop(done_tx);
    let _ = recorder.await;
    let released: Vec<_> =
        std::mem::take(&mut *abandoned.lock().unwrap_or_else(|p| p.into_inner()))
            .iter()
            .map(Claimed::key)
            .collect();
    if !released.is_empty() {
        let n = released.len();
        let result = store
            .write_native(move |c| {
                Box::pin(async move { webhooks::release_leases(c, &released).await })
            })
            .await;
        match result {
            Ok(()) => tracing::info!(
                deliveries = n,
                "released the leases of unstarted deliveries"
            ),
            Err(e) => tracing::warn!(error = %e, "releasing leases failed; they expire instead"),
        }
    }
}

/// Sleeps until a commit of this node's writer, a wake-up (an attempt finished, resend, recover),
/// the poll interval, or the stop. `true` when a commit woke it.
async fn wait(
    committed: &Notify,
    runtime: &WebhookRuntime,
    config: &WebhooksConfig,
    stop: &mut watch::Receiver<bool>,
) -> bool {
    tokio::select! {
        () = committed.notified() => true,
        () = runtime.wake.notified() => false,
        () = tokio::time::sleep(Duration::from_millis(config.poll_interval_ms)) => false,
        _ = stop.changed() => false,
    }
}

/// What the previous pass found out, so this one need not ask the database: a full claim leaves
/// more due deliveries behind, and a full fan-out (or a skipped one) more waiting events. On a
/// busy node each of those reads was 10–40 ms (a hand-off to a read connection and a scan past
/// the deliveries under lease).
#[derive(Debug, Clone, Copy, Default)]
struct Known {
    waiting: bool,
    due: bool,
}

/// What one fan-out-and-claim pass did.
struct Claim {
    /// Events were fanned out.
    fanned_out: bool,
    /// The fan-out was full: more events may be waiting.
    more_waiting: bool,
    /// Events wait and none was fanned out: this node has no room for their deliveries. They
    /// stay in the outbox until attempts finish here (which wakes the loop).
    no_room: bool,
    /// Deliveries per event fanned out (subscribers per event), to size the next fan-out.
    per_event: Option<usize>,
    /// The pass ran a write job (its time counts in [`Speeds`]).
    wrote: bool,
    /// The deliveries claimed (`None`: nothing waited and nothing was due).
    claimed: Option<Vec<Claimed>>,
}

/// What one pass may claim, and when.
struct Pass {
    /// The schedule's time: deliveries due by then.
    now: i64,
    /// Real time, which leases are compared with.
    lease_now: i64,
    lease_until: i64,
    /// Most per endpoint not in `allowance`.
    per_endpoint: usize,
    /// Most in all (what is left of the node's room).
    limit: usize,
    /// What each endpoint already busy here may still take.
    allowance: HashMap<EndpointKey, usize>,
    known: Known,
    /// Deliveries per event in the last fan-out: events are read for the room there is, not
    /// FANOUT_MAX at a time (on PostgreSQL each one read is also locked).
    per_event: usize,
}

/// Claims due deliveries and fans out waiting events in one write job, so an event is one commit
/// away from its first attempt: older due deliveries first, then the new events' deliveries,
/// claimed as they are created with the room that is left.
async fn fan_out_and_claim(store: &Store, pass: Pass) -> anton_store::Result<Claim> {
    let Pass {
        now,
        lease_now,
        lease_until,
        per_endpoint,
        limit,
        allowance,
        known,
        per_event,
    } = pass;
    // Reads first, so an idle dispatcher writes nothing.
    let waiting = known.waiting || webhooks::outbox_waiting(store.read()).await?;
    let due = limit > 0 && (known.due || webhooks::any_due(store.read(), now, lease_now).await?);
    if !waiting && !due {
        return Ok(Claim {
            fanned_out: false,
            more_waiting: false,
            no_room: false,
            per_event: None,
            wrote: false,
            claimed: None,
        });
    }
    if !due && limit == 0 {
        // Events wait, but this node has no room to claim their deliveries.
        return Ok(Claim {
            fanned_out: false,
            more_waiting: true,
            no_room: true,
            per_event: None,
            wrote: false,
            claimed: Some(Vec::new()),
        });
    }
    let backend = store.backend();
    store
        .write_native(move |c| {
            Box::pin(async move {
                // Older due deliveries first (retries, a backlog), then the new events' deliveries
                // with the room that is left, claimed as they are created. A full claim skips the
                // fan-out: its deliveries start now, and the next pass fans out while they run.
                let claimed = if due {
                    webhooks::claim_due(
                        c,
                        now,
                        lease_now,
                        lease_until,
                        per_endpoint as i64,
                        limit,
                        &allowance,
                    )
                    .await?
                } else {
                    Vec::new()
                };
                if !waiting || claimed.len() == limit {
                    return Ok(Claim {
                        fanned_out: false,
                        more_waiting: waiting,
                        no_room: false,
                        per_event: None,
                        wrote: true,
                        claimed: Some(claimed),
                    });
                }
                let mut room = allowance;
                for d in &claimed {
                    let left = room.entry(endpoint_key(d)).or_insert(per_endpoint);
                    *left = left.saturating_sub(1);
                }
                let direct = webhooks::DirectClaim {
                    lease_until_us: lease_until,
                    limit: limit - claimed.len(),
                    per_endpoint,
                    room: &room,
                };
                // Enough events for the room (one more, in case some have fewer subscribers).
                let budget = direct.limit.min(FANOUT_DELIVERIES);
                let events = i64::try_from(budget.div_ceil(per_event.max(1)) + 1)
                    .unwrap_or(FANOUT_MAX)
                    .min(FANOUT_MAX);
                let fanned =
                    webhooks::fan_out(c, backend, now, events, FANOUT_DELIVERIES, Some(direct))
                        .await?;
                let mut claimed = claimed;
                claimed.extend(fanned.claimed);
                Ok(Claim {
                    fanned_out: fanned.events > 0,
                    more_waiting: fanned.more,
                    no_room: fanned.events == 0 && fanned.more,
                    per_event: (fanned.events > 0 && fanned.deliveries > 0)
                        .then(|| fanned.deliveries.div_ceil(fanned.events)),
                    wrote: true,
                    claimed: Some(claimed),
                })
            })
        })
        .await
}

/// The secrets that sign a delivery now: the current one, and the previous one during a rotation
/// overlap (real time), newest first.
fn signing_secrets(secrets: &Secrets, d: &Claimed) -> Option<Vec<WebhookSecret>> {
    let aad = d.tenant.merchant_id.as_str().as_bytes();
    let open = |c: &str| {
        secrets
            .keyring
            .decrypt(c, aad)
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .and_then(|s| WebhookSecret::parse(&s).ok())
    };
    let mut out = vec![open(&d.secret_ciphertext)?];
    if let (Some(prev), Some(until)) = (&d.previous_secret_ciphertext, d.previous_expires_us) {
        if until > now_us() {
            out.push(open(prev)?);
        }
    }
    Some(out)
}

async fn attempt(
    clients: &Clients,
    secrets: &Secrets,
    runtime: &WebhookRuntime,
    d: Claimed,
) -> Done {
    let started_us = runtime.clock.now_us();
    let t0 = Instant::now();
    let fail = |d: Claimed, class: &'static str, t0: Instant| Done {
        delivery: d,
        started_us,
        latency_us: i64::try_from(t0.elapsed().as_micros()).unwrap_or(i64::MAX),
        status_code: None,
        retry_after: None,
        body: None,
        error_class: Some(class),
    };
    if d.endpoint_status != "enabled" {
        return fail(d, "endpoint_disabled", t0);
    }
    let Ok(url) = Url::parse(&d.url) else {
        return fail(d, "invalid_url", t0);
    };
    if runtime.guard.check_literal(&url).is_err() {
        return fail(d, "refused_destination", t0);
    }
    let Some(keys) = signing_secrets(secrets, &d) else {
        return fail(d, "secret_unavailable", t0);
    };
    let ts = now_us() / 1_000_000;
    let sig = signature::sign(&keys, d.event_id.as_str(), ts, d.body.as_bytes());
    let ts = ts.to_string();
    let result = clients
        .pick()
        .post(url)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header("Anton-Signature", &sig.anton_signature)
        .header("Anton-Event-Id", d.event_id.as_str())
        .header("webhook-id", d.event_id.as_str())
        .header("webhook-timestamp", &ts)
        .header("webhook-signature", &sig.webhook_signature)
        .body(d.body.clone())
        .send()
        .await;
    match result {
        Ok(mut resp) => {
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
            Done {
                latency_us: i64::try_from(t0.elapsed().as_micros()).unwrap_or(i64::MAX),
                delivery: d,
                started_us,
                status_code: Some(status),
                retry_after,
                body: Some(String::from_utf8_lossy(&kept).into_owned()),
                error_class: (!(200..300).contains(&status)).then_some("http_status"),
            }
        }
        Err(e) => {
            let class = if e.is_timeout() {
                "timeout"
            } else if source_is::<DestinationRefused>(&e) {
                "refused_destination"
            } else if e.is_connect() {
                "connect"
            } else {
                "request"
            };
            fail(d, class, t0)
        }
    }
}

fn source_is<E: std::error::Error + 'static>(e: &(dyn std::error::Error + 'static)) -> bool {
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = cur {
        if err.is::<E>() {
            return true;
        }
        cur = err.source();
    }
    false
}

/// The delay before retry `n` (1-based) with ±20% jitter; `None` when the schedule is used up.
fn retry_delay(schedule: &[u64], n: usize, retry_after: Option<Duration>) -> Option<i64> {
    let base_ms = *schedule.get(n.checked_sub(1)?)?;
    let jitter = rand::thread_rng().gen_range(0.8..=1.2);
    let mut ms = (base_ms as f64 * jitter) as i64;
    if let Some(ra) = retry_after {
        // Honoured within [scheduled, 2 × scheduled].
        let ra_ms = i64::try_from(ra.as_millis()).unwrap_or(i64::MAX);
        ms = ra_ms.clamp(ms, ms.saturating_mul(2));
    }
    Some(ms.saturating_mul(1_000))
}

/// Records outcomes in batches: one write job for everything waiting.
async fn record(
    store: Store,
    config: WebhooksConfig,
    runtime: Arc<WebhookRuntime>,
    mut rx: mpsc::UnboundedReceiver<Done>,
) {
    while let Some(first) = rx.recv().await {
        let mut batch = vec![first];
        while batch.len() < 512 {
            match rx.try_recv() {
                Ok(d) => batch.push(d),
                Err(_) => break,
            }
        }
        // A batch that fails (a lost connection, a deadlock with another node) was rolled back
        // whole, so it is written again — twice more, after a short pause — before its leases
        // are left to expire (then the deliveries are attempted again: at least once, but late
        // and duplicated).
        let batch = Arc::new(batch);
        for pause_ms in [100, 1_000, 0] {
            let now = runtime.clock.now_us();
            let (config, batch) = (config.clone(), Arc::clone(&batch));
            let result = store
                .write_native(move |c| {
                    Box::pin(async move { apply_all(c, &config, &batch, now).await })
                })
                .await;
            match result {
                Ok(()) => break,
                Err(e) if pause_ms > 0 => {
                    tracing::warn!(error = %e, "recording webhook attempts failed; trying again");
                    tokio::time::sleep(Duration::from_millis(pause_ms)).await;
                }
                Err(e) => tracing::warn!(
                    error = %e,
                    "recording webhook attempts failed; their leases expire and they are sent again"
                ),
            }
        }
    }
}

fn is_operational(event_type: &str) -> bool {
    event_type.starts_with("delivery.")
}

/// Writes a batch of outcomes: the attempts and the deliveries' next states set-based, then the
/// endpoints' failure clocks, and the rare consequences (operational events, disabling) row by
/// row.
async fn apply_all(
    c: &mut BatchConn<'_>,
    config: &WebhooksConfig,
    batch: &[Done],
    now: i64,
) -> anton_store::Result<()> {
    let mut rows = Vec::with_capacity(batch.len());
    let mut succeeded: HashSet<EndpointKey> = HashSet::new();
    let mut failed: HashSet<EndpointKey> = HashSet::new();
    let mut gone: Vec<EndpointKey> = Vec::new();
    let mut raised: Vec<(Tenant, NewEvent)> = Vec::new();
    for done in batch {
        let d = &done.delivery;
        let t = &d.tenant;
        let n = d.attempts + 1;
        let ok = done.status_code.is_some_and(|s| (200..300).contains(&s));
        let is_gone = done.status_code == Some(410);
        let (new_status, next) = if ok {
            ("succeeded", None)
        } else if is_gone {
            ("exhausted", None)
        } else {
            match retry_delay(&config.retry_schedule_ms, n as usize, done.retry_after) {
                Some(delay) => ("retrying", Some(now + delay)),
                None => ("exhausted", None),
            }
        };
        let outcome = AttemptOutcome {
            attempt: n,
            started_us: done.started_us,
            latency_us: done.latency_us,
            status_code: done.status_code.map(i64::from),
            response_body: done.body.clone(),
            error_class: done.error_class.map(str::to_owned),
            new_status: new_status.into(),
            next_attempt_us: next,
        };
        let endpoint = d.endpoint_key();
        // No delivery.* events about deliveries of delivery.* events: no feedback loop.
        let operational = is_operational(&d.event_type);
        let raise = |ty: EventType| -> anton_store::Result<NewEvent> {
            let record = DeliveryRecord {
                id: d.id.clone(),
                endpoint_id: d.endpoint_id.clone(),
                event_id: d.event_id.clone(),
                event_type: d.event_type.clone(),
                status: new_status.into(),
                attempts: n,
                next_attempt_us: next,
                last_status_code: outcome.status_code,
                last_error: outcome.error_class.clone(),
                created_us: now,
                updated_us: now,
            };
            let object =
                serde_json::to_value(super::delivery_json(&record, &[], t.env)).unwrap_or_default();
            Ok(NewEvent::new(
                ty,
                t.env,
                Timestamp::from_unix_micros(now_us()),
                d.id.as_str(),
                object,
                None,
            ))
        };
        if ok {
            if !operational && d.attempts >= i64::from(config.failing_after_attempts) {
                raised.push((t.clone(), raise(EventType::DeliveryRecovered)?));
            }
            succeeded.insert(endpoint);
        } else {
            if !operational {
                if new_status == "exhausted" && !is_gone {
                    raised.push((t.clone(), raise(EventType::DeliveryExhausted)?));
                } else if n == i64::from(config.failing_after_attempts) {
                    raised.push((t.clone(), raise(EventType::DeliveryFailing)?));
                }
            }
            if is_gone {
                gone.push(endpoint.clone());
            }
            failed.insert(endpoint);
        }
        rows.push((d.key(), outcome));
    }
    webhooks::record_attempts(c, &rows, now).await?;
    // Endpoint rows are written in key order, as every node does, so two nodes recording at once
    // wait for each other instead of deadlocking.
    let mut succeeded: Vec<_> = succeeded.into_iter().collect();
    succeeded.sort();
    webhooks::clear_failing(c, &succeeded).await?;
    // An endpoint that also succeeded in this batch is alive: its clock does not start.
    let mut failed: Vec<_> = failed
        .into_iter()
        .filter(|e| !succeeded.contains(e))
        .collect();
    failed.sort();
    gone.sort();
    let since = webhooks::start_failing(c, &failed, now).await?;
    let limit = i64::try_from(config.disable_after_ms)
        .unwrap_or(i64::MAX)
        .saturating_mul(1_000);
    for endpoint in &failed {
        if since.get(endpoint).is_some_and(|s| now - s >= limit) {
            disable(c, endpoint, now).await?;
        }
    }
    for endpoint in &gone {
        disable(c, endpoint, now).await?;
    }
    events::insert_many(c, &raised).await?;
    Ok(())
}

async fn disable(
    c: &mut BatchConn<'_>,
    endpoint: &EndpointKey,
    now: i64,
) -> anton_store::Result<()> {
    if !webhooks::disable_endpoint(c, endpoint, now).await? {
        return Ok(());
    }
    let t = &endpoint.tenant;
    if let Some(r) = webhooks::get_endpoint_on(c, t, &endpoint.id).await? {
        let object =
            serde_json::to_value(super::EndpointOut::from_record(&r, t.env)).unwrap_or_default();
        let ev = NewEvent::new(
            EventType::WebhookEndpointDisabled,
            t.env,
            Timestamp::from_unix_micros(now_us()),
            endpoint.id.as_str(),
            object,
            None,
        );
        events::insert_many(c, &[(t.clone(), ev)]).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An endpoint of a test merchant.
    fn endpoint(id: &str) -> EndpointKey {
        anton_store::Scoped::new(
            Tenant::new(
                anton_core::id::MerchantId::parse("mer_1").unwrap(),
                anton_core::keys::Environment::Test,
            ),
            anton_core::id::WebhookEndpointId::parse(id).unwrap(),
        )
    }

    #[test]
    fn fast_endpoints_are_claimed_further_ahead_and_slow_ones_fall_back_at_once() {
        let key = endpoint;
        let cap = 10;
        let mut speeds = Speeds::default();
        // Nothing known yet: the ordinary prefetch.
        assert_eq!(speeds.rounds(&key("we_fast")), PREFETCH);
        speeds.note_pass(20_000);
        for _ in 0..20 {
            speeds.note_attempt(&key("we_fast"), cap, 2_000, Outcome::Success);
            speeds.note_attempt(&key("we_mid"), cap, 5_000, Outcome::Success);
            speeds.note_attempt(&key("we_slow"), cap, 300_000, Outcome::Success);
        }
        // 4 × 20 ms / 2 ms = 40 rounds, capped; 4 × 20 / 5 = 16; a slow endpoint never goes below
        // the ordinary prefetch.
        assert_eq!(speeds.rounds(&key("we_fast")), PREFETCH_FAST);
        assert_eq!(speeds.rounds(&key("we_mid")), 16);
        assert_eq!(speeds.rounds(&key("we_slow")), PREFETCH);
        assert_eq!(speeds.rounds(&key("we_unknown")), PREFETCH);
        assert_eq!(speeds.prefetch(&key("we_fast"), cap), cap * PREFETCH_FAST);
        // The fast one starts timing out (15 s): a handful of attempts bring it back.
        for _ in 0..3 {
            speeds.note_attempt(&key("we_fast"), cap, 15_000_000, Outcome::Unreachable);
        }
        assert_eq!(speeds.rounds(&key("we_fast")), PREFETCH);
    }

    #[test]
    fn the_window_opens_with_successes_and_closes_when_the_endpoint_fails() {
        let key = endpoint("we_1");
        let cap = 10;
        let mut speeds = Speeds::default();
        assert_eq!(speeds.window(&key, cap), INITIAL_WINDOW);
        assert_eq!(speeds.prefetch(&key, cap), INITIAL_WINDOW * PREFETCH);
        assert!(
            speeds.answering(&key),
            "an endpoint not tried yet counts as answering"
        );
        // Successes double it, up to the cap.
        let opened: Vec<usize> = (0..4)
            .map(|_| speeds.note_attempt(&key, cap, 1_000, Outcome::Success))
            .collect();
        assert_eq!(opened, [4, 8, 10, 10]);
        // Another status halves it; no answer closes it to one; not sending changes nothing.
        assert_eq!(speeds.note_attempt(&key, cap, 1_000, Outcome::Refused), 5);
        assert_eq!(speeds.note_attempt(&key, cap, 1_000, Outcome::NotSent), 5);
        assert_eq!(
            speeds.note_attempt(&key, cap, 3_000_000, Outcome::Unreachable),
            1
        );
        assert!(!speeds.answering(&key));
        speeds.note_attempt(&key, cap, 1_000, Outcome::NotSent);
        assert!(!speeds.answering(&key), "an attempt not sent says nothing");
        assert_eq!(
            speeds.note_attempt(&key, cap, 3_000_000, Outcome::Refused),
            1
        );
        assert!(speeds.answering(&key), "any status is an answer");
        assert_eq!(speeds.prefetch(&key, cap), PREFETCH);
        // A cap below the first window bounds it from the start.
        assert_eq!(Speeds::default().window(&key, 1), 1);
    }

    #[tokio::test]
    async fn a_gate_follows_its_window_as_attempts_finish() {
        let gate = Arc::new(Gate::new(2));
        let a = gate.sem.clone().acquire_owned().await.unwrap();
        let b = gate.sem.clone().acquire_owned().await.unwrap();
        assert_eq!(gate.sem.available_permits(), 0);
        // The window closes to one: the first permit back is taken out of circulation.
        gate.release(a, 1);
        assert_eq!(gate.sem.available_permits(), 0);
        gate.release(b, 1);
        assert_eq!(gate.sem.available_permits(), 1);
        // It opens to four: the next permit back brings the others.
        let c = gate.sem.clone().acquire_owned().await.unwrap();
        gate.release(c, 4);
        assert_eq!(gate.sem.available_permits(), 4);
    }

    #[test]
    fn retry_delays_follow_the_schedule_with_jitter_and_bounded_retry_after() {
        let schedule = [5_000, 300_000];
        for _ in 0..100 {
            let d = retry_delay(&schedule, 1, None).unwrap();
            assert!((4_000_000..=6_000_000).contains(&d), "{d}");
            let d = retry_delay(&schedule, 2, Some(Duration::from_secs(10_000))).unwrap();
            assert!(
                d <= 720_000_000,
                "Retry-After is capped at twice the scheduled delay: {d}"
            );
            let d = retry_delay(&schedule, 2, Some(Duration::from_secs(1))).unwrap();
            assert!(
                d >= 240_000_000,
                "Retry-After never shortens the schedule: {d}"
            );
        }
        assert_eq!(retry_delay(&schedule, 3, None), None);
    }
}
