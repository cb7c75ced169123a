//! `cargo xtask bench`: performance figures, printed and never asserted
//! (timings on a shared 2-core machine are not pass/fail material).

use crate::proc::{cmd, exec};

pub fn run(_args: &[String]) -> Result<(), String> {
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
    exec(c)?;
    // Release wasm size, what a visitor downloads.
    exec(cmd("trunk", &["build", "--release"]))?;
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
    Ok(())
}
