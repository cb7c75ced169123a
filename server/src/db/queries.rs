//! The `messages` table: its schema, the stored message type and every
//! query on it.
//!
//! The table is the room's log. A row without `target` is a message; a row
//! with one records that the message `target` changed (edited, deleted, a
//! reaction toggled) and exists so the change has an id in the one id
//! sequence: a stream resuming after id R gets messages and changes after R
//! in order. Each change row is sent with the message's *current* state
//! (see [`Entry`]), so applying one twice, or an older one after a newer
//! one, cannot undo anything.
//!
//! Queries are plain functions of a borrowed connection, returning
//! `rusqlite` errors, so they run inside [`Db::read`](super::Db::read) /
//! [`Db::write`](super::Db::write) and unit tests can use a bare in-memory
//! connection.

use std::time::{SystemTime, UNIX_EPOCH};

use rusqlite::types::Value as SqlValue;
use rusqlite::{params, params_from_iter, Connection, OptionalExtension, Row};
use serde::{Deserialize, Serialize};

/// The original a reply quotes, as it is now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReplyRef {
    /// The original's id.
    pub id: i64,
    /// Its author.
    pub user: String,
    /// The first [`QUOTE_CHARS`] characters of its text; empty once deleted.
    pub text: String,
    /// The original was deleted.
    #[serde(skip_serializing_if = "is_false")]
    pub deleted: bool,
}

/// One emoji on a message and who put it there, in the order they did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reaction {
    /// The emoji (any short token, see `validate::check_emoji`).
    pub emoji: String,
    /// Who reacted with it, first first.
    pub users: Vec<String>,
}

/// How much of the original a reply quotes.
pub const QUOTE_CHARS: usize = 200;

fn is_false(b: &bool) -> bool {
    !*b
}

/// A stored chat message in its current state, exactly as sent in
/// `message` and `update` events and HTTP responses. The optional fields
/// are left out while they have their default (no reply, never edited, not
/// deleted, no reactions).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Message {
    /// Durable, strictly increasing id (`INTEGER PRIMARY KEY AUTOINCREMENT`).
    pub id: i64,
    /// Room name.
    pub room: String,
    /// Author's user name.
    pub user: String,
    /// Message text (may contain newlines).
    pub text: String,
    /// Server receive time, milliseconds since the Unix epoch.
    pub ts: i64,
    /// The sender's idempotency key, if it sent one.
    pub client_id: Option<String>,
    /// The message this one answers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reply_to: Option<ReplyRef>,
    /// When the text was last changed by its author.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub edited_at: Option<i64>,
    /// A tombstone: the text (and the reactions) are gone, the place stays.
    #[serde(skip_serializing_if = "is_false")]
    pub deleted: bool,
    /// Emoji on the message, in the order they were first used.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub reactions: Vec<Reaction>,
}

/// One row of the log as a stream sends it: a message (`message` event,
/// its id), or a change to one (`update` event, the change's id, the
/// message's current state).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    /// A message row.
    Message(Message),
    /// A change row.
    Update {
        /// The change's own id.
        id: i64,
        /// The changed message, as it is now.
        message: Message,
    },
}

impl Entry {
    /// The log id: what the stream sends as `id:` and resumes after.
    pub fn id(&self) -> i64 {
        match self {
            Entry::Message(m) => m.id,
            Entry::Update { id, .. } => *id,
        }
    }

    /// The SSE event name.
    pub fn event(&self) -> &'static str {
        match self {
            Entry::Message(_) => "message",
            Entry::Update { .. } => "update",
        }
    }

    /// The message sent: the row's, or the changed one as it is now.
    pub fn message(&self) -> &Message {
        match self {
            Entry::Message(m) | Entry::Update { message: m, .. } => m,
        }
    }
}

/// A message to store.
#[derive(Debug, Clone)]
pub struct NewMessage {
    /// Room name (already validated).
    pub room: String,
    /// User name (already validated).
    pub user: String,
    /// Text (already validated).
    pub text: String,
    /// Optional idempotency key (already validated).
    pub client_id: Option<String>,
    /// The id of the message answered (checked on insert).
    pub reply_to: Option<i64>,
}

/// Creates the table and its indexes (idempotent).
pub(super) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS messages (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    room      TEXT    NOT NULL,
    user      TEXT    NOT NULL,
    text      TEXT    NOT NULL,
    ts        INTEGER NOT NULL,
    client_id TEXT
);
CREATE UNIQUE INDEX IF NOT EXISTS messages_client_id ON messages(client_id);
CREATE INDEX IF NOT EXISTS messages_room_id ON messages(room, id);
";

/// Columns added after the first release, each with its type: a database
/// created before them gets them with `ALTER TABLE` (see [`migrate`]).
const ADDED_COLUMNS: &[(&str, &str)] = &[
    ("target", "INTEGER"),
    ("reply_to", "INTEGER"),
    ("edited_at", "INTEGER"),
    ("deleted", "INTEGER NOT NULL DEFAULT 0"),
    ("reactions", "TEXT NOT NULL DEFAULT '[]'"),
];

/// Brings an existing table up to the current schema (idempotent).
pub(super) fn migrate(conn: &Connection) -> rusqlite::Result<()> {
    let mut have = Vec::new();
    {
        let mut stmt = conn.prepare("PRAGMA table_info(messages)")?;
        let names = stmt.query_map([], |row| row.get::<_, String>(1))?;
        for name in names {
            have.push(name?);
        }
    }
    for (name, kind) in ADDED_COLUMNS {
        if !have.iter().any(|h| h == name) {
            conn.execute_batch(&format!("ALTER TABLE messages ADD COLUMN {name} {kind}"))?;
        }
    }
    // History pages and the replay count messages only, not change rows.
    conn.execute_batch(
        "CREATE INDEX IF NOT EXISTS messages_room_messages ON messages(room, id) \
         WHERE target IS NULL",
    )
}

/// Every query reads a log row `l`, the message `m` it is or changes, and
/// the original `r` that message replies to.
const SELECT: &str = "SELECT l.id, l.target, m.id, m.room, m.user, m.text, m.ts, m.client_id, \
     m.edited_at, m.deleted, m.reactions, r.id, r.user, substr(r.text, 1, 200), r.deleted \
     FROM messages l JOIN messages m ON m.id = COALESCE(l.target, l.id) \
     LEFT JOIN messages r ON r.id = m.reply_to";

/// Milliseconds since the Unix epoch, as used in every `ts` field.
pub fn timestamp_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

fn row_to_entry(row: &Row<'_>) -> rusqlite::Result<Entry> {
    let id: i64 = row.get(0)?;
    let target: Option<i64> = row.get(1)?;
    let reactions: String = row.get(10)?;
    let reply_to = match row.get::<_, Option<i64>>(11)? {
        Some(id) => Some(ReplyRef {
            id,
            user: row.get(12)?,
            text: row.get(13)?,
            deleted: row.get(14)?,
        }),
        None => None,
    };
    let message = Message {
        id: row.get(2)?,
        room: row.get(3)?,
        user: row.get(4)?,
        text: row.get(5)?,
        ts: row.get(6)?,
        client_id: row.get(7)?,
        reply_to,
        edited_at: row.get(8)?,
        deleted: row.get(9)?,
        reactions: parse_reactions(&reactions),
    };
    Ok(match target {
        None => Entry::Message(message),
        Some(_) => Entry::Update { id, message },
    })
}

/// The stored reactions; a value this server did not write reads as none.
pub(super) fn parse_reactions(json: &str) -> Vec<Reaction> {
    if json == "[]" {
        return Vec::new();
    }
    serde_json::from_str(json).unwrap_or_default()
}

fn row_to_message(row: &Row<'_>) -> rusqlite::Result<Message> {
    row_to_entry(row).map(|entry| match entry {
        Entry::Message(m) | Entry::Update { message: m, .. } => m,
    })
}

/// The message with `id` as it is now (`None` for a change row's id).
pub fn message_by_id(conn: &Connection, id: i64) -> rusqlite::Result<Option<Message>> {
    conn.prepare_cached(&format!("{SELECT} WHERE l.id = ?1 AND l.target IS NULL"))?
        .query_row(params![id], row_to_message)
        .optional()
}

/// The message stored with `client_id`, if any.
pub fn by_client_id(conn: &Connection, client_id: &str) -> rusqlite::Result<Option<Message>> {
    conn.prepare_cached(&format!(
        "{SELECT} WHERE l.client_id = ?1 AND l.target IS NULL"
    ))?
    .query_row(params![client_id], row_to_message)
    .optional()
}

/// Stores `new` unless its `client_id` is already stored.
///
/// Returns the stored message and `true` if it was inserted now. `published`
/// runs only for a new message, while the connection lock is still held, so
/// that whatever it broadcasts goes out in id order.
pub fn insert_message(
    conn: &mut Connection,
    new: NewMessage,
    published: impl FnOnce(&Message),
) -> rusqlite::Result<(Message, bool)> {
    if let Some(client_id) = &new.client_id {
        if let Some(existing) = by_client_id(conn, client_id)? {
            return Ok((existing, false));
        }
    }
    let ts = timestamp_ms();
    conn.prepare_cached(
        "INSERT INTO messages (room, user, text, ts, client_id, reply_to) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        new.room,
        new.user,
        new.text,
        ts,
        new.client_id,
        new.reply_to
    ])?;
    let id = conn.last_insert_rowid();
    let message = message_by_id(conn, id)?.ok_or(rusqlite::Error::QueryReturnedNoRows)?;
    published(&message);
    Ok((message, true))
}

/// The newest id in the database, if any.
pub fn max_id(conn: &Connection) -> rusqlite::Result<Option<i64>> {
    conn.query_row("SELECT MAX(id) FROM messages", [], |row| row.get(0))
}

fn room_params(rooms: &[String]) -> (String, Vec<SqlValue>) {
    let placeholders = vec!["?"; rooms.len()].join(",");
    let values = rooms.iter().map(|r| SqlValue::Text(r.clone())).collect();
    (placeholders, values)
}

/// Log entries (messages and changes) of `rooms` with `after < id <= upto`
/// (no upper bound when `upto` is `None`), ascending, at most `limit`.
pub fn messages_after(
    conn: &Connection,
    rooms: &[String],
    after: i64,
    upto: Option<i64>,
    limit: usize,
) -> rusqlite::Result<Vec<Entry>> {
    let (placeholders, mut values) = room_params(rooms);
    values.push(SqlValue::Integer(after));
    values.push(SqlValue::Integer(upto.unwrap_or(i64::MAX)));
    values.push(SqlValue::Integer(i64::try_from(limit).unwrap_or(i64::MAX)));
    let sql = format!(
        "{SELECT} WHERE l.room IN ({placeholders}) AND l.id > ? AND l.id <= ? \
         ORDER BY l.id ASC LIMIT ?"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(params_from_iter(values), row_to_entry)?;
    rows.collect()
}

/// Where the replay of the newest `count` messages of `rooms` with
/// `id <= upto` starts: the largest id *before* the oldest of them, so that
/// [`messages_after`] with this id pages through exactly those messages.
/// `0` if there are at most `count` such messages.
pub fn replay_after(
    conn: &Connection,
    rooms: &[String],
    upto: i64,
    count: usize,
) -> rusqlite::Result<i64> {
    if count == 0 {
        return Ok(upto);
    }
    let (placeholders, mut values) = room_params(rooms);
    values.push(SqlValue::Integer(upto));
    values.push(SqlValue::Integer(
        i64::try_from(count - 1).unwrap_or(i64::MAX),
    ));
    let sql = format!(
        "SELECT id FROM messages WHERE room IN ({placeholders}) AND id <= ? \
         AND target IS NULL ORDER BY id DESC LIMIT 1 OFFSET ?"
    );
    let oldest: Option<i64> = conn
        .prepare_cached(&sql)?
        .query_row(params_from_iter(values), |row| row.get(0))
        .optional()?;
    Ok(oldest.map_or(0, |id| id - 1))
}

/// One page of a room's history: up to `limit` messages with `id < before`
/// (the newest ones when `before` is `None`), ascending, and whether older
/// messages exist.
pub fn room_history(
    conn: &Connection,
    room: &str,
    before: Option<i64>,
    limit: u32,
) -> rusqlite::Result<(Vec<Message>, bool)> {
    let mut stmt = conn.prepare_cached(&format!(
        "{SELECT} WHERE l.room = ?1 AND l.id < ?2 AND l.target IS NULL \
         ORDER BY l.id DESC LIMIT ?3"
    ))?;
    // One extra row tells whether there is an older page.
    let mut messages = stmt
        .query_map(
            params![room, before.unwrap_or(i64::MAX), i64::from(limit) + 1],
            row_to_message,
        )?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let has_more = messages.len() > limit as usize;
    messages.truncate(limit as usize);
    messages.reverse();
    Ok((messages, has_more))
}

/// The newest `limit` messages of `room` whose text contains `query`
/// (SQLite `LIKE`: ASCII letters match in either case), newest first.
/// Tombstones are never found.
pub fn search_room(
    conn: &Connection,
    room: &str,
    query: &str,
    limit: u32,
) -> rusqlite::Result<Vec<Message>> {
    let pattern = format!(
        "%{}%",
        query
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_")
    );
    let mut stmt = conn.prepare_cached(&format!(
        "{SELECT} WHERE l.room = ?1 AND l.target IS NULL AND m.deleted = 0 \
         AND m.text LIKE ?2 ESCAPE '\\' ORDER BY l.id DESC LIMIT ?3"
    ))?;
    let rows = stmt.query_map(params![room, pattern, i64::from(limit)], row_to_message)?;
    rows.collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn new(room: &str, text: &str, client_id: Option<&str>) -> NewMessage {
        NewMessage {
            room: room.into(),
            user: "u".into(),
            text: text.into(),
            client_id: client_id.map(Into::into),
            reply_to: None,
        }
    }

    #[test]
    fn queries() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(SCHEMA).unwrap();
        migrate(&conn).unwrap();
        assert_eq!(max_id(&conn).unwrap(), None);
        for i in 0..10 {
            let room = if i % 2 == 0 { "a" } else { "b" };
            insert_message(&mut conn, new(room, &format!("m{i}"), None), |_| {}).unwrap();
        }
        assert_eq!(max_id(&conn).unwrap(), Some(10));
        let a = vec!["a".to_string()];
        let ab = vec!["a".to_string(), "b".to_string()];
        let ids = |v: Vec<Message>| v.into_iter().map(|m| m.id).collect::<Vec<_>>();
        let eids = |v: Vec<Entry>| v.into_iter().map(|e| e.id()).collect::<Vec<_>>();
        assert_eq!(
            eids(messages_after(&conn, &a, 2, None, 100).unwrap()),
            [3, 5, 7, 9]
        );
        assert_eq!(
            eids(messages_after(&conn, &ab, 2, Some(5), 100).unwrap()),
            [3, 4, 5]
        );
        assert_eq!(
            eids(messages_after(&conn, &ab, 0, None, 2).unwrap()),
            [1, 2]
        );
        assert_eq!(replay_after(&conn, &ab, 8, 3).unwrap(), 5);
        assert_eq!(replay_after(&conn, &a, 8, 2).unwrap(), 4);
        assert_eq!(replay_after(&conn, &a, 8, 4).unwrap(), 0);
        assert_eq!(replay_after(&conn, &a, 8, 5).unwrap(), 0);
        assert_eq!(replay_after(&conn, &a, 8, 0).unwrap(), 8);
        assert_eq!(
            eids(
                messages_after(
                    &conn,
                    &ab,
                    replay_after(&conn, &ab, 8, 3).unwrap(),
                    Some(8),
                    100
                )
                .unwrap()
            ),
            [6, 7, 8]
        );
        let (page, more) = room_history(&conn, "a", None, 2).unwrap();
        assert_eq!((ids(page), more), (vec![7, 9], true));
        let (page, more) = room_history(&conn, "a", Some(7), 10).unwrap();
        assert_eq!((ids(page), more), (vec![1, 3, 5], false));
    }

    #[test]
    fn search_finds_text_in_one_room_newest_first() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(SCHEMA).unwrap();
        migrate(&conn).unwrap();
        for (room, text) in [
            ("a", "Deploy at noon"),
            ("b", "deploy here"),
            ("a", "100% done_ok"),
            ("a", "the DEPLOY worked"),
        ] {
            insert_message(&mut conn, new(room, text, None), |_| {}).unwrap();
        }
        let texts = |q: &str| -> Vec<String> {
            search_room(&conn, "a", q, 10)
                .unwrap()
                .into_iter()
                .map(|m| m.text)
                .collect()
        };
        assert_eq!(texts("deploy"), ["the DEPLOY worked", "Deploy at noon"]);
        assert_eq!(texts("%"), ["100% done_ok"], "wildcards are literal");
        assert_eq!(texts("_"), ["100% done_ok"]);
        assert!(texts("nothing").is_empty());
        assert_eq!(search_room(&conn, "a", "e", 1).unwrap().len(), 1);
    }

    #[test]
    fn client_id_is_idempotent() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(SCHEMA).unwrap();
        migrate(&conn).unwrap();
        let mut published = 0;
        let (first, created) =
            insert_message(&mut conn, new("a", "x", Some("k1")), |_| published += 1).unwrap();
        assert!(created);
        let (again, created) =
            insert_message(&mut conn, new("b", "y", Some("k1")), |_| published += 1).unwrap();
        assert!(!created);
        assert_eq!(first, again);
        assert_eq!(published, 1);
    }
}
