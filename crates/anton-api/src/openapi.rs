//! The OpenAPI 3.1 document, generated from the code (utoipa), served at `GET /v1/openapi.json`
//! and committed as `docs/openapi.json`; a test fails when the committed copy is stale.

use axum::http::header;
use axum::response::IntoResponse;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};

use anton_engine::objects::{
    AttemptOut, BalanceAmount, BalanceOut, BalanceTransactionOut, BankAccountOut, DeliveryOut,
    EndpointOut, PayoutOut, RecipientOut,
};

use crate::balance::FundIn;
use crate::payouts::wire::{FailIn, PayoutIn};
use crate::recipients::wire::{BankAccountIn, RecipientIn, RecipientPatch};

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "api_key",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
    }
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Anton API",
        version = "2026-11-28",
        description = "Payouts to bank accounts over HTTPS, reported by signed webhooks. Authenticate with \
                       `Authorization: Bearer <key>`. Errors use one envelope: \
                       {\"error\":{\"type\",\"code\",\"message\",\"param\",\"request_id\"}}."
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
    ),
    components(schemas(
        RecipientIn, RecipientPatch, BankAccountIn, RecipientOut, BankAccountOut,
        PayoutIn, crate::payouts::wire::PayoutPatch, FailIn, PayoutOut,
        crate::events::EventTypeOut,
        BalanceOut, BalanceAmount, BalanceTransactionOut, FundIn,
        crate::webhooks::EndpointIn, crate::webhooks::EndpointPatch, EndpointOut,
        crate::webhooks::RotateIn, crate::webhooks::RecoverIn, crate::webhooks::ResendIn,
        DeliveryOut, AttemptOut, crate::webhooks::TestSendOut,
    )),
    modifiers(&BearerAuth),
    security(("api_key" = []))
)]
pub struct ApiDoc;

/// The document as pretty JSON with a trailing newline (the committed form).
pub fn document() -> String {
    let mut s = ApiDoc::openapi()
        .to_pretty_json()
        .expect("the OpenAPI document serializes");
    s.push('\n');
    s
}

pub async fn serve() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/json")], document())
}
