//! Browser tests (wasm-bindgen-test in headless Chromium and Firefox),
//! run by `cargo xtask test` against a real reference backend whose address
//! is compiled in as `SSE_CHAT_TEST_SERVER`. The backend runs with
//! `--test-hooks` (fault injection) and allows this page's origin.
#![cfg(target_arch = "wasm32")]

use leptos::prelude::*;
use sse_chat::config::Config;
use sse_chat::protocol::Outgoing;
use sse_chat::transport::browser::new_client_id;
use sse_chat::transport::events::{ConnState, EventStream, RawEvent};
use sse_chat::transport::send::{send_message, SendResult};
use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn server() -> &'static str {
    // Compiled in by the harness; clippy builds without it, so no env!().
    match option_env!("SSE_CHAT_TEST_SERVER") {
        Some(url) => url,
        None => panic!("SSE_CHAT_TEST_SERVER is not set: run these tests with `cargo xtask test`"),
    }
}

/// Configuration pointing at the test backend.
fn test_config() -> Arc<Config> {
    let base = server();
    let json = serde_json::json!({
        "eventsUrl": format!("{base}/api/events?rooms={{rooms}}&user={{user}}"),
        "sendUrl": format!("{base}/api/messages"),
        "historyUrl": format!("{base}/api/rooms/{{room}}/messages?before={{before}}&limit={{limit}}"),
        "typingUrl": format!("{base}/api/typing"),
    });
    Arc::new(Config::load(Some(&json.to_string()), "").expect("valid test config"))
}

async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let _ = web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// Polls `cond` every 20 ms until it holds; panics with `what` after `ms`.
async fn wait_for(what: &str, ms: f64, cond: impl Fn() -> bool) {
    let deadline = js_sys::Date::now() + ms;
    while !cond() {
        if js_sys::Date::now() > deadline {
            panic!("timed out after {ms} ms waiting for {what}");
        }
        sleep(20).await;
    }
}

fn document() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

fn mount_point() -> web_sys::HtmlElement {
    let div = document().create_element("div").unwrap();
    document().body().unwrap().append_child(&div).unwrap();
    div.unchecked_into()
}

/// A room name no other test uses, so tests cannot see each other's messages.
fn unique_room(prefix: &str) -> String {
    format!("{prefix}-{}", &new_client_id()[..8])
}

#[wasm_bindgen_test]
async fn app_mounts_and_shows_the_join_screen() {
    web_sys::window()
        .unwrap()
        .local_storage()
        .unwrap()
        .unwrap()
        .clear()
        .unwrap();
    let root = mount_point();
    let _handle = leptos::mount::mount_to(root.clone(), sse_chat::App);
    // The config fetch (config.json is absent here: defaults) is async.
    wait_for("the join form", 5_000.0, || {
        root.query_selector("form.join-card").unwrap().is_some()
    })
    .await;
    let heading = root.query_selector("h1").unwrap().unwrap();
    assert_eq!(heading.text_content().unwrap(), "Join the chat");
    assert!(root
        .query_selector("input#join-nickname")
        .unwrap()
        .is_some());
    assert!(root
        .query_selector("label[for=join-nickname]")
        .unwrap()
        .is_some());
}

#[wasm_bindgen_test]
async fn event_stream_receives_a_posted_message() {
    let cfg = test_config();
    let room = unique_room("es");
    let got: Rc<RefCell<Vec<RawEvent>>> = Rc::default();
    let owner = Owner::new();
    let (stream, state) = owner.with(|| {
        let state = RwSignal::new(ConnState::Connecting);
        let url = format!("{}/api/events?rooms={room}&user=tester", server());
        let sink = got.clone();
        (
            EventStream::open(cfg.clone(), url, state, move |e| sink.borrow_mut().push(e)),
            state,
        )
    });
    wait_for("the stream to open", 10_000.0, || {
        state.get_untracked() == ConnState::Open
    })
    .await;

    let text = format!("hello from the browser {}", new_client_id());
    let out = Outgoing {
        room: room.clone(),
        user: "tester".into(),
        text: text.clone(),
        client_id: new_client_id(),
    };
    let result = send_message(&cfg, &out).await;
    let SendResult::Sent(Some(stored)) = result else {
        panic!("send failed: {result:?}");
    };
    assert_eq!(stored.text, text);

    wait_for("the posted message on the stream", 10_000.0, || {
        got.borrow()
            .iter()
            .any(|e| e.kind == "message" && e.data.contains(&text))
    })
    .await;
    let event = got
        .borrow()
        .iter()
        .find(|e| e.data.contains(&text))
        .cloned()
        .unwrap();
    assert_eq!(
        Some(event.last_event_id.clone()),
        stored.id,
        "SSE id is the stored id"
    );
    assert_eq!(stream.last_id(), stored.id);
    stream.close();
}
