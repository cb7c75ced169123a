//! `cargo xtask test`: every check and suite, in order, each with a
//! one-line summary; non-zero exit on any failure. Servers the harness
//! starts are stopped whatever happens (see `proc::Server`).

use crate::proc::{cmd, run_capture};
use crate::static_host::{StaticHost, PREFIX};
use crate::supervisor::Supervised;
use std::net::TcpListener;
use std::process::Command;
use std::time::Instant;

/// What a suite returns: passed, tests run (for suites that run tests),
/// one-line detail.
pub type SuiteResult = (bool, Option<u64>, String);

struct Outcome {
    suite: &'static str,
    ok: bool,
    /// Tests run, for suites that run tests.
    count: Option<u64>,
    secs: f64,
    detail: String,
}

pub fn run(args: &[String]) -> Result<(), String> {
    let (only, skip_setup) = parse_args(args)?;
    if !skip_setup {
        crate::setup::run()?;
    }
    let outcomes = run_suites(&only);
    print_summary(&outcomes)
}

/// `--only SUITE` (repeatable) and `--skip-setup`.
fn parse_args(args: &[String]) -> Result<(Vec<String>, bool), String> {
    let mut only: Vec<String> = Vec::new();
    let mut skip_setup = false;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--skip-setup" => skip_setup = true,
            "--only" => {
                let s = it.next().ok_or("--only needs a suite name")?;
                let suites: Vec<&str> = SUITES.iter().map(|(n, _)| *n).collect();
                if !suites.contains(&s.as_str()) {
                    return Err(format!(
                        "unknown suite `{s}`; suites: {}",
                        suites.join(", ")
                    ));
                }
                only.push(s.clone());
            }
            other => return Err(format!("unknown option `{other}`")),
        }
    }
    Ok((only, skip_setup))
}

/// A suite: its name and what runs it.
type Suite = (&'static str, fn() -> SuiteResult);

/// Every suite, run one after another in this order. (Running the three
/// browser suites side by side was measured slower on 2 cores: 266 s
/// against 233 s one after another.)
const SUITES: [Suite; 11] = [
    ("fmt", || {
        simple(cmd("cargo", &["fmt", "--all", "--", "--check"]))
    }),
    ("arch", crate::arch::suite),
    ("clippy", clippy),
    ("native", || {
        cargo_tests(cmd("cargo", &["test", "--workspace"]))
    }),
    ("wasm-chromium", || wasm_tests(Browser::Chromium)),
    ("wasm-firefox", || wasm_tests(Browser::Firefox)),
    ("build", build),
    ("dev", crate::dev::suite),
    ("e2e", e2e),
    ("conformance", crate::conformance::suite),
    ("scale", crate::scale::suite),
];

/// Runs the wanted suites in order (all if `only` is empty), printing a
/// summary line after each.
fn run_suites(only: &[String]) -> Vec<Outcome> {
    let wanted = |s: &str| only.is_empty() || only.iter().any(|o| o == s);
    let mut outcomes: Vec<Outcome> = Vec::new();
    for (suite, f) in SUITES.into_iter().filter(|(s, _)| wanted(s)) {
        println!("\n==> {suite}");
        let o = timed(suite, f);
        println!("{}", summary_line(&o));
        outcomes.push(o);
    }
    outcomes
}

fn timed(suite: &'static str, f: fn() -> SuiteResult) -> Outcome {
    let started = Instant::now();
    let (ok, count, detail) = f();
    Outcome {
        suite,
        ok,
        count,
        secs: started.elapsed().as_secs_f64(),
        detail,
    }
}

/// `trunk build --release` into dist/, then the checks of [`crate::dist`].
fn build() -> SuiteResult {
    let (ok, _, detail) = simple(cmd("trunk", &["build", "--release"]));
    if !ok {
        return (false, None, detail);
    }
    match crate::dist::check(&crate::root().join("dist")) {
        Ok(checked) => (true, None, format!("{}; {checked}", dist_sizes())),
        Err(e) => (false, None, e),
    }
}

/// The closing summary; an error if any suite failed.
fn print_summary(outcomes: &[Outcome]) -> Result<(), String> {
    println!("\n==> summary");
    let mut passed = 0;
    let mut failed_suites = 0;
    for o in outcomes {
        println!("{}", summary_line(o));
        if o.ok {
            passed += o.count.unwrap_or(0);
        } else {
            failed_suites += 1;
        }
    }
    // The closing line CI reads: tests passed over all suites, failed suites.
    println!("total: {passed} passed, {failed_suites} failed");
    if failed_suites > 0 {
        return Err(format!("{failed_suites} suite(s) failed"));
    }
    Ok(())
}

/// `cargo clippy -D warnings`, native workspace and the app on wasm32.
fn clippy() -> SuiteResult {
    let lint = |extra: &[&str]| {
        let mut args = vec!["clippy"];
        args.extend_from_slice(extra);
        args.extend_from_slice(&["--all-targets", "--quiet", "--", "-D", "warnings"]);
        simple(cmd("cargo", &args))
    };
    let (ok1, _, d1) = lint(&["--workspace"]);
    let (ok2, _, d2) = lint(&["-p", "sse-chat", "--target", "wasm32-unknown-unknown"]);
    let detail = match (ok1, ok2) {
        (true, true) => "native and wasm32 clean".to_string(),
        _ => format!("native: {d1}; wasm32: {d2}"),
    };
    (ok1 && ok2, None, detail)
}

fn summary_line(o: &Outcome) -> String {
    let mark = if o.ok { "ok  " } else { "FAIL" };
    let count = o.count.map(|c| format!("{c} tests, ")).unwrap_or_default();
    format!(
        "  {mark} {:<14} {count}{:.0} s  {}",
        o.suite, o.secs, o.detail
    )
}

fn simple(c: Command) -> (bool, Option<u64>, String) {
    let (ok, out) = run_capture(c);
    let detail = if ok {
        "clean".to_string()
    } else {
        last_lines(&out, 3)
    };
    (ok, None, detail)
}

pub fn last_lines(out: &str, n: usize) -> String {
    let lines: Vec<&str> = out.lines().filter(|l| !l.trim().is_empty()).collect();
    lines[lines.len().saturating_sub(n)..].join(" | ")
}

/// Sums `test result: ok. N passed; M failed` lines of cargo's test output.
pub fn parse_cargo_counts(out: &str) -> (u64, u64) {
    let mut passed = 0;
    let mut failed = 0;
    for line in out.lines() {
        let Some(rest) = line.trim().strip_prefix("test result: ") else {
            continue;
        };
        for part in rest.split(';') {
            let words: Vec<&str> = part.split_whitespace().collect();
            let n = |i: usize| {
                words
                    .get(i)
                    .and_then(|w| w.parse::<u64>().ok())
                    .unwrap_or(0)
            };
            match words.iter().position(|w| *w == "passed" || *w == "failed") {
                Some(i) if i > 0 && words[i] == "passed" => passed += n(i - 1),
                Some(i) if i > 0 => failed += n(i - 1),
                _ => {}
            }
        }
    }
    (passed, failed)
}

fn cargo_tests(c: Command) -> (bool, Option<u64>, String) {
    let (ok, out) = run_capture(c);
    let (passed, failed) = parse_cargo_counts(&out);
    // A suite that ran nothing is a failure: it proves nothing.
    let ok = ok && passed > 0 && failed == 0;
    let detail = if ok {
        format!("{passed} passed")
    } else {
        format!("{passed} passed, {failed} failed: {}", last_lines(&out, 3))
    };
    (ok, Some(passed), detail)
}

fn free_port() -> Result<u16, String> {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| format!("no free port: {e}"))
}

fn server_bin() -> String {
    crate::root()
        .join("target/debug/sse-chat-server")
        .display()
        .to_string()
}

fn build_server() -> Result<(), String> {
    let (ok, out) = run_capture(cmd("cargo", &["build", "--quiet", "-p", "sse-chat-server"]));
    if ok {
        Ok(())
    } else {
        Err(last_lines(&out, 3))
    }
}

#[derive(Clone, Copy)]
enum Browser {
    Chromium,
    Firefox,
}

/// Browser tests of the app (tests/web.rs) against a real reference
/// backend. The test page's origin is fixed (WASM_BINDGEN_TEST_ADDRESS) so
/// the backend can allow exactly that origin; the backend's address is
/// compiled into the tests (SSE_CHAT_TEST_SERVER).
fn wasm_tests(browser: Browser) -> (bool, Option<u64>, String) {
    let attempt = || -> Result<(bool, Option<u64>, String), String> {
        build_server()?;
        let page_port = free_port()?;
        let page_origin = format!("http://127.0.0.1:{page_port}");
        let backend = Supervised::start(move |addr, db| {
            let mut c = cmd(
                &server_bin(),
                &["--addr", addr, "--test-hooks", "--heartbeat", "2"],
            );
            c.arg("--db").arg(db).args(["--allow-origin", &page_origin]);
            c
        })?;
        let mut c = cmd(
            "cargo",
            &[
                "test",
                "-p",
                "sse-chat",
                "--target",
                "wasm32-unknown-unknown",
                "--test",
                "web",
                "--test",
                "ui",
            ],
        );
        c.env("SSE_CHAT_TEST_SERVER", &backend.url)
            .env("SSE_CHAT_TEST_CONTROL", &backend.control_url)
            .env(
                "WASM_BINDGEN_TEST_ADDRESS",
                format!("127.0.0.1:{page_port}"),
            )
            .env("WASM_BINDGEN_TEST_TIMEOUT", "60")
            .env(
                "WASM_BINDGEN_TEST_WEBDRIVER_JSON",
                crate::root().join("tests/webdriver.json"),
            )
            // The page talks to another origin; cross-origin isolation
            // (COEP) would only get in the way.
            .env("WASM_BINDGEN_TEST_NO_ORIGIN_ISOLATION", "1");
        match browser {
            Browser::Chromium => {
                c.env("CHROMEDRIVER", "/usr/bin/chromedriver")
                    .env_remove("GECKODRIVER");
            }
            Browser::Firefox => {
                let gecko = crate::proc::cargo_bin()
                    .map(|b| b.join("geckodriver").display().to_string())
                    .unwrap_or_else(|| "geckodriver".into());
                c.env("GECKODRIVER", gecko).env_remove("CHROMEDRIVER");
            }
        }
        let result = cargo_tests(c);
        drop(backend);
        Ok(result)
    };
    attempt().unwrap_or_else(|e| (false, Some(0), e))
}

/// The release build's code files in dist/: (name, bytes), sorted.
pub fn dist_code_files() -> Result<Vec<(String, std::path::PathBuf, u64)>, String> {
    let dist = crate::root().join("dist");
    let entries = std::fs::read_dir(&dist).map_err(|e| format!("{}: {e}", dist.display()))?;
    let mut files: Vec<_> = entries
        .flatten()
        .map(|e| {
            (
                e.file_name().to_string_lossy().into_owned(),
                e.path(),
                e.metadata().map(|m| m.len()).unwrap_or(0),
            )
        })
        .filter(|(name, _, _)| name.ends_with(".wasm") || name.ends_with(".js"))
        .collect();
    files.sort();
    Ok(files)
}

fn dist_sizes() -> String {
    match dist_code_files() {
        Err(e) => e,
        Ok(files) => {
            let parts: Vec<String> = files
                .iter()
                // Named by file: boot.js (under 1 KB) and the hashed glue.
                .map(|(name, _, size)| format!("{name} {:.1} KB", *size as f64 / 1024.0))
                .collect();
            format!("release dist/ with wasm-opt -Oz: {}", parts.join(", "))
        }
    }
}

/// Playwright against the release dist/ served by the reference backend
/// (one origin, as a user would deploy it), on a free port.
fn e2e() -> (bool, Option<u64>, String) {
    let attempt = || -> Result<(bool, Option<u64>, String), String> {
        crate::dist::require_built(&crate::root())?;
        build_server()?;
        // dist/ also on a plain static host under /chat/, talking to the
        // backend on another origin (its --allow-origin names the host).
        let host = StaticHost::bind()?;
        let origin = host.origin.clone();
        // Supervised, so tests can stop and restart the backend for real;
        // a database file, so a restart keeps the conversation.
        let allowed = origin.clone();
        let backend = Supervised::start(move |addr, db| {
            let mut c = cmd(
                &server_bin(),
                &["--addr", addr, "--test-hooks", "--heartbeat", "2"],
            );
            c.arg("--db").arg(db).args(["--static", "dist"]);
            c.args(["--allow-origin", &allowed]);
            c
        })?;
        host.serve(
            crate::root().join("dist"),
            cross_origin_config(&backend.url),
        );
        let mut c = cmd("npx", &["playwright", "test", "--reporter=list"]);
        c.env("BASE_URL", &backend.url)
            .env("CONTROL_URL", &backend.control_url)
            .env("STATIC_URL", format!("{origin}{PREFIX}"))
            .env("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        let (ok, out) = run_capture(c);
        drop(backend);
        let (passed, failed) = parse_playwright_counts(&out);
        let ok = ok && passed > 0 && failed == 0;
        let detail = if ok {
            format!("{passed} passed")
        } else {
            format!("{passed} passed, {failed} failed: {}", last_lines(&out, 3))
        };
        Ok((ok, Some(passed), detail))
    };
    attempt().unwrap_or_else(|e| (false, Some(0), e))
}

/// The config.json of the static host: every URL absolute, on the backend.
fn cross_origin_config(backend: &str) -> String {
    format!(
        r#"{{"eventsUrl":"{b}/api/events?rooms={{rooms}}&user={{user}}","sendUrl":"{b}/api/messages","historyUrl":"{b}/api/rooms/{{room}}/messages?before={{before}}&limit={{limit}}","typingUrl":"{b}/api/typing","editUrl":"{b}/api/messages/{{id}}/edit","deleteUrl":"{b}/api/messages/{{id}}/delete","reactUrl":"{b}/api/messages/{{id}}/reactions","searchUrl":"{b}/api/rooms/{{room}}/search?q={{q}}&limit={{limit}}"}}"#,
        b = backend
    )
}

/// Reads Playwright's closing lines: "  3 passed (4.1s)", "  1 failed".
pub fn parse_playwright_counts(out: &str) -> (u64, u64) {
    let mut passed = 0;
    let mut failed = 0;
    for line in out.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        if words.len() >= 2 {
            if let Ok(n) = words[0].parse::<u64>() {
                match words[1] {
                    "passed" => passed = n,
                    "failed" => failed = n,
                    "flaky" => failed += n,
                    _ => {}
                }
            }
        }
    }
    (passed, failed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cargo_counts() {
        let out = "test result: ok. 12 passed; 0 failed; 0 ignored\nfoo\ntest result: FAILED. 3 passed; 2 failed; 1 ignored";
        assert_eq!(parse_cargo_counts(out), (15, 2));
        assert_eq!(parse_cargo_counts("nothing"), (0, 0));
    }

    #[test]
    fn playwright_counts() {
        let out = "  ✓  1 [chromium] › chat.spec.ts:3:1 › two users (2.1s)\n\n  3 passed (5.0s)\n";
        assert_eq!(parse_playwright_counts(out), (3, 0));
        assert_eq!(
            parse_playwright_counts("  1 failed\n  2 passed (3s)"),
            (2, 1)
        );
    }
}
