//! Idempotent mutations (docs/reference.md §2): the one implementation, used by every mutating use
//! case, closure-written or batched.
//!
//! A mutation may carry an `Idempotency-Key` ([`Keyed`]). Then:
//! - the key's first request still running on this node → [`EngineError::IdempotencyInProgress`]
//!   ([`InFlight`]);
//! - a stored record for the key, looked up **inside the write transaction** → its stored answer,
//!   replayed as it was ([`replay`]), or [`EngineError::IdempotencyKeyReused`] when the request's
//!   fingerprint differs;
//! - otherwise the use case runs, and its answer — success or refusal — is stored **in the same
//!   transaction** as its effects. A concurrent twin on another node loses on the primary key and
//!   then replays the winner's answer.
//!
//! What is stored is the adapter's rendering of the outcome ([`Render`] → [`Reply`]): a replay
//! must be the first answer byte for byte, and only the adapter knows its bytes. The engine treats
//! a reply as opaque data. Payout creation (`payouts::create`) applies these same rules to a whole
//! batch with set-based statements: [`replay`] decides each stored key, [`InFlight`] marks each
//! running one.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use anton_core::id::KeyId;
use anton_store::api_keys;
use anton_store::idempotency::{self as records, RecordKey, StoredResponse};
use anton_store::{now_us, Conn, Scoped, Store, StoreError, Tenant};
use futures_util::future::BoxFuture;

use crate::audit::Actor;
use crate::error::{EngineError, Result};

/// Longest `Idempotency-Key`.
const KEY_LEN_MAX: usize = 255;

/// An `Idempotency-Key`: 1 to 255 printable ASCII characters without spaces.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct IdempotencyKey(String);

impl IdempotencyKey {
    pub fn parse(s: &str) -> Result<Self> {
        if s.is_empty() || s.len() > KEY_LEN_MAX || !s.bytes().all(|b| (0x21..0x7f).contains(&b)) {
            return Err(EngineError::refused(
                "idempotency_key_invalid",
                "Idempotency-Key must be 1 to 255 printable ASCII characters without spaces.",
            ));
        }
        Ok(Self(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A keyed request: its key, and its fingerprint — what makes two requests "the same request"
/// (the adapter's digest of it: for the HTTP API, method, path and the body's canonical form).
#[derive(Debug, Clone)]
pub struct Keyed {
    pub key: IdempotencyKey,
    pub fingerprint: String,
    /// The fingerprint the adapter gave the same request before its digest changed (the HTTP
    /// API's, of the raw body), when it differs: a record stored by an earlier version still
    /// matches its own retry across an upgrade instead of answering `idempotency_key_reused`
    /// (which a client could take for "not paid" and pay again). Records are kept 48 hours;
    /// this can go once no release that wrote raw-body fingerprints is that recent.
    pub earlier_fingerprint: Option<String>,
}

impl Keyed {
    /// Whether a record stored with `fingerprint` was made by this same request.
    pub fn is_same_request(&self, fingerprint: &str) -> bool {
        self.fingerprint == fingerprint || self.earlier_fingerprint.as_deref() == Some(fingerprint)
    }
}

/// An answer as the adapter rendered it: a status in the adapter's terms and the body text. What
/// a keyed request's record keeps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    pub status: u16,
    pub body: String,
}

/// A mutation's answer, and whether it is a replay of a stored one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub reply: Reply,
    pub replayed: bool,
}

impl Answer {
    fn fresh(reply: Reply) -> Self {
        Self {
            reply,
            replayed: false,
        }
    }
}

/// How an adapter renders a use case's outcome — the object, or the refusal — into its reply.
/// Called inside the write transaction for keyed requests, so the reply commits with the effects.
pub trait Render<T>: Send + Sync + 'static {
    fn render(&self, outcome: std::result::Result<&T, &EngineError>) -> Reply;
}

/// A mutation's idempotency, its renderer, and who acts (for the audit log; when an API key
/// acts, the mutation confirms inside its write transaction that the key is neither revoked nor
/// expired, and writes nothing, not even its idempotency record, when it is
/// ([`EngineError::KeyNotUsable`])).
pub struct Mutation<R> {
    pub keyed: Option<Keyed>,
    pub render: R,
    pub actor: Actor,
}

/// Idempotency keys whose first request is running on this node (a twin meanwhile gets
/// [`EngineError::IdempotencyInProgress`]). Cheap to clone.
#[derive(Debug, Clone, Default)]
pub struct InFlight(Arc<Mutex<HashSet<RecordKey>>>);

impl InFlight {
    /// Marks `key` as running; the mark goes when the guard is dropped, however the request ends
    /// (cancellation included).
    pub fn enter(&self, tenant: &Tenant, key: &IdempotencyKey) -> Result<InFlightGuard> {
        let marker = RecordKey::new(tenant.clone(), key.as_str());
        let fresh = self
            .0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(marker.clone());
        if !fresh {
            return Err(EngineError::IdempotencyInProgress);
        }
        Ok(InFlightGuard {
            set: self.clone(),
            key: marker,
        })
    }
}

/// See [`InFlight::enter`].
#[derive(Debug)]
pub struct InFlightGuard {
    set: InFlight,
    key: RecordKey,
}

impl Drop for InFlightGuard {
    fn drop(&mut self) {
        self.set
            .0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&self.key);
    }
}

/// A stored record as this request's answer: its replay when the request is the same one, or
/// [`EngineError::IdempotencyKeyReused`].
pub fn replay(stored: &StoredResponse, keyed: &Keyed) -> Result<Answer> {
    if !keyed.is_same_request(&stored.fingerprint) {
        return Err(EngineError::IdempotencyKeyReused);
    }
    Ok(Answer {
        reply: Reply {
            status: stored.status,
            body: stored.body.clone(),
        },
        replayed: true,
    })
}

/// A use case as one write job: `Ok(Err(refusal))` refuses (its writes are rolled back, the
/// refusal is its answer), `Err` is an unexpected store error (nothing is kept). Callable more
/// than once: [`run`] runs it again, in a later transaction, when PostgreSQL chose it as a
/// deadlock victim.
pub(crate) type Job<T> =
    Arc<dyn for<'c> Fn(&'c mut Conn) -> BoxFuture<'c, Result<Result<T>, StoreError>> + Send + Sync>;

/// Runs a mutation's `job` with the rules of the module docs.
///
/// A job that PostgreSQL aborts as a deadlock victim or for a serialization failure
/// ([`StoreError::is_conflict`]; it shares the writer's transaction with other requests' jobs,
/// so two nodes' transactions can take row locks in opposite orders) wrote nothing: it is run
/// once more, in a later transaction — the other transaction has committed by then, so the
/// cycle is gone — instead of answering the request 503. Counted as
/// `anton_writer_reruns_total{reason="conflict"}`.
pub(crate) async fn run<T, R>(
    store: &Store,
    in_flight: &InFlight,
    tenant: &Tenant,
    mutation: Mutation<R>,
    job: Job<T>,
) -> Result<Answer>
where
    T: Send + 'static,
    R: Render<T>,
{
    let Mutation {
        keyed,
        render,
        actor,
    } = mutation;
    let actor = actor
        .key_id()
        .map(|id| Scoped::new(tenant.clone(), id.clone()));
    let render = Arc::new(render);
    let Some(keyed) = keyed else {
        let outcome = rerun_on_conflict(store, || {
            let (actor, job) = (actor.clone(), Arc::clone(&job));
            store.write_refusable(move |c| {
                Box::pin(async move {
                    if !actor_usable(c, actor.as_ref()).await? {
                        return Ok(Err(EngineError::KeyNotUsable));
                    }
                    job(c).await
                })
            })
        })
        .await?;
        return match outcome {
            Err(EngineError::KeyNotUsable) => Err(EngineError::KeyNotUsable),
            outcome => Ok(Answer::fresh(render.render(outcome.as_ref()))),
        };
    };
    // No read before the write job: the job checks for a stored record itself, in the same
    // transaction, which is both cheaper (one round trip fewer) and race-free.
    let _running = in_flight.enter(tenant, &keyed.key)?;
    let outcome = rerun_on_conflict(store, || {
        let (t, key, fingerprint) = (tenant.clone(), keyed.key.clone(), keyed.fingerprint.clone());
        let (actor, job, render) = (actor.clone(), Arc::clone(&job), Arc::clone(&render));
        store.write(move |c| {
            Box::pin(async move {
                // A revoked key's refusal is not the request's answer: nothing is stored.
                if !actor_usable(c, actor.as_ref()).await? {
                    return Ok(Written::KeyNotUsable);
                }
                if let Some(stored) = records::get(&mut *c, &t, key.as_str()).await? {
                    return Ok(Written::Stored(stored));
                }
                let outcome = anton_store::in_savepoint(c, move |c| job(c)).await?;
                let reply = render.render(outcome.as_ref());
                let stored = StoredResponse {
                    fingerprint,
                    status: reply.status,
                    body: reply.body,
                };
                records::insert(c, &t, key.as_str(), &stored, now_us()).await?;
                Ok(Written::Fresh(Reply {
                    status: stored.status,
                    body: stored.body,
                }))
            })
        })
    })
    .await;
    match outcome {
        Ok(Written::Fresh(reply)) => Ok(Answer::fresh(reply)),
        Ok(Written::Stored(stored)) => replay(&stored, &keyed),
        Ok(Written::KeyNotUsable) => Err(EngineError::KeyNotUsable),
        Err(StoreError::UniqueViolation) => {
            // Another node stored this key between our check and our insert: replay its answer.
            match records::get(store.read(), tenant, keyed.key.as_str()).await? {
                Some(stored) => replay(&stored, &keyed),
                None => Err(EngineError::Unavailable(StoreError::WriterUnavailable)),
            }
        }
        Err(e) => Err(e.into()),
    }
}

/// Runs `write`, and once more if the database aborted it as a deadlock victim or for a
/// serialization failure (see [`run`]).
async fn rerun_on_conflict<T, F, W>(store: &Store, write: W) -> std::result::Result<T, StoreError>
where
    W: Fn() -> F,
    F: std::future::Future<Output = std::result::Result<T, StoreError>>,
{
    match write().await {
        Err(e) if e.is_conflict() => {
            store.metrics().writer_rerun(anton_metrics::Rerun::Conflict);
            write().await
        }
        other => other,
    }
}

/// What a keyed mutation's transaction did.
enum Written {
    /// Ran the use case and stored its answer.
    Fresh(Reply),
    /// Found the key's stored answer.
    Stored(StoredResponse),
    /// Wrote nothing: the acting key may no longer act.
    KeyNotUsable,
}

/// Whether the acting key (if the mutation names one) may still act, read in the mutation's own
/// write transaction: a revocation that committed before it is always seen, whatever the API's
/// key cache still holds. A mutation whose check ran before the revocation committed is ordered
/// before the revocation (it read the key row the revocation then wrote).
async fn actor_usable(
    c: &mut Conn,
    actor: Option<&Scoped<KeyId>>,
) -> std::result::Result<bool, StoreError> {
    match actor {
        Some(key) => api_keys::usable(c, key, now_us()).await,
        None => Ok(true),
    }
}

#[cfg(test)]
mod tests {
    use anton_core::id::MerchantId;
    use anton_core::keys::Environment;

    use super::*;

    fn tenant() -> Tenant {
        Tenant::new(MerchantId::parse("mer_1").unwrap(), Environment::Test)
    }

    #[test]
    fn a_key_is_one_to_255_printable_characters_without_spaces() {
        assert!(IdempotencyKey::parse("order-42").is_ok());
        assert!(IdempotencyKey::parse(&"k".repeat(255)).is_ok());
        for bad in ["", " ", "a b", "tab\there", "é"] {
            assert!(IdempotencyKey::parse(bad).is_err(), "{bad:?}");
        }
        assert!(IdempotencyKey::parse(&"k".repeat(256)).is_err());
    }

    #[test]
    fn a_stored_answer_replays_for_the_same_request_and_refuses_another() {
        let stored = StoredResponse {
            fingerprint: "fp-1".into(),
            status: 200,
            body: "{}".into(),
        };
        let keyed = |fingerprint: &str, earlier: Option<&str>| Keyed {
            key: IdempotencyKey::parse("k").unwrap(),
            fingerprint: fingerprint.into(),
            earlier_fingerprint: earlier.map(str::to_owned),
        };
        let answer = replay(&stored, &keyed("fp-1", None)).unwrap();
        assert!(answer.replayed);
        // A record an earlier version fingerprinted differently still matches its retry.
        assert!(replay(&stored, &keyed("fp-new", Some("fp-1"))).is_ok());
        assert_eq!(
            answer.reply,
            Reply {
                status: 200,
                body: "{}".into()
            }
        );
        assert!(matches!(
            replay(&stored, &keyed("fp-2", Some("fp-3"))),
            Err(EngineError::IdempotencyKeyReused)
        ));
    }

    #[test]
    fn a_key_running_on_this_node_refuses_its_twin_until_it_ends() {
        let marks = InFlight::default();
        let key = IdempotencyKey::parse("k").unwrap();
        let first = marks.enter(&tenant(), &key).unwrap();
        assert!(matches!(
            marks.enter(&tenant(), &key),
            Err(EngineError::IdempotencyInProgress)
        ));
        // Another tenant's key of the same text is another key.
        let other = Tenant::new(MerchantId::parse("mer_2").unwrap(), Environment::Test);
        assert!(marks.enter(&other, &key).is_ok());
        drop(first);
        assert!(marks.enter(&tenant(), &key).is_ok());
    }
}
