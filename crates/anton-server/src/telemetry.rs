//! Logging. Structured `tracing` events, text or JSON. Nothing here ever formats a request body or
//! header: handlers log ids, never keys or account numbers (tests plant both and grep the logs).

use tracing_subscriber::{fmt, EnvFilter};

pub fn init(format: &str) {
    init_with_default(format, "info,sqlx=warn");
}

/// [`init`] with another filter when `ANTON_LOG` is not set.
pub fn init_with_default(format: &str, default_filter: &str) {
    let filter =
        EnvFilter::try_from_env("ANTON_LOG").unwrap_or_else(|_| EnvFilter::new(default_filter));
    // Colours only for a person at a terminal: a file, a pipe or a log collector gets plain text.
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let builder = fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(ansi);
    let _ = if format == "json" {
        builder.json().flatten_event(true).try_init()
    } else {
        builder.try_init()
    };
}
