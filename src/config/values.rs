//! Checking and converting one raw setting value.
//!
//! A value arrives either as JSON (from `config.json`) or as a plain string
//! (from a URL parameter); every parser here accepts both, so a setting
//! behaves the same whichever layer it comes from. Parsers return the
//! problem in words; the caller adds the key and the layer.

use super::model::{PlainText, SendFormat};
use serde_json::Value;

/// A raw value before it is checked: JSON from the file, a string from the URL.
pub(super) enum Raw<'a> {
    /// A value from `config.json`.
    Json(&'a Value),
    /// A decoded URL parameter value.
    Str(&'a str),
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

/// Nicknames the app accepts: 1-32 characters, something visible, no
/// control or bidi characters, no surrounding whitespace, no word mixing
/// lookalike scripts (crate `sse-chat-names`, shared with the backend).
pub fn is_user_name(name: &str) -> bool {
    // The one rule the reference backend applies too (invisible-only,
    // bidi controls, mixed-script lookalikes are refused).
    sse_chat_names::is_user_name(name)
}

/// Any string.
pub(super) fn string(raw: &Raw<'_>) -> Result<String, String> {
    match raw {
        Raw::Str(s) => Ok(s.to_string()),
        Raw::Json(Value::String(s)) => Ok(s.clone()),
        Raw::Json(other) => Err(format!("must be a string, not {}", kind(other))),
    }
}

/// `null` or an empty string switch the feature off; anything else goes
/// through `parse`.
pub(super) fn optional<T>(
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

/// An http(s) URL or a relative path whose `{placeholders}` are all among
/// `placeholders`. An entry `list:*` there allows `{list:PARAM}`, the query
/// parameter `PARAM` repeated once per item of `list` (see `fill_template`).
pub(super) fn url_template(raw: &Raw<'_>, placeholders: &[&str]) -> Result<String, String> {
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
    check_placeholders(&s, placeholders)?;
    Ok(s)
}

/// Every `{name}` in `template` must be closed and allowed; a typo here
/// would otherwise send a literal `{chanel}` to the backend.
fn check_placeholders(template: &str, placeholders: &[&str]) -> Result<(), String> {
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else {
            return Err("has a `{` without a matching `}`".into());
        };
        let name = &after[..close];
        match name.split_once(':') {
            Some((list, param)) if placeholders.contains(&format!("{list}:*").as_str()) => {
                let before = &template[..template.len() - rest.len() + open];
                check_repeated(name, param, before)?;
            }
            _ if placeholders.contains(&name) => {}
            _ => {
                let allowed: Vec<String> = placeholders
                    .iter()
                    .map(|p| format!("{{{}}}", p.replace(":*", ":PARAM")))
                    .collect();
                return Err(format!(
                    "unknown placeholder {{{name}}}; allowed here: {}",
                    allowed.join(", ")
                ));
            }
        }
        rest = &after[close + 1..];
    }
    Ok(())
}

/// A repeated-parameter placeholder `{name}` (`list:param`) expands to
/// `param=a&param=b`, so it belongs in the query (after `before`'s `?`) and
/// `param` must be a plain parameter name.
fn check_repeated(name: &str, param: &str, before: &str) -> Result<(), String> {
    let plain = |c: char| c.is_ascii_alphanumeric() || "-_.~[]".contains(c);
    if param.is_empty() || !param.chars().all(plain) {
        return Err(format!(
            "{{{name}}} needs a query parameter name after the `:` \
             (letters, digits and - _ . ~ [ ])"
        ));
    }
    if !before.contains('?') {
        return Err(format!(
            "{{{name}}} repeats a query parameter, so it must come after the `?`"
        ));
    }
    Ok(())
}

/// An event type, field or parameter name: 1-128 characters, no spaces.
pub(super) fn name(raw: &Raw<'_>) -> Result<String, String> {
    let s = string(raw)?;
    if s.is_empty() || s.len() > 128 || s.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(format!(
            "{s:?} is not a valid name (1-128 characters, no spaces)"
        ));
    }
    Ok(s)
}

/// A field name for sent bodies, or empty.
pub(super) fn field_name(raw: &Raw<'_>) -> Result<String, String> {
    // An empty field name is allowed: it leaves that field out of the body.
    let s = string(raw)?;
    if s.is_empty() {
        Ok(s)
    } else {
        name(&Raw::Str(&s))
    }
}

/// A list: a JSON array of strings, or a comma-separated string.
pub(super) fn names(raw: &Raw<'_>, allow_empty: bool) -> Result<Vec<String>, String> {
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

/// A non-empty list of valid room names.
pub(super) fn room_names(raw: &Raw<'_>) -> Result<Vec<String>, String> {
    let rooms = names(raw, false)?;
    if let Some(bad) = rooms.iter().find(|r| !is_room_name(r)) {
        return Err(format!(
            "room {bad:?} is not a valid room name (1-64 of A-Z a-z 0-9 _ -)"
        ));
    }
    Ok(rooms)
}

/// A whole number in `min..=max`; a JSON string holding one is accepted too.
pub(super) fn number(raw: &Raw<'_>, min: u64, max: u64) -> Result<u64, String> {
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

/// A JSON boolean, or `true`/`1`/`yes`/`false`/`0`/`no` as a string.
pub(super) fn boolean(raw: &Raw<'_>) -> Result<bool, String> {
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

/// `json`, `form` or `text`.
pub(super) fn send_format(raw: &Raw<'_>) -> Result<SendFormat, String> {
    match string(raw)?.as_str() {
        "json" => Ok(SendFormat::Json),
        "form" => Ok(SendFormat::Form),
        "text" => Ok(SendFormat::Text),
        other => Err(format!("must be json, form or text, not {other:?}")),
    }
}

/// `message` or `ignore`.
pub(super) fn plain_text(raw: &Raw<'_>) -> Result<PlainText, String> {
    match string(raw)?.as_str() {
        "message" => Ok(PlainText::Message),
        "ignore" => Ok(PlainText::Ignore),
        other => Err(format!("must be message or ignore, not {other:?}")),
    }
}

/// The JSON type of `v`, as the error messages say it.
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

#[cfg(test)]
mod tests {
    use super::*;

    fn events(url: &str) -> Result<String, String> {
        url_template(&Raw::Str(url), &["rooms", "rooms:*", "room", "user"])
    }

    #[test]
    fn repeated_parameter_placeholders() {
        assert!(events("/.well-known/mercure?{rooms:topic}").is_ok());
        assert!(events("https://hub.example/m?a=1&{rooms:match}&u={user}").is_ok());
        assert!(events("/s?{rooms:t[]}").is_ok());
        let err = |url: &str| events(url).unwrap_err();
        assert!(err("/s/{rooms:topic}").contains("after the `?`"));
        assert!(err("/s?{rooms:}").contains("query parameter name"));
        assert!(err("/s?{rooms:a=b}").contains("query parameter name"));
        assert!(err("/s?{rooms:a&b}").contains("query parameter name"));
        // Only lists marked `list:*` repeat; the others name their options.
        let e = err("/s?{room:topic}");
        assert!(e.contains("unknown placeholder {room:topic}"), "{e}");
        assert!(e.contains("{rooms:PARAM}"), "{e}");
        let send = url_template(&Raw::Str("/p?{rooms:topic}"), &["room", "user"]);
        assert!(send.unwrap_err().contains("allowed here: {room}, {user}"));
        // A literal `rooms:*` placeholder is not a thing.
        assert!(err("/s?{rooms:*}").contains("query parameter name"));
    }

    #[test]
    fn room_names() {
        assert!(is_room_name("general"));
        assert!(is_room_name("A_b-9"));
        // The shared rule: nothing invisible-only, no bidi, no lookalikes.
        assert!(!is_user_name("\u{200B}\u{200B}"));
        assert!(!is_user_name("\u{3164}"));
        assert!(!is_user_name("bob\u{202E}"));
        assert!(!is_user_name("\u{0430}lice"), "Cyrillic а in a Latin name");
        assert!(is_user_name("Ivan Иван"));
        assert!(!is_room_name(""));
        assert!(!is_room_name("a b"));
        assert!(!is_room_name(&"x".repeat(65)));
        assert!(is_user_name("Zoë K"));
        assert!(!is_user_name(" x"));
        assert!(!is_user_name("a\tb"));
        assert!(!is_user_name(&"x".repeat(33)));
    }
}
