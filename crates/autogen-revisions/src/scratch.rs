//! Scratch ("dev") databases: autogen replays revisions into one to learn the schema at a
//! revision without touching the real database (like Atlas's dev database or Prisma's shadow
//! database), so it empties them before and after use. This file owns only the emptying and
//! the embedded-revisions value; choosing the scratch database and refusing to empty the real
//! one is the facade's job.

use autogen_db::Connection;

use crate::{dialect, RunError};

/// Drops every table, view (and on PostgreSQL every other object, by recreating the schema) of
/// a scratch database. Destroys data by design: never call it on a database you care about.
pub async fn clean_database(
    conn: &mut Connection,
    pg_schema: Option<&str>,
) -> Result<(), RunError> {
    dialect::clean(conn, pg_schema).await
}
