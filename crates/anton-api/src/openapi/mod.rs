//! The OpenAPI 3.1 document, generated from the code, served at `GET /v1/openapi.json` and
//! committed as `docs/openapi.json`; a test fails when the committed copy is stale, and
//! `scripts/lint-openapi.sh` lints it (Redocly, `.redocly.yaml`).
//!
//! Two steps:
//! - utoipa derives the paths from each handler's `#[utoipa::path]` (summary and description
//!   from its doc comment, its scope as the security requirement's role, its parameters, body and
//!   responses — the error responses as sets: [`Authenticated`], [`WithBody`], [`Keyed`],
//!   [`ById`]…) and the schemas from the wire types and the engine's objects (their doc
//!   comments, constraints and value components, `anton_engine::openapi`).
//! - [`finish`] adds what utoipa cannot say: the `Error` schema and the shared responses
//!   ([`errors`]), the shared parameters and headers ([`params`]), the `Anton-Version` parameter
//!   and the `Request-Id` header on every operation, `Idempotent-Replayed` on keyed mutations,
//!   the event schemas and the top-level `webhooks` section ([`webhooks`]), `servers`, and an
//!   example on every body that lacks one. It is deterministic: the committed file is compared
//!   byte for byte.

mod errors;
mod finish;
mod params;
mod schemas;
mod webhooks;

use axum::http::header;
use axum::response::IntoResponse;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use anton_core::keys::Scope;
use anton_engine::objects::{
    AlertOut, AttemptOut, AuditActorOut, AuditEntryOut, AuditResourceOut, BalanceAmount,
    BalanceOut, BalanceTransactionOut, BankAccountOut, DeliveryOut, EndpointOut, FiredOut,
    PayoutOut, RecipientOut, RequestOut, ReviewOut, RiskOut, RiskRuleOut,
};
use anton_engine::openapi::{self as oa, examples};

use crate::balance::FundIn;
use crate::payouts::review::DecisionIn;
use crate::payouts::wire::{FailIn, PayoutIn, PayoutPatch};
use crate::recipients::wire::{BankAccountIn, RecipientIn, RecipientPatch};
use crate::risk_rules::RiskRuleIn;
use crate::webhooks::{EndpointIn, EndpointPatch, RecoverIn, ResendIn, RotateIn, TestSendOut};

pub use errors::{Authenticated, ById, Keyed, NotReady, Public, StateDependent, WithBody};
pub use params::{IdempotencyKey, PageParams};
pub use schemas::*;
pub(crate) use webhooks::event_schema_pointer;

/// The name of the security scheme (an API key as a bearer token).
const API_KEY: &str = "api_key";

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            API_KEY,
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("Anton API key")
                    .description(Some(format!(
                        "An Anton API key as a bearer token: `Authorization: Bearer <key>`. \
                         `sk_test_…` and `sk_live_…` are secret keys, which hold every scope but the opt-in ones; \
                         `rk_test_…` and `rk_live_…` are restricted keys, which hold the scopes \
                         they were created with (`write` implies `read`). The `test` or `live` \
                         in the prefix is the environment the key acts in: objects of the other \
                         one do not exist for it. Keys are created by the operator \
                         (`anton keys create`), never through this API. They are for servers \
                         only: a request with browser markers is refused (403 \
                         `browser_request_refused`). Each operation's security requirement \
                         names the scope it needs (none: any valid key). The scopes: {} (`alerts:*` are \
                         `alerts:read` reads alerts, `alerts:write` acknowledges and resolves them; \
                         `requests:read` reads the request log, `audit_log:read` the audit log; \
                         `risk_rules:read` reads the risk rules). Two scopes are opt-in — a \
                         secret key does not hold them, only a restricted key created with them: \
                         `payouts:approve` (approve or reject payouts held for review, never \
                         those the key created; implies `payouts:read`) and `risk_rules:write` \
                         (change the risk rules).",
                        Scope::ALL
                            .map(|s| format!("`{}`", s.as_str()))
                            .join(", ")
                    )))
                    .build(),
            ),
        );
    }
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Anton API",
        version = "2026-11-28",
        description = include_str!("description.md"),
        license(name = "Apache-2.0", identifier = "Apache-2.0"),
    ),
    paths(
        crate::recipients::create_recipient,
        crate::recipients::get_recipient,
        crate::recipients::list_recipients,
        crate::recipients::update_recipient,
        crate::recipients::delete_recipient,
        crate::payouts::create_payout,
        crate::payouts::get_payout,
        crate::payouts::list_payouts,
        crate::payouts::update_payout,
        crate::payouts::cancel_payout,
        crate::payouts::review::approve_payout,
        crate::payouts::review::reject_payout,
        crate::payouts::test_helper_payout,
        crate::balance::get_balance,
        crate::balance::list_balance_transactions,
        crate::balance::fund_balance,
        crate::events::get_event,
        crate::events::list_events,
        crate::events::list_event_types,
        crate::webhooks::create_endpoint,
        crate::webhooks::get_endpoint,
        crate::webhooks::list_endpoints,
        crate::webhooks::update_endpoint,
        crate::webhooks::delete_endpoint,
        crate::webhooks::rotate_secret,
        crate::webhooks::send_test_event,
        crate::webhooks::list_deliveries,
        crate::webhooks::recover,
        crate::webhooks::resend,
        crate::requests::list_requests,
        crate::requests::get_request,
        crate::audit_log::list_audit_log,
        crate::audit_log::get_audit_entry,
        crate::alerts::list_alerts,
        crate::alerts::get_alert,
        crate::alerts::acknowledge_alert,
        crate::alerts::resolve_alert,
        crate::risk_rules::list_risk_rules,
        crate::risk_rules::get_risk_rule,
        crate::risk_rules::update_risk_rule,
        crate::router::egress_ips,
        crate::router::healthz,
        crate::router::readyz,
        serve,
    ),
    components(schemas(
        RecipientIn, RecipientPatch, BankAccountIn, RecipientOut, BankAccountOut,
        PayoutIn, PayoutPatch, FailIn, PayoutOut,
        crate::events::EventTypeOut,
        BalanceOut, BalanceAmount, BalanceTransactionOut, FundIn,
        EndpointIn, EndpointPatch, EndpointOut, RotateIn, RecoverIn, ResendIn,
        DeliveryOut, AttemptOut, TestSendOut, RequestOut,
        AuditEntryOut, AuditActorOut, AuditResourceOut, AlertOut,
        RiskRuleOut, RiskOut, FiredOut, ReviewOut, RiskRuleIn, DecisionIn,
        oa::RiskRuleNameSchema, oa::RiskActionSchema, oa::ReviewStatusSchema,
        oa::CurrencySchema, oa::PayoutStatusSchema, oa::FailureCodeSchema, oa::FailingCodeSchema,
        oa::EventTypeNameSchema,
        oa::BankAccountTypeSchema, oa::AchAccountTypeSchema, oa::EndpointStatusSchema,
        oa::SignatureSchemeSchema, oa::DeliveryStatusSchema, oa::BalanceTransactionTypeSchema,
        oa::LedgerAccountSchema, oa::AttemptErrorSchema, oa::EnabledEventsSchema,
        oa::MetadataSchema, oa::TimestampSchema, oa::AmountSchema, oa::RecipientIdSchema,
        oa::PayoutIdSchema, oa::EventIdSchema, oa::EndpointIdSchema, oa::DeliveryIdSchema,
        oa::BalanceTransactionIdSchema, oa::RequestIdSchema, oa::KeyIdSchema,
        oa::AuditEntryIdSchema, oa::AuditActionSchema, oa::AuditActorTypeSchema,
        oa::AlertIdSchema, oa::AlertRuleSchema, oa::AlertStatusSchema, oa::AlertSeveritySchema,
    )),
    modifiers(&BearerAuth),
    security(("api_key" = [])),
    tags(
        (name = "recipients", description = "The people and businesses you pay, each with one bank account."),
        (name = "payouts", description = "Money sent from your available balance to a recipient's bank account, moved through its lifecycle by the rail."),
        (name = "balance", description = "What you can pay out, and the ledger postings behind it."),
        (name = "events", description = "What happened, in the order it happened: every change writes an event, which webhooks deliver."),
        (name = "webhook_endpoints", description = "Where events are delivered, how deliveries went, and how to resend or recover them."),
        (name = "requests", description = "Your API requests as Anton answered them, kept 30 days unless the operator chose otherwise: status, error code, key, address, timing — never bodies or keys."),
        (name = "audit_log", description = "Who changed your keys, webhook endpoints, limits, balance and payouts, from where, and what changed — chained by hashes so a rewrite shows."),
        (name = "alerts", description = "What Anton noticed that your team should look at: revoked keys in use, keys from browsers or new addresses, 401 spikes, 5xx, failing endpoints — raised, counted, and resolved when the condition clears."),
        (name = "risk_rules", description = "The rules that watch your payouts for unusual activity — amounts, daily and hourly sums and counts, recently changed bank details — and what each does when it fires: alert, hold for review, or block."),
        (name = "test_helpers", description = "Test mode only (404 `unrecognized_url` with a live key): fund the test balance, move test payouts."),
        (name = "platform", description = "Health checks, this document and the addresses webhooks come from; no API key needed."),
        (name = "webhooks", description = "The events Anton posts to your endpoints, signed (see the signature headers)."),
    )
)]
pub struct ApiDoc;

/// The document as pretty JSON with a trailing newline (the committed form).
pub fn document() -> String {
    let doc = serde_json::to_value(ApiDoc::openapi()).expect("the OpenAPI document serializes");
    let mut s = serde_json::to_string_pretty(&finish::finish(doc))
        .expect("the OpenAPI document serializes");
    s.push('\n');
    s
}

/// An example of an entry of the event catalogue.
pub(crate) fn event_type_example() -> serde_json::Value {
    let t = anton_core::event::EventType::PayoutPaid;
    serde_json::json!({
        "object": "event_type",
        "type": t.as_str(),
        "description": t.description(),
        "data_object": t.object(),
        "schema": webhooks::event_schema_pointer(t),
    })
}

/// This document.
///
/// The OpenAPI 3.1 document of this API, the same as `docs/openapi.json` in the source. No API
/// key needed.
#[utoipa::path(
    get,
    path = "/v1/openapi.json",
    tag = "platform",
    security(()),
    responses(
        (status = 200, description = "The OpenAPI 3.1 document.", content_type = "application/json",
         body = Object, example = json!({"openapi": "3.1.0", "info": {"title": "Anton API", "version": "2026-11-28"}})),
        Public,
    )
)]
pub async fn serve() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/json")], document())
}
