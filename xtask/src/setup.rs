//! `cargo xtask setup`: checks each tool's exact version and installs only
//! what is missing. A second run on a set-up machine takes seconds.
//!
//! Installs (see README "Prerequisites"):
//! - rustup target wasm32-unknown-unknown;
//! - Debian packages chromium, chromium-driver, firefox-esr, nginx,
//!   libnginx-mod-nchan, redis-server (the `scale` suite), and nodejs +
//!   npm when no node is on PATH (needs root; otherwise prints the command
//!   and stops);
//! - `cargo install` into ~/.cargo/bin: trunk 0.21.14, wasm-bindgen-cli
//!   0.2.130, geckodriver 0.37.1;
//! - npm packages into this repo's node_modules: binaryen 132 (wasm-opt),
//!   @playwright/test, @axe-core/playwright (no browser download);
//! - a Python venv in target/py with the conformance suite's Python backend
//!   packages (pip, pinned in tests/conformance/backends/requirements.txt);
//! - `cargo fetch`, because trunk builds offline.

use crate::proc::{cmd, exec, output};
use std::time::Instant;

pub const TRUNK: &str = "0.21.14";
pub const WASM_BINDGEN: &str = "0.2.130";
pub const GECKODRIVER: &str = "0.37.1";
pub const WASM_OPT: &str = "132";
const BROWSERS: &[&str] = &["chromium", "chromium-driver", "firefox-esr"];
/// The `scale` suite's nginx + nchan + Redis (only their binaries are
/// used; the harness runs them unprivileged with its own configs).
const SCALE_OUT: &[&str] = &["nginx", "libnginx-mod-nchan", "redis-server"];

pub fn run() -> Result<(), String> {
    let started = Instant::now();
    wasm_target()?;
    // Downloads (apt, npm, pip, crates) wait on the network, the cargo
    // installs on the CPU: on a fresh machine they overlap, minutes saved.
    let (downloads, builds) = std::thread::scope(|s| {
        let downloads = s.spawn(|| -> Result<(), String> {
            apt_packages()?;
            npm_packages()?;
            python_venv()?;
            exec(cmd("cargo", &["fetch", "--quiet"]))
                .map_err(|e| format!("cargo fetch failed: {e}"))
        });
        let builds = s.spawn(cargo_tools);
        let join = |h: std::thread::ScopedJoinHandle<'_, Result<(), String>>| {
            h.join()
                .unwrap_or_else(|_| Err("setup: a step panicked".into()))
        };
        (join(downloads), join(builds))
    });
    downloads.and(builds)?;
    println!(
        "setup: all tools present ({:.1} s)",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// trunk, wasm-bindgen-cli and geckodriver, built from source when missing.
fn cargo_tools() -> Result<(), String> {
    cargo_tool(
        "trunk",
        &["--version"],
        &format!("trunk {TRUNK}"),
        &["install", "--locked", &format!("trunk@{TRUNK}")],
    )?;
    // Unlocked on purpose: the crate's lock file pins a webpki-roots
    // version the registry no longer serves (see shared TOOLCHAIN notes).
    cargo_tool(
        "wasm-bindgen",
        &["--version"],
        &format!("wasm-bindgen {WASM_BINDGEN}"),
        &["install", &format!("wasm-bindgen-cli@{WASM_BINDGEN}")],
    )?;
    cargo_tool(
        "geckodriver",
        &["--version"],
        &format!("geckodriver {GECKODRIVER}"),
        &["install", "--locked", &format!("geckodriver@{GECKODRIVER}")],
    )
}

fn wasm_target() -> Result<(), String> {
    let installed = output("rustup", &["target", "list", "--installed"]).unwrap_or_default();
    if installed
        .lines()
        .any(|l| l.trim() == "wasm32-unknown-unknown")
    {
        return Ok(());
    }
    println!("setup: adding rustup target wasm32-unknown-unknown");
    exec(cmd("rustup", &["target", "add", "wasm32-unknown-unknown"]))
}

fn is_root() -> bool {
    output("id", &["-u"]).is_some_and(|s| s.trim() == "0")
}

fn apt_packages() -> Result<(), String> {
    let mut missing: Vec<&str> = BROWSERS
        .iter()
        .chain(SCALE_OUT)
        .copied()
        .filter(|p| {
            !output("dpkg-query", &["-W", "-f=${Status}", p])
                .is_some_and(|s| s.contains("install ok installed"))
        })
        .collect();
    // Node may come from elsewhere than Debian (nodesource, nvm): any
    // working node and npm will do.
    if output("node", &["--version"]).is_none() || output("npm", &["--version"]).is_none() {
        missing.extend(["nodejs", "npm"]);
    }
    // Any python3 that can make a venv with pip will do (Debian splits
    // venv and ensurepip into python3-venv).
    if output("python3", &["-c", "import venv, ensurepip"]).is_none() {
        missing.extend(["python3", "python3-venv"]);
    }
    if missing.is_empty() {
        return Ok(());
    }
    let command = format!("apt-get update && apt-get install -y {}", missing.join(" "));
    if !is_root() {
        return Err(format!(
            "missing Debian packages: {}.\nRun as root:\n    sudo sh -c '{command}'\nthen run this command again.",
            missing.join(", ")
        ));
    }
    println!("setup: installing Debian packages: {}", missing.join(" "));
    let mut update = cmd("apt-get", &["update", "-q"]);
    update.env("DEBIAN_FRONTEND", "noninteractive");
    exec(update)?;
    let mut args = vec!["install", "-y", "-q", "--no-install-recommends"];
    args.extend(&missing);
    let install = || {
        let mut c = cmd("apt-get", &args);
        c.env("DEBIAN_FRONTEND", "noninteractive");
        exec(c)
    };
    // A mirror that momentarily lacks an archive succeeds on the second try.
    install()
        .or_else(|_| install())
        .map_err(|e| format!("{e}\nTry by hand: {command}"))
}

fn cargo_tool(
    bin: &str,
    version_args: &[&str],
    expect: &str,
    install: &[&str],
) -> Result<(), String> {
    if let Some(v) = output(bin, version_args) {
        if v.lines()
            .next()
            .is_some_and(|l| l.trim().starts_with(expect))
        {
            return Ok(());
        }
        println!(
            "setup: {bin} has the wrong version ({}), want {expect}",
            v.lines().next().unwrap_or("").trim()
        );
    }
    println!(
        "setup: cargo {} (this builds from source and takes minutes)",
        install.join(" ")
    );
    let mut args: Vec<&str> = install.to_vec();
    args.push("--force");
    exec(cmd("cargo", &args)).map_err(|e| format!("installing {bin} failed: {e}"))
}

fn npm_packages() -> Result<(), String> {
    let root = crate::root();
    let wasm_opt_ok = output(
        &root
            .join("node_modules/.bin/wasm-opt")
            .display()
            .to_string(),
        &["--version"],
    )
    .is_some_and(|v| v.contains(&format!("version {WASM_OPT}")));
    let installed_lock = root.join("node_modules/.package-lock.json");
    let lock = root.join("package-lock.json");
    let fresh = match (std::fs::metadata(&installed_lock), std::fs::metadata(&lock)) {
        (Ok(a), Ok(b)) => match (a.modified(), b.modified()) {
            (Ok(a), Ok(b)) => a >= b,
            _ => false,
        },
        _ => false,
    };
    if wasm_opt_ok && fresh && root.join("node_modules/@playwright/test").exists() {
        return Ok(());
    }
    if output("npm", &["--version"]).is_none() {
        return Err(
            "npm is not installed (Debian package npm); run setup as root to install it".into(),
        );
    }
    println!("setup: npm ci (wasm-opt, Playwright, axe-core; no browser download)");
    let mut c = cmd(
        "npm",
        &["ci", "--no-audit", "--no-fund", "--loglevel=error"],
    );
    // Playwright must use Debian's Chromium, never download its own.
    c.env("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
    exec(c).map_err(|e| format!("npm install failed: {e}"))
}

/// The pinned packages of the conformance suite's Python backend.
const PY_REQUIREMENTS: &str = "tests/conformance/backends/requirements.txt";

/// A venv in target/py with [`PY_REQUIREMENTS`]; redone when the file
/// changed since the last install (a copy is kept in the venv) or the venv
/// cannot import the packages.
fn python_venv() -> Result<(), String> {
    let root = crate::root();
    let venv = root.join(crate::conformance::VENV);
    let wanted = std::fs::read_to_string(root.join(PY_REQUIREMENTS))
        .map_err(|e| format!("{PY_REQUIREMENTS}: {e}"))?;
    let stamp = venv.join("installed-requirements.txt");
    let python = venv.join("bin/python").display().to_string();
    let imports = output(&python, &["-c", "import sse_starlette, starlette, uvicorn"]);
    if imports.is_some() && std::fs::read_to_string(&stamp).is_ok_and(|s| s == wanted) {
        return Ok(());
    }
    println!(
        "setup: Python venv {} ({PY_REQUIREMENTS})",
        crate::conformance::VENV
    );
    let venv_arg = venv.display().to_string();
    exec(cmd("python3", &["-m", "venv", &venv_arg]))
        .map_err(|e| format!("creating the Python venv failed: {e}"))?;
    let pip = venv.join("bin/pip").display().to_string();
    let args = [
        "install",
        "--no-input",
        "--disable-pip-version-check",
        "--quiet",
    ];
    let mut c = cmd(&pip, &args);
    c.args(["-r", PY_REQUIREMENTS]);
    exec(c).map_err(|e| format!("pip install failed: {e}"))?;
    std::fs::write(&stamp, wanted).map_err(|e| format!("{}: {e}", stamp.display()))
}
