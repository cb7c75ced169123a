//! One HTTP POST of an outgoing message (or typing notice), classified into
//! what the outbox should do next.

use crate::backoff::parse_retry_after;
use crate::config::{fill_template, Config};
use crate::protocol::{
    decode_send_response, encode, encode_typing, error_text, Encoded, Outgoing, WireMessage,
};
use gloo_net::http::Request;
use web_sys::RequestCredentials;

/// Outcome of one send attempt.
#[derive(Clone, Debug, PartialEq)]
pub enum SendResult {
    /// Stored; the backend's copy when it returned one.
    Sent(Option<WireMessage>),
    /// Worth retrying (network error, 5xx, 408, 429), maybe after a delay
    /// the server asked for (seconds).
    Retry {
        reason: String,
        retry_after: Option<f64>,
    },
    /// Refused for good (other 4xx), with the server's reason.
    Rejected(String),
}

/// The fetch credentials mode the configuration asks for (cookies are sent
/// cross-origin only with `withCredentials`).
pub fn credentials(cfg: &Config) -> RequestCredentials {
    if cfg.with_credentials {
        RequestCredentials::Include
    } else {
        RequestCredentials::SameOrigin
    }
}

async fn post(
    cfg: &Config,
    url: &str,
    body: Encoded,
) -> Result<(u16, Option<String>, String), String> {
    let request = Request::post(url)
        .credentials(credentials(cfg))
        .header("Content-Type", body.content_type)
        .body(body.body)
        .map_err(|e| e.to_string())?;
    let response = request
        .send()
        .await
        .map_err(|e| format!("network error: {e}"))?;
    let status = response.status();
    let retry_after = response.headers().get("Retry-After");
    // A body that cannot be read is treated as empty: the status decides.
    let text = response.text().await.unwrap_or_default();
    Ok((status, retry_after, text))
}

/// Sends one chat message.
pub async fn send_message(cfg: &Config, out: &Outgoing) -> SendResult {
    let url = fill_template(&cfg.send_url, &[("room", &out.room), ("user", &out.user)]);
    match post(cfg, &url, encode(cfg, out)).await {
        Err(reason) => SendResult::Retry {
            reason,
            retry_after: None,
        },
        Ok((status, _, body)) if (200..300).contains(&status) => {
            SendResult::Sent(decode_send_response(cfg, &body))
        }
        Ok((status, retry_after, body)) if status >= 500 || status == 408 || status == 429 => {
            SendResult::Retry {
                reason: error_text(status, &body),
                retry_after: retry_after.as_deref().and_then(parse_retry_after),
            }
        }
        Ok((status, _, body)) => SendResult::Rejected(error_text(status, &body)),
    }
}

/// Sends a typing notice. Failures matter little to the user and are not
/// reported; a rate limit (429) returns the seconds to wait before the next.
pub async fn send_typing(cfg: &Config, room: &str, user: &str) -> Option<f64> {
    let template = cfg.typing_url.as_ref()?;
    let url = fill_template(template, &[("room", room), ("user", user)]);
    match post(cfg, &url, encode_typing(room, user)).await {
        Ok((429, retry_after, _)) => Some(
            retry_after
                .as_deref()
                .and_then(parse_retry_after)
                .unwrap_or(2.0),
        ),
        _ => None,
    }
}
