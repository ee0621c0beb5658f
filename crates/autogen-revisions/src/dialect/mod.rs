//! The runner's dialect layer. Each dialect module implements [`Backend`] once for its driver
//! connection (try the lock, unlock, create the version tables, read the applied revisions,
//! apply one revision, stamp, empty a scratch database), the way sqlx's `Migrate` trait is
//! implemented per driver, and defines its [`Rules`] (how its SQL text reads for the splitter,
//! how an offline script wraps it). [`backend`] and [`rules`] are the only places that match on
//! the dialect. Waiting for a busy lock (and saying so) is done once, here; the planning (what
//! to apply, in which order) stays in `runner.rs`.

mod lock_retry;
mod mysql;
mod mysql_observed;
mod postgres;
mod postgres_concurrently;
mod postgres_observed;
mod progress;
mod segmented;
mod sqlite;
mod sqlite_lock;
mod sqlite_observed;
mod sqlite_rebuild;
mod words;

pub(crate) use progress::done_hash;

use std::future::Future;
use std::pin::Pin;
use std::time::Instant;

use autogen_db::Connection;

use crate::error::{Direction, StatementFailure};
use crate::file::Revision;
use crate::graph::RevisionSet;
use crate::observe::{RunEvent, RunObserver, FIRST_WAIT_REPORT, LOCK_POLL, WAIT_REPORT_EVERY};
use crate::runner::{AppliedRevision, PartialRevision};
use crate::RunError;

/// One revision to apply or revert, with its statements already split for the dialect.
pub(crate) struct Step<'a> {
    pub revision: &'a Revision,
    pub direction: Direction,
    pub statements: Vec<String>,
    /// For each statement, whether it runs alone, outside any transaction
    /// (`-- autogen:no-transaction`).
    pub alone: Vec<bool>,
    /// The timestamp recorded in the version table.
    pub applied_at: String,
    /// Asked between statements whether the run should stop.
    pub observer: &'a dyn RunObserver,
    /// How the user settled a statement whose outcome an earlier, killed run left unknown
    /// (MySQL/MariaDB only).
    pub resolve_interrupted: Option<crate::runner::Resolution>,
    /// How many times a statement whose lock wait timed out is tried again (`lock_retry.rs`).
    pub lock_retries: u32,
}

/// A boxed future, so that [`Backend`] can be used as a trait object. Not `Send`: rustc cannot
/// prove sqlx's executor futures `Send` for every lifetime behind a trait object ("implementation
/// of `Executor` is not general enough"), and the runner is awaited in place, never spawned.
pub(crate) type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + 'a>>;

/// One database's runner operations, implemented once per driver connection in
/// `dialect/<dialect>.rs` (the way sqlx's `Migrate` trait is). [`backend`] is the one place that
/// picks the implementation; everything else in the runner is dialect-free.
pub(crate) trait Backend {
    /// Tries once to take the migration lock: `None` while another run holds it.
    fn try_lock(&mut self) -> BoxFuture<'_, Result<Option<LockGuard>, RunError>>;
    /// Releases a [`LockGuard::Session`] lock.
    fn unlock(&mut self) -> BoxFuture<'_, Result<(), RunError>> {
        Box::pin(async { Ok(()) })
    }
    /// Creates the runner's tables if they are missing.
    fn ensure_tables(&mut self) -> BoxFuture<'_, Result<(), RunError>>;
    /// The version table's rows; empty when it does not exist (nothing is created).
    fn read_applied(&mut self) -> BoxFuture<'_, Result<Vec<AppliedRevision>, RunError>>;
    /// Revisions left part way (only where a revision is not one transaction).
    fn partial(&mut self) -> BoxFuture<'_, Result<Vec<PartialRevision>, RunError>> {
        Box::pin(async { Ok(Vec::new()) })
    }
    /// Fails when a revision left part way is not the one `next` would resume.
    fn check_partial<'a>(
        &'a mut self,
        next: Option<&'a Revision>,
        direction: Direction,
    ) -> BoxFuture<'a, Result<(), RunError>> {
        let _ = (next, direction);
        Box::pin(async { Ok(()) })
    }
    /// Checks a whole plan before anything runs.
    fn check_plan(
        &self,
        set: &RevisionSet,
        plan: &[&Revision],
        direction: Direction,
    ) -> Result<(), RunError> {
        let _ = (set, plan, direction);
        Ok(())
    }
    /// Indexes a failed or interrupted `CREATE INDEX CONCURRENTLY` left INVALID (PostgreSQL),
    /// as `index on table`; nothing elsewhere.
    fn invalid_indexes(&mut self) -> BoxFuture<'_, Result<Vec<String>, RunError>> {
        Box::pin(async { Ok(Vec::new()) })
    }
    /// Applies (or reverts) one revision and records it.
    fn apply<'a>(&'a mut self, step: &'a Step<'a>) -> BoxFuture<'a, Result<Outcome, RunError>>;
    /// Rewrites the version table in one transaction.
    fn stamp<'a>(&'a mut self, plan: &'a StampPlan) -> BoxFuture<'a, Result<(), sqlx::Error>>;
    /// Runs SQL of the runner's own (one or more statements, no rows read).
    fn run_script<'a>(&'a mut self, sql: &'a str) -> BoxFuture<'a, Result<(), sqlx::Error>>;
    /// Empties a scratch database.
    fn clean<'a>(
        &'a mut self,
        pg_schema: Option<&'a str>,
    ) -> BoxFuture<'a, Result<(), sqlx::Error>>;
}

/// How a dialect's SQL text reads (for the statement splitter, `split.rs`) and how an offline
/// script wraps a revision (`script.rs`). Each dialect module defines its `RULES`; [`rules`]
/// picks one, so neither the splitter nor the script writer matches on the dialect.
pub(crate) struct Rules {
    /// `#` starts a line comment (MySQL).
    pub hash_comments: bool,
    /// `/*! ... */` is code, not a comment (MySQL).
    pub executable_comments: bool,
    /// `--` starts a comment only when whitespace follows (MySQL).
    pub line_comment_needs_space: bool,
    /// Backslash escapes inside `'...'` and `"..."` (MySQL).
    pub backslash_escapes: bool,
    /// `E'...'` strings take backslash escapes (PostgreSQL).
    pub escape_strings: bool,
    /// `` `...` `` quotes identifiers (SQLite, MySQL).
    pub backquote_identifiers: bool,
    /// `[...]` quotes identifiers (SQLite).
    pub bracket_identifiers: bool,
    /// `$tag$ ... $tag$` quotes (PostgreSQL).
    pub dollar_quotes: bool,
    /// `/* /* */ */` nests (PostgreSQL).
    pub nested_block_comments: bool,
    /// The first words of statements whose `BEGIN ... END` body holds `;` (SQLite triggers,
    /// PostgreSQL `BEGIN ATOMIC` functions, MySQL/MariaDB programs and MariaDB's `BEGIN NOT
    /// ATOMIC` block, which a statement may start with).
    pub bodies: &'static [&'static [&'static str]],
    /// MySQL/MariaDB compound statements: inside a body, `IF`, `LOOP`, `WHILE` and `REPEAT` in
    /// statement position open blocks (closed by `END IF`, `END LOOP`, ...), `BEGIN`/`CASE` too,
    /// and a `DEFINER = user` clause (and `OR REPLACE`, `AGGREGATE`) between `CREATE` and the
    /// object word is skipped when the first words are matched against `bodies`.
    pub compound_statements: bool,
    /// Whether DDL runs inside a transaction, so a script wraps each revision in one.
    pub transactional_ddl: bool,
    /// The dialect's command-line client ends a statement at every `;` outside quotes and
    /// comments, knowing no bodies (`mysql`, `mariadb`): an offline script writes a statement
    /// that holds `;` between `DELIMITER` lines. `sqlite3` and `psql` find the end of a trigger
    /// body, a dollar quote or a `BEGIN ATOMIC` body themselves.
    pub client_delimiter: bool,
    /// Lines an offline script starts and ends with, around the revisions.
    pub script_prologue: &'static str,
    pub script_epilogue: &'static str,
}

/// The [`Rules`] of `dialect`.
pub(crate) fn rules(dialect: autogen_schema::Dialect) -> &'static Rules {
    match dialect {
        autogen_schema::Dialect::Sqlite => &sqlite::RULES,
        autogen_schema::Dialect::Postgres => &postgres::RULES,
        autogen_schema::Dialect::Mysql => &mysql::RULES,
    }
}

/// The runner operations of the connection's dialect: the one match on the dialect.
pub(crate) fn backend(conn: &mut Connection) -> &mut dyn Backend {
    match conn {
        Connection::Sqlite(c) => c,
        Connection::Postgres(c) => c,
        Connection::Mysql(c) => c,
    }
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
    /// Whether `autogen_progress` is emptied too: a stamp asserts the database's whole
    /// state; accepting an edited checksum during an upgrade does not.
    pub clear_progress: bool,
}

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
        let got = backend(conn).try_lock().await?;
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
    match guard {
        LockGuard::Nothing => Ok(()),
        LockGuard::File(lock) => lock.release(),
        LockGuard::Session => backend(conn).unlock().await,
    }
}

pub(crate) async fn ensure_tables(conn: &mut Connection) -> Result<(), RunError> {
    backend(conn).ensure_tables().await
}

/// The applied revisions; empty when the version table does not exist (nothing is created).
pub(crate) async fn read_applied(conn: &mut Connection) -> Result<Vec<AppliedRevision>, RunError> {
    backend(conn).read_applied().await
}

/// Fails when a revision is recorded as partially applied and `next` (the first revision the
/// plan would run, in `direction`) is not the one that can resume it. Only MySQL/MariaDB ever
/// has partially applied revisions.
pub(crate) async fn check_partial(
    conn: &mut Connection,
    next: Option<&Revision>,
    direction: Direction,
) -> Result<(), RunError> {
    backend(conn).check_partial(next, direction).await
}

/// Checks a plan as a whole before anything of it runs: on SQLite, a rebuild that a revision of
/// another branch earlier in the plan would make lose data.
pub(crate) fn check_plan(
    conn: &mut Connection,
    set: &RevisionSet,
    plan: &[&Revision],
    direction: Direction,
) -> Result<(), RunError> {
    backend(conn).check_plan(set, plan, direction)
}

/// Adds what the whole revision set knows to an error of one revision (which other revision
/// added the columns a SQLite rebuild did not expect).
pub(crate) fn explain(set: &RevisionSet, error: RunError) -> RunError {
    sqlite_rebuild::explain(set, error)
}

/// The revisions recorded as partially applied (MySQL/MariaDB; always empty elsewhere, where a
/// revision is one transaction). Creates nothing.
pub(crate) async fn partial(conn: &mut Connection) -> Result<Vec<PartialRevision>, RunError> {
    backend(conn).partial().await
}

/// Indexes left INVALID by a failed or interrupted `CREATE INDEX CONCURRENTLY` (PostgreSQL;
/// always empty elsewhere).
pub(crate) async fn invalid_indexes(conn: &mut Connection) -> Result<Vec<String>, RunError> {
    backend(conn).invalid_indexes().await
}

pub(crate) async fn apply(conn: &mut Connection, step: &Step<'_>) -> Result<Outcome, RunError> {
    backend(conn).apply(step).await
}

/// Rewrites the version table in one transaction, running no revision SQL. On MySQL/MariaDB it
/// also clears `autogen_progress` when the plan says so.
pub(crate) async fn stamp(conn: &mut Connection, plan: &StampPlan) -> Result<(), RunError> {
    backend(conn).stamp(plan).await.map_err(db_error(
        "rewriting the version table autogen_version (stamp); nothing was changed",
    ))
}

/// Runs `statements` one at a time and records what each did (`crate::observed`).
pub(crate) async fn observe(
    conn: &mut Connection,
    statements: &[crate::Statement],
) -> Result<Vec<crate::observed::StepObserved>, RunError> {
    match conn {
        Connection::Sqlite(c) => sqlite_observed::observe(c, statements).await,
        Connection::Postgres(c) => postgres_observed::observe(c, statements).await,
        Connection::Mysql(c) => mysql_observed::observe(c, statements).await,
    }
}

/// Runs one statement for an observer (`*_observed.rs`): the statement being observed, or a
/// transaction boundary around it; `what` names it in the error.
pub(crate) async fn observed_sql<'e, E, DB>(
    conn: E,
    sql: &'e str,
    what: impl Into<String>,
) -> Result<(), RunError>
where
    DB: sqlx::Database,
    E: sqlx::Executor<'e, Database = DB>,
{
    sqlx::raw_sql(sql)
        .execute(conn)
        .await
        .map(drop)
        .map_err(db_error(what))
}

/// The error context of the statement at `index` (0-based) being observed.
pub(crate) fn observing(index: usize) -> String {
    format!("observing statement {} on the dev database", index + 1)
}

/// Runs SQL of the runner's own on any connection (one or more statements, no rows read).
pub(crate) async fn run_script(conn: &mut Connection, sql: &str) -> Result<(), sqlx::Error> {
    backend(conn).run_script(sql).await
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
        lock_wait: None,
    }
}

/// Drops everything in the connection's database (PostgreSQL: in `pg_schema`, else the current
/// schema). Only for scratch databases.
pub(crate) async fn clean(conn: &mut Connection, pg_schema: Option<&str>) -> Result<(), RunError> {
    backend(conn)
        .clean(pg_schema)
        .await
        .map_err(db_error("emptying the scratch (dev) database"))
}
