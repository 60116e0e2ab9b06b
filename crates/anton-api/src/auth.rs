//! Authentication and authorization of API requests (docs/reference.md §1, §2, §4).
//!
//! Order of checks, each with its documented answer:
//! 1. missing / malformed / unknown / revoked / expired key → 401, counted against the client
//!    address's and the node's failed-authentication budgets ([`crate::client`]); 429
//!    (`authentication_rate_limited`) instead while either is exhausted. The key is checked
//!    first, so a valid key is never refused for other clients' failures;
//! 2. browser markers (`Origin`, `Sec-Fetch-Site`, or `Sec-Fetch-Mode: navigate`) → 403, and the
//!    key is flagged as possibly exposed;
//! 3. client IP outside the key's CIDR allowlist → 403;
//! 4. key over its rate limit → 429 with `Retry-After` and `RateLimit-*`;
//!
//! Then the handler checks its scope with [`Auth::require`] → 403.

use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use anton_core::id::KeyId;
use anton_core::keys::{ApiKey, KeyKind, Scope, ScopeSet};
use anton_engine::audit::Actor;
use anton_engine::operator;
use anton_metrics::{AuthFailure, RateLimit};
use anton_store::{api_keys, now_us, Tenant};
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};

use crate::client::{AddressKey, Budget};
use crate::error::ApiError;
use crate::state::ApiState;

/// `last_used_at` is written at most this often per key.
const LAST_USED_WRITE_INTERVAL: Duration = Duration::from_secs(60);

/// An authenticated request: who it is for and what it may do.
#[derive(Debug, Clone)]
pub struct Auth {
    pub key_id: KeyId,
    pub tenant: Tenant,
    pub kind: KeyKind,
    pub scopes: ScopeSet,
    /// The client's address as this server saw it.
    pub source_ip: Option<IpAddr>,
}

impl Auth {
    /// 403 unless the key holds `scope` (or its `write` sibling).
    pub fn require(&self, scope: Scope) -> Result<(), ApiError> {
        if self.scopes.grants(scope) {
            Ok(())
        } else {
            Err(ApiError::permission(
                "missing_scope",
                format!("This API key does not have the {} scope.", scope.as_str()),
            ))
        }
    }
}

/// Rejection of [`Auth`]: an API error plus rate-limit headers when relevant.
pub struct AuthRejection(ApiError, Option<anton_engine::ratelimit::Decision>);

impl IntoResponse for AuthRejection {
    fn into_response(self) -> Response {
        let mut resp = self.0.into_response();
        if let Some(d) = self.1 {
            let h = resp.headers_mut();
            for (name, v) in [
                ("ratelimit-limit", d.limit),
                ("ratelimit-remaining", d.remaining),
                ("ratelimit-reset", d.retry_after_s),
            ] {
                if let Ok(v) = HeaderValue::from_str(&v.to_string()) {
                    h.insert(name, v);
                }
            }
        }
        resp
    }
}

impl From<ApiError> for AuthRejection {
    fn from(e: ApiError) -> Self {
        Self(e, None)
    }
}

fn client_ip(parts: &Parts) -> Option<IpAddr> {
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(a)| a.ip().to_canonical())
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    let v = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = v.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then_some(token.trim())
}

/// Whether a browser sent the request. A browser sends `Origin` with every cross-origin request,
/// and `Sec-Fetch-Site` with every request from a secure context (this API is HTTPS only);
/// `Sec-Fetch-Mode: navigate` is a page load. `Sec-Fetch-Mode: cors` alone is not a browser: the
/// Fetch implementations of server runtimes (Node's `fetch`, undici) send it on every request.
fn has_browser_markers(headers: &HeaderMap) -> bool {
    headers.contains_key(header::ORIGIN)
        || headers.contains_key("sec-fetch-site")
        || headers
            .get("sec-fetch-mode")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|m| m.eq_ignore_ascii_case("navigate"))
}

impl FromRequestParts<ApiState> for Auth {
    type Rejection = AuthRejection;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &ApiState,
    ) -> Result<Self, AuthRejection> {
        let ip = client_ip(parts);
        let metrics = state.engine.metrics();
        let fail = |reason: AuthFailure, code: &'static str, msg: &str| {
            metrics.auth_failure(reason);
            match state.auth_failures.fail(ip.map(AddressKey::of)) {
                Budget::Within => {
                    // Failures over a budget are counted, and their lockout logged once, not
                    // each (a flood of bad keys is not a log flood).
                    tracing::info!(auth.failure = code, "authentication failed");
                    AuthRejection::from(ApiError::unauthenticated(code, msg))
                }
                Budget::AddressOver(d) | Budget::NodeOver(d) => {
                    metrics.rate_limited(RateLimit::AuthFailures);
                    AuthRejection(ApiError::authentication_limited(d.retry_after_s), Some(d))
                }
            }
        };

        let Some(token) = bearer(&parts.headers) else {
            return Err(fail(
                AuthFailure::Missing,
                "missing_api_key",
                "No API key provided. Send it as `Authorization: Bearer <key>`.",
            ));
        };
        let Ok(key) = ApiKey::parse(token) else {
            return Err(fail(
                AuthFailure::Malformed,
                "invalid_api_key",
                "The API key is not valid.",
            ));
        };
        let record = key_record(state, &key.hash(&state.engine.secrets().api_key_hasher)).await?;
        let Some(record) = record else {
            return Err(fail(
                AuthFailure::Unknown,
                "invalid_api_key",
                "The API key is not valid.",
            ));
        };
        // From here the request is the merchant's: its request log records it, refused or not.
        if let Some(caller) = parts.extensions.get::<crate::request_log::Caller>() {
            caller.set(
                &record.id,
                &Tenant::new(record.merchant_id.clone(), record.env),
            );
        }
        let now = now_us();
        if record.revoked.is_some() {
            return Err(fail(
                AuthFailure::Revoked,
                "api_key_revoked",
                "The API key has been revoked.",
            ));
        }
        if record.expires.is_some_and(|t| t.unix_micros() <= now) {
            return Err(fail(
                AuthFailure::Expired,
                "api_key_expired",
                "The API key has expired.",
            ));
        }

        if has_browser_markers(&parts.headers) {
            metrics.auth_failure(AuthFailure::BrowserOrigin);
            tracing::warn!(key.id = %record.id, merchant.id = %record.merchant_id,
                "API key used with browser markers; refused and flagged as possibly exposed");
            if record.exposed.is_none() {
                let actor = Actor::key(
                    record.id.clone(),
                    ip.map(|ip| ip.to_string()),
                    crate::request_id::current(),
                );
                let _ = operator::mark_exposed(state.engine.store(), &record, &actor).await;
            }
            return Err(ApiError::permission(
                "browser_request_refused",
                "API keys are for servers only: this request carries browser headers (Origin, \
                 Sec-Fetch-Site or Sec-Fetch-Mode: navigate). The key has been flagged as \
                 possibly exposed; roll it.",
            )
            .into());
        }

        if !record.allowed_cidrs.is_empty() {
            let allowed = ip.is_some_and(|ip| {
                record
                    .allowed_cidrs
                    .iter()
                    .filter_map(|c| c.parse::<ipnet::IpNet>().ok())
                    .any(|net| net.contains(&ip))
            });
            if !allowed {
                metrics.auth_failure(AuthFailure::IpNotAllowed);
                return Err(ApiError::permission(
                    "ip_not_allowed",
                    "This API key may not be used from this IP address.",
                )
                .into());
            }
        }

        // This node's share of the key's limit (see `startup::heartbeat`).
        let rate = rate_limit_per_s(state, &record.merchant_id, record.env)
            .await?
            .div_ceil(state.engine.api_nodes());
        let decision = state.key_limiter.check(record.id.as_str(), rate);
        if !decision.allowed {
            metrics.rate_limited(RateLimit::Key);
            return Err(AuthRejection(
                ApiError::rate_limited(decision.retry_after_s),
                Some(decision),
            ));
        }

        note_last_used(state, &record.id, now);
        Ok(Auth {
            key_id: record.id,
            tenant: Tenant::new(record.merchant_id, record.env),
            kind: record.kind,
            scopes: record.scopes,
            source_ip: ip,
        })
    }
}

/// How long a node trusts its copy of an API key record. docs/reference.md §4: revocation takes
/// effect on every node within one second. Changes made through this process's store apply at once
/// (the store's key epoch invalidates the cache); the operator CLI and other nodes reach it by TTL.
/// Half a second, so that the refusal — TTL plus the request's own time — lands inside the
/// second (measured: ~0.5 s on another node); the cost is one key read per key, node and 0.5 s.
const KEY_CACHE_TTL: Duration = Duration::from_millis(500);
/// Bound on cached key records; the cache is emptied when it is reached.
const KEY_CACHE_MAX: usize = 100_000;

/// The key record for a keyed hash: from the per-node cache when fresh, else from the database.
/// Only found keys are cached; unknown keys are looked up every time (and count as failures).
async fn key_record(
    state: &ApiState,
    hash: &str,
) -> Result<Option<api_keys::ApiKeyRecord>, ApiError> {
    let epoch = state.engine.key_epoch();
    let cached = state
        .key_cache
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .get(hash)
        .filter(|(at, e, _)| *e == epoch && at.elapsed() < KEY_CACHE_TTL)
        .map(|(_, _, r)| r.clone());
    if cached.is_some() {
        return Ok(cached);
    }
    let record = operator::key_by_hash(state.engine.store(), hash).await?;
    if let Some(r) = &record {
        let mut cache = state.key_cache.lock().unwrap_or_else(|p| p.into_inner());
        if cache.len() >= KEY_CACHE_MAX {
            cache.clear();
        }
        cache.insert(hash.to_owned(), (Instant::now(), epoch, r.clone()));
    }
    Ok(record)
}

/// How long a node trusts its copy of a merchant's rate-limit settings. Operators' changes apply
/// on every node within this time.
const MERCHANT_SETTINGS_TTL: Duration = Duration::from_secs(1);

/// The merchant's per-key limit for `env`, from a per-node cache refreshed every second (saves a
/// database read per request; the limits are settings, not security decisions).
async fn rate_limit_per_s(
    state: &ApiState,
    merchant_id: &anton_core::id::MerchantId,
    env: anton_core::keys::Environment,
) -> Result<u64, ApiError> {
    let cached = state
        .merchant_limits
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .get(merchant_id)
        .filter(|(at, _, _)| at.elapsed() < MERCHANT_SETTINGS_TTL)
        .map(|&(_, live, test)| (live, test));
    let (live, test) = match cached {
        Some(limits) => limits,
        None => {
            let limits = operator::rate_limits(state.engine.store(), merchant_id)
                .await?
                .unwrap_or((100, 25));
            state
                .merchant_limits
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .insert(merchant_id.clone(), (Instant::now(), limits.0, limits.1));
            limits
        }
    };
    let rate = if env.is_live() { live } else { test };
    Ok(u64::try_from(rate).unwrap_or(1).max(1))
}

/// Records `last_used_at`, at most once a minute per key, without making the request wait.
fn note_last_used(state: &ApiState, id: &KeyId, now: i64) {
    {
        let mut written = state
            .last_used_written
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        let due = written
            .get(id.as_str())
            .is_none_or(|t| t.elapsed() >= LAST_USED_WRITE_INTERVAL);
        if !due {
            return;
        }
        written.insert(id.as_str().to_owned(), Instant::now());
    }
    let store = state.engine.store().clone();
    let id = id.clone();
    tokio::spawn(async move {
        let _ = operator::touch_last_used(&store, &id, now).await;
    });
}
