//! PostgreSQL: DDL is transactional, so each revision runs in one transaction with its
//! version-table row and a failed statement leaves no trace. A session-level advisory lock on a
//! fixed key is held for the whole upgrade or downgrade (advisory locks are per database, so runs
//! against different databases of one server do not wait for each other); the runner reads the
//! applied set only after taking it, so two concurrent runs apply each revision once. A stop
//! request between statements rolls the revision back.
//!
//! Statements that cannot run inside a transaction block (`CREATE INDEX CONCURRENTLY`, `VACUUM`,
//! `ALTER TYPE ... ADD VALUE` before PostgreSQL 12) are marked `-- autogen:no-transaction`; a
//! revision holding one runs in segments with its progress recorded (`segmented.rs`). Here are
//! the PostgreSQL parts of that: such a step runs with `client_connection_check_interval` set, so
//! a killed autogen does not leave the server building an index for nobody; a `CREATE INDEX
//! CONCURRENTLY` interrupted or failed part way leaves an INVALID index, which is dropped (`DROP
//! INDEX CONCURRENTLY IF EXISTS`) before the step runs again; an interrupted step is settled from
//! the catalog where it can be (`postgres_concurrently.rs`).

use sqlx::postgres::PgConnection;
use sqlx::Row;

use super::lock_retry;
use super::postgres_concurrently::{classify, Concurrently};
use super::progress::{self, Progress};
use super::segmented::{self, Segmented, Settled};
use super::{db_error, statement_error, Outcome, StampPlan, Step};
use super::{BoxFuture, LockGuard};
use crate::error::Direction;
use crate::file::Revision;
use crate::observe::RunEvent;
use crate::runner::{AppliedRevision, PartialRevision};
use crate::version_table;
use crate::RunError;

use autogen_schema::Dialect;

/// The advisory lock key: the bytes of "autogen" read as a big-endian integer, fixed so every
/// autogen process agrees on it.
const LOCK_KEY: i64 = 0x0061_7574_6f67_656e;

/// Tries once to take the advisory lock: false while another session holds it.
pub(super) async fn try_lock(conn: &mut PgConnection) -> Result<bool, RunError> {
    sqlx::query_scalar("SELECT pg_try_advisory_lock($1)")
        .bind(LOCK_KEY)
        .fetch_one(&mut *conn)
        .await
        .map_err(|e| RunError::Lock {
            message: format!("pg_try_advisory_lock({LOCK_KEY}) failed: {e}"),
        })
}

pub(super) async fn unlock(conn: &mut PgConnection) -> Result<(), RunError> {
    sqlx::query("SELECT pg_advisory_unlock($1)")
        .bind(LOCK_KEY)
        .execute(&mut *conn)
        .await
        .map_err(db_error(
            "releasing the migration lock (pg_advisory_unlock)",
        ))?;
    Ok(())
}

pub(super) async fn ensure_tables(conn: &mut PgConnection) -> Result<(), RunError> {
    sqlx::raw_sql(version_table::CREATE)
        .execute(&mut *conn)
        .await
        .map_err(db_error("creating the version table autogen_version"))?;
    Ok(())
}

pub(super) async fn read_applied(
    conn: &mut PgConnection,
) -> Result<Vec<AppliedRevision>, RunError> {
    // `to_regclass` follows the search_path, exactly like the unqualified name in the queries.
    let exists: bool = sqlx::query_scalar("SELECT to_regclass('autogen_version') IS NOT NULL")
        .fetch_one(&mut *conn)
        .await
        .map_err(db_error("looking for the version table autogen_version"))?;
    if !exists {
        return Ok(Vec::new());
    }
    let rows = sqlx::query(version_table::SELECT_APPLIED)
        .fetch_all(&mut *conn)
        .await
        .map_err(db_error("reading the version table autogen_version"))?;
    rows.iter()
        .map(|row| {
            Ok(AppliedRevision {
                revision: row.try_get(0)?,
                checksum: row.try_get(1)?,
                applied_at: row.try_get(2)?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(db_error("reading the version table autogen_version"))
}

pub(super) async fn apply(conn: &mut PgConnection, step: &Step<'_>) -> Result<Outcome, RunError> {
    let mut attempt = 0;
    loop {
        match apply_once(conn, step).await {
            // A segmented run retries on its own and marks a failure it gave up on.
            Err(RunError::Statement(failure))
                if failure.lock_wait.is_none() && lock_not_granted(&failure.source) =>
            {
                if attempt >= step.lock_retries {
                    return Err(lock_retry::gave_up(RunError::Statement(failure), attempt));
                }
                attempt += 1;
                // The transaction was rolled back: the whole revision runs again.
                let index = failure.index.saturating_sub(1);
                lock_retry::announce_retry(step, index, attempt, &failure.source).await;
            }
            other => return other,
        }
    }
}

/// SQLSTATE 55P03 `lock_not_available`: the lock was not granted within `lock_timeout`.
fn lock_not_granted(error: &sqlx::Error) -> bool {
    error
        .as_database_error()
        .and_then(|e| e.code())
        .is_some_and(|code| code == "55P03")
}

async fn apply_once(conn: &mut PgConnection, step: &Step<'_>) -> Result<Outcome, RunError> {
    let rev = step.revision;
    // A revision with no-transaction steps, or one a killed run left part way (even if its file
    // lost its marks since: the progress row decides), runs in segments.
    if step.alone.contains(&true)
        || read_progress(conn)
            .await?
            .iter()
            .any(|p| p.revision == rev.id)
    {
        return segmented::apply(conn, step).await;
    }
    sqlx::raw_sql("BEGIN")
        .execute(&mut *conn)
        .await
        .map_err(db_error(format!(
            "starting the transaction for revision {}",
            rev.id
        )))?;
    match body(conn, step).await {
        Ok(()) => {
            // A deferred constraint can still fail here; the transaction is then rolled back by
            // the server.
            sqlx::raw_sql("COMMIT")
                .execute(&mut *conn)
                .await
                .map_err(db_error(format!(
                    "committing revision {} ({}); it was rolled back",
                    rev.id,
                    rev.path.display()
                )))?;
            Ok(Outcome::Done)
        }
        Err(e) => {
            let _ = sqlx::raw_sql("ROLLBACK").execute(&mut *conn).await;
            Err(e)
        }
    }
}

async fn body(conn: &mut PgConnection, step: &Step<'_>) -> Result<(), RunError> {
    let rev = step.revision;
    for (i, sql) in step.statements.iter().enumerate() {
        if step.observer.stop_requested() {
            return Err(super::interrupted_in_transaction(step, i));
        }
        sqlx::raw_sql(sql)
            .execute(&mut *conn)
            .await
            .map_err(|e| statement_error(step, i, e))?;
    }
    let record = match step.direction {
        Direction::Upgrade => sqlx::query(version_table::insert(Dialect::Postgres))
            .bind(&rev.id)
            .bind(&rev.checksum)
            .bind(&step.applied_at),
        Direction::Downgrade => sqlx::query(version_table::delete(Dialect::Postgres)).bind(&rev.id),
    };
    record.execute(&mut *conn).await.map_err(db_error(format!(
        "recording revision {} in autogen_version",
        rev.id
    )))?;
    Ok(())
}

pub(super) async fn stamp(conn: &mut PgConnection, plan: &StampPlan) -> Result<(), sqlx::Error> {
    sqlx::raw_sql("BEGIN").execute(&mut *conn).await?;
    let result = stamp_body(conn, plan).await;
    match result {
        Ok(()) => sqlx::raw_sql("COMMIT").execute(&mut *conn).await.map(drop),
        Err(e) => {
            let _ = sqlx::raw_sql("ROLLBACK").execute(&mut *conn).await;
            Err(e)
        }
    }
}

async fn stamp_body(conn: &mut PgConnection, plan: &StampPlan) -> Result<(), sqlx::Error> {
    for id in &plan.delete {
        sqlx::query(version_table::delete(Dialect::Postgres))
            .bind(id)
            .execute(&mut *conn)
            .await?;
    }
    for (id, checksum) in &plan.update {
        sqlx::query(version_table::update_checksum(Dialect::Postgres))
            .bind(checksum)
            .bind(id)
            .execute(&mut *conn)
            .await?;
    }
    for (id, checksum) in &plan.insert {
        sqlx::query(version_table::insert(Dialect::Postgres))
            .bind(id)
            .bind(checksum)
            .bind(&plan.applied_at)
            .execute(&mut *conn)
            .await?;
    }
    // A stamp asserts the database's whole state, so a revision a run left part way (one with
    // `-- autogen:no-transaction` steps) is forgotten too.
    if plan.clear_progress {
        let exists: bool = sqlx::query_scalar("SELECT to_regclass('autogen_progress') IS NOT NULL")
            .fetch_one(&mut *conn)
            .await?;
        if exists {
            sqlx::raw_sql("DELETE FROM autogen_progress")
                .execute(&mut *conn)
                .await?;
        }
    }
    Ok(())
}

/// Drops and recreates the schema (the configured one, else the connection's current schema):
/// tables, views, sequences, types and functions all go with it, which no list of DROP TABLEs
/// would guarantee.
pub(super) async fn clean(
    conn: &mut PgConnection,
    pg_schema: Option<&str>,
) -> Result<(), sqlx::Error> {
    let schema: String = match pg_schema {
        Some(s) => s.to_string(),
        None => {
            sqlx::query_scalar("SELECT current_schema()::text")
                .fetch_one(&mut *conn)
                .await?
        }
    };
    let quoted = autogen_sql::quote_ident(autogen_schema::Dialect::Postgres, &schema);
    sqlx::raw_sql(&format!(
        "DROP SCHEMA IF EXISTS {quoted} CASCADE; CREATE SCHEMA {quoted}"
    ))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

async fn read_progress(conn: &mut PgConnection) -> Result<Vec<Progress>, RunError> {
    let context = "reading the progress table autogen_progress";
    let exists: bool = sqlx::query_scalar("SELECT to_regclass('autogen_progress') IS NOT NULL")
        .fetch_one(&mut *conn)
        .await
        .map_err(db_error(context))?;
    if !exists {
        return Ok(Vec::new());
    }
    let rows = sqlx::query(
        "SELECT revision::text, direction::text, statements_done::bigint, done_hash::text, started_at::text, running::bigint FROM autogen_progress ORDER BY revision",
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(db_error(context))?;
    rows.iter()
        .map(progress::progress_from_row)
        .collect::<Result<_, sqlx::Error>>()
        .map_err(db_error(context))
}

/// Whether an index exists (by its `regclass` text) and, if so, whether it is valid.
async fn index_validity(conn: &mut PgConnection, index: &str) -> Result<Option<bool>, RunError> {
    sqlx::query_scalar("SELECT i.indisvalid FROM pg_index i WHERE i.indexrelid = to_regclass($1)")
        .bind(index)
        .fetch_optional(&mut *conn)
        .await
        .map_err(db_error(format!("looking up index {index} in pg_index")))
}

/// The server process still building `index` (a client that was killed leaves it running until
/// the server notices), if any.
async fn building(conn: &mut PgConnection, index: &str) -> Result<Option<i32>, RunError> {
    sqlx::query_scalar(
        "SELECT pid FROM pg_stat_progress_create_index WHERE index_relid = to_regclass($1) AND pid <> pg_backend_pid() LIMIT 1",
    )
    .bind(index)
    .fetch_optional(&mut *conn)
    .await
    .map_err(db_error(format!("looking for a running build of index {index}")))
}

/// Refuses to touch `index` while another server process is still building it.
async fn not_being_built(
    conn: &mut PgConnection,
    step: &Step<'_>,
    index: &str,
) -> Result<(), RunError> {
    match building(conn, index).await? {
        None => Ok(()),
        Some(pid) => Err(RunError::PartiallyApplied {
            revision: step.revision.id.clone(),
            message: format!(
                "index {index} of revision {id} is still being built by server process {pid} (an earlier run's CREATE INDEX CONCURRENTLY, whose client is gone); nothing was run. \
                 Wait for it to end, or stop it with SELECT pg_cancel_backend({pid});, then run `autogen {dir}` again: it drops an INVALID index and builds it again",
                id = step.revision.id,
                dir = step.direction,
            ),
        }),
    }
}

/// Indexes of the current schema whose `indisvalid` is false, as `index on table`.
async fn invalid_indexes(conn: &mut PgConnection) -> Result<Vec<String>, RunError> {
    sqlx::query_scalar(
        "SELECT format('%I on %I', c.relname, t.relname) FROM pg_index i \
         JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_class t ON t.oid = i.indrelid \
         JOIN pg_namespace n ON n.oid = c.relnamespace \
         WHERE NOT i.indisvalid AND n.nspname = current_schema() ORDER BY 1",
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(db_error("looking for INVALID indexes in pg_index"))
}

impl Segmented for PgConnection {
    fn exec<'a>(&'a mut self, sql: &'a str) -> BoxFuture<'a, Result<(), sqlx::Error>> {
        Box::pin(async move { sqlx::raw_sql(sql).execute(&mut *self).await.map(drop) })
    }
    fn begin(&self) -> &'static str {
        "BEGIN"
    }
    fn read_progress(&mut self) -> BoxFuture<'_, Result<Vec<Progress>, RunError>> {
        Box::pin(read_progress(self))
    }
    fn statement<'a>(
        &'a mut self,
        step: &'a Step<'a>,
        index: usize,
    ) -> BoxFuture<'a, Result<Result<(), sqlx::Error>, RunError>> {
        Box::pin(async move {
            Ok(sqlx::raw_sql(&step.statements[index])
                .execute(&mut *self)
                .await
                .map(drop))
        })
    }
    fn lock_not_granted(&self, error: &sqlx::Error) -> bool {
        lock_not_granted(error)
    }
    fn session_setting(&self, sql: &str) -> bool {
        classify(sql) == Some(Concurrently::Setting)
    }
    fn before_alone<'a>(
        &'a mut self,
        step: &'a Step<'a>,
        index: usize,
    ) -> BoxFuture<'a, Result<(), RunError>> {
        Box::pin(async move {
            // PostgreSQL 14+ then notices within a second that a killed autogen is gone and
            // cancels the statement, instead of building an index for nobody (and holding its
            // lock) until it tries to answer. Older servers do not know the setting: ignored.
            let _ = sqlx::raw_sql("SET client_connection_check_interval = 1000")
                .execute(&mut *self)
                .await;
            let Some(Concurrently::Create { index: name }) = classify(&step.statements[index])
            else {
                return Ok(());
            };
            if index_validity(self, &name).await? != Some(false) {
                return Ok(());
            }
            not_being_built(self, step, &name).await?;
            let drop = format!("DROP INDEX CONCURRENTLY IF EXISTS {name}");
            sqlx::raw_sql(&drop)
                .execute(&mut *self)
                .await
                .map_err(db_error(format!(
                    "dropping the INVALID index {name} before building it again ({drop})"
                )))?;
            let message = format!(
                "index {name} was INVALID (an interrupted or failed CREATE INDEX CONCURRENTLY left it); dropped it to build it again with statement {} of {}",
                index + 1,
                step.statements.len()
            );
            step.observer.event(RunEvent::Notice {
                revision: step.revision,
                message: &message,
            });
            Ok(())
        })
    }
    fn after_failed_alone<'a>(&'a mut self, step: &'a Step<'a>, index: usize) -> BoxFuture<'a, ()> {
        Box::pin(async move {
            // A failed build (a duplicate in a unique index, a deadlock) leaves its index
            // INVALID; the failure is reported either way, and the index must not stay behind.
            if let Some(Concurrently::Create { index: name }) = classify(&step.statements[index]) {
                if matches!(index_validity(self, &name).await, Ok(Some(false))) {
                    let _ = sqlx::raw_sql(&format!("DROP INDEX CONCURRENTLY IF EXISTS {name}"))
                        .execute(&mut *self)
                        .await;
                }
            }
        })
    }
    fn settle<'a>(
        &'a mut self,
        step: &'a Step<'a>,
        index: usize,
    ) -> BoxFuture<'a, Result<(Settled, Option<String>), RunError>> {
        Box::pin(async move {
            let n = index + 1;
            Ok(match classify(&step.statements[index]) {
                Some(Concurrently::Create { index: name }) => {
                    match index_validity(self, &name).await? {
                        Some(true) => (
                            Settled::Ran,
                            Some(format!("statement {n}, interrupted in an earlier run, had built index {name} (it is valid); going on after it")),
                        ),
                        Some(false) => {
                            not_being_built(self, step, &name).await?;
                            (Settled::NotRun, None)
                        }
                        None => (
                            Settled::NotRun,
                            Some(format!("statement {n}, interrupted in an earlier run, had not created index {name}; running it again")),
                        ),
                    }
                }
                Some(Concurrently::Drop { index: name }) => {
                    match index_validity(self, &name).await? {
                        None => (
                            Settled::Ran,
                            Some(format!("statement {n}, interrupted in an earlier run, had dropped index {name}; going on after it")),
                        ),
                        Some(_) => (
                            Settled::NotRun,
                            Some(format!("statement {n}, interrupted in an earlier run, had not dropped index {name}; running it again")),
                        ),
                    }
                }
                Some(Concurrently::Repeatable | Concurrently::Setting) => (
                    Settled::NotRun,
                    Some(format!("statement {n} was interrupted in an earlier run; running it again (it is harmless to repeat)")),
                ),
                None => (Settled::Unknown, None),
            })
        })
    }
}

/// How PostgreSQL's SQL text reads and how an offline script wraps it.
pub(crate) const RULES: super::Rules = super::Rules {
    hash_comments: false,
    executable_comments: false,
    line_comment_needs_space: false,
    backslash_escapes: false,
    escape_strings: true,
    backquote_identifiers: false,
    bracket_identifiers: false,
    dollar_quotes: true,
    nested_block_comments: true,
    bodies: &[
        &["CREATE", "FUNCTION"],
        &["CREATE", "PROCEDURE"],
        &["CREATE", "OR", "REPLACE", "FUNCTION"],
        &["CREATE", "OR", "REPLACE", "PROCEDURE"],
    ],
    compound_statements: false,
    transactional_ddl: true,
    client_delimiter: false,
    script_prologue: "",
    script_epilogue: "",
};

impl super::Backend for PgConnection {
    fn try_lock(&mut self) -> BoxFuture<'_, Result<Option<LockGuard>, RunError>> {
        Box::pin(async { Ok(try_lock(self).await?.then_some(LockGuard::Session)) })
    }
    fn unlock(&mut self) -> BoxFuture<'_, Result<(), RunError>> {
        Box::pin(unlock(self))
    }
    fn ensure_tables(&mut self) -> BoxFuture<'_, Result<(), RunError>> {
        Box::pin(ensure_tables(self))
    }
    fn read_applied(&mut self) -> BoxFuture<'_, Result<Vec<AppliedRevision>, RunError>> {
        Box::pin(read_applied(self))
    }
    fn partial(&mut self) -> BoxFuture<'_, Result<Vec<PartialRevision>, RunError>> {
        Box::pin(async { Ok(progress::partial(read_progress(self).await?)) })
    }
    fn check_partial<'a>(
        &'a mut self,
        next: Option<&'a Revision>,
        direction: Direction,
    ) -> BoxFuture<'a, Result<(), RunError>> {
        Box::pin(
            async move { progress::check_partial(read_progress(self).await?, next, direction) },
        )
    }
    fn invalid_indexes(&mut self) -> BoxFuture<'_, Result<Vec<String>, RunError>> {
        Box::pin(invalid_indexes(self))
    }
    fn apply<'a>(&'a mut self, step: &'a Step<'a>) -> BoxFuture<'a, Result<Outcome, RunError>> {
        Box::pin(apply(self, step))
    }
    fn run_script<'a>(&'a mut self, sql: &'a str) -> BoxFuture<'a, Result<(), sqlx::Error>> {
        Box::pin(async move { sqlx::raw_sql(sql).execute(&mut *self).await.map(drop) })
    }
    fn stamp<'a>(&'a mut self, plan: &'a StampPlan) -> BoxFuture<'a, Result<(), sqlx::Error>> {
        Box::pin(stamp(self, plan))
    }
    fn clean<'a>(
        &'a mut self,
        pg_schema: Option<&'a str>,
    ) -> BoxFuture<'a, Result<(), sqlx::Error>> {
        Box::pin(clean(self, pg_schema))
    }
}
