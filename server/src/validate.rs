//! Input rules shared by every route: names, text, ids and limits.
//!
//! Each checker returns the reason a value is wrong as the end of a sentence,
//! so callers can prefix it with where the value came from ("field `room`",
//! "query parameter `rooms`", ...) and the client learns which input to fix.

use crate::error::ApiError;

/// Largest accepted request body, in bytes (larger → 413).
pub const MAX_BODY_BYTES: usize = 64 * 1024;
/// Longest room name, in characters.
pub const MAX_ROOM_CHARS: usize = 64;
/// Longest user name, in characters.
pub const MAX_USER_CHARS: usize = 32;
/// Longest message text, in characters (not bytes; longer → 413).
pub const MAX_TEXT_CHARS: usize = 4000;
/// Longest `client_id`, in characters.
pub const MAX_CLIENT_ID_CHARS: usize = 64;
/// Most rooms one event stream may follow.
pub const MAX_ROOMS_PER_STREAM: usize = 20;
/// Default page size of the history route.
pub const DEFAULT_HISTORY_LIMIT: u32 = 50;
/// Largest page size of the history route.
pub const MAX_HISTORY_LIMIT: u32 = 200;

fn is_token_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '-'
}

/// Room names: 1..=64 characters of `[A-Za-z0-9_-]`.
pub fn check_room(value: &str) -> Result<(), String> {
    check_token(value, MAX_ROOM_CHARS)
}

/// `client_id`: 1..=64 characters of `[A-Za-z0-9_-]`.
pub fn check_client_id(value: &str) -> Result<(), String> {
    check_token(value, MAX_CLIENT_ID_CHARS)
}

fn check_token(value: &str, max: usize) -> Result<(), String> {
    if value.is_empty() {
        return Err("must not be empty".into());
    }
    // ASCII-only, so the byte length is the character count.
    if value.len() > max || !value.chars().all(is_token_char) {
        return Err(format!(
            "must be 1 to {max} characters, each a letter A-Z or a-z, a digit, '_' or '-'"
        ));
    }
    Ok(())
}

/// User names: 1..=32 characters, no control characters, no leading or
/// trailing whitespace.
pub fn check_user(value: &str) -> Result<(), String> {
    if value.trim().is_empty() {
        return Err("must not be empty".into());
    }
    let chars = value.chars().count();
    if chars > MAX_USER_CHARS {
        return Err(format!(
            "must be at most {MAX_USER_CHARS} characters long (it has {chars})"
        ));
    }
    if value.chars().any(char::is_control) {
        return Err("must not contain control characters".into());
    }
    if value.starts_with(char::is_whitespace) || value.ends_with(char::is_whitespace) {
        return Err("must not start or end with whitespace".into());
    }
    Ok(())
}

/// Message text: not empty or whitespace-only (→ 422) and at most 4000
/// characters (→ 413). Newlines and any other characters are allowed.
pub fn check_text(field: &str, value: &str) -> Result<(), ApiError> {
    if value.trim().is_empty() {
        return Err(ApiError::unprocessable(format!(
            "The field `{field}` must not be empty."
        )));
    }
    let chars = value.chars().count();
    if chars > MAX_TEXT_CHARS {
        return Err(ApiError::too_large(format!(
            "The field `{field}` must be at most {MAX_TEXT_CHARS} characters long (it has {chars})."
        )));
    }
    Ok(())
}

/// Parses the `rooms` query parameter: comma-separated room names, 1..=20 of
/// them, duplicates removed (first occurrence kept).
pub fn parse_rooms(value: &str) -> Result<Vec<String>, ApiError> {
    let mut rooms: Vec<String> = Vec::new();
    for name in value.split(',') {
        check_room(name).map_err(|reason| {
            ApiError::unprocessable(format!(
                "Each room in the query parameter `rooms` {reason} (got {name:?})."
            ))
        })?;
        if !rooms.iter().any(|r| r == name) {
            rooms.push(name.to_owned());
        }
        if rooms.len() > MAX_ROOMS_PER_STREAM {
            return Err(ApiError::unprocessable(format!(
                "The query parameter `rooms` may list at most {MAX_ROOMS_PER_STREAM} different \
                 rooms; follow fewer rooms or open a second stream."
            )));
        }
    }
    Ok(rooms)
}

/// Parses an optional integer query parameter (non-integer → 400).
pub fn parse_int_param(name: &str, value: Option<&String>) -> Result<Option<i64>, ApiError> {
    match value.map(|v| v.trim()) {
        None | Some("") => Ok(None),
        Some(v) => v.parse::<i64>().map(Some).map_err(|_| {
            ApiError::bad_request(format!(
                "The query parameter `{name}` must be an integer (got {v:?})."
            ))
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rooms() {
        assert!(check_room("general").is_ok());
        assert!(check_room("a-b_C9").is_ok());
        assert!(check_room("").is_err());
        assert!(check_room("has space").is_err());
        assert!(check_room("é").is_err());
        assert!(check_room(&"x".repeat(64)).is_ok());
        assert!(check_room(&"x".repeat(65)).is_err());
    }

    #[test]
    fn users() {
        assert!(check_user("alice").is_ok());
        assert!(check_user("Zoë Ω").is_ok());
        assert!(check_user(&"ü".repeat(32)).is_ok());
        assert!(check_user(&"ü".repeat(33)).is_err());
        assert!(check_user(" alice").is_err());
        assert!(check_user("alice\u{a0}").is_err());
        assert!(check_user("a\u{7}b").is_err());
        assert!(check_user("   ").is_err());
    }

    #[test]
    fn text_limits_count_chars() {
        assert!(check_text("text", &"é".repeat(4000)).is_ok());
        let err = check_text("text", &"é".repeat(4001)).unwrap_err();
        assert_eq!(err.status().as_u16(), 413);
        let err = check_text("text", " \n\t").unwrap_err();
        assert_eq!(err.status().as_u16(), 422);
    }

    #[test]
    fn room_lists() {
        assert_eq!(parse_rooms("a,b,a").unwrap(), vec!["a", "b"]);
        assert!(parse_rooms("").is_err());
        assert!(parse_rooms("a,,b").is_err());
        let many: Vec<String> = (0..21).map(|i| format!("r{i}")).collect();
        assert!(parse_rooms(&many.join(",")).is_err());
        assert!(parse_rooms(&many[..20].join(",")).is_ok());
    }

    #[test]
    fn int_params() {
        assert_eq!(parse_int_param("x", None).unwrap(), None);
        assert_eq!(parse_int_param("x", Some(&"".into())).unwrap(), None);
        assert_eq!(parse_int_param("x", Some(&"42".into())).unwrap(), Some(42));
        assert_eq!(
            parse_int_param("x", Some(&"4x".into()))
                .unwrap_err()
                .status()
                .as_u16(),
            400
        );
    }
}
