//! Changes to stored messages: edit, delete (a tombstone), reactions, and
//! the check that a reply answers a message that can be answered.
//!
//! Each change that alters something writes its own log row (see
//! [`queries`](super::queries)) and returns the message as it is now with
//! that row's id, for the caller to broadcast while the writer lock is
//! still held. A change that alters nothing (the same text again, a second
//! delete, a reaction that is already there) writes nothing and returns
//! `None` as the change id: retrying a request is harmless.

use rusqlite::{params, Connection};

#[cfg(test)]
use super::queries::parse_reactions;
use super::queries::{message_by_id, timestamp_ms, Message, Reaction};

/// Distinct emoji one message can carry.
pub const MAX_EMOJI_PER_MESSAGE: usize = 20;

/// Why a change was refused (the HTTP layer words it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// No message with that id (or the id of a change row).
    NotFound,
    /// Only the author may edit or delete a message.
    NotAuthor,
    /// The message was deleted: nothing more can be done to it.
    Deleted,
    /// A reply must answer a message of the same room.
    OtherRoom,
    /// The message already carries [`MAX_EMOJI_PER_MESSAGE`] different emoji.
    TooManyEmoji,
}

/// What a change did: the message now, and the id of the log row written
/// for it (`None` when nothing changed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Changed {
    /// The message as it is now.
    pub message: Message,
    /// The change row written, if anything changed.
    pub change_id: Option<i64>,
}

/// What a change returns: a database error, or what it did or why not.
pub type Outcome = rusqlite::Result<Result<Changed, Refusal>>;

/// The message `id`, if it exists and is not a tombstone.
fn live(conn: &Connection, id: i64) -> rusqlite::Result<Result<Message, Refusal>> {
    Ok(match message_by_id(conn, id)? {
        None => Err(Refusal::NotFound),
        Some(m) if m.deleted => Err(Refusal::Deleted),
        Some(m) => Ok(m),
    })
}

/// Whether a new message in `room` may answer message `id`.
pub fn check_reply(
    conn: &Connection,
    room: &str,
    id: i64,
) -> rusqlite::Result<Result<(), Refusal>> {
    Ok(live(conn, id)?.and_then(|m| {
        if m.room == room {
            Ok(())
        } else {
            Err(Refusal::OtherRoom)
        }
    }))
}

/// Writes the change row for message `m`, commits, and only then
/// publishes the message as it is now: a stream that learns the change's
/// id can always read it (see `db/mod.rs`), and a failed commit publishes
/// nothing.
fn record(
    tx: rusqlite::Transaction<'_>,
    m: &Message,
    user: &str,
    published: impl FnOnce(i64, &Message),
) -> Outcome {
    tx.prepare_cached(
        "INSERT INTO messages (room, user, text, ts, target) VALUES (?1, ?2, '', ?3, ?4)",
    )?
    .execute(params![m.room, user, timestamp_ms(), m.id])?;
    let change_id = tx.last_insert_rowid();
    let message = message_by_id(&tx, m.id)?.ok_or(rusqlite::Error::QueryReturnedNoRows)?;
    tx.commit()?;
    published(change_id, &message);
    Ok(Ok(Changed {
        message,
        change_id: Some(change_id),
    }))
}

fn unchanged(message: Message) -> Outcome {
    Ok(Ok(Changed {
        message,
        change_id: None,
    }))
}

/// Replaces the text of message `id`, written by `user`.
pub fn edit_message(
    conn: &mut Connection,
    id: i64,
    user: &str,
    text: &str,
    published: impl FnOnce(i64, &Message),
) -> Outcome {
    let m = match live(conn, id)? {
        Ok(m) if m.user != user => return Ok(Err(Refusal::NotAuthor)),
        Ok(m) => m,
        Err(refusal) => return Ok(Err(refusal)),
    };
    if m.text == text {
        return unchanged(m);
    }
    let tx = conn.transaction()?;
    tx.prepare_cached("UPDATE messages SET text = ?1, edited_at = ?2 WHERE id = ?3")?
        .execute(params![text, timestamp_ms(), id])?;
    record(tx, &m, user, published)
}

/// Deletes message `id`, written by `user`: its text and reactions go, the
/// row stays as a tombstone (replies keep pointing at it).
pub fn delete_message(
    conn: &mut Connection,
    id: i64,
    user: &str,
    published: impl FnOnce(i64, &Message),
) -> Outcome {
    let m = match message_by_id(conn, id)? {
        None => return Ok(Err(Refusal::NotFound)),
        Some(m) if m.user != user => return Ok(Err(Refusal::NotAuthor)),
        Some(m) if m.deleted => return unchanged(m),
        Some(m) => m,
    };
    let tx = conn.transaction()?;
    tx.prepare_cached(
        "UPDATE messages SET text = '', deleted = 1, reactions = '[]' WHERE id = ?1",
    )?
    .execute(params![id])?;
    record(tx, &m, user, published)
}

/// Adds (`on`) or removes `user`'s `emoji` on message `id`.
pub fn react(
    conn: &mut Connection,
    id: i64,
    user: &str,
    emoji: &str,
    on: bool,
    published: impl FnOnce(i64, &Message),
) -> Outcome {
    let m = match live(conn, id)? {
        Ok(m) => m,
        Err(refusal) => return Ok(Err(refusal)),
    };
    let mut reactions = m.reactions.clone();
    match toggle(&mut reactions, emoji, user, on) {
        Toggle::Unchanged => return unchanged(m),
        Toggle::Full => return Ok(Err(Refusal::TooManyEmoji)),
        Toggle::Changed => {}
    }
    let json = serde_json::to_string(&reactions)
        .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
    let tx = conn.transaction()?;
    tx.prepare_cached("UPDATE messages SET reactions = ?1 WHERE id = ?2")?
        .execute(params![json, id])?;
    record(tx, &m, user, published)
}

#[derive(Debug, PartialEq, Eq)]
enum Toggle {
    Changed,
    Unchanged,
    Full,
}

/// Sets whether `user` reacted with `emoji`; an emoji nobody uses any more
/// disappears, a new one goes last.
fn toggle(reactions: &mut Vec<Reaction>, emoji: &str, user: &str, on: bool) -> Toggle {
    let at = reactions.iter().position(|r| r.emoji == emoji);
    match (at, on) {
        (None, false) => Toggle::Unchanged,
        (None, true) if reactions.len() >= MAX_EMOJI_PER_MESSAGE => Toggle::Full,
        (None, true) => {
            reactions.push(Reaction {
                emoji: emoji.to_owned(),
                users: vec![user.to_owned()],
            });
            Toggle::Changed
        }
        (Some(i), on) => {
            let users = &mut reactions[i].users;
            let has = users.iter().any(|u| u == user);
            if has == on {
                return Toggle::Unchanged;
            }
            if on {
                users.push(user.to_owned());
            } else {
                users.retain(|u| u != user);
                if users.is_empty() {
                    reactions.remove(i);
                }
            }
            Toggle::Changed
        }
    }
}

/// The stored reactions of a row, for tests that look at the column.
#[cfg(test)]
fn stored_reactions(conn: &Connection, id: i64) -> Vec<Reaction> {
    let json: String = conn
        .query_row("SELECT reactions FROM messages WHERE id = ?1", [id], |r| {
            r.get(0)
        })
        .unwrap();
    parse_reactions(&json)
}

#[cfg(test)]
mod tests {
    use super::super::queries::{
        insert_message, messages_after, migrate, room_history, Entry, NewMessage, SCHEMA,
    };
    use super::*;

    fn db() -> Connection {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(SCHEMA).unwrap();
        migrate(&conn).unwrap();
        conn
    }

    fn say(
        conn: &mut Connection,
        room: &str,
        user: &str,
        text: &str,
        reply_to: Option<i64>,
    ) -> i64 {
        let new = NewMessage {
            room: room.into(),
            user: user.into(),
            text: text.into(),
            client_id: None,
            reply_to,
        };
        insert_message(conn, new, |_| {}).unwrap().0.id
    }

    fn changed(outcome: Outcome) -> Changed {
        outcome.unwrap().unwrap()
    }

    #[test]
    fn edits_and_deletes_are_the_authors_and_leave_a_tombstone() {
        let mut c = db();
        let id = say(&mut c, "a", "alice", "helo", None);
        assert_eq!(
            edit_message(&mut c, id, "bob", "x", |_, _| {}).unwrap(),
            Err(Refusal::NotAuthor)
        );
        let mut seen = Vec::new();
        let e = changed(edit_message(&mut c, id, "alice", "hello", |cid, m| {
            seen.push((cid, m.text.clone()))
        }));
        assert_eq!(e.message.text, "hello");
        assert!(e.message.edited_at.is_some());
        assert_eq!(seen, [(e.change_id.unwrap(), "hello".to_string())]);
        // The same text again changes nothing and writes nothing.
        let again = changed(edit_message(&mut c, id, "alice", "hello", |_, _| panic!()));
        assert_eq!(again.change_id, None);
        assert_eq!(
            delete_message(&mut c, id, "bob", |_, _| {}).unwrap(),
            Err(Refusal::NotAuthor)
        );
        let d = changed(delete_message(&mut c, id, "alice", |_, _| {}));
        assert!(d.message.deleted);
        assert_eq!(d.message.text, "");
        assert_eq!(
            changed(delete_message(&mut c, id, "alice", |_, _| panic!())).change_id,
            None
        );
        assert_eq!(
            edit_message(&mut c, id, "alice", "back", |_, _| {}).unwrap(),
            Err(Refusal::Deleted)
        );
        assert_eq!(
            edit_message(&mut c, 999, "alice", "x", |_, _| {}).unwrap(),
            Err(Refusal::NotFound)
        );
        // A change row's id is not a message.
        assert_eq!(
            edit_message(&mut c, d.change_id.unwrap(), "alice", "x", |_, _| {}).unwrap(),
            Err(Refusal::NotFound)
        );
        // History shows the tombstone in its place, not the change rows.
        let (page, _) = room_history(&c, "a", None, 10).unwrap();
        assert_eq!(page.len(), 1);
        assert!(page[0].deleted);
    }

    #[test]
    fn reactions_toggle_per_user_and_replay_as_current_state() {
        let mut c = db();
        let id = say(&mut c, "a", "alice", "hi", None);
        changed(react(&mut c, id, "bob", "👍", true, |_, _| {}));
        changed(react(&mut c, id, "alice", "👍", true, |_, _| {}));
        changed(react(&mut c, id, "alice", "🎉", true, |_, _| {}));
        assert_eq!(
            changed(react(&mut c, id, "bob", "👍", true, |_, _| panic!())).change_id,
            None
        );
        let r = changed(react(&mut c, id, "bob", "👍", false, |_, _| {}));
        assert_eq!(
            r.message.reactions,
            [
                Reaction {
                    emoji: "👍".into(),
                    users: vec!["alice".into()]
                },
                Reaction {
                    emoji: "🎉".into(),
                    users: vec!["alice".into()]
                },
            ]
        );
        changed(react(&mut c, id, "alice", "👍", false, |_, _| {}));
        assert_eq!(stored_reactions(&c, id).len(), 1);
        // A resumed replay: the message, then one update per change, each
        // with the state as it is now.
        let entries = messages_after(&c, &["a".to_string()], 0, None, 100).unwrap();
        assert!(matches!(entries[0], Entry::Message(_)));
        assert_eq!(entries.len(), 6);
        for e in &entries[1..] {
            assert_eq!(e.event(), "update");
            assert_eq!(e.message().reactions, stored_reactions(&c, id));
        }
        for n in 0..MAX_EMOJI_PER_MESSAGE - 1 {
            changed(react(&mut c, id, "bob", &format!("e{n}"), true, |_, _| {}));
        }
        assert_eq!(
            react(&mut c, id, "bob", "one-too-many", true, |_, _| {}).unwrap(),
            Err(Refusal::TooManyEmoji)
        );
        changed(delete_message(&mut c, id, "alice", |_, _| {}));
        assert!(stored_reactions(&c, id).is_empty());
        assert_eq!(
            react(&mut c, id, "bob", "👍", true, |_, _| {}).unwrap(),
            Err(Refusal::Deleted)
        );
    }

    #[test]
    fn replies_quote_the_original_as_it_is_now() {
        let mut c = db();
        let first = say(&mut c, "a", "alice", &"q".repeat(300), None);
        let other = say(&mut c, "b", "bob", "elsewhere", None);
        assert_eq!(check_reply(&c, "a", first).unwrap(), Ok(()));
        assert_eq!(
            check_reply(&c, "a", other).unwrap(),
            Err(Refusal::OtherRoom)
        );
        assert_eq!(check_reply(&c, "a", 999).unwrap(), Err(Refusal::NotFound));
        let reply = say(&mut c, "a", "bob", "yes", Some(first));
        let quoted = |c: &Connection| {
            let (page, _) = room_history(c, "a", None, 10).unwrap();
            page.into_iter()
                .find(|m| m.id == reply)
                .unwrap()
                .reply_to
                .unwrap()
        };
        let q = quoted(&c);
        assert_eq!((q.id, q.user.as_str()), (first, "alice"));
        assert_eq!(q.text.chars().count(), super::super::queries::QUOTE_CHARS);
        changed(delete_message(&mut c, first, "alice", |_, _| {}));
        let q = quoted(&c);
        assert!(q.deleted && q.text.is_empty());
        assert_eq!(check_reply(&c, "a", first).unwrap(), Err(Refusal::Deleted));
    }

    #[test]
    fn an_old_database_gains_the_new_columns() {
        let c = Connection::open_in_memory().unwrap();
        c.execute_batch(
            "CREATE TABLE messages (id INTEGER PRIMARY KEY AUTOINCREMENT, room TEXT NOT NULL, \
             user TEXT NOT NULL, text TEXT NOT NULL, ts INTEGER NOT NULL, client_id TEXT);
             INSERT INTO messages (room, user, text, ts) VALUES ('a', 'u', 'old', 1);",
        )
        .unwrap();
        c.execute_batch(SCHEMA).unwrap();
        migrate(&c).unwrap();
        migrate(&c).unwrap();
        let (page, _) = room_history(&c, "a", None, 10).unwrap();
        assert_eq!(page[0].text, "old");
        assert!(!page[0].deleted && page[0].reactions.is_empty());
    }
}
