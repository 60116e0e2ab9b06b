//! Per-merchant alerts (docs/reference.md §8): what a merchant's team should look at, raised by
//! Anton from what it sees of the merchant's traffic and endpoints.
//!
//! - [`signals`]: what the request log's writer notices in each round (a revoked or expired key
//!   used, a key from a browser, a key from an address it never used, 401s, 5xx) and the
//!   dispatcher notices (an endpoint disabled), recorded as signals in the same write.
//! - [`evaluate`]: the worker's pass — claims the new signals, raises or updates one alert per
//!   rule and subject, raises alerts for failing endpoints, resolves alerts whose condition
//!   cleared, each change with its `alert.raised`/`alert.resolved` event in one transaction.
//! - [`email`]: the mailer sending each change queued for the merchant's addresses.
//! - [`retention`]: the sweep of resolved alerts past `retention_days`.
//! - here: the rules, the configuration and the merchant's use cases (list, read, acknowledge,
//!   resolve).
//!
//! A later rule plugs in by adding a [`Rule`] and recording [`anton_store::alerts::Signal`]s with
//! its name wherever it notices something (as the payout risk rules do inside the payout
//! batch: `payouts::assess::signals`).

pub mod email;
pub mod evaluate;
pub mod retention;
pub mod signals;

use anton_core::event::{EventType, NewEvent};
use anton_core::id::AlertId;
use anton_core::time::Timestamp;
use anton_store::alerts::{self, AlertFilter, AlertRecord};
use anton_store::list::Listed;
use anton_store::{events, now_us, Conn, Tenant};
use serde::{Deserialize, Serialize};

use crate::audit::{self, Change};
use crate::error::{EngineError, Result};
use crate::idempotency::{self, Answer, Mutation, Render};
use crate::objects::{to_value, AlertOut};
use crate::validate::{ListQuery, Listing};
use crate::Engine;

/// `[alerts]` in `anton.toml`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AlertsConfig {
    /// Evaluate alerts on worker nodes at all (default true).
    pub enabled: bool,
    /// How often the worker evaluates, in milliseconds (default 5000).
    pub evaluate_every_ms: u64,
    /// An alert whose rule has noticed nothing for this long is resolved (default 900 s).
    pub quiet_period_s: u64,
    /// `auth_failures_spike`: this many 401s answered to the merchant's keys…
    pub auth_failures_threshold: i64,
    /// …within this many seconds (default 20 in 300 s).
    pub auth_failures_window_s: u64,
    /// Resolved alerts are deleted this many days after their resolution (default 90; 1–3650).
    /// Open and acknowledged alerts are kept.
    pub retention_days: u32,
    /// Whether alert changes are queued for email (the binary sets it when an SMTP relay is
    /// configured; not a setting of its own).
    #[serde(skip)]
    pub email: bool,
}

impl Default for AlertsConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            evaluate_every_ms: 5_000,
            quiet_period_s: 900,
            auth_failures_threshold: 20,
            auth_failures_window_s: 300,
            retention_days: 90,
            email: false,
        }
    }
}

impl AlertsConfig {
    /// The retention of resolved alerts in microseconds.
    pub fn retention_us(&self) -> i64 {
        i64::from(self.retention_days.clamp(1, 3650)) * 86_400 * 1_000_000
    }
}

/// What an alert is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Rule {
    /// A revoked or expired key was used (subject: the key).
    ApiKeyRevokedUsed,
    /// A key was sent from a browser and refused (subject: the key).
    ApiKeyFromBrowser,
    /// A key was used from an address it had never been used from (subject: `key@address`).
    ApiKeyNewAddress,
    /// Many 401s answered to the merchant's keys (subject: none).
    AuthFailuresSpike,
    /// Anton answered the merchant with a 5xx (subject: none).
    ServerErrors,
    /// An enabled endpoint's deliveries are failing (subject: the endpoint).
    WebhookEndpointFailing,
    /// Anton disabled an endpoint (subject: the endpoint).
    WebhookEndpointDisabled,
    /// A payout risk rule whose action is `alert` fired (subject: the risk rule).
    UnusualPayoutActivity,
}

impl Rule {
    pub const ALL: [Rule; 8] = [
        Rule::ApiKeyRevokedUsed,
        Rule::ApiKeyFromBrowser,
        Rule::ApiKeyNewAddress,
        Rule::AuthFailuresSpike,
        Rule::ServerErrors,
        Rule::WebhookEndpointFailing,
        Rule::WebhookEndpointDisabled,
        Rule::UnusualPayoutActivity,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::ApiKeyRevokedUsed => "api_key_revoked_used",
            Self::ApiKeyFromBrowser => "api_key_from_browser",
            Self::ApiKeyNewAddress => "api_key_new_address",
            Self::AuthFailuresSpike => "auth_failures_spike",
            Self::ServerErrors => "server_errors",
            Self::WebhookEndpointFailing => "webhook_endpoint_failing",
            Self::WebhookEndpointDisabled => "webhook_endpoint_disabled",
            Self::UnusualPayoutActivity => "unusual_payout_activity",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// `critical` (act now: a key may be compromised), `warning` or `info`.
    pub fn severity(self) -> &'static str {
        match self {
            Self::ApiKeyRevokedUsed | Self::ApiKeyFromBrowser => "critical",
            Self::ApiKeyNewAddress => "info",
            _ => "warning",
        }
    }

    /// What the rule watches for, and what to do (the API documents it).
    pub fn meaning(self) -> &'static str {
        match self {
            Self::ApiKeyRevokedUsed => {
                "a revoked or expired API key is still being used (`details.api_key`, \
                 `details.source_ip`): whoever holds it may not be you — find where it is \
                 deployed or leaked."
            }
            Self::ApiKeyFromBrowser => {
                "a secret API key was sent from a browser and refused; it is flagged as possibly \
                 exposed: roll it."
            }
            Self::ApiKeyNewAddress => {
                "an API key was used from an address it had never been used from \
                 (`details.source_ip`): expected after a deployment, a compromise signal \
                 otherwise."
            }
            Self::AuthFailuresSpike => {
                "many requests with revoked or expired keys were refused with 401 \
                 (`details.count_in_window`)."
            }
            Self::ServerErrors => {
                "Anton answered one of your requests with a 5xx (`details.request_id`): retry \
                 with the same Idempotency-Key; the operator is alerted too."
            }
            Self::WebhookEndpointFailing => {
                "deliveries to a webhook endpoint are failing (`details.url`, \
                 `details.failing_since`): Anton retries for three days, then disables it."
            }
            Self::WebhookEndpointDisabled => {
                "Anton disabled a webhook endpoint (it answered 410, or failed for 5 days): \
                 enable it again, then recover what it missed."
            }
            Self::UnusualPayoutActivity => {
                "a payout risk rule whose action is `alert` fired (`subject`: the rule; \
                 `details.payout`, `details.explanation`, `details.api_key`): the payout went \
                 ahead — check it was yours, and tighten the rule's action if not (docs/risk.md)."
            }
        }
    }

    /// Resolved when the endpoint's state clears, not after a quiet period.
    fn follows_state(self) -> bool {
        matches!(
            self,
            Self::WebhookEndpointFailing | Self::WebhookEndpointDisabled
        )
    }
}

/// Addresses one alert's details keep, at most.
pub(crate) const ADDRESSES_MAX: usize = 10;

/// Adds `address` to an alert's list of addresses, once, while there is room.
pub(crate) fn add_address<T: PartialEq>(list: &mut Vec<T>, address: T) {
    if list.len() < ADDRESSES_MAX && !list.contains(&address) {
        list.push(address);
    }
}

/// The statuses an alert may be in.
pub const ALERT_STATUSES: [&str; 3] = ["open", "acknowledged", "resolved"];

/// Writes `alert`'s `type` event in the transaction of `c`, and queues its email when `email`
/// (an SMTP relay is configured) and the merchant has alert addresses.
pub(crate) async fn announce(
    c: &mut Conn,
    alert: &AlertRecord,
    event: EventType,
    email: bool,
) -> anton_store::Result<()> {
    if email
        && !alerts::alert_emails(&mut *c, alert.tenant.merchant_id.as_str())
            .await?
            .is_empty()
    {
        let kind = if event == EventType::AlertResolved {
            "resolved"
        } else {
            "raised"
        };
        alerts::queue_email(c, alert, kind, now_us()).await?;
    }
    let object = to_value(&AlertOut::from_record(alert.clone()));
    let ev = NewEvent::new(
        event,
        alert.tenant.env,
        Timestamp::from_unix_micros(alert.updated_us),
        alert.id.as_str(),
        object,
        None,
    );
    events::insert(c, &alert.tenant, &ev).await
}

/// A list of alerts: its page and filters.
#[derive(Debug, Clone, Default)]
pub struct AlertQuery {
    pub list: ListQuery,
    pub filter: AlertFilter,
}

/// What a merchant does to an alert.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlertAction {
    /// Seen and being handled: it stays unresolved (and keeps counting) until resolved.
    Acknowledge,
    /// Done: resolved now. If the condition is still there, a new alert is raised.
    Resolve,
}

impl Engine {
    pub async fn list_alerts(
        &self,
        tenant: &Tenant,
        query: &AlertQuery,
    ) -> Result<Listing<AlertRecord>> {
        let page = query
            .list
            .page(self.store(), Listed::Alerts, tenant)
            .await?;
        let rows = alerts::list(self.store().read(), tenant, &query.filter, &page).await?;
        Ok(Listing::of(rows, &page))
    }

    pub async fn get_alert(&self, tenant: &Tenant, id: &AlertId) -> Result<AlertRecord> {
        alerts::get(self.store().read(), tenant, id)
            .await?
            .ok_or_else(|| EngineError::not_found("alert", id.as_str()))
    }

    /// Acknowledges or resolves an alert (audited). An alert already in that state, or
    /// resolved, is answered as it is.
    pub async fn act_on_alert<R: Render<AlertRecord>>(
        &self,
        tenant: &Tenant,
        id: AlertId,
        action: AlertAction,
        mutation: Mutation<R>,
    ) -> Result<Answer> {
        let t = tenant.clone();
        let actor = mutation.actor.clone();
        let by = actor.id_text();
        let email = self.config().alerts.email;
        let job: idempotency::Job<AlertRecord> = std::sync::Arc::new(move |c| {
            let (t, id, by, actor) = (t.clone(), id.clone(), by.clone(), actor.clone());
            Box::pin(async move {
                let Some(mut a) = alerts::get(&mut *c, &t, &id).await? else {
                    return Ok(Err(EngineError::not_found("alert", id.as_str())));
                };
                let before = serde_json::json!({ "status": a.status });
                let now = now_us();
                match action {
                    // Done already: the answer is the alert as it is.
                    _ if a.status == "resolved" => return Ok(Ok(a)),
                    AlertAction::Acknowledge if a.status == "acknowledged" => return Ok(Ok(a)),
                    AlertAction::Acknowledge => {
                        a.status = "acknowledged".into();
                        a.acknowledged_us = Some(now);
                        a.acknowledged_by = by;
                    }
                    AlertAction::Resolve => {
                        a.status = "resolved".into();
                        a.resolved_us = Some(now);
                        a.resolved_by = by;
                    }
                }
                a.updated_us = now;
                alerts::update(c, &a).await?;
                if action == AlertAction::Resolve {
                    announce(c, &a, EventType::AlertResolved, email).await?;
                }
                let change = Change {
                    action: match action {
                        AlertAction::Acknowledge => "alert.acknowledged",
                        AlertAction::Resolve => "alert.resolved",
                    },
                    object_type: "alert",
                    object_id: a.id.to_string(),
                    before: Some(before),
                    after: Some(serde_json::json!({ "status": a.status })),
                };
                audit::record(c, &t, &actor, change).await?;
                Ok(Ok(a))
            })
        });
        idempotency::run(self.store(), self.in_flight(), tenant, mutation, job).await
    }
}
