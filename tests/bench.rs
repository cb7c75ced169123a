//! Browser benchmark (run by `cargo xtask bench`, not by `cargo xtask
//! test`): ingest and render cost of the message list at 100 and at 100,000
//! messages, in headless Chromium with a release build. Prints figures;
//! asserts only that the DOM stays bounded.
#![cfg(target_arch = "wasm32")]

mod common;

use common::{document, next_frame};
use leptos::prelude::*;
use sse_chat::config::Config;
use sse_chat::i18n::Lang;
use sse_chat::protocol::{Incoming, WireMessage};
use sse_chat::ui::controller::Chat;
use sse_chat::ui::message_list::{MessageList, MAX_ROWS};
use std::cell::Cell;
use std::rc::Rc;
use std::sync::Arc;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn batch(from: u64, n: u64) -> Vec<(Incoming, Option<String>)> {
    (from..from + n)
        .map(|i| {
            let m = WireMessage {
                id: Some(i.to_string()),
                room: Some("general".into()),
                user: Some(format!("user{}", i % 7)),
                text: format!("message number {i}, with a little text to wrap"),
                ts: Some(1.7e12 + i as f64 * 1000.0),
                client_id: None,
            };
            (Incoming::Message(m), None)
        })
        .collect()
}

/// Time (ms) to apply one batch and render the next frame, averaged.
async fn frame_cost(chat: Chat, from: u64, batch_size: u64, rounds: u64) -> f64 {
    let started = js_sys::Date::now();
    for r in 0..rounds {
        let b = batch(from + r * batch_size, batch_size);
        chat.state.update(|s| {
            s.ingest(b, 0.0);
        });
        next_frame().await;
    }
    (js_sys::Date::now() - started) / rounds as f64
}

#[wasm_bindgen_test]
async fn message_list_ingest_at_100_and_100000_messages() {
    let root: web_sys::HtmlElement = document().create_element("div").unwrap().unchecked_into();
    root.set_attribute(
        "style",
        "height: 700px; width: 900px; display: flex; flex-direction: column",
    )
    .unwrap();
    document().body().unwrap().append_child(&root).unwrap();
    let slot: Rc<Cell<Option<Chat>>> = Rc::default();
    let out = slot.clone();
    let _handle = leptos::mount::mount_to(root.clone(), move || {
        let lang = RwSignal::new(Lang::En);
        provide_context(lang);
        let chat = Chat::detached(
            lang,
            Arc::new(Config::default()),
            "me",
            &["general".into()],
            "general",
        );
        provide_context(chat);
        out.set(Some(chat));
        view! { <MessageList /> }
    });
    let chat = slot.get().unwrap();

    chat.state.update(|s| {
        s.ingest(batch(0, 100), 0.0);
    });
    next_frame().await;
    let small = frame_cost(chat, 100, 100, 20).await;

    let t = js_sys::Date::now();
    for i in 0..100 {
        chat.state.update(|s| {
            s.ingest(batch(10_000 + i * 1_000, 1_000), 0.0);
        });
    }
    next_frame().await;
    let fill = js_sys::Date::now() - t;
    let large = frame_cost(chat, 200_000, 100, 20).await;
    let rows = root.query_selector_all("li.msg").unwrap().length();

    let line = format!(
        "bench(browser): 100 msgs/frame into a room of ~100: {small:.2} ms per frame; \
         into a room of ~100,000: {large:.2} ms per frame; filling 100,000 took {fill:.0} ms; \
         {rows} rows in the DOM"
    );
    web_sys::console::log_1(&line.into());
    assert!(rows as i64 <= MAX_ROWS);
}
