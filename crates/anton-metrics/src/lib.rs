//! Anton's operator metrics (docs/monitoring.md): one [`Metrics`] per node holds every family, and
//! [`Metrics::render`] writes them in the Prometheus text format for the admin listener.
//!
//! Rules every family keeps:
//! - names start with `anton_` and carry their base unit (`_seconds`, `_minor_units`); counters end
//!   in `_total`;
//! - labels come from small, fixed sets (a route *template*, a method, a status code, a reason, an
//!   outcome, a currency): never a merchant, key, endpoint, URL, address or anything a client
//!   chooses, so a scrape stays small and holds nothing about a merchant.
//!
//! A node's registry is its own (not a process global), so nodes sharing a process — the test
//! suite starts hundreds — never mix their counts.

use std::sync::atomic::AtomicU64;
use std::sync::Arc;
use std::time::Duration;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::{Registry, Unit};

mod rails;
pub use rails::RailHealth;

/// The content type of [`Metrics::render`]'s output (OpenMetrics text, which Prometheus reads).
pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// Why an API request failed authentication (`anton_auth_failures_total{reason}`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AuthFailure {
    /// No `Authorization: Bearer` header.
    Missing,
    /// Not an Anton key (wrong shape or checksum).
    Malformed,
    /// Well-formed, but no such key.
    Unknown,
    Revoked,
    Expired,
    /// The key's IP allowlist does not hold the client's address.
    IpNotAllowed,
    /// A secret key sent with browser markers (refused and flagged as exposed).
    BrowserOrigin,
}

impl AuthFailure {
    fn label(self) -> &'static str {
        match self {
            Self::Missing => "missing",
            Self::Malformed => "malformed",
            Self::Unknown => "unknown",
            Self::Revoked => "revoked",
            Self::Expired => "expired",
            Self::IpNotAllowed => "ip_not_allowed",
            Self::BrowserOrigin => "browser_origin",
        }
    }
}

/// Which limit refused a request with 429 (`anton_rate_limited_requests_total{limit}`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RateLimit {
    /// The key's (merchant's) request rate.
    Key,
    /// The failed-authentication budget of an address or of the node.
    AuthFailures,
}

/// How one webhook attempt ended (`anton_webhook_attempts_total{outcome}`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AttemptOutcome {
    /// The endpoint answered with this class of status.
    Status2xx,
    Status3xx,
    Status4xx,
    Status5xx,
    /// No answer within the timeout.
    Timeout,
    /// No connection (refused, unreachable, DNS).
    Connect,
    /// The TLS handshake failed (certificate, protocol).
    Tls,
    /// The SSRF guard refused every address of the destination.
    Refused,
    /// Anything else (a malformed answer, a reset mid-response).
    Other,
}

impl AttemptOutcome {
    /// The outcome of an answered attempt with `status`.
    pub fn of_status(status: u16) -> Self {
        match status {
            200..=299 => Self::Status2xx,
            300..=399 => Self::Status3xx,
            400..=499 => Self::Status4xx,
            _ => Self::Status5xx,
        }
    }

    fn label(self) -> &'static str {
        match self {
            Self::Status2xx => "2xx",
            Self::Status3xx => "3xx",
            Self::Status4xx => "4xx",
            Self::Status5xx => "5xx",
            Self::Timeout => "timeout",
            Self::Connect => "connect",
            Self::Tls => "tls",
            Self::Refused => "refused",
            Self::Other => "other",
        }
    }
}

/// Where a group commit ran (`anton_writer_*{path}`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WriterPath {
    /// SQLite's native writer thread (batched items and native jobs).
    Sqlite,
    /// The closure writer's sqlx connection (closure jobs; in-memory SQLite: everything).
    Writer,
    /// A PostgreSQL batch lane (payout creation).
    Lane,
    /// PostgreSQL's lane for native jobs (rail passes, webhook claims and outcomes, the request
    /// log).
    JobLane,
}

impl WriterPath {
    fn label(self) -> &'static str {
        match self {
            Self::Sqlite => "sqlite",
            Self::Writer => "writer",
            Self::Lane => "lane",
            Self::JobLane => "job_lane",
        }
    }
}

/// Why a batch ran again (`anton_writer_reruns_total{reason}`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Rerun {
    /// An optimistic batch found rows it decided on changed, and ran again locking them.
    Stale,
    /// The database chose the batch as a deadlock or serialization victim.
    Conflict,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
struct PathLabel {
    path: &'static str,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
struct CommitLabels {
    path: &'static str,
    result: &'static str,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
struct RequestLabels {
    route: String,
    method: &'static str,
    status: u16,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
struct RouteLabels {
    route: String,
    method: &'static str,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
struct ReasonLabel {
    reason: &'static str,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
struct LimitLabel {
    limit: &'static str,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
struct AlertLabels {
    rule: &'static str,
    event: &'static str,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
struct OutcomeLabel {
    outcome: &'static str,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
struct PayoutLabels {
    env: &'static str,
    currency: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
struct TransitionLabels {
    rail: &'static str,
    env: &'static str,
    to: &'static str,
    currency: &'static str,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
struct StateLabel {
    state: &'static str,
}

/// The webhook backlog and endpoint states, read from the database at each scrape.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct WebhookBacklog {
    pub events_waiting: i64,
    pub deliveries_due: i64,
    /// Age of the oldest waiting event or due delivery (0 when nothing waits).
    pub oldest_age: Duration,
    pub endpoints_enabled: i64,
    pub endpoints_failing: i64,
    pub endpoints_disabled: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
struct BuildLabels {
    version: &'static str,
}

/// Seconds, for request durations: 1 ms to ~16 s.
fn request_buckets() -> Histogram {
    Histogram::new([
        0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
    ])
}

/// Seconds, for a group commit: 0.5 ms to 10 s.
fn commit_buckets() -> Histogram {
    Histogram::new([
        0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
    ])
}

/// Work items per group commit: 1 to 4,096, powers of two.
fn batch_buckets() -> Histogram {
    Histogram::new((0..13).map(|i| f64::from(1u32 << i)))
}

/// Seconds, for an event's way to its endpoint: 5 ms to ~1 hour (retries included).
fn delivery_buckets() -> Histogram {
    Histogram::new([
        0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0, 900.0,
        3600.0,
    ])
}

/// One node's metrics. Cheap to share (`Arc`); every method is a few atomic operations.
pub struct Metrics {
    registry: Registry,
    http_requests: Family<RequestLabels, Counter>,
    http_duration: Family<RouteLabels, Histogram, fn() -> Histogram>,
    auth_failures: Family<ReasonLabel, Counter>,
    rate_limited: Family<LimitLabel, Counter>,
    idempotent_replays: Counter,
    payouts_created: Family<PayoutLabels, Counter>,
    payout_amount: Family<PayoutLabels, Counter>,
    payout_transitions: Family<TransitionLabels, Counter>,
    webhook_attempts: Family<OutcomeLabel, Counter>,
    delivery_latency: Histogram,
    events_waiting: Gauge,
    deliveries_due: Gauge,
    oldest_due_age: Gauge<f64, AtomicU64>,
    endpoints: Family<StateLabel, Gauge>,
    request_log: Family<OutcomeLabel, Counter>,
    alerts: Family<AlertLabels, Counter>,
    alert_emails: Family<OutcomeLabel, Counter>,
    writer_commits: Family<CommitLabels, Counter>,
    writer_duration: Family<PathLabel, Histogram, fn() -> Histogram>,
    writer_items: Family<PathLabel, Histogram, fn() -> Histogram>,
    writer_reruns: Family<ReasonLabel, Counter>,
    pool: Family<StateLabel, Gauge>,
    database_up: Gauge,
    rails: rails::RailMetrics,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Metrics").finish_non_exhaustive()
    }
}

impl Metrics {
    /// A node's metrics, every family registered (and empty), `anton_build_info` set.
    ///
    /// Over 100 lines on purpose: one registration per family with its help text, read top to
    /// bottom like the table in docs/monitoring.md; splitting it would only scatter the list.
    pub fn new() -> Arc<Self> {
        let mut registry = Registry::with_prefix("anton");
        let build = Family::<BuildLabels, Gauge>::default();
        build
            .get_or_create(&BuildLabels {
                version: env!("CARGO_PKG_VERSION"),
            })
            .set(1);
        registry.register(
            "build_info",
            "The running build: always 1, its version as a label",
            build,
        );
        let http_requests = Family::<RequestLabels, Counter>::default();
        registry.register(
            "http_requests",
            "API requests answered, by route template, method and status code",
            http_requests.clone(),
        );
        let http_duration =
            Family::<RouteLabels, Histogram, fn() -> Histogram>::new_with_constructor(
                request_buckets,
            );
        registry.register_with_unit(
            "http_request_duration",
            "Time from a request's arrival to its answer, by route template and method",
            Unit::Seconds,
            http_duration.clone(),
        );
        let auth_failures = Family::<ReasonLabel, Counter>::default();
        registry.register(
            "auth_failures",
            "API requests refused for their credentials, by reason",
            auth_failures.clone(),
        );
        let rate_limited = Family::<LimitLabel, Counter>::default();
        registry.register(
            "rate_limited_requests",
            "API requests answered 429, by the limit that refused them",
            rate_limited.clone(),
        );
        let idempotent_replays = Counter::default();
        registry.register(
            "idempotent_replays",
            "Requests answered from a stored response for their Idempotency-Key",
            idempotent_replays.clone(),
        );
        let payouts_created = Family::<PayoutLabels, Counter>::default();
        registry.register(
            "payouts_created",
            "Payouts created, by environment and currency",
            payouts_created.clone(),
        );
        let payout_amount = Family::<PayoutLabels, Counter>::default();
        registry.register_with_unit(
            "payout_amount",
            "Sum of created payouts' amounts in the currency's minor units, by environment and currency",
            Unit::Other("minor_units".into()),
            payout_amount.clone(),
        );
        let payout_transitions = Family::<TransitionLabels, Counter>::default();
        registry.register(
            "payout_rail_transitions",
            "Payout status changes made by a rail, by rail, environment, new status and currency",
            payout_transitions.clone(),
        );
        let webhook_attempts = Family::<OutcomeLabel, Counter>::default();
        registry.register(
            "webhook_attempts",
            "Webhook delivery attempts, by outcome",
            webhook_attempts.clone(),
        );
        let delivery_latency = delivery_buckets();
        registry.register_with_unit(
            "webhook_delivery_latency",
            "Time from an event to its successful delivery to an endpoint (retries included)",
            Unit::Seconds,
            delivery_latency.clone(),
        );
        let events_waiting = Gauge::default();
        registry.register(
            "webhook_events_waiting",
            "Events not yet fanned out to deliveries (all nodes; read at scrape)",
            events_waiting.clone(),
        );
        let deliveries_due = Gauge::default();
        registry.register(
            "webhook_deliveries_due",
            "Deliveries whose attempt time has come, waiting or under way (all nodes; read at scrape)",
            deliveries_due.clone(),
        );
        let oldest_due_age = Gauge::<f64, AtomicU64>::default();
        registry.register_with_unit(
            "webhook_oldest_due_age",
            "Age of the oldest waiting event or due delivery, 0 when none (read at scrape)",
            Unit::Seconds,
            oldest_due_age.clone(),
        );
        let endpoints = Family::<StateLabel, Gauge>::default();
        registry.register(
            "webhook_endpoints",
            "Webhook endpoints by state: enabled, failing (enabled, deliveries failing), disabled",
            endpoints.clone(),
        );
        let request_log = Family::<OutcomeLabel, Counter>::default();
        registry.register(
            "request_log_entries",
            "Request-log entries by outcome: written, or dropped (buffer full, or a failed write)",
            request_log.clone(),
        );
        let alerts = Family::<AlertLabels, Counter>::default();
        registry.register(
            "alerts",
            "Per-merchant alerts raised, and resolved by Anton, by rule (all merchants together)",
            alerts.clone(),
        );
        let alert_emails = Family::<OutcomeLabel, Counter>::default();
        registry.register(
            "alert_emails",
            "Alert emails by outcome: sent, failed (retried later), given_up",
            alert_emails.clone(),
        );
        let writer_commits = Family::<CommitLabels, Counter>::default();
        registry.register(
            "writer_commits",
            "Group commits of the database writer, by path and result (committed or failed)",
            writer_commits.clone(),
        );
        let writer_duration =
            Family::<PathLabel, Histogram, fn() -> Histogram>::new_with_constructor(commit_buckets);
        registry.register_with_unit(
            "writer_commit_duration",
            "Time of one group commit, from its first statement to its durable commit, by path",
            Unit::Seconds,
            writer_duration.clone(),
        );
        let writer_items =
            Family::<PathLabel, Histogram, fn() -> Histogram>::new_with_constructor(batch_buckets);
        registry.register(
            "writer_batch_items",
            "Work items (jobs, batched use-case items) per group commit, by path",
            writer_items.clone(),
        );
        let writer_reruns = Family::<ReasonLabel, Counter>::default();
        registry.register(
            "writer_reruns",
            "Batches run again: stale (an optimistic batch's rows changed) or conflict (a deadlock or serialization victim)",
            writer_reruns.clone(),
        );
        let pool = Family::<StateLabel, Gauge>::default();
        registry.register(
            "database_pool_connections",
            "The read pool's connections: in_use or idle (read at scrape)",
            pool.clone(),
        );
        let database_up = Gauge::default();
        registry.register(
            "database_up",
            "1 when the database answered the scrape's ping within 2 s, else 0 (the node is not ready)",
            database_up.clone(),
        );
        let rails = rails::RailMetrics::register(&mut registry);
        Arc::new(Self {
            rails,
            registry,
            request_log,
            alerts,
            alert_emails,
            writer_commits,
            writer_duration,
            writer_items,
            writer_reruns,
            pool,
            database_up,
            events_waiting,
            deliveries_due,
            oldest_due_age,
            endpoints,
            http_requests,
            http_duration,
            auth_failures,
            rate_limited,
            idempotent_replays,
            payouts_created,
            payout_amount,
            payout_transitions,
            webhook_attempts,
            delivery_latency,
        })
    }

    /// Every family in the OpenMetrics text format ([`CONTENT_TYPE`]).
    pub fn render(&self) -> String {
        let mut out = String::new();
        // Writing to a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut out, &self.registry);
        out
    }

    /// One group commit on `path`: its work items, its time, and whether it committed.
    pub fn writer_commit(&self, path: WriterPath, items: usize, took: Duration, committed: bool) {
        let path = path.label();
        self.writer_commits
            .get_or_create(&CommitLabels {
                path,
                result: if committed { "committed" } else { "failed" },
            })
            .inc();
        let label = PathLabel { path };
        self.writer_duration
            .get_or_create(&label)
            .observe(took.as_secs_f64());
        self.writer_items
            .get_or_create(&label)
            .observe(items as f64);
    }

    /// A batch run again.
    pub fn writer_rerun(&self, why: Rerun) {
        self.writer_reruns
            .get_or_create(&ReasonLabel {
                reason: match why {
                    Rerun::Stale => "stale",
                    Rerun::Conflict => "conflict",
                },
            })
            .inc();
    }

    /// The read pool as just sampled, and whether the database answered.
    pub fn set_database(&self, in_use: u32, idle: u32, up: bool) {
        self.pool
            .get_or_create(&StateLabel { state: "in_use" })
            .set(i64::from(in_use));
        self.pool
            .get_or_create(&StateLabel { state: "idle" })
            .set(i64::from(idle));
        self.database_up.set(i64::from(up));
    }

    /// `n` request-log entries written (`written = true`) or dropped.
    pub fn request_log_entries(&self, written: bool, n: u64) {
        self.request_log
            .get_or_create(&OutcomeLabel {
                outcome: if written { "written" } else { "dropped" },
            })
            .inc_by(n);
    }

    /// Alerts of `rule` (a rule's name: a bounded set) raised, or resolved by Anton.
    pub fn alerts(&self, rule: &'static str, resolved: bool, n: u64) {
        self.alerts
            .get_or_create(&AlertLabels {
                rule,
                event: if resolved { "resolved" } else { "raised" },
            })
            .inc_by(n);
    }

    /// An alert email's attempt: `sent`, `failed` (to be retried) or `given_up`.
    pub fn alert_email(&self, outcome: &'static str) {
        self.alert_emails
            .get_or_create(&OutcomeLabel { outcome })
            .inc();
    }

    /// An API request answered. `route` is the matched route's template (`/v1/payouts/{id}`),
    /// never the path as sent; `method` one of the standard methods or `other`.
    pub fn request(&self, route: &str, method: &str, status: u16, took: Duration) {
        let method = standard_method(method);
        self.http_requests
            .get_or_create(&RequestLabels {
                route: route.to_owned(),
                method,
                status,
            })
            .inc();
        self.http_duration
            .get_or_create(&RouteLabels {
                route: route.to_owned(),
                method,
            })
            .observe(took.as_secs_f64());
    }

    pub fn auth_failure(&self, reason: AuthFailure) {
        self.auth_failures
            .get_or_create(&ReasonLabel {
                reason: reason.label(),
            })
            .inc();
    }

    pub fn rate_limited(&self, limit: RateLimit) {
        let limit = match limit {
            RateLimit::Key => "key",
            RateLimit::AuthFailures => "auth_failures",
        };
        self.rate_limited.get_or_create(&LimitLabel { limit }).inc();
    }

    pub fn idempotent_replay(&self) {
        self.idempotent_replays.inc();
    }

    /// A payout created (`live` or test) of `amount` minor units of `currency`.
    pub fn payout_created(&self, live: bool, currency: &str, amount: u64) {
        let labels = PayoutLabels {
            env: if live { "live" } else { "test" },
            currency: currency.to_owned(),
        };
        self.payouts_created.get_or_create(&labels).inc();
        self.payout_amount.get_or_create(&labels).inc_by(amount);
    }

    /// The rail moved a payout (`live` or test) of `currency` to the status `to`.
    /// A payout moved by `rail` (`simulator` today) to `to`.
    pub fn payout_transition(
        &self,
        rail: &'static str,
        live: bool,
        to: &'static str,
        currency: &'static str,
    ) {
        self.payout_transitions
            .get_or_create(&TransitionLabels {
                rail,
                env: if live { "live" } else { "test" },
                to,
                currency,
            })
            .inc();
    }

    pub fn webhook_attempt(&self, outcome: AttemptOutcome) {
        self.webhook_attempts
            .get_or_create(&OutcomeLabel {
                outcome: outcome.label(),
            })
            .inc();
    }

    /// The backlog as just read from the database.
    pub fn set_webhook_backlog(&self, b: &WebhookBacklog) {
        self.events_waiting.set(b.events_waiting);
        self.deliveries_due.set(b.deliveries_due);
        self.oldest_due_age.set(b.oldest_age.as_secs_f64());
        for (state, n) in [
            ("enabled", b.endpoints_enabled),
            ("failing", b.endpoints_failing),
            ("disabled", b.endpoints_disabled),
        ] {
            self.endpoints.get_or_create(&StateLabel { state }).set(n);
        }
    }

    /// `rail` runs on this node: its counters start at zero.
    pub fn rail_configured(&self, rail: &str) {
        self.rails.configured(rails::rail_label(rail));
    }

    /// A bank file put into `rail`'s outbox.
    pub fn rail_file_sent(&self, rail: &str) {
        self.rails.file_sent(rails::rail_label(rail));
    }

    /// A bank file read from `rail`'s inbox: applied, or quarantined.
    pub fn rail_file_read(&self, rail: &str, quarantined: bool) {
        self.rails.file_read(rails::rail_label(rail), quarantined);
    }

    /// A step of `rail`'s worker failed (it is tried again at the next look).
    pub fn rail_step_failed(&self, rail: &str) {
        self.rails.step_failed(rails::rail_label(rail));
    }

    /// `rail`'s health as just read from the database.
    pub fn set_rail_health(&self, rail: &str, health: &RailHealth) {
        self.rails.set_health(rails::rail_label(rail), health);
    }

    /// An event reached an endpoint (a 2xx) `took` after it was created.
    pub fn delivered(&self, took: Duration) {
        self.delivery_latency.observe(took.as_secs_f64());
    }
}

/// The method as a label: one of a fixed set, so a client cannot mint label values.
fn standard_method(method: &str) -> &'static str {
    match method {
        "GET" => "GET",
        "POST" => "POST",
        "PATCH" => "PATCH",
        "PUT" => "PUT",
        "DELETE" => "DELETE",
        "HEAD" => "HEAD",
        "OPTIONS" => "OPTIONS",
        _ => "other",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn families_follow_prometheus_naming_and_count() {
        let m = Metrics::new();
        m.request("/v1/payouts/{id}", "GET", 200, Duration::from_millis(3));
        m.request("/v1/payouts/{id}", "BREW", 405, Duration::from_millis(1));
        m.auth_failure(AuthFailure::Revoked);
        m.payout_created(false, "USD", 2_500);
        m.payout_created(false, "USD", 500);
        m.webhook_attempt(AttemptOutcome::of_status(503));
        m.delivered(Duration::from_millis(40));
        m.set_webhook_backlog(&WebhookBacklog {
            deliveries_due: 7,
            oldest_age: Duration::from_millis(1_500),
            endpoints_failing: 2,
            ..WebhookBacklog::default()
        });
        let text = m.render();
        for line in [
            "anton_build_info{version=\"0.1.0\"} 1",
            "anton_http_requests_total{route=\"/v1/payouts/{id}\",method=\"GET\",status=\"200\"} 1",
            "anton_http_requests_total{route=\"/v1/payouts/{id}\",method=\"other\",status=\"405\"} 1",
            "anton_http_request_duration_seconds_count{route=\"/v1/payouts/{id}\",method=\"GET\"} 1",
            "anton_auth_failures_total{reason=\"revoked\"} 1",
            "anton_payouts_created_total{env=\"test\",currency=\"USD\"} 2",
            "anton_payout_amount_minor_units_total{env=\"test\",currency=\"USD\"} 3000",
            "anton_webhook_attempts_total{outcome=\"5xx\"} 1",
            "anton_webhook_delivery_latency_seconds_count 1",
            "anton_webhook_deliveries_due 7",
            "anton_webhook_oldest_due_age_seconds 1.5",
            "anton_webhook_endpoints{state=\"failing\"} 2",
            "# EOF",
        ] {
            assert!(text.lines().any(|l| l == line), "{line} missing in\n{text}");
        }
    }

    #[test]
    fn nodes_keep_their_own_counts() {
        let (a, b) = (Metrics::new(), Metrics::new());
        a.idempotent_replay();
        assert!(a.render().contains("anton_idempotent_replays_total 1"));
        assert!(b.render().contains("anton_idempotent_replays_total 0"));
    }
}
