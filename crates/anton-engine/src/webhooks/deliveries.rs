//! Deliveries as a merchant reads and schedules them: an endpoint's delivery log with its
//! attempts, sending an event again, and recovering after an outage. Both schedule work for now
//! and wake the dispatcher.

use anton_core::id::{DeliveryId, EventId, WebhookEndpointId};
use anton_store::list::Listed;
use anton_store::webhooks::{self, AttemptRecord, DeliveryFilter, DeliveryRecord, NewDelivery};
use anton_store::{BatchConn, Tenant};

use crate::error::{EngineError, Result};
use crate::idempotency::{self, Answer, Mutation, Render};
use crate::validate::{ListQuery, Listing};
use crate::Engine;

/// The statuses a delivery can be in (and a list can filter on).
pub const DELIVERY_STATUSES: [&str; 5] =
    ["pending", "retrying", "succeeded", "exhausted", "canceled"];

/// Deliveries of a list: by status, by event.
#[derive(Debug, Clone, Default)]
pub struct DeliveryQuery {
    pub list: ListQuery,
    pub status: Option<String>,
    pub event: Option<EventId>,
}

/// How many deliveries a recovery scheduled.
#[derive(Debug, Clone)]
pub struct Recovery {
    pub endpoint: WebhookEndpointId,
    pub deliveries: u64,
}

impl Engine {
    /// An endpoint's deliveries, newest first, each with its attempts.
    pub async fn list_deliveries(
        &self,
        tenant: &Tenant,
        endpoint: &WebhookEndpointId,
        query: &DeliveryQuery,
    ) -> Result<Listing<(DeliveryRecord, Vec<AttemptRecord>)>> {
        self.get_endpoint(tenant, endpoint).await?;
        if let Some(s) = &query.status {
            if !DELIVERY_STATUSES.contains(&s.as_str()) {
                return Err(EngineError::invalid(
                    "parameter_invalid",
                    format!("status must be one of {}.", DELIVERY_STATUSES.join(", ")),
                    "status",
                ));
            }
        }
        let page = query
            .list
            .page(self.store(), Listed::Deliveries, tenant)
            .await?;
        let filter = DeliveryFilter {
            status: query.status.clone(),
            event: query.event.clone(),
        };
        let rows = webhooks::list_deliveries(self.store().read(), tenant, endpoint, &filter, &page)
            .await?;
        Ok(Listing::of(rows, &page))
    }

    /// The tenant's delivery `id` to `endpoint` (another endpoint's is not found).
    pub async fn delivery(
        &self,
        tenant: &Tenant,
        endpoint: &WebhookEndpointId,
        id: &DeliveryId,
    ) -> Result<DeliveryRecord> {
        webhooks::get_delivery(self.store().read(), tenant, endpoint, id)
            .await?
            .ok_or_else(|| EngineError::not_found("delivery", id.as_str()))
    }

    /// The tenant's deliveries of `event` (one per endpoint it went to), each with its
    /// attempts.
    pub async fn event_deliveries(
        &self,
        tenant: &Tenant,
        event: &EventId,
    ) -> Result<Vec<(DeliveryRecord, Vec<AttemptRecord>)>> {
        Ok(webhooks::deliveries_of_event(self.store().read(), tenant, event).await?)
    }

    /// Schedules every retrying or exhausted delivery to `endpoint` created since `since_us` for
    /// now.
    pub async fn recover<R: Render<Recovery>>(
        &self,
        tenant: &Tenant,
        endpoint: WebhookEndpointId,
        since_us: i64,
        mutation: Mutation<R>,
    ) -> Result<Answer> {
        let now = self.webhooks().clock.now_us();
        let t = tenant.clone();
        let job: idempotency::Job<Recovery> = std::sync::Arc::new(move |c| {
            let (t, endpoint) = (t.clone(), endpoint.clone());
            Box::pin(async move {
                if webhooks::get_endpoint(&mut *c, &t, &endpoint)
                    .await?
                    .is_none()
                {
                    return Ok(Err(EngineError::not_found(
                        "webhook_endpoint",
                        endpoint.as_str(),
                    )));
                }
                let deliveries = webhooks::recover(c, &t, &endpoint, since_us, now).await?;
                Ok(Ok(Recovery {
                    endpoint,
                    deliveries,
                }))
            })
        });
        let answer = idempotency::run(self.store(), self.in_flight(), tenant, mutation, job).await;
        self.webhooks().wake.notify_one();
        answer
    }

    /// Sends `event` to `endpoint` again, as a new delivery due now.
    pub async fn resend<R: Render<DeliveryRecord>>(
        &self,
        tenant: &Tenant,
        event: EventId,
        endpoint: WebhookEndpointId,
        mutation: Mutation<R>,
    ) -> Result<Answer> {
        let now = self.webhooks().clock.now_us();
        let t = tenant.clone();
        let job: idempotency::Job<DeliveryRecord> = std::sync::Arc::new(move |c| {
            let (t, event, endpoint) = (t.clone(), event.clone(), endpoint.clone());
            Box::pin(async move {
                let Some(event) = anton_store::events::get(&mut *c, &t, &event).await? else {
                    return Ok(Err(EngineError::not_found("event", event.as_str())));
                };
                let Some(record) = webhooks::get_endpoint(&mut *c, &t, &endpoint).await? else {
                    return Ok(Err(EngineError::not_found(
                        "webhook_endpoint",
                        endpoint.as_str(),
                    )
                    .with_param("endpoint")));
                };
                // A disabled endpoint is sent nothing: a resend would wait unseen until it is
                // enabled, so it is refused and says how to go on.
                if record.status == "disabled" {
                    return Ok(Err(EngineError::conflict(
                        "webhook_endpoint_disabled",
                        "This webhook endpoint is disabled and is sent nothing. Enable it \
                         (status \"enabled\"), then resend.",
                        Some("endpoint"),
                    )));
                }
                let d = NewDelivery {
                    tenant: t.clone(),
                    id: DeliveryId::generate(),
                    endpoint_id: endpoint,
                    event_id: event.id,
                    event_type: event.event_type,
                    next_attempt_us: now,
                    lease_us: None,
                    created_us: now,
                };
                webhooks::insert_deliveries(&mut BatchConn::Any(c), std::slice::from_ref(&d))
                    .await?;
                Ok(Ok(DeliveryRecord {
                    id: d.id,
                    endpoint_id: d.endpoint_id,
                    event_id: d.event_id,
                    event_type: d.event_type,
                    status: "pending".into(),
                    attempts: 0,
                    next_attempt_us: Some(now),
                    last_status_code: None,
                    last_error: None,
                    created_us: now,
                    updated_us: now,
                }))
            })
        });
        let answer = idempotency::run(self.store(), self.in_flight(), tenant, mutation, job).await;
        self.webhooks().wake.notify_one();
        answer
    }
}
