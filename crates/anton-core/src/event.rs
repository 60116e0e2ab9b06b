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
    PayoutProcessing,
    PayoutPaid,
    PayoutFailed,
    PayoutCanceled,
    PayoutReturned,
    PayoutReviewRequired,
    WebhookEndpointDisabled,
    AlertRaised,
    DeliveryFailing,
    DeliveryExhausted,
    DeliveryRecovered,
}

impl EventType {
    pub const ALL: [EventType; 15] = [
        EventType::RecipientCreated,
        EventType::RecipientUpdated,
        EventType::RecipientDeleted,
        EventType::PayoutCreated,
        EventType::PayoutProcessing,
        EventType::PayoutPaid,
        EventType::PayoutFailed,
        EventType::PayoutCanceled,
        EventType::PayoutReturned,
        EventType::PayoutReviewRequired,
        EventType::WebhookEndpointDisabled,
        EventType::AlertRaised,
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
            Self::PayoutProcessing => "payout.processing",
            Self::PayoutPaid => "payout.paid",
            Self::PayoutFailed => "payout.failed",
            Self::PayoutCanceled => "payout.canceled",
            Self::PayoutReturned => "payout.returned",
            Self::PayoutReviewRequired => "payout.review_required",
            Self::WebhookEndpointDisabled => "webhook_endpoint.disabled",
            Self::AlertRaised => "alert.raised",
            Self::DeliveryFailing => "delivery.failing",
            Self::DeliveryExhausted => "delivery.exhausted",
            Self::DeliveryRecovered => "delivery.recovered",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == s)
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
