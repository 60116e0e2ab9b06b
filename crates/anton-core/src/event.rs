//! Event types (docs/reference.md §5.1) and the event JSON document.
//!
//! The event body is rendered once, when the event is written, and stored as text: every webhook
//! delivery and every `GET /v1/events/{id}` returns those same bytes, so a signature computed over
//! them stays meaningful.

use serde_json::{json, Map, Value};

use crate::id::EventId;
use crate::keys::Environment;
use crate::time::Timestamp;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventType {
    RecipientCreated,
    RecipientUpdated,
    RecipientDeleted,
    PayoutCreated,
    PayoutUpdated,
    PayoutProcessing,
    PayoutPaid,
    PayoutFailed,
    PayoutCanceled,
    PayoutReturned,
    PayoutReviewRequired,
    WebhookEndpointDisabled,
    AlertRaised,
    AlertResolved,
    DeliveryFailing,
    DeliveryExhausted,
    DeliveryRecovered,
    /// A test event sent on request to one endpoint (`POST /v1/webhook_endpoints/{id}/test`):
    /// never stored, never subscribed to, so not in [`EventType::ALL`].
    WebhookEndpointTest,
}

impl EventType {
    pub const ALL: [EventType; 17] = [
        EventType::RecipientCreated,
        EventType::RecipientUpdated,
        EventType::RecipientDeleted,
        EventType::PayoutCreated,
        EventType::PayoutUpdated,
        EventType::PayoutProcessing,
        EventType::PayoutPaid,
        EventType::PayoutFailed,
        EventType::PayoutCanceled,
        EventType::PayoutReturned,
        EventType::PayoutReviewRequired,
        EventType::WebhookEndpointDisabled,
        EventType::AlertRaised,
        EventType::AlertResolved,
        EventType::DeliveryFailing,
        EventType::DeliveryExhausted,
        EventType::DeliveryRecovered,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::RecipientCreated => "recipient.created",
            Self::RecipientUpdated => "recipient.updated",
            Self::RecipientDeleted => "recipient.deleted",
            Self::PayoutCreated => "payout.created",
            Self::PayoutUpdated => "payout.updated",
            Self::PayoutProcessing => "payout.processing",
            Self::PayoutPaid => "payout.paid",
            Self::PayoutFailed => "payout.failed",
            Self::PayoutCanceled => "payout.canceled",
            Self::PayoutReturned => "payout.returned",
            Self::PayoutReviewRequired => "payout.review_required",
            Self::WebhookEndpointDisabled => "webhook_endpoint.disabled",
            Self::AlertRaised => "alert.raised",
            Self::AlertResolved => "alert.resolved",
            Self::DeliveryFailing => "delivery.failing",
            Self::DeliveryExhausted => "delivery.exhausted",
            Self::DeliveryRecovered => "delivery.recovered",
            Self::WebhookEndpointTest => "webhook_endpoint.test",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == s)
    }

    /// What happened, for the catalogue (`GET /v1/event_types`) and the reference docs.
    pub fn description(self) -> &'static str {
        match self {
            Self::RecipientCreated => "A recipient was created.",
            Self::RecipientUpdated => {
                "A recipient's name, email, bank account or metadata changed \
                 (previous_attributes holds the old values)."
            }
            Self::RecipientDeleted => "A recipient was deleted.",
            Self::PayoutCreated => {
                "A payout entered pending: it was created, or approved after a review; its \
                 amount is reserved."
            }
            Self::PayoutUpdated => {
                "A payout's description or metadata changed (previous_attributes holds the old \
                 values)."
            }
            Self::PayoutProcessing => "The rail took the payout (pending → processing).",
            Self::PayoutPaid => "The payout reached the recipient's bank (processing → paid).",
            Self::PayoutFailed => {
                "The payout failed; its amount is available again (failure_code says why)."
            }
            Self::PayoutCanceled => {
                "The payout was canceled, or its review rejected or expired; its amount is \
                 available again."
            }
            Self::PayoutReturned => {
                "The bank returned a paid payout; its amount is available again."
            }
            Self::PayoutReviewRequired => {
                "A risk rule held the payout for review (status requires_review; its amount is \
                 reserved): approve or reject it (review and risk say why)."
            }
            Self::WebhookEndpointDisabled => {
                "Anton disabled a webhook endpoint (it answered 410, or failed for 5 days)."
            }
            Self::AlertRaised => {
                "An alert was raised: a rule noticed something to look at (a revoked key in use, \
                 a key used from a new address, a failing endpoint…)."
            }
            Self::AlertResolved => {
                "An alert was resolved: its condition cleared, or it was resolved through the API."
            }
            Self::DeliveryFailing => {
                "A webhook delivery keeps failing (raised once, before it is exhausted)."
            }
            Self::DeliveryExhausted => "A webhook delivery failed its last scheduled attempt.",
            Self::DeliveryRecovered => "A delivery that was failing succeeded.",
            Self::WebhookEndpointTest => {
                "A test event, sent on request to one endpoint only (never stored or retried)."
            }
        }
    }

    /// The kind of object in the event's `data.object`.
    pub fn object(self) -> &'static str {
        match self {
            Self::RecipientCreated | Self::RecipientUpdated | Self::RecipientDeleted => "recipient",
            Self::PayoutCreated
            | Self::PayoutUpdated
            | Self::PayoutProcessing
            | Self::PayoutPaid
            | Self::PayoutFailed
            | Self::PayoutCanceled
            | Self::PayoutReturned
            | Self::PayoutReviewRequired => "payout",
            Self::WebhookEndpointDisabled | Self::WebhookEndpointTest => "webhook_endpoint",
            Self::AlertRaised | Self::AlertResolved => "alert",
            Self::DeliveryFailing | Self::DeliveryExhausted | Self::DeliveryRecovered => {
                "webhook_delivery"
            }
        }
    }
}

/// A new event, ready to be written next to the change that caused it.
#[derive(Debug, Clone)]
pub struct NewEvent {
    pub id: EventId,
    pub event_type: EventType,
    pub created: Timestamp,
    /// The id of the object the event is about, for filtering.
    pub object_id: String,
    /// The exact JSON body, rendered once.
    pub body: String,
}

impl NewEvent {
    /// `object` is the full current state of the object; `previous_attributes` the changed fields'
    /// old values, for `*.updated` events.
    pub fn new(
        event_type: EventType,
        env: Environment,
        created: Timestamp,
        object_id: &str,
        object: Value,
        previous_attributes: Option<Value>,
    ) -> Self {
        let id = EventId::generate();
        let mut data = Map::new();
        data.insert("object".into(), object);
        if let Some(prev) = previous_attributes {
            data.insert("previous_attributes".into(), prev);
        }
        let body = json!({
            "id": id,
            "object": "event",
            "type": event_type.as_str(),
            "created": created,
            "livemode": env.is_live(),
            "api_version": crate::API_VERSION,
            "data": data,
        })
        .to_string();
        Self {
            id,
            event_type,
            created,
            object_id: object_id.to_owned(),
            body,
        }
    }
}
