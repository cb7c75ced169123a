//! One event stream per browser: the tabs of one origin, config and user
//! share the stream of a leader tab.
//!
//! Browsers allow six HTTP/1.1 connections per origin, and each open
//! stream holds one: a seventh tab would never receive anything. So every
//! tab asks for one Web Lock ([`lock::LeaderLock`]); the holder, the
//! leader, opens the stream for the union of every tab's rooms and
//! forwards each event over a `BroadcastChannel`
//! ([`protocol::TabMessage`]). The others open nothing. When the leader
//! closes, crashes or enters the back/forward cache, the browser grants
//! the lock to the next tab, which resumes from the last id it received:
//! nothing lost, and a replayed event is a duplicate each tab drops.
//!
//! Where the browser lacks Web Locks or `BroadcastChannel`, or the stream
//! URL names one room (`{room}`: the tabs' active rooms differ), each tab
//! streams alone, as before. A follower whose rooms the leader's stream
//! cannot carry (more than one stream may follow) streams alone too.

mod inbox;
pub mod lock;
pub mod protocol;
mod shared;

use super::browser::{Listener, Timer};
use super::stream_types::{ConnState, RawEvent};
use crate::config::Config;
use leptos::prelude::*;
use lock::LeaderLock;
use protocol::{TabMessage, TabRooms};
use shared::{follow_union, live_tabs, own_stream, post, tell_own_tab, Role, Shared};
use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;
use wasm_bindgen::JsCast;
use web_sys::{BroadcastChannel, MessageEvent};

/// How long a new leader waits for the other tabs' rooms before opening
/// the stream, so that it opens once for all of them.
const ROLL_CALL_MS: f64 = 150.0;
/// When a new leader takes over the unsent messages of tabs that are gone.
const ADOPT_AFTER_MS: f64 = 1_000.0;

/// The chat's view of the stream, shared or not. Closed when dropped
/// (a leader's drop hands the stream to another tab).
pub struct SharedStream {
    inner: Rc<RefCell<Shared>>,
    _listeners: Vec<Listener>,
}

/// Who opens a [`SharedStream`].
pub struct TabSetup {
    pub cfg: Arc<Config>,
    /// This tab's id (its outbox entries carry it as their owner).
    pub tab: String,
    /// Names the tabs that may share: same config and user.
    pub group: String,
    /// This tab's rooms.
    pub rooms: Vec<String>,
}

impl SharedStream {
    /// Streams the tab's rooms into `sink`, reporting the state in `conn`;
    /// `url_for` makes the stream URL of a room list. What other tabs say
    /// about the chat (read rooms, their outbox) goes to `news`, as does
    /// [`TabMessage::Adopt`] when this tab must send what dead tabs left.
    pub fn open(
        setup: TabSetup,
        url_for: impl Fn(&[String]) -> String + 'static,
        conn: RwSignal<ConnState>,
        sink: impl Fn(RawEvent) + 'static,
        news: impl Fn(TabMessage) + 'static,
    ) -> Self {
        let TabSetup {
            cfg,
            tab,
            group,
            rooms,
        } = setup;
        let channel = (!cfg.per_room_stream())
            .then(|| BroadcastChannel::new(&group).ok())
            .flatten();
        let inner = Rc::new(RefCell::new(Shared {
            cfg,
            tab,
            group,
            rooms,
            url_for: Rc::new(url_for),
            conn,
            sink: Rc::new(sink),
            news: Rc::new(news),
            channel,
            lock: None,
            role: Role::Idle,
            last_id: None,
        }));
        let mut listeners = Vec::new();
        let channel = inner.borrow().channel.clone();
        if let Some(channel) = channel {
            let weak = Rc::downgrade(&inner);
            listeners.push(Listener::new(channel.as_ref(), "message", move |ev| {
                let message = ev
                    .dyn_ref::<MessageEvent>()
                    .and_then(|m| m.data().dyn_into::<js_sys::Array>().ok())
                    .and_then(|parts| {
                        let parts: Option<Vec<String>> =
                            parts.iter().map(|p| p.as_string()).collect();
                        TabMessage::decode(&parts?)
                    });
                if let (Some(rc), Some(message)) = (weak.upgrade(), message) {
                    inbox::on_message(&rc, message);
                }
            }));
            listeners.extend(page_listeners(&inner));
            watch_conn(&inner);
        }
        join(&inner);
        SharedStream {
            inner,
            _listeners: listeners,
        }
    }

    /// This tab's rooms changed. `fresh` asks for a replay of the recent
    /// past (a new room on a backend without a history URL).
    pub fn set_rooms(&self, rooms: Vec<String>, fresh: bool) {
        let leader = {
            let mut s = self.inner.borrow_mut();
            s.rooms = rooms.clone();
            let url = (s.url_for)(&rooms);
            match &mut s.role {
                Role::Alone(stream) | Role::Follower { own: Some(stream) } => {
                    stream.set_url(url, !fresh)
                }
                Role::Leader { tabs, .. } => tabs.set_own(rooms.clone()),
                Role::Follower { own: None } | Role::Idle => {}
            }
            if matches!(s.role, Role::Follower { .. }) {
                let message = TabMessage::Rooms {
                    tab: s.tab.clone(),
                    rooms,
                    fresh,
                    last_id: s.last_id.clone(),
                };
                post(&s, &message);
            }
            matches!(s.role, Role::Leader { .. })
        };
        if leader {
            follow_union(&self.inner, fresh, None);
        }
    }

    /// "Retry now": skip the reconnect wait, wherever the stream is.
    pub fn retry_now(&self) {
        let s = self.inner.borrow();
        match &s.role {
            Role::Alone(stream) | Role::Follower { own: Some(stream) } => stream.retry_now(),
            Role::Leader {
                stream: Some(stream),
                ..
            } => stream.retry_now(),
            Role::Follower { own: None } => post(&s, &TabMessage::RetryNow),
            _ => {}
        }
    }

    /// Whether this tab streams on its own, sharing nothing (no Web Locks
    /// or `BroadcastChannel`, or a per-room stream).
    pub fn is_alone(&self) -> bool {
        matches!(self.inner.borrow().role, Role::Alone(_))
    }

    /// Tells the other tabs something about the chat (a read room, an
    /// outbox change). Nobody hears it in a tab that is alone.
    pub fn tell(&self, message: &TabMessage) {
        post(&self.inner.borrow(), message);
    }
}

impl Drop for SharedStream {
    fn drop(&mut self) {
        leave(&self.inner);
        if let Some(channel) = self.inner.borrow_mut().channel.take() {
            channel.close();
        }
    }
}

/// Starts (or restarts, after the back/forward cache) this tab's part:
/// alone where nothing can be shared, else a follower asking for the lock.
fn join(rc: &Rc<RefCell<Shared>>) {
    let weak = Rc::downgrade(rc);
    let group = rc.borrow().group.clone();
    let shared = rc.borrow().channel.is_some();
    let lock = shared
        .then(|| {
            LeaderLock::request(&group, move || {
                if let Some(rc) = weak.upgrade() {
                    lead(&rc);
                }
            })
        })
        .flatten();
    let mut s = rc.borrow_mut();
    if lock.is_none() {
        let url = (s.url_for)(&s.rooms);
        s.role = Role::Alone(own_stream(rc, &s, url, false));
        return;
    }
    s.lock = lock;
    s.role = Role::Follower { own: None };
    s.conn.set(ConnState::Connecting);
    let fresh = s.cfg.history_url.is_none();
    let hello = TabMessage::Rooms {
        tab: s.tab.clone(),
        rooms: s.rooms.clone(),
        fresh,
        last_id: s.last_id.clone(),
    };
    post(&s, &hello);
}

/// Stops this tab's part: its stream closes and the lock goes to the next
/// tab, which the others learn from the roll call.
fn leave(rc: &Rc<RefCell<Shared>>) {
    let mut s = rc.borrow_mut();
    let gone = TabMessage::Gone { tab: s.tab.clone() };
    post(&s, &gone);
    s.role = Role::Idle;
    s.lock = None;
}

/// The lock was granted: ask the other tabs for their rooms, then open
/// the stream for all of them.
fn lead(rc: &Rc<RefCell<Shared>>) {
    let weak = Rc::downgrade(rc);
    let mut s = rc.borrow_mut();
    if matches!(s.role, Role::Idle) {
        return;
    }
    let roll_call = Timer::new(ROLL_CALL_MS, {
        let weak = weak.clone();
        move || {
            if let Some(rc) = weak.upgrade() {
                follow_union(&rc, false, None);
            }
        }
    });
    // Unsent messages of tabs that did not answer the roll call are ours
    // to send; a slow answer must not make two tabs send one message, so
    // this waits well past the roll call.
    let adopt = Timer::new(ADOPT_AFTER_MS, move || {
        let Some(rc) = weak.upgrade() else { return };
        let live = live_tabs(&rc.borrow());
        if let Some(live) = live {
            tell_own_tab(&rc, TabMessage::Adopt { live });
        }
    });
    s.role = Role::Leader {
        tabs: TabRooms::new(s.rooms.clone()),
        stream: None,
        _roll_call: roll_call,
        _adopt: adopt,
    };
    post(&s, &TabMessage::Roll);
}

/// The leader tells every tab its connection state as it changes.
fn watch_conn(rc: &Rc<RefCell<Shared>>) {
    let weak = Rc::downgrade(rc);
    let conn = rc.borrow().conn;
    Effect::watch(
        move || conn.get(),
        move |state, _, _| {
            let Some(rc) = weak.upgrade() else { return };
            let Ok(s) = rc.try_borrow() else { return };
            if matches!(s.role, Role::Leader { .. }) {
                post(
                    &s,
                    &TabMessage::Conn {
                        state: state.clone(),
                    },
                );
            }
        },
        false,
    );
}

/// Entering the back/forward cache, a tab lets go of the lock (another
/// tab takes the stream over); coming back, it joins again.
fn page_listeners(rc: &Rc<RefCell<Shared>>) -> Vec<Listener> {
    let hide = {
        let weak = Rc::downgrade(rc);
        Listener::on_window("pagehide", move |_| {
            if let Some(rc) = weak.upgrade() {
                leave(&rc);
            }
        })
    };
    let show = {
        let weak = Rc::downgrade(rc);
        Listener::on_window("pageshow", move |ev: web_sys::Event| {
            let restored = ev
                .dyn_ref::<web_sys::PageTransitionEvent>()
                .is_some_and(|e| e.persisted());
            if let (true, Some(rc)) = (restored, weak.upgrade()) {
                join(&rc);
            }
        })
    };
    hide.into_iter().chain(show).collect()
}
