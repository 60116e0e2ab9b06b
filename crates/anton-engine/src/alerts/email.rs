//! Alert emails: the outbox the alert changes queue in their own transaction
//! (`alerts::announce`), and the worker's mailer that sends it through a [`Mailer`] the binary
//! provides (SMTP). Each queued email is leased while it is sent, retried with backoff when the
//! relay refuses or is away, and given up after [`ATTEMPTS_MAX`] attempts (recorded with the
//! error). The text holds what the API shows of the alert: never a key, a secret or bank details.

use std::sync::Arc;
use std::time::Duration;

use anton_store::alerts::{self, AlertRecord, QueuedEmail};
use anton_store::now_us;
use futures_util::future::BoxFuture;
use tokio::sync::watch;

use super::Rule;
use crate::Engine;

/// Attempts before an email is given up.
pub const ATTEMPTS_MAX: i64 = 8;
/// How long a claimed email is leased to the mailer that claimed it.
const LEASE_US: i64 = 120 * 1_000_000;
/// Emails claimed per round.
const CLAIM_MAX: i64 = 20;

/// One email to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mail {
    pub to: Vec<String>,
    pub subject: String,
    pub text: String,
}

/// Sends mail (the binary's SMTP client). An error is a message for the log, without secrets.
pub trait Mailer: Send + Sync {
    fn send(&self, mail: Mail) -> BoxFuture<'static, Result<(), String>>;
}

/// The email announcing `event` (`raised` or `resolved`) of `a`.
pub fn compose(a: &AlertRecord, event: &str, to: Vec<String>) -> Mail {
    let rule = Rule::parse(&a.rule);
    let severity = rule.map_or("warning", Rule::severity);
    let env = a.tenant.env.as_str();
    let subject_of = if a.subject.is_empty() {
        String::new()
    } else {
        format!(" — {}", a.subject)
    };
    let subject = match event {
        "resolved" => format!("[Anton] Resolved: {}{subject_of} ({env})", a.rule),
        _ => format!("[Anton] {severity}: {}{subject_of} ({env})", a.rule),
    };
    let details: serde_json::Value =
        serde_json::from_str(&a.detail).unwrap_or_else(|_| serde_json::json!({}));
    let time = |us: i64| anton_core::time::Timestamp::from_unix_micros(us).to_rfc3339();
    let text = format!(
        "Anton {verb} alert {id} for merchant {merchant} ({env} mode).\n\n\
         Rule: {rule_name} ({severity})\n\
         What it means: {meaning}\n\
         Subject: {subject}\n\
         Seen {count} time(s), first {first}, last {last}.\n\
         Status: {status}\n\n\
         Details:\n{details}\n\n\
         Read it with GET /v1/alerts/{id} or `anton alerts list`; acknowledge or resolve it there.\n\
         You get this email because your address is set for this merchant's alerts \
         (the operator's `anton merchants set-alert-emails`).\n",
        verb = if event == "resolved" { "resolved" } else { "raised" },
        id = a.id,
        merchant = a.tenant.merchant_id,
        rule_name = a.rule,
        meaning = rule.map_or("", Rule::meaning),
        subject = if a.subject.is_empty() { "the account" } else { &a.subject },
        count = a.count,
        first = time(a.first_seen_us),
        last = time(a.last_seen_us),
        status = a.status,
        details = serde_json::to_string_pretty(&details).unwrap_or_default(),
    );
    Mail { to, subject, text }
}

/// When attempt `attempts + 1` failed: the next one, or `None` to give up.
fn retry_at(now: i64, attempts: i64) -> Option<i64> {
    (attempts + 1 < ATTEMPTS_MAX)
        .then(|| now + (30_000_000_i64 << attempts.clamp(0, 7)).min(3_600_000_000))
}

impl Engine {
    /// Sends the due alert emails once; returns how many were sent.
    pub async fn send_alert_emails(&self, mailer: &dyn Mailer) -> crate::Result<usize> {
        let now = now_us();
        let claimed = self
            .store()
            .write(move |c| {
                Box::pin(
                    async move { alerts::claim_emails(c, now, now + LEASE_US, CLAIM_MAX).await },
                )
            })
            .await?;
        let mut sent = 0;
        for q in claimed {
            let outcome = self.send_one(mailer, &q).await;
            let now = now_us();
            let (sent_us, next, error) = match &outcome {
                Ok(()) => (Some(now), None, None),
                Err(e) => (None, retry_at(now, q.attempts), Some(e.clone())),
            };
            self.metrics().alert_email(match (&outcome, next) {
                (Ok(()), _) => "sent",
                (Err(_), Some(_)) => "failed",
                (Err(_), None) => "given_up",
            });
            if let Err(e) = &outcome {
                tracing::warn!(email.id = %q.id, alert.id = %q.alert_id, attempt = q.attempts + 1,
                    error = %e, gave_up = next.is_none(), "alert email not sent");
            } else {
                sent += 1;
            }
            let id = q.id.clone();
            self.store()
                .write(move |c| {
                    Box::pin(async move {
                        alerts::email_attempted(c, &id, sent_us, next, error.as_deref()).await
                    })
                })
                .await?;
        }
        Ok(sent)
    }

    async fn send_one(&self, mailer: &dyn Mailer, q: &QueuedEmail) -> Result<(), String> {
        let read = |e: anton_store::StoreError| e.to_string();
        let Some(alert) = alerts::get(self.store().read(), &q.tenant, &q.alert_id)
            .await
            .map_err(read)?
        else {
            return Err("the alert no longer exists".into());
        };
        let to = alerts::alert_emails(self.store().read(), q.tenant.merchant_id.as_str())
            .await
            .map_err(read)?;
        if to.is_empty() {
            // The addresses were removed since: nothing to send, and nothing to retry.
            return Ok(());
        }
        mailer.send(compose(&alert, &q.event, to)).await
    }
}

/// The mailer loop: sends what is due every second until shutdown.
pub async fn run(engine: Engine, mailer: Arc<dyn Mailer>, mut shutdown: watch::Receiver<bool>) {
    let every = Duration::from_millis(engine.config().alerts.evaluate_every_ms.clamp(10, 1_000));
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = shutdown.changed() => return,
        }
        if let Err(e) = engine.send_alert_emails(mailer.as_ref()).await {
            tracing::warn!(error = %e, "alert emails: the outbox could not be read; retried at the next tick");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_and_give_up() {
        assert_eq!(retry_at(0, 0), Some(30_000_000));
        assert_eq!(retry_at(0, 1), Some(60_000_000));
        assert_eq!(retry_at(0, 6), Some(1_920_000_000));
        assert_eq!(retry_at(0, ATTEMPTS_MAX - 1), None);
    }
}
