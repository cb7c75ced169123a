//! Test support: run the real server in-process on a loopback port, talk to
//! it over HTTP, and read its event streams with a small SSE client that
//! follows the WHATWG parsing rules (fields `event`, `data`, `id`, `retry`,
//! comments, CR/LF/CRLF line ends).
//!
//! Nothing here sleeps to synchronise: every wait is "until this happens, or
//! fail after a deadline".

#![allow(dead_code)] // each test binary uses a different subset

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use futures_util::{Stream, StreamExt};
use reqwest::header::HeaderMap;
use reqwest::StatusCode;
use serde_json::{json, Value};
use sse_chat_server::{App, Config, Metrics};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpSocket, TcpStream};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// Upper bound for any single wait; only reached when a test fails.
pub const DEADLINE: Duration = Duration::from_secs(30);

/// A server running in this process.
pub struct TestServer {
    pub addr: SocketAddr,
    pub metrics: Arc<Metrics>,
    shutdown: Option<oneshot::Sender<()>>,
    handle: Option<JoinHandle<anyhow::Result<()>>>,
}

/// Defaults for tests: in-memory database, everything else as the CLI.
pub fn memory_config() -> Config {
    Config {
        memory: true,
        ..Config::default()
    }
}

/// Starts a server on a free loopback port.
pub async fn start(config: Config) -> TestServer {
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind loopback");
    let addr = listener.local_addr().expect("local addr");
    let app = App::new(config).expect("valid test config");
    let metrics = app.metrics();
    let (tx, rx) = oneshot::channel::<()>();
    let handle = tokio::spawn(app.serve(listener, async move {
        let _ = rx.await;
    }));
    TestServer {
        addr,
        metrics,
        shutdown: Some(tx),
        handle: Some(handle),
    }
}

impl TestServer {
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    /// Signals shutdown and waits until the server has closed its database.
    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        let handle = self.handle.take().expect("server handle");
        let result = tokio::time::timeout(DEADLINE, handle)
            .await
            .expect("server shut down in time")
            .expect("server task did not panic");
        result.expect("server shut down without error");
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder().build().expect("http client")
}

/// A JSON response: status, headers and body (`Value::Null` if empty).
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
    pub raw: String,
}

impl Reply {
    pub async fn from(response: reqwest::Response) -> Reply {
        let status = response.status();
        let headers = response.headers().clone();
        let raw = response.text().await.expect("response body");
        let body = if raw.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&raw)
                .unwrap_or_else(|e| panic!("body is not JSON ({e}): {raw:?} (status {status})"))
        };
        Reply {
            status,
            headers,
            body,
            raw,
        }
    }

    /// Asserts an error reply: the status, a JSON content type, and an
    /// `error` sentence containing `mentions`.
    pub fn assert_error(&self, status: u16, mentions: &str) {
        assert_eq!(
            self.status.as_u16(),
            status,
            "unexpected status; body {}",
            self.raw
        );
        let content_type = self
            .headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        assert!(
            content_type.starts_with("application/json"),
            "error content type {content_type:?} for {}",
            self.raw
        );
        let message = self.body["error"]
            .as_str()
            .unwrap_or_else(|| panic!("no error sentence in {}", self.raw));
        assert!(
            message.contains(mentions),
            "error {message:?} should mention {mentions:?}"
        );
    }
}

pub async fn post_json(client: &reqwest::Client, url: &str, body: &Value) -> Reply {
    Reply::from(client.post(url).json(body).send().await.expect("POST")).await
}

pub async fn get(client: &reqwest::Client, url: &str) -> Reply {
    Reply::from(client.get(url).send().await.expect("GET")).await
}

/// Posts a message and asserts 201; returns the stored message.
pub async fn post_message(
    client: &reqwest::Client,
    server: &TestServer,
    room: &str,
    user: &str,
    text: &str,
) -> Value {
    post_message_at(client, &server.url("/api/messages"), room, user, text).await
}

/// [`post_message`] given the messages URL (for spawned tasks that do not
/// hold the server).
pub async fn post_message_at(
    client: &reqwest::Client,
    url: &str,
    room: &str,
    user: &str,
    text: &str,
) -> Value {
    let reply = post_json(
        client,
        url,
        &json!({ "room": room, "user": user, "text": text }),
    )
    .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.raw);
    reply.body
}

/// One dispatched SSE event.
#[derive(Debug, Clone)]
pub struct SseEvent {
    /// `event:` field, `message` when absent.
    pub event: String,
    pub data: String,
    /// The `id:` field of this event's block, if it had one.
    pub id: Option<String>,
    /// The stream's last event id after this event (what EventSource keeps).
    pub last_event_id: String,
}

impl SseEvent {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.data)
            .unwrap_or_else(|e| panic!("event data is not JSON ({e}): {:?}", self.data))
    }

    /// The id of a `message` event, checked against its `id:` field.
    pub fn message_id(&self) -> i64 {
        assert_eq!(self.event, "message", "{self:?}");
        let id = self.json()["id"].as_i64().expect("message id");
        assert_eq!(self.id.as_deref(), Some(id.to_string().as_str()));
        id
    }
}

/// Incremental SSE parser (WHATWG HTML, "event stream interpretation").
#[derive(Debug, Default)]
pub struct SseParser {
    buf: Vec<u8>,
    start: usize,
    bom_checked: bool,
    event: String,
    data: String,
    block_id: Option<String>,
    last_event_id: String,
    pub retry: Option<u64>,
    /// `retry` seen before the first dispatched event.
    pub retry_before_first_event: bool,
    pub comments: usize,
    pub dispatched: usize,
}

impl SseParser {
    pub fn push(&mut self, bytes: &[u8], out: &mut VecDeque<SseEvent>) {
        if self.start > 0 {
            self.buf.drain(..self.start);
            self.start = 0;
        }
        self.buf.extend_from_slice(bytes);
        if !self.bom_checked {
            if self.buf.len() < 3 && b"\xEF\xBB\xBF".starts_with(&self.buf) {
                return;
            }
            if self.buf.starts_with(b"\xEF\xBB\xBF") {
                self.start = 3;
            }
            self.bom_checked = true;
        }
        loop {
            let rest = &self.buf[self.start..];
            let Some(pos) = rest.iter().position(|&b| b == b'\n' || b == b'\r') else {
                break;
            };
            let skip = if rest[pos] == b'\r' {
                match rest.get(pos + 1) {
                    None => break, // a LF may follow in the next chunk
                    Some(b'\n') => 2,
                    Some(_) => 1,
                }
            } else {
                1
            };
            let line = String::from_utf8_lossy(&rest[..pos]).into_owned();
            self.start += pos + skip;
            self.line(&line, out);
        }
    }

    fn line(&mut self, line: &str, out: &mut VecDeque<SseEvent>) {
        if line.is_empty() {
            self.dispatch(out);
            return;
        }
        if line.starts_with(':') {
            self.comments += 1;
            return;
        }
        let (field, value) = match line.split_once(':') {
            Some((field, value)) => (field, value.strip_prefix(' ').unwrap_or(value)),
            None => (line, ""),
        };
        match field {
            "event" => self.event = value.to_owned(),
            "data" => {
                self.data.push_str(value);
                self.data.push('\n');
            }
            "id" if !value.contains('\0') => {
                self.last_event_id = value.to_owned();
                self.block_id = Some(value.to_owned());
            }
            "retry" if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) => {
                self.retry = value.parse().ok();
                if self.dispatched == 0 {
                    self.retry_before_first_event = true;
                }
            }
            _ => {}
        }
    }

    fn dispatch(&mut self, out: &mut VecDeque<SseEvent>) {
        let block_id = self.block_id.take();
        let event = std::mem::take(&mut self.event);
        if self.data.is_empty() {
            return;
        }
        let mut data = std::mem::take(&mut self.data);
        data.pop(); // the trailing LF
        self.dispatched += 1;
        out.push_back(SseEvent {
            event: if event.is_empty() {
                "message".into()
            } else {
                event
            },
            data,
            id: block_id,
            last_event_id: self.last_event_id.clone(),
        });
    }
}

type ByteStream = Pin<Box<dyn Stream<Item = reqwest::Result<axum::body::Bytes>> + Send>>;

enum Source {
    Http(ByteStream),
    Raw(RawChunked),
}

/// A client-side event stream.
pub struct SseStream {
    pub parser: SseParser,
    queue: VecDeque<SseEvent>,
    source: Source,
    ended: bool,
    /// Set if the stream ended with a transport error instead of cleanly.
    pub error: Option<String>,
}

impl SseStream {
    /// `GET url` with `Accept: text/event-stream`; asserts 200 and the SSE
    /// headers.
    pub async fn connect(client: &reqwest::Client, url: &str, last_event_id: Option<&str>) -> Self {
        let mut request = client.get(url).header("accept", "text/event-stream");
        if let Some(id) = last_event_id {
            request = request.header("last-event-id", id);
        }
        let response = tokio::time::timeout(DEADLINE, request.send())
            .await
            .expect("event stream response in time")
            .expect("event stream request");
        let status = response.status();
        if status != StatusCode::OK {
            let body = response.text().await.unwrap_or_default();
            panic!("event stream answered {status}: {body}");
        }
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_owned()
        };
        assert_eq!(header("content-type"), "text/event-stream");
        assert_eq!(header("cache-control"), "no-cache");
        assert_eq!(header("x-accel-buffering"), "no");
        SseStream::from_source(Source::Http(Box::pin(response.bytes_stream())))
    }

    /// Sends `GET path` on a raw socket with a small, fixed receive buffer
    /// and reads nothing until the first `next_*` call: a subscriber that
    /// does not read fills its TCP window quickly.
    pub async fn connect_unread(addr: SocketAddr, path: &str, recv_buffer: u32) -> Self {
        let socket = TcpSocket::new_v4().expect("socket");
        // Set before connecting so the small window is used from the start;
        // setting it also turns off receive-buffer autotuning.
        socket.set_recv_buffer_size(recv_buffer).expect("SO_RCVBUF");
        let mut stream = socket.connect(addr).await.expect("connect");
        let request =
            format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nAccept: text/event-stream\r\n\r\n");
        stream
            .write_all(request.as_bytes())
            .await
            .expect("send request");
        SseStream::from_source(Source::Raw(RawChunked {
            reader: BufReader::with_capacity(64 * 1024, stream),
            headers_read: false,
            remaining: 0,
            done: false,
        }))
    }

    fn from_source(source: Source) -> Self {
        SseStream {
            parser: SseParser::default(),
            queue: VecDeque::new(),
            source,
            ended: false,
            error: None,
        }
    }

    /// Reads one more chunk; false at the end of the stream.
    async fn fill(&mut self) -> bool {
        if self.ended {
            return false;
        }
        let chunk = match &mut self.source {
            Source::Http(stream) => match stream.next().await {
                Some(Ok(bytes)) => Some(bytes.to_vec()),
                Some(Err(err)) => {
                    self.error = Some(err.to_string());
                    None
                }
                None => None,
            },
            Source::Raw(raw) => match raw.read_chunk().await {
                Ok(chunk) => chunk,
                Err(err) => {
                    self.error = Some(err.to_string());
                    None
                }
            },
        };
        match chunk {
            Some(bytes) => {
                self.parser.push(&bytes, &mut self.queue);
                true
            }
            None => {
                self.ended = true;
                false
            }
        }
    }

    /// The next event within `timeout`: `Ok(None)` if the stream ended,
    /// `Err(())` on timeout.
    pub async fn next_within(&mut self, timeout: Duration) -> Result<Option<SseEvent>, ()> {
        let read = async {
            loop {
                if let Some(event) = self.queue.pop_front() {
                    return Some(event);
                }
                if !self.fill().await {
                    return None;
                }
            }
        };
        tokio::time::timeout(timeout, read).await.map_err(|_| ())
    }

    /// The next event; panics if the stream ends or nothing comes in time.
    pub async fn next_event(&mut self) -> SseEvent {
        match self.next_within(DEADLINE).await {
            Ok(Some(event)) => event,
            Ok(None) => panic!("event stream ended (error: {:?})", self.error),
            Err(()) => panic!("no event within {DEADLINE:?}"),
        }
    }

    /// The next event of type `kind`, skipping pings.
    pub async fn next_of(&mut self, kind: &str) -> SseEvent {
        loop {
            let event = self.next_event().await;
            if event.event == "ping" {
                continue;
            }
            assert_eq!(event.event, kind, "unexpected event {event:?}");
            return event;
        }
    }

    /// Reads up to and including `ready`; returns the events before it and
    /// ready's `last_id`.
    pub async fn until_ready(&mut self) -> (Vec<SseEvent>, Option<i64>) {
        let mut before = Vec::new();
        loop {
            let event = self.next_event().await;
            if event.event == "ready" {
                assert_eq!(event.id, None, "ready must not carry an id");
                return (before, event.json()["last_id"].as_i64());
            }
            before.push(event);
        }
    }

    /// Reads `count` message events (skipping pings, presence and typing);
    /// returns their ids.
    pub async fn message_ids(&mut self, count: usize) -> Vec<i64> {
        let mut ids = Vec::with_capacity(count);
        while ids.len() < count {
            let event = self.next_event().await;
            if event.event == "message" {
                ids.push(event.message_id());
            }
        }
        ids
    }

    /// Asserts that the stream ends within `DEADLINE` (any events before the
    /// end are returned).
    pub async fn expect_end(&mut self) -> Vec<SseEvent> {
        let mut seen = Vec::new();
        loop {
            match self.next_within(DEADLINE).await {
                Ok(Some(event)) => seen.push(event),
                Ok(None) => return seen,
                Err(()) => panic!("stream did not end within {DEADLINE:?}"),
            }
        }
    }
}

/// Reader for an HTTP/1.1 response with a chunked body, for raw sockets.
struct RawChunked {
    reader: BufReader<TcpStream>,
    headers_read: bool,
    remaining: usize,
    done: bool,
}

impl RawChunked {
    async fn read_chunk(&mut self) -> std::io::Result<Option<Vec<u8>>> {
        use std::io::{Error, ErrorKind};
        if !self.headers_read {
            let mut status = String::new();
            self.reader.read_line(&mut status).await?;
            assert!(
                status.starts_with("HTTP/1.1 200"),
                "raw event stream answered {status:?}"
            );
            let mut chunked = false;
            loop {
                let mut line = String::new();
                if self.reader.read_line(&mut line).await? == 0 {
                    return Err(Error::new(ErrorKind::UnexpectedEof, "eof in headers"));
                }
                let line = line.trim_end();
                if line.is_empty() {
                    break;
                }
                let lower = line.to_ascii_lowercase();
                if lower.starts_with("transfer-encoding:") && lower.contains("chunked") {
                    chunked = true;
                }
            }
            assert!(chunked, "expected a chunked event stream");
            self.headers_read = true;
        }
        if self.done {
            return Ok(None);
        }
        if self.remaining == 0 {
            let mut line = String::new();
            if self.reader.read_line(&mut line).await? == 0 {
                self.done = true;
                return Ok(None);
            }
            let size = line.trim().split(';').next().unwrap_or("");
            let size = usize::from_str_radix(size, 16)
                .map_err(|_| Error::new(ErrorKind::InvalidData, format!("chunk size {line:?}")))?;
            if size == 0 {
                self.done = true;
                return Ok(None);
            }
            self.remaining = size;
        }
        let mut buf = vec![0; self.remaining.min(64 * 1024)];
        let n = self.reader.read(&mut buf).await?;
        if n == 0 {
            return Err(Error::new(ErrorKind::UnexpectedEof, "eof in chunk"));
        }
        buf.truncate(n);
        self.remaining -= n;
        if self.remaining == 0 {
            let mut crlf = [0u8; 2];
            self.reader.read_exact(&mut crlf).await?;
        }
        Ok(Some(buf))
    }
}

/// Asserts that `ids` are strictly ascending.
pub fn assert_ascending(ids: &[i64]) {
    for pair in ids.windows(2) {
        assert!(pair[0] < pair[1], "ids not strictly ascending: {pair:?}");
    }
}

/// The names a presence delta lists under `key` (`joined` or `left`): a
/// string is one name, an array several, absent none.
pub fn delta_names(data: &Value, key: &str) -> Vec<String> {
    match &data[key] {
        Value::Null => Vec::new(),
        Value::String(one) => vec![one.clone()],
        Value::Array(many) => many
            .iter()
            .map(|name| name.as_str().expect("names are strings").to_owned())
            .collect(),
        other => panic!("`{key}` is neither a string nor an array: {other}"),
    }
}

/// Reads `events` (skipping everything else) until a presence delta
/// announces `user` as joined.
pub async fn wait_joined(events: &mut SseStream, user: &str) {
    loop {
        let event = events.next_event().await;
        if event.event == "presence"
            && delta_names(&event.json(), "joined")
                .iter()
                .any(|u| u == user)
        {
            return;
        }
    }
}
