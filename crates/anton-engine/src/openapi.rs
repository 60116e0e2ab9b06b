//! OpenAPI schema components for the values the published objects hold (feature `openapi`; the
//! API crate's document uses them, the engine never does): currencies, statuses, codes, ids,
//! times, metadata. Each enumeration is built from the one definition the code decides with
//! (`PayoutStatus::ALL`, `EventType::ALL`…), so the document cannot drift from it.
//!
//! [`object`] holds the constant `object` field of each published object, and [`examples`] one
//! realistic example per object (fake ids, amounts in cents, no secrets).

use std::borrow::Cow;

use anton_core::bank::{AchAccountType, BankAccountKind};
use anton_core::event::EventType;
use anton_core::id;
use anton_core::ledger::{LedgerAccount, PostingKind};
use anton_core::money::{Amount, Currency};
use anton_core::payout::{FailureCode, PayoutStatus};
use anton_core::risk::{Action, RuleName};
use utoipa::openapi::schema::{
    AdditionalProperties, ArrayBuilder, KnownFormat, Object, ObjectBuilder, OneOfBuilder,
    SchemaFormat, Type,
};
use utoipa::openapi::{Ref, RefOr, Schema};
use utoipa::{PartialSchema, ToSchema};

use crate::webhooks::deliveries::DELIVERY_STATUSES;
use crate::webhooks::endpoints::{ENDPOINT_STATUSES, SIGNATURE_SCHEMES};

/// Declares a schema component: a unit type named `$name` in the document, whose schema `$build`
/// makes.
macro_rules! component {
    ($(#[$doc:meta])* $ty:ident = $name:literal, $build:expr) => {
        $(#[$doc])*
        pub struct $ty;

        impl ToSchema for $ty {
            fn name() -> Cow<'static, str> {
                Cow::Borrowed($name)
            }
        }

        impl PartialSchema for $ty {
            fn schema() -> RefOr<Schema> {
                Schema::Object($build).into()
            }
        }
    };
}

/// A string that is one of `values`, the first being the example.
pub fn string_enum(
    description: &str,
    values: impl IntoIterator<Item = &'static str> + Clone,
) -> Object {
    let first = values.clone().into_iter().next();
    ObjectBuilder::new()
        .schema_type(Type::String)
        .description(Some(description))
        .enum_values(Some(values))
        .examples(first)
        .build()
}

/// `description` followed by one line per value: "- `value`: meaning".
fn with_list(
    description: &str,
    items: impl IntoIterator<Item = (&'static str, &'static str)>,
) -> String {
    let mut out = description.to_owned();
    for (value, meaning) in items {
        out.push_str(&format!("\n- `{value}`: {meaning}"));
    }
    out
}

/// An id: `prefix_` then base62 characters (24 in every id Anton generates).
fn id(prefix: &str, what: &str, example: &str) -> Object {
    let mut description =
        format!("The id of {what}: `{prefix}_` and 24 base62 characters (time-ordered).");
    if prefix != id::RequestId::PREFIX {
        description.push_str(" A malformed id in a path is a 404; in a filter, a 400.");
    }
    ObjectBuilder::new()
        .schema_type(Type::String)
        .description(Some(description))
        .pattern(Some(format!("^{prefix}_[0-9A-Za-z]{{1,64}}$")))
        .max_length(Some(prefix.len() + 1 + 64))
        .examples([example])
        .build()
}

component!(
    /// `USD`, `EUR` or `GBP`.
    CurrencySchema = "Currency",
    string_enum(
        "A supported currency: an upper-case ISO 4217 code. An upper-case code Anton does not \
         support is refused with `currency_not_supported`; anything else with `currency_invalid`. \
         Amounts are integers of the currency's minor unit (cents, pence): all three have two \
         decimal places.",
        Currency::ALL.map(Currency::as_str),
    )
);

component!(
    /// A payout's status.
    PayoutStatusSchema = "PayoutStatus",
    string_enum(
        &with_list(
            "Where a payout is in its lifecycle: `pending` → `processing` → `paid` (→ \
             `returned`), or `failed`; `canceled` only from `pending`, by the merchant; a \
             payout a risk rule holds starts in `requires_review`. `failed`, `canceled` and \
             `returned` are final.",
            PayoutStatus::ALL.map(|s| {
                let meaning = match s {
                    PayoutStatus::Pending => "created; its amount is reserved (in_flight)",
                    PayoutStatus::RequiresReview => {
                        "held by a risk rule until a second key approves it (→ `pending`) or \
                         rejects it (→ `canceled`); its amount is reserved (in_flight)"
                    }
                    PayoutStatus::Processing => "the rail took it",
                    PayoutStatus::Paid => "the money reached the recipient's bank",
                    PayoutStatus::Failed => "the rail could not pay it; the amount is available again",
                    PayoutStatus::Canceled => "canceled by the merchant; the amount is available again",
                    PayoutStatus::Returned => {
                        "the bank sent a paid payout back; the amount is available again"
                    }
                };
                (s.as_str(), meaning)
            }),
        ),
        PayoutStatus::ALL.map(PayoutStatus::as_str),
    )
);

component!(
    /// A risk rule's name.
    RiskRuleNameSchema = "RiskRuleName",
    string_enum(
        &with_list(
            "A risk rule of the catalogue (docs/risk.md). Windows are UTC calendar windows; \
             an outflow counts the payouts released to the rail (created into `pending` or \
             approved).",
            RuleName::ALL.map(|r| (r.as_str(), r.meaning())),
        ),
        RuleName::ALL.map(RuleName::as_str),
    )
);

component!(
    /// What a risk rule does when it fires.
    RiskActionSchema = "RiskAction",
    string_enum(
        "What a risk rule does when it fires: `alert` (the payout proceeds; an \
         `unusual_payout_activity` alert is raised), `review` (the payout waits in \
         `requires_review`, its amount reserved, until a key with `payouts:approve` other than \
         its creator approves or rejects it) or `block` (the creation is refused with \
         `risk_blocked`). The strongest action of the rules that fired wins.",
        Action::ALL.map(Action::as_str),
    )
);

component!(
    /// Where a payout's review stands.
    ReviewStatusSchema = "PayoutReviewStatus",
    string_enum(
        "`pending` (waiting for a decision), `approved`, `rejected`, or `expired` (not \
         decided within the deployment's review time: rejected by Anton).",
        crate::risk::REVIEW_STATUSES,
    )
);

component!(
    /// Why a payout failed or was returned.
    FailureCodeSchema = "FailureCode",
    string_enum(
        &with_list(
            "Why a payout failed (`failed`) or was returned (`returned`). A retry is always a new \
             payout with a new Idempotency-Key.",
            FailureCode::ALL.map(|c| (c.as_str(), c.message())),
        ),
        FailureCode::ALL.map(FailureCode::as_str),
    )
);

/// The codes a payout may fail with (a return's `account_frozen` is not one).
const FAILING: [FailureCode; 4] = [
    FailureCode::AccountClosed,
    FailureCode::NoAccount,
    FailureCode::InvalidAccountNumber,
    FailureCode::Declined,
];

component!(
    /// Why a payout fails (the `fail` test helper).
    FailingCodeSchema = "FailingCode",
    string_enum(
        &with_list(
            "Why a payout fails, for the `fail` test helper: any failure code but `account_frozen`, \
             which is a return's.",
            FAILING.map(|c| (c.as_str(), c.message())),
        ),
        FAILING.map(FailureCode::as_str),
    )
);

component!(
    /// An event type an endpoint may subscribe to.
    EventTypeNameSchema = "EventTypeName",
    string_enum(
        &with_list(
            "An event type: what an event's `type` says happened, what an endpoint's \
             `enabled_events` subscribes to and what `GET /v1/events?type=` filters by. \
             (`webhook_endpoint.test`, sent only by `POST /v1/webhook_endpoints/{id}/test`, is \
             not one of them: it is never stored, listed or subscribed to.)",
            EventType::ALL.map(|t| (t.as_str(), t.description())),
        ),
        EventType::ALL.map(EventType::as_str),
    )
);

component!(
    /// The kind of a bank account.
    BankAccountTypeSchema = "BankAccountType",
    string_enum(
        "The kind of bank account, which decides the currency it is paid in: `us_ach` (USD), \
         `iban` (EUR, SEPA) or `gb_fps` (GBP, UK Faster Payments).",
        [
            BankAccountKind::UsAch,
            BankAccountKind::Iban,
            BankAccountKind::GbFps,
        ]
        .map(BankAccountKind::as_str),
    )
);

component!(
    /// A US account's type.
    AchAccountTypeSchema = "AchAccountType",
    string_enum(
        "A US ACH account's type.",
        [AchAccountType::Checking, AchAccountType::Savings].map(AchAccountType::as_str),
    )
);

component!(
    /// Whether an endpoint receives deliveries.
    EndpointStatusSchema = "WebhookEndpointStatus",
    string_enum(
        "`enabled`: the endpoint receives deliveries. `disabled`: it receives none (set by the \
         merchant, or by Anton after a `410 Gone` answer or 5 days of failures); set it back to \
         `enabled`, then recover what it missed.",
        ENDPOINT_STATUSES,
    )
);

component!(
    /// How an endpoint's deliveries are signed.
    SignatureSchemeSchema = "SignatureScheme",
    string_enum(
        "How deliveries to the endpoint are signed. `hmac_sha256` (default): with a shared \
         secret (`whsec_…`, shown once), in `Anton-Signature` and Standard Webhooks \
         `webhook-signature` (`v1,`). `ed25519`: with an Ed25519 key pair whose private key \
         never leaves Anton; the endpoint shows its public key (`whpk_…`) and deliveries carry \
         Standard Webhooks `v1a,` signatures and no `Anton-Signature`. Fixed at creation.",
        SIGNATURE_SCHEMES,
    )
);

component!(
    /// A delivery's status.
    DeliveryStatusSchema = "WebhookDeliveryStatus",
    string_enum(
        "`pending`: not attempted yet. `retrying`: an attempt failed and another is scheduled \
         (`next_attempt`). `succeeded`: an attempt got a 2xx. `exhausted`: the retry schedule \
         ran out, or the endpoint answered `410 Gone`. `canceled`: the endpoint was deleted \
         before the delivery succeeded.",
        DELIVERY_STATUSES,
    )
);

component!(
    /// What caused a ledger posting.
    BalanceTransactionTypeSchema = "BalanceTransactionType",
    string_enum(
        &with_list(
            "What caused a ledger posting (debit → credit):",
            PostingKind::ALL.map(|k| {
                let meaning = match k {
                    PostingKind::Funding => "money came in (funding → available)",
                    PostingKind::PayoutReserve => {
                        "a payout was created and its amount reserved (available → in_flight)"
                    }
                    PostingKind::PayoutPaid => "a payout was paid (in_flight → paid_out)",
                    PostingKind::PayoutRelease => {
                        "a payout failed or was canceled (in_flight → available)"
                    }
                    PostingKind::PayoutReturn => {
                        "the bank returned a paid payout (paid_out → available)"
                    }
                };
                (k.as_str(), meaning)
            }),
        ),
        PostingKind::ALL.map(PostingKind::as_str),
    )
);

component!(
    /// A ledger account.
    LedgerAccountSchema = "LedgerAccount",
    string_enum(
        "A ledger account, per merchant, environment and currency: `available` (can be paid \
         out), `in_flight` (reserved by payouts not yet paid or released), `paid_out` (paid to \
         recipients) and `funding` (money that came from outside).",
        LedgerAccount::ALL.map(LedgerAccount::as_str),
    )
);

component!(
    /// Why a delivery attempt failed.
    AttemptErrorSchema = "WebhookAttemptError",
    string_enum(
        "Why a delivery attempt failed. `http_status`: the endpoint answered, but not 2xx (3xx \
         included: redirects are not followed). `timeout`: no answer within the attempt's \
         timeout (15 s by default). `connect`: no connection. `refused_destination`: the SSRF \
         guard refused every address the host resolved to. `tls`: the TLS handshake failed \
         (a certificate not trusted or not for the host, no shared protocol version). \
         `request`: anything else on the way (a broken connection, a malformed answer). `endpoint_disabled`: the endpoint was \
         disabled, so nothing was sent. `invalid_url`: the stored URL no longer parses. \
         `secret_unavailable`: the signing key could not be decrypted (an operator problem).",
        [
            "http_status",
            "timeout",
            "connect",
            "refused_destination",
            "tls",
            "request",
            "endpoint_disabled",
            "invalid_url",
            "secret_unavailable",
        ],
    )
);

/// An endpoint's subscriptions: `["*"]`, or a non-empty list of event types.
pub struct EnabledEventsSchema;

impl ToSchema for EnabledEventsSchema {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("EnabledEvents")
    }

    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        schemas.push((
            EventTypeNameSchema::name().into_owned(),
            EventTypeNameSchema::schema(),
        ));
    }
}

impl PartialSchema for EnabledEventsSchema {
    fn schema() -> RefOr<Schema> {
        let every = ArrayBuilder::new()
            .items(string_enum("Every event type, present and future.", ["*"]))
            .min_items(Some(1))
            .max_items(Some(1))
            .description(Some("`[\"*\"]`: every event type, present and future."));
        let listed = ArrayBuilder::new()
            .items(Ref::from_schema_name(EventTypeNameSchema::name()))
            .min_items(Some(1))
            .max_items(Some(EventType::ALL.len()))
            .description(Some("The event types to receive."));
        OneOfBuilder::new()
            .item(every)
            .item(listed)
            .description(Some(format!(
                "The event types an endpoint subscribes to: `[\"*\"]` alone for every type, \
                 present and future, or a list of 1 to {} event types. Anything else is refused \
                 with `enabled_events_invalid`.",
                EventType::ALL.len()
            )))
            .examples([serde_json::json!(["payout.paid", "payout.failed"])])
            .into()
    }
}

component!(
    /// Key-value pairs the merchant stores on an object.
    MetadataSchema = "Metadata",
    ObjectBuilder::new()
        .schema_type(Type::Object)
        .description(Some(
            "Your own key-value pairs, stored and returned as sent: at most 50 pairs, keys of 1 \
             to 40 characters, string values of at most 500 characters (`metadata_invalid` \
             otherwise). Keys refuse control, bidirectional-formatting and zero-width characters, \
             values only control characters (`parameter_invalid_characters`). Never put secrets \
             or full account numbers here.",
        ))
        .max_properties(Some(50))
        .property_names(Some(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .min_length(Some(1))
                .max_length(Some(40))
                .pattern(Some(crate::validate::text_pattern())),
        ))
        .additional_properties(Some(AdditionalProperties::RefOr(RefOr::T(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .max_length(Some(500))
                .pattern(Some(crate::validate::controls_pattern()))
                .into(),
        ))))
        .examples([serde_json::json!({"order_id": "6735"})])
        .build()
);

component!(
    /// A time.
    TimestampSchema = "Timestamp",
    ObjectBuilder::new()
        .schema_type(Type::String)
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::DateTime)))
        .description(Some(
            "A time in RFC 3339, UTC, to the second (`2026-11-28T12:00:00Z`).",
        ))
        .examples(["2026-11-28T12:00:00Z"])
        .build()
);

component!(
    /// A positive amount.
    AmountSchema = "Amount",
    ObjectBuilder::new()
        .schema_type(Type::Integer)
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int64)))
        .description(Some(format!(
            "An amount in the currency's minor unit (cents, pence): a positive integer, at most \
             {} (`amount_too_small`, `amount_too_large`). Never a float.",
            Amount::MAX_MINOR
        )))
        .minimum(Some(1))
        .maximum(Some(Amount::MAX_MINOR))
        .examples([2500])
        .build()
);

component!(
    /// A recipient id.
    RecipientIdSchema = "RecipientId",
    id(id::RecipientId::PREFIX, "a recipient", examples::RECIPIENT_ID)
);
component!(
    /// A payout id.
    PayoutIdSchema = "PayoutId",
    id(id::PayoutId::PREFIX, "a payout", examples::PAYOUT_ID)
);
component!(
    /// An event id.
    EventIdSchema = "EventId",
    id(id::EventId::PREFIX, "an event", examples::EVENT_ID)
);
component!(
    /// A webhook endpoint id.
    EndpointIdSchema = "WebhookEndpointId",
    id(
        id::WebhookEndpointId::PREFIX,
        "a webhook endpoint",
        examples::ENDPOINT_ID
    )
);
component!(
    /// A webhook delivery id.
    DeliveryIdSchema = "WebhookDeliveryId",
    id(
        id::DeliveryId::PREFIX,
        "a webhook delivery",
        examples::DELIVERY_ID
    )
);
component!(
    /// A balance transaction id.
    BalanceTransactionIdSchema = "BalanceTransactionId",
    id(
        id::BalanceTransactionId::PREFIX,
        "a balance transaction",
        examples::TRANSACTION_ID
    )
);
component!(
    /// A request id.
    RequestIdSchema = "RequestId",
    id(id::RequestId::PREFIX, "a request", examples::REQUEST_ID)
);
component!(
    /// An API key's id (never the key itself).
    KeyIdSchema = "ApiKeyId",
    id(id::KeyId::PREFIX, "an API key", examples::KEY_ID)
);

component!(
    /// An audit entry id.
    AuditEntryIdSchema = "AuditEntryId",
    id(id::AuditEntryId::PREFIX, "an audit entry", examples::AUDIT_ENTRY_ID)
);
component!(
    /// What an audit entry records.
    AuditActionSchema = "AuditAction",
    string_enum(
        &with_list(
            "What was done:",
            crate::audit::ACTIONS.map(|a| (a, crate::audit::meaning(a))),
        ),
        crate::audit::ACTIONS,
    )
);
component!(
    /// Who made an audited change.
    AuditActorTypeSchema = "AuditActorType",
    string_enum(
        "`api_key`: a request made with one of your API keys (`id` is the key's id); \
         `member`: a member of your team in the portal (`id` is the member's id); \
         `operator`: the platform's operator, from its command line (`id` is the operator's \
         user name); `system`: Anton itself (`id` is `null`).",
        ["api_key", "member", "operator", "system"],
    )
);

component!(
    /// An alert id.
    AlertIdSchema = "AlertId",
    id(id::AlertId::PREFIX, "an alert", examples::ALERT_ID)
);
component!(
    /// What an alert is about.
    AlertRuleSchema = "AlertRule",
    string_enum(
        &with_list(
            "The rule that raised the alert:",
            crate::alerts::Rule::ALL.map(|r| (r.as_str(), r.meaning())),
        ),
        crate::alerts::Rule::ALL.map(crate::alerts::Rule::as_str),
    )
);
component!(
    /// An alert's status.
    AlertStatusSchema = "AlertStatus",
    string_enum(
        "`open`: raised and not yet handled. `acknowledged`: someone is on it; it keeps counting \
         and is still resolved when its condition clears. `resolved`: its condition cleared \
         (`resolved_by` is `anton`) or it was resolved through the API; if the condition comes \
         back, a new alert is raised.",
        crate::alerts::ALERT_STATUSES,
    )
);
component!(
    /// How urgent an alert is.
    AlertSeveritySchema = "AlertSeverity",
    string_enum(
        "`critical`: a key may be compromised — act now. `warning`: something is failing. \
         `info`: worth a look.",
        ["critical", "warning", "info"],
    )
);

/// The constant `object` field of each published object: a one-value string enum.
pub mod object {
    use utoipa::openapi::schema::Object;

    macro_rules! objects {
        ($($f:ident => $value:literal),* $(,)?) => {
            $(
                #[doc = concat!("`\"", $value, "\"`")]
                pub fn $f() -> Object {
                    super::string_enum(
                        concat!("What kind of object this is: always `", $value, "`."),
                        [$value],
                    )
                }
            )*
        };
    }

    objects! {
        payout => "payout",
        recipient => "recipient",
        webhook_endpoint => "webhook_endpoint",
        webhook_delivery => "webhook_delivery",
        balance => "balance",
        balance_transaction => "balance_transaction",
        list => "list",
        event => "event",
        event_type => "event_type",
        webhook_test => "webhook_test",
        recovery => "recovery",
        request => "request",
        audit_entry => "audit_entry",
        alert => "alert",
        risk_rule => "risk_rule",
    }
}

/// One realistic example of each published object. Ids are fake but well-formed; amounts are in
/// cents; nothing here is a secret.
pub mod examples;
