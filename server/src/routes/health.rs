//! `GET /api/health`: liveness and the newest message id.

use std::sync::Arc;

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;

use crate::routes::state::AppState;

/// The health route.
pub fn router() -> Router<Arc<AppState>> {
    Router::new().route("/api/health", get(health))
}

/// `GET /api/health`.
async fn health(State(state): State<Arc<AppState>>) -> Response {
    let last_id = state.hub.last_id();
    Json(json!({ "status": "ok", "last_id": last_id })).into_response()
}
