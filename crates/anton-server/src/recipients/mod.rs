//! Recipients: create, get, list, update, delete (DESIGN.md §2). Every change writes its event in
//! the same transaction.

pub mod wire;

use anton_core::bank::BankAccount;
use anton_core::event::{EventType, NewEvent};
use anton_core::id::RecipientId;
use anton_core::keys::Scope;
use anton_core::time::Timestamp;
use anton_store::list::paged;
use anton_store::recipients::{self, RecipientRecord};
use anton_store::{events, now_us, Tenant};
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::Response;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;

use crate::api::auth::Auth;
use crate::api::body::{parse_json, RawBody};
use crate::api::error::{ApiError, ApiResult};
use crate::api::extract::{ApiPath, ApiQuery};
use crate::api::idempotency::{self, ok_json};
use crate::api::list::{ListOut, ListParams};
use crate::secrets::Secrets;
use crate::state::AppState;
use anton_store::list::Listed;
use wire::{check_email, check_metadata, check_name, RecipientIn, RecipientOut, RecipientPatch};

pub fn router() -> Router<AppState> {
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

pub(crate) fn parse_id(id: &str) -> ApiResult<RecipientId> {
    RecipientId::parse(id).map_err(|_| ApiError::not_found("recipient", id))
}

/// The bank columns of a record, from a parsed account: encrypted number, last4, fingerprint.
fn bank_columns(secrets: &Secrets, tenant: &Tenant, bank: &BankAccount, r: &mut RecipientRecord) {
    let secret = bank.account_secret();
    r.bank_type = bank.kind().as_str().into();
    r.country = bank.country();
    r.currency = bank.currency().as_str().into();
    r.bank_code = bank.bank_code();
    r.account_type = bank.account_type().map(|t| t.as_str().to_owned());
    r.last4 = bank.last4().to_owned();
    r.fingerprint = secrets
        .fingerprint_hasher
        .hash_hex(&[tenant.merchant_id.as_str().as_bytes(), secret.as_bytes()])[..32]
        .to_owned();
    r.account_ciphertext = secrets
        .keyring
        .encrypt(secret.as_bytes(), tenant.merchant_id.as_str().as_bytes());
}

fn object_json(r: &RecipientRecord, tenant: &Tenant) -> serde_json::Value {
    serde_json::to_value(RecipientOut::from_record(r, tenant.env)).unwrap_or_default()
}

#[utoipa::path(post, path = "/v1/recipients", tag = "recipients", params(("Idempotency-Key" = Option<String>, Header, description = "1 to 255 characters; replays return the first response")), request_body = RecipientIn, responses((status = 200, body = RecipientOut), (status = 400, description = "invalid_request_error envelope"), (status = 401, description = "authentication_error"), (status = 403, description = "permission_error (missing scope, browser markers, IP not allowed)"), (status = 429, description = "rate_limit_error"), (status = 409, description = "idempotency_error: same key in flight"), (status = 422, description = "idempotency_error: key reused with another request")))]
pub async fn create_recipient(
    State(state): State<AppState>,
    auth: Auth,
    headers: HeaderMap,
    RawBody(body): RawBody,
) -> ApiResult<Response> {
    auth.require(Scope::RecipientsWrite)?;
    let input: RecipientIn = parse_json(&body)?;
    check_name(&input.name)?;
    if let Some(e) = &input.email {
        check_email(e)?;
    }
    check_metadata(&input.metadata)?;
    let bank = input.bank_account.parse()?;

    let now = Timestamp::from_unix_micros(now_us());
    let tenant = auth.tenant.clone();
    let mut record = RecipientRecord {
        id: RecipientId::generate(),
        name: input.name.trim().to_owned(),
        email: input.email,
        bank_type: String::new(),
        country: String::new(),
        currency: String::new(),
        bank_code: None,
        account_type: None,
        last4: String::new(),
        fingerprint: String::new(),
        account_ciphertext: String::new(),
        bank_changed: now,
        metadata: serde_json::to_string(&input.metadata).unwrap_or_else(|_| "{}".into()),
        created: now,
        updated: now,
    };
    bank_columns(&state.secrets, &tenant, &bank, &mut record);
    let t = tenant.clone();
    idempotency::run(
        &state,
        &tenant,
        &headers,
        &Method::POST,
        "/v1/recipients",
        &body,
        move |c| {
            Box::pin(async move {
                recipients::insert(c, &t, &record).await?;
                let object = object_json(&record, &t);
                let ev = NewEvent::new(
                    EventType::RecipientCreated,
                    t.env,
                    now,
                    record.id.as_str(),
                    object.clone(),
                    None,
                );
                events::insert(c, &t, &ev).await?;
                Ok(ok_json(&object))
            })
        },
    )
    .await
}

#[utoipa::path(get, path = "/v1/recipients/{id}", tag = "recipients", params(("id" = String, Path)), responses((status = 200, body = RecipientOut), (status = 404, description = "resource_missing"), (status = 400, description = "invalid_request_error envelope"), (status = 401, description = "authentication_error"), (status = 403, description = "permission_error (missing scope, browser markers, IP not allowed)"), (status = 429, description = "rate_limit_error")))]
pub async fn get_recipient(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<RecipientOut>> {
    auth.require(Scope::RecipientsRead)?;
    let rid = parse_id(&id)?;
    let r = recipients::get(state.store.read(), &auth.tenant, &rid)
        .await?
        .ok_or_else(|| ApiError::not_found("recipient", &id))?;
    Ok(Json(RecipientOut::from_record(&r, auth.tenant.env)))
}

#[utoipa::path(get, path = "/v1/recipients", tag = "recipients", params(("limit" = Option<i64>, Query, description = "1 to 100, default 20"), ("starting_after" = Option<String>, Query, description = "cursor: an object id"), ("created[gte]" = Option<String>, Query, description = "RFC 3339 or unix seconds"), ("created[lt]" = Option<String>, Query, description = "RFC 3339 or unix seconds")), responses((status = 200, description = "a list of recipients"), (status = 400, description = "invalid_request_error envelope"), (status = 401, description = "authentication_error"), (status = 403, description = "permission_error (missing scope, browser markers, IP not allowed)"), (status = 429, description = "rate_limit_error")))]
pub async fn list_recipients(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(q): ApiQuery,
) -> ApiResult<Json<ListOut<RecipientOut>>> {
    auth.require(Scope::RecipientsRead)?;
    let params = ListParams::parse(q, &[])?;
    let page = params
        .page(&state.store, Listed::Recipients, &auth.tenant)
        .await?;
    let rows = recipients::list(state.store.read(), &auth.tenant, &page).await?;
    let (rows, has_more) = paged(rows, params.limit);
    Ok(Json(ListOut::new(
        rows.iter()
            .map(|r| RecipientOut::from_record(r, auth.tenant.env))
            .collect(),
        has_more,
    )))
}

#[utoipa::path(patch, path = "/v1/recipients/{id}", tag = "recipients", params(("id" = String, Path), ("Idempotency-Key" = Option<String>, Header, description = "1 to 255 characters; replays return the first response")), request_body = RecipientPatch, responses((status = 200, body = RecipientOut), (status = 404, description = "resource_missing"), (status = 400, description = "invalid_request_error envelope"), (status = 401, description = "authentication_error"), (status = 403, description = "permission_error (missing scope, browser markers, IP not allowed)"), (status = 429, description = "rate_limit_error")))]
pub async fn update_recipient(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<String>,
    headers: HeaderMap,
    RawBody(body): RawBody,
) -> ApiResult<Response> {
    auth.require(Scope::RecipientsWrite)?;
    let rid = parse_id(&id)?;
    let patch: RecipientPatch = parse_json(&body)?;
    if let Some(n) = &patch.name {
        check_name(n)?;
    }
    if let Some(Some(e)) = &patch.email {
        check_email(e)?;
    }
    if let Some(m) = &patch.metadata {
        check_metadata(m)?;
    }
    let bank = patch.bank_account.as_ref().map(|b| b.parse()).transpose()?;
    let tenant = auth.tenant.clone();
    let secrets = state.secrets.clone();
    let path = format!("/v1/recipients/{id}");
    let t = tenant.clone();
    idempotency::run(
        &state,
        &tenant,
        &headers,
        &Method::PATCH,
        &path,
        &body,
        move |c| {
            Box::pin(async move {
                let Some(old) = recipients::get(&mut *c, &t, &rid).await? else {
                    return Ok(Err(ApiError::not_found("recipient", rid.as_str())));
                };
                let now = Timestamp::from_unix_micros(now_us());
                let mut new = old.clone();
                let mut prev = serde_json::Map::new();
                let old_json = object_json(&old, &t);
                if let Some(n) = patch.name {
                    new.name = n.trim().to_owned();
                }
                if let Some(e) = patch.email {
                    new.email = e;
                }
                if let Some(m) = patch.metadata {
                    new.metadata = serde_json::to_string(&m).unwrap_or_else(|_| "{}".into());
                }
                if let Some(bank) = &bank {
                    bank_columns(&secrets, &t, bank, &mut new);
                    if new.fingerprint != old.fingerprint {
                        new.bank_changed = now;
                    }
                }
                new.updated = now;
                recipients::update(c, &t, &new).await?;
                let object = object_json(&new, &t);
                for key in ["name", "email", "bank_account", "metadata"] {
                    if old_json[key] != object[key] {
                        prev.insert(key.into(), old_json[key].clone());
                    }
                }
                if !prev.is_empty() {
                    let ev = NewEvent::new(
                        EventType::RecipientUpdated,
                        t.env,
                        now,
                        new.id.as_str(),
                        object.clone(),
                        Some(serde_json::Value::Object(prev)),
                    );
                    events::insert(c, &t, &ev).await?;
                }
                Ok(ok_json(&object))
            })
        },
    )
    .await
}

#[utoipa::path(delete, path = "/v1/recipients/{id}", tag = "recipients", params(("id" = String, Path)), responses((status = 200, description = "{\"id\",\"object\":\"recipient\",\"deleted\":true}"), (status = 404, description = "resource_missing"), (status = 400, description = "invalid_request_error envelope"), (status = 401, description = "authentication_error"), (status = 403, description = "permission_error (missing scope, browser markers, IP not allowed)"), (status = 429, description = "rate_limit_error")))]
pub async fn delete_recipient(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Response> {
    auth.require(Scope::RecipientsWrite)?;
    let rid = parse_id(&id)?;
    let t = auth.tenant.clone();
    let headers = HeaderMap::new();
    idempotency::run(
        &state,
        &auth.tenant,
        &headers,
        &Method::DELETE,
        "",
        b"",
        move |c| {
            Box::pin(async move {
                let Some(old) = recipients::get(&mut *c, &t, &rid).await? else {
                    return Ok(Err(ApiError::not_found("recipient", rid.as_str())));
                };
                let now = now_us();
                recipients::delete(c, &t, &rid, now).await?;
                let object = object_json(&old, &t);
                let ev = NewEvent::new(
                    EventType::RecipientDeleted,
                    t.env,
                    Timestamp::from_unix_micros(now),
                    rid.as_str(),
                    object,
                    None,
                );
                events::insert(c, &t, &ev).await?;
                Ok(Ok((
                    StatusCode::OK,
                    json!({"id": rid, "object": "recipient", "deleted": true}).to_string(),
                )))
            })
        },
    )
    .await
}
