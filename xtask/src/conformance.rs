//! The `conformance` suite: the release client in dist/ (as the `build`
//! suite left it; nothing is rebuilt) against foreign SSE backends of our
//! own, one per style (`tests/conformance/backends/`, described in
//! `tests/conformance/styles.json` and README "Conformance backends"),
//! driven by Playwright with two users per test
//! (`tests/conformance/conformance.spec.ts`).
//!
//! Each backend serves dist/ and its own `/config.json` at its own origin,
//! on a port the OS picks at its first start, and runs under a
//! [`Supervised`] control server (`POST /stop`, `/start`, `/restart`), so
//! a test can stop and restart the real process on the same port and store
//! file. The suite prints one line per backend (which checks passed) and
//! fails if any test fails or any backend reported nothing.

use crate::proc::{cmd, run_capture};
use crate::supervisor::Supervised;
use crate::test::{last_lines, parse_playwright_counts, SuiteResult};
use std::process::Command;

#[derive(Clone, Copy)]
enum Runtime {
    Node,
    Python,
}

/// Every backend row, in the order the spec runs them.
const ROWS: &[(&str, Runtime)] = &[
    ("noids", Runtime::Node),
    ("someids", Runtime::Node),
    ("reset", Runtime::Node),
    ("named", Runtime::Python),
    ("nested", Runtime::Node),
    ("form", Runtime::Node),
    ("plain", Runtime::Node),
    ("flaky", Runtime::Node),
];

const NODE_BACKEND: &str = "tests/conformance/backends/server.js";
const PYTHON_BACKEND: &str = "tests/conformance/backends/named.py";
/// The venv `cargo xtask setup` makes for the Python backend.
pub const VENV: &str = "target/py";
const CONFIG: &str = "tests/conformance/playwright.config.ts";
/// Prefixes of the lines tests/conformance/summary-reporter.ts prints.
const ROW_LINE: &str = "conformance row: ";
const WHY_LINE: &str = "conformance why: ";

pub fn suite() -> SuiteResult {
    run().unwrap_or_else(|e| (false, Some(0), e))
}

fn run() -> Result<SuiteResult, String> {
    let root = crate::root();
    crate::dist::require_built(&root)?;
    if !root.join(VENV).join("bin/python").exists() {
        return Err(format!(
            "{VENV} is missing: run `cargo xtask setup` (the Python backend's venv)"
        ));
    }
    let mut backends = Vec::new();
    for &(name, runtime) in ROWS {
        let backend = Supervised::start_named(name, move |addr, store| {
            let mut c = backend_cmd(name, runtime, addr);
            c.arg("--store").arg(store);
            c
        })
        .map_err(|e| format!("backend {name}: {e}"))?;
        backends.push((name, backend));
    }
    let mut c = cmd("npx", &["playwright", "test", "--config", CONFIG]);
    c.env("CONFORMANCE_BACKENDS", backends_json(&backends))
        .env("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
    let (ok, out) = run_capture(c);
    // Stopped (and their store files removed) before the report.
    drop(backends);
    Ok(report(ok, &out))
}

/// The command starting backend `name` on `addr`, serving dist/.
fn backend_cmd(name: &str, runtime: Runtime, addr: &str) -> Command {
    match runtime {
        Runtime::Node => cmd(
            "node",
            &[
                NODE_BACKEND,
                "--style",
                name,
                "--addr",
                addr,
                "--dist",
                "dist",
            ],
        ),
        Runtime::Python => {
            let python = crate::root().join(VENV).join("bin/python");
            let mut c = cmd(&python.display().to_string(), &[PYTHON_BACKEND]);
            c.args(["--addr", addr, "--dist", "dist"]);
            c
        }
    }
}

/// `[{"name":..,"url":..,"control":..}, ..]` for the spec (names and
/// loopback URLs need no escaping).
fn backends_json(backends: &[(&str, Supervised)]) -> String {
    let rows: Vec<String> = backends
        .iter()
        .map(|(name, b)| {
            format!(
                r#"{{"name":"{name}","url":"{}","control":"{}"}}"#,
                b.url, b.control_url
            )
        })
        .collect();
    format!("[{}]", rows.join(","))
}

/// Prints one line per backend (and why each failed check failed) and
/// sums up: tests run, and which backends fail.
fn report(ok: bool, out: &str) -> SuiteResult {
    let (passed, failed) = parse_playwright_counts(out);
    println!("\nconformance: one line per backend");
    let mut failing: Vec<&str> = Vec::new();
    for &(name, _) in ROWS {
        match row_line(out, name) {
            Some(line) => {
                println!("  {line}");
                if !row_passed(line) {
                    failing.push(name);
                }
            }
            None => {
                println!("  {name}  FAIL  no result (the spec did not run it)");
                failing.push(name);
            }
        }
    }
    for why in out.lines().filter_map(|l| l.trim().strip_prefix(WHY_LINE)) {
        println!("    {why}");
    }
    let ok = ok && passed > 0 && failed == 0 && failing.is_empty();
    let rows = format!(
        "{}/{} backends pass",
        ROWS.len() - failing.len(),
        ROWS.len()
    );
    let detail = match (ok, failing.is_empty()) {
        (true, _) => format!("{passed} passed; {rows}"),
        (false, false) => format!(
            "{passed} passed, {failed} failed; {rows}, failing: {}",
            failing.join(", ")
        ),
        (false, true) => format!("{passed} passed, {failed} failed: {}", last_lines(out, 3)),
    };
    (ok, Some(passed + failed), detail)
}

/// The reporter's line for backend `name`, without its prefix.
fn row_line<'a>(out: &'a str, name: &str) -> Option<&'a str> {
    out.lines()
        .filter_map(|l| l.trim().strip_prefix(ROW_LINE))
        .find(|rest| rest.split_whitespace().next() == Some(name))
}

fn row_passed(line: &str) -> bool {
    line.split_whitespace().nth(1) == Some("PASS")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_reporter_lines() {
        let out = "  ✓ 1 ...\nconformance row: noids    PASS  receive ok, send ok\n\
                   conformance row: someids  FAIL  receive FAIL\n\
                   conformance why: someids / receive: lost\n  1 passed (2s)\n  1 failed";
        assert_eq!(row_line(out, "noids").map(row_passed), Some(true));
        assert_eq!(row_line(out, "someids").map(row_passed), Some(false));
        assert_eq!(row_line(out, "some"), None);
        assert_eq!(row_line(out, "reset"), None);
    }
}
