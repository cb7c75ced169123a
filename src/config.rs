//! Runtime configuration: which backend the built app talks to and how.
//!
//! Pure Rust, no browser types, so every rule here is unit-tested natively.
//! One built `dist/` works against any backend because the configuration is
//! assembled at start-up from three layers, later overriding earlier:
//!
//! 1. built-in defaults (the reference backend under `/api`),
//! 2. an optional `config.json` served beside `index.html`,
//! 3. the page's URL query parameters.
//!
//! Keys are camelCase and documented in README.md ("Pointing at a backend").
//! An invalid value yields a [`ConfigError`] naming the key, the layer it
//! came from and what is wrong; nothing here panics.

use serde_json::Value;
use std::fmt;

/// How outgoing messages are encoded in the POST body.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SendFormat {
    /// `application/json` object with the configured field names.
    Json,
    /// `application/x-www-form-urlencoded` with the configured field names.
    Form,
    /// `text/plain`: the message text only.
    Text,
}

/// What to do with event data that is not a JSON object.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PlainText {
    /// Show it as a message from an unnamed sender.
    Message,
    /// Drop it (counted as ignored, never shown).
    Ignore,
}

/// Names of the fields written into an outgoing message. An empty name
/// leaves that field out of the body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SendFields {
    pub room: String,
    pub user: String,
    pub text: String,
    pub client_id: String,
}

/// Field names looked up, in order, in incoming JSON messages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldAliases {
    pub id: Vec<String>,
    pub text: Vec<String>,
    pub user: Vec<String>,
    pub time: Vec<String>,
    pub room: Vec<String>,
    pub client_id: Vec<String>,
}

/// The whole client configuration. See the module docs for where it comes from.
#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    /// SSE stream URL. Placeholders: `{rooms}` (comma-joined followed rooms,
    /// one connection for all), `{room}` (one room per connection: the active
    /// one), `{user}`.
    pub events_url: String,
    /// POST URL for new messages. Placeholders: `{room}`, `{user}`.
    pub send_url: String,
    /// Optional scroll-back URL. Placeholders: `{room}`, `{before}`, `{limit}`.
    pub history_url: Option<String>,
    /// Optional typing-notification POST URL. Placeholders: `{room}`, `{user}`.
    pub typing_url: Option<String>,
    /// SSE event types that carry chat messages.
    pub message_events: Vec<String>,
    /// Heartbeat event type; enables stall detection when set.
    pub ping_event: Option<String>,
    /// A stream silent for this long (no event of any kind) is reopened.
    pub stall_timeout_ms: u32,
    /// Event types carrying presence and typing notices.
    pub presence_event: Option<String>,
    pub typing_event: Option<String>,
    /// Query parameter that carries the last event id when the client has to
    /// recreate its EventSource (the browser only sends the header itself).
    pub resume_param: Option<String>,
    /// `EventSource` and `fetch` credentials mode.
    pub with_credentials: bool,
    pub send_format: SendFormat,
    pub send_fields: SendFields,
    pub fields: FieldAliases,
    pub plain_text: PlainText,
    /// Rooms offered on the join screen.
    pub rooms: Vec<String>,
    /// Longest message the composer accepts (characters).
    pub max_length: usize,
}

/// Which layer a bad value came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    ConfigFile,
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
    pub source: Source,
    /// The offending key (empty when the whole file is unreadable).
    pub key: String,
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

fn strings(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

impl Default for Config {
    fn default() -> Self {
        Config {
            events_url: "/api/events?rooms={rooms}&user={user}".into(),
            send_url: "/api/messages".into(),
            history_url: Some("/api/rooms/{room}/messages?before={before}&limit={limit}".into()),
            typing_url: Some("/api/typing".into()),
            message_events: strings(&["message"]),
            ping_event: Some("ping".into()),
            stall_timeout_ms: 45_000,
            presence_event: Some("presence".into()),
            typing_event: Some("typing".into()),
            resume_param: Some("last_event_id".into()),
            with_credentials: false,
            send_format: SendFormat::Json,
            send_fields: SendFields {
                room: "room".into(),
                user: "user".into(),
                text: "text".into(),
                client_id: "client_id".into(),
            },
            fields: FieldAliases {
                id: strings(&["id"]),
                text: strings(&["text", "message", "content", "body"]),
                user: strings(&["user", "username", "author", "name", "from"]),
                time: strings(&["ts", "time", "timestamp", "created_at"]),
                room: strings(&["room", "channel", "topic"]),
                client_id: strings(&["client_id", "clientId"]),
            },
            plain_text: PlainText::Message,
            rooms: strings(&["general", "random"]),
            max_length: 4000,
        }
    }
}

/// Every key the configuration accepts, for error messages and docs.
pub const KEYS: &[&str] = &[
    "eventsUrl",
    "sendUrl",
    "historyUrl",
    "typingUrl",
    "messageEvents",
    "pingEvent",
    "stallTimeoutMs",
    "presenceEvent",
    "typingEvent",
    "resumeParam",
    "withCredentials",
    "sendFormat",
    "sendRoomField",
    "sendUserField",
    "sendTextField",
    "sendClientIdField",
    "idFields",
    "textFields",
    "userFields",
    "timeFields",
    "roomFields",
    "clientIdFields",
    "plainText",
    "rooms",
    "maxLength",
];

/// A raw value before it is checked: JSON from the file, a string from the URL.
enum Raw<'a> {
    Json(&'a Value),
    Str(&'a str),
}

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
            self.set(key, Raw::Json(value))
                .map_err(|problem| err(key, problem))?;
        }
        Ok(())
    }

    /// Applies URL query parameters. Unknown parameters are ignored: a page
    /// URL legitimately carries parameters meant for others.
    pub fn apply_query(&mut self, query: &str) -> Result<(), ConfigError> {
        for (key, value) in parse_query(query) {
            if !KEYS.contains(&key.as_str()) {
                continue;
            }
            self.set(&key, Raw::Str(&value))
                .map_err(|problem| ConfigError {
                    source: Source::Url,
                    key: key.clone(),
                    problem,
                })?;
        }
        Ok(())
    }

    fn set(&mut self, key: &str, raw: Raw<'_>) -> Result<(), String> {
        match key {
            "eventsUrl" => self.events_url = url(&raw, &["rooms", "room", "user"])?,
            "sendUrl" => self.send_url = url(&raw, &["room", "user"])?,
            "historyUrl" => {
                self.history_url = optional(&raw, |r| url(r, &["room", "before", "limit"]))?
            }
            "typingUrl" => self.typing_url = optional(&raw, |r| url(r, &["room", "user"]))?,
            "messageEvents" => self.message_events = names(&raw, false)?,
            "pingEvent" => self.ping_event = optional(&raw, name)?,
            "stallTimeoutMs" => self.stall_timeout_ms = number(&raw, 1_000, 3_600_000)? as u32,
            "presenceEvent" => self.presence_event = optional(&raw, name)?,
            "typingEvent" => self.typing_event = optional(&raw, name)?,
            "resumeParam" => self.resume_param = optional(&raw, name)?,
            "withCredentials" => self.with_credentials = boolean(&raw)?,
            "sendFormat" => {
                self.send_format = match string(&raw)?.as_str() {
                    "json" => SendFormat::Json,
                    "form" => SendFormat::Form,
                    "text" => SendFormat::Text,
                    other => return Err(format!("must be json, form or text, not {other:?}")),
                }
            }
            "sendRoomField" => self.send_fields.room = field_name(&raw)?,
            "sendUserField" => self.send_fields.user = field_name(&raw)?,
            "sendTextField" => self.send_fields.text = field_name(&raw)?,
            "sendClientIdField" => self.send_fields.client_id = field_name(&raw)?,
            "idFields" => self.fields.id = names(&raw, false)?,
            "textFields" => self.fields.text = names(&raw, false)?,
            "userFields" => self.fields.user = names(&raw, true)?,
            "timeFields" => self.fields.time = names(&raw, true)?,
            "roomFields" => self.fields.room = names(&raw, true)?,
            "clientIdFields" => self.fields.client_id = names(&raw, true)?,
            "plainText" => {
                self.plain_text = match string(&raw)?.as_str() {
                    "message" => PlainText::Message,
                    "ignore" => PlainText::Ignore,
                    other => return Err(format!("must be message or ignore, not {other:?}")),
                }
            }
            "rooms" => {
                let rooms = names(&raw, false)?;
                if let Some(bad) = rooms.iter().find(|r| !is_room_name(r)) {
                    return Err(format!(
                        "room {bad:?} is not a valid room name (1-64 of A-Z a-z 0-9 _ -)"
                    ));
                }
                self.rooms = rooms;
            }
            "maxLength" => self.max_length = number(&raw, 1, 1_000_000)? as usize,
            other => {
                return Err(format!(
                    "unknown setting {other:?}; known settings are: {}",
                    KEYS.join(", ")
                ))
            }
        }
        Ok(())
    }

    /// True when the events URL opens one stream per room rather than one for all.
    pub fn per_room_stream(&self) -> bool {
        self.events_url.contains("{room}")
    }
}

/// Room names the app accepts from users and config (same rule as the
/// reference backend, so a typed name never fails only at send time).
pub fn is_room_name(name: &str) -> bool {
    let len = name.chars().count();
    (1..=64).contains(&len)
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// Nicknames the app accepts (same rule as the reference backend): 1-32
/// characters, no control characters, no surrounding whitespace.
pub fn is_user_name(name: &str) -> bool {
    let len = name.chars().count();
    (1..=32).contains(&len) && !name.chars().any(char::is_control) && name.trim() == name
}

fn string(raw: &Raw<'_>) -> Result<String, String> {
    match raw {
        Raw::Str(s) => Ok(s.to_string()),
        Raw::Json(Value::String(s)) => Ok(s.clone()),
        Raw::Json(other) => Err(format!("must be a string, not {}", kind(other))),
    }
}

fn optional<T>(
    raw: &Raw<'_>,
    parse: impl Fn(&Raw<'_>) -> Result<T, String>,
) -> Result<Option<T>, String> {
    match raw {
        Raw::Json(Value::Null) => Ok(None),
        Raw::Str("") => Ok(None),
        Raw::Json(Value::String(s)) if s.is_empty() => Ok(None),
        other => parse(other).map(Some),
    }
}

fn url(raw: &Raw<'_>, placeholders: &[&str]) -> Result<String, String> {
    let s = string(raw)?;
    let s = s.trim().to_string();
    if s.is_empty() {
        return Err("must not be empty".into());
    }
    if s.chars().any(char::is_whitespace) {
        return Err("must not contain spaces".into());
    }
    let lower = s.to_ascii_lowercase();
    let scheme_ok = lower.starts_with("http://") || lower.starts_with("https://");
    let relative = s.starts_with('/') || s.starts_with("./") || s.starts_with("../");
    if !scheme_ok && !relative {
        return Err(format!(
            "must be an http(s) URL or a path starting with / or ./, got {s:?}"
        ));
    }
    let mut rest = s.as_str();
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else {
            return Err("has a `{` without a matching `}`".into());
        };
        let name = &after[..close];
        if !placeholders.contains(&name) {
            let allowed: Vec<String> = placeholders.iter().map(|p| format!("{{{p}}}")).collect();
            return Err(format!(
                "unknown placeholder {{{name}}}; allowed here: {}",
                allowed.join(", ")
            ));
        }
        rest = &after[close + 1..];
    }
    Ok(s)
}

fn name(raw: &Raw<'_>) -> Result<String, String> {
    let s = string(raw)?;
    if s.is_empty() || s.len() > 128 || s.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(format!(
            "{s:?} is not a valid name (1-128 characters, no spaces)"
        ));
    }
    Ok(s)
}

fn field_name(raw: &Raw<'_>) -> Result<String, String> {
    // An empty field name is allowed: it leaves that field out of the body.
    let s = string(raw)?;
    if s.is_empty() {
        Ok(s)
    } else {
        name(&Raw::Str(&s))
    }
}

/// A list: a JSON array of strings, or a comma-separated string.
fn names(raw: &Raw<'_>, allow_empty: bool) -> Result<Vec<String>, String> {
    let items: Vec<String> = match raw {
        Raw::Json(Value::Array(items)) => items
            .iter()
            .map(|v| match v {
                Value::String(s) => Ok(s.clone()),
                other => Err(format!("list items must be strings, found {}", kind(other))),
            })
            .collect::<Result<_, _>>()?,
        other => string(other)?
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(String::from)
            .collect(),
    };
    if items.is_empty() && !allow_empty {
        return Err("must list at least one name".into());
    }
    items.iter().map(|s| name(&Raw::Str(s))).collect()
}

fn number(raw: &Raw<'_>, min: u64, max: u64) -> Result<u64, String> {
    let n = match raw {
        Raw::Json(Value::Number(n)) => n.as_u64(),
        Raw::Json(Value::String(s)) => s.trim().parse().ok(),
        Raw::Str(s) => s.trim().parse().ok(),
        Raw::Json(other) => return Err(format!("must be a number, not {}", kind(other))),
    };
    match n {
        Some(n) if (min..=max).contains(&n) => Ok(n),
        _ => Err(format!("must be a whole number from {min} to {max}")),
    }
}

fn boolean(raw: &Raw<'_>) -> Result<bool, String> {
    match raw {
        Raw::Json(Value::Bool(b)) => Ok(*b),
        Raw::Json(
            other @ (Value::Null | Value::Number(_) | Value::Array(_) | Value::Object(_)),
        ) => Err(format!("must be true or false, not {}", kind(other))),
        other => match string(other)?.as_str() {
            "true" | "1" | "yes" => Ok(true),
            "false" | "0" | "no" => Ok(false),
            s => Err(format!("must be true or false, not {s:?}")),
        },
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// Splits a query string into decoded `(key, value)` pairs.
pub fn parse_query(query: &str) -> Vec<(String, String)> {
    query
        .trim_start_matches('?')
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (percent_decode(k), percent_decode(v))
        })
        .collect()
}

/// Decodes `%XX` escapes and `+` as space; invalid escapes stay literal and
/// invalid UTF-8 is replaced, so no input can make this fail.
pub fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
                match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(b) => {
                        out.push(b);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Percent-encodes everything but unreserved characters (RFC 3986), for
/// query values and form bodies.
pub fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Fills `{name}` placeholders in a URL template with percent-encoded values.
/// Placeholders without a value become empty.
pub fn fill_template(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close) => {
                let key = &after[..close];
                if let Some((_, v)) = values.iter().find(|(k, _)| *k == key) {
                    out.push_str(&percent_encode(v));
                }
                rest = &after[close + 1..];
            }
            None => {
                out.push_str(&rest[open..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// Adds (or replaces) one query parameter on a URL, keeping any fragment.
pub fn with_query_param(url: &str, key: &str, value: &str) -> String {
    let (base, fragment) = match url.split_once('#') {
        Some((b, f)) => (b, Some(f)),
        None => (url, None),
    };
    let (path, query) = base.split_once('?').unwrap_or((base, ""));
    let mut parts: Vec<String> = query
        .split('&')
        .filter(|p| !p.is_empty() && p.split('=').next() != Some(key))
        .map(String::from)
        .collect();
    parts.push(format!("{}={}", percent_encode(key), percent_encode(value)));
    let mut out = format!("{path}?{}", parts.join("&"));
    if let Some(f) = fragment {
        out.push('#');
        out.push_str(f);
    }
    out
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
    fn percent_coding_round_trips_and_never_fails() {
        let s = "a b&c=d/é%😀";
        assert_eq!(percent_decode(&percent_encode(s)), s);
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%zz%4"), "%zz%4");
        assert_eq!(percent_decode("%E2%82"), "\u{FFFD}");
        assert_eq!(percent_decode("a+b"), "a b");
    }

    #[test]
    fn templates_and_query_params() {
        assert_eq!(
            fill_template(
                "/api/events?rooms={rooms}&user={user}",
                &[("rooms", "a,b"), ("user", "Zoë")]
            ),
            "/api/events?rooms=a%2Cb&user=Zo%C3%AB"
        );
        assert_eq!(
            fill_template("/x/{room}/{missing}", &[("room", "r")]),
            "/x/r/"
        );
        assert_eq!(fill_template("/x/{oops", &[]), "/x/{oops");
        assert_eq!(
            with_query_param("/e?a=1&last_event_id=3", "last_event_id", "9"),
            "/e?a=1&last_event_id=9"
        );
        assert_eq!(with_query_param("/e#f", "k", "v w"), "/e?k=v%20w#f");
    }

    #[test]
    fn room_names() {
        assert!(is_room_name("general"));
        assert!(is_room_name("A_b-9"));
        assert!(!is_room_name(""));
        assert!(!is_room_name("a b"));
        assert!(!is_room_name(&"x".repeat(65)));
        assert!(is_user_name("Zoë K"));
        assert!(!is_user_name(" x"));
        assert!(!is_user_name("a\tb"));
        assert!(!is_user_name(&"x".repeat(33)));
    }
}
