//! Cookies, the signed-in member, CSRF tokens and the mode of a page (docs/portal.md,
//! "Sessions").
//!
//! - `__Host-anton_session`: the session's token. `__Host-` makes the browser refuse it unless
//!   it is Secure, host-only and for `/`; HttpOnly keeps it from script; SameSite=Strict keeps
//!   it off every request another site starts. No Max-Age: the server's idle and absolute
//!   timeouts decide, and the browser forgets it when it closes.
//! - `__Host-anton_pre`: before sign-in, a random value the sign-in and invitation forms echo
//!   (a double-submit CSRF token: a page of another site can neither read nor set it).
//! - Signed in, every form carries the session's CSRF token ([`Signed::csrf`], a keyed hash of
//!   the session token); a post without it, or with another, is refused with 403.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::header::{COOKIE, SET_COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Redirect, Response};
use cookie::{Cookie, SameSite};
use subtle::ConstantTimeEq;

use anton_core::keys::Environment;
use anton_core::team::Action;
use anton_engine::team::sessions::Session;

use crate::error::PageError;
use crate::PortalState;

pub const SESSION_COOKIE: &str = "__Host-anton_session";
pub const PRE_COOKIE: &str = "__Host-anton_pre";

/// The value of cookie `name` in the request, if it has one.
pub(crate) fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|c| c.name() == name)
        .map(|c| c.value().to_owned())
}

/// A `Set-Cookie` header for a `__Host-` cookie (`None`: delete it).
pub(crate) fn set_cookie(
    name: &'static str,
    value: Option<&str>,
) -> (axum::http::HeaderName, HeaderValue) {
    let mut c = Cookie::build((name, value.unwrap_or("").to_owned()))
        .path("/")
        .secure(true)
        .http_only(true)
        .same_site(SameSite::Strict)
        .build();
    if value.is_none() {
        c.make_removal();
    }
    let v = HeaderValue::from_str(&c.to_string()).unwrap_or(HeaderValue::from_static(""));
    (SET_COOKIE, v)
}

/// Whether two tokens are the same, in constant time.
pub(crate) fn same_token(a: &str, b: &str) -> bool {
    a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

/// The client's address: the TCP peer (the node's listener records it), an IPv4 client on a
/// dual-stack listener as its IPv4 address (not `::ffff:a.b.c.d`, whose /64 every IPv4 client
/// would share).
pub(crate) fn client_ip(parts: &Parts) -> Option<std::net::IpAddr> {
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip().to_canonical())
}

/// A signed-in member's request: the session, its cookie's token, the page's mode.
pub struct Signed {
    pub session: Session,
    token: String,
    pub csrf: String,
    pub mode: Environment,
    pub client_ip: Option<std::net::IpAddr>,
}

impl Signed {
    /// The session cookie's token (to end the session).
    pub(crate) fn token(&self) -> &str {
        &self.token
    }

    /// The merchant and mode this page is about.
    pub fn tenant(&self) -> anton_store::Tenant {
        anton_store::Tenant {
            merchant_id: self.session.member.merchant_id.clone(),
            env: self.mode,
        }
    }

    /// Refuses a form whose CSRF token is not this session's.
    pub fn check_csrf(&self, sent: &str) -> Result<(), PageError> {
        if same_token(sent, &self.csrf) {
            Ok(())
        } else {
            Err(PageError::csrf())
        }
    }

    /// Whether the member's role allows `action` in this page's mode.
    pub fn may(&self, action: Action) -> bool {
        self.session.member.role.may(action, self.mode)
    }

    /// `None` when the member proved password and code within the re-authentication window;
    /// else the way to prove them, coming back to `back_to` (a 303 to `/reauth`).
    pub fn recent_proof(&self, state: &PortalState, back_to: &str) -> Option<Response> {
        let now = anton_store::now_us();
        if self
            .session
            .recently_proved(&state.engine.config().team, now)
        {
            return None;
        }
        let next = local_path(back_to);
        Some(Redirect::to(&format!("/reauth?next={}", percent(next))).into_response())
    }

    /// Refuses with 403 unless the member's role allows `action` in this page's mode.
    pub fn require(&self, action: Action) -> Result<(), PageError> {
        if self.may(action) {
            Ok(())
        } else {
            Err(PageError::forbidden())
        }
    }
}

/// `path` when it is a path on this site (`/…`, not `//host`), else `/`: a `next` parameter
/// never sends a member elsewhere.
pub(crate) fn local_path(path: &str) -> &str {
    let ok = path.starts_with('/')
        && !path.starts_with("//")
        && !path.contains('\\')
        && path.chars().all(|c| c.is_ascii_graphic());
    if ok {
        path
    } else {
        "/"
    }
}

/// `s` percent-encoded for a query value.
pub(crate) fn percent(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The mode a path is in: its first segment (`/live/…` is live; anything else is test).
pub(crate) fn mode_of(path: &str) -> Environment {
    match path.split('/').nth(1) {
        Some("live") => Environment::Live,
        _ => Environment::Test,
    }
}

/// No session: the page answers with the sign-in page (303 to `/login`).
pub struct SignInFirst;

impl IntoResponse for SignInFirst {
    fn into_response(self) -> Response {
        Redirect::to("/login").into_response()
    }
}

impl FromRequestParts<PortalState> for Signed {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &PortalState,
    ) -> Result<Self, Self::Rejection> {
        let Some(token) = cookie(&parts.headers, SESSION_COOKIE) else {
            return Err(SignInFirst.into_response());
        };
        let session = match state.engine.session(&token).await {
            Ok(Some(s)) => s,
            Ok(None) => return Err(SignInFirst.into_response()),
            Err(e) => return Err(PageError::from(e).into_response()),
        };
        Ok(Signed {
            csrf: state.engine.csrf_token(&token),
            session,
            token,
            mode: mode_of(parts.uri.path()),
            client_ip: client_ip(parts),
        })
    }
}

/// The request before sign-in: the pre-session CSRF value (a new one when the browser has
/// none) and the client's address.
pub struct Anonymous {
    pub pre: String,
    /// Whether `pre` is new, so the answer must set its cookie.
    pub fresh: bool,
    pub client_ip: Option<std::net::IpAddr>,
    /// The session token the browser holds, if any (ended at sign-in).
    pub held_session: Option<String>,
}

impl Anonymous {
    /// Refuses a form whose echoed value is not the cookie's.
    pub fn check_csrf(&self, sent: &str) -> Result<(), PageError> {
        if !self.fresh && same_token(sent, &self.pre) {
            Ok(())
        } else {
            Err(PageError::csrf())
        }
    }

    /// The `Set-Cookie` the answer needs, if any.
    pub fn cookie_header(&self) -> Option<(axum::http::HeaderName, HeaderValue)> {
        self.fresh.then(|| set_cookie(PRE_COOKIE, Some(&self.pre)))
    }
}

impl FromRequestParts<PortalState> for Anonymous {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        _: &PortalState,
    ) -> Result<Self, Self::Rejection> {
        let held = cookie(&parts.headers, PRE_COOKIE).filter(|v| v.len() == 32);
        Ok(Anonymous {
            fresh: held.is_none(),
            pre: held.unwrap_or_else(|| anton_core::random_base62(32)),
            client_ip: client_ip(parts),
            held_session: cookie(&parts.headers, SESSION_COOKIE),
        })
    }
}
