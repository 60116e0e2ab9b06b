//! The audit log: `GET /v1/audit_log` (filters `action`, `resource`, `api_key`, `created[…]`)
//! and `GET /v1/audit_log/{id}`, through the engine (`anton_engine::audit`).

use anton_core::id::{AuditEntryId, KeyId};
use anton_core::keys::Scope;
use anton_engine::audit::{AuditQuery, ACTIONS};
use anton_engine::objects::AuditEntryOut;
use anton_store::audit::AuditFilter;
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};

use crate::auth::Auth;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiPath, ApiQuery};
use crate::list::{one_of, ListOut, ListParams};
use crate::openapi::{AuditEntryList, Authenticated, ById, PageParams};
use crate::state::ApiState;
use anton_engine::openapi::{AuditActionSchema, AuditEntryIdSchema, KeyIdSchema};

pub fn router() -> Router<ApiState> {
    Router::new()
        .route("/v1/audit_log", get(list_audit_log))
        .route("/v1/audit_log/{id}", get(get_audit_entry))
}

/// Whether `v` can be the id of an object the log records (`we_…`, `key_…`, `mer_…`).
fn is_resource_id(v: &str) -> bool {
    v.split_once('_').is_some_and(|(prefix, rest)| {
        (2..=4).contains(&prefix.len())
            && prefix.bytes().all(|b| b.is_ascii_lowercase())
            && (1..=64).contains(&rest.len())
            && rest.bytes().all(|b| b.is_ascii_alphanumeric())
    })
}

/// Retrieve an audit entry.
///
/// Scope: `audit_log:read`.
#[utoipa::path(
    get,
    path = "/v1/audit_log/{id}",
    tag = "audit_log",
    security(("api_key" = ["audit_log:read"])),
    params(("id" = AuditEntryIdSchema, Path, description = "The entry's id.")),
    responses(
        (status = 200, description = "The entry.", body = AuditEntryOut),
        Authenticated,
        ById,
    )
)]
pub async fn get_audit_entry(
    State(state): State<ApiState>,
    auth: Auth,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<AuditEntryOut>> {
    auth.require(Scope::AuditLogRead)?;
    let aid = AuditEntryId::parse(&id).map_err(|_| ApiError::not_found("audit_entry", &id))?;
    let r = state.engine.get_audit_entry(&auth.tenant, &aid).await?;
    Ok(Json(AuditEntryOut::from_record(r)))
}

/// List audit entries.
///
/// Returns a page of this environment's audit entries, newest first: every security-relevant
/// change — API keys created, rolled, revoked or flagged as exposed; webhook endpoints created,
/// changed, deleted or their secrets rotated; rate limits changed; balances funded; payouts
/// canceled — with who made it (an API key or the operator), from which address, in which
/// request, and the object before and after. Never a secret. Each entry is written in the
/// transaction of its change and chained to the one before by its hash; entries are kept as long
/// as the merchant exists.
///
/// Scope: `audit_log:read`.
#[utoipa::path(
    get,
    path = "/v1/audit_log",
    tag = "audit_log",
    security(("api_key" = ["audit_log:read"])),
    params(
        PageParams,
        ("action" = Option<AuditActionSchema>, Query, description = "Only entries of this action."),
        ("resource" = Option<String>, Query, description = "Only entries about this object (its id).",
         pattern = "^[a-z]{2,4}_[0-9A-Za-z]{1,64}$", example = "we_0Vcl9Z1a7Gh3Jk5Lm2Np8Qr4"),
        ("api_key" = Option<KeyIdSchema>, Query, description = "Only changes made with this API key (its id)."),
    ),
    responses(
        (status = 200, description = "A page of audit entries.", body = AuditEntryList),
        Authenticated,
    )
)]
pub async fn list_audit_log(
    State(state): State<ApiState>,
    auth: Auth,
    ApiQuery(q): ApiQuery,
) -> ApiResult<Json<ListOut<AuditEntryOut>>> {
    auth.require(Scope::AuditLogRead)?;
    let params = ListParams::parse(q, &["action", "resource", "api_key"])?;
    let filter = AuditFilter {
        action: params.filter("action", &one_of(ACTIONS), |a| {
            ACTIONS.contains(&a).then(|| a.to_owned())
        })?,
        object_id: params.filter("resource", "an object id such as we_…", |r| {
            is_resource_id(r).then(|| r.to_owned())
        })?,
        actor_id: params.filter("api_key", "an API key id (key_…)", |k| {
            KeyId::parse(k).ok().map(|k| k.to_string())
        })?,
    };
    let query = AuditQuery {
        list: params.query(),
        filter,
    };
    let listing = state.engine.list_audit_log(&auth.tenant, &query).await?;
    Ok(Json(ListOut::of(listing, AuditEntryOut::from_record)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resources_are_object_ids() {
        assert!(is_resource_id("we_0Vcl9Z1a7Gh3Jk5Lm2Np8Qr4"));
        assert!(is_resource_id("key_abc"));
        for bad in ["we_", "_abc", "WE_abc", "abcde_x", "we_a-b", "we abc", ""] {
            assert!(!is_resource_id(bad), "{bad}");
        }
    }
}
