//! What the event stream reports: its state for the user, and each event
//! as received. Plain data, shared by the stream and the chat service.

use crate::errors::StreamError;

/// What the user is told about the stream.
#[derive(Clone, Debug, PartialEq)]
pub enum ConnState {
    Connecting,
    Open,
    /// Waiting to reconnect: failed attempts so far and when the next try is
    /// due (epoch ms).
    Reconnecting {
        attempt: u32,
        retry_at: f64,
    },
    /// The browser reports no network; we resume when it comes back.
    Offline,
    /// The stream cannot be opened at all (e.g. an invalid URL).
    Failed(StreamError),
}

/// One SSE event as received.
#[derive(Clone, Debug, PartialEq)]
pub struct RawEvent {
    pub kind: String,
    pub data: String,
    /// The source's `lastEventId` (carried over from earlier events when
    /// this one has no `id:`): where a resume starts after.
    pub last_event_id: String,
    /// The id this event carried itself, empty when it had none
    /// ([`crate::protocol::own_event_id`]): the only SSE id that may name a message.
    pub id: String,
}
