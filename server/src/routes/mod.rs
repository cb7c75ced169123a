//! HTTP routes and the router that ties them together.
//!
//! Each route module owns its paths and exposes a `router` function (given
//! the app's [`faults::Faults`] where a route has a fault gate); this module
//! merges them and adds what applies to all of them: the body limit, the
//! fallback (404 JSON or the static app, see [`static_files`]), JSON errors
//! and CORS. Shared state lives in [`state`], injected failures in
//! [`faults`], the SSE stream itself in [`event_stream`].

pub mod event_stream;
pub mod events;
pub mod faults;
pub mod health;
pub mod messages;
pub mod state;
pub mod static_files;
pub mod test_hooks;
pub mod typing;

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::{header, HeaderName, HeaderValue, Method};
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::Router;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::limit::RequestBodyLimitLayer;

use crate::error::{json_errors, ApiError};
use crate::limits::MAX_BODY_BYTES;
use state::AppState;

/// Builds the complete router: /api routes, fallbacks, JSON errors, CORS.
pub fn router(state: Arc<AppState>, allow_origins: &[String], test_hooks: bool) -> Router {
    let mut api = Router::new()
        .merge(events::router(&state.faults))
        .merge(messages::router(&state.faults))
        .merge(typing::router())
        .merge(health::router());
    if test_hooks {
        api = api.merge(test_hooks::router());
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

/// Unknown /api paths → 404 JSON; anything else → the static app (if any).
async fn fallback(State(state): State<Arc<AppState>>, request: Request) -> Response {
    let path = request.uri().path();
    let is_api = path == "/api" || path.starts_with("/api/");
    match (&state.static_files, is_api) {
        (Some(files), false) => static_files::serve(files.clone(), request).await,
        _ => ApiError::not_found(format!("There is no resource at {path}.")).into_response(),
    }
}
