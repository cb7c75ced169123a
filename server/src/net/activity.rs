//! What one connection is doing, as far as its timeouts care, and the
//! watchdog that closes it when a timeout expires.
//!
//! The IO wrapper ([`super::io`]) reports bytes read and writes that block
//! or progress; the service wrapper ([`super::conn`]) reports requests
//! starting and their responses ending. From that:
//!
//! - **header timeout**: no request in flight, bytes of a new request
//!   arrived, and its head is still not complete `header` after the first
//!   of them;
//! - **idle timeout**: no request in flight and no byte of a new one for
//!   `idle` (before the first request, between keep-alive requests), or a
//!   write blocked for `idle` because the client does not read. A response
//!   that is merely quiet (an event stream between events) is not idle.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

use tokio::sync::Notify;
use tokio::time::Instant;

/// "Not set" for the millisecond fields.
const NONE: u64 = u64::MAX;

/// Which timeout expired.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expired {
    /// A request head took too long.
    Header,
    /// Nothing happened for too long.
    Idle,
}

/// Shared state of one connection. Times are milliseconds since `start`.
#[derive(Debug)]
pub struct Activity {
    start: Instant,
    in_flight: AtomicUsize,
    /// When the connection last had no request in flight (0: accepted).
    idle_since: AtomicU64,
    /// First byte read while no request was in flight, or [`NONE`].
    head_started: AtomicU64,
    /// When a write started to block, or [`NONE`].
    write_blocked_since: AtomicU64,
    changed: Notify,
}

impl Default for Activity {
    fn default() -> Self {
        Activity::new()
    }
}

impl Activity {
    /// A just-accepted connection.
    pub fn new() -> Activity {
        Activity {
            start: Instant::now(),
            in_flight: AtomicUsize::new(0),
            idle_since: AtomicU64::new(0),
            head_started: AtomicU64::new(NONE),
            write_blocked_since: AtomicU64::new(NONE),
            changed: Notify::new(),
        }
    }

    fn now_ms(&self) -> u64 {
        u64::try_from(self.start.elapsed().as_millis()).unwrap_or(NONE - 1)
    }

    fn at(&self, ms: u64, plus: Duration) -> Instant {
        self.start + Duration::from_millis(ms) + plus
    }

    /// `bytes` were read from the client.
    pub fn on_read(&self, bytes: usize) {
        if bytes > 0
            && self.in_flight.load(Ordering::Acquire) == 0
            && self.head_started.load(Ordering::Relaxed) == NONE
        {
            let _ = self.head_started.compare_exchange(
                NONE,
                self.now_ms(),
                Ordering::Relaxed,
                Ordering::Relaxed,
            );
            self.changed.notify_one();
        }
    }

    /// A write could not proceed (the client's window is full).
    pub fn on_write_blocked(&self) {
        if self.write_blocked_since.load(Ordering::Relaxed) == NONE {
            self.write_blocked_since
                .store(self.now_ms(), Ordering::Relaxed);
            self.changed.notify_one();
        }
    }

    /// A write went through.
    pub fn on_write_progress(&self) {
        if self.write_blocked_since.load(Ordering::Relaxed) != NONE {
            self.write_blocked_since.store(NONE, Ordering::Relaxed);
        }
    }

    /// A complete request head was handed to the application.
    pub fn request_started(&self) {
        self.in_flight.fetch_add(1, Ordering::AcqRel);
        self.head_started.store(NONE, Ordering::Relaxed);
    }

    /// A response was sent (or abandoned).
    pub fn request_finished(&self) {
        if self.in_flight.fetch_sub(1, Ordering::AcqRel) == 1 {
            self.head_started.store(NONE, Ordering::Relaxed);
            self.idle_since.store(self.now_ms(), Ordering::Relaxed);
            self.changed.notify_one();
        }
    }

    /// When the next timeout expires as things stand, if one can.
    fn deadline(&self, header: Duration, idle: Duration) -> Option<(Instant, Expired)> {
        let blocked = self.write_blocked_since.load(Ordering::Relaxed);
        if self.in_flight.load(Ordering::Acquire) > 0 {
            return (blocked != NONE).then(|| (self.at(blocked, idle), Expired::Idle));
        }
        let head = self.head_started.load(Ordering::Relaxed);
        if head != NONE {
            return Some((self.at(head, header), Expired::Header));
        }
        let since = self.idle_since.load(Ordering::Relaxed);
        Some((self.at(since, idle), Expired::Idle))
    }

    /// Completes when a timeout expires; never, while none can.
    pub async fn watch(&self, header: Duration, idle: Duration) -> Expired {
        loop {
            let changed = self.changed.notified();
            match self.deadline(header, idle) {
                Some((at, expired)) if at <= Instant::now() => return expired,
                Some((at, _)) => {
                    tokio::select! {
                        () = tokio::time::sleep_until(at) => {}
                        () = changed => {}
                    }
                }
                None => changed.await,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: Duration = Duration::from_secs(10);
    const IDLE: Duration = Duration::from_secs(60);

    #[test]
    fn deadlines_follow_the_connection_state() {
        let a = Activity::new();
        let idle = a.deadline(HEADER, IDLE).unwrap();
        assert_eq!(idle, (a.start + IDLE, Expired::Idle));
        a.on_read(5);
        assert_eq!(a.deadline(HEADER, IDLE).unwrap().1, Expired::Header);
        a.request_started();
        assert_eq!(
            a.deadline(HEADER, IDLE),
            None,
            "a quiet response is not idle"
        );
        a.on_write_blocked();
        assert_eq!(a.deadline(HEADER, IDLE).unwrap().1, Expired::Idle);
        a.on_write_progress();
        assert_eq!(a.deadline(HEADER, IDLE), None);
        a.on_read(5); // body bytes do not start a head
        assert_eq!(a.deadline(HEADER, IDLE), None);
        a.request_finished();
        assert_eq!(a.deadline(HEADER, IDLE).unwrap().1, Expired::Idle);
    }
}
