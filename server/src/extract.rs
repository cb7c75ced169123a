//! Request extractors whose rejections are JSON [`ApiError`]s.
//!
//! axum's own `Json<T>` answers bad input with plain-text bodies and folds
//! "missing field" into one opaque message; reading the body as a JSON object
//! and pulling fields by hand lets every error name the field at fault.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Query, Request};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use serde_json::{Map, Value};

use crate::error::{body_too_large_message, is_json_content_type, ApiError};
use crate::log_throttle::{more, Throttle};
use crate::metrics::Metrics;
use crate::validate::NameError;

/// How long a request body may take to arrive (`--body-timeout-ms`). The
/// connection layer (`crate::net`) puts it into every request's
/// extensions; without it (a router called directly) there is no limit.
#[derive(Debug, Clone)]
pub struct BodyDeadline {
    /// Time from the end of the head to the end of the body.
    pub timeout: Duration,
    /// Where body timeouts are counted.
    pub metrics: Arc<Metrics>,
}

static BODY_TIMEOUT_LOG: Throttle = Throttle::new(10_000);

/// A request body that is a JSON object.
///
/// Rejections: no or wrong `Content-Type` → 415, body over the limit → 413,
/// body slower than its [`BodyDeadline`] → 408, invalid JSON → 400, JSON
/// that is not an object → 422.
#[derive(Debug)]
pub struct JsonObject(pub Map<String, Value>);

impl<S: Send + Sync> FromRequest<S> for JsonObject {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        if !is_json_content_type(request.headers().get(header::CONTENT_TYPE)) {
            return Err(ApiError::unsupported_media_type(
                "The request body must be JSON: set the Content-Type header to application/json.",
            ));
        }
        let deadline = request.extensions().get::<BodyDeadline>().cloned();
        let read = Bytes::from_request(request, state);
        let read = match &deadline {
            Some(deadline) => tokio::time::timeout(deadline.timeout, read)
                .await
                .map_err(|_| body_timed_out(deadline))?,
            None => read.await,
        };
        let bytes = read.map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::too_large(body_too_large_message())
            } else {
                ApiError::bad_request("The request body could not be read.")
            }
        })?;
        match serde_json::from_slice::<Value>(&bytes) {
            Ok(Value::Object(map)) => Ok(JsonObject(map)),
            Ok(_) => Err(ApiError::unprocessable(
                "The request body must be a JSON object.",
            )),
            Err(err) => Err(ApiError::bad_request(format!(
                "The request body is not valid JSON: {err}."
            ))),
        }
    }
}

/// 408 (the connection is closed after it, see `crate::error`), logged.
fn body_timed_out(deadline: &BodyDeadline) -> ApiError {
    deadline.metrics.record_body_timeout();
    if let Some(suppressed) = BODY_TIMEOUT_LOG.allow() {
        tracing::info!(
            "answered 408: a request body did not arrive within {:?} (--body-timeout-ms){}",
            deadline.timeout,
            more(suppressed)
        );
    }
    ApiError::new(
        StatusCode::REQUEST_TIMEOUT,
        format!(
            "The request body did not arrive within {} ms.",
            deadline.timeout.as_millis()
        ),
    )
}

impl JsonObject {
    /// A required string field: missing or `null` → 422, not a string → 422.
    pub fn required_str(&self, field: &str) -> Result<&str, ApiError> {
        self.optional_str(field)?
            .ok_or_else(|| ApiError::unprocessable(format!("The field `{field}` is required.")))
    }

    /// An optional string field: missing or `null` → `None`, not a string → 422.
    pub fn optional_str(&self, field: &str) -> Result<Option<&str>, ApiError> {
        match self.0.get(field) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(_) => Err(ApiError::unprocessable(format!(
                "The field `{field}` must be a string."
            ))),
        }
    }

    /// A required string field that must pass one of the name checkers of
    /// `crate::validate` (breaking its rule → 422 naming the field).
    pub fn required_name(
        &self,
        field: &str,
        check: fn(&str) -> Result<(), NameError>,
    ) -> Result<String, ApiError> {
        let value = self.required_str(field)?;
        check_name(field, value, check)
    }

    /// Like [`JsonObject::required_name`], for an optional field.
    pub fn optional_name(
        &self,
        field: &str,
        check: fn(&str) -> Result<(), NameError>,
    ) -> Result<Option<String>, ApiError> {
        self.optional_str(field)?
            .map(|value| check_name(field, value, check))
            .transpose()
    }

    /// A required boolean field: missing, `null` or not a boolean → 422.
    pub fn required_bool(&self, field: &str) -> Result<bool, ApiError> {
        self.0.get(field).and_then(Value::as_bool).ok_or_else(|| {
            ApiError::unprocessable(format!("The field `{field}` must be true or false."))
        })
    }

    /// An optional integer field: missing or `null` → `None`, anything but an
    /// integer → 422.
    pub fn optional_int(&self, field: &str) -> Result<Option<i64>, ApiError> {
        match self.0.get(field) {
            None | Some(Value::Null) => Ok(None),
            Some(value) => value.as_i64().map(Some).ok_or_else(|| {
                ApiError::unprocessable(format!("The field `{field}` must be an integer."))
            }),
        }
    }
}

fn check_name(
    field: &str,
    value: &str,
    check: fn(&str) -> Result<(), NameError>,
) -> Result<String, ApiError> {
    check(value)
        .map_err(|reason| ApiError::unprocessable(format!("The field `{field}` {reason}.")))?;
    Ok(value.to_owned())
}

/// The query string as a map (last value wins); a malformed query string →
/// 400 JSON.
#[derive(Debug, Default)]
pub struct QueryMap(pub HashMap<String, String>);

impl<S: Send + Sync> FromRequestParts<S> for QueryMap {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Query::<HashMap<String, String>>::from_request_parts(parts, state)
            .await
            .map(|Query(map)| QueryMap(map))
            .map_err(|_| ApiError::bad_request("The query string could not be parsed."))
    }
}
