//! Deduplication: a bounded set of typed keys for what has been shown, so
//! replays after a reconnect, history pages overlapping the stream and
//! echoes of our own messages never add a second copy.
//!
//! An id is only trusted together with what it named: each id key keeps a
//! fingerprint of its message's sender and text. The same id with other
//! content is not a duplicate but a backend that started counting again
//! (an in-memory backend restarted): a new id epoch, nothing dropped.
//!
//! The set stores 64-bit digests of keys, not the keys: 50,000 keys with
//! their room names, ids and (for messages without an id) whole texts
//! cost megabytes; digests cost 24 bytes each. Two different keys share a
//! digest with a probability of about 3·10⁻¹⁵ per key at capacity, far
//! below any other way a message could go missing.

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

    fn digest(&self) -> u64 {
        digest(self)
    }
}

/// A stable 64-bit digest (SipHash with fixed keys).
fn digest(value: &impl Hash) -> u64 {
    let mut h = DefaultHasher::new();
    value.hash(&mut h);
    h.finish()
}

/// The digest of a room name, never 0 (0 marks keys of no room).
fn room_digest(room: &str) -> u64 {
    digest(&room) | 1
}

/// What a key's message looked like: sender and text, hashed.
pub fn fingerprint(m: &WireMessage) -> u64 {
    digest(&(&m.user, &m.text))
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
    /// Key digest → fingerprint.
    set: HashMap<u64, u64>,
    /// Key digests with their room's digest (0: no room), oldest first.
    order: VecDeque<(u64, u64)>,
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
        let d = key.digest();
        if self.set.contains_key(&d) {
            return false;
        }
        if self.order.len() >= self.cap {
            if let Some((old, _)) = self.order.pop_front() {
                self.set.remove(&old);
            }
        }
        self.set.insert(d, fingerprint);
        self.order.push_back((d, key.room().map_or(0, room_digest)));
        true
    }

    /// A known key's message changed (an edit): its content is now `fingerprint`,
    /// so a later copy of the changed message is no conflict.
    pub fn refresh(&mut self, key: &DedupeKey, fingerprint: u64) {
        if let Some(fp) = self.set.get_mut(&key.digest()) {
            *fp = fingerprint;
        }
    }

    pub fn contains(&self, key: &DedupeKey) -> bool {
        self.set.contains_key(&key.digest())
    }

    /// Whether `key` was seen, and for an id key whether with the same
    /// content (`fingerprint`).
    pub fn lookup(&self, key: &DedupeKey, fingerprint: u64) -> Lookup {
        match (self.set.get(&key.digest()), key) {
            (None, _) => Lookup::New,
            (Some(&f), DedupeKey::Id { .. }) if f != 0 && f != fingerprint => Lookup::Conflict,
            (Some(_), _) => Lookup::Same,
        }
    }

    /// Whether our message `client_id` is known to be confirmed.
    pub fn is_confirmed(&self, client_id: &str) -> bool {
        self.contains(&DedupeKey::Confirmed(client_id.to_string()))
    }

    /// Forgets every message key of `room` (a room that was left, so that
    /// rejoining shows its past again).
    pub fn forget_room(&mut self, room: &str) {
        let r = room_digest(room);
        let set = &mut self.set;
        self.order.retain(|&(d, of)| {
            if of == r {
                set.remove(&d);
            }
            of != r
        });
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
            extra: None,
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
