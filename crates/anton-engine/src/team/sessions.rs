//! Signing in and sessions (docs/portal.md, "Sessions").
//!
//! - Sign-in takes the email, the password and a code (TOTP, or a recovery code), all three in
//!   one step: there is no half-signed-in state to steal. Failures count in three buckets
//!   ([`TeamConfig`]'s limits, in the database so every node sees them): the account from this
//!   client address, the account from everywhere, and this address for any account. Over any
//!   limit a sign-in is refused until the window ends, right or wrong. The first bucket is the
//!   tight one, so someone failing on purpose from their own address does not lock the member
//!   out of theirs; only many addresses together can (the second bucket's bound).
//! - **A session is created only by a successful sign-in**, with a new random token (the
//!   session cookie); a token the browser brought is never adopted, and the one it held is
//!   ended. Only the token's keyed hash is stored.
//! - A session ends at sign-out, after [`TeamConfig::idle_timeout_s`] unused, and
//!   [`TeamConfig::absolute_timeout_s`] after sign-in; a removed member's sessions end with
//!   them.
//! - Sensitive actions need a recent proof of password and code ([`Session::recently_proved`],
//!   [`Engine::reauthenticate`]).

use std::net::IpAddr;

use anton_core::id::MerchantId;
use anton_store::team::{self as store, SessionRecord};
use anton_store::{merchants, now_us};
use serde_json::json;

use super::{account_tenant, password, totp, Member, TeamConfig};
use crate::audit::{self, Actor, Change};
use crate::error::{EngineError, Result};
use crate::Engine;

/// What a sign-in or re-authentication offers.
pub struct Credentials {
    pub email: String,
    pub password: String,
    /// Six digits from the app, or a recovery code.
    pub code: String,
    pub source_ip: Option<IpAddr>,
}

/// A session cookie's token (redacted in `Debug`).
pub struct SessionToken(String);

impl std::fmt::Debug for SessionToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SessionToken([REDACTED])")
    }
}

impl SessionToken {
    pub fn expose_secret(&self) -> &str {
        &self.0
    }
}

/// A signed-in session, as each portal request resolves it.
#[derive(Clone)]
pub struct Session {
    pub member: Member,
    pub merchant_name: String,
    pub created_us: i64,
    pub reauth_us: i64,
    token_hash: String,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("member", &self.member)
            .field("created_us", &self.created_us)
            .field("reauth_us", &self.reauth_us)
            .finish_non_exhaustive()
    }
}

impl Session {
    /// The keyed hash of the session's token (its row's key).
    pub(crate) fn token_hash(&self) -> &str {
        &self.token_hash
    }

    /// Whether the member proved password and code within the re-authentication window.
    pub fn recently_proved(&self, config: &TeamConfig, now_us: i64) -> bool {
        now_us - self.reauth_us < secs_us(config.reauth_window_s)
    }
}

fn secs_us(s: u64) -> i64 {
    i64::try_from(s).unwrap_or(i64::MAX / 2_000_000) * 1_000_000
}

/// The address a throttle counts against: an IPv4 address, or an IPv6 address's /64 (one
/// host's usual share).
fn address_subject(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
    }
}

/// The email a sign-in names, as members are stored (trimmed, lower-cased); `""` for text no
/// member's email could be (too long, control characters), which is then no one's.
fn sign_in_email(typed: &str) -> String {
    let email = typed.trim().to_lowercase();
    if email.len() > 254 || email.chars().any(char::is_control) {
        return String::new();
    }
    email
}

fn login_failed() -> EngineError {
    EngineError::refused("login_failed", "The email, password or code is not right.")
}

fn login_throttled() -> EngineError {
    EngineError::refused(
        "login_throttled",
        "Too many failed sign-ins. Wait a few minutes before trying again.",
    )
}

/// How a sign-in's second factor was given.
enum Factor {
    /// This TOTP step, to spend.
    Totp(i64),
    /// This recovery code's hash, to spend.
    Recovery(String),
}

/// The throttle's buckets one attempt counts in (keyed hashes: no email or address stored).
#[derive(Clone)]
struct Subjects {
    /// The account from this address (or from an unknown address).
    pair: String,
    /// The account from everywhere.
    account: String,
    /// The address, for any account.
    address: Option<String>,
}

impl Engine {
    fn subjects(&self, email: &str, ip: Option<IpAddr>) -> Subjects {
        let place = ip.map_or_else(|| "unknown".to_owned(), address_subject);
        Subjects {
            pair: self.token_hash(b"login-account-address", &format!("{email}\n{place}")),
            account: self.token_hash(b"login-account", email),
            address: ip.map(|ip| self.token_hash(b"login-address", &address_subject(ip))),
        }
    }

    /// The CSRF token of the session whose token is `session_token`: a keyed hash of it, so
    /// it needs no storage and dies with the session.
    pub fn csrf_token(&self, session_token: &str) -> String {
        self.token_hash(b"portal-csrf", session_token)
    }

    /// Signs in: a new session for the member the credentials prove (audited as
    /// `member.login`, failures as `member.login_failed`). `previous`, the session token the
    /// browser held, is ended.
    pub async fn sign_in(
        &self,
        creds: Credentials,
        previous: Option<&str>,
    ) -> Result<(SessionToken, Member)> {
        let email = sign_in_email(&creds.email);
        let now = now_us();
        let subjects = self.subjects(&email, creds.source_ip);
        // The attempt is counted before it is judged: racing attempts cannot all slip under
        // the limit. Over it, nothing is checked (and no password hashed).
        if !self.reserve_attempt(&subjects, now).await? {
            tracing::warn!("portal sign-in throttled");
            return Err(login_throttled());
        }
        let member = match email.as_str() {
            "" => None,
            e => store::member_by_email(self.store().read(), e).await?,
        };
        // The password is checked even when the email is no member's: every refusal takes the
        // same time.
        let password_ok = password::verify(
            creds.password.clone(),
            member.as_ref().map(|m| m.password_hash.clone()),
        )
        .await;
        let source_ip = creds.source_ip.map(|ip| ip.to_string());
        let factor = match (&member, password_ok) {
            (Some(m), true) => self.second_factor(m, &creds.code, now)?,
            _ => None,
        };
        let (member, factor) = match (member, factor) {
            (Some(m), Some(f)) => (m, f),
            (m, _) => return Err(self.record_failure(m.as_ref(), source_ip).await),
        };
        let token = anton_core::random_base62(43);
        let token_hash = self.token_hash(b"portal-session", &token);
        let previous = previous.map(|p| self.token_hash(b"portal-session", p));
        let session = SessionRecord {
            merchant_id: member.merchant_id.clone(),
            member_id: member.id.clone(),
            created_us: now,
            last_seen_us: now,
            reauth_us: now,
            ended_us: None,
        };
        let actor = Actor::member(member.id.clone(), source_ip.clone(), None);
        let m = member.clone();
        let signed_in = self
            .store()
            .write_refusable(move |c| {
                Box::pin(async move {
                    // The password or app changed since they were checked: refused.
                    let (ph, ts) = (&m.password_hash, &m.totp_secret);
                    if !store::lock_if_credentials(c, &m.merchant_id, &m.id, ph, ts).await? {
                        return Ok(Err(()));
                    }
                    let method = match &factor {
                        Factor::Totp(step) => {
                            if !store::spend_totp_step(c, &m.merchant_id, &m.id, *step).await? {
                                return Ok(Err(()));
                            }
                            "totp"
                        }
                        Factor::Recovery(hash) => {
                            if !store::spend_recovery_code(c, &m.merchant_id, &m.id, hash, now)
                                .await?
                            {
                                return Ok(Err(()));
                            }
                            "recovery_code"
                        }
                    };
                    succeeded(c, &subjects).await?;
                    if let Some(p) = previous {
                        store::end_session(c, &p, now).await?;
                    }
                    store::insert_session(c, &token_hash, &session, source_ip.as_deref()).await?;
                    let change = Change {
                        action: "member.login",
                        object_type: "member",
                        object_id: m.id.to_string(),
                        before: None,
                        after: Some(json!({"method": method})),
                    };
                    audit::record(c, &account_tenant(&m.merchant_id), &actor, change).await?;
                    Ok(Ok(()))
                })
            })
            .await?;
        if signed_in.is_err() {
            // The code was spent by another sign-in first (a replay).
            let ip = creds.source_ip.map(|ip| ip.to_string());
            return Err(self.record_failure(Some(&member), ip).await);
        }
        tracing::info!(member.id = %member.id, merchant.id = %member.merchant_id, "portal sign-in");
        Ok((SessionToken(token), Member::from(&member)))
    }

    /// Which second factor `code` is for `member` at `now`, if it is one.
    fn second_factor(
        &self,
        member: &store::MemberRecord,
        code: &str,
        now: i64,
    ) -> Result<Option<Factor>> {
        if totp::is_recovery_code(code) {
            let hash =
                totp::recovery_hash(&self.secrets().api_key_hasher, member.id.as_str(), code);
            return Ok(Some(Factor::Recovery(hash)));
        }
        let secret = totp::Secret::open(
            &self.secrets().keyring,
            &member.totp_secret,
            member.id.as_str(),
        )?;
        Ok(secret
            .check(code, u64::try_from(now / 1_000_000).unwrap_or(0))
            .filter(|step| *step > member.totp_last_step)
            .map(Factor::Totp))
    }

    /// Counts the attempt at `now` in each of its buckets (see [`store::throttle_reserve`]):
    /// `false` when any is over its limit.
    async fn reserve_attempt(&self, subjects: &Subjects, now: i64) -> Result<bool> {
        let config = self.config().team.clone();
        let window_start = now - secs_us(config.throttle_window_s);
        let s = subjects.clone();
        Ok(self
            .store()
            .write(move |c| {
                Box::pin(async move {
                    let mut buckets = vec![
                        (s.pair.as_str(), config.account_failures_max),
                        (s.account.as_str(), config.account_total_failures_max),
                    ];
                    if let Some(address) = &s.address {
                        buckets.push((address.as_str(), config.address_failures_max));
                    }
                    let mut allowed = true;
                    for (subject, max) in &buckets {
                        let n = store::throttle_reserve(c, subject, now, window_start).await?;
                        allowed &= n <= *max;
                    }
                    if !allowed {
                        // Refused unjudged: no failure of its own, so it takes its counts back
                        // (a throttled account does not also use up its address's budget).
                        for (subject, _) in &buckets {
                            store::throttle_release(c, subject).await?;
                        }
                    }
                    Ok(allowed)
                })
            })
            .await?)
    }

    /// Audits a refused sign-in when the email is a member's (its attempt was counted when
    /// reserved), and returns the refusal to answer.
    async fn record_failure(
        &self,
        member: Option<&store::MemberRecord>,
        source_ip: Option<String>,
    ) -> EngineError {
        let Some(m) = member.cloned() else {
            return login_failed();
        };
        let written = self
            .store()
            .write(move |c| {
                Box::pin(async move {
                    let actor = Actor::member(m.id.clone(), source_ip, None);
                    let change = Change {
                        action: "member.login_failed",
                        object_type: "member",
                        object_id: m.id.to_string(),
                        before: None,
                        after: None,
                    };
                    audit::record(c, &account_tenant(&m.merchant_id), &actor, change).await
                })
            })
            .await;
        match written {
            Ok(()) => login_failed(),
            Err(e) => e.into(),
        }
    }

    /// The live session of the cookie's `token`, if it has one (moving its idle clock).
    pub async fn session(&self, token: &str) -> Result<Option<Session>> {
        let config = &self.config().team;
        let token_hash = self.token_hash(b"portal-session", token);
        let read = self.store().read();
        let Some(s) = store::session_by_token(read, &token_hash).await? else {
            return Ok(None);
        };
        let now = now_us();
        if s.ended_us.is_some()
            || now - s.created_us >= secs_us(config.absolute_timeout_s)
            || now - s.last_seen_us >= secs_us(config.idle_timeout_s)
        {
            return Ok(None);
        }
        let Some(member) = store::member(read, &s.merchant_id, &s.member_id).await? else {
            return Ok(None);
        };
        let merchant_name = merchant_name(self, &s.merchant_id).await?;
        // The idle clock moves at most once a minute: a page's requests write once.
        if now - s.last_seen_us > 60_000_000 {
            let hash = token_hash.clone();
            self.store()
                .write(move |c| Box::pin(async move { store::touch_session(c, &hash, now).await }))
                .await?;
        }
        Ok(Some(Session {
            member: Member::from(&member),
            merchant_name,
            created_us: s.created_us,
            reauth_us: s.reauth_us,
            token_hash,
        }))
    }

    /// Proves password and code again within `session` (the member's own), opening the
    /// re-authentication window. Failures count toward the sign-in throttle.
    pub async fn reauthenticate(&self, session: &Session, creds: Credentials) -> Result<()> {
        let creds = Credentials {
            email: session.member.email.clone(),
            ..creds
        };
        let now = now_us();
        let subjects = self.subjects(&creds.email, creds.source_ip);
        if !self.reserve_attempt(&subjects, now).await? {
            return Err(login_throttled());
        }
        let read = self.store().read();
        let member = store::member(read, &session.member.merchant_id, &session.member.id)
            .await?
            .ok_or_else(login_failed)?;
        let ok = password::verify(creds.password, Some(member.password_hash.clone())).await;
        let factor = if ok {
            self.second_factor(&member, &creds.code, now)?
        } else {
            None
        };
        let source_ip = creds.source_ip.map(|ip| ip.to_string());
        let Some(factor) = factor else {
            return Err(self.record_failure(Some(&member), source_ip).await);
        };
        let hash = session.token_hash.clone();
        let m = member.clone();
        let done = self
            .store()
            .write_refusable(move |c| {
                Box::pin(async move {
                    let (ph, ts) = (&m.password_hash, &m.totp_secret);
                    if !store::lock_if_credentials(c, &m.merchant_id, &m.id, ph, ts).await? {
                        return Ok(Err(()));
                    }
                    let spent = match &factor {
                        Factor::Totp(step) => {
                            store::spend_totp_step(c, &m.merchant_id, &m.id, *step).await?
                        }
                        Factor::Recovery(h) => {
                            store::spend_recovery_code(c, &m.merchant_id, &m.id, h, now).await?
                        }
                    };
                    if !spent || !store::reauthenticated(c, &hash, now).await? {
                        return Ok(Err(()));
                    }
                    succeeded(c, &subjects).await?;
                    Ok(Ok(()))
                })
            })
            .await?;
        if done.is_err() {
            return Err(self.record_failure(Some(&member), source_ip).await);
        }
        Ok(())
    }

    /// Ends the session of `token` (signing out); nothing when it has ended already.
    pub async fn sign_out(&self, token: &str) -> Result<()> {
        let hash = self.token_hash(b"portal-session", token);
        let now = now_us();
        self.store()
            .write(move |c| Box::pin(async move { store::end_session(c, &hash, now).await }))
            .await?;
        Ok(())
    }

    /// How many unused recovery codes the member has.
    pub async fn recovery_codes_left(&self, member: &Member) -> Result<i64> {
        Ok(
            store::recovery_codes_left(self.store().read(), &member.merchant_id, &member.id)
                .await?,
        )
    }
}

/// Throttle rows deleted per statement (one writer job each).
const THROTTLE_SWEEP_CHUNK: i64 = 1_000;

impl Engine {
    /// Deletes the sign-in throttle's rows whose window ended before `now_us` (they count
    /// nothing: every sign-in from a new email would otherwise leave rows behind for good);
    /// returns how many.
    pub async fn sweep_login_throttle(&self, now_us: i64) -> Result<u64> {
        let ended = now_us - secs_us(self.config().team.throttle_window_s);
        let deleted = crate::maintenance::delete_in_chunks(
            self.store(),
            THROTTLE_SWEEP_CHUNK,
            move |c, n| Box::pin(store::throttle_delete_ended(c, ended, n)),
        )
        .await?;
        Ok(deleted)
    }
}

/// Deletes the throttle's ended windows, hourly, until `shutdown`. Safe on every node at once.
pub async fn sweep_throttle(engine: Engine, shutdown: tokio::sync::watch::Receiver<bool>) {
    crate::maintenance::every_hour("sign-in throttle windows", shutdown, || {
        engine.sweep_login_throttle(now_us())
    })
    .await;
}

/// A judged attempt succeeded: the account's failures from this address are forgotten, and
/// the attempt is no failure of the account's nor the address's (their counts keep the
/// others' failures: a member signing in does not wipe out guesses made from elsewhere).
async fn succeeded(c: &mut anton_store::Conn, s: &Subjects) -> anton_store::Result<()> {
    store::throttle_clear(c, &s.pair).await?;
    store::throttle_release(c, &s.account).await?;
    if let Some(address) = &s.address {
        store::throttle_release(c, address).await?;
    }
    Ok(())
}

async fn merchant_name(engine: &Engine, id: &MerchantId) -> Result<String> {
    Ok(merchants::get(engine.store().read(), id)
        .await?
        .map(|m| m.name)
        .unwrap_or_default())
}
