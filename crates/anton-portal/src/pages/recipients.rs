//! Recipients: the mode's recipients, newest first, bank details masked to the account's kind,
//! country, currency and last four digits (the full number is never shown, as in the API).

use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use maud::html;
use serde::Deserialize;

use anton_core::team::Action;
use anton_engine::objects::RecipientOut;
use anton_engine::validate::ListQuery;

use crate::error::PageError;
use crate::layout::{self, pager, when};
use crate::session::Signed;
use crate::PortalState;

#[derive(Deserialize, Default)]
pub(crate) struct Params {
    #[serde(default)]
    after: String,
    #[serde(default)]
    before: String,
}

/// `GET /{mode}/recipients`.
pub(crate) async fn list_recipients(
    State(state): State<PortalState>,
    signed: Signed,
    Query(p): Query<Params>,
) -> Result<Response, PageError> {
    signed.require(Action::View)?;
    let query = ListQuery {
        limit: 25,
        starting_after: (!p.after.is_empty()).then(|| p.after.clone()),
        ending_before: (!p.before.is_empty()).then(|| p.before.clone()),
        ..ListQuery::default()
    };
    let page = state
        .engine
        .list_recipients(&signed.tenant(), &query)
        .await?;
    let base = format!("/{}/recipients", signed.mode.as_str());
    let payouts = format!("/{}/payouts", signed.mode.as_str());
    let content = html! {
        h1 { "Recipients" }
        p { "Who your payouts go to. Bank account numbers are stored encrypted and never shown: only the last four digits." }
        @if page.data.is_empty() {
            p { "No recipients in " (signed.mode.as_str()) " mode yet." }
        } @else {
            table #recipients {
                caption.hint { "Newest first." }
                thead { tr {
                    th scope="col" { "Name" } th scope="col" { "Email" } th scope="col" { "Bank account" }
                    th scope="col" { "Created" } th scope="col" { "Payouts" }
                } }
                tbody {
                    @for r in &page.data {
                        @let out = RecipientOut::from_record(r, signed.mode);
                        tr {
                            td { (out.name) br; code.hint { (out.id) } }
                            td { (out.email.clone().unwrap_or_default()) }
                            td { (out.bank_account.kind) " · " (out.bank_account.country) " · " (out.bank_account.currency) " · ····" (out.bank_account.last4) }
                            td { (when(r.created)) }
                            td { a href=(format!("{payouts}?recipient={}", out.id)) { "Payouts" } }
                        }
                    }
                }
            }
            (pager(
                |cursor| format!("{base}?{cursor}"),
                (page.data.first().map(|r| r.id.as_str()), page.data.last().map(|r| r.id.as_str())),
                page.has_more,
                (&p.after, &p.before),
            ))
        }
    };
    Ok(layout::page(&signed, "Recipients", "/recipients", content).into_response())
}

/// The recipients page under `mode` (`/test` or `/live`).
pub(crate) fn routes(mode: &str) -> Router<PortalState> {
    Router::new().route(&format!("{mode}/recipients"), get(list_recipients))
}
