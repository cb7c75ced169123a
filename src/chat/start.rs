//! Wiring a chat to its backend: the outbox (restored unsent messages
//! first), the event stream with per-frame batching, the page's visibility,
//! and one history page per room. Everything is owned by the chat's
//! [`super::Links`], so the owner's cleanup releases it all.

use super::tabs::show_unsent;
use super::Chat;
use crate::config::Config;
use crate::errors::Notice;
use crate::i18n::Lang;
use crate::transport::batcher::Batcher;
use crate::transport::browser::new_client_id;
use crate::transport::browser::{is_visible, now_ms, Listener};
use crate::transport::outbox::{Outbox, OutboxEvent};
use crate::transport::tabs::protocol::TabMessage;
use crate::transport::tabs::{SharedStream, TabSetup};
use leptos::prelude::*;
use std::sync::Arc;

/// Tolerance between the server's clock and ours when telling replayed
/// history from news.
pub const CLOCK_SKEW_MS: f64 = 2_000.0;

impl Chat {
    /// Starts the chat for `me` in `rooms`, showing `active`. Must run
    /// inside a reactive owner (a component): its cleanup closes the
    /// stream, stops the outbox and aborts requests in flight.
    pub fn start(
        cfg: Arc<Config>,
        lang: RwSignal<Lang>,
        me: String,
        rooms: Vec<String>,
        active: String,
    ) -> Chat {
        let (chat, _) = Chat::detached(lang, cfg.clone(), &me, &rooms, &active);
        let started = now_ms();
        chat.state.update(|s| {
            // What the first replay brings is the past, not news.
            s.set_history_before(started - CLOCK_SKEW_MS);
            s.set_visible(is_visible());
        });
        // Asked first: the first rows wait for it.
        chat.load_first_pages();
        chat.restore_room_prefs();
        // Restored unsent messages first: their rooms belong on the stream.
        // A read-only feed has nothing to send.
        let tab = new_client_id();
        let outbox = (!cfg.read_only()).then(|| chat.open_outbox(cfg.clone(), tab.clone()));
        // Rooms only restored messages named (ours or another tab's) get
        // their page too; the others' are already on their way.
        chat.load_first_pages();
        let stream = chat.open_stream(cfg, tab);
        let alone = stream.is_alone();
        // While the tab is hidden, arrivals count as unread.
        let visibility = Listener::on_document("visibilitychange", move |_| {
            chat.state.try_update(|s| s.set_visible(is_visible()));
            chat.share_read();
            if !is_visible() {
                chat.save_read();
            }
        });
        // Leaving or reloading the page writes down what was read.
        let leaving = Listener::on_window("pagehide", move |_| chat.save_read());
        // Keeps `fetches`: the history requests above carry its signal.
        chat.links.update_value(|l| {
            l.stream = Some(stream);
            l.outbox = outbox;
            l._listeners = visibility.into_iter().chain(leaving).collect();
        });
        // A tab that shares nothing sends whatever storage holds; a shared
        // one only its own, and the leader what gone tabs left.
        if alone {
            chat.adopt(super::tabs::Adoption::Unless(&[]));
        }
        chat.save_rooms();
        chat
    }

    /// The replay brings the recent past of busy rooms; quiet rooms may be
    /// missing from it, so each room also gets one history page (messages
    /// are placed by id, so the two cannot interleave). A room whose page
    /// is on its way is skipped.
    fn load_first_pages(&self) {
        for room in self.state.with_untracked(|s| s.room_names()) {
            self.load_older(&room);
        }
    }

    fn open_outbox(&self, cfg: Arc<Config>, tab: String) -> Outbox {
        let chat = *self;
        let outbox = Outbox::new(cfg, tab, move |event| chat.on_outbox(event));
        // Shown now; sent once this tab adopts them (see chat/tabs.rs).
        self.state.update(|s| {
            for r in outbox.restored(s.me()) {
                show_unsent(s, r);
            }
        });
        outbox
    }

    fn open_stream(&self, cfg: Arc<Config>, tab: String) -> SharedStream {
        let chat = *self;
        // Per-room streams carry no room name: an event belongs to the room
        // the stream was open for when it arrived (the active one).
        let per_room = cfg.per_room_stream();
        let batcher = Batcher::new(move |items| chat.ingest(items));
        let (rooms, me) = self
            .state
            .with_untracked(|s| (s.room_names(), s.me().to_string()));
        // Tabs share a stream when they talk to the same stream as the
        // same user (presence counts the stream's user).
        let group = format!("sse-chat:{}:{me}", cfg.events_url);
        let url_for = move |rooms: &[String]| chat.events_url_for(rooms);
        let setup = TabSetup {
            cfg,
            tab,
            group,
            rooms,
        };
        let sink = move |raw| {
            let room = per_room
                .then(|| chat.state.try_with_untracked(|s| s.active().to_string()))
                .flatten();
            batcher.push((raw, room))
        };
        SharedStream::open(setup, url_for, self.conn, sink, move |news| {
            chat.on_tab_news(news)
        })
    }

    fn on_outbox(&self, event: OutboxEvent) {
        // Events may come after the chat was torn down: try_ everywhere.
        match event {
            OutboxEvent::Sent { client_id, stored } => {
                let news = TabMessage::Sent {
                    client_id: client_id.clone(),
                    stored: stored.clone(),
                };
                self.state
                    .try_update(|s| s.send_succeeded(&client_id, stored));
                self.tell_tabs(news);
            }
            OutboxEvent::Failed { client_id, reason } => {
                let news = TabMessage::Failed {
                    client_id: client_id.clone(),
                    reason: reason.clone(),
                };
                self.state.try_update(|s| s.send_failed(&client_id, reason));
                self.tell_tabs(news);
            }
            // The message stays pending; the connection status tells the
            // rest. Nothing to change in the room.
            OutboxEvent::Waiting { .. } => {}
            OutboxEvent::StorageError(e) => {
                self.notice.try_set(Some(Notice::StorageFailed(e)));
            }
            OutboxEvent::Unreadable { error, backup_key } => {
                self.notice
                    .try_set(Some(Notice::OutboxUnreadable { error, backup_key }));
            }
        }
    }
}
