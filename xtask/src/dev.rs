//! `cargo xtask dev`: the reference backend with a persistent database on
//! 127.0.0.1:8787, and `trunk serve` on 127.0.0.1:8080 proxying /api to it
//! (Trunk.toml `[[proxy]]`). trunk serve writes its debug build into
//! target/dev-dist, so dist/ only ever holds release builds.

use crate::proc::{cmd, exec, Server};
use crate::test::SuiteResult;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::time::{Duration, Instant, SystemTime};

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
    // `--db PATH` (the dev suite's own database); data/dev.db by default.
    let db = match args.iter().position(|a| a == "--db") {
        Some(i) => std::path::PathBuf::from(args.get(i + 1).ok_or("--db needs a path")?),
        None => crate::root().join("data/dev.db"),
    };
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

/// Suite `dev`: runs `cargo xtask dev` as a user would, waits until the app
/// and the proxied backend answer on port 8080, stops it, and checks that
/// dist/ (the release build of the `build` suite) was not touched while
/// the debug build landed in target/dev-dist.
pub fn suite() -> SuiteResult {
    match check_dev() {
        Ok(detail) => (true, Some(1), detail),
        Err(e) => (false, Some(0), e),
    }
}

fn check_dev() -> Result<String, String> {
    let root = crate::root();
    crate::dist::require_built(&root)?;
    let before = fingerprint(&root.join("dist"))?;
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let started = Instant::now();
    let dev = Server::start(
        "dev",
        cmd(
            &exe.display().to_string(),
            // Its own database: a test run never touches data/dev.db.
            &["dev", "--skip-setup", "--db", "target/dev-suite.db"],
        ),
        "sse-chat is building",
        Duration::from_secs(300),
    )?;
    // The first debug build takes a while; trunk serves once it is done.
    let deadline = Instant::now() + Duration::from_secs(600);
    let app = loop {
        let page = http_get(APP_PORT, "/").unwrap_or_default();
        if status(&page) == "200" && page.contains("_bg.wasm") {
            break page;
        }
        if Instant::now() > deadline {
            return Err("trunk serve did not serve the app within 600 s".into());
        }
        std::thread::sleep(Duration::from_millis(250));
    };
    let health = http_get(APP_PORT, "/api/health").unwrap_or_default();
    drop(dev);
    let after = fingerprint(&root.join("dist"))?;
    if status(&health) != "200" {
        return Err(format!(
            "/api/health through trunk's proxy: {}",
            first_line(&health)
        ));
    }
    if before != after {
        return Err("cargo xtask dev changed dist/ (it must only hold release builds)".into());
    }
    let dev_index = std::fs::read_to_string(root.join(DEV_DIST).join("index.html"))
        .map_err(|e| format!("{DEV_DIST}/index.html: {e}"))?;
    // trunk's live-reload script marks its debug build.
    if !dev_index.contains("TRUNK") || !app.contains("_bg.wasm") {
        return Err(format!("{DEV_DIST} does not hold trunk's debug build"));
    }
    Ok(format!(
        "app and proxied backend served after {:.0} s; dist/ untouched ({} files), debug build in {DEV_DIST}",
        started.elapsed().as_secs_f64(),
        before.len()
    ))
}

/// Path, size and modification time of every file under `dir`.
fn fingerprint(dir: &Path) -> Result<Vec<(String, u64, SystemTime)>, String> {
    let mut files = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for entry in std::fs::read_dir(&d).map_err(|e| format!("{}: {e}", d.display()))? {
            let entry = entry.map_err(|e| e.to_string())?;
            let meta = entry.metadata().map_err(|e| e.to_string())?;
            if meta.is_dir() {
                todo.push(entry.path());
                continue;
            }
            let modified = meta.modified().map_err(|e| e.to_string())?;
            files.push((entry.path().display().to_string(), meta.len(), modified));
        }
    }
    files.sort();
    Ok(files)
}

/// A whole HTTP/1.0 response from 127.0.0.1:`port` (the server closes).
fn http_get(port: u16, path: &str) -> std::io::Result<String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    write!(
        stream,
        "GET {path} HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\n\r\n"
    )?;
    let mut body = Vec::new();
    stream.read_to_end(&mut body)?;
    Ok(String::from_utf8_lossy(&body).into_owned())
}

/// The status code of a response ("" when there is none).
fn status(response: &str) -> &str {
    response.split_whitespace().nth(1).unwrap_or("")
}

fn first_line(response: &str) -> &str {
    response.lines().next().unwrap_or("no answer")
}
