//! Server-Sent Events framing: the bytes of one event on the wire.
//!
//! Events are framed once and sent as they are: a message is framed once
//! when it is published and the same `Bytes` (reference-counted) go to
//! every stream, instead of each stream formatting its own copy.

use axum::body::Bytes;

/// `event: NAME\n[id: ID\n]data: DATA\n\n`. Data is JSON and therefore one
/// line; should it ever contain line breaks, each line becomes a `data:`
/// line of its own, which SSE clients join back with `\n`.
pub fn frame(event: &str, id: Option<i64>, data: &str) -> Bytes {
    let mut out = String::with_capacity(event.len() + data.len() + 32);
    out.push_str("event: ");
    out.push_str(event);
    out.push('\n');
    if let Some(id) = id {
        out.push_str("id: ");
        out.push_str(&id.to_string());
        out.push('\n');
    }
    if data.contains(['\n', '\r']) {
        for line in data.replace("\r\n", "\n").split(['\n', '\r']) {
            out.push_str("data: ");
            out.push_str(line);
            out.push('\n');
        }
    } else {
        out.push_str("data: ");
        out.push_str(data);
        out.push('\n');
    }
    out.push('\n');
    Bytes::from(out)
}

/// `retry: MS\n\n`: the reconnection delay, a field without an event.
pub fn retry(millis: u128) -> Bytes {
    Bytes::from(format!("retry: {millis}\n\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames() {
        assert_eq!(frame("ping", None, "{}"), "event: ping\ndata: {}\n\n");
        assert_eq!(
            frame("message", Some(42), r#"{"id":42}"#),
            "event: message\nid: 42\ndata: {\"id\":42}\n\n"
        );
        assert_eq!(
            frame("x", None, "a\nb\r\nc"),
            "event: x\ndata: a\ndata: b\ndata: c\n\n"
        );
        assert_eq!(retry(3000), "retry: 3000\n\n");
    }
}
