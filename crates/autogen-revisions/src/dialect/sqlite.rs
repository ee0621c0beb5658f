//! SQLite: each revision runs inside `BEGIN IMMEDIATE ... COMMIT` with its version-table row.
//! `PRAGMA foreign_keys` is a no-op inside a transaction, so it is switched off before `BEGIN`
//! (a table rebuild must not cascade deletes or fail half way) and restored after; before
//! `COMMIT`, `PRAGMA foreign_key_check` verifies the data still satisfies every foreign key, and
//! violations roll the revision back. The run as a whole holds a lock on the database file
//! (`sqlite_lock.rs`), taken before the version table is read, so concurrent runs plan one after
//! the other; the applied set is also re-read inside each `BEGIN IMMEDIATE`, so no revision is
//! ever applied twice. Table rebuilds get the checks and repairs of `sqlite_rebuild.rs`.
//!
//! A revision with `-- autogen:no-transaction` steps (`VACUUM`, which SQLite refuses inside a
//! transaction) runs in segments with its progress recorded (`segmented.rs`), foreign keys off
//! for the whole revision and checked before each segment commits. SQLite itself rolls back a
//! statement its process did not finish, so an interrupted `VACUUM` (or `ANALYZE`, `REINDEX`, a
//! `PRAGMA`) simply runs again; any other interrupted step is left for the user to settle.

use sqlx::sqlite::SqliteConnection;
use sqlx::Row;

use super::progress::{self, Progress};
use super::segmented::{self, Segmented, Settled};
use super::sqlite_rebuild::{self, Rebuilds};
use super::{db_error, statement_error, Outcome, StampPlan, Step};
use super::{BoxFuture, LockGuard};
use crate::error::Direction;
use crate::file::Revision;
use crate::graph::RevisionSet;
use crate::runner::{AppliedRevision, PartialRevision};
use crate::version_table;
use crate::RunError;

use autogen_schema::Dialect;

/// How many foreign-key violations an error lists before summarising the rest.
const MAX_VIOLATIONS_SHOWN: usize = 20;

pub(super) async fn ensure_tables(conn: &mut SqliteConnection) -> Result<(), RunError> {
    sqlx::raw_sql(version_table::CREATE)
        .execute(&mut *conn)
        .await
        .map_err(db_error("creating the version table autogen_version"))?;
    Ok(())
}

pub(super) async fn read_applied(
    conn: &mut SqliteConnection,
) -> Result<Vec<AppliedRevision>, RunError> {
    let exists: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'autogen_version'",
    )
    .fetch_one(&mut *conn)
    .await
    .map_err(db_error("looking for the version table autogen_version"))?;
    if exists == 0 {
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

pub(super) async fn apply(
    conn: &mut SqliteConnection,
    step: &Step<'_>,
) -> Result<Outcome, RunError> {
    let fk_before: i64 = sqlx::query_scalar("PRAGMA foreign_keys")
        .fetch_one(&mut *conn)
        .await
        .map_err(db_error("reading PRAGMA foreign_keys"))?;
    // A rebuild switches legacy_alter_table on around its rename; a failure in between must
    // not leave it on for the connection's next revision.
    let legacy_before: i64 = sqlx::query_scalar("PRAGMA legacy_alter_table")
        .fetch_one(&mut *conn)
        .await
        .map_err(db_error("reading PRAGMA legacy_alter_table"))?;
    exec(
        conn,
        "PRAGMA foreign_keys = OFF",
        "switching foreign keys off",
    )
    .await?;
    let segments = step.alone.contains(&true)
        || read_progress(conn)
            .await?
            .iter()
            .any(|p| p.revision == step.revision.id);
    let result = if segments {
        let mut run = Segments {
            rebuilds: Rebuilds::new(sqlite_rebuild::section(step.revision, step.direction)),
            conn: &mut *conn,
        };
        segmented::apply(&mut run, step).await
    } else {
        in_transaction(conn, step).await
    };
    let on_off = |v: i64| if v != 0 { "ON" } else { "OFF" };
    let restored = exec(
        conn,
        &format!(
            "PRAGMA foreign_keys = {}; PRAGMA legacy_alter_table = {}",
            on_off(fk_before),
            on_off(legacy_before)
        ),
        "restoring PRAGMA foreign_keys and legacy_alter_table",
    )
    .await;
    let outcome = result?;
    restored?;
    Ok(outcome)
}

async fn in_transaction(conn: &mut SqliteConnection, step: &Step<'_>) -> Result<Outcome, RunError> {
    let rev = step.revision;
    exec(
        conn,
        "BEGIN IMMEDIATE",
        &format!("starting the transaction for revision {}", rev.id),
    )
    .await?;
    match body(conn, step).await {
        Ok(Outcome::Done) => {
            exec(conn, "COMMIT", &format!("committing revision {}", rev.id)).await?;
            Ok(Outcome::Done)
        }
        Ok(Outcome::Skipped) => {
            rollback(conn).await;
            Ok(Outcome::Skipped)
        }
        Err(e) => {
            rollback(conn).await;
            Err(e)
        }
    }
}

/// Everything between `BEGIN` and `COMMIT`.
async fn body(conn: &mut SqliteConnection, step: &Step<'_>) -> Result<Outcome, RunError> {
    let rev = step.revision;
    let recorded: i64 =
        sqlx::query_scalar("SELECT count(*) FROM autogen_version WHERE revision = ?")
            .bind(&rev.id)
            .fetch_one(&mut *conn)
            .await
            .map_err(db_error("reading the version table autogen_version"))?;
    let already = match step.direction {
        Direction::Upgrade => recorded > 0,
        Direction::Downgrade => recorded == 0,
    };
    if already {
        return Ok(Outcome::Skipped);
    }
    let mut rebuilds = Rebuilds::new(sqlite_rebuild::section(rev, step.direction));
    for (i, sql) in step.statements.iter().enumerate() {
        if step.observer.stop_requested() {
            return Err(super::interrupted_in_transaction(step, i));
        }
        rebuilds.before(conn, step, i).await?;
        sqlx::raw_sql(sql)
            .execute(&mut *conn)
            .await
            .map_err(|e| statement_error(step, i, e))?;
        rebuilds.after(conn, step, i).await?;
    }
    let record = match step.direction {
        Direction::Upgrade => sqlx::query(version_table::insert(Dialect::Sqlite))
            .bind(&rev.id)
            .bind(&rev.checksum)
            .bind(&step.applied_at),
        Direction::Downgrade => sqlx::query(version_table::delete(Dialect::Sqlite)).bind(&rev.id),
    };
    record.execute(&mut *conn).await.map_err(db_error(format!(
        "recording revision {} in autogen_version",
        rev.id
    )))?;
    let violations = foreign_key_violations(conn).await?;
    if !violations.is_empty() {
        return Err(RunError::ForeignKeyViolations {
            revision: rev.id.clone(),
            path: rev.path.clone(),
            direction: step.direction,
            violations,
        });
    }
    Ok(Outcome::Done)
}

/// Whether the version table already records what `step` would record.
async fn already_done(conn: &mut SqliteConnection, step: &Step<'_>) -> Result<bool, RunError> {
    let recorded: i64 =
        sqlx::query_scalar("SELECT count(*) FROM autogen_version WHERE revision = ?")
            .bind(&step.revision.id)
            .fetch_one(&mut *conn)
            .await
            .map_err(db_error("reading the version table autogen_version"))?;
    Ok(match step.direction {
        Direction::Upgrade => recorded > 0,
        Direction::Downgrade => recorded == 0,
    })
}

async fn read_progress(conn: &mut SqliteConnection) -> Result<Vec<Progress>, RunError> {
    let context = "reading the progress table autogen_progress";
    let exists: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'autogen_progress'",
    )
    .fetch_one(&mut *conn)
    .await
    .map_err(db_error(context))?;
    if exists == 0 {
        return Ok(Vec::new());
    }
    let rows = sqlx::query(
        "SELECT revision, direction, statements_done, done_hash, started_at, running FROM autogen_progress ORDER BY revision",
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(db_error(context))?;
    rows.iter()
        .map(progress::progress_from_row)
        .collect::<Result<_, sqlx::Error>>()
        .map_err(db_error(context))
}

/// A segmented run on SQLite: the connection and the rebuild bookkeeping of the revision.
struct Segments<'c> {
    conn: &'c mut SqliteConnection,
    rebuilds: Rebuilds,
}

impl Segmented for Segments<'_> {
    fn exec<'a>(&'a mut self, sql: &'a str) -> BoxFuture<'a, Result<(), sqlx::Error>> {
        Box::pin(async move { sqlx::raw_sql(sql).execute(&mut *self.conn).await.map(drop) })
    }
    fn begin(&self) -> &'static str {
        "BEGIN IMMEDIATE"
    }
    fn read_progress(&mut self) -> BoxFuture<'_, Result<Vec<Progress>, RunError>> {
        Box::pin(read_progress(self.conn))
    }
    fn already_done<'a>(&'a mut self, step: &'a Step<'a>) -> BoxFuture<'a, Result<bool, RunError>> {
        Box::pin(already_done(self.conn, step))
    }
    fn statement<'a>(
        &'a mut self,
        step: &'a Step<'a>,
        index: usize,
    ) -> BoxFuture<'a, Result<Result<(), sqlx::Error>, RunError>> {
        Box::pin(async move {
            self.rebuilds.before(self.conn, step, index).await?;
            if let Err(e) = sqlx::raw_sql(&step.statements[index])
                .execute(&mut *self.conn)
                .await
            {
                return Ok(Err(e));
            }
            self.rebuilds.after(self.conn, step, index).await?;
            Ok(Ok(()))
        })
    }
    fn before_commit<'a>(&'a mut self, step: &'a Step<'a>) -> BoxFuture<'a, Result<(), RunError>> {
        Box::pin(async move {
            let violations = foreign_key_violations(self.conn).await?;
            if violations.is_empty() {
                return Ok(());
            }
            Err(RunError::ForeignKeyViolations {
                revision: step.revision.id.clone(),
                path: step.revision.path.clone(),
                direction: step.direction,
                violations,
            })
        })
    }
    fn settle<'a>(
        &'a mut self,
        step: &'a Step<'a>,
        index: usize,
    ) -> BoxFuture<'a, Result<(Settled, Option<String>), RunError>> {
        Box::pin(async move {
            let first = step.statements[index]
                .split(|c: char| !c.is_ascii_alphabetic())
                .next()
                .unwrap_or("")
                .to_ascii_uppercase();
            Ok(match first.as_str() {
                "VACUUM" | "ANALYZE" | "REINDEX" | "PRAGMA" => (
                    Settled::NotRun,
                    Some(format!(
                        "statement {} was interrupted in an earlier run; running it again (it is harmless to repeat)",
                        index + 1
                    )),
                ),
                _ => (Settled::Unknown, None),
            })
        })
    }
}

async fn foreign_key_violations(conn: &mut SqliteConnection) -> Result<Vec<String>, RunError> {
    let rows = sqlx::query("PRAGMA foreign_key_check")
        .fetch_all(&mut *conn)
        .await
        .map_err(db_error("running PRAGMA foreign_key_check"))?;
    let mut out = Vec::new();
    for row in rows.iter().take(MAX_VIOLATIONS_SHOWN) {
        let table: String = row.try_get(0).unwrap_or_default();
        let rowid: Option<i64> = row.try_get(1).unwrap_or(None);
        let parent: String = row.try_get(2).unwrap_or_default();
        let fk: i64 = row.try_get(3).unwrap_or(-1);
        let rowid = rowid.map_or("(no rowid)".to_string(), |r| format!("rowid {r}"));
        out.push(format!(
            "table {table} {rowid}: no matching row in {parent} (foreign key #{fk})"
        ));
    }
    if rows.len() > MAX_VIOLATIONS_SHOWN {
        out.push(format!(
            "... and {} more (run PRAGMA foreign_key_check to see them all)",
            rows.len() - MAX_VIOLATIONS_SHOWN
        ));
    }
    Ok(out)
}

async fn exec(conn: &mut SqliteConnection, sql: &str, context: &str) -> Result<(), RunError> {
    sqlx::raw_sql(sql)
        .execute(&mut *conn)
        .await
        .map_err(db_error(context))?;
    Ok(())
}

/// Rolls back, ignoring errors: the error that got us here is the one to report, and SQLite may
/// already have rolled back on its own.
async fn rollback(conn: &mut SqliteConnection) {
    let _ = sqlx::raw_sql("ROLLBACK").execute(&mut *conn).await;
}

pub(super) async fn stamp(
    conn: &mut SqliteConnection,
    plan: &StampPlan,
) -> Result<(), sqlx::Error> {
    sqlx::raw_sql("BEGIN IMMEDIATE").execute(&mut *conn).await?;
    let result = stamp_body(conn, plan).await;
    match result {
        Ok(()) => sqlx::raw_sql("COMMIT").execute(&mut *conn).await.map(drop),
        Err(e) => {
            let _ = sqlx::raw_sql("ROLLBACK").execute(&mut *conn).await;
            Err(e)
        }
    }
}

async fn stamp_body(conn: &mut SqliteConnection, plan: &StampPlan) -> Result<(), sqlx::Error> {
    for id in &plan.delete {
        sqlx::query(version_table::delete(Dialect::Sqlite))
            .bind(id)
            .execute(&mut *conn)
            .await?;
    }
    for (id, checksum) in &plan.update {
        sqlx::query(version_table::update_checksum(Dialect::Sqlite))
            .bind(checksum)
            .bind(id)
            .execute(&mut *conn)
            .await?;
    }
    for (id, checksum) in &plan.insert {
        sqlx::query(version_table::insert(Dialect::Sqlite))
            .bind(id)
            .bind(checksum)
            .bind(&plan.applied_at)
            .execute(&mut *conn)
            .await?;
    }
    // A stamp asserts the database's whole state, so a revision a run left part way (one with
    // `-- autogen:no-transaction` steps) is forgotten too.
    if plan.clear_progress {
        let exists: bool = sqlx::query_scalar("SELECT count(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = 'autogen_progress'")
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

/// Drops every table and view (indexes and triggers go with them), with foreign keys off so the
/// order does not matter. The dev-database marker stays (see `scratch.rs`), so a clean that
/// fails half way still leaves the database claimed.
pub(super) async fn clean(conn: &mut SqliteConnection) -> Result<(), sqlx::Error> {
    let rows = sqlx::query(
        "SELECT type, name FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%' AND name <> ? ORDER BY type DESC, name",
    )
    .bind(crate::scratch::DEV_DATABASE_MARKER)
    .fetch_all(&mut *conn)
    .await?;
    sqlx::raw_sql("PRAGMA foreign_keys = OFF")
        .execute(&mut *conn)
        .await?;
    let mut result = Ok(());
    for row in &rows {
        let kind: String = row.try_get(0)?;
        let name: String = row.try_get(1)?;
        let keyword = if kind == "view" { "VIEW" } else { "TABLE" };
        let sql = format!(
            "DROP {keyword} IF EXISTS {}",
            autogen_sql::quote_ident(autogen_schema::Dialect::Sqlite, &name)
        );
        if let Err(e) = sqlx::raw_sql(&sql).execute(&mut *conn).await {
            result = Err(e);
            break;
        }
    }
    sqlx::raw_sql("PRAGMA foreign_keys = ON")
        .execute(&mut *conn)
        .await?;
    result
}

/// How SQLite's SQL text reads and how an offline script wraps it.
pub(crate) const RULES: super::Rules = super::Rules {
    hash_comments: false,
    executable_comments: false,
    line_comment_needs_space: false,
    backslash_escapes: false,
    escape_strings: false,
    backquote_identifiers: true,
    bracket_identifiers: true,
    dollar_quotes: false,
    nested_block_comments: false,
    bodies: &[
        &["CREATE", "TRIGGER"],
        &["CREATE", "TEMP", "TRIGGER"],
        &["CREATE", "TEMPORARY", "TRIGGER"],
    ],
    compound_statements: false,
    transactional_ddl: true,
    client_delimiter: false,
    // As the runner does: a table rebuild must not cascade deletes, and the pragma is a no-op
    // inside a transaction, so it is switched off up front.
    script_prologue: "PRAGMA foreign_keys = OFF;\n",
    script_epilogue: "\n-- lists rows that violate foreign keys; expect no output\nPRAGMA foreign_key_check;\nPRAGMA foreign_keys = ON;\n",
};

impl super::Backend for SqliteConnection {
    fn try_lock(&mut self) -> BoxFuture<'_, Result<Option<LockGuard>, RunError>> {
        Box::pin(super::sqlite_lock::try_lock(self))
    }
    fn ensure_tables(&mut self) -> BoxFuture<'_, Result<(), RunError>> {
        Box::pin(ensure_tables(self))
    }
    fn read_applied(&mut self) -> BoxFuture<'_, Result<Vec<AppliedRevision>, RunError>> {
        Box::pin(read_applied(self))
    }
    fn check_plan(
        &self,
        set: &RevisionSet,
        plan: &[&Revision],
        direction: Direction,
    ) -> Result<(), RunError> {
        match direction {
            Direction::Upgrade => sqlite_rebuild::check_plan(set, plan),
            Direction::Downgrade => Ok(()),
        }
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
