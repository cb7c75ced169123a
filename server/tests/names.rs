//! Invisible, bidi and lookalike names and texts are refused on every
//! route that takes them (the rule of the shared `sse-chat-names` crate),
//! and ordinary international names still pass.

mod support;

use serde_json::json;
use support::*;

/// Percent-encodes a query value (every non-alphanumeric byte).
fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

const BAD_NAMES: &[(&str, &str)] = &[
    ("\u{200B}", "visible character"),
    ("\u{200B}\u{200C}\u{200D}", "visible character"),
    ("\u{FEFF}", "visible character"),
    ("\u{3164}", "visible character"),
    ("\u{115F}\u{1160}", "visible character"),
    ("\u{2800}", "visible character"),
    ("ali\u{200B}ce", "invisible characters"),
    ("\u{FEFF}bob", "invisible characters"),
    ("bob\u{3164}", "invisible characters"),
    ("\u{202E}evil", "bidirectional"),
    ("ab\u{2066}cd", "bidirectional"),
    ("bob\u{200F}", "bidirectional"),
    ("x\u{061C}y", "bidirectional"),
    ("\u{0430}lice", "mix Latin, Greek, Cyrillic"),
    ("p\u{0430}yp\u{0430}l", "mix Latin, Greek, Cyrillic"),
    ("ab\u{03BF}ut", "mix Latin, Greek, Cyrillic"),
];

const GOOD_NAMES: &[&str] = &[
    "alice",
    "Zoë Ω",
    "Иван Петров",
    "山田太郎",
    "👩\u{200D}💻 dev",
    "❤\u{FE0F}",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deceptive_user_names_are_refused_everywhere() {
    let server = start(memory_config()).await;
    let client = client();
    for (name, mentions) in BAD_NAMES {
        let body = json!({"room": "general", "user": name, "text": "hi"});
        post_json(&client, &server.url("/api/messages"), &body)
            .await
            .assert_error(422, mentions);
        post_json(
            &client,
            &server.url("/api/typing"),
            &json!({"room": "general", "user": name}),
        )
        .await
        .assert_error(422, mentions);
        let url = server.url(&format!("/api/events?user={}", encode(name)));
        let reply = get(&client, &url).await;
        reply.assert_error(422, "`user`");
        reply.assert_error(422, mentions);
    }
    for name in GOOD_NAMES {
        post_message(&client, &server, "general", name, "hello").await;
        let url = server.url(&format!("/api/events?user={}", encode(name)));
        let mut events = SseStream::connect(&client, &url, None).await;
        let (before, _) = events.until_ready().await;
        assert!(before[0].json()["users"]
            .as_array()
            .unwrap()
            .iter()
            .any(|u| u == name));
    }
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn texts_need_something_visible_and_no_bidi_overrides() {
    let server = start(memory_config()).await;
    let client = client();
    let url = server.url("/api/messages");
    for (text, status, mentions) in [
        (
            "\u{200B}",
            422,
            "`text` must contain at least one visible character",
        ),
        ("\u{FEFF}\u{200B}\n\u{3164}", 422, "visible character"),
        ("\u{2800}\u{2800}", 422, "visible character"),
        ("\u{200E}", 422, "visible character"),
        ("click https://example.com/\u{202E}fdp.exe", 422, "override"),
        ("\u{2067}isolated\u{2069}", 422, "override"),
        (" \n ", 422, "must not be empty"),
    ] {
        let body = json!({"room": "general", "user": "alice", "text": text});
        post_json(&client, &url, &body)
            .await
            .assert_error(status, mentions);
    }
    // Right-to-left marks, joiners inside emoji and mixed scripts are fine
    // in texts.
    for text in [
        "שלום\u{200F}!",
        "👩\u{200D}💻 ok",
        "Ωmega \u{0430}pple",
        "a\u{200B}b",
    ] {
        post_message(&client, &server, "general", "alice", text).await;
    }
    server.stop().await;
}
