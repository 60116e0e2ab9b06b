//! A test event sent now to one endpoint, on the merchant's request
//! (`POST /v1/webhook_endpoints/{id}/test`): signed and posted exactly as a delivery is (the same
//! secrets, headers, SSRF guard and transport), and answered with the attempt's outcome. It is
//! never stored, retried or counted against the endpoint's failure clock; each call is a new
//! event (`webhook_endpoint.test`) whose `data.object` is the endpoint. A disabled endpoint may be
//! tested too: that is how a merchant checks that a receiver is back before enabling it.

use std::sync::Arc;

use anton_core::event::{EventType, NewEvent};
use anton_core::id::{DeliveryId, WebhookEndpointId};
use anton_core::time::Timestamp;
use anton_store::webhooks::{self, Claimed};
use anton_store::{now_us, Tenant};

use crate::error::{EngineError, Result};
use crate::objects::{to_value, EndpointOut};
use crate::webhooks::dispatch::sending::{self, Transport};
use crate::Engine;

/// What a test send came to.
#[derive(Debug, Clone)]
pub struct TestSend {
    pub endpoint: WebhookEndpointId,
    /// The event's JSON, exactly as posted.
    pub event: String,
    /// The endpoint's HTTP status, when it answered.
    pub status_code: Option<u16>,
    /// Why it failed: `http_status` (a non-2xx answer), `timeout`, `connect`,
    /// `refused_destination`, `request`, `invalid_url`, `secret_unavailable`.
    pub error: Option<&'static str>,
    pub latency_ms: i64,
    /// The first bytes of the endpoint's answer.
    pub response_body: Option<String>,
}

impl TestSend {
    pub fn succeeded(&self) -> bool {
        self.status_code.is_some_and(|s| (200..300).contains(&s))
    }
}

impl Engine {
    /// Sends a test event to the tenant's endpoint `id` now, through `transport`.
    pub async fn send_test_event(
        &self,
        tenant: &Tenant,
        id: &WebhookEndpointId,
        transport: &Arc<dyn Transport>,
    ) -> Result<TestSend> {
        let endpoint = webhooks::get_endpoint(self.store().read(), tenant, id)
            .await?
            .ok_or_else(|| EngineError::not_found("webhook_endpoint", id.as_str()))?;
        let object = to_value(&EndpointOut::from_record(&endpoint, tenant.env));
        let event = NewEvent::new(
            EventType::WebhookEndpointTest,
            tenant.env,
            Timestamp::from_unix_micros(now_us()),
            endpoint.id.as_str(),
            object,
            None,
        );
        let delivery = Claimed {
            tenant: tenant.clone(),
            id: DeliveryId::generate(),
            endpoint_id: endpoint.id.clone(),
            event_id: event.id.clone(),
            event_type: event.event_type.as_str().to_owned(),
            status: "pending".to_owned(),
            attempts: 0,
            url: endpoint.url,
            // Tested even while disabled (see the module docs).
            endpoint_status: "enabled".to_owned(),
            secret_ciphertext: endpoint.secret_ciphertext,
            previous_secret_ciphertext: endpoint.previous_secret_ciphertext,
            previous_expires_us: endpoint.previous_expires_us,
            body: event.body.clone(),
        };
        let done = sending::attempt(transport, self.secrets(), self.webhooks(), delivery).await;
        Ok(TestSend {
            endpoint: endpoint.id,
            event: event.body,
            status_code: done.status_code,
            error: done.error_class,
            latency_ms: done.latency_us / 1_000,
            response_body: done.body,
        })
    }
}
