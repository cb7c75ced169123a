//! The room set: which rooms are followed, which one is shown, and whether
//! the reader is reading it (scrolled to the bottom, tab visible), which
//! decides what counts as unread.

use super::chat_state::ChatState;
use super::room::Room;
use crate::protocol::Presence;

/// Rooms one tab may follow (the reference backend's limit per stream).
pub const MAX_ROOMS: usize = 20;

impl ChatState {
    pub fn rooms(&self) -> &[Room] {
        &self.rooms
    }

    pub fn room_names(&self) -> Vec<String> {
        self.rooms.iter().map(|r| r.name.clone()).collect()
    }

    pub fn room(&self, name: &str) -> Option<&Room> {
        self.rooms.iter().find(|r| r.name == name)
    }

    pub(super) fn room_mut(&mut self, name: &str) -> Option<&mut Room> {
        self.rooms.iter_mut().find(|r| r.name == name)
    }

    pub fn active(&self) -> &str {
        &self.active
    }

    pub fn active_room(&self) -> Option<&Room> {
        self.room(&self.active)
    }

    /// Unread messages over all rooms (for the document title).
    pub fn total_unread(&self) -> usize {
        self.rooms.iter().map(|r| r.unread).sum()
    }

    /// Follows a room (no-op if followed, or at [`MAX_ROOMS`]). Returns
    /// true when it was new.
    pub fn join(&mut self, name: &str) -> bool {
        if self.room(name).is_some() || self.rooms.len() >= MAX_ROOMS {
            return false;
        }
        self.rooms.push(Room::new(name));
        true
    }

    /// Stops following a room; the active room moves to a neighbour. The
    /// last room cannot be left (the app always shows one).
    pub fn leave(&mut self, name: &str) -> bool {
        if self.rooms.len() <= 1 {
            return false;
        }
        let Some(i) = self.rooms.iter().position(|r| r.name == name) else {
            return false;
        };
        self.rooms.remove(i);
        // Rejoining later must show the room's past again.
        self.seen.forget_room(name);
        if self.active == name {
            let next = i.min(self.rooms.len() - 1);
            self.active = self.rooms[next].name.clone();
            self.mark_read_active();
        }
        true
    }

    /// Switches rooms (joining if needed) and clears its unread count.
    /// Returns false (and stays) when the room cannot be joined.
    pub fn set_active(&mut self, name: &str) -> bool {
        if !self.join(name) && self.room(name).is_none() {
            return false;
        }
        let switched = self.active != name;
        self.active = name.to_string();
        self.mark_read_active();
        if switched {
            self.open_marker();
        }
        true
    }

    /// Whether the reader sees the newest messages of the active room.
    pub fn reading(&self) -> bool {
        self.reading
    }

    /// Whether the message list follows the newest messages.
    pub fn at_bottom(&self) -> bool {
        self.at_bottom
    }

    /// The message list is (or is no longer) scrolled to the bottom.
    pub fn set_at_bottom(&mut self, at_bottom: bool) {
        self.at_bottom = at_bottom;
        self.update_reading();
    }

    /// The page became visible or hidden.
    pub fn set_visible(&mut self, visible: bool) {
        self.visible = visible;
        self.update_reading();
    }

    fn update_reading(&mut self) {
        self.reading = self.at_bottom && self.visible;
        // Reading again clears the active room's unread count.
        if self.reading {
            self.mark_read_active();
        }
    }

    /// `room` was read in another tab: nothing there is unread any more.
    pub fn mark_read(&mut self, room: &str) {
        if let Some(r) = self.room_mut(room) {
            r.unread = 0;
            r.mentions = 0;
        }
    }

    fn mark_read_active(&mut self) {
        let active = self.active.clone();
        self.mark_read(&active);
    }

    /// Mutes `room` (only mentions count and notify), or unmutes it.
    pub fn set_muted(&mut self, room: &str, muted: bool) {
        if let Some(r) = self.room_mut(room) {
            r.muted = muted;
            if muted {
                // What is unread and mentions nobody stops counting.
                r.unread = r.mentions;
            }
        }
    }

    /// The muted rooms, for saving.
    pub fn muted_rooms(&self) -> Vec<String> {
        let muted = self.rooms.iter().filter(|r| r.muted);
        muted.map(|r| r.name.clone()).collect()
    }

    pub(super) fn presence(&mut self, p: Presence) {
        if let Some(room) = self.room_mut(&p.room) {
            room.apply_presence(p);
        }
    }

    pub(super) fn typing(&mut self, room: &str, user: &str, now: f64) {
        if user == self.me {
            return;
        }
        if let Some(r) = self.room_mut(room) {
            r.note_typing(user, now);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::chat_state::fixtures::*;

    #[test]
    fn a_room_read_in_another_tab_has_nothing_unread() {
        let mut s = state();
        s.ingest(batch(vec![wire(Some("1"), "random", "a", "x")]), 0.0);
        assert_eq!(s.room("random").unwrap().unread(), 1);
        s.mark_read("random");
        s.mark_read("unknown");
        assert_eq!(s.room("random").unwrap().unread(), 0);
        assert_eq!(s.active(), "general", "reading elsewhere switches nothing");
    }

    #[test]
    fn unread_counts_other_rooms_and_when_not_reading() {
        let mut s = state();
        s.ingest(
            batch(vec![
                wire(Some("1"), "random", "a", "x"),
                wire(Some("2"), "general", "a", "y"),
            ]),
            0.0,
        );
        let unread = |s: &ChatState, r: &str| s.room(r).unwrap().unread();
        assert_eq!((unread(&s, "random"), unread(&s, "general")), (1, 0));
        s.set_visible(false);
        s.ingest(batch(vec![wire(Some("3"), "general", "a", "z")]), 0.0);
        assert_eq!(unread(&s, "general"), 1);
        assert_eq!(s.total_unread(), 2);
        s.set_visible(true);
        assert_eq!(unread(&s, "general"), 0);
        s.set_at_bottom(false);
        s.ingest(batch(vec![wire(Some("4"), "general", "a", "w")]), 0.0);
        assert_eq!(unread(&s, "general"), 1, "scrolled up: counts");
        s.set_at_bottom(true);
        assert!(s.reading() && s.at_bottom());
        assert_eq!(unread(&s, "general"), 0);
        s.set_active("random");
        assert_eq!(s.total_unread(), 0);
    }

    #[test]
    fn join_leave_active() {
        let mut s = state();
        assert!(!s.join("general"));
        s.set_active("new-room");
        assert_eq!(s.room_names(), ["general", "random", "new-room"]);
        assert!(s.leave("new-room"));
        assert_eq!(s.active(), "random");
        assert!(s.leave("random"));
        assert!(!s.leave("general"), "the last room stays");
        for i in 1..MAX_ROOMS {
            assert!(s.join(&format!("r{i}")));
        }
        assert!(!s.join("one-too-many"));
        assert!(!s.set_active("one-too-many"));
        assert_eq!(s.active(), "general");
    }
}
