//! API keys: the mode's keys (never a key itself), and — where the role allows — creating a
//! restricted key, rolling and revoking. A new key is shown once, on the page that answers
//! its creation. Live-mode key actions need a recent proof of password and code.
//!
//! The portal creates restricted keys only: a team member picks the scopes a backend needs
//! (least privilege); a secret key with every scope stays an operator's act (`anton keys`).

use std::time::Duration;

use axum::extract::rejection::FormRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use maud::{html, Markup};

use anton_core::id::KeyId;
use anton_core::keys::{ApiKey, KeyKind, Scope, ScopeSet};
use anton_core::team::Action;
use anton_engine::operator::{self, KeySpec};
use anton_store::api_keys::ApiKeyRecord;
use anton_store::now_us;

use crate::act;
use crate::error::PageError;
use crate::form::{checked, Fields, Proof};
use crate::layout::{self, csrf_field, when};
use crate::session::Signed;
use crate::PortalState;

/// Expiry choices of the create form, in days (0: never).
const EXPIRY_DAYS: [(u64, &str); 5] = [
    (0, "Never"),
    (1, "In 1 day"),
    (7, "In 7 days"),
    (30, "In 30 days"),
    (90, "In 90 days"),
];

/// Grace periods of the roll form, in hours (0: the old key stops now).
const GRACE_HOURS: [(u64, &str); 4] = [
    (0, "Stop the old key now"),
    (1, "Keep the old key 1 hour"),
    (24, "Keep the old key 24 hours"),
    (168, "Keep the old key 7 days"),
];

fn base(signed: &Signed) -> String {
    format!("/{}/keys", signed.mode.as_str())
}

fn status(k: &ApiKeyRecord, now: i64) -> Markup {
    if let Some(t) = k.revoked {
        return html! { "Revoked " (when(t)) };
    }
    match k.expires {
        Some(t) if t.unix_micros() <= now => html! { "Expired " (when(t)) },
        Some(t) => html! { "Active, expires " (when(t)) },
        None => html! { "Active" },
    }
}

fn usable(k: &ApiKeyRecord, now: i64) -> bool {
    k.revoked.is_none() && k.expires.is_none_or(|t| t.unix_micros() > now)
}

fn create_form(signed: &Signed) -> Markup {
    html! {
        section.card aria-labelledby="new-key" {
            h2 #new-key { "Create a restricted key" }
            form method="post" action=(base(signed)) {
                (csrf_field(&signed.csrf))
                label for="name" { "Name" }
                input #name type="text" name="name" maxlength="100" aria-describedby="name-hint";
                p.hint #name-hint { "What uses this key, e.g. \"payouts backend\"." }
                fieldset {
                    legend { "Scopes (what the key may do)" }
                    @for scope in Scope::ALL {
                        @let id = format!("scope-{}", scope.as_str().replace(':', "-"));
                        div.check {
                            input id=(id) type="checkbox" name="scope" value=(scope.as_str());
                            label for=(id) { code { (scope.as_str()) } }
                        }
                    }
                }
                label for="allowed_ips" { "Allowed addresses (optional)" }
                input #allowed_ips type="text" name="allowed_ips" aria-describedby="ips-hint";
                p.hint #ips-hint { "Addresses or CIDR ranges, separated by spaces or commas. Empty: any address." }
                label for="expires" { "Expiry" }
                select #expires name="expires_days" {
                    @for (days, label) in EXPIRY_DAYS {
                        option value=(days) { (label) }
                    }
                }
                div.actions { button type="submit" { "Create key" } }
            }
        }
    }
}

fn key_row(signed: &Signed, k: &ApiKeyRecord, manage: bool, now: i64) -> Markup {
    let scopes = if k.kind == KeyKind::Secret {
        "every standard scope".to_owned()
    } else {
        k.scopes.to_list_string()
    };
    html! {
        tr {
            td { (if k.name.is_empty() { "(no name)" } else { k.name.as_str() }) }
            td { code { (k.display_prefix) "…" (k.last4) } }
            td { (scopes) }
            td { (if k.allowed_cidrs.is_empty() { "any".to_owned() } else { k.allowed_cidrs.join(" ") }) }
            td { (status(k, now)) }
            td { @match k.last_used { Some(t) => (when(t)), None => "never" } }
            td { (when(k.created)) }
            @if manage {
                td {
                    @if usable(k, now) && k.kind == KeyKind::Restricted {
                        form.inline method="post" action=(format!("{}/{}/roll", base(signed), k.id)) {
                            (csrf_field(&signed.csrf))
                            label.visually-hidden for=(format!("grace-{}", k.id)) { "Grace period for " (k.name) }
                            select id=(format!("grace-{}", k.id)) name="grace_hours" {
                                @for (hours, label) in GRACE_HOURS {
                                    option value=(hours) { (label) }
                                }
                            }
                            button.secondary type="submit" { "Roll" }
                        }
                    }
                    @if k.revoked.is_none() {
                        form.inline method="post" action=(format!("{}/{}/revoke", base(signed), k.id)) {
                            (csrf_field(&signed.csrf))
                            button.danger type="submit" { "Revoke" }
                        }
                    }
                }
            }
        }
    }
}

/// `GET /{mode}/keys`.
pub(crate) async fn list_keys(
    State(state): State<PortalState>,
    signed: Signed,
) -> Result<Response, PageError> {
    signed.require(Action::ViewKeys)?;
    let keys = operator::tenant_keys(state.engine.store(), &signed.tenant()).await?;
    let manage = signed.may(Action::ManageKeys);
    let now = now_us();
    let content = html! {
        h1 { "API keys" }
        p { "Keys for your backend's calls to the API in " (signed.mode.as_str()) " mode. Anton keeps only a hash of each key: a key is shown once, when it is made." }
        @if manage { (create_form(&signed)) }
        @if keys.is_empty() {
            p { "No keys in " (signed.mode.as_str()) " mode yet." }
        } @else {
            table {
                caption.hint { "The mode's keys, newest first." }
                thead { tr {
                    th scope="col" { "Name" } th scope="col" { "Key" } th scope="col" { "Scopes" }
                    th scope="col" { "Addresses" } th scope="col" { "Status" } th scope="col" { "Last used" }
                    th scope="col" { "Created" }
                    @if manage { th scope="col" { "Actions" } }
                } }
                tbody { @for k in &keys { (key_row(&signed, k, manage, now)) } }
            }
        }
    };
    Ok(layout::page(&signed, "API keys", "/keys", content).into_response())
}

/// The page that shows a new key, once.
fn new_key_page(signed: &Signed, key: &ApiKey, record: &ApiKeyRecord, what: &str) -> Response {
    let content = html! {
        h1 { (what) }
        section.card aria-labelledby="key-heading" {
            h2 #key-heading { "Copy the key now" }
            p.notice { "This is the only time the key is shown. Store it in your backend's secret store; never in a browser, an app or a repository." }
            p { code #new-key-value.secret { (key.expose_secret()) } }
            p { "Scopes: " (record.scopes.to_list_string()) }
        }
        p { a href=(base(signed)) { "Back to the keys" } }
    };
    layout::page(signed, what, "/keys", content).into_response()
}

/// `POST /{mode}/keys`: a restricted key with the scopes ticked.
pub(crate) async fn create_key(
    State(state): State<PortalState>,
    signed: Signed,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Result<Response, PageError> {
    let fields = Fields::of(form)?;
    let back = base(&signed);
    let guard = (Proof::InLive, back.as_str());
    if let Some(prove) = checked(
        &state,
        &signed,
        fields.get("csrf"),
        Action::ManageKeys,
        guard,
    )? {
        return Ok(prove);
    }
    let scopes = ScopeSet::parse_list(fields.all("scope")).map_err(PageError::bad)?;
    let mut allowed = Vec::new();
    for part in fields
        .get("allowed_ips")
        .split([',', ' '])
        .filter(|p| !p.is_empty())
    {
        let net = part
            .parse::<ipnet::IpNet>()
            .or_else(|_| part.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
            .map_err(|_| PageError::bad(format!("{part:?} is not an address or a CIDR range.")))?;
        allowed.push(net);
    }
    let days: u64 = fields.get("expires_days").parse().unwrap_or(0);
    if !EXPIRY_DAYS.iter().any(|(d, _)| *d == days) {
        return Err(bad_form_value("expiry"));
    }
    let spec = KeySpec {
        merchant_id: signed.session.member.merchant_id.clone(),
        env: signed.mode,
        scopes: Some(scopes),
        expires_in: (days > 0).then(|| Duration::from_secs(days * 86_400)),
        allowed_cidrs: allowed,
        name: fields.get("name").trim().to_owned(),
        created_by: format!("portal ({})", signed.session.member.email),
    };
    let (record, key) = operator::create_key(
        state.engine.store(),
        state.engine.secrets(),
        &spec,
        &act::actor(&signed),
    )
    .await?;
    Ok(new_key_page(&signed, &key, &record, "Your new key"))
}

fn bad_form_value(what: &str) -> PageError {
    PageError::bad(format!("The {what} chosen is not one of the form's."))
}

fn key_id(id: &str) -> Result<KeyId, PageError> {
    KeyId::parse(id).map_err(|_| PageError::not_found())
}

/// `POST /{mode}/keys/{id}/roll`: a successor with the same settings, shown once; the old key
/// works for the grace period chosen.
pub(crate) async fn roll_key(
    State(state): State<PortalState>,
    signed: Signed,
    Path(id): Path<String>,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Result<Response, PageError> {
    let fields = Fields::of(form)?;
    let back = base(&signed);
    let guard = (Proof::InLive, back.as_str());
    if let Some(prove) = checked(
        &state,
        &signed,
        fields.get("csrf"),
        Action::ManageKeys,
        guard,
    )? {
        return Ok(prove);
    }
    let id = key_id(&id)?;
    let hours: u64 = fields.get("grace_hours").parse().unwrap_or(u64::MAX);
    if !GRACE_HOURS.iter().any(|(h, _)| *h == hours) {
        return Err(bad_form_value("grace period"));
    }
    let old = operator::tenant_key(state.engine.store(), &signed.tenant(), &id).await?;
    if old.kind == KeyKind::Secret {
        return Err(PageError::new(
            StatusCode::FORBIDDEN,
            "Not allowed",
            "Secret keys carry every scope; the operator rolls them (anton keys roll). The \
             portal makes and rolls restricted keys.",
        ));
    }
    if !usable(&old, now_us()) {
        return Err(PageError::new(
            StatusCode::CONFLICT,
            "Not possible now",
            "This key is revoked or has expired: create a new key instead.",
        ));
    }
    let (record, key) = operator::roll_key(
        state.engine.store(),
        state.engine.secrets(),
        &old.merchant_id,
        &old.id,
        Duration::from_secs(hours * 3600),
        &act::actor(&signed),
    )
    .await?;
    Ok(new_key_page(&signed, &key, &record, "Your rolled key"))
}

/// `POST /{mode}/keys/{id}/revoke`: the key stops working now.
pub(crate) async fn revoke_key(
    State(state): State<PortalState>,
    signed: Signed,
    Path(id): Path<String>,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Result<Response, PageError> {
    let fields = Fields::of(form)?;
    let back = base(&signed);
    let guard = (Proof::InLive, back.as_str());
    if let Some(prove) = checked(
        &state,
        &signed,
        fields.get("csrf"),
        Action::ManageKeys,
        guard,
    )? {
        return Ok(prove);
    }
    let id = key_id(&id)?;
    let key = operator::tenant_key(state.engine.store(), &signed.tenant(), &id).await?;
    operator::revoke_key(
        state.engine.store(),
        &key.merchant_id,
        &key.id,
        &act::actor(&signed),
    )
    .await?;
    Ok(Redirect::to(&base(&signed)).into_response())
}

/// The keys pages under `mode` (`/test` or `/live`).
pub(crate) fn routes(mode: &str) -> Router<PortalState> {
    Router::new()
        .route(&format!("{mode}/keys"), get(list_keys).post(create_key))
        .route(&format!("{mode}/keys/{{id}}/roll"), post(roll_key))
        .route(&format!("{mode}/keys/{{id}}/revoke"), post(revoke_key))
}
