//! The chat service: what components use to show and drive the chat.
//!
//! A [`Chat`] is a `Copy` handle. It exposes read-only signals (the pure
//! [`ChatState`], the connection state, announcements, the current notice)
//! and commands (`send`, `retry`, `discard`, `open_room`, `leave_room`,
//! `load_older`, `jump_to_newest`, ...). Components never write its state;
//! only the service does, from commands and from the transport.
//!
//! - [`start`]: wiring a chat to the backend (stream, outbox, batching);
//! - [`ingest`]: decoded events into the state, announcements, notifications;
//! - [`rooms`]: joining, leaving, scroll-back, typing notices;
//! - [`changes`]: replies, edits, deletes, reactions, jumping to an original;
//! - [`session`]: who the user is, remembered across reloads.

pub mod changes;
pub mod compose;
pub mod ingest;
pub mod rooms;
pub mod session;
pub mod start;
mod tabs;

pub use compose::{Abilities, Compose};
pub use session::Session;

use crate::config::Config;
use crate::errors::Notice;
use crate::i18n::Lang;
use crate::protocol::Outgoing;
use crate::state::ChatState;
use crate::transport::abort::AbortOnDrop;
use crate::transport::browser::{new_client_id, now_ms, Listener};
use crate::transport::events::ConnState;
use crate::transport::outbox::Outbox;
use crate::transport::tabs::protocol::TabMessage;
use crate::transport::tabs::SharedStream;
use leptos::prelude::*;
use std::sync::Arc;

/// A handle to the running chat: `Copy`, so every component can hold it.
#[derive(Clone, Copy)]
pub struct Chat {
    cfg: StoredValue<Arc<Config>>,
    state: RwSignal<ChatState>,
    conn: RwSignal<ConnState>,
    /// New messages for the screen reader's live region (most recent last).
    /// Numbered, so the live region adds a node per announcement and never
    /// rewrites (and so re-reads) an old one.
    announcements: RwSignal<Vec<(u64, String)>>,
    notice: RwSignal<Option<Notice>>,
    /// Rooms whose scroll-back request is in flight.
    loading_older: RwSignal<Vec<String>>,
    lang: RwSignal<Lang>,
    /// What ties the chat to the backend. Owned by the reactive owner the
    /// chat was created under: its cleanup drops them, which closes the
    /// stream, stops the outbox and aborts every fetch in flight.
    links: StoredValue<Links, LocalStorage>,
    last_typing: StoredValue<f64>,
    quirks: StoredValue<Quirks>,
    /// What the composer is writing: a new message, a reply, an edit.
    compose: RwSignal<Compose>,
    /// A message the list should bring into view.
    jump: RwSignal<Option<String>>,
}

/// What the chat learnt about the backend during this session.
#[derive(Clone, Copy, Debug, Default)]
struct Quirks {
    /// Told the user once that a field could not be read.
    field_noted: bool,
    /// The history URL answered "not here" (404, 405, 501): no scroll-back.
    no_history: bool,
    /// The typing URL answered "not here": no typing notices.
    no_typing: bool,
}

/// The chat's long-lived browser objects; each releases itself on drop.
#[derive(Default)]
struct Links {
    stream: Option<SharedStream>,
    outbox: Option<Outbox>,
    /// Aborts scroll-back and typing requests.
    fetches: AbortOnDrop,
    // Held only to be dropped with the chat (removing themselves).
    _listeners: Vec<Listener>,
}

/// Write access to a chat with no backend, for tests and benchmarks that
/// drive components through states directly. Components never get one.
#[derive(Clone, Copy)]
pub struct ChatWriter {
    pub state: RwSignal<ChatState>,
    pub conn: RwSignal<ConnState>,
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
    ) -> (Chat, ChatWriter) {
        let chat = Chat {
            lang,
            cfg: StoredValue::new(cfg),
            state: RwSignal::new(ChatState::new(me, rooms, active)),
            conn: RwSignal::new(ConnState::Connecting),
            announcements: RwSignal::new(Vec::new()),
            notice: RwSignal::new(None),
            loading_older: RwSignal::new(Vec::new()),
            links: StoredValue::new_local(Links::default()),
            last_typing: StoredValue::new(0.0),
            quirks: StoredValue::new(Quirks::default()),
            compose: RwSignal::new(Compose::New),
            jump: RwSignal::new(None),
        };
        let writer = ChatWriter {
            state: chat.state,
            conn: chat.conn,
        };
        (chat, writer)
    }

    /// The chat state: rooms, messages, unread counts, presence, typing.
    pub fn state(&self) -> ReadSignal<ChatState> {
        self.state.read_only()
    }

    /// The event stream's state.
    pub fn conn(&self) -> ReadSignal<ConnState> {
        self.conn.read_only()
    }

    /// Announcements for the live region, numbered, newest last.
    pub fn announcements(&self) -> ReadSignal<Vec<(u64, String)>> {
        self.announcements.read_only()
    }

    /// The last problem worth telling the user that is not a connection
    /// state (an unreadable event, storage full, a history error).
    pub fn notice(&self) -> ReadSignal<Option<Notice>> {
        self.notice.read_only()
    }

    /// Rooms whose older messages are being fetched.
    pub fn loading_older(&self) -> ReadSignal<Vec<String>> {
        self.loading_older.read_only()
    }

    /// The runtime configuration.
    pub fn config(&self) -> Arc<Config> {
        self.cfg.get_value()
    }

    /// Sends `text` to the active room: shown at once as pending, queued in
    /// the outbox (so it also works offline). The list jumps to it. In edit
    /// mode it is the new text of the message edited instead.
    pub fn send(&self, text: String) {
        let reply_to = match self.compose.get_untracked() {
            Compose::Edit { id, .. } => return self.send_edit(&id, text),
            Compose::Reply(q) => Some(q.id.to_string()),
            Compose::New => None,
        };
        self.compose.set(Compose::New);
        let (room, user) = self
            .state
            .with_untracked(|s| (s.active().to_string(), s.me().to_string()));
        let out = Outgoing {
            room,
            user,
            text,
            client_id: new_client_id(),
            reply_to,
        };
        let now = now_ms();
        self.state.update(|s| {
            s.add_pending(&out, now);
            s.set_at_bottom(true);
        });
        // Sending ends "typing"; the next keystroke may announce it again.
        self.last_typing.set_value(0.0);
        self.tell_queued(&out, now);
        self.with_outbox(|o| o.push(out, now));
    }

    /// Sends a refused message again.
    pub fn retry(&self, client_id: &str) {
        self.apply_retry(client_id);
        // The tab that queued it may be another: it sends, all show it.
        let client_id = client_id.to_string();
        self.tell_tabs(TabMessage::Retry { client_id });
    }

    /// Drops an unsent message.
    pub fn discard(&self, client_id: &str) {
        self.apply_discard(client_id);
        let client_id = client_id.to_string();
        self.tell_tabs(TabMessage::Discard { client_id });
    }

    /// Retry here: the state shows it pending, and the outbox sends it if
    /// it is this tab's (a no-op otherwise).
    fn apply_retry(&self, client_id: &str) {
        self.state.try_update(|s| s.retry(client_id));
        self.with_outbox(|o| o.retry(client_id));
    }

    fn apply_discard(&self, client_id: &str) {
        self.state.try_update(|s| s.discard(client_id));
        self.with_outbox(|o| o.discard(client_id));
    }

    /// "Retry now" on the status bar: skip the reconnect wait.
    pub fn retry_now(&self) {
        self.links.with_value(|l| {
            if let Some(s) = &l.stream {
                s.retry_now()
            }
        });
    }

    /// Follow the newest messages of the active room again.
    pub fn jump_to_newest(&self) {
        self.set_at_bottom(true);
    }

    /// The message list reports whether it follows the newest messages.
    pub fn set_at_bottom(&self, at_bottom: bool) {
        let began_reading = self.state.try_update(|s| {
            let was = s.reading();
            s.set_at_bottom(at_bottom);
            !was && s.reading()
        });
        if began_reading == Some(true) {
            self.share_read();
        }
    }

    /// The notice was read.
    pub fn dismiss_notice(&self) {
        self.notice.set(None);
    }

    fn tell(&self, notice: Notice) {
        self.notice.set(Some(notice));
    }

    fn with_outbox(&self, f: impl FnOnce(&Outbox)) {
        self.links.try_with_value(|l| {
            if let Some(o) = &l.outbox {
                f(o)
            }
        });
    }
}
