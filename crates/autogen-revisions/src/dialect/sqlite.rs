//! SQLite: each revision runs inside `BEGIN IMMEDIATE ... COMMIT` with its version-table row.
//! `PRAGMA foreign_keys` is a no-op inside a transaction, so it is switched off before `BEGIN`
//! (a table rebuild must not cascade deletes or fail half way) and restored after; before
//! `COMMIT`, `PRAGMA foreign_key_check` verifies the data still satisfies every foreign key, and
//! violations roll the revision back. `BEGIN IMMEDIATE` takes the database's write lock, which is
//! SQLite's migration lock: the applied set is re-read inside it so two processes never apply a
//! revision twice. No advisory lock exists or is needed.

use sqlx::sqlite::SqliteConnection;
use sqlx::Row;

use super::{
    db_error, statement_error, Outcome, StampPlan, Step, CREATE_VERSION_TABLE, SELECT_APPLIED,
};
use crate::error::Direction;
use crate::runner::AppliedRevision;
use crate::RunError;

/// How many foreign-key violations an error lists before summarising the rest.
const MAX_VIOLATIONS_SHOWN: usize = 20;

pub(super) async fn ensure_tables(conn: &mut SqliteConnection) -> Result<(), RunError> {
    sqlx::raw_sql(CREATE_VERSION_TABLE)
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
    let rows = sqlx::query(SELECT_APPLIED)
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
    exec(
        conn,
        "PRAGMA foreign_keys = OFF",
        "switching foreign keys off",
    )
    .await?;
    let result = in_transaction(conn, step).await;
    let restore = if fk_before != 0 {
        "PRAGMA foreign_keys = ON"
    } else {
        "PRAGMA foreign_keys = OFF"
    };
    let restored = exec(conn, restore, "restoring PRAGMA foreign_keys").await;
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
    for (i, sql) in step.statements.iter().enumerate() {
        sqlx::raw_sql(sql)
            .execute(&mut *conn)
            .await
            .map_err(|e| statement_error(step, i, e))?;
    }
    let record = match step.direction {
        Direction::Upgrade => sqlx::query(
            "INSERT INTO autogen_version (revision, checksum, applied_at) VALUES (?, ?, ?)",
        )
        .bind(&rev.id)
        .bind(&rev.checksum)
        .bind(&step.applied_at),
        Direction::Downgrade => {
            sqlx::query("DELETE FROM autogen_version WHERE revision = ?").bind(&rev.id)
        }
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
        sqlx::query("DELETE FROM autogen_version WHERE revision = ?")
            .bind(id)
            .execute(&mut *conn)
            .await?;
    }
    for (id, checksum) in &plan.update {
        sqlx::query("UPDATE autogen_version SET checksum = ? WHERE revision = ?")
            .bind(checksum)
            .bind(id)
            .execute(&mut *conn)
            .await?;
    }
    for (id, checksum) in &plan.insert {
        sqlx::query(
            "INSERT INTO autogen_version (revision, checksum, applied_at) VALUES (?, ?, ?)",
        )
        .bind(id)
        .bind(checksum)
        .bind(&plan.applied_at)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Drops every table and view (indexes and triggers go with them), with foreign keys off so the
/// order does not matter.
pub(super) async fn clean(conn: &mut SqliteConnection) -> Result<(), sqlx::Error> {
    let rows = sqlx::query(
        "SELECT type, name FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%' ORDER BY type DESC, name",
    )
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
