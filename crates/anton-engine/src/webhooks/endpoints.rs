//! Webhook endpoints as a merchant manages them: create, read, list, change, delete, and rotate
//! the signing secret with an overlap. A new secret is returned once, beside the answer, by the
//! use case that made it; the answer (and so a keyed request's record) never holds it.

use anton_core::event::EventType;
use anton_core::id::WebhookEndpointId;
use anton_core::keys::Environment;
use anton_core::signature::{SigningKey, WebhookSecret};
use anton_core::signature_ed25519::Ed25519Secret;
use anton_store::list::Listed;
use anton_store::webhooks::{self, EndpointRecord};
use anton_store::{now_us, Tenant};

use crate::audit::{self, Change};
use crate::error::{EngineError, Result};
use crate::idempotency::{self, Answer, Mutation, Render};
use crate::objects::{to_value, EndpointOut};
use crate::validate::{self, ListQuery, Listing};
use crate::Engine;

/// Longest endpoint URL.
pub const URL_LEN_MAX: usize = 2048;
/// Longest overlap of a rotated secret with its successor (7 days).
pub const ROTATION_OVERLAP_MAX_S: i64 = 604_800;
/// The overlap when none is asked for (a day).
pub const ROTATION_OVERLAP_DEFAULT_S: i64 = 86_400;

/// An endpoint to create. Its URL is checked by the SSRF guard in [`Engine::create_endpoint`].
#[derive(Debug, Clone)]
pub struct NewEndpoint {
    url: String,
    /// JSON array text.
    enabled_events: String,
    description: Option<String>,
    /// Signs with an Ed25519 key pair instead of an HMAC secret.
    ed25519: bool,
}

/// The signature schemes an endpoint may be created with.
pub const SIGNATURE_SCHEMES: [&str; 2] = ["hmac_sha256", "ed25519"];

/// An endpoint's statuses.
pub const ENDPOINT_STATUSES: [&str; 2] = ["enabled", "disabled"];

impl NewEndpoint {
    /// Checks the event types, the description, then the signature scheme (`hmac_sha256`, the
    /// default, or `ed25519`).
    pub fn new(
        url: String,
        enabled_events: &[String],
        description: Option<String>,
        signature_scheme: Option<&str>,
    ) -> Result<Self> {
        let enabled_events = events_text(enabled_events)?;
        let description = validate::description(description.as_deref(), "description_invalid")?;
        let ed25519 = match signature_scheme {
            None | Some("hmac_sha256") => false,
            Some("ed25519") => true,
            Some(_) => {
                return Err(EngineError::invalid(
                    "parameter_invalid",
                    "signature_scheme must be one of hmac_sha256, ed25519.",
                    "signature_scheme",
                ))
            }
        };
        Ok(Self {
            url,
            enabled_events,
            description,
            ed25519,
        })
    }
}

/// A new signing key of `scheme` (an endpoint's, stored encrypted), and its public key when it
/// has one.
fn new_key(ed25519: bool) -> (SigningKey, Option<String>) {
    if ed25519 {
        let key = Ed25519Secret::generate();
        let public = key.public_key().as_str().to_owned();
        (SigningKey::Ed25519(key), Some(public))
    } else {
        (SigningKey::Hmac(WebhookSecret::generate()), None)
    }
}

/// What the audit log shows of an endpoint: what the API shows (never its secret), and until
/// when a rotated secret still signs.
fn endpoint_view(r: &EndpointRecord, tenant: &Tenant) -> serde_json::Value {
    let mut v = to_value(&EndpointOut::from_record(r, tenant.env));
    v["previous_secret_expires"] = r
        .previous_expires_us
        .map(|t| anton_core::time::Timestamp::from_unix_micros(t).to_rfc3339())
        .into();
    v
}

/// An audit entry of `action` on endpoint `r`.
fn endpoint_change(
    action: &'static str,
    id: &WebhookEndpointId,
    before: Option<serde_json::Value>,
    after: Option<serde_json::Value>,
) -> Change {
    Change {
        action,
        object_type: "webhook_endpoint",
        object_id: id.to_string(),
        before,
        after,
    }
}

/// Changes to an endpoint; `None` leaves a field as it is (`description: Some(None)` clears it).
#[derive(Debug, Clone, Default)]
pub struct EndpointChanges {
    url: Option<String>,
    enabled_events: Option<String>,
    description: Option<Option<String>>,
    /// `true`: enabled.
    enabled: Option<bool>,
}

impl EndpointChanges {
    /// Checks event types, description, status; the URL is checked by the SSRF guard in
    /// [`Engine::update_endpoint`].
    pub fn new(
        url: Option<String>,
        enabled_events: Option<&[String]>,
        description: Option<Option<String>>,
        status: Option<&str>,
    ) -> Result<Self> {
        let enabled_events = enabled_events.map(events_text).transpose()?;
        let description = description
            .map(|d| validate::description(d.as_deref(), "description_invalid"))
            .transpose()?;
        let enabled = match status {
            None => None,
            Some("enabled") => Some(true),
            Some("disabled") => Some(false),
            Some(_) => {
                return Err(EngineError::invalid(
                    "status_invalid",
                    "status is \"enabled\" or \"disabled\"",
                    "status",
                ))
            }
        };
        Ok(Self {
            url,
            enabled_events,
            description,
            enabled,
        })
    }
}

/// `["*"]` or a non-empty list of known event types, as stored (JSON array text).
fn events_text(list: &[String]) -> Result<String> {
    let bad = || {
        EngineError::invalid(
            "enabled_events_invalid",
            "enabled_events is [\"*\"] or a non-empty list of known event types",
            "enabled_events",
        )
    };
    if list.is_empty() || list.len() > EventType::ALL.len() {
        return Err(bad());
    }
    if list.iter().any(|t| t == "*") {
        if list.len() != 1 {
            return Err(bad());
        }
    } else if list.iter().any(|t| EventType::parse(t).is_none()) {
        return Err(bad());
    }
    serde_json::to_string(list).map_err(|_| bad())
}

impl Engine {
    /// The URL as stored, once the SSRF guard has allowed it (live mode: https only).
    async fn checked_url(&self, tenant: &Tenant, url: &str) -> Result<String> {
        if url.len() > URL_LEN_MAX {
            return Err(EngineError::invalid(
                "url_invalid",
                "url is at most 2048 characters",
                "url",
            ));
        }
        self.webhooks()
            .guard
            .check_url(url, tenant.env == Environment::Live)
            .await
            .map(|u| u.to_string())
            .map_err(|r| EngineError::invalid("url_invalid", r.to_string(), "url"))
    }

    fn encrypt_secret(&self, tenant: &Tenant, secret: &SigningKey) -> String {
        self.secrets().keyring.encrypt(
            secret.expose_secret().as_bytes(),
            tenant.merchant_id.as_str().as_bytes(),
        )
    }

    /// Creates an endpoint with a new signing secret, returned beside the answer (to be shown
    /// once, by this request's own answer only).
    pub async fn create_endpoint<R: Render<EndpointRecord>>(
        &self,
        tenant: &Tenant,
        new: NewEndpoint,
        mutation: Mutation<R>,
    ) -> Result<(Answer, SigningKey)> {
        let url = self.checked_url(tenant, &new.url).await?;
        let (secret, public_key) = new_key(new.ed25519);
        let now = now_us();
        let record = EndpointRecord {
            id: WebhookEndpointId::generate(),
            url,
            enabled_events: new.enabled_events,
            description: new.description,
            status: "enabled".into(),
            secret_ciphertext: self.encrypt_secret(tenant, &secret),
            previous_secret_ciphertext: None,
            previous_expires_us: None,
            failing_since_us: None,
            created_us: now,
            updated_us: now,
            signature_scheme: if new.ed25519 {
                "ed25519"
            } else {
                "hmac_sha256"
            }
            .into(),
            public_key,
        };
        let t = tenant.clone();
        let actor = mutation.actor.clone();
        let job: idempotency::Job<EndpointRecord> = std::sync::Arc::new(move |c| {
            let (t, record, actor) = (t.clone(), record.clone(), actor.clone());
            Box::pin(async move {
                webhooks::insert_endpoint(c, &t, &record).await?;
                let after = endpoint_view(&record, &t);
                let change =
                    endpoint_change("webhook_endpoint.created", &record.id, None, Some(after));
                audit::record(c, &t, &actor, change).await?;
                Ok(Ok(record))
            })
        });
        let answer =
            idempotency::run(self.store(), self.in_flight(), tenant, mutation, job).await?;
        Ok((answer, secret))
    }

    pub async fn get_endpoint(
        &self,
        tenant: &Tenant,
        id: &WebhookEndpointId,
    ) -> Result<EndpointRecord> {
        webhooks::get_endpoint(self.store().read(), tenant, id)
            .await?
            .ok_or_else(|| EngineError::not_found("webhook_endpoint", id.as_str()))
    }

    /// The tenant's endpoints, newest first; only those in `status` (`enabled` or `disabled`)
    /// when it is given.
    pub async fn list_endpoints(
        &self,
        tenant: &Tenant,
        query: &ListQuery,
        status: Option<&str>,
    ) -> Result<Listing<EndpointRecord>> {
        if status.is_some_and(|s| !ENDPOINT_STATUSES.contains(&s)) {
            return Err(EngineError::invalid(
                "parameter_invalid",
                "status must be one of enabled, disabled.",
                "status",
            ));
        }
        let page = query
            .page(self.store(), Listed::WebhookEndpoints, tenant)
            .await?;
        let rows = webhooks::list_endpoints(self.store().read(), tenant, status, &page).await?;
        Ok(Listing::of(rows, &page))
    }

    /// Changes an endpoint. Enabling a disabled one restarts its failure clock.
    pub async fn update_endpoint<R: Render<EndpointRecord>>(
        &self,
        tenant: &Tenant,
        id: WebhookEndpointId,
        changes: EndpointChanges,
        mutation: Mutation<R>,
    ) -> Result<Answer> {
        let url = match &changes.url {
            Some(u) => Some(self.checked_url(tenant, u).await?),
            None => None,
        };
        let t = tenant.clone();
        let actor = mutation.actor.clone();
        let job: idempotency::Job<EndpointRecord> = std::sync::Arc::new(move |c| {
            let (t, id, url, changes, actor) = (
                t.clone(),
                id.clone(),
                url.clone(),
                changes.clone(),
                actor.clone(),
            );
            Box::pin(async move {
                let Some(mut r) = webhooks::get_endpoint(&mut *c, &t, &id).await? else {
                    return Ok(Err(EngineError::not_found("webhook_endpoint", id.as_str())));
                };
                let before = endpoint_view(&r, &t);
                if let Some(u) = url {
                    r.url = u;
                }
                if let Some(e) = changes.enabled_events {
                    r.enabled_events = e;
                }
                if let Some(d) = changes.description {
                    r.description = d;
                }
                if let Some(enabled) = changes.enabled {
                    if enabled && r.status != "enabled" {
                        r.failing_since_us = None;
                    }
                    r.status = if enabled { "enabled" } else { "disabled" }.into();
                }
                r.updated_us = now_us();
                webhooks::update_endpoint(c, &t, &r).await?;
                let after = endpoint_view(&r, &t);
                if after != before {
                    let change =
                        endpoint_change("webhook_endpoint.updated", &id, Some(before), Some(after));
                    audit::record(c, &t, &actor, change).await?;
                }
                Ok(Ok(r))
            })
        });
        idempotency::run(self.store(), self.in_flight(), tenant, mutation, job).await
    }

    /// Deletes an endpoint; its scheduled deliveries are canceled. Like every mutation it runs
    /// through [`idempotency::run`], which confirms in the transaction that the acting key is
    /// still usable (a key revoked a moment ago deletes nothing).
    pub async fn delete_endpoint<R: Render<WebhookEndpointId>>(
        &self,
        tenant: &Tenant,
        id: WebhookEndpointId,
        mutation: Mutation<R>,
    ) -> Result<Answer> {
        let t = tenant.clone();
        let actor = mutation.actor.clone();
        let job: idempotency::Job<WebhookEndpointId> = std::sync::Arc::new(move |c| {
            let (t, id, actor) = (t.clone(), id.clone(), actor.clone());
            Box::pin(async move {
                let before = webhooks::get_endpoint(&mut *c, &t, &id).await?;
                let deleted = webhooks::delete_endpoint(c, &t, &id, now_us()).await?;
                let (Some(before), true) = (before, deleted) else {
                    return Ok(Err(EngineError::not_found("webhook_endpoint", id.as_str())));
                };
                let before = endpoint_view(&before, &t);
                let change = endpoint_change("webhook_endpoint.deleted", &id, Some(before), None);
                audit::record(c, &t, &actor, change).await?;
                Ok(Ok(id))
            })
        });
        idempotency::run(self.store(), self.in_flight(), tenant, mutation, job).await
    }

    /// Replaces an endpoint's secret; the previous one also signs for `expire_previous_in_s`
    /// (0 to 7 days, default a day). The new secret is returned beside the answer.
    pub async fn rotate_secret<R: Render<EndpointRecord>>(
        &self,
        tenant: &Tenant,
        id: WebhookEndpointId,
        expire_previous_in_s: Option<i64>,
        mutation: Mutation<R>,
    ) -> Result<(Answer, SigningKey)> {
        let expire_in = expire_previous_in_s.unwrap_or(ROTATION_OVERLAP_DEFAULT_S);
        if !(0..=ROTATION_OVERLAP_MAX_S).contains(&expire_in) {
            return Err(EngineError::invalid(
                "expire_previous_in_seconds_invalid",
                "expire_previous_in_seconds is 0 to 604800",
                "expire_previous_in_seconds",
            ));
        }
        // The new key is of the endpoint's own scheme, which never changes after creation (a
        // missing endpoint is refused inside the job).
        let ed25519 = webhooks::get_endpoint(self.store().read(), tenant, &id)
            .await?
            .is_some_and(|r| r.signature_scheme == "ed25519");
        let (secret, public_key) = new_key(ed25519);
        let ciphertext = self.encrypt_secret(tenant, &secret);
        let t = tenant.clone();
        let actor = mutation.actor.clone();
        let job: idempotency::Job<EndpointRecord> = std::sync::Arc::new(move |c| {
            let (t, id, ciphertext, public_key, actor) = (
                t.clone(),
                id.clone(),
                ciphertext.clone(),
                public_key.clone(),
                actor.clone(),
            );
            Box::pin(async move {
                let Some(mut r) = webhooks::get_endpoint(&mut *c, &t, &id).await? else {
                    return Ok(Err(EngineError::not_found("webhook_endpoint", id.as_str())));
                };
                let before = endpoint_view(&r, &t);
                let now = now_us();
                if expire_in > 0 {
                    r.previous_secret_ciphertext = Some(r.secret_ciphertext.clone());
                    r.previous_expires_us = Some(now + expire_in * 1_000_000);
                } else {
                    r.previous_secret_ciphertext = None;
                    r.previous_expires_us = None;
                }
                r.secret_ciphertext = ciphertext;
                r.public_key = public_key;
                r.updated_us = now;
                webhooks::update_endpoint(c, &t, &r).await?;
                let after = endpoint_view(&r, &t);
                let change = endpoint_change(
                    "webhook_endpoint.secret_rotated",
                    &id,
                    Some(before),
                    Some(after),
                );
                audit::record(c, &t, &actor, change).await?;
                Ok(Ok(r))
            })
        });
        let answer =
            idempotency::run(self.store(), self.in_flight(), tenant, mutation, job).await?;
        Ok((answer, secret))
    }
}
