//! `anton-tools`: the developer tools that measure and torture Anton, kept out of the `anton`
//! binary that operators install.
//!
//! - [`bench`], [`bench_webhooks`], [`bench_lifecycle`], [`bench_rails`]: `anton-tools bench
//!   payouts|webhooks|lifecycle|rails|connections`, benchmarks that append a Markdown report
//!   (docs/benchmarks.md); [`bench_receiver`]: `anton-tools bench receiver`, the webhook
//!   receiver of the outside benchmark (`scripts/bench-outside.py`).
//! - [`crash`]: `anton-tools crash-test`, SIGKILLs a node under load and checks that nothing
//!   acknowledged was lost or duplicated (CI runs it on both backends).
//!
//! Where a node must be its own process (the crash harness kills it, the connection benchmark
//! reads its memory), this binary runs itself as `anton-tools anton serve …`: the `anton` command
//! tree of the product's own library (`anton_server::cli`), so the node under test is exactly
//! the code `anton serve` runs, with the same allocator.

mod bench;
mod bench_lifecycle;
mod bench_rails;
mod bench_receiver;
mod bench_webhooks;
mod crash;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// The same allocator as `anton` (see its `main.rs`), so a node run by the tools behaves as the
/// product does.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "anton-tools",
    version,
    about = "Anton's developer tools: benchmarks and the crash harness."
)]
struct Tools {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Benchmarks that write a report.
    Bench {
        #[command(subcommand)]
        command: bench::BenchCommand,
    },
    /// Kill a node with SIGKILL at random moments under load and check that no acknowledged
    /// payout, ledger entry or event delivery was lost or duplicated (CI: 20 kills; soak: more).
    CrashTest(crash::CrashTest),
    /// Runs the `anton` command line (`anton-tools anton serve …`): how the tools start a node
    /// as a process of its own.
    #[command(hide = true)]
    Anton {
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<std::ffi::OsString>,
    },
}

/// A command that runs `anton <args>` through this binary (see the module docs).
pub(crate) fn anton_command() -> anyhow::Result<std::process::Command> {
    let mut command = std::process::Command::new(std::env::current_exe()?);
    command.arg("anton");
    Ok(command)
}

fn main() -> ExitCode {
    let tools = Tools::parse();
    let command = match tools.command {
        Command::Anton { args } => {
            return anton_server::cli::main_from(
                std::iter::once(std::ffi::OsString::from("anton")).chain(args),
            )
        }
        other => other,
    };
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
    // Warnings only (ANTON_LOG overrides): a benchmark must show what went wrong, not every
    // request. (Not by setting ANTON_LOG: the runtime's threads are already running.)
    anton_server::telemetry::init_with_default("text", "warn");
    let result = runtime.block_on(async move {
        match command {
            Command::Bench { command } => bench::run(command).await,
            Command::CrashTest(opts) => crash::run(opts).await,
            Command::Anton { .. } => Ok(()),
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
