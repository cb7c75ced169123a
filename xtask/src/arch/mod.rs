//! The `arch` suite: the project's architecture rules, checked on every
//! `cargo xtask test` over every `.rs` file under `src/` (crate
//! `sse_chat`) and `server/src/` (crate `sse_chat_server`), recursively.
//!
//! 1. **File size**: at most [`MAX_FILE_LINES`] lines before the file's
//!    first `#[cfg(test)]` attribute (the whole file if it has none).
//! 2. **Function size**: every `fn` with a body (free fns, methods, nested
//!    fns, `#[component]` fns) spans at most [`MAX_FN_LINES`] lines, from
//!    the line of its `fn` keyword to the line of its closing brace. Items
//!    under `#[cfg(test)]` are not checked. The scanner is a real lexer
//!    ([`lex`]): braces in strings, raw strings, char and byte literals and
//!    comments do not count, and lifetimes are not char literals.
//! 3. **No import cycles** between the files of one crate. Each file is a
//!    module (`foo.rs` and `foo/mod.rs` are `foo`, `foo/bar.rs` is
//!    `foo::bar`, `lib.rs`/`main.rs` the root). File A has an edge to file
//!    B when A's non-test code names a path inside the crate, in a `use`
//!    (groups, globs, `self`, `as` included) or anywhere in code:
//!    - paths start with `crate::`, `self::`, `super::` (inline
//!      `mod x { .. }` blocks count as nesting), a child module the same
//!      module declares (`mod x;`, so `pub use app::App` in `ui/mod.rs`
//!      is an edge to `ui/app.rs`), or a name a `use` in the file bound to
//!      a crate path (`use crate::transport; transport::events::X`);
//!    - a path resolves to the file of its LONGEST prefix that is a module
//!      file: `super::tr` from `ui/composer.rs` is an edge to `ui/mod.rs`,
//!      `super::app::Session` one to `ui/app.rs`;
//!    - `mod child;` declarations are not edges: declaring a child is not
//!      importing it;
//!    - re-exports are ordinary `use`s: `pub use app::App` in `ui/mod.rs`
//!      is an edge `ui/mod.rs -> ui/app.rs`. Re-exports are not seen
//!      through: importing `crate::ui::App` is an edge to `ui/mod.rs`, not
//!      to `ui/app.rs`. So a child that imports from its parent an item
//!      the parent re-exports from a child closes a cycle only if the
//!      re-exported file (transitively) depends on the importer, or the
//!      parent re-exports from the importer itself;
//!    - paths to oneself, and paths to std or other crates, are no edges;
//!      with both `lib.rs` and `main.rs`, `lib.rs` is the root module and
//!      `main.rs` only has outgoing edges (`sse_chat::App` in `main.rs`
//!      names the library as an extern crate: no edge).
//!
//!    Every elementary cycle is reported once, as its files in order,
//!    starting at the smallest (up to [`cycles::MAX_CYCLES`] per crate),
//!    with each edge's first reference as evidence.
//!
//! The suite's test count is the number of files checked; any violation
//! fails it.

mod cycles;
mod fns;
mod imports;
mod lex;

use imports::ModFile;
use std::path::Path;

/// Most lines a source file may have before its tests.
pub const MAX_FILE_LINES: usize = 450;
/// Most lines a function may span.
pub const MAX_FN_LINES: usize = 80;

/// The checked trees: directory under the workspace root, one crate each.
const TREES: &[&str] = &["src", "server/src"];

/// Violations of one crate.
#[derive(Default, Debug)]
pub struct Report {
    pub files: usize,
    pub long_files: usize,
    pub long_fns: usize,
    pub cycles: usize,
    /// One line each: `path:line: what`.
    pub violations: Vec<String>,
}

impl Report {
    fn add(&mut self, other: Report) {
        self.files += other.files;
        self.long_files += other.long_files;
        self.long_fns += other.long_fns;
        self.cycles += other.cycles;
        self.violations.extend(other.violations);
    }
}

/// Size rules for one file; returns its tokens without test code.
fn check_sizes(path: &str, src: &str, report: &mut Report) -> Vec<lex::Token> {
    let toks = lex::tokenize(src);
    let (lines, what) = match lex::first_cfg_test_line(&toks) {
        Some(line) => (line - 1, "lines before its first #[cfg(test)]"),
        None => (src.lines().count(), "lines (no tests)"),
    };
    if lines > MAX_FILE_LINES {
        report.long_files += 1;
        report.violations.push(format!(
            "{path}:1: file has {lines} {what} (max {MAX_FILE_LINES})"
        ));
    }
    let toks = lex::strip_test_items(&toks);
    for f in fns::fn_spans(&toks) {
        if f.lines > MAX_FN_LINES {
            report.long_fns += 1;
            report.violations.push(format!(
                "{}:{}: fn {} is {} lines (max {MAX_FN_LINES})",
                path, f.line, f.name, f.lines
            ));
        }
    }
    toks
}

/// All rules over one crate: `files` are (path inside the crate directory,
/// `/`-separated, source); `label` is that directory, for messages.
pub fn check_crate(label: &str, files: &[(String, String)]) -> Report {
    let mut report = Report {
        files: files.len(),
        ..Report::default()
    };
    let shown = |rel: &str| format!("{label}/{rel}");
    let mods: Vec<ModFile> = files
        .iter()
        .map(|(rel, src)| ModFile {
            rel: rel.clone(),
            toks: check_sizes(&shown(rel), src, &mut report),
        })
        .collect();
    let edges = imports::edges(&mods);
    let adj: Vec<Vec<usize>> = edges.iter().map(|e| e.keys().copied().collect()).collect();
    let (found, truncated) = cycles::cycles(&adj);
    for cycle in &found {
        let mut chain: Vec<String> = cycle.iter().map(|&v| shown(&mods[v].rel)).collect();
        chain.push(chain[0].clone());
        let evidence: Vec<String> = (0..cycle.len())
            .map(|k| {
                let (a, b) = (cycle[k], cycle[(k + 1) % cycle.len()]);
                let r = &edges[a][&b];
                format!("{}:{} {}", shown(&mods[a].rel), r.line, r.path)
            })
            .collect();
        let first = &edges[cycle[0]][&cycle[1 % cycle.len()]];
        report.violations.push(format!(
            "{}:{}: cycle: {} ({} files; {})",
            chain[0],
            first.line,
            chain.join(" -> "),
            cycle.len(),
            evidence.join(", ")
        ));
    }
    report.cycles = found.len();
    if truncated {
        report.violations.push(format!(
            "{label}: more import cycles than listed: untangle these first"
        ));
    }
    report
}

/// Every `.rs` file under `dir`, as (path relative to `dir`, source), sorted.
fn read_tree(dir: &Path) -> Result<Vec<(String, String)>, String> {
    fn walk(dir: &Path, rel: &str, out: &mut Vec<(String, String)>) -> Result<(), String> {
        let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let sub = if rel.is_empty() {
                name.clone()
            } else {
                format!("{rel}/{name}")
            };
            let path = entry.path();
            if path.is_dir() {
                walk(&path, &sub, out)?;
            } else if name.ends_with(".rs") {
                let src = std::fs::read_to_string(&path)
                    .map_err(|e| format!("{}: {e}", path.display()))?;
                out.push((sub, src));
            }
        }
        Ok(())
    }
    let mut out = Vec::new();
    walk(dir, "", &mut out)?;
    out.sort();
    Ok(out)
}

/// Checks both trees of the workspace at `root`.
pub fn check_workspace(root: &Path) -> Result<Report, String> {
    let mut report = Report::default();
    for tree in TREES {
        let files = read_tree(&root.join(tree))?;
        report.add(check_crate(tree, &files));
    }
    Ok(report)
}

/// The suite: prints every violation, returns (ok, files checked, detail).
pub fn suite() -> (bool, Option<u64>, String) {
    let report = match check_workspace(&crate::root()) {
        Ok(r) => r,
        Err(e) => return (false, Some(0), e),
    };
    for v in &report.violations {
        println!("{v}");
    }
    let files = report.files as u64;
    let ok = files > 0 && report.violations.is_empty();
    let detail = if ok {
        format!(
            "{files} files: sizes within {MAX_FILE_LINES}/{MAX_FN_LINES} lines, no import cycles"
        )
    } else {
        format!(
            "{files} files: {} over {MAX_FILE_LINES} lines, {} fns over {MAX_FN_LINES} lines, {} import cycles",
            report.long_files, report.long_fns, report.cycles
        )
    };
    (ok, Some(files), detail)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn crate_of(files: &[(&str, &str)]) -> Report {
        let files: Vec<(String, String)> = files
            .iter()
            .map(|(p, s)| (p.to_string(), s.to_string()))
            .collect();
        check_crate("src", &files)
    }

    fn cycle_lines(r: &Report) -> Vec<String> {
        r.violations
            .iter()
            .filter(|v| v.contains("cycle:"))
            .map(|v| {
                v.split(": cycle: ")
                    .nth(1)
                    .unwrap()
                    .split(" (")
                    .next()
                    .unwrap()
                    .to_string()
            })
            .collect()
    }

    #[test]
    fn two_file_cycle() {
        let r = crate_of(&[
            ("lib.rs", "pub mod a;\npub mod b;\n"),
            ("a.rs", "use crate::b::B;\npub struct A;\n"),
            (
                "b.rs",
                "pub struct B;\nfn f() -> crate::a::A { crate::a::A }\n",
            ),
        ]);
        assert_eq!(cycle_lines(&r), ["src/a.rs -> src/b.rs -> src/a.rs"]);
        assert_eq!(r.cycles, 1);
        assert!(
            r.violations[0].starts_with("src/a.rs:1: cycle:"),
            "{:?}",
            r.violations
        );
        assert!(
            r.violations[0].contains("src/b.rs:2 crate::a::A"),
            "{:?}",
            r.violations
        );
    }

    #[test]
    fn three_file_cycle_through_super_and_groups() {
        let r = crate_of(&[
            ("lib.rs", "pub mod ui;\n"),
            (
                "ui/mod.rs",
                "pub mod a;\npub mod b;\npub mod c;\npub fn tr() {}\n",
            ),
            ("ui/a.rs", "use super::{tr, b::{self, B}};\n"),
            ("ui/b.rs", "pub struct B;\nfn f() { super::c::run(); }\n"),
            ("ui/c.rs", "pub fn run() { let _ = crate::ui::a::X; }\n"),
        ]);
        assert_eq!(
            cycle_lines(&r),
            ["src/ui/a.rs -> src/ui/b.rs -> src/ui/c.rs -> src/ui/a.rs"]
        );
    }

    #[test]
    fn parent_items_and_declarations_are_not_cycles() {
        // `super::tr` is an edge to ui/mod.rs; `pub mod` is no edge back.
        let r = crate_of(&[
            ("lib.rs", "pub mod ui;\n"),
            ("ui/mod.rs", "pub mod a;\npub fn tr() {}\n"),
            (
                "ui/a.rs",
                "use super::tr;\nuse std::fmt;\nfn f() { fmt::Debug; }\n",
            ),
        ]);
        assert!(r.violations.is_empty(), "{:?}", r.violations);
    }

    #[test]
    fn re_exports_are_edges() {
        // ui/mod.rs re-exports from its child a; a imports from ui: cycle.
        let r = crate_of(&[
            ("lib.rs", "pub mod ui;\n"),
            ("ui/mod.rs", "pub mod a;\npub use a::App;\npub fn tr() {}\n"),
            ("ui/a.rs", "pub struct App;\nuse crate::ui::tr;\n"),
        ]);
        assert_eq!(
            cycle_lines(&r),
            ["src/ui/mod.rs -> src/ui/a.rs -> src/ui/mod.rs"]
        );
        // The same re-export, imported by a sibling that a does not use: fine.
        let r = crate_of(&[
            ("lib.rs", "pub mod ui;\npub use ui::App;\n"),
            ("ui/mod.rs", "pub mod a;\npub mod b;\npub use a::App;\n"),
            ("ui/a.rs", "pub struct App;\n"),
            ("ui/b.rs", "use super::App;\nuse crate::App as Root;\n"),
        ]);
        assert!(r.violations.is_empty(), "{:?}", r.violations);
    }

    #[test]
    fn aliases_inline_modules_and_tests() {
        let r = crate_of(&[
            ("lib.rs", "pub mod t;\npub mod u;\n"),
            ("t/mod.rs", "pub mod ev;\n"),
            ("t/ev.rs", "mod keys { use super::super::super::u::X; }\n"),
            ("u.rs", "use crate::t;\nfn f() { t::ev::go(); }\n#[cfg(test)]\nmod tests { use crate::t::X; }\n"),
        ]);
        assert_eq!(cycle_lines(&r), ["src/t/ev.rs -> src/u.rs -> src/t/ev.rs"]);
    }

    #[test]
    fn paths_into_a_missing_module_file_are_no_edges() {
        // lib.rs declares `room` but room.rs is gone (a tree mid-edit):
        // `crate::room::X` is not an edge to lib.rs.
        let r = crate_of(&[
            ("lib.rs", "pub mod a;\npub mod room;\npub use a::A;\n"),
            ("a.rs", "pub struct A;\nuse crate::room::X;\n"),
        ]);
        assert!(r.violations.is_empty(), "{:?}", r.violations);
    }

    #[test]
    fn binary_root_next_to_lib() {
        // main.rs's own inline module is no edge to lib.rs; lib.rs's
        // `crate::` paths never lead to main.rs.
        let r = crate_of(&[
            ("lib.rs", "pub mod a;\npub fn run() {}\n"),
            (
                "main.rs",
                "mod platform { pub fn p() {} }\nfn main() { platform::p(); x::run(); }\n",
            ),
            ("a.rs", "use crate::run;\n"),
        ]);
        let files: Vec<ModFile> = ["lib.rs", "main.rs", "a.rs"]
            .iter()
            .zip([
                "pub mod a;",
                "mod platform {}\nfn f() { platform::p(); crate::a::x(); }",
                "use crate::run;",
            ])
            .map(|(rel, src)| ModFile {
                rel: rel.to_string(),
                toks: lex::tokenize(src),
            })
            .collect();
        let e = imports::edges(&files);
        assert_eq!(e[1].keys().copied().collect::<Vec<_>>(), [2]);
        assert_eq!(e[2].keys().copied().collect::<Vec<_>>(), [0]);
        assert!(r.violations.is_empty(), "{:?}", r.violations);
    }

    #[test]
    fn size_rules() {
        let long_fn = format!("fn big() {{\n{}}}\n", "    let s = \"}\";\n".repeat(80));
        let r = crate_of(&[("lib.rs", &long_fn)]);
        assert_eq!(r.violations, ["src/lib.rs:1: fn big is 82 lines (max 80)"]);
        let long_file = format!("{}#[cfg(test)]\nmod tests {{}}\n", "// x\n".repeat(451));
        let r = crate_of(&[("lib.rs", &long_file)]);
        assert_eq!(
            r.violations,
            ["src/lib.rs:1: file has 451 lines before its first #[cfg(test)] (max 450)"]
        );
        assert!(crate_of(&[("lib.rs", &"\n".repeat(450))])
            .violations
            .is_empty());
    }
}
