//! `anton events list|types|resend`, `anton webhooks test` and `anton trigger`.

use anton_core::keys::ApiKey;
use anton_sdk::types::{
    AccountType, BankAccountDetails, Event, ListParams, NewPayout, NewRecipient, PayoutUpdate,
    RecipientUpdate,
};
use anyhow::bail;
use serde_json::json;

use super::{Connect, Exit};
use crate::cli::escape;

/// One event for a terminal; what the server sent is printed through [`escape`].
fn print_event_line(e: &Event) {
    println!(
        "{}  {}  {:<26} {}",
        e.created
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default(),
        escape(&e.id),
        escape(&e.kind),
        escape(e.data.object["id"].as_str().unwrap_or(""))
    );
}

pub async fn events_list(
    connect: &Connect,
    kind: Option<String>,
    limit: u32,
    as_json: bool,
) -> anyhow::Result<()> {
    let (client, _) = connect.client()?;
    let mut params = ListParams::new().limit(limit.clamp(1, 100));
    if let Some(k) = kind {
        params = params.filter("type", k);
    }
    let page = client.events().list(&params).await?;
    for e in &page.data {
        if as_json {
            println!("{}", serde_json::to_string(e)?);
        } else {
            print_event_line(e);
        }
    }
    Ok(())
}

pub async fn events_resend(
    connect: &Connect,
    event: &str,
    endpoint: &str,
    as_json: bool,
) -> anyhow::Result<()> {
    let (client, _) = connect.client()?;
    let d = client.events().resend(event, endpoint).await?;
    if as_json {
        println!("{}", serde_json::to_string(&d)?);
    } else {
        println!(
            "{} scheduled: {} → {}",
            escape(&d.id),
            escape(&d.event),
            escape(&d.endpoint)
        );
    }
    Ok(())
}

/// `anton events types`: the catalogue of event types an endpoint may subscribe to.
pub async fn event_types(connect: &Connect, as_json: bool) -> anyhow::Result<()> {
    let (client, _) = connect.client()?;
    for t in client.event_types().await? {
        if as_json {
            let line = json!({
                "type": t.kind,
                "description": t.description,
                "data_object": t.data_object,
                "schema": t.schema,
            });
            println!("{line}");
        } else {
            println!("{:<28} {}", escape(&t.kind), escape(&t.description));
        }
    }
    Ok(())
}

/// `anton webhooks test WE`: sends a signed test event to the endpoint now and prints what the
/// endpoint answered. Exit 1 when it did not answer 2xx.
pub async fn webhooks_test(connect: &Connect, endpoint: &str, as_json: bool) -> anyhow::Result<()> {
    let (client, _) = connect.client()?;
    let sent = client.webhook_endpoints().test(endpoint).await?;
    if as_json {
        let line = json!({
            "endpoint": sent.endpoint, "event": sent.event.id, "succeeded": sent.succeeded,
            "status_code": sent.status_code, "error": sent.error, "latency_ms": sent.latency_ms,
        });
        println!("{line}");
    } else {
        println!(
            "{} {} → {} [{}] {} ms",
            escape(&sent.event.id),
            escape(&sent.event.kind),
            escape(&sent.endpoint),
            match (sent.status_code, &sent.error) {
                (Some(s), _) => s.to_string(),
                (None, Some(e)) => escape(e).into_owned(),
                (None, None) => "no answer".to_owned(),
            },
            sent.latency_ms
        );
    }
    if sent.succeeded {
        Ok(())
    } else {
        Err(Exit {
            code: 1,
            message: "the endpoint did not answer 2xx".into(),
        }
        .into())
    }
}

/// The event types `anton trigger` can cause, and how.
pub const TRIGGERABLE: [&str; 10] = [
    "recipient.created",
    "recipient.updated",
    "recipient.deleted",
    "payout.created",
    "payout.updated",
    "payout.processing",
    "payout.paid",
    "payout.failed",
    "payout.canceled",
    "payout.returned",
];

/// `anton trigger EVENT`: creates the test-mode objects whose changes cause `EVENT` (and the
/// events on the way there). Refuses live keys.
pub async fn trigger(connect: &Connect, event: &str, as_json: bool) -> anyhow::Result<()> {
    if !TRIGGERABLE.contains(&event) {
        return Err(Exit {
            code: 2,
            message: format!(
                "cannot trigger {event:?}; one of: {}",
                TRIGGERABLE.join(", ")
            ),
        }
        .into());
    }
    let (client, profile) = connect.client()?;
    if ApiKey::parse(&profile.api_key).is_ok_and(|k| k.env().is_live()) {
        bail!("anton trigger runs in test mode only; this is a live key");
    }
    let mut created: Vec<(String, String)> = Vec::new();
    let recipient = client
        .recipients()
        .create(&NewRecipient::new(
            "Trigger Recipient",
            BankAccountDetails::UsAch {
                routing_number: "110000000".into(),
                account_number: "000123456789".into(),
                account_type: AccountType::Checking,
            },
        ))
        .await?;
    created.push(("recipient".into(), recipient.id.clone()));
    match event {
        "recipient.created" => {}
        "recipient.updated" => {
            client
                .recipients()
                .update(
                    &recipient.id,
                    &RecipientUpdate {
                        name: Some("Trigger Recipient (renamed)".into()),
                        ..RecipientUpdate::default()
                    },
                )
                .await?;
        }
        "recipient.deleted" => {
            client.recipients().delete(&recipient.id).await?;
        }
        payout_event => {
            client.test_helpers().fund_balance(1_000, "USD").await?;
            let payout = client
                .payouts()
                .create(&NewPayout::new(1_000, "USD", &recipient.id))
                .await?;
            created.push(("payout".into(), payout.id.clone()));
            match payout_event {
                "payout.created" => {}
                "payout.updated" => {
                    let update = PayoutUpdate {
                        description: Some(Some("Triggered by anton trigger".into())),
                        metadata: None,
                    };
                    client.payouts().update(&payout.id, &update).await?;
                }
                "payout.canceled" => {
                    client.payouts().cancel(&payout.id).await?;
                }
                "payout.processing" | "payout.paid" => {
                    client.test_helpers().pay_payout(&payout.id).await?;
                }
                "payout.failed" => {
                    client.test_helpers().fail_payout(&payout.id, None).await?;
                }
                _ => {
                    client.test_helpers().pay_payout(&payout.id).await?;
                    client.test_helpers().return_payout(&payout.id).await?;
                }
            }
        }
    }
    if as_json {
        let objects: Vec<_> = created
            .iter()
            .map(|(k, id)| json!({"object": k, "id": id}))
            .collect();
        println!("{}", json!({"triggered": event, "objects": objects}));
    } else {
        for (k, id) in &created {
            println!("created {k} {}", escape(id));
        }
        println!("triggered {event}");
    }
    Ok(())
}
