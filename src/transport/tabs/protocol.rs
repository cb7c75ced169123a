//! What the tabs of one browser tell each other over their
//! `BroadcastChannel`, and the leader's bookkeeping of which tab follows
//! which rooms. Pure: no browser types, tested natively.
//!
//! One tab, the leader (it holds the Web Lock), owns the event stream and
//! forwards every event; the others (followers) open none. Each tab still
//! decodes and ingests events itself, so every tab has its own state and
//! its own active room.

use crate::errors::StreamError;
use crate::state::MAX_ROOMS;
use crate::transport::stream_types::{ConnState, RawEvent};
use std::collections::BTreeMap;

/// One message between tabs. On the channel it is a flat list of strings
/// ([`TabMessage::encode`]), posted as a JS array: the browser clones it,
/// and the wasm carries no JSON code for it (derived serde enums cost some
/// 20 KB gzip).
#[derive(Clone, Debug, PartialEq)]
pub enum TabMessage {
    /// A tab's followed rooms: when it starts, when they change, and in
    /// answer to [`TabMessage::Roll`]. `fresh` asks for a replay of the
    /// recent past (a new room on a backend without a history URL).
    Rooms {
        tab: String,
        rooms: Vec<String>,
        fresh: bool,
    },
    /// A new leader asks every tab for its rooms.
    Roll,
    /// A tab is closing (or entering the back/forward cache).
    Gone { tab: String },
    /// The rooms the leader's stream follows now: a follower with a room
    /// outside them must open a stream of its own.
    Following { rooms: Vec<String> },
    /// Events of the leader's stream, in order.
    Events { events: Vec<RawEvent> },
    /// The leader's connection state, for every tab's status bar.
    Conn { state: ConnState },
    /// A follower's "Retry now".
    RetryNow,
}

/// The first string of every message: names the protocol and its kind.
const PREFIX: &str = "sse-chat/1 ";

impl TabMessage {
    /// The message as strings: the kind, then its fields in order (lists
    /// last, each item one string; events four strings each).
    pub fn encode(&self) -> Vec<String> {
        let mut out = Vec::new();
        let mut put = |s: &str| out.push(s.to_string());
        match self {
            TabMessage::Rooms { tab, rooms, fresh } => {
                put("rooms");
                put(tab);
                put(if *fresh { "1" } else { "0" });
                rooms.iter().for_each(|r| put(r));
            }
            TabMessage::Roll => put("roll"),
            TabMessage::Gone { tab } => {
                put("gone");
                put(tab);
            }
            TabMessage::Following { rooms } => {
                put("following");
                rooms.iter().for_each(|r| put(r));
            }
            TabMessage::Events { events } => {
                put("events");
                for e in events {
                    for field in [&e.kind, &e.data, &e.last_event_id, &e.id] {
                        put(field);
                    }
                }
            }
            TabMessage::Conn { state } => {
                put("conn");
                encode_conn(state, &mut put);
            }
            TabMessage::RetryNow => put("retry_now"),
        }
        out[0].insert_str(0, PREFIX);
        out
    }

    /// `None` for anything that is not a message of this version (another
    /// app on the same channel name, an older tab): it is ignored.
    pub fn decode(parts: &[String]) -> Option<TabMessage> {
        let (kind, rest) = parts.split_first()?;
        let owned = |s: &[String]| s.to_vec();
        Some(match (kind.strip_prefix(PREFIX)?, rest) {
            ("rooms", [tab, fresh, rooms @ ..]) => TabMessage::Rooms {
                tab: tab.clone(),
                rooms: owned(rooms),
                fresh: fresh == "1",
            },
            ("roll", []) => TabMessage::Roll,
            ("gone", [tab]) => TabMessage::Gone { tab: tab.clone() },
            ("following", rooms) => TabMessage::Following {
                rooms: owned(rooms),
            },
            ("events", events) if events.len() % 4 == 0 => TabMessage::Events {
                events: events
                    .chunks_exact(4)
                    .map(|e| RawEvent {
                        kind: e[0].clone(),
                        data: e[1].clone(),
                        last_event_id: e[2].clone(),
                        id: e[3].clone(),
                    })
                    .collect(),
            },
            ("conn", state) => TabMessage::Conn {
                state: decode_conn(state)?,
            },
            ("retry_now", []) => TabMessage::RetryNow,
            _ => return None,
        })
    }
}

fn encode_conn(state: &ConnState, put: &mut impl FnMut(&str)) {
    match state {
        ConnState::Connecting => put("connecting"),
        ConnState::Open => put("open"),
        ConnState::Reconnecting { attempt, retry_at } => {
            put("reconnecting");
            put(&attempt.to_string());
            // Whole milliseconds: float text code would cost the wasm more.
            put(&(retry_at.max(0.0) as u64).to_string());
        }
        ConnState::Offline => put("offline"),
        ConnState::Failed(e) => {
            put("failed");
            put(&e.url);
            if let Some(reason) = &e.reason {
                put(reason);
            }
        }
    }
}

fn decode_conn(parts: &[String]) -> Option<ConnState> {
    let [kind, rest @ ..] = parts else {
        return None;
    };
    Some(match (kind.as_str(), rest) {
        ("connecting", []) => ConnState::Connecting,
        ("open", []) => ConnState::Open,
        ("reconnecting", [attempt, retry_at]) => ConnState::Reconnecting {
            attempt: attempt.parse().ok()?,
            retry_at: retry_at.parse::<u64>().ok()? as f64,
        },
        ("offline", []) => ConnState::Offline,
        ("failed", [url, reason @ ..]) if reason.len() <= 1 => ConnState::Failed(StreamError {
            reason: reason.first().cloned(),
            url: url.clone(),
        }),
        _ => return None,
    })
}

/// The leader's view of the rooms of every tab. The stream follows their
/// union, the leader's own rooms first, at most [`MAX_ROOMS`] (what one
/// stream may carry); tabs with rooms beyond it see that in
/// [`TabMessage::Following`] and open their own stream.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TabRooms {
    own: Vec<String>,
    others: BTreeMap<String, Vec<String>>,
}

impl TabRooms {
    pub fn new(own: Vec<String>) -> Self {
        TabRooms {
            own,
            others: BTreeMap::new(),
        }
    }

    /// The leader's own rooms changed.
    pub fn set_own(&mut self, rooms: Vec<String>) {
        self.own = rooms;
    }

    /// `tab` follows `rooms` (replacing what it followed).
    pub fn set(&mut self, tab: &str, rooms: Vec<String>) {
        self.others.insert(tab.to_string(), rooms);
    }

    /// `tab` is gone.
    pub fn remove(&mut self, tab: &str) {
        self.others.remove(tab);
    }

    /// Whether any other tab listens (else nothing needs forwarding).
    pub fn has_others(&self) -> bool {
        !self.others.is_empty()
    }

    /// The rooms the stream follows: each once, the leader's first, then
    /// the other tabs' in tab order, at most [`MAX_ROOMS`].
    pub fn union(&self) -> Vec<String> {
        let mut all: Vec<String> = Vec::new();
        for room in self.own.iter().chain(self.others.values().flatten()) {
            if all.len() == MAX_ROOMS {
                break;
            }
            if !all.contains(room) {
                all.push(room.clone());
            }
        }
        all
    }
}

/// Whether a stream following `following` carries everything a tab
/// following `mine` needs.
pub fn covers(following: &[String], mine: &[String]) -> bool {
    mine.iter().all(|r| following.contains(r))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn messages_survive_the_channel() {
        let all = [
            TabMessage::Rooms {
                tab: "t1".into(),
                rooms: names(&["general", "random"]),
                fresh: true,
            },
            TabMessage::Roll,
            TabMessage::Gone { tab: "t1".into() },
            TabMessage::Following {
                rooms: names(&["general"]),
            },
            TabMessage::Events {
                events: vec![RawEvent {
                    kind: "message".into(),
                    data: r#"{"text":"hi \"there\"\n"}"#.into(),
                    last_event_id: "41".into(),
                    id: String::new(),
                }],
            },
            TabMessage::Conn {
                state: ConnState::Reconnecting {
                    attempt: 2,
                    retry_at: 1.5e12,
                },
            },
            TabMessage::RetryNow,
            TabMessage::Conn {
                state: ConnState::Failed(StreamError {
                    reason: None,
                    url: "x".into(),
                }),
            },
            TabMessage::Conn {
                state: ConnState::Failed(StreamError {
                    reason: Some("bad, \"very\"".into()),
                    url: "x".into(),
                }),
            },
            TabMessage::Following { rooms: vec![] },
            TabMessage::Conn {
                state: ConnState::Open,
            },
        ];
        for message in all {
            assert_eq!(TabMessage::decode(&message.encode()), Some(message));
        }
        let parts = |p: &[&str]| p.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(TabMessage::decode(&parts(&["sse-chat/1 unknown"])), None);
        assert_eq!(
            TabMessage::decode(&parts(&["sse-chat/1 gone"])),
            None,
            "a field missing"
        );
        assert_eq!(
            TabMessage::decode(&parts(&["roll"])),
            None,
            "another protocol"
        );
        assert_eq!(
            TabMessage::decode(&parts(&["sse-chat/1 events", "a", "b"])),
            None
        );
        assert_eq!(
            TabMessage::decode(&parts(&["sse-chat/1 conn", "reconnecting", "x", "1"])),
            None
        );
        assert_eq!(TabMessage::decode(&[]), None);
    }

    #[test]
    fn the_stream_follows_the_union_of_every_tab_s_rooms() {
        let mut rooms = TabRooms::new(names(&["b", "a"]));
        assert_eq!(rooms.union(), ["b", "a"]);
        rooms.set("t2", names(&["a", "c"]));
        rooms.set("t3", names(&["d"]));
        assert_eq!(rooms.union(), ["b", "a", "c", "d"]);
        rooms.set("t2", names(&["e"]));
        assert_eq!(rooms.union(), ["b", "a", "e", "d"], "replaced, not added");
        rooms.remove("t3");
        rooms.set_own(names(&["a"]));
        assert_eq!(rooms.union(), ["a", "e"]);
        assert!(rooms.has_others());
        rooms.remove("t2");
        assert!(!rooms.has_others());
    }

    #[test]
    fn the_union_stops_at_what_one_stream_carries() {
        let mut rooms = TabRooms::new(names(&["mine"]));
        let many: Vec<String> = (0..MAX_ROOMS).map(|i| format!("r{i:02}")).collect();
        rooms.set("t2", many.clone());
        let union = rooms.union();
        assert_eq!(union.len(), MAX_ROOMS);
        assert_eq!(union[0], "mine", "the leader's rooms first");
        // The tab whose last room did not fit knows it must stream itself.
        assert!(!covers(&union, &many));
        assert!(covers(&union, &many[..MAX_ROOMS - 1]));
    }
}
