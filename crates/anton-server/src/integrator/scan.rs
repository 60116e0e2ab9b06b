//! `anton keys scan`: finds checksum-valid Anton keys in files (pre-commit hooks, CI).

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anton_core::keys::ApiKey;
use anyhow::Context;
use serde::Serialize;
use serde_json::json;

use super::Exit;

/// A key found in a file. Only its prefix and last four characters are ever printed.
#[derive(Debug, Serialize)]
pub struct Finding {
    pub path: String,
    pub line: usize,
    pub column: usize,
    /// `sk_test_…abcd`
    pub key: String,
    pub kind: &'static str,
    pub env: &'static str,
}

const KEY_PREFIXES: [&[u8]; 4] = [b"sk_test_", b"sk_live_", b"rk_test_", b"rk_live_"];
/// Files larger than this are skipped (keys live in source and configuration).
const SCAN_MAX_FILE: u64 = 64 * 1024 * 1024;

/// Finds checksum-valid Anton keys in `bytes`.
pub fn scan_bytes(path: &str, bytes: &[u8], out: &mut Vec<Finding>) {
    let mut i = 0;
    while i + 8 <= bytes.len() {
        let at = &bytes[i..];
        if !KEY_PREFIXES.iter().any(|p| at.starts_with(p)) {
            i += 1;
            continue;
        }
        let end = at[8..]
            .iter()
            .position(|b| !b.is_ascii_alphanumeric())
            .map_or(at.len(), |n| n + 8);
        if let Ok(text) = std::str::from_utf8(&at[..end]) {
            if let Ok(key) = ApiKey::parse(text) {
                let line = bytes[..i].iter().filter(|b| **b == b'\n').count() + 1;
                let line_start = bytes[..i]
                    .iter()
                    .rposition(|b| *b == b'\n')
                    .map_or(0, |p| p + 1);
                out.push(Finding {
                    path: path.to_owned(),
                    line,
                    column: i - line_start + 1,
                    key: key.to_string(),
                    kind: key.kind().as_str(),
                    env: key.env().as_str(),
                });
            }
        }
        i += end;
    }
}

/// A progress line on stderr while a scan runs, when stderr is a terminal (never in pipes or CI
/// logs): files scanned so far, redrawn at most ten times a second.
struct Progress {
    on: bool,
    last: Instant,
}

impl Progress {
    fn new() -> Self {
        Self {
            on: std::io::stderr().is_terminal(),
            last: Instant::now(),
        }
    }

    fn tick(&mut self, files: usize, path: &Path) {
        if self.on && self.last.elapsed() >= Duration::from_millis(100) {
            self.last = Instant::now();
            let shown: String = path.display().to_string().chars().take(60).collect();
            let shown = crate::cli::escape(&shown);
            eprint!("\r\x1b[2Kscanning… {files} files  {shown}");
        }
    }

    fn done(&self) {
        if self.on {
            eprint!("\r\x1b[2K");
        }
    }
}

fn scan_path(
    path: &Path,
    out: &mut Vec<Finding>,
    files: &mut usize,
    progress: &mut Progress,
) -> anyhow::Result<()> {
    let meta =
        std::fs::symlink_metadata(path).with_context(|| format!("reading {}", path.display()))?;
    if meta.is_dir() {
        let mut entries: Vec<_> = std::fs::read_dir(path)
            .with_context(|| format!("reading {}", path.display()))?
            .filter_map(Result::ok)
            .map(|e| e.path())
            .collect();
        entries.sort();
        for entry in entries {
            if entry.file_name().is_some_and(|n| n == ".git") {
                continue;
            }
            scan_path(&entry, out, files, progress)?;
        }
    } else if meta.is_file() && meta.len() <= SCAN_MAX_FILE {
        let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
        *files += 1;
        progress.tick(*files, path);
        scan_bytes(&path.display().to_string(), &bytes, out);
    }
    Ok(())
}

/// `anton keys scan PATH…`: exit 1 when a key is found (for pre-commit hooks and CI).
pub fn keys_scan(paths: &[PathBuf], as_json: bool) -> anyhow::Result<()> {
    let mut findings = Vec::new();
    let mut files = 0usize;
    let mut progress = Progress::new();
    for p in paths {
        let scanned = scan_path(p, &mut findings, &mut files, &mut progress);
        if let Err(e) = scanned {
            progress.done();
            return Err(Exit {
                code: 2,
                message: format!("{e:#}"),
            }
            .into());
        }
    }
    progress.done();
    if as_json {
        println!("{}", json!({"files_scanned": files, "findings": findings}));
    } else {
        for f in &findings {
            // A file name can hold any character but `/` and NUL.
            println!(
                "{}:{}:{}: {} ({} {} key)",
                crate::cli::escape(&f.path),
                f.line,
                f.column,
                f.key,
                f.env,
                f.kind
            );
        }
        eprintln!(
            "{} Anton key(s) found in {files} file(s) scanned",
            findings.len()
        );
    }
    if findings.is_empty() {
        Ok(())
    } else {
        Err(Exit {
            code: 1,
            message:
                "Anton keys found: revoke them (`anton keys roll`) and remove them from the files"
                    .into(),
        }
        .into())
    }
}
