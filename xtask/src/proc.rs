//! Child processes: running commands, starting servers that are always
//! stopped (on success, failure, panic, Ctrl-C or SIGTERM).

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Pids of servers we started, so the signal handler can stop them.
static CHILDREN: Mutex<Vec<u32>> = Mutex::new(Vec::new());

pub fn install_signal_handler() {
    // If a handler cannot be installed (already set), Ctrl-C still reaches
    // the children through the terminal's process group.
    let _ = ctrlc::set_handler(|| {
        eprintln!("\nxtask: interrupted, stopping servers…");
        stop_all();
        std::process::exit(130);
    });
}

/// Sends SIGTERM to every registered server (graceful shutdown).
pub fn stop_all() {
    let pids: Vec<u32> = CHILDREN
        .lock()
        .map(|mut c| std::mem::take(&mut *c))
        .unwrap_or_default();
    for pid in pids {
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(pid.to_string())
            .status();
    }
}

/// A long-running child (server). Stopped when dropped.
pub struct Server {
    pub name: &'static str,
    child: Child,
    /// `http://host:port` the server announced.
    pub url: String,
}

impl Server {
    /// Starts `cmd` and waits (up to `timeout`) for a stdout line containing
    /// `marker`; the rest of that line after the marker is the URL.
    pub fn start(
        name: &'static str,
        mut cmd: Command,
        marker: &str,
        timeout: Duration,
    ) -> Result<Server, String> {
        cmd.stdout(Stdio::piped()).stderr(Stdio::inherit());
        let mut child = cmd
            .spawn()
            .map_err(|e| format!("cannot start {name}: {e}"))?;
        if let Ok(mut c) = CHILDREN.lock() {
            c.push(child.id());
        }
        let stdout = child.stdout.take().ok_or("no stdout")?;
        let (tx, rx) = mpsc::channel();
        let marker = marker.to_string();
        std::thread::spawn(move || {
            let mut sent = false;
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if !sent {
                    if let Some(pos) = line.find(&marker) {
                        let _ = tx.send(line[pos + marker.len()..].trim().to_string());
                        sent = true;
                        continue;
                    }
                }
                println!("[{name}] {line}");
            }
        });
        let mut server = Server {
            name,
            child,
            url: String::new(),
        };
        match rx.recv_timeout(timeout) {
            Ok(url) => {
                server.url = url;
                Ok(server)
            }
            Err(_) => {
                let status = server.child.try_wait().ok().flatten();
                Err(match status {
                    Some(s) => format!("{name} exited before it was ready ({s})"),
                    None => format!("{name} did not report ready within {timeout:?}"),
                })
            }
        }
    }

    /// Waits for the child to exit by itself (e.g. `trunk serve` on Ctrl-C).
    pub fn wait(&mut self) -> Result<std::process::ExitStatus, String> {
        self.child.wait().map_err(|e| e.to_string())
    }

    /// SIGTERM, then SIGKILL after a grace period.
    pub fn stop(&mut self) {
        let pid = self.child.id();
        if let Ok(mut c) = CHILDREN.lock() {
            c.retain(|p| *p != pid);
        }
        if self.child.try_wait().ok().flatten().is_some() {
            return;
        }
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(pid.to_string())
            .status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if self.child.try_wait().ok().flatten().is_some() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        eprintln!("xtask: {} did not stop on SIGTERM; killing it", self.name);
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Builds a command run in the workspace root with the project's tool PATH.
pub fn cmd(program: &str, args: &[&str]) -> Command {
    let mut c = Command::new(program);
    c.args(args)
        .current_dir(crate::root())
        .env("PATH", tool_path());
    c.env("TRUNK_SKIP_VERSION_CHECK", "true");
    c
}

/// PATH with the repo's `node_modules/.bin` and cargo's bin dir first.
pub fn tool_path() -> String {
    let root = crate::root();
    let mut parts = vec![root.join("node_modules/.bin").display().to_string()];
    if let Some(bin) = cargo_bin() {
        parts.push(bin.display().to_string());
    }
    parts.push(std::env::var("PATH").unwrap_or_default());
    parts.join(":")
}

/// Where `cargo install` puts binaries.
pub fn cargo_bin() -> Option<std::path::PathBuf> {
    let home = std::env::var_os("CARGO_HOME")
        .map(std::path::PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".cargo")))?;
    Some(home.join("bin"))
}

/// Runs a command to completion, streaming its output; Err on failure.
pub fn exec(mut c: Command) -> Result<(), String> {
    let shown = format!("{c:?}");
    let status = c.status().map_err(|e| format!("cannot run {shown}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{shown} failed ({status})"))
    }
}

/// Runs a command, echoing its output live and returning it for parsing.
pub fn run_capture(mut c: Command) -> (bool, String) {
    c.stdout(Stdio::piped()).stderr(Stdio::piped());
    let shown = format!("{c:?}");
    let mut child = match c.spawn() {
        Ok(child) => child,
        Err(e) => return (false, format!("cannot run {shown}: {e}")),
    };
    let (tx, rx) = mpsc::channel::<String>();
    let mut readers = Vec::new();
    if let Some(out) = child.stdout.take() {
        let tx = tx.clone();
        readers.push(std::thread::spawn(move || {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                println!("{line}");
                let _ = tx.send(line);
            }
        }));
    }
    if let Some(err) = child.stderr.take() {
        let tx = tx.clone();
        readers.push(std::thread::spawn(move || {
            for line in BufReader::new(err).lines().map_while(Result::ok) {
                eprintln!("{line}");
                let _ = tx.send(line);
            }
        }));
    }
    drop(tx);
    let ok = child.wait().map(|s| s.success()).unwrap_or(false);
    for r in readers {
        let _ = r.join();
    }
    let text: Vec<String> = rx.into_iter().collect();
    (ok, text.join("\n"))
}

/// Output of a quick command (version checks); None if it cannot run.
pub fn output(program: &str, args: &[&str]) -> Option<String> {
    let out = cmd(program, args).stdin(Stdio::null()).output().ok()?;
    let mut s = String::from_utf8_lossy(&out.stdout).into_owned();
    s.push_str(&String::from_utf8_lossy(&out.stderr));
    out.status.success().then_some(s)
}
