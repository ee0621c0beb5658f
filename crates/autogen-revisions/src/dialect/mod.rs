//! The runner's dialect layer: the one place that matches on the connection's dialect. Each
//! dialect module implements the same small set of operations (lock, unlock, create the version
//! tables, read the applied revisions, apply one revision) with that database's transaction and
//! locking rules. The planning (what to apply, in which order) stays in `runner.rs`.

mod mysql;
mod postgres;
mod sqlite;

use autogen_db::Connection;

use crate::error::{Direction, StatementFailure};
use crate::file::Revision;
use crate::runner::AppliedRevision;
use crate::RunError;

/// One revision to apply or revert, with its statements already split for the dialect.
pub(crate) struct Step<'a> {
    pub revision: &'a Revision,
    pub direction: Direction,
    pub statements: Vec<String>,
    /// The timestamp recorded in the version table.
    pub applied_at: String,
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

pub(crate) async fn lock(conn: &mut Connection) -> Result<(), RunError> {
    match conn {
        Connection::Sqlite(_) => Ok(()),
        Connection::Postgres(c) => postgres::lock(c).await,
        Connection::Mysql(c) => mysql::lock(c).await,
    }
}

pub(crate) async fn unlock(conn: &mut Connection) -> Result<(), RunError> {
    match conn {
        Connection::Sqlite(_) => Ok(()),
        Connection::Postgres(c) => postgres::unlock(c).await,
        Connection::Mysql(c) => mysql::unlock(c).await,
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
