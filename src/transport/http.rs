//! The one place that calls `fetch` (through gloo-net): credentials mode
//! from the configuration, an abort signal from the caller, and the answer
//! as plain data.

use crate::config::Config;
use crate::errors::RequestError;
use crate::protocol::Encoded;
use gloo_net::http::{Request, RequestBuilder, Response};
use std::future::Future;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortSignal, RequestCredentials};

/// An HTTP answer, whatever its status.
pub struct Answer {
    pub status: u16,
    /// The `Retry-After` header, if any.
    pub retry_after: Option<String>,
    /// The body; one that cannot be read is empty (the status decides).
    pub body: String,
}

impl Answer {
    pub fn ok(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

/// The fetch credentials mode the configuration asks for (cookies are sent
/// cross-origin only with `withCredentials`).
fn credentials(cfg: &Config) -> RequestCredentials {
    if cfg.with_credentials {
        RequestCredentials::Include
    } else {
        RequestCredentials::SameOrigin
    }
}

// The global `fetch`, called directly (as gloo-net does): gloo's `send`
// only calls it when first polled, and a task is polled after the view in
// progress is built, which held the first history request back.
#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = "fetch")]
    fn fetch_now(request: &web_sys::Request) -> js_sys::Promise;
}

/// Puts the request on the wire now; the future gives the answer.
fn send(
    request: RequestBuilder,
    body: Option<Encoded>,
) -> impl Future<Output = Result<Answer, RequestError>> + 'static {
    let request = match body {
        Some(b) => request.header("Content-Type", b.content_type).body(b.body),
        None => request.build(),
    };
    let sent = request
        .map_err(|e| RequestError::Other(e.to_string()))
        .map(|r| JsFuture::from(fetch_now(&r.into())));
    async move {
        let response: web_sys::Response = sent?
            .await
            .map_err(|e| RequestError::Network(js_error_text(&e)))?
            .dyn_into()
            .map_err(|_| RequestError::Other("fetch gave no Response".into()))?;
        let response = Response::from(response);
        Ok(Answer {
            status: response.status(),
            retry_after: response.headers().get("Retry-After"),
            body: response.text().await.unwrap_or_default(),
        })
    }
}

/// "TypeError: Failed to fetch", as the browser names a failed request.
fn js_error_text(e: &JsValue) -> String {
    match e.dyn_ref::<js_sys::Error>() {
        Some(e) => e.to_string().into(),
        None => format!("{e:?}"),
    }
}

/// POSTs `body` to `url` (sent before this returns).
pub fn post(
    cfg: &Config,
    url: &str,
    body: Encoded,
    abort: Option<&AbortSignal>,
) -> impl Future<Output = Result<Answer, RequestError>> + 'static {
    let request = Request::post(url)
        .credentials(credentials(cfg))
        .abort_signal(abort);
    send(request, Some(body))
}

/// GETs `url` (sent before this returns).
pub fn get(
    cfg: &Config,
    url: &str,
    abort: Option<&AbortSignal>,
) -> impl Future<Output = Result<Answer, RequestError>> + 'static {
    let request = Request::get(url)
        .credentials(credentials(cfg))
        .abort_signal(abort);
    send(request, None)
}
