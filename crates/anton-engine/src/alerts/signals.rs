//! What each request-log round tells the alert rules, written in the round's own write job:
//! a round with nothing to notice costs no statement at all, and a key's known addresses are
//! read from the database only the first time a node sees the pair.

use std::collections::{BTreeMap, HashSet};
use std::sync::Mutex;

use anton_core::id::KeyId;
use anton_store::alerts::{self, Signal};
use anton_store::list::BatchConn;
use anton_store::request_log::RequestRecord;
use anton_store::Tenant;
use serde_json::json;

use super::{add_address, Rule, ADDRESSES_MAX};

/// Pairs a node remembers as known before it forgets them all (and reads them again).
const KNOWN_MAX: usize = 100_000;

/// The (key, address) pairs this node knows are recorded.
#[derive(Debug, Default)]
pub(crate) struct KnownAddresses(Mutex<HashSet<(Tenant, KeyId, String)>>);

impl KnownAddresses {
    fn unknown(&self, pairs: Vec<(Tenant, KeyId, String)>) -> Vec<(Tenant, KeyId, String)> {
        let known = self.0.lock().unwrap_or_else(|p| p.into_inner());
        pairs.into_iter().filter(|p| !known.contains(p)).collect()
    }

    fn remember(&self, pairs: &[(Tenant, KeyId, String)]) {
        let mut known = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if known.len() + pairs.len() > KNOWN_MAX {
            known.clear();
        }
        known.extend(pairs.iter().cloned());
    }
}

/// One rule's findings for one subject in a round.
struct Found {
    count: i64,
    last_us: i64,
    addresses: Vec<String>,
    detail: serde_json::Map<String, serde_json::Value>,
}

/// The signals of a round of request-log entries (the new-address rule aside).
fn of_round(round: &[RequestRecord]) -> Vec<Signal> {
    let mut found: BTreeMap<(Tenant, Rule, String), Found> = BTreeMap::new();
    for r in round {
        let rule = match (r.error_code.as_deref(), r.status) {
            (Some("api_key_revoked" | "api_key_expired"), _) => Some(Rule::ApiKeyRevokedUsed),
            (Some("browser_request_refused"), _) => Some(Rule::ApiKeyFromBrowser),
            (_, s) if s >= 500 => Some(Rule::ServerErrors),
            _ => None,
        };
        let subject = |rule: Rule| match rule {
            Rule::ServerErrors | Rule::AuthFailuresSpike => String::new(),
            _ => r.key_id.to_string(),
        };
        let spike = (r.status == 401).then_some(Rule::AuthFailuresSpike);
        for rule in rule.into_iter().chain(spike) {
            let f = found
                .entry((r.tenant.clone(), rule, subject(rule)))
                .or_insert_with(|| Found {
                    count: 0,
                    last_us: 0,
                    addresses: Vec::new(),
                    detail: serde_json::Map::new(),
                });
            f.count += 1;
            if r.created_us >= f.last_us {
                f.last_us = r.created_us;
                f.detail = detail_of(rule, r);
            }
            if let Some(ip) = &r.source_ip {
                add_address(&mut f.addresses, ip.clone());
            }
        }
    }
    found
        .into_iter()
        .map(|((tenant, rule, subject), mut f)| {
            if rule != Rule::ServerErrors {
                f.detail.insert("source_ips".into(), json!(f.addresses));
            }
            Signal {
                tenant,
                rule: rule.as_str(),
                subject,
                count: f.count,
                last_us: f.last_us,
                detail: serde_json::Value::Object(f.detail).to_string(),
            }
        })
        .collect()
}

/// What an alert shows of the latest request that raised it: never a body or a key.
fn detail_of(rule: Rule, r: &RequestRecord) -> serde_json::Map<String, serde_json::Value> {
    let mut d = serde_json::Map::new();
    if rule != Rule::ServerErrors && rule != Rule::AuthFailuresSpike {
        d.insert("api_key".into(), json!(r.key_id.as_str()));
    }
    d.insert("source_ip".into(), json!(r.source_ip));
    d.insert("request_id".into(), json!(r.id.as_str()));
    d.insert("route".into(), json!(r.route));
    d.insert("status".into(), json!(r.status));
    d.insert("error_code".into(), json!(r.error_code));
    d
}

/// Records the round's signals, and the addresses its keys were used from, on the round's write
/// connection. A key used from an address it was never used from — when it had been used from
/// another one — is an `api_key_new_address` signal; a key's first address is its baseline.
/// Refused requests of revoked or expired keys teach no address.
pub(crate) async fn record_round(
    c: &mut BatchConn<'_>,
    round: &[RequestRecord],
    known: &KnownAddresses,
    now_us: i64,
) -> anton_store::Result<()> {
    let mut signals = of_round(round);
    // In the order first seen: a key's first address in a round is its baseline if it has none.
    let mut seen = HashSet::new();
    let mut pairs: Vec<(Tenant, KeyId, String)> = Vec::new();
    for r in round.iter().filter(|r| r.status != 401) {
        if let Some(ip) = &r.source_ip {
            if seen.insert((&r.tenant, &r.key_id, ip)) {
                pairs.push((r.tenant.clone(), r.key_id.clone(), ip.clone()));
            }
        }
    }
    let fresh = known.unknown(pairs);
    if !fresh.is_empty() {
        let mut new_pairs = Vec::new();
        let keys: Vec<(Tenant, KeyId)> = {
            let mut k: Vec<(Tenant, KeyId)> = fresh
                .iter()
                .map(|(t, k, _)| (t.clone(), k.clone()))
                .collect();
            k.sort();
            k.dedup();
            k
        };
        for (tenant, key) in keys {
            let mut had = alerts::known_addresses(c, &tenant, &key).await?;
            for (_, _, ip) in fresh.iter().filter(|(t, k, _)| *t == tenant && *k == key) {
                if had.contains(ip) {
                    continue;
                }
                if !had.is_empty() {
                    let last = round
                        .iter()
                        .filter(|r| r.key_id == key && r.source_ip.as_ref() == Some(ip))
                        .map(|r| r.created_us)
                        .max()
                        .unwrap_or(now_us);
                    signals.push(Signal {
                        tenant: tenant.clone(),
                        rule: Rule::ApiKeyNewAddress.as_str(),
                        subject: format!("{key}@{ip}"),
                        count: 1,
                        last_us: last,
                        detail: json!({
                            "api_key": key.as_str(),
                            "source_ip": ip,
                            "known_addresses": had.iter().take(ADDRESSES_MAX).collect::<Vec<_>>(),
                        })
                        .to_string(),
                    });
                }
                had.push(ip.clone());
                new_pairs.push((tenant.clone(), key.clone(), ip.clone()));
            }
        }
        // In one order on every node: two nodes' rounds inserting the same new pairs wait for
        // each other's uncommitted rows in the same order, never in a cycle (PostgreSQL).
        new_pairs.sort();
        alerts::add_addresses(c, &new_pairs, now_us).await?;
        known.remember(&fresh);
    }
    if !signals.is_empty() {
        alerts::insert_signals(c, &signals, now_us).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use anton_core::id::{MerchantId, RequestId};
    use anton_core::keys::Environment;

    fn entry(key: &KeyId, status: u16, code: Option<&str>, ip: &str, at: i64) -> RequestRecord {
        RequestRecord {
            tenant: Tenant::new(
                MerchantId::parse("mer_0VcqAAAAAAAAAAAAAAAAAAAA").unwrap(),
                Environment::Test,
            ),
            id: RequestId::generate(),
            created_us: at,
            method: "GET".into(),
            route: "/v1/balance".into(),
            status,
            error_code: code.map(Into::into),
            key_id: key.clone(),
            source_ip: Some(ip.into()),
            user_agent: None,
            duration_us: 10,
            idempotency_key: None,
        }
    }

    #[test]
    fn a_round_becomes_one_signal_per_rule_and_subject() {
        let (a, b) = (KeyId::generate(), KeyId::generate());
        let round = [
            entry(&a, 401, Some("api_key_revoked"), "127.0.0.5", 1),
            entry(&a, 401, Some("api_key_revoked"), "127.0.0.6", 3),
            entry(&b, 401, Some("api_key_expired"), "127.0.0.7", 2),
            entry(&b, 403, Some("browser_request_refused"), "127.0.0.7", 4),
            entry(&b, 500, Some("internal_error"), "127.0.0.7", 5),
            entry(&b, 200, None, "127.0.0.7", 6),
        ];
        let signals = of_round(&round);
        let find = |rule: Rule, subject: &str| {
            signals
                .iter()
                .find(|s| s.rule == rule.as_str() && s.subject == subject)
                .unwrap_or_else(|| panic!("{rule:?} {subject}: {signals:?}"))
        };
        let revoked = find(Rule::ApiKeyRevokedUsed, a.as_str());
        assert_eq!((revoked.count, revoked.last_us), (2, 3));
        let d: serde_json::Value = serde_json::from_str(&revoked.detail).unwrap();
        assert_eq!(d["source_ip"], "127.0.0.6");
        assert_eq!(d["source_ips"], json!(["127.0.0.5", "127.0.0.6"]));
        assert_eq!(find(Rule::ApiKeyRevokedUsed, b.as_str()).count, 1);
        assert_eq!(find(Rule::AuthFailuresSpike, "").count, 3);
        assert_eq!(find(Rule::ApiKeyFromBrowser, b.as_str()).count, 1);
        assert_eq!(find(Rule::ServerErrors, "").count, 1);
        assert_eq!(signals.len(), 5);
        assert!(of_round(&[entry(&a, 200, None, "127.0.0.1", 1)]).is_empty());
    }
}
