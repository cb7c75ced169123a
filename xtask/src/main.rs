//! `cargo xtask`: the project's two commands and their helpers.
//!
//! - `cargo xtask setup`: installs every tool at its pinned version (idempotent).
//! - `cargo xtask dev`:   reference backend + `trunk serve`; Ctrl-C stops both.
//! - `cargo xtask test`:  every check and test suite, in order, with counts.
//! - `cargo xtask bench`: performance figures (printed, never asserted).

mod arch;
mod bench;
mod conformance;
mod dev;
mod dist;
mod proc;
mod scale;
mod setup;
mod static_host;
mod supervisor;
mod test;

use std::path::PathBuf;
use std::process::ExitCode;

/// Workspace root (xtask lives one level below it).
pub fn root() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    dir.parent().map(PathBuf::from).unwrap_or(dir)
}

const USAGE: &str = "usage: cargo xtask <command>

commands:
  setup   install the pinned toolchain pieces that are missing (idempotent)
  dev     run the reference backend and `trunk serve`; open the printed URL
  test    run every check and test suite (what CI runs)
  bench   print performance figures (ingest throughput, wasm size)

test options:
  --skip-setup      assume `cargo xtask setup` already ran
  --only SUITE      run one suite: fmt, arch, clippy, native,
                    wasm-chromium, wasm-firefox, build, e2e,
                    conformance, scale (repeatable)";

fn main() -> ExitCode {
    proc::install_signal_handler();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("setup") => setup::run(),
        Some("dev") => dev::run(&args[1..]),
        Some("test") => test::run(&args[1..]),
        Some("bench") => bench::run(&args[1..]),
        Some("-h" | "--help" | "help") | None => {
            println!("{USAGE}");
            Ok(())
        }
        Some(other) => Err(format!("unknown command `{other}`\n\n{USAGE}")),
    };
    proc::stop_all();
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("\nxtask: error: {e}");
            ExitCode::FAILURE
        }
    }
}
