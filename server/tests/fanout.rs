//! Load: 200 concurrent subscribers each receive every one of a burst of
//! 1,000 messages, in order, exactly once: with the default broadcast
//! buffer, and with a tiny one that makes subscribers fall behind and refill
//! from the database (the `Lagged` path) over and over.

mod support;

use std::time::Instant;

use sse_chat_server::Config;
use support::*;
use tokio::sync::mpsc;

const SUBSCRIBERS: usize = 200;
const MESSAGES: usize = 1000;
const POSTERS: usize = 4;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_subscribers_receive_a_burst_of_a_thousand_messages_in_order() {
    fan_out(Config::default().broadcast_capacity).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn subscribers_that_fall_behind_a_tiny_broadcast_buffer_still_get_every_message() {
    let lags = fan_out(2).await;
    assert!(lags > 0, "the refill path was exercised");
}

/// Runs the burst with a broadcast buffer of `capacity` events; returns how
/// often a stream lagged and refilled from the database.
async fn fan_out(capacity: usize) -> u64 {
    let started = Instant::now();
    let server = start(Config {
        broadcast_capacity: capacity,
        ..memory_config()
    })
    .await;
    let client = client();

    let (ready_tx, mut ready_rx) = mpsc::channel::<()>(SUBSCRIBERS);
    let mut subscribers = Vec::new();
    for i in 0..SUBSCRIBERS {
        let client = client.clone();
        // Half follow one room, half two: the filter must not drop anything.
        let url = if i % 2 == 0 {
            server.url("/api/events?rooms=general")
        } else {
            server.url(&format!("/api/events?rooms=general,side{i}"))
        };
        let ready_tx = ready_tx.clone();
        subscribers.push(tokio::spawn(async move {
            let mut events = SseStream::connect(&client, &url, None).await;
            events.until_ready().await;
            ready_tx.send(()).await.expect("report ready");
            events.message_ids(MESSAGES).await
        }));
    }
    for _ in 0..SUBSCRIBERS {
        tokio::time::timeout(DEADLINE, ready_rx.recv())
            .await
            .expect("all subscribers connected in time")
            .expect("subscriber alive");
    }
    let connected = started.elapsed();

    let mut posters = Vec::new();
    for p in 0..POSTERS {
        let client = client.clone();
        let url = server.url("/api/messages");
        posters.push(tokio::spawn(async move {
            let mut ids = Vec::new();
            for i in 0..MESSAGES / POSTERS {
                let text = format!("burst {p}/{i}");
                let stored =
                    post_message_at(&client, &url, "general", &format!("poster{p}"), &text).await;
                ids.push(stored["id"].as_i64().unwrap());
            }
            ids
        }));
    }
    let mut posted = Vec::new();
    for poster in posters {
        posted.extend(poster.await.expect("poster"));
    }
    posted.sort();
    assert_eq!(posted.len(), MESSAGES);
    let burst_posted = started.elapsed();

    for subscriber in subscribers {
        let ids = subscriber.await.expect("subscriber");
        assert_eq!(ids, posted, "every message exactly once, in id order");
    }
    let lags = server.metrics.lag_recoveries();
    eprintln!(
        "fan-out (capacity {capacity}): connected {SUBSCRIBERS} in {connected:?}, posted \
         {MESSAGES} by {burst_posted:?}, all delivered by {:?}; lag refills: {lags}, \
         refilled messages: {}",
        started.elapsed(),
        server.metrics.refilled_messages()
    );
    server.stop().await;
    lags
}
