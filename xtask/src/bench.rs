//! `cargo xtask bench`: performance figures, printed and never asserted
//! (timings on a shared 2-core machine are not pass/fail material).
//!
//! Options: `--reps N` repetitions of the side-by-side comparison (default
//! 3); `--compare` runs only the release build, its sizes and the
//! comparison (tests/bench/compare.mjs), not the Rust benchmarks; `--load`
//! runs only the reference server's load benchmark
//! (server/examples/load_bench.rs: 1,000 named subscribers in one room,
//! 100 messages/s; pass its own flags after `--`, e.g. `--load -- --db`).

use crate::proc::{cmd, exec};

pub fn run(args: &[String]) -> Result<(), String> {
    let reps = match args.iter().position(|a| a == "--reps") {
        Some(i) => args
            .get(i + 1)
            .and_then(|n| n.parse::<u32>().ok())
            .filter(|n| *n > 0)
            .ok_or("--reps needs a positive number")?,
        None => 3,
    };
    if args.iter().any(|a| a == "--load") {
        return load(args);
    }
    if !args.iter().any(|a| a == "--compare") {
        rust_benches()?;
        load(args)?;
    }
    // Release build, what a visitor downloads.
    exec(cmd("trunk", &["build", "--release"]))?;
    sizes()?;
    compare(reps)
}

/// Room-state ingest natively, and the message list in a real browser.
fn rust_benches() -> Result<(), String> {
    // Room-state ingest: the per-frame cost the UI pays for a batch.
    exec(cmd(
        "cargo",
        &[
            "run",
            "--quiet",
            "--release",
            "-p",
            "sse-chat",
            "--example",
            "bench_ingest",
        ],
    ))?;
    // The message list in a real browser, release build: per-frame cost at
    // 100 and at 100,000 messages.
    let mut c = cmd(
        "cargo",
        &[
            "test",
            "--release",
            "-p",
            "sse-chat",
            "--target",
            "wasm32-unknown-unknown",
            "--test",
            "bench",
            "--",
            "--nocapture",
        ],
    );
    c.env("CHROMEDRIVER", "/usr/bin/chromedriver")
        .env_remove("GECKODRIVER")
        .env("WASM_BINDGEN_TEST_TIMEOUT", "180")
        .env(
            "WASM_BINDGEN_TEST_WEBDRIVER_JSON",
            crate::root().join("tests/webdriver.json"),
        );
    exec(c)
}

/// The reference server under load, as a separate release process: delivery
/// latency p50/p99, lost and duplicated deliveries, presence traffic and the
/// server's CPU time (see server/examples/load_bench.rs). Arguments after
/// `--` go to the benchmark.
fn load(args: &[String]) -> Result<(), String> {
    release_server(&["--example", "load_bench"])?;
    let root = crate::root();
    let server = root.join("target/release/sse-chat-server");
    let bench = root.join("target/release/examples/load_bench");
    let mut c = cmd(
        &bench.to_string_lossy(),
        &["--server", &server.to_string_lossy()],
    );
    if let Some(at) = args.iter().position(|a| a == "--") {
        c.args(&args[at + 1..]);
    }
    exec(c)
}

/// Builds the release reference server (plus `extra` targets): benchmarks
/// measure the client or the load, never a debug server.
fn release_server(extra: &[&str]) -> Result<(), String> {
    let mut args = vec!["build", "--quiet", "--release", "-p", "sse-chat-server"];
    args.extend_from_slice(&["--bin", "sse-chat-server"]);
    args.extend_from_slice(extra);
    exec(cmd("cargo", &args))
}

/// The release wasm and JS sizes, and the gzip total the build suite
/// budgets (`dist::GZIP_BUDGET`).
fn sizes() -> Result<(), String> {
    for (name, path, raw) in crate::test::dist_code_files()? {
        let gz = crate::proc::output(
            "sh",
            &["-c", &format!("gzip -9c '{}' | wc -c", path.display())],
        )
        .and_then(|s| s.trim().parse::<u64>().ok())
        .unwrap_or(0);
        println!(
            "bench: {name}: {} KB raw, {} KB gzip",
            raw / 1024,
            gz / 1024
        );
    }
    let total = crate::dist::gzip_total(&crate::root().join("dist"))?;
    println!(
        "bench: dist/ gzip total: {total} bytes ({} KB; budget {} bytes)",
        total / 1024,
        crate::dist::GZIP_BUDGET
    );
    Ok(())
}

/// sse-chat against the vanilla baselines in headless Chromium, all served
/// by the reference backend (release build, so the server is not what is
/// measured): tests/bench/compare.mjs prints the table.
fn compare(reps: u32) -> Result<(), String> {
    release_server(&[])?;
    let root = crate::root();
    let mut c = cmd("node", &["tests/bench/compare.mjs"]);
    c.env("SERVER_BIN", root.join("target/release/sse-chat-server"))
        .env("DIST", root.join("dist"))
        .env("BENCH_REPS", reps.to_string());
    exec(c)
}
