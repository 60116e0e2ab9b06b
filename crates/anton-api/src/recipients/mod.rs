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
use crate::openapi::{
    Authenticated, ById, DeletedRecipient, IdempotencyKey, Keyed, PageParams, RecipientList,
    StateDependent, WithBody,
};
use crate::state::ApiState;
use anton_engine::openapi::RecipientIdSchema;
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

/// Create a recipient.
///
/// Creates a recipient with one bank account, which is parsed and checked now: `us_ach` (paid
/// in USD), `iban` (EUR) or `gb_fps` (GBP). The full account number is stored encrypted and
/// never returned or logged; responses show `last4` and a `fingerprint`. Raises
/// `recipient.created`.
///
/// Scope: `recipients:write`. Takes an `Idempotency-Key`.
#[utoipa::path(
    post,
    path = "/v1/recipients",
    tag = "recipients",
    security(("api_key" = ["recipients:write"])),
    params(IdempotencyKey),
    request_body(content = RecipientIn, description = "The recipient to create."),
    responses(
        (status = 200, description = "The recipient created.", body = RecipientOut),
        Authenticated,
        WithBody,
        Keyed,
    )
)]
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

/// Retrieve a recipient.
///
/// Returns the recipient. A deleted recipient, or one of another merchant or environment, is a
/// 404.
///
/// Scope: `recipients:read`.
#[utoipa::path(
    get,
    path = "/v1/recipients/{id}",
    tag = "recipients",
    security(("api_key" = ["recipients:read"])),
    params(("id" = RecipientIdSchema, Path, description = "The recipient's id.")),
    responses(
        (status = 200, description = "The recipient.", body = RecipientOut),
        Authenticated,
        ById,
    )
)]
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

/// List recipients.
///
/// Returns a page of recipients, newest first. Deleted recipients are not listed. Only the
/// common list parameters apply.
///
/// Scope: `recipients:read`.
#[utoipa::path(
    get,
    path = "/v1/recipients",
    tag = "recipients",
    security(("api_key" = ["recipients:read"])),
    params(PageParams),
    responses(
        (status = 200, description = "A page of recipients.", body = RecipientList),
        Authenticated,
    )
)]
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

/// Update a recipient.
///
/// Changes the name, email, bank account or metadata; absent fields stay as they are. When
/// something changed, raises `recipient.updated` with the old values in `previous_attributes`.
/// Existing payouts are not affected by a new bank account.
///
/// Scope: `recipients:write`. Takes an `Idempotency-Key`.
#[utoipa::path(
    patch,
    path = "/v1/recipients/{id}",
    tag = "recipients",
    security(("api_key" = ["recipients:write"])),
    params(
        ("id" = RecipientIdSchema, Path, description = "The recipient's id."),
        IdempotencyKey,
    ),
    request_body(content = RecipientPatch, description = "The fields to change."),
    responses(
        (status = 200, description = "The recipient, changed.", body = RecipientOut),
        Authenticated,
        WithBody,
        Keyed,
        ById,
    )
)]
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

/// Delete a recipient.
///
/// Deletes the recipient: it is no longer listed or readable, and its payouts keep its id.
/// Refused with `recipient_has_active_payouts` while any of its payouts is `pending`,
/// `requires_review` or `processing`. Raises `recipient.deleted`. Takes no `Idempotency-Key`:
/// deleting twice answers 404 the second time.
///
/// Scope: `recipients:write`.
#[utoipa::path(
    delete,
    path = "/v1/recipients/{id}",
    tag = "recipients",
    security(("api_key" = ["recipients:write"])),
    params(("id" = RecipientIdSchema, Path, description = "The recipient's id.")),
    responses(
        (status = 200, description = "The recipient was deleted.", body = DeletedRecipient),
        Authenticated,
        ById,
        StateDependent,
    )
)]
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
