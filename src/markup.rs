//! Simple formatting of message text, pure and total: code blocks between
//! ``` fences, quote lines starting with `>`, and inline `code`, **bold**,
//! *italic* (or _italic_), ~~strike~~ and @mentions. The result is a tree
//! the UI renders as elements holding text nodes, so nothing in a message
//! is ever parsed as HTML.
//!
//! Plain text stays possible: a backslash before a marker keeps it literal
//! (`\*not italic\*`), code spans and blocks keep everything inside as
//! typed, and markers that do not close are shown as typed.

/// A block of a message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Block {
    /// Lines of text (newlines kept).
    Text(Vec<Inline>),
    /// Lines that started with `>`.
    Quote(Vec<Inline>),
    /// A fenced code block, exactly as typed.
    Code(String),
}

/// A run of text and its style.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Inline {
    Text(String),
    Code(String),
    Bold(Vec<Inline>),
    Italic(Vec<Inline>),
    Strike(Vec<Inline>),
    /// `@name`; `me` when it names the reader.
    Mention {
        name: String,
        me: bool,
    },
}

const FENCE: &str = "```";

/// Parses `text`; `me` is the reader's name, for highlighting mentions of
/// them (empty: none).
pub fn parse(text: &str, me: &str) -> Vec<Block> {
    // Most messages have no marker at all: one text, no parse (this runs
    // for every row rendered).
    if text.len() > FORMAT_MAX || is_plain(text) {
        return vec![Block::Text(vec![Inline::Text(text.to_string())])];
    }
    parse_marked(text, me)
}

/// No character that could start formatting (nor a fence or a quote).
fn is_plain(text: &str) -> bool {
    !text.is_empty() && !text.contains(['*', '_', '~', '`', '>', '@', '\\'])
}

fn parse_marked(text: &str, me: &str) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut lines = text.split('\n').peekable();
    let mut plain: Vec<&str> = Vec::new();
    let mut quote: Vec<&str> = Vec::new();
    let flush = |blocks: &mut Vec<Block>, plain: &mut Vec<&str>, quote: &mut Vec<&str>| {
        if !plain.is_empty() {
            blocks.push(Block::Text(inline(&plain.join("\n"), me)));
            plain.clear();
        }
        if !quote.is_empty() {
            blocks.push(Block::Quote(inline(&quote.join("\n"), me)));
            quote.clear();
        }
    };
    while let Some(line) = lines.next() {
        if line.trim_start().starts_with(FENCE) {
            // A fence opens a block only if another one closes it.
            let rest: Vec<&str> = lines.clone().collect();
            if let Some(end) = rest.iter().position(|l| l.trim() == FENCE) {
                flush(&mut blocks, &mut plain, &mut quote);
                blocks.push(Block::Code(rest[..end].join("\n")));
                for _ in 0..=end {
                    lines.next();
                }
                continue;
            }
        }
        match line.strip_prefix('>') {
            Some(q) => {
                if !plain.is_empty() {
                    flush(&mut blocks, &mut plain, &mut Vec::new());
                }
                quote.push(q.strip_prefix(' ').unwrap_or(q));
            }
            None => {
                if !quote.is_empty() {
                    flush(&mut blocks, &mut Vec::new(), &mut quote);
                }
                plain.push(line);
            }
        }
    }
    flush(&mut blocks, &mut plain, &mut quote);
    blocks
}

/// Whether `text` mentions `me` (`@me` not inside code).
pub fn mentions(text: &str, me: &str) -> bool {
    !me.is_empty()
        && text.contains('@')
        && parse(text, me).iter().any(|b| match b {
            Block::Text(i) | Block::Quote(i) => has_mention(i),
            Block::Code(_) => false,
        })
}

fn has_mention(inlines: &[Inline]) -> bool {
    inlines.iter().any(|i| match i {
        Inline::Mention { me, .. } => *me,
        Inline::Bold(c) | Inline::Italic(c) | Inline::Strike(c) => has_mention(c),
        Inline::Text(_) | Inline::Code(_) => false,
    })
}

/// The styled runs of one block's text.
fn inline(text: &str, me: &str) -> Vec<Inline> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    parse_span(&chars, me, &mut out);
    out
}

/// Delimiters, longest first so `**` is not read as two `*`.
type Style = (&'static str, fn(Vec<Inline>) -> Inline);
const STYLES: &[Style] = &[
    ("**", Inline::Bold),
    ("~~", Inline::Strike),
    ("*", Inline::Italic),
    ("_", Inline::Italic),
];

fn starts_with(chars: &[char], at: usize, marker: &str) -> bool {
    (at..)
        .zip(marker.chars())
        .all(|(i, m)| chars.get(i) == Some(&m))
}

/// How far (chars) a closing marker is looked for: a span longer than this
/// stays as typed, so hostile text costs linear time, not quadratic.
const SPAN_MAX: usize = 500;
/// Longer texts are shown without formatting (their links still work).
pub const FORMAT_MAX: usize = 8_000;

/// Letters and digits. Every non-ASCII character counts as one: exact
/// Unicode classes would cost the wasm their tables, and a symbol next to
/// a marker is rare.
fn is_word(c: char) -> bool {
    c.is_ascii_alphanumeric() || !c.is_ascii()
}

/// Where the closing `marker` of a span opened at `open` (the first char
/// after the marker) is: not right after the opener, not after whitespace,
/// and for `_` not inside a word (snake_case stays as typed).
fn closer(chars: &[char], open: usize, marker: &str) -> Option<usize> {
    let n = marker.chars().count();
    if chars.get(open).is_none_or(|c| c.is_whitespace()) {
        return None;
    }
    let mut i = open + 1;
    let end = chars.len().min(open + SPAN_MAX);
    while i + n <= end {
        if chars[i] == '\\' {
            i += 2;
            continue;
        }
        if marker != "`" && chars[i] == '`' {
            // Code spans are opaque: skip to their end.
            if let Some(close) = (i + 1..end).find(|&j| chars[j] == '`') {
                i = close + 1;
                continue;
            }
        }
        if starts_with(chars, i, marker) && !chars[i - 1].is_whitespace() {
            let after = chars.get(i + n).copied();
            if marker != "_" || !after.is_some_and(is_word) {
                return Some(i);
            }
        }
        i += 1;
    }
    None
}

fn parse_span(chars: &[char], me: &str, out: &mut Vec<Inline>) {
    let mut text = String::new();
    let mut i = 0;
    let push_text = |text: &mut String, out: &mut Vec<Inline>| {
        if !text.is_empty() {
            out.push(Inline::Text(std::mem::take(text)));
        }
    };
    while i < chars.len() {
        let c = chars[i];
        if c == '\\' && chars.get(i + 1).is_some_and(|n| "*_~`\\>@".contains(*n)) {
            text.push(chars[i + 1]);
            i += 2;
            continue;
        }
        if c == '`' {
            // An empty pair (or a fence's backticks) is not a code span.
            let end = (i + 1..chars.len().min(i + SPAN_MAX)).find(|&j| chars[j] == '`');
            if let Some(end) = end.filter(|&e| e > i + 1) {
                push_text(&mut text, out);
                out.push(Inline::Code(chars[i + 1..end].iter().collect()));
                i = end + 1;
                continue;
            }
        }
        if c == '@' && (i == 0 || !is_word(chars[i - 1])) {
            let end = (i + 1..=chars.len())
                .find(|&j| j == chars.len() || !is_name_char(chars[j]))
                .unwrap_or(chars.len());
            if end > i + 1 {
                let name: String = chars[i + 1..end].iter().collect();
                let name = name.trim_end_matches(['.', '-']).to_string();
                let len = name.chars().count();
                if len == 0 {
                    text.push(c);
                    i += 1;
                    continue;
                }
                push_text(&mut text, out);
                let me = !me.is_empty() && name == me;
                out.push(Inline::Mention { name, me });
                i += 1 + len;
                continue;
            }
        }
        let word_before = i > 0 && is_word(chars[i - 1]);
        let styled = STYLES.iter().find_map(|(marker, make)| {
            if !starts_with(chars, i, marker) || (*marker == "_" && word_before) {
                return None;
            }
            let open = i + marker.chars().count();
            closer(chars, open, marker).map(|close| (open, close, marker, make))
        });
        if let Some((open, close, marker, make)) = styled {
            push_text(&mut text, out);
            let mut inner = Vec::new();
            parse_span(&chars[open..close], me, &mut inner);
            out.push(make(inner));
            i = close + marker.chars().count();
            continue;
        }
        text.push(c);
        i += 1;
    }
    push_text(&mut text, out);
}

/// The `@name` being typed just before `caret` (a char index): where its
/// `@` is and the part typed so far.
pub fn mention_at(text: &str, caret: usize) -> Option<(usize, String)> {
    let chars: Vec<char> = text.chars().take(caret).collect();
    let at = chars.iter().rposition(|&c| c == '@')?;
    let typed = &chars[at + 1..];
    let starts_word = at == 0 || !is_word(chars[at - 1]);
    (starts_word && typed.iter().all(|&c| is_name_char(c))).then(|| (at, typed.iter().collect()))
}

/// Names that complete `typed`: starting with it (ASCII case ignored),
/// not `me`, each once, at most `max`, in the order given.
pub fn complete<'a>(
    typed: &str,
    names: impl IntoIterator<Item = &'a str>,
    me: &str,
    max: usize,
) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for name in names {
        let fits = name.len() >= typed.len()
            && name.is_char_boundary(typed.len())
            && name[..typed.len()].eq_ignore_ascii_case(typed);
        // Names with spaces cannot be typed as a mention.
        let typable = name.chars().all(is_name_char);
        if fits && typable && name != me && !out.iter().any(|n| n == name) {
            out.push(name.to_string());
            if out.len() == max {
                break;
            }
        }
    }
    out
}

/// `text` with the mention typed from char `at` to `caret` replaced by
/// `@name `, and the caret after it.
pub fn insert_mention(text: &str, at: usize, caret: usize, name: &str) -> (String, usize) {
    let before: String = text.chars().take(at).collect();
    let after: String = text.chars().skip(caret).collect();
    let inserted = format!("@{name} ");
    let caret = before.chars().count() + inserted.chars().count();
    (format!("{before}{inserted}{after}"), caret)
}

/// Characters a mentioned name may have: what names usually hold (no
/// spaces: a name with one is not mentionable by typing).
fn is_name_char(c: char) -> bool {
    (is_word(c) && !c.is_whitespace()) || matches!(c, '_' | '-' | '.')
}

#[cfg(test)]
mod tests {
    use super::*;
    use Inline::*;

    fn t(s: &str) -> Inline {
        Text(s.into())
    }

    fn one(text: &str) -> Vec<Inline> {
        match parse(text, "me").as_slice() {
            [Block::Text(i)] => i.clone(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn styles() {
        assert_eq!(one("plain"), [t("plain")]);
        assert_eq!(one("a **b** c"), [t("a "), Bold(vec![t("b")]), t(" c")]);
        assert_eq!(
            one("*i* _j_ ~~s~~"),
            [
                Italic(vec![t("i")]),
                t(" "),
                Italic(vec![t("j")]),
                t(" "),
                Strike(vec![t("s")])
            ]
        );
        assert_eq!(
            one("**bold _and italic_**"),
            [Bold(vec![t("bold "), Italic(vec![t("and italic")])])]
        );
        assert_eq!(
            one("run `x *y* z` now"),
            [t("run "), Code("x *y* z".into()), t(" now")]
        );
    }

    #[test]
    fn what_is_not_formatting_stays_as_typed() {
        assert_eq!(one("2 * 3 * 4"), [t("2 * 3 * 4")]);
        assert_eq!(one("snake_case_name"), [t("snake_case_name")]);
        assert_eq!(one("**unclosed"), [t("**unclosed")]);
        assert_eq!(one("a ` b"), [t("a ` b")]);
        assert_eq!(one(r"\*not italic\*"), [t("*not italic*")]);
        assert_eq!(
            one("<script>alert(1)</script>"),
            [t("<script>alert(1)</script>")]
        );
        assert_eq!(one("mail a@b.c"), [t("mail a@b.c")]);
    }

    #[test]
    fn blocks() {
        let text = "look:\n```rust\nlet x = *y*;\n```\n> quoted **line**\n> two\nafter";
        assert_eq!(
            parse(text, ""),
            [
                Block::Text(vec![t("look:")]),
                Block::Code("let x = *y*;".into()),
                Block::Quote(vec![t("quoted "), Bold(vec![t("line")]), t("\ntwo")]),
                Block::Text(vec![t("after")]),
            ]
        );
        // An unclosed fence is text.
        assert_eq!(
            parse("```\nno end", ""),
            [Block::Text(vec![t("```\nno end")])]
        );
    }

    #[test]
    fn mentions_of_the_reader() {
        assert_eq!(
            one("hi @me, and @bob."),
            [
                t("hi "),
                Mention {
                    name: "me".into(),
                    me: true
                },
                t(", and "),
                Mention {
                    name: "bob".into(),
                    me: false
                },
                t("."),
            ]
        );
        assert!(mentions("ping @me", "me"));
        assert!(mentions("> **@me** look", "me"));
        assert!(!mentions("`@me` in code", "me"));
        assert!(!mentions("@meh", "me"));
        assert!(!mentions("x@me", "me"));
        assert!(!mentions("@me", ""));
    }

    #[test]
    fn completing_a_mention() {
        assert_eq!(mention_at("hi @bo", 6), Some((3, "bo".into())));
        assert_eq!(mention_at("@", 1), Some((0, String::new())));
        assert_eq!(mention_at("mail a@b", 8), None, "inside a word");
        assert_eq!(mention_at("@bob said", 9), None, "a space ended it");
        let names = ["Bob", "bobby", "carol", "bob", "me", "Bo Peep"];
        assert_eq!(complete("bo", names, "me", 8), ["Bob", "bobby", "bob"]);
        assert_eq!(complete("", names, "me", 2), ["Bob", "bobby"]);
        assert_eq!(complete("m", names, "me", 8), Vec::<String>::new());
        assert_eq!(
            insert_mention("hi @bo!", 3, 6, "bobby"),
            ("hi @bobby !".into(), 10)
        );
        assert_eq!(insert_mention("@", 0, 1, "zoë"), ("@zoë ".into(), 5));
    }

    #[test]
    fn text_without_markers_skips_the_parse_unchanged() {
        for text in [
            "hi",
            "two\nlines",
            " spaced \n\n out ",
            "a - b + c = d!",
            "https://x.org/a?b=1#c",
            "中文 text",
        ] {
            assert!(is_plain(text), "{text:?}");
            assert_eq!(parse(text, "me"), parse_marked(text, "me"), "{text:?}");
        }
        assert!(!is_plain("") && !is_plain("@me") && !is_plain("a\\*b") && !is_plain("> q"));
    }

    #[test]
    fn hostile_text_stays_fast_and_plain() {
        let many = "*a ".repeat(2_000);
        let blocks = parse(&many, "me");
        assert_eq!(blocks.len(), 1);
        assert_eq!(one("@.. and @-"), [t("@.. and @-")]);
        let long = "**".to_string() + &"x".repeat(FORMAT_MAX) + "**";
        assert_eq!(parse(&long, ""), [Block::Text(vec![t(&long)])]);
    }

    #[test]
    fn total_on_odd_input() {
        for s in [
            "*", "**", "***", "_", "`", "```", ">", "\\", "@", "~~~~", "*\n*", "@@@",
        ] {
            let _ = parse(s, "me");
        }
    }
}
