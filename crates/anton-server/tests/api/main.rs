//! Black-box tests: the real server over HTTPS, on SQLite and PostgreSQL.
//! One test binary (fast to link), one module per capability.

#![expect(
    clippy::unwrap_used,
    reason = "a test should fail loudly on any unexpected None or Err"
)]
mod helpers;

mod access;
mod alerts;
mod audit_log;
mod bad_input;
mod crash;
mod db_faults;
mod examples;
mod file_rails;
mod file_rails_answers;
mod file_rails_crash;
mod file_rails_sftp;
mod hardening;
mod hostile_strings;
mod idempotency;
mod integrator;
mod ledger_properties;
mod metrics;
mod openapi;
mod payouts;
mod portal;
mod private_files;
mod process;
mod prometheus;
mod recipients;
mod reference_docs;
mod request_log;
mod revocation;
mod risk;
mod risk_facts;
mod scale_out;
mod sdk;
mod signatures;
mod sshd;
mod ssrf;
mod tls;
mod webhooks;
