//! The server settings that decide how catalog reads scale: MariaDB/MySQL's table caches. With
//! fewer cache slots than tables, every `information_schema` query that opens tables
//! (STATISTICS, KEY_COLUMN_USAGE, REFERENTIAL_CONSTRAINTS, CHECK_CONSTRAINTS) reopens them one by
//! one. Measured on MariaDB 10.11 at 5,000 tables (through the mysql client, less its start-up),
//! those four queries took 0.84 s with the defaults (2000 / 400) and 0.18-0.19 s with both
//! caches at 12,000.

use autogen_db::Connection;
use sqlx::Row;

/// `table_open_cache` and `table_definition_cache`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TableCaches {
    pub open: u64,
    pub definition: u64,
}

/// The server's table caches, or `None` on a dialect that has none.
pub async fn table_caches(conn: &mut Connection) -> Result<Option<TableCaches>, sqlx::Error> {
    let Connection::Mysql(c) = conn else {
        return Ok(None);
    };
    let row = sqlx::query("SELECT @@table_open_cache, @@table_definition_cache")
        .fetch_one(&mut *c)
        .await?;
    Ok(Some(TableCaches {
        open: row.try_get(0)?,
        definition: row.try_get(1)?,
    }))
}

/// Sets both caches for the whole server (`SET GLOBAL`, which needs the privilege to).
pub async fn set_table_caches(conn: &mut Connection, to: TableCaches) -> Result<(), sqlx::Error> {
    if let Connection::Mysql(c) = conn {
        sqlx::raw_sql(&format!(
            "SET GLOBAL table_open_cache = {}; SET GLOBAL table_definition_cache = {}",
            to.open, to.definition
        ))
        .execute(&mut *c)
        .await?;
    }
    Ok(())
}
