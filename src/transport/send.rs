//! One HTTP POST of an outgoing message (or typing notice), classified into
//! what the outbox should do next.

use super::http::post;
use crate::backoff::parse_retry_after;
use crate::config::{fill_template, Config};
use crate::errors::RequestError;
use crate::protocol::{
    decode_send_response, encode, encode_change, encode_typing, Change, Outgoing, WireMessage,
};
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
    let Some(template) = cfg.send_url.as_deref() else {
        return SendResult::Rejected(RequestError::Other("read-only: no sendUrl".into()));
    };
    let url = fill_template(template, &[("room", &out.room), ("user", &out.user)]);
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

/// Where a change to message `id` goes: the configured URL with `{id}`,
/// `{room}` and `{user}` filled in; `None` when that change is off.
pub fn change_url(
    cfg: &Config,
    change: &Change,
    id: &str,
    room: &str,
    user: &str,
) -> Option<String> {
    let c = &cfg.changes;
    let template = match change {
        Change::Edit { .. } => c.edit_url.as_deref(),
        Change::Delete => c.delete_url.as_deref(),
        Change::React { .. } => c.react_url.as_deref(),
    }?;
    Some(fill_template(
        template,
        &[("id", id), ("room", room), ("user", user)],
    ))
}

/// Sends one change to message `id` of `room`: the backend's copy of the
/// message after it when the answer carries one. Not queued or retried:
/// the user sees the error and may try again.
pub async fn send_change(
    cfg: &Config,
    change: &Change,
    (id, room, user): (&str, &str, &str),
    abort: Option<&AbortSignal>,
) -> Result<Option<WireMessage>, RequestError> {
    let url = change_url(cfg, change, id, room, user)
        .ok_or_else(|| RequestError::Other("this backend takes no such change".into()))?;
    let answer = post(cfg, &url, encode_change(room, user, change), abort).await?;
    if answer.ok() {
        Ok(decode_send_response(cfg, &answer.body))
    } else {
        Err(RequestError::from_response(answer.status, &answer.body))
    }
}

/// What a typing notice's answer means for the next one.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum TypingAnswer {
    /// Sent, or failed in a way not worth telling (typing matters little).
    Done,
    /// Rate-limited (429): wait this many seconds before the next.
    Wait(f64),
    /// The backend has no such endpoint (404, 405, 501).
    NotHere,
}

/// Sends a typing notice.
pub async fn send_typing(
    cfg: &Config,
    room: &str,
    user: &str,
    abort: Option<&AbortSignal>,
) -> TypingAnswer {
    let Some(template) = cfg.typing_url.as_ref() else {
        return TypingAnswer::NotHere;
    };
    let url = fill_template(template, &[("room", room), ("user", user)]);
    match post(cfg, &url, encode_typing(room, user), abort).await {
        Ok(a) if a.status == 429 => TypingAnswer::Wait(
            a.retry_after
                .as_deref()
                .and_then(parse_retry_after)
                .unwrap_or(2.0),
        ),
        Ok(a) if RequestError::means_not_here_status(a.status) => TypingAnswer::NotHere,
        _ => TypingAnswer::Done,
    }
}
