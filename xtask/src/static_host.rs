//! A plain static file host for the "dist/ on any static site" e2e test:
//! it serves dist/ under `/chat/` (no SPA fallback, no CSP, no
//! compression: the least a host does) and a `config.json` pointing at a
//! backend on another origin. Its listener is bound before the backend
//! starts, so the backend's `--allow-origin` names the real port.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;

/// The path prefix the app is hosted under.
pub const PREFIX: &str = "/chat/";

/// A host bound on a free loopback port; serving starts with [`StaticHost::serve`].
pub struct StaticHost {
    listener: TcpListener,
    pub origin: String,
}

impl StaticHost {
    pub fn bind() -> Result<StaticHost, String> {
        let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| format!("static host: {e}"))?;
        let port = listener.local_addr().map_err(|e| e.to_string())?.port();
        Ok(StaticHost {
            listener,
            origin: format!("http://127.0.0.1:{port}"),
        })
    }

    /// Serves `dist` and `config_json` on a background thread (it ends with
    /// the process).
    pub fn serve(self, dist: PathBuf, config_json: String) {
        std::thread::spawn(move || {
            for stream in self.listener.incoming().flatten() {
                let (dist, config) = (dist.clone(), config_json.clone());
                std::thread::spawn(move || {
                    let _ = answer(stream, &dist, &config);
                });
            }
        });
    }
}

fn answer(mut stream: TcpStream, dist: &std::path::Path, config: &str) -> std::io::Result<()> {
    let mut line = String::new();
    BufReader::new(&stream).read_line(&mut line)?;
    let path = line.split_whitespace().nth(1).unwrap_or("/");
    let path = path.split('?').next().unwrap_or("/");
    let (status, body, kind) = match path.strip_prefix(PREFIX) {
        Some("config.json") => (200, config.as_bytes().to_vec(), "application/json"),
        Some(rest) if !rest.contains("..") => {
            let file = dist.join(if rest.is_empty() { "index.html" } else { rest });
            match std::fs::read(&file) {
                Ok(bytes) => (200, bytes, content_type(rest)),
                Err(_) => (404, b"not found".to_vec(), "text/plain"),
            }
        }
        _ => (404, b"not found".to_vec(), "text/plain"),
    };
    let head = format!(
        "HTTP/1.1 {status} {}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        if status == 200 { "OK" } else { "Not Found" },
        body.len()
    );
    stream.write_all(head.as_bytes())?;
    stream.write_all(&body)
}

fn content_type(name: &str) -> &'static str {
    match name.rsplit('.').next() {
        Some("js" | "mjs") => "text/javascript",
        Some("wasm") => "application/wasm",
        Some("css") => "text/css",
        Some("svg") => "image/svg+xml",
        Some("json") => "application/json",
        _ => "text/html; charset=utf-8",
    }
}

#[cfg(test)]
mod tests {
    use super::content_type;

    #[test]
    fn wasm_is_served_as_wasm() {
        assert_eq!(content_type("app-1a2b_bg.wasm"), "application/wasm");
        assert_eq!(content_type(""), "text/html; charset=utf-8");
    }
}
