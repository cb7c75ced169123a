//! Changes to messages already shown: an `update` event (or a newer copy
//! of a message, in a replay or a history page) replaces the text, the
//! tombstone and the reactions of the message with that id. Only that row
//! re-renders (its version is bumped), and only if something differs, so
//! applying a change twice does nothing.

use super::chat_state::ChatState;
use super::dedupe::{fingerprint, DedupeKey};
use super::log::MessageLog;
use super::message::{mentions_me, Message};
use crate::protocol::{Quote, WireMessage};

/// How far back (messages) replies to a changed original are looked for.
const QUOTE_SCAN: usize = 2_000;

impl ChatState {
    /// Applies `m`, the current state of a message (its bare reply already
    /// described), to the copy shown in `room_name`. A message not held
    /// (older than what was loaded, or a room not followed) is left alone:
    /// history brings it in its current state.
    pub(super) fn update(&mut self, room_name: &str, m: WireMessage) {
        let Some(id) = m.id.clone() else { return };
        let Some(epoch) = self.room(room_name).map(|r| r.epoch) else {
            return;
        };
        // The dedupe set learns the new content: a later copy of the
        // changed message is the same message, not a restarted backend's.
        if let Some(key) = DedupeKey::of(room_name, epoch, &m) {
            self.seen.refresh(&key, fingerprint(&m));
        }
        // Not `room_mut`: `self.me` is read below while the room is held.
        let Some(room) = self.rooms.iter_mut().find(|r| r.name == room_name) else {
            return;
        };
        let Some(i) = held(&room.log, epoch, &id) else {
            return;
        };
        let Some(x) = room.log.get_mut(i) else { return };
        if !apply(x, m) {
            return;
        }
        // Parsed only for a change that landed (replays repeat many).
        x.mentions_me = mentions_me(&x.text, x.mine, x.deleted(), &self.me);
        // Replies quoting it show the change too (a deleted text must not
        // live on in quotes).
        let quote = x.quote();
        if let Some(quote) = quote {
            requote(&mut room.log, &quote);
        }
    }

    /// A reply that names its original by id only (a backend relaying a
    /// bare `reply_to`) quotes it from what is held.
    pub(super) fn describe_reply(&self, room: &str, mut m: WireMessage) -> WireMessage {
        let bare = m
            .extra
            .as_mut()
            .and_then(|e| e.reply.as_mut())
            .filter(|q| q.user.is_none());
        if let Some(q) = bare {
            if let Some(found) = self.quote_of(room, &q.id) {
                *q = found;
            }
        }
        m
    }

    /// A quote of message `id` of `room`, if it is held.
    pub(super) fn quote_of(&self, room: &str, id: &str) -> Option<Quote> {
        let r = self.room(room)?;
        let i = held(&r.log, r.epoch, id)?;
        r.log.get(i)?.quote()
    }

    /// Whether `m`, a copy of a held message whose text differs, is that
    /// message changed (same id, sender and time: the reference backend's
    /// edits and tombstones) rather than another message reusing its id.
    pub(super) fn is_change_of_held(&self, room: &str, m: &WireMessage) -> bool {
        let changed = m
            .extra
            .as_ref()
            .is_some_and(|e| e.deleted || e.edited_at.is_some());
        let (Some(r), Some(id), Some(ts)) = (self.room(room), m.id.as_deref(), m.ts) else {
            return false;
        };
        let x = held(&r.log, r.epoch, id).and_then(|i| r.log.get(i));
        changed && x.is_some_and(|x| x.user.as_deref() == m.user.as_deref() && x.ts == ts)
    }
}

/// The newest held message of this epoch with `id`.
fn held(log: &MessageLog, epoch: u32, id: &str) -> Option<usize> {
    log.position(|x| x.epoch == epoch && x.id.as_deref() == Some(id))
}

/// Takes the text and the extras of `m` into `x`, keeping what only this
/// browser knows (send state, ownership, the local time of arrival).
/// Returns whether anything changed. A copy older than what is shown (an
/// earlier edit time, or none against an edit) is not taken.
fn apply(x: &mut Message, m: WireMessage) -> bool {
    let edited = |e: &Option<Box<crate::protocol::Extra>>| e.as_ref().and_then(|e| e.edited_at);
    if edited(&x.extra) > edited(&m.extra) {
        return false;
    }
    let text_changed = *x.text != *m.text;
    if !text_changed && x.extra == m.extra {
        return false;
    }
    if text_changed {
        x.text = m.text.into_boxed_str();
    }
    x.extra = m.extra;
    x.version += 1;
    true
}

/// Replies among the newest messages that quote `quote.id` get its new
/// text (or its tombstone).
fn requote(log: &mut MessageLog, quote: &Quote) {
    let len = log.len();
    for i in len.saturating_sub(QUOTE_SCAN)..len {
        let Some(x) = log.get_mut(i) else { continue };
        let Some(q) = x.extra.as_mut().and_then(|e| e.reply.as_mut()) else {
            continue;
        };
        if q.id == quote.id && (q.text != quote.text || q.deleted != quote.deleted) {
            *q = quote.clone();
            x.version += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::chat_state::fixtures::wire;
    use super::*;
    use crate::protocol::{Extra, Incoming, Reaction};

    fn state() -> ChatState {
        ChatState::new("me", &["a".to_string()], "a")
    }

    fn texts(s: &ChatState) -> Vec<(String, u32, bool)> {
        s.room("a")
            .unwrap()
            .log()
            .iter()
            .map(|m| (m.text.to_string(), m.version, m.deleted()))
            .collect()
    }

    /// Bob asks, as message 7.
    fn ask(s: &mut ChatState) {
        let m = wire(Some("7"), "a", "bob", "question");
        s.ingest(vec![(Incoming::Message(m), None)], 0.0);
    }

    /// The extras of a reply naming message 7 by id only.
    fn replying_to_7() -> Extra {
        let reply = Some(Quote {
            id: "7".into(),
            ..Quote::default()
        });
        Extra {
            reply,
            ..Extra::default()
        }
    }

    /// The quote of the `i`th message of room "a".
    fn quote_at(s: &ChatState, i: usize) -> Quote {
        let m = s.room("a").unwrap().log().get(i).unwrap();
        m.extra.as_ref().and_then(|e| e.reply.clone()).unwrap()
    }

    fn changed(id: &str, text: &str, extra: Extra) -> WireMessage {
        WireMessage {
            extra: Some(Box::new(extra)),
            ..wire(Some(id), "a", "bob", text)
        }
    }

    #[test]
    fn an_update_changes_one_message_once() {
        let mut s = state();
        s.ingest(
            vec![
                (Incoming::Message(wire(Some("1"), "a", "bob", "helo")), None),
                (Incoming::Message(wire(Some("2"), "a", "bob", "next")), None),
            ],
            0.0,
        );
        let edited = Extra {
            edited_at: Some(5.0),
            ..Extra::default()
        };
        let update = || Incoming::Update(changed("1", "hello", edited.clone()));
        let report = s.ingest(vec![(update(), None)], 1.0);
        assert!(report.arrived.is_empty(), "an edit is not a new message");
        assert_eq!(
            texts(&s),
            [("hello".into(), 1, false), ("next".into(), 0, false)]
        );
        s.ingest(vec![(update(), None)], 2.0);
        assert_eq!(texts(&s)[0].1, 1, "the same state again re-renders nothing");
        // A message not held, or an update without an id, changes nothing.
        s.ingest(
            vec![(Incoming::Update(changed("9", "x", Extra::default())), None)],
            3.0,
        );
        assert_eq!(s.room("a").unwrap().log().len(), 2);
    }

    #[test]
    fn a_replayed_copy_of_an_edited_message_updates_it_and_adds_nothing() {
        let mut s = state();
        s.ingest(
            vec![(Incoming::Message(wire(Some("1"), "a", "bob", "helo")), None)],
            0.0,
        );
        // Fresh connection, or a history page: the message in its current
        // state, text changed. Not a restarted backend's other message 1.
        let tomb = Extra {
            deleted: true,
            ..Extra::default()
        };
        s.ingest(vec![(Incoming::Message(changed("1", "", tomb)), None)], 1.0);
        assert_eq!(texts(&s), [("".into(), 1, true)]);
        // Reactions on an unchanged text: the copy is a duplicate whose
        // reactions are newer.
        let mut s = state();
        s.ingest(
            vec![(Incoming::Message(wire(Some("1"), "a", "bob", "hi")), None)],
            0.0,
        );
        let liked = Extra {
            reactions: vec![Reaction {
                emoji: "👍".into(),
                users: vec!["me".into()],
            }],
            ..Extra::default()
        };
        s.ingest(
            vec![(Incoming::Message(changed("1", "hi", liked)), None)],
            1.0,
        );
        let log = s.room("a").unwrap().log();
        assert_eq!(log.len(), 1);
        assert!(log.get(0).unwrap().extra.as_ref().unwrap().reactions[0].by("me"));
        // A history page may have been read before the last update came
        // on the stream: its copy must not undo it.
        s.prepend_history("a", vec![wire(Some("1"), "a", "bob", "hi")], false, 2.0);
        let log = s.room("a").unwrap().log();
        assert_eq!(log.len(), 1);
        assert!(log.get(0).unwrap().extra.is_some());
    }

    #[test]
    fn a_bare_reply_id_is_quoted_from_what_is_held() {
        let mut s = state();
        ask(&mut s);
        let bare = replying_to_7();
        s.ingest(
            vec![(Incoming::Message(changed("8", "answer", bare)), None)],
            1.0,
        );
        let q = quote_at(&s, 1);
        assert_eq!((q.user.as_deref(), &*q.text), (Some("bob"), "question"));
    }

    #[test]
    fn our_reply_keeps_its_quote_when_the_backend_answers_a_bare_id() {
        use super::super::chat_state::fixtures::outgoing;
        let mut s = state();
        ask(&mut s);
        let mut out = outgoing("answer", "c1");
        out.room = "a".into();
        out.reply_to = Some("7".into());
        s.add_pending(&out, 1.0);
        let bare = replying_to_7();
        let mut stored = changed("8", "answer", bare.clone());
        stored.user = Some("me".into());
        stored.client_id = Some("c1".into());
        s.send_succeeded("c1", Some(stored.clone()));
        s.ingest(vec![(Incoming::Message(stored), None)], 2.0);
        let log = s.room("a").unwrap().log();
        assert_eq!(log.len(), 2);
        let q = log
            .get(1)
            .unwrap()
            .extra
            .as_ref()
            .unwrap()
            .reply
            .clone()
            .unwrap();
        assert_eq!((q.user.as_deref(), &*q.text), (Some("bob"), "question"));
    }

    #[test]
    fn a_restarted_backends_new_deleted_message_is_not_the_old_one() {
        let mut s = state();
        s.ingest(
            vec![(
                Incoming::Message(wire(Some("3"), "a", "bob", "old three")),
                None,
            )],
            0.0,
        );
        // Ids start again; the new 3 was deleted before this replay.
        let mut new_three = changed(
            "3",
            "",
            Extra {
                deleted: true,
                ..Extra::default()
            },
        );
        new_three.ts = Some(9_000.0);
        s.ingest(vec![(Incoming::Message(new_three), None)], 1.0);
        assert_eq!(
            texts(&s),
            [("old three".into(), 0, false), ("".into(), 0, true)]
        );
    }

    #[test]
    fn an_edit_without_markers_is_remembered_and_not_taken_back() {
        let mut s = state();
        s.ingest(
            vec![(Incoming::Message(wire(Some("1"), "a", "bob", "helo")), None)],
            0.0,
        );
        let at = |t: f64| Extra {
            edited_at: Some(t),
            ..Extra::default()
        };
        s.ingest(
            vec![(Incoming::Update(changed("1", "hello", at(5.0))), None)],
            1.0,
        );
        // A backend that replays the edited copy without saying so: the
        // dedupe set knows its new text, so it is no other message.
        s.ingest(
            vec![(
                Incoming::Message(wire(Some("1"), "a", "bob", "hello")),
                None,
            )],
            2.0,
        );
        assert_eq!(texts(&s), [("hello".into(), 1, false)]);
        // An older edit coming late changes nothing.
        s.ingest(
            vec![(Incoming::Update(changed("1", "hel", at(2.0))), None)],
            3.0,
        );
        assert_eq!(texts(&s), [("hello".into(), 1, false)]);
    }

    #[test]
    fn replies_show_when_their_original_is_deleted() {
        let mut s = state();
        s.ingest(
            vec![(
                Incoming::Message(wire(Some("7"), "a", "bob", "secret")),
                None,
            )],
            0.0,
        );
        let quoted = replying_to_7();
        s.ingest(
            vec![(Incoming::Message(changed("8", "re", quoted)), None)],
            1.0,
        );
        let tomb = Extra {
            deleted: true,
            ..Extra::default()
        };
        s.ingest(vec![(Incoming::Update(changed("7", "", tomb)), None)], 2.0);
        let q = quote_at(&s, 1);
        assert!(q.deleted && q.text.is_empty(), "{q:?}");
        let log = s.room("a").unwrap().log();
        assert_eq!(log.get(1).unwrap().version, 1);
    }

    #[test]
    fn a_reply_quotes_what_is_held() {
        let mut s = state();
        ask(&mut s);
        let q = s.quote_of("a", "7").unwrap();
        assert_eq!(
            (&*q.id, q.user.as_deref(), &*q.text),
            ("7", Some("bob"), "question")
        );
        assert_eq!(s.quote_of("a", "8"), None);
    }
}
