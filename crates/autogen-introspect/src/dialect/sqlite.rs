//! SQLite: `sqlite_master` joined with the pragma table-valued functions (`pragma_table_info`,
//! `pragma_index_list`, `pragma_index_xinfo`, `pragma_foreign_key_list`), five queries for the
//! whole file, one function each below, their rows joined by `sqlite/assemble.rs`. What the
//! pragmas do not report (CHECK constraints, constraint names, AUTOINCREMENT, partial-index
//! predicates, expression index keys) is read from the stored CREATE statements by
//! `sqlite/ddl.rs`.
//!
//! Decisions:
//! - `auto_increment` is true only for the rowid alias (the single INTEGER PRIMARY KEY column)
//!   of a table whose CREATE TABLE contains the AUTOINCREMENT keyword. A bare INTEGER PRIMARY
//!   KEY also hands out rowids, but without AUTOINCREMENT it may reuse them; the renderer writes
//!   `INTEGER PRIMARY KEY AUTOINCREMENT` for auto_increment keys, so this is the reading that
//!   round-trips. `sqlite_sequence` is not consulted: it only has a row after the first insert.
//! - Declared types are kept as written by SQLite and go through `parse_type` (`varchar(255)`,
//!   `boolean`, `uuid` all map); a column declared without a type becomes `Other("")`.
//! - Indexes with origin `c` are secondary indexes, origin `u` are UNIQUE constraints (named
//!   when CREATE TABLE names them), origin `pk` is the primary key and skipped.
//! - Generated columns come from `pragma_table_xinfo` (`pragma_table_info` hides them), stored
//!   or virtual by its `hidden` value, their expression from the CREATE TABLE text. A column's
//!   `COLLATE` (other than the default `BINARY`) also comes from that text, its name uppercased
//!   (SQLite's collation names are case-insensitive). Virtual tables are skipped (their pragmas
//!   need the module loaded).
//! - SQLite has no comments.

mod assemble;
mod ddl;
pub(super) mod objects;
pub(super) mod unmanaged;

use std::borrow::Cow;

use autogen_schema::Schema;
use sqlx::sqlite::{SqliteConnection, SqliteRow};
use sqlx::Row;

use super::{each_row, Cell, DecodeCell, Introspector};
use crate::{IntrospectError, IntrospectOptions, IntrospectStats};
use assemble::Assembler;

/// The tables autogen reads: ordinary tables, not SQLite's own and not virtual tables.
const TABLE_FILTER: &str = "m.type = 'table' AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\' \
     AND coalesce(m.sql, '') NOT LIKE 'CREATE VIRTUAL TABLE%'";

/// Five queries for the whole file. Each query's rows go to the assembler as the driver returns
/// them (see `each_row`), in the order the assembler needs them: tables, columns, index key
/// parts, indexes, foreign keys. No ORDER BY except on tables: the assembler puts columns and
/// key parts in order itself.
impl Introspector for SqliteConnection {
    async fn introspect(
        &mut self,
        _options: &IntrospectOptions,
        stats: &mut IntrospectStats,
    ) -> Result<Schema, IntrospectError> {
        let mut a = Assembler::default();
        tables(self, stats, &mut a).await?;
        columns(self, stats, &mut a).await?;
        index_columns(self, stats, &mut a).await?;
        indexes(self, stats, &mut a).await?;
        foreign_keys(self, stats, &mut a).await?;
        Ok(a.finish())
    }
}

/// Each table's name and CREATE TABLE statement.
async fn tables(
    conn: &mut SqliteConnection,
    stats: &mut IntrospectStats,
    a: &mut Assembler,
) -> Result<(), IntrospectError> {
    let sql =
        format!("SELECT m.name, m.sql FROM sqlite_master m WHERE {TABLE_FILTER} ORDER BY m.name");
    each_row(conn, stats, "sqlite tables", sqlx::query(&sql), |r| {
        a.table(r)
    })
    .await
}

/// Columns, generated ones included: `pragma_table_info` leaves those out, `pragma_table_xinfo`
/// lists them with `hidden` 2 (virtual) or 3 (stored); 1 is a virtual table's hidden column.
async fn columns(
    conn: &mut SqliteConnection,
    stats: &mut IntrospectStats,
    a: &mut Assembler,
) -> Result<(), IntrospectError> {
    let sql = format!(
        "SELECT m.name, p.name, p.type, p.\"notnull\", p.dflt_value, p.pk, p.cid, p.hidden \
         FROM sqlite_master m JOIN pragma_table_xinfo(m.name) p \
         WHERE {TABLE_FILTER} AND p.hidden <> 1"
    );
    each_row(conn, stats, "sqlite columns", sqlx::query(&sql), |r| {
        a.column(r)
    })
    .await
}

/// The key parts of every index (expression parts have no column name).
async fn index_columns(
    conn: &mut SqliteConnection,
    stats: &mut IntrospectStats,
    a: &mut Assembler,
) -> Result<(), IntrospectError> {
    let sql = format!(
        "SELECT m.name, il.name, x.seqno, x.name, x.\"desc\" \
         FROM sqlite_master m JOIN pragma_index_list(m.name) il \
         JOIN pragma_index_xinfo(il.name) x \
         WHERE {TABLE_FILTER} AND x.\"key\" = 1"
    );
    each_row(
        conn,
        stats,
        "sqlite index columns",
        sqlx::query(&sql),
        |r| a.index_column(r),
    )
    .await
}

/// Every index with its CREATE INDEX statement (none for the automatic ones).
async fn indexes(
    conn: &mut SqliteConnection,
    stats: &mut IntrospectStats,
    a: &mut Assembler,
) -> Result<(), IntrospectError> {
    let sql = format!(
        "SELECT m.name, il.name, il.\"unique\", il.origin, il.partial, ix.sql \
         FROM sqlite_master m JOIN pragma_index_list(m.name) il \
         LEFT JOIN sqlite_master ix ON ix.type = 'index' AND ix.name = il.name \
         WHERE {TABLE_FILTER}"
    );
    each_row(conn, stats, "sqlite indexes", sqlx::query(&sql), |r| {
        a.index(r)
    })
    .await
}

/// One row per column pair of every foreign key.
async fn foreign_keys(
    conn: &mut SqliteConnection,
    stats: &mut IntrospectStats,
    a: &mut Assembler,
) -> Result<(), IntrospectError> {
    let sql = format!(
        "SELECT m.name, f.id, f.\"table\", f.\"from\", f.\"to\", f.on_update, f.on_delete, f.seq \
         FROM sqlite_master m JOIN pragma_foreign_key_list(m.name) f WHERE {TABLE_FILTER}"
    );
    each_row(conn, stats, "sqlite foreign keys", sqlx::query(&sql), |r| {
        a.foreign_key(r)
    })
    .await
}

/// A SQLite catalog cell, by the storage class SQLite reports for the value.
impl DecodeCell for SqliteRow {
    fn decode(&self, i: usize, type_name: &str) -> Result<Cell<'_>, sqlx::Error> {
        let is = |t: &str| type_name.eq_ignore_ascii_case(t);
        Ok(if is("INTEGER") || is("BOOLEAN") || is("INT8") {
            Cell::Int(self.try_get_unchecked::<i64, _>(i)?)
        } else if is("BLOB") {
            Cell::Text(String::from_utf8_lossy(
                self.try_get_unchecked::<&[u8], _>(i)?,
            ))
        } else {
            Cell::Text(Cow::Borrowed(self.try_get_unchecked::<&str, _>(i)?))
        })
    }
}
