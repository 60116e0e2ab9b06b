//! `anton listen --forward-to URL`: a local development tunnel for events.

use std::io::Write;
use std::path::Path;
use std::time::{Duration, Instant};

use anton_core::signature::{self, WebhookSecret};
use anton_sdk::types::{Event, ListParams};
use anyhow::{bail, Context};
use serde_json::json;

use super::follow::Follow;
use super::{read_profiles, unix_now, write_profiles, Connect, Profile};

/// Forwarding destination: https anywhere (certificates verified), or http on loopback only.
fn forward_client(url: &str, extra_ca: Option<&Path>) -> anyhow::Result<reqwest::Client> {
    let u = reqwest::Url::parse(url).with_context(|| format!("{url:?} is not a URL"))?;
    let loopback = match u.host() {
        Some(url::Host::Domain(d)) => d == "localhost",
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    };
    match u.scheme() {
        "https" => {}
        "http" if loopback => {}
        _ => bail!("--forward-to must be https://, or http:// to localhost"),
    }
    let mut b = reqwest::Client::builder()
        .use_rustls_tls()
        .tls_built_in_root_certs(true)
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(15))
        .user_agent(concat!("anton-cli-listen/", env!("CARGO_PKG_VERSION")));
    if let Some(ca) = extra_ca {
        let pem = std::fs::read(ca).with_context(|| format!("reading {}", ca.display()))?;
        b = b.add_root_certificate(reqwest::Certificate::from_pem(&pem)?);
    }
    Ok(b.build()?)
}

fn subscribed(filter: &[String], kind: &str) -> bool {
    filter.is_empty() || filter.iter().any(|f| f == "*" || f == kind)
}

/// Sends one event to the local handler, signed with both header sets; retries with backoff.
async fn forward(
    http: &reqwest::Client,
    url: &str,
    secret: &WebhookSecret,
    event: &Event,
) -> (Option<u16>, u32, Duration) {
    let body = match serde_json::to_vec(event) {
        Ok(b) => b,
        Err(_) => return (None, 0, Duration::ZERO),
    };
    let started = Instant::now();
    let mut tries = 0;
    loop {
        tries += 1;
        let ts = unix_now();
        let sig = signature::sign(std::slice::from_ref(secret), &event.id, ts, &body);
        let r = http
            .post(url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header("Anton-Signature", &sig.anton_signature)
            .header("Anton-Event-Id", &event.id)
            .header("webhook-id", &event.id)
            .header("webhook-timestamp", ts.to_string())
            .header("webhook-signature", &sig.webhook_signature)
            .body(body.clone())
            .send()
            .await;
        let status = r.as_ref().ok().map(|r| r.status().as_u16());
        if status.is_some_and(|s| (200..300).contains(&s)) || tries >= 4 {
            return (status, tries, started.elapsed());
        }
        tokio::time::sleep(Duration::from_millis(250 * (1 << tries))).await;
    }
}

/// `anton listen --forward-to URL`: follows the server's events (new ones only) and forwards
/// each, signed with the local secret, to a handler on this machine, logging each delivery.
pub async fn listen(
    connect: &Connect,
    forward_to: &str,
    events: &[String],
    print_secret: bool,
    forward_ca: Option<&Path>,
    as_json: bool,
) -> anyhow::Result<()> {
    let (client, mut profile) = connect.client()?;
    let http = forward_client(forward_to, forward_ca)?;
    let secret = local_secret(connect, &mut profile)?;
    if print_secret {
        println!("{}", secret.expose_secret());
    } else {
        eprintln!(
            "forwarding events to {forward_to}, signed with the local secret \
             (run with --print-secret to see it)"
        );
    }
    std::io::stdout().flush()?;
    // New events only, each once; 5 s of overlap for late commits.
    let mut follow = Follow::new(Duration::from_secs(5));
    // Events that existed before we started are not forwarded.
    {
        use futures_util::TryStreamExt;
        let existing: Vec<Event> = client
            .events()
            .list_all(ListParams::new().created_gte(follow.since()))
            .try_collect()
            .await?;
        for e in existing {
            follow.admit(&e.id, e.created);
        }
    }
    eprintln!("ready");
    loop {
        let page: Vec<Event> = {
            use futures_util::TryStreamExt;
            match client
                .events()
                .list_all(ListParams::new().created_gte(follow.since()))
                .try_collect()
                .await
            {
                Ok(p) => p,
                Err(e) => {
                    let e = e.to_string();
                    eprintln!(
                        "polling events failed (retrying): {}",
                        crate::cli::escape(&e)
                    );
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    continue;
                }
            }
        };
        // Oldest first: the server lists newest first in a total order (sub-second creation
        // time, then id), which whole-second `created` values cannot reproduce here.
        for e in page.into_iter().rev() {
            if !follow.admit(&e.id, e.created) || !subscribed(events, &e.kind) {
                continue;
            }
            let (status, tries, took) = forward(&http, forward_to, &secret, &e).await;
            print_forwarded(&e, forward_to, status, tries, took, as_json)?;
        }
        follow.advance();
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// The local secret: kept in the profile so a handler's configuration survives restarts.
fn local_secret(connect: &Connect, profile: &mut Profile) -> anyhow::Result<WebhookSecret> {
    if let Some(s) = profile
        .listen_secret
        .as_deref()
        .and_then(|s| WebhookSecret::parse(s).ok())
    {
        return Ok(s);
    }
    let s = WebhookSecret::generate();
    profile.listen_secret = Some(s.expose_secret().to_owned());
    let mut all = read_profiles()?;
    if let Some(stored) = all.get_mut(&connect.profile_name()) {
        stored.listen_secret = profile.listen_secret.clone();
        write_profiles(&all)?;
    }
    Ok(s)
}

/// One line per forwarded event: JSON, or for a terminal.
fn print_forwarded(
    e: &Event,
    forward_to: &str,
    status: Option<u16>,
    tries: u32,
    took: Duration,
    as_json: bool,
) -> anyhow::Result<()> {
    if as_json {
        println!(
            "{}",
            json!({"event": e.id, "type": e.kind, "status": status, "attempts": tries, "ms": took.as_millis()})
        );
    } else {
        println!(
            "{} {:<26} → {} [{}] {} ms{}",
            crate::cli::escape(&e.id),
            crate::cli::escape(&e.kind),
            forward_to,
            status.map_or("no answer".to_owned(), |s| s.to_string()),
            took.as_millis(),
            if tries > 1 {
                format!(" ({tries} attempts)")
            } else {
                String::new()
            }
        );
    }
    std::io::stdout().flush()?;
    Ok(())
}
