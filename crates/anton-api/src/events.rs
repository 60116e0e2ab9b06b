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
use crate::openapi::{
    Authenticated, ById, EventListSchema, EventSchema, EventTypeList, PageParams,
};
use crate::state::ApiState;
use anton_engine::openapi::{self as oa, EventIdSchema, EventTypeNameSchema};

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

/// Retrieve an event.
///
/// Returns the event exactly as it was stored and delivered (the same bytes every delivery
/// carried). Test events (`webhook_endpoint.test`) are never stored.
///
/// Scope: `events:read`.
#[utoipa::path(
    get,
    path = "/v1/events/{id}",
    tag = "events",
    security(("api_key" = ["events:read"])),
    params(("id" = EventIdSchema, Path, description = "The event's id.")),
    responses(
        (status = 200, description = "The event.", body = EventSchema),
        Authenticated,
        ById,
    )
)]
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

/// List events.
///
/// Returns a page of events, newest first, each exactly as stored and delivered — optionally only
/// those of one type or about one object. Use it to reconcile missed webhooks (also
/// `anton listen`). A filter value no event could have (an unknown type, a malformed id) is
/// refused with `parameter_invalid`.
///
/// Scope: `events:read`.
#[utoipa::path(
    get,
    path = "/v1/events",
    tag = "events",
    security(("api_key" = ["events:read"])),
    params(
        PageParams,
        ("type" = Option<EventTypeNameSchema>, Query, description = "Only events of this type."),
        ("object" = Option<String>, Query, description = "Only events about this object: a recipient, payout, webhook endpoint, webhook delivery or alert id.",
         pattern = "^(rcp|po|we|del|alr)_[0-9A-Za-z]{1,64}$", example = "po_0VclB7c2Xk9QmR4tY8uWb3nZ"),
    ),
    responses(
        (status = 200, description = "A page of events.", body = EventListSchema),
        Authenticated,
    )
)]
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

/// An event type of the catalogue: what it means and what its events carry.
#[derive(serde::Serialize, utoipa::ToSchema)]
#[schema(as = EventType, examples(crate::openapi::event_type_example))]
pub struct EventTypeOut {
    #[schema(schema_with = oa::object::event_type)]
    pub object: &'static str,
    /// The event type, as in an event's `type` and an endpoint's `enabled_events`.
    #[serde(rename = "type")]
    #[schema(value_type = EventTypeNameSchema)]
    pub kind: &'static str,
    /// What happened, for humans.
    pub description: &'static str,
    /// The kind of object in the event's `data.object`.
    #[schema(schema_with = data_object_schema)]
    pub data_object: &'static str,
    /// Where the schema of this type's events (the payload, `data.object` included) is: a JSON
    /// pointer into this API's OpenAPI document, e.g.
    /// `/v1/openapi.json#/components/schemas/PayoutEvent`.
    #[schema(examples("/v1/openapi.json#/components/schemas/PayoutEvent"))]
    pub schema: String,
}

/// The kinds of `data.object`.
fn data_object_schema() -> utoipa::openapi::schema::Object {
    let mut kinds: Vec<&'static str> = Vec::new();
    for t in EventType::ALL {
        if !kinds.contains(&t.object()) {
            kinds.push(t.object());
        }
    }
    oa::string_enum("The kind of object in the event's `data.object`.", kinds)
}

/// List event types.
///
/// Returns the catalogue of event types — what each means, the kind of its `data.object` and
/// where its payload's schema is in this document — in one page: exactly the types an
/// endpoint's `enabled_events` accepts.
///
/// Any valid API key may call it: no scope needed.
#[utoipa::path(
    get,
    path = "/v1/event_types",
    tag = "events",
    security(("api_key" = [])),
    responses(
        (status = 200, description = "Every event type.", body = EventTypeList),
        Authenticated,
    )
)]
pub async fn list_event_types(_auth: Auth) -> Json<ListOut<EventTypeOut>> {
    let data = EventType::ALL
        .into_iter()
        .map(|t| EventTypeOut {
            object: "event_type",
            kind: t.as_str(),
            description: t.description(),
            data_object: t.object(),
            schema: crate::openapi::event_schema_pointer(t),
        })
        .collect();
    Json(ListOut::new(data, false))
}
