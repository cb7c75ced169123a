//! A reference backend that browser tests can stop and start for real.
//!
//! Browser code cannot restart a process, so the harness keeps the backend
//! under a tiny control server on loopback: `POST /stop`, `POST /start` and
//! `POST /restart` (answered once the backend is down or listening again,
//! on the same port and database file). Responses allow any origin and the
//! requests are CORS-simple, so a test page can call them with `fetch`.

use crate::proc::Server;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

type MakeCmd = Box<dyn Fn(&str) -> Command + Send>;

struct Inner {
    /// Prefix of the backend's log lines.
    name: &'static str,
    make: MakeCmd,
    addr: String,
    server: Option<Server>,
}

impl Inner {
    fn start(&mut self) -> Result<(), String> {
        if self.server.is_none() {
            let server = Server::start(
                self.name,
                (self.make)(&self.addr),
                "listening on",
                Duration::from_secs(30),
            )?;
            self.server = Some(server);
        }
        Ok(())
    }

    fn stop(&mut self) {
        // Dropping stops it (SIGTERM, graceful shutdown, then wait).
        self.server = None;
    }
}

/// The supervised backend and its control server.
pub struct Supervised {
    inner: Arc<Mutex<Inner>>,
    /// `http://127.0.0.1:port` of the backend.
    pub url: String,
    /// `http://127.0.0.1:port` of the control server.
    pub control_url: String,
    db: PathBuf,
}

impl Supervised {
    /// Starts the backend with a fresh database file; `make` builds its
    /// command for a given `--addr`.
    pub fn start(
        make: impl Fn(&str, &std::path::Path) -> Command + Send + 'static,
    ) -> Result<Supervised, String> {
        Supervised::start_named("backend", make)
    }

    /// [`Supervised::start`], with `name` before the backend's log lines.
    /// The command must print a line with `listening on URL` once ready.
    pub fn start_named(
        name: &'static str,
        make: impl Fn(&str, &std::path::Path) -> Command + Send + 'static,
    ) -> Result<Supervised, String> {
        static STARTED: AtomicU32 = AtomicU32::new(0);
        let n = STARTED.fetch_add(1, Ordering::Relaxed);
        let db = std::env::temp_dir().join(format!("sse-chat-test-{}-{n}.db", std::process::id()));
        remove_db(&db);
        let db_for_cmd = db.clone();
        let mut inner = Inner {
            name,
            make: Box::new(move |addr| make(addr, &db_for_cmd)),
            addr: "127.0.0.1:0".into(),
            server: None,
        };
        inner.start()?;
        let url = inner
            .server
            .as_ref()
            .map(|s| s.url.clone())
            .unwrap_or_default();
        // Later starts reuse the port the first one got.
        inner.addr = url.trim_start_matches("http://").to_string();
        let inner = Arc::new(Mutex::new(inner));

        let listener =
            TcpListener::bind("127.0.0.1:0").map_err(|e| format!("control server: {e}"))?;
        let control_url = format!(
            "http://{}",
            listener.local_addr().map_err(|e| e.to_string())?
        );
        let shared = inner.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().map_while(Result::ok) {
                handle(stream, &shared);
            }
        });
        Ok(Supervised {
            inner,
            url,
            control_url,
            db,
        })
    }
}

impl Drop for Supervised {
    fn drop(&mut self) {
        if let Ok(mut inner) = self.inner.lock() {
            inner.stop();
        }
        remove_db(&self.db);
    }
}

fn remove_db(db: &std::path::Path) {
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
    }
}

fn handle(stream: TcpStream, inner: &Arc<Mutex<Inner>>) {
    answer_control(stream, |path| match inner.lock() {
        Err(_) => Err("supervisor lock poisoned".to_string()),
        Ok(mut inner) => match path {
            "/stop" => {
                inner.stop();
                Ok(())
            }
            "/start" => inner.start(),
            "/restart" => {
                inner.stop();
                inner.start()
            }
            _ => Err(format!("unknown control path {path}")),
        },
    });
}

/// Answers one request of a test control server: reads its path, runs
/// `act` on it, and replies 200 "ok" or 500 with the error (CORS open, so
/// a page's test can call it too). Shared by every harness control server.
pub fn answer_control(mut stream: TcpStream, act: impl FnOnce(&str) -> Result<(), String>) {
    let Ok(reading) = stream.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(reading);
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).is_err() {
        return;
    }
    // Skip the headers; these requests carry no body.
    let mut line = String::new();
    while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
        line.clear();
    }
    let path = request_line.split_whitespace().nth(1).unwrap_or("");
    let (status, body) = match act(path) {
        Ok(()) => ("200 OK", "ok".to_string()),
        Err(e) => ("500 Internal Server Error", e),
    };
    let _ = write!(
        stream,
        "HTTP/1.1 {status}\r\nAccess-Control-Allow-Origin: *\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
}
