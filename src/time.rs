//! Times as the backends write them, into epoch milliseconds: numbers
//! (seconds when they look like seconds), numeric strings, RFC 3339 and
//! ISO 8601 without an offset (taken as UTC). Pure and total.

use serde_json::Value;

/// Times as epoch milliseconds: numbers (seconds when they look like
/// seconds), numeric strings, or RFC 3339 strings.
pub fn parse_time(v: &Value) -> Option<f64> {
    let n = match v {
        Value::Number(n) => n.as_f64()?,
        Value::String(s) => match s.trim().parse::<f64>() {
            Ok(n) => n,
            Err(_) => return parse_rfc3339(s.trim()),
        },
        _ => return None,
    };
    if !n.is_finite() || n < 0.0 {
        return None;
    }
    // Before 1973 in milliseconds is far more likely a seconds value.
    let ms = if n < 1e11 { n * 1000.0 } else { n };
    // Beyond what a JavaScript Date can hold (±8.64e15 ms) is no time.
    (ms <= MAX_DATE_MS).then_some(ms)
}

/// The largest time a JavaScript `Date` represents.
pub const MAX_DATE_MS: f64 = 8.64e15;

/// Parses `YYYY-MM-DDTHH:MM:SS[.frac][Z|±HH:MM]` into epoch milliseconds
/// (no offset: UTC).
pub fn parse_rfc3339(s: &str) -> Option<f64> {
    let b = s.as_bytes();
    if b.len() < 19 || !s.is_ascii() {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let part = s.get(r)?;
        part.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| part.parse().ok())?
    };
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hour, min, sec) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if b[4] != b'-'
        || b[7] != b'-'
        || !matches!(b[10], b'T' | b't' | b' ')
        || b[13] != b':'
        || b[16] != b':'
    {
        return None;
    }
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) || hour > 23 || min > 59 || sec > 60 {
        return None;
    }
    let mut i = 19;
    let mut frac: f64 = 0.0;
    if b.get(i) == Some(&b'.') {
        let start = i + 1;
        i = start;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == start {
            return None;
        }
        frac = format!("0.{}", &s[start..i]).parse().ok()?;
    }
    let offset_min = match b.get(i) {
        // No offset at all (Python's isoformat() of a naive time): UTC.
        None => 0,
        Some(b'Z' | b'z') if i + 1 == b.len() => 0,
        Some(sign @ (b'+' | b'-')) if i + 6 == b.len() && b[i + 3] == b':' => {
            let m = num(i + 1..i + 3)? * 60 + num(i + 4..i + 6)?;
            if *sign == b'+' {
                m
            } else {
                -m
            }
        }
        _ => return None,
    };
    let days = days_from_civil(year, month, day);
    let secs = days * 86_400 + hour * 3600 + min * 60 + sec - offset_min * 60;
    Some(secs as f64 * 1000.0 + (frac * 1000.0).round())
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
/// well-known civil-from-days inverse).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}
