//! `anton webhooks verify`: checks a delivery given on stdin.

use std::io::Read;

use serde_json::json;

use super::{unix_now, Exit};

/// The signature headers of a delivery, as given on the command line.
pub enum Signed {
    /// `Anton-Signature` (HMAC endpoints).
    Anton(String),
    /// `webhook-id`, `webhook-timestamp`, `webhook-signature` (every endpoint; the only ones an
    /// Ed25519 endpoint sends).
    Standard {
        id: String,
        timestamp: String,
        signature: String,
    },
}

/// `anton webhooks verify … < body`: exit 0 when valid, 1 otherwise.
pub fn webhooks_verify(
    secret: &str,
    headers: &Signed,
    ignore_timestamp: bool,
    as_json: bool,
) -> anyhow::Result<()> {
    let mut body = Vec::new();
    std::io::stdin().read_to_end(&mut body)?;
    let webhook = anton_sdk::Webhook::new(secret).map_err(|e| Exit {
        code: 2,
        message: e.to_string(),
    })?;
    let result = match headers {
        Signed::Anton(header) if ignore_timestamp => {
            webhook.check_ignoring_timestamp(&body, header)
        }
        Signed::Anton(header) => webhook.check_at(&body, header, unix_now()),
        Signed::Standard {
            id,
            timestamp,
            signature,
        } => {
            // Without the replay window, "now" is the delivery's own time; a timestamp that is
            // not a number is refused as malformed either way.
            let now = match timestamp.trim().parse::<i64>() {
                Ok(t) if ignore_timestamp => t,
                _ => unix_now(),
            };
            webhook.check_standard_at(&body, id, timestamp, signature, now)
        }
    };
    match result {
        Ok(()) => {
            if as_json {
                println!("{}", json!({"valid": true}));
            } else {
                println!("valid");
            }
            Ok(())
        }
        Err(e) => {
            if as_json {
                println!("{}", json!({"valid": false, "error": e.code()}));
            }
            Err(Exit {
                code: 1,
                message: format!("invalid: {} ({})", e, e.code()),
            }
            .into())
        }
    }
}
