//! The root component: loads the runtime configuration, then shows the
//! error screen, the join screen or the chat.

use super::chat_screen::ChatScreen;
use super::error_screen::ErrorScreen;
use super::join::JoinScreen;
use crate::config::{is_room_name, is_user_name, Config};
use crate::i18n::Lang;
use crate::transport::browser::storage_get;
use crate::ui::controller::{ACTIVE_KEY, NICKNAME_KEY, ROOMS_KEY};
use gloo_net::http::Request;
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::sync::Arc;

/// Storage key of an explicitly chosen language.
pub const LANG_KEY: &str = "sse-chat.lang";

fn initial_lang() -> Lang {
    if let Some(l) = storage_get(LANG_KEY).as_deref().and_then(Lang::from_tag) {
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

/// Fetches `config.json` beside index.html. Absent (404, or a static
/// host's HTML fallback page) means "defaults"; any other failure is an
/// error, so a broken deployment is noticed rather than half-working.
async fn fetch_config_file() -> Result<Option<String>, String> {
    let response = match Request::get("config.json").send().await {
        Ok(r) => r,
        Err(_) => return Ok(None),
    };
    let html = response
        .headers()
        .get("content-type")
        .is_some_and(|ct| ct.contains("text/html"));
    match response.status() {
        200 if html => Ok(None),
        200 => response
            .text()
            .await
            .map(Some)
            .map_err(|e| format!("config.json: {e}")),
        404 => Ok(None),
        status => Err(format!("config.json could not be loaded (HTTP {status})")),
    }
}

async fn load_config() -> Result<Config, String> {
    let file = fetch_config_file().await?;
    let query = web_sys::window()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default();
    Config::load(file.as_deref(), &query).map_err(|e| e.to_string())
}

/// Who the user is, once they have joined.
#[derive(Clone, Debug, PartialEq)]
pub struct Session {
    pub nickname: String,
    pub rooms: Vec<String>,
    pub active: String,
}

fn restore_session(cfg: &Config) -> Option<Session> {
    let nickname = storage_get(NICKNAME_KEY).filter(|n| is_user_name(n))?;
    let rooms: Vec<String> = storage_get(ROOMS_KEY)
        .map(|r| {
            r.split(',')
                .filter(|r| is_room_name(r))
                .map(String::from)
                .collect()
        })
        .filter(|r: &Vec<String>| !r.is_empty())
        .unwrap_or_else(|| cfg.rooms.iter().take(1).cloned().collect());
    let active = storage_get(ACTIVE_KEY)
        .filter(|a| rooms.contains(a))
        .or_else(|| rooms.first().cloned())?;
    Some(Session {
        nickname,
        rooms,
        active,
    })
}

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
            session.set(restore_session(cfg));
        }
        config.set(Some(loaded));
    });

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
