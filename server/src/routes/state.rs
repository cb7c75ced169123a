//! [`AppState`]: what every handler shares.
//!
//! In a file of its own so that route modules and the router in `mod.rs`
//! can all depend on it without depending on each other.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;
use tower_http::services::{ServeDir, ServeFile};

use crate::db::Db;
use crate::hub::{Hub, Metrics};
use crate::routes::faults::Faults;
use crate::typing_limiter::TypingLimiter;

/// State shared by all handlers.
#[derive(Debug)]
pub struct AppState {
    /// Message storage.
    pub db: Db,
    /// Live fan-out and presence.
    pub hub: Arc<Hub>,
    /// Counters.
    pub metrics: Arc<Metrics>,
    /// `--history`.
    pub history: usize,
    /// `--heartbeat`.
    pub heartbeat: Duration,
    /// Becomes `true` when the server starts shutting down.
    pub shutdown: watch::Receiver<bool>,
    /// Bumped by `POST /api/_test/drop`; every open stream ends on a change.
    pub drops: watch::Sender<u64>,
    /// Per-user typing rate limit.
    pub typing: TypingLimiter,
    /// Injected failures (`--test-hooks`); shared with the fault gates.
    pub faults: Arc<Faults>,
    /// `--static`: the web app, with index.html as SPA fallback.
    pub static_files: Option<ServeDir<ServeFile>>,
}
