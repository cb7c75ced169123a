//! Presence bookkeeping: who is in which room, what the streams were last
//! told, and the coalesced deltas that bring them up to date.
//!
//! Streams count per user and room ([`Presence::join`], [`Presence::leave`]);
//! a user whose count crosses zero is only *touched*. Every presence tick
//! [`Presence::flush`] compares each touched user with what was last
//! announced and produces one [`Delta`] per room that really changed. A
//! snapshot ([`Presence::snapshot`]) shows the announced state, so a stream
//! that starts with a snapshot taken at tick `T` and then applies every
//! delta of ticks after `T` has exactly the announced list, without ever
//! seeing a user twice. The only exception is the stream's own user, which
//! its snapshot already lists (it is certainly present) and which a delta
//! may announce again.
//!
//! Large rooms: events name at most `list_max` users per room (the first
//! ones in name order) and carry `count`, the number present, while the
//! room has more. Without the cap every one of n streams must learn every
//! one of n names, O(n²) bytes however the changes are coalesced; with it
//! a change costs each stream O(1) bytes unless the listed names change.
//!
//! Costs: a join or leave is O(log n), a flush O(changes · log n +
//! list_max) per changed room, a snapshot O(min(n, list_max)).

use std::collections::{BTreeSet, HashMap};

use serde::{Serialize, Serializer};

/// Names a room lists before events switch to a `count` by default.
pub const DEFAULT_LIST_MAX: usize = 100;

/// Data of a `presence` snapshot event: `{"room":…,"users":[…]}`, plus
/// `"count":n` when the room has more users than are listed.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Snapshot {
    /// Room name.
    pub room: String,
    /// Users present in the room, sorted: all of them, or the first
    /// `list_max` and the asking stream's own user.
    pub users: Vec<String>,
    /// How many users are present, while the room has more than `list_max`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub count: Option<usize>,
}

/// The coalesced change of one room in one tick, serialized once for all
/// streams: `{"room":…,"joined":…,"left":…}` where each of `joined` and
/// `left` is absent when empty, a string when it names one user, and an
/// array when it names several. In a large room `joined` and `left` are
/// the changes of the listed names and `count` the new number present.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delta {
    /// Room name.
    pub room: String,
    /// The tick that produced it (the first flush is tick 1).
    pub tick: u64,
    /// Users announced as present, sorted.
    pub joined: Vec<String>,
    /// Users announced as gone, sorted.
    pub left: Vec<String>,
    /// Users present, while the room has (or had) more than `list_max`.
    pub count: Option<usize>,
    /// The event's data.
    pub json: String,
}

/// A stream would add one user too many to a room.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "The room `{room}` already has the most users the server tracks ({max}); try again \
     later or follow another room."
)]
pub struct RoomFull {
    /// The full room.
    pub room: String,
    /// The per-room limit.
    pub max: usize,
}

#[derive(Debug, Default)]
struct Room {
    /// Open streams per present user.
    streams: HashMap<String, usize>,
    /// The users as last announced (by a flush).
    announced: BTreeSet<String>,
    /// Users whose count crossed zero since the last flush.
    touched: BTreeSet<String>,
}

impl Room {
    /// The names events list: the first `max` announced users.
    fn listed(&self, max: usize) -> Vec<String> {
        self.announced.iter().take(max).cloned().collect()
    }
}

/// Presence of every room. Not synchronised: the hub keeps it under its lock.
#[derive(Debug)]
pub struct Presence {
    rooms: HashMap<String, Room>,
    /// Rooms with touched users.
    dirty: BTreeSet<String>,
    tick: u64,
    /// Most names listed per room (see the module docs).
    list_max: usize,
}

impl Default for Presence {
    fn default() -> Self {
        Presence::new(DEFAULT_LIST_MAX)
    }
}

impl Presence {
    /// Empty presence listing at most `list_max` names per room (at least one).
    pub fn new(list_max: usize) -> Self {
        Presence {
            rooms: HashMap::new(),
            dirty: BTreeSet::new(),
            tick: 0,
            list_max: list_max.max(1),
        }
    }

    /// Refuses `user` joining `rooms` if that would give one of them more
    /// than `max` present users. Joining a room one is already in is free.
    pub fn check_capacity(&self, user: &str, rooms: &[String], max: usize) -> Result<(), RoomFull> {
        for name in rooms {
            if let Some(room) = self.rooms.get(name) {
                if room.streams.len() >= max && !room.streams.contains_key(user) {
                    return Err(RoomFull {
                        room: name.clone(),
                        max,
                    });
                }
            }
        }
        Ok(())
    }

    /// One more stream of `user` follows `rooms`.
    pub fn join(&mut self, user: &str, rooms: &[String]) {
        for name in rooms {
            let room = self.rooms.entry(name.clone()).or_default();
            let count = room.streams.entry(user.to_owned()).or_insert(0);
            *count += 1;
            if *count == 1 {
                room.touched.insert(user.to_owned());
                self.dirty.insert(name.clone());
            }
        }
    }

    /// One stream of `user` following `rooms` closed.
    pub fn leave(&mut self, user: &str, rooms: &[String]) {
        for name in rooms {
            let Some(room) = self.rooms.get_mut(name) else {
                continue;
            };
            let Some(count) = room.streams.get_mut(user) else {
                continue;
            };
            *count = count.saturating_sub(1);
            if *count == 0 {
                room.streams.remove(user);
                room.touched.insert(user.to_owned());
                self.dirty.insert(name.clone());
            }
        }
    }

    /// The number of the last flush (0 before the first).
    pub fn tick(&self) -> u64 {
        self.tick
    }

    /// Whether a flush would have anything to compare.
    pub fn has_changes(&self) -> bool {
        !self.dirty.is_empty()
    }

    /// The announced users of `room`, plus `own` (the asking stream's user,
    /// present for as long as the stream lives).
    pub fn snapshot(&self, name: &str, own: Option<&str>) -> Snapshot {
        let room = self.rooms.get(name);
        let mut users = room.map(|r| r.listed(self.list_max)).unwrap_or_default();
        let mut total = room.map_or(0, |r| r.announced.len());
        if let Some(own) = own {
            if !room.is_some_and(|r| r.announced.contains(own)) {
                total += 1;
            }
            if let Err(at) = users.binary_search_by(|u| u.as_str().cmp(own)) {
                users.insert(at, own.to_owned());
            }
        }
        Snapshot {
            room: name.to_owned(),
            users,
            count: (total > self.list_max).then_some(total),
        }
    }

    /// Starts the next tick: announces every touched user whose presence
    /// differs from what was announced. One delta per changed room, in room
    /// name order.
    pub fn flush(&mut self) -> Vec<Delta> {
        self.tick += 1;
        let max = self.list_max;
        let mut deltas = Vec::new();
        for name in std::mem::take(&mut self.dirty) {
            let Some(room) = self.rooms.get_mut(&name) else {
                continue;
            };
            let (before, before_total) = (room.listed(max), room.announced.len());
            for user in std::mem::take(&mut room.touched) {
                if room.streams.contains_key(&user) {
                    room.announced.insert(user);
                } else {
                    room.announced.remove(&user);
                }
            }
            let (after, total) = (room.listed(max), room.announced.len());
            if room.streams.is_empty() && room.announced.is_empty() {
                self.rooms.remove(&name);
            }
            let joined = missing_from(&after, &before);
            let left = missing_from(&before, &after);
            let large = before_total > max || total > max;
            if joined.is_empty() && left.is_empty() && (!large || total == before_total) {
                continue;
            }
            let count = large.then_some(total);
            let json = delta_json(&name, &joined, &left, count);
            deltas.push(Delta {
                room: name,
                tick: self.tick,
                joined,
                left,
                count,
                json,
            });
        }
        deltas
    }
}

/// The names of sorted `a` that sorted `b` lacks.
fn missing_from(a: &[String], b: &[String]) -> Vec<String> {
    a.iter()
        .filter(|name| b.binary_search(name).is_err())
        .cloned()
        .collect()
}

#[derive(Serialize)]
struct DeltaJson<'a> {
    room: &'a str,
    #[serde(skip_serializing_if = "is_empty", serialize_with = "one_or_many")]
    joined: &'a [String],
    #[serde(skip_serializing_if = "is_empty", serialize_with = "one_or_many")]
    left: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    count: Option<usize>,
}

fn is_empty(names: &&[String]) -> bool {
    names.is_empty()
}

/// One name as a string (the shape older clients understand), several as
/// an array.
fn one_or_many<S: Serializer>(names: &&[String], serializer: S) -> Result<S::Ok, S::Error> {
    match names {
        [one] => serializer.serialize_str(one),
        many => many.serialize(serializer),
    }
}

fn delta_json(room: &str, joined: &[String], left: &[String], count: Option<usize>) -> String {
    let data = DeltaJson {
        room,
        joined,
        left,
        count,
    };
    serde_json::to_string(&data).unwrap_or_else(|err| {
        tracing::error!(error = %err, "could not serialize a presence delta");
        String::from("{}")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rooms(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    fn jsons(deltas: &[Delta]) -> Vec<&str> {
        deltas.iter().map(|d| d.json.as_str()).collect()
    }

    #[test]
    fn joins_of_one_tick_become_one_delta_per_room() {
        let mut p = Presence::default();
        p.join("bob", &rooms(&["a", "b"]));
        p.join("alice", &rooms(&["a"]));
        let deltas = p.flush();
        assert_eq!(
            jsons(&deltas),
            [
                r#"{"room":"a","joined":["alice","bob"]}"#,
                r#"{"room":"b","joined":"bob"}"#
            ]
        );
        assert!(deltas.iter().all(|d| d.tick == 1));
        assert_eq!(p.snapshot("a", None).users, ["alice", "bob"]);
        p.leave("bob", &rooms(&["a", "b"]));
        p.join("carol", &rooms(&["a"]));
        assert_eq!(
            jsons(&p.flush()),
            [
                r#"{"room":"a","joined":"carol","left":"bob"}"#,
                r#"{"room":"b","left":"bob"}"#
            ]
        );
        assert!(p.flush().is_empty(), "nothing changed");
        assert_eq!(p.tick(), 3);
    }

    #[test]
    fn changes_that_cancel_out_within_a_tick_are_not_announced() {
        let mut p = Presence::default();
        p.join("bob", &rooms(&["a"]));
        p.leave("bob", &rooms(&["a"]));
        assert!(p.flush().is_empty());
        assert!(p.rooms.is_empty(), "empty rooms are forgotten");
        p.join("bob", &rooms(&["a"]));
        p.flush();
        // A reload: the last tab closes and a new one opens in one tick.
        p.leave("bob", &rooms(&["a"]));
        p.join("bob", &rooms(&["a"]));
        assert!(p.flush().is_empty());
    }

    #[test]
    fn several_streams_of_a_user_count_once() {
        let mut p = Presence::default();
        p.join("bob", &rooms(&["a"]));
        p.join("bob", &rooms(&["a"]));
        assert_eq!(p.flush().len(), 1);
        p.leave("bob", &rooms(&["a"]));
        assert!(p.flush().is_empty(), "one tab is still open");
        p.leave("bob", &rooms(&["a"]));
        assert_eq!(jsons(&p.flush()), [r#"{"room":"a","left":"bob"}"#]);
    }

    #[test]
    fn snapshots_show_what_was_announced_plus_the_own_user() {
        let mut p = Presence::default();
        p.join("bob", &rooms(&["a"]));
        p.flush();
        p.join("alice", &rooms(&["a"]));
        p.join("zed", &rooms(&["a"]));
        // alice and zed are not announced yet: a stream opened now learns
        // about zed from the next delta, and knows about itself already.
        assert_eq!(p.snapshot("a", Some("alice")).users, ["alice", "bob"]);
        assert_eq!(p.snapshot("a", None).users, ["bob"]);
        assert_eq!(p.snapshot("nowhere", Some("x")).users, ["x"]);
        let deltas = p.flush();
        assert_eq!(deltas[0].joined, ["alice", "zed"]);
    }

    #[test]
    fn large_rooms_list_the_first_names_and_count_the_rest() {
        let mut p = Presence::new(2);
        p.join("bob", &rooms(&["a"]));
        p.join("dan", &rooms(&["a"]));
        assert_eq!(
            jsons(&p.flush()),
            [r#"{"room":"a","joined":["bob","dan"]}"#]
        );
        // Past the list: a count, and the listed names only where they change.
        p.join("eve", &rooms(&["a"]));
        assert_eq!(jsons(&p.flush()), [r#"{"room":"a","count":3}"#]);
        p.join("amy", &rooms(&["a"]));
        assert_eq!(
            jsons(&p.flush()),
            [r#"{"room":"a","joined":"amy","left":"dan","count":4}"#]
        );
        let snap = p.snapshot("a", Some("zoe"));
        assert_eq!(
            (snap.users, snap.count),
            (vec!["amy".into(), "bob".into(), "zoe".into()], Some(5))
        );
        let json = serde_json::to_string(&p.snapshot("a", None)).unwrap();
        assert_eq!(json, r#"{"room":"a","users":["amy","bob"],"count":4}"#);
        // An unlisted user joining and another leaving in one tick: no news.
        p.join("fay", &rooms(&["a"]));
        p.leave("eve", &rooms(&["a"]));
        assert!(p.flush().is_empty());
        // Back to a full list: the last delta still counts, later ones do not.
        p.leave("fay", &rooms(&["a"]));
        assert_eq!(jsons(&p.flush()), [r#"{"room":"a","count":3}"#]);
        p.leave("amy", &rooms(&["a"]));
        assert_eq!(
            jsons(&p.flush()),
            [r#"{"room":"a","joined":"dan","left":"amy","count":2}"#]
        );
        p.leave("bob", &rooms(&["a"]));
        assert_eq!(jsons(&p.flush()), [r#"{"room":"a","left":"bob"}"#]);
        assert_eq!(p.snapshot("a", None).count, None);
    }

    #[test]
    fn a_large_room_costs_each_stream_little_per_change() {
        // 1,000 users joining one at a time: every delta after the list is
        // full carries a count only, never the names.
        let mut p = Presence::new(100);
        let mut bytes = 0;
        for i in 0..1000 {
            p.join(&format!("user-{i:04}"), &rooms(&["a"]));
            bytes += p.flush().iter().map(|d| d.json.len()).sum::<usize>();
        }
        assert!(bytes < 100 * 40 + 900 * 30, "{bytes} bytes of deltas");
        let snap = p.snapshot("a", None);
        assert_eq!((snap.users.len(), snap.count), (100, Some(1000)));
    }

    #[test]
    fn rooms_have_a_cap() {
        let mut p = Presence::default();
        p.join("a", &rooms(&["r"]));
        p.join("b", &rooms(&["r"]));
        assert!(p.check_capacity("a", &rooms(&["r"]), 2).is_ok());
        assert!(p.check_capacity("c", &rooms(&["other"]), 2).is_ok());
        let full = p
            .check_capacity("c", &rooms(&["other", "r"]), 2)
            .unwrap_err();
        assert_eq!(
            full,
            RoomFull {
                room: "r".into(),
                max: 2
            }
        );
        p.leave("a", &rooms(&["r"]));
        assert!(p.check_capacity("c", &rooms(&["r"]), 2).is_ok());
    }
}
