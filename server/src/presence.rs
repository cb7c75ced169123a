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
//! Costs: a join or leave is O(log n), a flush O(changes · log n), a
//! snapshot O(n) for a room of n users.

use std::collections::{BTreeSet, HashMap};

use serde::{Serialize, Serializer};

/// Data of a `presence` snapshot event: `{"room":…,"users":[…]}`.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Snapshot {
    /// Room name.
    pub room: String,
    /// Users present in the room, sorted.
    pub users: Vec<String>,
}

/// The coalesced change of one room in one tick, serialized once for all
/// streams: `{"room":…,"joined":…,"left":…}` where each of `joined` and
/// `left` is absent when empty, a string when it names one user, and an
/// array when it names several.
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

/// Presence of every room. Not synchronised: the hub keeps it under its lock.
#[derive(Debug, Default)]
pub struct Presence {
    rooms: HashMap<String, Room>,
    /// Rooms with touched users.
    dirty: BTreeSet<String>,
    tick: u64,
}

impl Presence {
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
    pub fn snapshot(&self, room: &str, own: Option<&str>) -> Snapshot {
        let mut users: Vec<String> = self
            .rooms
            .get(room)
            .map(|room| room.announced.iter().cloned().collect())
            .unwrap_or_default();
        if let Some(own) = own {
            if let Err(at) = users.binary_search_by(|u| u.as_str().cmp(own)) {
                users.insert(at, own.to_owned());
            }
        }
        Snapshot {
            room: room.to_owned(),
            users,
        }
    }

    /// Starts the next tick: announces every touched user whose presence
    /// differs from what was announced. One delta per changed room, in room
    /// name order.
    pub fn flush(&mut self) -> Vec<Delta> {
        self.tick += 1;
        let mut deltas = Vec::new();
        for name in std::mem::take(&mut self.dirty) {
            let Some(room) = self.rooms.get_mut(&name) else {
                continue;
            };
            let (mut joined, mut left) = (Vec::new(), Vec::new());
            for user in std::mem::take(&mut room.touched) {
                let present = room.streams.contains_key(&user);
                if present && !room.announced.contains(&user) {
                    room.announced.insert(user.clone());
                    joined.push(user);
                } else if !present && room.announced.remove(&user) {
                    left.push(user);
                }
            }
            if room.streams.is_empty() && room.announced.is_empty() {
                self.rooms.remove(&name);
            }
            if joined.is_empty() && left.is_empty() {
                continue;
            }
            let json = delta_json(&name, &joined, &left);
            deltas.push(Delta {
                room: name,
                tick: self.tick,
                joined,
                left,
                json,
            });
        }
        deltas
    }
}

#[derive(Serialize)]
struct DeltaJson<'a> {
    room: &'a str,
    #[serde(skip_serializing_if = "is_empty", serialize_with = "one_or_many")]
    joined: &'a [String],
    #[serde(skip_serializing_if = "is_empty", serialize_with = "one_or_many")]
    left: &'a [String],
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

fn delta_json(room: &str, joined: &[String], left: &[String]) -> String {
    serde_json::to_string(&DeltaJson { room, joined, left }).unwrap_or_else(|err| {
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
