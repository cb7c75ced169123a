//! What the tabs of one browser tell each other about the chat: a room
//! read in one is read in all, and a message queued, sent, refused,
//! retried or discarded in one shows so in all. Only the tab that queued a
//! message sends it, or the stream's leader once that tab is gone.

use super::Chat;
use crate::protocol::Outgoing;
use crate::state::ChatState;
use crate::transport::outbox::Restored;
use crate::transport::tabs::protocol::TabMessage;
use leptos::prelude::*;

/// Whose unsent messages a tab takes over.
pub(super) enum Adoption<'a> {
    /// Every tab's but these live ones' (and its own).
    Unless(&'a [String]),
    /// This tab's, which said it is gone.
    From(&'a str),
}

impl Chat {
    /// Another tab's news, or the leader's own [`TabMessage::Adopt`].
    pub(super) fn on_tab_news(&self, news: TabMessage) {
        // News may come while the chat is being torn down: try_ everywhere.
        match news {
            TabMessage::Read { room } => {
                self.state.try_update(|s| s.mark_read(&room));
            }
            TabMessage::Queued { out, created } => {
                self.state
                    .try_update(|s| s.add_pending_elsewhere(&out, created));
            }
            TabMessage::Sent { client_id, stored } => {
                self.with_outbox(|o| o.done_elsewhere(&client_id));
                self.state
                    .try_update(|s| s.send_succeeded(&client_id, stored));
            }
            TabMessage::Failed { client_id, reason } => {
                self.state.try_update(|s| s.send_failed(&client_id, reason));
            }
            // The tab that sends it acts; the others only show it.
            TabMessage::Retry { client_id } => self.apply_retry(&client_id),
            TabMessage::Discard { client_id } => self.apply_discard(&client_id),
            TabMessage::Adopt { live } => self.adopt(Adoption::Unless(&live)),
            TabMessage::AdoptFrom { tab } => self.adopt(Adoption::From(&tab)),
            _ => {}
        }
    }

    /// Sends, from now on, what tabs that are gone left unsent (and shows
    /// it in the rooms this tab follows, if it did not already).
    pub(super) fn adopt(&self, which: Adoption) {
        let Some(me) = self.state.try_with_untracked(|s| s.me().to_string()) else {
            return;
        };
        let mut adopted = Vec::new();
        self.with_outbox(|o| {
            adopted = match which {
                Adoption::Unless(live) => o.adopt(&me, live),
                Adoption::From(tab) => o.adopt_from(&me, tab),
            }
        });
        self.state.try_update(|s| {
            for r in adopted {
                if !s.knows_own(&r.out.client_id) && s.room(&r.out.room).is_some() {
                    show_unsent(s, r);
                }
            }
        });
    }

    /// Tells the other tabs (no-op when there are none).
    pub(super) fn tell_tabs(&self, message: TabMessage) {
        self.links.try_with_value(|l| {
            if let Some(stream) = &l.stream {
                stream.tell(&message);
            }
        });
    }

    /// While the reader sees the active room, the other tabs learn that it
    /// is read.
    pub(super) fn share_read(&self) {
        self.note_read();
        let room = self
            .state
            .try_with_untracked(|s| s.reading().then(|| s.active().to_string()))
            .flatten();
        if let Some(room) = room {
            self.tell_tabs(TabMessage::Read { room });
        }
    }

    pub(super) fn tell_queued(&self, out: &Outgoing, created: f64) {
        self.tell_tabs(TabMessage::Queued {
            out: out.clone(),
            created,
        });
    }
}

/// Shows an unsent message from storage: pending, or refused with its reason.
pub(super) fn show_unsent(s: &mut ChatState, r: Restored) {
    s.add_pending(&r.out, r.created);
    if let Some(reason) = r.failed {
        s.send_failed(&r.out.client_id, reason);
    }
}
