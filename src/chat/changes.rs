//! Commands on messages already sent: reply, edit and delete one's own,
//! react, and jump to the message a reply answers.
//!
//! Each is offered only when the configuration names its field or URL
//! ([`Abilities`]). Changes are sent at once, not queued: the answer (or,
//! for other users and tabs, the `update` event) changes the shown
//! message, a refusal is told as a notice and changes nothing.

use super::compose::{Abilities, Compose};
use super::Chat;
use crate::errors::{ChangeKind, Notice};
use crate::protocol::{Change, Incoming};
use crate::state::Message;
use crate::transport::browser::now_ms;
use crate::transport::send::send_change;
use leptos::prelude::*;
use leptos::task::spawn_local;

impl Chat {
    /// What this backend's configuration allows.
    pub fn abilities(&self) -> Abilities {
        self.cfg.with_value(|c| {
            let writable = !c.read_only();
            Abilities {
                reply: writable && c.changes.reply_field.is_some(),
                edit: c.changes.edit_url.is_some(),
                delete: c.changes.delete_url.is_some(),
                react: c.changes.react_url.is_some(),
            }
        })
    }

    /// Whether `msg` may be edited or deleted by us: our name, an id to
    /// name it by, and not already a tombstone.
    pub fn is_changeable(&self, msg: &Message) -> bool {
        let me = self.state.with_untracked(|s| s.me().to_string());
        msg.by(&me) && msg.id.is_some() && !msg.deleted()
    }

    /// What the composer is writing (tracked).
    pub fn compose(&self) -> ReadSignal<Compose> {
        self.compose.read_only()
    }

    /// The next message sent answers `msg`.
    pub fn reply_to(&self, msg: &Message) {
        if let Some(q) = msg.quote() {
            self.compose.set(Compose::Reply(q));
        }
    }

    /// The composer edits `msg`: its text goes into the composer.
    pub fn start_edit(&self, msg: &Message) {
        if let (true, Some(id)) = (self.is_changeable(msg), msg.id.as_deref()) {
            self.compose.set(Compose::Edit {
                id: id.to_string(),
                text: msg.text.to_string(),
            });
        }
    }

    /// Edits our last message in the active room (the Up arrow in an empty
    /// composer); false when there is none to edit.
    pub fn edit_last_own(&self) -> bool {
        if !self.abilities().edit {
            return false;
        }
        let last = self.state.with_untracked(|s| {
            let me = s.me();
            s.active_room()?
                .log()
                .iter()
                .rev()
                .find(|m| m.by(me) && m.id.is_some() && !m.deleted())
                .cloned()
        });
        last.map(|m| self.start_edit(&m)).is_some()
    }

    /// Back to writing a new message.
    pub fn cancel_compose(&self) {
        self.compose.set(Compose::New);
    }

    /// Deletes our message `msg` (the UI asked the user first).
    pub fn delete(&self, msg: &Message) {
        if let (true, Some(id)) = (self.is_changeable(msg), msg.id.as_deref()) {
            self.change(id, Change::Delete);
        }
    }

    /// Adds our `emoji` to `msg`, or takes it away if it is there.
    pub fn toggle_reaction(&self, msg: &Message, emoji: &str) {
        let Some(id) = msg.id.as_deref() else { return };
        let me = self.state.with_untracked(|s| s.me().to_string());
        let on = !msg
            .extra
            .as_ref()
            .and_then(|e| e.reaction(emoji))
            .is_some_and(|r| r.by(&me));
        let emoji = emoji.to_string();
        self.change(id, Change::React { emoji, on });
    }

    /// Scrolls to message `id` of the active room, loading older history
    /// until it is there (see the message list).
    pub fn jump_to(&self, id: &str) {
        self.jump.set(Some(id.to_string()));
    }

    /// The message the list should bring into view (tracked).
    pub fn jump_target(&self) -> ReadSignal<Option<String>> {
        self.jump.read_only()
    }

    /// The list reached the jump target, or gave up on it.
    pub fn jump_done(&self) {
        self.jump.set(None);
    }

    /// The backend's search failed: the user is told (the results shown
    /// are only what is loaded).
    pub fn search_failed(&self, error: crate::errors::HistoryError) {
        self.tell(Notice::SearchFailed(error));
    }

    /// Sends an edit of message `id` (from the composer in edit mode).
    pub(super) fn send_edit(&self, id: &str, text: String) {
        self.compose.set(Compose::New);
        self.change(id, Change::Edit { text });
    }

    fn change(&self, id: &str, change: Change) {
        let cfg = self.cfg.get_value();
        let (room, user) = self
            .state
            .with_untracked(|s| (s.active().to_string(), s.me().to_string()));
        let signal = self.links.with_value(|l| l.fetches.signal());
        let (chat, id) = (*self, id.to_string());
        spawn_local(async move {
            let answer = send_change(&cfg, &change, (&id, &room, &user), signal.as_ref()).await;
            match answer {
                // With update events, the stream brings the change in order
                // with everyone else's: the answer may already be older than
                // what it brought, so it is shown only without them.
                Ok(Some(m)) if cfg.changes.update_event.is_none() => {
                    let now = now_ms();
                    chat.state
                        .try_update(|s| s.ingest(vec![(Incoming::Update(m), Some(room))], now));
                }
                Ok(_) => {}
                Err(reason) => {
                    // A refused edit goes back into the composer: nothing typed is lost.
                    if let Change::Edit { text } = &change {
                        let (id, text) = (id.clone(), text.clone());
                        chat.compose.try_set(Compose::Edit { id, text });
                    }
                    let what = match change {
                        Change::Edit { .. } => ChangeKind::Edit,
                        Change::Delete => ChangeKind::Delete,
                        Change::React { .. } => ChangeKind::React,
                    };
                    chat.tell(Notice::ChangeFailed { what, reason });
                }
            }
        });
    }
}
