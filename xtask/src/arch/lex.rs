//! A small Rust lexer, just precise enough for the architecture checks:
//! comments (`//`, nested `/* */`) vanish, string, raw string, byte and
//! char literals become one opaque token each (so a `"{"` or `'}'` never
//! counts as a brace), lifetimes and labels (`'a`) are not char literals,
//! and `::` is one token. Every token keeps the line it starts on.

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Identifier or keyword (raw identifiers lose their `r#`).
    Ident(String),
    /// `::`
    PathSep,
    /// Any other single punctuation character.
    Punct(char),
    /// String, raw string, byte string, char, byte or number literal.
    Literal,
    /// `'a`, `'static`, `'outer:` (the label's colon is a separate token).
    Lifetime,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Token {
    pub kind: Kind,
    pub line: usize,
}

impl Token {
    pub fn is_ident(&self, s: &str) -> bool {
        matches!(&self.kind, Kind::Ident(i) if i == s)
    }

    pub fn is_punct(&self, c: char) -> bool {
        self.kind == Kind::Punct(c)
    }

    pub fn ident(&self) -> Option<&str> {
        match &self.kind {
            Kind::Ident(i) => Some(i),
            _ => None,
        }
    }
}

struct Lexer {
    chars: Vec<char>,
    pos: usize,
    line: usize,
}

impl Lexer {
    fn peek(&self, ahead: usize) -> Option<char> {
        self.chars.get(self.pos + ahead).copied()
    }

    /// Moves one character on, counting lines.
    fn bump(&mut self) {
        if self.peek(0) == Some('\n') {
            self.line += 1;
        }
        self.pos += 1;
    }

    fn skip_line_comment(&mut self) {
        while let Some(c) = self.peek(0) {
            if c == '\n' {
                return;
            }
            self.bump();
        }
    }

    /// `/* ... */`, nested as Rust allows.
    fn skip_block_comment(&mut self) {
        let mut depth = 0usize;
        while let Some(c) = self.peek(0) {
            if c == '/' && self.peek(1) == Some('*') {
                depth += 1;
                self.bump();
            } else if c == '*' && self.peek(1) == Some('/') {
                depth -= 1;
                self.bump();
                if depth == 0 {
                    self.bump();
                    return;
                }
            }
            self.bump();
        }
    }

    /// A quoted string starting at the opening `"`; backslash escapes.
    fn skip_string(&mut self) {
        self.bump();
        while let Some(c) = self.peek(0) {
            self.bump();
            match c {
                '\\' => self.bump(),
                '"' => return,
                _ => {}
            }
        }
    }

    /// A raw string starting at its `#`s or `"`: `#"...."#` etc.
    fn skip_raw_string(&mut self) {
        let mut hashes = 0;
        while self.peek(0) == Some('#') {
            hashes += 1;
            self.bump();
        }
        self.bump(); // the opening quote
        while let Some(c) = self.peek(0) {
            self.bump();
            if c == '"' && (0..hashes).all(|i| self.peek(i) == Some('#')) {
                for _ in 0..hashes {
                    self.bump();
                }
                return;
            }
        }
    }

    /// At a `'`: a char literal (`'x'`, `'\n'`, `'\u{1F600}'`, `'{'`) or a
    /// lifetime/label (`'a`, `'static`).
    fn quote(&mut self) -> Kind {
        self.bump();
        if self.peek(0) == Some('\\') {
            self.bump();
            self.bump();
            while let Some(c) = self.peek(0) {
                self.bump();
                if c == '\'' {
                    break;
                }
            }
            return Kind::Literal;
        }
        if self.peek(1) == Some('\'') {
            self.bump();
            self.bump();
            return Kind::Literal;
        }
        while self.peek(0).is_some_and(is_ident_char) {
            self.bump();
        }
        Kind::Lifetime
    }

    /// Number literal: digits, letters (suffixes, hex, exponents), `_`.
    fn number(&mut self) -> Kind {
        while self.peek(0).is_some_and(is_ident_char) {
            self.bump();
        }
        Kind::Literal
    }

    /// An identifier, or a literal that starts like one: `r"..."`,
    /// `r#"..."#`, `br"..."`, `b"..."`, `b'x'`, `c"..."`; `r#ident` is a
    /// raw identifier.
    fn word(&mut self) -> Kind {
        let start = self.pos;
        while self.peek(0).is_some_and(is_ident_char) {
            self.bump();
        }
        let word: String = self.chars[start..self.pos].iter().collect();
        let next = self.peek(0);
        let raw_prefix = matches!(word.as_str(), "r" | "br" | "cr");
        if raw_prefix && next == Some('"') {
            self.skip_raw_string();
            return Kind::Literal;
        }
        if raw_prefix && next == Some('#') {
            let mut n = 0;
            while self.peek(n) == Some('#') {
                n += 1;
            }
            if self.peek(n) == Some('"') {
                self.skip_raw_string();
                return Kind::Literal;
            }
            if word == "r" && n == 1 && self.peek(1).is_some_and(is_ident_char) {
                self.bump();
                return self.word();
            }
        }
        if matches!(word.as_str(), "b" | "c") && next == Some('"') {
            self.skip_string();
            return Kind::Literal;
        }
        if word == "b" && next == Some('\'') {
            self.quote();
            return Kind::Literal;
        }
        Kind::Ident(word)
    }

    fn next_token(&mut self) -> Option<Token> {
        loop {
            let c = self.peek(0)?;
            if c.is_whitespace() {
                self.bump();
            } else if c == '/' && self.peek(1) == Some('/') {
                self.skip_line_comment();
            } else if c == '/' && self.peek(1) == Some('*') {
                self.skip_block_comment();
            } else {
                break;
            }
        }
        let line = self.line;
        let c = self.peek(0)?;
        let kind = if c == '"' {
            self.skip_string();
            Kind::Literal
        } else if c == '\'' {
            self.quote()
        } else if c.is_ascii_digit() {
            self.number()
        } else if is_ident_char(c) {
            self.word()
        } else if c == ':' && self.peek(1) == Some(':') {
            self.bump();
            self.bump();
            Kind::PathSep
        } else {
            self.bump();
            Kind::Punct(c)
        };
        Some(Token { kind, line })
    }
}

fn is_ident_char(c: char) -> bool {
    c == '_' || c.is_alphanumeric()
}

/// All tokens of `src`, comments dropped.
pub fn tokenize(src: &str) -> Vec<Token> {
    let mut lexer = Lexer {
        chars: src.chars().collect(),
        pos: 0,
        line: 1,
    };
    std::iter::from_fn(|| lexer.next_token()).collect()
}

/// Whether `toks[i..]` starts with the attribute `#[cfg(test)]` (or the
/// inner `#![cfg(test)]`); returns its length in tokens.
fn cfg_test_at(toks: &[Token], i: usize) -> Option<usize> {
    if !toks.get(i)?.is_punct('#') {
        return None;
    }
    let bang = usize::from(toks.get(i + 1)?.is_punct('!'));
    let rest = toks.get(i + 1 + bang..i + 7 + bang)?;
    let want = [
        Kind::Punct('['),
        Kind::Ident("cfg".into()),
        Kind::Punct('('),
        Kind::Ident("test".into()),
        Kind::Punct(')'),
        Kind::Punct(']'),
    ];
    rest.iter()
        .map(|t| &t.kind)
        .eq(want.iter())
        .then_some(7 + bang)
}

/// Line of the first `#[cfg(test)]` attribute outside comments and strings.
pub fn first_cfg_test_line(toks: &[Token]) -> Option<usize> {
    (0..toks.len())
        .find(|&i| cfg_test_at(toks, i).is_some())
        .map(|i| toks[i].line)
}

/// Index just past the item that starts at `i`: through a `;` or a closing
/// `}` at its own nesting level, or up to (not including) a `,` or a
/// closing bracket of the enclosing level (fields, arms, arguments).
fn item_end(toks: &[Token], mut i: usize) -> usize {
    let mut depth = 0i64;
    while let Some(t) = toks.get(i) {
        match t.kind {
            Kind::Punct('(' | '[' | '{') => depth += 1,
            Kind::Punct(')' | ']' | '}') => {
                depth -= 1;
                if depth < 0 {
                    return i;
                }
                if depth == 0 && t.is_punct('}') {
                    return i + 1;
                }
            }
            Kind::Punct(';') if depth == 0 => return i + 1,
            Kind::Punct(',') if depth == 0 => return i,
            _ => {}
        }
        i += 1;
    }
    i
}

/// Index just past the bracket group that opens at `i`.
pub fn group_end(toks: &[Token], mut i: usize) -> usize {
    let mut depth = 0usize;
    while let Some(t) = toks.get(i) {
        match t.kind {
            Kind::Punct('(' | '[' | '{') => depth += 1,
            Kind::Punct(')' | ']' | '}') => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return i + 1;
                }
            }
            _ => {}
        }
        i += 1;
    }
    i
}

/// `toks` without test code: every item (module, fn, use, impl, field...)
/// carrying `#[cfg(test)]` is dropped with its attributes; an inner
/// `#![cfg(test)]` drops the rest of the file.
pub fn strip_test_items(toks: &[Token]) -> Vec<Token> {
    let mut out = Vec::with_capacity(toks.len());
    let mut i = 0;
    while i < toks.len() {
        let Some(len) = cfg_test_at(toks, i) else {
            out.push(toks[i].clone());
            i += 1;
            continue;
        };
        if len == 8 {
            break;
        }
        i += len;
        // Further attributes of the same item: `#[...]`.
        while toks.get(i).is_some_and(|t| t.is_punct('#'))
            && toks.get(i + 1).is_some_and(|t| t.is_punct('['))
        {
            i = group_end(toks, i + 1);
        }
        i = item_end(toks, i);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(src: &str) -> Vec<Kind> {
        tokenize(src).into_iter().map(|t| t.kind).collect()
    }

    fn braces(src: &str) -> usize {
        tokenize(src)
            .iter()
            .filter(|t| t.is_punct('{') || t.is_punct('}'))
            .count()
    }

    #[test]
    fn literals_hide_braces() {
        assert_eq!(braces(r#"let a = "{"; let b = "\"{";"#), 0);
        assert_eq!(braces(r###"let a = r#"{"}"#; let b = r"{";"###), 0);
        assert_eq!(braces(r###"let a = br##"}"#}"##;"###), 0);
        assert_eq!(braces(r#"let a = b"{"; let c = '{'; let d = b'}';"#), 0);
        assert_eq!(braces(r"let e = '\''; let f = '\u{7b}'; g {}"), 2);
    }

    #[test]
    fn comments_vanish() {
        assert_eq!(braces("// {\n/* { /* nested } */ } */ x"), 0);
        assert_eq!(kinds("/// doc {\nx"), vec![Kind::Ident("x".into())]);
    }

    #[test]
    fn lifetimes_are_not_chars() {
        let k = kinds("fn f<'a>(x: &'a str) -> &'static str { 'outer: loop {} }");
        assert_eq!(k.iter().filter(|k| **k == Kind::Lifetime).count(), 4);
        assert_eq!(k.iter().filter(|k| **k == Kind::Literal).count(), 0);
        assert_eq!(braces("fn f<'a>(x: &'a str) { '{' }"), 2);
    }

    #[test]
    fn lines_and_path_separators() {
        let t = tokenize("a::b\n\"two\nlines\"\nc");
        assert_eq!(t[1].kind, Kind::PathSep);
        assert_eq!(t[3].line, 2);
        assert_eq!(t[4].line, 4);
        assert_eq!(kinds("r#type")[0], Kind::Ident("type".into()));
    }

    #[test]
    fn test_items_are_stripped() {
        let src = "fn a() {}\n#[cfg(test)]\n#[allow(x)]\nmod tests { fn t() {} }\nfn b() {}\n\
                   struct S { #[cfg(test)] x: u8, y: u8 }\n#[cfg(test)] use x::{y, z};\nfn c();";
        let toks = tokenize(src);
        assert_eq!(first_cfg_test_line(&toks), Some(2));
        let kept = strip_test_items(&toks);
        let names: Vec<&str> = kept.iter().filter_map(Token::ident).collect();
        assert_eq!(
            names,
            ["fn", "a", "fn", "b", "struct", "S", "y", "u8", "fn", "c"]
        );
        assert!(strip_test_items(&tokenize("#![cfg(test)]\nfn a() {}")).is_empty());
    }
}
