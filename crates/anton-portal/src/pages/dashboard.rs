//! The dashboard: the mode's balances.

use axum::response::{IntoResponse, Redirect, Response};
use maud::html;

use anton_store::Tenant;

use crate::error::PageError;
use crate::layout::{self, money};
use crate::session::Signed;
use crate::PortalState;

/// `/`: the test-mode dashboard when signed in, else the sign-in page.
pub(crate) async fn home(signed: Result<Signed, Response>) -> Response {
    match signed {
        Ok(_) => Redirect::to("/test").into_response(),
        Err(_) => Redirect::to("/login").into_response(),
    }
}

pub(crate) async fn dashboard(
    axum::extract::State(state): axum::extract::State<PortalState>,
    signed: Signed,
) -> Result<Response, PageError> {
    let tenant = Tenant {
        merchant_id: signed.session.member.merchant_id.clone(),
        env: signed.mode,
    };
    let balance = state.engine.balance(&tenant).await?;
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
    };
    Ok(layout::page(&signed, "Dashboard", "", content).into_response())
}
