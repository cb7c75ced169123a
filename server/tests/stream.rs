//! The event stream: order, replay, exact resume, restart, presence, typing,
//! heartbeat.

mod support;

use std::collections::VecDeque;
use std::time::Duration;

use serde_json::{json, Value};
use support::*;

fn ids_of(events: &[SseEvent]) -> Vec<i64> {
    events
        .iter()
        .filter(|e| e.event == "message")
        .map(SseEvent::message_id)
        .collect()
}

async fn post_many(
    client: &reqwest::Client,
    server: &TestServer,
    room: &str,
    count: usize,
) -> Vec<i64> {
    let mut ids = Vec::new();
    for i in 0..count {
        let message = post_message(client, server, room, "alice", &format!("{room} #{i}")).await;
        ids.push(message["id"].as_i64().expect("id"));
    }
    ids
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stream_starts_with_retry_presence_then_ready() {
    let server = start(memory_config()).await;
    let client = client();
    let mut events = SseStream::connect(&client, &server.url("/api/events"), None).await;
    let (before, last_id) = events.until_ready().await;
    assert_eq!(events.parser.retry, Some(3000));
    assert!(events.parser.retry_before_first_event);
    // Default room `general`, no user: one empty snapshot, no replay.
    assert_eq!(before.len(), 1, "{before:?}");
    assert_eq!(before[0].event, "presence");
    assert_eq!(before[0].id, None);
    assert_eq!(before[0].json(), json!({"room": "general", "users": []}));
    assert_eq!(last_id, None);

    let health = get(&client, &server.url("/api/health")).await;
    assert_eq!(health.body, json!({"status": "ok", "last_id": null}));
    let posted = post_message(&client, &server, "general", "alice", "hello").await;
    let live = events.next_of("message").await;
    assert_eq!(live.json(), posted);
    let health = get(&client, &server.url("/api/health")).await;
    assert_eq!(health.body["last_id"], posted["id"]);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replays_last_n_messages_of_followed_rooms_without_resume_id() {
    let server = start(sse_chat_server::Config {
        history: 5,
        ..memory_config()
    })
    .await;
    let client = client();
    let general = post_many(&client, &server, "general", 8).await;
    let random = post_many(&client, &server, "random", 2).await;
    let _elsewhere = post_many(&client, &server, "elsewhere", 1).await;

    let mut one = SseStream::connect(&client, &server.url("/api/events?rooms=general"), None).await;
    let (before, last_id) = one.until_ready().await;
    assert_eq!(ids_of(&before), general[3..].to_vec());
    assert_eq!(
        last_id,
        Some(11),
        "ready carries the newest id of all rooms"
    );

    let mut both = SseStream::connect(
        &client,
        &server.url("/api/events?rooms=general,random"),
        None,
    )
    .await;
    let (before, _) = both.until_ready().await;
    let presence: Vec<Value> = before
        .iter()
        .filter(|e| e.event == "presence")
        .map(SseEvent::json)
        .collect();
    assert_eq!(presence.len(), 2, "one snapshot per followed room");
    let mut expected: Vec<i64> = general.iter().chain(&random).copied().collect();
    expected.sort();
    assert_eq!(ids_of(&before), expected[expected.len() - 5..].to_vec());
    // Snapshots come before the replay.
    let first_message = before.iter().position(|e| e.event == "message").unwrap();
    assert!(before[..first_message]
        .iter()
        .all(|e| e.event == "presence"));
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replay_longer_than_a_database_page_is_exact() {
    // The replay is read in pages of 500; 600 spans two of them.
    let server = start(sse_chat_server::Config {
        history: 600,
        ..memory_config()
    })
    .await;
    let client = client();
    let mut posters = Vec::new();
    for (room, count) in [("general", 350), ("general", 300), ("random", 100)] {
        let client = client.clone();
        let url = server.url("/api/messages");
        posters.push(tokio::spawn(async move {
            let mut ids = Vec::new();
            for i in 0..count {
                let stored =
                    post_message_at(&client, &url, room, "alice", &format!("{room} {i}")).await;
                ids.push(stored["id"].as_i64().expect("id"));
            }
            (room, ids)
        }));
    }
    let (mut general, mut all): (Vec<i64>, Vec<i64>) = (Vec::new(), Vec::new());
    for poster in posters {
        let (room, ids) = poster.await.expect("poster");
        if room == "general" {
            general.extend(&ids);
        }
        all.extend(ids);
    }
    general.sort();
    all.sort();

    let mut both = SseStream::connect(
        &client,
        &server.url("/api/events?rooms=general,random"),
        None,
    )
    .await;
    let (before, last_id) = both.until_ready().await;
    assert_eq!(ids_of(&before), all[all.len() - 600..].to_vec());
    assert_eq!(last_id, all.last().copied());

    let mut one = SseStream::connect(&client, &server.url("/api/events?rooms=general"), None).await;
    let (before, _) = one.until_ready().await;
    assert_eq!(ids_of(&before), general[general.len() - 600..].to_vec());
    // Live delivery goes on right after the replay, without duplicates.
    let live = post_many(&client, &server, "general", 1).await;
    assert_eq!(one.message_ids(1).await, live);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resume_via_header_is_exact_and_uncapped() {
    let server = start(sse_chat_server::Config {
        history: 2,
        ..memory_config()
    })
    .await;
    let client = client();
    let general = post_many(&client, &server, "general", 10).await;
    post_many(&client, &server, "random", 3).await;

    let resume = general[3];
    let mut events = SseStream::connect(
        &client,
        &server.url("/api/events?rooms=general"),
        Some(&resume.to_string()),
    )
    .await;
    let (before, last_id) = events.until_ready().await;
    assert_eq!(
        ids_of(&before),
        general[4..].to_vec(),
        "all after the resume id, no cap"
    );
    assert_eq!(last_id, Some(13));
    assert_eq!(before.last().unwrap().last_event_id, general[9].to_string());

    let live = post_many(&client, &server, "general", 2).await;
    assert_eq!(
        events.message_ids(2).await,
        live,
        "live continues without duplicates"
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resume_via_query_parameter_is_exact_and_header_wins() {
    let server = start(memory_config()).await;
    let client = client();
    let ids = post_many(&client, &server, "general", 6).await;

    let url = server.url(&format!("/api/events?last_event_id={}", ids[1]));
    let mut by_query = SseStream::connect(&client, &url, None).await;
    let (before, _) = by_query.until_ready().await;
    assert_eq!(ids_of(&before), ids[2..].to_vec());

    // The header takes precedence over the query parameter.
    let mut both = SseStream::connect(&client, &url, Some(&ids[4].to_string())).await;
    let (before, _) = both.until_ready().await;
    assert_eq!(ids_of(&before), ids[5..].to_vec());

    // Resuming at the newest id replays nothing.
    let url = server.url(&format!("/api/events?last_event_id={}", ids[5]));
    let mut caught_up = SseStream::connect(&client, &url, None).await;
    let (before, last_id) = caught_up.until_ready().await;
    assert!(ids_of(&before).is_empty());
    assert_eq!(last_id, Some(ids[5]));
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resume_id_beyond_the_newest_id_still_gets_new_messages() {
    // E.g. a client of a restarted --memory server: its last id is stale.
    let server = start(memory_config()).await;
    let client = client();
    post_many(&client, &server, "general", 2).await;
    let mut events = SseStream::connect(&client, &server.url("/api/events"), Some("100")).await;
    let (before, last_id) = events.until_ready().await;
    assert!(ids_of(&before).is_empty());
    assert_eq!(
        last_id,
        Some(2),
        "ready tells the client the server is behind it"
    );
    let live = post_many(&client, &server, "general", 1).await;
    assert_eq!(events.message_ids(1).await, live);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resume_while_messages_are_posted_has_no_gap_or_duplicate() {
    let server = start(memory_config()).await;
    let client = client();
    let first = post_many(&client, &server, "general", 5).await;

    // Keep posting while streams connect, so subscription, replay and live
    // delivery overlap.
    let poster = {
        let client = client.clone();
        let url = server.url("/api/messages");
        tokio::spawn(async move {
            let mut ids = Vec::new();
            for i in 0..150 {
                let reply = post_json(
                    &client,
                    &url,
                    &json!({"room": "general", "user": "bob", "text": format!("live {i}")}),
                )
                .await;
                ids.push(reply.body["id"].as_i64().expect("id"));
            }
            ids
        })
    };
    let mut streams = Vec::new();
    for _ in 0..5 {
        streams.push(
            SseStream::connect(
                &client,
                &server.url("/api/events"),
                Some(&first[0].to_string()),
            )
            .await,
        );
    }
    let posted = poster.await.expect("poster");
    let mut expected: Vec<i64> = first[1..].to_vec();
    expected.extend(&posted);
    for stream in &mut streams {
        let ids = stream.message_ids(expected.len()).await;
        assert_eq!(ids, expected);
    }
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn message_text_with_newlines_survives_the_stream() {
    let server = start(memory_config()).await;
    let client = client();
    let mut events = SseStream::connect(&client, &server.url("/api/events"), None).await;
    events.until_ready().await;
    let text = "line one\nline two\r\n\rdata: not a field\n\nid: 99";
    let posted = post_message(&client, &server, "general", "alice", text).await;
    let event = events.next_of("message").await;
    assert_eq!(event.json()["text"], text);
    assert_eq!(event.id, Some(posted["id"].to_string()));
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restart_on_the_same_database_resumes_without_loss() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("nested").join("chat.db");
    let config = sse_chat_server::Config {
        db: Some(path.clone()),
        ..sse_chat_server::Config::default()
    };
    let client = client();

    let server = start(config.clone()).await;
    let before_restart = post_many(&client, &server, "general", 5).await;
    let mut open = SseStream::connect(&client, &server.url("/api/events"), None).await;
    open.until_ready().await;
    server.stop().await;
    // Shutdown ends open streams cleanly (terminating chunk, no reset).
    open.expect_end().await;
    assert_eq!(open.error, None);
    // The WAL was checkpointed into the main file: a copy of the .db file
    // alone (without -wal/-shm, which is what a careless backup takes) has
    // every row. Without the checkpoint the rows would only be in the WAL.
    let wal = path.with_file_name("chat.db-wal");
    assert!(
        std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0) == 0,
        "the WAL still holds data after a clean shutdown"
    );
    let copy = dir.path().join("copy.db");
    std::fs::copy(&path, &copy).expect("copy the database file");
    let (count, max): (i64, Option<i64>) =
        rusqlite::Connection::open_with_flags(&copy, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .expect("open the copy")
            .query_row("SELECT COUNT(*), MAX(id) FROM messages", [], |row| {
                Ok((row.get(0)?, row.get(1)?))
            })
            .expect("read the copy");
    assert_eq!((count, max), (5, Some(before_restart[4])));

    let server = start(config).await;
    let health = get(&client, &server.url("/api/health")).await;
    assert_eq!(health.body["last_id"], json!(before_restart[4]));
    let after_restart = post_many(&client, &server, "general", 3).await;
    assert!(after_restart[0] > before_restart[4], "ids keep increasing");
    assert_ascending(&after_restart);

    let mut resumed = SseStream::connect(
        &client,
        &server.url("/api/events"),
        Some(&before_restart[2].to_string()),
    )
    .await;
    let (before, last_id) = resumed.until_ready().await;
    let mut expected = before_restart[3..].to_vec();
    expected.extend(&after_restart);
    assert_eq!(ids_of(&before), expected);
    assert_eq!(last_id, Some(after_restart[2]));
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn presence_reports_joins_and_leaves_on_transitions_only() {
    // A short heartbeat makes the server notice closed connections quickly.
    let server = start(sse_chat_server::Config {
        heartbeat: 1,
        ..memory_config()
    })
    .await;
    let client = client();
    let mut alice = SseStream::connect(
        &client,
        &server.url("/api/events?rooms=general&user=alice"),
        None,
    )
    .await;
    let (before, _) = alice.until_ready().await;
    assert_eq!(
        before[0].json(),
        json!({"room": "general", "users": ["alice"]})
    );
    // The own join is announced to everybody at the next tick, alice too
    // (she applies it as a set insertion).
    let own = alice.next_of("presence").await;
    assert_eq!(own.json(), json!({"room": "general", "joined": "alice"}));

    let mut bob1 = SseStream::connect(
        &client,
        &server.url("/api/events?rooms=general,random&user=bob"),
        None,
    )
    .await;
    let (snapshots, _) = bob1.until_ready().await;
    assert_eq!(
        snapshots[0].json(),
        json!({"room": "general", "users": ["alice", "bob"]})
    );
    assert_eq!(
        snapshots[1].json(),
        json!({"room": "random", "users": ["bob"]})
    );
    // A delta carries the change only, never the whole list.
    let joined = alice.next_of("presence").await;
    assert_eq!(joined.json(), json!({"room": "general", "joined": "bob"}));

    // A second tab of bob: no join event. Prove it by the next presence
    // event being carol's join, which happened afterwards (a join of bob
    // would be announced in the same tick or an earlier one).
    let mut bob2 = SseStream::connect(
        &client,
        &server.url("/api/events?rooms=general&user=bob"),
        None,
    )
    .await;
    bob2.until_ready().await;
    let mut carol = SseStream::connect(
        &client,
        &server.url("/api/events?rooms=general&user=carol"),
        None,
    )
    .await;
    carol.until_ready().await;
    let marker = alice.next_of("presence").await;
    assert_eq!(marker.json(), json!({"room": "general", "joined": "carol"}));

    // Closing both of bob's tabs: one `left` (the first close changes
    // nothing, the second one does).
    drop(bob1);
    drop(bob2);
    let left = alice.next_of("presence").await;
    assert_eq!(left.json(), json!({"room": "general", "left": "bob"}));
    // bob1's leave of `random` is not sent to alice, who does not follow it;
    // the snapshot of a new stream shows the current state.
    let mut check = SseStream::connect(
        &client,
        &server.url("/api/events?rooms=general,random"),
        None,
    )
    .await;
    let (snapshots, _) = check.until_ready().await;
    assert_eq!(
        snapshots[0].json(),
        json!({"room": "general", "users": ["alice", "carol"]})
    );
    assert_eq!(snapshots[1].json(), json!({"room": "random", "users": []}));
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn heartbeat_ping_arrives_without_an_id() {
    let server = start(sse_chat_server::Config {
        heartbeat: 1,
        ..memory_config()
    })
    .await;
    let client = client();
    let message = post_message(&client, &server, "general", "alice", "hi").await;
    let mut events = SseStream::connect(&client, &server.url("/api/events"), None).await;
    let (before, _) = events.until_ready().await;
    assert_eq!(ids_of(&before), vec![message["id"].as_i64().unwrap()]);
    let ping = events
        .next_within(Duration::from_secs(5))
        .await
        .expect("a ping within 5 s")
        .expect("stream open");
    assert_eq!(ping.event, "ping");
    assert_eq!(ping.id, None);
    assert!(ping.json()["ts"].as_i64().unwrap() > 1_600_000_000_000);
    assert_eq!(
        ping.last_event_id,
        message["id"].to_string(),
        "ping keeps the last id"
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn typing_is_delivered_to_the_room_and_rate_limited() {
    let server = start(memory_config()).await;
    let client = client();
    let mut events =
        SseStream::connect(&client, &server.url("/api/events?rooms=general"), None).await;
    events.until_ready().await;
    let url = server.url("/api/typing");

    // Another room's typing is not delivered here.
    let other = post_json(&client, &url, &json!({"room": "random", "user": "dave"})).await;
    assert_eq!(other.status.as_u16(), 204);
    let first = post_json(&client, &url, &json!({"room": "general", "user": "bob"})).await;
    assert_eq!(first.status.as_u16(), 204);
    assert!(first.raw.is_empty());
    let typing = events.next_of("typing").await;
    assert_eq!(typing.id, None);
    let data = typing.json();
    assert_eq!(data["room"], "general");
    assert_eq!(data["user"], "bob");
    assert!(data["ts"].as_i64().is_some());

    let burst = post_json(&client, &url, &json!({"room": "general", "user": "bob"})).await;
    burst.assert_error(429, "typing");
    let retry_after: u64 = burst.headers["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=2).contains(&retry_after), "Retry-After {retry_after}");
    // The limit is per user, whatever the room.
    post_json(&client, &url, &json!({"room": "random", "user": "bob"}))
        .await
        .assert_error(429, "per user");
    // Other users are not limited by bob's notifications.
    let carol = post_json(&client, &url, &json!({"room": "general", "user": "carol"})).await;
    assert_eq!(carol.status.as_u16(), 204);
    assert_eq!(events.next_of("typing").await.json()["user"], "carol");
    server.stop().await;
}

// The test client's SSE parser, checked once here (support/ is shared by
// every test binary).
fn parse(chunks: &[&[u8]]) -> (Vec<SseEvent>, SseParser) {
    let mut parser = SseParser::default();
    let mut out = VecDeque::new();
    for chunk in chunks {
        parser.push(chunk, &mut out);
    }
    (out.into_iter().collect(), parser)
}

#[test]
fn test_client_parses_sse_fields_across_chunks_and_line_endings() {
    let (events, parser) = parse(&[
        b"\xEF\xBB\xBFretry: 3000\n\n: comment\r\nevent: message\rid: 7\r",
        b"\ndata: {\"a\":\ndata:1}\n\nevent: ping\ndata: x\n\ndata",
        b"\n\n",
    ]);
    assert_eq!(parser.retry, Some(3000));
    assert!(parser.retry_before_first_event);
    assert_eq!(parser.comments, 1);
    assert_eq!(events.len(), 3);
    assert_eq!(events[0].event, "message");
    assert_eq!(events[0].data, "{\"a\":\n1}");
    assert_eq!(events[0].id.as_deref(), Some("7"));
    assert_eq!(events[1].event, "ping");
    assert_eq!(events[1].id, None);
    assert_eq!(events[1].last_event_id, "7");
    assert_eq!(events[2].data, "");
}
