//! Replies, edits, deletes and reactions over loopback: validated, sent
//! live as `update` events with ids, replayed on resume, stored across a
//! restart.

mod support;

use serde_json::{json, Value};
use support::*;

async fn change(
    client: &reqwest::Client,
    server: &TestServer,
    id: i64,
    what: &str,
    body: Value,
) -> Reply {
    post_json(
        client,
        &server.url(&format!("/api/messages/{id}/{what}")),
        &body,
    )
    .await
}

async fn react(
    client: &reqwest::Client,
    server: &TestServer,
    id: i64,
    user: &str,
    emoji: &str,
    on: bool,
) -> Reply {
    let body = json!({"user": user, "emoji": emoji, "on": on});
    change(client, server, id, "reactions", body).await
}

fn id_of(v: &Value) -> i64 {
    v["id"].as_i64().expect("id")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changes_are_checked_and_streamed_as_updates_with_ids() {
    let server = start(memory_config()).await;
    let client = client();
    let mut live = SseStream::connect(
        &client,
        &server.url("/api/events?rooms=general,other"),
        None,
    )
    .await;
    live.until_ready().await;
    let first = post_message(&client, &server, "general", "alice", "helo").await;
    let elsewhere = post_message(&client, &server, "other", "bob", "hi").await;
    let id = id_of(&first);

    // Replies: to a message of the same room, quoting it.
    let reply = post_json(
        &client,
        &server.url("/api/messages"),
        &json!({"room": "general", "user": "bob", "text": "yes", "reply_to": id}),
    )
    .await;
    assert_eq!(reply.status, 201, "{}", reply.raw);
    assert_eq!(
        reply.body["reply_to"],
        json!({"id": id, "user": "alice", "text": "helo"})
    );
    for (reply_to, mentions) in [
        (json!(id_of(&elsewhere)), "another room"),
        (json!(9999), "names no message"),
        (json!("x"), "integer"),
    ] {
        post_json(
            &client,
            &server.url("/api/messages"),
            &json!({"room": "general", "user": "bob", "text": "no", "reply_to": reply_to}),
        )
        .await
        .assert_error(422, mentions);
    }

    // Edits: the author only, a valid text.
    change(
        &client,
        &server,
        id,
        "edit",
        json!({"user": "bob", "text": "x"}),
    )
    .await
    .assert_error(403, "author");
    change(
        &client,
        &server,
        id,
        "edit",
        json!({"user": "alice", "text": " "}),
    )
    .await
    .assert_error(422, "`text`");
    change(
        &client,
        &server,
        9999,
        "edit",
        json!({"user": "alice", "text": "x"}),
    )
    .await
    .assert_error(404, "no message");
    post_json(
        &client,
        &server.url("/api/messages/abc/edit"),
        &json!({"user": "alice", "text": "x"}),
    )
    .await
    .assert_error(400, "integer");
    let edited = change(
        &client,
        &server,
        id,
        "edit",
        json!({"user": "alice", "text": "hello"}),
    )
    .await;
    assert_eq!(edited.status, 200, "{}", edited.raw);
    assert_eq!(edited.body["text"], "hello");
    assert!(edited.body["edited_at"].is_i64());

    // Reactions: any user, toggled, a short visible token.
    react(&client, &server, id, "bob", "a b", true)
        .await
        .assert_error(422, "`emoji`");
    change(
        &client,
        &server,
        id,
        "reactions",
        json!({"user": "bob", "emoji": "👍"}),
    )
    .await
    .assert_error(422, "`on`");
    react(&client, &server, id, "bob", "👍", true).await;
    let both = react(&client, &server, id, "alice", "👍", true).await;
    assert_eq!(
        both.body["reactions"],
        json!([{"emoji": "👍", "users": ["bob", "alice"]}])
    );
    // Already there: nothing changes, nothing is sent.
    let again = react(&client, &server, id, "alice", "👍", true).await;
    assert_eq!(again.status, 200);

    // Deletes: the author only; a tombstone that nothing changes any more.
    change(&client, &server, id, "delete", json!({"user": "bob"}))
        .await
        .assert_error(403, "author");
    let deleted = change(&client, &server, id, "delete", json!({"user": "alice"})).await;
    assert_eq!(deleted.body["deleted"], true);
    assert_eq!(deleted.body["text"], "");
    assert_eq!(deleted.body.get("reactions"), None);
    change(
        &client,
        &server,
        id,
        "edit",
        json!({"user": "alice", "text": "back"}),
    )
    .await
    .assert_error(409, "deleted");
    react(&client, &server, id, "bob", "👍", true)
        .await
        .assert_error(409, "deleted");

    // Live: the two messages, the reply, then one update per change that
    // changed something, each with its own increasing id and the state
    // after it.
    let mut seen = Vec::new();
    for _ in 0..7 {
        seen.push(live.next_event().await);
    }
    let kinds: Vec<&str> = seen.iter().map(|e| e.event.as_str()).collect();
    assert_eq!(
        kinds,
        ["message", "message", "message", "update", "update", "update", "update"]
    );
    let ids: Vec<i64> = seen
        .iter()
        .map(|e| e.id.as_deref().unwrap().parse().unwrap())
        .collect();
    assert_ascending(&ids);
    let updates: Vec<Value> = seen[3..].iter().map(SseEvent::json).collect();
    assert!(updates.iter().all(|u| u["id"] == json!(id)));
    assert_eq!(updates[0]["text"], "hello");
    assert_eq!(updates[1]["reactions"][0]["users"], json!(["bob"]));
    assert_eq!(updates[2]["reactions"][0]["users"], json!(["bob", "alice"]));
    assert_eq!(updates[3]["deleted"], true);

    // Resuming after the reply replays every change, each with the state as
    // it is now (applying them again cannot undo anything).
    let after = ids[2].to_string();
    let mut resumed = SseStream::connect(
        &client,
        &server.url("/api/events?rooms=general"),
        Some(&after),
    )
    .await;
    let (replayed, _) = resumed.until_ready().await;
    let replayed: Vec<&SseEvent> = replayed.iter().filter(|e| e.event != "presence").collect();
    assert_eq!(replayed.len(), 4, "{replayed:?}");
    assert!(replayed
        .iter()
        .all(|e| e.event == "update" && e.json()["deleted"] == true));

    // History shows the tombstone in its place and the reply quoting it.
    let page = get(&client, &server.url("/api/rooms/general/messages")).await;
    let messages = page.body["messages"].as_array().unwrap();
    assert_eq!(messages.len(), 2);
    assert_eq!(messages[0]["deleted"], true);
    assert_eq!(
        messages[1]["reply_to"],
        json!({"id": id, "user": "alice", "text": "", "deleted": true})
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_repeated_reply_is_answered_with_what_was_stored_though_the_original_is_gone() {
    let server = start(memory_config()).await;
    let client = client();
    let original = id_of(&post_message(&client, &server, "general", "alice", "q").await);
    let body = json!({"room": "general", "user": "bob", "text": "a", "reply_to": original, "client_id": "k1"});
    let first = post_json(&client, &server.url("/api/messages"), &body).await;
    assert_eq!(first.status, 201);
    change(
        &client,
        &server,
        original,
        "delete",
        json!({"user": "alice"}),
    )
    .await;
    let again = post_json(&client, &server.url("/api/messages"), &body).await;
    assert_eq!(again.status, 200, "{}", again.raw);
    assert_eq!(again.body["id"], first.body["id"]);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changes_survive_a_restart() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = sse_chat_server::Config {
        db: Some(dir.path().join("chat.db")),
        ..sse_chat_server::Config::default()
    };
    let client = client();
    let server = start(config.clone()).await;
    let kept = id_of(&post_message(&client, &server, "general", "alice", "first").await);
    let gone = id_of(&post_message(&client, &server, "general", "alice", "second").await);
    change(
        &client,
        &server,
        kept,
        "edit",
        json!({"user": "alice", "text": "first!"}),
    )
    .await;
    react(&client, &server, kept, "bob", "🎉", true).await;
    change(&client, &server, gone, "delete", json!({"user": "alice"})).await;
    server.stop().await;

    let server = start(config).await;
    let mut events = SseStream::connect(&client, &server.url("/api/events"), None).await;
    let (replay, _) = events.until_ready().await;
    let messages: Vec<Value> = replay
        .iter()
        .filter(|e| e.event == "message")
        .map(SseEvent::json)
        .collect();
    assert_eq!(messages.len(), 2);
    assert_eq!(messages[0]["text"], "first!");
    assert!(messages[0]["edited_at"].is_i64());
    assert_eq!(
        messages[0]["reactions"],
        json!([{"emoji": "🎉", "users": ["bob"]}])
    );
    assert_eq!(messages[1]["deleted"], true);
    server.stop().await;
}
