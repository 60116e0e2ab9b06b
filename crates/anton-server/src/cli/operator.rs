//! The operator commands: merchants, API keys, live funding and the ledger check. They open the
//! node's database with its configuration and call the engine's operator actions
//! ([`anton_engine::operator`]); each prints text for a person, or one JSON object per line with
//! `--json` for scripts. A key is printed once, when it is created or rolled, and never listed.

use std::path::PathBuf;

use anton_core::id::{KeyId, MerchantId};
use anton_core::keys::{Environment, ScopeSet};
use anton_core::money::{Amount, Currency};
use anton_engine::{operator, Secrets};
use anton_store::Tenant;
use anyhow::{bail, Context};
use clap::Subcommand;

use super::{escape, ConfigArgs};
use crate::integrator;

#[derive(Subcommand)]
pub(super) enum MerchantsCommand {
    /// Create a merchant and print its id.
    Create {
        /// The merchant's display name.
        name: String,
    },
    /// List merchants.
    List,
    /// Set the addresses a merchant's alerts are emailed to (none: no email). Needs an SMTP
    /// relay (`[smtp]`) on the nodes.
    SetAlertEmails {
        /// The merchant (mer_…).
        merchant: String,
        /// The addresses (at most 10).
        emails: Vec<String>,
    },
    /// Set a merchant's per-key rate limits (requests per second; burst is twice that).
    SetRateLimit {
        /// The merchant (mer_…).
        merchant: String,
        /// Requests per second per live key.
        #[arg(long)]
        live: i64,
        /// Requests per second per test key.
        #[arg(long)]
        test: i64,
    },
}

#[derive(Subcommand)]
pub(super) enum KeysCommand {
    /// Create a key. With --scope: a restricted `rk_` key; without: a secret `sk_` key.
    Create {
        /// The merchant (mer_…).
        #[arg(long)]
        merchant: String,
        /// The environment the key acts in.
        #[arg(long, value_parser = ["test", "live"])]
        env: String,
        /// A scope such as payouts:write (repeatable).
        #[arg(long = "scope")]
        scopes: Vec<String>,
        /// Lifetime, e.g. 30d, 12h.
        #[arg(long)]
        expires_in: Option<String>,
        /// Allowed client network in CIDR form (repeatable).
        #[arg(long = "allow-ip")]
        allow_ips: Vec<String>,
        /// A name to recognise the key by (shown by `keys list`).
        #[arg(long, default_value = "")]
        name: String,
        /// Print only the key (for scripts).
        #[arg(long)]
        quiet: bool,
    },
    /// List a merchant's keys (never the keys themselves).
    List {
        /// The merchant (mer_…).
        #[arg(long)]
        merchant: String,
    },
    /// Issue a replacement key; the old one stays valid for the grace period.
    Roll {
        /// The merchant (mer_…).
        #[arg(long)]
        merchant: String,
        /// The key to replace (key_…).
        key: String,
        /// How long the old key keeps working: 0s to 7d.
        #[arg(long, default_value = "24h")]
        grace: String,
    },
    /// Revoke a key now.
    Revoke {
        /// The merchant (mer_…).
        #[arg(long)]
        merchant: String,
        /// The key to revoke (key_…).
        key: String,
    },
    /// Find Anton keys in files (checksum-validated; for pre-commit hooks and CI). Exit 1 when
    /// any is found, 2 on an unreadable path. Needs no server or database.
    Scan {
        /// Files or directories to search.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
    },
}

#[derive(Subcommand)]
pub(super) enum BalanceCommand {
    /// Add money to a merchant's balance (a funding posting); the only way to fund live mode.
    Fund {
        /// The merchant (mer_…).
        #[arg(long)]
        merchant: String,
        /// The environment whose balance is funded.
        #[arg(long, value_parser = ["test", "live"])]
        env: String,
        /// USD, EUR or GBP.
        #[arg(long)]
        currency: String,
        /// Minor units (cents).
        #[arg(long)]
        amount: i64,
    },
}

#[derive(Subcommand)]
pub(super) enum LedgerCommand {
    /// Recompute a merchant's balances from its postings and check the ledger's invariants.
    /// Exit 1 when one is violated.
    Check {
        /// The merchant (mer_…).
        #[arg(long)]
        merchant: String,
        /// The environment to check.
        #[arg(long, value_parser = ["test", "live"])]
        env: String,
    },
}

/// Prints one result: JSON for scripts, else the text for a person.
pub(super) fn emit(json: bool, value: &serde_json::Value, text: impl FnOnce() -> String) {
    if json {
        println!("{value}");
    } else {
        println!("{}", text());
    }
}

pub(super) fn merchant_id(s: &str) -> anyhow::Result<MerchantId> {
    MerchantId::parse(s).map_err(|_| anyhow::anyhow!("{s:?} is not a merchant id (mer_…)"))
}

fn env_of(s: &str) -> Environment {
    Environment::parse(s).unwrap_or(Environment::Test)
}

pub(super) async fn operator_context(
    cfg: &ConfigArgs,
) -> anyhow::Result<(anton_store::Store, Secrets)> {
    let config = cfg.load(None)?;
    crate::telemetry::init(&config.log_format);
    let store = crate::startup::open_store(&config).await?;
    let secrets = crate::secrets::load_or_generate(&config.secrets_dir())?;
    Ok((store, secrets))
}

pub(super) async fn merchants(
    cfg: ConfigArgs,
    command: MerchantsCommand,
    json: bool,
) -> anyhow::Result<()> {
    let (store, _) = operator_context(&cfg).await?;
    match command {
        MerchantsCommand::Create { name } => {
            let m = operator::create_merchant(&store, &name).await?;
            let value = serde_json::json!({"id": m.id.as_str(), "name": m.name});
            emit(json, &value, || m.id.to_string());
        }
        MerchantsCommand::List => {
            for m in operator::merchants(&store).await? {
                let value = serde_json::json!({
                    "id": m.id.as_str(), "name": m.name, "created": m.created.to_rfc3339(),
                    "rate_limit_live_per_s": m.rate_limit_live_per_s,
                    "rate_limit_test_per_s": m.rate_limit_test_per_s,
                });
                // Ids are parsed when read (alphanumeric); names are stored text.
                emit(json, &value, || {
                    format!(
                        "{}\t{}\tcreated {}",
                        m.id,
                        escape(&m.name),
                        m.created.to_rfc3339()
                    )
                });
            }
        }
        MerchantsCommand::SetAlertEmails { merchant, emails } => {
            let id = merchant_id(&merchant)?;
            let stored = operator::set_alert_emails(
                &store,
                &id,
                &emails,
                &anton_engine::audit::Actor::operator(),
            )
            .await?;
            let value = serde_json::json!({"id": id.as_str(), "alert_emails": stored});
            emit(json, &value, || {
                format!("alert emails set: {}", stored.join(", "))
            });
        }
        MerchantsCommand::SetRateLimit {
            merchant,
            live,
            test,
        } => {
            let id = merchant_id(&merchant)?;
            if !operator::set_rate_limits(
                &store,
                &id,
                live,
                test,
                &anton_engine::audit::Actor::operator(),
            )
            .await?
            {
                bail!("no merchant {merchant}");
            }
            let value = serde_json::json!({"id": id.as_str(), "rate_limit_live_per_s": live, "rate_limit_test_per_s": test});
            emit(json, &value, || {
                format!("rate limits set: live {live}/s, test {test}/s")
            });
        }
    }
    Ok(())
}

pub(super) async fn balance(
    cfg: ConfigArgs,
    command: BalanceCommand,
    json: bool,
) -> anyhow::Result<()> {
    let BalanceCommand::Fund {
        merchant,
        env,
        currency,
        amount,
    } = command;
    let (store, _) = operator_context(&cfg).await?;
    let tenant = Tenant::new(merchant_id(&merchant)?, env_of(&env));
    let currency = Currency::parse(&currency).map_err(|e| anyhow::anyhow!("{e}"))?;
    let amount = Amount::new(amount).map_err(|e| anyhow::anyhow!("{e}"))?;
    operator::fund(
        &store,
        &tenant,
        currency,
        amount,
        &anton_engine::audit::Actor::operator(),
    )
    .await?;
    let value = serde_json::json!({
        "merchant": merchant, "env": env, "currency": currency.as_str(), "amount": amount.minor(),
    });
    emit(json, &value, || {
        format!("funded {} {} ({} mode)", amount.minor(), currency, env)
    });
    Ok(())
}

pub(super) async fn ledger(
    cfg: ConfigArgs,
    command: LedgerCommand,
    json: bool,
) -> anyhow::Result<()> {
    let LedgerCommand::Check { merchant, env } = command;
    let (store, _) = operator_context(&cfg).await?;
    let tenant = Tenant::new(merchant_id(&merchant)?, env_of(&env));
    match anton_store::ledger::check_invariants(store.read(), &tenant).await? {
        Ok(()) => {
            let value = serde_json::json!({"merchant": merchant, "env": env, "ok": true});
            emit(json, &value, || "ledger ok".to_owned());
            Ok(())
        }
        Err(violation) => {
            if json {
                let value = serde_json::json!({
                    "merchant": merchant, "env": env, "ok": false, "violation": violation.to_string(),
                });
                println!("{value}");
            }
            bail!("ledger invariant violated: {violation}")
        }
    }
}

pub(super) async fn keys(cfg: ConfigArgs, command: KeysCommand, json: bool) -> anyhow::Result<()> {
    let (store, secrets) = operator_context(&cfg).await?;
    match command {
        KeysCommand::Create {
            merchant,
            env,
            scopes,
            expires_in,
            allow_ips,
            name,
            quiet,
        } => {
            let spec = operator::KeySpec {
                merchant_id: merchant_id(&merchant)?,
                env: env_of(&env),
                scopes: scope_set(&scopes)?,
                expires_in: expires_in
                    .as_deref()
                    .map(operator::parse_duration)
                    .transpose()?,
                allowed_cidrs: cidrs(&allow_ips)?,
                name,
                created_by: format!("operator cli ({})", anton_engine::audit::os_user()),
            };
            let (record, key) = operator::create_key(
                &store,
                &secrets,
                &spec,
                &anton_engine::audit::Actor::operator(),
            )
            .await?;
            if json {
                println!("{}", key_json(&record, Some(key.expose_secret())));
            } else {
                println!("{}", key.expose_secret());
            }
            if !quiet && !json {
                eprintln!(
                    "created {} key {} with scopes: {}\nThis is the only time the key is shown. Store it in your secret manager.",
                    record.kind.as_str(),
                    record.id,
                    record.scopes.to_list_string()
                );
            }
        }
        KeysCommand::List { merchant } => {
            for k in operator::keys(&store, &merchant_id(&merchant)?).await? {
                if json {
                    println!("{}", key_json(&k, None));
                    continue;
                }
                let state = if k.revoked.is_some() {
                    "revoked"
                } else if k
                    .expires
                    .is_some_and(|e| e.unix_micros() <= anton_store::now_us())
                {
                    "expired"
                } else if k.exposed.is_some() {
                    "active, POSSIBLY EXPOSED"
                } else {
                    "active"
                };
                println!(
                    "{}\t{}…{}\t{}\t{}\t{}\tlast used {}",
                    k.id,
                    escape(&k.display_prefix),
                    escape(&k.last4),
                    escape(&k.name),
                    k.scopes.to_list_string(),
                    state,
                    k.last_used
                        .map(|t| t.to_rfc3339())
                        .unwrap_or_else(|| "never".into())
                );
            }
        }
        KeysCommand::Roll {
            merchant,
            key,
            grace,
        } => {
            let id = KeyId::parse(&key)
                .map_err(|_| anyhow::anyhow!("{key:?} is not a key id (key_…)"))?;
            let grace = operator::parse_duration(&grace)?;
            let (record, new_key) = operator::roll_key(
                &store,
                &secrets,
                &merchant_id(&merchant)?,
                &id,
                grace,
                &anton_engine::audit::Actor::operator(),
            )
            .await?;
            if json {
                println!("{}", key_json(&record, Some(new_key.expose_secret())));
            } else {
                println!("{}", new_key.expose_secret());
                eprintln!(
                    "new key {}; the old key stays valid for {}s",
                    record.id,
                    grace.as_secs()
                );
            }
        }
        KeysCommand::Revoke { merchant, key } => {
            let id = KeyId::parse(&key)
                .map_err(|_| anyhow::anyhow!("{key:?} is not a key id (key_…)"))?;
            operator::revoke_key(
                &store,
                &merchant_id(&merchant)?,
                &id,
                &anton_engine::audit::Actor::operator(),
            )
            .await?;
            let value = serde_json::json!({"id": id.as_str(), "revoked": true});
            emit(json, &value, || format!("revoked {id}"));
        }
        // Handled in `run` without opening the database.
        KeysCommand::Scan { paths } => integrator::keys_scan(&paths, json)?,
    }
    Ok(())
}

/// A key record as `--json` prints it: never the key, except `key` right after it was made.
fn key_json(k: &anton_store::api_keys::ApiKeyRecord, key: Option<&str>) -> serde_json::Value {
    let time = |t: Option<anton_core::time::Timestamp>| t.map(|t| t.to_rfc3339());
    let mut v = serde_json::json!({
        "id": k.id.as_str(), "merchant": k.merchant_id.as_str(), "env": k.env.as_str(),
        "kind": k.kind.as_str(), "name": k.name, "display": format!("{}…{}", k.display_prefix, k.last4),
        "scopes": k.scopes.to_list_string(), "allowed_cidrs": k.allowed_cidrs,
        "expires": time(k.expires), "revoked": time(k.revoked), "exposed": time(k.exposed),
        "last_used": time(k.last_used), "created": k.created.to_rfc3339(),
    });
    if let Some(key) = key {
        v["key"] = serde_json::Value::String(key.to_owned());
    }
    v
}

/// `--scope` values: none for a secret key, else a restricted key's set.
fn scope_set(scopes: &[String]) -> anyhow::Result<Option<ScopeSet>> {
    if scopes.is_empty() {
        return Ok(None);
    }
    ScopeSet::parse_list(scopes.iter().map(String::as_str))
        .map(Some)
        .map_err(|s| {
            anyhow::anyhow!(
                "unknown scope {s:?}; scopes are {}",
                ScopeSet::all().to_list_string()
            )
        })
}

/// `--allow-ip` values: CIDRs or single addresses.
fn cidrs(allow_ips: &[String]) -> anyhow::Result<Vec<ipnet::IpNet>> {
    allow_ips
        .iter()
        .map(|c| {
            c.parse::<ipnet::IpNet>()
                .or_else(|_| c.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                .with_context(|| format!("{c:?} is not an IP address or CIDR"))
        })
        .collect()
}
