//! Events: `GET /v1/events/{id}` and `GET /v1/events` (filters `type`, `object`, `created[…]`).
//! The body returned is the exact text stored when the event was written.

use anton_core::event::EventType;
use anton_core::id::EventId;
use anton_core::keys::Scope;
use anton_engine::events::EventQuery;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};

use crate::auth::Auth;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiPath, ApiQuery};
use crate::list::{one_of, ListOut, ListParams};
use crate::state::ApiState;

pub fn router() -> Router<ApiState> {
    Router::new()
        .route("/v1/events", get(list_events))
        .route("/v1/events/{id}", get(get_event))
        .route("/v1/event_types", get(list_event_types))
}

fn json_response(body: String) -> Response {
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json")],
        body,
    )
        .into_response()
}

#[utoipa::path(get, path = "/v1/events/{id}", tag = "events", params(("id" = String, Path)), responses((status = 200, description = "the event, exactly as delivered"), (status = 404, description = "resource_missing"), (status = 400, description = "invalid_request_error envelope"), (status = 401, description = "authentication_error"), (status = 403, description = "permission_error (missing scope, browser markers, IP not allowed)"), (status = 429, description = "rate_limit_error")))]
pub async fn get_event(
    State(state): State<ApiState>,
    auth: Auth,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Response> {
    auth.require(Scope::EventsRead)?;
    let eid = EventId::parse(&id).map_err(|_| ApiError::not_found("event", &id))?;
    let e = state.engine.get_event(&auth.tenant, &eid).await?;
    Ok(json_response(e.body))
}

#[utoipa::path(get, path = "/v1/events", tag = "events", params(("limit" = Option<i64>, Query, description = "1 to 100, default 20"), ("starting_after" = Option<String>, Query, description = "cursor: the id of the last object of the previous page; the next (older) page"), ("ending_before" = Option<String>, Query, description = "cursor: the id of the first object of the current page; the previous (newer) page, still newest first"), ("created[gte]" = Option<String>, Query, description = "RFC 3339 or unix seconds"), ("created[lt]" = Option<String>, Query, description = "RFC 3339 or unix seconds"), ("type" = Option<String>, Query), ("object" = Option<String>, Query)), responses((status = 200, description = "a list of events"), (status = 400, description = "invalid_request_error envelope"), (status = 401, description = "authentication_error"), (status = 403, description = "permission_error (missing scope, browser markers, IP not allowed)"), (status = 429, description = "rate_limit_error")))]
pub async fn list_events(
    State(state): State<ApiState>,
    auth: Auth,
    ApiQuery(q): ApiQuery,
) -> ApiResult<Response> {
    auth.require(Scope::EventsRead)?;
    let params = ListParams::parse(q, &["type", "object"])?;
    let types = one_of(EventType::ALL.map(EventType::as_str));
    let query = EventQuery {
        list: params.query(),
        event_type: params.filter("type", &types, |t| {
            EventType::parse(t).map(|t| t.as_str().to_owned())
        })?,
        object: params.filter("object", "an object id (such as po_…)", |o| {
            anton_core::id::is_object_id(o).then(|| o.to_owned())
        })?,
    };
    let listing = state.engine.list_events(&auth.tenant, &query).await?;
    // Splice the stored bodies in verbatim rather than re-serializing them.
    let mut body = String::from(r#"{"object":"list","data":["#);
    for (i, e) in listing.data.iter().enumerate() {
        if i > 0 {
            body.push(',');
        }
        body.push_str(&e.body);
    }
    body.push_str(&format!(r#"],"has_more":{}}}"#, listing.has_more));
    Ok(json_response(body))
}

/// One entry of the event catalogue.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct EventTypeOut {
    /// Always `event_type`.
    pub object: &'static str,
    /// The event type, as in an event's `type` and an endpoint's `enabled_events`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// What happened.
    pub description: &'static str,
    /// The kind of object in the event's `data.object`.
    pub data_object: &'static str,
}

/// The catalogue of event types an endpoint may subscribe to. Any valid key may read it.
#[utoipa::path(get, path = "/v1/event_types", tag = "events", responses((status = 200, description = "every event type (one page, has_more false)"), (status = 401, description = "authentication_error"), (status = 403, description = "permission_error (browser markers, IP not allowed)"), (status = 429, description = "rate_limit_error")))]
pub async fn list_event_types(_auth: Auth) -> Json<ListOut<EventTypeOut>> {
    let data = EventType::ALL
        .into_iter()
        .map(|t| EventTypeOut {
            object: "event_type",
            kind: t.as_str(),
            description: t.description(),
            data_object: t.object(),
        })
        .collect();
    Json(ListOut::new(data, false))
}
