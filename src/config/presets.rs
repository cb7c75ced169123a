//! Presets: documented starting points for common kinds of backend.
//!
//! A preset is a short list of settings, written exactly as URL parameters
//! would write them (an empty value switches an optional feature off). The
//! `preset` key picks one; `load` applies it to the defaults before any
//! other key, so every key set in `config.json` or the URL overrides it,
//! whatever the order they are written in. README.md documents each
//! preset's settings, and a test there checks the two agree.
//!
//! Only data and the name lookup live here; applying a preset goes through
//! the settings table (`keys`), so its values obey the same rules as any
//! other value.

use super::values::{string, Raw};

/// The key that picks a preset.
pub(super) const KEY: &str = "preset";

/// One named group of settings.
pub(super) struct Preset {
    /// The value of the `preset` key that picks it.
    pub name: &'static str,
    /// `(key, value)` pairs, values as in URL parameters.
    pub settings: &'static [(&'static str, &'static str)],
    /// The backend has no search, replies, edits, deletes or reactions:
    /// [`NO_CHANGES`] comes with the settings.
    pub no_changes: bool,
}

/// What a backend without search, replies, edits, deletes or reactions
/// sets: none of their controls is shown.
const NO_CHANGES: &[(&str, &str)] = &[
    ("searchUrl", ""),
    ("replyField", ""),
    ("updateEvent", ""),
    ("editUrl", ""),
    ("deleteUrl", ""),
    ("reactUrl", ""),
];

impl Preset {
    /// Every setting the preset makes.
    pub(super) fn all(&self) -> impl Iterator<Item = &'static (&'static str, &'static str)> {
        let extra: &'static [(&str, &str)] = if self.no_changes { NO_CHANGES } else { &[] };
        self.settings.iter().chain(extra)
    }
}

/// Every preset, in README order.
pub(super) const PRESETS: &[Preset] = &[
    // The built-in defaults: the workspace's reference backend under /api.
    Preset {
        name: "reference",
        settings: &[],
        no_changes: false,
    },
    // A read-only stream of plain `data:` lines (a ticker, a log).
    Preset {
        name: "plain",
        settings: &[
            ("eventsUrl", "/events"),
            ("sendUrl", ""),
            ("historyUrl", ""),
            ("typingUrl", ""),
            ("messageEvents", "message"),
            ("pingEvent", ""),
            ("presenceEvent", ""),
            ("typingEvent", ""),
            ("resumeParam", ""),
            ("plainText", "message"),
        ],
        no_changes: true,
    },
    // nginx + nchan pub/sub: one channel (and one stream) per room; the
    // published JSON body is what subscribers receive.
    Preset {
        name: "nchan",
        settings: &[
            ("eventsUrl", "/sub/{room}"),
            ("sendUrl", "/pub/{room}"),
            ("sendFormat", "json"),
            ("historyUrl", ""),
            ("typingUrl", ""),
            ("pingEvent", "ping"),
            ("presenceEvent", ""),
            ("typingEvent", ""),
            ("resumeParam", "last_event_id"),
        ],
        no_changes: true,
    },
    // A Mercure hub: one stream subscribed to one topic per room; messages
    // are published as `topic=<room>&data=<the message as JSON>`.
    Preset {
        name: "mercure",
        settings: &[
            ("eventsUrl", "/.well-known/mercure?{rooms:topic}"),
            ("sendUrl", "/.well-known/mercure"),
            ("sendFormat", "form"),
            ("sendRoomField", "topic"),
            ("sendDataField", "data"),
            ("historyUrl", ""),
            ("typingUrl", ""),
            ("pingEvent", ""),
            ("presenceEvent", ""),
            ("typingEvent", ""),
            ("resumeParam", "lastEventID"),
        ],
        no_changes: true,
    },
];

/// The preset a raw `preset` value names.
pub(super) fn preset(raw: &Raw<'_>) -> Result<&'static Preset, String> {
    let name = string(raw)?;
    PRESETS.iter().find(|p| p.name == name).ok_or_else(|| {
        let known: Vec<&str> = PRESETS.iter().map(|p| p.name).collect();
        format!(
            "unknown preset {name:?}; known presets are: {}",
            known.join(", ")
        )
    })
}

#[cfg(test)]
mod tests {
    use super::super::load::Source;
    use super::super::model::{Config, SendFormat};
    use super::super::url::{fill_template, percent_encode};
    use super::*;
    use std::collections::{BTreeMap, BTreeSet};

    fn load(file: Option<&str>, query: &str) -> Config {
        Config::load(file, query).unwrap_or_else(|e| panic!("{file:?} {query}: {e}"))
    }

    fn preset_named(name: &str) -> &'static Preset {
        preset(&Raw::Str(name)).unwrap()
    }

    /// The settings as URL parameters: `?k=v&…`, values percent-encoded.
    fn as_query(settings: &[(&str, &str)]) -> String {
        let pairs: Vec<String> = settings
            .iter()
            .map(|(k, v)| format!("{k}={}", percent_encode(v)))
            .collect();
        format!("?{}", pairs.join("&"))
    }

    /// README's preset table: per preset (column), the documented
    /// `key -> value`. A blank cell leaves the key alone, `off` is empty.
    fn readme_presets(readme: &str) -> BTreeMap<String, BTreeMap<String, String>> {
        let section = readme
            .split("\n### Presets")
            .nth(1)
            .expect("README has a \"### Presets\" section");
        let rows: Vec<Vec<&str>> = section
            .lines()
            .skip_while(|l| !l.starts_with('|'))
            .take_while(|l| l.starts_with('|'))
            .map(|l| {
                l.trim()
                    .trim_matches('|')
                    .split('|')
                    .map(str::trim)
                    .collect()
            })
            .collect();
        let unquote = |cell: &str| -> String {
            match cell {
                "off" => String::new(),
                c => c
                    .strip_prefix('`')
                    .and_then(|c| c.strip_suffix('`'))
                    .unwrap_or_else(|| panic!("{c:?} is neither `value`, off nor blank"))
                    .to_string(),
            }
        };
        let names: Vec<String> = rows[0][1..].iter().map(|c| unquote(c)).collect();
        let mut out: BTreeMap<String, BTreeMap<String, String>> =
            names.iter().map(|n| (n.clone(), BTreeMap::new())).collect();
        for row in &rows[2..] {
            for key in row[0].split(',').map(|k| unquote(k.trim())) {
                for (name, cell) in names.iter().zip(&row[1..]) {
                    if !cell.is_empty() {
                        let set = out.get_mut(name).unwrap();
                        assert!(
                            set.insert(key.clone(), unquote(cell)).is_none(),
                            "{key} twice"
                        );
                    }
                }
            }
        }
        out
    }

    #[test]
    fn readme_documents_exactly_each_presets_settings() {
        let documented = readme_presets(include_str!("../../README.md"));
        let defined: BTreeMap<String, BTreeMap<String, String>> = PRESETS
            .iter()
            .filter(|p| p.name != "reference")
            .map(|p| {
                let set = p.all().map(|(k, v)| (k.to_string(), v.to_string()));
                (p.name.to_string(), set.collect())
            })
            .collect();
        assert_eq!(documented, defined);
        assert_eq!(preset_named("reference").all().count(), 0);
    }

    #[test]
    fn a_preset_is_exactly_its_settings_on_the_defaults() {
        for p in PRESETS {
            let all: Vec<(&str, &str)> = p.all().copied().collect();
            let keys: BTreeSet<&str> = all.iter().map(|(k, _)| *k).collect();
            assert_eq!(keys.len(), all.len(), "{} sets a key twice", p.name);
            assert!(!keys.contains(KEY), "{} names the preset key", p.name);
            let by_hand = load(None, &as_query(&all));
            let url = load(None, &format!("?preset={}", p.name));
            let file = load(Some(&format!(r#"{{"preset": "{}"}}"#, p.name)), "");
            assert_eq!(url, by_hand, "{}", p.name);
            assert_eq!(file, by_hand, "{}", p.name);
        }
        assert_eq!(load(None, "?preset=reference"), Config::default());
    }

    #[test]
    fn the_presets_say_what_their_backends_need() {
        let plain = load(None, "?preset=plain");
        assert!(plain.read_only());
        assert_eq!(
            (plain.history_url, plain.typing_url, plain.ping_event),
            (None, None, None)
        );
        assert_eq!(
            (plain.presence_event, plain.typing_event, plain.resume_param),
            (None, None, None)
        );

        let nchan = load(None, "?preset=nchan");
        assert!(nchan.per_room_stream() && !nchan.read_only());
        assert_eq!(nchan.send_url.as_deref(), Some("/pub/{room}"));
        assert_eq!(nchan.send_format, SendFormat::Json);
        assert_eq!(nchan.ping_event.as_deref(), Some("ping"));
        assert_eq!(nchan.resume_param.as_deref(), Some("last_event_id"));
        assert_eq!((nchan.history_url, nchan.typing_url), (None, None));

        let mercure = load(None, "?preset=mercure");
        assert!(!mercure.per_room_stream() && !mercure.read_only());
        assert_eq!(
            fill_template(
                &mercure.events_url,
                &[("rooms", "general,random"), ("user", "Zoë")]
            ),
            "/.well-known/mercure?topic=general&topic=random"
        );
        assert_eq!(mercure.send_format, SendFormat::Form);
        assert_eq!(mercure.send_fields.room, "topic");
        assert_eq!(mercure.send_data_field.as_deref(), Some("data"));
        assert_eq!(mercure.resume_param.as_deref(), Some("lastEventID"));
        // The hub does not say which topic an event came from: the room
        // must come back inside the data, under a name roomFields reads.
        assert!(mercure.fields.room.contains(&mercure.send_fields.room));
    }

    #[test]
    fn every_other_key_overrides_the_preset_wherever_it_is_written() {
        // `eventsUrl` and `pingEvent` sort before `preset` and come first in
        // the query: the preset is applied first all the same.
        let file = r#"{"pingEvent": "hb", "eventsUrl": "/s/{room}", "preset": "nchan"}"#;
        let cfg = load(
            Some(file),
            "?historyUrl=/h/{room}&preset=nchan&resumeParam=",
        );
        assert_eq!(cfg.ping_event.as_deref(), Some("hb"));
        assert_eq!(cfg.events_url, "/s/{room}");
        assert_eq!(cfg.history_url.as_deref(), Some("/h/{room}"));
        assert_eq!(cfg.resume_param, None);
        assert_eq!(cfg.send_url.as_deref(), Some("/pub/{room}"));
        // A URL parameter overrides a file key, which overrides the preset.
        let cfg = load(Some(r#"{"preset": "plain", "sendUrl": "/post"}"#), "");
        assert!(!cfg.read_only());
        let cfg = load(
            Some(r#"{"preset": "plain", "sendUrl": "/post"}"#),
            "?sendUrl=",
        );
        assert!(cfg.read_only());
    }

    #[test]
    fn a_url_preset_rebases_the_whole_config_under_the_files_keys() {
        let file = r#"{"preset": "plain", "rooms": ["lobby"], "pingEvent": "hb"}"#;
        let cfg = load(Some(file), "?preset=nchan");
        // Nothing of `plain` is left; the file's own keys still apply.
        assert_eq!(cfg, load(None, "?preset=nchan&rooms=lobby&pingEvent=hb"));
        assert!(!cfg.read_only());
        // Several in the URL: the last one counts, like any parameter.
        assert_eq!(
            load(None, "?preset=plain&preset=mercure"),
            load(None, "?preset=mercure")
        );
        // And the file's preset holds when the URL names none.
        assert_eq!(load(Some(file), "?rooms=x").rooms, ["x"]);
        assert!(load(Some(file), "").read_only());
    }

    #[test]
    fn unknown_presets_are_errors_naming_the_known_ones() {
        let e = Config::load(None, "?preset=ncahn").unwrap_err();
        assert_eq!((e.source, e.key.as_str()), (Source::Url, "preset"));
        for p in PRESETS {
            assert!(e.problem.contains(p.name), "{e}");
        }
        assert!(e.problem.contains("\"ncahn\""), "{e}");
        let e = Config::load(Some(r#"{"preset": "Mercure"}"#), "").unwrap_err();
        assert_eq!((e.source, e.key.as_str()), (Source::ConfigFile, "preset"));
        // A bad file preset is an error even when the URL names a good one.
        let e = Config::load(Some(r#"{"preset": "x"}"#), "?preset=plain").unwrap_err();
        assert_eq!(e.source, Source::ConfigFile);
        // Empty or null is no preset name either (`reference` is the default).
        assert!(Config::load(None, "?preset=").is_err());
        assert!(Config::load(Some(r#"{"preset": null}"#), "").is_err());
        let e = Config::load(Some(r#"{"preset": ["plain"]}"#), "").unwrap_err();
        assert!(e.problem.contains("must be a string"), "{e}");
    }
}
