//! Scratch ("dev") databases: autogen replays revisions into one to learn the schema at a
//! revision without touching the real database (like Atlas's dev database or Prisma's shadow
//! database), so it empties them before and after use. This file owns the emptying and the
//! claim that makes emptying safe; choosing the scratch database and refusing the project's own
//! database (by identity) is the facade's job.
//!
//! The claim: a database autogen may empty carries a marker table, [`DEV_DATABASE_MARKER`].
//! autogen creates it when it first uses a database that holds nothing at all, keeps it through
//! every emptying (the dialects' `clean` leave it in place; on PostgreSQL, where the schema is
//! dropped and recreated, it is recreated in the same transaction), and empties a database
//! freely only while it is there. A database that holds anything and no marker (somebody's
//! data, a project database with its `autogen_version` table) is refused by
//! [`empty_dev_database`] unless the caller passes the user's explicit permission.
//! [`clean_database`] is the unguarded primitive underneath.

use autogen_db::Connection;
use sqlx::Row;

use crate::dialect::db_error;
use crate::{dialect, RunError};

/// The table that marks a database as autogen's dev database. Introspection callers leave it
/// out, like the version tables.
pub const DEV_DATABASE_MARKER: &str = "autogen_dev_database";

/// The one row of the marker table, for whoever opens the database by hand.
const MARKER_NOTE: &str = "autogen empties this database whenever it uses it as a dev database (--dev-url, dev_url); keep nothing here";

/// What a would-be dev database holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScratchContents {
    /// Nothing at all: autogen may claim it.
    Empty,
    /// The marker is there: everything in it came from autogen's replays.
    Claimed,
    /// Objects and no marker. `objects` names them (tables, views; on PostgreSQL also types,
    /// sequences and functions of the schema), sorted.
    Unclaimed { objects: Vec<String> },
}

/// Why a dev database was not emptied.
#[derive(Debug, thiserror::Error)]
pub enum ScratchError {
    /// It holds objects autogen did not create there, and the user did not allow emptying it.
    #[error(
        "holds {} and no {DEV_DATABASE_MARKER} table, so autogen did not create what is in it",
        list(objects)
    )]
    Unclaimed { objects: Vec<String> },
    #[error(transparent)]
    Run(#[from] RunError),
}

/// Drops every table, view (and on PostgreSQL every other object, by recreating the schema) of
/// a scratch database; only the SQLite and MySQL/MariaDB marker table stays. Destroys data by
/// design and checks nothing: use [`empty_dev_database`] unless the database is known to be a
/// scratch database.
pub async fn clean_database(
    conn: &mut Connection,
    pg_schema: Option<&str>,
) -> Result<(), RunError> {
    dialect::clean(conn, pg_schema).await
}

/// Empties a dev database and leaves it claimed (holding only the marker). An empty database is
/// claimed, a claimed one emptied; one that holds anything without the marker is refused with
/// [`ScratchError::Unclaimed`] unless `empty_unclaimed` (the user said so explicitly).
pub async fn empty_dev_database(
    conn: &mut Connection,
    pg_schema: Option<&str>,
    empty_unclaimed: bool,
) -> Result<(), ScratchError> {
    if let ScratchContents::Unclaimed { objects } = scratch_contents(conn, pg_schema).await? {
        if !empty_unclaimed {
            return Err(ScratchError::Unclaimed { objects });
        }
    }
    match conn {
        Connection::Postgres(_) => clean_and_mark_postgres(conn, pg_schema).await?,
        Connection::Sqlite(_) | Connection::Mysql(_) => {
            // Claim first: the dialects' clean keeps the marker, so if it fails half way the
            // next run still finds the database claimed rather than refusing it.
            mark(conn, None).await?;
            dialect::clean(conn, pg_schema).await?;
        }
    }
    Ok(())
}

/// What the database (on PostgreSQL: the schema autogen works in) holds.
pub async fn scratch_contents(
    conn: &mut Connection,
    pg_schema: Option<&str>,
) -> Result<ScratchContents, RunError> {
    let reading = || db_error("reading what the dev database holds");
    let mut objects: Vec<String> = match conn {
        Connection::Sqlite(c) => sqlx::query_scalar(
            "SELECT name FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%'",
        )
        .fetch_all(&mut *c)
        .await
        .map_err(reading())?,
        Connection::Mysql(c) => sqlx::query(
            "SELECT CAST(table_name AS CHAR) FROM information_schema.tables WHERE table_schema = DATABASE()",
        )
        .fetch_all(&mut *c)
        .await
        .map_err(reading())?
        .iter()
        .map(|row| row.try_get::<String, _>(0))
        .collect::<Result<_, _>>()
        .map_err(reading())?,
        Connection::Postgres(_) => {
            let schema = postgres_schema(conn, pg_schema).await?;
            let Connection::Postgres(c) = conn else {
                return Ok(ScratchContents::Empty);
            };
            // Everything DROP SCHEMA ... CASCADE would take with it: relations (indexes and
            // table row types go with their tables), free-standing types and functions.
            sqlx::query_scalar(
                "SELECT c.relname::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
                 WHERE n.nspname = $1 AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f', 'c') \
                 UNION ALL SELECT t.typname::text FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace \
                 WHERE n.nspname = $1 AND t.typtype IN ('e', 'd', 'r', 'm') \
                 UNION ALL SELECT p.proname::text FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace \
                 WHERE n.nspname = $1",
            )
            .bind(schema)
            .fetch_all(&mut *c)
            .await
            .map_err(reading())?
        }
    };
    objects.sort();
    Ok(if objects.is_empty() {
        ScratchContents::Empty
    } else if objects.iter().any(|o| o == DEV_DATABASE_MARKER) {
        ScratchContents::Claimed
    } else {
        ScratchContents::Unclaimed { objects }
    })
}

/// PostgreSQL's clean drops the whole schema, marker included, so the marker is recreated in the
/// same transaction: no moment exists in which the emptied database is unclaimed.
async fn clean_and_mark_postgres(
    conn: &mut Connection,
    pg_schema: Option<&str>,
) -> Result<(), RunError> {
    let schema = postgres_schema(conn, pg_schema).await?;
    transaction_control(conn, "BEGIN").await?;
    let result = async {
        dialect::clean(conn, schema.as_deref()).await?;
        mark(conn, schema.as_deref()).await
    }
    .await;
    let end = if result.is_ok() { "COMMIT" } else { "ROLLBACK" };
    let ended = transaction_control(conn, end).await;
    result?;
    ended
}

async fn transaction_control(conn: &mut Connection, statement: &str) -> Result<(), RunError> {
    if let Connection::Postgres(_) = conn {
        dialect::run_script(conn, statement)
            .await
            .map_err(db_error(format!("emptying the dev database: {statement}")))?;
    }
    Ok(())
}

/// Creates the marker table with its note, unless it exists. `schema` qualifies it on
/// PostgreSQL.
async fn mark(conn: &mut Connection, schema: Option<&str>) -> Result<(), RunError> {
    let dialect = conn.dialect();
    let table = match schema {
        Some(s) => format!(
            "{}.{}",
            autogen_sql::quote_ident(dialect, s),
            autogen_sql::quote_ident(dialect, DEV_DATABASE_MARKER)
        ),
        None => autogen_sql::quote_ident(dialect, DEV_DATABASE_MARKER),
    };
    // One script on every dialect: the note is inserted only into an empty marker table.
    let script = format!(
        "CREATE TABLE IF NOT EXISTS {table} (note text);\n\
         INSERT INTO {table} (note) SELECT '{MARKER_NOTE}' FROM (SELECT 1 AS one) AS once \
         WHERE NOT EXISTS (SELECT 1 FROM {table})"
    );
    dialect::run_script(conn, &script)
        .await
        .map_err(db_error(format!(
            "creating the dev-database marker {DEV_DATABASE_MARKER}"
        )))?;
    Ok(())
}

/// The PostgreSQL schema autogen works in: `pg_schema`, else the connection's current schema
/// (`None` when its search path names no existing schema; emptying then fails with the
/// dialect's own error).
async fn postgres_schema(
    conn: &mut Connection,
    pg_schema: Option<&str>,
) -> Result<Option<String>, RunError> {
    if let Some(s) = pg_schema {
        return Ok(Some(s.to_string()));
    }
    let Connection::Postgres(c) = conn else {
        return Ok(None);
    };
    sqlx::query_scalar("SELECT current_schema()::text")
        .fetch_one(&mut *c)
        .await
        .map_err(db_error("reading the current schema"))
}

/// `a, b, c and 4 more` for messages.
fn list(objects: &[String]) -> String {
    const SHOWN: usize = 5;
    let mut text = objects
        .iter()
        .take(SHOWN)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if objects.len() > SHOWN {
        text.push_str(&format!(" and {} more", objects.len() - SHOWN));
    }
    text
}
