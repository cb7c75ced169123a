//! Scroll-back: older messages of a room from the backend's history URL,
//! and the backend's search of a room.

use super::http::get;
use crate::config::{fill_template, Config};
use crate::errors::{HistoryError, RequestError};
use crate::protocol::{decode_history, HistoryPage};
use std::future::Future;
use std::sync::Arc;
use web_sys::AbortSignal;

/// Fetches up to `limit` messages of `room` before `before` (None: the
/// newest) from the history URL `template`. Accepts
/// `{"messages": [...], "has_more": bool}` or a bare array.
pub fn fetch_older(
    cfg: &Arc<Config>,
    template: &str,
    room: &str,
    before: Option<&str>,
    limit: usize,
    abort: Option<&AbortSignal>,
) -> impl Future<Output = Result<HistoryPage, HistoryError>> + 'static {
    let limit_s = limit.to_string();
    let url = fill_template(
        template,
        &[
            ("room", room),
            ("before", before.unwrap_or("")),
            ("limit", &limit_s),
        ],
    );
    // Sent now: a room's first rows wait for it.
    get_page(cfg, &url, limit, abort)
}

/// Results asked of the backend's search.
const SEARCH_LIMIT: &str = "20";

/// The backend's messages of `room` containing `query` (the search URL
/// `template`), in the shape of a history page.
pub async fn fetch_search(
    cfg: &Arc<Config>,
    template: &str,
    room: &str,
    query: &str,
    abort: Option<&AbortSignal>,
) -> Result<Vec<crate::protocol::WireMessage>, HistoryError> {
    let url = fill_template(
        template,
        &[("room", room), ("q", query), ("limit", SEARCH_LIMIT)],
    );
    let page = get_page(cfg, &url, usize::MAX, abort).await?;
    Ok(page.messages)
}

/// GETs a page of messages at `url` (sent before this returns); `limit`
/// tells a bare array that is full from a last page.
fn get_page(
    cfg: &Arc<Config>,
    url: &str,
    limit: usize,
    abort: Option<&AbortSignal>,
) -> impl Future<Output = Result<HistoryPage, HistoryError>> + 'static {
    let answer = get(cfg, url, abort);
    let cfg = cfg.clone();
    async move {
        let answer = answer.await.map_err(HistoryError::Request)?;
        if !answer.ok() {
            return Err(HistoryError::Request(RequestError::from_response(
                answer.status,
                &answer.body,
            )));
        }
        decode_history(&cfg, &answer.body, limit)
    }
}
