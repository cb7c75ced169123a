//! The one table of settings keys.
//!
//! Every key the configuration accepts is one [`Setting`] in [`SETTINGS`]:
//! its camelCase name and the function that checks a raw value and stores
//! it in the [`Config`]. `config.json` parsing, URL parameters, the
//! unknown-key error, [`KEYS`] and the README check all read this table, so
//! adding a key here is the whole job on the Rust side (plus its field and
//! default in `Config`, and its row in README.md, which a test demands).

use super::model::Config;
use super::presets::{self, preset, Preset};
use super::values::{
    boolean, field_name, name, names, number, optional, plain_text, room_names, send_format,
    url_template, Raw,
};

/// Checks a raw value and stores it in the configuration, or says what is
/// wrong with it.
pub(super) type Setter = fn(&mut Config, &Raw<'_>) -> Result<(), String>;

/// One accepted settings key.
pub(super) struct Setting {
    /// The camelCase key, as written in `config.json` and URL parameters.
    pub name: &'static str,
    /// Parses the value and stores it in the matching `Config` field.
    pub set: Setter,
}

/// Placeholders each URL template may use (see the `Config` field docs).
/// `rooms:*` allows `{rooms:PARAM}`, a query parameter repeated per room.
const EVENTS_PLACEHOLDERS: &[&str] = &["rooms", "rooms:*", "room", "user"];
const SEND_PLACEHOLDERS: &[&str] = &["room", "user"];
const HISTORY_PLACEHOLDERS: &[&str] = &["room", "before", "limit"];
const CHANGE_PLACEHOLDERS: &[&str] = &["id", "room", "user"];
const SEARCH_PLACEHOLDERS: &[&str] = &["room", "q", "limit"];

/// Every setting, in README order. Each setter is a non-capturing closure
/// (`parse(raw).map(|v| store v)`) so the key and the field it writes sit on
/// neighbouring lines.
pub(super) const SETTINGS: &[Setting] = &[
    // Applied before every other key whatever its position (see `load`).
    Setting {
        name: presets::KEY,
        set: |c, r| preset(r).and_then(|p| apply_preset(c, p)),
    },
    Setting {
        name: "eventsUrl",
        set: |c, r| url_template(r, EVENTS_PLACEHOLDERS).map(|v| c.events_url = v),
    },
    Setting {
        name: "sendUrl",
        // Empty: read-only, no composer.
        set: |c, r| optional(r, |r| url_template(r, SEND_PLACEHOLDERS)).map(|v| c.send_url = v),
    },
    Setting {
        name: "historyUrl",
        set: |c, r| {
            optional(r, |r| url_template(r, HISTORY_PLACEHOLDERS)).map(|v| c.history_url = v)
        },
    },
    Setting {
        name: "typingUrl",
        set: |c, r| optional(r, |r| url_template(r, SEND_PLACEHOLDERS)).map(|v| c.typing_url = v),
    },
    Setting {
        name: "searchUrl",
        set: |c, r| optional(r, |r| url_template(r, SEARCH_PLACEHOLDERS)).map(|v| c.search_url = v),
    },
    Setting {
        name: "messageEvents",
        set: |c, r| names(r, false).map(|v| c.message_events = v),
    },
    Setting {
        name: "pingEvent",
        set: |c, r| optional(r, name).map(|v| c.ping_event = v),
    },
    Setting {
        name: "stallTimeoutMs",
        // The bounds keep the value well inside u32.
        set: |c, r| number(r, 1_000, 3_600_000).map(|n| c.stall_timeout_ms = n as u32),
    },
    Setting {
        name: "presenceEvent",
        set: |c, r| optional(r, name).map(|v| c.presence_event = v),
    },
    Setting {
        name: "typingEvent",
        set: |c, r| optional(r, name).map(|v| c.typing_event = v),
    },
    Setting {
        name: "resumeParam",
        set: |c, r| optional(r, name).map(|v| c.resume_param = v),
    },
    Setting {
        name: "withCredentials",
        set: |c, r| boolean(r).map(|v| c.with_credentials = v),
    },
    Setting {
        name: "sendFormat",
        set: |c, r| send_format(r).map(|v| c.send_format = v),
    },
    Setting {
        name: "sendRoomField",
        set: |c, r| field_name(r).map(|v| c.send_fields.room = v),
    },
    Setting {
        name: "sendUserField",
        set: |c, r| field_name(r).map(|v| c.send_fields.user = v),
    },
    Setting {
        name: "sendTextField",
        set: |c, r| field_name(r).map(|v| c.send_fields.text = v),
    },
    Setting {
        name: "sendClientIdField",
        set: |c, r| field_name(r).map(|v| c.send_fields.client_id = v),
    },
    Setting {
        name: "sendDataField",
        set: |c, r| optional(r, name).map(|v| c.send_data_field = v),
    },
    // Id and text lookups must name at least one field: a message without
    // either cannot be shown or deduplicated. The others may be empty.
    Setting {
        name: "idFields",
        set: |c, r| names(r, false).map(|v| c.fields.id = v),
    },
    Setting {
        name: "textFields",
        set: |c, r| names(r, false).map(|v| c.fields.text = v),
    },
    Setting {
        name: "userFields",
        set: |c, r| names(r, true).map(|v| c.fields.user = v),
    },
    Setting {
        name: "timeFields",
        set: |c, r| names(r, true).map(|v| c.fields.time = v),
    },
    Setting {
        name: "roomFields",
        set: |c, r| names(r, true).map(|v| c.fields.room = v),
    },
    Setting {
        name: "clientIdFields",
        set: |c, r| names(r, true).map(|v| c.fields.client_id = v),
    },
    Setting {
        name: "plainText",
        set: |c, r| plain_text(r).map(|v| c.plain_text = v),
    },
    Setting {
        name: "rooms",
        set: |c, r| room_names(r).map(|v| c.rooms = v),
    },
    Setting {
        name: "maxLength",
        // The bounds keep the value well inside usize, even on wasm32.
        set: |c, r| number(r, 1, 1_000_000).map(|n| c.max_length = n as usize),
    },
    Setting {
        name: "formatting",
        set: |c, r| boolean(r).map(|v| c.formatting = v),
    },
    Setting {
        name: "updateEvent",
        set: |c, r| optional(r, name).map(|v| c.changes.update_event = v),
    },
    Setting {
        name: "editUrl",
        set: |c, r| change_url(r).map(|v| c.changes.edit_url = v),
    },
    Setting {
        name: "deleteUrl",
        set: |c, r| change_url(r).map(|v| c.changes.delete_url = v),
    },
    Setting {
        name: "reactUrl",
        set: |c, r| change_url(r).map(|v| c.changes.react_url = v),
    },
    Setting {
        name: "replyField",
        set: |c, r| optional(r, name).map(|v| c.changes.reply_field = v),
    },
    Setting {
        name: "editedField",
        set: |c, r| optional(r, name).map(|v| c.changes.edited_field = v),
    },
    Setting {
        name: "deletedField",
        set: |c, r| optional(r, name).map(|v| c.changes.deleted_field = v),
    },
    Setting {
        name: "reactionsField",
        set: |c, r| optional(r, name).map(|v| c.changes.reactions_field = v),
    },
];

/// An optional URL of a change to a message (edit, delete, reaction).
fn change_url(raw: &Raw<'_>) -> Result<Option<String>, String> {
    optional(raw, |r| url_template(r, CHANGE_PLACEHOLDERS))
}

/// The setting called `key`, if there is one.
pub(super) fn find(key: &str) -> Option<&'static Setting> {
    SETTINGS.iter().find(|s| s.name == key)
}

/// Stores a preset's settings, each through its own setter. A preset that
/// names a key wrongly, or itself, is a bug the tests catch; it is reported
/// rather than trusted all the same.
fn apply_preset(c: &mut Config, preset: &Preset) -> Result<(), String> {
    for (key, value) in preset.all() {
        let setting = find(key)
            .filter(|s| s.name != presets::KEY)
            .ok_or_else(|| format!("preset {} names unknown setting {key:?}", preset.name))?;
        (setting.set)(c, &Raw::Str(value))
            .map_err(|problem| format!("preset {} sets {key}: {problem}", preset.name))?;
    }
    Ok(())
}

// Built at compile time from the table so the public list cannot drift from
// what `find` accepts.
const NAMES: [&str; SETTINGS.len()] = {
    let mut names = [""; SETTINGS.len()];
    let mut i = 0;
    while i < SETTINGS.len() {
        names[i] = SETTINGS[i].name;
        i += 1;
    }
    names
};

/// Every key the configuration accepts, for error messages and docs.
pub const KEYS: &[&str] = &NAMES;

#[cfg(test)]
mod tests {
    use super::super::load::Source;
    use super::super::model::{PlainText, SendFormat};
    use super::super::url::percent_encode;
    use super::*;
    use std::collections::BTreeSet;

    /// One valid, non-default value per key: as JSON for `config.json`, as
    /// a string for the URL, and how to see it landed in the right field.
    struct Example {
        key: &'static str,
        json: &'static str,
        url: &'static str,
        landed: fn(&Config) -> bool,
    }

    const fn ex(
        key: &'static str,
        json: &'static str,
        url: &'static str,
        landed: fn(&Config) -> bool,
    ) -> Example {
        Example {
            key,
            json,
            url,
            landed,
        }
    }

    const EXAMPLES: &[Example] = &[
        ex("preset", r#""nchan""#, "nchan", |c| {
            c.events_url == "/sub/{room}"
        }),
        ex(
            "eventsUrl",
            r#""/e/{room}?u={user}""#,
            "/e/{room}?u={user}",
            |c| c.events_url == "/e/{room}?u={user}",
        ),
        ex(
            "sendUrl",
            r#""https://x.example/{room}""#,
            "https://x.example/{room}",
            |c| c.send_url.as_deref() == Some("https://x.example/{room}"),
        ),
        ex(
            "historyUrl",
            r#""/h?r={room}&b={before}""#,
            "/h?r={room}&b={before}",
            |c| c.history_url.as_deref() == Some("/h?r={room}&b={before}"),
        ),
        ex("typingUrl", r#""/t/{user}""#, "/t/{user}", |c| {
            c.typing_url.as_deref() == Some("/t/{user}")
        }),
        ex(
            "searchUrl",
            r#""/s?in={room}&q={q}""#,
            "/s?in={room}&q={q}",
            |c| c.search_url.as_deref() == Some("/s?in={room}&q={q}"),
        ),
        ex("messageEvents", r#"["msg", "chat"]"#, "msg,chat", |c| {
            c.message_events == ["msg", "chat"]
        }),
        ex("pingEvent", r#""hb""#, "hb", |c| {
            c.ping_event.as_deref() == Some("hb")
        }),
        ex("stallTimeoutMs", "5000", "5000", |c| {
            c.stall_timeout_ms == 5000
        }),
        ex("presenceEvent", r#""here""#, "here", |c| {
            c.presence_event.as_deref() == Some("here")
        }),
        ex("typingEvent", r#""keys""#, "keys", |c| {
            c.typing_event.as_deref() == Some("keys")
        }),
        ex("resumeParam", r#""since""#, "since", |c| {
            c.resume_param.as_deref() == Some("since")
        }),
        ex("withCredentials", "true", "true", |c| c.with_credentials),
        ex("sendFormat", r#""form""#, "form", |c| {
            c.send_format == SendFormat::Form
        }),
        ex("sendRoomField", r#""channel""#, "channel", |c| {
            c.send_fields.room == "channel"
        }),
        ex("sendUserField", r#""author""#, "author", |c| {
            c.send_fields.user == "author"
        }),
        ex("sendTextField", r#""body""#, "body", |c| {
            c.send_fields.text == "body"
        }),
        ex("sendClientIdField", r#""""#, "", |c| {
            c.send_fields.client_id.is_empty()
        }),
        ex("sendDataField", r#""payload""#, "payload", |c| {
            c.send_data_field.as_deref() == Some("payload")
        }),
        ex("idFields", r#"["uuid"]"#, "uuid", |c| {
            c.fields.id == ["uuid"]
        }),
        ex("textFields", r#"["msg", "body"]"#, "msg,body", |c| {
            c.fields.text == ["msg", "body"]
        }),
        ex("userFields", r#"["nick"]"#, "nick", |c| {
            c.fields.user == ["nick"]
        }),
        ex("timeFields", "[]", "", |c| c.fields.time.is_empty()),
        ex("roomFields", r#"["chan"]"#, "chan", |c| {
            c.fields.room == ["chan"]
        }),
        ex("clientIdFields", r#"["cid", "nonce"]"#, "cid,nonce", |c| {
            c.fields.client_id == ["cid", "nonce"]
        }),
        ex("plainText", r#""ignore""#, "ignore", |c| {
            c.plain_text == PlainText::Ignore
        }),
        ex("rooms", r#"["lobby", "dev-ops"]"#, "lobby,dev-ops", |c| {
            c.rooms == ["lobby", "dev-ops"]
        }),
        ex("maxLength", "280", "280", |c| c.max_length == 280),
        ex("formatting", "false", "false", |c| !c.formatting),
        ex("updateEvent", r#""changed""#, "changed", |c| {
            c.changes.update_event.as_deref() == Some("changed")
        }),
        ex(
            "editUrl",
            r#""/m/{id}?by={user}""#,
            "/m/{id}?by={user}",
            |c| c.changes.edit_url.as_deref() == Some("/m/{id}?by={user}"),
        ),
        ex("deleteUrl", "null", "", |c| c.changes.delete_url.is_none()),
        ex("reactUrl", r#""/r/{room}/{id}""#, "/r/{room}/{id}", |c| {
            c.changes.react_url.as_deref() == Some("/r/{room}/{id}")
        }),
        ex("replyField", r#""parent""#, "parent", |c| {
            c.changes.reply_field.as_deref() == Some("parent")
        }),
        ex("editedField", r#""updated""#, "updated", |c| {
            c.changes.edited_field.as_deref() == Some("updated")
        }),
        ex("deletedField", r#""gone""#, "gone", |c| {
            c.changes.deleted_field.as_deref() == Some("gone")
        }),
        ex("reactionsField", r#""likes""#, "likes", |c| {
            c.changes.reactions_field.as_deref() == Some("likes")
        }),
    ];

    /// Every key in the table has exactly one example, and no example names
    /// a key the table lacks, so the tests below cover all keys.
    #[test]
    fn every_key_has_exactly_one_example() {
        let examples: Vec<&str> = EXAMPLES.iter().map(|e| e.key).collect();
        let unique: BTreeSet<&str> = examples.iter().copied().collect();
        assert_eq!(unique.len(), examples.len(), "duplicate example");
        let known: BTreeSet<&str> = KEYS.iter().copied().collect();
        assert_eq!(unique, known);
    }

    #[test]
    fn keys_are_unique_and_are_the_table() {
        let names: Vec<&str> = SETTINGS.iter().map(|s| s.name).collect();
        assert_eq!(KEYS, names.as_slice());
        let unique: BTreeSet<&str> = names.iter().copied().collect();
        assert_eq!(unique.len(), names.len(), "a key is listed twice");
        for key in KEYS {
            assert!(find(key).is_some(), "{key}");
        }
        assert!(find("sendUlr").is_none());
    }

    #[test]
    fn every_key_is_accepted_from_config_json_and_lands() {
        for e in EXAMPLES {
            assert!(
                !(e.landed)(&Config::default()),
                "{}: example is the default",
                e.key
            );
            let file = format!(r#"{{"{}": {}}}"#, e.key, e.json);
            let cfg = Config::load(Some(&file), "").unwrap_or_else(|err| panic!("{file}: {err}"));
            assert!(
                (e.landed)(&cfg),
                "{file} parsed but did not change the config"
            );
            assert_ne!(cfg, Config::default(), "{file}");
        }
    }

    #[test]
    fn every_key_is_accepted_from_the_url_and_lands() {
        for e in EXAMPLES {
            let query = format!("?{}={}", e.key, percent_encode(e.url));
            let cfg = Config::load(None, &query).unwrap_or_else(|err| panic!("{query}: {err}"));
            assert!(
                (e.landed)(&cfg),
                "{query} parsed but did not change the config"
            );
            assert_ne!(cfg, Config::default(), "{query}");
        }
    }

    #[test]
    fn every_key_reports_bad_values_under_its_own_name() {
        // A JSON object is wrong for every setting; the error must carry the
        // key and the layer so the error screen can name them.
        for key in KEYS {
            let file = format!(r#"{{"{key}": {{}}}}"#);
            let e = Config::load(Some(&file), "").unwrap_err();
            assert_eq!(
                (e.source, e.key.as_str()),
                (Source::ConfigFile, *key),
                "{e}"
            );
        }
    }

    /// The keys named in the first column of README's "Pointing at a
    /// backend" table; a row may name several (`` `a`, `b` ``).
    fn readme_keys(readme: &str) -> Vec<String> {
        let section = readme
            .split("\n## Pointing at a backend")
            .nth(1)
            .expect("README has a \"Pointing at a backend\" section");
        let section = section.split("\n## ").next().unwrap_or(section);
        let rows: Vec<&str> = section
            .lines()
            .skip_while(|l| !l.starts_with('|'))
            .take_while(|l| l.starts_with('|'))
            .skip(2) // header and `|---|` separator
            .collect();
        assert!(!rows.is_empty(), "no settings table found");
        let mut keys = Vec::new();
        for row in rows {
            let cell = row.split('|').nth(1).unwrap_or("").trim();
            let names: Vec<&str> = cell.split(',').map(str::trim).collect();
            for name in names {
                let key = name
                    .strip_prefix('`')
                    .and_then(|n| n.strip_suffix('`'))
                    .unwrap_or_else(|| panic!("row {row:?}: {name:?} is not a `key`"));
                keys.push(key.to_string());
            }
        }
        keys
    }

    #[test]
    fn readme_table_lists_exactly_the_known_keys() {
        let keys = readme_keys(include_str!("../../README.md"));
        let listed: BTreeSet<&str> = keys.iter().map(String::as_str).collect();
        assert_eq!(listed.len(), keys.len(), "README lists a key twice");
        let known: BTreeSet<&str> = KEYS.iter().copied().collect();
        let missing: Vec<_> = known.difference(&listed).collect();
        let unknown: Vec<_> = listed.difference(&known).collect();
        assert!(missing.is_empty(), "keys missing from README: {missing:?}");
        assert!(unknown.is_empty(), "README names unknown keys: {unknown:?}");
    }

    #[test]
    fn readme_parser_reads_multi_key_rows() {
        let md = "x\n## Pointing at a backend\n\ntext\n\n| key | default | meaning |\n\
                  |---|---|---|\n| `a` | `1` | one |\n| `b`, `c` | | two |\n\nafter\n| `z` |\n\
                  ## Next\n";
        assert_eq!(readme_keys(md), ["a", "b", "c"]);
    }
}
