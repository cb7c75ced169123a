//! sse-chat: a chat room for any Server-Sent Events backend.
//!
//! The pure core (`config`, `protocol`, `room`, `backoff`, `text`, `i18n`)
//! has no browser types and is tested natively with `cargo test`; the
//! browser glue lives in `transport` (EventSource, fetch, storage) and the
//! Leptos components in `ui`.

pub mod backoff;
pub mod config;
pub mod i18n;
pub mod protocol;
pub mod room;
pub mod text;
pub mod transport;
pub mod ui;

pub use ui::app::App;
