//! PostgreSQL: DDL is transactional, so each revision runs in one transaction with its
//! version-table row and a failed statement leaves no trace. A session-level advisory lock on a
//! fixed key is held for the whole upgrade or downgrade (advisory locks are per database, so runs
//! against different databases of one server do not wait for each other); the runner reads the
//! applied set only after taking it, so two concurrent runs apply each revision once. A stop
//! request between statements rolls the revision back. Statements
//! that cannot run inside a transaction block (`CREATE INDEX CONCURRENTLY`, `VACUUM`) are not
//! supported in revisions.

use sqlx::postgres::PgConnection;
use sqlx::Row;

use super::{db_error, statement_error, Outcome, StampPlan, Step};
use super::{BoxFuture, LockGuard};
use crate::error::Direction;
use crate::runner::AppliedRevision;
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
    let rev = step.revision;
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
    transactional_ddl: true,
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
