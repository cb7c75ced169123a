//! A room's message log: append-only in spirit, addressed by absolute
//! positions, ordered by numeric id where the backend gives one, and capped.
//!
//! Every operation is O(batch) or O(window), never O(history): the log is a
//! deque, placement by id scans at most [`ORDER_SCAN`] messages, and the
//! view copies out only the window it shows.

use super::message::{Message, Status};
use std::collections::VecDeque;

/// How far back (or forward, for history) a message with a numeric id is
/// searched for its place in the log; beyond that it is simply appended.
pub const ORDER_SCAN: usize = 512;

/// The messages of one room held in memory.
#[derive(Clone, Debug, PartialEq)]
pub struct MessageLog {
    log: VecDeque<Message>,
    /// Absolute position of `log[0]`: decreases as history is prepended,
    /// grows as the cap drops old messages. A windowed view keeps its range
    /// in absolute positions, so prepends and drops do not move it.
    base: i64,
    /// Older messages exist that are not in memory (dropped by the cap, or
    /// never loaded); scroll-back may fetch them.
    has_older: bool,
}

impl Default for MessageLog {
    fn default() -> Self {
        // Until the backend says otherwise, a room may have a past.
        MessageLog {
            log: VecDeque::new(),
            base: 0,
            has_older: true,
        }
    }
}

impl MessageLog {
    pub fn len(&self) -> usize {
        self.log.len()
    }

    pub fn is_empty(&self) -> bool {
        self.log.is_empty()
    }

    /// Absolute position of the oldest message in memory.
    pub fn base(&self) -> i64 {
        self.base
    }

    /// Absolute position just past the newest message.
    pub fn end(&self) -> i64 {
        self.base + self.log.len() as i64
    }

    /// Whether older messages may exist beyond what is in memory.
    pub fn has_older(&self) -> bool {
        self.has_older
    }

    pub fn get(&self, index: usize) -> Option<&Message> {
        self.log.get(index)
    }

    pub fn last(&self) -> Option<&Message> {
        self.log.back()
    }

    pub fn iter(&self) -> std::collections::vec_deque::Iter<'_, Message> {
        self.log.iter()
    }

    /// Copies out messages `start..end` (clamped): what a windowed list
    /// renders. Cost is the window's size, not the log's.
    pub fn window(&self, start: usize, end: usize) -> Vec<Message> {
        let end = end.min(self.log.len());
        let start = start.min(end);
        self.log.range(start..end).cloned().collect()
    }

    /// Messages at absolute positions `start..end` (clamped to what is in
    /// memory), with the message just before them (for grouping).
    pub fn window_abs(&self, start: i64, end: i64) -> (Option<Message>, Vec<Message>) {
        let to_index = |p: i64| (p - self.base).clamp(0, self.log.len() as i64) as usize;
        let (s, e) = (to_index(start), to_index(end));
        let before = s.checked_sub(1).and_then(|i| self.log.get(i)).cloned();
        (before, self.window(s, e))
    }

    /// The oldest backend id in memory: where scroll-back continues.
    pub fn oldest_id(&self) -> Option<&str> {
        self.log.iter().find_map(|m| m.id.as_deref())
    }

    /// The oldest (epoch, numeric id) among the first messages held.
    pub(super) fn oldest_order(&self) -> Option<(u32, u64)> {
        self.log.iter().take(ORDER_SCAN).find_map(Message::order)
    }

    /// Index of the newest message matching `pred` (pending messages and
    /// echoes are recent, so the search runs from the back).
    pub(super) fn position(&self, pred: impl Fn(&Message) -> bool) -> Option<usize> {
        (0..self.log.len()).rev().find(|&i| pred(&self.log[i]))
    }

    pub(super) fn get_mut(&mut self, index: usize) -> Option<&mut Message> {
        self.log.get_mut(index)
    }

    pub(super) fn remove(&mut self, index: usize) -> Option<Message> {
        self.log.remove(index)
    }

    /// Appends at the bottom (an own message just written).
    pub(super) fn push_back(&mut self, msg: Message) {
        self.log.push_back(msg);
    }

    /// Places a live message: after the last message with a smaller
    /// numeric id, else at the bottom. Unsent messages (no id yet) stay
    /// below it; replays racing history pages can therefore never
    /// interleave.
    pub(super) fn insert_live(&mut self, msg: Message) {
        let slot = msg
            .order()
            .map_or(self.log.len(), |n| self.slot_from_back(n));
        // Keeps absolute positions of the others stable when the message
        // lands at the front.
        if slot == 0 && !self.log.is_empty() {
            self.base -= 1;
        }
        self.log.insert(slot, msg);
    }

    /// Adds older messages (oldest first) at the top, each at its place by
    /// id (pages and replays may arrive in any order); without numeric ids,
    /// at the front. Messages placed before the first one held keep the
    /// held ones' absolute positions (base moves down instead).
    pub(super) fn prepend(&mut self, older: Vec<Message>, has_more: bool) {
        let mut first_held = 0;
        let mut front = 0;
        for m in older {
            let slot = match m.order() {
                Some(n) => self.slot_from_front(n),
                None => front,
            };
            front = slot + 1;
            self.log.insert(slot, m);
            if slot <= first_held {
                first_held += 1;
                self.base -= 1;
            }
        }
        self.has_older = has_more;
    }

    /// Drops the oldest sent messages beyond `cap`. Unsent messages are
    /// never dropped; they are few and recent, so the first sent one is
    /// found near the front.
    pub(super) fn enforce_cap(&mut self, cap: usize) {
        while self.log.len() > cap {
            match self.log.iter().position(|m| m.status == Status::Sent) {
                Some(i) => {
                    self.log.remove(i);
                    self.base += 1;
                    self.has_older = true;
                }
                None => break,
            }
        }
    }

    fn slot_from_back(&self, n: (u32, u64)) -> usize {
        let len = self.log.len();
        let stop = len.saturating_sub(ORDER_SCAN);
        let mut i = len;
        while i > stop {
            let prev = &self.log[i - 1];
            match prev.order() {
                Some(p) if p < n => return i,
                Some(_) => i -= 1,
                None if prev.status != Status::Sent => i -= 1,
                None => return i,
            }
        }
        if i == 0 {
            0
        } else {
            len
        }
    }

    fn slot_from_front(&self, n: (u32, u64)) -> usize {
        let scan = self.log.len().min(ORDER_SCAN);
        (0..scan)
            .find(|&i| self.log[i].order().is_none_or(|p| p > n))
            .unwrap_or(scan)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::WireMessage;

    fn msg(uid: u64, id: Option<u64>) -> Message {
        let wire = WireMessage {
            id: id.map(|i| i.to_string()),
            room: None,
            user: Some("a".into()),
            text: format!("m{uid}"),
            ts: Some(0.0),
            client_id: None,
            extra: None,
        };
        Message::from_wire(uid, wire, "me", 0.0, &mut Default::default())
    }

    fn texts(log: &MessageLog) -> Vec<String> {
        log.iter().map(|m| m.text.to_string()).collect()
    }

    #[test]
    fn live_messages_find_their_place_by_id_and_keep_positions() {
        let mut log = MessageLog::default();
        log.insert_live(msg(1, Some(5)));
        log.insert_live(msg(2, Some(7)));
        log.insert_live(msg(3, Some(6)));
        assert_eq!(texts(&log), ["m1", "m3", "m2"]);
        // Older than everything held: goes to the front, base moves down.
        log.insert_live(msg(4, Some(1)));
        assert_eq!((log.base(), log.end()), (-1, 3));
        // Without an id: at the bottom.
        log.insert_live(msg(5, None));
        assert_eq!(log.last().map(|m| m.uid), Some(5));
    }

    #[test]
    fn prepend_keeps_the_absolute_range_of_what_was_shown() {
        let mut log = MessageLog::default();
        log.insert_live(msg(3, Some(3)));
        let (_, shown) = log.window_abs(0, 1);
        log.prepend(vec![msg(1, Some(1)), msg(2, Some(2))], false);
        let (before, again) = log.window_abs(0, 1);
        assert_eq!(again, shown);
        assert_eq!(before.map(|m| m.uid), Some(2));
        assert_eq!(
            (log.base(), log.oldest_id(), log.has_older()),
            (-2, Some("1"), false)
        );
    }

    #[test]
    fn the_cap_drops_the_oldest_sent_and_never_an_unsent_one() {
        let mut log = MessageLog::default();
        let mut unsent = msg(1, None);
        unsent.status = Status::Pending;
        log.push_back(unsent);
        for uid in 2..=4 {
            log.insert_live(msg(uid, Some(uid)));
        }
        log.enforce_cap(2);
        assert_eq!(texts(&log), ["m4", "m1"]);
        assert_eq!(log.base(), 1);
        log.enforce_cap(0);
        assert_eq!(texts(&log), ["m1"], "unsent survives any cap");
    }

    #[test]
    fn a_new_id_epoch_goes_below_the_old_one_whatever_its_ids() {
        let mut log = MessageLog::default();
        log.insert_live(msg(1, Some(41)));
        log.insert_live(msg(2, Some(42)));
        let mut restarted = msg(3, Some(1));
        restarted.epoch = 1;
        log.insert_live(restarted);
        let mut next = msg(4, Some(2));
        next.epoch = 1;
        log.insert_live(next);
        assert_eq!(texts(&log), ["m1", "m2", "m3", "m4"]);
        assert_eq!(log.base(), 0, "nothing went to the front");
    }

    #[test]
    fn windows_are_clamped() {
        let mut log = MessageLog::default();
        log.insert_live(msg(1, Some(1)));
        assert_eq!(log.window(0, 10).len(), 1);
        assert!(log.window(5, 2).is_empty());
        assert_eq!(log.window_abs(-10, 10).1.len(), 1);
    }
}
