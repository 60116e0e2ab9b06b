//! Managing webhook endpoints (roles that may operate in the mode): create one subscribed to
//! event types picked from the catalogue (its signing secret shown once), enable or disable it,
//! rotate its secret (behind a recent re-authentication; the new secret shown once), and send it
//! a test event now. Every action is the engine's, as the API's.

use std::sync::Arc;

use axum::extract::rejection::FormRejection;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::post;
use axum::{Form, Router};
use maud::{html, Markup};

use anton_core::event::EventType;
use anton_core::id::WebhookEndpointId;
use anton_core::team::Action;
use anton_engine::webhooks::endpoints::{EndpointChanges, NewEndpoint};

use crate::act;
use crate::error::PageError;
use crate::form::{checked, Fields, Proof};
use crate::layout::{self, csrf_field};
use crate::session::Signed;
use crate::PortalState;

/// How long the previous secret keeps signing after a rotation, in seconds.
const OVERLAPS: [(i64, &str); 3] = [
    (0, "Stop the old secret now"),
    (3600, "Keep the old secret 1 hour"),
    (86_400, "Keep the old secret 24 hours"),
];

fn base(signed: &Signed) -> String {
    format!("/{}/webhooks", signed.mode.as_str())
}

fn endpoint_id(id: &str) -> Result<WebhookEndpointId, PageError> {
    WebhookEndpointId::parse(id).map_err(|_| PageError::not_found())
}

/// The create form, for the endpoints list.
pub(crate) fn create_form(signed: &Signed) -> Markup {
    html! {
        section.card aria-labelledby="new-endpoint" {
            h2 #new-endpoint { "Add an endpoint" }
            form method="post" action=(base(signed)) {
                (csrf_field(&signed.csrf))
                label for="endpoint-url" { "URL" }
                input #endpoint-url type="url" name="url" placeholder="https://example.com/webhooks/anton" required aria-describedby="url-hint";
                p.hint #url-hint { "HTTPS, on a public address. Deliveries come from the published egress addresses." }
                label for="endpoint-description" { "Description (optional)" }
                input #endpoint-description type="text" name="description" maxlength="500";
                fieldset {
                    legend { "Events to send" }
                    div.check {
                        input #event-all type="checkbox" name="event" value="*";
                        label for="event-all" { "Every event, including types added later" }
                    }
                    @for t in EventType::ALL {
                        @let id = format!("event-{}", t.as_str().replace('.', "-"));
                        div.check {
                            input id=(id) type="checkbox" name="event" value=(t.as_str());
                            label for=(id) title=(t.description()) { code { (t.as_str()) } }
                        }
                    }
                }
                label for="endpoint-scheme" { "Signature" }
                select #endpoint-scheme name="signature_scheme" {
                    option value="hmac_sha256" { "HMAC-SHA256 with a shared secret (Anton-Signature)" }
                    option value="ed25519" { "Ed25519 key pair (you verify with the public key)" }
                }
                div.actions { button type="submit" { "Add endpoint" } }
            }
        }
    }
}

/// The page that shows a new signing secret, once.
fn secret_page(signed: &Signed, title: &str, secret: &str, back: &str) -> Response {
    let content = html! {
        h1 { (title) }
        section.card aria-labelledby="secret-heading" {
            h2 #secret-heading { "Copy the signing secret now" }
            p.notice { "This is the only time it is shown. Your receiver verifies every delivery's signature with it (or, for Ed25519, with the endpoint's public key)." }
            p { code #signing-secret.secret { (secret) } }
        }
        p { a href=(back) { "Continue" } }
    };
    layout::page(signed, title, "/webhooks", content).into_response()
}

/// `POST /{mode}/webhooks`: a new endpoint.
pub(crate) async fn create_endpoint(
    State(state): State<PortalState>,
    signed: Signed,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Result<Response, PageError> {
    let fields = Fields::of(form)?;
    checked(
        &state,
        &signed,
        fields.get("csrf"),
        Action::Operate,
        (Proof::Never, ""),
    )?;
    let events: Vec<String> = fields.all("event").map(str::to_owned).collect();
    if events.is_empty() {
        return Err(PageError::bad("Choose at least one event type."));
    }
    let description = Some(fields.get("description").trim().to_owned()).filter(|d| !d.is_empty());
    let new = NewEndpoint::new(
        fields.get("url").trim().to_owned(),
        &events,
        description,
        Some(fields.get("signature_scheme")),
    )?;
    let (answer, secret) = state
        .engine
        .create_endpoint(&signed.tenant(), new, act::mutation(&signed))
        .await?;
    act::outcome(answer)?;
    Ok(secret_page(
        &signed,
        "Your new endpoint",
        secret.expose_secret(),
        &base(&signed),
    ))
}

/// `POST /{mode}/webhooks/{id}/status`: enable or disable.
pub(crate) async fn set_status(
    State(state): State<PortalState>,
    signed: Signed,
    Path(id): Path<String>,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Result<Response, PageError> {
    let fields = Fields::of(form)?;
    checked(
        &state,
        &signed,
        fields.get("csrf"),
        Action::Operate,
        (Proof::Never, ""),
    )?;
    let id = endpoint_id(&id)?;
    let changes = EndpointChanges::new(None, None, None, Some(fields.get("status")))?;
    let answer = state
        .engine
        .update_endpoint(
            &signed.tenant(),
            id.clone(),
            changes,
            act::mutation(&signed),
        )
        .await?;
    act::outcome(answer)?;
    Ok(Redirect::to(&format!("{}/{id}", base(&signed))).into_response())
}

/// `POST /{mode}/webhooks/{id}/rotate`: a new signing secret, the old one kept for the overlap
/// chosen.
pub(crate) async fn rotate_secret(
    State(state): State<PortalState>,
    signed: Signed,
    Path(id): Path<String>,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Result<Response, PageError> {
    let fields = Fields::of(form)?;
    checked(
        &state,
        &signed,
        fields.get("csrf"),
        Action::Operate,
        (Proof::Never, ""),
    )?;
    let id = endpoint_id(&id)?;
    let page = format!("{}/{id}", base(&signed));
    if let Some(prove) = signed.recent_proof(&state, &page) {
        return Ok(prove);
    }
    let overlap: i64 = fields.get("overlap_s").parse().unwrap_or(-1);
    if !OVERLAPS.iter().any(|(s, _)| *s == overlap) {
        return Err(PageError::bad(
            "The overlap chosen is not one of the form's.",
        ));
    }
    let (answer, secret) = state
        .engine
        .rotate_secret(&signed.tenant(), id, Some(overlap), act::mutation(&signed))
        .await?;
    act::outcome(answer)?;
    Ok(secret_page(
        &signed,
        "The endpoint's new secret",
        secret.expose_secret(),
        &page,
    ))
}

/// `POST /{mode}/webhooks/{id}/test`: a `webhook_endpoint.test` event sent now; the page says
/// what the endpoint answered.
pub(crate) async fn send_test(
    State(state): State<PortalState>,
    signed: Signed,
    Path(id): Path<String>,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Result<Response, PageError> {
    let fields = Fields::of(form)?;
    checked(
        &state,
        &signed,
        fields.get("csrf"),
        Action::Operate,
        (Proof::Never, ""),
    )?;
    let id = endpoint_id(&id)?;
    let transport = Arc::clone(&state.transport);
    let sent = state
        .engine
        .send_test_event(&signed.tenant(), &id, &transport)
        .await?;
    let page = format!("{}/{id}", base(&signed));
    let content = html! {
        h1 { "Test event" }
        section.card aria-labelledby="test-result" {
            h2 #test-result { @if sent.succeeded() { "Delivered" } @else { "Not delivered" } }
            p #test-outcome {
                @match sent.status_code {
                    Some(code) => { "The endpoint answered HTTP " (code) " in " (sent.latency_ms) " ms." }
                    None => { "No answer: " (sent.error.unwrap_or("unknown")) " after " (sent.latency_ms) " ms." }
                }
            }
            @if let Some(body) = &sent.response_body { p { "It said: " code { (body) } } }
        }
        p { a href=(page) { "Back to the endpoint" } }
    };
    Ok(layout::page(&signed, "Test event", "/webhooks", content).into_response())
}

/// The forms an endpoint's page offers a role that may operate.
pub(crate) fn actions(signed: &Signed, id: &WebhookEndpointId, status: &str) -> Markup {
    let base = format!("{}/{id}", base(signed));
    let (next, label) = if status == "enabled" {
        ("disabled", "Disable")
    } else {
        ("enabled", "Enable")
    };
    html! {
        div.actions {
            form.inline method="post" action=(format!("{base}/test")) {
                (csrf_field(&signed.csrf))
                button.secondary type="submit" { "Send a test event" }
            }
            form.inline method="post" action=(format!("{base}/status")) {
                (csrf_field(&signed.csrf))
                input type="hidden" name="status" value=(next);
                button.secondary type="submit" { (label) }
            }
            form.inline method="post" action=(format!("{base}/rotate")) {
                (csrf_field(&signed.csrf))
                label.visually-hidden for="overlap" { "Overlap of the old secret" }
                select #overlap name="overlap_s" {
                    @for (s, label) in OVERLAPS { option value=(s) selected[s == 86_400] { (label) } }
                }
                button.secondary type="submit" { "Rotate the secret" }
            }
        }
    }
}

/// The endpoint actions under `mode` (`/test` or `/live`).
pub(crate) fn routes(mode: &str) -> Router<PortalState> {
    Router::new()
        .route(&format!("{mode}/webhooks"), post(create_endpoint))
        .route(&format!("{mode}/webhooks/{{id}}/status"), post(set_status))
        .route(
            &format!("{mode}/webhooks/{{id}}/rotate"),
            post(rotate_secret),
        )
        .route(&format!("{mode}/webhooks/{{id}}/test"), post(send_test))
}
