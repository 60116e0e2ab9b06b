//! Payout wire types.

use anton_core::keys::Environment;
use anton_store::payouts::PayoutRecord;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::recipients::wire::Metadata;

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
    /// One of `account_closed`, `no_account`, `invalid_account_number`, `account_frozen`, `declined`.
    pub failure_code: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct PayoutOut {
    pub id: String,
    pub object: &'static str,
    pub amount: i64,
    pub currency: String,
    pub recipient: String,
    /// `pending`, `requires_review`, `processing`, `paid`, `failed`, `canceled`, `returned`.
    pub status: String,
    pub failure_code: Option<String>,
    pub failure_message: Option<String>,
    pub description: Option<String>,
    #[schema(value_type = Object)]
    pub metadata: serde_json::Value,
    #[schema(value_type = String)]
    pub created: String,
    #[schema(value_type = String)]
    pub updated: String,
    pub arrival_date: Option<String>,
    pub livemode: bool,
}

impl PayoutOut {
    pub fn from_record(p: &PayoutRecord, env: Environment) -> Self {
        Self {
            id: p.id.to_string(),
            object: "payout",
            amount: p.amount,
            currency: p.currency.clone(),
            recipient: p.recipient_id.to_string(),
            status: p.status.as_str().into(),
            failure_code: p.failure_code.clone(),
            failure_message: p.failure_message.clone(),
            description: p.description.clone(),
            metadata: serde_json::from_str(&p.metadata).unwrap_or_else(|_| serde_json::json!({})),
            created: p.created.to_rfc3339(),
            updated: p.updated.to_rfc3339(),
            arrival_date: p.arrival_date.clone(),
            livemode: env.is_live(),
        }
    }
}
