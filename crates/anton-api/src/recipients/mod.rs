//! Recipients: create, get, list, update, delete (docs/reference.md §2), through the engine
//! (`anton_engine::recipients`), which writes every change with its event.

pub mod wire;

use anton_core::id::RecipientId;
use anton_core::keys::Scope;
use anton_engine::objects::RecipientOut;
use anton_engine::recipients::{Deleted, NewRecipient, RecipientChanges};
use anton_store::recipients::RecipientRecord;
use axum::extract::State;
use axum::http::{HeaderMap, Method};
use axum::response::Response;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;

use crate::auth::Auth;
use crate::body::{parse_json, RawBody};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiPath, ApiQuery};
use crate::idempotency::{self, json, reply};
use crate::list::{ListOut, ListParams};
use crate::state::ApiState;
use wire::{RecipientIn, RecipientPatch};

pub fn router() -> Router<ApiState> {
    Router::new()
        .route(
            "/v1/recipients",
            get(list_recipients).post(create_recipient),
        )
        .route(
            "/v1/recipients/{id}",
            get(get_recipient)
                .patch(update_recipient)
                .delete(delete_recipient),
        )
}

fn parse_id(id: &str) -> ApiResult<RecipientId> {
    RecipientId::parse(id).map_err(|_| ApiError::not_found("recipient", id))
}

/// Renders a recipient as the API shows it (or the refusal).
fn recipient(
    env: anton_core::keys::Environment,
) -> idempotency::JsonReply<impl Fn(&RecipientRecord) -> RecipientOut> {
    json(move |r: &RecipientRecord| RecipientOut::from_record(r, env))
}

#[utoipa::path(post, path = "/v1/recipients", tag = "recipients", params(("Idempotency-Key" = Option<String>, Header, description = "1 to 255 characters; replays return the first response")), request_body = RecipientIn, responses((status = 200, body = RecipientOut), (status = 400, description = "invalid_request_error envelope"), (status = 401, description = "authentication_error"), (status = 403, description = "permission_error (missing scope, browser markers, IP not allowed)"), (status = 429, description = "rate_limit_error"), (status = 409, description = "idempotency_error: same key in flight"), (status = 422, description = "idempotency_error: key reused with another request")))]
pub async fn create_recipient(
    State(state): State<ApiState>,
    auth: Auth,
    headers: HeaderMap,
    RawBody(body): RawBody,
) -> ApiResult<Response> {
    auth.require(Scope::RecipientsWrite)?;
    let input: RecipientIn = parse_json(&body)?;
    let new = NewRecipient::new(
        &input.name,
        input.email,
        || input.bank_account.parse(),
        input.metadata,
    )?;
    let mutation = idempotency::mutation(
        &auth,
        &headers,
        &Method::POST,
        "/v1/recipients",
        &body,
        recipient(auth.tenant.env),
    )?;
    let answer = state
        .engine
        .create_recipient(&auth.tenant, new, mutation)
        .await?;
    Ok(reply(answer))
}

#[utoipa::path(get, path = "/v1/recipients/{id}", tag = "recipients", params(("id" = String, Path)), responses((status = 200, body = RecipientOut), (status = 404, description = "resource_missing"), (status = 400, description = "invalid_request_error envelope"), (status = 401, description = "authentication_error"), (status = 403, description = "permission_error (missing scope, browser markers, IP not allowed)"), (status = 429, description = "rate_limit_error")))]
pub async fn get_recipient(
    State(state): State<ApiState>,
    auth: Auth,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<RecipientOut>> {
    auth.require(Scope::RecipientsRead)?;
    let r = state
        .engine
        .get_recipient(&auth.tenant, &parse_id(&id)?)
        .await?;
    Ok(Json(RecipientOut::from_record(&r, auth.tenant.env)))
}

#[utoipa::path(get, path = "/v1/recipients", tag = "recipients", params(("limit" = Option<i64>, Query, description = "1 to 100, default 20"), ("starting_after" = Option<String>, Query, description = "cursor: the id of the last object of the previous page; the next (older) page"), ("ending_before" = Option<String>, Query, description = "cursor: the id of the first object of the current page; the previous (newer) page, still newest first"), ("created[gte]" = Option<String>, Query, description = "RFC 3339 or unix seconds"), ("created[lt]" = Option<String>, Query, description = "RFC 3339 or unix seconds")), responses((status = 200, description = "a list of recipients"), (status = 400, description = "invalid_request_error envelope"), (status = 401, description = "authentication_error"), (status = 403, description = "permission_error (missing scope, browser markers, IP not allowed)"), (status = 429, description = "rate_limit_error")))]
pub async fn list_recipients(
    State(state): State<ApiState>,
    auth: Auth,
    ApiQuery(q): ApiQuery,
) -> ApiResult<Json<ListOut<RecipientOut>>> {
    auth.require(Scope::RecipientsRead)?;
    let params = ListParams::parse(q, &[])?;
    let listing = state
        .engine
        .list_recipients(&auth.tenant, &params.query())
        .await?;
    let env = auth.tenant.env;
    Ok(Json(ListOut::of(listing, |r| {
        RecipientOut::from_record(&r, env)
    })))
}

#[utoipa::path(patch, path = "/v1/recipients/{id}", tag = "recipients", params(("id" = String, Path), ("Idempotency-Key" = Option<String>, Header, description = "1 to 255 characters; replays return the first response")), request_body = RecipientPatch, responses((status = 200, body = RecipientOut), (status = 404, description = "resource_missing"), (status = 400, description = "invalid_request_error envelope"), (status = 401, description = "authentication_error"), (status = 403, description = "permission_error (missing scope, browser markers, IP not allowed)"), (status = 429, description = "rate_limit_error")))]
pub async fn update_recipient(
    State(state): State<ApiState>,
    auth: Auth,
    ApiPath(id): ApiPath<String>,
    headers: HeaderMap,
    RawBody(body): RawBody,
) -> ApiResult<Response> {
    auth.require(Scope::RecipientsWrite)?;
    let rid = parse_id(&id)?;
    let patch: RecipientPatch = parse_json(&body)?;
    let changes = RecipientChanges::new(
        patch.name,
        patch.email,
        || patch.bank_account.as_ref().map(|b| b.parse()).transpose(),
        patch.metadata,
    )?;
    let path = format!("/v1/recipients/{id}");
    let mutation = idempotency::mutation(
        &auth,
        &headers,
        &Method::PATCH,
        &path,
        &body,
        recipient(auth.tenant.env),
    )?;
    let answer = state
        .engine
        .update_recipient(&auth.tenant, rid, changes, mutation)
        .await?;
    Ok(reply(answer))
}

#[utoipa::path(delete, path = "/v1/recipients/{id}", tag = "recipients", params(("id" = String, Path)), responses((status = 200, description = "{\"id\",\"object\":\"recipient\",\"deleted\":true}"), (status = 404, description = "resource_missing"), (status = 400, description = "invalid_request_error envelope"), (status = 401, description = "authentication_error"), (status = 403, description = "permission_error (missing scope, browser markers, IP not allowed)"), (status = 429, description = "rate_limit_error")))]
pub async fn delete_recipient(
    State(state): State<ApiState>,
    auth: Auth,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Response> {
    auth.require(Scope::RecipientsWrite)?;
    let rid = parse_id(&id)?;
    let render = json(|d: &Deleted| json!({"id": d.id, "object": "recipient", "deleted": true}));
    let answer = state
        .engine
        .delete_recipient(&auth.tenant, rid, idempotency::unkeyed(&auth, render))
        .await?;
    Ok(reply(answer))
}
