//! Size limits of the protocol (`docs/PROTOCOL.md`), in one place.
//!
//! Both the input checks (`crate::validate`) and the HTTP layer (the body
//! limit, the 413 sentence) need these numbers; keeping them apart from
//! either lets both depend on them without depending on each other.

/// Largest accepted request body, in bytes (larger → 413).
pub const MAX_BODY_BYTES: usize = 64 * 1024;
/// Longest request URI (path and query), in bytes (longer → 414).
pub const MAX_URI_BYTES: usize = 8 * 1024;
/// Largest request head (request line and headers), in bytes (larger →
/// 431). Also the size of a connection's read buffer.
pub const MAX_HEAD_BYTES: usize = 64 * 1024;
/// Most headers in a request (more → 431).
pub const MAX_HEADERS: usize = 100;
/// Longest room name, in characters.
pub const MAX_ROOM_CHARS: usize = 64;
/// Longest user name, in characters (the rule shared with the client).
pub const MAX_USER_CHARS: usize = sse_chat_names::MAX_USER_CHARS;
/// Longest message text, in characters (not bytes; longer → 413).
pub const MAX_TEXT_CHARS: usize = sse_chat_names::MAX_TEXT_CHARS;
/// Longest `client_id`, in characters.
pub const MAX_CLIENT_ID_CHARS: usize = 64;
/// Most rooms one event stream may follow.
pub const MAX_ROOMS_PER_STREAM: usize = 20;
/// Default page size of the history route.
pub const DEFAULT_HISTORY_LIMIT: u32 = 50;
/// Largest page size of the history route.
pub const MAX_HISTORY_LIMIT: u32 = 200;
