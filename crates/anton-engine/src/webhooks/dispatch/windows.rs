//! Per-endpoint windows and fairness: how much of a node each endpoint may hold.
//!
//! - [`Speeds`]: each endpoint's concurrency window (opened by successes, closed by an endpoint
//!   that does not answer) and how many rounds ahead it is claimed (more for fast endpoints).
//! - [`Gate`]: an endpoint's attempts at once, a semaphore whose permits follow its window.
//! - [`Room`]: what this node holds — per endpoint and in all — and may still claim: each
//!   endpoint at most its prefetch, its burst and its rate budget; endpoints that do not answer
//!   together at most half of the node's room and half of its attempt slots, so however many
//!   there are, the endpoints that answer keep the other half.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use anton_store::webhooks::{Claimed, EndpointKey};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::claims::CLAIM_MAX;
use super::sending::Done;
use crate::ratelimit::RateLimiter;
use crate::webhooks::WebhooksConfig;

/// Deliveries claimed and not finished on a node, in units of its in-flight cap: enough that its
/// connections stay busy while the next claim commits, few enough that a delivery claimed now
/// does not queue long behind the node's earlier claims.
const OUTSTANDING_PER_SLOT: usize = 8;
/// Deliveries claimed ahead per endpoint, in units of its concurrency cap ("rounds" of attempts),
/// for an endpoint of unknown or ordinary speed. It also sets the lease (see `dispatch::run`).
pub(super) const PREFETCH: usize = 8;
/// Rounds claimed ahead at most for an endpoint that answers fast (see [`Speeds`]): with 80 a
/// fast endpoint drained its prefetch before the next claim committed on PostgreSQL
/// (docs/benchmarks.md).
const PREFETCH_FAST: usize = 32;
/// An endpoint's concurrency window before anything is known of it (see [`Speeds::window`]).
const INITIAL_WINDOW: usize = 2;

/// An endpoint's attempts at once on this node: a semaphore whose permits follow the endpoint's
/// window ([`Speeds::window`]). A window that grows adds permits; one that shrinks takes permits
/// back as the attempts holding them finish.
pub(super) struct Gate {
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
    fn release(&self, permit: OwnedSemaphorePermit, window: usize) {
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
pub(super) enum Outcome {
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
    pub(super) fn of(done: &Done) -> Self {
        match (done.status_code, done.error_class) {
            (Some(s), _) if (200..300).contains(&s) => Self::Success,
            (Some(_), _) => Self::Refused,
            (None, Some("timeout" | "connect" | "tls" | "request")) => Self::Unreachable,
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

/// An endpoint's deliveries claimed here and not finished, and its concurrency gate.
type Outstanding = (usize, Arc<Gate>);

/// What this node holds and may still claim (see the module docs). Shared by the dispatcher's
/// loop, which claims, and its attempt tasks, which finish.
pub(super) struct Room {
    /// `max_concurrency_per_endpoint`.
    cap: usize,
    /// Deliveries claimed and not finished that the node may hold in all.
    node_max: usize,
    rate_per_s: u64,
    /// Per endpoint: deliveries claimed here and not finished, and the gate that lets at most its
    /// window (≤ `cap`) of them run at once.
    outstanding: Mutex<HashMap<EndpointKey, Outstanding>>,
    /// Their total, bounded by `node_max`: a claim takes at most what is left of it.
    total: AtomicUsize,
    speeds: Mutex<Speeds>,
    /// Per-endpoint rate: a token bucket per endpoint (rate/s, burst 2 × rate), on this node.
    rate_limiter: RateLimiter,
    /// Endpoints whose bucket is not full (so their budget bounds what they may take).
    rated: Mutex<HashSet<EndpointKey>>,
    /// All attempts of this node at once, whatever the endpoints: bounds sockets and CPU so an
    /// overloaded node does not turn its own slowness into timeouts (and retries) everywhere.
    global: Arc<Semaphore>,
    /// Of those, what endpoints that do not answer may hold together (each attempt up to the
    /// timeout): half, so the endpoints that answer always keep the other half.
    quiet: Arc<Semaphore>,
}

/// A claimed delivery's place in the room, from its claim until its attempt finishes.
pub(super) struct Held {
    pub key: EndpointKey,
    /// The endpoint's prefetch when it was claimed (a refill is asked for at half of it).
    prefetch: usize,
    gate: Arc<Gate>,
}

/// The permits an attempt runs under: its endpoint's, and the node's (and a quiet slot when its
/// endpoint does not answer).
pub(super) struct Permits {
    endpoint: Result<OwnedSemaphorePermit, tokio::sync::AcquireError>,
    _quiet: Option<OwnedSemaphorePermit>,
    _node: Result<OwnedSemaphorePermit, tokio::sync::AcquireError>,
}

impl Room {
    pub(super) fn new(config: &WebhooksConfig) -> Self {
        let slots = config.max_in_flight as usize;
        Self {
            cap: config.max_concurrency_per_endpoint as usize,
            node_max: slots.max(1) * OUTSTANDING_PER_SLOT,
            rate_per_s: config.rate_per_endpoint_per_s,
            outstanding: Mutex::default(),
            total: AtomicUsize::new(0),
            speeds: Mutex::default(),
            rate_limiter: RateLimiter::default(),
            rated: Mutex::default(),
            global: Arc::new(Semaphore::new(slots)),
            quiet: Arc::new(Semaphore::new((slots / 2).max(1))),
        }
    }

    fn speeds(&self) -> std::sync::MutexGuard<'_, Speeds> {
        self.speeds.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// What an endpoint not listed in [`Room::allowance`] may take: it is unknown here (its first
    /// window, the ordinary prefetch) and has a full bucket, so at most its burst.
    pub(super) fn per_endpoint(&self) -> usize {
        (INITIAL_WINDOW.min(self.cap) * PREFETCH).min(self.burst())
    }

    fn burst(&self) -> usize {
        usize::try_from(2 * self.rate_per_s).unwrap_or(usize::MAX)
    }

    /// Most deliveries the next claim may take: what is left of the node's room.
    pub(super) fn limit(&self) -> usize {
        CLAIM_MAX.min(
            self.node_max
                .saturating_sub(self.total.load(Ordering::Acquire)),
        )
    }

    /// Records how long a fan-out-and-claim pass took.
    pub(super) fn note_pass(&self, us: i64) {
        self.speeds().note_pass(us);
    }

    /// What each endpoint may still take on this node: what is left of its prefetch, bounded by
    /// its burst and its rate budget. Endpoints not listed get [`Room::per_endpoint`].
    pub(super) fn allowance(&self) -> HashMap<EndpointKey, usize> {
        let map = self.outstanding.lock().unwrap_or_else(|p| p.into_inner());
        let speeds = self.speeds();
        let cap = self.cap;
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
        let burst = self.burst();
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
        let mut quiet_left = (self.node_max / 2).saturating_sub(quiet_held);
        for (k, room) in out.iter_mut() {
            if !speeds.answering(k) {
                *room = (*room).min(quiet_left);
                quiet_left -= *room;
            }
        }
        let full = 2 * self.rate_per_s;
        self.rated
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .retain(|key| {
                let budget = self
                    .rate_limiter
                    .peek(&bucket_name(key), self.rate_per_s)
                    .remaining;
                let entry = out.entry(key.clone()).or_insert(fresh);
                *entry = (*entry).min(usize::try_from(budget).unwrap_or(usize::MAX));
                budget < full // a full bucket constrains nothing: stop tracking it
            });
        out
    }

    /// Counts a claimed delivery against its endpoint's and the node's room and rate.
    pub(super) fn hold(&self, d: &Claimed) -> Held {
        let key = d.endpoint_key();
        let (prefetch, window) = {
            let speeds = self.speeds();
            (
                speeds.prefetch(&key, self.cap),
                speeds.window(&key, self.cap),
            )
        };
        self.total.fetch_add(1, Ordering::AcqRel);
        self.rate_limiter.check(&bucket_name(&key), self.rate_per_s);
        self.rated
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(key.clone());
        let gate = {
            let mut map = self.outstanding.lock().unwrap_or_else(|p| p.into_inner());
            let entry = map
                .entry(key.clone())
                .or_insert_with(|| (0, Arc::new(Gate::new(window))));
            entry.0 += 1;
            entry.1.clone()
        };
        Held {
            key,
            prefetch,
            gate,
        }
    }

    /// Waits for the slots an attempt of `held` runs under. An endpoint that does not answer
    /// takes one of the quiet slots first. Whether it answers can change while it waits for a
    /// node slot (an earlier attempt timed out): then the node slot goes back and it queues for
    /// a quiet one.
    pub(super) async fn permits(&self, held: &Held) -> Permits {
        let endpoint = held.gate.sem.clone().acquire_owned().await;
        let answering = || self.speeds().answering(&held.key);
        loop {
            let quiet = if answering() {
                None
            } else {
                self.quiet.clone().acquire_owned().await.ok()
            };
            let node = self.global.clone().acquire_owned().await;
            if quiet.is_none() && !answering() {
                continue;
            }
            break Permits {
                endpoint,
                _quiet: quiet,
                _node: node,
            };
        }
    }

    /// The endpoint's window now.
    pub(super) fn window(&self, held: &Held) -> usize {
        self.speeds().window(&held.key, self.cap)
    }

    /// Records an attempt of `held`'s endpoint; returns its new window.
    pub(super) fn note_attempt(&self, held: &Held, us: i64, outcome: Outcome) -> usize {
        self.speeds().note_attempt(&held.key, self.cap, us, outcome)
    }

    /// Gives an attempt's endpoint permit back, with the endpoint's permits brought to `window`.
    pub(super) fn release(&self, held: &Held, permits: Permits, window: usize) {
        if let Ok(permit) = permits.endpoint {
            held.gate.release(permit, window);
        }
    }

    /// A claimed delivery is done here (attempted, or left to lapse). `true` when half of the
    /// endpoint's or of the node's room is free again: time to claim more before the
    /// connections idle.
    pub(super) fn finish(&self, held: Held) -> bool {
        let mut map = self.outstanding.lock().unwrap_or_else(|p| p.into_inner());
        let mut left = 0;
        if let Some(entry) = map.get_mut(&held.key) {
            entry.0 = entry.0.saturating_sub(1);
            left = entry.0;
            if left == 0 {
                map.remove(&held.key);
            }
        }
        let node_left = self.total.fetch_sub(1, Ordering::AcqRel) - 1;
        left == held.prefetch / 2 || left == 0 || node_left == self.node_max / 2
    }
}

fn bucket_name(k: &EndpointKey) -> String {
    format!(
        "{}/{}/{}",
        k.tenant.merchant_id,
        k.tenant.env.as_str(),
        k.id
    )
}

#[cfg(test)]
mod tests {
    use anton_store::Tenant;

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
}
