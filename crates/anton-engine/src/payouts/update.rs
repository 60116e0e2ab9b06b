//! Changing what a merchant may change on a payout after it was created: its `description` and
//! `metadata` (`PATCH /v1/payouts/{id}`). Neither touches money or status, so any payout may be
//! changed, in any status; a change writes `payout.updated` with the previous values.

use anton_core::event::{EventType, NewEvent};
use anton_core::id::PayoutId;
use anton_core::time::Timestamp;
use anton_store::payouts::{self, PayoutRecord};
use anton_store::{events, now_us, Tenant};
use serde_json::{Map, Value};

use crate::error::{EngineError, Result};
use crate::idempotency::{self, Answer, Mutation, Render};
use crate::objects::{to_value, PayoutOut};
use crate::validate::{self, Metadata};
use crate::Engine;

/// What a change sets; absent fields stay as they are.
#[derive(Debug, Clone, Default)]
pub struct PayoutChanges {
    /// `Some(None)` clears the description.
    description: Option<Option<String>>,
    /// Replaces the whole metadata object.
    metadata: Option<Metadata>,
}

impl PayoutChanges {
    /// Checks the values as creation does: description, then metadata.
    pub fn new(description: Option<Option<String>>, metadata: Option<Metadata>) -> Result<Self> {
        let description = match description {
            Some(d) => Some(validate::description(d.as_deref(), "parameter_invalid")?),
            None => None,
        };
        if let Some(m) = &metadata {
            validate::metadata(m)?;
        }
        Ok(Self {
            description,
            metadata,
        })
    }
}

impl Engine {
    /// Changes a payout's description or metadata; `payout.updated` names what changed (with
    /// the previous values). A change that changes nothing writes nothing but its answer.
    pub async fn update_payout<R: Render<PayoutRecord>>(
        &self,
        tenant: &Tenant,
        id: PayoutId,
        changes: PayoutChanges,
        mutation: Mutation<R>,
    ) -> Result<Answer> {
        let t = tenant.clone();
        let job: idempotency::Job<PayoutRecord> = std::sync::Arc::new(move |c| {
            let (t, id, changes) = (t.clone(), id.clone(), changes.clone());
            Box::pin(async move {
                let Some(old) = payouts::get(&mut *c, &t, &id).await? else {
                    return Ok(Err(EngineError::not_found("payout", id.as_str())));
                };
                let mut new = old.clone();
                if let Some(d) = changes.description {
                    new.description = d;
                }
                if let Some(m) = &changes.metadata {
                    new.metadata = validate::metadata_text(m);
                }
                let old_json = to_value(&PayoutOut::from_record(&old, t.env));
                let mut previous = Map::new();
                let object = to_value(&PayoutOut::from_record(&new, t.env));
                for key in ["description", "metadata"] {
                    if old_json[key] != object[key] {
                        previous.insert(key.into(), old_json[key].clone());
                    }
                }
                if previous.is_empty() {
                    return Ok(Ok(old));
                }
                let now = Timestamp::from_unix_micros(now_us());
                new.updated = now;
                payouts::update_details(c, &t, &new).await?;
                let ev = NewEvent::new(
                    EventType::PayoutUpdated,
                    t.env,
                    now,
                    new.id.as_str(),
                    to_value(&PayoutOut::from_record(&new, t.env)),
                    Some(Value::Object(previous)),
                );
                events::insert(c, &t, &ev).await?;
                Ok(Ok(new))
            })
        });
        idempotency::run(self.store(), self.in_flight(), tenant, mutation, job).await
    }
}
