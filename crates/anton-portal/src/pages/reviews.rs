//! The review queue: the mode's payouts a risk rule held (`requires_review`), oldest first,
//! each with the rules that fired and why, and — for a role that may operate in the mode —
//! approve and reject with a reason. The decision is the engine's `review_payout`, audited with
//! the member as its actor.

use axum::extract::rejection::FormRejection;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use maud::{html, Markup};
use serde::Deserialize;

use anton_core::id::PayoutId;
use anton_core::payout::PayoutStatus;
use anton_core::team::Action;
use anton_engine::objects::PayoutOut;
use anton_engine::payouts::PayoutQuery;
use anton_engine::risk::review::Decision;
use anton_engine::validate::ListQuery;
use anton_store::payouts::{PayoutFilter, PayoutRecord};

use crate::act;
use crate::error::PageError;
use crate::form::{checked, Proof};
use crate::layout::{self, csrf_field, money, when, when_text};
use crate::session::Signed;
use crate::PortalState;

/// Held payouts shown at once (the oldest expire first).
const QUEUE: i64 = 100;

fn base(signed: &Signed) -> String {
    format!("/{}/reviews", signed.mode.as_str())
}

fn decide_forms(signed: &Signed, p: &PayoutRecord) -> Markup {
    let action = format!("{}/{}", base(signed), p.id);
    html! {
        form.inline method="post" action=(action) {
            (csrf_field(&signed.csrf))
            label.visually-hidden for=(format!("reason-{}", p.id)) { "Reason for " (p.id) }
            input id=(format!("reason-{}", p.id)) type="text" name="reason" maxlength="500" placeholder="Reason (optional)";
            button type="submit" name="decision" value="approve" { "Approve" }
            button.danger type="submit" name="decision" value="reject" { "Reject" }
        }
    }
}

/// `GET /{mode}/reviews`.
pub(crate) async fn list_reviews(
    State(state): State<PortalState>,
    signed: Signed,
) -> Result<Response, PageError> {
    signed.require(Action::View)?;
    let query = PayoutQuery {
        list: ListQuery {
            limit: QUEUE,
            ..ListQuery::default()
        },
        filter: PayoutFilter {
            status: Some(PayoutStatus::RequiresReview),
            recipient: None,
        },
    };
    let mut held = state
        .engine
        .list_payouts(&signed.tenant(), &query)
        .await?
        .data;
    held.reverse();
    let operate = signed.may(Action::Operate);
    let payouts = format!("/{}/payouts", signed.mode.as_str());
    let content = html! {
        h1 { "Review queue" }
        p { "Payouts a risk rule held for a person to decide. Their amounts stay reserved until then; one nobody decides in time is rejected by Anton." }
        @if held.is_empty() {
            p #queue-empty { "Nothing is waiting for review." }
        } @else {
            table #queue {
                caption.hint { "Oldest first." }
                thead { tr {
                    th scope="col" { "Payout" } th.num scope="col" { "Amount" } th scope="col" { "Why it was held" }
                    th scope="col" { "Expires" }
                    @if operate { th scope="col" { "Decision" } }
                } }
                tbody {
                    @for p in &held {
                        @let out = PayoutOut::from_record(p, signed.mode);
                        tr {
                            td { a href=(format!("{payouts}/{}", p.id)) { code { (p.id) } } br; (when(p.created)) }
                            td.num { (money(p.amount, &p.currency)) }
                            td {
                                @if let Some(risk) = &out.risk {
                                    ul { @for f in &risk.fired { li { code { (f.rule) } ": " (f.explanation) } } }
                                }
                            }
                            td { @if let Some(r) = &out.review { (when_text(&r.expires)) } }
                            @if operate { td { (decide_forms(&signed, p)) } }
                        }
                    }
                }
            }
        }
    };
    Ok(layout::page(&signed, "Review queue", "/reviews", content).into_response())
}

#[derive(Deserialize)]
pub(crate) struct DecideForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    decision: String,
    #[serde(default)]
    reason: String,
}

/// `POST /{mode}/reviews/{id}`: approves or rejects a held payout.
pub(crate) async fn decide(
    State(state): State<PortalState>,
    signed: Signed,
    Path(id): Path<String>,
    form: Result<Form<DecideForm>, FormRejection>,
) -> Result<Response, PageError> {
    let Form(form) = form.map_err(|_| PageError::bad("The form's fields could not be read."))?;
    checked(
        &state,
        &signed,
        &form.csrf,
        Action::Operate,
        (Proof::Never, ""),
    )?;
    let decision = match form.decision.as_str() {
        "approve" => Decision::Approve,
        "reject" => Decision::Reject,
        _ => return Err(PageError::bad("Choose approve or reject.")),
    };
    let id = PayoutId::parse(&id).map_err(|_| PageError::not_found())?;
    let reason = Some(form.reason.trim().to_owned()).filter(|r| !r.is_empty());
    let answer = state
        .engine
        .review_payout(
            &signed.tenant(),
            id,
            (decision, reason),
            act::mutation(&signed),
        )
        .await?;
    act::outcome(answer)?;
    Ok(Redirect::to(&base(&signed)).into_response())
}

/// The review queue under `mode` (`/test` or `/live`).
pub(crate) fn routes(mode: &str) -> Router<PortalState> {
    Router::new()
        .route(&format!("{mode}/reviews"), get(list_reviews))
        .route(&format!("{mode}/reviews/{{id}}"), post(decide))
}
