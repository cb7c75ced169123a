//! Live fan-out: one broadcast channel for all rooms, presence counting, and
//! the newest id known to the server.
//!
//! Everything that must be consistent with the broadcast position happens
//! under the hub's lock: a new message updates `last_id` and is sent in one
//! critical section, and a new stream subscribes and reads `last_id` in
//! another. A stream therefore knows exactly which ids it will receive live
//! (those > the `last_id` it saw) and which it must read from the database.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use serde::Serialize;
use tokio::sync::broadcast;

use crate::db::Message;

/// A message as broadcast: its JSON is serialized once, not per subscriber.
#[derive(Debug)]
pub struct LiveMessage {
    /// Message id.
    pub id: i64,
    /// Room, for filtering.
    pub room: String,
    /// The `message` event's data.
    pub json: String,
}

/// Data of a `presence` event.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Presence {
    /// Room name.
    pub room: String,
    /// Users present in the room, sorted.
    pub users: Vec<String>,
    /// Set when this event reports a user joining.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub joined: Option<String>,
    /// Set when this event reports a user leaving.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub left: Option<String>,
}

/// Data of a `typing` event.
#[derive(Debug, Clone, Serialize)]
pub struct Typing {
    /// Room name.
    pub room: String,
    /// Who is typing.
    pub user: String,
    /// Server time, milliseconds since the Unix epoch.
    pub ts: i64,
}

/// One item on the broadcast channel.
#[derive(Debug, Clone)]
pub enum HubEvent {
    /// A newly stored message.
    Message(Arc<LiveMessage>),
    /// A presence change (join or leave).
    Presence(Arc<Presence>),
    /// A typing notification.
    Typing(Arc<Typing>),
}

impl HubEvent {
    /// The room this event belongs to.
    pub fn room(&self) -> &str {
        match self {
            HubEvent::Message(m) => &m.room,
            HubEvent::Presence(p) => &p.room,
            HubEvent::Typing(t) => &t.room,
        }
    }
}

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
}

#[derive(Debug, Default)]
struct HubState {
    last_id: Option<i64>,
    // room → user → number of open streams of that user following the room.
    presence: HashMap<String, BTreeMap<String, usize>>,
}

/// The broadcast hub. See the module docs for the locking rules.
#[derive(Debug)]
pub struct Hub {
    state: Mutex<HubState>,
    tx: broadcast::Sender<HubEvent>,
}

/// What a new stream gets from [`Hub::subscribe`].
#[derive(Debug)]
pub struct Subscription {
    /// Live events sent after `last_id` was read.
    pub receiver: broadcast::Receiver<HubEvent>,
    /// The newest message id at subscription time.
    pub last_id: Option<i64>,
    /// A presence snapshot per followed room (already including this user).
    pub presence: Vec<Presence>,
    /// Keeps the user present until dropped.
    pub guard: PresenceGuard,
}

/// Removes a stream's user from presence when dropped (stream closed).
#[derive(Debug)]
pub struct PresenceGuard {
    hub: Arc<Hub>,
    user: Option<String>,
    rooms: Vec<String>,
}

impl Drop for PresenceGuard {
    fn drop(&mut self) {
        if let Some(user) = self.user.take() {
            self.hub.leave(&user, &self.rooms);
        }
    }
}

impl Hub {
    /// A hub whose channel holds `capacity` events and whose newest id starts
    /// at `last_id` (read from the database at startup).
    pub fn new(capacity: usize, last_id: Option<i64>) -> Arc<Hub> {
        let (tx, _) = broadcast::channel(capacity.max(1));
        Arc::new(Hub {
            state: Mutex::new(HubState {
                last_id,
                presence: HashMap::new(),
            }),
            tx,
        })
    }

    // Presence maps stay consistent even if a panic poisoned the lock: every
    // mutation below is a single insert/remove.
    fn lock(&self) -> MutexGuard<'_, HubState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn send(&self, event: HubEvent) {
        // Err only means nobody is subscribed right now, which is fine.
        let _ = self.tx.send(event);
    }

    /// The newest message id known to the server.
    pub fn last_id(&self) -> Option<i64> {
        self.lock().last_id
    }

    /// Records and broadcasts a just-stored message. Called with the
    /// database lock held, so calls arrive in id order.
    pub fn publish_message(&self, message: &Message) {
        let json = serde_json::to_string(message).unwrap_or_else(|err| {
            tracing::error!(error = %err, "could not serialize a message");
            String::from("{}")
        });
        let live = Arc::new(LiveMessage {
            id: message.id,
            room: message.room.clone(),
            json,
        });
        let mut state = self.lock();
        state.last_id = Some(state.last_id.map_or(message.id, |id| id.max(message.id)));
        self.send(HubEvent::Message(live));
    }

    /// Broadcasts a typing notification.
    pub fn publish_typing(&self, typing: Typing) {
        let _state = self.lock();
        self.send(HubEvent::Typing(Arc::new(typing)));
    }

    /// Registers a new stream: marks `user` present in `rooms` (broadcasting
    /// joins to the others), subscribes, and snapshots presence and the
    /// newest id, all atomically.
    pub fn subscribe(self: &Arc<Self>, user: Option<String>, rooms: &[String]) -> Subscription {
        let mut state = self.lock();
        if let Some(user) = &user {
            for room in rooms {
                let users = state.presence.entry(room.clone()).or_default();
                let count = users.entry(user.clone()).or_insert(0);
                *count += 1;
                if *count == 1 {
                    let users = users.keys().cloned().collect();
                    // Sent before `subscribe()` below, so the new stream does
                    // not receive its own join; its snapshot already has it.
                    self.send(HubEvent::Presence(Arc::new(Presence {
                        room: room.clone(),
                        users,
                        joined: Some(user.clone()),
                        left: None,
                    })));
                }
            }
        }
        let receiver = self.tx.subscribe();
        let presence = rooms.iter().map(|room| snapshot(&state, room)).collect();
        let last_id = state.last_id;
        drop(state);
        Subscription {
            receiver,
            last_id,
            presence,
            guard: PresenceGuard {
                hub: Arc::clone(self),
                user,
                rooms: rooms.to_vec(),
            },
        }
    }

    /// Current presence snapshots (no `joined`/`left`) for `rooms`.
    pub fn presence_snapshots(&self, rooms: &[String]) -> Vec<Presence> {
        let state = self.lock();
        rooms.iter().map(|room| snapshot(&state, room)).collect()
    }

    fn leave(&self, user: &str, rooms: &[String]) {
        let mut state = self.lock();
        for room in rooms {
            let Some(users) = state.presence.get_mut(room) else {
                continue;
            };
            let Some(count) = users.get_mut(user) else {
                continue;
            };
            *count = count.saturating_sub(1);
            if *count > 0 {
                continue;
            }
            users.remove(user);
            let remaining: Vec<String> = users.keys().cloned().collect();
            if remaining.is_empty() {
                state.presence.remove(room);
            }
            self.send(HubEvent::Presence(Arc::new(Presence {
                room: room.clone(),
                users: remaining,
                joined: None,
                left: Some(user.to_owned()),
            })));
        }
    }
}

fn snapshot(state: &HubState, room: &str) -> Presence {
    Presence {
        room: room.to_owned(),
        users: state
            .presence
            .get(room)
            .map(|users| users.keys().cloned().collect())
            .unwrap_or_default(),
        joined: None,
        left: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rooms(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

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

    #[test]
    fn presence_counts_streams_per_user() {
        let hub = Hub::new(16, None);
        let mut watcher = hub.subscribe(None, &rooms(&["a"]));
        let first = hub.subscribe(Some("bob".into()), &rooms(&["a"]));
        assert_eq!(first.presence[0].users, ["bob"]);
        let second = hub.subscribe(Some("bob".into()), &rooms(&["a"]));
        drop(first);
        drop(second);
        let mut seen = Vec::new();
        while let Ok(HubEvent::Presence(p)) = watcher.receiver.try_recv() {
            seen.push((p.joined.clone(), p.left.clone(), p.users.clone()));
        }
        assert_eq!(
            seen,
            [
                (Some("bob".into()), None, vec!["bob".to_string()]),
                (None, Some("bob".into()), vec![]),
            ]
        );
    }
}
