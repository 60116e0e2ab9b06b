//! Operator actions on merchants and keys (DESIGN.md §4), shared by the CLI and the tests.
//! The full key is returned exactly once, from [`create_key`] / [`roll_key`]; only its keyed hash
//! is stored.

use std::time::Duration;

use anton_core::id::{KeyId, MerchantId};
use anton_core::keys::{ApiKey, Environment, KeyKind, ScopeSet};
use anton_core::money::{Amount, Currency};
use anton_core::time::Timestamp;
use anton_store::api_keys::{self, ApiKeyRecord};
use anton_store::merchants::{self, Merchant};
use anton_store::{now_us, Store, Tenant};
use anyhow::{bail, Context};

use crate::secrets::Secrets;

/// Longest grace period when rolling a key (DESIGN.md §4).
pub const ROLL_GRACE_MAX: Duration = Duration::from_secs(7 * 24 * 3600);

pub async fn create_merchant(store: &Store, name: &str) -> anyhow::Result<Merchant> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        bail!("a merchant name is 1 to 200 characters");
    }
    let m = Merchant {
        id: MerchantId::generate(),
        name: name.to_owned(),
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

pub async fn create_key(
    store: &Store,
    secrets: &Secrets,
    spec: &KeySpec,
) -> anyhow::Result<(ApiKeyRecord, ApiKey)> {
    if merchants::get(store.read(), &spec.merchant_id)
        .await?
        .is_none()
    {
        bail!("no merchant {}", spec.merchant_id);
    }
    if spec.scopes.is_some_and(ScopeSet::is_empty) {
        bail!("a restricted key needs at least one scope");
    }
    let kind = if spec.scopes.is_some() {
        KeyKind::Restricted
    } else {
        KeyKind::Secret
    };
    let key = ApiKey::generate(kind, spec.env);
    let now = now_us();
    let expires = spec.expires_in.map(|d| {
        Timestamp::from_unix_micros(now + i64::try_from(d.as_micros()).unwrap_or(i64::MAX / 2))
    });
    let record = ApiKeyRecord {
        id: KeyId::generate(),
        merchant_id: spec.merchant_id.clone(),
        env: spec.env,
        kind,
        name: spec.name.clone(),
        display_prefix: key.display_prefix(),
        last4: key.last4().to_owned(),
        scopes: spec.scopes.unwrap_or_else(ScopeSet::all),
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
    store
        .write(move |c| Box::pin(async move { api_keys::insert(c, &rec, &hash).await }))
        .await?;
    tracing::info!(key.id = %record.id, merchant.id = %record.merchant_id, key.kind = kind.as_str(), "API key created");
    Ok((record, key))
}

async fn key_by_id(
    store: &Store,
    merchant_id: &MerchantId,
    id: &KeyId,
) -> anyhow::Result<ApiKeyRecord> {
    api_keys::get(store.read(), merchant_id, id)
        .await?
        .with_context(|| format!("merchant {merchant_id} has no key {id}"))
}

pub async fn revoke_key(store: &Store, merchant_id: &MerchantId, id: &KeyId) -> anyhow::Result<()> {
    key_by_id(store, merchant_id, id).await?;
    let (m, k) = (merchant_id.clone(), id.clone());
    let done = store
        .write(move |c| Box::pin(async move { api_keys::revoke(c, &m, &k, now_us()).await }))
        .await?;
    store.note_key_change();
    if !done {
        bail!("key {id} is already revoked");
    }
    tracing::info!(key.id = %id, merchant.id = %merchant_id, "API key revoked");
    Ok(())
}

/// Issues a new key with the same settings; the old one stays valid for `grace` (0: revoked now).
pub async fn roll_key(
    store: &Store,
    secrets: &Secrets,
    merchant_id: &MerchantId,
    id: &KeyId,
    grace: Duration,
) -> anyhow::Result<(ApiKeyRecord, ApiKey)> {
    if grace > ROLL_GRACE_MAX {
        bail!("the grace period is at most 7 days");
    }
    let old = key_by_id(store, merchant_id, id).await?;
    if old.revoked.is_some() {
        bail!("key {id} is revoked; create a new key instead");
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
    let new = create_key(store, secrets, &spec).await?;
    let (m, k) = (merchant_id.clone(), id.clone());
    let until = now_us() + i64::try_from(grace.as_micros()).unwrap_or(0);
    store
        .write(move |c| {
            Box::pin(async move {
                if until <= now_us() {
                    api_keys::revoke(c, &m, &k, now_us()).await
                } else {
                    api_keys::expire_by(c, &m, &k, until).await
                }
            })
        })
        .await?;
    store.note_key_change();
    Ok(new)
}

/// Sets a merchant's per-key rate limits (requests per second, burst twice that). `false` when
/// there is no such merchant.
pub async fn set_rate_limits(
    store: &Store,
    merchant_id: &MerchantId,
    live_per_s: i64,
    test_per_s: i64,
) -> anyhow::Result<bool> {
    if live_per_s < 1 || test_per_s < 1 {
        bail!("rate limits are at least 1 request per second");
    }
    let id = merchant_id.clone();
    Ok(store
        .write(move |c| {
            Box::pin(
                async move { merchants::set_rate_limits(c, &id, live_per_s, test_per_s).await },
            )
        })
        .await?)
}

/// Funds a merchant's balance (a `funding → available` posting). The only way to fund live mode.
pub async fn fund(
    store: &Store,
    tenant: &Tenant,
    currency: Currency,
    amount: Amount,
) -> anyhow::Result<()> {
    if merchants::get(store.read(), &tenant.merchant_id)
        .await?
        .is_none()
    {
        bail!("no merchant {}", tenant.merchant_id);
    }
    let t = tenant.clone();
    store
        .write(move |c| {
            Box::pin(async move { crate::balance::fund(c, &t, currency, amount).await })
        })
        .await?;
    Ok(())
}

/// Parses `90s`, `15m`, `12h`, `30d` (a bare number is seconds).
pub fn parse_duration(s: &str) -> anyhow::Result<Duration> {
    let s = s.trim();
    let (num, unit) = match s.find(|c: char| !c.is_ascii_digit()) {
        Some(i) => s.split_at(i),
        None => (s, "s"),
    };
    let n: u64 = num
        .parse()
        .with_context(|| format!("invalid duration {s:?} (try 30d, 12h, 15m, 90s)"))?;
    let secs = match unit {
        "s" => n,
        "m" => n * 60,
        "h" => n * 3600,
        "d" => n * 86_400,
        _ => bail!("invalid duration unit in {s:?} (use s, m, h or d)"),
    };
    Ok(Duration::from_secs(secs))
}
