//! The chat layout: rooms sidebar, status, messages, composer, and the
//! screen reader's live region.

use super::composer::Composer;
use super::message_list::MessageList;
use super::search::Search;
use super::sidebar::Sidebar;
use super::status::StatusBar;
use super::use_lang;
use crate::chat::{Chat, Session};
use crate::config::Config;
use crate::transport::browser::is_visible;
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
    // A read-only feed (no send URL) has no composer at all.
    let read_only = cfg.read_only();
    let chat = Chat::start(cfg, lang, session.nickname, session.rooms, session.active);
    provide_context(chat);

    // While the tab is hidden the title says how many messages are unread;
    // back in view, the count clears.
    Effect::new(move |_| {
        let (unread, room) = chat
            .state()
            .with(|s| (s.total_unread(), s.active().to_string()));
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
                    <h1 id="room-title">"#" {move || chat.state().with(|s| s.active().to_string())}</h1>
                    <StatusBar />
                    <Search lang />
                </header>
                <MessageList />
                {(!read_only).then(|| view! { <Composer /> })}
            </main>
            <div class="sr-only" role="status" aria-live="polite" aria-atomic="false">
                <For
                    each=move || chat.announcements().get()
                    key=|(n, _)| *n
                    children=|(_, text)| view! { <p>{text}</p> }
                />
            </div>
        </div>
    }
}
