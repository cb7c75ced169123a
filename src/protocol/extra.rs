//! What a message may carry besides its text: the message it answers, when
//! it was edited, whether it is a tombstone, and its reactions. Read from
//! the fields the configuration names ([`Changes`]); absent, unreadable or
//! switched-off fields leave the message plain.

use super::json::{lookup, scalar_string, Encoded};
use crate::config::Changes;
use crate::time::parse_time;
use serde_json::{Map, Value};

/// Most distinct emoji kept per message, and names kept per emoji: a
/// hostile backend must not make one row hold megabytes.
pub const MAX_REACTIONS: usize = 20;
pub const MAX_REACTORS: usize = 500;
/// Most characters of the original a quote keeps.
pub const MAX_QUOTE: usize = 200;

/// The original a reply answers, as the backend described it.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Quote {
    pub id: Box<str>,
    /// Absent when the backend sent only the id (the UI then looks the
    /// original up among the messages it holds).
    pub user: Option<Box<str>>,
    pub text: Box<str>,
    pub deleted: bool,
}

/// One emoji on a message and who used it.
#[derive(Clone, Debug, PartialEq)]
pub struct Reaction {
    pub emoji: Box<str>,
    pub users: Vec<Box<str>>,
}

impl Reaction {
    /// Whether `user` is among those who used it.
    pub fn by(&self, user: &str) -> bool {
        self.users.iter().any(|u| &**u == user)
    }
}

/// The optional parts of a message. Boxed in messages that have any, so a
/// plain message pays one pointer for them.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Extra {
    pub reply: Option<Quote>,
    /// Epoch ms of the last edit.
    pub edited_at: Option<f64>,
    /// A tombstone: the author deleted it.
    pub deleted: bool,
    pub reactions: Vec<Reaction>,
}

impl Extra {
    /// The reactions of `emoji`, if anyone used it.
    pub fn reaction(&self, emoji: &str) -> Option<&Reaction> {
        self.reactions.iter().find(|r| &*r.emoji == emoji)
    }
}

/// Reads the configured fields of `map`; `None` when the message has none
/// of them (the common case: nothing is allocated).
pub(super) fn decode(cfg: &Changes, map: &Map<String, Value>) -> Option<Box<Extra>> {
    let field = |name: &Option<String>| name.as_deref().and_then(|n| lookup(map, n));
    let extra = Extra {
        reply: field(&cfg.reply_field).and_then(quote),
        edited_at: field(&cfg.edited_field).and_then(parse_time),
        deleted: field(&cfg.deleted_field).and_then(Value::as_bool) == Some(true),
        reactions: field(&cfg.reactions_field)
            .and_then(Value::as_array)
            .map(|items| reactions(items))
            .unwrap_or_default(),
    };
    (extra != Extra::default()).then(|| Box::new(extra))
}

/// The first `max` characters of `text`, with "…" when it was longer.
pub fn clip(text: &str, max: usize) -> Box<str> {
    match text.char_indices().nth(max) {
        Some((cut, _)) => format!("{}…", &text[..cut]).into(),
        None => text.into(),
    }
}

/// An object `{"id","user","text","deleted"}`, or a bare id.
fn quote(v: &Value) -> Option<Quote> {
    let str_of =
        |o: &Map<String, Value>, k: &str| o.get(k).and_then(Value::as_str).map(String::from);
    match v {
        Value::Object(o) => Some(Quote {
            id: scalar_string(o.get("id")?)?.into(),
            user: str_of(o, "user").filter(|u| !u.is_empty()).map(Into::into),
            text: clip(&str_of(o, "text").unwrap_or_default(), MAX_QUOTE),
            deleted: o.get("deleted").and_then(Value::as_bool) == Some(true),
        }),
        Value::Null => None,
        other => Some(Quote {
            id: scalar_string(other)?.into(),
            ..Quote::default()
        }),
    }
}

/// `[{"emoji": "👍", "users": ["alice"]}]`; malformed items are skipped.
fn reactions(items: &[Value]) -> Vec<Reaction> {
    items
        .iter()
        .filter_map(|item| {
            let emoji = item.get("emoji")?.as_str()?;
            let users: Vec<Box<str>> = item
                .get("users")?
                .as_array()?
                .iter()
                .filter_map(Value::as_str)
                .take(MAX_REACTORS)
                .map(Into::into)
                .collect();
            (!emoji.is_empty() && !users.is_empty()).then(|| Reaction {
                emoji: clip(emoji, 16),
                users,
            })
        })
        .take(MAX_REACTIONS)
        .collect()
}

/// A change to a message, as the user asks for it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Change {
    Edit { text: String },
    Delete,
    React { emoji: String, on: bool },
}

/// A message id as JSON: a number when it is one (the reference backend
/// wants integers), else the string.
pub(super) fn id_value(id: &str) -> Value {
    match id.parse::<i64>() {
        Ok(n) => Value::from(n),
        Err(_) => Value::String(id.to_string()),
    }
}

/// The JSON body of a change request (always JSON: only backends with
/// change URLs get one).
pub fn encode_change(room: &str, user: &str, change: &Change) -> Encoded {
    let mut body = Map::new();
    body.insert("room".into(), room.into());
    body.insert("user".into(), user.into());
    match change {
        Change::Edit { text } => {
            body.insert("text".into(), text.as_str().into());
        }
        Change::Delete => {}
        Change::React { emoji, on } => {
            body.insert("emoji".into(), emoji.as_str().into());
            body.insert("on".into(), (*on).into());
        }
    }
    Encoded {
        content_type: "application/json",
        body: Value::Object(body).to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    fn extra(json: &str) -> Option<Box<Extra>> {
        let Ok(Value::Object(map)) = serde_json::from_str::<Value>(json) else {
            panic!("{json}")
        };
        decode(&Config::default().changes, &map)
    }

    #[test]
    fn a_plain_message_has_no_extra() {
        assert_eq!(extra(r#"{"id":1,"text":"hi"}"#), None);
        assert_eq!(
            extra(r#"{"deleted":false,"reactions":[],"reply_to":null}"#),
            None
        );
    }

    #[test]
    fn replies_edits_tombstones_and_reactions() {
        let e = extra(
            r#"{"reply_to":{"id":4,"user":"bob","text":"hey"},"edited_at":1763712000000,
                "reactions":[{"emoji":"👍","users":["a","b"]},{"emoji":"","users":["x"]},
                {"emoji":"🎉","users":[]},{"bad":1}]}"#,
        )
        .unwrap();
        let q = e.reply.clone().unwrap();
        assert_eq!(
            (&*q.id, q.user.as_deref(), &*q.text),
            ("4", Some("bob"), "hey")
        );
        assert_eq!(e.edited_at, Some(1_763_712_000_000.0));
        assert_eq!(
            e.reactions.len(),
            1,
            "empty emoji and empty lists are skipped"
        );
        assert!(e.reaction("👍").unwrap().by("b"));
        assert!(!e.reaction("👍").unwrap().by("c"));
        let t = extra(r#"{"deleted":true,"reply_to":{"id":"x","deleted":true}}"#).unwrap();
        assert!(t.deleted && t.reply.unwrap().deleted);
        // A bare id names the original without describing it.
        let bare = extra(r#"{"reply_to":17}"#).unwrap().reply.unwrap();
        assert_eq!((&*bare.id, bare.user), ("17", None));
    }

    #[test]
    fn hostile_sizes_are_cut() {
        let many: Vec<String> = (0..50)
            .map(|i| format!(r#"{{"emoji":"e{i}","users":["u"]}}"#))
            .collect();
        let e = extra(&format!(r#"{{"reactions":[{}]}}"#, many.join(","))).unwrap();
        assert_eq!(e.reactions.len(), MAX_REACTIONS);
        let long = "q".repeat(1000);
        let e = extra(&format!(r#"{{"reply_to":{{"id":1,"text":"{long}"}}}}"#)).unwrap();
        assert_eq!(e.reply.unwrap().text.chars().count(), MAX_QUOTE + 1);
    }

    #[test]
    fn change_bodies() {
        let body = |c: &Change| -> Value {
            serde_json::from_str(&encode_change("r", "zoë", c).body).unwrap()
        };
        assert_eq!(
            body(&Change::Edit { text: "x\n".into() }),
            serde_json::json!({"room": "r", "user": "zoë", "text": "x\n"})
        );
        assert_eq!(
            body(&Change::Delete),
            serde_json::json!({"room": "r", "user": "zoë"})
        );
        assert_eq!(
            body(&Change::React {
                emoji: "👍".into(),
                on: false
            }),
            serde_json::json!({"room": "r", "user": "zoë", "emoji": "👍", "on": false})
        );
        assert_eq!(id_value("42"), Value::from(42));
        assert_eq!(id_value("urn:x"), Value::from("urn:x"));
    }

    #[test]
    fn switched_off_fields_are_not_read() {
        let mut c = Config::default().changes;
        c.reply_field = None;
        c.reactions_field = None;
        let Ok(Value::Object(map)) = serde_json::from_str::<Value>(
            r#"{"reply_to":1,"reactions":[{"emoji":"a","users":["b"]}]}"#,
        ) else {
            unreachable!()
        };
        assert_eq!(decode(&c, &map), None);
    }
}
