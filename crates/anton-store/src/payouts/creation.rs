//! The payout-creation batch's reads and writes (`anton_engine::payouts::create`): every read of
//! a batch as one statement on PostgreSQL's lanes, and its writes either statement by statement
//! or as one statement of data-modifying CTEs.

use std::collections::{HashMap, HashSet};

use anton_core::id::{KeyId, RecipientId};
use anton_core::money::Currency;
use anton_core::risk::{Destination, History, Outflow, Window};

use super::{insert_many, push_insert, PayoutRecord};
use crate::idempotency::{NewRecord, RecordKey, StoredResponse};
use crate::ledger::{Available, BalanceKey, Delta};
use crate::list::{BatchConn, Sql};
use crate::recipients::RecipientBrief;
use crate::risk::{KeyAddress, RuleRow};
use crate::{stored, Result, Scoped, StoreError, Tenant};

/// What deciding a batch of creations reads: stored idempotency responses by key, live
/// recipients, `available` balances (missing rows read as 0), the acting API keys that may
/// still act (see `api_keys::usable_many`), and the other facts of the risk rules.
#[derive(Debug, Default)]
pub struct CreationReads {
    pub stored: HashMap<RecordKey, StoredResponse>,
    pub recipients: HashMap<Scoped<RecipientId>, RecipientBrief>,
    pub available: HashMap<BalanceKey, Available>,
    pub usable_actors: HashSet<Scoped<KeyId>>,
    /// The risk rules the batch's tenants changed from their defaults.
    pub rules: HashMap<Tenant, Vec<RuleRow>>,
    /// The balances' trailing history (`risk::history_many`).
    pub history: HashMap<BalanceKey, History>,
    /// The acting keys' addresses known before the last 24 hours
    /// (`risk::addresses_known_before`).
    pub known_addresses: HashSet<KeyAddress>,
    /// The acting keys still within their first hour, with the payouts they released so far
    /// (`api_keys::usable_many`, or this statement's `actor` part; read again locked by a
    /// locking batch: `risk::lock_key_bursts`).
    pub bursts: HashMap<Scoped<KeyId>, i64>,
}

/// The risk facts of a batch beyond its balances: the acting keys with their addresses, and
/// the time before which an address counts as known.
pub struct RiskReads<'a> {
    pub addresses: &'a [KeyAddress],
    pub known_before_us: i64,
}

/// The seven reads of a batch of creations as **one statement** (a `UNION ALL` of the keyed
/// joins, each row tagged with its kind): one round trip instead of seven, for the PostgreSQL
/// lanes, where a batch's time is mostly round trips. Balances are read without locks (see
/// `BatchMode::Optimistic`). The same joins as `idempotency::get_many`,
/// `recipients::get_many_brief`, `ledger::read_available`, `api_keys::usable_many` (at
/// `now_us`), `risk::rules_many` (the tenants of `balances`), `risk::history_many` and
/// `risk::addresses_known_before`.
pub async fn creation_reads(
    conn: &mut BatchConn<'_>,
    keys: &[RecordKey],
    recipients: &[Scoped<RecipientId>],
    balances: &[BalanceKey],
    (actors, now_us): (&[Scoped<KeyId>], i64),
    risk: RiskReads<'_>,
) -> Result<CreationReads> {
    let mut out = CreationReads {
        available: balances
            .iter()
            .map(|k| (k.clone(), Available::default()))
            .collect(),
        ..CreationReads::default()
    };
    let tenants = crate::risk::tenants_of(balances);
    if !matches!(conn, BatchConn::Pg(_)) {
        // Row sets as `VALUES` cannot be empty: the statements, each skipped when empty.
        out.stored = crate::idempotency::get_many(conn, keys).await?;
        out.recipients = crate::recipients::get_many_brief(conn, recipients).await?;
        out.available
            .extend(crate::ledger::read_available(conn, false, balances).await?);
        let usable = crate::api_keys::usable_many(conn, actors, now_us).await?;
        for (key, burst) in usable {
            if let Some(n) = burst {
                out.bursts.insert(key.clone(), n);
            }
            out.usable_actors.insert(key);
        }
        out.rules = crate::risk::rules_many(conn, &tenants).await?;
        out.history = crate::risk::history_many(conn, balances).await?;
        out.known_addresses =
            crate::risk::addresses_known_before(conn, risk.addresses, risk.known_before_us).await?;
        return Ok(out);
    }
    let rows = read_at_once(
        conn,
        keys,
        recipients,
        (balances, &tenants),
        (actors, now_us),
        &risk,
    )
    .await?;
    for (kind, tenant, third, (d, e, f), [n, n2, n3]) in rows {
        match kind.as_str() {
            "key" => {
                out.stored.insert(
                    RecordKey::new(tenant, third),
                    StoredResponse {
                        fingerprint: d,
                        status: u16::try_from(n).unwrap_or(500),
                        body: e,
                    },
                );
            }
            "recipient" => {
                out.recipients.insert(
                    Scoped::new(tenant, stored::<RecipientId>(&third, "recipient id")?),
                    RecipientBrief {
                        currency: d,
                        bank_type: e,
                        last4: f,
                        bank_changed_us: Some(n).filter(|at| *at > 0),
                        destination: Destination {
                            first_seen_us: n2,
                            sharing: n3,
                        },
                    },
                );
            }
            "actor" => {
                let key = Scoped::new(tenant, stored::<KeyId>(&third, "api key id")?);
                // Its first-hour count rides on its row (`-1`: past its first hour).
                if n >= 0 {
                    out.bursts.insert(key.clone(), n);
                }
                out.usable_actors.insert(key);
            }
            "address" => {
                let key = Scoped::new(tenant, stored::<KeyId>(&third, "api key id")?);
                out.known_addresses.insert((key, d));
            }
            "rule" => {
                out.rules.entry(tenant).or_default().push(RuleRow {
                    rule: third,
                    enabled: n != 0,
                    action: d,
                    limits: e,
                });
            }
            _ => {
                let currency = Currency::parse(&third)
                    .map_err(|_| StoreError::Corrupt("stored currency".into()))?;
                let available = Available {
                    amount: n,
                    outflow: outflow_from_text(&d)?,
                };
                let key = BalanceKey::new(tenant, currency);
                // The balance's history rides on its row (`-1` samples: never refreshed).
                if n3 >= 0 {
                    let history = History {
                        p95: n2,
                        samples: n3,
                    };
                    out.history.insert(key.clone(), history);
                }
                out.available.insert(key, available);
            }
        }
    }
    Ok(out)
}

/// The outflow windows as [`read_at_once`] concatenates them: six numbers, comma-separated, in
/// the order of `ledger::OUTFLOW_COLUMNS`.
fn outflow_from_text(text: &str) -> Result<Outflow> {
    let n: Vec<i64> = text
        .split(',')
        .map(str::parse)
        .collect::<std::result::Result<_, _>>()
        .map_err(|_| StoreError::Corrupt("balances.out_*".into()))?;
    let [hs, hc, hsum, ds, dc, dsum] = n[..] else {
        return Err(StoreError::Corrupt("balances.out_*".into()));
    };
    Ok(Outflow {
        hour: Window {
            start_us: hs,
            count: hc,
            sum: hsum,
        },
        day: Window {
            start_us: ds,
            count: dc,
            sum: dsum,
        },
    })
}

/// A row of [`read_at_once`]: its kind (`key`, `recipient`, `balance` with its history,
/// `rule`, `actor` with its first-hour count, `address`), the tenant, the third key column, three text values and three numbers
/// (see the statement for which is which).
type TaggedRow = (String, Tenant, String, (String, String, String), [i64; 3]);

/// The keyed joins of [`creation_reads`] as one `UNION ALL` statement, each row tagged with its
/// kind. Long for the one statement it builds: each part is its join, in the order read.
async fn read_at_once(
    conn: &mut BatchConn<'_>,
    keys: &[RecordKey],
    recipients: &[Scoped<RecipientId>],
    (balances, tenants): (&[BalanceKey], &[Tenant]),
    (actors, now_us): (&[Scoped<KeyId>], i64),
    risk: &RiskReads<'_>,
) -> Result<Vec<TaggedRow>> {
    // Each row set is (merchant, env, third key column) — the key text, the recipient id, the
    // currency — so the three joins share one shape.
    type Triple<'k> = (&'k Tenant, &'k str);
    let key_rows: Vec<Triple> = keys.iter().map(|k| (&k.tenant, k.key.as_str())).collect();
    let recipient_rows: Vec<Triple> = recipients
        .iter()
        .map(|k| (&k.tenant, k.id.as_str()))
        .collect();
    let balance_rows: Vec<Triple> = balances
        .iter()
        .map(|k| (&k.tenant, k.currency.as_str()))
        .collect();
    let actor_rows: Vec<Triple> = actors.iter().map(|k| (&k.tenant, k.id.as_str())).collect();
    let tenant_rows: Vec<Triple> = tenants.iter().map(|t| (t, "")).collect();
    let triple = |sql: &mut Sql, (t, third): &Triple| {
        sql.text(t.m())
            .push(", ")
            .text(t.e())
            .push(", ")
            .text(third);
    };
    let mut sql = Sql::for_batch(conn, "");
    let mut parts = 0;
    let mut part = |sql: &mut Sql, select: &str, rows: &[Triple], join: &str| {
        if rows.is_empty() {
            return;
        }
        sql.push(if parts == 0 { "" } else { " UNION ALL " })
            .push(select);
        crate::list::rows_from(sql, rows, triple);
        sql.push(join);
        parts += 1;
    };
    part(
        &mut sql,
        "SELECT 'key' AS kind, i.merchant_id AS a, i.env AS b, i.key AS c, i.fingerprint AS d, \
         i.body AS e, '' AS f, i.status AS n, 0 AS n2, 0 AS n3 FROM ",
        &key_rows,
        " JOIN idempotency_keys i ON i.merchant_id = v.column1 AND i.env = v.column2 \
         AND i.key = v.column3",
    );
    part(
        &mut sql,
        &format!(
            "SELECT 'recipient' AS kind, r.merchant_id AS a, r.env AS b, r.id AS c, \
             r.currency AS d, r.bank_type AS e, r.last4 AS f, {} AS n, {} AS n2, {} AS n3 FROM ",
            crate::recipients::BANK_CHANGED_TERM,
            crate::recipients::FIRST_SEEN_TERM,
            crate::recipients::SHARING_TERM
        ),
        &recipient_rows,
        " JOIN recipients r ON r.merchant_id = v.column1 AND r.env = v.column2 \
         AND r.id = v.column3 AND r.deleted_us IS NULL",
    );
    part(
        &mut sql,
        "SELECT 'balance' AS kind, b.merchant_id AS a, b.env AS b, b.currency AS c, \
         CAST(b.out_hour_us AS TEXT) || ',' || CAST(b.out_hour_count AS TEXT) || ',' || \
         CAST(b.out_hour_sum AS TEXT) || ',' || CAST(b.out_day_us AS TEXT) || ',' || \
         CAST(b.out_day_count AS TEXT) || ',' || CAST(b.out_day_sum AS TEXT) AS d, \
         '' AS e, '' AS f, b.amount AS n, COALESCE(h.p95, 0) AS n2, \
         COALESCE(h.samples, -1) AS n3 FROM ",
        &balance_rows,
        " JOIN balances b ON b.merchant_id = v.column1 AND b.env = v.column2 \
         AND b.currency = v.column3 AND b.account = 'available' \
         LEFT JOIN risk_history h ON h.merchant_id = b.merchant_id AND h.env = b.env \
         AND h.currency = b.currency",
    );
    part(
        &mut sql,
        "SELECT 'rule' AS kind, r.merchant_id AS a, r.env AS b, r.rule AS c, r.action AS d, \
         r.limits AS e, '' AS f, r.enabled AS n, 0 AS n2, 0 AS n3 FROM ",
        &tenant_rows,
        " JOIN risk_rules r ON r.merchant_id = v.column1 AND r.env = v.column2 \
         AND v.column3 = ''",
    );
    part(
        &mut sql,
        "SELECT 'actor' AS kind, k.merchant_id AS a, k.env AS b, k.id AS c, '' AS d, '' AS e, \
         '' AS f, COALESCE(kb.count, -1) AS n, 0 AS n2, 0 AS n3 FROM ",
        &actor_rows,
        " JOIN api_keys k ON k.merchant_id = v.column1 AND k.env = v.column2 AND k.id = v.column3 \
         AND k.revoked_us IS NULL AND (k.expires_us IS NULL OR k.expires_us > ",
    );
    if !actor_rows.is_empty() {
        sql.push_int(now_us).push(
            ") LEFT JOIN risk_key_bursts kb ON kb.merchant_id = k.merchant_id \
             AND kb.env = k.env AND kb.key_id = k.id AND kb.ends_us > ",
        );
        sql.push_int(now_us);
    }
    if !risk.addresses.is_empty() {
        sql.push(if parts == 0 { "" } else { " UNION ALL " }).push(
            "SELECT 'address' AS kind, a.merchant_id AS a, a.env AS b, a.key_id AS c, \
             a.source_ip AS d, '' AS e, '' AS f, 0 AS n, 0 AS n2, 0 AS n3 FROM ",
        );
        crate::list::rows_from(&mut sql, risk.addresses, crate::risk::push_key_address);
        sql.push(crate::risk::KNOWN_ADDRESS_JOIN)
            .push_int(risk.known_before_us);
        parts += 1;
    }
    if parts == 0 {
        return Ok(Vec::new());
    }
    sql.fetch_batch(conn, |r| {
        Ok((
            r.text("kind")?,
            Tenant::from_stored(&r.text("a")?, &r.text("b")?)?,
            r.text("c")?,
            (r.text("d")?, r.text("e")?, r.text("f")?),
            [r.int("n")?, r.int("n2")?, r.int("n3")?],
        ))
    })
    .await
}

/// The rows that a batch of payout creations writes (the creations that stand).
#[derive(Debug, Default)]
pub struct CreationRows {
    pub postings: Vec<crate::ledger::PostingRow>,
    pub payouts: Vec<(Tenant, PayoutRecord)>,
    pub events: Vec<(Tenant, anton_core::event::NewEvent)>,
    /// Debits of `available` and credits of `in_flight`, sorted (the global lock order).
    pub deltas: Vec<Delta>,
    /// Alert signals of risk rules that fired (usually none).
    pub signals: Vec<crate::alerts::Signal>,
    /// What the batch adds to its keys' first-hour counts, sorted (after the balances in the
    /// lock order).
    pub bursts: Vec<crate::risk::BurstDelta>,
}

impl CreationRows {
    /// The debits, as `(balance, signed amount)`.
    pub fn debits(&self) -> impl Iterator<Item = (&BalanceKey, i64)> {
        self.deltas
            .iter()
            .filter(|d| d.amount < 0)
            .map(|d| (&d.balance, d.amount))
    }
}

/// Writes `rows` one statement per table (per chunk): postings, payouts, events, and last the
/// balances, which on PostgreSQL take the balance rows' locks until the commit.
pub async fn insert_creations(conn: &mut BatchConn<'_>, rows: &CreationRows) -> Result<()> {
    crate::alerts::insert_signals(conn, &rows.signals, now_of(rows)).await?;
    crate::ledger::insert_postings(conn, &rows.postings).await?;
    insert_many(conn, &rows.payouts).await?;
    crate::events::insert_many(conn, &rows.events).await?;
    crate::ledger::apply_deltas(conn, &rows.deltas).await?;
    crate::risk::add_key_bursts(conn, &rows.bursts).await?;
    Ok(())
}

/// The time the signals of `rows` are recorded at: their own.
fn now_of(rows: &CreationRows) -> i64 {
    rows.signals.iter().map(|s| s.last_us).max().unwrap_or(0)
}

/// What [`write_creations_at_once`] wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AtOnce {
    /// Idempotency records stored: fewer than given when another transaction stored a key first.
    pub keys_stored: usize,
    /// Balance rows debited: fewer than the debits when a debited row does not exist.
    pub debited: usize,
    /// First-hour counts added: fewer than given when another transaction changed one beyond
    /// what its batch decided on.
    pub bursts_added: usize,
}

/// The idempotency records (in key order, as [`crate::idempotency::store_new_many`] takes them)
/// and `rows` as **one statement**, each write a data-modifying CTE: one round trip whatever the
/// batch's size. The CTEs run in no set order, so the caller must hold the locks of the balances
/// it debits already (`ledger::read_available` with `lock`). A debit that would leave
/// `available` negative fails the CHECK ([`StoreError::CheckViolation`]). PostgreSQL only (the
/// batched lanes): SQLite has no data-modifying CTEs.
pub async fn write_creations_at_once(
    conn: &mut BatchConn<'_>,
    keys: &mut [NewRecord],
    rows: &CreationRows,
    now_us: i64,
) -> Result<AtOnce> {
    // Signals are rare (a risk rule fired): a statement of their own, not a CTE.
    crate::alerts::insert_signals(conn, &rows.signals, now_us).await?;
    let debits: Vec<&Delta> = rows.deltas.iter().filter(|d| d.amount < 0).collect();
    let credits: Vec<&Delta> = rows.deltas.iter().filter(|d| d.amount > 0).collect();
    let mut sql = Sql::for_batch(conn, "WITH ");
    let mut ctes = 0;
    let mut cte = |sql: &mut Sql, name: &str, statement: &dyn Fn(&mut Sql)| {
        sql.push(if ctes == 0 { "" } else { ", " })
            .push(name)
            .push(" AS (");
        statement(sql);
        sql.push(")");
        ctes += 1;
    };
    if !keys.is_empty() {
        keys.sort_by(|a, b| a.key.cmp(&b.key));
        cte(&mut sql, "k", &|sql| {
            crate::idempotency::push_store_new(sql, keys, now_us)
        });
    }
    if !rows.postings.is_empty() {
        cte(&mut sql, "p", &|sql| {
            crate::ledger::push_insert_postings(sql, &rows.postings)
        });
    }
    if !rows.payouts.is_empty() {
        cte(&mut sql, "o", &|sql| push_insert(sql, &rows.payouts));
    }
    if !rows.events.is_empty() {
        cte(&mut sql, "e", &|sql| {
            crate::events::push_insert(sql, &rows.events)
        });
    }
    if !debits.is_empty() {
        cte(&mut sql, "d", &|sql| {
            crate::ledger::push_debits(sql, &debits);
            sql.push(" RETURNING 1");
        });
    }
    if !credits.is_empty() {
        cte(&mut sql, "c", &|sql| {
            crate::ledger::push_credits(sql, &credits)
        });
    }
    if !rows.bursts.is_empty() {
        cte(&mut sql, "b", &|sql| {
            crate::risk::push_add_key_bursts(sql, &rows.bursts);
            sql.push(" RETURNING 1");
        });
    }
    if ctes == 0 {
        return Ok(AtOnce {
            keys_stored: 0,
            debited: 0,
            bursts_added: 0,
        });
    }
    // What the statement returns: one row per stored key, and the counts of debited rows and
    // of first-hour counts added.
    let mut tail: Vec<&str> = Vec::new();
    if !keys.is_empty() {
        tail.push("SELECT 'key' AS kind, 0::int8 AS n FROM k");
    }
    if !debits.is_empty() {
        tail.push("SELECT 'debited' AS kind, count(*)::int8 AS n FROM d");
    }
    if !rows.bursts.is_empty() {
        tail.push("SELECT 'bursts' AS kind, count(*)::int8 AS n FROM b");
    }
    if tail.is_empty() {
        tail.push("SELECT 'none' AS kind, 0::int8 AS n");
    }
    sql.push(" ").push(&tail.join(" UNION ALL "));
    let out = sql
        .fetch_batch(conn, |r| Ok((r.text("kind")?, r.int("n")?)))
        .await?;
    let count = |of: &str| {
        out.iter()
            .find(|(kind, _)| kind == of)
            .map_or(0, |(_, n)| usize::try_from(*n).unwrap_or(0))
    };
    Ok(AtOnce {
        keys_stored: out.iter().filter(|(kind, _)| kind == "key").count(),
        debited: count("debited"),
        bursts_added: count("bursts"),
    })
}
