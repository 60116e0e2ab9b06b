//! The monitoring resources of the API: the request log, alerts and the audit log (a module of
//! their own so the client's file stays one screenful of resources).

use futures_util::stream::Stream;
use serde_json::json;

use super::{seg, Client};
use crate::error::Error;
use crate::types::*;

/// `/v1/requests`: the API requests made with this environment's keys, newest first.
pub struct Requests<'a>(pub(super) &'a Client);

impl Requests<'_> {
    /// One request by its id (the `Request-Id` of its answer; an [`crate::ApiError`]'s
    /// `request_id`).
    pub async fn get(&self, id: &str) -> Result<RequestLogEntry, Error> {
        self.0.get(&format!("v1/requests/{}", seg(id))).await
    }

    /// Filters: `status` (`4xx` or `401`), `route` (`/v1/payouts/{id}`), `method`, `api_key`.
    pub async fn list(&self, params: &ListParams) -> Result<List<RequestLogEntry>, Error> {
        self.0.list("v1/requests", params).await
    }

    pub fn list_all(
        &self,
        params: ListParams,
    ) -> impl Stream<Item = Result<RequestLogEntry, Error>> + Send + 'static {
        self.0.paginate("v1/requests".into(), params)
    }
}

/// `/v1/alerts`: what Anton noticed that your team should look at, newest first.
pub struct Alerts<'a>(pub(super) &'a Client);

impl Alerts<'_> {
    pub async fn get(&self, id: &str) -> Result<Alert, Error> {
        self.0.get(&format!("v1/alerts/{}", seg(id))).await
    }

    /// Filters: `status` (`open`, `acknowledged`, `resolved`), `rule`.
    pub async fn list(&self, params: &ListParams) -> Result<List<Alert>, Error> {
        self.0.list("v1/alerts", params).await
    }

    pub fn list_all(
        &self,
        params: ListParams,
    ) -> impl Stream<Item = Result<Alert, Error>> + Send + 'static {
        self.0.paginate("v1/alerts".into(), params)
    }

    /// Marks the alert as being handled; it stays unresolved until its condition clears.
    pub async fn acknowledge(&self, id: &str) -> Result<Alert, Error> {
        self.0
            .post(
                &format!("v1/alerts/{}/acknowledge", seg(id)),
                &json!({}),
                None,
            )
            .await
    }

    /// Resolves the alert now (a new one is raised if its condition is still there).
    pub async fn resolve(&self, id: &str) -> Result<Alert, Error> {
        self.0
            .post(&format!("v1/alerts/{}/resolve", seg(id)), &json!({}), None)
            .await
    }
}

/// `/v1/audit_log`: who changed keys, endpoints, limits, balances and payouts in this
/// environment, newest first.
pub struct AuditLog<'a>(pub(super) &'a Client);

impl AuditLog<'_> {
    pub async fn get(&self, id: &str) -> Result<AuditEntry, Error> {
        self.0.get(&format!("v1/audit_log/{}", seg(id))).await
    }

    /// Filters: `action` (`api_key.revoked`), `resource` (an object's id), `api_key`.
    pub async fn list(&self, params: &ListParams) -> Result<List<AuditEntry>, Error> {
        self.0.list("v1/audit_log", params).await
    }

    pub fn list_all(
        &self,
        params: ListParams,
    ) -> impl Stream<Item = Result<AuditEntry, Error>> + Send + 'static {
        self.0.paginate("v1/audit_log".into(), params)
    }
}
