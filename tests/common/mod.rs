//! Helpers shared by the browser test files (`tests/web.rs`, `tests/ui.rs`).
// Each test file uses only some of these.
#![allow(dead_code)]

use leptos::prelude::*;
use sse_chat::chat::{Chat, ChatWriter};
use sse_chat::config::Config;
use sse_chat::i18n::Lang;
use std::cell::Cell;
use std::rc::Rc;
use std::sync::Arc;
use wasm_bindgen::JsCast;

pub mod synthetic;

pub fn document() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

/// Resolves at the next animation frame (after effects and the renders
/// they caused have run).
pub async fn next_frame() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let _ = web_sys::window().unwrap().request_animation_frame(&resolve);
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// A timer, for polling only: never as synchronisation by itself.
async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let _ = web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// Polls `cond` every 20 ms until it holds; panics with `what` after `ms`.
pub async fn wait_for(what: &str, ms: f64, cond: impl Fn() -> bool) {
    let deadline = js_sys::Date::now() + ms;
    while !cond() {
        if js_sys::Date::now() > deadline {
            panic!("timed out after {ms} ms waiting for {what}");
        }
        sleep(20).await;
    }
}

/// Forgets what earlier tests stored (nickname, outbox, language).
pub fn clear_storage() {
    web_sys::window()
        .unwrap()
        .local_storage()
        .unwrap()
        .unwrap()
        .clear()
        .unwrap();
}

/// A component mounted in the test page; removed when dropped.
pub struct Mounted {
    pub root: web_sys::HtmlElement,
    /// The chat in context, as components get it (read-only signals,
    /// commands).
    pub chat: Chat,
    /// Write access to its state, to set up what a test looks at.
    pub writer: ChatWriter,
    _handle: Box<dyn std::any::Any>,
}

impl Drop for Mounted {
    fn drop(&mut self) {
        self.root.remove();
    }
}

/// Loads the app's real stylesheet into the test page (once).
fn load_stylesheet() {
    if document().get_element_by_id("app-style").is_none() {
        let style = document().create_element("style").unwrap();
        style.set_id("app-style");
        style.set_text_content(Some(include_str!("../../style/main.css")));
        document().head().unwrap().append_child(&style).unwrap();
    }
}

/// Mounts `view` with a detached chat (user "me", room "general") in context.
pub fn mount<V: IntoView + 'static>(view: impl Fn() -> V + 'static) -> Mounted {
    mount_with(Config::default(), view)
}

/// [`mount`] with a chat configured by `cfg`.
pub fn mount_with<V: IntoView + 'static>(cfg: Config, view: impl Fn() -> V + 'static) -> Mounted {
    load_stylesheet();
    let root: web_sys::HtmlElement = document().create_element("div").unwrap().unchecked_into();
    // A fixed-size box, so scrolling and windowing behave as on a page.
    root.set_attribute(
        "style",
        "height: 600px; width: 800px; display: flex; flex-direction: column",
    )
    .unwrap();
    document().body().unwrap().append_child(&root).unwrap();
    let slot: Rc<Cell<Option<(Chat, ChatWriter)>>> = Rc::default();
    let out = slot.clone();
    let handle = leptos::mount::mount_to(root.clone(), move || {
        let lang = RwSignal::new(Lang::En);
        provide_context(lang);
        let (chat, writer) = Chat::detached(
            lang,
            Arc::new(cfg.clone()),
            "me",
            &["general".into()],
            "general",
        );
        provide_context(chat);
        out.set(Some((chat, writer)));
        view()
    });
    let (chat, writer) = slot.get().expect("mounted");
    Mounted {
        root,
        chat,
        writer,
        _handle: Box::new(handle),
    }
}
