//! What a tab does with the messages of the others.

use super::protocol::{covers, TabMessage};
use super::shared::{follow_union, note_id, own_stream, post, tell_own_tab, Role, Shared};
use leptos::prelude::*;
use std::cell::RefCell;
use std::rc::Rc;

/// What another tab said.
pub(super) fn on_message(rc: &Rc<RefCell<Shared>>, message: TabMessage) {
    match message {
        TabMessage::Events { events } => {
            let sink = {
                let mut s = rc.borrow_mut();
                if !matches!(s.role, Role::Follower { own: None }) {
                    return;
                }
                for raw in &events {
                    note_id(&mut s, raw);
                }
                s.sink.clone()
            };
            for raw in events {
                sink(raw);
            }
        }
        TabMessage::Conn { state } => {
            let s = rc.borrow();
            if matches!(s.role, Role::Follower { own: None }) {
                s.conn.set(state);
            }
        }
        TabMessage::Following { rooms } => on_following(rc, &rooms),
        TabMessage::Roll => {
            let s = rc.borrow();
            if matches!(s.role, Role::Follower { .. }) {
                let hello = TabMessage::Rooms {
                    tab: s.tab.clone(),
                    rooms: s.rooms.clone(),
                    fresh: false,
                    last_id: s.last_id.clone(),
                };
                post(&s, &hello);
            }
        }
        TabMessage::Rooms {
            tab,
            rooms,
            fresh,
            last_id,
        } => {
            if let Role::Leader { tabs, .. } = &mut rc.borrow_mut().role {
                tabs.set(&tab, rooms);
            } else {
                return;
            }
            follow_union(rc, fresh, last_id);
        }
        TabMessage::Gone { tab } => on_gone(rc, tab),
        // Never sent over the channel: only the leader makes it, for itself.
        TabMessage::Adopt { .. } | TabMessage::AdoptFrom { .. } => {}
        news @ (TabMessage::Read { .. }
        | TabMessage::Queued { .. }
        | TabMessage::Sent { .. }
        | TabMessage::Failed { .. }
        | TabMessage::Retry { .. }
        | TabMessage::Discard { .. }) => tell_own_tab(rc, news),
        TabMessage::RetryNow => {
            if let Role::Leader {
                stream: Some(stream),
                ..
            } = &rc.borrow().role
            {
                stream.retry_now();
            }
        }
    }
}

/// A tab is gone: the leader forgets its rooms and sends what it left.
fn on_gone(rc: &Rc<RefCell<Shared>>, tab: String) {
    let leads = match &mut rc.borrow_mut().role {
        Role::Leader { tabs, .. } => {
            tabs.remove(&tab);
            true
        }
        _ => false,
    };
    if leads {
        tell_own_tab(rc, TabMessage::AdoptFrom { tab });
    }
}

/// The leader says what its stream follows: a follower missing a room
/// there streams on its own until it is covered again.
fn on_following(rc: &Rc<RefCell<Shared>>, following: &[String]) {
    let mut s = rc.borrow_mut();
    let Role::Follower { own } = &s.role else {
        return;
    };
    let covered = covers(following, &s.rooms);
    if covered && own.is_some() {
        s.role = Role::Follower { own: None };
    } else if !covered && own.is_none() {
        let url = (s.url_for)(&s.rooms);
        let stream = own_stream(rc, &s, url, false);
        s.role = Role::Follower { own: Some(stream) };
    }
}
