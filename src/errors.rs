//! Typed failures, as data. Every layer reports what went wrong with one
//! of these enums instead of a sentence; the UI turns them into text in the
//! reader's language when it renders them ([`crate::i18n::notice`]), so a
//! language switch re-translates a notice already on screen.
//!
//! Their `Display` is the English technical form, for logs and tests. The
//! details inside (a server's own error text, a browser's message) are the
//! backend's or browser's words and are shown as they are.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::fmt;

/// Why an event could not be decoded. Shown in the UI's diagnostics; the
/// stream itself carries on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DecodeError {
    /// JSON object without any of the configured text fields.
    MissingText,
    /// The field exists but has an unusable type.
    BadField(&'static str),
    /// Presence/typing event whose data is not the expected object.
    BadNotice(&'static str),
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DecodeError::MissingText => f.write_str("message event without a text field"),
            DecodeError::BadField(name) => {
                write!(f, "message field `{name}` has an unusable value")
            }
            DecodeError::BadNotice(kind) => write!(f, "{kind} event data is not understood"),
        }
    }
}

/// An HTTP request that did not succeed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum RequestError {
    /// No answer: the network failed or the request was refused (CORS,
    /// DNS, offline), with the browser's words.
    Network(String),
    /// An answer with an error status, and the person-readable part of its
    /// body: the `error`, `message` or `detail` field of a JSON object, else
    /// the text itself, shortened.
    Http { status: u16, detail: Option<String> },
    /// A reason known only as text (saved by an earlier version).
    Other(String),
}

impl RequestError {
    /// Classifies an error answer from its status and body. A JSON body
    /// gives its `error`, `message` or `detail` sentence; an HTML page (a
    /// proxy's or framework's error page) is reduced to the status's name,
    /// never shown as markup; other text is shortened.
    pub fn from_response(status: u16, body: &str) -> RequestError {
        let trimmed = body.trim();
        let from_json = serde_json::from_str::<Value>(trimmed).ok().and_then(|v| {
            ["error", "message", "detail"]
                .iter()
                .find_map(|k| v.get(k).and_then(Value::as_str).map(String::from))
        });
        let text = match from_json {
            Some(sentence) => sentence,
            None if trimmed.starts_with('<') => status_text(status).unwrap_or("").to_string(),
            None => trimmed.chars().take(200).collect(),
        };
        RequestError::Http {
            status,
            detail: (!text.is_empty()).then_some(text),
        }
    }

    /// Whether a status says "this endpoint does not exist here".
    pub fn means_not_here_status(status: u16) -> bool {
        matches!(status, 404 | 405 | 501)
    }

    /// Whether this error says the endpoint does not exist here.
    pub fn means_not_here(&self) -> bool {
        matches!(self, RequestError::Http { status, .. } if Self::means_not_here_status(*status))
    }
}

/// The standard name of an HTTP status (for answers whose body is a page).
pub fn status_text(status: u16) -> Option<&'static str> {
    Some(match status {
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        409 => "Conflict",
        413 => "Payload Too Large",
        415 => "Unsupported Media Type",
        422 => "Unprocessable Content",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => return None,
    })
}

impl fmt::Display for RequestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RequestError::Network(e) => write!(f, "network error: {e}"),
            RequestError::Http {
                status,
                detail: Some(d),
            } => write!(f, "HTTP {status}: {d}"),
            RequestError::Http {
                status,
                detail: None,
            } => write!(f, "HTTP {status}"),
            RequestError::Other(text) => f.write_str(text),
        }
    }
}

impl std::error::Error for RequestError {}

/// localStorage could not be written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StorageError {
    /// No storage at all (blocked by the browser's settings).
    Unavailable,
    /// The quota is used up, or private mode refuses writes.
    Full,
}

impl fmt::Display for StorageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            StorageError::Unavailable => "local storage is not available",
            StorageError::Full => "local storage is full or disabled",
        })
    }
}

impl std::error::Error for StorageError {}

/// A page of history could not be loaded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HistoryError {
    Request(RequestError),
    /// The answer is not JSON (the parser's words).
    NotJson(String),
    /// JSON, but neither a list of messages nor `{"messages": [...]}`.
    BadShape,
}

impl fmt::Display for HistoryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HistoryError::Request(e) => e.fmt(f),
            HistoryError::NotJson(e) => write!(f, "history is not JSON: {e}"),
            HistoryError::BadShape => f.write_str("history is neither a list nor an object"),
        }
    }
}

impl std::error::Error for HistoryError {}

impl HistoryError {
    /// Whether the history URL does not exist on this backend.
    pub fn means_not_here(&self) -> bool {
        matches!(self, HistoryError::Request(e) if e.means_not_here())
    }
}

/// The event stream cannot be opened at all.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StreamError {
    /// The browser's reason, if it gave one.
    pub reason: Option<String>,
    pub url: String,
}

impl fmt::Display for StreamError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let reason = self
            .reason
            .as_deref()
            .unwrap_or("the browser refused the events URL");
        write!(f, "{reason} ({})", self.url)
    }
}

impl std::error::Error for StreamError {}

/// Something worth telling the user that is not a connection state. Kept
/// as data until rendered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Notice {
    /// An event could not be decoded and was skipped; `sample` is the start
    /// of its data.
    SkippedEvent { error: DecodeError, sample: String },
    /// A message was shown without a field that could not be read (said
    /// once per session); `sample` is the start of its data.
    FieldIgnored { error: DecodeError, sample: String },
    /// Unsent messages cannot be saved for a reload.
    StorageFailed(StorageError),
    /// The outbox saved earlier could not be read; it was kept under
    /// `backup_key` for inspection.
    OutboxUnreadable { error: String, backup_key: String },
    /// Scroll-back failed.
    HistoryFailed(HistoryError),
    /// The backend's search failed (what is loaded was still searched).
    SearchFailed(HistoryError),
    /// The room limit is reached.
    RoomLimit,
    /// An edit, a delete or a reaction was not accepted.
    ChangeFailed {
        what: ChangeKind,
        reason: RequestError,
    },
}

/// Which change to a message failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChangeKind {
    Edit,
    Delete,
    React,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_answers_name_the_status_and_the_servers_words() {
        let e = RequestError::from_response(422, r#"{"error":"text is empty"}"#);
        assert_eq!(e.to_string(), "HTTP 422: text is empty");
        assert_eq!(
            RequestError::from_response(502, "  Bad gateway \n").to_string(),
            "HTTP 502: Bad gateway"
        );
        assert_eq!(RequestError::from_response(500, "").to_string(), "HTTP 500");
        let long = RequestError::from_response(400, &"x".repeat(500)).to_string();
        assert_eq!(long.len(), "HTTP 400: ".len() + 200);
    }

    #[test]
    fn html_error_pages_are_reduced_to_the_status_name() {
        let page = "<html><head><title>413 Request Entity Too Large</title></head>\n<body><center><h1>413</h1></center><hr><center>nginx</center></body></html>";
        assert_eq!(
            RequestError::from_response(413, page).to_string(),
            "HTTP 413: Payload Too Large"
        );
        assert_eq!(
            RequestError::from_response(404, "\n<!DOCTYPE html><p>Cannot POST /x</p>").to_string(),
            "HTTP 404: Not Found"
        );
        assert_eq!(
            RequestError::from_response(418, "<p>teapot</p>").to_string(),
            "HTTP 418"
        );
        assert_eq!(
            RequestError::from_response(400, r#"{"detail":"bad room"}"#).to_string(),
            "HTTP 400: bad room"
        );
    }

    #[test]
    fn missing_endpoints_are_told_apart_from_failures() {
        let e = |status| RequestError::Http {
            status,
            detail: None,
        };
        assert!(e(404).means_not_here() && e(405).means_not_here() && e(501).means_not_here());
        assert!(!e(500).means_not_here() && !e(503).means_not_here());
        assert!(HistoryError::Request(e(404)).means_not_here());
        assert!(!HistoryError::BadShape.means_not_here());
    }

    #[test]
    fn request_errors_round_trip_through_storage() {
        let e = RequestError::from_response(413, r#"{"message":"too big"}"#);
        let json = serde_json::to_string(&e).unwrap();
        assert_eq!(serde_json::from_str::<RequestError>(&json).unwrap(), e);
    }

    #[test]
    fn stream_errors_say_which_url() {
        let e = StreamError {
            reason: None,
            url: "/e".into(),
        };
        assert_eq!(e.to_string(), "the browser refused the events URL (/e)");
    }
}
