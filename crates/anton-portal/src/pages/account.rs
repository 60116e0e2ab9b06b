//! The member's own account, for every role: who they are, a new password, a new
//! authenticator app, new recovery codes. Each change asks for a recent proof of password and
//! code first (the re-authentication page), and each is audited with the member as actor.

use axum::extract::rejection::FormRejection;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use maud::{html, Markup};
use serde::Deserialize;

use anton_core::team::Action;
use anton_core::time::Timestamp;
use anton_engine::team::account::Enrolment;
use anton_engine::EngineError;

use crate::act;
use crate::error::PageError;
use crate::form::{checked, Proof};
use crate::layout::{self, csrf_field, when};
use crate::pages::auth::qr_svg;
use crate::session::Signed;
use crate::PortalState;

fn base(signed: &Signed) -> String {
    format!("/{}/account", signed.mode.as_str())
}

/// Every change: the CSRF token, and a recent proof of password and code (else the way to
/// give it, back to `back`). Every role manages its own account.
fn guard(
    state: &PortalState,
    signed: &Signed,
    csrf: &str,
    back: &str,
) -> Result<Option<Response>, PageError> {
    checked(state, signed, csrf, Action::View, (Proof::Always, back))
}

fn account_page(signed: &Signed, codes_left: i64, error: Option<&str>) -> Markup {
    let m = &signed.session.member;
    let base = base(signed);
    let content = html! {
        h1 { "Your account" }
        dl.facts {
            dt { "Email" } dd { (m.email) }
            dt { "Role" } dd { (m.role.as_str()) }
            dt { "Member since" } dd { (when(Timestamp::from_unix_micros(m.created_us))) }
            dt { "Recovery codes left" } dd #codes-left { (codes_left) }
        }
        @if let Some(error) = error {
            p.error role="alert" { (error) }
        }
        p { "Each change below asks for your password and a code again if you have not given them in the last few minutes." }
        section.card aria-labelledby="password-title" {
            h2 #password-title { "Change your password" }
            p { "Your other sessions end: whoever holds your old password loses what it opened." }
            form method="post" action=(format!("{base}/password")) {
                (csrf_field(&signed.csrf))
                label for="new-password" { "New password" }
                input #new-password type="password" name="password" autocomplete="new-password" minlength="12" maxlength="128" aria-describedby="new-password-hint" required;
                p.hint #new-password-hint { "At least 12 characters and hard to guess: a few unrelated words work well." }
                label for="new-password-confirm" { "New password again" }
                input #new-password-confirm type="password" name="password_confirm" autocomplete="new-password" required;
                div.actions { button type="submit" { "Change password" } }
            }
        }
        section.card aria-labelledby="totp-title" {
            h2 #totp-title { "Authenticator app" }
            p { "Moving to a new phone or app? Set it up here: codes from the old app stop working once the new one is confirmed, and your other sessions end." }
            p { a href=(format!("{base}/totp")) { "Set up a new authenticator app" } }
        }
        section.card aria-labelledby="recovery-title" {
            h2 #recovery-title { "Recovery codes" }
            p { "Each recovery code signs you in once when you do not have your app. New codes replace every unused old one." }
            form method="post" action=(format!("{base}/recovery_codes")) {
                (csrf_field(&signed.csrf))
                div.actions { button.secondary type="submit" { "Make new recovery codes" } }
            }
        }
    };
    layout::page(signed, "Your account", "/account", content)
}

/// `GET /{mode}/account`.
pub(crate) async fn show(
    State(state): State<PortalState>,
    signed: Signed,
) -> Result<Response, PageError> {
    let left = state
        .engine
        .recovery_codes_left(&signed.session.member)
        .await?;
    Ok(account_page(&signed, left, None).into_response())
}

/// A refusal of the member's input (a weak password, two that differ) on the page again, 400.
async fn again(state: &PortalState, signed: &Signed, error: &str) -> Result<Response, PageError> {
    let left = state
        .engine
        .recovery_codes_left(&signed.session.member)
        .await?;
    let page = account_page(signed, left, Some(error));
    Ok((StatusCode::BAD_REQUEST, page).into_response())
}

fn done(signed: &Signed, title: &str, content: Markup) -> Response {
    let content = html! {
        h1 { (title) }
        (content)
        p { a href=(base(signed)) { "Back to your account" } }
    };
    layout::page(signed, title, "/account", content).into_response()
}

#[derive(Deserialize)]
pub(crate) struct PasswordForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    password_confirm: String,
}

/// `POST /{mode}/account/password`.
pub(crate) async fn change_password(
    State(state): State<PortalState>,
    signed: Signed,
    form: Result<Form<PasswordForm>, FormRejection>,
) -> Result<Response, PageError> {
    let Form(form) = form.map_err(|_| PageError::bad("The form's fields could not be read."))?;
    if let Some(prove) = guard(&state, &signed, &form.csrf, &base(&signed))? {
        return Ok(prove);
    }
    if form.password != form.password_confirm {
        return again(&state, &signed, "The two passwords are not the same.").await;
    }
    let actor = act::actor(&signed);
    match state
        .engine
        .change_password(&signed.session, form.password, &actor)
        .await
    {
        Ok(()) => Ok(done(
            &signed,
            "Password changed",
            html! { p.notice role="status" { "Your password is changed. Your other sessions have ended; this one goes on." } },
        )),
        Err(e @ EngineError::Invalid { .. }) => again(&state, &signed, &e.to_string()).await,
        Err(e) => Err(e.into()),
    }
}

fn totp_page(
    signed: &Signed,
    enrolment: &Enrolment,
    error: Option<&str>,
) -> Result<Markup, PageError> {
    let email = &signed.session.member.email;
    let uri = enrolment.secret.uri(email)?;
    let content = html! {
        h1 { "Set up a new authenticator app" }
        @if let Some(error) = error {
            p.error role="alert" { (error) }
        }
        form.card method="post" action=(format!("{}/totp", base(signed))) {
            (csrf_field(&signed.csrf))
            input type="hidden" name="enrolment" value=(enrolment.sealed);
            p { "Scan this code with the new app, or type the key below into it. Your current app keeps working until you confirm." }
            div.qr role="img" aria-label="QR code for your new authenticator app" { (qr_svg(&uri)) }
            p { "Key: " code #totp-secret.secret { (enrolment.secret.base32()) } }
            label for="code" { "The six-digit code the new app shows" }
            input #code type="text" name="code" inputmode="numeric" autocomplete="one-time-code" required;
            div.actions { button type="submit" { "Confirm the new app" } }
        }
        p { a href=(base(signed)) { "Keep the current app" } }
    };
    Ok(layout::page(
        signed,
        "New authenticator app",
        "/account",
        content,
    ))
}

/// `GET /{mode}/account/totp`: a new secret to enrol (after a recent proof).
pub(crate) async fn totp_start(
    State(state): State<PortalState>,
    signed: Signed,
) -> Result<Response, PageError> {
    let here = format!("{}/totp", base(&signed));
    if let Some(prove) = signed.recent_proof(&state, &here) {
        return Ok(prove);
    }
    let enrolment = state.engine.begin_totp_enrolment(&signed.session);
    Ok(totp_page(&signed, &enrolment, None)?.into_response())
}

#[derive(Deserialize)]
pub(crate) struct TotpForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    enrolment: String,
    #[serde(default)]
    code: String,
}

/// `POST /{mode}/account/totp`: the new app's code confirms it.
pub(crate) async fn totp_confirm(
    State(state): State<PortalState>,
    signed: Signed,
    form: Result<Form<TotpForm>, FormRejection>,
) -> Result<Response, PageError> {
    let Form(form) = form.map_err(|_| PageError::bad("The form's fields could not be read."))?;
    let here = format!("{}/totp", base(&signed));
    if let Some(prove) = guard(&state, &signed, &form.csrf, &here)? {
        return Ok(prove);
    }
    let actor = act::actor(&signed);
    let engine = &state.engine;
    match engine
        .reenrol_totp(&signed.session, &form.enrolment, &form.code, &actor)
        .await
    {
        Ok(()) => Ok(done(
            &signed,
            "New authenticator app set up",
            html! { p.notice role="status" { "Sign in with codes from the new app from now on. Your other sessions have ended; this one goes on." } },
        )),
        Err(e) if e.code() == "code_invalid" => {
            let enrolment = engine.reopen_totp_enrolment(&signed.session, &form.enrolment)?;
            let page = totp_page(&signed, &enrolment, Some(&e.to_string()))?;
            Ok((StatusCode::BAD_REQUEST, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /{mode}/account/recovery_codes`: ten new codes, shown once.
pub(crate) async fn new_recovery_codes(
    State(state): State<PortalState>,
    signed: Signed,
    form: Result<Form<crate::form::CsrfOnly>, FormRejection>,
) -> Result<Response, PageError> {
    let csrf = crate::form::csrf_only(form)?;
    if let Some(prove) = guard(&state, &signed, &csrf, &base(&signed))? {
        return Ok(prove);
    }
    let codes = state
        .engine
        .regenerate_recovery_codes(&signed.session, &act::actor(&signed))
        .await?;
    Ok(done(
        &signed,
        "New recovery codes",
        html! {
            p.notice { "Keep these somewhere safe: each signs you in once if you lose your authenticator app. They are shown only now; your old codes no longer work." }
            ul.codes #recovery-codes { @for c in &codes.0 { li { (c) } } }
        },
    ))
}

/// The account pages under `mode` (the account is the same in both).
pub(crate) fn routes(mode: &str) -> Router<PortalState> {
    Router::new()
        .route(&format!("{mode}/account"), get(show))
        .route(&format!("{mode}/account/password"), post(change_password))
        .route(
            &format!("{mode}/account/totp"),
            get(totp_start).post(totp_confirm),
        )
        .route(
            &format!("{mode}/account/recovery_codes"),
            post(new_recovery_codes),
        )
}
