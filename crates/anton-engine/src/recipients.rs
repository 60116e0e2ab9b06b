//! Recipients (docs/reference.md §2): create, read, list, change, delete. Every change writes its
//! event in the same transaction. The full account number lives only encrypted in the record; what
//! is shown is `last4` and a keyed fingerprint.

use anton_core::bank::BankAccount;
use anton_core::event::{EventType, NewEvent};
use anton_core::id::RecipientId;
use anton_core::time::Timestamp;
use anton_store::list::Listed;
use anton_store::recipients::{self, RecipientRecord};
use anton_store::{events, now_us, payouts, Tenant};

use crate::error::{EngineError, Result};
use crate::idempotency::{self, Answer, Mutation, Render};
use crate::objects::{to_value, RecipientOut};
use crate::validate::{self, ListQuery, Listing, Metadata};
use crate::{Engine, Secrets};

/// A recipient to create, validated.
#[derive(Debug, Clone)]
pub struct NewRecipient {
    name: String,
    email: Option<String>,
    bank: BankAccount,
    metadata: Metadata,
}

impl NewRecipient {
    /// Checks name, email, metadata, then the bank account (parsed by the caller from its wire
    /// form; a parse error is [`validate::bank_account`]). Name and email are kept as
    /// [`validate`] stores them (NFC-normalized; the name trimmed).
    pub fn new(
        name: &str,
        email: Option<String>,
        bank: impl FnOnce() -> Result<BankAccount>,
        metadata: Metadata,
    ) -> Result<Self> {
        let name = validate::name(name)?;
        let email = email.as_deref().map(validate::email).transpose()?;
        validate::metadata(&metadata)?;
        Ok(Self {
            name,
            email,
            bank: bank()?,
            metadata,
        })
    }
}

/// Changes to a recipient; `None` leaves a field as it is (`email: Some(None)` clears it).
#[derive(Debug, Clone, Default)]
pub struct RecipientChanges {
    name: Option<String>,
    email: Option<Option<String>>,
    bank: Option<BankAccount>,
    metadata: Option<Metadata>,
}

impl RecipientChanges {
    /// Checks what changes: name, email, metadata, then the bank account. Name and email are
    /// kept as [`validate`] stores them.
    pub fn new(
        name: Option<String>,
        email: Option<Option<String>>,
        bank: impl FnOnce() -> Result<Option<BankAccount>>,
        metadata: Option<Metadata>,
    ) -> Result<Self> {
        let name = name.as_deref().map(validate::name).transpose()?;
        let email = match email {
            Some(Some(e)) => Some(Some(validate::email(&e)?)),
            other => other,
        };
        if let Some(m) = &metadata {
            validate::metadata(m)?;
        }
        Ok(Self {
            name,
            email,
            bank: bank()?,
            metadata,
        })
    }
}

/// The bank columns of a record, from a parsed account: encrypted number, last4, fingerprint.
fn bank_columns(secrets: &Secrets, tenant: &Tenant, bank: &BankAccount, r: &mut RecipientRecord) {
    let secret = bank.account_secret();
    r.bank_type = bank.kind().as_str().into();
    r.country = bank.country();
    r.currency = bank.currency().as_str().into();
    r.bank_code = bank.bank_code();
    r.account_type = bank.account_type().map(|t| t.as_str().to_owned());
    r.last4 = bank.last4().to_owned();
    r.fingerprint = secrets
        .fingerprint_hasher
        .hash_hex(&[tenant.merchant_id.as_str().as_bytes(), secret.as_bytes()])[..32]
        .to_owned();
    r.account_ciphertext = secrets
        .keyring
        .encrypt(secret.as_bytes(), tenant.merchant_id.as_str().as_bytes());
}

fn object_json(r: &RecipientRecord, tenant: &Tenant) -> serde_json::Value {
    to_value(&RecipientOut::from_record(r, tenant.env))
}

/// What a delete answers: the recipient that was deleted.
#[derive(Debug, Clone)]
pub struct Deleted {
    pub id: RecipientId,
}

impl Engine {
    pub async fn create_recipient<R: Render<RecipientRecord>>(
        &self,
        tenant: &Tenant,
        new: NewRecipient,
        mutation: Mutation<R>,
    ) -> Result<Answer> {
        let now = Timestamp::from_unix_micros(now_us());
        let mut record = RecipientRecord {
            id: RecipientId::generate(),
            name: new.name,
            email: new.email,
            bank_type: String::new(),
            country: String::new(),
            currency: String::new(),
            bank_code: None,
            account_type: None,
            last4: String::new(),
            fingerprint: String::new(),
            account_ciphertext: String::new(),
            bank_changed: now,
            metadata: validate::metadata_text(&new.metadata),
            created: now,
            updated: now,
        };
        bank_columns(self.secrets(), tenant, &new.bank, &mut record);
        let t = tenant.clone();
        let job: idempotency::Job<RecipientRecord> = std::sync::Arc::new(move |c| {
            let (t, record) = (t.clone(), record.clone());
            Box::pin(async move {
                recipients::insert(c, &t, &record).await?;
                let ev = NewEvent::new(
                    EventType::RecipientCreated,
                    t.env,
                    now,
                    record.id.as_str(),
                    object_json(&record, &t),
                    None,
                );
                events::insert(c, &t, &ev).await?;
                Ok(Ok(record))
            })
        });
        idempotency::run(self.store(), self.in_flight(), tenant, mutation, job).await
    }

    pub async fn get_recipient(
        &self,
        tenant: &Tenant,
        id: &RecipientId,
    ) -> Result<RecipientRecord> {
        recipients::get(self.store().read(), tenant, id)
            .await?
            .ok_or_else(|| EngineError::not_found("recipient", id.as_str()))
    }

    pub async fn list_recipients(
        &self,
        tenant: &Tenant,
        query: &ListQuery,
    ) -> Result<Listing<RecipientRecord>> {
        let page = query.page(self.store(), Listed::Recipients, tenant).await?;
        let rows = recipients::list(self.store().read(), tenant, &page).await?;
        Ok(Listing::of(rows, &page))
    }

    /// Changes a recipient; `recipient.updated` names what changed (with the previous values).
    pub async fn update_recipient<R: Render<RecipientRecord>>(
        &self,
        tenant: &Tenant,
        id: RecipientId,
        changes: RecipientChanges,
        mutation: Mutation<R>,
    ) -> Result<Answer> {
        // Shared by the job's runs, not copied for each (it holds key material).
        let secrets = std::sync::Arc::new(self.secrets().clone());
        let t = tenant.clone();
        let job: idempotency::Job<RecipientRecord> = std::sync::Arc::new(move |c| {
            let (t, id, changes, secrets) = (
                t.clone(),
                id.clone(),
                changes.clone(),
                std::sync::Arc::clone(&secrets),
            );
            Box::pin(async move {
                let Some(old) = recipients::get(&mut *c, &t, &id).await? else {
                    return Ok(Err(EngineError::not_found("recipient", id.as_str())));
                };
                let now = Timestamp::from_unix_micros(now_us());
                let mut new = old.clone();
                if let Some(n) = changes.name {
                    new.name = n;
                }
                if let Some(e) = changes.email {
                    new.email = e;
                }
                if let Some(m) = &changes.metadata {
                    new.metadata = validate::metadata_text(m);
                }
                if let Some(bank) = &changes.bank {
                    bank_columns(&secrets, &t, bank, &mut new);
                    if new.fingerprint != old.fingerprint {
                        new.bank_changed = now;
                    }
                }
                new.updated = now;
                recipients::update(c, &t, &new).await?;
                let old_json = object_json(&old, &t);
                let object = object_json(&new, &t);
                let mut previous = serde_json::Map::new();
                for key in ["name", "email", "bank_account", "metadata"] {
                    if old_json[key] != object[key] {
                        previous.insert(key.into(), old_json[key].clone());
                    }
                }
                if !previous.is_empty() {
                    let ev = NewEvent::new(
                        EventType::RecipientUpdated,
                        t.env,
                        now,
                        new.id.as_str(),
                        object,
                        Some(serde_json::Value::Object(previous)),
                    );
                    events::insert(c, &t, &ev).await?;
                }
                Ok(Ok(new))
            })
        });
        idempotency::run(self.store(), self.in_flight(), tenant, mutation, job).await
    }

    /// Deletes a recipient: it is no longer listed or readable, and its finished payouts keep
    /// its id. A recipient with payouts still under way is not deleted (they may yet need its
    /// bank details, and their `recipient` must not point at nothing while they move): the
    /// caller waits for them to finish or cancels them. A payout created in the very instant of
    /// the delete may still be accepted; it completes normally, since a deleted recipient's
    /// details are kept (encrypted), never erased.
    pub async fn delete_recipient<R: Render<Deleted>>(
        &self,
        tenant: &Tenant,
        id: RecipientId,
        mutation: Mutation<R>,
    ) -> Result<Answer> {
        let t = tenant.clone();
        let job: idempotency::Job<Deleted> = std::sync::Arc::new(move |c| {
            let (t, id) = (t.clone(), id.clone());
            Box::pin(async move {
                let Some(old) = recipients::get(&mut *c, &t, &id).await? else {
                    return Ok(Err(EngineError::not_found("recipient", id.as_str())));
                };
                if payouts::recipient_has_active(c, &t, &id).await? {
                    return Ok(Err(EngineError::conflict(
                        "recipient_has_active_payouts",
                        "This recipient has payouts that are pending, in review or processing. \
                         Wait for them to finish (or cancel them), then delete it.",
                        None,
                    )));
                }
                let now = now_us();
                recipients::delete(c, &t, &id, now).await?;
                let ev = NewEvent::new(
                    EventType::RecipientDeleted,
                    t.env,
                    Timestamp::from_unix_micros(now),
                    id.as_str(),
                    object_json(&old, &t),
                    None,
                );
                events::insert(c, &t, &ev).await?;
                Ok(Ok(Deleted { id }))
            })
        });
        idempotency::run(self.store(), self.in_flight(), tenant, mutation, job).await
    }
}
