//! The risk rules: every rule of the mode with what it watches, whether it is on, its action
//! and its limits; a role that may operate changes one (the engine's `update_risk_rule`,
//! audited). Amounts are entered in major units ("2500.00"). In live mode a change needs a
//! recent re-authentication: lifting a limit is as sensitive as a live key.

use axum::extract::rejection::FormRejection;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use maud::{html, Markup};

use anton_core::money::Currency;
use anton_core::risk::{Action as RiskAction, Limit, RuleConfig, RuleName};
use anton_core::team::Action;
use anton_engine::risk::RulePatch;

use crate::act;
use crate::error::PageError;
use crate::form::{checked, Fields, Proof};
use crate::layout::{self, csrf_field, money};
use crate::session::Signed;
use crate::PortalState;

fn base(signed: &Signed) -> String {
    format!("/{}/risk_rules", signed.mode.as_str())
}

/// `"2500"`, `"2500.5"`, `"2,500.00"` in minor units; `None` for anything else.
fn minor_units(typed: &str) -> Option<i64> {
    let t: String = typed.trim().chars().filter(|c| *c != ',').collect();
    let (units, cents) = match t.split_once('.') {
        Some((u, c)) if (1..=2).contains(&c.len()) => (u, format!("{c:0<2}")),
        Some(_) => return None,
        None => (t.as_str(), "00".to_owned()),
    };
    if units.is_empty() || !units.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if !cents.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    units
        .parse::<i64>()
        .ok()?
        .checked_mul(100)?
        .checked_add(cents.parse().ok()?)
}

/// A minor-unit amount as the form shows it (`2500.00`).
fn major(minor: i64) -> String {
    format!("{}.{:02}", minor / 100, minor % 100)
}

fn limits(c: &RuleConfig) -> Markup {
    html! {
        @match c.limit {
            Limit::Count(n) => { (n) }
            Limit::Amounts(a) => {
                @for (i, cur) in Currency::ALL.iter().enumerate() {
                    @if i > 0 { br; }
                    (money(a[i], cur.as_str()))
                }
            }
        }
    }
}

fn edit_form(signed: &Signed, rule: RuleName, c: &RuleConfig) -> Markup {
    let id = |what: &str| format!("{}-{what}", rule.as_str());
    html! {
        form method="post" action=(format!("{}/{}", base(signed), rule.as_str())) {
            (csrf_field(&signed.csrf))
            div.check {
                input id=(id("enabled")) type="checkbox" name="enabled" value="true" checked[c.enabled];
                label for=(id("enabled")) { "On" }
            }
            label for=(id("action")) { "Action" }
            select id=(id("action")) name="action" {
                @for a in RiskAction::ALL { option value=(a.as_str()) selected[a == c.action] { (a.as_str()) } }
            }
            @match c.limit {
                Limit::Count(n) => {
                    label for=(id("limit")) { @if rule == RuleName::AmountVsHistory { "Multiple" } @else { "Limit (count)" } }
                    input id=(id("limit")) type="number" name="limit" min="0" value=(n);
                }
                Limit::Amounts(a) => {
                    @for (i, cur) in Currency::ALL.iter().enumerate() {
                        label for=(id(cur.as_str())) { "Limit in " (cur.as_str()) }
                        input id=(id(cur.as_str())) type="text" inputmode="decimal" name=(format!("limit_{}", cur.as_str())) value=(major(a[i]));
                    }
                }
            }
            div.actions { button.secondary type="submit" { "Save " (rule.as_str()) } }
        }
    }
}

/// `GET /{mode}/risk_rules`.
pub(crate) async fn list_rules(
    State(state): State<PortalState>,
    signed: Signed,
) -> Result<Response, PageError> {
    signed.require(Action::View)?;
    let set = state.engine.risk_rules(&signed.tenant()).await?;
    let operate = signed.may(Action::Operate);
    let content = html! {
        h1 { "Risk rules" }
        p { "Every payout is checked against these rules when it is created. An alert lets it through and raises an alert; review holds it in the review queue; block refuses it." }
        @for rule in RuleName::ALL {
            @let c = set.get(rule);
            section.card aria-labelledby=(format!("rule-{}", rule.as_str())) {
                h2 id=(format!("rule-{}", rule.as_str())) { code { (rule.as_str()) } }
                p { "Fires when " (rule.meaning().replace('`', "")) }
                dl.facts {
                    dt { "State" } dd { @if c.enabled { "on" } @else { "off" } }
                    dt { "Action" } dd { (c.action.as_str()) }
                    dt { "Limit" } dd { (limits(&c)) }
                }
                @if operate { details { summary { "Change" } (edit_form(&signed, rule, &c)) } }
            }
        }
    };
    Ok(layout::page(&signed, "Risk rules", "/risk_rules", content).into_response())
}

/// `POST /{mode}/risk_rules/{rule}`.
pub(crate) async fn update_rule(
    State(state): State<PortalState>,
    signed: Signed,
    Path(rule): Path<String>,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Result<Response, PageError> {
    let fields = Fields::of(form)?;
    let back = base(&signed);
    let guard = (Proof::InLive, back.as_str());
    if let Some(prove) = checked(&state, &signed, fields.get("csrf"), Action::Operate, guard)? {
        return Ok(prove);
    }
    let rule = RuleName::parse(&rule).ok_or_else(PageError::not_found)?;
    let action = RiskAction::parse(fields.get("action"))
        .ok_or_else(|| PageError::bad("Choose alert, review or block."))?;
    let mut patch = RulePatch {
        enabled: Some(fields.get("enabled") == "true"),
        action: Some(action),
        ..RulePatch::default()
    };
    if rule.limits_amounts() {
        for cur in Currency::ALL {
            let typed = fields.get(&format!("limit_{}", cur.as_str()));
            let minor = minor_units(typed).ok_or_else(|| {
                PageError::bad(format!(
                    "The {} limit is an amount such as 2500.00.",
                    cur.as_str()
                ))
            })?;
            patch.limits.push((cur, minor));
        }
    } else {
        let n = fields
            .get("limit")
            .trim()
            .parse::<i64>()
            .ok()
            .ok_or_else(|| PageError::bad("The limit is a whole number."))?;
        patch.limit = Some(n);
    }
    let answer = state
        .engine
        .update_risk_rule(&signed.tenant(), rule, patch, act::mutation(&signed))
        .await?;
    act::outcome(answer)?;
    Ok(Redirect::to(&base(&signed)).into_response())
}

/// The risk rules pages under `mode` (`/test` or `/live`).
pub(crate) fn routes(mode: &str) -> Router<PortalState> {
    Router::new()
        .route(&format!("{mode}/risk_rules"), get(list_rules))
        .route(&format!("{mode}/risk_rules/{{rule}}"), post(update_rule))
}

#[cfg(test)]
mod tests {
    #[test]
    fn amounts_are_typed_in_major_units() {
        use super::minor_units as m;
        assert_eq!(m("2500"), Some(250_000));
        assert_eq!(m("2,500.5"), Some(250_050));
        assert_eq!(m(" 0.07 "), Some(7));
        assert_eq!(m("1.234"), None);
        assert_eq!(m("-5"), None);
        assert_eq!(m("abc"), None);
        assert_eq!(m(""), None);
        assert_eq!(m("99999999999999999999"), None);
    }
}
