//! The one place that calls `fetch` (through gloo-net): credentials mode
//! from the configuration, an abort signal from the caller, and the answer
//! as plain data.

use crate::config::Config;
use crate::errors::RequestError;
use crate::protocol::Encoded;
use gloo_net::http::{Request, RequestBuilder};
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

async fn send(request: RequestBuilder, body: Option<Encoded>) -> Result<Answer, RequestError> {
    let request = match body {
        Some(b) => request
            .header("Content-Type", b.content_type)
            .body(b.body)
            .map_err(|e| RequestError::Other(e.to_string()))?,
        None => request
            .build()
            .map_err(|e| RequestError::Other(e.to_string()))?,
    };
    let response = request
        .send()
        .await
        .map_err(|e| RequestError::Network(e.to_string()))?;
    Ok(Answer {
        status: response.status(),
        retry_after: response.headers().get("Retry-After"),
        body: response.text().await.unwrap_or_default(),
    })
}

/// POSTs `body` to `url`.
pub async fn post(
    cfg: &Config,
    url: &str,
    body: Encoded,
    abort: Option<&AbortSignal>,
) -> Result<Answer, RequestError> {
    let request = Request::post(url)
        .credentials(credentials(cfg))
        .abort_signal(abort);
    send(request, Some(body)).await
}

/// GETs `url`.
pub async fn get(
    cfg: &Config,
    url: &str,
    abort: Option<&AbortSignal>,
) -> Result<Answer, RequestError> {
    let request = Request::get(url)
        .credentials(credentials(cfg))
        .abort_signal(abort);
    send(request, None).await
}
