//! Dates and times in the reader's locale and time zone (via `Intl`).

use crate::i18n::Lang;
use crate::protocol::MAX_DATE_MS;
use js_sys::{Date, Object, Reflect};
use wasm_bindgen::JsValue;

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

fn options(pairs: &[(&str, &str)]) -> Object {
    let o = Object::new();
    for (k, v) in pairs {
        let _ = Reflect::set(&o, &JsValue::from_str(k), &JsValue::from_str(v));
    }
    o
}

/// "14:05" (or the locale's form).
pub fn time(ts: f64, lang: Lang) -> String {
    date(ts)
        .to_locale_time_string_with_options(
            lang.tag(),
            &options(&[("hour", "2-digit"), ("minute", "2-digit")]),
        )
        .into()
}

/// The full date and time, for hover and focus.
pub fn full(ts: f64, lang: Lang) -> String {
    date(ts)
        .to_locale_string(
            lang.tag(),
            &options(&[("dateStyle", "full"), ("timeStyle", "medium")]),
        )
        .into()
}

/// A day separator: "Saturday, 21 November 2026".
pub fn day(ts: f64, lang: Lang) -> String {
    date(ts)
        .to_locale_date_string(lang.tag(), &options(&[("dateStyle", "full")]))
        .into()
}

/// ISO 8601 for `<time datetime>`.
pub fn iso(ts: f64) -> String {
    date(ts).to_iso_string().into()
}
