//! localStorage: what survives a reload, under keys listed here and
//! nowhere else.

use crate::errors::StorageError;

/// Every key this app stores, in one place.
pub mod keys {
    /// The nickname last joined with.
    pub const NICKNAME: &str = "sse-chat.nickname";
    /// Followed rooms, comma-joined.
    pub const ROOMS: &str = "sse-chat.rooms";
    /// The room shown last.
    pub const ACTIVE: &str = "sse-chat.active";
    /// An explicitly chosen UI language (BCP 47 tag).
    pub const LANG: &str = "sse-chat.lang";
    /// "on" when the user opted in to desktop notifications.
    pub const NOTIFICATIONS: &str = "sse-chat.notifications";
    /// Muted rooms, comma-joined.
    pub const MUTED: &str = "sse-chat.muted";

    /// The id of the newest message read in `room` of the backend whose
    /// stream is `events_url` (ids mean nothing across backends).
    pub fn read(events_url: &str, room: &str) -> String {
        format!("sse-chat.read:{events_url}:{room}")
    }

    /// The outbox of one backend: the key includes the send URL, so one
    /// origin serving several backends keeps their queues apart.
    pub fn outbox(send_url: &str) -> String {
        format!("sse-chat.outbox:{send_url}")
    }

    /// Where an outbox that could not be read is set aside for inspection.
    pub fn outbox_backup(outbox_key: &str) -> String {
        format!("{outbox_key}.corrupt")
    }
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

/// Reads an entry (None when absent or storage is unavailable).
pub fn get(key: &str) -> Option<String> {
    storage()?.get_item(key).ok()?
}

/// Writes an entry; storage may be full or disabled (private mode), which
/// the caller reports rather than ignores.
pub fn set(key: &str, value: &str) -> Result<(), StorageError> {
    let s = storage().ok_or(StorageError::Unavailable)?;
    s.set_item(key, value).map_err(|_| StorageError::Full)
}
