//! Injected failures (`--test-hooks`): which routes are armed to fail, and
//! the middleware that answers with an armed failure.
//!
//! The gate is always installed on the routes listed in [`FaultRoute`], but
//! only `POST /api/_test/fail` (see `crate::routes::test_hooks`) can arm
//! it, and that route exists only with `--test-hooks`, so production
//! behaviour is unchanged.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::ApiError;

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
    /// Makes the next `times` requests of `route` fail with `status`.
    pub(crate) fn arm(&self, route: FaultRoute, status: StatusCode, times: u64) {
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
///
/// Installed with `middleware::from_fn_with_state((faults, route), fault_gate)`
/// as a route layer of each [`FaultRoute`].
pub async fn fault_gate(
    State((faults, route)): State<(Arc<Faults>, FaultRoute)>,
    request: Request,
    next: Next,
) -> Response {
    let Some(status) = faults.take(route) else {
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
