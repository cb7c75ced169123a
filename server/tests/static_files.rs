//! `--static DIR`: security headers on every response of the web app, and
//! precompressed `.br` / `.gz` files sent with their `Content-Encoding`.

mod support;

use std::path::Path;

use sse_chat_server::routes::static_files::CONTENT_SECURITY_POLICY;
use sse_chat_server::Config;
use support::*;

/// A `--static` server over `dir`.
async fn serve(dir: &Path) -> TestServer {
    start(Config {
        static_dir: Some(dir.to_path_buf()),
        ..memory_config()
    })
    .await
}

/// GET `path` with `Accept-Encoding: accept` (none if empty): status,
/// headers and the body exactly as sent (this client never decodes).
async fn fetch(server: &TestServer, path: &str, accept: &str) -> (u16, HeaderMapText, Vec<u8>) {
    let mut request = client().get(server.url(path));
    if !accept.is_empty() {
        request = request.header("accept-encoding", accept);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let headers = HeaderMapText(response.headers().clone());
    (status, headers, response.bytes().await.unwrap().to_vec())
}

struct HeaderMapText(reqwest::header::HeaderMap);

impl HeaderMapText {
    /// The header's value, or "" when absent.
    fn get(&self, name: &str) -> &str {
        self.0
            .get(name)
            .map(|v| v.to_str().unwrap())
            .unwrap_or_default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn static_responses_send_a_strict_csp_and_security_headers() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("index.html"), "<!doctype html>").unwrap();
    std::fs::write(dir.path().join("app.js"), "export {}").unwrap();
    let server = serve(dir.path()).await;
    // The page, an asset, and a deep link answered with index.html.
    for path in ["/", "/app.js", "/some/deep/link"] {
        let (status, headers, _) = fetch(&server, path, "").await;
        assert_eq!(status, 200, "{path}");
        assert_eq!(
            headers.get("content-security-policy"),
            CONTENT_SECURITY_POLICY,
            "{path}"
        );
        assert_eq!(headers.get("x-content-type-options"), "nosniff", "{path}");
        assert_eq!(headers.get("referrer-policy"), "no-referrer", "{path}");
    }
    // The exact policy: nothing inline, nothing foreign.
    let directives: Vec<&str> = CONTENT_SECURITY_POLICY.split("; ").collect();
    assert_eq!(
        directives,
        [
            "default-src 'none'",
            "script-src 'self' 'wasm-unsafe-eval'",
            "style-src 'self'",
            "img-src 'self'",
            "connect-src 'self'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    );
    assert!(!CONTENT_SECURITY_POLICY.contains("unsafe-inline"));
    // The API is not the app: its JSON answers are unchanged.
    let (status, headers, _) = fetch(&server, "/api/health", "").await;
    assert_eq!(status, 200);
    assert_eq!(headers.get("content-security-policy"), "");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn precompressed_files_are_sent_with_their_content_encoding() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, body: &[u8]| std::fs::write(dir.path().join(name), body).unwrap();
    write("index.html", b"<!doctype html>plain");
    write("index.html.br", b"index as brotli");
    write("x.js", b"plain x");
    write("x.js.br", b"x as brotli");
    write("x.js.gz", b"x as gzip");
    write("only-plain.css", b"plain css");
    let server = serve(dir.path()).await;
    let cases: &[(&str, &str, &str, &[u8])] = &[
        ("/x.js", "br", "br", b"x as brotli"),
        ("/x.js", "gzip", "gzip", b"x as gzip"),
        ("/x.js", "gzip;q=0.5, br", "br", b"x as brotli"),
        ("/x.js", "", "", b"plain x"),
        ("/x.js", "identity", "", b"plain x"),
        // No precompressed copy (it would not have been smaller): as is.
        ("/only-plain.css", "br, gzip", "", b"plain css"),
        // index.html, also when it answers a deep link.
        ("/", "br", "br", b"index as brotli"),
        ("/deep/link", "br", "br", b"index as brotli"),
        ("/deep/link", "gzip", "", b"<!doctype html>plain"),
    ];
    for &(path, accept, encoding, body) in cases {
        let (status, headers, got) = fetch(&server, path, accept).await;
        let what = format!("GET {path} with Accept-Encoding {accept:?}");
        assert_eq!(status, 200, "{what}");
        assert_eq!(headers.get("content-encoding"), encoding, "{what}");
        assert_eq!(got, body, "{what}");
        // The type is the original file's, not that of a .br or .gz file.
        let expected_type = match path {
            "/x.js" => "javascript",
            "/only-plain.css" => "text/css",
            _ => "text/html",
        };
        assert!(
            headers.get("content-type").contains(expected_type),
            "{what}: {}",
            headers.get("content-type")
        );
        assert_eq!(headers.get("vary"), "accept-encoding", "{what}");
    }
    server.stop().await;
}
