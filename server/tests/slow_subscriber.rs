//! Load: a subscriber that stops reading neither blocks the senders nor
//! starves the other subscribers, and once it reads again it receives every
//! message exactly once, in order (refilled from the database after its
//! broadcast receiver lagged). And a backlog too big for the socket buffers
//! does not delay `POST /api/_test/drop`.

mod support;

use std::time::Instant;

use sse_chat_server::Config;
use support::*;

const POSTERS: usize = 4;
const TEXT_CHARS: usize = 4000;

/// Enough bytes to overflow every buffer between the server's stream and a
/// client that does not read: the server socket's send buffer (autotuned up
/// to `tcp_wmem` max), hyper's write buffer (~400 KiB) and the client's small
/// fixed receive buffer. Twice that, so the test never depends on luck.
fn messages_needed() -> usize {
    let wmem_max = std::fs::read_to_string("/proc/sys/net/ipv4/tcp_wmem")
        .ok()
        .and_then(|s| {
            s.split_whitespace()
                .nth(2)
                .and_then(|v| v.parse::<usize>().ok())
        })
        .unwrap_or(4 * 1024 * 1024);
    let bytes = 2 * (wmem_max + 1024 * 1024);
    bytes / TEXT_CHARS + 100
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stalled_subscriber_blocks_nobody_and_then_gets_every_message_once() {
    let started = Instant::now();
    let total = messages_needed();
    let server = start(Config {
        broadcast_capacity: 16,
        heartbeat: 3600,
        ..memory_config()
    })
    .await;
    let client = client();

    let mut readers = Vec::new();
    for r in 0..2 {
        let mut events = SseStream::connect(
            &client,
            &server.url(&format!("/api/events?user=reader{r}")),
            None,
        )
        .await;
        events.until_ready().await;
        readers.push(events);
    }
    // The stalled subscriber sends its request and then reads nothing.
    let mut slow = SseStream::connect_unread(server.addr, "/api/events?user=slow", 4096).await;
    // It is subscribed once the others see it join: its join is recorded
    // as it subscribes, and announced at the next presence tick.
    for reader in &mut readers {
        wait_joined(reader, "slow").await;
    }

    let reader_tasks: Vec<_> = readers
        .into_iter()
        .map(|mut events| tokio::spawn(async move { events.message_ids(total).await }))
        .collect();
    let mut posters = Vec::new();
    for p in 0..POSTERS {
        let client = client.clone();
        let url = server.url("/api/messages");
        let count = total / POSTERS + usize::from(p < total % POSTERS);
        posters.push(tokio::spawn(async move {
            let mut ids = Vec::new();
            for i in 0..count {
                let mut text = format!("{p}/{i} ");
                text.extend(std::iter::repeat_n('x', TEXT_CHARS - text.len()));
                let stored = post_message_at(&client, &url, "general", "poster", &text).await;
                ids.push(stored["id"].as_i64().unwrap());
            }
            ids
        }));
    }
    let mut posted = Vec::new();
    for poster in posters {
        // Senders are not blocked by the stalled stream.
        let ids = tokio::time::timeout(DEADLINE * 4, poster)
            .await
            .expect("posting finished in time")
            .expect("poster");
        posted.extend(ids);
    }
    posted.sort();
    assert_eq!(posted.len(), total);
    // The readers got everything while the slow one still reads nothing.
    for reader in reader_tasks {
        let ids = tokio::time::timeout(DEADLINE * 4, reader)
            .await
            .expect("readers finished in time")
            .expect("reader");
        assert_eq!(ids, posted);
    }
    let readers_done = started.elapsed();

    // Now the slow subscriber reads.
    let (before, _) = slow.until_ready().await;
    assert!(before.iter().all(|e| e.event == "presence"), "{before:?}");
    let mut ids = Vec::with_capacity(total);
    let mut resync_snapshots = 0;
    while ids.len() < total {
        let event = slow.next_event().await;
        match event.event.as_str() {
            "message" => ids.push(event.message_id()),
            "presence"
                if event.json().get("joined").is_none() && event.json().get("left").is_none() =>
            {
                resync_snapshots += 1
            }
            _ => {}
        }
    }
    assert_eq!(ids, posted, "every message exactly once, in order");
    assert!(
        server.metrics.lag_recoveries_for("slow") >= 1,
        "the stalled stream really lagged behind the broadcast"
    );
    assert!(
        resync_snapshots >= 1,
        "a lag is followed by fresh presence snapshots"
    );
    assert!(server.metrics.refilled_messages() > 0);
    eprintln!(
        "slow subscriber: {total} messages of {TEXT_CHARS} chars; readers done after {readers_done:?}, \
         slow done after {:?}; lag recoveries: slow {} / all {}",
        started.elapsed(),
        server.metrics.lag_recoveries_for("slow"),
        server.metrics.lag_recoveries()
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn drop_hook_ends_a_stream_in_the_middle_of_its_replay() {
    let total = messages_needed();
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("chat.db");
    let config = Config {
        db: Some(path.clone()),
        test_hooks: true,
        heartbeat: 3600,
        ..Config::default()
    };
    // The server creates the schema; the backlog is then written directly,
    // which is much faster than posting it.
    start(config.clone()).await.stop().await;
    {
        let mut conn = rusqlite::Connection::open(&path).expect("open the database");
        let tx = conn.transaction().expect("begin");
        {
            let mut insert = tx
                .prepare(
                    "INSERT INTO messages (room, user, text, ts) VALUES ('general', 'bulk', ?1, 0)",
                )
                .expect("prepare");
            for i in 0..total {
                let mut text = format!("{i} ");
                text.extend(std::iter::repeat_n('x', TEXT_CHARS - text.len()));
                insert.execute([text]).expect("insert");
            }
        }
        tx.commit().expect("commit");
    }
    let server = start(config).await;
    let client = client();
    let mut watcher =
        SseStream::connect(&client, &server.url("/api/events?user=watcher"), None).await;
    watcher.until_ready().await;

    // A stream that replays the whole backlog, and reads nothing for now:
    // the server fills the socket buffers and then waits in mid-replay.
    let mut stuck =
        SseStream::connect_unread(server.addr, "/api/events?user=stuck&last_event_id=0", 4096)
            .await;
    // Once its join is visible, the stream is subscribed to drops.
    wait_joined(&mut watcher, "stuck").await;
    // Read until the replay is under way; the server stays ahead only by
    // what the buffers hold, far less than the backlog.
    let first = loop {
        let event = stuck.next_event().await;
        if event.event == "message" {
            break event.message_id();
        }
    };
    assert_eq!(first, 1);
    let dropped = client
        .post(server.url("/api/_test/drop"))
        .send()
        .await
        .expect("drop");
    assert_eq!(dropped.status().as_u16(), 204);
    watcher.expect_end().await;

    // What was already buffered still arrives, then the stream ends cleanly,
    // long before the end of the backlog (and without `ready`). Before the
    // drop signal was checked between events, the whole replay was sent.
    let mut ids = vec![first];
    for event in stuck.expect_end().await {
        match event.event.as_str() {
            "message" => ids.push(event.message_id()),
            "presence" => {}
            other => panic!("unexpected {other} event after the drop"),
        }
    }
    assert_eq!(stuck.error, None, "the stream ended cleanly");
    assert!(
        ids.len() < total,
        "the drop ended the replay in the middle ({} of {total} messages sent)",
        ids.len()
    );
    let expected: Vec<i64> = (1..=ids.len() as i64).collect();
    assert_eq!(
        ids, expected,
        "what was sent is the start of the replay, in order"
    );
    eprintln!(
        "drop during replay: {} of {total} messages were sent",
        ids.len()
    );
    server.stop().await;
}
