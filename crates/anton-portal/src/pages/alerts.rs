//! Alerts: what Anton noticed about the mode's activity (a revoked key in use, a key from a new
//! address, failing endpoints, a risk rule firing), newest first, filtered by status; a role
//! that may operate acknowledges or resolves them (the engine's `act_on_alert`, audited).

use axum::extract::rejection::FormRejection;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use maud::html;
use serde::Deserialize;

use anton_core::id::AlertId;
use anton_core::team::Action;
use anton_core::time::Timestamp;
use anton_engine::alerts::{AlertAction, AlertQuery};
use anton_engine::validate::ListQuery;
use anton_store::alerts::AlertFilter;

use crate::act;
use crate::error::PageError;
use crate::form::{checked, Proof};
use crate::layout::{self, csrf_field, pager, when};
use crate::session::Signed;
use crate::PortalState;

const STATUSES: [&str; 3] = ["open", "acknowledged", "resolved"];

#[derive(Deserialize, Default)]
pub(crate) struct Params {
    #[serde(default)]
    status: String,
    #[serde(default)]
    after: String,
    #[serde(default)]
    before: String,
}

/// `GET /{mode}/alerts`.
pub(crate) async fn list_alerts(
    State(state): State<PortalState>,
    signed: Signed,
    Query(p): Query<Params>,
) -> Result<Response, PageError> {
    signed.require(Action::View)?;
    if !p.status.is_empty() && !STATUSES.contains(&p.status.as_str()) {
        return Err(PageError::bad("Unknown alert status."));
    }
    let query = AlertQuery {
        list: ListQuery {
            limit: 25,
            starting_after: (!p.after.is_empty()).then(|| p.after.clone()),
            ending_before: (!p.before.is_empty()).then(|| p.before.clone()),
            ..ListQuery::default()
        },
        filter: AlertFilter {
            status: (!p.status.is_empty()).then(|| p.status.clone()),
            rule: None,
        },
    };
    let page = state.engine.list_alerts(&signed.tenant(), &query).await?;
    let operate = signed.may(Action::Operate);
    let base = format!("/{}/alerts", signed.mode.as_str());
    let at = |us: i64| when(Timestamp::from_unix_micros(us));
    let link = |cursor: &str| {
        let status = if p.status.is_empty() {
            String::new()
        } else {
            format!("status={}&", p.status)
        };
        format!("{base}?{status}{cursor}")
    };
    let content = html! {
        h1 { "Alerts" }
        form.filters method="get" action=(base) aria-label="Filter alerts" {
            div {
                label for="alert-status" { "Status" }
                select #alert-status name="status" {
                    option value="" selected[p.status.is_empty()] { "Any" }
                    @for s in STATUSES { option value=(s) selected[p.status == s] { (s) } }
                }
            }
            div { button.secondary type="submit" { "Filter" } }
        }
        @if page.data.is_empty() {
            p { "No alerts." }
        } @else {
            table #alerts {
                caption.hint { "Newest first." }
                thead { tr {
                    th scope="col" { "Alert" } th scope="col" { "Status" } th.num scope="col" { "Seen" }
                    th scope="col" { "First" } th scope="col" { "Last" }
                    @if operate { th scope="col" { "Action" } }
                } }
                tbody {
                    @for a in &page.data {
                        tr {
                            td { code { (a.rule) } @if !a.subject.is_empty() { br; (a.subject) } }
                            td { (a.status) }
                            td.num { (a.count) }
                            td { (at(a.first_seen_us)) }
                            td { (at(a.last_seen_us)) }
                            @if operate {
                                td {
                                    @if a.status == "open" {
                                        form.inline method="post" action=(format!("{base}/{}/acknowledge", a.id)) {
                                            (csrf_field(&signed.csrf))
                                            button.secondary type="submit" { "Acknowledge" }
                                        }
                                    }
                                    @if a.status != "resolved" {
                                        form.inline method="post" action=(format!("{base}/{}/resolve", a.id)) {
                                            (csrf_field(&signed.csrf))
                                            button.secondary type="submit" { "Resolve" }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            (pager(
                link,
                (page.data.first().map(|a| a.id.as_str()), page.data.last().map(|a| a.id.as_str())),
                page.has_more,
                (&p.after, &p.before),
            ))
        }
    };
    Ok(layout::page(&signed, "Alerts", "/alerts", content).into_response())
}

/// `POST /{mode}/alerts/{id}/{acknowledge|resolve}`.
pub(crate) async fn act(
    State(state): State<PortalState>,
    signed: Signed,
    Path((id, verb)): Path<(String, String)>,
    form: Result<Form<crate::form::CsrfOnly>, FormRejection>,
) -> Result<Response, PageError> {
    let csrf = crate::form::csrf_only(form)?;
    checked(&state, &signed, &csrf, Action::Operate, (Proof::Never, ""))?;
    let action = match verb.as_str() {
        "acknowledge" => AlertAction::Acknowledge,
        "resolve" => AlertAction::Resolve,
        _ => return Err(PageError::not_found()),
    };
    let id = AlertId::parse(&id).map_err(|_| PageError::not_found())?;
    let answer = state
        .engine
        .act_on_alert(&signed.tenant(), id, action, act::mutation(&signed))
        .await?;
    act::outcome(answer)?;
    Ok(Redirect::to(&format!("/{}/alerts", signed.mode.as_str())).into_response())
}

/// The alerts pages under `mode` (`/test` or `/live`).
pub(crate) fn routes(mode: &str) -> Router<PortalState> {
    Router::new()
        .route(&format!("{mode}/alerts"), get(list_alerts))
        .route(&format!("{mode}/alerts/{{id}}/{{verb}}"), post(act))
}
