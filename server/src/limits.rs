//! Size limits of the protocol (`docs/PROTOCOL.md`), in one place.
//!
//! Both the input checks (`crate::validate`) and the HTTP layer (the body
//! limit, the 413 sentence) need these numbers; keeping them apart from
//! either lets both depend on them without depending on each other.

/// Largest accepted request body, in bytes (larger → 413).
pub const MAX_BODY_BYTES: usize = 64 * 1024;
/// Longest room name, in characters.
pub const MAX_ROOM_CHARS: usize = 64;
/// Longest user name, in characters.
pub const MAX_USER_CHARS: usize = 32;
/// Longest message text, in characters (not bytes; longer → 413).
pub const MAX_TEXT_CHARS: usize = 4000;
/// Longest `client_id`, in characters.
pub const MAX_CLIENT_ID_CHARS: usize = 64;
/// Most rooms one event stream may follow.
pub const MAX_ROOMS_PER_STREAM: usize = 20;
/// Default page size of the history route.
pub const DEFAULT_HISTORY_LIMIT: u32 = 50;
/// Largest page size of the history route.
pub const MAX_HISTORY_LIMIT: u32 = 200;
