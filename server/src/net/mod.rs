//! The connection layer: accepts TCP connections and serves HTTP/1.1 on
//! them with hyper, in place of `axum::serve`, which has no timeouts and no
//! connection limit.
//!
//! - **Connection cap**: at most `max_connections` are served at once; a
//!   connection beyond that gets a `503` JSON answer with `Retry-After` and
//!   `Connection: close`, and is closed.
//! - **Timeouts**: header and idle timeouts per connection (see
//!   [`activity`]), and a body timeout enforced where bodies are read
//!   ([`crate::extract::JsonObject`], answered with `408`).
//! - **Errors before routing**: URIs over [`crate::limits::MAX_URI_BYTES`]
//!   get a JSON `414` ([`conn`]); hyper's own bodyless answers to requests
//!   it cannot parse (400, 414, 431) are replaced by JSON ones ([`io`]).
//! - **Graceful shutdown**: when `signal` completes, accepting stops, every
//!   connection finishes its request in flight (event streams end through
//!   the app's own shutdown flag) and [`serve`] returns once all are closed.
//!
//! Every limit logs a line when it acts, throttled so that a flood of
//! connections cannot flood the log ([`crate::log_throttle`]).

pub mod activity;
pub mod conn;
pub mod io;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, Semaphore};

use crate::error::json_body;
use crate::log_throttle::{more, Throttle};
use crate::metrics::Metrics;
use conn::{NetConfig, Shared};

/// Most connections being refused at once; more are dropped at once.
const MAX_REFUSING: usize = 256;
/// How long a refused connection gets to receive its 503.
const REFUSE_TIME: Duration = Duration::from_secs(1);

static REFUSED_LOG: Throttle = Throttle::new(10_000);
static ACCEPT_ERROR_LOG: Throttle = Throttle::new(10_000);

/// Serves `router` on `listener` until `signal` completes and every
/// connection has closed. See the module docs.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    config: NetConfig,
    metrics: Arc<Metrics>,
    signal: impl Future<Output = ()> + Send + 'static,
) {
    let shared = Arc::new(Shared {
        router,
        config,
        metrics,
    });
    let slots = Arc::new(Semaphore::new(config.max_connections));
    let refusing = Arc::new(Semaphore::new(MAX_REFUSING));
    let (closing_tx, closing_rx) = watch::channel(false);
    tokio::pin!(signal);
    loop {
        let (stream, peer) = tokio::select! {
            () = &mut signal => break,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(err) => {
                    accept_failed(err).await;
                    continue;
                }
            },
        };
        // Events are small and latency matters more than packet count.
        if let Err(err) = stream.set_nodelay(true) {
            tracing::trace!(error = %err, "could not set TCP_NODELAY");
        }
        match Arc::clone(&slots).try_acquire_owned() {
            Ok(slot) => {
                let connection =
                    conn::serve(stream, peer, Arc::clone(&shared), closing_rx.clone(), slot);
                tokio::spawn(connection);
            }
            Err(_) => refuse(stream, &shared, &refusing),
        }
    }
    drop(listener);
    tracing::debug!("stopped accepting connections; waiting for open ones to finish");
    closing_tx.send_replace(true);
    drop(closing_rx);
    // Every connection task holds a receiver.
    closing_tx.closed().await;
}

/// Errors of `accept` are about one connection (ignored) or about the
/// process, such as running out of file descriptors (logged, and accepting
/// pauses briefly instead of spinning).
async fn accept_failed(err: std::io::Error) {
    use std::io::ErrorKind;
    if matches!(
        err.kind(),
        ErrorKind::ConnectionRefused | ErrorKind::ConnectionAborted | ErrorKind::ConnectionReset
    ) {
        return;
    }
    if let Some(suppressed) = ACCEPT_ERROR_LOG.allow() {
        tracing::error!(
            error = %err,
            "could not accept a connection (is the file descriptor limit lower than \
             --max-connections?){}",
            more(suppressed)
        );
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
}

/// Answers a connection beyond the cap with a 503 and closes it (after
/// reading what the client sent, so that the close is not a reset).
fn refuse(mut stream: TcpStream, shared: &Shared, refusing: &Arc<Semaphore>) {
    shared.metrics.record_refused_connection();
    let max = shared.config.max_connections;
    if let Some(suppressed) = REFUSED_LOG.allow() {
        tracing::warn!(
            "connection limit reached: {max} connections are open (--max-connections); \
             answering new ones with 503{}",
            more(suppressed)
        );
    }
    let Ok(permit) = Arc::clone(refusing).try_acquire_owned() else {
        return; // dropping the stream closes it
    };
    let body = json_body(&format!(
        "The server has too many open connections (at most {max}); try again shortly."
    ));
    let answer = format!(
        "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\n\
         content-length: {}\r\nretry-after: 1\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    tokio::spawn(async move {
        let answered = async {
            stream.write_all(answer.as_bytes()).await?;
            stream.shutdown().await?;
            let mut scratch = [0u8; 4096];
            while stream.read(&mut scratch).await? > 0 {}
            Ok::<_, std::io::Error>(())
        };
        let _ = tokio::time::timeout(REFUSE_TIME, answered).await;
        drop(permit);
    });
}
