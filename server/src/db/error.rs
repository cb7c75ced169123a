//! Typed storage errors.
//!
//! The storage layer says *what* failed; the HTTP layer (`crate::error`)
//! decides which status a client sees, and `main` prints the chain of
//! sources for startup and shutdown failures, so each message here names one
//! step and leaves the cause to its source.

use std::path::PathBuf;

use tokio::sync::TryLockError;
use tokio::task::JoinError;

/// Why a database call ([`Db::read`](super::Db::read),
/// [`Db::write`](super::Db::write), ...) failed.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// The connection was closed at shutdown.
    #[error("the database is closed")]
    Closed,
    /// A startup read found the connection already taken.
    #[error("the database is already in use")]
    InUse(#[source] TryLockError),
    /// SQLite refused or failed a statement.
    #[error(transparent)]
    Sqlite(#[from] rusqlite::Error),
    /// The blocking task running the statement panicked or was cancelled.
    #[error("database task failed")]
    Task(#[source] JoinError),
}

/// Why opening or closing the database failed.
#[derive(Debug, thiserror::Error)]
pub enum DbSetupError {
    /// `--memory`: SQLite could not create the database.
    #[error("could not open an in-memory SQLite database")]
    OpenMemory(#[source] rusqlite::Error),
    /// The directory that should hold the database file.
    #[error("could not create the database directory {}", .dir.display())]
    CreateDir {
        /// The directory.
        dir: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The database file (writer connection).
    #[error("could not open the database {}", .path.display())]
    Open {
        /// The database file.
        path: PathBuf,
        /// The SQLite error.
        #[source]
        source: rusqlite::Error,
    },
    /// `PRAGMA journal_mode=WAL` failed.
    #[error("could not enable WAL mode on {}", .path.display())]
    EnableWal {
        /// The database file.
        path: PathBuf,
        /// The SQLite error.
        #[source]
        source: rusqlite::Error,
    },
    /// The read-only connection of a file database.
    #[error("could not open a read-only connection to {}", .path.display())]
    OpenReader {
        /// The database file.
        path: PathBuf,
        /// The SQLite error.
        #[source]
        source: rusqlite::Error,
    },
    /// Setting the busy timeout of a connection failed.
    #[error("could not set the busy timeout")]
    BusyTimeout(#[source] rusqlite::Error),
    /// `PRAGMA synchronous=FULL` failed.
    #[error("could not set synchronous=FULL")]
    Synchronous(#[source] rusqlite::Error),
    /// The schema could not be created.
    #[error("could not create the database schema")]
    Schema(#[source] rusqlite::Error),
    /// Closing the read-only connection failed.
    #[error("could not close the read-only database connection")]
    CloseReader(#[source] rusqlite::Error),
    /// The final WAL checkpoint failed.
    #[error("could not checkpoint the database")]
    Checkpoint(#[source] rusqlite::Error),
    /// Closing the writer connection failed.
    #[error("could not close the database")]
    Close(#[source] rusqlite::Error),
    /// The blocking task closing the database panicked or was cancelled.
    #[error("database close task failed")]
    CloseTask(#[source] JoinError),
}
