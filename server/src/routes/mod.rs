//! HTTP routes and the router that ties them together.

pub mod events;
pub mod messages;
pub mod test_hooks;
pub mod typing;

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderName, HeaderValue, Method};
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::json;
use tokio::sync::watch;
use tower::ServiceExt;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::services::{ServeDir, ServeFile};

use crate::db::Db;
use crate::error::{json_errors, ApiError};
use crate::hub::{Hub, Metrics};
use crate::validate::MAX_BODY_BYTES;
use test_hooks::{fault_gate, FaultRoute, Faults};
use typing::TypingLimiter;

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
    /// Injected failures (`--test-hooks`).
    pub faults: Faults,
    /// `--static`: the web app, with index.html as SPA fallback.
    pub static_files: Option<ServeDir<ServeFile>>,
}

/// Builds the complete router: /api routes, fallbacks, JSON errors, CORS.
pub fn router(state: Arc<AppState>, allow_origins: &[String], test_hooks: bool) -> Router {
    let events = get(events::stream)
        .route_layer(middleware::from_fn_with_state(
            (Arc::clone(&state), FaultRoute::Events),
            fault_gate,
        ))
        // Added after the fault gate, so HEAD never consumes an armed fault.
        .head(events::wrong_method)
        .fallback(events::wrong_method);
    let create_message = post(messages::create).route_layer(middleware::from_fn_with_state(
        (Arc::clone(&state), FaultRoute::Messages),
        fault_gate,
    ));
    let mut api = Router::new()
        .route("/api/events", events)
        .route("/api/messages", create_message)
        .route("/api/rooms/{room}/messages", get(messages::history))
        .route("/api/typing", post(typing::create))
        .route("/api/health", get(health));
    if test_hooks {
        api = api
            .route("/api/_test/fail", post(test_hooks::fail))
            .route("/api/_test/drop", post(test_hooks::drop_streams));
    }
    let router = api
        // A Content-Length over the limit is refused before the body is read;
        // a chunked body is cut off at the limit while it is read.
        .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES))
        .fallback(fallback)
        .with_state(state);
    // Wrapping the finished router (rather than `Router::layer`, which runs
    // inside each route) lets the safety net see axum's final 405 response,
    // including its `Allow` header.
    let mut router = Router::new()
        .fallback_service(router)
        .layer(middleware::from_fn(json_errors));
    if !allow_origins.is_empty() {
        router = router.layer(cors(allow_origins));
    }
    router
}

fn cors(origins: &[String]) -> CorsLayer {
    // Origins were validated at startup, so parsing cannot fail here; skipping
    // a bad one is still safer than panicking.
    let origins: Vec<HeaderValue> = origins
        .iter()
        .filter_map(|o| HeaderValue::from_str(o).ok())
        .collect();
    CorsLayer::new()
        .allow_origin(AllowOrigin::list(origins))
        .allow_credentials(true)
        .allow_methods([Method::GET, Method::POST])
        .allow_headers([
            header::CONTENT_TYPE,
            HeaderName::from_static("last-event-id"),
        ])
        .expose_headers([header::RETRY_AFTER])
        .max_age(Duration::from_secs(600))
}

/// `GET /api/health`.
async fn health(State(state): State<Arc<AppState>>) -> Response {
    let last_id = state.hub.last_id();
    Json(json!({ "status": "ok", "last_id": last_id })).into_response()
}

/// Unknown /api paths → 404 JSON; anything else → the static app (if any).
async fn fallback(State(state): State<Arc<AppState>>, request: Request) -> Response {
    let path = request.uri().path();
    let is_api = path == "/api" || path.starts_with("/api/");
    match (&state.static_files, is_api) {
        (Some(files), false) => match files.clone().oneshot(request).await {
            Ok(response) => response.map(Body::new),
            Err(never) => match never {},
        },
        _ => ApiError::not_found(format!("There is no resource at {path}.")).into_response(),
    }
}
