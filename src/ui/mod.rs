//! Leptos components, one per file (the message list is a folder: its view
//! rules and windowing are pure modules of their own). Components talk to
//! the backend only through the chat service ([`crate::chat::Chat`]): they
//! read its signals and call its commands.

pub mod app;
pub mod chat_screen;
pub mod composer;
pub mod error_screen;
pub mod format;
pub mod join;
pub mod lang_select;
pub mod mention_box;
pub mod message_list;
pub mod search;
pub mod sidebar;
pub mod status;

use crate::i18n::{t, Key, Lang};
use leptos::prelude::*;

/// The UI language, provided by [`app::App`].
pub fn use_lang() -> RwSignal<Lang> {
    expect_context::<RwSignal<Lang>>()
}

/// A translated string that follows language switches.
pub fn tr(key: Key) -> impl Fn() -> &'static str + Send + Sync + Copy + 'static {
    let lang = use_lang();
    move || t(lang.get(), key)
}
