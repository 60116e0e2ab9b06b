//! Payouts: the mode's list with filters and pages, and a payout's page — its facts, the risk
//! assessment, the recipient (masked), and the timeline of its events with each event's webhook
//! deliveries and their attempts — with cancel where the status and the role allow it.

use axum::extract::rejection::FormRejection;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use maud::{html, Markup};
use serde::Deserialize;

use anton_core::id::{PayoutId, RecipientId};
use anton_core::payout::PayoutStatus;
use anton_core::team::Action;
use anton_core::time::Timestamp;
use anton_engine::events::EventQuery;
use anton_engine::objects::{PayoutOut, RecipientOut};
use anton_engine::payouts::PayoutQuery;
use anton_engine::validate::ListQuery;
use anton_store::payouts::PayoutFilter;

use crate::act;
use crate::error::PageError;
use crate::form::{checked, Proof};
use crate::layout::{self, csrf_field, money, pager, when, when_text};
use crate::session::{percent, Signed};
use crate::PortalState;

/// Payouts per page.
const PAGE: i64 = 25;

fn base(signed: &Signed) -> String {
    format!("/{}/payouts", signed.mode.as_str())
}

#[derive(Deserialize, Default)]
pub(crate) struct ListParams {
    #[serde(default)]
    status: String,
    #[serde(default)]
    recipient: String,
    #[serde(default)]
    after: String,
    #[serde(default)]
    before: String,
}

impl ListParams {
    /// The query string of these filters with `extra` (a page's cursor).
    fn link(&self, base: &str, extra: &str) -> String {
        let mut q = Vec::new();
        if !self.status.is_empty() {
            q.push(format!("status={}", percent(&self.status)));
        }
        if !self.recipient.is_empty() {
            q.push(format!("recipient={}", percent(&self.recipient)));
        }
        if !extra.is_empty() {
            q.push(extra.to_owned());
        }
        if q.is_empty() {
            base.to_owned()
        } else {
            format!("{base}?{}", q.join("&"))
        }
    }
}

fn status_badge(status: &str) -> Markup {
    html! { span.status class=(format!("st-{status}")) { (status.replace('_', " ")) } }
}

fn filters(signed: &Signed, p: &ListParams) -> Markup {
    html! {
        form.filters method="get" action=(base(signed)) role="search" aria-label="Filter payouts" {
            div {
                label for="status" { "Status" }
                select #status name="status" {
                    option value="" selected[p.status.is_empty()] { "Any" }
                    @for s in PayoutStatus::ALL {
                        option value=(s.as_str()) selected[p.status == s.as_str()] { (s.as_str().replace('_', " ")) }
                    }
                }
            }
            div {
                label for="recipient" { "Recipient id" }
                input #recipient type="text" name="recipient" value=(p.recipient) placeholder="rcp_…";
            }
            div { button.secondary type="submit" { "Filter" } }
        }
    }
}

/// `GET /{mode}/payouts`.
pub(crate) async fn list_payouts(
    State(state): State<PortalState>,
    signed: Signed,
    Query(p): Query<ListParams>,
) -> Result<Response, PageError> {
    signed.require(Action::View)?;
    let status = match p.status.as_str() {
        "" => None,
        s => Some(PayoutStatus::parse(s).ok_or_else(|| PageError::bad("Unknown status."))?),
    };
    let recipient = match p.recipient.trim() {
        "" => None,
        r => Some(
            RecipientId::parse(r)
                .map_err(|_| PageError::bad("A recipient id starts with rcp_."))?,
        ),
    };
    let query = PayoutQuery {
        list: ListQuery {
            limit: PAGE,
            starting_after: (!p.after.is_empty()).then(|| p.after.clone()),
            ending_before: (!p.before.is_empty()).then(|| p.before.clone()),
            created_gte_us: None,
            created_lt_us: None,
        },
        filter: PayoutFilter { status, recipient },
    };
    let page = state.engine.list_payouts(&signed.tenant(), &query).await?;
    let base = base(&signed);
    let content = html! {
        h1 { "Payouts" }
        (filters(&signed, &p))
        @if page.data.is_empty() {
            p { "No payouts match." }
        } @else {
            table #payouts {
                caption.hint { "Newest first." }
                thead { tr {
                    th scope="col" { "Payout" } th.num scope="col" { "Amount" } th scope="col" { "Status" }
                    th scope="col" { "Recipient" } th scope="col" { "Created" }
                } }
                tbody {
                    @for po in &page.data {
                        tr {
                            td { a href=(format!("{base}/{}", po.id)) { code { (po.id) } } }
                            td.num { (money(po.amount, &po.currency)) }
                            td { (status_badge(po.status.as_str())) }
                            td { code { (po.recipient_id) } }
                            td { (when(po.created)) }
                        }
                    }
                }
            }
            (pager(
                |cursor| p.link(&base, cursor),
                (page.data.first().map(|x| x.id.as_str()), page.data.last().map(|x| x.id.as_str())),
                page.has_more,
                (&p.after, &p.before),
            ))
        }
    };
    Ok(layout::page(&signed, "Payouts", "/payouts", content).into_response())
}

fn payout_id(id: &str) -> Result<PayoutId, PageError> {
    PayoutId::parse(id).map_err(|_| PageError::not_found())
}

fn facts(po: &PayoutOut, recipient: Option<&RecipientOut>) -> Markup {
    html! {
        dl.facts {
            dt { "Amount" } dd #amount { (money(po.amount, &po.currency)) }
            dt { "Status" } dd #payout-status { (status_badge(&po.status)) }
            @if let Some(code) = &po.failure_code {
                dt { "Failure" } dd { (code) ": " (po.failure_message.clone().unwrap_or_default()) }
            }
            dt { "Recipient" }
            dd {
                @match recipient {
                    Some(r) => { (r.name) " · " (r.bank_account.kind) " ····" (r.bank_account.last4) " (" code { (r.id) } ")" }
                    None => { code { (po.recipient) } " (deleted)" }
                }
            }
            @if let Some(d) = &po.description { dt { "Description" } dd { (d) } }
            @if let Some(d) = &po.arrival_date { dt { "Arrived" } dd { (d) } }
            dt { "Created" } dd { (when_text(&po.created)) }
            dt { "Updated" } dd { (when_text(&po.updated)) }
        }
    }
}

fn risk(po: &PayoutOut) -> Markup {
    html! {
        @if let Some(r) = &po.risk {
            section.card aria-labelledby="risk" {
                h2 #risk { "Risk rules" }
                @if r.fired.is_empty() {
                    p { "No rule fired (" (r.evaluated.len()) " evaluated)." }
                } @else {
                    ul { @for f in &r.fired { li { code { (f.rule) } " → " (f.action) ": " (f.explanation) } } }
                }
                @if let Some(review) = &po.review {
                    p { "Review: " strong { (review.status) } " (expires " (when_text(&review.expires)) ")" }
                }
            }
        }
    }
}

/// `GET /{mode}/payouts/{id}`.
pub(crate) async fn show_payout(
    State(state): State<PortalState>,
    signed: Signed,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    signed.require(Action::View)?;
    let tenant = signed.tenant();
    let record = state.engine.get_payout(&tenant, &payout_id(&id)?).await?;
    let po = PayoutOut::from_record(&record, signed.mode);
    let recipient = state
        .engine
        .get_recipient(&tenant, &record.recipient_id)
        .await
        .ok()
        .map(|r| RecipientOut::from_record(&r, signed.mode));
    let events = state
        .engine
        .list_events(
            &tenant,
            &EventQuery {
                list: ListQuery {
                    limit: 100,
                    ..ListQuery::default()
                },
                event_type: None,
                object: Some(po.id.clone()),
            },
        )
        .await?;
    let mut timeline = Vec::new();
    // Oldest first: the payout's story as it happened.
    for event in events.data.into_iter().rev() {
        let deliveries = state.engine.event_deliveries(&tenant, &event.id).await?;
        timeline.push((event, deliveries));
    }
    let can_cancel = record.status == PayoutStatus::Pending && signed.may(Action::Operate);
    let content = html! {
        p { a href=(base(&signed)) { "← Payouts" } }
        h1 { "Payout " code { (po.id) } }
        section.card aria-labelledby="facts" { h2 #facts { "Details" } (facts(&po, recipient.as_ref())) }
        @if can_cancel {
            form method="post" action=(format!("{}/{}/cancel", base(&signed), po.id)) {
                (csrf_field(&signed.csrf))
                button.danger type="submit" { "Cancel payout" }
            }
        }
        (risk(&po))
        section.card aria-labelledby="timeline" {
            h2 #timeline { "Timeline" }
            ol.timeline #events {
                @for (event, deliveries) in &timeline {
                    li {
                        code { (event.event_type) } " · " (when(Timestamp::from_unix_micros(event.created_us)))
                        @if deliveries.is_empty() {
                            " · no webhook endpoint subscribed"
                        } @else {
                            ul {
                                @for (d, attempts) in deliveries {
                                    li {
                                        "Delivery " code { (d.id) } " to endpoint " code { (d.endpoint_id) } ": " strong { (d.status) }
                                        @for a in attempts {
                                            " · attempt " (a.attempt) ": "
                                            (a.status_code.map_or_else(|| a.error_class.clone().unwrap_or_default(), |c| c.to_string()))
                                            " in " (a.latency_us / 1000) " ms"
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
    Ok(layout::page(&signed, "Payout", "/payouts", content).into_response())
}

/// `POST /{mode}/payouts/{id}/cancel`: cancels a pending payout (its reserve released).
pub(crate) async fn cancel_payout(
    State(state): State<PortalState>,
    signed: Signed,
    Path(id): Path<String>,
    form: Result<Form<crate::form::CsrfOnly>, FormRejection>,
) -> Result<Response, PageError> {
    let csrf = crate::form::csrf_only(form)?;
    checked(&state, &signed, &csrf, Action::Operate, (Proof::Never, ""))?;
    let id = payout_id(&id)?;
    let answer = state
        .engine
        .cancel_payout(&signed.tenant(), id.clone(), act::mutation(&signed))
        .await?;
    act::outcome(answer)?;
    Ok(Redirect::to(&format!("{}/{id}", base(&signed))).into_response())
}

/// The payouts pages under `mode` (`/test` or `/live`).
pub(crate) fn routes(mode: &str) -> Router<PortalState> {
    Router::new()
        .route(&format!("{mode}/payouts"), get(list_payouts))
        .route(&format!("{mode}/payouts/{{id}}"), get(show_payout))
        .route(
            &format!("{mode}/payouts/{{id}}/cancel"),
            post(cancel_payout),
        )
}
