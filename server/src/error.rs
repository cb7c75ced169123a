//! JSON error responses.
//!
//! Every error this server sends has the body `{"error":"<sentence>"}` and
//! `Content-Type: application/json`. Handlers return [`ApiError`]; the
//! [`json_errors`] middleware is a safety net that rewrites any other error
//! response (axum's built-in 404/405, tower-http's 413, a static-file error)
//! into the same shape, so plain-text rejections never reach a client.
//!
//! This is also where failures of the layers below HTTP get their status:
//! [`InputError`] (input rules) and [`DbError`] (storage) convert into an
//! [`ApiError`] here, so neither layer has to know about status codes.

use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::db::DbError;
use crate::limits::MAX_BODY_BYTES;
use crate::validate::InputError;

/// An error answered to an HTTP client as `{"error": message}`.
#[derive(Debug, Clone)]
pub struct ApiError {
    status: StatusCode,
    message: String,
    retry_after: Option<u64>,
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    error: &'a str,
}

impl ApiError {
    /// An error with an explicit status code.
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
            retry_after: None,
        }
    }

    /// 400: the request is malformed (bad JSON, a non-integer id, ...).
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }

    /// 404: no such resource.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, message)
    }

    /// 413: the body or a field is too large.
    pub fn too_large(message: impl Into<String>) -> Self {
        Self::new(StatusCode::PAYLOAD_TOO_LARGE, message)
    }

    /// 415: the body is not declared as JSON.
    pub fn unsupported_media_type(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNSUPPORTED_MEDIA_TYPE, message)
    }

    /// 422: well-formed JSON whose fields break a rule.
    pub fn unprocessable(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, message)
    }

    /// 429 with a `Retry-After` header (whole seconds, at least 1).
    pub fn too_many_requests(message: impl Into<String>, retry_after_secs: u64) -> Self {
        Self::new(StatusCode::TOO_MANY_REQUESTS, message).with_retry_after(retry_after_secs)
    }

    /// 500: something failed inside the server; details go to the log only.
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, message)
    }

    /// 503: the server is shutting down or the database is closed.
    pub fn unavailable(message: impl Into<String>) -> Self {
        Self::new(StatusCode::SERVICE_UNAVAILABLE, message).with_retry_after(1)
    }

    /// Adds a `Retry-After` header (seconds; 0 is raised to 1).
    pub fn with_retry_after(mut self, secs: u64) -> Self {
        self.retry_after = Some(secs.max(1));
        self
    }

    /// The status code this error is answered with.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The human-readable sentence in the body.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.status.as_u16(), self.message)
    }
}

impl std::error::Error for ApiError {}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if self.status.is_server_error() {
            tracing::warn!(status = self.status.as_u16(), "{}", self.message);
        }
        let mut response = (self.status, json_body(&self.message)).into_response();
        set_json_content_type(response.headers_mut());
        if let Some(secs) = self.retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        response
    }
}

impl From<InputError> for ApiError {
    /// 413 for an overlong text (like an overlong body), 400 for a value
    /// that is not even of the right kind, 422 for a rule broken by a
    /// well-formed value.
    fn from(err: InputError) -> Self {
        let status = match &err {
            InputError::TextTooLong { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            InputError::NotAnInteger { .. } => StatusCode::BAD_REQUEST,
            InputError::EmptyText { .. }
            | InputError::BadText { .. }
            | InputError::BadRoomInList { .. }
            | InputError::TooManyRooms => StatusCode::UNPROCESSABLE_ENTITY,
        };
        ApiError::new(status, err.to_string())
    }
}

impl From<DbError> for ApiError {
    /// 503 (retry shortly) once the database is closed for shutdown; 500
    /// for anything else, without details: they are logged where they
    /// happen, and a client could not act on them.
    fn from(err: DbError) -> Self {
        match err {
            DbError::Closed => {
                ApiError::unavailable("The server is shutting down; try again shortly.")
            }
            DbError::InUse(_) | DbError::Sqlite(_) | DbError::Task(_) => {
                ApiError::internal("The database failed to process the request.")
            }
        }
    }
}

/// Serializes `{"error": message}`.
pub fn json_body(message: &str) -> String {
    // Serializing a struct holding one &str cannot fail; the fallback only
    // exists so that no code path here can panic.
    serde_json::to_string(&ErrorBody { error: message })
        .unwrap_or_else(|_| String::from(r#"{"error":"internal error"}"#))
}

fn set_json_content_type(headers: &mut HeaderMap) {
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
}

/// True if a `Content-Type` value names JSON (`application/json`, optionally
/// with parameters such as `charset=utf-8`, or a `+json` suffix type).
pub fn is_json_content_type(value: Option<&HeaderValue>) -> bool {
    let Some(value) = value.and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let essence = value
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

/// Middleware: turns every error response that is not JSON yet into
/// `{"error": ...}`, keeping its status and headers (for example `Allow` on
/// a 405). A `413` or `408` also gets `Connection: close`: the request body
/// was not read to its end, so the server closes the connection after the
/// answer, and says so.
pub async fn json_errors(request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let response = next.run(request).await;
    let mut response = into_json_error(response, &method, &path);
    if matches!(
        response.status(),
        StatusCode::PAYLOAD_TOO_LARGE | StatusCode::REQUEST_TIMEOUT
    ) {
        response
            .headers_mut()
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
    }
    response
}

fn into_json_error(response: Response, method: &axum::http::Method, path: &str) -> Response {
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error())
        || is_json_content_type(response.headers().get(header::CONTENT_TYPE))
    {
        return response;
    }
    let message = match status {
        StatusCode::NOT_FOUND => format!("There is no resource at {path}."),
        StatusCode::METHOD_NOT_ALLOWED => {
            let allowed = response
                .headers()
                .get(header::ALLOW)
                .and_then(|v| v.to_str().ok())
                .filter(|v| !v.is_empty())
                .map(|v| format!(" (allowed: {v})"))
                .unwrap_or_default();
            format!("The method {method} is not allowed on {path}{allowed}.")
        }
        StatusCode::PAYLOAD_TOO_LARGE => body_too_large_message(),
        other => format!(
            "The request failed: {}.",
            other.canonical_reason().unwrap_or("unknown error")
        ),
    };
    let (mut parts, _) = response.into_parts();
    parts.headers.remove(header::CONTENT_LENGTH);
    set_json_content_type(&mut parts.headers);
    Response::from_parts(parts, Body::from(json_body(&message)))
}

/// The sentence used for every 413 caused by the request body size.
pub fn body_too_large_message() -> String {
    format!(
        "The request body is larger than the limit of {} KiB.",
        MAX_BODY_BYTES / 1024
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn input_errors_keep_their_sentence_and_get_a_status() {
        let cases = [
            (
                InputError::TextTooLong {
                    field: "text".into(),
                    chars: 4001,
                },
                413,
            ),
            (
                InputError::EmptyText {
                    field: "text".into(),
                },
                422,
            ),
            (InputError::TooManyRooms, 422),
            (
                InputError::NotAnInteger {
                    name: "before".into(),
                    value: "x".into(),
                },
                400,
            ),
        ];
        for (input, status) in cases {
            let sentence = input.to_string();
            let err = ApiError::from(input);
            assert_eq!(err.status().as_u16(), status, "{sentence}");
            assert_eq!(err.message(), sentence);
        }
    }

    #[test]
    fn a_closed_database_is_a_retryable_503() {
        let err = ApiError::from(DbError::Closed);
        assert_eq!(err.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(err.retry_after, Some(1));
        assert_eq!(
            err.message(),
            "The server is shutting down; try again shortly."
        );
        let err = ApiError::from(DbError::Sqlite(rusqlite::Error::InvalidQuery));
        assert_eq!(err.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(err.message(), "The database failed to process the request.");
    }
}
