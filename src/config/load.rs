//! Assembling a [`Config`] from its layers, and the errors that can stop it.
//!
//! The preset (or the defaults) first, then `config.json`, then the page's
//! URL parameters; each key goes through its entry in the settings table
//! (`keys`), so both layers accept exactly the same keys with exactly the
//! same rules.

use super::keys::{self, KEYS};
use super::model::Config;
use super::presets;
use super::url::parse_query;
use super::values::Raw;
use serde_json::{Map, Value};
use std::fmt;

/// Which layer a bad value came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    /// The `config.json` beside `index.html`.
    ConfigFile,
    /// The page's query string.
    Url,
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Source::ConfigFile => "config.json",
            Source::Url => "URL parameter",
        })
    }
}

/// A configuration problem, precise enough to show to the person deploying.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    /// The layer the bad value came from.
    pub source: Source,
    /// The offending key (empty when the whole file is unreadable).
    pub key: String,
    /// What is wrong with the value, in words.
    pub problem: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.key.is_empty() {
            write!(f, "{}: {}", self.source, self.problem)
        } else {
            write!(f, "{} `{}`: {}", self.source, self.key, self.problem)
        }
    }
}

impl std::error::Error for ConfigError {}

impl Config {
    /// Builds the configuration from the optional `config.json` body and the
    /// page's query string (with or without the leading `?`).
    ///
    /// Order: the `preset` (the URL's if it names one, else the file's, else
    /// the built-in defaults), then every other `config.json` key, then every
    /// other URL parameter. So a preset never overrides a key, wherever the
    /// key is written, and a URL preset re-bases the file's keys too.
    pub fn load(config_json: Option<&str>, query: &str) -> Result<Config, ConfigError> {
        let file = config_json.map(parse_file).transpose()?;
        let params = parse_query(query);
        let mut cfg = Config::default();
        // The file's preset is checked even when the URL replaces it: a typo
        // in a deployment file should not wait for the day the URL drops it.
        if let Some(value) = file.as_ref().and_then(|map| map.get(presets::KEY)) {
            set(
                &mut cfg,
                presets::KEY,
                &Raw::Json(value),
                Source::ConfigFile,
            )?;
        }
        if let Some((key, value)) = params.iter().rev().find(|(k, _)| k == presets::KEY) {
            cfg = Config::default();
            set(&mut cfg, key, &Raw::Str(value), Source::Url)?;
        }
        for (key, value) in file.iter().flatten() {
            if key != presets::KEY {
                set(&mut cfg, key, &Raw::Json(value), Source::ConfigFile)?;
            }
        }
        // Unknown parameters are ignored: a page URL legitimately carries
        // parameters meant for others.
        for (key, value) in &params {
            if key != presets::KEY && keys::find(key).is_some() {
                set(&mut cfg, key, &Raw::Str(value), Source::Url)?;
            }
        }
        Ok(cfg)
    }
}

/// Reads a `config.json` document: a JSON object of settings.
fn parse_file(text: &str) -> Result<Map<String, Value>, ConfigError> {
    let err = |problem: String| ConfigError {
        source: Source::ConfigFile,
        key: String::new(),
        problem,
    };
    match serde_json::from_str(text) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(err("must be a JSON object of settings".into())),
        Err(e) => Err(err(format!("not valid JSON ({e})"))),
    }
}

/// Checks one value and stores it through its setting. Unknown keys are
/// errors, because a typo in a deployment file should not be silently
/// ignored (the URL layer skips them before calling this).
fn set(cfg: &mut Config, key: &str, raw: &Raw<'_>, source: Source) -> Result<(), ConfigError> {
    let err = |problem: String| ConfigError {
        source,
        key: key.into(),
        problem,
    };
    let setting = keys::find(key).ok_or_else(|| err(unknown_setting(key)))?;
    (setting.set)(cfg, raw).map_err(err)
}

/// The problem reported for a `config.json` key the table does not know,
/// listing the known ones so the typo is easy to spot.
fn unknown_setting(key: &str) -> String {
    format!(
        "unknown setting {key:?}; known settings are: {}",
        KEYS.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_point_at_the_reference_backend() {
        let cfg = Config::load(None, "").unwrap();
        assert_eq!(cfg, Config::default());
        assert_eq!(cfg.send_url.as_deref(), Some("/api/messages"));
        assert!(!cfg.read_only());
        assert_eq!(cfg.message_events, vec!["message"]);
        assert!(!cfg.per_room_stream());
    }

    #[test]
    fn the_example_config_file_spells_out_the_defaults() {
        let example = include_str!("../../config.example.json");
        assert_eq!(Config::load(Some(example), "").unwrap(), Config::default());
    }

    #[test]
    fn url_parameters_override_the_file_which_overrides_defaults() {
        let file = r#"{"sendUrl": "https://chat.example/post", "pingEvent": "hb",
                       "messageEvents": ["msg", "chat"], "withCredentials": true}"#;
        let cfg = Config::load(Some(file), "?pingEvent=beat&utm_source=x").unwrap();
        assert_eq!(cfg.send_url.as_deref(), Some("https://chat.example/post"));
        assert_eq!(cfg.ping_event.as_deref(), Some("beat"));
        assert_eq!(cfg.message_events, vec!["msg", "chat"]);
        assert!(cfg.with_credentials);
    }

    #[test]
    fn empty_value_switches_an_optional_feature_off() {
        let cfg = Config::load(Some(r#"{"historyUrl": null}"#), "typingUrl=&pingEvent=").unwrap();
        assert_eq!(cfg.history_url, None);
        assert_eq!(cfg.typing_url, None);
        assert_eq!(cfg.ping_event, None);
    }

    #[test]
    fn an_empty_send_url_makes_the_app_read_only() {
        let layers = [
            (Some(r#"{"sendUrl": ""}"#), ""),
            (Some(r#"{"sendUrl": null}"#), ""),
            (None, "?sendUrl="),
            (Some(r#"{"sendUrl": "/post"}"#), "?sendUrl="),
        ];
        for (file, query) in layers {
            let cfg = Config::load(file, query).unwrap();
            assert_eq!(cfg.send_url, None, "{file:?} {query}");
            assert!(cfg.read_only());
        }
        assert!(!Config::default().read_only());
        let cfg = Config::load(Some(r#"{"sendUrl": null}"#), "?sendUrl=/p/{room}").unwrap();
        assert!(!cfg.read_only());
        // A set send URL is checked as before.
        let e = Config::load(None, "?sendUrl=/p/{rooms}").unwrap_err();
        assert!(e.problem.contains("unknown placeholder {rooms}"), "{e}");
        let e = Config::load(Some(r#"{"sendUrl": 3}"#), "").unwrap_err();
        assert!(e.problem.contains("must be a string"), "{e}");
    }

    #[test]
    fn a_data_field_and_one_parameter_per_room() {
        let file = r#"{"eventsUrl": "https://hub.example/.well-known/mercure?{rooms:topic}",
                       "sendFormat": "form", "sendRoomField": "topic", "sendDataField": "data"}"#;
        let cfg = Config::load(Some(file), "").unwrap();
        assert_eq!(cfg.send_data_field.as_deref(), Some("data"));
        assert_eq!(cfg.send_fields.room, "topic");
        assert!(!cfg.per_room_stream());
        let cfg = Config::load(Some(file), "?sendDataField=").unwrap();
        assert_eq!(cfg.send_data_field, None);
        assert_eq!(Config::default().send_data_field, None);

        let problem = |file: &str| Config::load(Some(file), "").unwrap_err().problem;
        assert!(problem(r#"{"sendDataField": "a b"}"#).contains("not a valid name"));
        assert!(problem(r#"{"eventsUrl": "/m/{rooms:topic}"}"#).contains("after the `?`"));
        assert!(problem(r#"{"eventsUrl": "/m?{rooms:}"}"#).contains("parameter name"));
        let p = problem(r#"{"historyUrl": "/h?{rooms:topic}"}"#);
        assert!(p.contains("unknown placeholder {rooms:topic}"), "{p}");
    }

    #[test]
    fn lists_accept_comma_strings() {
        let cfg = Config::load(None, "textFields=msg,%20body&rooms=a,b-c").unwrap();
        assert_eq!(cfg.fields.text, vec!["msg", "body"]);
        assert_eq!(cfg.rooms, vec!["a", "b-c"]);
    }

    #[test]
    fn errors_name_the_key_and_the_problem() {
        let e = Config::load(Some(r#"{"sendFormat": "xml"}"#), "").unwrap_err();
        assert_eq!(e.source, Source::ConfigFile);
        assert_eq!(e.key, "sendFormat");
        assert!(e.to_string().contains("json, form or text"), "{e}");

        let e = Config::load(None, "stallTimeoutMs=abc").unwrap_err();
        assert_eq!((e.source, e.key.as_str()), (Source::Url, "stallTimeoutMs"));

        let e = Config::load(Some(r#"{"sendUrl": "ftp://x"}"#), "").unwrap_err();
        assert!(e.problem.contains("http(s) URL"), "{e}");

        let e = Config::load(Some(r#"{"eventsUrl": "/e/{channel}"}"#), "").unwrap_err();
        assert!(e.problem.contains("unknown placeholder {channel}"), "{e}");

        let e = Config::load(Some(r#"{"withCredentials": 3}"#), "").unwrap_err();
        assert!(e.problem.contains("true or false"), "{e}");

        let e = Config::load(Some(r#"{"rooms": ["ok", "not ok"]}"#), "").unwrap_err();
        assert!(e.problem.contains("not a valid"), "{e}");

        let e = Config::load(Some(r#"{"messageEvents": []}"#), "").unwrap_err();
        assert!(e.problem.contains("at least one"), "{e}");
    }

    #[test]
    fn file_typos_and_garbage_are_errors() {
        let e = Config::load(Some(r#"{"sendUlr": "/x"}"#), "").unwrap_err();
        assert_eq!(e.key, "sendUlr");
        assert!(e.problem.contains("unknown setting"));
        let e = Config::load(Some("{not json"), "").unwrap_err();
        assert!(e.problem.contains("not valid JSON"));
        let e = Config::load(Some("[1,2]"), "").unwrap_err();
        assert!(e.problem.contains("JSON object"));
    }

    #[test]
    fn unknown_file_keys_name_every_known_key() {
        let e = Config::load(Some(r#"{"sendUlr": "/x"}"#), "").unwrap_err();
        assert_eq!(e.source, Source::ConfigFile);
        for key in KEYS {
            assert!(e.problem.contains(key), "{key} missing from: {e}");
        }
    }

    #[test]
    fn unknown_url_parameters_are_ignored() {
        let cfg = Config::load(None, "?sendUlr=/x&utm_source=mail&&=&fbclid").unwrap();
        assert_eq!(cfg, Config::default());
    }
}
