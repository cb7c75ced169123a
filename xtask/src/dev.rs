//! `cargo xtask dev`: the reference backend with a persistent database on
//! 127.0.0.1:8787, and `trunk serve` on 127.0.0.1:8080 proxying /api to it
//! (Trunk.toml `[[proxy]]`). trunk serve writes its debug build into
//! target/dev-dist, so dist/ only ever holds release builds.

use crate::proc::{cmd, exec, Server};
use std::net::TcpListener;
use std::time::Duration;

/// Backend port: fixed because Trunk.toml's [[proxy]] names it.
const BACKEND_PORT: u16 = 8787;
const APP_PORT: u16 = 8080;
/// Where `trunk serve` writes its debug build (with trunk's live-reload
/// script): never dist/, which is what gets deployed.
const DEV_DIST: &str = "target/dev-dist";

fn port_free(port: u16) -> bool {
    TcpListener::bind(("127.0.0.1", port)).is_ok()
}

pub fn run(args: &[String]) -> Result<(), String> {
    if !args.iter().any(|a| a == "--skip-setup") {
        crate::setup::run()?;
    }
    for (port, what) in [
        (BACKEND_PORT, "the reference backend"),
        (APP_PORT, "trunk serve"),
    ] {
        if !port_free(port) {
            return Err(format!(
                "port {port} (for {what}) is in use on 127.0.0.1. Stop whatever listens there \
                 (`ss -ltnp | grep :{port}`) and try again."
            ));
        }
    }
    exec(cmd("cargo", &["build", "--quiet", "-p", "sse-chat-server"]))?;
    let db = crate::root().join("data/dev.db");
    let server_bin = crate::root().join("target/debug/sse-chat-server");
    let mut backend = cmd(&server_bin.display().to_string(), &[]);
    backend
        .args(["--addr", &format!("127.0.0.1:{BACKEND_PORT}"), "--db"])
        .arg(&db);
    let _backend = Server::start("backend", backend, "listening on", Duration::from_secs(30))?;
    println!(
        "xtask: reference backend on {} (database {})",
        _backend.url,
        db.display()
    );

    // trunk prints its own lines; we wait for it to exit (Ctrl-C).
    let mut trunk = Server::start(
        "trunk",
        cmd(
            "trunk",
            &["serve", "--port", &APP_PORT.to_string(), "--dist", DEV_DIST],
        ),
        "", // any first line: trunk has started
        Duration::from_secs(60),
    )?;
    println!();
    println!(
        "    sse-chat is building; open http://127.0.0.1:{APP_PORT}/ (Ctrl-C stops everything)"
    );
    println!();
    let status = trunk.wait()?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("trunk serve exited ({status})"))
    }
}
