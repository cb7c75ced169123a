//! Function lengths: every `fn name` item with a body (free fns, methods,
//! nested fns, `#[component]` fns), from the line of its `fn` keyword to
//! the line of its closing brace.

use super::lex::{group_end, Kind, Token};

#[derive(Debug, PartialEq, Eq)]
pub struct FnSpan {
    pub name: String,
    pub line: usize,
    pub lines: usize,
}

/// Index of the `{` that opens the body of the fn whose name is at
/// `toks[i]`, or `None` for a declaration without body (`fn f();`). The
/// body is the first `{` outside the parameter list and any brackets
/// (signatures hold no other braces: generics, return types and `where`
/// clauses have none).
fn body_start(toks: &[Token], mut i: usize) -> Option<usize> {
    let mut depth = 0usize;
    while let Some(t) = toks.get(i) {
        match t.kind {
            Kind::Punct('(' | '[') => depth += 1,
            Kind::Punct(')' | ']') => depth = depth.saturating_sub(1),
            Kind::Punct('{') if depth == 0 => return Some(i),
            Kind::Punct(';' | '}') if depth == 0 => return None,
            _ => {}
        }
        i += 1;
    }
    None
}

/// Every fn with a body in `toks` (already stripped of test code), in
/// source order; nested fns are listed as well as the fns around them.
pub fn fn_spans(toks: &[Token]) -> Vec<FnSpan> {
    let mut spans = Vec::new();
    for (i, t) in toks.iter().enumerate() {
        if !t.is_ident("fn") {
            continue;
        }
        // `fn(u8) -> u8` pointer types and `fn $name` in macros have no name.
        let Some(name) = toks.get(i + 1).and_then(Token::ident) else {
            continue;
        };
        let Some(open) = body_start(toks, i + 2) else {
            continue;
        };
        let close = group_end(toks, open).saturating_sub(1);
        let end_line = toks.get(close).map_or(t.line, |c| c.line);
        spans.push(FnSpan {
            name: name.to_string(),
            line: t.line,
            lines: end_line - t.line + 1,
        });
    }
    spans
}

#[cfg(test)]
mod tests {
    use super::super::lex::{strip_test_items, tokenize};
    use super::*;

    fn spans(src: &str) -> Vec<(String, usize, usize)> {
        fn_spans(&strip_test_items(&tokenize(src)))
            .into_iter()
            .map(|s| (s.name, s.line, s.lines))
            .collect()
    }

    fn s(name: &str, line: usize, lines: usize) -> (String, usize, usize) {
        (name.to_string(), line, lines)
    }

    #[test]
    fn braces_in_literals_and_comments_do_not_end_a_fn() {
        let src = "fn a() {\n    let x = \"}\";\n    let y = '}';\n    // }\n    /* } */\n    let z = r#\"}\"#;\n}\nfn b() {}\n";
        assert_eq!(spans(src), vec![s("a", 1, 7), s("b", 8, 1)]);
    }

    #[test]
    fn raw_strings_with_quotes_inside() {
        let src = "fn a() {\n    let j = r#\"{\"a\": \"}\"}\"#;\n    let k = r##\"\"# }\"##;\n}\n";
        assert_eq!(spans(src), vec![s("a", 1, 4)]);
    }

    #[test]
    fn nested_fns_methods_and_signatures() {
        let src = "impl<'a> S<'a> {\n    pub async fn m(&self, f: impl Fn(u8) -> u8) -> Vec<[u8; 2]>\n    where\n        Self: Sized,\n    {\n        fn inner(p: fn(u8) -> u8) {\n            let _ = p;\n        }\n    }\n}\ntrait T { fn decl(&self); fn dflt(&self) {} }\n#[component]\npub fn View() -> impl IntoView {\n    view! { <p>\"{\"</p> }\n}\n";
        assert_eq!(
            spans(src),
            vec![
                s("m", 2, 8),
                s("inner", 6, 3),
                s("dflt", 11, 1),
                s("View", 13, 3)
            ]
        );
    }

    #[test]
    fn test_modules_are_excluded() {
        let src = "fn a() {\n}\n#[cfg(test)]\nmod tests {\n    fn t() {\n\n\n    }\n}\nfn b() {}\n";
        assert_eq!(spans(src), vec![s("a", 1, 2), s("b", 10, 1)]);
    }
}
