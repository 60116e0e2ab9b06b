//! What the monitoring resources return: request-log entries, alerts, audit entries.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

// ---------------------------------------------------------------------------------------------
// Request log

/// One API request as the request log keeps it (`GET /v1/requests`): never a body, a key or bank
/// details.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
pub struct RequestLogEntry {
    /// `req_…`, as the request's `Request-Id` header carried it.
    pub id: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created: OffsetDateTime,
    pub method: String,
    /// The route template (`/v1/payouts/{id}`).
    pub route: String,
    pub status: u16,
    #[serde(default)]
    pub error_code: Option<String>,
    /// The id of the key that made the request (`key_…`).
    pub api_key: String,
    #[serde(default)]
    pub source_ip: Option<String>,
    #[serde(default)]
    pub user_agent: Option<String>,
    pub duration_us: i64,
    #[serde(default)]
    pub idempotency_key: Option<String>,
    pub livemode: bool,
}

// ---------------------------------------------------------------------------------------------
// Alerts

/// An alert (`GET /v1/alerts`): something Anton noticed that your team should look at. Also the
/// `data.object` of `alert.raised` and `alert.resolved` events.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
pub struct Alert {
    /// `alr_…`.
    pub id: String,
    /// `api_key_revoked_used`, `api_key_new_address`, `webhook_endpoint_failing`, …
    pub rule: String,
    /// `critical`, `warning` or `info`.
    pub severity: String,
    /// `open`, `acknowledged` or `resolved`.
    pub status: String,
    /// The key, `key@address` or endpoint it is about; empty for the account.
    pub subject: String,
    /// What was noticed (by rule: `api_key`, `source_ip`, `source_ips`, `url`, …).
    pub details: serde_json::Value,
    pub count: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub first_seen: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub last_seen: OffsetDateTime,
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub acknowledged: Option<OffsetDateTime>,
    #[serde(default)]
    pub acknowledged_by: Option<String>,
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub resolved: Option<OffsetDateTime>,
    /// `anton` when the condition cleared, else the key that resolved it.
    #[serde(default)]
    pub resolved_by: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub created: OffsetDateTime,
    pub livemode: bool,
}

// ---------------------------------------------------------------------------------------------
// Audit log

/// One entry of the audit log (`GET /v1/audit_log`): a security-relevant change, who made it and
/// what changed. Never a secret.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
pub struct AuditEntry {
    /// `aud_…`.
    pub id: String,
    /// The entry's place in the merchant's hash chain, from 1.
    pub seq: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub created: OffsetDateTime,
    /// `api_key.revoked`, `webhook_endpoint.updated`, …
    pub action: String,
    pub actor: AuditActor,
    #[serde(default)]
    pub source_ip: Option<String>,
    #[serde(default)]
    pub request_id: Option<String>,
    pub resource: AuditResource,
    #[serde(default)]
    pub before: Option<serde_json::Value>,
    #[serde(default)]
    pub after: Option<serde_json::Value>,
    pub hash: String,
    pub previous_hash: String,
    pub livemode: bool,
}

/// Who made an audited change.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
pub struct AuditActor {
    /// `api_key`, `operator` or `system`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The key's id, the operator's user name, or `None` for the system.
    #[serde(default)]
    pub id: Option<String>,
}

/// The object an audited change was made to.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
pub struct AuditResource {
    #[serde(rename = "type")]
    pub kind: String,
    pub id: String,
}
