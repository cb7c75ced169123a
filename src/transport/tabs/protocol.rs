//! What the tabs of one browser tell each other over their
//! `BroadcastChannel`, and the leader's bookkeeping of which tab follows
//! which rooms. Pure: no browser types, tested natively.
//!
//! One tab, the leader (it holds the Web Lock), owns the event stream and
//! forwards every event; the others (followers) open none. Each tab still
//! decodes and ingests events itself, so every tab has its own state and
//! its own active room.

use crate::errors::{RequestError, StreamError};
use crate::protocol::{Outgoing, WireMessage};
use crate::state::MAX_ROOMS;
use crate::transport::stream_types::{ConnState, RawEvent};

/// One message between tabs. On the channel it is a flat list of strings
/// ([`TabMessage::encode`]), posted as a JS array: the browser clones it,
/// and the wasm carries no JSON code for it (derived serde enums cost some
/// 20 KB gzip).
#[derive(Clone, Debug, PartialEq)]
pub enum TabMessage {
    /// A tab's followed rooms: when it starts, when they change, and in
    /// answer to [`TabMessage::Roll`]. `fresh` asks for a replay of the
    /// recent past (a new room on a backend without a history URL);
    /// `last_id` is where the tab's events end, so a tab back from the
    /// back/forward cache, or one that answered late, gets what it missed.
    Rooms {
        tab: String,
        rooms: Vec<String>,
        fresh: bool,
        last_id: Option<String>,
    },
    /// A new leader asks every tab for its rooms.
    Roll,
    /// A tab is closing (or entering the back/forward cache).
    Gone {
        tab: String,
    },
    /// The rooms the leader's stream follows now: a follower with a room
    /// outside them must open a stream of its own.
    Following {
        rooms: Vec<String>,
    },
    /// Events of the leader's stream, in order.
    Events {
        events: Vec<RawEvent>,
    },
    /// The leader's connection state, for every tab's status bar.
    Conn {
        state: ConnState,
    },
    /// A follower's "Retry now".
    RetryNow,
    /// The leader's list of live tabs, a second after its roll call:
    /// unsent messages of any other tab are its to send now. Never on the
    /// channel; [`super::SharedStream`] hands it to its own tab.
    Adopt {
        live: Vec<String>,
    },
    /// A tab said it is gone: its unsent messages are the leader's to send.
    /// Never on the channel either.
    AdoptFrom {
        tab: String,
    },
    /// The user read `room` in some tab: its unread count clears everywhere.
    Read {
        room: String,
    },
    /// A tab queued a message: every tab shows it as pending.
    Queued {
        out: Outgoing,
        created: f64,
    },
    /// The backend accepted a message (with its copy, if it returned one).
    Sent {
        client_id: String,
        stored: Option<WireMessage>,
    },
    /// The backend refused a message.
    Failed {
        client_id: String,
        reason: RequestError,
    },
    /// The user retried or discarded a refused message in some tab.
    Retry {
        client_id: String,
    },
    Discard {
        client_id: String,
    },
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
            TabMessage::Rooms {
                tab,
                rooms,
                fresh,
                last_id,
            } => {
                put("rooms");
                put(tab);
                put(if *fresh { "1" } else { "0" });
                put_opt(last_id.as_deref(), &mut put);
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
            TabMessage::Adopt { live } => {
                put("adopt");
                live.iter().for_each(|t| put(t));
            }
            TabMessage::AdoptFrom { tab } => {
                put("adopt_from");
                put(tab);
            }
            TabMessage::Read { room } => {
                put("read");
                put(room);
            }
            TabMessage::Queued { out, created } => encode_queued(out, *created, &mut put),
            TabMessage::Sent { client_id, stored } => {
                put("sent");
                put(client_id);
                if let Some(m) = stored {
                    encode_wire(m, &mut put);
                }
            }
            TabMessage::Failed { client_id, reason } => {
                put("failed");
                put(client_id);
                encode_reason(reason, &mut put);
            }
            TabMessage::Retry { client_id } => {
                put("retry");
                put(client_id);
            }
            TabMessage::Discard { client_id } => {
                put("discard");
                put(client_id);
            }
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
            ("rooms", [tab, fresh, last_id, rooms @ ..]) => TabMessage::Rooms {
                tab: tab.clone(),
                rooms: owned(rooms),
                fresh: fresh == "1",
                last_id: get_opt(last_id)?,
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
            ("adopt", live) => TabMessage::Adopt { live: owned(live) },
            ("adopt_from", [tab]) => TabMessage::AdoptFrom { tab: tab.clone() },
            ("read", [room]) => TabMessage::Read { room: room.clone() },
            ("queued", [room, user, text, client_id, created, reply_to]) => TabMessage::Queued {
                out: Outgoing {
                    room: room.clone(),
                    user: user.clone(),
                    text: text.clone(),
                    client_id: client_id.clone(),
                    reply_to: get_opt(reply_to)?,
                },
                created: created.parse::<u64>().ok()? as f64,
            },
            ("sent", [client_id, stored @ ..]) => TabMessage::Sent {
                client_id: client_id.clone(),
                stored: match stored {
                    [] => None,
                    fields => Some(decode_wire(fields)?),
                },
            },
            ("failed", [client_id, reason @ ..]) => TabMessage::Failed {
                client_id: client_id.clone(),
                reason: decode_reason(reason)?,
            },
            ("retry", [client_id]) => TabMessage::Retry {
                client_id: client_id.clone(),
            },
            ("discard", [client_id]) => TabMessage::Discard {
                client_id: client_id.clone(),
            },
            _ => return None,
        })
    }
}

fn encode_queued(out: &Outgoing, created: f64, put: &mut impl FnMut(&str)) {
    put("queued");
    for field in [&out.room, &out.user, &out.text, &out.client_id] {
        put(field);
    }
    put(&(created.max(0.0) as u64).to_string());
    put_opt(out.reply_to.as_deref(), put);
}

/// An optional field: `-` for none, `+` and the value for some.
fn put_opt(value: Option<&str>, put: &mut impl FnMut(&str)) {
    match value {
        None => put("-"),
        Some(v) => put(&format!("+{v}")),
    }
}

fn get_opt(field: &str) -> Option<Option<String>> {
    match field.split_at_checked(1)? {
        ("-", "") => Some(None),
        ("+", v) => Some(Some(v.to_string())),
        _ => None,
    }
}

fn encode_wire(m: &WireMessage, put: &mut impl FnMut(&str)) {
    put(&m.text);
    for field in [&m.id, &m.room, &m.user, &m.client_id] {
        put_opt(field.as_deref(), put);
    }
    // Whole milliseconds: the time is only shown.
    put_opt(
        m.ts.map(|t| (t.max(0.0) as u64).to_string()).as_deref(),
        put,
    );
}

fn decode_wire(fields: &[String]) -> Option<WireMessage> {
    let [text, id, room, user, client_id, ts] = fields else {
        return None;
    };
    Some(WireMessage {
        id: get_opt(id)?,
        room: get_opt(room)?,
        user: get_opt(user)?,
        text: text.clone(),
        ts: match get_opt(ts)? {
            None => None,
            Some(t) => Some(t.parse::<u64>().ok()? as f64),
        },
        client_id: get_opt(client_id)?,
        // Replies, edits and reactions come with the stream's events.
        extra: None,
    })
}

fn encode_reason(reason: &RequestError, put: &mut impl FnMut(&str)) {
    match reason {
        RequestError::Network(text) => {
            put("network");
            put(text);
        }
        RequestError::Http { status, detail } => {
            put("http");
            put(&status.to_string());
            put_opt(detail.as_deref(), put);
        }
        RequestError::Other(text) => {
            put("other");
            put(text);
        }
    }
}

fn decode_reason(fields: &[String]) -> Option<RequestError> {
    Some(match fields {
        [kind, text] if kind == "network" => RequestError::Network(text.clone()),
        [kind, status, detail] if kind == "http" => RequestError::Http {
            status: status.parse().ok()?,
            detail: get_opt(detail)?,
        },
        [kind, text] if kind == "other" => RequestError::Other(text.clone()),
        _ => return None,
    })
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
    /// By tab id, in order: a few tabs, so a sorted list (a map type of
    /// its own would cost the wasm a tree).
    others: Vec<(String, Vec<String>)>,
}

impl TabRooms {
    pub fn new(own: Vec<String>) -> Self {
        TabRooms {
            own,
            others: Vec::new(),
        }
    }

    /// The leader's own rooms changed.
    pub fn set_own(&mut self, rooms: Vec<String>) {
        self.own = rooms;
    }

    /// `tab` follows `rooms` (replacing what it followed).
    pub fn set(&mut self, tab: &str, rooms: Vec<String>) {
        match self.find(tab) {
            Ok(at) => {
                if let Some((_, old)) = self.others.get_mut(at) {
                    *old = rooms;
                }
            }
            Err(at) => self.others.insert(at, (tab.to_string(), rooms)),
        }
    }

    /// `tab` is gone.
    pub fn remove(&mut self, tab: &str) {
        if let Ok(at) = self.find(tab) {
            self.others.remove(at);
        }
    }

    /// Where `tab` is in `others`, or would be.
    fn find(&self, tab: &str) -> Result<usize, usize> {
        self.others.binary_search_by(|(t, _)| t.as_str().cmp(tab))
    }

    /// The other tabs that told their rooms.
    pub fn others(&self) -> impl Iterator<Item = String> + '_ {
        self.others.iter().map(|(tab, _)| tab.clone())
    }

    /// Whether any other tab listens (else nothing needs forwarding).
    pub fn has_others(&self) -> bool {
        !self.others.is_empty()
    }

    /// The rooms the stream follows: each once, the leader's first, then
    /// the other tabs' in tab order, at most [`MAX_ROOMS`].
    pub fn union(&self) -> Vec<String> {
        let mut all: Vec<String> = Vec::new();
        let others = self.others.iter().flat_map(|(_, rooms)| rooms);
        for room in self.own.iter().chain(others) {
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
                last_id: None,
            },
            TabMessage::Rooms {
                tab: "t1".into(),
                rooms: vec![],
                fresh: false,
                last_id: Some("1795440670:0".into()),
            },
            TabMessage::AdoptFrom { tab: "t2".into() },
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
            TabMessage::Adopt {
                live: names(&["t1", "t2"]),
            },
            TabMessage::Read {
                room: "general".into(),
            },
            TabMessage::Queued {
                out: Outgoing {
                    room: "general".into(),
                    user: "ann".into(),
                    text: "+ - two\nlines".into(),
                    client_id: "c1".into(),
                    reply_to: Some("41".into()),
                },
                created: 1.7e12,
            },
            TabMessage::Sent {
                client_id: "c1".into(),
                stored: None,
            },
            TabMessage::Sent {
                client_id: "c1".into(),
                stored: Some(WireMessage {
                    id: Some("42".into()),
                    room: Some("general".into()),
                    user: None,
                    text: "-".into(),
                    ts: Some(1.7e12),
                    client_id: Some("".into()),
                    extra: None,
                }),
            },
            TabMessage::Failed {
                client_id: "c1".into(),
                reason: RequestError::Http {
                    status: 422,
                    detail: Some("text is empty".into()),
                },
            },
            TabMessage::Failed {
                client_id: "c1".into(),
                reason: RequestError::Http {
                    status: 500,
                    detail: None,
                },
            },
            TabMessage::Failed {
                client_id: "c1".into(),
                reason: RequestError::Network("offline".into()),
            },
            TabMessage::Failed {
                client_id: "c1".into(),
                reason: RequestError::Other("old".into()),
            },
            TabMessage::Retry {
                client_id: "c1".into(),
            },
            TabMessage::Discard {
                client_id: "c1".into(),
            },
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
        assert_eq!(
            TabMessage::decode(&parts(&["sse-chat/1 sent", "c", "t", "x"])),
            None
        );
        assert_eq!(
            TabMessage::decode(&parts(&["sse-chat/1 failed", "c", "http", "x", "-"])),
            None
        );
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
    fn other_tabs_count_in_the_order_of_their_ids() {
        let mut rooms = TabRooms::new(Vec::new());
        rooms.set("t9", names(&["late"]));
        rooms.set("t1", names(&["early"]));
        rooms.set("t5", names(&["mid"]));
        assert_eq!(rooms.union(), ["early", "mid", "late"]);
        assert_eq!(rooms.others().collect::<Vec<_>>(), ["t1", "t5", "t9"]);
        rooms.remove("t5");
        rooms.remove("t0");
        assert_eq!(rooms.others().collect::<Vec<_>>(), ["t1", "t9"]);
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
