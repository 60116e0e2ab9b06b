//! A complete webhook receiver: verified events only, each processed once.
//!
//! ```text
//! ANTON_WEBHOOK_SECRET=whsec_… RECEIVER_ADDR=127.0.0.1:3000 \
//!   cargo run -p anton-sdk --features axum --example receiver
//! ```
//!
//! - `VerifiedEvent` reads the raw body and checks `Anton-Signature` (constant-time, 300 s
//!   window) before the handler runs; a bad delivery gets 400 and never reaches `handle`.
//! - Deliveries are at least once and unordered: the handler records each event id and skips
//!   one it has seen (here in memory; in production, a unique key in the same database
//!   transaction as the work), and reads the object's full state from the event instead of
//!   assuming an order.
//! - It answers 2xx fast; slow work belongs on a queue.
//!
//! Prints one JSON line per delivery: `{"event", "type", "duplicate"}`.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use anton_sdk::axum::VerifiedEvent;
use anton_sdk::types::EventType;
use anton_sdk::Webhook;
use axum::extract::{FromRef, State};
use axum::routing::post;
use axum::Router;

#[derive(Clone)]
struct AppState {
    webhook: Webhook,
    processed: Arc<Mutex<HashSet<String>>>,
}

impl FromRef<AppState> for Webhook {
    fn from_ref(s: &AppState) -> Webhook {
        s.webhook.clone()
    }
}

async fn handle(
    State(state): State<AppState>,
    VerifiedEvent(event): VerifiedEvent,
) -> &'static str {
    let first_time = state
        .processed
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .insert(event.id.clone());
    if first_time {
        match event.event_type() {
            Some(EventType::PayoutPaid) => {
                if let Some(p) = event.payout() {
                    // e.g. mark the order paid in your database.
                    let _ = (p.id, p.amount);
                }
            }
            Some(EventType::PayoutFailed | EventType::PayoutReturned) => {
                // e.g. notify the recipient to update their bank details.
            }
            // Types this version does not know yet: acknowledge them.
            _ => {}
        }
    }
    println!(
        "{}",
        serde_json::json!({"event": event.id, "type": event.kind, "duplicate": !first_time})
    );
    "ok"
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let secret = std::env::var("ANTON_WEBHOOK_SECRET").unwrap_or_default();
    let webhook = match Webhook::new(&secret) {
        Ok(w) => w,
        Err(e) => {
            eprintln!("ANTON_WEBHOOK_SECRET: {e}");
            std::process::exit(2);
        }
    };
    let addr = std::env::var("RECEIVER_ADDR").unwrap_or_else(|_| "127.0.0.1:3000".into());
    let app = Router::new()
        .route("/webhooks", post(handle))
        .with_state(AppState {
            webhook,
            processed: Arc::default(),
        });
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    eprintln!("listening on {}", listener.local_addr()?);
    axum::serve(listener, app).await
}
