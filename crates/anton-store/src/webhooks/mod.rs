//! Webhook endpoints, the delivery outbox and the attempt log (docs/reference.md §5), one module
//! per job:
//!
//! - [`endpoints`]: the endpoints a merchant manages (create, change, list, delete).
//! - [`deliveries`]: deliveries as the API lists, resends and recovers them.
//! - [`fanout`]: the outbox. Events are the outbox: `events.fanout_us` is NULL until
//!   [`fan_out`] has created one delivery per subscribed endpoint (and claimed what it may).
//! - [`claims`]: claiming due deliveries with a lease (a conditional `UPDATE`, safe with several
//!   dispatchers on PostgreSQL and taken over when it expires), and giving leases back.
//! - [`outcomes`]: recording attempts and their consequences (the delivery's next state, the
//!   endpoint's failure clock, disabling).
//!
//! The dispatcher's functions take a [`BatchConn`](crate::BatchConn) (they run as native write
//! jobs) and build their row sets with `rows_from`/`rows_insert`, so they bind arrays on
//! PostgreSQL's job lane. Endpoints and deliveries are addressed by [`EndpointKey`] and
//! [`DeliveryKey`]: a tenant and a typed id, never a tuple of strings.

pub mod backlog;
pub mod claims;
pub mod deliveries;
pub mod endpoints;
pub mod fanout;
pub mod outcomes;

#[cfg(test)]
mod test_support;

use anton_core::id::{DeliveryId, EventId, WebhookEndpointId};

use crate::list::Sql;
use crate::Scoped;

pub use backlog::{backlog, Backlog};
pub use claims::{any_due, claim_due, release_leases, Claimed};
pub use deliveries::{
    deliveries_of_event, get_delivery, insert_deliveries, list_deliveries, recover, AttemptRecord,
    DeliveryFilter, DeliveryRecord, NewDelivery,
};
pub use endpoints::{
    delete_endpoint, get_endpoint, get_endpoint_on, insert_endpoint, list_endpoints,
    update_endpoint, EndpointRecord,
};
pub use fanout::{fan_out, outbox_waiting, DirectClaim, FanOut};
pub use outcomes::{
    clear_failing, disable_endpoint, record_attempts, start_failing, AttemptOutcome,
};

/// A tenant's webhook endpoint.
pub type EndpointKey = Scoped<WebhookEndpointId>;
/// A tenant's delivery.
pub type DeliveryKey = Scoped<DeliveryId>;
/// A tenant's event.
pub type EventKey = Scoped<EventId>;

/// Whether an endpoint subscribed with `enabled_events` (JSON array) gets events of `event_type`.
pub fn subscribed(enabled_events: &str, event_type: &str) -> bool {
    serde_json::from_str::<Vec<String>>(enabled_events)
        .map(|list| list.iter().any(|t| t == "*" || t == event_type))
        .unwrap_or(false)
}

/// Binds a tenant row's whole primary key, `(merchant_id, env, id)`, as three columns of a row set.
fn bind_key<I: AsRef<str>>(sql: &mut Sql, key: &Scoped<I>) {
    sql.text(key.tenant.m())
        .push(", ")
        .text(key.tenant.e())
        .push(", ")
        .text(key.id.as_ref());
}
