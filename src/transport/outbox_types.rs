//! What the outbox stores and reports: plain data, shared by the outbox
//! and the chat service (like `stream_types` for the stream).

use crate::errors::{RequestError, StorageError};
use crate::protocol::{Outgoing, WireMessage};
use serde::{Deserialize, Serialize};

/// What the outbox reports to the UI.
#[derive(Clone, Debug, PartialEq)]
pub enum OutboxEvent {
    Sent {
        client_id: String,
        stored: Option<WireMessage>,
    },
    Failed {
        client_id: String,
        reason: RequestError,
    },
    /// A retryable failure; the next attempt is due at `retry_at` (epoch ms).
    Waiting {
        client_id: String,
        reason: RequestError,
        retry_at: f64,
    },
    /// The outbox could not be saved (storage full or disabled): messages
    /// still go out, but would not survive a reload.
    StorageError(StorageError),
    /// The saved outbox could not be read at start-up; it was set aside
    /// under `backup_key` and the outbox starts empty.
    Unreadable { error: String, backup_key: String },
}

/// Why a saved message was refused: typed since this version, a sentence
/// in outboxes saved by earlier ones.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(untagged)]
pub(super) enum SavedReason {
    Typed(RequestError),
    Text(String),
}

impl SavedReason {
    pub(super) fn into_error(self) -> RequestError {
        match self {
            SavedReason::Typed(e) => e,
            SavedReason::Text(t) => RequestError::Other(t),
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub(super) struct Entry {
    pub(super) room: String,
    pub(super) user: String,
    pub(super) text: String,
    pub(super) client_id: String,
    /// Set when the backend refused the message; the user decides.
    pub(super) failed: Option<SavedReason>,
    /// When it was written (epoch ms): shown as the message time.
    pub(super) created: f64,
    /// The tab that sends it (saved by earlier versions without one: the
    /// first tab to adopt it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) owner: Option<String>,
    /// The message it answers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) reply_to: Option<String>,
}

impl Entry {
    pub(super) fn restored(&self) -> Restored {
        Restored {
            out: self.outgoing(),
            created: self.created,
            failed: self.failed.clone().map(SavedReason::into_error),
        }
    }

    pub(super) fn outgoing(&self) -> Outgoing {
        Outgoing {
            room: self.room.clone(),
            user: self.user.clone(),
            text: self.text.clone(),
            client_id: self.client_id.clone(),
            reply_to: self.reply_to.clone(),
        }
    }
}

/// A message restored from storage after a reload.
pub struct Restored {
    pub out: Outgoing,
    pub created: f64,
    pub failed: Option<RequestError>,
}
