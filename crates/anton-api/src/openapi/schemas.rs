//! Schemas of answers without a Rust type of their own — lists, deletions, recoveries, egress
//! addresses, health checks — and the markers of the event schemas [`super::webhooks`] builds.
//! The handlers render these with `json!` (or, for lists, `ListOut<T>`); the shapes here follow
//! them field for field.

use std::borrow::Cow;

use anton_engine::objects::{
    AlertOut, AuditEntryOut, BalanceTransactionOut, DeliveryOut, EndpointOut, PayoutOut,
    RecipientOut, RequestOut, RiskRuleOut,
};
use anton_engine::openapi::{self as oa, examples};
use serde_json::{json, Value};
use utoipa::openapi::schema::{AdditionalProperties, ArrayBuilder, Object, ObjectBuilder, Type};
use utoipa::openapi::{Ref, RefOr, Schema};
use utoipa::{PartialSchema, ToSchema};

use crate::events::EventTypeOut;

/// A list: `{"object": "list", "data": [...], "has_more": bool}` of `$item`s, described by
/// `$description` (its `data` by `$data`), with one item as its example.
macro_rules! list {
    ($ty:ident = $name:literal, $item:ty, $description:expr, $data:expr, $example:expr) => {
        #[doc = concat!("The `", $name, "` schema.")]
        pub struct $ty;

        impl ToSchema for $ty {
            fn name() -> Cow<'static, str> {
                Cow::Borrowed($name)
            }

            fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
                schemas.push((<$item>::name().into_owned(), <$item>::schema()));
                <$item>::schemas(schemas);
            }
        }

        impl PartialSchema for $ty {
            fn schema() -> RefOr<Schema> {
                list_schema(&<$item>::name(), $description, $data, $example).into()
            }
        }
    };
}

fn list_schema(item: &str, description: &str, data: &str, example: Value) -> Object {
    ObjectBuilder::new()
        .description(Some(description))
        .property("object", oa::object::list())
        .required("object")
        .property(
            "data",
            ArrayBuilder::new()
                .items(Ref::from_schema_name(item))
                .description(Some(data)),
        )
        .required("data")
        .property(
            "has_more",
            ObjectBuilder::new()
                .schema_type(Type::Boolean)
                .description(Some(
                "Whether more objects follow this page in the direction paged: older ones after \
                 `starting_after` (or the first page), newer ones before `ending_before`.",
            )),
        )
        .required("has_more")
        .examples([json!({"object": "list", "data": [example], "has_more": false})])
        .build()
}

/// A page of a paged list.
macro_rules! page {
    ($ty:ident = $name:literal, $item:ty, $what:literal, $example:expr) => {
        list!(
            $ty = $name,
            $item,
            concat!(
                "A page of ",
                $what,
                ", newest first (by creation time, then id)."
            ),
            concat!("The ", $what, " of this page, newest first."),
            $example
        );
    };
}

page!(
    RecipientList = "RecipientList",
    RecipientOut,
    "recipients",
    examples::recipient()
);
page!(
    PayoutList = "PayoutList",
    PayoutOut,
    "payouts",
    examples::payout()
);
page!(
    BalanceTransactionList = "BalanceTransactionList",
    BalanceTransactionOut,
    "balance transactions",
    examples::balance_transaction()
);
page!(
    WebhookEndpointList = "WebhookEndpointList",
    EndpointOut,
    "webhook endpoints",
    examples::webhook_endpoint()
);
list!(
    RiskRuleList = "RiskRuleList",
    RiskRuleOut,
    "Every risk rule of the catalogue, in catalogue order (never more than one page).",
    "The rules.",
    examples::risk_rule()
);
page!(
    AlertList = "AlertList",
    AlertOut,
    "alerts",
    examples::alert()
);
page!(
    AuditEntryList = "AuditEntryList",
    AuditEntryOut,
    "audit entries",
    examples::audit_entry()
);
page!(
    RequestList = "RequestList",
    RequestOut,
    "requests",
    examples::request()
);
page!(
    WebhookDeliveryList = "WebhookDeliveryList",
    DeliveryOut,
    "webhook deliveries",
    examples::webhook_delivery()
);
list!(
    EventTypeList = "EventTypeList",
    EventTypeOut,
    "The whole catalogue of event types, in one page (`has_more` is always false).",
    "Every event type an endpoint may subscribe to.",
    super::event_type_example()
);
list!(
    EgressIpList = "EgressIpList",
    EgressIp,
    "Every egress address, in one page (`has_more` is always false); empty when none is \
     configured.",
    "The addresses webhook deliveries leave from.",
    json!({"ip": "203.0.113.10"})
);

/// A schema [`super::webhooks`] builds in JSON (it needs what utoipa's types cannot say); the
/// document replaces this placeholder with it.
macro_rules! built_later {
    ($ty:ident = $name:literal) => {
        #[doc = concat!("The `", $name, "` schema (built by `openapi::webhooks`).")]
        pub struct $ty;

        impl ToSchema for $ty {
            fn name() -> Cow<'static, str> {
                Cow::Borrowed($name)
            }
        }

        impl PartialSchema for $ty {
            fn schema() -> RefOr<Schema> {
                ObjectBuilder::new().build().into()
            }
        }
    };
}

built_later!(EventSchema = "Event");
built_later!(EventListSchema = "EventList");
built_later!(WebhookEndpointEventSchema = "WebhookEndpointEvent");

/// A request body that holds nothing: `{}` (or no body at all).
pub struct EmptyBody;

impl ToSchema for EmptyBody {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("EmptyBody")
    }
}

impl PartialSchema for EmptyBody {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::Object)
            .description(Some(
                "No parameters: an empty object, `{}` (or send no body). Any field is refused \
                 (`parameter_unknown`).",
            ))
            .additional_properties(Some(AdditionalProperties::FreeForm(false)))
            .examples([json!({})])
            .into()
    }
}

/// `true`, always.
pub fn always_true() -> Object {
    ObjectBuilder::new()
        .schema_type(Type::Boolean)
        .enum_values(Some([true]))
        .description(Some("Always `true`: the object was deleted."))
        .build()
}

/// A deleted recipient.
#[derive(ToSchema)]
#[schema(examples(json!({"id": examples::RECIPIENT_ID, "object": "recipient", "deleted": true})))]
pub struct DeletedRecipient {
    /// The deleted recipient's id. Its payouts keep it.
    #[schema(value_type = oa::RecipientIdSchema)]
    pub id: String,
    #[schema(schema_with = oa::object::recipient)]
    pub object: String,
    #[schema(schema_with = always_true)]
    pub deleted: bool,
}

/// A deleted webhook endpoint.
#[derive(ToSchema)]
#[schema(examples(json!({"id": examples::ENDPOINT_ID, "object": "webhook_endpoint", "deleted": true})))]
pub struct DeletedWebhookEndpoint {
    /// The deleted endpoint's id.
    #[schema(value_type = oa::EndpointIdSchema)]
    pub id: String,
    #[schema(schema_with = oa::object::webhook_endpoint)]
    pub object: String,
    #[schema(schema_with = always_true)]
    pub deleted: bool,
}

/// What `recover` scheduled.
#[derive(ToSchema)]
#[schema(
    as = Recovery,
    examples(json!({"object": "recovery", "endpoint": examples::ENDPOINT_ID, "deliveries": 3}))
)]
pub struct RecoveryDoc {
    #[schema(schema_with = oa::object::recovery)]
    pub object: String,
    /// The endpoint recovered.
    #[schema(value_type = oa::EndpointIdSchema)]
    pub endpoint: String,
    /// How many deliveries were scheduled for now.
    #[schema(minimum = 0)]
    pub deliveries: u64,
}

/// An address webhook deliveries leave from.
#[derive(ToSchema)]
#[schema(examples(json!({"ip": "203.0.113.10"})))]
pub struct EgressIp {
    /// An IPv4 or IPv6 address; allow it through your receiver's firewall.
    #[schema(examples("203.0.113.10"))]
    pub ip: String,
}

/// The process is up.
#[derive(ToSchema)]
#[schema(examples(json!({"status": "ok"})))]
pub struct Health {
    /// Always `ok`.
    #[schema(schema_with = status_ok)]
    pub status: String,
}

fn status_ok() -> Object {
    oa::string_enum("Always `ok`: the process is up.", ["ok"])
}

fn status_ready() -> Object {
    oa::string_enum("Always `ready`: the database answers.", ["ready"])
}

/// The node is ready: its database answers.
#[derive(ToSchema)]
#[schema(examples(json!({"status": "ready", "api_nodes": 1})))]
pub struct Readiness {
    #[schema(schema_with = status_ready)]
    pub status: String,
    /// API nodes alive in the deployment (by their heartbeats); they share each key's rate
    /// limit.
    #[schema(minimum = 1)]
    pub api_nodes: u64,
}
