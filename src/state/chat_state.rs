//! The chat state: followed rooms and who we are. Routes a batch of
//! incoming events and history pages to the rooms, the dedupe set and the
//! echo matching of our own messages ([`super::outgoing`]).

use super::dedupe::{fingerprint, DedupeKey, Lookup, Seen};
use super::message::{self, Message, Names};
use super::room::Room;
use crate::protocol::{Incoming, WireMessage};

/// Default cap of messages kept in memory per room; older ones are dropped
/// and can be loaded again from the history URL.
pub const DEFAULT_CAP: usize = 200_000;

/// A new message from someone else, for announcements and notifications.
#[derive(Clone, Debug, PartialEq)]
pub struct Arrival {
    pub room: String,
    pub user: Option<String>,
    pub text: String,
    /// It mentions us (`@me`).
    pub mention: bool,
    /// Its room is muted: only a mention is worth a notification.
    pub muted: bool,
}

/// What a batch changed.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Report {
    /// New messages from others, in arrival order.
    pub arrived: Vec<Arrival>,
    /// Duplicates dropped (replays after a reconnect).
    pub duplicates: usize,
}

/// The whole chat: followed rooms and who we are.
#[derive(Clone, Debug, PartialEq)]
pub struct ChatState {
    pub(super) me: String,
    pub(super) rooms: Vec<Room>,
    pub(super) active: String,
    /// The reader sees the newest messages of the active room (scrolled to
    /// the bottom, tab visible); otherwise arrivals count as unread there too.
    pub(super) reading: bool,
    pub(super) at_bottom: bool,
    pub(super) visible: bool,
    pub(super) seen: Seen,
    names: Names,
    cap: usize,
    next_uid: u64,
    /// Messages stamped before this time (epoch ms) are history: replays
    /// of the past on a fresh connection. They are shown but neither
    /// counted as unread nor announced.
    pub(super) history_before: f64,
}

impl ChatState {
    pub fn new(me: &str, rooms: &[String], active: &str) -> Self {
        let mut state = ChatState {
            me: me.to_string(),
            rooms: Vec::new(),
            active: active.to_string(),
            reading: true,
            at_bottom: true,
            visible: true,
            seen: Seen::default(),
            names: Names::default(),
            cap: DEFAULT_CAP,
            next_uid: 1,
            history_before: 0.0,
        };
        for r in rooms {
            state.join(r);
        }
        state.join(active);
        state
    }

    /// Our nickname.
    pub fn me(&self) -> &str {
        &self.me
    }

    /// Marks messages stamped before `t` as history (see the field). Set
    /// when a connection starts without a resume point.
    pub fn set_history_before(&mut self, t: f64) {
        self.history_before = t;
    }

    /// Overrides the per-room memory cap (tests and benchmarks).
    pub fn with_cap(mut self, cap: usize) -> Self {
        self.cap = cap.max(1);
        self
    }

    pub(super) fn alloc_uid(&mut self) -> u64 {
        let uid = self.next_uid;
        self.next_uid += 1;
        uid
    }

    /// Applies a batch of decoded events in order. `fallback_room` is the
    /// room for messages that don't name one (per-room streams).
    pub fn ingest(&mut self, batch: Vec<(Incoming, Option<String>)>, now: f64) -> Report {
        let mut report = Report::default();
        for (item, fallback_room) in batch {
            match item {
                Incoming::Message(m) => self.receive(m, fallback_room.as_deref(), now, &mut report),
                Incoming::Update(m) => {
                    let room = self.incoming_room(&m, fallback_room.as_deref());
                    let m = self.describe_reply(&room, m);
                    self.update(&room, m)
                }
                Incoming::Presence(p) => self.presence(p),
                Incoming::Typing { room, user } => self.typing(&room, &user, now),
                Incoming::Ping | Incoming::Ignored => {}
            }
        }
        self.place_marker();
        report
    }

    /// Where `m` stands against what was seen in `room_name`: a duplicate,
    /// or new with its key and id epoch. An id reused for other content
    /// starts a new epoch for the room (the backend restarted counting):
    /// the message is new, not a duplicate.
    fn classify(&mut self, room_name: &str, m: &WireMessage) -> Novelty {
        let mut epoch = self.room(room_name).map_or(0, |r| r.epoch);
        let fp = fingerprint(m);
        let mut key = DedupeKey::of(room_name, epoch, m);
        let mut lookup = key
            .as_ref()
            .map_or(Lookup::New, |k| self.seen.lookup(k, fp));
        // The same id with a changed text is the same message when it says
        // it was edited or deleted and its sender and time are the held
        // one's (a replay of it in its current state).
        if lookup == Lookup::Conflict && self.is_change_of_held(room_name, m) {
            lookup = Lookup::Same;
        }
        if lookup == Lookup::Conflict {
            epoch += 1;
            if let Some(r) = self.room_mut(room_name) {
                r.epoch = epoch;
            }
            key = DedupeKey::of(room_name, epoch, m);
            lookup = key
                .as_ref()
                .map_or(Lookup::New, |k| self.seen.lookup(k, fp));
        }
        match lookup {
            Lookup::Same => Novelty::Duplicate { epoch },
            _ => Novelty::New { key, epoch, fp },
        }
    }

    /// The room an incoming message belongs to: the one it names, else the
    /// stream's (`fallback`, per-room streams), else the active one.
    pub(super) fn incoming_room(&self, m: &WireMessage, fallback: Option<&str>) -> String {
        m.room
            .clone()
            .or_else(|| fallback.map(String::from))
            .unwrap_or_else(|| self.active.clone())
    }

    fn receive(&mut self, m: WireMessage, fallback: Option<&str>, now: f64, report: &mut Report) {
        let room_name = self.incoming_room(&m, fallback);
        let m = self.describe_reply(&room_name, m);
        let Novelty::New { key, epoch, fp } = self.classify(&room_name, &m) else {
            report.duplicates += 1;
            // The stream is in order: its copy is the newest state (a
            // reaction or an edit since the copy shown).
            self.update(&room_name, m);
            return;
        };
        // An echo of our own pending message replaces it in place.
        let echo = self.confirm_echo(&room_name, &m, now);
        if let Some(k) = key {
            self.seen.insert_with(k, fp);
        }
        // Messages for rooms we no longer follow are dropped: the stream may
        // still deliver them until it is reopened with the new room list.
        if echo || self.room(&room_name).is_none() {
            return;
        }
        let is_new = m.ts.is_none_or(|t| t >= self.history_before);
        let uid = self.alloc_uid();
        let mut msg = Message::from_wire(uid, m, &self.me, now, &mut self.names);
        msg.epoch = epoch;
        let counts = is_new && !msg.mine && (room_name != self.active || !self.reading);
        let mention = msg.mentions_me;
        let muted = self.room(&room_name).is_some_and(|r| r.muted);
        let arrival = (is_new && !msg.mine).then(|| Arrival {
            room: room_name.clone(),
            user: msg.user.as_deref().map(String::from),
            text: msg.text.to_string(),
            mention,
            muted,
        });
        let cap = self.cap;
        let Some(room) = self.room_mut(&room_name) else {
            return;
        };
        if let Some(user) = &msg.user {
            room.stop_typing(user);
        }
        room.log.insert_live(msg);
        // A muted room counts only what mentions us.
        if counts && (mention || !muted) {
            room.unread += 1;
        }
        if counts && mention {
            room.mentions += 1;
        }
        room.log.enforce_cap(cap);
        report.arrived.extend(arrival);
    }

    /// Adds older messages (oldest first) at the top of a room's log;
    /// returns how many were new.
    pub fn prepend_history(
        &mut self,
        room_name: &str,
        older: Vec<WireMessage>,
        has_more: bool,
        now: f64,
    ) -> usize {
        let Some(oldest) = self.room(room_name).map(|r| r.log.oldest_order()) else {
            return 0;
        };
        let mut fresh = Vec::with_capacity(older.len());
        for m in older {
            let (key, epoch, fp) = match self.classify(room_name, &m) {
                Novelty::New { key, epoch, fp } => (key, epoch, fp),
                Novelty::Duplicate { epoch } => {
                    // Ids below the oldest one held cannot be in memory (they
                    // were dropped by the cap, or never loaded) even if their
                    // key is known.
                    let n = message::numeric_id(m.id.as_deref());
                    let below_oldest = n.zip(oldest).is_some_and(|(n, o)| (epoch, n) < o);
                    if !below_oldest {
                        continue;
                    }
                    (None, epoch, 0)
                }
            };
            if let Some(k) = key {
                self.seen.insert_with(k, fp);
            }
            let uid = self.alloc_uid();
            let mut msg = Message::from_wire(uid, m, &self.me, now, &mut self.names);
            msg.epoch = epoch;
            fresh.push(msg);
        }
        let added = fresh.len();
        if let Some(room) = self.room_mut(room_name) {
            room.log.prepend(fresh, has_more);
        }
        self.place_marker();
        added
    }
}

/// What [`ChatState::classify`] found.
enum Novelty {
    Duplicate {
        epoch: u32,
    },
    New {
        key: Option<DedupeKey>,
        epoch: u32,
        fp: u64,
    },
}

/// Builders shared by the state modules' tests.
#[cfg(test)]
pub(crate) mod fixtures {
    use super::ChatState;
    use crate::protocol::{Incoming, Outgoing, WireMessage};

    pub fn wire(id: Option<&str>, room: &str, user: &str, text: &str) -> WireMessage {
        WireMessage {
            id: id.map(String::from),
            room: Some(room.into()),
            user: Some(user.into()),
            text: text.into(),
            ts: Some(1_000.0),
            client_id: None,
            extra: None,
        }
    }

    pub fn batch(items: Vec<WireMessage>) -> Vec<(Incoming, Option<String>)> {
        items
            .into_iter()
            .map(|m| (Incoming::Message(m), None))
            .collect()
    }

    pub fn texts(s: &ChatState, room: &str) -> Vec<String> {
        s.room(room)
            .map(|r| r.log().iter().map(|m| m.text.to_string()).collect())
            .unwrap_or_default()
    }

    pub fn state() -> ChatState {
        ChatState::new("me", &["general".into(), "random".into()], "general")
    }

    pub fn outgoing(text: &str, cid: &str) -> Outgoing {
        Outgoing {
            room: "general".into(),
            user: "me".into(),
            text: text.into(),
            client_id: cid.into(),
            reply_to: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::fixtures::*;
    use super::*;
    use crate::protocol::Presence;

    #[test]
    fn replays_are_deduplicated_and_order_kept() {
        let mut s = state();
        let first = vec![
            wire(Some("1"), "general", "a", "one"),
            wire(Some("2"), "general", "b", "two"),
        ];
        s.ingest(batch(first.clone()), 0.0);
        let mut again = first;
        again.push(wire(Some("3"), "general", "a", "three"));
        let report = s.ingest(batch(again), 0.0);
        assert_eq!(report.duplicates, 2);
        assert_eq!(texts(&s, "general"), ["one", "two", "three"]);
    }

    #[test]
    fn messages_without_ids_dedupe_on_time_or_not_at_all() {
        let mut s = state();
        let mut m = wire(None, "general", "a", "same");
        s.ingest(batch(vec![m.clone(), m.clone()]), 0.0);
        m.ts = None;
        s.ingest(batch(vec![m.clone(), m]), 0.0);
        assert_eq!(
            texts(&s, "general").len(),
            3,
            "timed copy deduped; untimed ones can't be"
        );
    }

    #[test]
    fn same_id_in_two_rooms_is_two_messages() {
        let mut s = state();
        s.ingest(
            batch(vec![
                wire(Some("1"), "general", "a", "g"),
                wire(Some("1"), "random", "a", "r"),
            ]),
            0.0,
        );
        assert_eq!(texts(&s, "general"), ["g"]);
        assert_eq!(texts(&s, "random"), ["r"]);
    }

    #[test]
    fn unknown_rooms_dropped_and_fallback_room_used() {
        let mut s = state();
        s.ingest(batch(vec![wire(Some("1"), "elsewhere", "a", "x")]), 0.0);
        assert!(s.room("elsewhere").is_none());
        let mut m = wire(Some("2"), "", "a", "y");
        m.room = None;
        s.ingest(vec![(Incoming::Message(m), Some("random".into()))], 0.0);
        assert_eq!(texts(&s, "random"), ["y"]);
    }

    #[test]
    fn cap_drops_oldest_sent_only() {
        let mut s = state().with_cap(3);
        s.add_pending(&outgoing("mine", "c1"), 0.0);
        let items = (1..=5)
            .map(|i| wire(Some(&i.to_string()), "general", "a", &format!("m{i}")))
            .collect();
        s.ingest(batch(items), 0.0);
        assert_eq!(
            texts(&s, "general"),
            ["m4", "m5", "mine"],
            "unsent stays at the bottom"
        );
        let log = s.active_room().unwrap().log();
        assert!(log.has_older());
        // m1 went in above the pending message (base -1), then three were dropped.
        assert_eq!(log.base(), 2);
    }

    #[test]
    fn history_prepends_and_skips_overlap() {
        let mut s = state();
        s.ingest(batch(vec![wire(Some("3"), "general", "a", "three")]), 0.0);
        let older = vec![
            wire(Some("1"), "general", "a", "one"),
            wire(Some("2"), "general", "a", "two"),
            wire(Some("3"), "general", "a", "three"),
        ];
        let (before, win) = s.active_room().unwrap().log().window_abs(0, 1);
        assert_eq!((before, &*win[0].text), (None, "three"));
        assert_eq!(s.prepend_history("general", older, false, 0.0), 2);
        assert_eq!(texts(&s, "general"), ["one", "two", "three"]);
        let log = s.active_room().unwrap().log();
        assert_eq!((log.base(), log.end()), (-2, 1));
        // The same absolute range still shows the same message.
        let (before, win) = log.window_abs(0, 1);
        assert_eq!((&*before.unwrap().text, &*win[0].text), ("two", "three"));
        assert_eq!(log.oldest_id(), Some("1"));
        assert!(!log.has_older());
    }

    #[test]
    fn history_below_the_oldest_held_comes_back_after_the_cap_dropped_it() {
        let mut s = state().with_cap(2);
        let items = (1..=4)
            .map(|i| wire(Some(&i.to_string()), "general", "a", &format!("m{i}")))
            .collect();
        s.ingest(batch(items), 0.0);
        assert_eq!(texts(&s, "general"), ["m3", "m4"]);
        let page = vec![wire(Some("2"), "general", "a", "m2")];
        assert_eq!(s.prepend_history("general", page, true, 0.0), 1);
        assert_eq!(texts(&s, "general")[0], "m2");
        assert_eq!(s.prepend_history("nowhere", vec![], false, 0.0), 0);
    }

    #[test]
    fn replay_racing_a_history_page_cannot_interleave() {
        let mut s = state();
        // The newest page arrives first, then the replay of older ones.
        let page = (4..=6)
            .map(|i| wire(Some(&i.to_string()), "general", "a", &format!("m{i}")))
            .collect();
        s.prepend_history("general", page, true, 0.0);
        let replay = (1..=6)
            .map(|i| wire(Some(&i.to_string()), "general", "a", &format!("m{i}")))
            .collect();
        s.ingest(batch(replay), 0.0);
        assert_eq!(texts(&s, "general"), ["m1", "m2", "m3", "m4", "m5", "m6"]);
        // And a page of older ones arriving after a partial replay.
        let mut s = state();
        s.ingest(batch(vec![wire(Some("5"), "general", "a", "m5")]), 0.0);
        let page = (1..=4)
            .map(|i| wire(Some(&i.to_string()), "general", "a", &format!("m{i}")))
            .collect();
        s.prepend_history("general", page, false, 0.0);
        s.ingest(
            batch(vec![
                wire(Some("3"), "general", "a", "m3"),
                wire(Some("6"), "general", "a", "m6"),
            ]),
            0.0,
        );
        assert_eq!(texts(&s, "general"), ["m1", "m2", "m3", "m4", "m5", "m6"]);
    }

    #[test]
    fn a_backend_counting_from_1_again_loses_nothing_and_doubles_nothing() {
        let mut s = state();
        let before: Vec<_> = (1..=3)
            .map(|i| wire(Some(&i.to_string()), "general", "a", &format!("old{i}")))
            .collect();
        s.ingest(batch(before.clone()), 0.0);
        // The in-memory backend restarted: ids 1, 2 name other messages now.
        let after: Vec<_> = (1..=2)
            .map(|i| wire(Some(&i.to_string()), "general", "b", &format!("new{i}")))
            .collect();
        let report = s.ingest(batch(after.clone()), 0.0);
        assert_eq!(report.duplicates, 0);
        assert_eq!(
            texts(&s, "general"),
            ["old1", "old2", "old3", "new1", "new2"],
            "new epoch below the old one, nothing dropped"
        );
        // A reconnect replaying the new epoch adds nothing.
        let again = s.ingest(batch(after), 0.0);
        assert_eq!(again.duplicates, 2);
        assert_eq!(texts(&s, "general").len(), 5);
        // The new epoch orders by its own ids.
        s.ingest(batch(vec![wire(Some("4"), "general", "b", "new4")]), 0.0);
        s.ingest(batch(vec![wire(Some("3"), "general", "b", "new3")]), 0.0);
        assert_eq!(texts(&s, "general")[3..], ["new1", "new2", "new3", "new4"]);
    }

    #[test]
    fn a_replay_of_the_same_messages_is_not_a_new_epoch() {
        let mut s = state();
        let msgs = vec![wire(Some("1"), "general", "a", "x")];
        s.ingest(batch(msgs.clone()), 0.0);
        assert_eq!(s.ingest(batch(msgs), 0.0).duplicates, 1);
        assert_eq!(s.room("general").unwrap().epoch, 0);
    }

    #[test]
    fn history_is_not_unread_and_not_announced() {
        let mut s = state();
        s.set_history_before(5_000.0);
        let mut old = wire(Some("1"), "random", "a", "old");
        old.ts = Some(4_000.0);
        let mut new = wire(Some("2"), "random", "a", "new");
        new.ts = Some(6_000.0);
        let report = s.ingest(batch(vec![old, new]), 7_000.0);
        assert_eq!(s.room("random").unwrap().unread(), 1);
        assert_eq!(report.arrived.len(), 1);
        assert_eq!(report.arrived[0].text, "new");
    }

    #[test]
    fn leaving_and_rejoining_shows_the_room_again() {
        let mut s = state();
        s.ingest(batch(vec![wire(Some("1"), "random", "a", "x")]), 0.0);
        assert!(s.leave("random"));
        s.join("random");
        s.ingest(batch(vec![wire(Some("1"), "random", "a", "x")]), 0.0);
        assert_eq!(texts(&s, "random"), ["x"]);
    }

    #[test]
    fn presence_and_typing_events_reach_their_room() {
        let mut s = state();
        let presence = Incoming::Presence(Presence {
            room: "general".into(),
            users: Some(vec!["b".into(), "a".into()]),
            joined: vec![],
            left: vec![],
            count: None,
        });
        let typing = |u: &str| Incoming::Typing {
            room: "general".into(),
            user: u.into(),
        };
        s.ingest(
            vec![(presence, None), (typing("b"), None), (typing("me"), None)],
            1_000.0,
        );
        let room = s.room("general").unwrap();
        assert_eq!(room.present(), ["a", "b"]);
        assert_eq!(room.typing(2_000.0), ["b"], "our own typing is not shown");
        s.ingest(
            batch(vec![wire(Some("1"), "general", "b", "done")]),
            1_500.0,
        );
        assert!(
            s.room("general").unwrap().typing(1_600.0).is_empty(),
            "speaking ends typing"
        );
    }
}
