//! Assembling a [`Config`] from its layers, and the errors that can stop it.
//!
//! Defaults first, then `config.json`, then the page's URL parameters; each
//! key goes through its entry in the settings table (`keys`), so both layers
//! accept exactly the same keys with exactly the same rules.

use super::keys::{self, KEYS};
use super::model::Config;
use super::url::parse_query;
use super::values::Raw;
use serde_json::Value;
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
    pub fn load(config_json: Option<&str>, query: &str) -> Result<Config, ConfigError> {
        let mut cfg = Config::default();
        if let Some(text) = config_json {
            cfg.apply_json(text)?;
        }
        cfg.apply_query(query)?;
        Ok(cfg)
    }

    /// Applies a `config.json` document. Unknown keys are errors, because a
    /// typo in a deployment file should not be silently ignored.
    pub fn apply_json(&mut self, text: &str) -> Result<(), ConfigError> {
        let err = |key: &str, problem: String| ConfigError {
            source: Source::ConfigFile,
            key: key.into(),
            problem,
        };
        let value: Value =
            serde_json::from_str(text).map_err(|e| err("", format!("not valid JSON ({e})")))?;
        let Value::Object(map) = value else {
            return Err(err("", "must be a JSON object of settings".into()));
        };
        for (key, value) in &map {
            let setting = keys::find(key).ok_or_else(|| err(key, unknown_setting(key)))?;
            (setting.set)(self, &Raw::Json(value)).map_err(|problem| err(key, problem))?;
        }
        Ok(())
    }

    /// Applies URL query parameters. Unknown parameters are ignored: a page
    /// URL legitimately carries parameters meant for others.
    pub fn apply_query(&mut self, query: &str) -> Result<(), ConfigError> {
        for (key, value) in parse_query(query) {
            let Some(setting) = keys::find(&key) else {
                continue;
            };
            (setting.set)(self, &Raw::Str(&value)).map_err(|problem| ConfigError {
                source: Source::Url,
                key: key.clone(),
                problem,
            })?;
        }
        Ok(())
    }
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
        assert_eq!(cfg.send_url, "/api/messages");
        assert_eq!(cfg.message_events, vec!["message"]);
        assert!(!cfg.per_room_stream());
    }

    #[test]
    fn url_parameters_override_the_file_which_overrides_defaults() {
        let file = r#"{"sendUrl": "https://chat.example/post", "pingEvent": "hb",
                       "messageEvents": ["msg", "chat"], "withCredentials": true}"#;
        let cfg = Config::load(Some(file), "?pingEvent=beat&utm_source=x").unwrap();
        assert_eq!(cfg.send_url, "https://chat.example/post");
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
