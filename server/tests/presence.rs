//! Presence as coalesced deltas: a snapshot on connect, then per tick one
//! event per changed room that names only who joined or left (never the
//! whole list), and a cap on the users of one room.

mod support;

use std::collections::BTreeSet;

use serde_json::{json, Value};
use sse_chat_server::Config;
use support::*;

const JOINERS: usize = 30;

/// Reads presence deltas from `events` until `key` (`joined`/`left`) has
/// named every one of `users` in each of `rooms`; returns the deltas.
async fn collect_deltas(
    events: &mut SseStream,
    key: &str,
    rooms: &[&str],
    users: &BTreeSet<String>,
) -> Vec<Value> {
    let mut named: Vec<BTreeSet<String>> = vec![BTreeSet::new(); rooms.len()];
    let mut deltas = Vec::new();
    while !named.iter().all(|n| users.is_subset(n)) {
        let event = events.next_event().await;
        if event.event != "presence" {
            continue;
        }
        let data = event.json();
        assert!(data.get("users").is_none(), "a delta, not a list: {data}");
        let room = rooms
            .iter()
            .position(|r| data["room"] == *r)
            .unwrap_or_else(|| panic!("unexpected room: {data}"));
        for name in delta_names(&data, key) {
            assert!(named[room].insert(name.clone()), "{name} announced twice");
        }
        deltas.push(data);
    }
    deltas
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_joins_and_leaves_become_a_few_events_naming_only_the_changes() {
    let server = start(Config {
        // Long enough for all joins to land in one or two ticks.
        presence_tick_ms: 2000,
        heartbeat: 1,
        ..memory_config()
    })
    .await;
    let client = client();
    let mut watcher =
        SseStream::connect(&client, &server.url("/api/events?rooms=general,side"), None).await;
    watcher.until_ready().await;

    let users: BTreeSet<String> = (0..JOINERS).map(|i| format!("user{i:02}")).collect();
    let mut joining = Vec::new();
    for user in &users {
        let client = client.clone();
        let url = server.url(&format!("/api/events?rooms=general,side&user={user}"));
        joining.push(tokio::spawn(async move {
            let mut events = SseStream::connect(&client, &url, None).await;
            events.until_ready().await;
            events
        }));
    }
    let mut streams = Vec::new();
    for task in joining {
        streams.push(task.await.expect("joined"));
    }
    let deltas = collect_deltas(&mut watcher, "joined", &["general", "side"], &users).await;
    // Per tick one event per room, far fewer events than joins.
    for room in ["general", "side"] {
        let events: Vec<&Value> = deltas.iter().filter(|d| d["room"] == room).collect();
        assert!(
            events.len() < JOINERS / 3,
            "{} events for {JOINERS} joins",
            events.len()
        );
        assert!(events.iter().any(|d| d["joined"].is_array()), "{events:?}");
    }

    // A new stream gets the whole list once, in its snapshot.
    let mut late =
        SseStream::connect(&client, &server.url("/api/events?rooms=general"), None).await;
    let (before, _) = late.until_ready().await;
    let listed: BTreeSet<String> = before[0].json()["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u.as_str().unwrap().to_owned())
        .collect();
    assert_eq!(listed, users);

    // Everybody leaves: `left` deltas only, each name once.
    drop(streams);
    let lefts = collect_deltas(&mut late, "left", &["general"], &users).await;
    assert!(
        lefts.len() <= JOINERS / 2,
        "{} events for {JOINERS} leaves",
        lefts.len()
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_room_refuses_new_users_with_503() {
    let server = start(Config {
        max_room_users: 2,
        ..memory_config()
    })
    .await;
    let client = client();
    let mut open = Vec::new();
    for user in ["alice", "bob"] {
        let url = server.url(&format!("/api/events?rooms=general&user={user}"));
        let mut events = SseStream::connect(&client, &url, None).await;
        events.until_ready().await;
        open.push(events);
    }
    let refused = get(
        &client,
        &server.url("/api/events?rooms=side,general&user=carol"),
    )
    .await;
    refused.assert_error(503, "The room `general` already has the most users");
    assert_eq!(refused.headers["retry-after"], "5");
    // Another tab of a present user, a stream without a user and another
    // room are fine; carol was not added to `side` either.
    for path in [
        "/api/events?rooms=general&user=alice",
        "/api/events?rooms=general",
        "/api/events?rooms=side&user=carol",
    ] {
        let mut events = SseStream::connect(&client, &server.url(path), None).await;
        let (before, _) = events.until_ready().await;
        if path.ends_with("carol") {
            assert_eq!(
                before[0].json(),
                json!({"room": "side", "users": ["carol"]})
            );
        }
        open.push(events);
    }
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_large_room_lists_the_first_names_and_counts_everybody() {
    let server = start(Config {
        presence_list_max: 3,
        presence_tick_ms: 20,
        ..memory_config()
    })
    .await;
    let client = client();
    let mut watcher =
        SseStream::connect(&client, &server.url("/api/events?rooms=general"), None).await;
    watcher.until_ready().await;
    let mut streams = Vec::new();
    for user in ["eve", "dan", "cat", "bob", "amy"] {
        let url = server.url(&format!("/api/events?rooms=general&user={user}"));
        let mut events = SseStream::connect(&client, &url, None).await;
        events.until_ready().await;
        streams.push(events);
    }
    // The watcher's list and count, applied as a client would, until five.
    let mut listed = BTreeSet::new();
    let mut count = None;
    while count != Some(5) {
        let event = watcher.next_event().await;
        if event.event != "presence" {
            continue;
        }
        let data = event.json();
        listed.extend(delta_names(&data, "joined"));
        for gone in delta_names(&data, "left") {
            listed.remove(&gone);
        }
        count = data["count"].as_u64();
        assert!(listed.len() <= 3, "at most three names listed: {data}");
    }
    assert_eq!(
        listed,
        BTreeSet::from(["amy".into(), "bob".into(), "cat".into()])
    );

    let mut late = SseStream::connect(
        &client,
        &server.url("/api/events?rooms=general&user=zoe"),
        None,
    )
    .await;
    let (before, _) = late.until_ready().await;
    assert_eq!(
        before[0].json(),
        json!({"room": "general", "users": ["amy", "bob", "cat", "zoe"], "count": 6})
    );
    server.stop().await;
}
