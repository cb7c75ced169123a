//! Deduplication: a bounded set of typed keys for what has been shown, so
//! replays after a reconnect, history pages overlapping the stream and
//! echoes of our own messages never add a second copy.
//!
//! An id is only trusted together with what it named: each id key keeps a
//! fingerprint of its message's sender and text. The same id with other
//! content is not a duplicate but a backend that started counting again
//! (an in-memory backend restarted): a new id epoch, nothing dropped.

use crate::protocol::WireMessage;
use std::collections::hash_map::DefaultHasher;
use std::collections::{HashMap, VecDeque};
use std::hash::{Hash, Hasher};

/// How many keys are remembered (the oldest are forgotten first).
pub const SEEN_CAPACITY: usize = 50_000;

/// What makes two messages the same message.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum DedupeKey {
    /// The backend's id, per room (ids need only be unique in a room) and
    /// id epoch (see the module docs).
    Id {
        room: String,
        epoch: u32,
        id: String,
    },
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
    pub fn of(room: &str, epoch: u32, m: &WireMessage) -> Option<DedupeKey> {
        match (&m.id, m.ts) {
            (Some(id), _) => Some(DedupeKey::Id {
                room: room.to_string(),
                epoch,
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

/// What a key's message looked like: sender and text, hashed.
pub fn fingerprint(m: &WireMessage) -> u64 {
    let mut h = DefaultHasher::new();
    (&m.user, &m.text).hash(&mut h);
    h.finish()
}

/// What the set knows of a key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lookup {
    New,
    /// Seen, with the same content (or a key without content).
    Same,
    /// Seen, but it named another message then.
    Conflict,
}

/// A bounded set: remembers the most recent `cap` keys, each with the
/// fingerprint of its message (0 where content does not matter).
#[derive(Clone, Debug, PartialEq)]
pub struct Seen {
    set: HashMap<DedupeKey, u64>,
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
            set: HashMap::new(),
            order: VecDeque::new(),
            cap,
        }
    }

    /// Inserts without content; false when already present.
    pub fn insert(&mut self, key: DedupeKey) -> bool {
        self.insert_with(key, 0)
    }

    /// Inserts with the fingerprint of its message; false when present.
    pub fn insert_with(&mut self, key: DedupeKey, fingerprint: u64) -> bool {
        if self.set.contains_key(&key) {
            return false;
        }
        if self.order.len() >= self.cap {
            if let Some(old) = self.order.pop_front() {
                self.set.remove(&old);
            }
        }
        self.set.insert(key.clone(), fingerprint);
        self.order.push_back(key);
        true
    }

    pub fn contains(&self, key: &DedupeKey) -> bool {
        self.set.contains_key(key)
    }

    /// Whether `key` was seen, and for an id key whether with the same
    /// content (`fingerprint`).
    pub fn lookup(&self, key: &DedupeKey, fingerprint: u64) -> Lookup {
        match (self.set.get(key), key) {
            (None, _) => Lookup::New,
            (Some(&f), DedupeKey::Id { .. }) if f != 0 && f != fingerprint => Lookup::Conflict,
            (Some(_), _) => Lookup::Same,
        }
    }

    /// Whether our message `client_id` is known to be confirmed.
    pub fn is_confirmed(&self, client_id: &str) -> bool {
        self.set
            .contains_key(&DedupeKey::Confirmed(client_id.to_string()))
    }

    /// Forgets every message key of `room` (a room that was left, so that
    /// rejoining shows its past again).
    pub fn forget_room(&mut self, room: &str) {
        self.order.retain(|k| k.room() != Some(room));
        self.set.retain(|k, _| k.room() != Some(room));
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
        let k = DedupeKey::of("g", 0, &wire(Some("1"), None));
        assert_ne!(k, DedupeKey::of("r", 0, &wire(Some("1"), None)));
        assert_ne!(
            k,
            DedupeKey::of("g", 1, &wire(Some("1"), None)),
            "another epoch"
        );
        assert_eq!(
            DedupeKey::of("g", 0, &wire(None, Some(5.0))),
            DedupeKey::of("g", 0, &wire(None, Some(5.0)))
        );
        assert_eq!(DedupeKey::of("g", 0, &wire(None, None)), None);
    }

    #[test]
    fn forgetting_a_room_keeps_other_rooms_and_confirmations() {
        let mut seen = Seen::default();
        let g = DedupeKey::of("g", 0, &wire(Some("1"), None)).unwrap();
        let r = DedupeKey::of("r", 0, &wire(Some("1"), None)).unwrap();
        seen.insert(g.clone());
        seen.insert(r.clone());
        seen.insert(DedupeKey::Confirmed("c".into()));
        seen.forget_room("g");
        assert!(!seen.contains(&g) && seen.contains(&r) && seen.is_confirmed("c"));
    }

    #[test]
    fn an_id_naming_other_content_is_a_conflict_not_a_duplicate() {
        let mut seen = Seen::default();
        let first = wire(Some("1"), None);
        let key = DedupeKey::of("g", 0, &first).unwrap();
        seen.insert_with(key.clone(), fingerprint(&first));
        assert_eq!(seen.lookup(&key, fingerprint(&first)), Lookup::Same);
        let mut other = first.clone();
        other.text = "after the restart".into();
        assert_eq!(seen.lookup(&key, fingerprint(&other)), Lookup::Conflict);
        let fresh = DedupeKey::of("g", 0, &wire(Some("2"), None)).unwrap();
        assert_eq!(seen.lookup(&fresh, 1), Lookup::New);
    }
}
