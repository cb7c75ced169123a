//! Character classes the rules in the crate root are built from.
//!
//! Hand-written ranges instead of Unicode tables (the crate has no
//! dependencies): they cover the characters that matter for spoofing, not
//! every property of every code point.

/// Bidirectional formatting characters: the marks U+061C (ALM), U+200E
/// (LRM), U+200F (RLM), and the embeddings, overrides and isolates
/// U+202A to U+202E and U+2066 to U+2069 (see [`is_bidi_override`]).
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}') || is_bidi_override(c)
}

/// The bidi controls that reorder the text after them until they are
/// closed (LRE, RLE, PDF, LRO, RLO, LRI, RLI, FSI, PDI): the ones that make
/// text display in another order than it is stored ("Trojan Source").
pub fn is_bidi_override(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Characters that render as nothing, or as a blank, although they are
/// neither whitespace nor control characters for Rust: zero-width
/// characters (U+200B to U+200F, U+2060 to U+206F), the byte order mark
/// U+FEFF, soft hyphen U+00AD, combining grapheme joiner U+034F, the Hangul
/// fillers U+115F, U+1160, U+3164 and U+FFA0, Khmer U+17B4/U+17B5,
/// Mongolian U+180B to U+180F, braille blank U+2800, variation selectors
/// (U+FE00 to U+FE0F, U+E0100 to U+E01EF), tags (U+E0000 to U+E007F),
/// interlinear annotation U+FFF9 to U+FFFB, shorthand format controls
/// U+1BCA0 to U+1BCA3, musical format controls U+1D173 to U+1D17A, Khitan
/// filler U+16FE4, and the bidi controls ([`is_bidi_control`]).
pub fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{034F}'
            | '\u{061C}'
            | '\u{115F}'
            | '\u{1160}'
            | '\u{17B4}'
            | '\u{17B5}'
            | '\u{180B}'..='\u{180F}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{206F}'
            | '\u{2800}'
            | '\u{3164}'
            | '\u{FEFF}'
            | '\u{FFA0}'
            | '\u{FFF9}'..='\u{FFFB}'
            | '\u{16FE4}'
            | '\u{1BCA0}'..='\u{1BCA3}'
            | '\u{1D173}'..='\u{1D17A}'
            | '\u{E0000}'..='\u{E0FFF}'
    ) || is_variation_selector(c)
}

/// Combining marks of the general-purpose blocks (U+0300 to U+036F,
/// U+1AB0 to U+1AFF, U+1DC0 to U+1DFF, U+20D0 to U+20FF, U+FE20 to
/// U+FE2F): they draw on the character before them, never on their own.
pub fn is_combining_mark(c: char) -> bool {
    matches!(
        c,
        '\u{0300}'..='\u{036F}'
            | '\u{1AB0}'..='\u{1AFF}'
            | '\u{1DC0}'..='\u{1DFF}'
            | '\u{20D0}'..='\u{20FF}'
            | '\u{FE20}'..='\u{FE2F}'
    )
}

/// A character that draws something on its own: not whitespace, not a
/// control character, not [`is_invisible`], not a combining mark.
pub fn is_visible(c: char) -> bool {
    !(c.is_whitespace() || c.is_control() || is_invisible(c) || is_combining_mark(c))
}

/// Variation selectors: U+FE00 to U+FE0F and U+E0100 to U+E01EF.
pub(crate) fn is_variation_selector(c: char) -> bool {
    matches!(c, '\u{FE00}'..='\u{FE0F}' | '\u{E0100}'..='\u{E01EF}')
}

/// Zero-width non-joiner and zero-width joiner.
pub(crate) fn is_joiner(c: char) -> bool {
    matches!(c, '\u{200C}' | '\u{200D}')
}

/// Tag characters, as used after U+1F3F4 in subdivision flags.
pub(crate) fn is_tag(c: char) -> bool {
    matches!(c, '\u{E0020}'..='\u{E007F}')
}

/// The scripts whose letters are easily mistaken for one another (`а` is
/// Cyrillic, `a` Latin, `ο` Greek, `օ` Armenian, `Ꭺ` Cherokee).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Script {
    /// Latin letters (ASCII, Latin-1, the Latin Extended blocks, IPA,
    /// fullwidth Latin).
    Latin,
    /// Greek and Greek Extended, the ohm sign.
    Greek,
    /// Cyrillic and its supplements and extensions.
    Cyrillic,
    /// Armenian and its ligatures.
    Armenian,
    /// Cherokee and its small letters.
    Cherokee,
}

/// The [`Script`] of a letter, or `None` for every other character (other
/// scripts, digits, punctuation, symbols, emoji, combining marks).
pub fn lookalike_script(c: char) -> Option<Script> {
    match c {
        'A'..='Z'
        | 'a'..='z'
        | '\u{AA}'
        | '\u{BA}'
        | '\u{C0}'..='\u{D6}'
        | '\u{D8}'..='\u{F6}'
        | '\u{F8}'..='\u{2AF}'
        | '\u{1D00}'..='\u{1D25}'
        | '\u{1E00}'..='\u{1EFF}'
        | '\u{2C60}'..='\u{2C7F}'
        | '\u{A722}'..='\u{A7FF}'
        | '\u{AB30}'..='\u{AB5A}'
        | '\u{FB00}'..='\u{FB06}'
        | '\u{FF21}'..='\u{FF3A}'
        | '\u{FF41}'..='\u{FF5A}'
        | '\u{1DF00}'..='\u{1DFFF}' => Some(Script::Latin),
        '\u{370}'..='\u{373}'
        | '\u{376}'..='\u{377}'
        | '\u{37B}'..='\u{37D}'
        | '\u{37F}'
        | '\u{386}'
        | '\u{388}'..='\u{3E1}'
        | '\u{3F0}'..='\u{3FF}'
        | '\u{1D26}'..='\u{1D2A}'
        | '\u{1F00}'..='\u{1FFE}'
        | '\u{2126}'
        | '\u{AB65}' => Some(Script::Greek),
        '\u{400}'..='\u{52F}'
        | '\u{1C80}'..='\u{1C8F}'
        | '\u{1D2B}'
        | '\u{2DE0}'..='\u{2DFF}'
        | '\u{A640}'..='\u{A69F}'
        | '\u{1E030}'..='\u{1E08F}' => Some(Script::Cyrillic),
        '\u{531}'..='\u{556}' | '\u{559}'..='\u{588}' | '\u{FB13}'..='\u{FB17}' => {
            Some(Script::Armenian)
        }
        '\u{13A0}'..='\u{13FF}' | '\u{AB70}'..='\u{ABBF}' => Some(Script::Cherokee),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes() {
        for c in [
            '\u{200B}',
            '\u{FEFF}',
            '\u{3164}',
            '\u{2800}',
            '\u{FE0F}',
            '\u{E0041}',
        ] {
            assert!(is_invisible(c) && !is_visible(c), "{:04X}", c as u32);
        }
        for c in ['a', 'ß', 'Ω', 'ж', '字', '😀', '1', '#', '\u{FFFD}'] {
            assert!(is_visible(c), "{c}");
        }
        assert!(!is_visible(' ') && !is_visible('\u{3000}') && !is_visible('\u{0301}'));
        assert!(is_bidi_control('\u{200E}') && !is_bidi_override('\u{200E}'));
        assert!(is_bidi_override('\u{202E}') && is_bidi_override('\u{2069}'));
        assert!(!is_bidi_control('\u{2065}') && !is_bidi_control('\u{202F}'));
    }

    #[test]
    fn scripts() {
        assert_eq!(lookalike_script('a'), Some(Script::Latin));
        assert_eq!(lookalike_script('é'), Some(Script::Latin));
        assert_eq!(lookalike_script('\u{0430}'), Some(Script::Cyrillic));
        assert_eq!(lookalike_script('\u{03BF}'), Some(Script::Greek));
        assert_eq!(lookalike_script('\u{0585}'), Some(Script::Armenian));
        assert_eq!(lookalike_script('\u{13AA}'), Some(Script::Cherokee));
        for c in ['1', '_', '×', '÷', '字', 'あ', '😀', '\u{0301}'] {
            assert_eq!(lookalike_script(c), None, "{c}");
        }
    }
}
