//! Checks of the release build in dist/, run by the build suite after
//! `trunk build --release`: index.html starts the app without inline code
//! (so `script-src 'self' 'wasm-unsafe-eval'` and `style-src 'self'`
//! suffice), every sizeable asset ships with its `.br` and `.gz`, and the
//! gzip total of all assets stays within [`GZIP_BUDGET`].

use std::path::Path;

/// Most bytes a visitor may download, gzip, for all of dist/ together
/// (`gzip_total`): the total when the budget was set (248,874 bytes,
/// 2026-12-01, rounded up by about 3%), raised by what later work cost:
/// the composer's text check and tab sharing (src/transport/tabs/,
/// chat/tabs.rs: the stream, the outbox and read state, and the fixes of
/// its review; about 21 KB) and the compact message storage (boxed strings:
/// 1.2 KB), 272,419 bytes in all; then replies, edits, deletes and
/// reactions (protocol/extra.rs, state/changes.rs, chat/changes.rs, the
/// row's quote, reactions, actions and emoji picker, the composer's reply
/// and edit modes: about 30 KB), 302,693 bytes; then formatting and
/// mentions (markup.rs, message_list/body.rs, mention_box.rs), the "New"
/// line, muted rooms and search (state/search.rs, ui/search.rs): about
/// 28 KB, and the fixes of their review (quotes follow their original,
/// stale search answers dropped, focus returned: 2.8 KB), 333,182 bytes,
/// plus about 0.5%; then the action bar built only for the row under the
/// pointer or focus (message_list/active.rs: a reactive slot per row, and
/// the rows as tab stops) with the full date filled in there, which took a
/// quarter of the list's DOM nodes away: 3.4 KB, 337,345 bytes, plus about
/// 0.3%. Then, from 338,154 bytes (after the review mends that followed),
/// lowered: JSON bodies built by insertion rather than collected into a
/// map (that alone brought a sort and a bulk tree build: 3.1 KB), the
/// leader's list of tabs kept as a sorted list rather than a map type of
/// its own (3.4 KB) and the date formatters as a list (0.5 KB): 331,154
/// bytes, plus about 0.1%. Lower it when the app shrinks.
pub const GZIP_BUDGET: u64 = 331_500;

/// Assets at least this large must have both precompressed copies (smaller
/// ones may have none when compressing would not shrink them).
const PRECOMPRESS_FROM: u64 = 1024;
const COMPRESSIBLE: &[&str] = &[".html", ".js", ".css", ".wasm", ".svg", ".json"];

/// Checks dist/; the one-line detail for the summary, or what is wrong.
/// Suites that test the built app need it: the build suite runs first.
pub fn require_built(root: &std::path::Path) -> Result<(), String> {
    if root.join("dist/index.html").exists() {
        Ok(())
    } else {
        Err("dist/ is missing: the build suite must run first".into())
    }
}

pub fn check(dist: &Path) -> Result<String, String> {
    let index = dist.join("index.html");
    let html = std::fs::read_to_string(&index).map_err(|e| format!("{}: {e}", index.display()))?;
    let problems = inline_code(&html);
    if !problems.is_empty() {
        return Err(format!("dist/index.html: {}", problems.join("; ")));
    }
    let entries = std::fs::read_dir(dist).map_err(|e| format!("{}: {e}", dist.display()))?;
    let mut compressed = 0;
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let size = entry.metadata().map(|m| m.len()).unwrap_or(0);
        if !COMPRESSIBLE.iter().any(|ext| name.ends_with(ext)) || size < PRECOMPRESS_FROM {
            continue;
        }
        for suffix in [".br", ".gz"] {
            if !dist.join(format!("{name}{suffix}")).is_file() {
                return Err(format!(
                    "dist/{name}{suffix} is missing (Trunk.toml's post_build hook \
                     web/precompress.mjs writes it)"
                ));
            }
        }
        compressed += 1;
    }
    if compressed == 0 {
        return Err("dist/ has no precompressed assets".into());
    }
    let total = gzip_total(dist)?;
    if total > GZIP_BUDGET {
        return Err(format!(
            "dist/ is {total} bytes gzip, over the budget of {GZIP_BUDGET} \
             (GZIP_BUDGET in xtask/src/dist.rs)"
        ));
    }
    Ok(format!(
        "index.html without inline code, {compressed} assets with .br and .gz, \
         {total} bytes gzip of {GZIP_BUDGET}"
    ))
}

/// The gzip total of every asset directly in `dist`: the size of its `.gz`
/// copy, else of `gzip -9n` of it, but never more than the asset itself
/// (what a server sends when compressing would not shrink it).
pub fn gzip_total(dist: &Path) -> Result<u64, String> {
    let entries = std::fs::read_dir(dist).map_err(|e| format!("{}: {e}", dist.display()))?;
    let mut total = 0;
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let raw = match entry.metadata() {
            Ok(m) if m.is_file() && !name.ends_with(".gz") && !name.ends_with(".br") => m.len(),
            _ => continue,
        };
        let copy = dist.join(format!("{name}.gz"));
        let gz = match std::fs::metadata(&copy) {
            Ok(m) => m.len(),
            Err(_) => gzip_size(&entry.path())?,
        };
        total += gz.min(raw);
    }
    Ok(total)
}

fn gzip_size(path: &Path) -> Result<u64, String> {
    let out = std::process::Command::new("gzip")
        .arg("-9nc")
        .arg(path)
        .output()
        .map_err(|e| format!("gzip {}: {e}", path.display()))?;
    if !out.status.success() {
        return Err(format!("gzip {} failed", path.display()));
    }
    Ok(out.stdout.len() as u64)
}

/// What in `html` a strict CSP would block: inline `<script>` bodies,
/// scripts without `src`, `<style>` elements, `style` and `on…` attributes,
/// `javascript:` URLs. Comments are ignored.
pub fn inline_code(html: &str) -> Vec<String> {
    let mut problems = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        rest = &rest[start + 1..];
        if let Some(comment) = rest.strip_prefix("!--") {
            rest = comment.find("-->").map_or("", |end| &comment[end + 3..]);
            continue;
        }
        let end = rest.find('>').unwrap_or(rest.len());
        let tag = &rest[..end];
        rest = rest.get(end + 1..).unwrap_or("");
        let name: String = tag
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        if name.is_empty() {
            continue; // an end tag, a doctype
        }
        let attrs = attributes(&tag[name.len()..]);
        check_tag(&name, &attrs, &mut problems);
        if name == "script" {
            let close = rest
                .to_ascii_lowercase()
                .find("</script")
                .unwrap_or(rest.len());
            if !rest[..close].trim().is_empty() {
                problems.push("a <script> with inline code".into());
            }
            rest = &rest[close..];
        }
    }
    problems
}

fn check_tag(name: &str, attrs: &[(String, String)], problems: &mut Vec<String>) {
    match name {
        "script" if !attrs.iter().any(|(n, _)| n == "src") => {
            problems.push("a <script> without src".into())
        }
        "style" => problems.push("a <style> element".into()),
        _ => {}
    }
    for (attr, value) in attrs {
        if attr == "style" || attr.starts_with("on") {
            problems.push(format!("<{name} {attr}=…>"));
        }
        if value
            .trim_start()
            .to_ascii_lowercase()
            .starts_with("javascript:")
        {
            problems.push(format!("<{name} {attr}=\"javascript:…\">"));
        }
    }
}

/// The attributes of a start tag's inside (after its name): lower-cased
/// names with their values (quoted or not; "" when there is none).
fn attributes(mut s: &str) -> Vec<(String, String)> {
    let mut attrs = Vec::new();
    loop {
        s = s.trim_start_matches(|c: char| c.is_whitespace() || c == '/');
        let name_len = s
            .find(|c: char| c.is_whitespace() || c == '=' || c == '/')
            .unwrap_or(s.len());
        if name_len == 0 {
            return attrs;
        }
        let name = s[..name_len].to_ascii_lowercase();
        s = s[name_len..].trim_start();
        let mut value = String::new();
        if let Some(after) = s.strip_prefix('=') {
            let after = after.trim_start();
            let (v, tail) = match after.chars().next() {
                Some(q @ ('"' | '\'')) => {
                    let inner = &after[1..];
                    let close = inner.find(q).unwrap_or(inner.len());
                    (&inner[..close], inner.get(close + 1..).unwrap_or(""))
                }
                _ => {
                    let close = after.find(char::is_whitespace).unwrap_or(after.len());
                    (&after[..close], &after[close..])
                }
            };
            value = v.to_string();
            s = tail;
        }
        attrs.push((name, value));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_external_loader_passes() {
        let html = r#"<!doctype html><html><head>
            <meta name="viewport" content="width=device-width, initial-scale=1" />
            <link rel="stylesheet" href="./main-1.css" integrity="sha384-x"/>
            <!-- a comment with <script>alert(1)</script> and style="x" -->
            <script type="module" src="./boot.js" data-glue="./a.js" data-wasm="./a_bg.wasm"></script>
            <link rel="modulepreload" href="./a.js" crossorigin="anonymous">
            </head><body><noscript>needs JavaScript</noscript></body></html>"#;
        assert_eq!(inline_code(html), Vec::<String>::new());
    }

    #[test]
    fn trunks_default_bootstrap_is_found() {
        let html = "<head>\n<script type=\"module\">\nimport init from './a.js';\nawait init();\n</script></head>";
        assert_eq!(
            inline_code(html),
            ["a <script> without src", "a <script> with inline code"]
        );
    }

    #[test]
    fn handlers_styles_and_javascript_urls_are_found() {
        let html = r#"<body onload='go()'><div STYLE="color:red">x</div>
            <a href=" javascript:void(0)">y</a><style>p{}</style>
            <script src="./x.js">inline()</script></body>"#;
        assert_eq!(
            inline_code(html),
            [
                "<body onload=…>",
                "<div style=…>",
                "<a href=\"javascript:…\">",
                "a <style> element",
                "a <script> with inline code",
            ]
        );
    }

    #[test]
    fn attribute_values_with_spaces_are_not_attributes() {
        let attrs = attributes(r#" content="a onclick=b" data-x=1 hidden"#);
        let names: Vec<&str> = attrs.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["content", "data-x", "hidden"]);
        assert_eq!(attrs[0].1, "a onclick=b");
    }

    #[test]
    fn check_wants_precompressed_copies_of_large_assets() {
        let dir = std::env::temp_dir().join(format!("xtask-dist-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let index = r#"<script type="module" src="./boot.js"></script>"#;
        std::fs::write(dir.join("index.html"), index).unwrap();
        std::fs::write(dir.join("boot.js"), "small: needs no copies").unwrap();
        std::fs::write(dir.join("app.wasm"), vec![0u8; 4096]).unwrap();
        std::fs::write(dir.join("app.wasm.br"), "b").unwrap();
        let err = check(&dir).unwrap_err();
        assert!(err.contains("app.wasm.gz is missing"), "{err}");
        std::fs::write(dir.join("app.wasm.gz"), "g").unwrap();
        let small = (index.len() + "small: needs no copies".len()) as u64;
        let detail = check(&dir).unwrap();
        assert!(
            detail.starts_with("index.html without inline code, 1 assets with .br and .gz, "),
            "{detail}"
        );
        // app.wasm counts its 1-byte .gz; the small files their gzip or raw size.
        let total = gzip_total(&dir).unwrap();
        assert!(total > 1 && total <= 1 + small, "{total}");
        assert!(detail.ends_with(&format!("{total} bytes gzip of {GZIP_BUDGET}")));
        std::fs::write(dir.join("app.wasm.gz"), vec![1u8; GZIP_BUDGET as usize + 1]).unwrap();
        std::fs::write(dir.join("app.wasm"), vec![0u8; GZIP_BUDGET as usize + 2]).unwrap();
        assert!(check(&dir).unwrap_err().contains("over the budget"));
        std::fs::write(dir.join("index.html"), "<script>boot()</script>").unwrap();
        assert!(check(&dir).unwrap_err().contains("inline code"));
        std::fs::remove_dir_all(&dir).ok();
    }
}
