//! One HTTP POST of an outgoing message (or typing notice), classified into
//! what the outbox should do next.

use super::http::post;
use crate::backoff::parse_retry_after;
use crate::config::{fill_template, Config};
use crate::errors::RequestError;
use crate::protocol::{decode_send_response, encode, encode_typing, Outgoing, WireMessage};
use web_sys::AbortSignal;

/// Outcome of one send attempt.
#[derive(Clone, Debug, PartialEq)]
pub enum SendResult {
    /// Stored; the backend's copy when it returned one.
    Sent(Option<WireMessage>),
    /// Worth retrying (network error, 5xx, 408, 429), maybe after a delay
    /// the server asked for (seconds).
    Retry {
        reason: RequestError,
        retry_after: Option<f64>,
    },
    /// Refused for good (other 4xx), with the server's reason.
    Rejected(RequestError),
}

/// Sends one chat message.
pub async fn send_message(cfg: &Config, out: &Outgoing, abort: Option<&AbortSignal>) -> SendResult {
    let url = fill_template(&cfg.send_url, &[("room", &out.room), ("user", &out.user)]);
    let answer = match post(cfg, &url, encode(cfg, out), abort).await {
        Ok(a) => a,
        Err(reason) => {
            return SendResult::Retry {
                reason,
                retry_after: None,
            }
        }
    };
    let status = answer.status;
    if answer.ok() {
        return SendResult::Sent(decode_send_response(cfg, &answer.body));
    }
    let reason = RequestError::from_response(status, &answer.body);
    if status >= 500 || status == 408 || status == 429 {
        SendResult::Retry {
            reason,
            retry_after: answer.retry_after.as_deref().and_then(parse_retry_after),
        }
    } else {
        SendResult::Rejected(reason)
    }
}

/// Sends a typing notice. Failures matter little to the user and are not
/// reported; a rate limit (429) returns the seconds to wait before the next.
pub async fn send_typing(
    cfg: &Config,
    room: &str,
    user: &str,
    abort: Option<&AbortSignal>,
) -> Option<f64> {
    let template = cfg.typing_url.as_ref()?;
    let url = fill_template(template, &[("room", room), ("user", user)]);
    match post(cfg, &url, encode_typing(room, user), abort).await {
        Ok(a) if a.status == 429 => Some(
            a.retry_after
                .as_deref()
                .and_then(parse_retry_after)
                .unwrap_or(2.0),
        ),
        _ => None,
    }
}
