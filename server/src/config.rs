//! Command-line configuration.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::bail;
use axum::http::Uri;
use clap::Parser;

/// Default capacity of the in-memory broadcast channel that fans live events
/// out to streams. A stream that falls further behind than this refills the
/// gap from the database, so the value trades memory for database reads.
pub const DEFAULT_BROADCAST_CAPACITY: usize = 1024;

/// Default of `--max-connections`.
pub const DEFAULT_MAX_CONNECTIONS: u64 = 5_000;

/// Default of `--max-room-users`.
pub const DEFAULT_MAX_ROOM_USERS: u64 = 10_000;
/// Default of `--presence-list-max`.
pub const DEFAULT_PRESENCE_LIST_MAX: u64 = crate::presence::DEFAULT_LIST_MAX as u64;

/// Settings of one server instance.
///
/// `main` parses it from the command line; tests build it with
/// [`Config::default`] (the same values as running with no flags) and then
/// change fields.
#[derive(Debug, Clone, Parser)]
#[command(
    name = "sse-chat-server",
    version,
    about = "Reference Server-Sent Events chat backend for sse-chat.",
    long_about = "Reference Server-Sent Events chat backend for sse-chat.\n\n\
        Serves the JSON/SSE protocol described in docs/PROTOCOL.md under /api, stores \
        messages in SQLite, and optionally serves the built web app from the same origin.\n\n\
        When it is listening it prints exactly one line to stdout: \
        `sse-chat-server listening on http://ADDR`. Logs go to stderr (filter with RUST_LOG, \
        e.g. RUST_LOG=debug or RUST_LOG=sse_chat_server=debug). SIGINT/SIGTERM shut it down \
        gracefully (up to 10 s for open connections); a second SIGINT exits at once with \
        status 130."
)]
pub struct Config {
    /// Address to listen on. Port 0 picks a free port; the address actually
    /// bound is printed on stdout.
    #[arg(long, value_name = "IP:PORT", default_value = "127.0.0.1:8787")]
    pub addr: SocketAddr,

    /// SQLite database file (WAL mode; parent directories are created).
    /// Default: $XDG_DATA_HOME/sse-chat/chat.db, else
    /// $HOME/.local/share/sse-chat/chat.db.
    #[arg(long, value_name = "PATH", conflicts_with = "memory")]
    pub db: Option<PathBuf>,

    /// Keep messages in an in-memory database that is lost on exit.
    #[arg(long)]
    pub memory: bool,

    /// Number of recent messages (of all followed rooms together) replayed to
    /// a stream that connects without a resume id.
    #[arg(
        long,
        value_name = "N",
        default_value_t = 100,
        value_parser = clap::value_parser!(u32).range(0..=10_000)
    )]
    pub history: u32,

    /// Seconds between `ping` events on every event stream.
    #[arg(
        long,
        value_name = "SECS",
        default_value_t = 15,
        value_parser = clap::value_parser!(u64).range(1..=3600)
    )]
    pub heartbeat: u64,

    /// Allow cross-origin requests (with credentials) from this exact origin,
    /// e.g. http://127.0.0.1:9000 (scheme://host or scheme://host:port, no
    /// path or trailing slash). Repeat the flag for several origins. Without it no CORS headers
    /// are sent.
    #[arg(long = "allow-origin", value_name = "ORIGIN", value_parser = parse_origin)]
    pub allow_origin: Vec<String>,

    /// Serve the built web app in DIR from the same origin: files by path,
    /// and DIR/index.html for every other path outside /api (SPA fallback).
    /// NAME.br / NAME.gz next to a file are sent to clients that accept
    /// them. Responses carry a strict Content-Security-Policy (no inline
    /// scripts or styles; connections to this origin only).
    /// DIR/index.html must exist.
    #[arg(long = "static", value_name = "DIR")]
    pub static_dir: Option<PathBuf>,

    /// Enable the fault-injection routes POST /api/_test/fail and
    /// POST /api/_test/drop. For test harnesses only; never in production.
    #[arg(long)]
    pub test_hooks: bool,

    /// Most connections open at once. Beyond it a new connection gets a
    /// 503 JSON answer and is closed. Keep it below the file descriptor
    /// limit (ulimit -n).
    #[arg(
        long,
        value_name = "N",
        default_value_t = DEFAULT_MAX_CONNECTIONS,
        value_parser = clap::value_parser!(u64).range(1..=1_000_000)
    )]
    pub max_connections: u64,

    /// Milliseconds a client has to send a complete request head (request
    /// line and headers), counted from its first byte. Slower connections
    /// are closed.
    #[arg(
        long,
        value_name = "MS",
        default_value_t = 10_000,
        value_parser = clap::value_parser!(u64).range(1..=3_600_000)
    )]
    pub header_timeout_ms: u64,

    /// Milliseconds a connection may sit idle: without any byte of a
    /// request (before the first one, or between keep-alive requests), or
    /// with a response the client does not read (writes blocked). Then it
    /// is closed. A quiet event stream is not idle.
    #[arg(
        long,
        value_name = "MS",
        default_value_t = 60_000,
        value_parser = clap::value_parser!(u64).range(1..=86_400_000)
    )]
    pub idle_timeout_ms: u64,

    /// Milliseconds a client has to send a whole request body once the head
    /// arrived. Slower requests are answered with 408 and closed.
    #[arg(
        long,
        value_name = "MS",
        default_value_t = 10_000,
        value_parser = clap::value_parser!(u64).range(1..=3_600_000)
    )]
    pub body_timeout_ms: u64,

    /// Most users present in one room at once; a stream that would add
    /// another one is refused with 503.
    #[arg(
        long,
        value_name = "N",
        default_value_t = DEFAULT_MAX_ROOM_USERS,
        value_parser = clap::value_parser!(u64).range(1..=1_000_000)
    )]
    pub max_room_users: u64,

    /// Milliseconds during which presence changes (joins and leaves) are
    /// collected before they are announced, as one event per room.
    #[arg(
        long,
        value_name = "MS",
        default_value_t = 200,
        value_parser = clap::value_parser!(u64).range(1..=10_000)
    )]
    pub presence_tick_ms: u64,

    /// Most user names a presence event lists per room; a larger room's
    /// events list the first ones by name and carry the `count`.
    #[arg(
        long,
        value_name = "N",
        default_value_t = DEFAULT_PRESENCE_LIST_MAX,
        value_parser = clap::value_parser!(u64).range(1..=1_000_000)
    )]
    pub presence_list_max: u64,

    /// Capacity of the live-event broadcast channel (not a flag; tests lower
    /// it to force the slow-subscriber refill path).
    #[arg(skip = DEFAULT_BROADCAST_CAPACITY)]
    pub broadcast_capacity: usize,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            addr: SocketAddr::from(([127, 0, 0, 1], 8787)),
            db: None,
            memory: false,
            history: 100,
            heartbeat: 15,
            allow_origin: Vec::new(),
            static_dir: None,
            test_hooks: false,
            max_connections: DEFAULT_MAX_CONNECTIONS,
            header_timeout_ms: 10_000,
            idle_timeout_ms: 60_000,
            body_timeout_ms: 10_000,
            max_room_users: DEFAULT_MAX_ROOM_USERS,
            presence_tick_ms: 200,
            presence_list_max: DEFAULT_PRESENCE_LIST_MAX,
            broadcast_capacity: DEFAULT_BROADCAST_CAPACITY,
        }
    }
}

/// Where the messages are stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DbLocation {
    /// `--memory`: a private in-memory database.
    Memory,
    /// A database file.
    File(PathBuf),
}

impl Config {
    /// Resolves `--db`/`--memory` and the XDG default into a location.
    pub fn db_location(&self) -> anyhow::Result<DbLocation> {
        if self.memory {
            if self.db.is_some() {
                bail!("--memory and --db cannot be used together");
            }
            return Ok(DbLocation::Memory);
        }
        if let Some(path) = &self.db {
            return Ok(DbLocation::File(path.clone()));
        }
        default_db_path(
            std::env::var_os("XDG_DATA_HOME").map(PathBuf::from),
            std::env::var_os("HOME").map(PathBuf::from),
        )
        .map(DbLocation::File)
    }

    /// Checks what clap cannot check (or what a hand-built `Config` may get
    /// wrong): origins, the static directory and numeric ranges.
    pub fn validate(&self) -> anyhow::Result<()> {
        for origin in &self.allow_origin {
            parse_origin(origin).map_err(|e| anyhow::anyhow!("--allow-origin: {e}"))?;
        }
        if let Some(dir) = &self.static_dir {
            check_static_dir(dir)?;
        }
        if self.heartbeat == 0 {
            bail!("--heartbeat must be at least 1 second");
        }
        if self.broadcast_capacity == 0 {
            bail!("the broadcast capacity must be at least 1");
        }
        self.check_limits()?;
        Ok(())
    }
}

impl Config {
    fn check_limits(&self) -> anyhow::Result<()> {
        let positive = [
            ("--max-connections", self.max_connections),
            ("--header-timeout-ms", self.header_timeout_ms),
            ("--idle-timeout-ms", self.idle_timeout_ms),
            ("--body-timeout-ms", self.body_timeout_ms),
            ("--max-room-users", self.max_room_users),
            ("--presence-tick-ms", self.presence_tick_ms),
            ("--presence-list-max", self.presence_list_max),
        ];
        for (flag, value) in positive {
            if value == 0 {
                bail!("{flag} must be at least 1");
            }
        }
        Ok(())
    }
}

/// `$XDG_DATA_HOME/sse-chat/chat.db` when that variable is an absolute path
/// (the XDG spec says to ignore relative ones), else
/// `$HOME/.local/share/sse-chat/chat.db`.
fn default_db_path(
    xdg_data_home: Option<PathBuf>,
    home: Option<PathBuf>,
) -> anyhow::Result<PathBuf> {
    let base = match xdg_data_home.filter(|p| p.is_absolute()) {
        Some(dir) => dir,
        None => match home.filter(|p| !p.as_os_str().is_empty()) {
            Some(home) => home.join(".local").join("share"),
            None => bail!(
                "cannot choose a default database path: neither XDG_DATA_HOME nor HOME is set; \
                 pass --db PATH or --memory"
            ),
        },
    };
    Ok(base.join("sse-chat").join("chat.db"))
}

fn check_static_dir(dir: &Path) -> anyhow::Result<()> {
    let index = dir.join("index.html");
    if !index.is_file() {
        bail!(
            "--static {}: {} does not exist; build the web app first or point --static at \
             the directory that contains its index.html",
            dir.display(),
            index.display()
        );
    }
    Ok(())
}

/// Why a `--allow-origin` value is not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OriginError {
    /// Not of the form `scheme://host[:port]` with an http(s) scheme.
    #[error(
        "{value:?} is not an origin; expected scheme://host[:port] with scheme http or \
         https and no path or trailing slash, e.g. http://127.0.0.1:9000"
    )]
    NotAnOrigin {
        /// The rejected value.
        value: String,
    },
    /// Contains upper-case letters, which would never match.
    #[error("{value:?} contains upper-case letters; browsers send origins in lower case")]
    UpperCase {
        /// The rejected value.
        value: String,
    },
}

/// Validates an exact CORS origin: `http` or `https`, a host, an optional
/// port, and nothing else (no path, query, user info or trailing slash).
pub fn parse_origin(value: &str) -> Result<String, OriginError> {
    let explain = || OriginError::NotAnOrigin {
        value: value.to_owned(),
    };
    let uri: Uri = value.parse().map_err(|_| explain())?;
    let scheme = uri.scheme_str().ok_or_else(explain)?;
    let authority = uri.authority().ok_or_else(explain)?;
    if !matches!(scheme, "http" | "https")
        || authority.as_str().contains('@')
        || authority.host().is_empty()
        || format!("{scheme}://{authority}") != value
    {
        return Err(explain());
    }
    // Browsers send origins in lower case; an upper-case flag would never match.
    if value.chars().any(|c| c.is_ascii_uppercase()) {
        return Err(OriginError::UpperCase {
            value: value.to_owned(),
        });
    }
    Ok(value.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn clap_definition_is_consistent() {
        Config::command().debug_assert();
    }

    #[test]
    fn defaults_match_the_flags() {
        let parsed = Config::try_parse_from(["sse-chat-server"]).unwrap();
        let default = Config::default();
        assert_eq!(parsed.addr, default.addr);
        assert_eq!(parsed.history, default.history);
        assert_eq!(parsed.heartbeat, default.heartbeat);
        assert_eq!(parsed.broadcast_capacity, default.broadcast_capacity);
        assert!(!parsed.memory && !parsed.test_hooks);
    }

    #[test]
    fn memory_conflicts_with_db() {
        assert!(Config::try_parse_from(["x", "--memory", "--db", "a.db"]).is_err());
    }

    #[test]
    fn origins() {
        assert!(parse_origin("http://127.0.0.1:9000").is_ok());
        assert!(parse_origin("https://chat.example").is_ok());
        assert!(parse_origin("http://[::1]:9000").is_ok());
        for bad in [
            "http://127.0.0.1:9000/",
            "http://a/b",
            "ftp://a",
            "127.0.0.1:9000",
            "*",
            "http://user@a",
            "http://a?x=1",
            "HTTP://A",
            "",
        ] {
            assert!(parse_origin(bad).is_err(), "{bad} should be rejected");
        }
        assert!(Config::try_parse_from(["x", "--allow-origin", "http://a/"]).is_err());
        assert_eq!(
            parse_origin("http://a/").unwrap_err().to_string(),
            "\"http://a/\" is not an origin; expected scheme://host[:port] with scheme http or \
             https and no path or trailing slash, e.g. http://127.0.0.1:9000"
        );
        assert_eq!(
            parse_origin("http://A").unwrap_err().to_string(),
            "\"http://A\" contains upper-case letters; browsers send origins in lower case"
        );
    }

    #[test]
    fn default_db_path_prefers_absolute_xdg() {
        let p = default_db_path(Some("/xdg".into()), Some("/home/u".into())).unwrap();
        assert_eq!(p, PathBuf::from("/xdg/sse-chat/chat.db"));
        let p = default_db_path(Some("relative".into()), Some("/home/u".into())).unwrap();
        assert_eq!(p, PathBuf::from("/home/u/.local/share/sse-chat/chat.db"));
        assert!(default_db_path(None, None).is_err());
    }

    #[test]
    fn static_dir_needs_index() {
        let dir = std::env::temp_dir().join(format!("sse-chat-static-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let config = Config {
            static_dir: Some(dir.clone()),
            ..Config::default()
        };
        let err = config.validate().unwrap_err().to_string();
        assert!(err.contains("index.html"), "{err}");
        std::fs::write(dir.join("index.html"), "<!doctype html>").unwrap();
        config.validate().unwrap();
        std::fs::remove_dir_all(&dir).ok();
    }
}
