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
//!   `dashboard`, `keys`, `payouts`, `webhooks`.
//! - `act`: running a use case for a form (the member as actor, the answer as done or a page).
//! - `assets`: the stylesheet, compiled into the binary (no CDN, no build chain, no script).

mod act;
mod assets;
mod error;
mod layout;
mod pages;
mod security;
pub mod session;

use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use axum::Router;

use anton_engine::Engine;

/// What the portal's handlers share.
#[derive(Clone)]
pub struct PortalState {
    pub engine: Engine,
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
    for mode in ["/test", "/live"] {
        r = r
            .route(mode, get(pages::dashboard::dashboard))
            .route(
                &format!("{mode}/keys"),
                get(pages::keys::list_keys).post(pages::keys::create_key),
            )
            .route(
                &format!("{mode}/keys/{{id}}/roll"),
                post(pages::keys::roll_key),
            )
            .route(
                &format!("{mode}/keys/{{id}}/revoke"),
                post(pages::keys::revoke_key),
            )
            .route(
                &format!("{mode}/payouts"),
                get(pages::payouts::list_payouts),
            )
            .route(
                &format!("{mode}/payouts/{{id}}"),
                get(pages::payouts::show_payout),
            )
            .route(
                &format!("{mode}/payouts/{{id}}/cancel"),
                post(pages::payouts::cancel_payout),
            )
            .route(
                &format!("{mode}/webhooks"),
                get(pages::webhooks::list_endpoints),
            )
            .route(
                &format!("{mode}/webhooks/{{id}}"),
                get(pages::webhooks::show_endpoint),
            )
            .route(
                &format!("{mode}/webhooks/{{id}}/recover"),
                post(pages::webhooks::recover),
            )
            .route(
                &format!("{mode}/webhooks/{{id}}/deliveries/{{delivery}}/resend"),
                post(pages::webhooks::resend_delivery),
            );
    }
    r.layer(DefaultBodyLimit::max(FORM_BYTES_MAX))
        .layer(axum::middleware::from_fn(security::headers))
        .with_state(state)
}
