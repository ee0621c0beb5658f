//! SQLite's migration lock: an advisory `flock` on the database file, held for a whole upgrade,
//! downgrade or stamp, so a run reads the version table, plans and applies with no other run in
//! between (an upgrade and a downgrade started together must not both plan from the same state).
//!
//! SQLite's own write lock cannot serve: it lives only as long as one transaction, and a run is
//! several transactions (one per revision, with `PRAGMA foreign_keys` switched between them,
//! which SQLite refuses inside a transaction). A lock row in a table would outlive a killed
//! process. `flock` is released by the kernel when the process dies, and on Linux and the BSDs it
//! is independent of the POSIX `fcntl` range locks SQLite itself takes on the same file, so the
//! two never interfere. (On network file systems that emulate `flock` with `fcntl` they would;
//! SQLite discourages those file systems anyway.)
//!
//! One trap shapes this file: closing ANY descriptor of a file drops every POSIX lock the process
//! holds on it, SQLite's included. So the descriptor opened for the lock is never closed: it is
//! kept, per file, in a process-wide table and unlocked with `LOCK_UN` instead. The same table
//! makes the lock exclusive between runs inside one process (two `Migrator`s on threads), which
//! `flock` on one shared descriptor would not be.

use std::fs::{File, TryLockError};
use std::os::unix::fs::MetadataExt;
use std::sync::{Arc, Mutex, PoisonError};

use sqlx::sqlite::SqliteConnection;

use super::{db_error, LockGuard};
use crate::RunError;

/// One database file's lock descriptor and whether a run in this process holds it.
struct Entry {
    dev: u64,
    ino: u64,
    file: Arc<File>,
    held: bool,
}

static FILES: Mutex<Vec<Entry>> = Mutex::new(Vec::new());

/// The held lock of one database file.
pub(crate) struct FileLock {
    dev: u64,
    ino: u64,
    file: Arc<File>,
    path: String,
}

impl FileLock {
    pub(crate) fn release(self) -> Result<(), RunError> {
        let unlocked = self.file.unlock();
        let mut files = FILES.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(e) = files
            .iter_mut()
            .find(|e| e.dev == self.dev && e.ino == self.ino)
        {
            e.held = false;
        }
        unlocked.map_err(|e| RunError::Lock {
            message: format!("releasing the lock on {}: {e}", self.path),
        })
    }
}

/// Tries once to take the lock of the connection's database file: `None` while another run
/// holds it. An in-memory or temporary database needs no lock.
pub(super) async fn try_lock(conn: &mut SqliteConnection) -> Result<Option<LockGuard>, RunError> {
    let path: Option<String> =
        sqlx::query_scalar("SELECT file FROM pragma_database_list WHERE name = 'main'")
            .fetch_optional(&mut *conn)
            .await
            .map_err(db_error("finding the database file (PRAGMA database_list)"))?;
    let Some(path) = path.filter(|p| !p.is_empty()) else {
        return Ok(Some(LockGuard::Nothing));
    };
    let lock_error = |e: std::io::Error| RunError::Lock {
        message: format!("locking {path}: {e}"),
    };
    let meta = std::fs::metadata(&path).map_err(lock_error)?;
    let (dev, ino) = (meta.dev(), meta.ino());
    let mut files = FILES.lock().unwrap_or_else(PoisonError::into_inner);
    let index = match files.iter().position(|e| e.dev == dev && e.ino == ino) {
        Some(i) => i,
        None => {
            let file = File::open(&path).map_err(lock_error)?;
            files.push(Entry {
                dev,
                ino,
                file: Arc::new(file),
                held: false,
            });
            files.len() - 1
        }
    };
    let entry = &mut files[index];
    if entry.held {
        return Ok(None);
    }
    match entry.file.try_lock() {
        Ok(()) => {
            entry.held = true;
            Ok(Some(LockGuard::File(FileLock {
                dev,
                ino,
                file: Arc::clone(&entry.file),
                path,
            })))
        }
        Err(TryLockError::WouldBlock) => Ok(None),
        Err(TryLockError::Error(e)) => Err(lock_error(e)),
    }
}
