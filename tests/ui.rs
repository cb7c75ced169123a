//! Component tests in headless Chromium and Firefox: each mounts a
//! component with a chat that has no backend attached
//! (`Chat::detached`), sets states through its writer and asserts on the
//! DOM; what a user does is done by clicking and typing.
#![cfg(target_arch = "wasm32")]

use leptos::prelude::*;
use sse_chat::chat::ChatWriter;
use sse_chat::config::Config;
use sse_chat::errors::{RequestError, StreamError};
use sse_chat::protocol::{Incoming, Outgoing, Presence, WireMessage};
use sse_chat::transport::events::ConnState;
use sse_chat::ui::composer::Composer;
use sse_chat::ui::error_screen::ErrorScreen;
use sse_chat::ui::join::JoinScreen;
use sse_chat::ui::message_list::{MessageList, MAX_ROWS};
use sse_chat::ui::sidebar::Sidebar;
use sse_chat::ui::status::StatusBar;
use std::sync::Arc;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

mod common;

use common::{mount, mount_with, next_frame, wait_for};

wasm_bindgen_test_configure!(run_in_browser);

/// Lets effects run, then two animation frames: the list corrects its
/// scroll position in a frame callback after each render.
async fn settle() {
    leptos::task::tick().await;
    next_frame().await;
    next_frame().await;
}

fn wire(id: u64, user: &str, text: &str, ts: f64) -> WireMessage {
    WireMessage {
        id: Some(id.to_string()),
        room: Some("general".into()),
        user: Some(user.into()),
        text: text.into(),
        ts: Some(ts),
        client_id: None,
        extra: None,
    }
}

fn ingest(chat: &ChatWriter, msgs: Vec<WireMessage>) {
    chat.state.update(|s| {
        s.ingest(
            msgs.into_iter()
                .map(|m| (Incoming::Message(m), None))
                .collect(),
            0.0,
        );
    });
}

fn count(root: &web_sys::HtmlElement, selector: &str) -> u32 {
    root.query_selector_all(selector).unwrap().length()
}

fn text_of(root: &web_sys::HtmlElement, selector: &str) -> String {
    root.query_selector(selector)
        .unwrap()
        .unwrap_or_else(|| panic!("no {selector}"))
        .text_content()
        .unwrap_or_default()
}

#[wasm_bindgen_test]
async fn empty_room_says_so() {
    let m = mount(|| view! { <MessageList /> });
    settle().await;
    assert_eq!(
        text_of(&m.root, ".empty-room"),
        "No messages yet. Say hello!"
    );
    assert_eq!(
        m.root
            .query_selector("[role=log]")
            .unwrap()
            .unwrap()
            .get_attribute("aria-label")
            .as_deref(),
        Some("Messages")
    );
}

#[wasm_bindgen_test]
async fn pending_and_failed_messages_show_their_state_and_actions() {
    let m = mount(|| view! { <MessageList /> });
    let out = |text: &str, cid: &str| Outgoing {
        room: "general".into(),
        user: "me".into(),
        text: text.into(),
        client_id: cid.into(),
        reply_to: None,
    };
    m.writer.state.update(|s| {
        s.add_pending(&out("on its way", "c1"), 1.7e12);
        s.add_pending(&out("refused", "c2"), 1.7e12);
        s.send_failed(
            "c2",
            RequestError::Http {
                status: 422,
                detail: Some("text is empty".into()),
            },
        );
    });
    settle().await;
    assert_eq!(count(&m.root, "li.msg.pending"), 1);
    assert_eq!(text_of(&m.root, "li.msg.pending .msg-state"), "Sending…");
    assert_eq!(count(&m.root, "li.msg.mine"), 2);
    let failed = m.root.query_selector("li.msg.failed").unwrap().unwrap();
    let failed_text = failed.text_content().unwrap();
    assert!(
        failed_text.contains("Not sent: HTTP 422: text is empty"),
        "{failed_text}"
    );
    let buttons: Vec<String> = (0..failed.query_selector_all("button").unwrap().length())
        .map(|i| {
            failed
                .query_selector_all("button")
                .unwrap()
                .item(i)
                .unwrap()
                .text_content()
                .unwrap()
        })
        .collect();
    assert_eq!(buttons, ["Retry", "Discard"]);

    // Retry (clicked): pending again, the reason and the buttons go.
    let click = |label: &str| {
        let button = (0..failed.query_selector_all("button").unwrap().length())
            .filter_map(|i| failed.query_selector_all("button").unwrap().item(i))
            .find(|b| b.text_content().as_deref() == Some(label))
            .unwrap_or_else(|| panic!("no {label} button"));
        button.unchecked_into::<web_sys::HtmlElement>().click();
    };
    click("Retry");
    settle().await;
    assert_eq!(count(&m.root, "li.msg.failed"), 0);
    assert_eq!(count(&m.root, "li.msg.pending"), 2);

    // Refused again; Discard (clicked) removes it, the other stays.
    m.writer
        .state
        .update(|s| s.send_failed("c2", RequestError::Other("still refused".into())));
    settle().await;
    let failed = m.root.query_selector("li.msg.failed").unwrap().unwrap();
    assert!(failed
        .text_content()
        .unwrap()
        .contains("Not sent: still refused"));
    let discard = (0..failed.query_selector_all("button").unwrap().length())
        .filter_map(|i| failed.query_selector_all("button").unwrap().item(i))
        .find(|b| b.text_content().as_deref() == Some("Discard"))
        .expect("a Discard button");
    discard.unchecked_into::<web_sys::HtmlElement>().click();
    settle().await;
    assert_eq!(count(&m.root, "li.msg.failed"), 0);
    assert_eq!(
        count(&m.root, "li.msg"),
        1,
        "only the other message is left"
    );
}

#[wasm_bindgen_test]
async fn status_bar_shows_each_connection_state() {
    let m = mount(|| view! { <StatusBar /> });
    let status = || text_of(&m.root, "[data-testid=connection-status]");
    m.writer.conn.set(ConnState::Open);
    settle().await;
    assert!(status().contains("Connected"), "{}", status());
    m.writer.conn.set(ConnState::Reconnecting {
        attempt: 3,
        retry_at: js_sys::Date::now() + 4_500.0,
    });
    settle().await;
    assert!(
        status().contains("Reconnecting in 5 s (attempt 3)"),
        "{}",
        status()
    );
    assert!(status().contains("Retry now"));
    m.writer.conn.set(ConnState::Offline);
    settle().await;
    assert!(status().contains("Offline"), "{}", status());
    m.writer.conn.set(ConnState::Failed(StreamError {
        reason: Some("bad URL".into()),
        url: "/e".into(),
    }));
    settle().await;
    assert!(
        status().contains("Connection failed: bad URL (/e)"),
        "{}",
        status()
    );
}

#[wasm_bindgen_test]
async fn error_screen_names_the_problem() {
    let m = mount(
        || view! { <ErrorScreen error="config.json `sendFormat`: must be json, form or text, not \"xml\"".to_string() /> },
    );
    settle().await;
    assert_eq!(
        text_of(&m.root, "h1"),
        "The chat is not configured correctly"
    );
    assert!(text_of(&m.root, ".error-detail").contains("`sendFormat`"));
    assert!(m.root.query_selector("[role=alert]").unwrap().is_some());
}

#[wasm_bindgen_test]
async fn hostile_text_renders_as_literal_text_and_only_safe_links() {
    let payloads = [
        "<script>window.__xss = 1</script>",
        "<img src=x onerror=\"window.__xss = 2\">",
        "<svg onload=\"window.__xss = 3\"></svg>",
        "<iframe src=\"javascript:window.__xss = 4\"></iframe>",
        "javascript:window.__xss = 5",
        "data:text/html,<script>window.__xss = 6</script>",
        "\"><b onmouseover=\"window.__xss = 7\">x</b>",
        "<a href=\"javascript:alert(1)\">click</a>",
        "&lt;b&gt; entities stay &amp; as typed",
        "see https://example.com/?q=<b>x</b> and mailto:a@b.c or http://x.y/\"onclick=\"alert(1)",
    ];
    let m = mount(|| view! { <MessageList /> });
    ingest(
        &m.writer,
        payloads
            .iter()
            .enumerate()
            .map(|(i, p)| wire(i as u64 + 1, "mallory", p, 1.7e12 + i as f64))
            .collect(),
    );
    settle().await;
    let texts: Vec<String> = {
        let nodes = m.root.query_selector_all(".msg-text").unwrap();
        (0..nodes.length())
            .map(|i| nodes.item(i).unwrap().text_content().unwrap())
            .collect()
    };
    assert_eq!(texts, payloads, "every payload shows exactly as typed");
    for tag in ["script", "img", "svg", "iframe", "b"] {
        assert_eq!(
            count(&m.root, &format!(".msg-text {tag}")),
            0,
            "no <{tag}> element was created"
        );
    }
    let xss = js_sys::Reflect::get(&web_sys::window().unwrap(), &"__xss".into()).unwrap();
    assert!(xss.is_undefined(), "no payload ran");
    let links = m.root.query_selector_all(".msg-text a").unwrap();
    let hrefs: Vec<String> = (0..links.length())
        .map(|i| {
            let a: web_sys::Element = links.item(i).unwrap().unchecked_into();
            assert_eq!(
                a.get_attribute("rel").as_deref(),
                Some("noopener noreferrer")
            );
            assert_eq!(a.get_attribute("target").as_deref(), Some("_blank"));
            a.get_attribute("href").unwrap()
        })
        .collect();
    assert_eq!(
        hrefs,
        ["https://example.com/?q=", "mailto:a@b.c", "http://x.y/"]
    );
}

#[wasm_bindgen_test]
async fn line_breaks_are_kept_and_long_messages_collapse() {
    let m = mount(|| view! { <MessageList /> });
    let long = "word ".repeat(400);
    ingest(
        &m.writer,
        vec![
            wire(1, "a", "one\ntwo", 1.7e12),
            wire(2, "a", &long, 1.7e12 + 1.0),
        ],
    );
    settle().await;
    assert_eq!(text_of(&m.root, "li.msg .msg-text"), "one\ntwo");
    let style = web_sys::window()
        .unwrap()
        .get_computed_style(&m.root.query_selector(".msg-text").unwrap().unwrap())
        .unwrap()
        .unwrap();
    assert_eq!(style.get_property_value("white-space").unwrap(), "pre-wrap");
    let button: web_sys::HtmlElement = m
        .root
        .query_selector(".show-more")
        .unwrap()
        .unwrap()
        .unchecked_into();
    assert_eq!(button.text_content().unwrap(), "Show more");
    assert!(text_of(&m.root, "li.msg:last-child .msg-text").len() < long.len());
    button.click();
    settle().await;
    assert_eq!(text_of(&m.root, "li.msg:last-child .msg-text"), long);
    assert_eq!(
        button.get_attribute("aria-expanded").as_deref(),
        Some("true")
    );
}

#[wasm_bindgen_test]
async fn consecutive_messages_by_one_sender_are_grouped() {
    let m = mount(|| view! { <MessageList /> });
    let t0 = 1.7e12;
    ingest(
        &m.writer,
        vec![
            wire(1, "alice", "a1", t0),
            wire(2, "alice", "a2", t0 + 60_000.0),
            wire(3, "alice", "a3", t0 + 120_000.0),
            wire(4, "bob", "b1", t0 + 180_000.0),
            wire(5, "alice", "a4", t0 + 3_600_000.0),
        ],
    );
    settle().await;
    assert_eq!(count(&m.root, "li.msg"), 5);
    assert_eq!(
        count(&m.root, "li.msg.continued"),
        2,
        "a2 and a3 continue a1's group"
    );
    let heads = m
        .root
        .query_selector_all("li.msg:not(.continued) .author")
        .unwrap();
    let authors: Vec<String> = (0..heads.length())
        .map(|i| heads.item(i).unwrap().text_content().unwrap())
        .collect();
    assert_eq!(authors, ["alice", "bob", "alice"]);
    assert_eq!(count(&m.root, "li.day-separator"), 1);
    // The full date is on hover (title) and focus (data-full, shown by
    // CSS) of each time, filled in when the pointer or focus gets there.
    let time = m.root.query_selector("li.msg time").unwrap().unwrap();
    assert_eq!(
        time.get_attribute("datetime").as_deref(),
        Some("2023-11-14T22:13:20.000Z")
    );
    assert_eq!(time.get_attribute("title"), None);
    assert_eq!(time.get_attribute("tabindex").as_deref(), Some("0"));
    bubble(&m.root, "li.msg time", "pointerover");
    let title = time.get_attribute("title").unwrap_or_default();
    assert!(title.contains("2023"), "{title:?}");
    assert_eq!(time.get_attribute("data-full"), Some(title));
    let second = "li.msg:last-of-type time";
    bubble(&m.root, second, "focusin");
    let focused = m.root.query_selector(second).unwrap().unwrap();
    assert!(focused.get_attribute("data-full").is_some());
}

#[wasm_bindgen_test]
async fn a_room_of_10000_messages_keeps_the_dom_small() {
    let m = mount(|| view! { <MessageList /> });
    let t0 = 1.7e12;
    ingest(
        &m.writer,
        (1..=10_000)
            .map(|i| {
                wire(
                    i,
                    if i % 3 == 0 { "bob" } else { "alice" },
                    &format!("message {i}"),
                    t0 + i as f64 * 1000.0,
                )
            })
            .collect(),
    );
    settle().await;
    let rows = count(&m.root, "li.msg");
    assert!(
        rows > 0 && rows as i64 <= MAX_ROWS,
        "{rows} rows in the DOM"
    );
    assert_eq!(
        text_of(&m.root, "li.msg:last-child .msg-text"),
        "message 10000",
        "shows the newest"
    );

    // Scrolling to the top repeatedly walks back through history while the
    // DOM stays bounded.
    let list: web_sys::HtmlElement = m
        .root
        .query_selector("#message-list")
        .unwrap()
        .unwrap()
        .unchecked_into();
    let first_text = || text_of(&m.root, "li.msg .msg-text");
    let initial_first = first_text();
    for _ in 0..5 {
        let before = first_text();
        // The browser fires one scroll event, as for a reader scrolling.
        list.set_scroll_top(0);
        wait_for("the window to move up", 5_000.0, || first_text() != before).await;
        let rows = count(&m.root, "li.msg");
        assert!(rows as i64 <= MAX_ROWS, "{rows} rows after scrolling up");
    }
    assert_ne!(first_text(), initial_first);
    settle().await;

    // New messages while reading history don't move the view; the jump
    // button counts them.
    let before = first_text();
    ingest(&m.writer, vec![wire(10_001, "bob", "fresh", t0 + 2e7)]);
    settle().await;
    assert_eq!(first_text(), before);
    assert_eq!(
        text_of(&m.root, ".jump-new").trim_end_matches(" ↓").trim(),
        "1 new message"
    );
    let jump: web_sys::HtmlElement = m
        .root
        .query_selector(".jump-new")
        .unwrap()
        .unwrap()
        .unchecked_into();
    jump.click();
    wait_for("the newest message", 5_000.0, || {
        text_of(&m.root, "li.msg:last-child .msg-text") == "fresh"
    })
    .await;
    assert!(count(&m.root, "li.msg") as i64 <= MAX_ROWS);
}

#[wasm_bindgen_test]
async fn the_language_can_be_switched_to_simplified_chinese() {
    let m = mount(|| view! { <JoinScreen cfg=Arc::new(Config::default()) on_join=|_| {} /> });
    settle().await;
    assert_eq!(text_of(&m.root, "h1"), "Join the chat");
    let select: web_sys::HtmlSelectElement = m
        .root
        .query_selector(".lang-select select")
        .unwrap()
        .unwrap()
        .unchecked_into();
    select.set_value("zh-CN");
    select
        .dispatch_event(&web_sys::Event::new("change").unwrap())
        .unwrap();
    settle().await;
    assert_eq!(text_of(&m.root, "h1"), "加入聊天");
    assert_eq!(text_of(&m.root, "label[for=join-nickname]"), "昵称");
    assert_eq!(text_of(&m.root, "button[type=submit]"), "加入");
    // Invalid input is explained in the chosen language.
    let submit: web_sys::HtmlElement = m
        .root
        .query_selector("button[type=submit]")
        .unwrap()
        .unwrap()
        .unchecked_into();
    let nick: web_sys::HtmlInputElement = m
        .root
        .query_selector("#join-nickname")
        .unwrap()
        .unwrap()
        .unchecked_into();
    nick.set_value(" padded ");
    nick.dispatch_event(&web_sys::Event::new("input").unwrap())
        .unwrap();
    let room: web_sys::HtmlInputElement = m
        .root
        .query_selector("#join-room")
        .unwrap()
        .unwrap()
        .unchecked_into();
    room.set_value("no spaces allowed");
    room.dispatch_event(&web_sys::Event::new("input").unwrap())
        .unwrap();
    submit.click();
    settle().await;
    assert_eq!(
        text_of(&m.root, ".form-error"),
        "房间名由 1–64 个字母、数字、_ 或 - 组成。"
    );
    // The choice is remembered for the next visit.
    let stored = web_sys::window()
        .unwrap()
        .local_storage()
        .unwrap()
        .unwrap()
        .get_item("sse-chat.lang")
        .unwrap();
    assert_eq!(stored.as_deref(), Some("zh-CN"));
    web_sys::window()
        .unwrap()
        .local_storage()
        .unwrap()
        .unwrap()
        .remove_item("sse-chat.lang")
        .unwrap();
}

#[wasm_bindgen_test]
async fn the_reconnect_countdown_is_never_stale() {
    let m = mount(|| view! { <StatusBar /> });
    m.writer.conn.set(ConnState::Open);
    settle().await;
    // The bar's clock ticks only while reconnecting: let 1.5 s pass while
    // connected (the premise of the bug, not a synchronisation)...
    let t0 = js_sys::Date::now();
    wait_for("time to pass while connected", 5_000.0, || {
        js_sys::Date::now() - t0 >= 1_500.0
    })
    .await;
    // ...then a reconnect due in 1 s must say 1 s, not 1 s plus that idle time.
    m.writer.conn.set(ConnState::Reconnecting {
        attempt: 1,
        retry_at: js_sys::Date::now() + 900.0,
    });
    settle().await;
    let status = text_of(&m.root, "[data-testid=connection-status]");
    assert!(status.contains("Reconnecting in 1 s"), "{status}");
}

#[wasm_bindgen_test]
async fn the_composer_refuses_what_the_backend_would_refuse() {
    let m = mount(|| view! { <Composer /> });
    settle().await;
    let input: web_sys::HtmlTextAreaElement = m
        .root
        .query_selector("#composer-input")
        .unwrap()
        .unwrap()
        .unchecked_into();
    let send: web_sys::HtmlButtonElement = m
        .root
        .query_selector("button[type=submit]")
        .unwrap()
        .unwrap()
        .unchecked_into();
    let type_text = |text: &str| {
        input.set_value(text);
        input
            .dispatch_event(&web_sys::Event::new("input").unwrap())
            .unwrap();
    };
    for (text, says) in [
        ("\u{200B}\u{2800}", "Message has no visible character"),
        (
            "abc\u{202E}fed",
            "Message must not contain text direction overrides",
        ),
    ] {
        type_text(text);
        settle().await;
        assert!(send.disabled(), "{text:?} can be sent");
        assert_eq!(input.get_attribute("aria-invalid").as_deref(), Some("true"));
        let counter = text_of(&m.root, "#composer-counter");
        assert!(counter.starts_with(says), "{text:?}: {counter:?}");
    }
    type_text("fine \u{200F}text");
    settle().await;
    assert!(!send.disabled());
    assert_eq!(text_of(&m.root, "#composer-counter"), "");
    assert_eq!(
        input.get_attribute("aria-invalid").as_deref(),
        Some("false")
    );
}

#[wasm_bindgen_test]
async fn a_large_room_lists_some_users_and_counts_the_others() {
    let m = mount(|| view! { <Sidebar /> });
    let presence = |users: Option<Vec<String>>, count| {
        Incoming::Presence(Presence {
            room: "general".into(),
            users,
            joined: vec![],
            left: vec![],
            count,
        })
    };
    m.writer.state.update(|s| {
        let users = Some(vec!["amy".into(), "bob".into()]);
        s.ingest(vec![(presence(users, Some(1000)), None)], 0.0);
    });
    settle().await;
    assert_eq!(count(&m.root, ".presence li"), 3);
    assert_eq!(text_of(&m.root, ".presence li.more"), "and 998 more");
    // A complete list again (no count): no "more" line.
    m.writer.state.update(|s| {
        s.ingest(vec![(presence(None, None), None)], 0.0);
    });
    settle().await;
    assert_eq!(count(&m.root, ".presence li.more"), 0);
    assert_eq!(count(&m.root, ".presence li"), 2);
}

/// Marks every message row, so a test can tell a re-rendered row (a new
/// node, unmarked) from one left alone.
fn mark_rows(root: &web_sys::HtmlElement) {
    let rows = root.query_selector_all("li.msg").unwrap();
    for i in 0..rows.length() {
        let row: web_sys::Element = rows.item(i).unwrap().unchecked_into();
        row.set_attribute("data-probe", "kept").unwrap();
    }
}

#[wasm_bindgen_test]
async fn a_reaction_or_an_edit_re_renders_its_row_only() {
    use sse_chat::protocol::{Extra, Reaction};
    let m = mount(|| view! { <MessageList /> });
    ingest(
        &m.writer,
        (1..=3)
            .map(|i| wire(i, "bob", &format!("m{i}"), 1.7e12 + i as f64))
            .collect(),
    );
    settle().await;
    mark_rows(&m.root);
    let liked = WireMessage {
        extra: Some(Box::new(Extra {
            reactions: vec![Reaction {
                emoji: "👍".into(),
                users: vec!["me".into()],
            }],
            edited_at: Some(1.7e12 + 9.0),
            ..Extra::default()
        })),
        ..wire(2, "bob", "m2 fixed", 1.7e12 + 2.0)
    };
    m.writer.state.update(|s| {
        s.ingest(vec![(Incoming::Update(liked), None)], 0.0);
    });
    settle().await;
    let probe = |id: u32| {
        m.root
            .query_selector(&format!("li.msg[data-id=\"{id}\"]"))
            .unwrap()
            .unwrap()
            .get_attribute("data-probe")
    };
    assert_eq!(probe(1).as_deref(), Some("kept"));
    assert_eq!(probe(3).as_deref(), Some("kept"));
    assert_eq!(probe(2), None, "the changed row is new");
    let row = "li.msg[data-id=\"2\"]";
    assert_eq!(text_of(&m.root, &format!("{row} .msg-text")), "m2 fixed");
    assert_eq!(text_of(&m.root, &format!("{row} .edited")), "(edited)");
    let chip = m
        .root
        .query_selector(&format!("{row} .reaction"))
        .unwrap()
        .unwrap();
    assert_eq!(chip.get_attribute("aria-pressed").as_deref(), Some("true"));
    assert_eq!(
        chip.get_attribute("aria-label").as_deref(),
        Some("👍 1: me")
    );
}

/// One message of ours and one of bob's, rendered.
async fn two_authors(m: &common::Mounted) {
    let mine = wire(1, "me", "mine", 1.7e12);
    ingest(
        &m.writer,
        vec![mine, wire(2, "bob", "theirs", 1.7e12 + 1.0)],
    );
    settle().await;
}

#[wasm_bindgen_test]
async fn a_backend_without_changes_shows_none_of_their_controls() {
    let mut cfg = Config::default();
    let c = &mut cfg.changes;
    (c.reply_field, c.edit_url, c.delete_url, c.react_url) = (None, None, None, None);
    let m = mount_with(cfg, || view! { <MessageList /> });
    two_authors(&m).await;
    assert_eq!(count(&m.root, "li.msg"), 2);
    assert_eq!(count(&m.root, ".msg-actions button"), 0);
    assert_eq!(count(&m.root, "li.msg[tabindex]"), 0);
    // With the reference defaults, the same rows offer them, one row at a
    // time: the one under the pointer or holding the focus.
    let m = mount(|| view! { <MessageList /> });
    two_authors(&m).await;
    assert_eq!(count(&m.root, "li.msg[tabindex=\"0\"]"), 2);
    assert_eq!(count(&m.root, ".msg-actions"), 0);
    let labels = |sel: &str| -> Vec<String> {
        let all = m.root.query_selector_all(sel).unwrap();
        (0..all.length())
            .map(|i| all.item(i).unwrap().text_content().unwrap())
            .collect()
    };
    let own = "li.msg[data-id=\"1\"]";
    let theirs = "li.msg[data-id=\"2\"]";
    bubble(&m.root, &format!("{own} .msg-text"), "pointerover");
    settle().await;
    assert_eq!(
        labels(&format!("{own} .msg-actions button")),
        ["Reply", "Add reaction", "Edit", "Delete"]
    );
    // Keyboard focus in the other row shows its bar too; the pointer
    // moving there takes the bar off the first.
    let row: web_sys::HtmlElement = m
        .root
        .query_selector(theirs)
        .unwrap()
        .unwrap()
        .unchecked_into();
    row.focus().unwrap();
    wait_for("the focused row's bar", 2_000.0, || {
        count(&m.root, ".msg-actions button") == 6
    })
    .await;
    bubble(&m.root, theirs, "pointerover");
    settle().await;
    assert_eq!(
        labels(".msg-actions button"),
        ["Reply", "Add reaction"],
        "only the row with the pointer and the focus has a bar"
    );
    bubble(&m.root, "#message-list", "pointerover");
    settle().await;
    assert_eq!(count(&m.root, &format!("{theirs} .msg-actions")), 1);
    // Focus that is not the keyboard's (a click on the text) pins no bar.
    bubble(&m.root, own, "focusin");
    settle().await;
    assert_eq!(count(&m.root, &format!("{own} .msg-actions")), 0);
}

/// Dispatches a bubbling `kind` event at the first match of `selector`.
fn bubble(root: &web_sys::HtmlElement, selector: &str, kind: &str) {
    let init = web_sys::EventInit::new();
    init.set_bubbles(true);
    let ev = web_sys::Event::new_with_event_init_dict(kind, &init).unwrap();
    let el = root.query_selector(selector).unwrap().expect(selector);
    el.dispatch_event(&ev).unwrap();
}
