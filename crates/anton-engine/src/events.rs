//! Events: one per state change, written in the change's transaction (the outbox). Read back
//! exactly as stored and delivered.

use anton_core::event::EventType;
use anton_core::id::EventId;
use anton_store::events::{self, EventFilter, EventRecord};
use anton_store::list::Listed;
use anton_store::Tenant;

use crate::error::{EngineError, Result};
use crate::validate::{ListQuery, Listing};
use crate::Engine;

/// Events of a list: by type, by the object they are about.
#[derive(Debug, Clone, Default)]
pub struct EventQuery {
    pub list: ListQuery,
    pub event_type: Option<String>,
    pub object: Option<String>,
}

impl Engine {
    pub async fn get_event(&self, tenant: &Tenant, id: &EventId) -> Result<EventRecord> {
        events::get(self.store().read(), tenant, id)
            .await?
            .ok_or_else(|| EngineError::not_found("event", id.as_str()))
    }

    pub async fn list_events(
        &self,
        tenant: &Tenant,
        query: &EventQuery,
    ) -> Result<Listing<EventRecord>> {
        if let Some(t) = &query.event_type {
            if EventType::parse(t).is_none() {
                return Err(EngineError::invalid(
                    "parameter_invalid",
                    format!("Unknown event type: {t}"),
                    "type",
                ));
            }
        }
        let filter = EventFilter {
            event_type: query.event_type.clone(),
            object_id: query.object.clone(),
        };
        let page = query
            .list
            .page(self.store(), Listed::Events, tenant)
            .await?;
        let rows = events::list(self.store().read(), tenant, &filter, &page).await?;
        Ok(Listing::of(rows, &page))
    }
}
