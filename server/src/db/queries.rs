//! The `messages` table: its schema, the stored message type and every
//! query on it.
//!
//! Queries are plain functions of a borrowed connection, returning
//! `rusqlite` errors, so they run inside [`Db::read`](super::Db::read) /
//! [`Db::write`](super::Db::write) and unit tests can use a bare in-memory
//! connection.

use std::time::{SystemTime, UNIX_EPOCH};

use rusqlite::types::Value as SqlValue;
use rusqlite::{params, params_from_iter, Connection, OptionalExtension, Row};
use serde::Serialize;

/// A stored chat message, exactly as sent in `message` events and HTTP
/// responses.
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

const COLUMNS: &str = "id, room, user, text, ts, client_id";

/// Milliseconds since the Unix epoch, as used in every `ts` field.
pub fn timestamp_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

fn row_to_message(row: &Row<'_>) -> rusqlite::Result<Message> {
    Ok(Message {
        id: row.get(0)?,
        room: row.get(1)?,
        user: row.get(2)?,
        text: row.get(3)?,
        ts: row.get(4)?,
        client_id: row.get(5)?,
    })
}

fn by_client_id(conn: &Connection, client_id: &str) -> rusqlite::Result<Option<Message>> {
    conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM messages WHERE client_id = ?1"
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
        "INSERT INTO messages (room, user, text, ts, client_id) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![new.room, new.user, new.text, ts, new.client_id])?;
    let message = Message {
        id: conn.last_insert_rowid(),
        room: new.room,
        user: new.user,
        text: new.text,
        ts,
        client_id: new.client_id,
    };
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

/// Messages of `rooms` with `after < id <= upto` (no upper bound when `upto`
/// is `None`), ascending, at most `limit`.
pub fn messages_after(
    conn: &Connection,
    rooms: &[String],
    after: i64,
    upto: Option<i64>,
    limit: usize,
) -> rusqlite::Result<Vec<Message>> {
    let (placeholders, mut values) = room_params(rooms);
    values.push(SqlValue::Integer(after));
    values.push(SqlValue::Integer(upto.unwrap_or(i64::MAX)));
    values.push(SqlValue::Integer(i64::try_from(limit).unwrap_or(i64::MAX)));
    let sql = format!(
        "SELECT {COLUMNS} FROM messages WHERE room IN ({placeholders}) AND id > ? AND id <= ? \
         ORDER BY id ASC LIMIT ?"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(params_from_iter(values), row_to_message)?;
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
         ORDER BY id DESC LIMIT 1 OFFSET ?"
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
        "SELECT {COLUMNS} FROM messages WHERE room = ?1 AND id < ?2 ORDER BY id DESC LIMIT ?3"
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

#[cfg(test)]
mod tests {
    use super::*;

    fn new(room: &str, text: &str, client_id: Option<&str>) -> NewMessage {
        NewMessage {
            room: room.into(),
            user: "u".into(),
            text: text.into(),
            client_id: client_id.map(Into::into),
        }
    }

    #[test]
    fn queries() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(SCHEMA).unwrap();
        assert_eq!(max_id(&conn).unwrap(), None);
        for i in 0..10 {
            let room = if i % 2 == 0 { "a" } else { "b" };
            insert_message(&mut conn, new(room, &format!("m{i}"), None), |_| {}).unwrap();
        }
        assert_eq!(max_id(&conn).unwrap(), Some(10));
        let a = vec!["a".to_string()];
        let ab = vec!["a".to_string(), "b".to_string()];
        let ids = |v: Vec<Message>| v.into_iter().map(|m| m.id).collect::<Vec<_>>();
        assert_eq!(
            ids(messages_after(&conn, &a, 2, None, 100).unwrap()),
            [3, 5, 7, 9]
        );
        assert_eq!(
            ids(messages_after(&conn, &ab, 2, Some(5), 100).unwrap()),
            [3, 4, 5]
        );
        assert_eq!(ids(messages_after(&conn, &ab, 0, None, 2).unwrap()), [1, 2]);
        assert_eq!(replay_after(&conn, &ab, 8, 3).unwrap(), 5);
        assert_eq!(replay_after(&conn, &a, 8, 2).unwrap(), 4);
        assert_eq!(replay_after(&conn, &a, 8, 4).unwrap(), 0);
        assert_eq!(replay_after(&conn, &a, 8, 5).unwrap(), 0);
        assert_eq!(replay_after(&conn, &a, 8, 0).unwrap(), 8);
        assert_eq!(
            ids(messages_after(
                &conn,
                &ab,
                replay_after(&conn, &ab, 8, 3).unwrap(),
                Some(8),
                100
            )
            .unwrap()),
            [6, 7, 8]
        );
        let (page, more) = room_history(&conn, "a", None, 2).unwrap();
        assert_eq!((ids(page), more), (vec![7, 9], true));
        let (page, more) = room_history(&conn, "a", Some(7), 10).unwrap();
        assert_eq!((ids(page), more), (vec![1, 3, 5], false));
    }

    #[test]
    fn client_id_is_idempotent() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(SCHEMA).unwrap();
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
