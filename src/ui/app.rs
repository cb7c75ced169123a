//! The root component: loads the runtime configuration, then shows the
//! error screen, the join screen or the chat.

use super::chat_screen::ChatScreen;
use super::error_screen::ErrorScreen;
use super::join::JoinScreen;
use super::lang_select::initial_lang;
use crate::chat::Session;
use crate::config::Config;
use crate::transport::config_file::load_config;
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::sync::Arc;

/// The whole application.
#[component]
pub fn App() -> impl IntoView {
    let lang = RwSignal::new(initial_lang());
    provide_context(lang);
    Effect::new(move |_| {
        if let Some(root) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.document_element())
        {
            let _ = root.set_attribute("lang", lang.get().tag());
        }
    });

    let config = RwSignal::new(None::<Result<Arc<Config>, String>>);
    let session = RwSignal::new(None::<Session>);
    spawn_local(async move {
        let loaded = load_config().await.map(Arc::new);
        if let Ok(cfg) = &loaded {
            session.set(Session::restore(cfg));
        }
        config.set(Some(loaded.map_err(|e| e.to_string())));
    });
    // Queued after the request above has gone out.
    spawn_local(async move { super::format::warm(lang.get_untracked()) });

    move || match config.get() {
        None => view! { <p class="loading" role="status">"…"</p> }.into_any(),
        Some(Err(error)) => view! { <ErrorScreen error /> }.into_any(),
        Some(Ok(cfg)) => match session.get() {
            None => view! { <JoinScreen cfg=cfg.clone() on_join=move |s| session.set(Some(s)) /> }
                .into_any(),
            Some(s) => view! { <ChatScreen cfg=cfg.clone() session=s /> }.into_any(),
        },
    }
}
