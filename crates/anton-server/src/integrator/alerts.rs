//! `anton alerts list|ack|resolve`: the merchant's alerts (docs/reference.md §8) from the
//! terminal, through the SDK.

use anton_sdk::types::{Alert, ListParams};

use super::Connect;
use crate::cli::escape;

/// One alert for a terminal; what the server sent is printed through [`escape`].
fn print_alert_line(a: &Alert) {
    let detail = |k: &str| a.details[k].as_str().map(escape).unwrap_or_default();
    println!(
        "{}  {}  {:<8} {:<12} {:<26} {}  x{}  {}",
        a.last_seen
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default(),
        escape(&a.id),
        escape(&a.severity),
        escape(&a.status),
        escape(&a.rule),
        escape(&a.subject),
        a.count,
        detail("source_ip"),
    );
}

fn print(a: &Alert, as_json: bool) -> anyhow::Result<()> {
    if as_json {
        println!("{}", serde_json::to_string(a)?);
    } else {
        print_alert_line(a);
    }
    Ok(())
}

/// The newest alerts, only those in `status` when it is given.
pub async fn alerts_list(
    connect: &Connect,
    status: Option<String>,
    limit: u32,
    as_json: bool,
) -> anyhow::Result<()> {
    let (client, _) = connect.client()?;
    let mut params = ListParams::new().limit(limit.clamp(1, 100));
    if let Some(s) = status {
        params = params.filter("status", s);
    }
    for a in &client.alerts().list(&params).await?.data {
        print(a, as_json)?;
    }
    Ok(())
}

/// Acknowledges (`resolve` false) or resolves an alert, and prints it.
pub async fn alerts_act(
    connect: &Connect,
    id: &str,
    resolve: bool,
    as_json: bool,
) -> anyhow::Result<()> {
    let (client, _) = connect.client()?;
    let a = if resolve {
        client.alerts().resolve(id).await?
    } else {
        client.alerts().acknowledge(id).await?
    };
    print(&a, as_json)
}
