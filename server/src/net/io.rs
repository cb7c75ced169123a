//! The socket as hyper sees it: a `TcpStream` that
//!
//! - reports reads and blocked or progressing writes to the connection's
//!   [`Activity`] (for its timeouts);
//! - replaces hyper's own answers to unparsable requests (400, 414, 431,
//!   sent before any routing, with an empty body) by the same status with a
//!   JSON error body and `Connection: close`, as the protocol promises for
//!   every error;
//! - closes gracefully ("lingering close"): on shutdown it sends FIN, then
//!   reads and discards what the client still sends (at most
//!   [`LINGER_BYTES`] during [`LINGER`], until nothing came for
//!   [`LINGER_QUIET`]) before the socket is dropped.
//!   Closing a socket with unread data makes the kernel send a reset, and a
//!   client still uploading a refused body would lose the answer (a 413)
//!   with it.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{ready, Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio::time::Sleep;

use super::activity::Activity;
use crate::error::json_body;
use crate::limits::{MAX_HEADERS, MAX_HEAD_BYTES, MAX_URI_BYTES};

/// How long a closing connection keeps reading what the client still sends.
pub const LINGER: Duration = Duration::from_secs(2);
/// How much a closing connection reads at most before it gives up.
pub const LINGER_BYTES: usize = 16 * 1024 * 1024;
/// A closing connection stops reading once nothing came for this long.
pub const LINGER_QUIET: Duration = Duration::from_millis(200);

/// The state of a lingering close.
#[derive(Debug)]
struct Linger {
    /// The end of [`LINGER`].
    until: Pin<Box<Sleep>>,
    /// Reset whenever something arrives.
    quiet: Pin<Box<Sleep>>,
    drained: usize,
}

/// See the module docs.
#[derive(Debug)]
pub struct ConnIo {
    stream: TcpStream,
    activity: Arc<Activity>,
    /// A replacement answer being written, and how much of it is out.
    replacement: Option<(Vec<u8>, usize)>,
    /// Set once the write side is shut down.
    linger: Option<Linger>,
}

impl ConnIo {
    /// Wraps an accepted connection.
    pub fn new(stream: TcpStream, activity: Arc<Activity>) -> ConnIo {
        ConnIo {
            stream,
            activity,
            replacement: None,
            linger: None,
        }
    }

    /// Writes out the rest of a replacement answer, if one is pending.
    fn poll_replacement(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while let Some((bytes, written)) = &mut self.replacement {
            if *written >= bytes.len() {
                break;
            }
            let n = ready!(Pin::new(&mut self.stream).poll_write(cx, &bytes[*written..]))?;
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            *written += n;
        }
        Poll::Ready(Ok(()))
    }

    /// Reads and drops what the client sends until it closes, the budget is
    /// spent or the time is up.
    fn poll_linger(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        let Some(linger) = &mut self.linger else {
            return Poll::Ready(());
        };
        let mut scratch = [0u8; 8192];
        while linger.drained < LINGER_BYTES {
            let mut buf = ReadBuf::new(&mut scratch);
            match Pin::new(&mut self.stream).poll_read(cx, &mut buf) {
                Poll::Ready(Ok(())) if buf.filled().is_empty() => return Poll::Ready(()),
                Poll::Ready(Ok(())) => {
                    linger.drained += buf.filled().len();
                    let quiet_until = tokio::time::Instant::now() + LINGER_QUIET;
                    linger.quiet.as_mut().reset(quiet_until);
                }
                Poll::Ready(Err(_)) => return Poll::Ready(()),
                Poll::Pending => {
                    if linger.until.as_mut().poll(cx).is_ready()
                        || linger.quiet.as_mut().poll(cx).is_ready()
                    {
                        return Poll::Ready(());
                    }
                    return Poll::Pending;
                }
            }
        }
        Poll::Ready(())
    }

    fn track<T>(&self, poll: Poll<io::Result<T>>) -> Poll<io::Result<T>> {
        match &poll {
            Poll::Ready(Ok(_)) => self.activity.on_write_progress(),
            Poll::Pending => self.activity.on_write_blocked(),
            Poll::Ready(Err(_)) => {}
        }
        poll
    }
}

impl AsyncRead for ConnIo {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        let poll = Pin::new(&mut this.stream).poll_read(cx, buf);
        if let Poll::Ready(Ok(())) = poll {
            this.activity.on_read(buf.filled().len() - before);
        }
        poll
    }
}

impl AsyncWrite for ConnIo {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        if this.replacement.is_none() {
            if let Some(answer) = replacement_for(buf) {
                this.replacement = Some((answer, 0));
            }
        }
        if this.replacement.is_some() {
            // Whatever hyper writes after its error answer is swallowed; the
            // connection closes after it anyway.
            let poll = this.poll_replacement(cx);
            return match poll {
                Poll::Ready(Err(err)) => Poll::Ready(Err(err)),
                _ => Poll::Ready(Ok(buf.len())),
            };
        }
        let poll = Pin::new(&mut this.stream).poll_write(cx, buf);
        this.track(poll)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let first = bufs.iter().find(|b| !b.is_empty());
        if this.replacement.is_some() || first.is_some_and(|b| replacement_for(b).is_some()) {
            let buf = first.map_or(&[][..], |b| &b[..]);
            return Pin::new(this).poll_write(cx, buf);
        }
        let poll = Pin::new(&mut this.stream).poll_write_vectored(cx, bufs);
        this.track(poll)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(this.poll_replacement(cx))?;
        let poll = Pin::new(&mut this.stream).poll_flush(cx);
        this.track(poll)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if this.linger.is_none() {
            ready!(this.poll_replacement(cx))?;
            ready!(Pin::new(&mut this.stream).poll_shutdown(cx))?;
            this.linger = Some(Linger {
                until: Box::pin(tokio::time::sleep(LINGER)),
                quiet: Box::pin(tokio::time::sleep(LINGER_QUIET)),
                drained: 0,
            });
        }
        ready!(this.poll_linger(cx));
        Poll::Ready(Ok(()))
    }
}

/// If `buf` is hyper's automatic answer to a request it could not parse
/// (status 400, 414 or 431, an empty body, no content type: an answer the
/// application never gives, its errors are all JSON), the answer to send
/// instead.
fn replacement_for(buf: &[u8]) -> Option<Vec<u8>> {
    if buf.len() > 1024 || !buf.starts_with(b"HTTP/1.") {
        return None;
    }
    let head = std::str::from_utf8(buf).ok()?;
    let status = head.get(9..12)?;
    let message = match status {
        "400" => {
            "The request could not be read: its request line or a header is not valid HTTP/1.1."
                .to_owned()
        }
        "414" => format!(
            "The request URI is longer than the limit of {} KiB.",
            MAX_URI_BYTES / 1024
        ),
        "431" => format!(
            "The request head is larger than the limit of {} KiB, or has more than \
             {MAX_HEADERS} headers.",
            MAX_HEAD_BYTES / 1024
        ),
        _ => return None,
    };
    let lower = head.to_ascii_lowercase();
    if !head.ends_with("\r\n\r\n")
        || head.matches("\r\n\r\n").count() != 1
        || !lower.contains("\r\ncontent-length: 0\r\n")
        || lower.contains("\r\ncontent-type:")
    {
        return None;
    }
    let status_line = head.split("\r\n").next()?;
    let date = lower
        .find("\r\ndate:")
        .and_then(|at| head[at + 2..].split("\r\n").next())
        .map(|line| format!("{line}\r\n"))
        .unwrap_or_default();
    let body = json_body(&message);
    Some(
        format!(
            "{status_line}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\
             connection: close\r\n{date}\r\n{body}",
            body.len()
        )
        .into_bytes(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_hypers_bodyless_error_answers_are_replaced() {
        let auto = b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-length: 0\r\n\
                     date: Sun, 01 Mar 2026 00:00:00 GMT\r\n\r\n";
        let answer = String::from_utf8(replacement_for(auto).unwrap()).unwrap();
        let (head, body) = answer.split_once("\r\n\r\n").unwrap();
        assert!(head.starts_with("HTTP/1.1 431 Request Header Fields Too Large\r\n"));
        assert!(head.contains("\r\ncontent-type: application/json\r\n"));
        assert!(head.contains("\r\nconnection: close\r\n"));
        assert!(head.contains("\r\ndate: Sun, 01 Mar 2026 00:00:00 GMT"));
        assert!(head.contains(&format!("\r\ncontent-length: {}", body.len())));
        assert!(body.starts_with(r#"{"error":"The request head is larger"#));
        assert!(
            replacement_for(b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n").is_some()
        );

        let json = b"HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\n\
                     content-length: 0\r\n\r\n";
        assert!(replacement_for(json).is_none());
        let with_body = b"HTTP/1.1 400 Bad Request\r\ncontent-length: 2\r\n\r\n{}";
        assert!(replacement_for(with_body).is_none());
        let other = b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n";
        assert!(replacement_for(other).is_none());
        assert!(replacement_for(b"0\r\n\r\n").is_none());
    }
}
