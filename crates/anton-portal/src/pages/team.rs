//! The team: its members and open invitations for everyone to see; for owners, inviting
//! (the link shown once and, with an SMTP relay, emailed), revoking an invitation, changing a
//! role and removing a member — each behind a recent re-authentication, each audited with the owner as its actor.

use axum::extract::rejection::FormRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use maud::{html, Markup};
use serde::Deserialize;

use anton_core::id::{InvitationId, MemberId};
use anton_core::team::{Action, Role};
use anton_core::time::Timestamp;
use anton_engine::alerts::email::Mail;
use anton_engine::team::Member;

use crate::act;
use crate::error::PageError;
use crate::form::{checked, Proof};
use crate::layout::{self, csrf_field, when};
use crate::session::Signed;
use crate::PortalState;

fn base(signed: &Signed) -> String {
    format!("/{}/team", signed.mode.as_str())
}

fn at(us: i64) -> Markup {
    when(Timestamp::from_unix_micros(us))
}

fn role_select(id: &str, selected: Role) -> Markup {
    html! {
        select id=(id) name="role" {
            @for r in Role::ALL {
                option value=(r.as_str()) selected[r == selected] { (r.as_str()) }
            }
        }
    }
}

fn member_row(signed: &Signed, m: &Member, manage: bool) -> Markup {
    let base = base(signed);
    html! {
        tr {
            td { (m.email) @if m.id == signed.session.member.id { " (you)" } }
            td { (m.role.as_str()) }
            td { (at(m.created_us)) }
            @if manage {
                td {
                    form.inline method="post" action=(format!("{base}/{}/role", m.id)) {
                        (csrf_field(&signed.csrf))
                        label.visually-hidden for=(format!("role-{}", m.id)) { "Role of " (m.email) }
                        (role_select(&format!("role-{}", m.id), m.role))
                        button.secondary type="submit" { "Change role" }
                    }
                    form.inline method="post" action=(format!("{base}/{}/remove", m.id)) {
                        (csrf_field(&signed.csrf))
                        button.danger type="submit" aria-label=(format!("Remove {}", m.email)) { "Remove" }
                    }
                }
            }
        }
    }
}

/// `GET /{mode}/team`.
pub(crate) async fn show_team(
    State(state): State<PortalState>,
    signed: Signed,
) -> Result<Response, PageError> {
    signed.require(Action::View)?;
    let merchant = &signed.session.member.merchant_id;
    let members = state.engine.members(merchant).await?;
    let invitations = state.engine.open_invitations(merchant).await?;
    let manage = signed.may(Action::ManageTeam);
    let base = base(&signed);
    let content = html! {
        h1 { "Team" }
        p { "Everyone signs in with a password and a code from an authenticator app. Roles decide what each member may do: owners everything; admins keys (test mode), endpoints, payouts and reviews; developers test mode, and read live mode; analysts read only, without keys." }
        @if manage {
            section.card aria-labelledby="invite" {
                h2 #invite { "Invite someone" }
                form method="post" action=(format!("{base}/invitations")) {
                    (csrf_field(&signed.csrf))
                    label for="invite-email" { "Email" }
                    input #invite-email type="email" name="email" required;
                    label for="invite-role" { "Role" }
                    (role_select("invite-role", Role::Developer))
                    div.actions { button type="submit" { "Create invitation" } }
                }
            }
        }
        table #members {
            caption.hint { "Members" }
            thead { tr {
                th scope="col" { "Email" } th scope="col" { "Role" } th scope="col" { "Joined" }
                @if manage { th scope="col" { "Actions" } }
            } }
            tbody { @for m in &members { (member_row(&signed, m, manage)) } }
        }
        @if !invitations.is_empty() {
            h2 { "Open invitations" }
            table #invitations {
                thead { tr {
                    th scope="col" { "Email" } th scope="col" { "Role" } th scope="col" { "Sent" } th scope="col" { "Expires" }
                    @if manage { th scope="col" { "Actions" } }
                } }
                tbody {
                    @for i in &invitations {
                        tr {
                            td { (i.email) } td { (i.role.as_str()) } td { (at(i.created_us)) } td { (at(i.expires_us)) }
                            @if manage {
                                td {
                                    form.inline method="post" action=(format!("{base}/invitations/{}/revoke", i.id)) {
                                        (csrf_field(&signed.csrf))
                                        button.danger type="submit" aria-label=(format!("Revoke the invitation to {}", i.email)) { "Revoke" }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    Ok(layout::page(&signed, "Team", "/team", content).into_response())
}

/// The checks every team change makes: the form's CSRF token, the owner's role, a recent
/// proof of password and code (else the way to give it).
fn guard(state: &PortalState, signed: &Signed, csrf: &str) -> Result<Option<Response>, PageError> {
    let back = base(signed);
    checked(
        state,
        signed,
        csrf,
        Action::ManageTeam,
        (Proof::Always, &back),
    )
}

#[derive(Deserialize)]
pub(crate) struct InviteForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    role: String,
}

/// The portal's address for links: `portal.public_url`, else the host this request was sent
/// to (HTTP/2's `:authority`, HTTP/1.1's `Host`).
fn public_base(state: &PortalState, uri: &Uri, headers: &HeaderMap) -> String {
    if let Some(url) = &state.engine.config().team.public_url {
        return url.trim_end_matches('/').to_owned();
    }
    let host = uri
        .authority()
        .map(|a| a.as_str().to_owned())
        .or_else(|| {
            headers
                .get(axum::http::header::HOST)
                .and_then(|h| h.to_str().ok())
                .map(str::to_owned)
        })
        .unwrap_or_else(|| "localhost".into());
    format!("https://{host}")
}

/// `POST /{mode}/team/invitations`: the invitation link, shown once (and emailed when a relay
/// is configured).
pub(crate) async fn invite(
    State(state): State<PortalState>,
    signed: Signed,
    uri: Uri,
    headers: HeaderMap,
    form: Result<Form<InviteForm>, FormRejection>,
) -> Result<Response, PageError> {
    let Form(form) = form.map_err(|_| PageError::bad("The form's fields could not be read."))?;
    if let Some(prove) = guard(&state, &signed, &form.csrf)? {
        return Ok(prove);
    }
    let role = Role::parse(&form.role).ok_or_else(|| PageError::bad("Choose a role."))?;
    let inv = state
        .engine
        .invite_member(
            &signed.session.member.merchant_id,
            &form.email,
            role,
            &act::actor(&signed),
        )
        .await?;
    let link = format!(
        "{}/invitations/{}",
        public_base(&state, &uri, &headers),
        inv.token.expose_secret()
    );
    let mut emailed = false;
    if let Some(mailer) = &state.mailer {
        let mail = Mail {
            to: vec![inv.email.clone()],
            subject: format!(
                "[Anton] {} invites you to their team",
                signed.session.merchant_name
            ),
            text: format!(
                "{} invites you to join {} on Anton as {role}.\n\nOpen this link to choose a \
                 password and set up two-factor codes:\n{link}\n\nThe link works once, until {}. \
                 If you did not expect it, ignore this email.\n",
                signed.session.member.email,
                signed.session.merchant_name,
                Timestamp::from_unix_micros(inv.expires_us).to_rfc3339(),
            ),
        };
        match mailer.send(mail).await {
            Ok(()) => emailed = true,
            Err(e) => tracing::warn!(error = %e, "the invitation email was not sent"),
        }
    }
    let content = html! {
        h1 { "Invitation for " (inv.email) }
        section.card aria-labelledby="link" {
            h2 #link { "The invitation link" }
            @if emailed {
                p { "It has been emailed to " (inv.email) "." }
            } @else {
                p.notice { "No email relay is configured: give this link to " (inv.email) " yourself, over a channel you trust. It is shown only now." }
            }
            p { code #invitation-link.secret { (link) } }
            p { "It works once, as " (role.as_str()) ", until " (at(inv.expires_us)) "." }
        }
        p { a href=(base(&signed)) { "Back to the team" } }
    };
    Ok(layout::page(&signed, "Invitation", "/team", content).into_response())
}

#[derive(Deserialize)]
pub(crate) struct RoleForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    role: String,
}

fn member_id(id: &str) -> Result<MemberId, PageError> {
    MemberId::parse(id).map_err(|_| PageError::not_found())
}

/// `POST /{mode}/team/{id}/role`.
pub(crate) async fn change_role(
    State(state): State<PortalState>,
    signed: Signed,
    Path(id): Path<String>,
    form: Result<Form<RoleForm>, FormRejection>,
) -> Result<Response, PageError> {
    let Form(form) = form.map_err(|_| PageError::bad("The form's fields could not be read."))?;
    if let Some(prove) = guard(&state, &signed, &form.csrf)? {
        return Ok(prove);
    }
    let role = Role::parse(&form.role).ok_or_else(|| PageError::bad("Choose a role."))?;
    let id = member_id(&id)?;
    state
        .engine
        .change_member_role(
            &signed.session.member.merchant_id,
            &id,
            role,
            &act::actor(&signed),
        )
        .await?;
    Ok(Redirect::to(&base(&signed)).into_response())
}

/// `POST /{mode}/team/{id}/remove`.
pub(crate) async fn remove(
    State(state): State<PortalState>,
    signed: Signed,
    Path(id): Path<String>,
    form: Result<Form<crate::form::CsrfOnly>, FormRejection>,
) -> Result<Response, PageError> {
    let csrf = crate::form::csrf_only(form)?;
    if let Some(prove) = guard(&state, &signed, &csrf)? {
        return Ok(prove);
    }
    let id = member_id(&id)?;
    state
        .engine
        .remove_member(
            &signed.session.member.merchant_id,
            &id,
            &act::actor(&signed),
        )
        .await?;
    Ok(Redirect::to(&base(&signed)).into_response())
}

/// `POST /{mode}/team/invitations/{id}/revoke`: the link stops working at once.
pub(crate) async fn revoke_invitation(
    State(state): State<PortalState>,
    signed: Signed,
    Path(id): Path<String>,
    form: Result<Form<crate::form::CsrfOnly>, FormRejection>,
) -> Result<Response, PageError> {
    let csrf = crate::form::csrf_only(form)?;
    if let Some(prove) = guard(&state, &signed, &csrf)? {
        return Ok(prove);
    }
    let id = InvitationId::parse(&id).map_err(|_| PageError::not_found())?;
    state
        .engine
        .revoke_invitation(
            &signed.session.member.merchant_id,
            &id,
            &act::actor(&signed),
        )
        .await?;
    Ok(Redirect::to(&base(&signed)).into_response())
}

/// The team pages under `mode` (`/test` or `/live`; the team is the same in both).
pub(crate) fn routes(mode: &str) -> Router<PortalState> {
    Router::new()
        .route(&format!("{mode}/team"), get(show_team))
        .route(&format!("{mode}/team/invitations"), post(invite))
        .route(&format!("{mode}/team/{{id}}/role"), post(change_role))
        .route(&format!("{mode}/team/{{id}}/remove"), post(remove))
        .route(
            &format!("{mode}/team/invitations/{{id}}/revoke"),
            post(revoke_invitation),
        )
}
