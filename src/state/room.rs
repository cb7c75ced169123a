//! One followed room: its message log, unread count, who is here and who
//! is typing.

use super::log::MessageLog;
use crate::protocol::Presence;
use std::collections::VecDeque;

/// A typing notice is shown this long unless renewed.
pub const TYPING_TTL_MS: f64 = 6_000.0;

/// One followed room.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Room {
    pub name: String,
    pub(super) log: MessageLog,
    pub(super) unread: usize,
    pub(super) present: Vec<String>,
    /// Users present by the backend's count, when it lists only some.
    pub(super) present_count: Option<usize>,
    /// Who is typing, with the time their notice expires.
    pub(super) typing: Vec<(String, f64)>,
    /// Client ids of our own messages not yet confirmed (pending or
    /// failed): few, so echo matching never scans the whole log for them.
    pub(super) unsent: Vec<String>,
    /// Client ids of our messages the backend accepted without telling
    /// their id: their echo on the stream may still come, and must not be
    /// shown as a second copy. The most recent [`AWAITING_ECHO_KEPT`].
    pub(super) awaiting_echo: VecDeque<String>,
    /// The id epoch: bumped when the backend reuses an id for another
    /// message (it restarted counting).
    pub(super) epoch: u32,
    /// What was read, and the "New" line.
    pub(super) read: ReadMarker,
    /// Unread messages that mention us (also counted in `unread`).
    pub(super) mentions: usize,
    /// Arrivals here count as unread, and notify, only when they mention us.
    pub(super) muted: bool,
}

/// What was read in one room, and the "New" line ([`super::read_marker`]).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ReadMarker {
    /// The id of the newest message read here (saved across reloads).
    pub(super) read_upto: Option<Box<str>>,
    /// The read id when the room was opened; `Some` until the marker was
    /// placed (or found to be unneeded), as messages may still arrive.
    pub(super) pending: Option<Box<str>>,
    /// The uid of the first unread message when the room was opened.
    pub(super) marker: Option<u64>,
}

/// How many accepted-without-id messages wait for their echo at most.
pub const AWAITING_ECHO_KEPT: usize = 50;

impl Room {
    pub(super) fn new(name: &str) -> Self {
        Room {
            name: name.to_string(),
            ..Room::default()
        }
    }

    /// The messages held in memory.
    pub fn log(&self) -> &MessageLog {
        &self.log
    }

    /// Messages counted as unread.
    pub fn unread(&self) -> usize {
        self.unread
    }

    /// Unread messages that mention us.
    pub fn mentions(&self) -> usize {
        self.mentions
    }

    /// Whether only mentions count here.
    pub fn muted(&self) -> bool {
        self.muted
    }

    /// Who is here, sorted.
    pub fn present(&self) -> &[String] {
        &self.present
    }

    /// How many users are here: the backend's count in a large room (of
    /// which [`Room::present`] lists some), else the list's length.
    pub fn present_total(&self) -> usize {
        self.present_count.unwrap_or(0).max(self.present.len())
    }

    /// Users typing at `now` (expired notices are skipped).
    pub fn typing(&self, now: f64) -> Vec<String> {
        self.typing
            .iter()
            .filter(|(_, until)| *until > now)
            .map(|(u, _)| u.clone())
            .collect()
    }

    /// Applies a presence snapshot (replaces the list) or a change (adds
    /// who joined, removes who left). An empty `users` beside a change is
    /// read as a change: some backends send `"users": []` with every delta.
    /// Every event says the count anew (absent: the list is complete).
    pub(super) fn apply_presence(&mut self, p: Presence) {
        self.present_count = p.count;
        let change = !p.joined.is_empty() || !p.left.is_empty();
        let mut users = match p.users {
            Some(users) if !users.is_empty() || !change => users,
            _ => self.present.clone(),
        };
        users.extend(p.joined);
        users.retain(|u| !p.left.contains(u));
        users.sort();
        users.dedup();
        self.present = users;
    }

    /// `user` is typing at `now`.
    pub(super) fn note_typing(&mut self, user: &str, now: f64) {
        self.typing.retain(|(u, until)| u != user && *until > now);
        self.typing.push((user.to_string(), now + TYPING_TTL_MS));
    }

    /// Someone who just spoke has stopped typing.
    pub(super) fn stop_typing(&mut self, user: &str) {
        self.typing.retain(|(u, _)| u != user);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presence_snapshots_and_deltas() {
        let mut room = Room::new("general");
        let list = |names: &[&str]| names.iter().map(|u| u.to_string()).collect::<Vec<_>>();
        let p = |users: Option<&[&str]>, joined: &[&str], left: &[&str]| Presence {
            room: "general".into(),
            users: users.map(list),
            joined: list(joined),
            left: list(left),
            count: None,
        };
        room.apply_presence(p(Some(&["b", "a"]), &[], &[]));
        assert_eq!(room.present(), ["a", "b"]);
        room.apply_presence(p(None, &["c"], &[]));
        assert_eq!(room.present(), ["a", "b", "c"]);
        room.apply_presence(p(Some(&[]), &[], &["a"]));
        assert_eq!(room.present(), ["b", "c"], "an empty list beside a change");
        // The reference backend's coalesced deltas: several names at once.
        room.apply_presence(p(None, &["d", "e"], &["b", "c"]));
        assert_eq!(room.present(), ["d", "e"]);
        room.apply_presence(p(Some(&[]), &[], &[]));
        assert!(
            room.present().is_empty(),
            "an empty snapshot empties the list"
        );
    }

    #[test]
    fn a_large_room_counts_more_users_than_it_lists() {
        let mut room = Room::new("general");
        let names = |n: &[&str]| n.iter().map(|u| u.to_string()).collect::<Vec<_>>();
        let p = |users: Option<&[&str]>, joined: &[&str], left: &[&str], count| Presence {
            room: "general".into(),
            users: users.map(names),
            joined: names(joined),
            left: names(left),
            count,
        };
        room.apply_presence(p(Some(&["a", "b"]), &[], &[], Some(1000)));
        assert_eq!((room.present().len(), room.present_total()), (2, 1000));
        room.apply_presence(p(None, &[], &[], Some(1001)));
        assert_eq!(room.present(), ["a", "b"], "a count alone keeps the list");
        assert_eq!(room.present_total(), 1001);
        room.apply_presence(p(None, &["c"], &["a"], Some(3)));
        assert_eq!(
            (room.present(), room.present_total()),
            (&names(&["b", "c"])[..], 3)
        );
        // Back to a complete list: no count, the list's length.
        room.apply_presence(p(None, &[], &["b"], None));
        assert_eq!(room.present_total(), 1);
    }

    #[test]
    fn typing_notices_expire_and_renew() {
        let mut room = Room::new("general");
        room.note_typing("b", 1_000.0);
        assert_eq!(room.typing(2_000.0), ["b"]);
        assert!(room.typing(1_000.0 + TYPING_TTL_MS).is_empty());
        room.note_typing("b", 5_000.0);
        room.note_typing("b", 5_500.0);
        assert_eq!(room.typing(5_600.0), ["b"], "renewed, not doubled");
        room.stop_typing("b");
        assert!(room.typing(5_600.0).is_empty());
    }
}
