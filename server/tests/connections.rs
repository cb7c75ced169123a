//! The connection layer under hostile clients, over raw loopback sockets:
//! header, idle and body timeouts, the connection cap, oversized bodies
//! (a 413, not a reset) and JSON bodies for errors raised before routing.
//!
//! Timeouts are configured short (a few hundred ms); tests wait for their
//! effect (the server closing the socket) with deadlines, never for a time.

mod support;

use std::net::SocketAddr;
use std::time::Duration;

use serde_json::{json, Value};
use sse_chat_server::Config;
use support::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// A parsed HTTP/1.1 response read from a raw socket.
#[derive(Debug)]
struct RawReply {
    status: u16,
    /// Header names in lower case.
    headers: Vec<(String, String)>,
    body: Value,
}

impl RawReply {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    fn assert_json_error(&self, status: u16, mentions: &str) {
        assert_eq!(self.status, status, "{self:?}");
        assert_eq!(
            self.header("content-type"),
            Some("application/json"),
            "{self:?}"
        );
        let error = self.body["error"]
            .as_str()
            .unwrap_or_else(|| panic!("{self:?}"));
        assert!(
            error.contains(mentions),
            "{error:?} should mention {mentions:?}"
        );
    }
}

async fn connect(addr: SocketAddr) -> TcpStream {
    tokio::time::timeout(DEADLINE, TcpStream::connect(addr))
        .await
        .expect("connected in time")
        .expect("connect")
}

/// Reads one response with a `Content-Length` body.
async fn read_reply(stream: &mut TcpStream) -> RawReply {
    let read = async {
        let mut buf = Vec::new();
        let head_end = loop {
            if let Some(at) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break at + 4;
            }
            let mut chunk = [0u8; 4096];
            let n = stream.read(&mut chunk).await.expect("read a response");
            assert!(n > 0, "connection closed before a response: {buf:?}");
            buf.extend_from_slice(&chunk[..n]);
        };
        let head = String::from_utf8(buf[..head_end].to_vec()).expect("UTF-8 head");
        let mut lines = head.split("\r\n");
        let status = lines.next().unwrap()[9..12].parse().unwrap();
        let headers: Vec<(String, String)> = lines
            .filter_map(|line| line.split_once(':'))
            .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
            .collect();
        let length: usize = headers
            .iter()
            .find(|(n, _)| n == "content-length")
            .map_or(0, |(_, v)| v.parse().unwrap());
        let mut body = buf[head_end..].to_vec();
        while body.len() < length {
            let mut chunk = [0u8; 4096];
            let n = stream.read(&mut chunk).await.expect("read a body");
            assert!(n > 0, "connection closed in the body");
            body.extend_from_slice(&chunk[..n]);
        }
        let body = if length == 0 {
            Value::Null
        } else {
            serde_json::from_slice(&body[..length]).expect("JSON body")
        };
        RawReply {
            status,
            headers,
            body,
        }
    };
    tokio::time::timeout(DEADLINE, read)
        .await
        .expect("a response in time")
}

/// Waits until the server closes `stream` cleanly (EOF, not a reset);
/// returns what arrived before.
async fn expect_closed(stream: &mut TcpStream) -> Vec<u8> {
    let mut rest = Vec::new();
    tokio::time::timeout(DEADLINE, stream.read_to_end(&mut rest))
        .await
        .expect("the server closed the connection in time")
        .expect("a clean close, not a reset");
    rest
}

const HEALTH: &[u8] = b"GET /api/health HTTP/1.1\r\nHost: test\r\n\r\n";

fn short_timeouts() -> Config {
    Config {
        header_timeout_ms: 300,
        idle_timeout_ms: 400,
        body_timeout_ms: 300,
        ..memory_config()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_request_heads_are_closed_after_the_header_timeout() {
    let server = start(Config {
        idle_timeout_ms: 60_000,
        ..short_timeouts()
    })
    .await;
    // Half a request head, then nothing.
    let mut half = connect(server.addr).await;
    half.write_all(b"GET /api/health HTTP/1.1\r\nHost: te")
        .await
        .unwrap();
    // A slowloris: one more byte of the head every 50 ms, for ever. The
    // timeout counts from the first byte, not from the last one.
    let mut trickle = connect(server.addr).await;
    let trickler = tokio::spawn(async move {
        let mut ticks = tokio::time::interval(Duration::from_millis(50));
        let mut sent = 0u64;
        loop {
            ticks.tick().await;
            if trickle.write_all(b"X-Slow: y\r\n").await.is_err() {
                return sent;
            }
            sent += 1;
            let mut probe = [0u8; 1];
            if let Ok(Ok(0)) = tokio::time::timeout(Duration::ZERO, trickle.read(&mut probe)).await
            {
                return sent;
            }
        }
    });
    assert!(
        expect_closed(&mut half).await.is_empty(),
        "closed without an answer"
    );
    let sent = tokio::time::timeout(DEADLINE, trickler)
        .await
        .expect("the slowloris was cut off")
        .unwrap();
    assert!(sent > 0);
    assert_eq!(server.metrics.header_timeouts(), 2);
    // Prompt clients are served meanwhile.
    let mut prompt = connect(server.addr).await;
    prompt.write_all(HEALTH).await.unwrap();
    assert_eq!(read_reply(&mut prompt).await.status, 200);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_connections_are_closed_but_quiet_event_streams_are_not() {
    let server = start(Config {
        heartbeat: 3600,
        ..short_timeouts()
    })
    .await;
    let client = client();
    let mut events = SseStream::connect(&client, &server.url("/api/events"), None).await;
    events.until_ready().await;
    // Connected, sends nothing at all.
    let mut silent = connect(server.addr).await;
    // One request, then nothing (an idle keep-alive connection).
    let mut kept = connect(server.addr).await;
    kept.write_all(HEALTH).await.unwrap();
    let reply = read_reply(&mut kept).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.header("connection"), None, "kept alive");
    assert!(expect_closed(&mut silent).await.is_empty());
    assert!(expect_closed(&mut kept).await.is_empty());
    assert_eq!(server.metrics.idle_timeouts(), 2);
    assert_eq!(server.metrics.header_timeouts(), 0);
    // The event stream, opened before both and quiet ever since (no ping
    // for an hour), is still served.
    let posted = post_message(&client, &server, "general", "alice", "still there?").await;
    assert_eq!(events.next_of("message").await.json(), posted);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stream_whose_client_stopped_reading_is_closed_as_idle() {
    let server = start(Config {
        heartbeat: 3600,
        idle_timeout_ms: 1000,
        ..memory_config()
    })
    .await;
    let client = client();
    let mut watcher = SseStream::connect(&client, &server.url("/api/events"), None).await;
    watcher.until_ready().await;
    let _stuck = SseStream::connect_unread(server.addr, "/api/events?user=stuck", 4096).await;
    wait_joined(&mut watcher, "stuck").await;
    // Fill the socket buffers until the server's writes block; then the
    // idle timeout closes the stream and its user leaves.
    let text = "x".repeat(4000);
    let url = server.url("/api/messages");
    let poster = {
        let client = client.clone();
        tokio::spawn(async move {
            let body = json!({"room": "general", "user": "poster", "text": text});
            loop {
                // Errors do not matter here, only that writes pile up.
                let _ = client.post(&url).json(&body).send().await;
            }
        })
    };
    loop {
        let event = watcher.next_event().await;
        if event.event == "presence" && delta_names(&event.json(), "left") == ["stuck"] {
            break;
        }
    }
    poster.abort();
    assert!(server.metrics.idle_timeouts() >= 1);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_that_does_not_arrive_in_time_gets_408_and_connection_close() {
    let server = start(short_timeouts()).await;
    let mut stream = connect(server.addr).await;
    stream
        .write_all(
            b"POST /api/messages HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n\
              Content-Length: 100\r\n\r\n{\"room\":",
        )
        .await
        .unwrap();
    let reply = read_reply(&mut stream).await;
    reply.assert_json_error(408, "did not arrive within 300 ms");
    assert_eq!(reply.header("connection"), Some("close"));
    expect_closed(&mut stream).await;
    assert_eq!(server.metrics.body_timeouts(), 1);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_beyond_the_cap_get_a_503_json_answer() {
    let server = start(Config {
        max_connections: 2,
        ..memory_config()
    })
    .await;
    let mut held = Vec::new();
    for _ in 0..2 {
        let mut stream = connect(server.addr).await;
        stream.write_all(HEALTH).await.unwrap();
        assert_eq!(read_reply(&mut stream).await.status, 200);
        held.push(stream);
    }
    let mut third = connect(server.addr).await;
    third.write_all(HEALTH).await.unwrap();
    let reply = read_reply(&mut third).await;
    reply.assert_json_error(503, "too many open connections (at most 2)");
    assert_eq!(reply.header("retry-after"), Some("1"));
    assert_eq!(reply.header("connection"), Some("close"));
    expect_closed(&mut third).await;
    assert_eq!(server.metrics.refused_connections(), 1);

    // A slot frees up once a held connection closes.
    drop(held.pop());
    let served = async {
        loop {
            let mut stream = connect(server.addr).await;
            stream.write_all(HEALTH).await.unwrap();
            if read_reply(&mut stream).await.status == 200 {
                return;
            }
        }
    };
    tokio::time::timeout(DEADLINE, served)
        .await
        .expect("served again once a slot is free");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_huge_chunked_body_gets_a_413_and_a_clean_close_not_a_reset() {
    let server = start(memory_config()).await;
    let mut stream = connect(server.addr).await;
    // A simple client: sends the whole 10 MiB body, and only then reads the
    // answer. The server answers after 64 KiB; it must read the rest away
    // before closing, or the kernel resets the connection and the client
    // never sees the 413.
    let upload = async {
        stream
            .write_all(
                b"POST /api/messages HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n\
                  Transfer-Encoding: chunked\r\n\r\n",
            )
            .await?;
        let chunk = format!("{:x}\r\n{}\r\n", 64 * 1024, "x".repeat(64 * 1024));
        for _ in 0..160 {
            stream.write_all(chunk.as_bytes()).await?;
        }
        stream.write_all(b"0\r\n\r\n").await?;
        stream.shutdown().await
    };
    tokio::time::timeout(DEADLINE, upload)
        .await
        .expect("uploaded in time")
        .expect("the server took the whole body (no reset)");
    let mut response = Vec::new();
    tokio::time::timeout(DEADLINE, stream.read_to_end(&mut response))
        .await
        .expect("the answer and the close in time")
        .expect("a clean close, not a reset");
    let text = String::from_utf8(response).unwrap();
    let (head, body) = text.split_once("\r\n\r\n").expect("a response");
    assert!(head.starts_with("HTTP/1.1 413 "), "{head}");
    let head = head.to_ascii_lowercase();
    assert!(head.contains("\r\nconnection: close"), "{head}");
    assert!(
        head.contains("\r\ncontent-type: application/json"),
        "{head}"
    );
    let body: Value = serde_json::from_str(body).unwrap();
    assert_eq!(
        body,
        json!({"error": "The request body is larger than the limit of 64 KiB."})
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_oversized_content_length_gets_a_413_with_connection_close() {
    let server = start(memory_config()).await;
    let mut stream = connect(server.addr).await;
    stream
        .write_all(
            b"POST /api/messages HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n\
              Content-Length: 100000\r\n\r\n",
        )
        .await
        .unwrap();
    let reply = read_reply(&mut stream).await;
    reply.assert_json_error(413, "64 KiB");
    assert_eq!(reply.header("connection"), Some("close"));
    expect_closed(&mut stream).await;
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn errors_raised_before_routing_have_json_bodies() {
    let server = start(memory_config()).await;
    let cases: Vec<(Vec<u8>, u16, &str)> = vec![
        (
            b"NOT HTTP AT ALL\r\n\r\n".to_vec(),
            400,
            "not valid HTTP/1.1",
        ),
        (
            b"GET /api/health HTTP/1.1\r\nHost: test\r\nBad Header\r\n\r\n".to_vec(),
            400,
            "not valid HTTP/1.1",
        ),
        (
            format!(
                "GET /api/health HTTP/1.1\r\nHost: test\r\nX-Big: {}\r\n\r\n",
                "y".repeat(70_000)
            )
            .into_bytes(),
            431,
            "64 KiB",
        ),
        (
            format!(
                "GET /api/health HTTP/1.1\r\nHost: test\r\n{}\r\n",
                (0..120)
                    .map(|i| format!("X-H{i}: v\r\n"))
                    .collect::<String>()
            )
            .into_bytes(),
            431,
            "100 headers",
        ),
    ];
    for (request, status, mentions) in cases {
        let mut stream = connect(server.addr).await;
        stream.write_all(&request).await.unwrap();
        let reply = read_reply(&mut stream).await;
        reply.assert_json_error(status, mentions);
        assert_eq!(reply.header("connection"), Some("close"), "{reply:?}");
        expect_closed(&mut stream).await;
    }
    // A URI over 8 KiB: 414 from the connection layer; the connection stays
    // usable.
    let mut stream = connect(server.addr).await;
    let long = format!(
        "GET /api/health?x={} HTTP/1.1\r\nHost: test\r\n\r\n",
        "a".repeat(9000)
    );
    stream.write_all(long.as_bytes()).await.unwrap();
    read_reply(&mut stream)
        .await
        .assert_json_error(414, "8 KiB");
    stream.write_all(HEALTH).await.unwrap();
    assert_eq!(read_reply(&mut stream).await.status, 200);
    server.stop().await;
}
