//! Counters that tests and operators can read: lag refills of slow
//! streams, and what the connection layer ([`crate::net`]) refused or
//! timed out.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};

/// Most distinct user names [`Metrics`] keeps a per-user lag counter for.
/// User names are chosen by clients, so the map must not grow with them;
/// lags of further users still count in [`Metrics::lag_recoveries`].
pub const MAX_LAG_USERS: usize = 1000;

/// Counters that tests and operators can read.
#[derive(Debug, Default)]
pub struct Metrics {
    lag_recoveries: AtomicU64,
    refilled_messages: AtomicU64,
    lag_by_user: Mutex<HashMap<String, u64>>,
    connections: AtomicU64,
    open_connections: AtomicU64,
    refused_connections: AtomicU64,
    header_timeouts: AtomicU64,
    idle_timeouts: AtomicU64,
    body_timeouts: AtomicU64,
}

impl Metrics {
    /// How many times a stream fell behind the broadcast channel and refilled
    /// the gap from the database.
    pub fn lag_recoveries(&self) -> u64 {
        self.lag_recoveries.load(Ordering::Relaxed)
    }

    /// Like [`Metrics::lag_recoveries`], for streams opened with `user=USER`
    /// (`""` for streams without a user). Only the first [`MAX_LAG_USERS`]
    /// users that lagged are counted individually; later ones read 0.
    pub fn lag_recoveries_for(&self, user: &str) -> u64 {
        self.lag_by_user
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(user)
            .copied()
            .unwrap_or(0)
    }

    /// Messages delivered from the database to fill such gaps.
    pub fn refilled_messages(&self) -> u64 {
        self.refilled_messages.load(Ordering::Relaxed)
    }

    pub(crate) fn record_lag(&self, user: Option<&str>) {
        self.lag_recoveries.fetch_add(1, Ordering::Relaxed);
        let user = user.unwrap_or("");
        let mut by_user = self
            .lag_by_user
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(count) = by_user.get_mut(user) {
            *count += 1;
        } else if by_user.len() < MAX_LAG_USERS {
            by_user.insert(user.to_owned(), 1);
        }
    }

    pub(crate) fn record_refill(&self, count: usize) {
        self.refilled_messages
            .fetch_add(count as u64, Ordering::Relaxed);
    }

    /// Connections accepted and served (refused ones not included).
    pub fn connections(&self) -> u64 {
        self.connections.load(Ordering::Relaxed)
    }

    /// Connections open right now.
    pub fn open_connections(&self) -> u64 {
        self.open_connections.load(Ordering::Relaxed)
    }

    /// Connections answered with `503` because `--max-connections` were open.
    pub fn refused_connections(&self) -> u64 {
        self.refused_connections.load(Ordering::Relaxed)
    }

    /// Connections closed because a request head did not arrive in time
    /// (`--header-timeout-ms`).
    pub fn header_timeouts(&self) -> u64 {
        self.header_timeouts.load(Ordering::Relaxed)
    }

    /// Connections closed because nothing moved for `--idle-timeout-ms`.
    pub fn idle_timeouts(&self) -> u64 {
        self.idle_timeouts.load(Ordering::Relaxed)
    }

    /// Requests answered with `408` because their body did not arrive in
    /// time (`--body-timeout-ms`).
    pub fn body_timeouts(&self) -> u64 {
        self.body_timeouts.load(Ordering::Relaxed)
    }

    pub(crate) fn record_connection_opened(&self) {
        self.connections.fetch_add(1, Ordering::Relaxed);
        self.open_connections.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn record_connection_closed(&self) {
        self.open_connections.fetch_sub(1, Ordering::Relaxed);
    }

    pub(crate) fn record_refused_connection(&self) {
        self.refused_connections.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn record_header_timeout(&self) {
        self.header_timeouts.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn record_idle_timeout(&self) {
        self.idle_timeouts.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn record_body_timeout(&self) {
        self.body_timeouts.fetch_add(1, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn per_user_lag_counters_are_capped() {
        let metrics = Metrics::default();
        for i in 0..MAX_LAG_USERS + 50 {
            metrics.record_lag(Some(&format!("user{i}")));
        }
        metrics.record_lag(Some("user0"));
        metrics.record_lag(None);
        assert_eq!(metrics.lag_recoveries(), MAX_LAG_USERS as u64 + 52);
        assert_eq!(metrics.lag_recoveries_for("user0"), 2);
        assert_eq!(
            metrics.lag_recoveries_for(&format!("user{}", MAX_LAG_USERS - 1)),
            1
        );
        // Beyond the cap users are not tracked individually, the anonymous
        // bucket included.
        assert_eq!(
            metrics.lag_recoveries_for(&format!("user{MAX_LAG_USERS}")),
            0
        );
        assert_eq!(metrics.lag_recoveries_for(""), 0);
        assert_eq!(metrics.lag_by_user.lock().unwrap().len(), MAX_LAG_USERS);
    }
}
