//! The `scale` suite: a real scale-out deployment. The release client in
//! dist/ (as the `build` suite left it; nothing is rebuilt) served by TWO
//! nginx + nchan instances that share ONE Redis, with a user on each
//! (`tests/deploy/scale.spec.ts`, Playwright, two browser contexts).
//!
//! Everything runs unprivileged on free loopback ports, with configs, pid,
//! logs and temp files under `target/scale/`. Each nginx config is
//! `tests/deploy/nchan.conf.template` (shown in docs/DEPLOY.md)
//! with its placeholders filled in; each serves dist/ and
//! `tests/deploy/config.nchan.json` as `/config.json`.
//!
//! The spec stops, starts and restarts an instance for real through a tiny
//! control server (`POST /stop/a`, `/start/b`, `/restart/a`, answered once
//! that nginx is down or listening again on the same port), like
//! [`crate::supervisor`] does for the reference backend.

use crate::proc::{cmd, run_capture, Server};
use crate::test::{last_lines, parse_playwright_counts, SuiteResult};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The nginx config every instance runs, with `{{NAME}}` placeholders.
const TEMPLATE: &str = "tests/deploy/nchan.conf.template";
/// The client's settings, served as `/config.json`.
const CLIENT_CONFIG: &str = "tests/deploy/config.nchan.json";
const SPEC_CONFIG: &str = "tests/deploy/scale.config.ts";
/// Where configs, pid files, logs and temp files go (emptied each run).
const WORK: &str = "target/scale";
const NCHAN_MODULE: &str = "/usr/lib/nginx/modules/ngx_nchan_module.so";
/// The line nginx logs (at `notice`) once its listening sockets are open.
const NGINX_READY: &str = "start worker processes";
const REDIS_READY: &str = "Ready to accept connections";
/// The instances: the name the control paths use, and their log prefix.
const INSTANCES: [(&str, &str); 2] = [("a", "nginx-a"), ("b", "nginx-b")];

pub fn suite() -> SuiteResult {
    run().unwrap_or_else(|e| (false, Some(0), e))
}

fn run() -> Result<SuiteResult, String> {
    let root = crate::root();
    crate::dist::require_built(&root)?;
    check_tools()?;
    let work = root.join(WORK);
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).map_err(|e| format!("{}: {e}", work.display()))?;
    let redis_port = free_port()?;
    let redis = start_redis(&work, redis_port)?;
    let template =
        std::fs::read_to_string(root.join(TEMPLATE)).map_err(|e| format!("{TEMPLATE}: {e}"))?;
    let mut fleet = Vec::new();
    for names in INSTANCES {
        let mut nginx = Nginx::prepare(names, &work, &template, redis_port)?;
        nginx.start()?;
        fleet.push(nginx);
    }
    let urls: Vec<String> = fleet.iter().map(Nginx::url).collect();
    let fleet = Arc::new(Mutex::new(fleet));
    let control_url = serve_control(fleet.clone())?;
    let mut c = cmd("npx", &["playwright", "test", "--config", SPEC_CONFIG]);
    c.env("SCALE_A_URL", &urls[0])
        .env("SCALE_B_URL", &urls[1])
        .env("SCALE_CONTROL", &control_url)
        .env("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
    let (ok, out) = run_capture(c);
    // Every nginx, then Redis, stopped before the report.
    if let Ok(mut fleet) = fleet.lock() {
        fleet.iter_mut().for_each(Nginx::stop);
    }
    drop(redis);
    print_subscriptions(&work);
    Ok(report(ok, &out))
}

/// nginx, the nchan module and redis-server, as `cargo xtask setup`
/// installs them.
fn check_tools() -> Result<(), String> {
    let missing: Vec<&str> = [("nginx", "-v"), ("redis-server", "--version")]
        .into_iter()
        .filter(|(bin, arg)| crate::proc::output(bin, &[arg]).is_none())
        .map(|(bin, _)| bin)
        .chain((!Path::new(NCHAN_MODULE).exists()).then_some("libnginx-mod-nchan"))
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    Err(format!(
        "missing {}: run `cargo xtask setup` (Debian packages nginx, libnginx-mod-nchan, redis-server)",
        missing.join(", ")
    ))
}

fn free_port() -> Result<u16, String> {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| format!("no free port: {e}"))
}

/// One Redis, in memory only (no snapshots, no append-only file).
fn start_redis(work: &Path, port: u16) -> Result<Server, String> {
    let dir = work.join("redis");
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let port = port.to_string();
    let mut c = cmd(
        "redis-server",
        &["--port", &port, "--bind", "127.0.0.1", "--save", ""],
    );
    c.args(["--appendonly", "no", "--dir"]).arg(&dir);
    Server::start("redis", c, REDIS_READY, Duration::from_secs(20))
}

/// One nginx + nchan instance: its prefix, port and (while up) process.
struct Nginx {
    name: &'static str,
    label: &'static str,
    prefix: PathBuf,
    port: u16,
    server: Option<Server>,
}

impl Nginx {
    /// Writes the instance's config (and config.json) under `work/<name>`.
    fn prepare(
        (name, label): (&'static str, &'static str),
        work: &Path,
        template: &str,
        redis_port: u16,
    ) -> Result<Nginx, String> {
        let root = crate::root();
        let prefix = work.join(name);
        let tmp = prefix.join("tmp");
        std::fs::create_dir_all(&tmp).map_err(|e| format!("{}: {e}", tmp.display()))?;
        let config_json = prefix.join("config.json");
        std::fs::copy(root.join(CLIENT_CONFIG), &config_json)
            .map_err(|e| format!("{CLIENT_CONFIG}: {e}"))?;
        let port = free_port()?;
        let conf = fill(
            template,
            &[
                ("PREFIX", prefix.display().to_string()),
                ("LISTEN", format!("127.0.0.1:{port}")),
                ("DIST", root.join("dist").display().to_string()),
                ("CONFIG", config_json.display().to_string()),
                ("REDIS", format!("127.0.0.1:{redis_port}")),
            ],
        )?;
        // The readiness line is read from stdout (the template logs to a
        // file, as a deployment would).
        let conf = conf.replace(
            &format!("error_log {}/error.log", prefix.display()),
            "error_log /dev/stdout",
        );
        let path = prefix.join("nginx.conf");
        std::fs::write(&path, conf).map_err(|e| format!("{}: {e}", path.display()))?;
        Ok(Nginx {
            name,
            label,
            prefix,
            port,
            server: None,
        })
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Starts nginx in the foreground; returns once it listens.
    fn start(&mut self) -> Result<(), String> {
        if self.server.is_some() {
            return Ok(());
        }
        let prefix = self.prefix.display().to_string();
        let conf = self.prefix.join("nginx.conf").display().to_string();
        let c = cmd("nginx", &["-p", &prefix, "-c", &conf]);
        let mut server = Server::start(self.label, c, NGINX_READY, Duration::from_secs(20))?;
        server.url = self.url();
        self.server = Some(server);
        Ok(())
    }

    /// SIGTERM (nginx's fast shutdown: open streams are cut), then waits.
    fn stop(&mut self) {
        self.server = None;
    }
}

/// Replaces every `{{KEY}}`; an error if one is left unfilled.
fn fill(template: &str, values: &[(&str, String)]) -> Result<String, String> {
    let mut out = template.to_string();
    for (key, value) in values {
        out = out.replace(&format!("{{{{{key}}}}}"), value);
    }
    match out.find("{{") {
        Some(at) => Err(format!(
            "{TEMPLATE}: unfilled placeholder near `{}`",
            &out[at..(at + 20).min(out.len())]
        )),
        None => Ok(out),
    }
}

type Fleet = Arc<Mutex<Vec<Nginx>>>;

/// The control server: `POST /stop/<name>`, `/start/<name>`,
/// `/restart/<name>`; returns its `http://127.0.0.1:port`.
fn serve_control(fleet: Fleet) -> Result<String, String> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| format!("control server: {e}"))?;
    let url = format!(
        "http://{}",
        listener.local_addr().map_err(|e| e.to_string())?
    );
    std::thread::spawn(move || {
        for stream in listener.incoming().map_while(Result::ok) {
            handle(stream, &fleet);
        }
    });
    Ok(url)
}

fn handle(stream: TcpStream, fleet: &Fleet) {
    crate::supervisor::answer_control(stream, |path| control(fleet, path));
}

fn control(fleet: &Fleet, path: &str) -> Result<(), String> {
    let (action, name) = path
        .trim_start_matches('/')
        .split_once('/')
        .ok_or_else(|| format!("unknown control path {path}"))?;
    let mut fleet = fleet.lock().map_err(|_| "fleet lock poisoned")?;
    let nginx = fleet
        .iter_mut()
        .find(|n| n.name == name)
        .ok_or_else(|| format!("no instance `{name}`"))?;
    match action {
        "stop" => {
            nginx.stop();
            Ok(())
        }
        "start" => nginx.start(),
        "restart" => {
            nginx.stop();
            nginx.start()
        }
        _ => Err(format!("unknown control action {action}")),
    }
}

/// Each instance's stream requests (from its access log): where each
/// client resumed from, and which answer it got.
fn print_subscriptions(work: &Path) {
    println!("\nscale: stream requests per instance (access logs)");
    for (name, _) in INSTANCES {
        let log = std::fs::read_to_string(work.join(name).join("access.log")).unwrap_or_default();
        for line in log.lines().filter(|l| l.contains("GET /sub/")) {
            let request = line.split('"').nth(1).unwrap_or(line);
            let status = line.split('"').nth(2).unwrap_or("").trim();
            println!("  {name}: {request}  {status}");
        }
    }
}

fn report(ok: bool, out: &str) -> SuiteResult {
    let (passed, failed) = parse_playwright_counts(out);
    let ok = ok && passed > 0 && failed == 0;
    let detail = if ok {
        format!("{passed} passed; 2 nginx + nchan instances, 1 Redis")
    } else {
        // The first failed expectation says what went wrong.
        let why = out
            .lines()
            .map(str::trim)
            .find(|l| l.starts_with("Error:"))
            .map_or_else(|| last_lines(out, 3), str::to_string);
        format!("{passed} passed, {failed} failed: {why}")
    };
    (ok, Some(passed + failed), detail)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fills_every_placeholder() {
        let values = [("PORT", "8080".to_string())];
        assert_eq!(
            fill("listen {{PORT}}; # {{PORT}}", &values).as_deref(),
            Ok("listen 8080; # 8080")
        );
        assert!(fill("root {{DIST}};", &values).is_err());
    }

    #[test]
    fn the_template_has_only_known_placeholders() {
        let template = std::fs::read_to_string(crate::root().join(TEMPLATE)).unwrap();
        let values: Vec<(&str, String)> = ["PREFIX", "LISTEN", "DIST", "CONFIG", "REDIS"]
            .into_iter()
            .map(|k| (k, "x".to_string()))
            .collect();
        assert!(fill(&template, &values).is_ok());
    }

    /// The deployment guide shows the config this suite tests, verbatim.
    #[test]
    fn the_guide_shows_the_tested_config() {
        let root = crate::root();
        let template = std::fs::read_to_string(root.join(TEMPLATE)).unwrap();
        let guide = std::fs::read_to_string(root.join("docs/DEPLOY.md")).unwrap();
        assert!(
            guide.contains(&template),
            "docs/DEPLOY.md must show {TEMPLATE} verbatim"
        );
    }
}
