//! Payout wire types: what the API accepts. It answers with the engine's
//! [`anton_engine::objects::PayoutOut`].

use serde::Deserialize;
use utoipa::ToSchema;

use crate::recipients::wire::{double_option, Metadata};

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PayoutIn {
    /// Minor units (cents), a positive integer.
    pub amount: i64,
    /// `USD`, `EUR` or `GBP`; must be the recipient account's currency.
    pub currency: String,
    /// The recipient id (`rcp_…`).
    pub recipient: String,
    pub description: Option<String>,
    #[serde(default)]
    pub metadata: Metadata,
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct FailIn {
    /// One of `account_closed`, `no_account`, `invalid_account_number`, `declined` (default).
    /// `account_frozen` is a return's code, not a failure's.
    pub failure_code: Option<String>,
}

/// What may change on a payout after it was created; absent fields stay as they are.
/// `description: null` clears the description; `metadata` replaces the whole object.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PayoutPatch {
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub description: Option<Option<String>>,
    pub metadata: Option<Metadata>,
}
