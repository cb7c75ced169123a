//! Dates and times in the reader's locale and time zone (via `Intl`).
//!
//! Creating an `Intl.DateTimeFormat` is costly (it loads locale data), and
//! every rendered row shows a time, so one formatter per language and style
//! is made once and reused.

use crate::i18n::Lang;
use crate::protocol::MAX_DATE_MS;
use js_sys::{Array, Date, Intl, Object, Reflect};
use std::cell::RefCell;
use wasm_bindgen::JsValue;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Style {
    Time,
    Full,
    Day,
}

thread_local! {
    /// One per language and style in use: a handful, so a list (a map
    /// would hash the key on every row and cost the wasm a table).
    static FORMATTERS: RefCell<Vec<((Lang, Style), Intl::DateTimeFormat)>> = const { RefCell::new(Vec::new()) };
}

fn options(style: Style) -> Object {
    let pairs: &[(&str, &str)] = match style {
        Style::Time => &[("hour", "2-digit"), ("minute", "2-digit")],
        Style::Full => &[("dateStyle", "full"), ("timeStyle", "medium")],
        Style::Day => &[("dateStyle", "full")],
    };
    let o = Object::new();
    for (k, v) in pairs {
        let _ = Reflect::set(&o, &JsValue::from_str(k), &JsValue::from_str(v));
    }
    o
}

/// A `Date` for `ts`, clamped to what `Date` can hold: formatting an
/// invalid date throws in JavaScript, and times come from the network.
fn date(ts: f64) -> Date {
    let ts = if ts.is_finite() {
        ts.clamp(-MAX_DATE_MS, MAX_DATE_MS)
    } else {
        0.0
    };
    Date::new(&JsValue::from_f64(ts))
}

fn format(ts: f64, lang: Lang, style: Style) -> String {
    FORMATTERS
        .with(|cache| {
            let mut cache = cache.borrow_mut();
            let key = (lang, style);
            let at = cache
                .iter()
                .position(|(k, _)| *k == key)
                .unwrap_or_else(|| {
                    let locales = Array::of1(&JsValue::from_str(lang.tag()));
                    cache.push((key, Intl::DateTimeFormat::new(&locales, &options(style))));
                    cache.len() - 1
                });
            let formatter = cache.get(at)?;
            formatter
                .1
                .format()
                .call1(&JsValue::UNDEFINED, &date(ts))
                .ok()
                .and_then(|s| s.as_string())
        })
        .unwrap_or_default()
}

/// Makes the formatters every room's first rows need, while the page waits
/// for the network (the configuration): each takes milliseconds, which
/// would otherwise delay the first row.
pub fn warm(lang: Lang) {
    time(0.0, lang);
    day(0.0, lang);
}

/// "14:05" (or the locale's form).
pub fn time(ts: f64, lang: Lang) -> String {
    format(ts, lang, Style::Time)
}

/// The full date and time, for hover and focus.
pub fn full(ts: f64, lang: Lang) -> String {
    format(ts, lang, Style::Full)
}

/// A day separator: "Saturday, 21 November 2026".
pub fn day(ts: f64, lang: Lang) -> String {
    format(ts, lang, Style::Day)
}

/// ISO 8601 for `<time datetime>`.
pub fn iso(ts: f64) -> String {
    date(ts).to_iso_string().into()
}

/// Gives the `<time datetime>` holding `target` its full date, as its
/// `title` (hover) and `data-full` (shown on focus by CSS). Done when the
/// pointer or focus gets there rather than for every row rendered: the
/// long format is one more `Intl` formatter on the way to the first row,
/// and a call per row.
pub fn show_full_date(target: Option<web_sys::EventTarget>, lang: Lang) {
    use wasm_bindgen::JsCast;
    let Some(el) = target
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .and_then(|el| el.closest("time[datetime]").ok().flatten())
    else {
        return;
    };
    let Some(iso) = el.get_attribute("datetime") else {
        return;
    };
    let full = full(Date::parse(&iso), lang);
    let _ = el.set_attribute("title", &full);
    let _ = el.set_attribute("data-full", &full);
}
