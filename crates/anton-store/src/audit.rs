//! The per-merchant audit log: append-only and hash-chained. An entry is appended in the
//! transaction of the change it records ([`append`]); each carries the SHA-256 of the previous
//! entry of its merchant and of its own fields ([`chain_hash`]), so [`verify`] finds the first
//! entry that was edited, removed, inserted or reordered.

use anton_core::id::{AuditEntryId, MerchantId};
use sha2::{Digest, Sha256};
use sqlx::{Any, AnyConnection, Executor};

use crate::list::{Page, RowGet, Sql};
use crate::{Result, StoreError, Tenant};

/// The `prev_hash` of a merchant's first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What an entry says; [`append`] numbers, dates and chains it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEntry {
    pub tenant: Tenant,
    pub action: String,
    /// `api_key`, `operator` or `system`.
    pub actor_type: &'static str,
    /// The key's id, the operator's OS user; `None` for the system.
    pub actor_id: Option<String>,
    pub source_ip: Option<String>,
    pub request_id: Option<String>,
    pub object_type: &'static str,
    pub object_id: String,
    /// JSON text of what the object was before, and after (never a secret).
    pub before: Option<String>,
    pub after: Option<String>,
}

/// An entry as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRecord {
    pub tenant: Tenant,
    pub seq: i64,
    pub id: AuditEntryId,
    pub created_us: i64,
    pub action: String,
    pub actor_type: String,
    pub actor_id: Option<String>,
    pub source_ip: Option<String>,
    pub request_id: Option<String>,
    pub object_type: String,
    pub object_id: String,
    pub before: Option<String>,
    pub after: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

/// The hash of `r` chained to `r.prev_hash`: SHA-256 (lower-case hex) of a JSON array of the
/// previous hash and every field in a fixed order. JSON makes the encoding unambiguous (no field
/// can run into the next), and the array's order never changes: changing it would break every
/// stored chain.
pub fn chain_hash(r: &AuditRecord) -> String {
    let fields = serde_json::json!([
        r.prev_hash,
        r.tenant.m(),
        r.seq,
        r.tenant.e(),
        r.id.as_str(),
        r.created_us,
        r.action,
        r.actor_type,
        r.actor_id,
        r.source_ip,
        r.request_id,
        r.object_type,
        r.object_id,
        r.before,
        r.after,
    ]);
    hex::encode(Sha256::digest(fields.to_string().as_bytes()))
}

const COLUMNS: &str = "merchant_id, seq, env, id, created_us, action, actor_type, actor_id, \
     source_ip, request_id, object_type, object_id, before_json, after_json, prev_hash, hash";

fn from_row(r: &dyn RowGet) -> Result<AuditRecord> {
    Ok(AuditRecord {
        tenant: Tenant::from_stored(&r.text("merchant_id")?, &r.text("env")?)?,
        seq: r.int("seq")?,
        id: crate::stored(&r.text("id")?, "audit entry id")?,
        created_us: r.int("created_us")?,
        action: r.text("action")?,
        actor_type: r.text("actor_type")?,
        actor_id: r.opt_text("actor_id")?,
        source_ip: r.opt_text("source_ip")?,
        request_id: r.opt_text("request_id")?,
        object_type: r.text("object_type")?,
        object_id: r.text("object_id")?,
        before: r.opt_text("before_json")?,
        after: r.opt_text("after_json")?,
        prev_hash: r.text("prev_hash")?,
        hash: r.text("hash")?,
    })
}

/// Appends `entry` to its merchant's chain, in the caller's transaction. The merchant's counter
/// is taken with `UPDATE … RETURNING`, which on PostgreSQL locks the merchant's row until the
/// transaction ends: appends of one merchant wait for each other, on any node, so the chain never
/// forks. On SQLite the writer is the only one.
pub async fn append(c: &mut AnyConnection, entry: NewEntry, now_us: i64) -> Result<AuditRecord> {
    let seq: i64 = sqlx::query_scalar(
        "UPDATE merchants SET audit_seq = audit_seq + 1 WHERE id = $1 RETURNING audit_seq",
    )
    .bind(entry.tenant.m())
    .fetch_optional(&mut *c)
    .await?
    .ok_or_else(|| StoreError::Corrupt("an audit entry for a missing merchant".into()))?;
    let prev_hash = if seq == 1 {
        GENESIS.to_owned()
    } else {
        sqlx::query_scalar("SELECT hash FROM audit_log WHERE merchant_id = $1 AND seq = $2")
            .bind(entry.tenant.m())
            .bind(seq - 1)
            .fetch_optional(&mut *c)
            .await?
            .ok_or_else(|| StoreError::Corrupt(format!("audit entry {} is missing", seq - 1)))?
    };
    let mut r = AuditRecord {
        tenant: entry.tenant,
        seq,
        id: AuditEntryId::generate(),
        created_us: now_us,
        action: entry.action,
        actor_type: entry.actor_type.to_owned(),
        actor_id: entry.actor_id,
        source_ip: entry.source_ip,
        request_id: entry.request_id,
        object_type: entry.object_type.to_owned(),
        object_id: entry.object_id,
        before: entry.before,
        after: entry.after,
        prev_hash,
        hash: String::new(),
    };
    r.hash = chain_hash(&r);
    sqlx::query(&format!(
        "INSERT INTO audit_log ({COLUMNS}) VALUES \
         ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)"
    ))
    .bind(r.tenant.m())
    .bind(r.seq)
    .bind(r.tenant.e())
    .bind(r.id.as_str())
    .bind(r.created_us)
    .bind(&r.action)
    .bind(&r.actor_type)
    .bind(r.actor_id.as_deref())
    .bind(r.source_ip.as_deref())
    .bind(r.request_id.as_deref())
    .bind(&r.object_type)
    .bind(&r.object_id)
    .bind(r.before.as_deref())
    .bind(r.after.as_deref())
    .bind(&r.prev_hash)
    .bind(&r.hash)
    .execute(&mut *c)
    .await?;
    Ok(r)
}

/// Which entries a list returns (each `None` is no filter).
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub action: Option<String>,
    pub object_id: Option<String>,
    pub actor_id: Option<String>,
}

/// The tenant's entries, newest first, a page at a time.
pub async fn list<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    t: &Tenant,
    filter: &AuditFilter,
    page: &Page,
) -> Result<Vec<AuditRecord>> {
    let mut sql = Sql::new("SELECT ");
    sql.push(COLUMNS)
        .push(" FROM audit_log WHERE merchant_id = ")
        .text(t.m())
        .push(" AND env = ")
        .text(t.e());
    if let Some(action) = &filter.action {
        sql.push(" AND action = ").text(action);
    }
    if let Some(object) = &filter.object_id {
        sql.push(" AND object_id = ").text(object);
    }
    if let Some(actor) = &filter.actor_id {
        sql.push(" AND actor_id = ").text(actor);
    }
    page.finish(&mut sql);
    sql.fetch_all(ex)
        .await?
        .iter()
        .map(|r| from_row(r))
        .collect()
}

pub async fn get<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    t: &Tenant,
    id: &AuditEntryId,
) -> Result<Option<AuditRecord>> {
    let mut sql = Sql::new("SELECT ");
    sql.push(COLUMNS)
        .push(" FROM audit_log WHERE merchant_id = ")
        .text(t.m())
        .push(" AND env = ")
        .text(t.e())
        .push(" AND id = ")
        .text(id.as_str());
    sql.fetch_all(ex)
        .await?
        .first()
        .map(|r| from_row(r))
        .transpose()
}

/// Up to `limit` of the merchant's entries after `after_seq`, in chain order (both
/// environments): what verification and the export read.
pub async fn chain<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    merchant: &MerchantId,
    after_seq: i64,
    limit: i64,
) -> Result<Vec<AuditRecord>> {
    let mut sql = Sql::new("SELECT ");
    sql.push(COLUMNS)
        .push(" FROM audit_log WHERE merchant_id = ")
        .text(merchant.as_str())
        .push(" AND seq > ")
        .push_int(after_seq)
        .push(" ORDER BY seq LIMIT ")
        .push_int(limit);
    sql.fetch_all(ex)
        .await?
        .iter()
        .map(|r| from_row(r))
        .collect()
}

/// How many entries the merchant's counter says it has.
pub async fn counted<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    merchant: &MerchantId,
) -> Result<Option<i64>> {
    Ok(
        sqlx::query_scalar("SELECT audit_seq FROM merchants WHERE id = $1")
            .bind(merchant.as_str())
            .fetch_optional(ex)
            .await?,
    )
}

/// What [`Verifier`] found wrong with an entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Broken {
    /// The position in the chain where it breaks, and the entry found there (`None`: missing).
    pub seq: i64,
    pub id: Option<AuditEntryId>,
    pub reason: String,
}

/// Checks a merchant's chain one entry at a time, in order (so a chain of any length is read in
/// pages, never held whole).
#[derive(Debug, Clone)]
pub struct Verifier {
    next_seq: i64,
    prev_hash: String,
}

impl Default for Verifier {
    fn default() -> Self {
        Self {
            next_seq: 1,
            prev_hash: GENESIS.to_owned(),
        }
    }
}

impl Verifier {
    /// The last entry checked (0 before the first) and its hash: the chain's head.
    pub fn head(&self) -> (i64, &str) {
        (self.next_seq - 1, &self.prev_hash)
    }

    /// Checks the next entry of the chain.
    pub fn check(&mut self, r: &AuditRecord) -> std::result::Result<(), Broken> {
        let broken = |reason: String| Broken {
            seq: self.next_seq,
            id: Some(r.id.clone()),
            reason,
        };
        if r.seq != self.next_seq {
            return Err(Broken {
                seq: self.next_seq,
                id: None,
                reason: format!(
                    "entry {} is missing (the next entry is {})",
                    self.next_seq, r.seq
                ),
            });
        }
        if r.prev_hash != self.prev_hash {
            return Err(broken(
                "its prev_hash is not the hash of the entry before it".into(),
            ));
        }
        if chain_hash(r) != r.hash {
            return Err(broken(
                "its fields do not match its hash (the entry was changed)".into(),
            ));
        }
        self.next_seq += 1;
        self.prev_hash = r.hash.clone();
        Ok(())
    }

    /// Checks that the chain ended where the merchant's counter says it does (entries removed
    /// from its end).
    pub fn finish(&self, counted: i64) -> std::result::Result<(), Broken> {
        if counted == self.next_seq - 1 {
            return Ok(());
        }
        Err(Broken {
            seq: self.next_seq,
            id: None,
            reason: format!(
                "the chain ends at entry {} but the merchant has {counted}",
                self.next_seq - 1
            ),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use anton_core::keys::Environment;

    fn entry(seq: i64, prev: &str) -> AuditRecord {
        let mut r = AuditRecord {
            tenant: Tenant::new(MerchantId::generate(), Environment::Test),
            seq,
            id: AuditEntryId::generate(),
            created_us: 1_700_000_000_000_000 + seq,
            action: "api_key.revoked".into(),
            actor_type: "operator".into(),
            actor_id: Some("alice".into()),
            source_ip: None,
            request_id: None,
            object_type: "api_key".into(),
            object_id: "key_x".into(),
            before: Some(r#"{"revoked":null}"#.into()),
            after: None,
            prev_hash: prev.into(),
            hash: String::new(),
        };
        r.hash = chain_hash(&r);
        r
    }

    #[test]
    fn a_chain_verifies_and_any_change_breaks_it_at_that_entry() {
        let a = entry(1, GENESIS);
        let b = entry(2, &a.hash);
        let c = entry(3, &b.hash);
        let mut v = Verifier::default();
        for r in [&a, &b, &c] {
            v.check(r).unwrap();
        }
        v.finish(3).unwrap();
        assert_eq!(v.head(), (3, c.hash.as_str()));
        assert!(v.finish(4).is_err(), "a removed last entry is found");

        let mut edited = b.clone();
        edited.after = Some(r#"{"revoked":1}"#.into());
        let mut v = Verifier::default();
        v.check(&a).unwrap();
        let e = v.check(&edited).unwrap_err();
        assert_eq!((e.seq, e.id), (2, Some(b.id.clone())));

        // Rehashing the edited entry moves the break to the next one.
        edited.hash = chain_hash(&edited);
        let mut v = Verifier::default();
        v.check(&a).unwrap();
        v.check(&edited).unwrap();
        assert_eq!(v.check(&c).unwrap_err().seq, 3);

        let mut v = Verifier::default();
        v.check(&a).unwrap();
        assert_eq!(
            v.check(&c).unwrap_err().id,
            None,
            "a missing entry is named by its place"
        );
    }

    #[test]
    fn fields_cannot_run_into_each_other() {
        let mut a = entry(1, GENESIS);
        let mut b = a.clone();
        a.actor_id = Some("ab".into());
        a.source_ip = Some("c".into());
        b.actor_id = Some("a".into());
        b.source_ip = Some("bc".into());
        assert_ne!(chain_hash(&a), chain_hash(&b));
    }
}
