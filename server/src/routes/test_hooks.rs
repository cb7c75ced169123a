//! Fault injection for test harnesses (`--test-hooks` only).
//!
//! `POST /api/_test/fail` makes the next N requests of a route fail with a
//! chosen status (see [`crate::routes::faults`]); `POST /api/_test/drop`
//! ends every open event stream. Without `--test-hooks` these routes do not
//! exist, so nothing can arm a fault.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use axum::Router;

use crate::error::ApiError;
use crate::extract::JsonObject;
use crate::routes::faults::FaultRoute;
use crate::routes::state::AppState;

/// The fault-injection routes; merged only with `--test-hooks`.
pub fn router() -> Router<Arc<AppState>> {
    Router::new()
        .route("/api/_test/fail", post(fail))
        .route("/api/_test/drop", post(drop_streams))
}

/// `POST /api/_test/fail` `{"route":"events"|"messages","status":200..=599,"times":N}`.
async fn fail(
    State(state): State<Arc<AppState>>,
    body: JsonObject,
) -> Result<StatusCode, ApiError> {
    let route = match body.required_str("route")? {
        "events" => FaultRoute::Events,
        "messages" => FaultRoute::Messages,
        other => {
            return Err(ApiError::unprocessable(format!(
                "The field `route` must be \"events\" or \"messages\" (got {other:?})."
            )))
        }
    };
    let status = body
        .optional_int("status")?
        .ok_or_else(|| ApiError::unprocessable("The field `status` is required."))?;
    let status = u16::try_from(status)
        .ok()
        .filter(|s| (200..=599).contains(s))
        .and_then(|s| StatusCode::from_u16(s).ok())
        .ok_or_else(|| {
            ApiError::unprocessable(format!(
                "The field `status` must be an HTTP status from 200 to 599 (got {status})."
            ))
        })?;
    let times = body.optional_int("times")?.unwrap_or(1);
    let times = u64::try_from(times)
        .ok()
        .filter(|t| (1..=1_000_000).contains(t))
        .ok_or_else(|| {
            ApiError::unprocessable(format!(
                "The field `times` must be between 1 and 1000000 (got {times})."
            ))
        })?;
    state.faults.arm(route, status, times);
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/_test/drop`: ends every open event stream.
async fn drop_streams(State(state): State<Arc<AppState>>) -> StatusCode {
    state
        .drops
        .send_modify(|generation| *generation = generation.wrapping_add(1));
    state.hub.close_streams();
    StatusCode::NO_CONTENT
}
