//! The merchant's team (docs/portal.md): invitations, joining with a password and two-factor
//! enrolment, and the members' list. Sign-in and sessions are in [`sessions`]; roles changed and
//! members removed in [`manage`]; a member's own password and two-factor codes in [`account`].
//!
//! **Every member has two factors.** Accepting an invitation sets a password and enrols a TOTP
//! app, and gives ten one-time recovery codes; there is no account without them, so "require
//! 2FA for everyone" is not a setting that can be off.
//!
//! An email address is one active member of one merchant (sign-in starts from the address).
//! Secrets are never stored as themselves: the invitation's token as a keyed hash, the password
//! as Argon2id, the TOTP secret encrypted with the keyring, recovery codes as keyed hashes.

pub mod account;
pub mod manage;
pub mod password;
pub mod sessions;
pub mod totp;

use std::time::Duration;

use anton_core::id::{InvitationId, MemberId, MerchantId};
use anton_core::keys::Environment;
use anton_core::team::Role;
use anton_store::team::{self as store, InvitationRecord, MemberRecord};
use anton_store::{merchants, now_us, StoreError, Tenant};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::audit::{self, Actor, Change};
use crate::error::{EngineError, Result};
use crate::{validate, Engine};

/// The portal's account settings (`[portal]` in anton.toml; docs/portal.md).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TeamConfig {
    /// The portal's address as members reach it, for invitation links (default: the node's
    /// `https://localhost:<port>`). Behind a load balancer, its public name.
    pub public_url: Option<String>,
    /// A session unused for this long is over (default 30 minutes).
    pub idle_timeout_s: u64,
    /// A session is over this long after sign-in, used or not (default 12 hours).
    pub absolute_timeout_s: u64,
    /// Sensitive actions (live keys, team changes, rotating a secret) ask for the password and
    /// a code again unless the member proved them this recently (default 10 minutes).
    pub reauth_window_s: u64,
    /// An invitation link works for this long (default 72 hours).
    pub invitation_ttl_s: u64,
    /// Failed sign-ins to one account from one client address (an IPv4 address or an IPv6
    /// /64) within the window before that address is refused for that account (default 5)…
    pub account_failures_max: i64,
    /// …to one account from all addresses together, before it is refused from everywhere
    /// (default 50; a bound on guessing from many addresses)…
    pub account_total_failures_max: i64,
    /// …and from one client address to any accounts (default 20)…
    pub address_failures_max: i64,
    /// …within this many seconds (default 900). A refused sign-in waits for the window's end.
    pub throttle_window_s: u64,
}

impl Default for TeamConfig {
    fn default() -> Self {
        Self {
            public_url: None,
            idle_timeout_s: 30 * 60,
            absolute_timeout_s: 12 * 3600,
            reauth_window_s: 10 * 60,
            invitation_ttl_s: 72 * 3600,
            account_failures_max: 5,
            account_total_failures_max: 50,
            address_failures_max: 20,
            throttle_window_s: 15 * 60,
        }
    }
}

impl TeamConfig {
    /// Refuses settings that would make the portal unsafe or unusable.
    pub fn validate(&self) -> std::result::Result<(), String> {
        let bad = |what: &str| Err(format!("portal.{what} is out of range"));
        if !(60..=24 * 3600).contains(&self.idle_timeout_s) {
            return bad("idle_timeout_s (60–86400)");
        }
        if !(self.idle_timeout_s..=30 * 24 * 3600).contains(&self.absolute_timeout_s) {
            return bad("absolute_timeout_s (idle_timeout_s–2592000)");
        }
        if !(30..=self.absolute_timeout_s).contains(&self.reauth_window_s) {
            return bad("reauth_window_s (30–absolute_timeout_s)");
        }
        if !(300..=30 * 24 * 3600).contains(&self.invitation_ttl_s) {
            return bad("invitation_ttl_s (300–2592000)");
        }
        if !(1..=1000).contains(&self.account_failures_max)
            || !(self.account_failures_max..=100_000).contains(&self.account_total_failures_max)
            || !(1..=100_000).contains(&self.address_failures_max)
        {
            return bad("account_failures_max (1–1000), account_total_failures_max \
                 (account_failures_max–100000) or address_failures_max (1–100000)");
        }
        if !(60..=24 * 3600).contains(&self.throttle_window_s) {
            return bad("throttle_window_s (60–86400)");
        }
        Ok(())
    }
}

/// A member as the portal shows them (never a secret).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub id: MemberId,
    pub merchant_id: MerchantId,
    pub email: String,
    pub role: Role,
    pub created_us: i64,
}

impl From<&MemberRecord> for Member {
    fn from(r: &MemberRecord) -> Self {
        Self {
            id: r.id.clone(),
            merchant_id: r.merchant_id.clone(),
            email: r.email.clone(),
            role: r.role,
            created_us: r.created_us,
        }
    }
}

/// A new invitation: its link's token, shown this once.
#[derive(Debug)]
pub struct Invitation {
    pub id: InvitationId,
    pub email: String,
    pub role: Role,
    pub expires_us: i64,
    /// The secret part of the link (`/invitations/{token}`); only its hash is stored.
    pub token: InvitationToken,
}

/// An invitation link's token (redacted in `Debug`).
pub struct InvitationToken(String);

impl std::fmt::Debug for InvitationToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("InvitationToken([REDACTED])")
    }
}

impl InvitationToken {
    pub fn expose_secret(&self) -> &str {
        &self.0
    }
}

/// An open invitation as its accept page shows it, with the enrolment secret.
#[derive(Debug)]
pub struct OpenInvitation {
    pub email: String,
    pub role: Role,
    pub merchant_name: String,
    pub expires_us: i64,
    /// The TOTP secret to enrol (the same on every visit until the invitation is accepted).
    pub totp: totp::Secret,
}

/// What accepting an invitation gives: the member, and their recovery codes, shown once
/// (redacted in `Debug`).
pub struct Joined {
    pub member: Member,
    pub recovery_codes: Vec<String>,
}

impl std::fmt::Debug for Joined {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Joined")
            .field("member", &self.member)
            .field("recovery_codes", &"[REDACTED]")
            .finish()
    }
}

/// What joining asks of the new member.
pub struct Acceptance {
    pub password: String,
    pub code: String,
    pub source_ip: Option<String>,
}

/// Account-level audit entries (the team, sign-ins) go to the live environment's list.
pub(crate) fn account_tenant(merchant: &MerchantId) -> Tenant {
    Tenant {
        merchant_id: merchant.clone(),
        env: Environment::Live,
    }
}

fn invitation_invalid() -> EngineError {
    // One answer for unknown, expired and used links: a link's state is not told to whoever
    // holds a guess.
    EngineError::refused(
        "invitation_invalid",
        "This invitation link is not valid: it may have expired or been used. Ask an owner of \
         the team for a new one.",
    )
}

impl Engine {
    fn token_hash(&self, purpose: &[u8], token: &str) -> String {
        self.secrets()
            .api_key_hasher
            .hash_hex(&[purpose, token.as_bytes()])
    }

    /// Invites `email` to `merchant`'s team as `role` (audited as `member.invited` by
    /// `actor`). The link's token is returned this once.
    pub async fn invite_member(
        &self,
        merchant: &MerchantId,
        email: &str,
        role: Role,
        actor: &Actor,
    ) -> Result<Invitation> {
        let email = validate::email(email)?.to_lowercase();
        if merchants::get(self.store().read(), merchant)
            .await?
            .is_none()
        {
            return Err(EngineError::refused(
                "merchant_missing",
                format!("no merchant {merchant}"),
            ));
        }
        if store::member_by_email(self.store().read(), &email)
            .await?
            .is_some()
        {
            return Err(EngineError::conflict(
                "member_exists",
                "This email address is already a member of a team.",
                Some("email"),
            ));
        }
        let token = anton_core::random_base62(43);
        let id = InvitationId::generate();
        let now = now_us();
        let ttl = Duration::from_secs(self.config().team.invitation_ttl_s);
        let record = InvitationRecord {
            token_hash: self.token_hash(b"portal-invitation", &token),
            merchant_id: merchant.clone(),
            id: id.clone(),
            email: email.clone(),
            role,
            invited_by: actor_text(actor),
            totp_secret: totp::Secret::generate().seal(&self.secrets().keyring, id.as_str()),
            created_us: now,
            expires_us: now + i64::try_from(ttl.as_micros()).unwrap_or(i64::MAX / 2),
            accepted_us: None,
        };
        let rec = record.clone();
        let actor = actor.clone();
        self.store()
            .write(move |c| {
                Box::pin(async move {
                    store::insert_invitation(c, &rec).await?;
                    let change = Change {
                        action: "member.invited",
                        object_type: "invitation",
                        object_id: rec.id.to_string(),
                        before: None,
                        after: Some(json!({
                            "email": rec.email, "role": rec.role.as_str(),
                            "expires_us": rec.expires_us,
                        })),
                    };
                    audit::record(c, &account_tenant(&rec.merchant_id), &actor, change).await
                })
            })
            .await?;
        tracing::info!(invitation.id = %id, merchant.id = %merchant, role = role.as_str(), "member invited");
        Ok(Invitation {
            id,
            email,
            role,
            expires_us: record.expires_us,
            token: InvitationToken(token),
        })
    }

    async fn open_invitation_record(&self, token: &str) -> Result<InvitationRecord> {
        let hash = self.token_hash(b"portal-invitation", token);
        match store::invitation_by_token(self.store().read(), &hash).await? {
            Some(i) if i.accepted_us.is_none() && i.expires_us > now_us() => Ok(i),
            _ => Err(invitation_invalid()),
        }
    }

    /// The open invitation of `token`, for its accept page.
    pub async fn open_invitation(&self, token: &str) -> Result<OpenInvitation> {
        let i = self.open_invitation_record(token).await?;
        let merchant = merchants::get(self.store().read(), &i.merchant_id)
            .await?
            .ok_or_else(invitation_invalid)?;
        Ok(OpenInvitation {
            totp: totp::Secret::open(&self.secrets().keyring, &i.totp_secret, i.id.as_str())?,
            email: i.email,
            role: i.role,
            merchant_name: merchant.name,
            expires_us: i.expires_us,
        })
    }

    /// Accepts the invitation of `token`: the password (strong enough) and a code from the
    /// enrolled app make the member (audited as `member.joined`). The invitation works once.
    pub async fn accept_invitation(&self, token: &str, a: Acceptance) -> Result<Joined> {
        let open = self.open_invitation(token).await?;
        let invitation = self.open_invitation_record(token).await?;
        password::check_strength(&a.password, &[&open.email, &open.merchant_name])?;
        let now = now_us();
        let step = open
            .totp
            .check(&a.code, u64::try_from(now / 1_000_000).unwrap_or(0))
            .ok_or_else(|| {
                EngineError::invalid(
                    "code_invalid",
                    "This code is not the one your app shows now. Enter the current code.",
                    "code",
                )
            })?;
        let password_hash = password::hash(a.password).await?;
        let id = MemberId::generate();
        let record = MemberRecord {
            merchant_id: invitation.merchant_id.clone(),
            id: id.clone(),
            email: invitation.email.clone(),
            role: invitation.role,
            password_hash,
            totp_secret: open.totp.seal(&self.secrets().keyring, id.as_str()),
            totp_last_step: step,
            created_us: now,
        };
        let codes = totp::recovery_codes();
        let hasher = &self.secrets().api_key_hasher;
        let code_hashes: Vec<String> = codes
            .iter()
            .map(|c| totp::recovery_hash(hasher, id.as_str(), c))
            .collect();
        let rec = record.clone();
        let token_hash = invitation.token_hash.clone();
        let actor = Actor::member(id.clone(), a.source_ip, None);
        let joined = self
            .store()
            .write_refusable(move |c| {
                Box::pin(async move {
                    if !store::accept_invitation(c, &token_hash, now).await? {
                        return Ok(Err(invitation_invalid()));
                    }
                    match store::insert_member(c, &rec).await {
                        Err(StoreError::UniqueViolation) => {
                            return Ok(Err(EngineError::conflict(
                                "member_exists",
                                "This email address is already a member of a team.",
                                None,
                            )))
                        }
                        other => other?,
                    }
                    store::replace_recovery_codes(c, &rec.merchant_id, &rec.id, &code_hashes)
                        .await?;
                    let change = Change {
                        action: "member.joined",
                        object_type: "member",
                        object_id: rec.id.to_string(),
                        before: None,
                        after: Some(member_view(&Member::from(&rec))),
                    };
                    audit::record(c, &account_tenant(&rec.merchant_id), &actor, change).await?;
                    Ok(Ok(()))
                })
            })
            .await?;
        joined?;
        tracing::info!(member.id = %id, merchant.id = %record.merchant_id, "member joined");
        Ok(Joined {
            member: Member::from(&record),
            recovery_codes: codes,
        })
    }

    /// The merchant's active members, oldest first.
    pub async fn members(&self, merchant: &MerchantId) -> Result<Vec<Member>> {
        let rows = store::members(self.store().read(), merchant).await?;
        Ok(rows.iter().map(Member::from).collect())
    }
}

/// What the audit log shows of a member.
pub(crate) fn member_view(m: &Member) -> serde_json::Value {
    json!({"id": m.id.as_str(), "email": m.email, "role": m.role.as_str()})
}

/// Who invited, as the invitation keeps it.
fn actor_text(actor: &Actor) -> String {
    match &actor.who {
        audit::Who::ApiKey(k) => format!("api_key:{k}"),
        audit::Who::Member(m) => format!("member:{m}"),
        audit::Who::Operator(u) => format!("operator:{u}"),
        audit::Who::System => "system".into(),
    }
}
