//! Rate limits for log lines that clients can trigger at will (timeouts,
//! refused connections): the first occurrence is logged at once, further
//! ones at most once per window, with the number left out in between, so a
//! flood of slow or idle connections cannot flood the log too.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// One throttled kind of log line.
#[derive(Debug)]
pub struct Throttle {
    window_ms: u64,
    next_ms: AtomicU64,
    suppressed: AtomicU64,
}

impl Throttle {
    /// At most one line per `window_ms` milliseconds.
    pub const fn new(window_ms: u64) -> Self {
        Throttle {
            window_ms,
            next_ms: AtomicU64::new(0),
            suppressed: AtomicU64::new(0),
        }
    }

    /// `Some(n)` if a line should be written now, `n` being how many were
    /// left out since the last one; `None` to leave this one out.
    pub fn allow(&self) -> Option<u64> {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX));
        let next = self.next_ms.load(Ordering::Relaxed);
        if now >= next
            && self
                .next_ms
                .compare_exchange(
                    next,
                    now.saturating_add(self.window_ms),
                    Ordering::Relaxed,
                    Ordering::Relaxed,
                )
                .is_ok()
        {
            return Some(self.suppressed.swap(0, Ordering::Relaxed));
        }
        self.suppressed.fetch_add(1, Ordering::Relaxed);
        None
    }
}

/// `""`, or `" (and N more like it since the last such line)"`.
pub fn more(suppressed: u64) -> String {
    if suppressed == 0 {
        String::new()
    } else {
        format!(" (and {suppressed} more like it since the last such line)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_line_passes_then_lines_are_counted() {
        let throttle = Throttle::new(60_000);
        assert_eq!(throttle.allow(), Some(0));
        assert_eq!(throttle.allow(), None);
        assert_eq!(throttle.allow(), None);
        throttle.next_ms.store(0, Ordering::Relaxed);
        assert_eq!(throttle.allow(), Some(2));
        assert_eq!(more(0), "");
        assert_eq!(more(2), " (and 2 more like it since the last such line)");
    }
}
