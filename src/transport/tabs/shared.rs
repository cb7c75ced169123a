//! The state every part of the tab sharing works on, and the stream a tab
//! opens for itself or, as the leader, for every tab.

use super::lock::LeaderLock;
use super::protocol::{TabMessage, TabRooms};
use crate::config::Config;
use crate::protocol::resumable_id;
use crate::transport::browser::Timer;
use crate::transport::events::EventStream;
use crate::transport::stream_types::{ConnState, RawEvent};
use leptos::prelude::*;
use std::cell::RefCell;
use std::rc::{Rc, Weak};
use std::sync::Arc;
use web_sys::BroadcastChannel;

/// What this tab does about the stream.
pub(super) enum Role {
    /// Another tab leads; events come over the channel. `own` is a stream
    /// of this tab's own while the leader's does not carry all its rooms.
    Follower { own: Option<EventStream> },
    /// This tab holds the lock. `stream` is `None` during the roll call.
    Leader {
        tabs: TabRooms,
        stream: Option<EventStream>,
        _roll_call: Option<Timer>,
        _adopt: Option<Timer>,
    },
    /// No sharing here: this tab's own stream.
    Alone(EventStream),
    /// Closed, or in the back/forward cache.
    Idle,
}

/// Makes the stream URL of a room list.
pub(super) type UrlFor = Rc<dyn Fn(&[String]) -> String>;

pub(super) struct Shared {
    pub(super) cfg: Arc<Config>,
    pub(super) tab: String,
    pub(super) group: String,
    pub(super) rooms: Vec<String>,
    pub(super) url_for: UrlFor,
    pub(super) conn: RwSignal<ConnState>,
    pub(super) sink: Rc<dyn Fn(RawEvent)>,
    /// Where the chat-level messages of other tabs go (read, outbox).
    pub(super) news: Rc<dyn Fn(TabMessage)>,
    pub(super) channel: Option<BroadcastChannel>,
    pub(super) lock: Option<LeaderLock>,
    pub(super) role: Role,
    /// The last resumable id of any event this tab received.
    pub(super) last_id: Option<String>,
}

/// The leader points its stream at the union of every tab's rooms (opening
/// it after the roll call) and tells the tabs what it follows. A tab whose
/// events end elsewhere than the leader's (`resume_from`) gets a resume
/// from there.
pub(super) fn follow_union(rc: &Rc<RefCell<Shared>>, fresh: bool, resume_from: Option<String>) {
    let mut s = rc.borrow_mut();
    let Role::Leader { tabs, .. } = &s.role else {
        return;
    };
    let union = tabs.union();
    let url = (s.url_for)(&union);
    let opened = match &s.role {
        Role::Leader {
            stream: Some(stream),
            ..
        } => {
            match resume_from.filter(|id| Some(id) != s.last_id.as_ref()) {
                Some(id) if !fresh => stream.resume_after(url.clone(), id),
                _ => stream.set_url(url.clone(), !fresh),
            }
            None
        }
        _ => Some(own_stream(rc, &s, url, true)),
    };
    if let (Some(new), Role::Leader { stream, .. }) = (opened, &mut s.role) {
        *stream = Some(new);
    }
    post(&s, &TabMessage::Following { rooms: union });
    let state = s.conn.get_untracked();
    post(&s, &TabMessage::Conn { state });
}

/// A stream of this tab's, resuming after the last id it received; a
/// leader's forwards every event to the other tabs.
pub(super) fn own_stream(
    rc: &Rc<RefCell<Shared>>,
    s: &Shared,
    url: String,
    forward: bool,
) -> EventStream {
    let weak: Weak<RefCell<Shared>> = Rc::downgrade(rc);
    EventStream::open_after(s.cfg.clone(), url, s.last_id.clone(), s.conn, move |raw| {
        let Some(rc) = weak.upgrade() else { return };
        let sink = {
            let mut s = rc.borrow_mut();
            note_id(&mut s, &raw);
            if forward && has_followers(&s) {
                let events = vec![raw.clone()];
                post(&s, &TabMessage::Events { events });
            }
            s.sink.clone()
        };
        sink(raw);
    })
}

pub(super) fn has_followers(s: &Shared) -> bool {
    matches!(&s.role, Role::Leader { tabs, .. } if tabs.has_others())
}

pub(super) fn note_id(s: &mut Shared, raw: &RawEvent) {
    if resumable_id(&raw.last_event_id) {
        s.last_id = Some(raw.last_event_id.clone());
    }
}

/// Hands `message` to this tab's chat, outside any borrow of `rc` (the
/// chat may answer at once).
pub(super) fn tell_own_tab(rc: &Rc<RefCell<Shared>>, message: TabMessage) {
    let news = rc.borrow().news.clone();
    news(message);
}

/// The live tabs as the leader knows them: itself and those that answered.
pub(super) fn live_tabs(s: &Shared) -> Option<Vec<String>> {
    let Role::Leader { tabs, .. } = &s.role else {
        return None;
    };
    Some(
        std::iter::once(s.tab.clone())
            .chain(tabs.others())
            .collect(),
    )
}

pub(super) fn post(s: &Shared, message: &TabMessage) {
    if let Some(channel) = &s.channel {
        // A closed channel (the tab is going away) has nobody to tell.
        let parts: js_sys::Array = message
            .encode()
            .into_iter()
            .map(wasm_bindgen::JsValue::from)
            .collect();
        let _ = channel.post_message(&parts);
    }
}
