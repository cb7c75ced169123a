//! Query strings, percent-coding and URL templates.
//!
//! Used both to read the page's own query string (URL-parameter settings)
//! and to build the request URLs from the configured templates. Nothing here
//! can fail: malformed input is kept literal rather than rejected, because
//! the page URL is outside the app's control.

/// Splits a query string into decoded `(key, value)` pairs.
pub fn parse_query(query: &str) -> Vec<(String, String)> {
    query
        .trim_start_matches('?')
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (percent_decode(k), percent_decode(v))
        })
        .collect()
}

/// Decodes `%XX` escapes and `+` as space; invalid escapes stay literal and
/// invalid UTF-8 is replaced, so no input can make this fail.
pub fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
                match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(b) => {
                        out.push(b);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Percent-encodes everything but unreserved characters (RFC 3986), for
/// query values and form bodies.
pub fn percent_encode(s: &str) -> String {
    encode_except(s, b"")
}

/// Percent-encodes everything but unreserved characters and the bytes in
/// `keep`.
fn encode_except(s: &str, keep: &[u8]) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') || keep.contains(&b)
        {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Fills `{name}` placeholders in a URL template with percent-encoded values.
/// Placeholders without a value become empty.
///
/// `{name:param}` repeats a query parameter: the value of `name` is read as
/// a comma-separated list and becomes `param=<item>` once per non-empty item,
/// joined by `&` (`{rooms:topic}` with `rooms` = `a,b` gives
/// `topic=a&topic=b`; an empty list gives nothing). Items cannot contain a
/// comma, which room names never do.
pub fn fill_template(template: &str, values: &[(&str, &str)]) -> String {
    let value = |key: &str| values.iter().find(|(k, _)| *k == key).map(|(_, v)| *v);
    let mut out = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close) => {
                let key = &after[..close];
                match key.split_once(':') {
                    Some((list, param)) => {
                        out.push_str(&repeat_param(param, value(list).unwrap_or("")));
                    }
                    None => out.push_str(&percent_encode(value(key).unwrap_or(""))),
                }
                rest = &after[close + 1..];
            }
            None => {
                out.push_str(&rest[open..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// `param=<item>` for each non-empty item of the comma-separated `list`,
/// joined by `&`, every part percent-encoded.
fn repeat_param(param: &str, list: &str) -> String {
    let param = percent_encode(param);
    list.split(',')
        .filter(|item| !item.is_empty())
        .map(|item| format!("{param}={}", percent_encode(item)))
        .collect::<Vec<_>>()
        .join("&")
}

/// Adds (or replaces) one query parameter on a URL, keeping any fragment.
///
/// The value keeps `: @ / , [ ]` literal (all valid in a query): it is an
/// event id, and some servers read it undecoded (nginx's `$arg_…`, which
/// nchan uses to parse ids like `1795440670:0` at the `:`).
pub fn with_query_param(url: &str, key: &str, value: &str) -> String {
    let (base, fragment) = match url.split_once('#') {
        Some((b, f)) => (b, Some(f)),
        None => (url, None),
    };
    let (path, query) = base.split_once('?').unwrap_or((base, ""));
    let mut parts: Vec<String> = query
        .split('&')
        .filter(|p| !p.is_empty() && p.split('=').next() != Some(key))
        .map(String::from)
        .collect();
    let value = encode_except(value, b":@/,[]");
    parts.push(format!("{}={value}", percent_encode(key)));
    let mut out = format!("{path}?{}", parts.join("&"));
    if let Some(f) = fragment {
        out.push('#');
        out.push_str(f);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_coding_round_trips_and_never_fails() {
        let s = "a b&c=d/é%😀";
        assert_eq!(percent_decode(&percent_encode(s)), s);
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%zz%4"), "%zz%4");
        assert_eq!(percent_decode("%E2%82"), "\u{FFFD}");
        assert_eq!(percent_decode("a+b"), "a b");
    }

    #[test]
    fn templates_and_query_params() {
        assert_eq!(
            fill_template(
                "/api/events?rooms={rooms}&user={user}",
                &[("rooms", "a,b"), ("user", "Zoë")]
            ),
            "/api/events?rooms=a%2Cb&user=Zo%C3%AB"
        );
        assert_eq!(
            fill_template("/x/{room}/{missing}", &[("room", "r")]),
            "/x/r/"
        );
        assert_eq!(fill_template("/x/{oops", &[]), "/x/{oops");
        assert_eq!(
            with_query_param("/e?a=1&last_event_id=3", "last_event_id", "9"),
            "/e?a=1&last_event_id=9"
        );
        assert_eq!(with_query_param("/e#f", "k", "v w"), "/e?k=v%20w#f");
    }

    #[test]
    fn resume_ids_keep_their_colons_and_lose_their_delimiters() {
        // nchan parses `$arg_last_event_id` undecoded, at the `:`.
        assert_eq!(
            with_query_param("/sub/general", "last_event_id", "1795440670:0"),
            "/sub/general?last_event_id=1795440670:0"
        );
        assert_eq!(
            with_query_param("/s", "id", "1:[0],-1/@a"),
            "/s?id=1:[0],-1/@a"
        );
        assert_eq!(
            with_query_param("/s", "id", "a&b=c#d+e%f?g h"),
            "/s?id=a%26b%3Dc%23d%2Be%25f%3Fg%20h"
        );
        assert_eq!(percent_decode("1795440670:0"), "1795440670:0");
    }

    #[test]
    fn list_placeholders_repeat_a_query_parameter_per_item() {
        let fill = |rooms: &str| {
            fill_template(
                "/.well-known/mercure?{rooms:topic}&u={user}",
                &[("rooms", rooms), ("user", "Zoë")],
            )
        };
        assert_eq!(
            fill("general,dev-ops"),
            "/.well-known/mercure?topic=general&topic=dev-ops&u=Zo%C3%AB"
        );
        assert_eq!(fill("one"), "/.well-known/mercure?topic=one&u=Zo%C3%AB");
        // Empty items are skipped; no rooms at all leave the parameter out.
        assert_eq!(
            fill(",a,,b,"),
            "/.well-known/mercure?topic=a&topic=b&u=Zo%C3%AB"
        );
        assert_eq!(fill(""), "/.well-known/mercure?&u=Zo%C3%AB");
        // The parameter name and the items are percent-encoded.
        assert_eq!(
            fill_template("/s?{rooms:t[]}", &[("rooms", "a b,c&d")]),
            "/s?t%5B%5D=a%20b&t%5B%5D=c%26d"
        );
        // An unknown list gives nothing, like any placeholder without a value;
        // with_query_param keeps the repeated parameters.
        assert_eq!(fill_template("/s?{nope:t}x", &[]), "/s?x");
        assert_eq!(
            with_query_param(
                &fill_template("/s?{rooms:topic}", &[("rooms", "a,b")]),
                "lastEventID",
                "urn:1"
            ),
            "/s?topic=a&topic=b&lastEventID=urn:1"
        );
    }
}
