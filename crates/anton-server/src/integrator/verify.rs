//! `anton webhooks verify`: checks a delivery given on stdin.

use std::io::Read;

use serde_json::json;

use super::{unix_now, Exit};

/// `anton webhooks verify --header … < body`: exit 0 when valid, 1 otherwise.
pub fn webhooks_verify(
    secret: &str,
    header: &str,
    ignore_timestamp: bool,
    as_json: bool,
) -> anyhow::Result<()> {
    let mut body = Vec::new();
    std::io::stdin().read_to_end(&mut body)?;
    let webhook = anton_sdk::Webhook::new(secret).map_err(|e| Exit {
        code: 2,
        message: e.to_string(),
    })?;
    let result = if ignore_timestamp {
        webhook.check_ignoring_timestamp(&body, header)
    } else {
        webhook.check_at(&body, header, unix_now())
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
