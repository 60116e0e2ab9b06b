//! The audit log (docs/reference.md §7): who changed what, written by each audited use case in
//! the transaction of its change ([`record`]), so an action is never without its entry nor an
//! entry without its action. Read by the merchant (`GET /v1/audit_log`), checked and exported by
//! the operator ([`verify`], [`export`]).
//!
//! Audited: API keys created, rolled, revoked and flagged as exposed; webhook endpoints created,
//! changed, deleted and their secrets rotated; rate limits changed; balances funded; payouts
//! canceled; the team's invitations, joins and sign-ins (recorded in the live environment's
//! list: they are about the account, not one mode). Entries hold what the API shows of an
//! object, never a secret.

use anton_core::id::{AuditEntryId, KeyId, MemberId, MerchantId};
use anton_store::audit::{self, AuditFilter, AuditRecord, Broken, NewEntry, Verifier};
use anton_store::list::Listed;
use anton_store::{now_us, Conn, Tenant};
use serde_json::Value;

use crate::error::{EngineError, Result};
use crate::validate::{ListQuery, Listing};
use crate::Engine;

/// Who acted, from where, in which request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub who: Who,
    pub source_ip: Option<String>,
    pub request_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Who {
    /// A request made with this API key.
    ApiKey(KeyId),
    /// A member of the merchant's team, in the portal (or someone trying to sign in as one).
    Member(MemberId),
    /// The operator's CLI, run by this OS user.
    Operator(String),
    /// Anton itself (a worker).
    System,
}

impl Actor {
    /// A request with API key `key` from `source_ip`.
    pub fn key(key: KeyId, source_ip: Option<String>, request_id: Option<String>) -> Self {
        Self {
            who: Who::ApiKey(key),
            source_ip,
            request_id,
        }
    }

    /// A member in the portal, from `source_ip`.
    pub fn member(member: MemberId, source_ip: Option<String>, request_id: Option<String>) -> Self {
        Self {
            who: Who::Member(member),
            source_ip,
            request_id,
        }
    }

    /// The operator's CLI, named by the OS user running it (`$USER`, else `$LOGNAME`, else
    /// `unknown`): what a shell session says it is, not a proof; the database's own access
    /// control is what limits who can run operator commands.
    pub fn operator() -> Self {
        Self {
            who: Who::Operator(os_user()),
            source_ip: None,
            request_id: None,
        }
    }

    pub fn system() -> Self {
        Self {
            who: Who::System,
            source_ip: None,
            request_id: None,
        }
    }

    /// The id of who acted, when a key (`key_…`) or a portal member (`mbr_…`) did: what an
    /// object records as its decider (a review, an alert).
    pub fn id_text(&self) -> Option<String> {
        match &self.who {
            Who::ApiKey(k) => Some(k.to_string()),
            Who::Member(m) => Some(m.to_string()),
            _ => None,
        }
    }

    /// The API key acting, if a key is.
    pub fn key_id(&self) -> Option<&KeyId> {
        match &self.who {
            Who::ApiKey(k) => Some(k),
            _ => None,
        }
    }

    fn parts(&self) -> (&'static str, Option<String>) {
        match &self.who {
            Who::ApiKey(k) => ("api_key", Some(k.to_string())),
            Who::Member(m) => ("member", Some(m.to_string())),
            Who::Operator(u) => ("operator", Some(u.clone())),
            Who::System => ("system", None),
        }
    }
}

/// The OS user running this process: `$USER`, else `$LOGNAME`, else `unknown`.
pub fn os_user() -> String {
    ["USER", "LOGNAME"]
        .iter()
        .find_map(|v| std::env::var(v).ok().filter(|u| !u.is_empty()))
        .unwrap_or_else(|| "unknown".into())
}

/// One audited change: its action (`api_key.revoked`), the object it was made to, and what the
/// object was before and after (as the API shows it; `None` when it did not exist).
#[derive(Debug, Clone)]
pub struct Change {
    pub action: &'static str,
    pub object_type: &'static str,
    pub object_id: String,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

/// The actions the log records (the API documents them).
pub const ACTIONS: [&str; 27] = [
    "api_key.created",
    "api_key.rolled",
    "api_key.revoked",
    "api_key.exposed",
    "webhook_endpoint.created",
    "webhook_endpoint.updated",
    "webhook_endpoint.deleted",
    "webhook_endpoint.secret_rotated",
    "merchant.rate_limit_updated",
    "merchant.alert_emails_updated",
    "balance.funded",
    "payout.canceled",
    "payout.approved",
    "payout.rejected",
    "payout.review_expired",
    "risk_rule.updated",
    "alert.acknowledged",
    "alert.resolved",
    "member.invited",
    "member.joined",
    "member.login",
    "member.login_failed",
    "member.role_changed",
    "member.removed",
    "member.invitation_revoked",
    "member.password_changed",
    "member.two_factor_changed",
];

/// What `action` means (the API documents it).
pub fn meaning(action: &str) -> &'static str {
    match action {
        "api_key.created" => "an API key was created (rolling one creates its successor).",
        "api_key.rolled" => {
            "an API key was replaced; `after.replaced_by` names its successor, \
             `after.expires` when it stops working."
        }
        "api_key.revoked" => "an API key was revoked.",
        "api_key.exposed" => "an API key was sent from a browser and flagged as possibly exposed.",
        "webhook_endpoint.created" => "a webhook endpoint was created.",
        "webhook_endpoint.updated" => {
            "a webhook endpoint's URL, events, description or status \
             changed."
        }
        "webhook_endpoint.deleted" => "a webhook endpoint was deleted.",
        "webhook_endpoint.secret_rotated" => {
            "a webhook endpoint's signing secret was replaced \
             (never shown here)."
        }
        "merchant.rate_limit_updated" => "your API rate limit in this environment changed.",
        "merchant.alert_emails_updated" => "the addresses your alerts are emailed to changed.",
        "balance.funded" => "money was added to your balance.",
        "payout.canceled" => "a payout was canceled.",
        "payout.approved" => {
            "a payout held by a risk rule was approved (`after.review` says by whom and why)."
        }
        "payout.rejected" => {
            "a payout held by a risk rule was rejected; its amount is available again."
        }
        "payout.review_expired" => {
            "a payout held by a risk rule was not decided in time; Anton rejected it."
        }
        "risk_rule.updated" => "a risk rule's action, limits or state changed.",
        "alert.acknowledged" => "an alert was acknowledged.",
        "alert.resolved" => {
            "an alert was resolved through the API (Anton's own resolutions \
             are not audited: they follow the alert's rule)."
        }
        "member.invited" => {
            "someone was invited to the team (`after` holds the email and role; never the link)."
        }
        "member.joined" => {
            "an invitation was accepted: the member set a password and enrolled two-factor \
             codes (TOTP and recovery codes)."
        }
        "member.login" => {
            "a member signed in to the portal (`after.method`: `totp` or `recovery_code`)."
        }
        "member.login_failed" => {
            "a sign-in as this member was refused (a wrong password or code; attempts the \
             throttle refused are not recorded)."
        }
        "member.role_changed" => {
            "a member's role changed (`before` and `after` hold it); their sessions ended."
        }
        "member.removed" => "a member was removed from the team; their sessions ended.",
        "member.invitation_revoked" => {
            "an invitation not yet accepted was revoked; its link stopped working (`before` \
             holds the email and role)."
        }
        "member.password_changed" => "a member changed their password; their other sessions ended.",
        "member.two_factor_changed" => {
            "a member changed their two-factor codes (`after.change`: `totp_reenrolled`, a new \
             authenticator app, which also ended their other sessions; or \
             `recovery_codes_regenerated`)."
        }
        _ => "",
    }
}

/// Appends `change` by `actor` to the tenant's merchant's chain, in the transaction of `c`.
pub(crate) async fn record(
    c: &mut Conn,
    tenant: &Tenant,
    actor: &Actor,
    change: Change,
) -> anton_store::Result<()> {
    let (actor_type, actor_id) = actor.parts();
    let entry = NewEntry {
        tenant: tenant.clone(),
        action: change.action.to_owned(),
        actor_type,
        actor_id,
        source_ip: actor.source_ip.clone(),
        request_id: actor.request_id.clone(),
        object_type: change.object_type,
        object_id: change.object_id,
        before: change.before.map(|v| v.to_string()),
        after: change.after.map(|v| v.to_string()),
    };
    audit::append(c, entry, now_us()).await?;
    Ok(())
}

/// A list of audit entries: its page and filters.
#[derive(Debug, Clone, Default)]
pub struct AuditQuery {
    pub list: ListQuery,
    pub filter: AuditFilter,
}

impl Engine {
    /// The tenant's audit entries, newest first.
    pub async fn list_audit_log(
        &self,
        tenant: &Tenant,
        query: &AuditQuery,
    ) -> Result<Listing<AuditRecord>> {
        let page = query
            .list
            .page(self.store(), Listed::AuditLog, tenant)
            .await?;
        let rows = audit::list(self.store().read(), tenant, &query.filter, &page).await?;
        Ok(Listing::of(rows, &page))
    }

    pub async fn get_audit_entry(&self, tenant: &Tenant, id: &AuditEntryId) -> Result<AuditRecord> {
        audit::get(self.store().read(), tenant, id)
            .await?
            .ok_or_else(|| EngineError::not_found("audit_entry", id.as_str()))
    }
}

/// Entries read per query when walking a chain.
const CHAIN_PAGE: i64 = 1000;

/// What [`verify`] found for one merchant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// The chain is whole: this many entries, ending in this hash.
    Intact { entries: i64, head: String },
    /// The first entry where it breaks.
    Broken(Broken),
}

/// Walks `merchant`'s whole chain (both environments) in order and checks every link, and that
/// it ends where the merchant's counter says.
pub async fn verify(store: &anton_store::Store, merchant: &MerchantId) -> Result<Verdict> {
    let Some(counted) = audit::counted(store.read(), merchant).await? else {
        return Err(EngineError::refused(
            "merchant_missing",
            format!("no merchant {merchant}"),
        ));
    };
    let mut v = Verifier::default();
    loop {
        let rows = audit::chain(store.read(), merchant, v.head().0, CHAIN_PAGE).await?;
        for r in &rows {
            if let Err(b) = v.check(r) {
                return Ok(Verdict::Broken(b));
            }
        }
        if rows.len() < CHAIN_PAGE as usize {
            break;
        }
    }
    if let Err(b) = v.finish(counted) {
        return Ok(Verdict::Broken(b));
    }
    let (entries, head) = v.head();
    Ok(Verdict::Intact {
        entries,
        head: head.to_owned(),
    })
}

/// Hands `merchant`'s entries to `each` in chain order, a page at a time (the CLI's JSON-lines
/// export).
pub async fn export(
    store: &anton_store::Store,
    merchant: &MerchantId,
    mut each: impl FnMut(&AuditRecord) -> std::io::Result<()>,
) -> Result<i64> {
    let mut after = 0;
    loop {
        let rows = audit::chain(store.read(), merchant, after, CHAIN_PAGE).await?;
        for r in &rows {
            each(r).map_err(|e| EngineError::refused("export_failed", e.to_string()))?;
            after = r.seq;
        }
        if rows.len() < CHAIN_PAGE as usize {
            return Ok(after);
        }
    }
}
