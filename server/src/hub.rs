//! Live fan-out: one broadcast channel for all rooms, presence, and the
//! newest id known to the server.
//!
//! Everything that must be consistent with the broadcast position happens
//! under the hub's lock: a new message updates `last_id` and is sent in one
//! critical section, and a new stream subscribes and reads `last_id` in
//! another. A stream therefore knows exactly which ids it will receive live
//! (those > the `last_id` it saw) and which it must read from the database.
//!
//! Presence changes are not broadcast one by one: joins and leaves are
//! recorded ([`crate::presence`]) and every presence tick
//! ([`Hub::run_presence_ticks`]) broadcasts one coalesced delta per changed
//! room, under the same lock. A snapshot taken at tick `T` plus the deltas
//! of the ticks after `T` is exactly the announced state; streams skip
//! deltas of ticks up to the one of their snapshot.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use serde::Serialize;
use tokio::sync::{broadcast, watch, Notify};

use axum::body::Bytes;

use crate::db::Message;
use crate::presence::{Delta, Presence, RoomFull, Snapshot};
use crate::sse;

pub use crate::metrics::{Metrics, MAX_LAG_USERS};

/// A message as broadcast: its event is framed once, not per subscriber.
#[derive(Debug)]
pub struct LiveMessage {
    /// Message id.
    pub id: i64,
    /// Room, for filtering.
    pub room: String,
    /// The whole `message` event, as sent to every stream.
    pub frame: Bytes,
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
    /// The presence changes of one room in one tick.
    Presence(Arc<Delta>),
    /// A typing notification.
    Typing(Arc<Typing>),
    /// Every stream ends (server shutdown, `POST /api/_test/drop`). Streams
    /// also check the flags behind it before every event, so one that
    /// lagged past this event ends as well.
    Close,
}

impl HubEvent {
    /// The room this event belongs to.
    pub fn room(&self) -> &str {
        match self {
            HubEvent::Message(m) => &m.room,
            HubEvent::Presence(p) => &p.room,
            HubEvent::Typing(t) => &t.room,
            HubEvent::Close => "",
        }
    }
}

/// Settings of a [`Hub`].
#[derive(Debug, Clone, Copy)]
pub struct HubConfig {
    /// Events the broadcast channel holds before slow streams lag.
    pub capacity: usize,
    /// Most users present in one room (more → [`RoomFull`]).
    pub max_room_users: usize,
    /// How long presence changes are collected before they are announced.
    pub presence_tick: Duration,
    /// Most names a presence event lists per room.
    pub presence_list_max: usize,
}

#[derive(Debug, Default)]
struct HubState {
    last_id: Option<i64>,
    presence: Presence,
}

/// The broadcast hub. See the module docs for the locking rules.
#[derive(Debug)]
pub struct Hub {
    state: Mutex<HubState>,
    tx: broadcast::Sender<HubEvent>,
    /// Poked when presence changed, wakes [`Hub::run_presence_ticks`].
    presence_changed: Notify,
    config: HubConfig,
}

/// What a new stream gets from [`Hub::subscribe`].
#[derive(Debug)]
pub struct Subscription {
    /// Live events sent after `last_id` was read.
    pub receiver: broadcast::Receiver<HubEvent>,
    /// The newest message id at subscription time.
    pub last_id: Option<i64>,
    /// A presence snapshot per followed room (including this user).
    pub presence: Vec<Snapshot>,
    /// The presence tick of the snapshots: later deltas apply on top.
    pub presence_tick: u64,
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
    /// A hub whose newest id starts at `last_id` (read from the database at
    /// startup).
    pub fn new(config: HubConfig, last_id: Option<i64>) -> Arc<Hub> {
        let (tx, _) = broadcast::channel(config.capacity.max(1));
        Arc::new(Hub {
            state: Mutex::new(HubState {
                last_id,
                presence: Presence::new(config.presence_list_max),
            }),
            tx,
            presence_changed: Notify::new(),
            config,
        })
    }

    // The state stays consistent even if a panic poisoned the lock: every
    // mutation below completes or does not start.
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
        self.publish("message", message.id, message);
    }

    /// Broadcasts change `id` of `message` (an `update` event with the
    /// message's current state). Like [`Hub::publish_message`], called
    /// under the database writer lock.
    pub fn publish_update(&self, id: i64, message: &Message) {
        self.publish("update", id, message);
    }

    fn publish(&self, event: &str, id: i64, message: &Message) {
        let json = serde_json::to_string(message).unwrap_or_else(|err| {
            tracing::error!(error = %err, "could not serialize a message");
            String::from("{}")
        });
        let live = Arc::new(LiveMessage {
            id,
            room: message.room.clone(),
            frame: sse::frame(event, Some(id), &json),
        });
        let mut state = self.lock();
        state.last_id = Some(state.last_id.map_or(id, |last| last.max(id)));
        self.send(HubEvent::Message(live));
    }

    /// Broadcasts a typing notification.
    pub fn publish_typing(&self, typing: Typing) {
        let _state = self.lock();
        self.send(HubEvent::Typing(Arc::new(typing)));
    }

    /// Registers a new stream: marks `user` present in `rooms` (announced
    /// at the next tick), subscribes, and snapshots presence and the newest
    /// id, all atomically. Fails if a room has no room for another user.
    pub fn subscribe(
        self: &Arc<Self>,
        user: Option<String>,
        rooms: &[String],
    ) -> Result<Subscription, RoomFull> {
        let mut state = self.lock();
        if let Some(user) = &user {
            state
                .presence
                .check_capacity(user, rooms, self.config.max_room_users)?;
            state.presence.join(user, rooms);
            self.presence_changed.notify_one();
        }
        let receiver = self.tx.subscribe();
        let presence = snapshots(&state, rooms, user.as_deref());
        let presence_tick = state.presence.tick();
        let last_id = state.last_id;
        drop(state);
        Ok(Subscription {
            receiver,
            last_id,
            presence,
            presence_tick,
            guard: PresenceGuard {
                hub: Arc::clone(self),
                user,
                rooms: rooms.to_vec(),
            },
        })
    }

    /// Current presence snapshots for `rooms` (as seen by a stream of
    /// `user`), and the tick they were taken at.
    pub fn presence_snapshots(&self, rooms: &[String], user: Option<&str>) -> (u64, Vec<Snapshot>) {
        let state = self.lock();
        (state.presence.tick(), snapshots(&state, rooms, user))
    }

    fn leave(&self, user: &str, rooms: &[String]) {
        self.lock().presence.leave(user, rooms);
        self.presence_changed.notify_one();
    }

    /// Announces the presence changes collected since the last call: one
    /// delta per changed room. [`Hub::run_presence_ticks`] calls it every
    /// tick; tests may call it directly.
    pub fn flush_presence(&self) {
        let mut state = self.lock();
        if !state.presence.has_changes() {
            return;
        }
        for delta in state.presence.flush() {
            self.send(HubEvent::Presence(Arc::new(delta)));
        }
    }

    /// Ends every open stream (see [`HubEvent::Close`]).
    pub fn close_streams(&self) {
        let _state = self.lock();
        self.send(HubEvent::Close);
    }

    /// Announces presence changes at most once per presence tick, until
    /// `shutdown` becomes true; then ends every stream. Sleeps while
    /// nothing changes.
    pub async fn run_presence_ticks(self: Arc<Self>, mut shutdown: watch::Receiver<bool>) {
        loop {
            tokio::select! {
                _ = shutdown.wait_for(|closing| *closing) => break,
                () = self.presence_changed.notified() => {}
            }
            // Collect whatever else changes during one tick.
            tokio::select! {
                _ = shutdown.wait_for(|closing| *closing) => break,
                () = tokio::time::sleep(self.config.presence_tick) => {}
            }
            self.flush_presence();
        }
        self.close_streams();
    }
}

fn snapshots(state: &HubState, rooms: &[String], user: Option<&str>) -> Vec<Snapshot> {
    rooms
        .iter()
        .map(|room| state.presence.snapshot(room, user))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rooms(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    fn hub(max_room_users: usize) -> Arc<Hub> {
        Hub::new(
            HubConfig {
                capacity: 16,
                max_room_users,
                presence_tick: Duration::from_millis(10),
                presence_list_max: 100,
            },
            None,
        )
    }

    fn deltas(sub: &mut Subscription) -> Vec<(u64, String)> {
        let mut seen = Vec::new();
        while let Ok(event) = sub.receiver.try_recv() {
            if let HubEvent::Presence(p) = event {
                seen.push((p.tick, p.json.clone()));
            }
        }
        seen
    }

    #[test]
    fn presence_is_announced_per_tick_as_deltas() {
        let hub = hub(10);
        let mut watcher = hub.subscribe(None, &rooms(&["a"])).unwrap();
        let first = hub.subscribe(Some("bob".into()), &rooms(&["a"])).unwrap();
        assert_eq!(first.presence[0].users, ["bob"], "the own user is listed");
        let second = hub.subscribe(Some("bob".into()), &rooms(&["a"])).unwrap();
        let carol = hub.subscribe(Some("carol".into()), &rooms(&["a"])).unwrap();
        assert!(deltas(&mut watcher).is_empty(), "nothing before the tick");
        hub.flush_presence();
        assert_eq!(
            deltas(&mut watcher),
            [(1, r#"{"room":"a","joined":["bob","carol"]}"#.to_string())]
        );
        let late = hub.subscribe(None, &rooms(&["a"])).unwrap();
        assert_eq!(late.presence[0].users, ["bob", "carol"]);
        assert_eq!(late.presence_tick, 1);
        drop((first, second, carol));
        hub.flush_presence();
        assert_eq!(
            deltas(&mut watcher),
            [(2, r#"{"room":"a","left":["bob","carol"]}"#.to_string())]
        );
    }

    #[test]
    fn full_rooms_refuse_new_users_without_side_effects() {
        let hub = hub(1);
        let _bob = hub.subscribe(Some("bob".into()), &rooms(&["a"])).unwrap();
        let _again = hub.subscribe(Some("bob".into()), &rooms(&["a"])).unwrap();
        let err = hub
            .subscribe(Some("carol".into()), &rooms(&["b", "a"]))
            .unwrap_err();
        assert_eq!(err.room, "a");
        let (_, snapshots) = hub.presence_snapshots(&rooms(&["a", "b"]), None);
        hub.flush_presence();
        let (_, snapshots_after) = hub.presence_snapshots(&rooms(&["a", "b"]), None);
        assert!(snapshots[1].users.is_empty());
        assert_eq!(snapshots_after[0].users, ["bob"]);
        assert!(snapshots_after[1].users.is_empty(), "carol joined nothing");
        assert!(
            hub.subscribe(None, &rooms(&["a"])).is_ok(),
            "watchers are free"
        );
    }
}
