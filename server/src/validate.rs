//! Input rules shared by every route: names, text, ids and room lists.
//!
//! Nothing here knows about HTTP. Name checkers return a [`NameError`] whose
//! text is the end of a sentence, so callers can prefix it with where the
//! value came from ("field `room`", "query parameter `rooms`", ...) and the
//! client learns which input to fix. The other checks return an
//! [`InputError`] whose text is a whole sentence; `crate::error` decides
//! which status each one is answered with.

use crate::limits::{MAX_CLIENT_ID_CHARS, MAX_ROOMS_PER_STREAM, MAX_ROOM_CHARS, MAX_TEXT_CHARS};

/// Why a room name, user name or `client_id` is not acceptable. Displayed
/// as the end of a sentence ("must not be empty").
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    /// Empty (rooms, client ids).
    #[error("must not be empty")]
    Empty,
    /// Too long, or a character outside `[A-Za-z0-9_-]` (rooms, client ids).
    #[error("must be 1 to {max} characters, each a letter A-Z or a-z, a digit, '_' or '-'")]
    NotAToken {
        /// The longest allowed length.
        max: usize,
    },
    /// A user name breaks the rule shared with the client
    /// ([`sse_chat_names::check_user_name`]).
    #[error(transparent)]
    User(#[from] sse_chat_names::NameError),
    /// Not one short, visible token (reactions).
    #[error("must be 1 to {max} visible characters without spaces")]
    NotAnEmoji {
        /// The longest allowed length.
        max: usize,
    },
}

/// A value that breaks a rule, described in a whole sentence.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InputError {
    /// A text field is empty or whitespace-only.
    #[error("The field `{field}` must not be empty.")]
    EmptyText {
        /// The field's name.
        field: String,
    },
    /// A text field has no visible character, or a bidi override (the rule
    /// shared with the client, [`sse_chat_names::check_text`]).
    #[error("The field `{field}` {reason}.")]
    BadText {
        /// The field's name.
        field: String,
        /// What is wrong with it.
        reason: sse_chat_names::TextError,
    },
    /// A text field is longer than [`MAX_TEXT_CHARS`].
    #[error("The field `{field}` must be at most {max} characters long (it has {chars}).", max = MAX_TEXT_CHARS)]
    TextTooLong {
        /// The field's name.
        field: String,
        /// The length of the text, in characters.
        chars: usize,
    },
    /// One entry of the `rooms` query parameter is not a room name.
    #[error("Each room in the query parameter `rooms` {reason} (got {name:?}).")]
    BadRoomInList {
        /// The offending entry.
        name: String,
        /// What is wrong with it.
        reason: NameError,
    },
    /// The `rooms` query parameter lists more than [`MAX_ROOMS_PER_STREAM`]
    /// different rooms.
    #[error(
        "The query parameter `rooms` may list at most {max} different \
         rooms; follow fewer rooms or open a second stream.",
        max = MAX_ROOMS_PER_STREAM
    )]
    TooManyRooms,
    /// An integer query parameter is not an integer.
    #[error("The query parameter `{name}` must be an integer (got {value:?}).")]
    NotAnInteger {
        /// The parameter's name.
        name: String,
        /// Its (trimmed) value.
        value: String,
    },
}

fn is_token_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '-'
}

/// Room names: 1..=64 characters of `[A-Za-z0-9_-]`.
pub fn check_room(value: &str) -> Result<(), NameError> {
    check_token(value, MAX_ROOM_CHARS)
}

/// `client_id`: 1..=64 characters of `[A-Za-z0-9_-]`.
pub fn check_client_id(value: &str) -> Result<(), NameError> {
    check_token(value, MAX_CLIENT_ID_CHARS)
}

fn check_token(value: &str, max: usize) -> Result<(), NameError> {
    if value.is_empty() {
        return Err(NameError::Empty);
    }
    // ASCII-only, so the byte length is the character count.
    if value.len() > max || !value.chars().all(is_token_char) {
        return Err(NameError::NotAToken { max });
    }
    Ok(())
}

/// Longest reaction, in characters: a family or flag emoji is a sequence
/// of up to about ten code points.
pub const MAX_EMOJI_CHARS: usize = 16;

/// A reaction: a short token without whitespace or control characters
/// that the text rule accepts (something visible, no bidi overrides). Any
/// such token is allowed, not only emoji: which ones to offer is the
/// client's choice.
pub fn check_emoji(value: &str) -> Result<(), NameError> {
    let token = !value.chars().any(|c| c.is_whitespace() || c.is_control());
    if token && sse_chat_names::check_text_within(value, MAX_EMOJI_CHARS).is_ok() {
        Ok(())
    } else {
        Err(NameError::NotAnEmoji {
            max: MAX_EMOJI_CHARS,
        })
    }
}

/// User names: the rule shared with the client, see
/// [`sse_chat_names::check_user_name`] (1..=32 characters, no control
/// characters, no outer whitespace, no bidi controls, something visible, no
/// hidden characters, no word mixing lookalike scripts).
pub fn check_user(value: &str) -> Result<(), NameError> {
    sse_chat_names::check_user_name(value).map_err(NameError::User)
}

/// Message text: the rule shared with the client, see
/// [`sse_chat_names::check_text`]: not empty or whitespace-only
/// ([`InputError::EmptyText`]), at most 4000 characters
/// ([`InputError::TextTooLong`]), something visible and no bidi overrides
/// ([`InputError::BadText`]). Newlines and any other characters are allowed.
pub fn check_text(field: &str, value: &str) -> Result<(), InputError> {
    use sse_chat_names::TextError;
    let field = field.to_owned();
    match sse_chat_names::check_text(value) {
        Ok(()) => Ok(()),
        Err(TextError::Empty) => Err(InputError::EmptyText { field }),
        Err(TextError::TooLong { chars, .. }) => Err(InputError::TextTooLong { field, chars }),
        Err(reason) => Err(InputError::BadText { field, reason }),
    }
}

/// Parses the `rooms` query parameter: comma-separated room names, 1..=20 of
/// them, duplicates removed (first occurrence kept).
pub fn parse_rooms(value: &str) -> Result<Vec<String>, InputError> {
    let mut rooms: Vec<String> = Vec::new();
    for name in value.split(',') {
        check_room(name).map_err(|reason| InputError::BadRoomInList {
            name: name.to_owned(),
            reason,
        })?;
        if !rooms.iter().any(|r| r == name) {
            rooms.push(name.to_owned());
        }
        if rooms.len() > MAX_ROOMS_PER_STREAM {
            return Err(InputError::TooManyRooms);
        }
    }
    Ok(rooms)
}

/// Parses an optional integer query parameter (empty counts as absent).
pub fn parse_int_param(name: &str, value: Option<&String>) -> Result<Option<i64>, InputError> {
    match value.map(|v| v.trim()) {
        None | Some("") => Ok(None),
        Some(v) => v
            .parse::<i64>()
            .map(Some)
            .map_err(|_| InputError::NotAnInteger {
                name: name.to_owned(),
                value: v.to_owned(),
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
        // The shared rule: invisible, bidi and lookalike names.
        assert!(check_user("\u{200B}").is_err());
        assert!(check_user("\u{3164}").is_err());
        assert!(check_user("bob\u{202E}").is_err());
        assert!(check_user("\u{0430}lice").is_err());
    }

    #[test]
    fn text_limits_count_chars() {
        assert!(check_text("text", &"é".repeat(4000)).is_ok());
        let err = check_text("text", &"é".repeat(4001)).unwrap_err();
        assert_eq!(
            err.to_string(),
            "The field `text` must be at most 4000 characters long (it has 4001)."
        );
        let err = check_text("text", " \n\t").unwrap_err();
        assert_eq!(err.to_string(), "The field `text` must not be empty.");
        let err = check_text("text", "\u{200B}\u{FEFF}").unwrap_err();
        assert_eq!(
            err.to_string(),
            "The field `text` must contain at least one visible character."
        );
        assert!(matches!(
            check_text("text", "abc\u{202E}"),
            Err(InputError::BadText { .. })
        ));
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
            parse_int_param("x", Some(&"4x".into())).unwrap_err(),
            InputError::NotAnInteger {
                name: "x".into(),
                value: "4x".into()
            }
        );
    }

    #[test]
    fn error_texts_are_the_protocol_sentences() {
        let text = |r: Result<(), NameError>| r.unwrap_err().to_string();
        assert_eq!(text(check_room("")), "must not be empty");
        assert_eq!(
            text(check_client_id("a b")),
            "must be 1 to 64 characters, each a letter A-Z or a-z, a digit, '_' or '-'"
        );
        assert_eq!(
            text(check_user(&"x".repeat(33))),
            "must be at most 32 characters long (it has 33)"
        );
        assert_eq!(
            text(check_user("a\u{7}")),
            "must not contain control characters"
        );
        assert_eq!(
            text(check_user(" a")),
            "must not start or end with whitespace"
        );
        assert_eq!(
            parse_rooms("a,b c").unwrap_err().to_string(),
            "Each room in the query parameter `rooms` must be 1 to 64 characters, each a letter \
             A-Z or a-z, a digit, '_' or '-' (got \"b c\")."
        );
        let many: Vec<String> = (0..21).map(|i| format!("r{i}")).collect();
        assert_eq!(
            parse_rooms(&many.join(",")).unwrap_err().to_string(),
            "The query parameter `rooms` may list at most 20 different rooms; follow fewer rooms \
             or open a second stream."
        );
        assert_eq!(
            parse_int_param("before", Some(&" 4x ".into()))
                .unwrap_err()
                .to_string(),
            "The query parameter `before` must be an integer (got \"4x\")."
        );
    }
}
