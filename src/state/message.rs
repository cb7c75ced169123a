//! One message as the UI shows it, and its delivery state. The two
//! constructors are the only places a [`Message`] is built: one for what the
//! backend sent (live or history), one for what this user just wrote.

use crate::errors::RequestError;
use crate::markup::mentions;
use crate::protocol::extra::{clip, MAX_QUOTE};
use crate::protocol::{Extra, Outgoing, Quote, WireMessage};
use std::collections::HashSet;
use std::sync::Arc;

/// Delivery state of a message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Status {
    /// Confirmed by the backend (or received from it).
    Sent,
    /// Queued or in flight.
    Pending,
    /// Rejected by the backend, with its reason; the user may retry or
    /// discard. Boxed: rare, and it would make every message larger.
    Failed(Box<RequestError>),
}

/// A message as the UI shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct Message {
    /// Unique, stable within the page's life: the key of rendered rows.
    pub uid: u64,
    /// Bumped whenever this message changes (send state, id), so a keyed
    /// list re-renders just this row.
    pub version: u32,
    /// Boxed strings here and below: 8 bytes less than a `String` each, in
    /// every one of a long room's messages.
    pub id: Option<Box<str>>,
    /// The room's id epoch when it arrived: ids are compared only within
    /// one epoch (a backend that restarted counting starts a new one).
    pub epoch: u32,
    /// Shared by every message of one sender ([`Names`]).
    pub user: Option<Arc<str>>,
    pub text: Box<str>,
    /// Epoch ms: the backend's time, or the local time of sending/arrival.
    pub ts: f64,
    /// Kept on our own messages only: nothing matches others' by it, and
    /// at 36 characters it would be a good part of a long room's memory.
    pub client_id: Option<Box<str>>,
    pub status: Status,
    /// Sent by this browser's user.
    pub mine: bool,
    /// Reply, edit, tombstone, reactions; `None` for a plain message.
    pub extra: Option<Box<Extra>>,
    /// Someone else's message that mentions us (`@me`), found once when it
    /// arrives (or is edited), not at every render.
    pub mentions_me: bool,
}

/// Whether a message names `me`: never our own, nor a deleted one.
pub(super) fn mentions_me(text: &str, mine: bool, deleted: bool, me: &str) -> bool {
    !mine && !deleted && mentions(text, me)
}

impl Message {
    /// A message the backend sent (on the stream or in a history page),
    /// filed under `room`. It is ours when it carries our name and a client
    /// id (a backend echoing client ids echoes only the sender's own).
    pub fn from_wire(uid: u64, m: WireMessage, me: &str, now: f64, names: &mut Names) -> Message {
        let mine = m.user.as_deref() == Some(me) && m.client_id.is_some();
        let deleted = m.extra.as_ref().is_some_and(|e| e.deleted);
        let mentions_me = mentions_me(&m.text, mine, deleted, me);
        Message {
            uid,
            version: 0,
            mine,
            id: m.id.map(String::into_boxed_str),
            epoch: 0,
            user: m.user.map(|u| names.intern(u)),
            text: m.text.into_boxed_str(),
            ts: m.ts.unwrap_or(now),
            client_id: m.client_id.filter(|_| mine).map(String::into_boxed_str),
            status: Status::Sent,
            extra: m.extra,
            mentions_me,
        }
    }

    /// A message this user just wrote, not yet confirmed; `reply` quotes
    /// the message it answers.
    pub fn pending(uid: u64, out: &Outgoing, now: f64, reply: Option<Quote>) -> Message {
        Message {
            uid,
            version: 0,
            id: None,
            epoch: 0,
            user: Some(Arc::from(out.user.as_str())),
            text: out.text.as_str().into(),
            ts: now,
            client_id: Some(out.client_id.as_str().into()),
            status: Status::Pending,
            mine: true,
            mentions_me: false,
            extra: reply.map(|reply| {
                Box::new(Extra {
                    reply: Some(reply),
                    ..Extra::default()
                })
            }),
        }
    }

    /// Written by `user` (whoever's browser sent it): a backend that goes
    /// by names lets that name edit and delete it.
    pub fn by(&self, user: &str) -> bool {
        self.user.as_deref() == Some(user)
    }

    /// A tombstone: deleted by its author.
    pub fn deleted(&self) -> bool {
        self.extra.as_ref().is_some_and(|e| e.deleted)
    }

    /// A quote of this message, for a reply to it.
    pub fn quote(&self) -> Option<Quote> {
        Some(Quote {
            id: self.id.clone()?,
            user: self.user.as_deref().map(Box::from),
            text: clip(&self.text, MAX_QUOTE),
            deleted: self.deleted(),
        })
    }

    /// The row key for keyed rendering.
    pub fn key(&self) -> (u64, u32) {
        (self.uid, self.version)
    }

    /// Whether this is our own message with client id `cid`.
    pub fn is_own(&self, cid: &str) -> bool {
        self.mine && self.client_id.as_deref() == Some(cid)
    }

    /// The numeric value of the backend id, when it is one (the reference
    /// backend's ids are integers; other backends' may be anything).
    pub fn numeric_id(&self) -> Option<u64> {
        numeric_id(self.id.as_deref())
    }

    /// The position this message's id gives it: epoch first, then id.
    pub fn order(&self) -> Option<(u32, u64)> {
        Some((self.epoch, self.numeric_id()?))
    }
}

/// One shared copy of each sender's name: a long room holds a few senders'
/// names, not one allocation per message.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Names(HashSet<Arc<str>>);

impl Names {
    pub fn intern(&mut self, name: String) -> Arc<str> {
        if let Some(known) = self.0.get(name.as_str()) {
            return known.clone();
        }
        let name: Arc<str> = Arc::from(name);
        self.0.insert(name.clone());
        name
    }
}

/// The numeric value of a backend id, when it is one.
pub fn numeric_id(id: Option<&str>) -> Option<u64> {
    id?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wire(user: &str, cid: Option<&str>) -> WireMessage {
        WireMessage {
            id: Some("7".into()),
            room: None,
            user: Some(user.into()),
            text: "hi".into(),
            ts: None,
            client_id: cid.map(String::from),
            extra: None,
        }
    }

    #[test]
    fn ours_only_with_our_name_and_a_client_id() {
        let mut names = Names::default();
        let m = Message::from_wire(1, wire("me", Some("c")), "me", 5.0, &mut names);
        assert!(m.mine && m.is_own("c") && !m.is_own("d"));
        assert_eq!((m.ts, m.numeric_id()), (5.0, Some(7)));
        assert!(!Message::from_wire(2, wire("me", None), "me", 0.0, &mut names).mine);
        let theirs = Message::from_wire(3, wire("you", Some("c")), "me", 0.0, &mut names);
        assert!(!theirs.mine);
        assert_eq!(theirs.client_id, None, "others' client ids are not kept");
        let again = Message::from_wire(4, wire("you", None), "me", 0.0, &mut names);
        assert!(
            Arc::ptr_eq(theirs.user.as_ref().unwrap(), again.user.as_ref().unwrap()),
            "one copy per sender"
        );
    }

    #[test]
    fn pending_messages_are_ours_without_an_id() {
        let out = Outgoing {
            room: "g".into(),
            user: "me".into(),
            text: "x".into(),
            client_id: "c1".into(),
            reply_to: None,
        };
        let m = Message::pending(4, &out, 9.0, None);
        assert_eq!(
            (m.status, m.id, m.ts, m.mine),
            (Status::Pending, None, 9.0, true)
        );
        assert_eq!(numeric_id(Some("1795440670:0")), None);
    }
}
