//! One realistic example of each published object. Ids are fake but well-formed; amounts are in
//! cents; nothing here is a secret.

use serde_json::{json, Value};

pub const RECIPIENT_ID: &str = "rcp_0VclA2b8Kq3Lm9Np4Rs7Tu1W";
pub const PAYOUT_ID: &str = "po_0VclB7c2Xk9QmR4tY8uWb3nZ";
pub const EVENT_ID: &str = "evt_0VclB7c3Hd5Jf8Kg2Lh6Mj9N";
pub const ENDPOINT_ID: &str = "we_0Vcl9Z1a7Gh3Jk5Lm2Np8Qr4";
pub const DELIVERY_ID: &str = "del_0VclB7c4St6Uv1Wx3Yz5Ab7C";
pub const TRANSACTION_ID: &str = "txn_0VclB7c2De4Fg6Hi8Jk1Lm3N";
pub const REQUEST_ID: &str = "req_0VclB7c1Pq2Rs3Tu4Vw5Xy6Z";
pub const KEY_ID: &str = "key_0Vcl8Y2b6Fg4Hj7Kl1Mn3Pq5";
pub const ALERT_ID: &str = "alr_0VclB7c6Hi8Jk1Lm3No5Pq7R";
pub const AUDIT_ENTRY_ID: &str = "aud_0VclB7c5Gh7Ij9Kl2Mn4Op6Q";
pub const CREATED: &str = "2026-11-28T12:00:00Z";

/// A bank account as shown (never the full number).
pub fn bank_account() -> Value {
    json!({
        "type": "us_ach",
        "country": "US",
        "currency": "USD",
        "bank_code": "110000000",
        "account_type": "checking",
        "last4": "6789",
        "fingerprint": "3f9c1a7e5b2d4c6f8a0b1c2d3e4f5a6b"
    })
}

pub fn recipient() -> Value {
    json!({
        "id": RECIPIENT_ID,
        "object": "recipient",
        "name": "Ada Lovelace",
        "email": "ada@example.com",
        "bank_account": bank_account(),
        "metadata": {"vendor_id": "v_1842"},
        "created": CREATED,
        "livemode": false
    })
}

pub fn payout() -> Value {
    json!({
        "id": PAYOUT_ID,
        "object": "payout",
        "amount": 2500,
        "currency": "USD",
        "recipient": RECIPIENT_ID,
        "status": "pending",
        "failure_code": null,
        "failure_message": null,
        "description": "Invoice 6735",
        "metadata": {"order_id": "6735"},
        "created": CREATED,
        "updated": CREATED,
        "arrival_date": null,
        "livemode": false,
        "bank_transfer": null,
        "review": null,
        "risk": {"evaluated": ["payout_amount", "daily_sum", "daily_count", "hourly_sum",
            "hourly_count", "bank_details_changed"], "fired": []}
    })
}

/// A payout a risk rule held for review.
pub fn held_payout() -> Value {
    let mut p = payout();
    p["status"] = "requires_review".into();
    p["amount"] = 3_900_000.into();
    p["review"] = json!({
        "status": "pending",
        "rules": ["daily_sum"],
        "requested_by": KEY_ID,
        "requested": CREATED,
        "expires": "2026-12-01T09:30:00Z",
        "decided_by": null,
        "decided": null,
        "reason": null
    });
    p["risk"]["fired"] = json!([{
        "rule": "daily_sum",
        "action": "review",
        "value": 3_900_000,
        "limit": 3_700_000,
        "currency": "USD",
        "explanation": "sum today 39,000.00 USD > limit 37,000.00 USD"
    }]);
    p
}

pub fn risk_rule() -> Value {
    json!({
        "id": "daily_sum",
        "object": "risk_rule",
        "description": anton_core::risk::RuleName::DailySum.meaning(),
        "enabled": true,
        "action": "review",
        "limit": null,
        "limits": {"USD": 3_700_000, "EUR": 3_700_000, "GBP": 3_700_000},
        "livemode": false
    })
}

pub fn webhook_endpoint() -> Value {
    json!({
        "id": ENDPOINT_ID,
        "object": "webhook_endpoint",
        "url": "https://hooks.example.com/anton",
        "enabled_events": ["payout.paid", "payout.failed", "payout.returned"],
        "description": "Payout status updates",
        "status": "enabled",
        "signature_scheme": "hmac_sha256",
        "public_key": null,
        "created": CREATED,
        "livemode": false
    })
}

pub fn attempt() -> Value {
    json!({
        "attempt": 1,
        "started": "2026-11-28T12:00:01Z",
        "latency_ms": 87,
        "status_code": 503,
        "response_body": "upstream unavailable",
        "error_class": "http_status"
    })
}

pub fn webhook_delivery() -> Value {
    json!({
        "id": DELIVERY_ID,
        "object": "webhook_delivery",
        "endpoint": ENDPOINT_ID,
        "event": EVENT_ID,
        "event_type": "payout.paid",
        "status": "retrying",
        "attempts": 1,
        "next_attempt": "2026-11-28T12:00:06Z",
        "created": CREATED,
        "attempt_log": [attempt()],
        "livemode": false
    })
}

pub fn balance_amount() -> Value {
    json!({"currency": "USD", "amount": 97500})
}

pub fn balance() -> Value {
    json!({
        "object": "balance",
        "livemode": false,
        "available": [balance_amount()],
        "in_flight": [{"currency": "USD", "amount": 2500}]
    })
}

/// An alert.
pub fn alert() -> Value {
    json!({
        "id": ALERT_ID,
        "object": "alert",
        "rule": "api_key_revoked_used",
        "severity": "critical",
        "status": "open",
        "subject": KEY_ID,
        "details": {
            "api_key": KEY_ID,
            "source_ip": "203.0.113.7",
            "source_ips": ["203.0.113.7"],
            "request_id": REQUEST_ID,
            "route": "/v1/payouts",
            "status": 401,
            "error_code": "api_key_revoked"
        },
        "count": 3,
        "first_seen": CREATED,
        "last_seen": CREATED,
        "acknowledged": null,
        "acknowledged_by": null,
        "resolved": null,
        "resolved_by": null,
        "created": CREATED,
        "livemode": false
    })
}

/// An entry of the audit log.
pub fn audit_entry() -> Value {
    json!({
        "id": AUDIT_ENTRY_ID,
        "object": "audit_entry",
        "seq": 42,
        "created": CREATED,
        "action": "webhook_endpoint.updated",
        "actor": {"type": "api_key", "id": KEY_ID},
        "source_ip": "203.0.113.7",
        "request_id": REQUEST_ID,
        "resource": {"type": "webhook_endpoint", "id": ENDPOINT_ID},
        "before": {"url": "https://example.com/hooks", "status": "enabled"},
        "after": {"url": "https://example.com/anton/hooks", "status": "enabled"},
        "hash": "5e1d5b0c0c4a2f3b9d6e8a7c1f2b3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e",
        "previous_hash": "9a8b7c6d5e4f30211203f4e5d6c7b8a99a8b7c6d5e4f30211203f4e5d6c7b8a9",
        "livemode": false
    })
}

/// A request of the request log.
pub fn request() -> Value {
    json!({
        "id": REQUEST_ID,
        "object": "request",
        "created": CREATED,
        "method": "POST",
        "route": "/v1/payouts",
        "status": 409,
        "error_code": "insufficient_funds",
        "api_key": KEY_ID,
        "source_ip": "203.0.113.7",
        "user_agent": "anton-sdk-rust/0.1.0",
        "duration_us": 4180,
        "idempotency_key": "order-1842-payout",
        "livemode": false
    })
}

pub fn balance_transaction() -> Value {
    json!({
        "id": TRANSACTION_ID,
        "object": "balance_transaction",
        "type": "payout",
        "amount": 2500,
        "currency": "USD",
        "debit": "available",
        "credit": "in_flight",
        "source": PAYOUT_ID,
        "created": CREATED,
        "livemode": false
    })
}
