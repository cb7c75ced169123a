//! The rule for user names and message texts, shared by the sse-chat
//! client (wasm) and the reference server, so that a name the client lets
//! a user type is never refused only at send time, and a name the server
//! refuses is refused by the client's own checks too.
//!
//! - [`check_user_name`] / [`is_user_name`]: 1 to [`MAX_USER_CHARS`]
//!   characters; no control characters or line separators; no leading or
//!   trailing whitespace; no bidi controls; at least one visible character;
//!   no invisible characters except joiners and variation selectors inside
//!   emoji and scripts that need them; no word mixing lookalike scripts.
//! - [`check_text`] / [`is_text`]: not empty or whitespace-only, at most
//!   [`MAX_TEXT_CHARS`] characters, at least one visible character, no bidi
//!   embedding/override/isolate controls (the marks LRM, RLM and ALM are
//!   allowed in texts: right-to-left writers need them).
//!
//! Errors display as the end of a sentence ("must not be empty"), so the
//! caller can say which input they are about: "The field `user` must not be
//! empty."

mod chars;

pub use chars::{
    is_bidi_control, is_bidi_override, is_combining_mark, is_invisible, is_visible,
    lookalike_script, Script,
};

use chars::{is_joiner, is_tag, is_variation_selector};

/// Longest user name, in characters (Unicode scalar values).
pub const MAX_USER_CHARS: usize = 32;
/// Longest message text, in characters (Unicode scalar values).
pub const MAX_TEXT_CHARS: usize = 4000;

/// Why a user name is refused, in the order [`check_user_name`] checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameError {
    /// Empty or only whitespace.
    Empty,
    /// Longer than [`MAX_USER_CHARS`].
    TooLong {
        /// The longest allowed length, in characters.
        max: usize,
        /// The length of the name, in characters.
        chars: usize,
    },
    /// A control character (`Cc`), or the line/paragraph separator U+2028/U+2029.
    ControlCharacter,
    /// Starts or ends with whitespace.
    SurroundingWhitespace,
    /// A bidirectional control ([`is_bidi_control`]).
    BidiControl,
    /// Nothing visible at all (only invisible characters, blanks, marks).
    NoVisibleCharacter,
    /// An invisible character ([`is_invisible`]) where it could hide or
    /// disguise part of the name.
    InvisibleCharacter,
    /// One word mixes letters of two lookalike [`Script`]s.
    MixedScripts,
}

impl core::fmt::Display for NameError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            NameError::Empty => f.write_str("must not be empty"),
            NameError::TooLong { max, chars } => {
                write!(f, "must be at most {max} characters long (it has {chars})")
            }
            NameError::ControlCharacter => f.write_str("must not contain control characters"),
            NameError::SurroundingWhitespace => {
                f.write_str("must not start or end with whitespace")
            }
            NameError::BidiControl => f.write_str(
                "must not contain bidirectional control characters (U+061C, U+200E, U+200F, \
                 U+202A to U+202E, U+2066 to U+2069)",
            ),
            NameError::NoVisibleCharacter => {
                f.write_str("must contain at least one visible character")
            }
            NameError::InvisibleCharacter => f.write_str(
                "must not contain invisible characters (zero-width characters, fillers, \
                 a byte order mark and the like)",
            ),
            NameError::MixedScripts => f.write_str(
                "must not mix Latin, Greek, Cyrillic, Armenian or Cherokee letters in one \
                 word (they contain lookalikes)",
            ),
        }
    }
}

impl std::error::Error for NameError {}

/// Why a message text is refused, in the order [`check_text`] checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextError {
    /// Empty or only whitespace.
    Empty,
    /// Longer than [`MAX_TEXT_CHARS`].
    TooLong {
        /// The longest allowed length, in characters.
        max: usize,
        /// The length of the text, in characters.
        chars: usize,
    },
    /// Nothing visible at all (only invisible characters, blanks, marks).
    NoVisibleCharacter,
    /// A bidi embedding, override or isolate ([`is_bidi_override`]).
    BidiControl,
}

impl core::fmt::Display for TextError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            TextError::Empty => f.write_str("must not be empty"),
            TextError::TooLong { max, chars } => {
                write!(f, "must be at most {max} characters long (it has {chars})")
            }
            TextError::NoVisibleCharacter => {
                f.write_str("must contain at least one visible character")
            }
            TextError::BidiControl => f.write_str(
                "must not contain bidirectional embedding, override or isolate controls \
                 (U+202A to U+202E, U+2066 to U+2069)",
            ),
        }
    }
}

impl std::error::Error for TextError {}

/// Checks a user name; see the crate docs for the rule.
pub fn check_user_name(name: &str) -> Result<(), NameError> {
    if name.trim().is_empty() {
        return Err(NameError::Empty);
    }
    let chars: Vec<char> = name.chars().collect();
    if chars.len() > MAX_USER_CHARS {
        return Err(NameError::TooLong {
            max: MAX_USER_CHARS,
            chars: chars.len(),
        });
    }
    if chars
        .iter()
        .any(|&c| c.is_control() || matches!(c, '\u{2028}' | '\u{2029}'))
    {
        return Err(NameError::ControlCharacter);
    }
    if name.starts_with(char::is_whitespace) || name.ends_with(char::is_whitespace) {
        return Err(NameError::SurroundingWhitespace);
    }
    if chars.iter().copied().any(is_bidi_control) {
        return Err(NameError::BidiControl);
    }
    if !chars.iter().copied().any(is_visible) {
        return Err(NameError::NoVisibleCharacter);
    }
    if (0..chars.len()).any(|i| hides(&chars, i)) {
        return Err(NameError::InvisibleCharacter);
    }
    if name.split(char::is_whitespace).any(mixes_scripts) {
        return Err(NameError::MixedScripts);
    }
    Ok(())
}

/// `true` if [`check_user_name`] accepts `name`.
pub fn is_user_name(name: &str) -> bool {
    check_user_name(name).is_ok()
}

/// Checks a message text; see the crate docs for the rule. Newlines and
/// every other character not named there are allowed.
pub fn check_text(text: &str) -> Result<(), TextError> {
    check_text_within(text, MAX_TEXT_CHARS)
}

/// [`check_text`] with another length limit, in characters: a client
/// uses the limit of the backend it talks to.
pub fn check_text_within(text: &str, max: usize) -> Result<(), TextError> {
    if text.trim().is_empty() {
        return Err(TextError::Empty);
    }
    let chars = text.chars().count();
    if chars > max {
        return Err(TextError::TooLong { max, chars });
    }
    if !text.chars().any(is_visible) {
        return Err(TextError::NoVisibleCharacter);
    }
    if text.chars().any(is_bidi_override) {
        return Err(TextError::BidiControl);
    }
    Ok(())
}

/// `true` if [`check_text`] accepts `text`.
pub fn is_text(text: &str) -> bool {
    check_text(text).is_ok()
}

/// Whether the invisible character at `i` (if it is one) can hide part of
/// a name. Allowed are only:
/// - a variation selector after a visible character other than an ASCII
///   letter (emoji presentation `❤️`, keycaps `#️⃣`);
/// - a joiner (ZWJ, ZWNJ) between two visible non-ASCII characters
///   (variation selectors and combining marks before it are skipped), as
///   in emoji sequences `👩‍💻` and Persian or Indic words;
/// - tags right after U+1F3F4 or another tag (subdivision flags).
fn hides(chars: &[char], i: usize) -> bool {
    let c = chars[i];
    if !is_invisible(c) {
        return false;
    }
    let visible_non_ascii = |c: char| is_visible(c) && !c.is_ascii();
    if is_variation_selector(c) {
        let before = i.checked_sub(1).map(|j| chars[j]);
        return !before.is_some_and(|p| is_visible(p) && !p.is_ascii_alphabetic());
    }
    if is_joiner(c) {
        let base = chars[..i]
            .iter()
            .rev()
            .find(|&&p| !(is_variation_selector(p) || is_combining_mark(p)));
        let after = chars.get(i + 1);
        return !(base.is_some_and(|&p| visible_non_ascii(p))
            && after.is_some_and(|&n| visible_non_ascii(n)));
    }
    if is_tag(c) {
        let before = i.checked_sub(1).map(|j| chars[j]);
        return !before.is_some_and(|p| p == '\u{1F3F4}' || is_tag(p));
    }
    true
}

/// Whether one word has letters of two different lookalike scripts.
fn mixes_scripts(word: &str) -> bool {
    let mut seen = None;
    for script in word.chars().filter_map(lookalike_script) {
        match seen {
            None => seen = Some(script),
            Some(first) if first != script => return true,
            Some(_) => {}
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_names_pass() {
        for name in [
            "alice",
            "Zoë Ω",
            "Иван Петров",
            "Ελένη",
            "山田太郎",
            "Taro 太郎",
            "bob_42",
            "ab-cd.ef",
            "ü".repeat(32).as_str(),
            "José\u{0301}",
            "a b",
        ] {
            assert_eq!(check_user_name(name), Ok(()), "{name:?}");
        }
    }

    #[test]
    fn emoji_and_joining_scripts_keep_their_invisible_parts() {
        for name in [
            "❤\u{FE0F}",
            "#\u{FE0F}\u{20E3} fan",
            "👩\u{200D}💻 dev",
            "🏳\u{FE0F}\u{200D}🌈",
            "👨\u{200D}👩\u{200D}👧",
            "\u{1F3F4}\u{E0067}\u{E0062}\u{E0065}\u{E006E}\u{E0067}\u{E007F} fan",
            "می\u{200C}خواهم",
        ] {
            assert_eq!(check_user_name(name), Ok(()), "{name:?}");
        }
    }

    #[test]
    fn basic_rules_keep_their_order() {
        assert_eq!(check_user_name(""), Err(NameError::Empty));
        assert_eq!(check_user_name("   "), Err(NameError::Empty));
        assert_eq!(
            check_user_name(&"x".repeat(33)),
            Err(NameError::TooLong { max: 32, chars: 33 })
        );
        assert_eq!(check_user_name("a\u{7}b"), Err(NameError::ControlCharacter));
        assert_eq!(
            check_user_name("a\u{2028}b"),
            Err(NameError::ControlCharacter)
        );
        assert_eq!(
            check_user_name(" alice"),
            Err(NameError::SurroundingWhitespace)
        );
        assert_eq!(
            check_user_name("alice\u{a0}"),
            Err(NameError::SurroundingWhitespace)
        );
    }

    #[test]
    fn invisible_only_names_are_refused() {
        for name in [
            "\u{200B}",
            "\u{200B}\u{200C}\u{200D}",
            "\u{FEFF}",
            "\u{3164}",
            "\u{115F}\u{1160}",
            "\u{FFA0}",
            "\u{2800}\u{2800}",
            "\u{0301}",
            "\u{FE0F}",
            "\u{E0041}",
            "\u{00AD}",
            "\u{2060}",
        ] {
            assert_eq!(
                check_user_name(name),
                Err(NameError::NoVisibleCharacter),
                "{name:?}"
            );
        }
    }

    #[test]
    fn hidden_characters_inside_names_are_refused() {
        for name in [
            "ali\u{200B}ce",
            "alice\u{200B}",
            "\u{FEFF}alice",
            "al\u{200D}ice",
            "alice\u{200D}",
            "\u{200D}字",
            "a\u{FE0F}lice",
            "\u{FE0F}alice",
            "alice\u{E0041}",
            "bob\u{3164}",
            "bob\u{2800}",
            "so\u{00AD}phie",
        ] {
            assert_eq!(
                check_user_name(name),
                Err(NameError::InvisibleCharacter),
                "{name:?}"
            );
        }
    }

    #[test]
    fn bidi_controls_are_refused_in_names() {
        for c in [
            '\u{061C}', '\u{200E}', '\u{200F}', '\u{202A}', '\u{202B}', '\u{202C}', '\u{202D}',
            '\u{202E}', '\u{2066}', '\u{2067}', '\u{2068}', '\u{2069}',
        ] {
            assert_eq!(
                check_user_name(&format!("ab{c}cd")),
                Err(NameError::BidiControl),
                "{:04X}",
                c as u32
            );
        }
        assert_eq!(check_user_name("\u{202E}"), Err(NameError::BidiControl));
    }

    #[test]
    fn lookalike_scripts_must_not_mix_within_a_word() {
        for name in [
            "\u{0430}lice",         // Cyrillic а + Latin
            "p\u{0430}yp\u{0430}l", // Cyrillic а inside Latin
            "Bob \u{0405}mith",     // Cyrillic Ѕ in the second word
            "ab\u{03BF}ut",         // Greek ο
            "g\u{0585}\u{0585}gle", // Armenian օ
            "\u{13AA}lice",         // Cherokee Ꭺ
            "Иван\u{0069}",         // Latin i after Cyrillic
        ] {
            assert_eq!(
                check_user_name(name),
                Err(NameError::MixedScripts),
                "{name:?}"
            );
        }
        // Whole words in one script each, digits and other scripts are fine.
        assert_eq!(check_user_name("Ivan Иван"), Ok(()));
        assert_eq!(check_user_name("Ωmega"), Err(NameError::MixedScripts));
        assert_eq!(check_user_name("Ω 42"), Ok(()));
        assert_eq!(check_user_name("東京alice"), Ok(()));
    }

    #[test]
    fn error_sentences() {
        assert_eq!(NameError::Empty.to_string(), "must not be empty");
        assert_eq!(
            NameError::TooLong { max: 32, chars: 33 }.to_string(),
            "must be at most 32 characters long (it has 33)"
        );
        assert_eq!(
            NameError::NoVisibleCharacter.to_string(),
            "must contain at least one visible character"
        );
        assert_eq!(
            TextError::TooLong {
                max: 4000,
                chars: 4001
            }
            .to_string(),
            "must be at most 4000 characters long (it has 4001)"
        );
    }

    #[test]
    fn texts() {
        assert_eq!(check_text("hi\nthere"), Ok(()));
        assert_eq!(check_text(&"é".repeat(4000)), Ok(()));
        assert_eq!(check_text("👩\u{200D}💻 \u{200B}ok"), Ok(()));
        assert_eq!(check_text("שלום \u{200F}world"), Ok(()), "marks are fine");
        assert_eq!(
            check_text("Ωmega \u{0430}pple"),
            Ok(()),
            "texts may mix scripts"
        );
        assert_eq!(check_text(" \n\t"), Err(TextError::Empty));
        assert_eq!(
            check_text(&"é".repeat(4001)),
            Err(TextError::TooLong {
                max: 4000,
                chars: 4001
            })
        );
        for text in [
            "\u{200B}",
            "\u{FEFF}\u{200B} \u{3164}",
            "\u{2800}",
            "\u{200E}",
        ] {
            assert_eq!(
                check_text(text),
                Err(TextError::NoVisibleCharacter),
                "{text:?}"
            );
        }
        for text in ["abc\u{202E}fed", "\u{2066}x\u{2069}", "x\u{202A}"] {
            assert_eq!(check_text(text), Err(TextError::BidiControl), "{text:?}");
        }
        assert_eq!(
            check_text_within("hello", 4),
            Err(TextError::TooLong { max: 4, chars: 5 })
        );
        assert_eq!(
            check_text_within("\u{200B}", 4),
            Err(TextError::NoVisibleCharacter)
        );
        assert!(is_text("ok") && !is_text(""));
        assert!(is_user_name("ok") && !is_user_name("o\u{200B}k"));
    }
}
