//! The body of `GET /api/events`: one SSE stream and its state machine.
//!
//! Order on the wire: `retry`, one presence snapshot per followed room, the
//! replay, `ready`, then live events and pings. Delivery is lossless and
//! duplicate-free by construction:
//!
//! 1. The stream subscribes to the broadcast and reads the newest id `N`
//!    atomically (see [`crate::hub`]), so every message with id > `N` will
//!    arrive live and every message with id <= `N` is in the database.
//! 2. The replay is read from the database, bounded by `N`.
//! 3. `cursor` is the highest id up to which the stream is complete; live
//!    messages with id <= `cursor` are skipped as duplicates.
//! 4. If the stream falls behind the broadcast (`RecvError::Lagged`), it
//!    reads everything after `cursor` from the database again, then goes on
//!    with the broadcast, still skipping ids <= `cursor`.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::{header, HeaderName, HeaderValue};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use tokio::sync::{broadcast, watch};
use tokio::time::{interval_at, Instant, Interval, MissedTickBehavior};

use crate::db;
use crate::error::ApiError;
use crate::hub::{HubEvent, PresenceGuard};
use crate::presence::Snapshot;
use crate::routes::state::AppState;
use crate::sse;

/// Reconnection delay advertised to EventSource clients.
pub const RETRY: Duration = Duration::from_millis(3000);

/// Messages read from the database per query while replaying or refilling,
/// so a huge backlog never sits in memory at once.
const PAGE: usize = 500;

/// Where the replay starts: the stream sends every message of its rooms
/// with an id after this one (up to the subscription `snapshot`).
///
/// Resumed or fresh, the replay is then read page by page as the stream is
/// consumed (see [`EventStream::read_page`]), bounded by the snapshot, so a
/// large backlog never sits in memory at once.
async fn replay_start(
    state: &AppState,
    rooms: &Arc<[String]>,
    resume: Option<i64>,
    snapshot: Option<i64>,
) -> Result<i64, db::DbError> {
    Ok(match (resume, snapshot) {
        // Empty database: nothing to replay.
        (_, None) => 0,
        // Resume: everything after the client's id. An id beyond the newest
        // one means the store was reset (e.g. a restarted --memory server);
        // clamping keeps new messages flowing instead of skipping every id
        // up to the stale one.
        (Some(after), Some(upto)) => after.min(upto),
        // Fresh connection: the newest `--history` messages up to the
        // snapshot. Only where they start is read now; a failure here is
        // still answered with a 500 instead of a stream.
        (None, Some(upto)) if state.history > 0 => {
            let rooms = Arc::clone(rooms);
            let count = state.history;
            state
                .db
                .read(move |conn| db::replay_after(conn, &rooms, upto, count))
                .await?
        }
        (None, Some(upto)) => upto,
    })
}

/// Where the stream still has to read messages from the database.
#[derive(Debug, Clone, Copy)]
enum CatchUp {
    /// Initial replay (after a resume id, or the newest `--history`
    /// messages), bounded by the subscription snapshot.
    UpTo(i64),
    /// Refill after falling behind the broadcast: everything there is.
    Unbounded,
}

/// Why the live wait in [`EventStream::next`] woke up.
enum Wake {
    Heartbeat,
    Received(Result<HubEvent, broadcast::error::RecvError>),
}

/// One open event stream; its [`IntoResponse`] is the SSE response.
pub struct EventStream {
    state: Arc<AppState>,
    rooms: Arc<[String]>,
    user: Option<String>,
    receiver: broadcast::Receiver<HubEvent>,
    pending: VecDeque<Bytes>,
    /// Every message of the followed rooms with id <= cursor has been sent
    /// (or deliberately left out as old history).
    cursor: i64,
    catch_up: Option<CatchUp>,
    /// `Some(last_id)` until the `ready` event has been sent.
    ready: Option<Option<i64>>,
    /// The presence tick of the last snapshot sent: deltas of this tick or
    /// earlier are already part of it.
    presence_tick: u64,
    heartbeat: Interval,
    shutdown: watch::Receiver<bool>,
    drops: watch::Receiver<u64>,
    done: bool,
    _presence: PresenceGuard,
}

impl EventStream {
    /// The stream of `user` (if any) following `rooms`, resuming after the
    /// id `resume` if the client sent one.
    ///
    /// Subscribes to the hub (joining presence and reading the newest id in
    /// one step, see [`crate::hub`]), then works out where the replay
    /// starts. Fails if a followed room is full (503) or reading where the
    /// replay starts from the database fails (500).
    pub async fn open(
        state: Arc<AppState>,
        rooms: Arc<[String]>,
        user: Option<String>,
        resume: Option<i64>,
    ) -> Result<Self, ApiError> {
        // Before subscribing: a drop requested once this stream's user shows
        // up as present must end this stream too.
        let mut drops = state.drops.subscribe();
        drops.mark_unchanged();
        let subscription = state
            .hub
            .subscribe(user.clone(), &rooms)
            .map_err(|full| ApiError::unavailable(full.to_string()).with_retry_after(5))?;
        let snapshot = subscription.last_id;
        let mut pending = VecDeque::new();
        pending.push_back(sse::retry(RETRY.as_millis()));
        for presence in &subscription.presence {
            pending.push_back(presence_event(presence));
        }
        let after = replay_start(&state, &rooms, resume, snapshot).await?;
        let catch_up = snapshot.filter(|&upto| upto > after).map(CatchUp::UpTo);
        let cursor = if catch_up.is_some() {
            after
        } else {
            snapshot.unwrap_or(0)
        };
        tracing::debug!(?rooms, ?user, ?resume, "event stream opened");
        let mut heartbeat = interval_at(Instant::now() + state.heartbeat, state.heartbeat);
        heartbeat.set_missed_tick_behavior(MissedTickBehavior::Delay);
        Ok(EventStream {
            rooms,
            user,
            receiver: subscription.receiver,
            pending,
            cursor,
            catch_up,
            ready: Some(snapshot),
            presence_tick: subscription.presence_tick,
            heartbeat,
            shutdown: state.shutdown.clone(),
            drops,
            done: false,
            _presence: subscription.guard,
            state,
        })
    }

    /// The next event, or `None` to end the stream (shutdown, drop hook,
    /// database failure).
    async fn next(&mut self) -> Option<Bytes> {
        loop {
            // Checked before every event, not only while waiting for live
            // events, so a long replay or refill ends promptly too.
            if self.done || *self.shutdown.borrow() || self.drops.has_changed().unwrap_or(true) {
                return None;
            }
            if let Some(event) = self.pending.pop_front() {
                return Some(event);
            }
            if let Some(catch_up) = self.catch_up {
                if let Err(err) = self.read_page(catch_up).await {
                    // Ending the stream is safe: the client reconnects with
                    // its last id and the server resumes from there.
                    tracing::warn!(error = %err, "ending an event stream after a database error");
                    self.done = true;
                    return None;
                }
                continue;
            }
            if let Some(last_id) = self.ready.take() {
                return Some(json_event("ready", &Ready { last_id }));
            }
            // Shutdown and drops arrive as `HubEvent::Close` too: waiting on
            // their watch channels here would lock a mutex shared by all
            // streams on every event.
            let woke = tokio::select! {
                biased;
                _ = self.heartbeat.tick() => Wake::Heartbeat,
                received = self.receiver.recv() => Wake::Received(received),
            };
            match woke {
                Wake::Heartbeat => {
                    return Some(json_event(
                        "ping",
                        &Ping {
                            ts: db::timestamp_ms(),
                        },
                    ));
                }
                Wake::Received(Ok(event)) => {
                    if let Some(event) = self.live_event(event) {
                        return Some(event);
                    }
                }
                Wake::Received(Err(broadcast::error::RecvError::Lagged(skipped))) => {
                    tracing::debug!(skipped, user = ?self.user, "stream lagged; refilling from the database");
                    self.state.metrics.record_lag(self.user.as_deref());
                    // Presence/typing events in the gap are gone: send fresh
                    // presence snapshots; the messages come from the database.
                    let (tick, snapshots) = self
                        .state
                        .hub
                        .presence_snapshots(&self.rooms, self.user.as_deref());
                    self.presence_tick = tick;
                    for presence in &snapshots {
                        self.pending.push_back(presence_event(presence));
                    }
                    self.catch_up = Some(CatchUp::Unbounded);
                }
                Wake::Received(Err(broadcast::error::RecvError::Closed)) => return None,
            }
        }
    }

    fn live_event(&mut self, event: HubEvent) -> Option<Bytes> {
        if matches!(event, HubEvent::Close) {
            self.done = true;
            return None;
        }
        if !self.rooms.iter().any(|room| room == event.room()) {
            return None;
        }
        match event {
            HubEvent::Message(message) => {
                if message.id <= self.cursor {
                    return None;
                }
                self.cursor = message.id;
                Some(message.frame.clone())
            }
            // Deltas already contained in the last snapshot (queued before a
            // lag refill took a new one) would undo later changes.
            HubEvent::Presence(delta) if delta.tick <= self.presence_tick => None,
            HubEvent::Presence(delta) => Some(sse::frame("presence", None, &delta.json)),
            HubEvent::Typing(typing) => Some(json_event("typing", &*typing)),
            HubEvent::Close => None,
        }
    }

    async fn read_page(&mut self, catch_up: CatchUp) -> Result<(), db::DbError> {
        let rooms = Arc::clone(&self.rooms);
        let after = self.cursor;
        let upto = match catch_up {
            CatchUp::UpTo(upto) => Some(upto),
            CatchUp::Unbounded => None,
        };
        let page = self
            .state
            .db
            .read(move |conn| db::messages_after(conn, &rooms, after, upto, PAGE))
            .await?;
        if matches!(catch_up, CatchUp::Unbounded) {
            self.state.metrics.record_refill(page.len());
        }
        let complete = page.len() < PAGE;
        for entry in &page {
            if entry.id() > self.cursor {
                self.cursor = entry.id();
                self.pending.push_back(log_event(entry));
            }
        }
        if complete {
            self.catch_up = None;
            if let Some(upto) = upto {
                self.cursor = self.cursor.max(upto);
            }
        }
        Ok(())
    }
}

impl Drop for EventStream {
    fn drop(&mut self) {
        tracing::debug!(rooms = ?self.rooms, user = ?self.user, "event stream closed");
    }
}

impl IntoResponse for EventStream {
    /// The `text/event-stream` response sending this stream's events.
    fn into_response(self) -> Response {
        let body = futures_util::stream::unfold(self, |mut events| async move {
            let event = events.next().await?;
            Some((Ok::<_, Infallible>(event), events))
        });
        (
            [
                (
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("text/event-stream"),
                ),
                (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
                (
                    HeaderName::from_static("x-accel-buffering"),
                    HeaderValue::from_static("no"),
                ),
            ],
            Body::from_stream(body),
        )
            .into_response()
    }
}

#[derive(Serialize)]
struct Ready {
    last_id: Option<i64>,
}

#[derive(Serialize)]
struct Ping {
    ts: i64,
}

/// A message, or a change with the message's current state.
fn log_event(entry: &db::Entry) -> Bytes {
    sse::frame(entry.event(), Some(entry.id()), &to_json(entry.message()))
}

fn presence_event(presence: &Snapshot) -> Bytes {
    json_event("presence", presence)
}

/// An event without an `id:` field, so it does not move the client's last
/// event id.
fn json_event<T: Serialize + ?Sized>(name: &str, data: &T) -> Bytes {
    sse::frame(name, None, &to_json(data))
}

fn to_json<T: Serialize + ?Sized>(data: &T) -> String {
    // serde_json escapes newlines inside strings, so the data is always one
    // `data:` line.
    serde_json::to_string(data).unwrap_or_else(|err| {
        tracing::error!(error = %err, "could not serialize an event");
        String::from("{}")
    })
}
