//! The runner's dialect layer: the one place that matches on the connection's dialect. Each
//! dialect module implements the same small set of operations (try the lock, unlock, create the
//! version tables, read the applied revisions, apply one revision) with that database's
//! transaction and locking rules. Waiting for a busy lock (and saying so) is done once, here.
//! The planning (what to apply, in which order) stays in `runner.rs`.

mod mysql;
mod postgres;
mod sqlite;
mod sqlite_lock;
mod sqlite_rebuild;

use std::time::Instant;

use autogen_db::Connection;

use crate::error::{Direction, StatementFailure};
use crate::file::Revision;
use crate::observe::{RunEvent, RunObserver, FIRST_WAIT_REPORT, LOCK_POLL, WAIT_REPORT_EVERY};
use crate::runner::{AppliedRevision, PartialRevision};
use crate::RunError;

/// One revision to apply or revert, with its statements already split for the dialect.
pub(crate) struct Step<'a> {
    pub revision: &'a Revision,
    pub direction: Direction,
    pub statements: Vec<String>,
    /// The timestamp recorded in the version table.
    pub applied_at: String,
    /// Asked between statements whether the run should stop.
    pub observer: &'a dyn RunObserver,
    /// How the user settled a statement whose outcome an earlier, killed run left unknown
    /// (MySQL/MariaDB only).
    pub resolve_interrupted: Option<crate::runner::Resolution>,
}

/// Holds the migration lock until [`unlock`]. PostgreSQL and MySQL/MariaDB hold theirs in the
/// server session; SQLite holds a lock on the database file.
pub(crate) enum LockGuard {
    Session,
    File(sqlite_lock::FileLock),
    /// An in-memory SQLite database: no other process can reach it.
    Nothing,
}

/// What applying a step did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    Done,
    /// Another run applied (or reverted) the revision first; nothing was done.
    Skipped,
}

/// How `stamp` rewrites the version table, computed by the runner from the applied rows.
pub(crate) struct StampPlan {
    /// Revisions to forget.
    pub delete: Vec<String>,
    /// Recorded revisions whose checksum changes: (id, checksum).
    pub update: Vec<(String, String)>,
    /// Revisions to record: (id, checksum).
    pub insert: Vec<(String, String)>,
    pub applied_at: String,
    /// Whether MySQL's `autogen_progress` is emptied too: a stamp asserts the database's whole
    /// state; accepting an edited checksum during an upgrade does not.
    pub clear_progress: bool,
}

/// The version table's DDL; the same types on every dialect (`varchar` is accepted by all three).
pub(crate) const CREATE_VERSION_TABLE: &str = "CREATE TABLE IF NOT EXISTS autogen_version (\
revision varchar(32) NOT NULL PRIMARY KEY, \
checksum varchar(64) NOT NULL, \
applied_at varchar(40) NOT NULL)";

pub(crate) const SELECT_APPLIED: &str =
    "SELECT revision, checksum, applied_at FROM autogen_version ORDER BY applied_at, revision";

/// Takes the migration lock, waiting as long as another run holds it. The wait is reported to
/// `observer` after one second and then every few seconds; a stop request ends it.
pub(crate) async fn lock(
    conn: &mut Connection,
    observer: &dyn RunObserver,
) -> Result<LockGuard, RunError> {
    let started = Instant::now();
    let mut next_report = FIRST_WAIT_REPORT;
    let mut reported = false;
    loop {
        let got = match conn {
            Connection::Sqlite(c) => sqlite_lock::try_lock(c).await?,
            Connection::Postgres(c) => postgres::try_lock(c).await?.then_some(LockGuard::Session),
            Connection::Mysql(c) => mysql::try_lock(c).await?.then_some(LockGuard::Session),
        };
        if let Some(guard) = got {
            if reported {
                observer.event(RunEvent::LockAcquired {
                    waited: started.elapsed(),
                });
            }
            return Ok(guard);
        }
        if observer.stop_requested() {
            return Err(RunError::Interrupted {
                completed: Vec::new(),
                detail:
                    "stopped while waiting for another run's migration lock; nothing was changed"
                        .into(),
            });
        }
        let waited = started.elapsed();
        if waited >= next_report {
            observer.event(RunEvent::WaitingForLock { waited });
            reported = true;
            next_report = waited + WAIT_REPORT_EVERY;
        }
        tokio::time::sleep(LOCK_POLL).await;
    }
}

pub(crate) async fn unlock(conn: &mut Connection, guard: LockGuard) -> Result<(), RunError> {
    match (conn, guard) {
        (_, LockGuard::Nothing) => Ok(()),
        (_, LockGuard::File(lock)) => lock.release(),
        (Connection::Sqlite(_), LockGuard::Session) => Ok(()),
        (Connection::Postgres(c), LockGuard::Session) => postgres::unlock(c).await,
        (Connection::Mysql(c), LockGuard::Session) => mysql::unlock(c).await,
    }
}

pub(crate) async fn ensure_tables(conn: &mut Connection) -> Result<(), RunError> {
    match conn {
        Connection::Sqlite(c) => sqlite::ensure_tables(c).await,
        Connection::Postgres(c) => postgres::ensure_tables(c).await,
        Connection::Mysql(c) => mysql::ensure_tables(c).await,
    }
}

/// The applied revisions; empty when the version table does not exist (nothing is created).
pub(crate) async fn read_applied(conn: &mut Connection) -> Result<Vec<AppliedRevision>, RunError> {
    match conn {
        Connection::Sqlite(c) => sqlite::read_applied(c).await,
        Connection::Postgres(c) => postgres::read_applied(c).await,
        Connection::Mysql(c) => mysql::read_applied(c).await,
    }
}

/// Fails when a revision is recorded as partially applied and `next` (the first revision the
/// plan would run, in `direction`) is not the one that can resume it. Only MySQL/MariaDB ever
/// has partially applied revisions.
pub(crate) async fn check_partial(
    conn: &mut Connection,
    next: Option<&Revision>,
    direction: Direction,
) -> Result<(), RunError> {
    match conn {
        Connection::Sqlite(_) | Connection::Postgres(_) => Ok(()),
        Connection::Mysql(c) => mysql::check_partial(c, next, direction).await,
    }
}

/// Checks a plan as a whole before anything of it runs: on SQLite, a rebuild that a revision of
/// another branch earlier in the plan would make lose data.
pub(crate) fn check_plan(
    conn: &Connection,
    set: &crate::graph::RevisionSet,
    plan: &[&Revision],
    direction: Direction,
) -> Result<(), RunError> {
    match (conn, direction) {
        (Connection::Sqlite(_), Direction::Upgrade) => sqlite_rebuild::check_plan(set, plan),
        _ => Ok(()),
    }
}

/// Adds what the whole revision set knows to an error of one revision (which other revision
/// added the columns a SQLite rebuild did not expect).
pub(crate) fn explain(set: &crate::graph::RevisionSet, error: RunError) -> RunError {
    sqlite_rebuild::explain(set, error)
}

/// The revisions recorded as partially applied (MySQL/MariaDB; always empty elsewhere, where a
/// revision is one transaction). Creates nothing.
pub(crate) async fn partial(conn: &mut Connection) -> Result<Vec<PartialRevision>, RunError> {
    match conn {
        Connection::Sqlite(_) | Connection::Postgres(_) => Ok(Vec::new()),
        Connection::Mysql(c) => mysql::partial(c).await,
    }
}

pub(crate) async fn apply(conn: &mut Connection, step: &Step<'_>) -> Result<Outcome, RunError> {
    match conn {
        Connection::Sqlite(c) => sqlite::apply(c, step).await,
        Connection::Postgres(c) => postgres::apply(c, step).await,
        Connection::Mysql(c) => mysql::apply(c, step).await,
    }
}

/// Rewrites the version table in one transaction, running no revision SQL. On MySQL/MariaDB it
/// also clears `autogen_progress` when the plan says so.
pub(crate) async fn stamp(conn: &mut Connection, plan: &StampPlan) -> Result<(), RunError> {
    let result = match conn {
        Connection::Sqlite(c) => sqlite::stamp(c, plan).await,
        Connection::Postgres(c) => postgres::stamp(c, plan).await,
        Connection::Mysql(c) => mysql::stamp(c, plan).await,
    };
    result.map_err(db_error(
        "rewriting the version table autogen_version (stamp); nothing was changed",
    ))
}

/// A `RunError::Database` for one of the runner's own queries.
pub(crate) fn db_error(context: impl Into<String>) -> impl FnOnce(sqlx::Error) -> RunError {
    let context = context.into();
    move |source| RunError::Database {
        context,
        source: Box::new(source),
    }
}

/// The error for a failed statement of a revision whose transaction was rolled back.
pub(crate) fn statement_error(step: &Step<'_>, index: usize, source: sqlx::Error) -> RunError {
    RunError::Statement(Box::new(failure(step, index, source)))
}

/// The error for a stop request honoured before statement `index` (0-based) of a revision that
/// runs in one transaction: the transaction is rolled back by the caller.
pub(crate) fn interrupted_in_transaction(step: &Step<'_>, index: usize) -> RunError {
    RunError::Interrupted {
        completed: Vec::new(),
        detail: format!(
            "{} of revision {} was stopped before statement {} of {} and rolled back; nothing of it was applied",
            step.direction,
            step.revision.id,
            index + 1,
            step.statements.len()
        ),
    }
}

/// Which statement (0-based `index`) of `step` failed, with the database's error.
pub(crate) fn failure(step: &Step<'_>, index: usize, source: sqlx::Error) -> StatementFailure {
    StatementFailure {
        revision: step.revision.id.clone(),
        path: step.revision.path.clone(),
        direction: step.direction,
        index: index + 1,
        total: step.statements.len(),
        statement: step.statements.get(index).cloned().unwrap_or_default(),
        source,
    }
}

/// Drops everything in the connection's database (PostgreSQL: in `pg_schema`, else the current
/// schema). Only for scratch databases.
pub(crate) async fn clean(conn: &mut Connection, pg_schema: Option<&str>) -> Result<(), RunError> {
    let result = match conn {
        Connection::Sqlite(c) => sqlite::clean(c).await,
        Connection::Postgres(c) => postgres::clean(c, pg_schema).await,
        Connection::Mysql(c) => mysql::clean(c).await,
    };
    result.map_err(db_error("emptying the scratch (dev) database"))
}
