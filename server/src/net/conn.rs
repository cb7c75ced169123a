//! One accepted connection: HTTP/1.1 through hyper, the application behind
//! a thin service wrapper, and a watchdog for the header and idle timeouts.

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::{Request, Response, StatusCode};
use axum::response::IntoResponse;
use axum::Router;
use http_body::{Frame, SizeHint};
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;
use tokio::sync::{oneshot, watch, OwnedSemaphorePermit};
use tower::ServiceExt;

use super::activity::{Activity, Expired};
use super::io::ConnIo;
use crate::error::ApiError;
use crate::extract::BodyDeadline;
use crate::limits::{MAX_HEADERS, MAX_HEAD_BYTES, MAX_URI_BYTES};
use crate::log_throttle::{more, Throttle};
use crate::metrics::Metrics;

/// Timeouts and limits of the connection layer.
#[derive(Debug, Clone, Copy)]
pub struct NetConfig {
    /// Most connections open at once (`--max-connections`).
    pub max_connections: usize,
    /// `--header-timeout-ms`.
    pub header_timeout: Duration,
    /// `--idle-timeout-ms`.
    pub idle_timeout: Duration,
    /// `--body-timeout-ms`.
    pub body_timeout: Duration,
}

/// What every connection task shares.
#[derive(Debug)]
pub struct Shared {
    /// The application.
    pub router: Router,
    /// Timeouts and limits.
    pub config: NetConfig,
    /// Where the timeouts are counted.
    pub metrics: Arc<Metrics>,
}

static HEADER_TIMEOUT_LOG: Throttle = Throttle::new(10_000);
static IDLE_TIMEOUT_LOG: Throttle = Throttle::new(10_000);

/// Serves `stream` until the client or a timeout closes it, or the server
/// shuts down (`closing`). Holds `permit` (a connection slot) meanwhile.
pub async fn serve(
    stream: TcpStream,
    peer: SocketAddr,
    shared: Arc<Shared>,
    closing: watch::Receiver<bool>,
    permit: OwnedSemaphorePermit,
) {
    shared.metrics.record_connection_opened();
    let activity = Arc::new(Activity::new());
    let service = ConnService {
        router: shared.router.clone(),
        activity: Arc::clone(&activity),
        deadline: BodyDeadline {
            timeout: shared.config.body_timeout,
            metrics: Arc::clone(&shared.metrics),
        },
    };
    let io = TokioIo::new(ConnIo::new(stream, Arc::clone(&activity)));
    let conn = hyper::server::conn::http1::Builder::new()
        // The read buffer must hold a whole head; a little more so that the
        // exact header limit below is what a large head runs into.
        .max_buf_size(MAX_HEAD_BYTES + 8 * 1024)
        .max_header_size(MAX_HEAD_BYTES)
        .max_headers(MAX_HEADERS)
        .serve_connection(io, service);
    tokio::pin!(conn);
    // The timeouts and the shutdown signal are watched by a task of their
    // own: this loop runs on every wake-up of the connection (every event
    // of a stream), and polling two oneshot receivers costs next to
    // nothing, unlike timers and shared watch channels.
    let (graceful_tx, mut graceful) = oneshot::channel();
    let (expire_tx, mut expire) = oneshot::channel();
    tokio::spawn(watchdog(
        Arc::clone(&activity),
        shared.config,
        closing,
        graceful_tx,
        expire_tx,
    ));
    let (mut shutting_down, mut watched) = (false, true);
    loop {
        tokio::select! {
            biased;
            result = conn.as_mut() => {
                if let Err(err) = result {
                    tracing::debug!(%peer, error = %err, "connection ended with an error");
                }
                break;
            }
            expired = &mut expire, if watched => match expired {
                Ok(expired) => {
                    log_expiry(expired, peer, &shared);
                    break;
                }
                Err(_) => watched = false,
            },
            _ = &mut graceful, if !shutting_down => {
                conn.as_mut().graceful_shutdown();
                shutting_down = true;
            }
        }
    }
    shared.metrics.record_connection_closed();
    drop(permit);
}

/// Tells the connection to shut down gracefully when the server closes,
/// and to close when a timeout expires; ends with the connection.
async fn watchdog(
    activity: Arc<Activity>,
    config: NetConfig,
    mut closing: watch::Receiver<bool>,
    graceful: oneshot::Sender<()>,
    mut expire: oneshot::Sender<Expired>,
) {
    let mut graceful = Some(graceful);
    let timeouts = activity.watch(config.header_timeout, config.idle_timeout);
    tokio::pin!(timeouts);
    let expired = loop {
        tokio::select! {
            expired = &mut timeouts => break expired,
            () = expire.closed() => return,
            _ = closing.wait_for(|closing| *closing), if graceful.is_some() => {
                if let Some(graceful) = graceful.take() {
                    let _ = graceful.send(());
                }
            }
        }
    };
    let _ = expire.send(expired);
}

fn log_expiry(expired: Expired, peer: SocketAddr, shared: &Shared) {
    let config = &shared.config;
    match expired {
        Expired::Header => {
            shared.metrics.record_header_timeout();
            if let Some(suppressed) = HEADER_TIMEOUT_LOG.allow() {
                tracing::info!(
                    %peer,
                    "closed a connection: its request head was not complete {:?} after its \
                     first byte (--header-timeout-ms){}",
                    config.header_timeout,
                    more(suppressed)
                );
            }
        }
        Expired::Idle => {
            shared.metrics.record_idle_timeout();
            if let Some(suppressed) = IDLE_TIMEOUT_LOG.allow() {
                tracing::info!(
                    %peer,
                    "closed a connection idle for {:?}: no request, or a response the client \
                     does not read (--idle-timeout-ms){}",
                    config.idle_timeout,
                    more(suppressed)
                );
            }
        }
    }
}

/// The application as hyper calls it, once per request.
#[derive(Debug, Clone)]
struct ConnService {
    router: Router,
    activity: Arc<Activity>,
    deadline: BodyDeadline,
}

type ServiceFuture =
    Pin<Box<dyn Future<Output = Result<Response<TrackedBody>, Infallible>> + Send>>;

impl hyper::service::Service<Request<Incoming>> for ConnService {
    type Response = Response<TrackedBody>;
    type Error = Infallible;
    type Future = ServiceFuture;

    fn call(&self, request: Request<Incoming>) -> Self::Future {
        let guard = InFlight::start(&self.activity);
        let mut request = request.map(Body::new);
        request.extensions_mut().insert(self.deadline.clone());
        let router = self.router.clone();
        Box::pin(async move {
            let response = match uri_too_long(&request) {
                Some(error) => error.into_response(),
                None => match router.oneshot(request).await {
                    Ok(response) => response,
                    Err(never) => match never {},
                },
            };
            Ok(response.map(|body| TrackedBody {
                inner: body,
                _in_flight: guard,
            }))
        })
    }
}

/// 414 for a request URI over [`MAX_URI_BYTES`], before any routing.
fn uri_too_long(request: &Request<Body>) -> Option<ApiError> {
    let uri = request.uri();
    let len = uri.path_and_query().map_or(0, |pq| pq.as_str().len())
        + uri.authority().map_or(0, |a| a.as_str().len())
        + uri.scheme_str().map_or(0, str::len);
    (len > MAX_URI_BYTES).then(|| {
        ApiError::new(
            StatusCode::URI_TOO_LONG,
            format!(
                "The request URI is longer than the limit of {} KiB.",
                MAX_URI_BYTES / 1024
            ),
        )
    })
}

/// A request counted as in flight until dropped.
#[derive(Debug)]
struct InFlight(Arc<Activity>);

impl InFlight {
    fn start(activity: &Arc<Activity>) -> InFlight {
        activity.request_started();
        InFlight(Arc::clone(activity))
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.request_finished();
    }
}

/// A response body that keeps its request in flight until hyper drops it
/// (after its last frame, or when the connection closes).
#[derive(Debug)]
struct TrackedBody {
    inner: Body,
    _in_flight: InFlight,
}

impl http_body::Body for TrackedBody {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        Pin::new(&mut self.get_mut().inner).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}
