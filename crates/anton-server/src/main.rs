//! The `anton` binary. All behaviour lives in the library; see `cli.rs` for the command tree.

fn main() -> std::process::ExitCode {
    anton_server::cli::main()
}
