//! `--static DIR`: the built web app, from the same origin as the API.
//!
//! Files are served by path, with `index.html` for every other path (SPA
//! fallback). A client that accepts brotli or gzip gets `NAME.br` or
//! `NAME.gz` when the build wrote one next to `NAME` (release builds do, see
//! `web/precompress.mjs`). Every response carries a strict
//! Content-Security-Policy: the app needs no inline script or style, only its
//! own files, `'wasm-unsafe-eval'` to compile its wasm, and connections to
//! this origin (`connect-src 'self'`), where this backend's API is.

use std::path::Path;

use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::Response;
use tower::ServiceExt;
use tower_http::services::{ServeDir, ServeFile};

/// The Content-Security-Policy of the web app: no inline script or style,
/// no plugins, frames or foreign images; fetch and EventSource only to this
/// origin. Also the policy docs/DEPLOY.md recommends to static hosts whose
/// backend is on the same origin.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; \
     script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self'; \
     connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// The service for `--static DIR`: files, precompressed variants, and
/// `DIR/index.html` as the fallback.
pub fn service(dir: &Path) -> ServeDir<ServeFile> {
    let index = ServeFile::new(dir.join("index.html"))
        .precompressed_br()
        .precompressed_gzip();
    ServeDir::new(dir)
        .precompressed_br()
        .precompressed_gzip()
        .fallback(index)
}

/// Answers `request` from `files` and adds the security headers.
pub async fn serve(files: ServeDir<ServeFile>, request: Request) -> Response {
    let mut response = match files.oneshot(request).await {
        Ok(response) => response.map(Body::new),
        Err(never) => match never {},
    };
    add_headers(response.headers_mut());
    response
}

fn add_headers(headers: &mut HeaderMap) {
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CONTENT_SECURITY_POLICY),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    // The body depends on Accept-Encoding (precompressed variants): caches
    // must keep one copy per encoding.
    headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
}
