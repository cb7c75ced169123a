//! `POST /api/typing`: typing notifications, rate limited per user (see
//! [`crate::typing_limiter`]).

use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use axum::Router;

use crate::db;
use crate::error::ApiError;
use crate::extract::JsonObject;
use crate::hub::Typing;
use crate::routes::state::AppState;
use crate::typing_limiter::{Refused, TYPING_INTERVAL};
use crate::validate::{check_room, check_user};

/// The typing route.
pub fn router() -> Router<Arc<AppState>> {
    Router::new().route("/api/typing", post(create))
}

/// Whole seconds to wait, rounded up so a client that waits exactly
/// `Retry-After` is accepted.
fn retry_secs(wait: Duration) -> u64 {
    let secs = wait.as_millis().div_ceil(1000).max(1);
    u64::try_from(secs).unwrap_or(u64::MAX)
}

/// `POST /api/typing` `{"room","user"}` → 204, or 429 with `Retry-After`.
async fn create(
    State(state): State<Arc<AppState>>,
    body: JsonObject,
) -> Result<StatusCode, ApiError> {
    let room = body.required_name("room", check_room)?;
    let user = body.required_name("user", check_user)?;
    match state.typing.check(&user) {
        Ok(()) => {}
        Err(Refused::TooSoon(wait)) => {
            let secs = retry_secs(wait);
            return Err(ApiError::too_many_requests(
                format!(
                    "Too many typing notifications: at most one every {} seconds per user \
                     (in any room); retry in {secs} s.",
                    TYPING_INTERVAL.as_secs()
                ),
                secs,
            ));
        }
        Err(Refused::Full) => {
            let secs = retry_secs(TYPING_INTERVAL);
            // Debug only: a client inventing names could otherwise fill the log.
            tracing::debug!(
                limit = state.typing.capacity(),
                "typing limiter full; refusing a new typist"
            );
            return Err(ApiError::too_many_requests(
                format!(
                    "Too many users are sending typing notifications right now (the server \
                     tracks at most {} at once); retry in {secs} s.",
                    state.typing.capacity()
                ),
                secs,
            ));
        }
    }
    state.hub.publish_typing(Typing {
        room,
        user,
        ts: db::timestamp_ms(),
    });
    Ok(StatusCode::NO_CONTENT)
}
