//! MySQL and MariaDB: `information_schema` pinned to the connection's `DATABASE()`, seven
//! queries on MariaDB and eight on MySQL: the current database and server flavour, tables,
//! columns, index key parts (`STATISTICS`), foreign key columns (`KEY_COLUMN_USAGE`) and rules
//! (`REFERENTIAL_CONSTRAINTS`), checks (`CHECK_CONSTRAINTS`, MariaDB 10.2+ / MySQL 8.0.16+) and,
//! on MySQL only, the tables owning them (`TABLE_CONSTRAINTS`). One function each below, their
//! rows joined by `mysql/assemble.rs`, the spellings peeled by `mysql/spelling.rs`.
//!
//! Decisions (the renderer's `canonicalize(Mysql, ..)` must agree with them):
//! - Unique indexes ARE unique constraints on MySQL (the server lists every unique index in
//!   `TABLE_CONSTRAINTS` as a UNIQUE constraint, however it was created), so each unique index
//!   is reported as a named `UniqueConstraint`, never as a unique `Index`. The exception is a
//!   unique index a constraint cannot express (a descending part, a prefix length, an
//!   expression, or a non-BTREE method): that stays an `Index { unique: true }`.
//! - The primary key is always called `PRIMARY` on MySQL, so it is reported without a name.
//! - MySQL creates an index for a foreign key that has no usable one, named after the
//!   constraint (or after the first column for an unnamed `<table>_ibfk_<n>` constraint). A
//!   non-unique index with exactly the foreign key's columns and that name is treated as this
//!   implicit index and not reported; an index the models declare carries its own `ix_` name.
//! - `RESTRICT` is reported as `NoAction`: InnoDB treats the two identically and MariaDB reports
//!   an unspecified action as `RESTRICT`.
//! - `tinyint(1)` is `Boolean`; `float` is `Real`; `blob`, `mediumblob` and `longblob` are
//!   `Blob` (`tinyblob` stays `Other`); `timestamp` is `Timestamp { with_time_zone:
//!   true }` (MySQL stores it as a UTC instant and converts on read) while `datetime` is without.
//! - `ENUM('a','b')` columns become `ColumnType::Enum { name: "<table>_<column>", values }`:
//!   MySQL enums are anonymous, and that name is stable and unique within the database.
//! - MariaDB's `JSON` is `longtext` plus an automatic `CHECK (json_valid(col))` named after the
//!   column; that pair is reported as a `Json` column and the check is dropped.
//! - Defaults: MariaDB reports SQL expressions (`'x'` with MySQL escapes, `NULL`,
//!   `current_timestamp()`); MySQL 8 reports bare literals and marks expressions with
//!   `DEFAULT_GENERATED` in `EXTRA`. Both end up as the same canonical values.
//! - Check clauses lose the backquotes around plain identifiers (`` `age` >= 0 `` -> `age >= 0`).
//!
//! Not represented: `ON UPDATE CURRENT_TIMESTAMP`, generated columns' expressions, character
//! sets and collations, `SET` types beyond their `Other` spelling.

mod assemble;
mod spelling;

use std::borrow::Cow;

use autogen_schema::Schema;
use sqlx::mysql::{MySqlConnection, MySqlRow};
use sqlx::Row;

use super::{each_row, CatalogRow, Cell, DecodeCell, Introspector};
use crate::{IntrospectError, IntrospectOptions, IntrospectStats};
use assemble::Assembler;

/// Each query's rows go to the assembler (see `each_row`), in the order it needs them: checks
/// before columns (MariaDB's JSON columns are recognised by their checks), foreign keys before
/// indexes (the index MySQL made for a key is left out). The joins are done in memory on
/// purpose: joining two information_schema views in SQL took 2.5 s per join at 5,000 tables on
/// MariaDB 10.11; scanning each takes 0.2 s. Columns and index parts are put in order by the
/// assembler (an ORDER BY cost MariaDB 50 ms at 5,000 tables).
impl Introspector for MySqlConnection {
    async fn introspect(
        &mut self,
        _options: &IntrospectOptions,
        stats: &mut IntrospectStats,
    ) -> Result<Schema, IntrospectError> {
        let mariadb = server(self, stats).await?;
        let mut a = Assembler::new(mariadb);
        if !mariadb {
            check_tables(self, stats, &mut a).await?;
        }
        checks(self, stats, &mut a, mariadb).await?;
        tables(self, stats, &mut a).await?;
        columns(self, stats, &mut a).await?;
        foreign_key_columns(self, stats, &mut a).await?;
        foreign_key_rules(self, stats, &mut a).await?;
        indexes(self, stats, &mut a, mariadb).await?;
        Ok(a.finish())
    }
}

/// Whether the server is MariaDB; fails when the connection has no current database.
async fn server(
    conn: &mut MySqlConnection,
    stats: &mut IntrospectStats,
) -> Result<bool, IntrospectError> {
    let mut server: Option<(Option<String>, String)> = None;
    let sql = "SELECT DATABASE(), VERSION()";
    each_row(conn, stats, "mysql database", sqlx::query(sql), |r| {
        server = Some((r.opt_text(0)?, r.text(1)?));
        Ok(())
    })
    .await?;
    let Some((Some(_database), version)) = server else {
        return Err(IntrospectError::NoDatabaseSelected);
    };
    Ok(version.to_ascii_lowercase().contains("mariadb"))
}

/// MySQL 8 only: it names checks per schema and needs TABLE_CONSTRAINTS for their tables, one
/// more query; MariaDB names them per table and its CHECK_CONSTRAINTS has the table.
async fn check_tables(
    conn: &mut MySqlConnection,
    stats: &mut IntrospectStats,
    a: &mut Assembler,
) -> Result<(), IntrospectError> {
    let sql = "SELECT TABLE_NAME, CONSTRAINT_NAME FROM information_schema.TABLE_CONSTRAINTS \
               WHERE TABLE_SCHEMA = DATABASE() AND CONSTRAINT_TYPE = 'CHECK'";
    each_row(conn, stats, "mysql check tables", sqlx::query(sql), |r| {
        a.check_owner(r)
    })
    .await
}

async fn checks(
    conn: &mut MySqlConnection,
    stats: &mut IntrospectStats,
    a: &mut Assembler,
    mariadb: bool,
) -> Result<(), IntrospectError> {
    let check_table = if mariadb { "TABLE_NAME" } else { "NULL" };
    let sql = format!(
        "SELECT {check_table}, CONSTRAINT_NAME, CHECK_CLAUSE \
         FROM information_schema.CHECK_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE()"
    );
    each_row(conn, stats, "mysql checks", sqlx::query(&sql), |r| {
        a.check(r)
    })
    .await
}

async fn tables(
    conn: &mut MySqlConnection,
    stats: &mut IntrospectStats,
    a: &mut Assembler,
) -> Result<(), IntrospectError> {
    let sql = "SELECT TABLE_NAME, TABLE_COMMENT FROM information_schema.TABLES \
               WHERE TABLE_SCHEMA = DATABASE() \
               AND TABLE_TYPE IN ('BASE TABLE', 'SYSTEM VERSIONED')";
    each_row(conn, stats, "mysql tables", sqlx::query(sql), |r| {
        a.table(r)
    })
    .await
}

async fn columns(
    conn: &mut MySqlConnection,
    stats: &mut IntrospectStats,
    a: &mut Assembler,
) -> Result<(), IntrospectError> {
    let sql = "SELECT TABLE_NAME, COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE, COLUMN_DEFAULT, EXTRA, \
                      COLUMN_COMMENT, DATA_TYPE, CAST(ORDINAL_POSITION AS SIGNED) \
               FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE()";
    each_row(conn, stats, "mysql columns", sqlx::query(sql), |r| {
        a.column(r)
    })
    .await
}

/// The only query with an ORDER BY: a key's columns must pair up with its referenced columns.
async fn foreign_key_columns(
    conn: &mut MySqlConnection,
    stats: &mut IntrospectStats,
    a: &mut Assembler,
) -> Result<(), IntrospectError> {
    let sql = "SELECT TABLE_NAME, CONSTRAINT_NAME, COLUMN_NAME, REFERENCED_TABLE_NAME, \
                      REFERENCED_COLUMN_NAME \
               FROM information_schema.KEY_COLUMN_USAGE \
               WHERE TABLE_SCHEMA = DATABASE() AND REFERENCED_TABLE_NAME IS NOT NULL \
               ORDER BY TABLE_NAME, CONSTRAINT_NAME, ORDINAL_POSITION";
    each_row(
        conn,
        stats,
        "mysql foreign key columns",
        sqlx::query(sql),
        |r| a.foreign_key_column(r),
    )
    .await
}

async fn foreign_key_rules(
    conn: &mut MySqlConnection,
    stats: &mut IntrospectStats,
    a: &mut Assembler,
) -> Result<(), IntrospectError> {
    let sql = "SELECT TABLE_NAME, CONSTRAINT_NAME, UPDATE_RULE, DELETE_RULE \
               FROM information_schema.REFERENTIAL_CONSTRAINTS \
               WHERE CONSTRAINT_SCHEMA = DATABASE()";
    each_row(
        conn,
        stats,
        "mysql foreign key rules",
        sqlx::query(sql),
        |r| a.foreign_key_rule(r),
    )
    .await
}

/// Index key parts (`STATISTICS`), one row per part.
async fn indexes(
    conn: &mut MySqlConnection,
    stats: &mut IntrospectStats,
    a: &mut Assembler,
    mariadb: bool,
) -> Result<(), IntrospectError> {
    // MariaDB has no EXPRESSION column (no functional key parts).
    let expression = if mariadb { "NULL" } else { "EXPRESSION" };
    let sql = format!(
        "SELECT TABLE_NAME, INDEX_NAME, CAST(NON_UNIQUE AS SIGNED), COLUMN_NAME, COLLATION, \
                CAST(SUB_PART AS SIGNED), INDEX_TYPE, {expression}, \
                CAST(SEQ_IN_INDEX AS SIGNED) \
         FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE()"
    );
    each_row(conn, stats, "mysql indexes", sqlx::query(&sql), |r| {
        a.index_part(r)
    })
    .await
}

/// A MySQL catalog cell: integers by their (possibly unsigned) type, everything else as text.
impl DecodeCell for MySqlRow {
    fn decode(&self, i: usize, type_name: &str) -> Result<Cell<'_>, sqlx::Error> {
        let has = |part: &str| {
            type_name
                .as_bytes()
                .windows(part.len())
                .any(|w| w.eq_ignore_ascii_case(part.as_bytes()))
        };
        Ok(if has("INT") {
            if has("UNSIGNED") {
                let n = self.try_get::<u64, _>(i)?;
                Cell::Int(i64::try_from(n).unwrap_or(i64::MAX))
            } else {
                Cell::Int(self.try_get::<i64, _>(i)?)
            }
        } else {
            // information_schema text is sometimes typed as binary (MySQL 8 views); take the
            // bytes then.
            match self.try_get::<&str, _>(i) {
                Ok(s) => Cell::Text(Cow::Borrowed(s)),
                Err(_) => Cell::Text(String::from_utf8_lossy(
                    self.try_get_unchecked::<&[u8], _>(i)?,
                )),
            }
        })
    }
}
