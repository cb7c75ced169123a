//! `GET /api/rooms/{room}/search` over loopback.

mod support;

use serde_json::{json, Value};
use support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_finds_a_rooms_messages_newest_first_and_checks_its_input() {
    let server = start(memory_config()).await;
    let client = client();
    for (room, text) in [
        ("a", "Deploy at noon"),
        ("b", "deploy elsewhere"),
        ("a", "lunch"),
        ("a", "deploy done"),
    ] {
        post_message(&client, &server, room, "alice", text).await;
    }
    let texts = |body: &Value| -> Vec<String> {
        body["messages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["text"].as_str().unwrap().to_string())
            .collect()
    };
    let found = get(&client, &server.url("/api/rooms/a/search?q=DEPLOY")).await;
    assert_eq!(found.status, 200, "{}", found.raw);
    assert_eq!(texts(&found.body), ["deploy done", "Deploy at noon"]);
    let one = get(&client, &server.url("/api/rooms/a/search?q=deploy&limit=1")).await;
    assert_eq!(texts(&one.body), ["deploy done"]);
    assert_eq!(
        get(&client, &server.url("/api/rooms/a/search?q=zzz"))
            .await
            .body,
        json!({"messages": []})
    );
    get(&client, &server.url("/api/rooms/a/search?q="))
        .await
        .assert_error(422, "`q`");
    get(
        &client,
        &server.url(&format!("/api/rooms/a/search?q={}", "x".repeat(101))),
    )
    .await
    .assert_error(422, "`q`");
    get(&client, &server.url("/api/rooms/a/search?q=x&limit=0"))
        .await
        .assert_error(422, "`limit`");
    get(&client, &server.url("/api/rooms/bad%20room/search?q=x"))
        .await
        .assert_error(422, "room name");
    server.stop().await;
}
