//! Operator actions on merchants and keys (docs/reference.md §4), shared by the CLI and the tests,
//! and the lookups that authenticate a request. The full key is returned exactly once, from
//! [`create_key`] / [`roll_key`]; only its keyed hash is stored.

use std::time::Duration;

use anton_core::id::{KeyId, MerchantId};
use anton_core::keys::{ApiKey, Environment, KeyKind, ScopeSet};
use anton_core::money::{Amount, Currency};
use anton_core::time::Timestamp;
use anton_store::api_keys::{self, ApiKeyRecord};
use anton_store::merchants::{self, Merchant};
use anton_store::{now_us, Store, Tenant};

use crate::audit::{self, Actor, Change};
use crate::error::{EngineError, Result};
use crate::{validate, Secrets};

/// Longest grace period when rolling a key (docs/reference.md §4).
pub const ROLL_GRACE_MAX: Duration = Duration::from_secs(7 * 24 * 3600);

/// A merchant named `name`: held to the rule of names ([`validate::name`]; a length out of
/// range is `name_invalid`).
pub async fn create_merchant(store: &Store, name: &str) -> Result<Merchant> {
    let name = validate::name_as(name, "name_invalid")?;
    let m = Merchant {
        id: MerchantId::generate(),
        name,
        rate_limit_live_per_s: 100,
        rate_limit_test_per_s: 25,
        created: Timestamp::from_unix_micros(now_us()),
    };
    let rec = m.clone();
    store
        .write(move |c| Box::pin(async move { merchants::insert(c, &rec).await }))
        .await?;
    Ok(m)
}

/// What a new key should look like.
#[derive(Debug, Clone)]
pub struct KeySpec {
    pub merchant_id: MerchantId,
    pub env: Environment,
    /// `None`: a secret key with every scope; `Some`: a restricted key.
    pub scopes: Option<ScopeSet>,
    pub expires_in: Option<Duration>,
    pub allowed_cidrs: Vec<ipnet::IpNet>,
    pub name: String,
    pub created_by: String,
}

/// Creates a key (audited as `api_key.created` by `actor`); the key itself is returned this
/// once.
pub async fn create_key(
    store: &Store,
    secrets: &Secrets,
    spec: &KeySpec,
    actor: &Actor,
) -> Result<(ApiKeyRecord, ApiKey)> {
    let now = now_us();
    let expires = spec.expires_in.map(|d| {
        Timestamp::from_unix_micros(now + i64::try_from(d.as_micros()).unwrap_or(i64::MAX / 2))
    });
    create_key_expiring(store, secrets, spec, expires, actor).await
}

/// [`create_key`] with the key's expiry as a moment (`spec.expires_in` is not read).
async fn create_key_expiring(
    store: &Store,
    secrets: &Secrets,
    spec: &KeySpec,
    expires: Option<Timestamp>,
    actor: &Actor,
) -> Result<(ApiKeyRecord, ApiKey)> {
    merchant_exists(store, &spec.merchant_id).await?;
    if spec.scopes.is_some_and(ScopeSet::is_empty) {
        return Err(EngineError::invalid(
            "scopes_empty",
            "a restricted key needs at least one scope",
            "scope",
        ));
    }
    // A key's name is optional (`""`); one that is given is held to the rule of names.
    let name = if spec.name.is_empty() {
        String::new()
    } else {
        validate::name_as(&spec.name, "name_invalid")?
    };
    let kind = if spec.scopes.is_some() {
        KeyKind::Restricted
    } else {
        KeyKind::Secret
    };
    let key = ApiKey::generate(kind, spec.env);
    let now = now_us();
    let record = ApiKeyRecord {
        id: KeyId::generate(),
        merchant_id: spec.merchant_id.clone(),
        env: spec.env,
        kind,
        name,
        display_prefix: key.display_prefix(),
        last4: key.last4().to_owned(),
        scopes: spec.scopes.unwrap_or_else(ScopeSet::standard),
        allowed_cidrs: spec.allowed_cidrs.iter().map(ToString::to_string).collect(),
        expires,
        revoked: None,
        exposed: None,
        last_used: None,
        created_by: spec.created_by.clone(),
        created: Timestamp::from_unix_micros(now),
    };
    let hash = key.hash(&secrets.api_key_hasher);
    let rec = record.clone();
    let actor = actor.clone();
    store
        .write(move |c| {
            Box::pin(async move {
                api_keys::insert(c, &rec, &hash).await?;
                let change = Change {
                    action: "api_key.created",
                    object_type: "api_key",
                    object_id: rec.id.to_string(),
                    before: None,
                    after: Some(key_view(&rec)),
                };
                audit::record(c, &key_tenant(&rec), &actor, change).await
            })
        })
        .await?;
    tracing::info!(key.id = %record.id, merchant.id = %record.merchant_id, key.kind = kind.as_str(), "API key created");
    Ok((record, key))
}

/// `no merchant …` unless the merchant exists.
async fn merchant_exists(store: &Store, merchant_id: &MerchantId) -> Result<()> {
    if merchants::get(store.read(), merchant_id).await?.is_none() {
        return Err(EngineError::refused(
            "merchant_missing",
            format!("no merchant {merchant_id}"),
        ));
    }
    Ok(())
}

async fn key_by_id(store: &Store, merchant_id: &MerchantId, id: &KeyId) -> Result<ApiKeyRecord> {
    api_keys::get(store.read(), merchant_id, id)
        .await?
        .ok_or_else(|| {
            EngineError::refused(
                "key_missing",
                format!("merchant {merchant_id} has no key {id}"),
            )
        })
}

/// Revokes a key now (audited as `api_key.revoked` by `actor`).
pub async fn revoke_key(
    store: &Store,
    merchant_id: &MerchantId,
    id: &KeyId,
    actor: &Actor,
) -> Result<()> {
    let before = key_by_id(store, merchant_id, id).await?;
    let (m, k, actor) = (merchant_id.clone(), id.clone(), actor.clone());
    let done = store
        .write(move |c| {
            Box::pin(async move {
                let now = now_us();
                if !api_keys::revoke(c, &m, &k, now).await? {
                    return Ok(false);
                }
                let mut after = before.clone();
                after.revoked = Some(Timestamp::from_unix_micros(now));
                let change = Change {
                    action: "api_key.revoked",
                    object_type: "api_key",
                    object_id: k.to_string(),
                    before: Some(key_view(&before)),
                    after: Some(key_view(&after)),
                };
                audit::record(c, &key_tenant(&before), &actor, change).await?;
                Ok(true)
            })
        })
        .await?;
    store.note_key_change();
    if !done {
        return Err(EngineError::refused(
            "key_revoked",
            format!("key {id} is already revoked"),
        ));
    }
    tracing::info!(key.id = %id, merchant.id = %merchant_id, "API key revoked");
    Ok(())
}

/// What the audit log shows of a key: its settings and life, never the key (nor its last four
/// characters).
fn key_view(k: &ApiKeyRecord) -> serde_json::Value {
    let time = |t: Option<Timestamp>| t.map(|t| t.to_rfc3339());
    serde_json::json!({
        "kind": k.kind.as_str(),
        "name": k.name,
        "scopes": k.scopes.iter().map(|s| s.as_str()).collect::<Vec<_>>(),
        "allowed_cidrs": k.allowed_cidrs,
        "expires": time(k.expires),
        "revoked": time(k.revoked),
        "exposed": time(k.exposed),
        "created_by": k.created_by,
    })
}

fn key_tenant(k: &ApiKeyRecord) -> Tenant {
    Tenant::new(k.merchant_id.clone(), k.env)
}

/// Issues a new key with the same settings; the old one stays valid for `grace` (0: revoked now).
pub async fn roll_key(
    store: &Store,
    secrets: &Secrets,
    merchant_id: &MerchantId,
    id: &KeyId,
    grace: Duration,
    actor: &Actor,
) -> Result<(ApiKeyRecord, ApiKey)> {
    if grace > ROLL_GRACE_MAX {
        return Err(EngineError::invalid(
            "grace_too_long",
            "the grace period is at most 7 days",
            "grace",
        ));
    }
    let old = key_by_id(store, merchant_id, id).await?;
    if old.revoked.is_some() {
        return Err(EngineError::refused(
            "key_revoked",
            format!("key {id} is revoked; create a new key instead"),
        ));
    }
    // The successor lives no longer than the key it replaces: rolling renews the secret, not
    // the key's lifetime.
    if old.expires.is_some_and(|e| e.unix_micros() <= now_us()) {
        return Err(EngineError::refused(
            "key_expired",
            format!("key {id} has expired; create a new key instead"),
        ));
    }
    let spec = KeySpec {
        merchant_id: old.merchant_id.clone(),
        env: old.env,
        scopes: (old.kind == KeyKind::Restricted).then_some(old.scopes),
        expires_in: None,
        allowed_cidrs: old
            .allowed_cidrs
            .iter()
            .filter_map(|c| c.parse().ok())
            .collect(),
        name: old.name.clone(),
        created_by: format!("roll of {}", old.id),
    };
    let new = create_key_expiring(store, secrets, &spec, old.expires, actor).await?;
    let (m, k, replaced_by, actor) = (
        merchant_id.clone(),
        id.clone(),
        new.0.id.clone(),
        actor.clone(),
    );
    let until = now_us() + i64::try_from(grace.as_micros()).unwrap_or(0);
    store
        .write(move |c| {
            Box::pin(async move {
                let now = now_us();
                let mut after = old.clone();
                let changed = if until <= now {
                    after.revoked = Some(Timestamp::from_unix_micros(now));
                    api_keys::revoke(c, &m, &k, now).await?
                } else {
                    after.expires = Some(Timestamp::from_unix_micros(
                        after.expires.map_or(until, |e| e.unix_micros().min(until)),
                    ));
                    api_keys::expire_by(c, &m, &k, until).await?
                };
                if changed {
                    let mut view = key_view(&after);
                    view["replaced_by"] = replaced_by.to_string().into();
                    let change = Change {
                        action: "api_key.rolled",
                        object_type: "api_key",
                        object_id: k.to_string(),
                        before: Some(key_view(&old)),
                        after: Some(view),
                    };
                    audit::record(c, &key_tenant(&old), &actor, change).await?;
                }
                Ok(changed)
            })
        })
        .await?;
    store.note_key_change();
    Ok(new)
}

/// Sets a merchant's per-key rate limits (requests per second, burst twice that). `false` when
/// there is no such merchant. Each environment whose limit changes gets an audit entry
/// (`merchant.rate_limit_updated`).
pub async fn set_rate_limits(
    store: &Store,
    merchant_id: &MerchantId,
    live_per_s: i64,
    test_per_s: i64,
    actor: &Actor,
) -> Result<bool> {
    if live_per_s < 1 || test_per_s < 1 {
        return Err(EngineError::refused(
            "rate_limit_invalid",
            "rate limits are at least 1 request per second",
        ));
    }
    let (id, actor) = (merchant_id.clone(), actor.clone());
    Ok(store
        .write(move |c| {
            Box::pin(async move {
                if !merchants::lock(c, &id).await? {
                    return Ok(false);
                }
                let Some(before) = merchants::get(&mut *c, &id).await? else {
                    return Ok(false);
                };
                merchants::set_rate_limits(c, &id, live_per_s, test_per_s).await?;
                for (env, old, new) in [
                    (Environment::Live, before.rate_limit_live_per_s, live_per_s),
                    (Environment::Test, before.rate_limit_test_per_s, test_per_s),
                ] {
                    if old == new {
                        continue;
                    }
                    let change = Change {
                        action: "merchant.rate_limit_updated",
                        object_type: "merchant",
                        object_id: id.to_string(),
                        before: Some(serde_json::json!({ "rate_limit_per_s": old })),
                        after: Some(serde_json::json!({ "rate_limit_per_s": new })),
                    };
                    audit::record(c, &Tenant::new(id.clone(), env), &actor, change).await?;
                }
                Ok(true)
            })
        })
        .await?)
}

/// Most addresses a merchant's alerts are mailed to.
pub const ALERT_EMAILS_MAX: usize = 10;

/// Sets the addresses a merchant's alerts are mailed to (none: no email), each held to the rule
/// of emails, and returns them as stored (normalised, without repeats); audited as
/// `merchant.alert_emails_updated` in both environments when they change.
pub async fn set_alert_emails(
    store: &Store,
    merchant_id: &MerchantId,
    emails: &[String],
    actor: &Actor,
) -> Result<Vec<String>> {
    merchant_exists(store, merchant_id).await?;
    let mut checked: Vec<String> = Vec::new();
    for e in emails {
        let e = validate::email(e)?;
        if !checked.contains(&e) {
            checked.push(e);
        }
    }
    if checked.len() > ALERT_EMAILS_MAX {
        return Err(EngineError::refused(
            "parameter_invalid",
            format!("at most {ALERT_EMAILS_MAX} alert addresses"),
        ));
    }
    let (id, actor, stored) = (merchant_id.clone(), actor.clone(), checked.clone());
    store
        .write(move |c| {
            Box::pin(async move {
                merchants::lock(c, &id).await?;
                let before = anton_store::alerts::alert_emails(&mut *c, id.as_str()).await?;
                if before == checked {
                    return Ok(());
                }
                anton_store::alerts::set_alert_emails(c, id.as_str(), &checked).await?;
                for env in [Environment::Live, Environment::Test] {
                    let change = Change {
                        action: "merchant.alert_emails_updated",
                        object_type: "merchant",
                        object_id: id.to_string(),
                        before: Some(serde_json::json!({ "alert_emails": before })),
                        after: Some(serde_json::json!({ "alert_emails": checked })),
                    };
                    audit::record(c, &Tenant::new(id.clone(), env), &actor, change).await?;
                }
                Ok(())
            })
        })
        .await?;
    Ok(stored)
}

/// Funds a merchant's balance (a `funding → available` posting). The only way to fund live mode.
pub async fn fund(
    store: &Store,
    tenant: &Tenant,
    currency: Currency,
    amount: Amount,
    actor: &Actor,
) -> Result<()> {
    merchant_exists(store, &tenant.merchant_id).await?;
    let (t, actor) = (tenant.clone(), actor.clone());
    store
        .write(move |c| {
            Box::pin(async move { crate::balance::fund(c, &t, currency, amount, &actor).await })
        })
        .await?;
    Ok(())
}

/// The key whose keyed hash is `hash`, revoked and expired ones included (authentication tells
/// them apart).
pub async fn key_by_hash(store: &Store, hash: &str) -> Result<Option<ApiKeyRecord>> {
    Ok(api_keys::find_by_hash(store.read(), hash).await?)
}

/// Flags a key as possibly exposed (it was used from a browser), audited as `api_key.exposed`
/// by the request that gave it away.
pub async fn mark_exposed(store: &Store, key: &ApiKeyRecord, actor: &Actor) -> Result<()> {
    let (before, actor) = (key.clone(), actor.clone());
    store
        .write(move |c| {
            Box::pin(async move {
                let now = now_us();
                if !api_keys::mark_exposed(c, &before.id, now).await? {
                    return Ok(());
                }
                let mut after = before.clone();
                after.exposed = Some(Timestamp::from_unix_micros(now));
                let change = Change {
                    action: "api_key.exposed",
                    object_type: "api_key",
                    object_id: before.id.to_string(),
                    before: Some(key_view(&before)),
                    after: Some(key_view(&after)),
                };
                audit::record(c, &key_tenant(&before), &actor, change).await
            })
        })
        .await?;
    Ok(())
}

/// Records when a key was last used.
pub async fn touch_last_used(store: &Store, id: &KeyId, now_us: i64) -> Result<()> {
    let id = id.clone();
    store
        .write(move |c| Box::pin(async move { api_keys::touch_last_used(c, &id, now_us).await }))
        .await?;
    Ok(())
}

/// A merchant's per-key rate limits (live, test) in requests per second; `None` when there is
/// no such merchant.
pub async fn rate_limits(store: &Store, merchant_id: &MerchantId) -> Result<Option<(i64, i64)>> {
    Ok(merchants::get(store.read(), merchant_id)
        .await?
        .map(|m| (m.rate_limit_live_per_s, m.rate_limit_test_per_s)))
}

/// The merchants (operator listing).
pub async fn merchants(store: &Store) -> Result<Vec<Merchant>> {
    Ok(merchants::list(store.read()).await?)
}

/// A merchant's keys (never the keys themselves).
pub async fn keys(store: &Store, merchant_id: &MerchantId) -> Result<Vec<ApiKeyRecord>> {
    Ok(api_keys::list(store.read(), merchant_id).await?)
}

/// The tenant's keys, newest first (the portal: one mode's keys).
pub async fn tenant_keys(store: &Store, tenant: &Tenant) -> Result<Vec<ApiKeyRecord>> {
    let all = api_keys::list(store.read(), &tenant.merchant_id).await?;
    Ok(all.into_iter().filter(|k| k.env == tenant.env).collect())
}

/// The tenant's key `id`: another mode's or merchant's key is not found, as in the API.
pub async fn tenant_key(store: &Store, tenant: &Tenant, id: &KeyId) -> Result<ApiKeyRecord> {
    match api_keys::get(store.read(), &tenant.merchant_id, id).await? {
        Some(k) if k.env == tenant.env => Ok(k),
        _ => Err(EngineError::not_found("API key", id.as_str())),
    }
}

/// Parses `90s`, `15m`, `12h`, `30d` (a bare number is seconds).
pub fn parse_duration(s: &str) -> Result<Duration> {
    let s = s.trim();
    let (num, unit) = match s.find(|c: char| !c.is_ascii_digit()) {
        Some(i) => s.split_at(i),
        None => (s, "s"),
    };
    let n: u64 = num.parse().map_err(|_| {
        EngineError::refused(
            "parameter_invalid",
            format!("invalid duration {s:?} (try 30d, 12h, 15m, 90s)"),
        )
    })?;
    let secs = match unit {
        "s" => n,
        "m" => n * 60,
        "h" => n * 3600,
        "d" => n * 86_400,
        _ => {
            return Err(EngineError::refused(
                "parameter_invalid",
                format!("invalid duration unit in {s:?} (use s, m, h or d)"),
            ))
        }
    };
    Ok(Duration::from_secs(secs))
}
