//! Retry schedule: exponential backoff with full jitter.
//!
//! Full jitter (a uniform delay between a floor and the exponential cap)
//! spreads a crowd of clients that lost the same server over the whole
//! window, instead of having them all knock again at the same instant.
//! Pure: the caller supplies the random number, so tests are exact.

/// Exponential backoff with full jitter, reset on success.
#[derive(Clone, Debug, PartialEq)]
pub struct Backoff {
    /// Cap of the first retry's window, in ms.
    pub base_ms: f64,
    /// Largest window, in ms.
    pub max_ms: f64,
    /// Shortest delay ever returned, so a zero draw cannot spin.
    pub min_ms: f64,
    attempt: u32,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff::new(1_000.0, 30_000.0)
    }
}

impl Backoff {
    pub fn new(base_ms: f64, max_ms: f64) -> Self {
        Backoff {
            base_ms,
            max_ms,
            min_ms: 250.0,
            attempt: 0,
        }
    }

    /// Failures since the last reset.
    pub fn attempt(&self) -> u32 {
        self.attempt
    }

    /// The upper bound of the window for the current attempt.
    pub fn window_ms(&self) -> f64 {
        // 2^attempt overflows nothing: the exponent is clamped first.
        let factor = 2f64.powi(self.attempt.min(30) as i32);
        (self.base_ms * factor).min(self.max_ms)
    }

    /// Records a failure and returns the delay before the next try.
    /// `random` is a uniform draw from [0, 1).
    pub fn next_delay(&mut self, random: f64) -> f64 {
        let random = if random.is_finite() {
            random.clamp(0.0, 1.0)
        } else {
            0.5
        };
        let delay = (self.window_ms() * random).max(self.min_ms);
        self.attempt = self.attempt.saturating_add(1);
        delay
    }

    /// Like [`Backoff::next_delay`] but never shorter than a server's
    /// `Retry-After` (seconds).
    pub fn next_delay_after(&mut self, random: f64, retry_after_s: Option<f64>) -> f64 {
        let delay = self.next_delay(random);
        match retry_after_s {
            Some(s) if s.is_finite() && s > 0.0 => delay.max((s * 1000.0).min(self.max_ms * 4.0)),
            _ => delay,
        }
    }

    /// Back to the first attempt (after a success).
    pub fn reset(&mut self) {
        self.attempt = 0;
    }
}

/// A stream counts as healthy (and resets its backoff) only after it
/// delivered an event or stayed open this long: a server that accepts and
/// closes at once must not be retried at full speed forever.
pub const HEALTHY_AFTER_MS: f64 = 10_000.0;

/// Whether a stream that was open for `open_ms` and delivered an event
/// (`got_event`) or not has proved healthy.
pub fn stream_proved_healthy(open_ms: f64, got_event: bool) -> bool {
    got_event || open_ms >= HEALTHY_AFTER_MS
}

/// Parses a `Retry-After` header given in seconds (the HTTP-date form is
/// rare for 429/503 and is treated as absent).
pub fn parse_retry_after(header: &str) -> Option<f64> {
    header
        .trim()
        .parse::<f64>()
        .ok()
        .filter(|s| s.is_finite() && *s >= 0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_open_that_delivers_nothing_and_ends_at_once_is_not_health() {
        assert!(!stream_proved_healthy(50.0, false));
        assert!(stream_proved_healthy(50.0, true));
        assert!(stream_proved_healthy(HEALTHY_AFTER_MS, false));
        // So the attempts keep counting across such opens.
        let mut b = Backoff::default();
        for _ in 0..3 {
            b.next_delay(0.5);
            if stream_proved_healthy(50.0, false) {
                b.reset();
            }
        }
        assert_eq!(b.attempt(), 3);
    }

    #[test]
    fn windows_double_up_to_the_cap() {
        let mut b = Backoff::new(1000.0, 30_000.0);
        let windows: Vec<f64> = (0..8)
            .map(|_| {
                let w = b.window_ms();
                b.next_delay(0.5);
                w
            })
            .collect();
        assert_eq!(
            windows,
            [1000.0, 2000.0, 4000.0, 8000.0, 16000.0, 30000.0, 30000.0, 30000.0]
        );
        assert_eq!(b.attempt(), 8);
    }

    #[test]
    fn delays_stay_within_floor_and_window() {
        let mut b = Backoff::default();
        for i in 0..100 {
            let r = (i as f64 * 0.618_033_988_7) % 1.0;
            let window = b.window_ms();
            let d = b.next_delay(r);
            assert!(
                d >= b.min_ms && d <= window.max(b.min_ms),
                "attempt {i}: {d} not in [{}, {window}]",
                b.min_ms
            );
        }
        // Huge attempt counts neither overflow nor exceed the cap.
        assert!(b.next_delay(0.999_999) <= 30_000.0);
    }

    #[test]
    fn jitter_is_full() {
        let mut lo = Backoff::default();
        let mut hi = Backoff::default();
        for _ in 0..4 {
            lo.next_delay(0.0);
            hi.next_delay(0.0);
        }
        assert_eq!(lo.next_delay(0.0), 250.0);
        assert_eq!(hi.next_delay(0.99), 16_000.0 * 0.99);
    }

    #[test]
    fn bad_random_values_are_tamed() {
        let mut b = Backoff::default();
        assert_eq!(b.next_delay(f64::NAN), 500.0);
        assert_eq!(b.next_delay(7.0), 2000.0);
        assert_eq!(b.next_delay(-1.0), 250.0);
    }

    #[test]
    fn reset_and_retry_after() {
        let mut b = Backoff::default();
        b.next_delay(0.5);
        b.next_delay(0.5);
        b.reset();
        assert_eq!(b.attempt(), 0);
        assert_eq!(b.next_delay_after(0.1, Some(5.0)), 5000.0);
        assert_eq!(b.next_delay_after(0.5, Some(0.0)), 1000.0);
        assert_eq!(
            b.next_delay_after(0.5, Some(1e9)),
            120_000.0,
            "capped at 4x max"
        );
        assert_eq!(parse_retry_after(" 3 "), Some(3.0));
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), None);
        assert_eq!(parse_retry_after("-1"), None);
    }
}
