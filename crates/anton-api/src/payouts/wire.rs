//! Payout wire types: what the API accepts. It answers with the engine's
//! [`anton_engine::objects::PayoutOut`].

use anton_engine::openapi as oa;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::recipients::wire::{double_option, Metadata};

/// A new payout: an amount, in the currency of the recipient's bank account.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = PayoutCreate, examples(examples::payout_create))]
pub struct PayoutIn {
    /// The amount to pay, in the currency's minor unit (cents): a positive integer. It must not
    /// exceed the available balance (`insufficient_funds`).
    #[schema(value_type = oa::AmountSchema)]
    pub amount: i64,
    /// The currency: must be the recipient's bank account's (`currency_mismatch`).
    #[schema(value_type = oa::CurrencySchema)]
    pub currency: String,
    /// The recipient to pay: a recipient of this merchant and environment (`parameter_invalid`
    /// when malformed, `resource_missing` when there is no such recipient).
    #[schema(value_type = oa::RecipientIdSchema)]
    pub recipient: String,
    /// Your description of the payout: at most 500 characters, no control,
    /// bidirectional-formatting or zero-width characters; `null` for none.
    #[schema(max_length = 500, examples("Invoice 6735"))]
    pub description: Option<String>,
    /// Your key-value pairs (default: none).
    #[serde(default)]
    #[schema(value_type = oa::MetadataSchema)]
    pub metadata: Metadata,
}

/// The body of the `fail` test helper (optional).
#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
#[schema(as = TestPayoutFailure, examples(examples::test_payout_failure))]
pub struct FailIn {
    /// Why the payout fails: any failure code but `account_frozen` (a return's code, refused
    /// with `parameter_invalid`). Default `declined`.
    #[schema(value_type = Option<oa::FailingCodeSchema>)]
    pub failure_code: Option<String>,
}

/// What may change on a payout after it was created, in any status; absent fields stay as they
/// are. `payout.updated` says what changed.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = PayoutUpdate, examples(examples::payout_update))]
pub struct PayoutPatch {
    /// A new description (at most 500 characters), or `null` to remove it.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, max_length = 500)]
    pub description: Option<Option<String>>,
    /// New metadata, replacing the whole object (`null`: unchanged).
    #[schema(value_type = Option<oa::MetadataSchema>)]
    pub metadata: Option<Metadata>,
}

/// Request-body examples.
mod examples {
    use anton_engine::openapi::examples::RECIPIENT_ID;
    use serde_json::{json, Value};

    pub fn payout_create() -> Value {
        json!({
            "amount": 2500,
            "currency": "USD",
            "recipient": RECIPIENT_ID,
            "description": "Invoice 6735",
            "metadata": {"order_id": "6735"}
        })
    }

    pub fn payout_update() -> Value {
        json!({"description": "Invoice 6735 (corrected)", "metadata": {"order_id": "6735-b"}})
    }

    pub fn test_payout_failure() -> Value {
        json!({"failure_code": "account_closed"})
    }
}
