//! Ingest benchmark of the pure room state (run by `cargo xtask bench`).
//! Prints figures; asserts nothing.

#[path = "../tests/common/synthetic.rs"]
mod synthetic;

use sse_chat::protocol::Outgoing;
use sse_chat::state::ChatState;
use std::time::Instant;
use synthetic::batch;

fn main() {
    for (history, batch_size, unsent) in [
        (100u64, 100u64, false),
        (100_000, 100, false),
        (100_000, 1_000, false),
        (100_000, 1_000, true),
    ] {
        let mut state = ChatState::new("me", &["general".into()], "general");
        state.ingest(batch(0, history), 0.0);
        if unsent {
            // An unsent message of ours makes every arrival check for its echo.
            state.add_pending(
                &Outgoing {
                    room: "general".into(),
                    user: "me".into(),
                    text: "pending".into(),
                    client_id: "c1".into(),
                    reply_to: None,
                },
                0.0,
            );
        }
        let rounds = 50;
        let started = Instant::now();
        for r in 0..rounds {
            let b = batch(history + r * batch_size, batch_size);
            state.ingest(b, 0.0);
            // What the view copies per frame: a 60-row window.
            let room = state.active_room().map(|r| {
                let log = r.log();
                log.window(log.len().saturating_sub(60), log.len())
            });
            std::hint::black_box(room);
        }
        let per_batch = started.elapsed().as_secs_f64() / rounds as f64;
        let with = if unsent {
            " with an unsent message"
        } else {
            ""
        };
        println!(
            "bench: ingest {batch_size} msgs into a room of {history}{with}: {:.3} ms per batch ({:.0} msgs/s)",
            per_batch * 1e3,
            batch_size as f64 / per_batch
        );
    }
}
