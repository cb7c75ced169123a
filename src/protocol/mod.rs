//! Wire protocol: turns SSE events into [`Incoming`] items and outgoing
//! messages into HTTP bodies, as the [`Config`] describes the backend.
//!
//! Pure Rust and total: [`decode`] returns an error for bad input and never
//! panics, whatever the bytes (see the corpus and property tests below).

use crate::config::{percent_encode, Config, PlainText, SendFormat};
pub use crate::errors::DecodeError;
use crate::errors::HistoryError;
pub use crate::time::{parse_rfc3339, parse_time, MAX_DATE_MS};
use serde_json::Value;

pub mod extra;
pub mod json;
pub use extra::{encode_change, Change, Extra, Quote, Reaction};
pub use json::Encoded;
use json::{first, scalar_string};

/// Longest text kept from one incoming event; anything beyond is cut so a
/// hostile or broken backend cannot make the page hold megabytes per line.
pub const MAX_INCOMING_TEXT: usize = 64 * 1024;

/// A chat message as the backend sent it, normalised.
#[derive(Clone, Debug, PartialEq)]
pub struct WireMessage {
    /// The backend's id (JSON id field, else the SSE `id:`), if any.
    pub id: Option<String>,
    /// Room named in the data; `None` when the backend does not say.
    pub room: Option<String>,
    /// Sender; `None` for anonymous or plain-text events.
    pub user: Option<String>,
    pub text: String,
    /// Milliseconds since the Unix epoch.
    pub ts: Option<f64>,
    /// The sender's idempotency key, echoed back by backends that keep it.
    pub client_id: Option<String>,
    /// Reply, edit, tombstone and reactions, when it has any.
    pub extra: Option<Box<Extra>>,
}

/// Who is in a room: a snapshot (`users`), or a change (`joined` and
/// `left`, each one name or a list), or both (the list after the change).
#[derive(Clone, Debug, PartialEq)]
pub struct Presence {
    pub room: String,
    pub users: Option<Vec<String>>,
    pub joined: Vec<String>,
    pub left: Vec<String>,
    /// How many users are present when the backend lists only some of
    /// them (a large room); absent means the list is complete.
    pub count: Option<usize>,
}

/// One decoded SSE event.
#[derive(Clone, Debug, PartialEq)]
pub enum Incoming {
    Message(WireMessage),
    /// A message's whole current state (edited, deleted, reactions): it
    /// replaces what is shown for the message with that id.
    Update(WireMessage),
    Presence(Presence),
    Typing {
        room: String,
        user: String,
    },
    /// Heartbeat: proves the stream is alive, carries nothing.
    Ping,
    /// An event type this configuration does not use.
    Ignored,
}

/// Decodes one SSE event (`event:` type, joined `data:`, and the id the
/// event carried itself, see [`own_event_id`]).
pub fn decode(
    cfg: &Config,
    event_type: &str,
    data: &str,
    event_id: &str,
) -> Result<Incoming, DecodeError> {
    decode_noting(cfg, event_type, data, event_id, &mut None)
}

/// [`decode`], also noting in `ignored` the first optional field that
/// could not be read (the message is kept without it).
pub fn decode_noting(
    cfg: &Config,
    event_type: &str,
    data: &str,
    event_id: &str,
    ignored: &mut Option<DecodeError>,
) -> Result<Incoming, DecodeError> {
    let is = |name: &Option<String>| name.as_deref() == Some(event_type);
    if cfg.message_events.iter().any(|e| e == event_type) {
        decode_message(cfg, data, event_id, ignored)
            .map(|m| m.map_or(Incoming::Ignored, Incoming::Message))
    } else if is(&cfg.changes.update_event) {
        decode_update(cfg, data)
    } else if is(&cfg.ping_event) {
        Ok(Incoming::Ping)
    } else if is(&cfg.presence_event) {
        decode_presence(data)
    } else if is(&cfg.typing_event) {
        decode_typing(data)
    } else {
        Ok(Incoming::Ignored)
    }
}

/// An update names its message by the JSON id: the SSE `id:` is the
/// change's own.
fn decode_update(cfg: &Config, data: &str) -> Result<Incoming, DecodeError> {
    match decode_message(cfg, data, "", &mut None) {
        Ok(Some(m)) if m.id.is_some() => Ok(Incoming::Update(m)),
        _ => Err(DecodeError::BadNotice("update")),
    }
}

fn decode_message(
    cfg: &Config,
    data: &str,
    event_id: &str,
    ignored: &mut Option<DecodeError>,
) -> Result<Option<WireMessage>, DecodeError> {
    let sse_id = (!event_id.is_empty()).then(|| event_id.to_string());
    let map = match serde_json::from_str::<Value>(data) {
        Ok(Value::Object(map)) => map,
        // A JSON string is plain text that happens to be quoted.
        Ok(Value::String(s)) => return Ok(plain(cfg, &s, sse_id)),
        _ => return Ok(plain(cfg, data, sse_id)),
    };
    let text = match first(&map, &cfg.fields.text) {
        None => return Err(DecodeError::MissingText),
        Some(v) => scalar_string(v).ok_or(DecodeError::BadField("text"))?,
    };
    // Optional fields that cannot be read fall back (anonymous, arrival
    // time, no id) and are reported once: the message itself is shown.
    let mut optional = |names: &[String], what: &'static str| match first(&map, names) {
        None | Some(Value::Null) => None,
        Some(v) => {
            let s = scalar_string(v);
            if s.is_none() {
                ignored.get_or_insert(DecodeError::BadField(what));
            }
            s
        }
    };
    let user = optional(&cfg.fields.user, "user");
    let room = optional(&cfg.fields.room, "room");
    let client_id = optional(&cfg.fields.client_id, "client_id");
    // The JSON id first; the SSE `id:` only when this event carried one.
    let id = optional(&cfg.fields.id, "id").or(sse_id);
    let ts = match first(&map, &cfg.fields.time) {
        None | Some(Value::Null) => None,
        Some(v) => {
            let t = parse_time(v);
            if t.is_none() {
                ignored.get_or_insert(DecodeError::BadField("time"));
            }
            t
        }
    };
    Ok(Some(WireMessage {
        id,
        room: room.filter(|r| !r.is_empty()),
        user: user.filter(|u| !u.is_empty()),
        text: clip(text),
        ts,
        client_id: client_id.filter(|c| !c.is_empty()),
        extra: extra::decode(&cfg.changes, &map),
    }))
}

/// Longest event id sent back to the backend in the resume parameter.
pub const MAX_RESUME_ID: usize = 256;

/// Whether an event id may be sent back in the resume URL: not empty and
/// at most [`MAX_RESUME_ID`] bytes (a hostile `id:` must not grow URLs).
pub fn resumable_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= MAX_RESUME_ID
}

/// The id an event carried itself. The browser's `lastEventId` carries
/// over from earlier events (a ping's, or a message's before) to events
/// that have no `id:` field, and ignores an `id:` with a NUL: an id equal
/// to the one before it on the same source is not this event's own.
pub fn own_event_id<'a>(previous: &str, current: &'a str) -> &'a str {
    if current == previous {
        ""
    } else {
        current
    }
}

fn plain(cfg: &Config, text: &str, id: Option<String>) -> Option<WireMessage> {
    match cfg.plain_text {
        PlainText::Ignore => None,
        PlainText::Message => Some(WireMessage {
            id,
            room: None,
            user: None,
            text: clip(text.to_string()),
            ts: None,
            client_id: None,
            extra: None,
        }),
    }
}

fn clip(mut text: String) -> String {
    if text.len() > MAX_INCOMING_TEXT {
        let mut cut = MAX_INCOMING_TEXT;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        text.truncate(cut);
        text.push('…');
    }
    text
}

fn decode_presence(data: &str) -> Result<Incoming, DecodeError> {
    let bad = DecodeError::BadNotice("presence");
    let Ok(Value::Object(map)) = serde_json::from_str::<Value>(data) else {
        return Err(bad);
    };
    let room = map.get("room").and_then(Value::as_str).ok_or(bad.clone())?;
    // A name or a list of names; absent or null is none.
    let names = |k: &str| -> Result<Vec<String>, DecodeError> {
        match map.get(k) {
            None | Some(Value::Null) => Ok(Vec::new()),
            Some(Value::String(s)) => Ok(vec![s.clone()]),
            Some(Value::Array(items)) => Ok(items
                .iter()
                .filter_map(|u| u.as_str().map(String::from))
                .collect()),
            Some(_) => Err(bad.clone()),
        }
    };
    let users = match map.get("users") {
        None | Some(Value::Null) => None,
        Some(Value::Array(_)) => Some(names("users")?),
        Some(_) => return Err(bad),
    };
    Ok(Incoming::Presence(Presence {
        room: room.to_string(),
        users,
        joined: names("joined")?,
        left: names("left")?,
        // Anything but a whole number is no count: the list stands alone.
        count: map
            .get("count")
            .and_then(Value::as_u64)
            .and_then(|n| usize::try_from(n).ok()),
    }))
}

fn decode_typing(data: &str) -> Result<Incoming, DecodeError> {
    let Ok(Value::Object(map)) = serde_json::from_str::<Value>(data) else {
        return Err(DecodeError::BadNotice("typing"));
    };
    let get = |k: &str| map.get(k).and_then(Value::as_str).map(String::from);
    match (get("room"), get("user")) {
        (Some(room), Some(user)) => Ok(Incoming::Typing { room, user }),
        _ => Err(DecodeError::BadNotice("typing")),
    }
}

/// A message on its way out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outgoing {
    pub room: String,
    pub user: String,
    pub text: String,
    pub client_id: String,
    /// The id of the message this one answers.
    pub reply_to: Option<String>,
}

/// Encodes a message in the configured send format. With a data field
/// (`sendDataField`, Mercure-style hubs), the message object travels as
/// JSON inside that one field, beside the room field.
pub fn encode(cfg: &Config, msg: &Outgoing) -> Encoded {
    let f = &cfg.send_fields;
    let fields = [
        (&f.room, &msg.room),
        (&f.user, &msg.user),
        (&f.text, &msg.text),
        (&f.client_id, &msg.client_id),
    ];
    // In the configured order (a form body keeps it).
    let mut object: Vec<(String, Value)> = fields
        .iter()
        .filter(|(name, _)| !name.is_empty())
        .map(|(k, v)| ((*k).clone(), Value::String((*v).clone())))
        .collect();
    if let (Some(field), Some(id)) = (&cfg.changes.reply_field, &msg.reply_to) {
        object.push((field.clone(), extra::id_value(id)));
    }
    // The outer fields: every field, or the room and the data field.
    let outer: Vec<(String, Value)> = match &cfg.send_data_field {
        None => object,
        Some(d) => {
            let room = (!f.room.is_empty() && f.room != *d)
                .then(|| (f.room.clone(), Value::String(msg.room.clone())));
            let data = (d.clone(), json_object(object));
            room.into_iter().chain([data]).collect()
        }
    };
    match cfg.send_format {
        SendFormat::Json => Encoded {
            content_type: "application/json",
            body: json_object(outer).to_string(),
        },
        SendFormat::Form => Encoded {
            content_type: "application/x-www-form-urlencoded",
            body: outer
                .iter()
                .map(|(k, v)| {
                    let v = match v {
                        Value::String(s) => s.clone(),
                        other => other.to_string(),
                    };
                    format!("{}={}", percent_encode(k), percent_encode(&v))
                })
                .collect::<Vec<_>>()
                .join("&"),
        },
        SendFormat::Text => Encoded {
            content_type: "text/plain;charset=UTF-8",
            body: msg.text.clone(),
        },
    }
}

/// A JSON object of `pairs` (a repeated name keeps its last value). Built
/// by insertion: collecting would bring a sort into the wasm for this alone.
fn json_object(pairs: Vec<(String, Value)>) -> Value {
    let mut map = serde_json::Map::new();
    for (k, v) in pairs {
        map.insert(k, v);
    }
    Value::Object(map)
}

/// Encodes a typing notice (always JSON: only backends with a typing URL get one).
pub fn encode_typing(room: &str, user: &str) -> Encoded {
    Encoded {
        content_type: "application/json",
        body: serde_json::json!({ "room": room, "user": user }).to_string(),
    }
}

/// Decodes the body of a successful send: the stored message when the
/// backend returns one (as JSON), else `None`.
pub fn decode_send_response(cfg: &Config, body: &str) -> Option<WireMessage> {
    match serde_json::from_str::<Value>(body) {
        Ok(Value::Object(_)) => decode_message(cfg, body, "", &mut None).ok().flatten(),
        _ => None,
    }
}

/// A page of older messages, oldest first.
pub struct HistoryPage {
    pub messages: Vec<WireMessage>,
    pub has_more: bool,
}

/// Decodes a history answer: `{"messages": [...], "has_more": bool}` or
/// a bare array (full means more may exist). Items that do not decode are skipped: one bad
/// row must not hide the page.
pub fn decode_history(cfg: &Config, body: &str, limit: usize) -> Result<HistoryPage, HistoryError> {
    let value: Value =
        serde_json::from_str(body).map_err(|e| HistoryError::NotJson(e.to_string()))?;
    let (items, has_more) = match &value {
        Value::Array(items) => (items.as_slice(), items.len() >= limit),
        Value::Object(map) => (
            map.get("messages")
                .and_then(Value::as_array)
                .map(Vec::as_slice)
                .unwrap_or(&[]),
            map.get("has_more")
                .and_then(Value::as_bool)
                .unwrap_or(false),
        ),
        _ => return Err(HistoryError::BadShape),
    };
    let event = cfg
        .message_events
        .first()
        .map(String::as_str)
        .unwrap_or("message");
    let messages = items
        .iter()
        .filter_map(|item| match decode(cfg, event, &item.to_string(), "") {
            Ok(Incoming::Message(m)) => Some(m),
            _ => None,
        })
        .collect();
    Ok(HistoryPage { messages, has_more })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg() -> Config {
        Config::default()
    }

    fn msg(data: &str, id: &str) -> WireMessage {
        match decode(&cfg(), "message", data, id) {
            Ok(Incoming::Message(m)) => m,
            other => panic!("not a message: {other:?}"),
        }
    }

    #[test]
    fn reference_backend_message() {
        let m = msg(
            r#"{"id":42,"room":"general","user":"alice","text":"hi\nthere","ts":1763712000000,"client_id":"abc"}"#,
            "42",
        );
        assert_eq!(m.id.as_deref(), Some("42"));
        assert_eq!(m.room.as_deref(), Some("general"));
        assert_eq!(m.user.as_deref(), Some("alice"));
        assert_eq!(m.text, "hi\nthere");
        assert_eq!(m.ts, Some(1763712000000.0));
        assert_eq!(m.client_id.as_deref(), Some("abc"));
    }

    #[test]
    fn aliases_and_loose_types() {
        let m = msg(
            r#"{"message":"yo","author":"bob","channel":"x","time":"1763712000"}"#,
            "7",
        );
        assert_eq!(
            (m.text.as_str(), m.user.as_deref(), m.room.as_deref()),
            ("yo", Some("bob"), Some("x"))
        );
        assert_eq!(m.id.as_deref(), Some("7"), "falls back to the SSE id");
        assert_eq!(m.ts, Some(1763712000000.0), "seconds become ms");
        let m = msg(r#"{"content": 12345, "from": 7, "id": "9"}"#, "");
        assert_eq!(
            (m.text.as_str(), m.user.as_deref(), m.id.as_deref()),
            ("12345", Some("7"), Some("9"))
        );
        let m = msg(
            r#"{"body":"b","created_at":"2025-11-21T10:00:00.250+01:00"}"#,
            "",
        );
        assert_eq!(m.ts, Some(1763715600250.0));
    }

    fn msg_with(c: &Config, data: &str) -> WireMessage {
        match decode(c, "message", data, "") {
            Ok(Incoming::Message(m)) => m,
            other => panic!("not a message: {other:?}"),
        }
    }

    #[test]
    fn plain_text_and_quoted_strings() {
        let m = msg("hello <b>world</b>", "3");
        assert_eq!(
            (m.text.as_str(), m.user, m.id.as_deref()),
            ("hello <b>world</b>", None, Some("3"))
        );
        assert_eq!(msg(r#""quoted""#, "").text, "quoted");
        assert_eq!(msg("[1,2]", "").text, "[1,2]");
        let mut c = cfg();
        c.plain_text = PlainText::Ignore;
        assert_eq!(decode(&c, "message", "plain", ""), Ok(Incoming::Ignored));
    }

    #[test]
    fn bad_messages_are_errors_not_panics() {
        let c = cfg();
        assert_eq!(
            decode(&c, "message", r#"{"user":"a"}"#, ""),
            Err(DecodeError::MissingText)
        );
        assert_eq!(
            decode(&c, "message", r#"{"text":{"a":1}}"#, ""),
            Err(DecodeError::BadField("text"))
        );
    }

    #[test]
    fn unreadable_optional_fields_fall_back_and_are_noted_once() {
        let c = cfg();
        let mut ignored = None;
        let data = r#"{"text":"t","ts":"1:31:26 PM","user":[1],"id":{"x":1}}"#;
        let Ok(Incoming::Message(m)) = decode_noting(&c, "message", data, "5", &mut ignored) else {
            panic!("the message must be kept");
        };
        assert_eq!((m.text.as_str(), m.ts, m.user), ("t", None, None));
        assert_eq!(
            m.id.as_deref(),
            Some("5"),
            "an unusable JSON id falls back to the SSE id"
        );
        assert_eq!(
            ignored,
            Some(DecodeError::BadField("user")),
            "the first one is noted"
        );
        let mut ignored = None;
        let _ = decode_noting(
            &c,
            "message",
            r#"{"text":"t","user":"a"}"#,
            "",
            &mut ignored,
        );
        assert_eq!(ignored, None);
    }

    #[test]
    fn dotted_field_paths_reach_into_nested_payloads() {
        let mut c = cfg();
        c.fields.text = vec!["data.text".into()];
        c.fields.user = vec!["data.author.name".into(), "user".into()];
        let m = msg_with(&c, r#"{"data":{"text":"deep","author":{"name":"ann"}}}"#);
        assert_eq!((m.text.as_str(), m.user.as_deref()), ("deep", Some("ann")));
        // A key spelled with a dot wins over the path; a missing path falls through.
        let m = msg_with(
            &c,
            r#"{"data.text":"flat","data":{"text":"deep"},"user":"u"}"#,
        );
        assert_eq!((m.text.as_str(), m.user.as_deref()), ("flat", Some("u")));
        assert_eq!(
            decode(&c, "message", r#"{"data":"not an object"}"#, ""),
            Err(DecodeError::MissingText)
        );
    }

    #[test]
    fn only_short_ids_are_sent_back() {
        assert!(resumable_id("1795440670:0"));
        assert!(resumable_id(&"x".repeat(MAX_RESUME_ID)));
        assert!(!resumable_id(&"x".repeat(MAX_RESUME_ID + 1)));
        assert!(!resumable_id(""));
    }

    #[test]
    fn carried_over_event_ids_are_not_the_events_own() {
        assert_eq!(own_event_id("", "7"), "7");
        assert_eq!(
            own_event_id("7", "7"),
            "",
            "no id: field, the 7 carried over"
        );
        assert_eq!(own_event_id("7", "8"), "8");
        assert_eq!(own_event_id("7", ""), "", "an empty id: resets");
    }

    #[test]
    fn iso_times_without_an_offset_are_utc() {
        assert_eq!(parse_rfc3339("2025-11-21T10:00:00"), Some(1763719200000.0));
        assert_eq!(
            parse_rfc3339("2025-11-21T10:00:00.123456"),
            Some(1763719200123.0)
        );
        assert_eq!(
            parse_time(&Value::String(" 1763719200 ".into())),
            Some(1763719200000.0)
        );
        assert_eq!(parse_rfc3339("2025-11-21T10:00:00+0100"), None);
    }

    #[test]
    fn huge_and_control_text() {
        let huge = "é".repeat(MAX_INCOMING_TEXT);
        let m = msg(&serde_json::json!({ "text": huge }).to_string(), "");
        assert!(m.text.len() <= MAX_INCOMING_TEXT + '…'.len_utf8());
        assert!(m.text.ends_with('…'));
        let m = msg(r#"{"text":"a\u0000b\u001b[31m"}"#, "");
        assert_eq!(
            m.text, "a\u{0}b\u{1b}[31m",
            "kept as text; the UI renders text nodes only"
        );
    }

    #[test]
    fn other_event_types() {
        let c = cfg();
        assert_eq!(decode(&c, "ping", "{}", ""), Ok(Incoming::Ping));
        assert_eq!(decode(&c, "ready", "{}", ""), Ok(Incoming::Ignored));
        assert_eq!(decode(&c, "whatever", "x", ""), Ok(Incoming::Ignored));
        assert_eq!(
            decode(
                &c,
                "presence",
                r#"{"room":"g","users":["a","b"],"joined":"b"}"#,
                ""
            ),
            Ok(Incoming::Presence(Presence {
                room: "g".into(),
                users: Some(vec!["a".into(), "b".into()]),
                joined: vec!["b".into()],
                left: vec![],
                count: None,
            }))
        );
        assert_eq!(
            decode(
                &c,
                "presence",
                r#"{"room":"g","joined":["b","c"],"left":"d"}"#,
                ""
            ),
            Ok(Incoming::Presence(Presence {
                room: "g".into(),
                users: None,
                joined: vec!["b".into(), "c".into()],
                left: vec!["d".into()],
                count: None,
            }))
        );
        let count = |data: &str| match decode(&c, "presence", data, "") {
            Ok(Incoming::Presence(p)) => p.count,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            count(r#"{"room":"g","users":["a"],"count":1000}"#),
            Some(1000)
        );
        assert_eq!(count(r#"{"room":"g","count":7}"#), Some(7), "a count alone");
        assert_eq!(count(r#"{"room":"g","joined":"a","count":"many"}"#), None);
        assert_eq!(count(r#"{"room":"g","joined":"a","count":-1}"#), None);
        assert_eq!(
            decode(&c, "presence", r#"{"room":"g","joined":3}"#, ""),
            Err(DecodeError::BadNotice("presence"))
        );
        assert_eq!(
            decode(&c, "presence", "nope", ""),
            Err(DecodeError::BadNotice("presence"))
        );
        assert_eq!(
            decode(&c, "typing", r#"{"room":"g","user":"a","ts":1}"#, ""),
            Ok(Incoming::Typing {
                room: "g".into(),
                user: "a".into()
            })
        );
        assert_eq!(
            decode(&c, "typing", r#"{"room":"g"}"#, ""),
            Err(DecodeError::BadNotice("typing"))
        );
    }

    #[test]
    fn times_a_date_cannot_hold_are_refused() {
        // Shown, such a time would make the browser throw (RangeError).
        let c = cfg();
        assert_eq!(
            msg_with(&c, r#"{"text":"t","ts":1e20}"#).ts,
            None,
            "kept, untimed"
        );
        assert_eq!(parse_time(&Value::from(8.64e15)), Some(8.64e15));
        assert_eq!(parse_time(&Value::from(8.64e15 + 1.0)), None);
        assert_eq!(
            parse_rfc3339("9999-12-31T23:59:59Z").map(|t| t <= MAX_DATE_MS),
            Some(true)
        );
    }

    #[test]
    fn rfc3339() {
        assert_eq!(parse_rfc3339("1970-01-01T00:00:00Z"), Some(0.0));
        assert_eq!(parse_rfc3339("2000-03-01T00:00:00Z"), Some(951868800000.0));
        assert_eq!(
            parse_rfc3339("2000-03-01T00:00:00"),
            Some(951868800000.0),
            "naive: UTC"
        );
        assert_eq!(parse_rfc3339("2000-13-01T00:00:00Z"), None);
        assert_eq!(parse_rfc3339("2000-03-01T00:00:00.Z"), None);
        assert_eq!(parse_rfc3339("２０００-03-01T00:00:00Z"), None);
    }

    #[test]
    fn two_fields_of_one_name_send_the_later_one() {
        // Nothing forbids naming two send fields alike; the text, after the
        // user in the field order, is what the name carries.
        let mut c = cfg();
        c.send_fields.text = "user".into();
        let out = Outgoing {
            room: "general".into(),
            user: "ann".into(),
            text: "hi".into(),
            client_id: "c1".into(),
            reply_to: None,
        };
        let v: Value = serde_json::from_str(&encode(&c, &out).body).unwrap();
        assert_eq!(v["user"], "hi");
        assert_eq!(v.as_object().map(|o| o.len()), Some(3));
    }

    #[test]
    fn a_data_field_carries_the_message_as_json_beside_the_room() {
        let mut c = cfg();
        c.send_data_field = Some("data".into());
        c.send_fields.room = "topic".into();
        c.send_format = SendFormat::Form;
        let out = Outgoing {
            room: "general".into(),
            user: "ann".into(),
            text: "hi & bye".into(),
            client_id: "c1".into(),
            reply_to: None,
        };
        let body = encode(&c, &out).body;
        let (topic, data) = body.split_once('&').unwrap();
        assert_eq!(topic, "topic=general");
        let json = crate::config::percent_decode(data.strip_prefix("data=").unwrap());
        let v: Value = serde_json::from_str(&json).unwrap();
        assert_eq!(
            (
                v["topic"].as_str(),
                v["user"].as_str(),
                v["text"].as_str(),
                v["client_id"].as_str()
            ),
            (Some("general"), Some("ann"), Some("hi & bye"), Some("c1"))
        );
        c.send_format = SendFormat::Json;
        let v: Value = serde_json::from_str(&encode(&c, &out).body).unwrap();
        assert_eq!(
            (v["topic"].as_str(), v["data"]["text"].as_str()),
            (Some("general"), Some("hi & bye"))
        );
    }

    #[test]
    fn updates_name_their_message_by_the_json_id() {
        let c = cfg();
        let data = r#"{"id":5,"room":"g","user":"a","text":"","ts":1,"deleted":true}"#;
        let Ok(Incoming::Update(m)) = decode(&c, "update", data, "17") else {
            panic!("not an update")
        };
        // The SSE id (17) is the change's, not the message's.
        assert_eq!(m.id.as_deref(), Some("5"));
        assert!(m.extra.unwrap().deleted);
        let no_id = r#"{"room":"g","text":"x"}"#;
        assert_eq!(
            decode(&c, "update", no_id, "17"),
            Err(DecodeError::BadNotice("update"))
        );
        // Switched off, an update is just another event type.
        let mut off = cfg();
        off.changes.update_event = None;
        assert_eq!(decode(&off, "update", data, "17"), Ok(Incoming::Ignored));
    }

    #[test]
    fn a_reply_sends_the_originals_id() {
        let out = Outgoing {
            room: "g".into(),
            user: "u".into(),
            text: "yes".into(),
            client_id: "k".into(),
            reply_to: Some("41".into()),
        };
        let mut c = cfg();
        let v: Value = serde_json::from_str(&encode(&c, &out).body).unwrap();
        assert_eq!(v["reply_to"], serde_json::json!(41));
        c.changes.reply_field = None;
        let v: Value = serde_json::from_str(&encode(&c, &out).body).unwrap();
        assert_eq!(v.get("reply_to"), None);
    }

    #[test]
    fn encode_formats() {
        let out = Outgoing {
            room: "general".into(),
            user: "Zoë".into(),
            text: "a&b=c\n".into(),
            client_id: "k1".into(),
            reply_to: None,
        };
        let mut c = cfg();
        let e = encode(&c, &out);
        assert_eq!(e.content_type, "application/json");
        let v: Value = serde_json::from_str(&e.body).unwrap();
        assert_eq!(
            v,
            serde_json::json!({"room":"general","user":"Zoë","text":"a&b=c\n","client_id":"k1"})
        );

        c.send_format = SendFormat::Form;
        c.send_fields.client_id = String::new();
        c.send_fields.text = "msg".into();
        assert_eq!(
            encode(&c, &out).body,
            "room=general&user=Zo%C3%AB&msg=a%26b%3Dc%0A"
        );

        c.send_format = SendFormat::Text;
        assert_eq!(encode(&c, &out).body, "a&b=c\n");
    }

    #[test]
    fn send_response() {
        let c = cfg();
        let m = decode_send_response(
            &c,
            r#"{"id":5,"room":"g","user":"a","text":"t","ts":1,"client_id":"k"}"#,
        )
        .unwrap();
        assert_eq!(m.id.as_deref(), Some("5"));
        assert_eq!(decode_send_response(&c, "ok"), None);
    }

    #[test]
    fn history_pages_as_object_or_list_skip_bad_rows() {
        let c = cfg();
        let page = decode_history(
            &c,
            r#"{"messages":[{"id":1,"text":"a"},{"nope":true},{"id":2,"text":"b"}],"has_more":true}"#,
            50,
        )
        .unwrap();
        let texts: Vec<_> = page.messages.iter().map(|m| m.text.as_str()).collect();
        assert_eq!((texts, page.has_more), (vec!["a", "b"], true));
        let full = decode_history(&c, r#"[{"text":"x"},{"text":"y"}]"#, 2).unwrap();
        assert!(full.has_more, "a full bare list may have more");
        assert!(matches!(
            decode_history(&c, "<html>", 2),
            Err(HistoryError::NotJson(_))
        ));
        assert_eq!(
            decode_history(&c, "3", 2).err(),
            Some(HistoryError::BadShape)
        );
    }

    // proptest is a native-only dev-dependency.
    #[cfg(not(target_arch = "wasm32"))]
    mod corpus {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(2000))]

            #[test]
            fn decode_never_panics(event in "message|ping|presence|typing|[a-z]{0,8}", data in any::<String>(), id in any::<String>()) {
                let _ = decode(&Config::default(), &event, &data, &id);
            }

            #[test]
            fn decode_json_shaped_input(data in r#"\{("(text|user|ts|id|room|users|joined)":(-?[0-9]{1,20}(\.[0-9]+)?|"[^"\\]{0,10}"|null|true|\[\]|\{\}),?){0,6}\}?"#) {
                for event in ["message", "presence", "typing"] {
                    let _ = decode(&Config::default(), event, &data, "1");
                }
            }

            #[test]
            fn text_round_trips(text in any::<String>()) {
                let data = serde_json::json!({ "text": text, "user": "u" }).to_string();
                let decoded = decode(&Config::default(), "message", &data, "").unwrap();
                let Incoming::Message(m) = decoded else { panic!("not a message") };
                if text.len() <= MAX_INCOMING_TEXT { prop_assert_eq!(m.text, text); }
            }

            #[test]
            fn time_parsing_is_total(s in any::<String>()) {
                let _ = parse_rfc3339(&s);
                let _ = parse_time(&Value::String(s));
            }
        }
    }
}
