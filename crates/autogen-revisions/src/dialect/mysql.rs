//! MySQL/MariaDB: DDL commits implicitly, so a revision cannot be one transaction. Instead the
//! runner records its progress statement by statement in `autogen_progress` (one row per
//! revision being applied: direction, statements done, a hash of the statements done) and marks
//! the revision applied in `autogen_version` (and deletes the progress row) in one small InnoDB
//! transaction at the end. When a statement fails, the error lists exactly the statements that
//! ran and stayed; the next run of the same direction resumes after them, provided those
//! statements are unchanged in the file (checked by the hash). `GET_LOCK` on a name derived from
//! the database name serialises concurrent runs against one database.

use sqlx::mysql::MySqlConnection;
use sqlx::Row;

use super::{
    db_error, failure, statement_error, Outcome, StampPlan, Step, CREATE_VERSION_TABLE,
    SELECT_APPLIED,
};
use crate::error::{partial_report, Direction};
use crate::file::{checksum, Revision};
use crate::runner::AppliedRevision;
use crate::RunError;

/// Seconds `GET_LOCK` waits for another run before giving up.
const LOCK_TIMEOUT_SECS: i64 = 600;

/// `GET_LOCK` names are server-wide, so the name includes (a hash of) the database name: runs
/// against different databases of one server do not wait for each other. Lock names are limited
/// to 64 characters, hence the hash.
const LOCK_NAME: &str = "CONCAT('autogen:', LEFT(SHA2(COALESCE(DATABASE(), ''), 256), 40))";

const CREATE_PROGRESS_TABLE: &str = "CREATE TABLE IF NOT EXISTS autogen_progress (\
revision varchar(32) NOT NULL PRIMARY KEY, \
direction varchar(16) NOT NULL, \
statements_done integer NOT NULL, \
done_hash varchar(64) NOT NULL, \
started_at varchar(40) NOT NULL)";

/// A revision recorded as partially applied.
struct Progress {
    revision: String,
    direction: String,
    statements_done: usize,
    done_hash: String,
}

pub(super) async fn lock(conn: &mut MySqlConnection) -> Result<(), RunError> {
    let got: Option<i64> = sqlx::query_scalar(&format!(
        "SELECT CAST(GET_LOCK({LOCK_NAME}, {LOCK_TIMEOUT_SECS}) AS SIGNED)"
    ))
    .fetch_one(&mut *conn)
    .await
    .map_err(|e| RunError::Lock {
        message: format!("GET_LOCK failed: {e}"),
    })?;
    match got {
        Some(1) => Ok(()),
        _ => Err(RunError::Lock {
            message: format!(
                "another autogen run has held the lock on this database for over {LOCK_TIMEOUT_SECS}s; wait for it to finish, or end its session"
            ),
        }),
    }
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
        (CREATE_VERSION_TABLE, "autogen_version"),
        (CREATE_PROGRESS_TABLE, "autogen_progress"),
    ] {
        sqlx::raw_sql(ddl)
            .execute(&mut *conn)
            .await
            .map_err(db_error(format!("creating the runner table {table}")))?;
    }
    Ok(())
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
    if !table_exists(conn, "autogen_version").await? {
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

async fn read_progress(conn: &mut MySqlConnection) -> Result<Vec<Progress>, RunError> {
    if !table_exists(conn, "autogen_progress").await? {
        return Ok(Vec::new());
    }
    let rows = sqlx::query(
        "SELECT revision, direction, CAST(statements_done AS SIGNED), done_hash FROM autogen_progress ORDER BY revision",
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(db_error("reading the progress table autogen_progress"))?;
    rows.iter()
        .map(|row| {
            let done: i64 = row.try_get(2)?;
            Ok(Progress {
                revision: row.try_get(0)?,
                direction: row.try_get(1)?,
                statements_done: usize::try_from(done).unwrap_or(0),
                done_hash: row.try_get(3)?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(db_error("reading the progress table autogen_progress"))
}

pub(super) async fn check_partial(
    conn: &mut MySqlConnection,
    next: Option<&Revision>,
    direction: Direction,
) -> Result<(), RunError> {
    for p in read_progress(conn).await? {
        let resumable =
            next.is_some_and(|n| n.id == p.revision) && p.direction == direction.as_str();
        if !resumable {
            return Err(RunError::PartiallyApplied {
                message: format!(
                    "revision {rev} was left partially applied by an earlier {dir}: its first {done} statement(s) ran and stayed applied, and it is not recorded as done in autogen_version. \
                     Run `autogen {dir}` to a target that includes revision {rev} to resume at statement {next}, or undo those statements by hand and run DELETE FROM autogen_progress WHERE revision = '{rev}'; before doing anything else.",
                    rev = p.revision,
                    dir = p.direction,
                    done = p.statements_done,
                    next = p.statements_done + 1,
                ),
                revision: p.revision,
            });
        }
    }
    Ok(())
}

/// Hash of the statements already run, so a resume can check they are still the same text.
fn done_hash(statements: &[String]) -> String {
    let mut joined = String::new();
    for s in statements {
        joined.push_str(s);
        joined.push('\0');
    }
    checksum(joined.as_bytes())
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
            let done = p.statements_done;
            let same = p.direction == step.direction.as_str()
                && done <= total
                && done_hash(&step.statements[..done]) == p.done_hash;
            if !same {
                return Err(RunError::PartiallyApplied {
                    revision: rev.id.clone(),
                    message: format!(
                        "revision {id} ({path}) was left partially applied by an earlier {dir} after {done} statement(s), but its file no longer starts with the statements that ran, so autogen cannot tell where to resume. \
                         Restore the first {done} statement(s) of the {dir} section as they were and run `autogen {dir}` again, or bring the database to the state you want by hand and run DELETE FROM autogen_progress WHERE revision = '{id}';",
                        id = rev.id,
                        path = rev.path.display(),
                        dir = p.direction,
                    ),
                });
            }
            done
        }
        None => {
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

    for i in start..total {
        let sql = &step.statements[i];
        if let Err(source) = sqlx::raw_sql(sql).execute(&mut *conn).await {
            if i == 0 {
                // Nothing of the revision ran: forget it was started, so the database is exactly
                // as before and the failure is an ordinary one.
                let _ = sqlx::query("DELETE FROM autogen_progress WHERE revision = ?")
                    .bind(&rev.id)
                    .execute(&mut *conn)
                    .await;
                return Err(statement_error(step, i, source));
            }
            return Err(RunError::Partial {
                failure: Box::new(failure(step, i, source)),
                executed: step.statements[..i].to_vec(),
            });
        }
        let done = i + 1;
        sqlx::query(
            "UPDATE autogen_progress SET statements_done = ?, done_hash = ? WHERE revision = ?",
        )
        .bind(done as i64)
        .bind(done_hash(&step.statements[..done]))
        .bind(&rev.id)
        .execute(&mut *conn)
        .await
        .map_err(|e| RunError::Database {
            context: format!(
                "recording progress of revision {} after statement {done} of {total}\n{}",
                rev.id,
                partial_report(step.direction, &rev.id, &step.statements[..done], done + 1)
            ),
            source: Box::new(e),
        })?;
    }
    finish(conn, step).await?;
    Ok(Outcome::Done)
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
            Direction::Upgrade => sqlx::query(
                "INSERT INTO autogen_version (revision, checksum, applied_at) VALUES (?, ?, ?)",
            )
            .bind(&rev.id)
            .bind(&rev.checksum)
            .bind(&step.applied_at)
            .execute(&mut *conn)
            .await
            .map(drop)?,
            Direction::Downgrade => sqlx::query("DELETE FROM autogen_version WHERE revision = ?")
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
    if plan.clear_progress {
        sqlx::raw_sql("DELETE FROM autogen_progress")
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Drops every table and view of the connection's database, with foreign key checks off so
/// the order does not matter.
pub(super) async fn clean(conn: &mut MySqlConnection) -> Result<(), sqlx::Error> {
    let rows = sqlx::query(
        "SELECT CAST(table_name AS CHAR), CAST(table_type AS CHAR) FROM information_schema.tables WHERE table_schema = DATABASE() ORDER BY table_type DESC, table_name",
    )
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
