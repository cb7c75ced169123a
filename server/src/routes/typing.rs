//! `POST /api/typing`: typing notifications, rate limited per (user, room).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use axum::extract::State;
use axum::http::StatusCode;

use crate::db;
use crate::error::ApiError;
use crate::extract::JsonObject;
use crate::hub::Typing;
use crate::routes::messages::named_field;
use crate::routes::AppState;
use crate::validate::{check_room, check_user};

/// At most one typing notification per this interval per (user, room).
pub const TYPING_INTERVAL: Duration = Duration::from_secs(2);

// Past this many remembered senders, expired entries are swept so the map
// cannot grow without bound.
const SWEEP_ABOVE: usize = 4096;

/// Remembers when each (user, room) last sent a typing notification.
#[derive(Debug, Default)]
pub struct TypingLimiter {
    last: Mutex<HashMap<(String, String), Instant>>,
}

impl TypingLimiter {
    /// Records a notification now, or returns how long to wait.
    pub fn check(&self, user: &str, room: &str) -> Result<(), Duration> {
        let now = Instant::now();
        let mut last = self.last.lock().unwrap_or_else(PoisonError::into_inner);
        if last.len() > SWEEP_ABOVE {
            last.retain(|_, at| now.duration_since(*at) < TYPING_INTERVAL);
        }
        let key = (user.to_owned(), room.to_owned());
        if let Some(at) = last.get(&key) {
            let elapsed = now.duration_since(*at);
            if elapsed < TYPING_INTERVAL {
                return Err(TYPING_INTERVAL - elapsed);
            }
        }
        last.insert(key, now);
        Ok(())
    }
}

/// `POST /api/typing` `{"room","user"}` → 204, or 429 with `Retry-After`.
pub async fn create(
    State(state): State<Arc<AppState>>,
    body: JsonObject,
) -> Result<StatusCode, ApiError> {
    let room = named_field(&body, "room", check_room)?;
    let user = named_field(&body, "user", check_user)?;
    if let Err(wait) = state.typing.check(&user, &room) {
        // Round up so a client that waits exactly Retry-After is accepted.
        let secs = wait.as_millis().div_ceil(1000).max(1);
        let secs = u64::try_from(secs).unwrap_or(u64::MAX);
        return Err(ApiError::too_many_requests(
            format!(
                "Too many typing notifications: at most one every {} seconds per user and room; \
                 retry in {secs} s.",
                TYPING_INTERVAL.as_secs()
            ),
            secs,
        ));
    }
    state.hub.publish_typing(Typing {
        room,
        user,
        ts: db::timestamp_ms(),
    });
    Ok(StatusCode::NO_CONTENT)
}
