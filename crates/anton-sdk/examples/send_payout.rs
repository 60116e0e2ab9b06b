//! Send a payout for an order, exactly once.
//!
//! ```text
//! ANTON_API_KEY=sk_test_… ANTON_CA_FILE=anton-data/tls/ca.pem \
//!   cargo run -p anton-sdk --example send_payout -- ORDER-1001 rcp_… 1250 USD
//! ```
//!
//! The order id is the idempotency key: running the program again for the same order (after a
//! crash, a timeout, a deploy) returns the same payout instead of paying twice. Prints the payout
//! as one JSON line.

use std::process::ExitCode;

use anton_sdk::types::NewPayout;
use anton_sdk::Client;

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [order, recipient, amount, currency] = args.as_slice() else {
        eprintln!("usage: send_payout ORDER_ID RECIPIENT_ID AMOUNT_MINOR CURRENCY");
        return ExitCode::from(2);
    };
    let Ok(amount) = amount.parse::<i64>() else {
        eprintln!("AMOUNT_MINOR is an integer number of cents");
        return ExitCode::from(2);
    };
    // The key comes from the environment (a secret manager in production), never from code.
    let Some(key) = env("ANTON_API_KEY") else {
        eprintln!("set ANTON_API_KEY");
        return ExitCode::from(2);
    };
    let mut builder = Client::builder(key)
        .base_url(env("ANTON_BASE_URL").unwrap_or_else(|| "https://localhost:8443".into()));
    if let Some(ca) = env("ANTON_CA_FILE") {
        // A local server's CA; production servers use public certificates.
        let pem = match std::fs::read(&ca) {
            Ok(p) => p,
            Err(e) => {
                eprintln!("reading {ca}: {e}");
                return ExitCode::from(2);
            }
        };
        builder = match builder.add_root_certificate_pem(&pem) {
            Ok(b) => b,
            Err(e) => {
                eprintln!("{e}");
                return ExitCode::from(2);
            }
        };
    }
    let client = match builder.build() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let mut payout = NewPayout::new(amount, currency.as_str(), recipient.as_str());
    payout.metadata.insert("order".into(), order.clone());
    match client
        .payouts()
        .create_with_key(&payout, &format!("order-{order}"))
        .await
    {
        Ok(p) => {
            println!(
                "{}",
                serde_json::json!({"payout": p.id, "status": p.status.as_str(), "amount": p.amount, "currency": p.currency})
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            // The error names the request id; quote it when asking for support.
            eprintln!("payout not sent: {e}");
            ExitCode::FAILURE
        }
    }
}
