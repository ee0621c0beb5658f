//! MySQL/MariaDB: DDL commits implicitly, so a revision cannot be one transaction. Instead the
//! runner records its progress statement by statement in `autogen_progress` (one row per
//! revision being applied: direction, statements done, a hash of the statements done, and the
//! statement running now) and marks the revision applied in `autogen_version` (and deletes the
//! progress row) in one small InnoDB transaction at the end.
//!
//! No statement may ever run twice, even when the process is killed in the middle of one (the
//! server goes on and commits what a dead client started). So:
//! - a data statement (`INSERT`, `UPDATE`, `DELETE`, `REPLACE`) runs in one transaction together
//!   with its progress update: both commit or neither does, and the server rolls back a
//!   transaction whose client died before `COMMIT`;
//! - any other statement (DDL commits by itself) is recorded as started (`running`) before it
//!   runs and as done after. A run that finds a started statement not recorded as done cannot
//!   know whether it took effect: it stops and says so, with the statement and how to settle it
//!   (`--resolve-interrupted ran|not-run`), and never guesses.
//!
//! A statement whose lock wait ran out (error 1205: online mode's `lock_wait_timeout`, or a row
//! lock) is tried again up to `lock_retries` times with a doubling pause, as on PostgreSQL, when
//! that is safe: DDL, which did nothing, and a data statement, rolled back with its transaction
//! (not one marked to run alone, which may have changed rows before it timed out).
//!
//! When a statement fails with a server error, the error lists exactly the statements that ran
//! and stayed; the next run of the same direction resumes after them, provided those statements
//! are unchanged in the file (checked by the hash). `GET_LOCK` on a name derived from the
//! database name serialises concurrent runs against one database.

use sqlx::mysql::MySqlConnection;
use sqlx::Row;

use super::lock_retry;
use super::progress::{self, done_hash, nothing_to_resolve, progress_error, unknown, Progress};
use super::{db_error, failure, statement_error, Outcome, StampPlan, Step};
use super::{BoxFuture, LockGuard};
use crate::error::{partial_report, Direction};
use crate::file::Revision;
use crate::runner::{AppliedRevision, PartialRevision, Resolution};
use crate::version_table;
use crate::RunError;

use autogen_schema::Dialect;

/// `GET_LOCK` names are server-wide, so the name includes (a hash of) the database name: runs
/// against different databases of one server do not wait for each other. Lock names are limited
/// to 64 characters, hence the hash.
const LOCK_NAME: &str = "CONCAT('autogen:', LEFT(SHA2(COALESCE(DATABASE(), ''), 256), 40))";

/// Added to progress tables created before `running` existed.
const ADD_RUNNING_COLUMN: &str = "ALTER TABLE autogen_progress ADD COLUMN running integer NULL";

/// Tries once to take the named lock: false while another session holds it.
pub(super) async fn try_lock(conn: &mut MySqlConnection) -> Result<bool, RunError> {
    let got: Option<i64> =
        sqlx::query_scalar(&format!("SELECT CAST(GET_LOCK({LOCK_NAME}, 0) AS SIGNED)"))
            .fetch_one(&mut *conn)
            .await
            .map_err(|e| RunError::Lock {
                message: format!("GET_LOCK failed: {e}"),
            })?;
    Ok(got == Some(1))
}

pub(super) async fn unlock(conn: &mut MySqlConnection) -> Result<(), RunError> {
    sqlx::query(&format!("SELECT RELEASE_LOCK({LOCK_NAME})"))
        .execute(&mut *conn)
        .await
        .map_err(db_error("releasing the migration lock (RELEASE_LOCK)"))?;
    Ok(())
}

pub(super) async fn ensure_tables(conn: &mut MySqlConnection) -> Result<(), RunError> {
    for (ddl, table) in [
        (version_table::CREATE, version_table::TABLE),
        (
            version_table::PROGRESS_CREATE,
            version_table::PROGRESS_TABLE,
        ),
    ] {
        sqlx::raw_sql(ddl)
            .execute(&mut *conn)
            .await
            .map_err(db_error(format!("creating the runner table {table}")))?;
    }
    if !has_running_column(conn).await? {
        sqlx::raw_sql(ADD_RUNNING_COLUMN)
            .execute(&mut *conn)
            .await
            .map_err(db_error("adding the column running to autogen_progress"))?;
    }
    Ok(())
}

async fn has_running_column(conn: &mut MySqlConnection) -> Result<bool, RunError> {
    let count: i64 = sqlx::query_scalar(
        "SELECT CAST(COUNT(*) AS SIGNED) FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = 'autogen_progress' AND column_name = 'running'",
    )
    .fetch_one(&mut *conn)
    .await
    .map_err(db_error("looking for the column autogen_progress.running"))?;
    Ok(count > 0)
}

async fn table_exists(conn: &mut MySqlConnection, table: &str) -> Result<bool, RunError> {
    let count: i64 = sqlx::query_scalar(
        "SELECT CAST(COUNT(*) AS SIGNED) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = ?",
    )
    .bind(table)
    .fetch_one(&mut *conn)
    .await
    .map_err(db_error(format!("looking for the table {table}")))?;
    Ok(count > 0)
}

pub(super) async fn read_applied(
    conn: &mut MySqlConnection,
) -> Result<Vec<AppliedRevision>, RunError> {
    if !table_exists(conn, version_table::TABLE).await? {
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

async fn read_progress(conn: &mut MySqlConnection) -> Result<Vec<Progress>, RunError> {
    if !table_exists(conn, "autogen_progress").await? {
        return Ok(Vec::new());
    }
    // A table from before `running` existed is read as having nothing running (a read-only
    // command must not alter it).
    let running = if has_running_column(conn).await? {
        "CAST(running AS SIGNED)"
    } else {
        "NULL"
    };
    let rows = sqlx::query(&format!(
        "SELECT revision, direction, CAST(statements_done AS SIGNED), done_hash, started_at, {running} FROM autogen_progress ORDER BY revision",
    ))
    .fetch_all(&mut *conn)
    .await
    .map_err(db_error("reading the progress table autogen_progress"))?;
    rows.iter()
        .map(progress::progress_from_row)
        .collect::<Result<_, sqlx::Error>>()
        .map_err(db_error("reading the progress table autogen_progress"))
}

pub(super) async fn check_partial(
    conn: &mut MySqlConnection,
    next: Option<&Revision>,
    direction: Direction,
) -> Result<(), RunError> {
    progress::check_partial(read_progress(conn).await?, next, direction)
}

/// The revisions recorded in `autogen_progress`, for `current`, `check` and `history`.
pub(super) async fn partial(conn: &mut MySqlConnection) -> Result<Vec<PartialRevision>, RunError> {
    Ok(progress::partial(read_progress(conn).await?))
}

/// Whether a statement only changes rows, so that it can share a transaction with its progress
/// update (no implicit commit). Anything else, a procedure call included, is treated as DDL.
fn is_data_statement(sql: &str) -> bool {
    let word: String = sql
        .trim_start_matches(|c: char| c.is_whitespace() || c == '(')
        .chars()
        .take_while(|c| c.is_ascii_alphabetic())
        .collect();
    matches!(
        word.to_ascii_uppercase().as_str(),
        "INSERT" | "UPDATE" | "DELETE" | "REPLACE"
    )
}

/// Error 1205 `ER_LOCK_WAIT_TIMEOUT`: a metadata lock not granted within `lock_wait_timeout`
/// (DDL), or a row lock not granted within `innodb_lock_wait_timeout` (a data statement).
fn lock_wait_timed_out(error: &sqlx::Error) -> bool {
    error
        .as_database_error()
        .and_then(|e| e.try_downcast_ref::<sqlx::mysql::MySqlDatabaseError>())
        .is_some_and(|e| e.number() == 1205)
}

/// Whether a statement only sets a session variable (`SET SESSION ...`), which a resumed run
/// must set again on its own session.
fn is_session_setting(sql: &str) -> bool {
    let head: String = sql.trim_start().chars().take(14).collect();
    let head = head.to_ascii_uppercase();
    head.starts_with("SET SESSION ") || head.starts_with("SET @@SESSION.")
}

pub(super) async fn apply(
    conn: &mut MySqlConnection,
    step: &Step<'_>,
) -> Result<Outcome, RunError> {
    let rev = step.revision;
    let total = step.statements.len();
    let progress = read_progress(conn)
        .await?
        .into_iter()
        .find(|p| p.revision == rev.id);
    let start = match progress {
        Some(p) => {
            progress::check_unchanged(&p, step)?;
            let done = p.statements_done;
            match (p.running, step.resolve_interrupted) {
                // A session setting interrupted while it ran changed nothing that lasts: run it
                // again.
                (Some(r), None)
                    if step
                        .statements
                        .get(r)
                        .is_some_and(|sql| is_session_setting(sql)) =>
                {
                    record_done(conn, step, r)
                        .await
                        .map_err(progress_error(step, r))?;
                    r
                }
                (Some(r), None) => return Err(unknown(step, r, None)),
                (Some(r), Some(Resolution::Ran)) => {
                    record_done(conn, step, r + 1)
                        .await
                        .map_err(progress_error(step, r + 1))?;
                    r + 1
                }
                (Some(r), Some(Resolution::NotRun)) => {
                    record_done(conn, step, r)
                        .await
                        .map_err(progress_error(step, r))?;
                    r
                }
                (None, Some(_)) => return Err(nothing_to_resolve(step)),
                (None, None) => done,
            }
        }
        None => {
            if step.resolve_interrupted.is_some() {
                return Err(nothing_to_resolve(step));
            }
            sqlx::query(
                "INSERT INTO autogen_progress (revision, direction, statements_done, done_hash, started_at) VALUES (?, ?, 0, ?, ?)",
            )
            .bind(&rev.id)
            .bind(step.direction.as_str())
            .bind(done_hash(&[]))
            .bind(&step.applied_at)
            .execute(&mut *conn)
            .await
            .map_err(db_error(format!("recording the start of revision {}", rev.id)))?;
            0
        }
    };

    // A resumed revision runs on a new session: the session settings among the statements that
    // already ran (online mode's `SET SESSION lock_wait_timeout`) are set again first.
    for sql in step.statements[..start]
        .iter()
        .filter(|s| is_session_setting(s))
    {
        sqlx::raw_sql(sql)
            .execute(&mut *conn)
            .await
            .map_err(db_error(format!(
                "setting the session again before resuming revision {}",
                rev.id
            )))?;
    }
    let mut i = start;
    let mut attempt = 0;
    while i < total {
        if step.observer.stop_requested() {
            return Err(stopped(conn, step, i).await);
        }
        let sql = &step.statements[i];
        // A data statement marked `-- autogen:no-transaction` runs alone, committed by itself
        // like DDL, instead of in one transaction with its progress row.
        let data = is_data_statement(sql);
        let in_transaction = data && !step.alone[i];
        let ran = if in_transaction {
            run_data_statement(conn, step, i).await?
        } else {
            run_ddl_statement(conn, step, i).await?
        };
        let Err(source) = ran else {
            i += 1;
            attempt = 0;
            continue;
        };
        // A lock wait that ran out left nothing behind when the statement was DDL (refused
        // before it changed anything; MariaDB 10.6+ and MySQL 8.0 roll a failed ALTER back
        // whole) or a data statement rolled back with its transaction: it can run again. A
        // data statement run alone may have changed rows before it timed out, so it is not
        // retried.
        let lock_wait = lock_wait_timed_out(&source) && (in_transaction || !data);
        if lock_wait && attempt < step.lock_retries {
            attempt += 1;
            lock_retry::announce_retry(step, i, attempt, &source).await;
            continue;
        }
        // Only session settings ran before it (online mode's `SET SESSION lock_wait_timeout`):
        // nothing of the revision lasts. Forget it was started, so the database is exactly as
        // before and the failure is an ordinary one.
        let error = if step.statements[..i].iter().all(|s| is_session_setting(s)) {
            let _ = sqlx::query("DELETE FROM autogen_progress WHERE revision = ?")
                .bind(&rev.id)
                .execute(&mut *conn)
                .await;
            statement_error(step, i, source)
        } else {
            RunError::Partial {
                failure: Box::new(failure(step, i, source)),
                executed: step.statements[..i].to_vec(),
            }
        };
        return Err(if lock_wait {
            lock_retry::gave_up(error, attempt)
        } else {
            error
        });
    }
    finish(conn, step).await?;
    Ok(Outcome::Done)
}

/// The error for a stop request honoured before statement `i` (0-based).
async fn stopped(conn: &mut MySqlConnection, step: &Step<'_>, i: usize) -> RunError {
    let rev = step.revision;
    if i == 0 {
        let _ = sqlx::query("DELETE FROM autogen_progress WHERE revision = ?")
            .bind(&rev.id)
            .execute(&mut *conn)
            .await;
        return RunError::Interrupted {
            completed: Vec::new(),
            detail: format!(
                "stopped before the first statement of revision {}; nothing of it was applied",
                rev.id
            ),
        };
    }
    RunError::Interrupted {
        completed: Vec::new(),
        detail: format!(
            "{dir} of revision {id} stopped after statement {i} of {total}\n{report}",
            dir = step.direction,
            id = rev.id,
            total = step.statements.len(),
            report = partial_report(step.direction, &rev.id, &step.statements[..i], i + 1)
        ),
    }
}

/// Records statements `..done` as done and nothing as running.
async fn record_done(
    conn: &mut MySqlConnection,
    step: &Step<'_>,
    done: usize,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE autogen_progress SET statements_done = ?, done_hash = ?, running = NULL WHERE revision = ?",
    )
    .bind(done as i64)
    .bind(done_hash(&step.statements[..done]))
    .bind(&step.revision.id)
    .execute(&mut *conn)
    .await
    .map(drop)
}

/// Runs data statement `i` and its progress update in one transaction. The outer error is the
/// runner's own failure; the inner one is the statement's (rolled back, so it did not apply).
async fn run_data_statement(
    conn: &mut MySqlConnection,
    step: &Step<'_>,
    i: usize,
) -> Result<Result<(), sqlx::Error>, RunError> {
    sqlx::raw_sql("START TRANSACTION")
        .execute(&mut *conn)
        .await
        .map_err(progress_error(step, i))?;
    if let Err(source) = sqlx::raw_sql(&step.statements[i]).execute(&mut *conn).await {
        let _ = sqlx::raw_sql("ROLLBACK").execute(&mut *conn).await;
        return Ok(Err(source));
    }
    let recorded = async {
        record_done(conn, step, i + 1).await?;
        sqlx::raw_sql("COMMIT").execute(&mut *conn).await.map(drop)
    }
    .await;
    if let Err(e) = recorded {
        // The statement and its progress row commit together or not at all; when COMMIT itself
        // failed, the next run reads which of the two happened from the progress row.
        let _ = sqlx::raw_sql("ROLLBACK").execute(&mut *conn).await;
        return Err(progress_error(step, i)(e));
    }
    Ok(Ok(()))
}

/// Runs statement `i`, which commits by itself, recorded as running before and as done after.
/// A server error means the statement did not apply; a lost connection means nobody knows, and
/// the `running` mark stays for the next run to report.
async fn run_ddl_statement(
    conn: &mut MySqlConnection,
    step: &Step<'_>,
    i: usize,
) -> Result<Result<(), sqlx::Error>, RunError> {
    let rev = step.revision;
    sqlx::query("UPDATE autogen_progress SET running = ? WHERE revision = ?")
        .bind(i as i64)
        .bind(&rev.id)
        .execute(&mut *conn)
        .await
        .map_err(progress_error(step, i))?;
    match sqlx::raw_sql(&step.statements[i]).execute(&mut *conn).await {
        Ok(_) => {
            record_done(conn, step, i + 1)
                .await
                .map_err(progress_error(step, i + 1))?;
            Ok(Ok(()))
        }
        Err(source @ sqlx::Error::Database(_)) => {
            sqlx::query("UPDATE autogen_progress SET running = NULL WHERE revision = ?")
                .bind(&rev.id)
                .execute(&mut *conn)
                .await
                .map_err(progress_error(step, i))?;
            Ok(Err(source))
        }
        Err(source) => Err(unknown(step, i, Some(source))),
    }
}

/// Marks the revision applied (or reverted) and drops its progress row, atomically.
async fn finish(conn: &mut MySqlConnection, step: &Step<'_>) -> Result<(), RunError> {
    let rev = step.revision;
    let context = format!("recording revision {} in autogen_version", rev.id);
    sqlx::raw_sql("START TRANSACTION")
        .execute(&mut *conn)
        .await
        .map_err(db_error(context.clone()))?;
    let result = async {
        match step.direction {
            Direction::Upgrade => sqlx::query(version_table::insert(Dialect::Mysql))
                .bind(&rev.id)
                .bind(&rev.checksum)
                .bind(&step.applied_at)
                .execute(&mut *conn)
                .await
                .map(drop)?,
            Direction::Downgrade => sqlx::query(version_table::delete(Dialect::Mysql))
                .bind(&rev.id)
                .execute(&mut *conn)
                .await
                .map(drop)?,
        }
        sqlx::query("DELETE FROM autogen_progress WHERE revision = ?")
            .bind(&rev.id)
            .execute(&mut *conn)
            .await?;
        sqlx::raw_sql("COMMIT").execute(&mut *conn).await.map(drop)
    }
    .await;
    if let Err(e) = result {
        let _ = sqlx::raw_sql("ROLLBACK").execute(&mut *conn).await;
        return Err(db_error(context)(e));
    }
    Ok(())
}

pub(super) async fn stamp(conn: &mut MySqlConnection, plan: &StampPlan) -> Result<(), sqlx::Error> {
    sqlx::raw_sql("START TRANSACTION")
        .execute(&mut *conn)
        .await?;
    let result = stamp_body(conn, plan).await;
    match result {
        Ok(()) => sqlx::raw_sql("COMMIT").execute(&mut *conn).await.map(drop),
        Err(e) => {
            let _ = sqlx::raw_sql("ROLLBACK").execute(&mut *conn).await;
            Err(e)
        }
    }
}

async fn stamp_body(conn: &mut MySqlConnection, plan: &StampPlan) -> Result<(), sqlx::Error> {
    for id in &plan.delete {
        sqlx::query(version_table::delete(Dialect::Mysql))
            .bind(id)
            .execute(&mut *conn)
            .await?;
    }
    for (id, checksum) in &plan.update {
        sqlx::query(version_table::update_checksum(Dialect::Mysql))
            .bind(checksum)
            .bind(id)
            .execute(&mut *conn)
            .await?;
    }
    for (id, checksum) in &plan.insert {
        sqlx::query(version_table::insert(Dialect::Mysql))
            .bind(id)
            .bind(checksum)
            .bind(&plan.applied_at)
            .execute(&mut *conn)
            .await?;
    }
    if plan.clear_progress {
        sqlx::raw_sql("DELETE FROM autogen_progress")
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Drops every table and view of the connection's database, with foreign key checks off so
/// the order does not matter. The dev-database marker stays (see `scratch.rs`), so a clean that
/// fails half way still leaves the database claimed.
pub(super) async fn clean(conn: &mut MySqlConnection) -> Result<(), sqlx::Error> {
    let rows = sqlx::query(
        "SELECT CAST(table_name AS CHAR), CAST(table_type AS CHAR) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name <> ? ORDER BY table_type DESC, table_name",
    )
    .bind(crate::scratch::DEV_DATABASE_MARKER)
    .fetch_all(&mut *conn)
    .await?;
    sqlx::raw_sql("SET FOREIGN_KEY_CHECKS = 0")
        .execute(&mut *conn)
        .await?;
    let mut result = Ok(());
    for row in &rows {
        let name: String = row.try_get(0)?;
        let kind: String = row.try_get(1)?;
        let keyword = if kind == "VIEW" { "VIEW" } else { "TABLE" };
        let sql = format!(
            "DROP {keyword} IF EXISTS {}",
            autogen_sql::quote_ident(autogen_schema::Dialect::Mysql, &name)
        );
        if let Err(e) = sqlx::raw_sql(&sql).execute(&mut *conn).await {
            result = Err(e);
            break;
        }
    }
    sqlx::raw_sql("SET FOREIGN_KEY_CHECKS = 1")
        .execute(&mut *conn)
        .await?;
    result
}

/// How MySQL's and MariaDB's SQL text reads and how an offline script wraps it. DDL commits
/// implicitly there, so a script's transaction would only pretend.
pub(crate) const RULES: super::Rules = super::Rules {
    hash_comments: true,
    executable_comments: true,
    line_comment_needs_space: true,
    backslash_escapes: true,
    escape_strings: false,
    backquote_identifiers: true,
    bracket_identifiers: false,
    dollar_quotes: false,
    nested_block_comments: false,
    // Trigger, routine and event bodies (`BEGIN ... END`, `IF ... END IF`, ...) hold `;`, and
    // so does MariaDB's compound statement run outside any program (`BEGIN NOT ATOMIC ... END`;
    // a plain `BEGIN` starts a transaction).
    bodies: &[
        &["CREATE", "TRIGGER"],
        &["CREATE", "FUNCTION"],
        &["CREATE", "PROCEDURE"],
        &["CREATE", "EVENT"],
        &["BEGIN", "NOT", "ATOMIC"],
    ],
    compound_statements: true,
    transactional_ddl: false,
    client_delimiter: true,
    script_prologue: "",
    script_epilogue: "",
};

impl super::Backend for MySqlConnection {
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
        Box::pin(partial(self))
    }
    fn check_partial<'a>(
        &'a mut self,
        next: Option<&'a Revision>,
        direction: Direction,
    ) -> BoxFuture<'a, Result<(), RunError>> {
        Box::pin(check_partial(self, next, direction))
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
        _pg_schema: Option<&'a str>,
    ) -> BoxFuture<'a, Result<(), sqlx::Error>> {
        Box::pin(clean(self))
    }
}

#[cfg(test)]
mod tests {
    use super::is_session_setting;

    #[test]
    fn session_settings_are_recognised() {
        assert!(is_session_setting("SET SESSION lock_wait_timeout = 5"));
        assert!(is_session_setting("  set session lock_wait_timeout=5"));
        assert!(is_session_setting("SET @@SESSION.lock_wait_timeout = 5"));
        assert!(!is_session_setting("SET GLOBAL lock_wait_timeout = 5"));
        assert!(!is_session_setting("SET FOREIGN_KEY_CHECKS = 0"));
        assert!(!is_session_setting("UPDATE t SET a = 1"));
    }
}
