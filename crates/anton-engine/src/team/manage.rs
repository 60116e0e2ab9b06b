//! Changing the team: a member's role, removing a member, the open invitations. Each change
//! commits with its audit entry (`member.role_changed`, `member.removed`,
//! `member.invitation_revoked`); a changed or removed member's sessions end, so their open
//! pages stop working at their next request.
//!
//! **A team always keeps an owner.** Changes that would leave none are refused; the check runs
//! under the merchant's row lock, so two owners demoting each other at once cannot both win.

use anton_core::id::{InvitationId, MemberId, MerchantId};
use anton_core::team::Role;
use anton_store::team::{self as store, InvitationRecord};
use anton_store::{merchants, now_us};

use super::{account_tenant, member_view, Member};
use crate::audit::{self, Actor, Change};
use crate::error::{EngineError, Result};
use crate::Engine;

fn last_owner() -> EngineError {
    EngineError::conflict(
        "last_owner",
        "A team keeps at least one owner: make someone else an owner first.",
        None,
    )
}

fn no_member(id: &MemberId) -> EngineError {
    EngineError::not_found("member", id.as_str())
}

/// An invitation not yet accepted, as the team page lists it (never its link).
#[derive(Debug, Clone)]
pub struct OpenInvitation {
    pub id: InvitationId,
    pub email: String,
    pub role: Role,
    pub created_us: i64,
    pub expires_us: i64,
}

impl From<&InvitationRecord> for OpenInvitation {
    fn from(i: &InvitationRecord) -> Self {
        Self {
            id: i.id.clone(),
            email: i.email.clone(),
            role: i.role,
            created_us: i.created_us,
            expires_us: i.expires_us,
        }
    }
}

impl Engine {
    /// Gives member `id` of `merchant` the role `role` (audited as `member.role_changed`);
    /// their sessions end.
    pub async fn change_member_role(
        &self,
        merchant: &MerchantId,
        id: &MemberId,
        role: Role,
        actor: &Actor,
    ) -> Result<Member> {
        let before = store::member(self.store().read(), merchant, id)
            .await?
            .ok_or_else(|| no_member(id))?;
        let (m, member, actor) = (merchant.clone(), id.clone(), actor.clone());
        let done = self
            .store()
            .write_refusable(move |c| {
                Box::pin(async move {
                    merchants::lock(c, &m).await?;
                    let Some(current) = store::member(&mut *c, &m, &member).await? else {
                        return Ok(Err(no_member(&member)));
                    };
                    if current.role == role {
                        return Ok(Ok(Member::from(&current)));
                    }
                    if current.role == Role::Owner && store::count_owners(c, &m).await? <= 1 {
                        return Ok(Err(last_owner()));
                    }
                    store::set_member_role(c, &m, &member, role).await?;
                    store::end_member_sessions(c, &m, &member, now_us()).await?;
                    let mut after = Member::from(&current);
                    after.role = role;
                    let change = Change {
                        action: "member.role_changed",
                        object_type: "member",
                        object_id: member.to_string(),
                        before: Some(member_view(&Member::from(&current))),
                        after: Some(member_view(&after)),
                    };
                    audit::record(c, &account_tenant(&m), &actor, change).await?;
                    Ok(Ok(after))
                })
            })
            .await??;
        tracing::info!(member.id = %id, merchant.id = %merchant, from = before.role.as_str(), to = role.as_str(), "member role changed");
        Ok(done)
    }

    /// Removes member `id` from `merchant`'s team (audited as `member.removed`); their sessions
    /// end and their email may be invited again.
    pub async fn remove_member(
        &self,
        merchant: &MerchantId,
        id: &MemberId,
        actor: &Actor,
    ) -> Result<()> {
        let (m, member, actor) = (merchant.clone(), id.clone(), actor.clone());
        self.store()
            .write_refusable(move |c| {
                Box::pin(async move {
                    merchants::lock(c, &m).await?;
                    let Some(current) = store::member(&mut *c, &m, &member).await? else {
                        return Ok(Err(no_member(&member)));
                    };
                    if current.role == Role::Owner && store::count_owners(c, &m).await? <= 1 {
                        return Ok(Err(last_owner()));
                    }
                    let now = now_us();
                    store::remove_member(c, &m, &member, now).await?;
                    store::end_member_sessions(c, &m, &member, now).await?;
                    let change = Change {
                        action: "member.removed",
                        object_type: "member",
                        object_id: member.to_string(),
                        before: Some(member_view(&Member::from(&current))),
                        after: None,
                    };
                    audit::record(c, &account_tenant(&m), &actor, change).await?;
                    Ok(Ok(()))
                })
            })
            .await??;
        tracing::info!(member.id = %id, merchant.id = %merchant, "member removed");
        Ok(())
    }

    /// The merchant's invitations not yet accepted nor expired, newest first.
    pub async fn open_invitations(&self, merchant: &MerchantId) -> Result<Vec<OpenInvitation>> {
        let rows = store::open_invitations(self.store().read(), merchant, now_us()).await?;
        Ok(rows.iter().map(OpenInvitation::from).collect())
    }

    /// Revokes `merchant`'s open invitation `id` (audited as `member.invitation_revoked`): its
    /// link stops working at once.
    pub async fn revoke_invitation(
        &self,
        merchant: &MerchantId,
        id: &InvitationId,
        actor: &Actor,
    ) -> Result<()> {
        let (m, inv, actor) = (merchant.clone(), id.clone(), actor.clone());
        self.store()
            .write_refusable(move |c| {
                Box::pin(async move {
                    let Some(found) = store::revoke_invitation(c, &m, &inv, now_us()).await? else {
                        return Ok(Err(EngineError::not_found("invitation", inv.as_str())));
                    };
                    let change = Change {
                        action: "member.invitation_revoked",
                        object_type: "invitation",
                        object_id: inv.to_string(),
                        before: Some(serde_json::json!({
                            "email": found.email, "role": found.role.as_str(),
                            "expires_us": found.expires_us,
                        })),
                        after: None,
                    };
                    audit::record(c, &account_tenant(&m), &actor, change).await?;
                    Ok(Ok(()))
                })
            })
            .await??;
        tracing::info!(invitation.id = %id, merchant.id = %merchant, "invitation revoked");
        Ok(())
    }
}
