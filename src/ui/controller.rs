//! The chat controller: wires the transport (stream, outbox, history) to
//! the pure [`ChatState`] and exposes what components need as signals and
//! methods. Components never touch EventSource or fetch.

use crate::config::{fill_template, Config};
use crate::i18n::{
    announce, history_failed, outbox_unreadable, skipped_event, storage_failed, t, Key, Lang,
};
use crate::protocol::{decode, Incoming, Outgoing};
use crate::room::ChatState;
use crate::transport::batcher::Batcher;
use crate::transport::browser::{is_visible, new_client_id, now_ms, storage_set};
use crate::transport::events::{ConnState, EventStream, RawEvent};
use crate::transport::history::fetch_older;
use crate::transport::notify;
use crate::transport::outbox::{Outbox, OutboxEvent};
use crate::transport::send::send_typing;
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::sync::Arc;

/// Typing notices are sent at most this often while typing.
const TYPING_EVERY_MS: f64 = 3_000.0;
/// Tolerance between the server's clock and ours when telling replayed
/// history from news.
const CLOCK_SKEW_MS: f64 = 2_000.0;
/// Page size of scroll-back requests.
pub const HISTORY_PAGE: usize = 50;
/// Storage keys for what survives a reload.
pub const NICKNAME_KEY: &str = "sse-chat.nickname";
pub const ROOMS_KEY: &str = "sse-chat.rooms";
pub const ACTIVE_KEY: &str = "sse-chat.active";

/// A handle to the running chat: `Copy`, so every component can hold it.
#[derive(Clone, Copy)]
pub struct Chat {
    pub cfg: StoredValue<Arc<Config>>,
    pub state: RwSignal<ChatState>,
    pub conn: RwSignal<ConnState>,
    /// New messages for the screen reader's live region (most recent last).
    /// Numbered, so the live region adds a node per announcement and never
    /// rewrites (and so re-reads) an old one.
    pub announcements: RwSignal<Vec<(u64, String)>>,
    /// Last problem worth telling the user that is not a connection state
    /// (an unreadable event, storage full, a history error).
    pub notice: RwSignal<Option<String>>,
    /// Rooms whose scroll-back request is in flight.
    pub loading_older: RwSignal<Vec<String>>,
    /// Bumped to ask the message list to jump to the newest message.
    pub jump_requests: RwSignal<u32>,
    lang: RwSignal<Lang>,
    stream: StoredValue<Option<EventStream>, LocalStorage>,
    outbox: StoredValue<Option<Outbox>, LocalStorage>,
    last_typing: StoredValue<f64>,
}

impl Chat {
    /// A chat with no backend attached: the state and signals only. Used by
    /// [`Chat::start`], and by component tests that set states directly.
    pub fn detached(
        lang: RwSignal<Lang>,
        cfg: Arc<Config>,
        me: &str,
        rooms: &[String],
        active: &str,
    ) -> Chat {
        Chat {
            lang,
            cfg: StoredValue::new(cfg),
            state: RwSignal::new(ChatState::new(me, rooms, active)),
            conn: RwSignal::new(ConnState::Connecting),
            announcements: RwSignal::new(Vec::new()),
            notice: RwSignal::new(None),
            loading_older: RwSignal::new(Vec::new()),
            jump_requests: RwSignal::new(0),
            stream: StoredValue::new_local(None),
            outbox: StoredValue::new_local(None),
            last_typing: StoredValue::new(0.0),
        }
    }

    /// Starts the chat for `me` in `rooms`, showing `active`. Must run
    /// inside a component: everything is released on its cleanup.
    pub fn start(
        cfg: Arc<Config>,
        lang: RwSignal<Lang>,
        me: String,
        rooms: Vec<String>,
        active: String,
    ) -> Chat {
        let chat = Chat::detached(lang, cfg.clone(), &me, &rooms, &active);
        let started = now_ms();
        chat.state.update(|s| {
            // What the first replay brings is the past, not news.
            s.set_history_before(started - CLOCK_SKEW_MS);
            s.set_visible(is_visible());
        });

        // Restored unsent messages first: their rooms belong on the stream.
        let outbox = Outbox::new(cfg.clone(), move |event| chat.on_outbox(event));
        chat.state.update(|s| {
            for r in outbox.restored() {
                s.add_pending(&r.out, r.created);
                if let Some(reason) = &r.failed {
                    s.send_failed(&r.out.client_id, reason);
                }
            }
        });
        outbox.start();
        chat.outbox.set_value(Some(outbox));

        // Per-room streams carry no room name: an event belongs to the room
        // the stream was open for when it arrived (the active one).
        let per_room = cfg.per_room_stream();
        let batcher = Batcher::new(move |items| chat.ingest(items));
        let stream = EventStream::open(cfg.clone(), chat.events_url(), chat.conn, move |raw| {
            let room = per_room.then(|| chat.state.with_untracked(|s| s.active().to_string()));
            batcher.push((raw, room))
        });
        chat.stream.set_value(Some(stream));
        chat.save_rooms();

        // The replay brings the recent past of busy rooms; quiet rooms may
        // be missing from it, so each room also gets one history page.
        // (Messages are placed by id, so the two cannot interleave.)
        for room in chat.state.with_untracked(|s| s.room_names()) {
            chat.load_older(&room);
        }

        on_cleanup(move || {
            chat.stream.with_value(|s| {
                if let Some(s) = s {
                    s.close()
                }
            });
            chat.outbox.with_value(|o| {
                if let Some(o) = o {
                    o.stop()
                }
            });
        });
        chat
    }

    fn events_url(&self) -> String {
        let (rooms, active, me) = self.state.with_untracked(|s| {
            (
                s.room_names().join(","),
                s.active().to_string(),
                s.me.clone(),
            )
        });
        let cfg = self.cfg.get_value();
        fill_template(
            &cfg.events_url,
            &[("rooms", &rooms), ("room", &active), ("user", &me)],
        )
    }

    fn ingest(&self, items: Vec<(RawEvent, Option<String>)>) {
        // A frame may flush after the chat was torn down.
        let Some(cfg) = self.cfg.try_get_value() else {
            return;
        };
        let mut batch = Vec::with_capacity(items.len());
        let mut bad = None;
        for (raw, room) in items {
            match decode(&cfg, &raw.kind, &raw.data, &raw.last_event_id) {
                Ok(Incoming::Ignored) => {}
                Ok(item) => batch.push((item, room)),
                Err(e) => {
                    bad = Some(format!(
                        "{e}: {}",
                        raw.data.chars().take(80).collect::<String>()
                    ))
                }
            }
        }
        if let Some(why) = bad {
            // The stream goes on; the user learns that something was skipped.
            self.notice
                .set(Some(skipped_event(self.lang.get_untracked(), &why)));
        }
        if batch.is_empty() {
            return;
        }
        let Some(report) = self.state.try_update(|s| s.ingest(batch, now_ms())) else {
            return;
        };
        if !report.arrived.is_empty() && !is_visible() && notify::enabled() {
            let anonymous = t(self.lang.get_untracked(), Key::Anonymous);
            // One notification per batch: the newest message stands for it.
            if let Some((room, user, text)) = report.arrived.last() {
                let title = format!("{} · #{room}", user.as_deref().unwrap_or(anonymous));
                notify::show(&title, &text.chars().take(200).collect::<String>(), room);
            }
        }
        if !report.arrived.is_empty() {
            let lang = self.lang.get_untracked();
            let anonymous = t(lang, Key::Anonymous);
            self.announcements.update(|a| {
                let first = a.last().map_or(0, |(n, _)| n + 1);
                let newest = report.arrived.iter().rev().take(3).rev();
                for (n, (room, user, text)) in (first..).zip(newest) {
                    let user = user.as_deref().unwrap_or(anonymous);
                    a.push((n, announce(lang, user, room, text)));
                }
                let excess = a.len().saturating_sub(5);
                a.drain(..excess);
            });
        }
    }

    fn on_outbox(&self, event: OutboxEvent) {
        match event {
            OutboxEvent::Sent { client_id, stored } => {
                self.state.update(|s| s.send_succeeded(&client_id, stored))
            }
            OutboxEvent::Failed { client_id, reason } => {
                self.state.update(|s| s.send_failed(&client_id, &reason))
            }
            // The message stays pending; the connection status tells the
            // rest. Nothing to change in the room.
            OutboxEvent::Waiting { .. } => {}
            OutboxEvent::StorageError(e) => self
                .notice
                .set(Some(storage_failed(self.lang.get_untracked(), &e))),
            OutboxEvent::Unreadable(e) => self
                .notice
                .set(Some(outbox_unreadable(self.lang.get_untracked(), &e))),
        }
    }

    /// Sends `text` to the active room: shown at once as pending, queued in
    /// the outbox (so it also works offline).
    pub fn send(&self, text: String) {
        let (room, user) = self
            .state
            .with_untracked(|s| (s.active().to_string(), s.me.clone()));
        let out = Outgoing {
            room,
            user,
            text,
            client_id: new_client_id(),
        };
        let now = now_ms();
        self.state.update(|s| {
            s.add_pending(&out, now);
            s.set_at_bottom(true);
        });
        // Sending ends "typing"; the next keystroke may announce it again.
        self.last_typing.set_value(0.0);
        self.outbox.with_value(|o| {
            if let Some(o) = o {
                o.push(out, now)
            }
        });
    }

    pub fn retry(&self, client_id: &str) {
        self.state.update(|s| s.retry(client_id));
        self.outbox.with_value(|o| {
            if let Some(o) = o {
                o.retry(client_id)
            }
        });
    }

    pub fn discard(&self, client_id: &str) {
        self.state.update(|s| s.discard(client_id));
        self.outbox.with_value(|o| {
            if let Some(o) = o {
                o.discard(client_id)
            }
        });
    }

    /// "Retry now" on the status bar.
    pub fn retry_now(&self) {
        self.stream.with_value(|s| {
            if let Some(s) = s {
                s.retry_now()
            }
        });
    }

    /// Tells the backend we are typing (throttled; only with a typing URL).
    pub fn typing(&self) {
        let cfg = self.cfg.get_value();
        let now = now_ms();
        if cfg.typing_url.is_none() || now - self.last_typing.get_value() < TYPING_EVERY_MS {
            return;
        }
        self.last_typing.set_value(now);
        let (room, me) = self
            .state
            .with_untracked(|s| (s.active().to_string(), s.me.clone()));
        let last_typing = self.last_typing;
        spawn_local(async move {
            if let Some(wait_s) = send_typing(&cfg, &room, &me).await {
                // Rate-limited: the next keystroke after the wait tries again.
                last_typing.set_value(now_ms() - TYPING_EVERY_MS + wait_s * 1000.0);
            }
        });
    }

    fn save_rooms(&self) {
        let (rooms, active) = self
            .state
            .with_untracked(|s| (s.room_names(), s.active().to_string()));
        // Losing the room list is an inconvenience, not data loss: no notice.
        let _ = storage_set(ROOMS_KEY, &rooms.join(","));
        let _ = storage_set(ACTIVE_KEY, &active);
    }

    /// Switches to `room`, joining it when new.
    pub fn open_room(&self, room: &str) {
        let joined = self.state.try_update(|s| {
            let new = s.room(room).is_none();
            s.set_active(room).then_some(new)
        });
        let Some(joined) = joined.flatten() else {
            self.notice.set(Some(
                t(self.lang.get_untracked(), Key::RoomLimit).to_string(),
            ));
            return;
        };
        self.save_rooms();
        let per_room = self.cfg.with_value(|c| c.per_room_stream());
        if joined || per_room {
            // A fresh replay (not a resume) brings the new room's recent
            // past, which is history, not news; what the other rooms get
            // again is dropped as duplicate.
            self.state
                .update(|s| s.set_history_before(now_ms() - CLOCK_SKEW_MS));
            self.reconnect_for_rooms(false);
        }
        if joined {
            self.load_older(room);
        }
    }

    /// Stops following `room`.
    pub fn leave_room(&self, room: &str) {
        if self.state.try_update(|s| s.leave(room)) == Some(true) {
            self.save_rooms();
            self.reconnect_for_rooms(true);
        }
    }

    fn reconnect_for_rooms(&self, resume: bool) {
        let url = self.events_url();
        self.stream.with_value(|s| {
            if let Some(s) = s {
                s.set_url(url, resume)
            }
        });
    }

    /// Loads a page of older messages of `room` (no-op without a history
    /// URL, when nothing older exists, or while a request is in flight).
    pub fn load_older(&self, room: &str) {
        let cfg = self.cfg.get_value();
        let has_older = self
            .state
            .with_untracked(|s| s.room(room).is_some_and(|r| r.has_older));
        if cfg.history_url.is_none()
            || !has_older
            || self
                .loading_older
                .with_untracked(|l| l.iter().any(|r| r == room))
        {
            return;
        }
        let before = self
            .state
            .with_untracked(|s| s.room(room).and_then(|r| r.oldest_id().map(String::from)));
        let room = room.to_string();
        self.loading_older.update(|l| l.push(room.clone()));
        let chat = *self;
        spawn_local(async move {
            let result = fetch_older(&cfg, &room, before.as_deref(), HISTORY_PAGE).await;
            chat.loading_older.update(|l| l.retain(|r| r != &room));
            match result {
                Ok(page) => {
                    chat.state.update(|s| {
                        s.prepend_history(&room, page.messages, page.has_more, now_ms());
                    });
                }
                Err(e) => chat
                    .notice
                    .set(Some(history_failed(chat.lang.get_untracked(), &e))),
            }
        });
    }
}
