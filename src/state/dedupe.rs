//! Deduplication: a bounded set of typed keys for what has been shown, so
//! replays after a reconnect, history pages overlapping the stream and
//! echoes of our own messages never add a second copy.

use crate::protocol::WireMessage;
use std::collections::{HashSet, VecDeque};

/// How many keys are remembered (the oldest are forgotten first).
pub const SEEN_CAPACITY: usize = 50_000;

/// What makes two messages the same message.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum DedupeKey {
    /// The backend's id, per room (ids need only be unique in a room).
    Id { room: String, id: String },
    /// Without an id, the same sender, text and time is the same message.
    Content {
        room: String,
        user: Option<String>,
        text: String,
        /// The time's bits: f64 is not `Hash`, and equal times have equal bits.
        ts_bits: u64,
    },
    /// Our message with this client id is confirmed, so a late echo of it
    /// is recognised whatever the POST answer carried.
    Confirmed(String),
}

impl DedupeKey {
    /// The key of a message in `room`; `None` when nothing identifies it
    /// (no id and no time: two such messages may well be different).
    pub fn of(room: &str, m: &WireMessage) -> Option<DedupeKey> {
        match (&m.id, m.ts) {
            (Some(id), _) => Some(DedupeKey::Id {
                room: room.to_string(),
                id: id.clone(),
            }),
            (None, Some(ts)) => Some(DedupeKey::Content {
                room: room.to_string(),
                user: m.user.clone(),
                text: m.text.clone(),
                ts_bits: ts.to_bits(),
            }),
            (None, None) => None,
        }
    }

    fn room(&self) -> Option<&str> {
        match self {
            DedupeKey::Id { room, .. } | DedupeKey::Content { room, .. } => Some(room),
            DedupeKey::Confirmed(_) => None,
        }
    }
}

/// A bounded set: remembers the most recent `cap` keys.
#[derive(Clone, Debug, PartialEq)]
pub struct Seen {
    set: HashSet<DedupeKey>,
    order: VecDeque<DedupeKey>,
    cap: usize,
}

impl Default for Seen {
    fn default() -> Self {
        Seen::with_capacity(SEEN_CAPACITY)
    }
}

impl Seen {
    pub fn with_capacity(cap: usize) -> Self {
        Seen {
            set: HashSet::new(),
            order: VecDeque::new(),
            cap,
        }
    }

    /// Inserts; false when already present.
    pub fn insert(&mut self, key: DedupeKey) -> bool {
        if self.set.contains(&key) {
            return false;
        }
        if self.order.len() >= self.cap {
            if let Some(old) = self.order.pop_front() {
                self.set.remove(&old);
            }
        }
        self.set.insert(key.clone());
        self.order.push_back(key);
        true
    }

    pub fn contains(&self, key: &DedupeKey) -> bool {
        self.set.contains(key)
    }

    /// Whether our message `client_id` is known to be confirmed.
    pub fn is_confirmed(&self, client_id: &str) -> bool {
        self.set
            .contains(&DedupeKey::Confirmed(client_id.to_string()))
    }

    /// Forgets every message key of `room` (a room that was left, so that
    /// rejoining shows its past again).
    pub fn forget_room(&mut self, room: &str) {
        self.order.retain(|k| k.room() != Some(room));
        self.set.retain(|k| k.room() != Some(room));
    }

    pub fn len(&self) -> usize {
        self.set.len()
    }

    pub fn is_empty(&self) -> bool {
        self.set.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wire(id: Option<&str>, ts: Option<f64>) -> WireMessage {
        WireMessage {
            id: id.map(String::from),
            room: None,
            user: Some("a".into()),
            text: "t".into(),
            ts,
            client_id: None,
        }
    }

    #[test]
    fn the_set_is_bounded() {
        let key = |s: &str| DedupeKey::Confirmed(s.into());
        let mut seen = Seen::with_capacity(2);
        assert!(seen.insert(key("a")));
        assert!(!seen.insert(key("a")));
        seen.insert(key("b"));
        seen.insert(key("c"));
        assert!(!seen.contains(&key("a")));
        assert!(seen.is_confirmed("c"));
        assert_eq!(seen.len(), 2);
    }

    #[test]
    fn keys_by_id_or_content_per_room() {
        let k = DedupeKey::of("g", &wire(Some("1"), None));
        assert_ne!(k, DedupeKey::of("r", &wire(Some("1"), None)));
        assert_eq!(
            DedupeKey::of("g", &wire(None, Some(5.0))),
            DedupeKey::of("g", &wire(None, Some(5.0)))
        );
        assert_eq!(DedupeKey::of("g", &wire(None, None)), None);
    }

    #[test]
    fn forgetting_a_room_keeps_other_rooms_and_confirmations() {
        let mut seen = Seen::default();
        let g = DedupeKey::of("g", &wire(Some("1"), None)).unwrap();
        let r = DedupeKey::of("r", &wire(Some("1"), None)).unwrap();
        seen.insert(g.clone());
        seen.insert(r.clone());
        seen.insert(DedupeKey::Confirmed("c".into()));
        seen.forget_room("g");
        assert!(!seen.contains(&g) && seen.contains(&r) && seen.is_confirmed("c"));
    }
}
