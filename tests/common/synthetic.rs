//! Synthetic chat traffic for benchmarks: pure Rust, shared by the native
//! ingest benchmark (`examples/bench_ingest.rs`) and the browser one
//! (`tests/bench.rs`).

use sse_chat::protocol::{Incoming, WireMessage};

/// Messages `from..from + n` in room "general" from seven senders, one
/// second apart, as the state's `ingest` takes them.
pub fn batch(from: u64, n: u64) -> Vec<(Incoming, Option<String>)> {
    (from..from + n)
        .map(|i| {
            let m = WireMessage {
                id: Some(i.to_string()),
                room: Some("general".into()),
                user: Some(format!("user{}", i % 7)),
                text: format!("message number {i}, with a little text to wrap"),
                ts: Some(1.7e12 + i as f64 * 1000.0),
                client_id: None,
                extra: None,
            };
            (Incoming::Message(m), None)
        })
        .collect()
}
