//! Signing in and out, and joining a team from an invitation link.

use axum::extract::rejection::FormRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{AppendHeaders, IntoResponse, Redirect, Response};
use axum::Form;
use maud::{html, Markup};
use serde::Deserialize;

use anton_engine::team::sessions::Credentials;
use anton_engine::team::{Acceptance, OpenInvitation};
use anton_engine::EngineError;

use crate::error::PageError;
use crate::layout::{self, csrf_field};
use crate::session::{local_path, set_cookie, Anonymous, Signed, PRE_COOKIE, SESSION_COOKIE};
use crate::PortalState;

/// A form that did not parse (a field of the wrong shape): 400.
fn bad_form(_: FormRejection) -> PageError {
    PageError::bad("The form's fields could not be read. Reload the page and try again.")
}

#[derive(Deserialize)]
pub(crate) struct LoginForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    code: String,
}

fn login_form(anon: &Anonymous, email: &str, error: Option<&str>) -> Markup {
    layout::bare(
        "Sign in",
        html! {
            h1 { "Sign in" }
            @if let Some(error) = error {
                p.error role="alert" { (error) }
            }
            form.card method="post" action="/login" {
                (csrf_field(&anon.pre))
                label for="email" { "Email" }
                input #email type="email" name="email" value=(email) autocomplete="username" required;
                label for="password" { "Password" }
                input #password type="password" name="password" autocomplete="current-password" required;
                label for="code" { "Code from your authenticator app" }
                input #code type="text" name="code" inputmode="numeric" autocomplete="one-time-code" aria-describedby="code-hint" required;
                p.hint #code-hint { "Six digits, or one of your recovery codes." }
                div.actions { button type="submit" { "Sign in" } }
            }
        },
    )
}

/// `GET /login`.
pub(crate) async fn login_page(anon: Anonymous) -> Response {
    let page = login_form(&anon, "", None);
    match anon.cookie_header() {
        Some(c) => ([c], page).into_response(),
        None => page.into_response(),
    }
}

/// `POST /login`: a new session on success (the cookie replaced, the pre-session value
/// dropped), else the form again with why.
pub(crate) async fn login(
    State(state): State<PortalState>,
    anon: Anonymous,
    form: Result<Form<LoginForm>, FormRejection>,
) -> Result<Response, PageError> {
    let Form(form) = form.map_err(bad_form)?;
    anon.check_csrf(&form.csrf)?;
    let creds = Credentials {
        email: form.email.clone(),
        password: form.password,
        code: form.code,
        source_ip: anon.client_ip,
    };
    match state
        .engine
        .sign_in(creds, anon.held_session.as_deref())
        .await
    {
        // Appended: two Set-Cookie headers (an array of headers would keep only the last).
        Ok((token, _member)) => Ok((
            AppendHeaders([
                set_cookie(SESSION_COOKIE, Some(token.expose_secret())),
                set_cookie(PRE_COOKIE, None),
            ]),
            Redirect::to("/test"),
        )
            .into_response()),
        Err(e) if matches!(e.code(), "login_failed" | "login_throttled") => {
            let status = if e.code() == "login_throttled" {
                StatusCode::TOO_MANY_REQUESTS
            } else {
                StatusCode::UNAUTHORIZED
            };
            Ok((status, login_form(&anon, &form.email, Some(&e.to_string()))).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /logout`: ends the session; its cookie is deleted and would sign in no more.
pub(crate) async fn logout(
    State(state): State<PortalState>,
    signed: Signed,
    form: Result<Form<crate::form::CsrfOnly>, FormRejection>,
) -> Result<Response, PageError> {
    let csrf = crate::form::csrf_only(form)?;
    signed.check_csrf(&csrf)?;
    state.engine.sign_out(signed.token()).await?;
    Ok(([set_cookie(SESSION_COOKIE, None)], Redirect::to("/login")).into_response())
}

fn invitation_not_valid(e: EngineError) -> PageError {
    if e.code() == "invitation_invalid" {
        PageError::new(StatusCode::NOT_FOUND, "Invitation not valid", e.to_string())
    } else {
        e.into()
    }
}

/// The QR code of the enrolment URI, as inline SVG (no script, no request).
pub(crate) fn qr_svg(uri: &str) -> Markup {
    let Ok(code) = qrcode::QrCode::new(uri.as_bytes()) else {
        return html! {};
    };
    let svg = code
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(200, 200)
        .build();
    // The renderer writes an XML declaration first; HTML wants the element alone.
    let svg = svg
        .find("<svg")
        .map_or(String::new(), |i| svg[i..].to_owned());
    layout::trusted_svg(svg)
}

#[derive(Deserialize)]
pub(crate) struct AcceptForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    password_confirm: String,
    #[serde(default)]
    code: String,
}

fn accept_form(
    anon: &Anonymous,
    token: &str,
    inv: &OpenInvitation,
    error: Option<&str>,
) -> Result<Markup, PageError> {
    let uri = inv.totp.uri(&inv.email)?;
    Ok(layout::bare(
        "Join the team",
        html! {
            h1 { "Join " (inv.merchant_name) " on Anton" }
            p { "You are invited as " strong { (inv.role.as_str()) } " with the email " strong { (inv.email) } "." }
            @if let Some(error) = error {
                p.error role="alert" { (error) }
            }
            form.card method="post" action=(format!("/invitations/{token}")) {
                (csrf_field(&anon.pre))
                h2 { "1. Choose a password" }
                label for="password" { "Password" }
                input #password type="password" name="password" autocomplete="new-password" minlength="12" maxlength="128" aria-describedby="password-hint" required;
                p.hint #password-hint { "At least 12 characters and hard to guess: a few unrelated words work well." }
                label for="password_confirm" { "Password again" }
                input #password_confirm type="password" name="password_confirm" autocomplete="new-password" required;
                h2 { "2. Set up two-factor codes" }
                p { "Scan this code with an authenticator app (any app that supports TOTP), or type the key below into it." }
                div.qr role="img" aria-label="QR code for your authenticator app" { (qr_svg(&uri)) }
                p { "Key: " code #totp-secret.secret { (inv.totp.base32()) } }
                label for="code" { "The six-digit code your app shows" }
                input #code type="text" name="code" inputmode="numeric" autocomplete="one-time-code" required;
                div.actions { button type="submit" { "Join the team" } }
            }
        },
    ))
}

/// `GET /invitations/{token}`: the accept page.
pub(crate) async fn invitation_page(
    State(state): State<PortalState>,
    anon: Anonymous,
    Path(token): Path<String>,
) -> Result<Response, PageError> {
    let inv = state
        .engine
        .open_invitation(&token)
        .await
        .map_err(invitation_not_valid)?;
    let page = accept_form(&anon, &token, &inv, None)?;
    Ok(match anon.cookie_header() {
        Some(c) => ([c], page).into_response(),
        None => page.into_response(),
    })
}

/// `POST /invitations/{token}`: joins the team, and shows the recovery codes once.
pub(crate) async fn accept_invitation(
    State(state): State<PortalState>,
    anon: Anonymous,
    Path(token): Path<String>,
    form: Result<Form<AcceptForm>, FormRejection>,
) -> Result<Response, PageError> {
    let Form(form) = form.map_err(bad_form)?;
    anon.check_csrf(&form.csrf)?;
    let again = |error: String, inv: &OpenInvitation| -> Result<Response, PageError> {
        let page = accept_form(&anon, &token, inv, Some(&error))?;
        Ok((StatusCode::BAD_REQUEST, page).into_response())
    };
    let inv = state
        .engine
        .open_invitation(&token)
        .await
        .map_err(invitation_not_valid)?;
    if form.password != form.password_confirm {
        return again("The two passwords are not the same.".into(), &inv);
    }
    let acceptance = Acceptance {
        password: form.password,
        code: form.code,
        source_ip: anon.client_ip.map(|ip| ip.to_string()),
    };
    let joined = match state.engine.accept_invitation(&token, acceptance).await {
        Ok(j) => j,
        Err(e @ EngineError::Invalid { .. }) if e.code() != "invitation_invalid" => {
            return again(e.to_string(), &inv)
        }
        Err(e) => return Err(invitation_not_valid(e)),
    };
    let page = layout::bare(
        "Welcome",
        html! {
            h1 { "You have joined " (inv.merchant_name) }
            section.card aria-labelledby="codes" {
                h2 #codes { "Your recovery codes" }
                p.notice { "Keep these somewhere safe: each signs you in once if you lose your authenticator app. They are shown only now." }
                ul.codes #recovery-codes {
                    @for c in &joined.recovery_codes { li { (c) } }
                }
            }
            p { a href="/login" { "Continue to sign in" } }
        },
    );
    Ok(page.into_response())
}

#[derive(Deserialize)]
pub(crate) struct Next {
    #[serde(default)]
    next: String,
}

fn reauth_form(signed: &Signed, next: &str, error: Option<&str>) -> Markup {
    layout::page(
        signed,
        "Confirm it is you",
        "",
        html! {
            h1 { "Confirm it is you" }
            p { "This action needs your password and a code again (you last gave them more than a few minutes ago)." }
            @if let Some(error) = error {
                p.error role="alert" { (error) }
            }
            form.card method="post" action="/reauth" {
                (csrf_field(&signed.csrf))
                input type="hidden" name="next" value=(next);
                label for="password" { "Password" }
                input #password type="password" name="password" autocomplete="current-password" required;
                label for="code" { "Code from your authenticator app" }
                input #code type="text" name="code" inputmode="numeric" autocomplete="one-time-code" required;
                div.actions { button type="submit" { "Confirm" } }
            }
        },
    )
}

/// `GET /reauth?next=…`: the password-and-code form sensitive actions send a member to.
pub(crate) async fn reauth_page(
    signed: Signed,
    axum::extract::Query(q): axum::extract::Query<Next>,
) -> Response {
    reauth_form(&signed, local_path(&q.next), None).into_response()
}

#[derive(Deserialize)]
pub(crate) struct ReauthForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    next: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    code: String,
}

/// `POST /reauth`: proves password and code again, then back to `next`.
pub(crate) async fn reauth(
    State(state): State<PortalState>,
    signed: Signed,
    form: Result<Form<ReauthForm>, FormRejection>,
) -> Result<Response, PageError> {
    let Form(form) = form.map_err(bad_form)?;
    signed.check_csrf(&form.csrf)?;
    let next = local_path(&form.next).to_owned();
    let creds = Credentials {
        email: String::new(),
        password: form.password,
        code: form.code,
        source_ip: signed.client_ip,
    };
    match state.engine.reauthenticate(&signed.session, creds).await {
        Ok(()) => Ok(Redirect::to(&next).into_response()),
        Err(e) if matches!(e.code(), "login_failed" | "login_throttled") => {
            let status = if e.code() == "login_throttled" {
                StatusCode::TOO_MANY_REQUESTS
            } else {
                StatusCode::UNAUTHORIZED
            };
            Ok((status, reauth_form(&signed, &next, Some(&e.to_string()))).into_response())
        }
        Err(e) => Err(e.into()),
    }
}
