//! The per-user rate limit of typing notifications.
//!
//! Kept apart from the route (`crate::routes::typing`) because it is plain
//! bookkeeping with its own clock-driven tests, and because the shared
//! application state holds one without depending on any route.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

/// At most one typing notification per this interval per user (in any room:
/// a user types in one room at a time).
pub const TYPING_INTERVAL: Duration = Duration::from_secs(2);

/// Most users the limiter remembers at once. Entries expire after
/// [`TYPING_INTERVAL`]; while this many users typed within the last interval,
/// new users are refused (the route answers 429), so the map cannot grow
/// without bound whatever names clients make up.
pub const MAX_TRACKED_TYPISTS: usize = 10_000;

/// Why [`TypingLimiter::check`] refused a notification.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// This user sent one less than [`TYPING_INTERVAL`] ago; retry after
    /// the given time.
    TooSoon(Duration),
    /// The limiter already tracks its maximum number of users.
    Full,
}

/// Remembers when each user last sent a typing notification.
#[derive(Debug)]
pub struct TypingLimiter {
    capacity: usize,
    state: Mutex<LimiterState>,
}

#[derive(Debug, Default)]
struct LimiterState {
    last: HashMap<String, Instant>,
    swept: Option<Instant>,
}

impl Default for TypingLimiter {
    fn default() -> Self {
        TypingLimiter::new(MAX_TRACKED_TYPISTS)
    }
}

impl TypingLimiter {
    /// A limiter that remembers at most `capacity` users at once.
    pub fn new(capacity: usize) -> TypingLimiter {
        TypingLimiter {
            capacity,
            state: Mutex::default(),
        }
    }

    /// The most users remembered at once.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Records a notification of `user` now, or says why not.
    pub fn check(&self, user: &str) -> Result<(), Refused> {
        self.check_at(user, Instant::now())
    }

    fn check_at(&self, user: &str, now: Instant) -> Result<(), Refused> {
        // The map stays consistent if a panic poisoned the lock: every
        // change below is a single insert, update or retain.
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        // Expired entries are dropped at most once per interval, so the cost
        // of a sweep is spread over all the requests of an interval.
        if state
            .swept
            .is_none_or(|at| now.duration_since(at) >= TYPING_INTERVAL)
        {
            state
                .last
                .retain(|_, at| now.duration_since(*at) < TYPING_INTERVAL);
            state.swept = Some(now);
        }
        if let Some(at) = state.last.get_mut(user) {
            let elapsed = now.duration_since(*at);
            if elapsed < TYPING_INTERVAL {
                return Err(Refused::TooSoon(TYPING_INTERVAL - elapsed));
            }
            *at = now;
            return Ok(());
        }
        if state.last.len() >= self.capacity {
            return Err(Refused::Full);
        }
        state.last.insert(user.to_owned(), now);
        Ok(())
    }

    /// How many users are remembered right now (expired ones included until
    /// the next sweep).
    pub fn tracked(&self) -> usize {
        self.state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .last
            .len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_notification_per_interval_per_user() {
        let limiter = TypingLimiter::default();
        let t0 = Instant::now();
        assert_eq!(limiter.check_at("bob", t0), Ok(()));
        let half = TYPING_INTERVAL / 2;
        assert_eq!(
            limiter.check_at("bob", t0 + half),
            Err(Refused::TooSoon(TYPING_INTERVAL - half))
        );
        assert_eq!(limiter.check_at("carol", t0 + half), Ok(()));
        assert_eq!(limiter.check_at("bob", t0 + TYPING_INTERVAL), Ok(()));
        assert!(matches!(
            limiter.check_at("bob", t0 + TYPING_INTERVAL),
            Err(Refused::TooSoon(_))
        ));
    }

    #[test]
    fn expired_entries_are_swept_at_most_once_per_interval() {
        let limiter = TypingLimiter::default();
        let t0 = Instant::now();
        for i in 0..100 {
            limiter.check_at(&format!("u{i}"), t0).unwrap();
        }
        assert_eq!(limiter.tracked(), 100);
        // Within the interval of the last sweep nothing is swept, even though
        // entries are old enough by then.
        let later = t0 + TYPING_INTERVAL / 2;
        limiter.check_at("late", later).unwrap();
        assert_eq!(limiter.tracked(), 101);
        // One interval after the first sweep (at t0), the entries from t0
        // are gone; the one from `later` is not expired yet.
        limiter.check_at("next", t0 + TYPING_INTERVAL).unwrap();
        assert_eq!(limiter.tracked(), 2);
    }

    #[test]
    fn a_full_limiter_refuses_new_users_until_entries_expire() {
        let limiter = TypingLimiter::new(3);
        let t0 = Instant::now();
        for user in ["a", "b", "c"] {
            limiter.check_at(user, t0).unwrap();
        }
        assert_eq!(limiter.check_at("d", t0), Err(Refused::Full));
        // Known users are still limited as usual, not refused as "full".
        assert!(matches!(
            limiter.check_at("a", t0),
            Err(Refused::TooSoon(_))
        ));
        assert_eq!(limiter.tracked(), 3);
        // After an interval the old entries are swept and there is room.
        assert_eq!(limiter.check_at("d", t0 + TYPING_INTERVAL), Ok(()));
        assert_eq!(limiter.tracked(), 1);
    }
}
