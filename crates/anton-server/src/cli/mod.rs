//! The `anton` command tree. Each command is a thin wrapper: parse flags, call [`crate::startup`],
//! the engine's operator actions ([`anton_engine::operator`]) or [`crate::integrator`], print the
//! result. Text that comes from the database or a server is printed through [`escape`].

use std::borrow::Cow;
use std::path::PathBuf;
use std::process::ExitCode;

use anton_engine::validate;
use clap::{Args, Parser, Subcommand};

use crate::config::{Config, Overrides};
use crate::integrator::{self, Connect};

mod audit;
mod members;
mod operator;
mod rails;

#[derive(Parser)]
#[command(
    name = "anton",
    version,
    about = "Anton: payouts over HTTPS, reported by signed webhooks."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// Where to find the configuration; shared by every command that opens the database.
#[derive(Args, Clone, Default)]
pub(super) struct ConfigArgs {
    /// Configuration file (default: ./anton.toml when present).
    #[arg(long, global = true)]
    config: Option<PathBuf>,
    /// Data directory (default: ./anton-data).
    #[arg(long, global = true)]
    data_dir: Option<PathBuf>,
    /// Database URL: sqlite://… or postgres://… (default: SQLite in the data directory).
    #[arg(
        long,
        global = true,
        env = "ANTON_DATABASE_URL",
        hide_env_values = true
    )]
    database_url: Option<String>,
}

impl ConfigArgs {
    fn load(&self, listen: Option<std::net::SocketAddr>) -> anyhow::Result<Config> {
        self.load_as(listen, None)
    }

    fn load_as(
        &self,
        listen: Option<std::net::SocketAddr>,
        role: Option<crate::config::Role>,
    ) -> anyhow::Result<Config> {
        Config::load(
            self.config.as_deref(),
            &Overrides {
                data_dir: self.data_dir.clone(),
                listen,
                database_url: self.database_url.clone(),
                role,
            },
        )
    }
}

#[derive(Subcommand)]
enum Command {
    /// Run the server (API on https://127.0.0.1:8443 by default).
    Serve {
        #[command(flatten)]
        cfg: ConfigArgs,
        /// Address to listen on.
        #[arg(long)]
        listen: Option<std::net::SocketAddr>,
        /// all (default): API and workers; api: the HTTPS API only; worker: the rail and the
        /// webhook dispatcher (its port answers only /healthz and /readyz).
        #[arg(long, value_enum)]
        role: Option<crate::config::Role>,
    },
    /// Apply database migrations and exit.
    Migrate {
        #[command(flatten)]
        cfg: ConfigArgs,
    },
    /// Manage merchants (operator).
    Merchants {
        #[command(flatten)]
        cfg: ConfigArgs,
        /// One JSON object per line, for scripts.
        #[arg(long, global = true)]
        json: bool,
        #[command(subcommand)]
        command: operator::MerchantsCommand,
    },
    /// Manage API keys (operator).
    Keys {
        #[command(flatten)]
        cfg: ConfigArgs,
        /// One JSON object per line, for scripts.
        #[arg(long, global = true)]
        json: bool,
        #[command(subcommand)]
        command: operator::KeysCommand,
    },
    /// Invite and list the members of a merchant's team (operator; the portal's people).
    Members {
        #[command(flatten)]
        cfg: ConfigArgs,
        /// One JSON object per line, for scripts.
        #[arg(long, global = true)]
        json: bool,
        #[command(subcommand)]
        command: members::MembersCommand,
    },
    /// Fund a balance (operator; the only way to fund live mode).
    Balance {
        #[command(flatten)]
        cfg: ConfigArgs,
        /// One JSON object per line, for scripts.
        #[arg(long, global = true)]
        json: bool,
        #[command(subcommand)]
        command: operator::BalanceCommand,
    },
    /// Verify and export the audit log (operator).
    Audit {
        #[command(flatten)]
        cfg: ConfigArgs,
        /// One JSON object per line, for scripts.
        #[arg(long, global = true)]
        json: bool,
        #[command(subcommand)]
        command: audit::AuditCommand,
    },
    /// Check the ledger invariants of a merchant (operator).
    Ledger {
        #[command(flatten)]
        cfg: ConfigArgs,
        /// One JSON object per line, for scripts.
        #[arg(long, global = true)]
        json: bool,
        #[command(subcommand)]
        command: operator::LedgerCommand,
    },
    /// Live rails over bank files: the files sent and read, and a local test bank.
    Rails {
        #[command(flatten)]
        cfg: ConfigArgs,
        /// One JSON object per line, for scripts.
        #[arg(long, global = true)]
        json: bool,
        #[command(subcommand)]
        command: rails::RailsCommand,
    },
    /// Store a profile (server, CA, API key) for the integrator commands. The key is read from
    /// --api-key-file, --api-key-env or the terminal (hidden), never needed on the command line.
    Login {
        #[command(flatten)]
        connect: Connect,
        /// Read the key from this file.
        #[arg(long)]
        api_key_file: Option<PathBuf>,
        /// Read the key from this environment variable.
        #[arg(long)]
        api_key_env: Option<String>,
    },
    /// Follow the server's events and forward each, signed with a local secret, to a handler on
    /// this machine (local development).
    Listen {
        #[command(flatten)]
        connect: Connect,
        /// The local handler, e.g. http://localhost:3000/webhooks (http only to localhost).
        #[arg(long)]
        forward_to: String,
        /// Only these event types (comma-separated or repeated; default all).
        #[arg(long = "events", value_delimiter = ',')]
        events: Vec<String>,
        /// Print the signing secret first (for the handler's configuration).
        #[arg(long)]
        print_secret: bool,
        /// A root CA for an https:// handler with a private certificate.
        #[arg(long)]
        forward_ca: Option<PathBuf>,
        /// One JSON object per forwarded event.
        #[arg(long)]
        json: bool,
    },
    /// Create the test-mode objects that cause EVENT (e.g. payout.paid).
    Trigger {
        #[command(flatten)]
        connect: Connect,
        /// The event to cause: recipient.created|updated|deleted, payout.created|updated|
        /// processing|paid|failed|canceled|returned.
        event: String,
        /// One JSON object per line, for scripts.
        #[arg(long)]
        json: bool,
    },
    /// List events or send one to an endpoint again.
    Events {
        #[command(flatten)]
        connect: Connect,
        #[command(subcommand)]
        command: EventsCommand,
    },
    /// Print a shell completion script: `anton completions bash > /etc/bash_completion.d/anton`
    /// (zsh: into a directory of $fpath as `_anton`; fish: ~/.config/fish/completions/anton.fish).
    Completions {
        /// The shell to complete for.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Your alerts: list, acknowledge, resolve (needs alerts:read / alerts:write).
    Alerts {
        #[command(flatten)]
        connect: Connect,
        #[command(subcommand)]
        command: AlertsCommand,
    },
    /// Your risk rules and the payouts they hold for review (docs/risk.md).
    Risk {
        #[command(flatten)]
        connect: Connect,
        /// One JSON object per line, for scripts.
        #[arg(long, global = true)]
        json: bool,
        #[command(subcommand)]
        command: RiskCommand,
    },
    /// Your API requests as the server answered them (the request log; needs requests:read).
    Logs {
        #[command(flatten)]
        connect: Connect,
        #[command(subcommand)]
        command: LogsCommand,
    },
    /// Webhook tools: verify a delivery, send a test event.
    Webhooks {
        #[command(subcommand)]
        command: WebhooksCommand,
    },
}

#[derive(Subcommand)]
enum RiskCommand {
    /// Every rule with its state, action and limits (needs risk_rules:read).
    Rules,
    /// Change a rule (needs a key created with risk_rules:write).
    Set {
        /// The rule: payout_amount, daily_sum, daily_count, hourly_sum, hourly_count,
        /// bank_details_changed, amount_vs_history, new_destination, shared_bank_account,
        /// new_address, new_key_burst.
        rule: String,
        /// What it does when it fires.
        #[arg(long, value_parser = ["alert", "review", "block"])]
        action: Option<String>,
        /// Turn the rule on or off.
        #[arg(long)]
        enabled: Option<bool>,
        /// A count rule's limit, or the multiple of amount_vs_history.
        #[arg(long)]
        limit: Option<i64>,
        /// An amount rule's limits in minor units: USD=3700000 (comma-separated or repeated).
        #[arg(long, value_delimiter = ',')]
        limits: Vec<String>,
    },
    /// The payouts waiting for review, newest first (needs payouts:read).
    Held {
        /// How many (1 to 100).
        #[arg(long, default_value_t = 20)]
        limit: u32,
    },
    /// Approve a held payout (needs payouts:approve; never the payout's creator).
    Approve {
        /// The payout (po_…).
        payout: String,
        /// Why, for the record.
        #[arg(long)]
        reason: Option<String>,
    },
    /// Reject a held payout: its amount is available again (needs payouts:approve).
    Reject {
        /// The payout (po_…).
        payout: String,
        /// Why, for the record.
        #[arg(long)]
        reason: Option<String>,
    },
}

#[derive(Subcommand)]
enum AlertsCommand {
    /// The newest alerts.
    List {
        /// Only alerts in this status.
        #[arg(long, value_parser = ["open", "acknowledged", "resolved"])]
        status: Option<String>,
        /// How many (1 to 100).
        #[arg(long, default_value_t = 20)]
        limit: u32,
        /// One JSON object per line, for scripts.
        #[arg(long)]
        json: bool,
    },
    /// Acknowledge an alert: your team is on it.
    Ack {
        /// The alert (alr_…).
        alert: String,
        /// One JSON object per line, for scripts.
        #[arg(long)]
        json: bool,
    },
    /// Resolve an alert now.
    Resolve {
        /// The alert (alr_…).
        alert: String,
        /// One JSON object per line, for scripts.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum EventsCommand {
    /// The newest events.
    List {
        /// Only this type, e.g. payout.paid.
        #[arg(long = "type")]
        kind: Option<String>,
        /// How many (1 to 100).
        #[arg(long, default_value_t = 20)]
        limit: u32,
        /// One JSON object per line, for scripts.
        #[arg(long)]
        json: bool,
    },
    /// The event types an endpoint may subscribe to, with what each means.
    Types {
        /// One JSON object per line, for scripts.
        #[arg(long)]
        json: bool,
    },
    /// Send an event to an endpoint again, now.
    Resend {
        /// The event (evt_…).
        event: String,
        /// The endpoint to send it to (we_…).
        #[arg(long)]
        endpoint: String,
        /// One JSON object per line, for scripts.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum LogsCommand {
    /// Print each new request as it is answered, oldest first, until interrupted (the tail's
    /// own polls are not shown).
    Tail {
        /// Only this status: a class (2xx, 4xx, 5xx) or a code (401).
        #[arg(long)]
        status: Option<String>,
        /// Only this route template, e.g. /v1/payouts/{id}.
        #[arg(long)]
        route: Option<String>,
        /// Only this HTTP method.
        #[arg(long)]
        method: Option<String>,
        /// Only requests made with this API key (key_…).
        #[arg(long)]
        api_key: Option<String>,
        /// One JSON object per line, for scripts.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum WebhooksCommand {
    /// Send a signed test event (webhook_endpoint.test) to an endpoint now and print its answer.
    /// Exit 0 on a 2xx answer, 1 otherwise. Nothing is stored or retried.
    Test {
        #[command(flatten)]
        connect: Connect,
        /// The endpoint (we_…).
        endpoint: String,
        /// One JSON object per line, for scripts.
        #[arg(long)]
        json: bool,
    },
    /// Verify a delivery: the raw body on stdin, and either the Anton-Signature header as
    /// --header or the three Standard Webhooks headers (an Ed25519 endpoint sends only those).
    /// Exit 0 when valid, 1 when not.
    Verify {
        /// The endpoint's secret (whsec_…) or Ed25519 public key (whpk_…); prefer
        /// ANTON_WEBHOOK_SECRET for a secret (arguments are visible to other users).
        #[arg(long, env = "ANTON_WEBHOOK_SECRET", hide_env_values = true)]
        secret: String,
        /// The Anton-Signature header value.
        #[arg(long, required_unless_present = "webhook_signature")]
        header: Option<String>,
        /// The webhook-id header value (with --webhook-timestamp and --webhook-signature).
        #[arg(long, requires_all = ["webhook_timestamp", "webhook_signature"], conflicts_with = "header")]
        webhook_id: Option<String>,
        /// The webhook-timestamp header value.
        #[arg(long, requires_all = ["webhook_id", "webhook_signature"], conflicts_with = "header")]
        webhook_timestamp: Option<String>,
        /// The webhook-signature header value (`v1,…` or `v1a,…`, space-separated).
        #[arg(long, requires_all = ["webhook_id", "webhook_timestamp"], conflicts_with = "header")]
        webhook_signature: Option<String>,
        /// Skip the 300 s replay window (re-checking a stored delivery).
        #[arg(long)]
        ignore_timestamp: bool,
        /// One JSON object per line, for scripts.
        #[arg(long)]
        json: bool,
    },
}

pub fn main() -> ExitCode {
    main_from(std::env::args_os())
}

/// [`main`] with the given command line (its first item is the program name). The developer
/// tools run a node through it, so what they measure is exactly what `anton` runs.
pub fn main_from<I, T>(args: I) -> ExitCode
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let cli = Cli::parse_from(args);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // Messages can carry what a server or the database said.
            eprintln!("error: {}", escape(&format!("{e:#}")));
            match e.downcast_ref::<integrator::Exit>() {
                Some(exit) => ExitCode::from(exit.code),
                None => ExitCode::FAILURE,
            }
        }
    }
}

/// `s` safe to print on a terminal: control characters and the characters that hide or reorder
/// text ([`validate::is_hazard`]: ESC, CR, LF, NUL, U+202E, U+200B, …) become visible escapes
/// (`\u{1b}`, `\n`, `\u{202e}`), the rest is printed as it is. The API refuses these characters
/// now, but text stored before may still hold them, and a server's answer is not ours to trust.
pub fn escape(s: &str) -> Cow<'_, str> {
    if !s.chars().any(validate::is_hazard) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        if validate::is_hazard(c) {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Serve { cfg, listen, role } => serve(cfg, listen, role).await,
        Command::Migrate { cfg } => {
            let config = cfg.load(None)?;
            crate::startup::open_store(&config).await?;
            println!("database migrated");
            Ok(())
        }
        Command::Merchants { cfg, json, command } => operator::merchants(cfg, command, json).await,
        Command::Keys {
            command: operator::KeysCommand::Scan { paths },
            json,
            ..
        } => integrator::keys_scan(&paths, json),
        Command::Keys { cfg, json, command } => operator::keys(cfg, command, json).await,
        Command::Login {
            connect,
            api_key_file,
            api_key_env,
        } => integrator::login(&connect, api_key_file.as_deref(), api_key_env.as_deref()).await,
        Command::Listen {
            connect,
            forward_to,
            events,
            print_secret,
            forward_ca,
            json,
        } => {
            integrator::listen(
                &connect,
                &forward_to,
                &events,
                print_secret,
                forward_ca.as_deref(),
                json,
            )
            .await
        }
        Command::Trigger {
            connect,
            event,
            json,
        } => integrator::trigger(&connect, &event, json).await,
        Command::Risk {
            connect,
            json,
            command,
        } => match command {
            RiskCommand::Rules => integrator::risk_rules(&connect, json).await,
            RiskCommand::Set {
                rule,
                action,
                enabled,
                limit,
                limits,
            } => {
                let change = integrator::RuleChange {
                    action,
                    enabled,
                    limit,
                    limits,
                };
                integrator::risk_set(&connect, &rule, change, json).await
            }
            RiskCommand::Held { limit } => integrator::risk_held(&connect, limit, json).await,
            RiskCommand::Approve { payout, reason } => {
                integrator::risk_decide(&connect, &payout, (true, reason), json).await
            }
            RiskCommand::Reject { payout, reason } => {
                integrator::risk_decide(&connect, &payout, (false, reason), json).await
            }
        },
        Command::Alerts { connect, command } => match command {
            AlertsCommand::List {
                status,
                limit,
                json,
            } => integrator::alerts_list(&connect, status, limit, json).await,
            AlertsCommand::Ack { alert, json } => {
                integrator::alerts_act(&connect, &alert, false, json).await
            }
            AlertsCommand::Resolve { alert, json } => {
                integrator::alerts_act(&connect, &alert, true, json).await
            }
        },
        Command::Events { connect, command } => match command {
            EventsCommand::List { kind, limit, json } => {
                integrator::events_list(&connect, kind, limit, json).await
            }
            EventsCommand::Types { json } => integrator::event_types(&connect, json).await,
            EventsCommand::Resend {
                event,
                endpoint,
                json,
            } => integrator::events_resend(&connect, &event, &endpoint, json).await,
        },
        Command::Logs {
            connect,
            command:
                LogsCommand::Tail {
                    status,
                    route,
                    method,
                    api_key,
                    json,
                },
        } => {
            let filter = integrator::TailFilter {
                status,
                route,
                method,
                api_key,
            };
            integrator::logs_tail(&connect, &filter, json).await
        }
        Command::Webhooks {
            command:
                WebhooksCommand::Test {
                    connect,
                    endpoint,
                    json,
                },
        } => integrator::webhooks_test(&connect, &endpoint, json).await,
        Command::Webhooks {
            command:
                WebhooksCommand::Verify {
                    secret,
                    header,
                    webhook_id,
                    webhook_timestamp,
                    webhook_signature,
                    ignore_timestamp,
                    json,
                },
        } => {
            // A public key (whpk_) is no secret; a secret in argv is readable by other users.
            if !secret.trim().starts_with("whpk_")
                && std::env::var("ANTON_WEBHOOK_SECRET").ok().as_deref() != Some(secret.as_str())
            {
                eprintln!(
                    "warning: a secret on the command line is visible to other users of this \
                     machine; prefer ANTON_WEBHOOK_SECRET"
                );
            }
            let headers = match (header, webhook_id, webhook_timestamp, webhook_signature) {
                (Some(h), ..) => integrator::Signed::Anton(h),
                (None, Some(id), Some(timestamp), Some(signature)) => {
                    integrator::Signed::Standard {
                        id,
                        timestamp,
                        signature,
                    }
                }
                // clap requires --header or all three Standard Webhooks headers.
                _ => unreachable!("clap checks the header arguments"),
            };
            integrator::webhooks_verify(&secret, &headers, ignore_timestamp, json)
        }
        Command::Balance { cfg, json, command } => operator::balance(cfg, command, json).await,
        Command::Completions { shell } => {
            use clap::CommandFactory;
            clap_complete::generate(shell, &mut Cli::command(), "anton", &mut std::io::stdout());
            Ok(())
        }
        Command::Ledger { cfg, json, command } => operator::ledger(cfg, command, json).await,
        Command::Audit { cfg, json, command } => audit::run(cfg, command, json).await,
        Command::Members { cfg, json, command } => members::run(cfg, command, json).await,
        Command::Rails { cfg, json, command } => rails::run(cfg, command, json).await,
    }
}

async fn serve(
    cfg: ConfigArgs,
    listen: Option<std::net::SocketAddr>,
    role: Option<crate::config::Role>,
) -> anyhow::Result<()> {
    let config = cfg.load_as(listen, role)?;
    crate::telemetry::init(&config.log_format);
    let data_dir = config.data_dir.clone();
    let app = crate::startup::Application::build(config).await?;
    let addr = app.local_addr();
    print_welcome(addr, app.generated_ca(), &data_dir);
    app.run_until_stopped(shutdown_signal()).await
}

fn print_welcome(addr: std::net::SocketAddr, ca: Option<&PathBuf>, data_dir: &std::path::Path) {
    let host = if addr.ip().is_loopback() {
        "localhost".to_owned()
    } else {
        addr.ip().to_string()
    };
    let base = format!("https://{host}:{}", addr.port());
    let dd = data_dir.display();
    println!("Anton is listening on {base} (TLS only)");
    match ca {
        Some(ca) => {
            println!(
                "Local CA certificate: {}  (trust it with: curl --cacert {})",
                ca.display(),
                ca.display()
            );
            println!();
            println!("Make a first test payout (in another terminal):");
            println!("  MER=$(anton merchants create --data-dir {dd} \"My shop\")");
            println!("  export ANTON_KEY=$(anton keys create --data-dir {dd} --merchant $MER --env test --quiet)");
            println!("  curl --cacert {} -H \"Authorization: Bearer $ANTON_KEY\" -H 'Content-Type: application/json' {base}/v1/test_helpers/balance/fund -d '{{\"amount\":100000,\"currency\":\"USD\"}}'", ca.display());
            println!("  (then create a recipient and a payout: see README.md, \"Quickstart\")");
        }
        None => println!("Using the configured TLS certificate."),
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = term => {}
    }
    tracing::info!("shutting down: draining open requests");
}

#[cfg(test)]
mod tests {
    use super::escape;

    /// `anton help …` explains every command and every flag.
    #[test]
    fn every_command_and_flag_says_what_it_does() {
        use clap::CommandFactory;
        fn walk(cmd: &clap::Command, path: &str, missing: &mut Vec<String>) {
            for arg in cmd.get_arguments() {
                let id = arg.get_id().as_str();
                if arg.is_hide_set() || id == "help" || id == "version" {
                    continue;
                }
                if arg.get_help().is_none() && arg.get_long_help().is_none() {
                    missing.push(format!("{path} <{id}>"));
                }
            }
            for sub in cmd.get_subcommands() {
                let path = format!("{path} {}", sub.get_name());
                if sub.get_about().is_none() && sub.get_long_about().is_none() {
                    missing.push(path.clone());
                }
                walk(sub, &path, missing);
            }
        }
        let mut missing = Vec::new();
        walk(&super::Cli::command(), "anton", &mut missing);
        assert!(missing.is_empty(), "without help text: {missing:#?}");
    }

    #[test]
    fn escape_makes_hostile_characters_visible_and_leaves_the_rest() {
        assert!(matches!(
            escape("Zoë Ångström 你好"),
            std::borrow::Cow::Borrowed("Zoë Ångström 你好")
        ));
        assert_eq!(escape("a\u{0}b"), "a\\u{0}b");
        assert_eq!(escape("\u{1b}[31mred"), "\\u{1b}[31mred");
        assert_eq!(escape("a\r\nb\tc"), "a\\r\\nb\\tc");
        assert_eq!(escape("Ada \u{202e}ecalevoL"), "Ada \\u{202e}ecalevoL");
        assert_eq!(escape("a\u{200b}b\u{feff}"), "a\\u{200b}b\\u{feff}");
        assert_eq!(
            escape("\u{2066}x\u{2069}\u{9b}"),
            "\\u{2066}x\\u{2069}\\u{9b}"
        );
    }
}
