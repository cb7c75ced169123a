//! Commands on rooms: switching and joining, leaving (the stream follows
//! the room list), scroll-back, and typing notices.

use super::start::CLOCK_SKEW_MS;
use super::Chat;
use crate::config::fill_template;
use crate::errors::Notice;
use crate::transport::browser::now_ms;
use crate::transport::history::fetch_older;
use crate::transport::send::{send_typing, TypingAnswer};
use crate::transport::storage::{self, keys};
use leptos::prelude::*;
use leptos::task::spawn_local;

/// Page size of scroll-back requests.
pub const HISTORY_PAGE: usize = 50;
/// Typing notices are sent at most this often while typing.
const TYPING_EVERY_MS: f64 = 3_000.0;

impl Chat {
    /// Switches to `room`, joining it when new.
    pub fn open_room(&self, room: &str) {
        let switched = self.state.with_untracked(|s| s.active() != room);
        if switched {
            self.save_read();
        }
        let joined = self.state.try_update(|s| {
            let new = s.room(room).is_none();
            s.set_active(room).then_some(new)
        });
        let Some(joined) = joined.flatten() else {
            self.tell(Notice::RoomLimit);
            return;
        };
        if switched {
            // A reply or an edit belongs to the room it was started in.
            self.cancel_compose();
        }
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
        self.share_read();
    }

    /// Stops following `room`.
    pub fn leave_room(&self, room: &str) {
        if self.state.with_untracked(|s| s.active() == room) {
            // A reply or an edit belongs to the room it was started in.
            self.cancel_compose();
        }
        if self.state.try_update(|s| s.leave(room)) == Some(true) {
            self.save_rooms();
            self.reconnect_for_rooms(true);
        }
    }

    /// Loads a page of older messages of `room` (no-op without a history
    /// URL, when nothing older exists, or while a request is in flight).
    /// Returns whether a page is on its way (requested now, or already).
    pub fn load_older(&self, room: &str) -> bool {
        let cfg = self.cfg.get_value();
        let Some(template) = cfg.history_url.clone() else {
            return false;
        };
        if self.quirks.with_value(|q| q.no_history) {
            return false;
        }
        let before = self.state.with_untracked(|s| {
            s.room(room)
                .filter(|r| r.log().has_older())
                .map(|r| r.log().oldest_id().map(String::from))
        });
        let in_flight = self
            .loading_older
            .with_untracked(|l| l.iter().any(|r| r == room));
        let Some(before) = before.filter(|_| !in_flight) else {
            return in_flight;
        };
        let room = room.to_string();
        self.loading_older.update(|l| l.push(room.clone()));
        let signal = self.links.with_value(|l| l.fetches.signal());
        let chat = *self;
        let fetch = fetch_older(
            &cfg,
            &template,
            &room,
            before.as_deref(),
            HISTORY_PAGE,
            signal.as_ref(),
        );
        spawn_local(async move {
            let result = fetch.await;
            // The chat may be gone (the request was aborted then).
            chat.loading_older.try_update(|l| l.retain(|r| r != &room));
            match result {
                Ok(page) => {
                    chat.state.try_update(|s| {
                        s.prepend_history(&room, page.messages, page.has_more, now_ms())
                    });
                }
                // A backend without scroll-back (the URL is a default, or a
                // guess): the feature is off for the session, quietly.
                Err(e) if e.means_not_here() => {
                    chat.quirks.try_update_value(|q| q.no_history = true);
                }
                Err(e) => {
                    chat.notice.try_set(Some(Notice::HistoryFailed(e)));
                }
            }
        });
        true
    }

    /// Tells the backend we are typing (throttled; only with a typing URL).
    pub fn typing(&self) {
        let cfg = self.cfg.get_value();
        let now = now_ms();
        if cfg.typing_url.is_none()
            || self.quirks.with_value(|q| q.no_typing)
            || now - self.last_typing.get_value() < TYPING_EVERY_MS
        {
            return;
        }
        self.last_typing.set_value(now);
        let (room, me) = self
            .state
            .with_untracked(|s| (s.active().to_string(), s.me().to_string()));
        let (last_typing, quirks) = (self.last_typing, self.quirks);
        let signal = self.links.with_value(|l| l.fetches.signal());
        spawn_local(async move {
            match send_typing(&cfg, &room, &me, signal.as_ref()).await {
                // Rate-limited: the next keystroke after the wait tries again.
                TypingAnswer::Wait(secs) => {
                    last_typing.try_set_value(now_ms() - TYPING_EVERY_MS + secs * 1000.0);
                }
                TypingAnswer::NotHere => {
                    quirks.try_update_value(|q| q.no_typing = true);
                }
                TypingAnswer::Done => {}
            }
        });
    }

    /// The stream URL for `rooms` (this tab's, or every tab's when it
    /// holds the shared stream).
    pub(super) fn events_url_for(&self, rooms: &[String]) -> String {
        let (active, me) = self
            .state
            .try_with_untracked(|s| (s.active().to_string(), s.me().to_string()))
            .unwrap_or_default();
        let rooms = rooms.join(",");
        self.cfg
            .try_with_value(|cfg| {
                fill_template(
                    &cfg.events_url,
                    &[("rooms", &rooms), ("room", &active), ("user", &me)],
                )
            })
            .unwrap_or_default()
    }

    /// Mutes `room` (only mentions count and notify), or unmutes it.
    pub fn toggle_mute(&self, room: &str) {
        self.state.update(|s| {
            let muted = s.room(room).is_some_and(|r| r.muted());
            s.set_muted(room, !muted);
        });
        let muted = self.state.with_untracked(|s| s.muted_rooms());
        let _ = storage::set(keys::MUTED, &muted.join(","));
    }

    /// Mutes and read positions saved by earlier visits.
    pub(super) fn restore_room_prefs(&self) {
        let muted = storage::get(keys::MUTED).unwrap_or_default();
        let events_url = self.cfg.with_value(|c| c.events_url.clone());
        self.state.update(|s| {
            for room in muted.split(',').filter(|r| !r.is_empty()) {
                s.set_muted(room, true);
            }
            for room in s.room_names() {
                if let Some(id) = storage::get(&keys::read(&events_url, &room)) {
                    s.restore_read(&room, &id);
                }
            }
        });
    }

    /// Notes how far the active room was read (in memory: this runs for
    /// every batch; [`Chat::save_read`] writes it down). Nothing shown
    /// depends on it, so no subscriber is woken.
    pub(super) fn note_read(&self) {
        self.state.try_update_untracked(|s| s.note_read());
    }

    /// Writes down how far each room was read: when the page is hidden or
    /// left and when the room changes, not for every batch.
    pub(super) fn save_read(&self) {
        self.note_read();
        let Some(read) = self.state.try_with_untracked(|s| s.read_positions()) else {
            return;
        };
        let events_url = self.cfg.with_value(|c| c.events_url.clone());
        for (room, id) in read {
            // Losing it shows an old "New" line: not worth a notice.
            let _ = storage::set(&keys::read(&events_url, &room), &id);
        }
    }

    pub(super) fn save_rooms(&self) {
        let (rooms, active) = self
            .state
            .with_untracked(|s| (s.room_names(), s.active().to_string()));
        // Losing the room list is an inconvenience, not data loss: no notice.
        let _ = storage::set(keys::ROOMS, &rooms.join(","));
        let _ = storage::set(keys::ACTIVE, &active);
    }

    fn reconnect_for_rooms(&self, resume: bool) {
        let rooms = self.state.with_untracked(|s| s.room_names());
        self.links.with_value(|l| {
            if let Some(s) = &l.stream {
                s.set_rooms(rooms, !resume)
            }
        });
    }
}
