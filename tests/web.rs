//! Browser tests (wasm-bindgen-test in headless Chromium and Firefox),
//! run by `cargo xtask test` against a real reference backend whose address
//! is compiled in as `SSE_CHAT_TEST_SERVER`. The backend runs with
//! `--test-hooks` (fault injection) and allows this page's origin.
#![cfg(target_arch = "wasm32")]

use leptos::prelude::*;
use sse_chat::chat::Chat;
use sse_chat::config::Config;
use sse_chat::i18n::Lang;
use sse_chat::protocol::decode;
use sse_chat::protocol::Outgoing;
use sse_chat::state::{ChatState, Status};
use sse_chat::transport::browser::new_client_id;
use sse_chat::transport::events::{ConnState, EventStream, RawEvent};
use sse_chat::transport::send::{send_message, SendResult};
use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

mod common;

use common::{clear_storage, document, wait_for};

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

/// Starts Leptos's executor (mounting does this in the app; these tests
/// run reactive code without mounting). Idempotent.
fn init_executor() {
    let _ = any_spawner::Executor::init_wasm_bindgen();
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
    clear_storage();
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
        reply_to: None,
    };
    let result = send_message(&cfg, &out, None).await;
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

fn control_url() -> &'static str {
    match option_env!("SSE_CHAT_TEST_CONTROL") {
        Some(url) => url,
        None => panic!("SSE_CHAT_TEST_CONTROL is not set: run these tests with `cargo xtask test`"),
    }
}

/// Stops, starts or restarts the real backend process (see xtask's supervisor).
async fn control(action: &str) {
    let response = gloo_net::http::Request::post(&format!("{}/{action}", control_url()))
        .send()
        .await
        .expect("control server reachable");
    assert_eq!(
        response.status(),
        200,
        "control {action}: {:?}",
        response.text().await
    );
}

/// Makes the next `times` requests to `route` fail with `status`
/// (the backend's `--test-hooks` fault injection).
async fn inject_failures(route: &str, status: u16, times: u32) {
    let body = serde_json::json!({ "route": route, "status": status, "times": times }).to_string();
    let response = gloo_net::http::Request::post(&format!("{}/api/_test/fail", server()))
        .header("Content-Type", "application/json")
        .body(body)
        .unwrap()
        .send()
        .await
        .expect("backend reachable");
    assert_eq!(response.status(), 204);
}

/// Texts stored in `room`, from the history route.
async fn stored_texts(room: &str) -> Vec<String> {
    let url = format!("{}/api/rooms/{room}/messages?limit=200", server());
    let response = gloo_net::http::Request::get(&url)
        .send()
        .await
        .expect("history");
    let body: serde_json::Value = response.json().await.expect("history JSON");
    body["messages"]
        .as_array()
        .expect("messages array")
        .iter()
        .map(|m| m["text"].as_str().unwrap_or_default().to_string())
        .collect()
}

struct Probe {
    owner: Owner,
    stream: EventStream,
    state: RwSignal<ConnState>,
    events: Rc<RefCell<Vec<RawEvent>>>,
    /// Every state the connection went through, in order.
    states: Rc<RefCell<Vec<ConnState>>>,
}

impl Probe {
    fn open(room: &str) -> Probe {
        init_executor();
        let cfg = test_config();
        let events: Rc<RefCell<Vec<RawEvent>>> = Rc::default();
        let states: Rc<RefCell<Vec<ConnState>>> = Rc::default();
        let owner = Owner::new();
        let (stream, state) = owner.with(|| {
            let state = RwSignal::new(ConnState::Connecting);
            let seen = states.clone();
            Effect::new(move |_| seen.borrow_mut().push(state.get()));
            let url = format!("{}/api/events?rooms={room}&user=probe", server());
            let sink = events.clone();
            let stream = EventStream::open(cfg, url, state, move |e| sink.borrow_mut().push(e));
            (stream, state)
        });
        Probe {
            owner,
            stream,
            state,
            events,
            states,
        }
    }

    fn count(&self, text: &str) -> usize {
        self.events
            .borrow()
            .iter()
            .filter(|e| e.kind == "message" && e.data.contains(&format!("\"text\":\"{text}\"")))
            .count()
    }

    fn message_ids(&self) -> Vec<u64> {
        self.events
            .borrow()
            .iter()
            .filter(|e| e.kind == "message")
            .filter_map(|e| e.last_event_id.parse().ok())
            .collect()
    }

    fn saw(&self, pred: impl Fn(&ConnState) -> bool) -> bool {
        self.states.borrow().iter().any(pred)
    }
}

impl Drop for Probe {
    fn drop(&mut self) {
        self.stream.close();
        self.owner.cleanup();
    }
}

async fn post(room: &str, text: &str) -> sse_chat::protocol::WireMessage {
    let out = Outgoing {
        room: room.into(),
        user: "poster".into(),
        text: text.into(),
        client_id: new_client_id(),
        reply_to: None,
    };
    match send_message(&test_config(), &out, None).await {
        SendResult::Sent(Some(m)) => m,
        other => panic!("send of {text:?} failed: {other:?}"),
    }
}

#[wasm_bindgen_test]
async fn server_restart_with_same_database_loses_and_duplicates_nothing() {
    let room = unique_room("restart");
    let probe = Probe::open(&room);
    wait_for("open", 10_000.0, || {
        probe.state.get_untracked() == ConnState::Open
    })
    .await;
    post(&room, "before-1").await;
    post(&room, "before-2").await;
    wait_for("messages before the restart", 10_000.0, || {
        probe.count("before-2") == 1
    })
    .await;

    control("stop").await;
    wait_for("the client to notice", 15_000.0, || {
        matches!(probe.state.get_untracked(), ConnState::Reconnecting { .. })
    })
    .await;
    control("start").await;
    // Posted before the client is back: only a resume can deliver it.
    post(&room, "after-1").await;
    wait_for("reconnect", 40_000.0, || {
        probe.state.get_untracked() == ConnState::Open
    })
    .await;
    post(&room, "after-2").await;
    wait_for("messages after the restart", 10_000.0, || {
        probe.count("after-2") == 1
    })
    .await;

    for text in ["before-1", "before-2", "after-1", "after-2"] {
        assert_eq!(probe.count(text), 1, "{text} must arrive exactly once");
    }
    let ids = probe.message_ids();
    assert!(
        ids.windows(2).all(|w| w[0] < w[1]),
        "ids strictly increase across the restart: {ids:?}"
    );
}

#[wasm_bindgen_test]
async fn http_503_and_204_answers_are_retried_with_backoff_until_the_stream_opens() {
    for status in [503u16, 204] {
        let room = unique_room("fault");
        inject_failures("events", status, 2).await;
        let probe = Probe::open(&room);
        wait_for("recovery", 40_000.0, || {
            probe.state.get_untracked() == ConnState::Open
        })
        .await;
        assert!(
            probe.saw(|s| matches!(s, ConnState::Reconnecting { attempt: 2, .. })),
            "status {status}: two failed attempts were shown: {:?}",
            probe.states.borrow()
        );
        // The recovered stream works.
        post(&room, "recovered").await;
        wait_for("a message on the recovered stream", 10_000.0, || {
            probe.count("recovered") == 1
        })
        .await;
    }
}

fn start_chat(room: &str, owner: &Owner) -> Chat {
    init_executor();
    let cfg = test_config();
    owner.with(|| {
        let lang = RwSignal::new(Lang::En);
        Chat::start(
            cfg,
            lang,
            "sender".into(),
            vec![room.to_string()],
            room.to_string(),
        )
    })
}

/// Waits until `text` shows as sent, then checks the backend stored it once.
async fn sent_and_stored_once(chat: &Chat, room: &str, text: &str) {
    wait_for("the message to show as sent", 30_000.0, || {
        own_status(chat, text) == Some(Status::Sent)
    })
    .await;
    let stored = stored_texts(room).await;
    let copies = stored.iter().filter(|t| *t == text).count();
    assert_eq!(copies, 1, "one stored copy of {text:?}: {stored:?}");
}

fn own_status(chat: &Chat, text: &str) -> Option<Status> {
    chat.state().with_untracked(|s| {
        let room = s.active_room()?;
        room.log()
            .iter()
            .find(|m| &*m.text == text)
            .map(|m| m.status.clone())
    })
}

#[wasm_bindgen_test]
async fn a_post_that_fails_twice_is_retried_and_stored_once() {
    clear_storage();
    let room = unique_room("retry");
    let owner = Owner::new();
    let chat = start_chat(&room, &owner);
    inject_failures("messages", 503, 2).await;
    let text = format!("retried {}", new_client_id());
    chat.send(text.clone());
    assert_eq!(
        own_status(&chat, &text),
        Some(Status::Pending),
        "shown at once as pending"
    );
    sent_and_stored_once(&chat, &room, &text).await;
    // The echo on the stream does not add a second row: once a later
    // message has arrived, the echo (earlier on the ordered stream) has too.
    post(&room, "later").await;
    wait_for("the later message", 10_000.0, || {
        chat.state().with_untracked(|s| {
            s.active_room()
                .is_some_and(|r| r.log().last().is_some_and(|m| &*m.text == "later"))
        })
    })
    .await;
    assert_eq!(
        chat.state()
            .with_untracked(|s| s.active_room().map(|r| r.log().len())),
        Some(2)
    );
    owner.cleanup();
}

#[wasm_bindgen_test]
async fn a_rejected_post_shows_the_server_reason_and_can_be_discarded() {
    clear_storage();
    let room = unique_room("reject");
    let owner = Owner::new();
    let chat = start_chat(&room, &owner);
    let text = "x".repeat(5000); // over the reference backend's 4000-character limit
    chat.send(text.clone());
    wait_for("failed", 10_000.0, || {
        matches!(own_status(&chat, &text), Some(Status::Failed(_)))
    })
    .await;
    let Some(Status::Failed(reason)) = own_status(&chat, &text) else {
        unreachable!()
    };
    assert!(reason.to_string().starts_with("HTTP 413"), "{reason}");
    chat.discard(&chat.state().with_untracked(|s| {
        s.active_room()
            .unwrap()
            .log()
            .last()
            .unwrap()
            .client_id
            .clone()
            .unwrap()
    }));
    assert_eq!(own_status(&chat, &text), None);
    owner.cleanup();
}

#[wasm_bindgen_test]
async fn the_outbox_survives_a_reload_and_is_sent_afterwards() {
    clear_storage();
    let room = unique_room("outbox");
    let text = format!("survivor {}", new_client_id());
    // First "page": the backend refuses service, the message stays queued.
    inject_failures("messages", 503, 3).await;
    let first = Owner::new();
    let chat = start_chat(&room, &first);
    chat.send(text.clone());
    let key =
        "sse-chat.outbox:".to_string() + test_config().send_url.as_deref().unwrap_or_default();
    let storage = web_sys::window().unwrap().local_storage().unwrap().unwrap();
    assert!(
        storage
            .get_item(&key)
            .unwrap()
            .unwrap_or_default()
            .contains(&text),
        "persisted at once"
    );
    first.cleanup(); // the page goes away

    // Second "page": the queued message is shown pending, then sent.
    let second = Owner::new();
    let chat = start_chat(&room, &second);
    assert_eq!(
        own_status(&chat, &text),
        Some(Status::Pending),
        "restored from storage"
    );
    sent_and_stored_once(&chat, &room, &text).await;
    assert!(
        !storage
            .get_item(&key)
            .unwrap()
            .unwrap_or_default()
            .contains(&text),
        "removed once sent"
    );
    second.cleanup();
}

#[wasm_bindgen_test]
async fn a_silent_stream_is_detected_as_stalled_and_reopened() {
    init_executor();
    // The backend pings every 2 s (the harness's --heartbeat); a stall
    // timeout of 1 s, armed by the first ping, takes the gap after it for a
    // dead connection: the client must give up on the stream and reopen it.
    let base = server();
    let json = serde_json::json!({
        "eventsUrl": format!("{base}/api/events?rooms={{rooms}}"),
        "sendUrl": format!("{base}/api/messages"),
        "pingEvent": "ping",
        "presenceEvent": "",
        "stallTimeoutMs": 1000,
    });
    let cfg = Arc::new(Config::load(Some(&json.to_string()), "").unwrap());
    let room = unique_room("stall");
    let states: Rc<RefCell<Vec<ConnState>>> = Rc::default();
    let owner = Owner::new();
    let (stream, state) = owner.with(|| {
        let state = RwSignal::new(ConnState::Connecting);
        let seen = states.clone();
        Effect::new(move |_| seen.borrow_mut().push(state.get()));
        let url = format!("{base}/api/events?rooms={room}");
        (EventStream::open(cfg, url, state, |_| {}), state)
    });
    wait_for("open", 10_000.0, || {
        state.get_untracked() == ConnState::Open
    })
    .await;
    wait_for("the stall to be noticed", 10_000.0, || {
        matches!(state.get_untracked(), ConnState::Reconnecting { .. })
    })
    .await;
    wait_for("the stream to be reopened", 20_000.0, || {
        state.get_untracked() == ConnState::Open
    })
    .await;
    let opens = states
        .borrow()
        .iter()
        .filter(|s| **s == ConnState::Open)
        .count();
    assert!(
        opens >= 2,
        "opened, stalled, reopened: {:?}",
        states.borrow()
    );
    stream.close();
    owner.cleanup();
}

#[wasm_bindgen_test]
async fn per_room_streams_follow_the_active_room() {
    clear_storage();
    init_executor();
    // `{room}` in the events URL: one stream, for the room being shown.
    let base = server();
    let json = serde_json::json!({
        "eventsUrl": format!("{base}/api/events?rooms={{room}}&user={{user}}"),
        "sendUrl": format!("{base}/api/messages"),
        "historyUrl": null,
        "typingUrl": null,
    });
    let cfg = Arc::new(Config::load(Some(&json.to_string()), "").unwrap());
    assert!(cfg.per_room_stream());
    let (first, second) = (unique_room("per-a"), unique_room("per-b"));
    let owner = Owner::new();
    let chat = owner.with(|| {
        let lang = RwSignal::new(Lang::En);
        Chat::start(
            cfg,
            lang,
            "roamer".into(),
            vec![first.clone()],
            first.clone(),
        )
    });
    // Copies of `text` in `room`.
    let count = |room: &str, text: &str| {
        chat.state().with_untracked(|s| {
            s.room(room)
                .map_or(0, |r| r.log().iter().filter(|m| &*m.text == text).count())
        })
    };
    let has = |room: &str, text: &str| count(room, text) > 0;
    wait_for("open", 10_000.0, || {
        chat.conn().get_untracked() == ConnState::Open
    })
    .await;
    post(&first, "in the first room").await;
    wait_for("the first room's message", 10_000.0, || {
        has(&first, "in the first room")
    })
    .await;

    chat.open_room(&second);
    wait_for("the second room's stream", 10_000.0, || {
        chat.conn().get_untracked() == ConnState::Open
    })
    .await;
    post(&second, "in the second room").await;
    wait_for("the second room's message", 10_000.0, || {
        has(&second, "in the second room")
    })
    .await;
    assert!(
        !has(&first, "in the second room"),
        "filed under the room it came from"
    );

    // Back to the first room: its replay brings what was said meanwhile.
    post(&first, "while away").await;
    chat.open_room(&first);
    wait_for("the message said while away", 10_000.0, || {
        has(&first, "while away")
    })
    .await;
    assert_eq!(
        count(&first, "in the first room"),
        1,
        "the replay's repeat is dropped"
    );
    owner.cleanup();
}

#[wasm_bindgen_test]
async fn a_chat_torn_down_closes_its_stream_and_leaves_the_room() {
    clear_storage();
    let room = unique_room("teardown");
    let probe = Probe::open(&room);
    // Who the reference backend says is in the room, as the client's own
    // state reads its presence events (a snapshot, then coalesced deltas).
    let cfg = test_config();
    let present = || -> Vec<String> {
        let mut state = ChatState::new("probe", std::slice::from_ref(&room), &room);
        let batch = probe
            .events
            .borrow()
            .iter()
            .filter(|e| e.kind == "presence")
            .filter_map(|e| decode(&cfg, "presence", &e.data, "").ok())
            .map(|item| (item, None))
            .collect();
        state.ingest(batch, 0.0);
        state
            .room(&room)
            .map(|r| r.present().to_vec())
            .unwrap_or_default()
    };
    let owner = Owner::new();
    let _chat = start_chat(&room, &owner);
    wait_for("the chat's user to join the room", 10_000.0, || {
        present().iter().any(|u| u == "sender")
    })
    .await;
    // Nothing is closed by hand: dropping the owner must close the stream.
    owner.cleanup();
    wait_for("the chat's user to leave the room", 10_000.0, || {
        !present().iter().any(|u| u == "sender")
    })
    .await;
}
