//! Anton's merchant portal (docs/portal.md): server-rendered HTML on the node's HTTPS listener,
//! for the merchant's team. **Architecture invariant: the portal decides nothing** — every
//! action calls the engine use case the API calls, and every permission is
//! [`anton_core::team::Role::may`], asked on the server for each request.
//!
//! Layout:
//! - [`router`]: the portal's routes, merged by the binary beside the API's.
//! - `security`: the headers every answer carries (CSP without inline script, frame-ancestors
//!   'none', Referrer-Policy, Permissions-Policy, no caching).
//! - `session`: the cookies (`__Host-` names, Secure, HttpOnly, SameSite=Strict), the signed-in
//!   extractor [`session::Signed`], CSRF tokens on every form, the mode of a page.
//! - `layout`: the page shell (navigation, the test/live switch), shared bits of HTML.
//! - `pages/`: one module per area — `auth` (sign-in, sign-out, invitations, re-authentication),
//!   `dashboard`, `alerts`, `endpoints` (create, enable or disable, rotate, test), `keys`, `logs` (request and audit logs), `payouts`, `recipients`,
//!   `reviews`, `risk` (the risk rules), `team`, `webhooks`, `account` (the member's own password,
//!   authenticator app and recovery codes).
//! - `act`: running a use case for a form (the member as actor, the answer as done or a page).
//! - `charts`: bar charts drawn as SVG on the server (the dashboard's).
//! - `assets`: the stylesheet, compiled into the binary (no CDN, no build chain, no script).

mod act;
mod assets;
mod charts;
mod error;
mod form;
mod layout;
mod pages;
mod security;
pub mod session;

use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use axum::Router;

use std::sync::Arc;

use anton_engine::alerts::email::Mailer;
use anton_engine::webhooks::dispatch::sending::Transport;
use anton_engine::Engine;

/// What the portal's handlers share.
#[derive(Clone)]
pub struct PortalState {
    pub engine: Engine,
    /// The node's SMTP relay, when one is configured (invitations are emailed through it).
    pub mailer: Option<Arc<dyn Mailer>>,
    /// How test events reach endpoints: the node's webhook egress, as the API's test sends.
    pub transport: Arc<dyn Transport>,
}

/// Forms are small: a sign-in, a key's scopes. Anything larger is not a portal form.
const FORM_BYTES_MAX: usize = 16 * 1024;

/// The portal's routes. The binary merges them with the API's router (whose fallback answers
/// every other path).
pub fn router(state: PortalState) -> Router {
    let mut r = Router::new()
        .route("/", get(pages::dashboard::home))
        .route("/assets/portal.css", get(assets::stylesheet))
        .route("/assets/favicon.svg", get(assets::icon))
        .route(
            "/login",
            get(pages::auth::login_page).post(pages::auth::login),
        )
        .route("/logout", post(pages::auth::logout))
        .route(
            "/reauth",
            get(pages::auth::reauth_page).post(pages::auth::reauth),
        )
        .route(
            "/invitations/{token}",
            get(pages::auth::invitation_page).post(pages::auth::accept_invitation),
        );
    // Every page exists in both modes; each area's module lists its routes under a mode.
    for mode in ["/test", "/live"] {
        r = r
            .route(mode, get(pages::dashboard::dashboard))
            .merge(pages::account::routes(mode))
            .merge(pages::alerts::routes(mode))
            .merge(pages::endpoints::routes(mode))
            .merge(pages::keys::routes(mode))
            .merge(pages::logs::routes(mode))
            .merge(pages::recipients::routes(mode))
            .merge(pages::payouts::routes(mode))
            .merge(pages::reviews::routes(mode))
            .merge(pages::risk::routes(mode))
            .merge(pages::team::routes(mode))
            .merge(pages::webhooks::routes(mode));
    }
    r.layer(DefaultBodyLimit::max(FORM_BYTES_MAX))
        .layer(axum::middleware::from_fn(security::headers))
        .with_state(state)
}
