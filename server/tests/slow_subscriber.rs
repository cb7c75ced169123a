//! Load: a subscriber that stops reading neither blocks the senders nor
//! starves the other subscribers, and once it reads again it receives every
//! message exactly once, in order (refilled from the database after its
//! broadcast receiver lagged).

mod support;

use std::time::Instant;

use serde_json::json;
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
    // It is subscribed once the others see it join (same critical section).
    for reader in &mut readers {
        loop {
            let event = reader.next_of("presence").await;
            if event.json()["joined"] == "slow" {
                break;
            }
        }
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
                let reply = post_json(
                    &client,
                    &url,
                    &json!({"room": "general", "user": "poster", "text": text}),
                )
                .await;
                assert_eq!(reply.status.as_u16(), 201, "{}", reply.raw);
                ids.push(reply.body["id"].as_i64().unwrap());
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
