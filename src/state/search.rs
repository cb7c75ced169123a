//! Search within what a room holds: messages containing the query, ASCII
//! letters in either case (the Unicode case tables would cost the wasm
//! about 11 KB; other letters match as typed). Pure, tested natively.

use super::chat_state::ChatState;
use super::message::Message;
use std::ops::Range;

impl ChatState {
    /// The messages of `room` whose text contains `query`, newest first,
    /// at most `max`; tombstones are never found.
    pub fn search(&self, room: &str, query: &str, max: usize) -> Vec<Message> {
        let query = query.trim();
        let Some(r) = self.room(room).filter(|_| !query.is_empty()) else {
            return Vec::new();
        };
        let hits = r.log.iter().rev().filter(|m| !m.deleted());
        hits.filter(|m| contains(&m.text, query))
            .take(max)
            .cloned()
            .collect()
    }
}

/// Whether `needle` occurs in `hay`, ASCII case ignored (no list built:
/// every held message is tested).
fn contains(hay: &str, needle: &str) -> bool {
    occurrences(hay, needle).next().is_some()
}

/// Where `needle` occurs in `hay` (byte ranges, not overlapping), ASCII
/// case ignored: what a result highlights.
pub fn matches(hay: &str, needle: &str) -> Vec<Range<usize>> {
    occurrences(hay, needle).collect()
}

/// The occurrences of `needle` in `hay`, left to right, not overlapping,
/// each starting on a character boundary.
fn occurrences<'a>(hay: &'a str, needle: &'a str) -> impl Iterator<Item = Range<usize>> + 'a {
    let (h, n) = (hay.as_bytes(), needle.as_bytes());
    let mut i = 0;
    std::iter::from_fn(move || {
        if n.is_empty() {
            return None;
        }
        while let Some(window) = h.get(i..i + n.len()) {
            let at = i;
            i += 1;
            if hay.is_char_boundary(at) && window.eq_ignore_ascii_case(n) {
                i = at + n.len();
                return Some(at..i);
            }
        }
        None
    })
}

#[cfg(test)]
mod tests {
    use super::super::chat_state::fixtures::wire;
    use super::*;
    use crate::protocol::Incoming;

    #[test]
    fn finds_newest_first_in_either_case() {
        let mut s = ChatState::new("me", &["a".to_string()], "a");
        let texts = [
            "Deploy at noon",
            "lunch?",
            "the DEPLOY worked",
            "café au lait",
        ];
        let batch = (1..).zip(texts).map(|(i, t)| {
            (
                Incoming::Message(wire(Some(&i.to_string()), "a", "bob", t)),
                None,
            )
        });
        s.ingest(batch.collect(), 0.0);
        let found = |q: &str| -> Vec<String> {
            s.search("a", q, 10)
                .iter()
                .map(|m| m.text.to_string())
                .collect()
        };
        assert_eq!(found("deploy"), ["the DEPLOY worked", "Deploy at noon"]);
        assert_eq!(
            found("CAFÉ"),
            Vec::<String>::new(),
            "non-ASCII matches as typed"
        );
        assert_eq!(found("café"), ["café au lait"]);
        assert!(found("  ").is_empty());
        assert_eq!(s.search("a", "e", 1).len(), 1);
        assert!(s.search("nowhere", "e", 9).is_empty());
    }

    #[test]
    fn highlights() {
        assert_eq!(matches("aXa xa", "xA"), [1..3, 4..6]);
        assert_eq!(matches("ééé", "é"), [0..2, 2..4, 4..6]);
        assert!(matches("short", "longer text").is_empty());
    }
}
