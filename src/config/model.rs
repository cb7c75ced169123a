//! The configuration's shape and its built-in defaults.
//!
//! Only data here: how values get in (checked, layered) is `load`, `keys`
//! and `values`. Kept free of crate imports so every other config file can
//! depend on it without a cycle.

/// How outgoing messages are encoded in the POST body.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SendFormat {
    /// `application/json` object with the configured field names.
    Json,
    /// `application/x-www-form-urlencoded` with the configured field names.
    Form,
    /// `text/plain`: the message text only.
    Text,
}

/// What to do with event data that is not a JSON object.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PlainText {
    /// Show it as a message from an unnamed sender.
    Message,
    /// Drop it (counted as ignored, never shown).
    Ignore,
}

/// Names of the fields written into an outgoing message. An empty name
/// leaves that field out of the body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SendFields {
    /// Field carrying the room name.
    pub room: String,
    /// Field carrying the sender's nickname.
    pub user: String,
    /// Field carrying the message text.
    pub text: String,
    /// Field carrying the client-generated id the server echoes back.
    pub client_id: String,
}

/// Field names looked up, in order, in incoming JSON messages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldAliases {
    /// Message id (falls back to the SSE `id:`).
    pub id: Vec<String>,
    /// Message text.
    pub text: Vec<String>,
    /// Sender's nickname.
    pub user: Vec<String>,
    /// Timestamp (epoch ms, epoch seconds or RFC 3339).
    pub time: Vec<String>,
    /// Room the message belongs to.
    pub room: Vec<String>,
    /// Echo of the client id, matching a pending message.
    pub client_id: Vec<String>,
}

/// Replies, edits, deletes and reactions: where to send them and how
/// incoming messages say them. `None` turns that part off, and the UI then
/// shows none of its controls.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Changes {
    /// Event type carrying a changed message's whole current state.
    pub update_event: Option<String>,
    /// POST URLs for an edit (`{"user","text"}`), a delete (`{"user"}`) and
    /// a reaction (`{"user","emoji","on"}`). Placeholders: `{id}` (the
    /// message id), `{room}`, `{user}`.
    pub edit_url: Option<String>,
    pub delete_url: Option<String>,
    pub react_url: Option<String>,
    /// Field naming the message a message answers: read in incoming
    /// messages (an object with `id`, `user`, `text`, or a bare id) and
    /// written, as the id, in sent ones.
    pub reply_field: Option<String>,
    /// Fields read in incoming messages: when the text was edited, whether
    /// it is a tombstone, and the reactions (`[{"emoji","users"}]`).
    pub edited_field: Option<String>,
    pub deleted_field: Option<String>,
    pub reactions_field: Option<String>,
}

/// The whole client configuration. See the `config` module docs for where
/// it comes from.
#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    /// SSE stream URL. Placeholders: `{rooms}` (comma-joined followed rooms,
    /// one connection for all), `{rooms:PARAM}` (one `PARAM=<room>` query
    /// parameter per followed room, one connection for all), `{room}` (one
    /// room per connection: the active one), `{user}`.
    pub events_url: String,
    /// POST URL for new messages. Placeholders: `{room}`, `{user}`. `None`:
    /// the backend takes no messages and the app is read-only (no composer).
    pub send_url: Option<String>,
    /// Optional scroll-back URL. Placeholders: `{room}`, `{before}`, `{limit}`.
    pub history_url: Option<String>,
    /// Optional typing-notification POST URL. Placeholders: `{room}`, `{user}`.
    pub typing_url: Option<String>,
    /// Optional search URL (GET, answered like a history page). Placeholders:
    /// `{room}`, `{q}`, `{limit}`. Without it, search covers what is loaded.
    pub search_url: Option<String>,
    /// SSE event types that carry chat messages.
    pub message_events: Vec<String>,
    /// Heartbeat event type; enables stall detection when set.
    pub ping_event: Option<String>,
    /// A stream silent for this long (no event of any kind) is reopened.
    pub stall_timeout_ms: u32,
    /// Event type carrying presence notices.
    pub presence_event: Option<String>,
    /// Event type carrying typing notices.
    pub typing_event: Option<String>,
    /// Query parameter that carries the last event id when the client has to
    /// recreate its EventSource (the browser only sends the header itself).
    pub resume_param: Option<String>,
    /// `EventSource` and `fetch` credentials mode.
    pub with_credentials: bool,
    /// Body encoding of sent messages.
    pub send_format: SendFormat,
    /// Field names written into sent messages.
    pub send_fields: SendFields,
    /// When set, the message object (every field of `send_fields`) is sent
    /// as JSON inside this one field, with the room field beside it (a
    /// Mercure hub's `topic` and `data`). Not used by `SendFormat::Text`.
    pub send_data_field: Option<String>,
    /// Field names read from incoming messages.
    pub fields: FieldAliases,
    /// Handling of event data that is not a JSON object.
    pub plain_text: PlainText,
    /// Rooms offered on the join screen.
    pub rooms: Vec<String>,
    /// Longest message the composer accepts (characters).
    pub max_length: usize,
    /// Replies, edits, deletes and reactions.
    pub changes: Changes,
    /// Render simple formatting (code, quotes, bold, italic, strike);
    /// `false` shows every message exactly as typed.
    pub formatting: bool,
}

fn strings(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

impl Default for Config {
    fn default() -> Self {
        Config {
            events_url: "/api/events?rooms={rooms}&user={user}".into(),
            send_url: Some("/api/messages".into()),
            history_url: Some("/api/rooms/{room}/messages?before={before}&limit={limit}".into()),
            typing_url: Some("/api/typing".into()),
            search_url: Some("/api/rooms/{room}/search?q={q}&limit={limit}".into()),
            message_events: strings(&["message"]),
            ping_event: Some("ping".into()),
            stall_timeout_ms: 45_000,
            presence_event: Some("presence".into()),
            typing_event: Some("typing".into()),
            resume_param: Some("last_event_id".into()),
            with_credentials: false,
            send_format: SendFormat::Json,
            send_fields: SendFields {
                room: "room".into(),
                user: "user".into(),
                text: "text".into(),
                client_id: "client_id".into(),
            },
            send_data_field: None,
            fields: FieldAliases {
                id: strings(&["id"]),
                text: strings(&["text", "message", "content", "body"]),
                user: strings(&["user", "username", "author", "name", "from"]),
                time: strings(&["ts", "time", "timestamp", "created_at"]),
                room: strings(&["room", "channel", "topic"]),
                client_id: strings(&["client_id", "clientId"]),
            },
            plain_text: PlainText::Message,
            rooms: strings(&["general", "random"]),
            max_length: 4000,
            changes: Changes {
                update_event: Some("update".into()),
                edit_url: Some("/api/messages/{id}/edit".into()),
                delete_url: Some("/api/messages/{id}/delete".into()),
                react_url: Some("/api/messages/{id}/reactions".into()),
                reply_field: Some("reply_to".into()),
                edited_field: Some("edited_at".into()),
                deleted_field: Some("deleted".into()),
                reactions_field: Some("reactions".into()),
            },
            formatting: true,
        }
    }
}

impl Config {
    /// True when the events URL opens one stream per room rather than one for all.
    pub fn per_room_stream(&self) -> bool {
        self.events_url.contains("{room}")
    }

    /// True when there is nowhere to send messages: the app only shows the
    /// stream and offers no composer.
    pub fn read_only(&self) -> bool {
        self.send_url.is_none()
    }
}
