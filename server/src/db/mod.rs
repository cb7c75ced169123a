//! SQLite storage.
//!
//! Two connections, each behind a `tokio::sync::Mutex` that a call awaits
//! *before* it moves to the blocking thread pool, so waiting callers are
//! parked tasks, never blocked threads, and at most one blocking thread per
//! connection is busy at a time:
//!
//! - the **writer** does every insert. A single writer gives a total order
//!   of inserts, and the hub relies on it: a message is inserted and
//!   broadcast while the writer lock is held, so broadcast order == id order.
//! - the **reader** (a read-only connection; WAL lets it read while the
//!   writer writes) serves replay, refill and history reads, so reads never
//!   queue behind writes. A committed insert is visible to the reader before
//!   the hub learns its id, so a stream that knows an id can always read it.
//!
//! An in-memory database (`--memory`) cannot be shared between connections
//! without SQLite's shared-cache mode and its table locks, so there the
//! reader is the writer.
//!
//! This module owns the connections; the table and its queries live in
//! [`queries`], the typed errors in [`error`]. Nothing here knows about
//! HTTP: callers map a [`DbError`] to whatever their clients should see.

pub mod changes;
pub mod error;
pub mod queries;

use std::path::Path;
use std::sync::Arc;

use rusqlite::{Connection, OpenFlags};
use tokio::sync::Mutex;

use crate::config::DbLocation;

pub use changes::{check_reply, delete_message, edit_message, react, Changed, Refusal};
pub use error::{DbError, DbSetupError};
pub use queries::{
    by_client_id, insert_message, max_id, messages_after, replay_after, room_history, search_room,
    timestamp_ms, Entry, Message, NewMessage,
};

const BUSY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

/// One connection; `None` once closed at shutdown (later calls fail with
/// [`DbError::Closed`]).
type Slot = Arc<Mutex<Option<Connection>>>;

/// Handle to the database; cheap to clone.
#[derive(Clone)]
pub struct Db {
    writer: Slot,
    /// The same `Arc` as `writer` for an in-memory database.
    reader: Slot,
}

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Db")
            .field("separate_reader", &!Arc::ptr_eq(&self.writer, &self.reader))
            .finish_non_exhaustive()
    }
}

impl Db {
    /// Opens (creating if needed) the database and its schema, then the
    /// read-only connection (file databases only).
    pub fn open(location: &DbLocation) -> Result<Db, DbSetupError> {
        match location {
            DbLocation::Memory => {
                let conn = Connection::open_in_memory().map_err(DbSetupError::OpenMemory)?;
                create_schema(&conn)?;
                let slot = Arc::new(Mutex::new(Some(conn)));
                Ok(Db {
                    writer: Arc::clone(&slot),
                    reader: slot,
                })
            }
            DbLocation::File(path) => {
                let writer = open_file(path)?;
                create_schema(&writer)?;
                // Opened after the writer switched the file to WAL mode and
                // created the schema, so the -wal/-shm files exist.
                let reader = open_reader(path)?;
                Ok(Db {
                    writer: Arc::new(Mutex::new(Some(writer))),
                    reader: Arc::new(Mutex::new(Some(reader))),
                })
            }
        }
    }

    /// True when reads use their own connection (file databases).
    pub fn has_separate_reader(&self) -> bool {
        !Arc::ptr_eq(&self.writer, &self.reader)
    }

    /// The newest message id, read on the calling thread. Only for startup,
    /// before the server handles requests.
    pub fn max_id_blocking(&self) -> Result<Option<i64>, DbError> {
        let guard = self.writer.try_lock().map_err(DbError::InUse)?;
        let conn = guard.as_ref().ok_or(DbError::Closed)?;
        Ok(max_id(conn)?)
    }

    /// Runs `f` with the writer connection on the blocking thread pool.
    /// Calls run one at a time, in the order they acquired the lock.
    pub async fn write<R, F>(&self, f: F) -> Result<R, DbError>
    where
        R: Send + 'static,
        F: FnOnce(&mut Connection) -> rusqlite::Result<R> + Send + 'static,
    {
        run(&self.writer, f).await
    }

    /// Runs the read-only `f` with the reader connection (the writer for an
    /// in-memory database) on the blocking thread pool.
    pub async fn read<R, F>(&self, f: F) -> Result<R, DbError>
    where
        R: Send + 'static,
        F: FnOnce(&Connection) -> rusqlite::Result<R> + Send + 'static,
    {
        run(&self.reader, move |conn: &mut Connection| f(conn)).await
    }

    /// Closes the reader, checkpoints the WAL into the main file and closes
    /// the writer. Waits for a running call to finish; later calls fail with
    /// [`DbError::Closed`].
    pub async fn close(&self) -> Result<(), DbSetupError> {
        let reader = if self.has_separate_reader() {
            Arc::clone(&self.reader).lock_owned().await.take()
        } else {
            None
        };
        let writer = Arc::clone(&self.writer).lock_owned().await.take();
        tokio::task::spawn_blocking(move || -> Result<(), DbSetupError> {
            if let Some(reader) = reader {
                reader
                    .close()
                    .map_err(|(_, err)| DbSetupError::CloseReader(err))?;
            }
            let Some(conn) = writer else {
                return Ok(());
            };
            // TRUNCATE leaves an empty -wal file (and closing the last
            // connection removes it), so the .db file alone is complete and
            // consistent after a clean shutdown.
            conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
                .map_err(DbSetupError::Checkpoint)?;
            conn.close().map_err(|(_, err)| DbSetupError::Close(err))?;
            Ok(())
        })
        .await
        .map_err(DbSetupError::CloseTask)?
    }
}

/// Waits for the connection in `slot` without holding a thread, then runs
/// `f` on the blocking pool while keeping the lock.
async fn run<R, F>(slot: &Slot, f: F) -> Result<R, DbError>
where
    R: Send + 'static,
    F: FnOnce(&mut Connection) -> rusqlite::Result<R> + Send + 'static,
{
    let mut guard = Arc::clone(slot).lock_owned().await;
    // If the caller is cancelled while `f` runs, the task still finishes and
    // only then releases the lock: a statement is never interrupted.
    let joined = tokio::task::spawn_blocking(move || match guard.as_mut() {
        // Logged here, where the SQLite details are known; callers only
        // learn that the statement failed.
        Some(conn) => f(conn).map_err(|err| {
            tracing::error!(error = %err, "database error");
            DbError::Sqlite(err)
        }),
        None => Err(DbError::Closed),
    })
    .await;
    joined.unwrap_or_else(|err| {
        tracing::error!(error = %err, "database task failed");
        Err(DbError::Task(err))
    })
}

fn create_schema(conn: &Connection) -> Result<(), DbSetupError> {
    conn.execute_batch(queries::SCHEMA)
        .and_then(|()| queries::migrate(conn))
        .map_err(DbSetupError::Schema)
}

fn open_file(path: &Path) -> Result<Connection, DbSetupError> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|source| DbSetupError::CreateDir {
            dir: parent.to_owned(),
            source,
        })?;
    }
    let conn = Connection::open(path).map_err(|source| DbSetupError::Open {
        path: path.to_owned(),
        source,
    })?;
    conn.busy_timeout(BUSY_TIMEOUT)
        .map_err(DbSetupError::BusyTimeout)?;
    let mode: String = conn
        .query_row("PRAGMA journal_mode=WAL", [], |row| row.get(0))
        .map_err(|source| DbSetupError::EnableWal {
            path: path.to_owned(),
            source,
        })?;
    if !mode.eq_ignore_ascii_case("wal") {
        tracing::warn!(%mode, "SQLite did not switch to WAL mode");
    }
    // FULL syncs the WAL on every commit, so a message that was answered
    // with 201 survives an OS crash or power loss too. With NORMAL the last
    // commits could be lost, and their ids handed out again to different
    // messages, which resuming clients would then skip as already seen.
    conn.pragma_update(None, "synchronous", "FULL")
        .map_err(DbSetupError::Synchronous)?;
    Ok(conn)
}

fn open_reader(path: &Path) -> Result<Connection, DbSetupError> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|source| DbSetupError::OpenReader {
        path: path.to_owned(),
        source,
    })?;
    conn.busy_timeout(BUSY_TIMEOUT)
        .map_err(DbSetupError::BusyTimeout)?;
    Ok(conn)
}
