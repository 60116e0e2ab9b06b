//! The request log: `GET /v1/requests` (filters `status`, `route`, `method`, `api_key`,
//! `created[…]`) and `GET /v1/requests/{id}`, through the engine (`anton_engine::request_log`).

use anton_core::id::{KeyId, RequestId};
use anton_core::keys::Scope;
use anton_engine::objects::RequestOut;
use anton_engine::request_log::RequestQuery;
use anton_store::request_log::RequestFilter;
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};

use crate::auth::Auth;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiPath, ApiQuery};
use crate::list::{one_of, ListOut, ListParams};
use crate::openapi::{Authenticated, ById, PageParams, RequestList};
use crate::state::ApiState;
use anton_engine::openapi::{KeyIdSchema, RequestIdSchema};

pub fn router() -> Router<ApiState> {
    Router::new()
        .route("/v1/requests", get(list_requests))
        .route("/v1/requests/{id}", get(get_request))
}

/// The methods the `method` filter takes.
const METHODS: [&str; 5] = ["GET", "POST", "PATCH", "DELETE", "PUT"];

/// `2xx` … `5xx` as `[lo, hi)`, or one status code as `[code, code + 1)`.
fn status_range(v: &str) -> Option<(u16, u16)> {
    let b = v.as_bytes();
    if b.len() != 3 || !(b'1'..=b'5').contains(&b[0]) {
        return None;
    }
    let class = u16::from(b[0] - b'0') * 100;
    if &b[1..] == b"xx" {
        return Some((class, class + 100));
    }
    let code: u16 = v.parse().ok()?;
    Some((code, code + 1))
}

/// Whether `v` can be a route template of this API (`/v1/payouts/{id}`).
fn is_route(v: &str) -> bool {
    v.len() <= 128
        && v.starts_with("/v1/")
        && v[1..].split('/').all(|seg| {
            !seg.is_empty()
                && seg
                    .bytes()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || b"_.{}".contains(&c))
        })
}

/// Retrieve a request.
///
/// Returns one request of the request log by its id — the `Request-Id` header of its answer, and
/// the `request_id` of its error body — so a failed call can be looked up from what the client
/// kept. 404 `resource_missing` for a request of another merchant or environment, one older than
/// the retention, or one not yet written (entries are written within about a second).
///
/// Scope: `requests:read`.
#[utoipa::path(
    get,
    path = "/v1/requests/{id}",
    tag = "requests",
    security(("api_key" = ["requests:read"])),
    params(("id" = RequestIdSchema, Path, description = "The request's id.")),
    responses(
        (status = 200, description = "The request.", body = RequestOut),
        Authenticated,
        ById,
    )
)]
pub async fn get_request(
    State(state): State<ApiState>,
    auth: Auth,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<RequestOut>> {
    auth.require(Scope::RequestsRead)?;
    let rid = RequestId::parse(&id).map_err(|_| ApiError::not_found("request", &id))?;
    let r = state.engine.get_request(&auth.tenant, &rid).await?;
    Ok(Json(RequestOut::from_record(r)))
}

/// List requests.
///
/// Returns a page of the API requests made with this environment's keys, newest first: each
/// with its status, error code, key id, client address, user agent, duration and
/// Idempotency-Key — never a body, a key or bank details. A request is listed within about a
/// second of its answer, also when its key was revoked or expired (a request with a missing or
/// unknown key belongs to no merchant and is not listed). Entries are kept 30 days unless the
/// operator configured otherwise. `anton logs tail` follows this list.
///
/// Scope: `requests:read`.
#[utoipa::path(
    get,
    path = "/v1/requests",
    tag = "requests",
    security(("api_key" = ["requests:read"])),
    params(
        PageParams,
        ("status" = Option<String>, Query, description = "Only requests answered with this status: a class (`2xx`, `3xx`, `4xx`, `5xx`) or one code (`401`).",
         pattern = "^[1-5]([0-9]{2}|xx)$", example = "4xx"),
        ("route" = Option<String>, Query, description = "Only requests that matched this route template, e.g. `/v1/payouts/{id}`.",
         pattern = "^/v1(/[a-z0-9_.{}]+)+$", max_length = 128, example = "/v1/payouts"),
        ("method" = Option<String>, Query, description = "Only requests with this HTTP method.",
         pattern = "^(GET|POST|PATCH|DELETE|PUT)$", example = "POST"),
        ("api_key" = Option<KeyIdSchema>, Query, description = "Only requests made with this API key (its id)."),
    ),
    responses(
        (status = 200, description = "A page of requests.", body = RequestList),
        Authenticated,
    )
)]
pub async fn list_requests(
    State(state): State<ApiState>,
    auth: Auth,
    ApiQuery(q): ApiQuery,
) -> ApiResult<Json<ListOut<RequestOut>>> {
    auth.require(Scope::RequestsRead)?;
    let params = ListParams::parse(q, &["status", "route", "method", "api_key"])?;
    let filter = RequestFilter {
        status: params.filter(
            "status",
            "a status class (2xx, 3xx, 4xx, 5xx) or a status code (100 to 599)",
            status_range,
        )?,
        route: params.filter("route", "a route template such as /v1/payouts/{id}", |r| {
            is_route(r).then(|| r.to_owned())
        })?,
        method: params.filter("method", &one_of(METHODS), |m| {
            METHODS.contains(&m).then(|| m.to_owned())
        })?,
        key_id: params.filter("api_key", "an API key id (key_…)", |k| {
            KeyId::parse(k).ok()
        })?,
    };
    let query = RequestQuery {
        list: params.query(),
        filter,
    };
    let listing = state.engine.list_requests(&auth.tenant, &query).await?;
    Ok(Json(ListOut::of(listing, RequestOut::from_record)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_filters_are_classes_or_codes() {
        assert_eq!(status_range("4xx"), Some((400, 500)));
        assert_eq!(status_range("2xx"), Some((200, 300)));
        assert_eq!(status_range("401"), Some((401, 402)));
        assert_eq!(status_range("599"), Some((599, 600)));
        for bad in ["6xx", "0xx", "4x", "40", "4000", "x01", "4x1", "", "abc"] {
            assert_eq!(status_range(bad), None, "{bad}");
        }
    }

    #[test]
    fn routes_are_templates_of_this_api() {
        assert!(is_route("/v1/payouts"));
        assert!(is_route("/v1/payouts/{id}/cancel"));
        assert!(!is_route("/v2/payouts"));
        assert!(!is_route("/v1/"));
        assert!(!is_route("/v1//x"));
        assert!(!is_route("/v1/Payouts"));
        assert!(!is_route("/v1/payouts?x=1"));
    }
}
