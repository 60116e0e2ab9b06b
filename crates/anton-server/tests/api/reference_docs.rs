//! The reference docs name everything an integrator must handle, from the same definitions the
//! server uses: every event type, payout status, failure code and scope in docs/reference.md, and
//! every error code the engine produces in docs/reference.md's error table. A new one added to
//! the code without its documentation fails here.

use anton_core::event::EventType;
use anton_core::keys::Scope;
use anton_core::payout::{FailureCode, PayoutStatus};

const REFERENCE: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../docs/reference.md"
));

/// The engine's stable error codes, as its module docs list them.
const ENGINE_ERRORS: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../anton-engine/src/error.rs"
));

fn documented(name: &str) -> bool {
    REFERENCE.contains(&format!("`{name}`"))
}

#[test]
fn the_reference_names_every_event_type_status_failure_code_and_scope() {
    let mut missing: Vec<&str> = Vec::new();
    let names = EventType::ALL
        .iter()
        .map(|t| t.as_str())
        .chain([EventType::WebhookEndpointTest.as_str()])
        .chain(PayoutStatus::ALL.iter().map(|s| s.as_str()))
        .chain(FailureCode::ALL.iter().map(|f| f.as_str()))
        .chain(Scope::ALL.iter().map(|s| s.as_str()));
    for name in names {
        if !documented(name) {
            missing.push(name);
        }
    }
    assert!(missing.is_empty(), "not in docs/reference.md: {missing:?}");
}

#[test]
fn the_reference_names_every_engine_error_code() {
    // The stable codes are listed in the module docs (`//!` lines) of anton-engine's error.rs.
    let docs: String = ENGINE_ERRORS
        .lines()
        .filter_map(|l| l.strip_prefix("//!"))
        .collect::<Vec<_>>()
        .join(" ");
    let codes: Vec<&str> = docs
        .split('`')
        .skip(1)
        .step_by(2)
        .filter(|c| c.chars().all(|ch| ch.is_ascii_lowercase() || ch == '_') && c.contains('_'))
        .collect();
    assert!(codes.len() > 20, "found the codes: {codes:?}");
    let missing: Vec<&&str> = codes.iter().filter(|c| !documented(c)).collect();
    assert!(missing.is_empty(), "not in docs/reference.md: {missing:?}");
}
