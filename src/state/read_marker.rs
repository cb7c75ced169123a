//! Where the reader left off in each room, and the "New" line: when a room
//! is opened, the first message (not ours) after the last one read is
//! marked, and stays marked while the room is shown. The last read id is
//! saved by the chat service, so the line is there after a reload too.

use super::chat_state::ChatState;
use super::message::numeric_id;

/// How far back (messages) the last read id is looked for: a room held
/// with 100,000 messages is not scanned after every batch.
const MARKER_SCAN: usize = 5_000;

impl ChatState {
    /// Where the reader left off in `room` on an earlier visit.
    pub fn restore_read(&mut self, room: &str, id: &str) {
        if let Some(r) = self.room_mut(room) {
            r.read.read_upto = Some(id.into());
        }
        if self.active == room {
            self.open_marker();
        }
    }

    /// The uid of the message the "New" line goes above, in the active room.
    pub fn marker(&self) -> Option<u64> {
        self.active_room()?.read.marker
    }

    /// The active room was opened: the line goes after what was read.
    pub(super) fn open_marker(&mut self) {
        let active = self.active.clone();
        if let Some(r) = self.room_mut(&active) {
            r.read.marker = None;
            r.read.pending = r.read.read_upto.clone();
        }
        self.place_marker();
    }

    /// Places the pending marker of the active room once the messages
    /// around the last read one are held (after a batch or a page).
    pub(super) fn place_marker(&mut self) {
        let active = self.active.clone();
        let history_before = self.history_before;
        let Some(r) = self.room_mut(&active) else {
            return;
        };
        let Some(read) = r.read.pending.as_deref() else {
            return;
        };
        let log = &r.log;
        let len = log.len();
        let from = len.saturating_sub(MARKER_SCAN);
        let at = (from..len)
            .rev()
            .find(|&i| log.get(i).and_then(|m| m.id.as_deref()) == Some(read));
        let start = match at {
            Some(i) => i + 1,
            None => {
                // Not held: everything held is newer when the ids say so;
                // otherwise wait for more messages.
                let read_n = numeric_id(Some(read));
                let oldest = log.iter().take(100).find_map(|m| m.numeric_id());
                match (read_n, oldest) {
                    (Some(n), Some(o)) if n < o => 0,
                    _ => return,
                }
            }
        };
        r.read.marker = (start..len)
            .filter_map(|i| log.get(i))
            .find(|m| !m.mine)
            .map(|m| m.uid);
        // Nothing unread after it yet, while the replay of the past is
        // still coming (a reload): the rest may be in the next batch.
        let replaying = log.last().is_some_and(|m| m.ts < history_before);
        if r.read.marker.is_some() || !replaying {
            // From now on, what arrives is seen live.
            r.read.pending = None;
        }
    }

    /// How far each room was read, for saving.
    pub fn read_positions(&self) -> Vec<(String, String)> {
        let rooms = self.rooms.iter();
        rooms
            .filter_map(|r| Some((r.name.clone(), r.read.read_upto.as_deref()?.to_string())))
            .collect()
    }

    /// The reader sees the newest messages of the active room: they are
    /// read. Returns the room and id when that moved.
    pub fn note_read(&mut self) -> Option<(String, String)> {
        if !self.reading {
            return None;
        }
        let active = self.active.clone();
        let r = self.room_mut(&active)?;
        let newest = r.log.iter().rev().take(50).find_map(|m| m.id.clone())?;
        if r.read.read_upto.as_deref() == Some(&*newest) {
            return None;
        }
        r.read.read_upto = Some(newest.clone());
        Some((active, newest.into()))
    }
}

#[cfg(test)]
mod tests {
    use super::super::chat_state::fixtures::wire;
    use super::*;
    use crate::protocol::Incoming;

    fn say(s: &mut ChatState, room: &str, ids: std::ops::Range<u32>, user: &str) {
        let batch = ids
            .map(|i| {
                let mut m = wire(Some(&i.to_string()), room, user, &format!("m{i}"));
                // Ours: our name and a client id.
                m.client_id = (user == "me").then(|| format!("c{i}"));
                (Incoming::Message(m), None)
            })
            .collect();
        s.ingest(batch, 0.0);
    }

    fn uid_of(s: &ChatState, room: &str, id: &str) -> Option<u64> {
        let log = s.room(room)?.log();
        log.iter()
            .find(|m| m.id.as_deref() == Some(id))
            .map(|m| m.uid)
    }

    #[test]
    fn the_line_goes_after_what_was_read_when_the_room_is_opened() {
        let rooms = ["a".to_string(), "b".to_string()];
        let mut s = ChatState::new("me", &rooms, "a");
        say(&mut s, "a", 1..4, "bob");
        assert_eq!(s.note_read(), Some(("a".into(), "3".into())));
        assert_eq!(s.note_read(), None, "nothing new");
        s.set_active("b");
        say(&mut s, "a", 4..6, "bob");
        s.set_active("a");
        assert_eq!(s.marker(), uid_of(&s, "a", "4"));
        // It stays while the room is shown, even once read.
        assert_eq!(s.note_read(), Some(("a".into(), "5".into())));
        say(&mut s, "a", 6..7, "bob");
        assert_eq!(s.marker(), uid_of(&s, "a", "4"));
        s.note_read();
        // Back again with nothing new: no line.
        s.set_active("b");
        s.set_active("a");
        assert_eq!(s.marker(), None);
    }

    #[test]
    fn read_positions_are_what_was_read_per_room() {
        let rooms = ["a".to_string(), "b".to_string()];
        let mut s = ChatState::new("me", &rooms, "a");
        assert!(s.read_positions().is_empty());
        say(&mut s, "a", 1..3, "bob");
        s.note_read();
        s.restore_read("b", "9");
        assert_eq!(
            s.read_positions(),
            [
                ("a".to_string(), "2".to_string()),
                ("b".to_string(), "9".to_string())
            ]
        );
    }

    #[test]
    fn after_a_reload_the_line_waits_for_the_replay() {
        let mut s = ChatState::new("me", &["a".to_string()], "a");
        // After a reload: what comes first is the replay of the past.
        s.set_history_before(5_000.0);
        s.restore_read("a", "7");
        assert_eq!(s.marker(), None);
        // The replay arrives in batches; the read one is in the second.
        say(&mut s, "a", 1..5, "bob");
        assert_eq!(s.marker(), None);
        say(&mut s, "a", 5..8, "bob");
        say(&mut s, "a", 8..9, "me");
        say(&mut s, "a", 9..10, "bob");
        // Our own message after it is not news.
        assert_eq!(s.marker(), uid_of(&s, "a", "9"));
    }

    #[test]
    fn a_read_id_older_than_everything_held_marks_the_first() {
        let mut s = ChatState::new("me", &["a".to_string()], "a");
        s.restore_read("a", "3");
        say(&mut s, "a", 50..52, "bob");
        assert_eq!(s.marker(), uid_of(&s, "a", "50"));
    }
}
