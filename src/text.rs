//! Message text to display segments: plain text and safe links.
//!
//! The UI renders each segment as a text node or an `<a>` whose `href` is
//! one of the allowed schemes; nothing is ever parsed as HTML, so `<script>`
//! and friends show up as the literal characters they are.

/// A piece of a message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Segment {
    Text(String),
    Link { href: String, text: String },
}

/// Schemes that become links; anything else (`javascript:`, `data:`, ...)
/// stays text.
const SCHEMES: &[&str] = &["https://", "http://", "mailto:"];

/// Messages longer than this (characters) or with more lines are collapsed
/// behind "Show more".
pub const COLLAPSE_CHARS: usize = 700;
pub const COLLAPSE_LINES: usize = 12;

/// Whether a message is long enough to collapse.
pub fn is_long(text: &str) -> bool {
    text.chars().count() > COLLAPSE_CHARS || text.lines().count() > COLLAPSE_LINES
}

/// The collapsed preview: the first lines/characters of a long message.
pub fn preview(text: &str) -> String {
    let mut out: String = text
        .lines()
        .take(COLLAPSE_LINES)
        .collect::<Vec<_>>()
        .join("\n");
    if out.chars().count() > COLLAPSE_CHARS {
        out = out.chars().take(COLLAPSE_CHARS).collect();
    }
    out.push('…');
    out
}

fn scheme_at(s: &str, i: usize) -> Option<&'static str> {
    let rest = &s.as_bytes()[i..];
    SCHEMES.iter().copied().find(|sch| {
        rest.len() >= sch.len() && rest[..sch.len()].eq_ignore_ascii_case(sch.as_bytes())
    })
}

/// Splits text into plain and link segments.
pub fn linkify(text: &str) -> Vec<Segment> {
    let mut out = Vec::new();
    let mut plain_start = 0;
    let mut i = 0;
    let bytes = text.as_bytes();
    while i < bytes.len() {
        // A link starts at the beginning or after a non-alphanumeric char,
        // so "xhttp://" is not a link.
        let boundary = i == 0 || !(bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'_');
        let Some(scheme) = boundary.then(|| scheme_at(text, i)).flatten() else {
            i += 1;
            continue;
        };
        let end = link_end(text, i, scheme.len());
        if end > i + scheme.len() {
            let link = &text[i..end];
            // A deceptive link stays text: it is shown, never clickable.
            if !deceptive(link, scheme) {
                if plain_start < i {
                    out.push(Segment::Text(text[plain_start..i].to_string()));
                }
                out.push(Segment::Link {
                    href: link.to_string(),
                    text: link.to_string(),
                });
                plain_start = end;
            }
            i = end;
        } else {
            i += scheme.len();
        }
    }
    if plain_start < text.len() {
        out.push(Segment::Text(text[plain_start..].to_string()));
    }
    out
}

/// Whether a link would mislead about where it goes: a host that is not
/// plain ASCII (`https://аpple.com` with a Cyrillic а), userinfo before the
/// host (`https://example.com@evil.example/`), or bidi controls anywhere
/// (which reorder what the reader sees). Such links are shown as text.
pub fn deceptive(link: &str, scheme: &str) -> bool {
    let bidi = |c: char| matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}');
    if link.chars().any(bidi) {
        return true;
    }
    let rest = &link[scheme.len()..];
    if scheme == "mailto:" {
        return !rest.is_ascii();
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host_char = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | ':' | '[' | ']');
    authority.is_empty() || !authority.chars().all(host_char)
}

/// Where a link starting at `start` ends: at whitespace or a character that
/// cannot be part of a URL, minus trailing punctuation (a closing bracket
/// stays when the link opened one).
fn link_end(text: &str, start: usize, scheme_len: usize) -> usize {
    let mut end = start + scheme_len;
    for (off, c) in text[end..].char_indices() {
        if c.is_whitespace()
            || c.is_control()
            || matches!(c, '<' | '>' | '"' | '`' | '{' | '}' | '|' | '\\' | '^')
        {
            break;
        }
        end = start + scheme_len + off + c.len_utf8();
    }
    loop {
        let link = &text[start..end];
        let Some(last) = link.chars().last() else {
            break;
        };
        let trim = match last {
            '.' | ',' | ';' | ':' | '!' | '?' | '\'' | '*' => true,
            ')' => link.matches('(').count() < link.matches(')').count(),
            ']' => link.matches('[').count() < link.matches(']').count(),
            _ => false,
        };
        if !trim || end <= start + scheme_len {
            break;
        }
        end -= last.len_utf8();
    }
    end
}

#[cfg(test)]
mod tests {
    use super::*;

    fn links(text: &str) -> Vec<String> {
        linkify(text)
            .into_iter()
            .filter_map(|s| match s {
                Segment::Link { href, .. } => Some(href),
                Segment::Text(_) => None,
            })
            .collect()
    }

    #[test]
    fn deceptive_links_stay_text() {
        for bad in [
            "https://\u{0430}pple.com/login",
            "https://example.com@evil.example/",
            "https://user:pw@host.example/",
            "https://good.example/\u{202E}gpj.exe",
            "mailto:\u{0430}dmin@example.com",
            "https:///nohost",
        ] {
            assert!(links(bad).is_empty(), "{bad:?} must not be a link");
            let shown: String = linkify(bad)
                .into_iter()
                .map(|s| match s {
                    Segment::Text(t) => t,
                    Segment::Link { text, .. } => text,
                })
                .collect();
            assert_eq!(shown, bad, "shown as typed");
        }
        assert_eq!(
            links("see https://example.com:8443/a?b=c#d and http://[::1]:80/"),
            ["https://example.com:8443/a?b=c#d", "http://[::1]:80/"]
        );
        assert_eq!(
            links("mailto:team@example.com"),
            ["mailto:team@example.com"]
        );
    }

    fn link(s: &str) -> Segment {
        Segment::Link {
            href: s.into(),
            text: s.into(),
        }
    }
    fn text(s: &str) -> Segment {
        Segment::Text(s.into())
    }

    #[test]
    fn plain_text_stays_whole() {
        assert_eq!(linkify("hello\nworld"), [text("hello\nworld")]);
        assert_eq!(linkify(""), []);
    }

    #[test]
    fn links_with_trailing_punctuation() {
        assert_eq!(
            linkify("see https://example.com/a?b=1&c=2. ok"),
            [
                text("see "),
                link("https://example.com/a?b=1&c=2"),
                text(". ok")
            ]
        );
        assert_eq!(
            linkify("(https://en.wikipedia.org/wiki/Rust_(language))"),
            [
                text("("),
                link("https://en.wikipedia.org/wiki/Rust_(language)"),
                text(")")
            ]
        );
        assert_eq!(
            linkify("mail mailto:a@b.c!"),
            [text("mail "), link("mailto:a@b.c"), text("!")]
        );
        assert_eq!(linkify("HTTP://X.ORG"), [link("HTTP://X.ORG")]);
        assert_eq!(
            linkify("http://example/ä ö"),
            [link("http://example/ä"), text(" ö")],
            "non-ASCII paths are fine"
        );
        // Non-ASCII hosts are not: they may imitate another (see deceptive).
        assert_eq!(
            linkify("http://ünï.example/ä"),
            [text("http://ünï.example/ä")]
        );
    }

    #[test]
    fn unsafe_schemes_and_fragments_stay_text() {
        for s in [
            "javascript:alert(1)",
            "data:text/html,<script>alert(1)</script>",
            "vbscript:x",
            "xhttp://evil",
            "https://",
            "http:// spaced",
            "<a href=\"javascript:alert(1)\">x</a>",
        ] {
            assert!(
                linkify(s).iter().all(|seg| matches!(seg, Segment::Text(_))),
                "{s:?} produced a link: {:?}",
                linkify(s)
            );
        }
        // A link is cut at markup characters, which stay text.
        assert_eq!(
            linkify("<https://a.b/\"onmouseover=x>"),
            [text("<"), link("https://a.b/"), text("\"onmouseover=x>")]
        );
    }

    #[test]
    fn segments_reassemble_the_text() {
        for s in [
            "a https://x.y b http://z.w. mailto:q@r",
            "日本 https://例え.jp/パス。",
            "((http://a.b))",
        ] {
            let joined: String = linkify(s)
                .into_iter()
                .map(|seg| match seg {
                    Segment::Text(t) => t,
                    Segment::Link { text, .. } => text,
                })
                .collect();
            assert_eq!(joined, s);
        }
    }

    #[test]
    fn collapse() {
        assert!(!is_long("short"));
        assert!(is_long(&"x".repeat(COLLAPSE_CHARS + 1)));
        assert!(is_long(&"line\n".repeat(COLLAPSE_LINES + 1)));
        let p = preview(&"line\n".repeat(40));
        assert_eq!(p.lines().count(), COLLAPSE_LINES);
        assert!(p.ends_with('…'));
    }
}
