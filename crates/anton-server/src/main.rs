//! The `anton` binary. All behaviour lives in the library; see `cli.rs` for the command tree.

/// mimalloc instead of the system allocator: glibc malloc was the largest CPU cost under load
/// (see docs/benchmarks.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    anton_server::cli::main()
}
