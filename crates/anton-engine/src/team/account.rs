//! A member's own account (docs/portal.md, "Your account"): changing the password, moving the
//! two-factor codes to a new authenticator app, and a new set of recovery codes.
//!
//! Each is the member's own act within their session, behind a recent proof of password and
//! code (the portal asks it), and each commits with its audit entry: `member.password_changed`
//! or `member.two_factor_changed` (`after.change`: `totp_reenrolled` or
//! `recovery_codes_regenerated`). A new password or a new app ends the member's other
//! sessions: whoever held the old credential loses what it opened.
//!
//! A new app is enrolled in two steps without storing anything in between: the new secret is
//! sealed with the keyring (bound to the member, to enrolment and to the session that began it,
//! so no other sealed value passes for it and it dies with the session) and carried by the
//! confirmation form; the first code from the new app proves the member holds it.

use anton_store::team as store;
use anton_store::{now_us, Conn};
use serde_json::json;

use super::sessions::Session;
use super::{account_tenant, password, totp};
use crate::audit::{self, Actor, Change};
use crate::error::{EngineError, Result};
use crate::Engine;

/// A new TOTP secret on its way to the member's app: shown (QR code, base32), and sealed for
/// the confirmation form.
#[derive(Debug)]
pub struct Enrolment {
    pub secret: totp::Secret,
    /// `secret` encrypted for the form's hidden field (never the secret in the clear).
    pub sealed: String,
}

/// A new set of recovery codes, shown once (redacted in `Debug`).
pub struct RecoveryCodes(pub Vec<String>);

impl std::fmt::Debug for RecoveryCodes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RecoveryCodes([REDACTED])")
    }
}

/// What a sealed enrolment is bound to: the member and the session that began it, so it
/// opens for nobody else and dies with the session.
fn enrolment_owner(session: &Session) -> String {
    format!("{}:enrolment:{}", session.member.id, session.token_hash())
}

fn gone() -> EngineError {
    // The member was removed, or the session ended, between the page and the post.
    EngineError::refused(
        "session_ended",
        "Your session has ended. Sign in again to make this change.",
    )
}

/// The audit entry of a change to the member's own credentials.
async fn audit_own(
    c: &mut Conn,
    session: &Session,
    actor: &Actor,
    action: &'static str,
    after: Option<serde_json::Value>,
) -> anton_store::Result<()> {
    let change = Change {
        action,
        object_type: "member",
        object_id: session.member.id.to_string(),
        before: None,
        after,
    };
    audit::record(
        c,
        &account_tenant(&session.member.merchant_id),
        actor,
        change,
    )
    .await
}

impl Engine {
    /// Replaces the password of `session`'s member with `new` (strong enough, as at joining):
    /// audited as `member.password_changed`; the member's other sessions end.
    pub async fn change_password(
        &self,
        session: &Session,
        new: String,
        actor: &Actor,
    ) -> Result<()> {
        password::check_strength(&new, &[&session.member.email, &session.merchant_name])?;
        let hash = password::hash(new).await?;
        let (s, actor) = (session.clone(), actor.clone());
        self.store()
            .write_refusable(move |c| {
                Box::pin(async move {
                    let m = &s.member;
                    if !store::set_password_hash(c, &m.merchant_id, &m.id, &hash).await? {
                        return Ok(Err(gone()));
                    }
                    store::end_other_sessions(c, &m.merchant_id, &m.id, s.token_hash(), now_us())
                        .await?;
                    audit_own(c, &s, &actor, "member.password_changed", None).await?;
                    Ok(Ok(()))
                })
            })
            .await??;
        tracing::info!(member.id = %session.member.id, "member changed their password");
        Ok(())
    }

    /// A new TOTP secret for `session`'s member to enrol (nothing changes until
    /// [`Engine::reenrol_totp`] confirms it).
    pub fn begin_totp_enrolment(&self, session: &Session) -> Enrolment {
        let secret = totp::Secret::generate();
        let sealed = secret.seal(&self.secrets().keyring, &enrolment_owner(session));
        Enrolment { secret, sealed }
    }

    /// The enrolment `sealed` carries, to show it again after a wrong code.
    pub fn reopen_totp_enrolment(&self, session: &Session, sealed: &str) -> Result<Enrolment> {
        let secret = totp::Secret::open(&self.secrets().keyring, sealed, &enrolment_owner(session))
            .map_err(|_| enrolment_invalid())?;
        Ok(Enrolment {
            secret,
            sealed: sealed.to_owned(),
        })
    }

    /// Moves `session`'s member to the new app of `sealed` once `code` (from that app) proves
    /// it: audited as `member.two_factor_changed`; codes of the old app stop working and the
    /// member's other sessions end.
    pub async fn reenrol_totp(
        &self,
        session: &Session,
        sealed: &str,
        code: &str,
        actor: &Actor,
    ) -> Result<()> {
        let enrolment = self.reopen_totp_enrolment(session, sealed)?;
        let now = now_us();
        let step = enrolment
            .secret
            .check(code, u64::try_from(now / 1_000_000).unwrap_or(0))
            .ok_or_else(|| {
                EngineError::invalid(
                    "code_invalid",
                    "This code is not the one your new app shows now. Enter the current code.",
                    "code",
                )
            })?;
        let stored = enrolment
            .secret
            .seal(&self.secrets().keyring, session.member.id.as_str());
        let (s, actor) = (session.clone(), actor.clone());
        self.store()
            .write_refusable(move |c| {
                Box::pin(async move {
                    let m = &s.member;
                    if !store::set_totp_secret(c, &m.merchant_id, &m.id, &stored, step).await? {
                        return Ok(Err(gone()));
                    }
                    store::end_other_sessions(c, &m.merchant_id, &m.id, s.token_hash(), now)
                        .await?;
                    let after = json!({"change": "totp_reenrolled"});
                    audit_own(c, &s, &actor, "member.two_factor_changed", Some(after)).await?;
                    Ok(Ok(()))
                })
            })
            .await??;
        tracing::info!(member.id = %session.member.id, "member enrolled a new authenticator app");
        Ok(())
    }

    /// Ten new recovery codes for `session`'s member, shown once; the unused old ones stop
    /// working. Audited as `member.two_factor_changed`.
    pub async fn regenerate_recovery_codes(
        &self,
        session: &Session,
        actor: &Actor,
    ) -> Result<RecoveryCodes> {
        let codes = totp::recovery_codes();
        let hasher = &self.secrets().api_key_hasher;
        let id = session.member.id.as_str();
        let hashes: Vec<String> = codes
            .iter()
            .map(|c| totp::recovery_hash(hasher, id, c))
            .collect();
        let (s, actor) = (session.clone(), actor.clone());
        self.store()
            .write_refusable(move |c| {
                Box::pin(async move {
                    let m = &s.member;
                    if store::member(&mut *c, &m.merchant_id, &m.id)
                        .await?
                        .is_none()
                    {
                        return Ok(Err(gone()));
                    }
                    store::replace_recovery_codes(c, &m.merchant_id, &m.id, &hashes).await?;
                    let after = json!({"change": "recovery_codes_regenerated"});
                    audit_own(c, &s, &actor, "member.two_factor_changed", Some(after)).await?;
                    Ok(Ok(()))
                })
            })
            .await??;
        tracing::info!(member.id = %session.member.id, "member made new recovery codes");
        Ok(RecoveryCodes(codes))
    }
}

fn enrolment_invalid() -> EngineError {
    EngineError::invalid(
        "enrolment_invalid",
        "This setup form is not valid any more. Start setting up the new app again.",
        "enrolment",
    )
}
