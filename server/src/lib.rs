//! Reference Server-Sent Events chat backend for sse-chat.
//!
//! The protocol is specified in `docs/PROTOCOL.md`. The binary (`main.rs`)
//! parses a [`Config`], binds a listener and calls [`serve`]; tests do the
//! same in-process on a loopback listener, using [`App`] when they need the
//! [`Metrics`].

#![warn(missing_docs)]

pub mod config;
pub mod db;
pub mod error;
pub mod extract;
pub mod hub;
pub mod limits;
pub mod log_throttle;
pub mod metrics;
pub mod net;
pub mod presence;
pub mod routes;
pub mod sse;
pub mod typing_limiter;
pub mod validate;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use axum::Router;
use tokio::net::TcpListener;
use tokio::sync::watch;

pub use config::{Config, DbLocation};
pub use hub::Metrics;

use db::Db;
use hub::{Hub, HubConfig};
use net::conn::NetConfig;
use routes::state::AppState;

/// How long connections get to finish after a shutdown signal before the
/// database is closed anyway (a client that stopped reading can keep its
/// connection from draining forever).
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

/// A configured server, ready to [`App::serve`].
pub struct App {
    state: Arc<AppState>,
    router: Router,
    net: NetConfig,
    shutdown_tx: watch::Sender<bool>,
}

impl std::fmt::Debug for App {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("App").finish_non_exhaustive()
    }
}

impl App {
    /// Validates `config`, opens the database and builds the router.
    pub fn new(config: Config) -> anyhow::Result<App> {
        config.validate()?;
        let location = config.db_location()?;
        let db = Db::open(&location)?;
        // Read synchronously: nothing else uses the connection yet.
        let last_id = db
            .max_id_blocking()
            .context("could not read the newest message id")?;
        match &location {
            DbLocation::Memory => tracing::info!("using an in-memory database"),
            DbLocation::File(path) => {
                tracing::info!(path = %path.display(), ?last_id, "database opened")
            }
        }
        let (shutdown_tx, shutdown_rx) = watch::channel(false);
        let (drops, _) = watch::channel(0u64);
        let static_files = config
            .static_dir
            .as_deref()
            .map(routes::static_files::service);
        let state = Arc::new(AppState {
            db,
            hub: Hub::new(hub_config(&config), last_id),
            metrics: Arc::new(Metrics::default()),
            history: config.history as usize,
            heartbeat: Duration::from_secs(config.heartbeat),
            shutdown: shutdown_rx,
            drops,
            typing: Default::default(),
            faults: Default::default(),
            static_files,
        });
        let router = routes::router(Arc::clone(&state), &config.allow_origin, config.test_hooks);
        Ok(App {
            state,
            router,
            net: net_config(&config),
            shutdown_tx,
        })
    }

    /// Counters of this instance (e.g. how often slow streams were refilled).
    pub fn metrics(&self) -> Arc<Metrics> {
        Arc::clone(&self.state.metrics)
    }

    /// Serves on `listener` until `shutdown` completes, then ends every event
    /// stream, waits for connections to finish (at most [`SHUTDOWN_GRACE`]),
    /// checkpoints and closes the database.
    pub async fn serve(
        self,
        listener: TcpListener,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let App {
            state,
            router,
            net,
            shutdown_tx,
        } = self;
        tokio::spawn(Arc::clone(&state.hub).run_presence_ticks(shutdown_tx.subscribe()));
        let shutdown_tx = Arc::new(shutdown_tx);
        let signal = {
            let shutdown_tx = Arc::clone(&shutdown_tx);
            async move {
                shutdown.await;
                tracing::info!("shutting down: ending event streams");
                // Streams select on this flag, so they end and let axum's
                // graceful shutdown finish.
                shutdown_tx.send_replace(true);
            }
        };
        let server = net::serve(listener, router, net, Arc::clone(&state.metrics), signal);
        let mut closing = shutdown_tx.subscribe();
        let grace = async move {
            if closing.wait_for(|closing| *closing).await.is_ok() {
                tokio::time::sleep(SHUTDOWN_GRACE).await;
            } else {
                std::future::pending::<()>().await;
            }
        };
        let served = tokio::select! {
            () = server => Ok(()),
            () = grace => {
                tracing::warn!(
                    "connections still open {SHUTDOWN_GRACE:?} after the shutdown signal; closing anyway"
                );
                Ok(())
            }
        };
        shutdown_tx.send_replace(true);
        let closed = state.db.close().await;
        match &closed {
            Ok(()) => tracing::info!("database closed"),
            Err(err) => tracing::error!(error = %err, "closing the database failed"),
        }
        served.and(closed.map_err(anyhow::Error::from))
    }
}

fn hub_config(config: &Config) -> HubConfig {
    HubConfig {
        capacity: config.broadcast_capacity,
        max_room_users: usize::try_from(config.max_room_users).unwrap_or(usize::MAX),
        presence_tick: Duration::from_millis(config.presence_tick_ms),
        presence_list_max: usize::try_from(config.presence_list_max).unwrap_or(usize::MAX),
    }
}

fn net_config(config: &Config) -> NetConfig {
    NetConfig {
        max_connections: usize::try_from(config.max_connections).unwrap_or(usize::MAX),
        header_timeout: Duration::from_millis(config.header_timeout_ms),
        idle_timeout: Duration::from_millis(config.idle_timeout_ms),
        body_timeout: Duration::from_millis(config.body_timeout_ms),
    }
}

/// Runs the server described by `config` on `listener` until `shutdown`
/// completes. See [`App::serve`].
pub async fn serve(
    config: Config,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    App::new(config)?.serve(listener, shutdown).await
}
