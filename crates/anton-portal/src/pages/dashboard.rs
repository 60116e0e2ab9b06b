//! The dashboard: the mode's balances; the last 14 days' payout volume per currency and
//! success rate, as charts drawn on the server; and each endpoint's health over the last day.

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{html, Markup};

use anton_core::time::Timestamp;
use anton_engine::dashboard::Dashboard;
use anton_store::now_us;
use anton_store::stats::DAY_US;

use crate::charts::{bars, Bar};
use crate::error::PageError;
use crate::layout::{self, money, when};
use crate::session::Signed;
use crate::PortalState;

/// Days the charts cover.
const DAYS: i64 = 14;

/// `/`: the test-mode dashboard when signed in, else the sign-in page.
pub(crate) async fn home(signed: Result<Signed, Response>) -> Response {
    match signed {
        Ok(_) => Redirect::to("/test").into_response(),
        Err(_) => Redirect::to("/login").into_response(),
    }
}

/// `MM-DD` of a day since the epoch.
fn day_label(day: i64) -> String {
    let iso = Timestamp::from_unix_micros(day * DAY_US).to_rfc3339();
    iso.get(5..10).unwrap_or_default().to_owned()
}

fn charts(d: &Dashboard) -> Markup {
    let rate: Vec<Bar> = d
        .days
        .iter()
        .map(|day| Bar {
            label: day_label(day.day),
            value: day.success_per_mille(),
            shown: day.success_per_mille().map_or_else(
                || "no outcome yet".to_owned(),
                |p| format!("{}.{}% of {}", p / 10, p % 10, day.paid + day.failed),
            ),
        })
        .collect();
    html! {
        @for currency in &d.currencies {
            @let volume: Vec<Bar> = d.days.iter().map(|day| {
                let v = day.paid_amount.get(currency).copied().unwrap_or(0);
                Bar { label: day_label(day.day), value: Some(v), shown: money(v, currency) }
            }).collect();
            (bars(&format!("volume-{}", currency.to_lowercase()), &format!("Paid per day, {currency}"), &volume, 0, 2))
        }
        @if d.currencies.is_empty() {
            p { "Nothing was paid in the last " (DAYS) " days." }
        }
        (bars("success-rate", "Success rate per day (paid among paid, failed and returned)", &rate, 1000, 2))
    }
}

fn webhook_health(d: &Dashboard, mode: &str) -> Markup {
    html! {
        @if d.endpoints.is_empty() {
            p { "No webhook endpoints in this mode." }
        } @else {
            table #webhook-health {
                caption.hint { "Deliveries created in the last 24 hours." }
                thead { tr {
                    th scope="col" { "Endpoint" } th scope="col" { "Status" } th.num scope="col" { "Delivered" }
                    th.num scope="col" { "Failing" } th.num scope="col" { "Waiting" }
                } }
                tbody {
                    @for h in &d.endpoints {
                        tr {
                            td { a href=(format!("/{mode}/webhooks/{}", h.endpoint.id)) { (h.endpoint.url) } }
                            td {
                                (h.endpoint.status)
                                @if let Some(since) = h.endpoint.failing_since_us {
                                    ", failing since " (when(Timestamp::from_unix_micros(since)))
                                }
                            }
                            td.num { (h.succeeded) }
                            td.num { (h.failing) }
                            td.num { (h.pending) }
                        }
                    }
                }
            }
        }
    }
}

pub(crate) async fn dashboard(
    State(state): State<PortalState>,
    signed: Signed,
) -> Result<Response, PageError> {
    let tenant = signed.tenant();
    let balance = state.engine.balance(&tenant).await?;
    let figures = state.engine.dashboard(&tenant, DAYS, now_us()).await?;
    let in_flight = |currency: &str| {
        balance
            .in_flight
            .iter()
            .find(|b| b.currency == currency)
            .map_or(0, |b| b.amount)
    };
    let content = html! {
        h1 { "Dashboard" }
        section.card aria-labelledby="balances" {
            h2 #balances { "Balances" }
            @if balance.available.is_empty() && balance.in_flight.is_empty() {
                p { "No money has been added in " (signed.mode.as_str()) " mode yet." }
            } @else {
                table {
                    caption.hint { "What can be paid out, and what payouts under way hold." }
                    thead { tr { th scope="col" { "Currency" } th.num scope="col" { "Available" } th.num scope="col" { "In flight" } } }
                    tbody {
                        @for b in &balance.available {
                            tr {
                                th scope="row" { (b.currency) }
                                td.num { (money(b.amount, &b.currency)) }
                                td.num { (money(in_flight(&b.currency), &b.currency)) }
                            }
                        }
                    }
                }
            }
        }
        section.card aria-labelledby="activity" {
            h2 #activity { "Payouts, last " (DAYS) " days" }
            (charts(&figures))
        }
        section.card aria-labelledby="webhooks" {
            h2 #webhooks { "Webhook health" }
            (webhook_health(&figures, signed.mode.as_str()))
        }
    };
    Ok(layout::page(&signed, "Dashboard", "", content).into_response())
}
