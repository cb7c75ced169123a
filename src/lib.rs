//! sse-chat: a chat room for any Server-Sent Events backend.
//!
//! Layers, each using only those below it:
//! - the pure core, no browser types, tested natively with `cargo test`:
//!   [`config`] (runtime settings), [`protocol`] (SSE decoding, send
//!   encoding), [`time`] (lenient times), [`state`] (the chat state reducer), [`backoff`], [`text`]
//!   (linkify, folding), [`markup`] (formatting and mentions), [`errors`] (typed failures and
//!   notices), [`i18n`];
//! - [`transport`]: browser glue (EventSource, fetch, storage, timers);
//! - [`chat`]: the chat service, read-only signals and commands;
//! - [`ui`]: Leptos components, one per file.

pub mod backoff;
pub mod chat;
pub mod config;
pub mod errors;
pub mod i18n;
pub mod markup;
pub mod protocol;
pub mod state;
pub mod text;
pub mod time;
pub mod transport;
pub mod ui;

pub use ui::app::App;
