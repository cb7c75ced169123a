//! The UI language: chosen from the browser's preferences unless the user
//! picked one (remembered in localStorage), and the switcher.

use super::{tr, use_lang};
use crate::i18n::{Key, Lang};
use crate::transport::storage::{self, keys};
use leptos::prelude::*;

/// The language to start in: the remembered choice, else the browser's.
pub fn initial_lang() -> Lang {
    if let Some(l) = storage::get(keys::LANG).as_deref().and_then(Lang::from_tag) {
        return l;
    }
    let langs: Vec<String> = web_sys::window()
        .map(|w| {
            w.navigator()
                .languages()
                .iter()
                .filter_map(|v| v.as_string())
                .collect()
        })
        .unwrap_or_default();
    Lang::from_preferences(langs.iter().map(String::as_str))
}

/// A labelled `<select>` of the UI languages.
#[component]
pub fn LangSelect() -> impl IntoView {
    let lang = use_lang();
    view! {
        <label class="lang-select">
            <span>{tr(Key::Language)}</span>
            <select on:change=move |ev| {
                if let Some(l) = Lang::from_tag(&event_target_value(&ev)) {
                    lang.set(l);
                    // Not remembered is an inconvenience, not data loss.
                    let _ = storage::set(keys::LANG, l.tag());
                }
            }>
                {Lang::ALL
                    .into_iter()
                    .map(|l| {
                        view! {
                            <option value=l.tag() selected=move || lang.get() == l>
                                {l.name()}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
        </label>
    }
}
