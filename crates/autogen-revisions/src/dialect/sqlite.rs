//! SQLite: each revision runs inside `BEGIN IMMEDIATE ... COMMIT` with its version-table row.
//! `PRAGMA foreign_keys` is a no-op inside a transaction, so it is switched off before `BEGIN`
//! (a table rebuild must not cascade deletes or fail half way) and restored after; before
//! `COMMIT`, `PRAGMA foreign_key_check` verifies the data still satisfies every foreign key, and
//! violations roll the revision back. The run as a whole holds a lock on the database file
//! (`sqlite_lock.rs`), taken before the version table is read, so concurrent runs plan one after
//! the other; the applied set is also re-read inside each `BEGIN IMMEDIATE`, so no revision is
//! ever applied twice. Table rebuilds get the checks and repairs of `sqlite_rebuild.rs`.

use sqlx::sqlite::SqliteConnection;
use sqlx::Row;

use super::sqlite_rebuild::{self, Rebuilds};
use super::{db_error, statement_error, Outcome, StampPlan, Step};
use super::{BoxFuture, LockGuard};
use crate::error::Direction;
use crate::file::Revision;
use crate::graph::RevisionSet;
use crate::runner::AppliedRevision;
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
    let result = in_transaction(conn, step).await;
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
    transactional_ddl: true,
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
