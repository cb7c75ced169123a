//! Browser glue: the only place that touches EventSource, fetch, timers and
//! storage. Everything it receives is handed to the pure modules as plain
//! data; the chat service uses these types, components never do.
//!
//! Long-lived objects release themselves: an [`events::EventStream`] closes
//! when dropped, an [`outbox::Outbox`] stops and aborts its POST in flight,
//! an [`abort::AbortOnDrop`] aborts the fetches started with its signal.

pub mod abort;
pub mod batcher;
pub mod browser;
pub mod config_file;
pub mod events;
pub mod history;
pub mod http;
pub mod notify;
pub mod outbox;
pub mod outbox_types;
pub mod send;
pub mod storage;
pub mod stream_types;
pub mod tabs;
