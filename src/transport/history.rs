//! Scroll-back: older messages of a room from the backend's history URL.

use super::send::credentials;
use crate::config::{fill_template, Config};
use crate::protocol::{decode, error_text, Incoming, WireMessage};
use gloo_net::http::Request;
use serde_json::Value;

/// A page of older messages, oldest first.
pub struct Page {
    pub messages: Vec<WireMessage>,
    pub has_more: bool,
}

/// Fetches up to `limit` messages before `before` (None: the newest).
/// Accepts `{"messages": [...], "has_more": bool}` or a bare array.
pub async fn fetch_older(
    cfg: &Config,
    room: &str,
    before: Option<&str>,
    limit: usize,
) -> Result<Page, String> {
    let Some(template) = &cfg.history_url else {
        return Err("this backend has no history URL".into());
    };
    let limit_s = limit.to_string();
    let url = fill_template(
        template,
        &[
            ("room", room),
            ("before", before.unwrap_or("")),
            ("limit", &limit_s),
        ],
    );
    let response = Request::get(&url)
        .credentials(credentials(cfg))
        .send()
        .await
        .map_err(|e| format!("network error: {e}"))?;
    let status = response.status();
    let body = response.text().await.unwrap_or_default();
    if !(200..300).contains(&status) {
        return Err(error_text(status, &body));
    }
    let value: Value =
        serde_json::from_str(&body).map_err(|e| format!("history is not JSON: {e}"))?;
    let (items, has_more) = match &value {
        Value::Array(items) => (items.as_slice(), items.len() >= limit),
        Value::Object(map) => (
            map.get("messages")
                .and_then(Value::as_array)
                .map(Vec::as_slice)
                .unwrap_or(&[]),
            map.get("has_more")
                .and_then(Value::as_bool)
                .unwrap_or(false),
        ),
        _ => return Err("history is neither a list nor an object".into()),
    };
    let event = cfg
        .message_events
        .first()
        .map(String::as_str)
        .unwrap_or("message");
    // Items that do not decode are skipped: one bad row must not hide the page.
    let messages = items
        .iter()
        .filter_map(|item| match decode(cfg, event, &item.to_string(), "") {
            Ok(Incoming::Message(m)) => Some(m),
            _ => None,
        })
        .collect();
    Ok(Page { messages, has_more })
}
