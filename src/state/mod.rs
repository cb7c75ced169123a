//! Chat state: a pure reducer (no browser types), tested natively. The chat
//! service holds one [`ChatState`] in a signal and applies whole batches of
//! decoded events once per animation frame.
//!
//! One concern per file:
//! - [`message`]: the message type and its two constructors;
//! - [`log`]: a room's log (absolute positions, windowing, order, cap);
//! - [`dedupe`]: typed dedupe keys in a bounded set;
//! - [`outgoing`]: our own messages (pending, echo, confirm, retry, discard);
//! - [`changes`]: edits, tombstones and reactions applied to shown messages;
//! - [`read_marker`]: what was read per room, and the "New" line;
//! - [`search`]: finding messages among those held;
//! - [`room`]: one room (its log, unread count, presence, typing);
//! - [`room_set`]: the room set (active room, reading state, join, leave);
//! - [`chat_state`]: the state itself, routing incoming events and history
//!   pages to the above.
//!
//! This file only re-exports: the modules import each other directly, so
//! there is no import circle through it.

pub mod changes;
pub mod chat_state;
pub mod dedupe;
pub mod log;
pub mod message;
pub mod outgoing;
pub mod read_marker;
pub mod room;
pub mod room_set;
pub mod search;

pub use chat_state::{Arrival, ChatState, Report, DEFAULT_CAP};
pub use log::MessageLog;
pub use message::{Message, Status};
pub use outgoing::ECHO_WINDOW_MS;
pub use room::{Room, TYPING_TTL_MS};
pub use room_set::MAX_ROOMS;
