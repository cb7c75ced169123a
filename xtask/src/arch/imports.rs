//! The import graph of one crate: which module file refers to which (see
//! the rules in the parent module's docs).

use super::lex::{Kind, Token};
use std::collections::{BTreeMap, HashMap, HashSet};

/// One `.rs` file of a crate, its tokens already stripped of test code.
pub struct ModFile {
    /// Path inside the crate directory, `/`-separated: `ui/app.rs`.
    pub rel: String,
    pub toks: Vec<Token>,
}

/// An edge's evidence: the first reference from one file to another.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reference {
    pub line: usize,
    pub path: String,
}

/// `edges[a][b]`: file `a` refers to file `b` (indices into the files).
pub type Edges = Vec<BTreeMap<usize, Reference>>;

/// Module path of a file inside its crate: `lib.rs` and `main.rs` are the
/// root (`[]`), `foo.rs` and `foo/mod.rs` are `[foo]`, `foo/bar.rs` is
/// `[foo, bar]`.
pub fn module_path(rel: &str) -> Vec<String> {
    let mut segs: Vec<String> = rel.split('/').map(String::from).collect();
    let last = segs.pop().unwrap_or_default();
    let stem = last.strip_suffix(".rs").unwrap_or(&last);
    let is_root = segs.is_empty() && (stem == "lib" || stem == "main");
    if stem != "mod" && !is_root {
        segs.push(stem.to_string());
    }
    segs
}

/// A path as written, where it was written.
struct RawPath {
    /// Module the path appears in: the file's module plus inline `mod`s.
    ctx: Vec<String>,
    segs: Vec<String>,
    line: usize,
    /// For `use` entries: the name the import binds (`as` renames count).
    binds: Option<String>,
}

/// Paths and `mod` declarations of one file.
#[derive(Default)]
struct Scan {
    paths: Vec<RawPath>,
    /// (module, declared child name): `mod x;` and `mod x { .. }`.
    declared: HashSet<(Vec<String>, String)>,
    /// Modules declared by `mod x;` (their file is elsewhere).
    outline: Vec<Vec<String>>,
}

/// Parses one use tree at `toks[i]` under `prefix`; returns the index
/// after it. Groups (`{a, b::c}`), globs, `self` and `as` are handled; a
/// leading `::` marks an extern path (segment `"::"`).
fn use_tree(
    toks: &[Token],
    mut i: usize,
    prefix: Vec<String>,
    ctx: &[String],
    scan: &mut Scan,
) -> usize {
    let mut segs = prefix;
    if segs.is_empty() && toks.get(i).is_some_and(|t| t.kind == Kind::PathSep) {
        segs.push("::".into());
        i += 1;
    }
    let mut line;
    loop {
        let Some(t) = toks.get(i) else { return i };
        if t.is_punct('{') {
            i += 1;
            while toks.get(i).is_some_and(|t| !t.is_punct('}')) {
                let next = use_tree(toks, i, segs.clone(), ctx, scan);
                // Something no use tree holds: step over it.
                i = next.max(i + 1);
                if toks.get(i).is_some_and(|t| t.is_punct(',')) {
                    i += 1;
                }
            }
            return i + 1;
        }
        if t.is_punct('*') {
            let line = t.line;
            scan.paths.push(RawPath {
                ctx: ctx.to_vec(),
                segs,
                line,
                binds: None,
            });
            return i + 1;
        }
        let Some(name) = t.ident() else { return i };
        segs.push(name.to_string());
        line = t.line;
        i += 1;
        if toks.get(i).is_some_and(|t| t.kind == Kind::PathSep) {
            i += 1;
            continue;
        }
        break;
    }
    if segs.last().is_some_and(|s| s == "self") {
        segs.pop();
    }
    let mut binds = segs.last().cloned();
    if toks.get(i).is_some_and(|t| t.is_ident("as")) {
        binds = toks.get(i + 1).and_then(Token::ident).map(String::from);
        i += 2;
    }
    scan.paths.push(RawPath {
        ctx: ctx.to_vec(),
        segs,
        line,
        binds,
    });
    i
}

/// The path that starts at `toks[i]` if it is the first segment of a
/// multi-segment path (`a::b`, not `x.a::<T>` nor the `b` of `a::b`).
fn code_path(toks: &[Token], i: usize) -> Option<Vec<String>> {
    let first = toks[i].ident()?;
    let prev = i.checked_sub(1).map(|p| &toks[p]);
    if prev.is_some_and(|p| p.kind == Kind::PathSep || p.is_punct('.') || p.is_ident("in")) {
        return None;
    }
    let mut segs = vec![first.to_string()];
    let mut j = i + 1;
    while toks.get(j).is_some_and(|t| t.kind == Kind::PathSep) {
        let Some(next) = toks.get(j + 1).and_then(Token::ident) else {
            break;
        };
        segs.push(next.to_string());
        j += 2;
    }
    (segs.len() > 1).then_some(segs)
}

/// Every `use` entry and multi-segment path of a file, with the module it
/// appears in (inline `mod name { .. }` blocks nest the context).
fn scan_file(file: &ModFile) -> Scan {
    let toks = &file.toks;
    let base = module_path(&file.rel);
    let mut scan = Scan::default();
    // Inline modules open at brace depth `.1`.
    let mut inline: Vec<(String, usize)> = Vec::new();
    let mut depth = 0usize;
    let mut i = 0;
    while i < toks.len() {
        let ctx: Vec<String> = base
            .iter()
            .cloned()
            .chain(inline.iter().map(|m| m.0.clone()))
            .collect();
        let t = &toks[i];
        if t.is_ident("mod") {
            if let Some(name) = toks.get(i + 1).and_then(Token::ident) {
                scan.declared.insert((ctx.clone(), name.to_string()));
                match toks.get(i + 2) {
                    Some(t) if t.is_punct('{') => inline.push((name.to_string(), depth + 1)),
                    Some(t) if t.is_punct(';') => {
                        scan.outline
                            .push(ctx.iter().cloned().chain([name.to_string()]).collect());
                    }
                    _ => {}
                }
            }
        } else if t.is_ident("use") {
            i = use_tree(toks, i + 1, Vec::new(), &ctx, &mut scan);
            continue;
        } else if t.is_punct('{') {
            depth += 1;
        } else if t.is_punct('}') {
            if inline.last().is_some_and(|m| m.1 == depth) {
                inline.pop();
            }
            depth = depth.saturating_sub(1);
        } else if let Some(segs) = code_path(toks, i) {
            scan.paths.push(RawPath {
                ctx,
                segs,
                line: t.line,
                binds: None,
            });
        }
        i += 1;
    }
    scan
}

/// Absolute module path (from the crate root) that `p` names, if it names
/// something inside the crate: `crate::`, `self::`, `super::`, a child
/// module declared in the path's module, or a name a `use` bound to a
/// crate path. Anything else (std, extern crates, locals) is `None`.
fn resolve(
    p: &RawPath,
    scan: &Scan,
    aliases: &HashMap<String, Vec<String>>,
) -> Option<Vec<String>> {
    let first = p.segs.first()?;
    let (mut base, mut rest) = match first.as_str() {
        "crate" => (Vec::new(), &p.segs[1..]),
        "self" | "super" => (p.ctx.clone(), &p.segs[..]),
        _ if scan.declared.contains(&(p.ctx.clone(), first.clone())) => {
            (p.ctx.clone(), &p.segs[..])
        }
        _ => (aliases.get(first)?.clone(), &p.segs[1..]),
    };
    while let Some(s) = rest.first() {
        match s.as_str() {
            "self" => {}
            "super" => {
                base.pop()?;
            }
            _ => break,
        }
        rest = &rest[1..];
    }
    base.extend(rest.iter().cloned());
    Some(base)
}

/// The edges between the files of one crate. A path resolves to the file
/// of its LONGEST prefix that is a module file; references to oneself are
/// no edges, nor are paths into a module declared by `mod x;` whose file
/// is missing (a tree mid-edit: what it names is unknown). With both
/// `lib.rs` and `main.rs`, the root module is `lib.rs` (nothing can import
/// a binary's root); `main.rs` keeps its own outgoing edges.
pub fn edges(files: &[ModFile]) -> Edges {
    let mut table: HashMap<Vec<String>, usize> = HashMap::new();
    let has_lib = files.iter().any(|f| f.rel == "lib.rs");
    for (i, f) in files.iter().enumerate() {
        if !(has_lib && f.rel == "main.rs") {
            table.insert(module_path(&f.rel), i);
        }
    }
    let bin_root = files.iter().position(|f| has_lib && f.rel == "main.rs");
    let scans: Vec<Scan> = files.iter().map(scan_file).collect();
    let missing: HashSet<Vec<String>> = scans
        .iter()
        .flat_map(|s| s.outline.iter().cloned())
        .filter(|m| !table.contains_key(m))
        .collect();
    let mut out: Edges = vec![BTreeMap::new(); files.len()];
    for (from, scan) in scans.iter().enumerate() {
        let aliases = aliases(scan);
        for p in &scan.paths {
            let Some(abs) = resolve(p, scan, &aliases) else {
                continue;
            };
            let Some(n) = (0..=abs.len())
                .rev()
                .find(|&n| table.contains_key(&abs[..n]))
            else {
                continue;
            };
            // A binary root next to lib.rs is the root of its own crate.
            let to = if n == 0 && bin_root == Some(from) {
                from
            } else {
                table[&abs[..n]]
            };
            if to == from || (n < abs.len() && missing.contains(&abs[..=n])) {
                continue;
            }
            out[from].entry(to).or_insert_with(|| Reference {
                line: p.line,
                path: p.segs.join("::"),
            });
        }
    }
    out
}

/// Names the file's `use`s bind to crate paths. Two rounds, so a `use`
/// may build on a name another `use` bound.
fn aliases(scan: &Scan) -> HashMap<String, Vec<String>> {
    let mut aliases = HashMap::new();
    for _ in 0..2 {
        for p in &scan.paths {
            if let (Some(name), Some(abs)) = (&p.binds, resolve(p, scan, &aliases)) {
                aliases.insert(name.clone(), abs);
            }
        }
    }
    aliases
}
