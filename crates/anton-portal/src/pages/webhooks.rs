//! Webhook endpoints: the mode's endpoints, and an endpoint's page with its deliveries (each
//! attempt's status and timing), where the role allows: resend a delivery's event, and recover
//! (send again every failed delivery since a moment).

use axum::extract::rejection::FormRejection;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use maud::{html, Markup};
use serde::Deserialize;

use anton_core::id::{DeliveryId, WebhookEndpointId};
use anton_core::team::Action;
use anton_core::time::Timestamp;
use anton_engine::objects::EndpointOut;
use anton_engine::validate::ListQuery;
use anton_engine::webhooks::deliveries::{DeliveryQuery, DELIVERY_STATUSES};
use anton_store::now_us;

use crate::act;
use crate::error::PageError;
use crate::form::{checked, Proof};
use crate::layout::{self, csrf_field, when};
use crate::session::Signed;
use crate::PortalState;

/// Deliveries shown on an endpoint's page.
const DELIVERIES: i64 = 50;

/// How far back "recover" reaches, in hours.
const RECOVER_HOURS: [(i64, &str); 3] = [
    (1, "the last hour"),
    (24, "the last 24 hours"),
    (72, "the last 3 days"),
];

fn base(signed: &Signed) -> String {
    format!("/{}/webhooks", signed.mode.as_str())
}

fn endpoint_id(id: &str) -> Result<WebhookEndpointId, PageError> {
    WebhookEndpointId::parse(id).map_err(|_| PageError::not_found())
}

fn at(us: i64) -> Markup {
    when(Timestamp::from_unix_micros(us))
}

/// `GET /{mode}/webhooks`.
pub(crate) async fn list_endpoints(
    State(state): State<PortalState>,
    signed: Signed,
) -> Result<Response, PageError> {
    signed.require(Action::View)?;
    let list = ListQuery {
        limit: 100,
        ..ListQuery::default()
    };
    let endpoints = state
        .engine
        .list_endpoints(&signed.tenant(), &list, None)
        .await?;
    let base = base(&signed);
    let content = html! {
        h1 { "Webhook endpoints" }
        p { "Where Anton sends the events of " (signed.mode.as_str()) " mode, signed. Deliveries come from the addresses " a href="/v1/egress_ips" { "listed here" } "." }
        @if signed.may(Action::Operate) { (crate::pages::endpoints::create_form(&signed)) }
        @if endpoints.data.is_empty() {
            p { "No endpoints in " (signed.mode.as_str()) " mode yet." }
        } @else {
            table #endpoints {
                thead { tr {
                    th scope="col" { "URL" } th scope="col" { "Status" } th scope="col" { "Events" } th scope="col" { "Created" }
                } }
                tbody {
                    @for e in &endpoints.data {
                        @let out = EndpointOut::from_record(e, signed.mode);
                        tr {
                            td { a href=(format!("{base}/{}", e.id)) { (e.url) } }
                            td { (e.status) @if e.failing_since_us.is_some() { " (failing)" } }
                            td { (out.enabled_events.join(", ")) }
                            td { (at(e.created_us)) }
                        }
                    }
                }
            }
        }
    };
    Ok(layout::page(&signed, "Webhook endpoints", "/webhooks", content).into_response())
}

#[derive(Deserialize, Default)]
pub(crate) struct DeliveryParams {
    #[serde(default)]
    status: String,
}

fn recover_form(signed: &Signed, id: &WebhookEndpointId) -> Markup {
    html! {
        form.inline method="post" action=(format!("{}/{id}/recover", base(signed))) {
            (csrf_field(&signed.csrf))
            label for="recover-since" { "Send again every failed delivery of" }
            select #recover-since name="hours" {
                @for (hours, label) in RECOVER_HOURS { option value=(hours) { (label) } }
            }
            button.secondary type="submit" { "Recover" }
        }
    }
}

/// `GET /{mode}/webhooks/{id}`: the endpoint and its latest deliveries.
pub(crate) async fn show_endpoint(
    State(state): State<PortalState>,
    signed: Signed,
    Path(id): Path<String>,
    Query(p): Query<DeliveryParams>,
) -> Result<Response, PageError> {
    signed.require(Action::View)?;
    let tenant = signed.tenant();
    let id = endpoint_id(&id)?;
    let endpoint = state.engine.get_endpoint(&tenant, &id).await?;
    let status = match p.status.as_str() {
        "" => None,
        s if DELIVERY_STATUSES.contains(&s) => Some(s.to_owned()),
        _ => return Err(PageError::bad("Unknown delivery status.")),
    };
    let query = DeliveryQuery {
        list: ListQuery {
            limit: DELIVERIES,
            ..ListQuery::default()
        },
        status,
        event: None,
    };
    let deliveries = state.engine.list_deliveries(&tenant, &id, &query).await?;
    let out = EndpointOut::from_record(&endpoint, signed.mode);
    let operate = signed.may(Action::Operate);
    let base = base(&signed);
    let content = html! {
        p { a href=(base) { "← Webhook endpoints" } }
        h1 { "Endpoint " code { (endpoint.id) } }
        section.card aria-labelledby="endpoint" {
            h2 #endpoint { "Details" }
            dl.facts {
                dt { "URL" } dd { (endpoint.url) }
                dt { "Status" } dd { (endpoint.status) }
                @if let Some(since) = endpoint.failing_since_us { dt { "Failing since" } dd { (at(since)) } }
                dt { "Events" } dd { (out.enabled_events.join(", ")) }
                dt { "Signature" } dd { (endpoint.signature_scheme) }
                @if let Some(d) = &endpoint.description { dt { "Description" } dd { (d) } }
            }
            @if operate {
                (crate::pages::endpoints::actions(&signed, &id, &endpoint.status))
                (recover_form(&signed, &id))
            }
        }
        section.card aria-labelledby="deliveries" {
            h2 #deliveries { "Deliveries" }
            form.filters method="get" action=(format!("{base}/{id}")) aria-label="Filter deliveries" {
                div {
                    label for="delivery-status" { "Status" }
                    select #delivery-status name="status" {
                        option value="" selected[p.status.is_empty()] { "Any" }
                        @for s in DELIVERY_STATUSES { option value=(s) selected[p.status == s] { (s) } }
                    }
                }
                div { button.secondary type="submit" { "Filter" } }
            }
            @if deliveries.data.is_empty() {
                p { "No deliveries." }
            } @else {
                table #delivery-list {
                    caption.hint { "The latest " (DELIVERIES) ", newest first." }
                    thead { tr {
                        th scope="col" { "Event" } th scope="col" { "Status" } th scope="col" { "Attempts" }
                        th scope="col" { "Next attempt" } th scope="col" { "Created" }
                        @if operate { th scope="col" { "Action" } }
                    } }
                    tbody {
                        @for (d, attempts) in &deliveries.data {
                            tr id=(format!("delivery-{}", d.id)) {
                                td { code { (d.event_type) } br; code.hint { (d.event_id) } }
                                td.delivery-status { (d.status) }
                                td {
                                    @if attempts.is_empty() { "none yet" }
                                    ol {
                                        @for a in attempts {
                                            li {
                                                (a.status_code.map_or_else(|| a.error_class.clone().unwrap_or_else(|| "no answer".into()), |c| format!("HTTP {c}")))
                                                " · " (a.latency_us / 1000) " ms · " (at(a.started_us))
                                            }
                                        }
                                    }
                                }
                                td { @match d.next_attempt_us { Some(t) => (at(t)), None => "—" } }
                                td { (at(d.created_us)) }
                                @if operate {
                                    td {
                                        form method="post" action=(format!("{base}/{id}/deliveries/{}/resend", d.id)) {
                                            (csrf_field(&signed.csrf))
                                            button.secondary type="submit" aria-label=(format!("Resend {} ({})", d.event_type, d.id)) { "Resend" }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    Ok(layout::page(&signed, "Webhook endpoint", "/webhooks", content).into_response())
}

#[derive(Deserialize)]
pub(crate) struct ActionForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    hours: Option<i64>,
}

/// `POST /{mode}/webhooks/{id}/deliveries/{delivery}/resend`: the delivery's event again, as a
/// new delivery due now.
pub(crate) async fn resend_delivery(
    State(state): State<PortalState>,
    signed: Signed,
    Path((id, delivery)): Path<(String, String)>,
    form: Result<Form<ActionForm>, FormRejection>,
) -> Result<Response, PageError> {
    let Form(form) = form.map_err(|_| PageError::bad("The form's fields could not be read."))?;
    checked(
        &state,
        &signed,
        &form.csrf,
        Action::Operate,
        (Proof::Never, ""),
    )?;
    let tenant = signed.tenant();
    let id = endpoint_id(&id)?;
    let delivery = DeliveryId::parse(&delivery).map_err(|_| PageError::not_found())?;
    // The delivery is found among the endpoint's own: another endpoint's is not found.
    let event = state
        .engine
        .delivery(&tenant, &id, &delivery)
        .await?
        .event_id;
    let answer = state
        .engine
        .resend(&tenant, event, id.clone(), act::mutation(&signed))
        .await?;
    act::outcome(answer)?;
    Ok(Redirect::to(&format!("{}/{id}", base(&signed))).into_response())
}

/// `POST /{mode}/webhooks/{id}/recover`: every retrying or exhausted delivery of the chosen
/// period, due now.
pub(crate) async fn recover(
    State(state): State<PortalState>,
    signed: Signed,
    Path(id): Path<String>,
    form: Result<Form<ActionForm>, FormRejection>,
) -> Result<Response, PageError> {
    let Form(form) = form.map_err(|_| PageError::bad("The form's fields could not be read."))?;
    checked(
        &state,
        &signed,
        &form.csrf,
        Action::Operate,
        (Proof::Never, ""),
    )?;
    let hours = form
        .hours
        .filter(|h| RECOVER_HOURS.iter().any(|(x, _)| x == h))
        .ok_or_else(|| PageError::bad("The period chosen is not one of the form's."))?;
    let id = endpoint_id(&id)?;
    let since = now_us() - hours * 3_600_000_000;
    let answer = state
        .engine
        .recover(&signed.tenant(), id.clone(), since, act::mutation(&signed))
        .await?;
    act::outcome(answer)?;
    Ok(Redirect::to(&format!("{}/{id}", base(&signed))).into_response())
}

/// The webhook pages under `mode` (`/test` or `/live`).
pub(crate) fn routes(mode: &str) -> Router<PortalState> {
    Router::new()
        .route(&format!("{mode}/webhooks"), get(list_endpoints))
        .route(&format!("{mode}/webhooks/{{id}}"), get(show_endpoint))
        .route(&format!("{mode}/webhooks/{{id}}/recover"), post(recover))
        .route(
            &format!("{mode}/webhooks/{{id}}/deliveries/{{delivery}}/resend"),
            post(resend_delivery),
        )
}
