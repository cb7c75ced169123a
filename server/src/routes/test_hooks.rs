//! Fault injection for test harnesses (`--test-hooks` only).
//!
//! `POST /api/_test/fail` makes the next N requests of a route fail with a
//! chosen status; `POST /api/_test/drop` ends every open event stream. The
//! gate middleware is always installed, but without `--test-hooks` nothing
//! can arm it, so production behaviour is unchanged.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::ApiError;
use crate::extract::JsonObject;
use crate::routes::AppState;

/// A route that faults can be injected into.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FaultRoute {
    /// `GET /api/events`.
    Events,
    /// `POST /api/messages`.
    Messages,
}

#[derive(Debug, Clone, Copy)]
struct Fault {
    status: StatusCode,
    remaining: u64,
}

/// Armed faults per route.
#[derive(Debug, Default)]
pub struct Faults {
    armed: Mutex<HashMap<FaultRoute, Fault>>,
}

impl Faults {
    fn arm(&self, route: FaultRoute, status: StatusCode, times: u64) {
        let mut armed = self.armed.lock().unwrap_or_else(PoisonError::into_inner);
        armed.insert(
            route,
            Fault {
                status,
                remaining: times,
            },
        );
    }

    /// Consumes one armed failure of `route`, if any.
    fn take(&self, route: FaultRoute) -> Option<StatusCode> {
        let mut armed = self.armed.lock().unwrap_or_else(PoisonError::into_inner);
        let fault = armed.get_mut(&route)?;
        let status = fault.status;
        fault.remaining = fault.remaining.saturating_sub(1);
        if fault.remaining == 0 {
            armed.remove(&route);
        }
        Some(status)
    }
}

/// Middleware answering with an armed failure instead of calling the route.
pub async fn fault_gate(
    State((state, route)): State<(Arc<AppState>, FaultRoute)>,
    request: Request,
    next: Next,
) -> Response {
    let Some(status) = state.faults.take(route) else {
        return next.run(request).await;
    };
    tracing::info!(?route, status = status.as_u16(), "injected failure");
    let mut response = if status == StatusCode::NO_CONTENT {
        StatusCode::NO_CONTENT.into_response()
    } else {
        ApiError::new(
            status,
            format!(
                "Injected failure: this response (status {}) was forced by POST /api/_test/fail.",
                status.as_u16()
            ),
        )
        .into_response()
    };
    if matches!(
        status,
        StatusCode::SERVICE_UNAVAILABLE | StatusCode::TOO_MANY_REQUESTS
    ) {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    }
    response
}

/// `POST /api/_test/fail` `{"route":"events"|"messages","status":200..=599,"times":N}`.
pub async fn fail(
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
pub async fn drop_streams(State(state): State<Arc<AppState>>) -> StatusCode {
    state
        .drops
        .send_modify(|generation| *generation = generation.wrapping_add(1));
    StatusCode::NO_CONTENT
}
