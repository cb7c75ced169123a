//! The chat layout: rooms sidebar, status, messages, composer, and the
//! screen reader's live region.

use super::app::Session;
use super::composer::Composer;
use super::controller::Chat;
use super::message_list::MessageList;
use super::sidebar::Sidebar;
use super::status::StatusBar;
use super::use_lang;
use crate::config::Config;
use crate::transport::browser::{is_visible, Listener};
use leptos::prelude::*;
use std::sync::Arc;

/// The chat for one signed-in session.
#[component]
pub fn ChatScreen(
    /// The runtime configuration.
    cfg: Arc<Config>,
    /// Nickname and rooms to open.
    session: Session,
) -> impl IntoView {
    let lang = use_lang();
    let chat = Chat::start(cfg, lang, session.nickname, session.rooms, session.active);
    provide_context(chat);

    // While the tab is hidden, arrivals count as unread and the title says
    // how many; back in view, the count clears.
    // Stored under this component's owner: dropped (and so removed) with it.
    let _visibility =
        StoredValue::new_local(Listener::on_document("visibilitychange", move |_| {
            chat.state.update(|s| s.set_visible(is_visible()));
        }));
    Effect::new(move |_| {
        let unread = chat.state.with(|s| s.total_unread());
        let room = chat.state.with(|s| s.active().to_string());
        if let Some(doc) = web_sys::window().and_then(|w| w.document()) {
            let title = if unread > 0 && !is_visible() {
                format!("({unread}) #{room} · sse-chat")
            } else {
                format!("#{room} · sse-chat")
            };
            doc.set_title(&title);
        }
    });

    view! {
        <div class="chat">
            <Sidebar />
            <main class="room" aria-labelledby="room-title">
                <header class="room-header">
                    <h1 id="room-title">"#" {move || chat.state.with(|s| s.active().to_string())}</h1>
                    <StatusBar />
                </header>
                <MessageList />
                <Composer />
            </main>
            <div class="sr-only" role="status" aria-live="polite" aria-atomic="false">
                <For
                    each=move || chat.announcements.get()
                    key=|(n, _)| *n
                    children=|(_, text)| view! { <p>{text}</p> }
                />
            </div>
        </div>
    }
}
