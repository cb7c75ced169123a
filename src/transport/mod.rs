//! Browser glue: the only place that touches EventSource, fetch, timers and
//! storage. Everything it receives is handed to the pure modules as plain
//! data; the UI uses these types and never the browser APIs directly.

pub mod batcher;
pub mod browser;
pub mod events;
pub mod history;
pub mod notify;
pub mod outbox;
pub mod send;
