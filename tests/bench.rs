//! Browser benchmark (run by `cargo xtask bench`, not by `cargo xtask
//! test`): ingest and render cost of the message list at 100 and at 100,000
//! messages, in headless Chromium with a release build. Prints figures;
//! asserts only that the DOM stays bounded.
#![cfg(target_arch = "wasm32")]

mod common;

use common::synthetic::batch;
use common::{mount, next_frame};
use leptos::prelude::*;
use sse_chat::chat::ChatWriter;
use sse_chat::ui::message_list::{MessageList, MAX_ROWS};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// Time (ms) to apply one batch and render the next frame, averaged.
async fn frame_cost(chat: ChatWriter, from: u64, batch_size: u64, rounds: u64) -> f64 {
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
    let m = mount(|| view! { <MessageList /> });
    let (root, chat) = (m.root.clone(), m.writer);

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
