//! Language switcher (remembered in localStorage).

use super::{tr, use_lang};
use crate::i18n::{Key, Lang};
use crate::transport::browser::storage_set;
use crate::ui::app::LANG_KEY;
use leptos::prelude::*;

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
                    let _ = storage_set(LANG_KEY, l.tag());
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
