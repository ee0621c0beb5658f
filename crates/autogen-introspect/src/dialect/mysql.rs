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
//! - Check clauses and generated columns' expressions lose the backquotes around plain
//!   identifiers (`` `age` >= 0 `` -> `age >= 0`).
//! - A column's collation is reported only when it differs from its table's default collation
//!   (`TABLE_COLLATION`); a column that has the table's default has none. Generated columns
//!   (`EXTRA` `VIRTUAL GENERATED` / `STORED GENERATED` on MariaDB 10.2+ and MySQL 5.7+; MariaDB's
//!   `PERSISTENT` is shown as `STORED`) carry their `GENERATION_EXPRESSION` and no default.
//!
//! Not represented: `ON UPDATE CURRENT_TIMESTAMP`, the table's own character set and collation
//! (table options), `SET` types beyond their `Other` spelling.

mod assemble;
mod grants;
pub(super) mod objects;
mod routines;
mod spelling;
pub(super) mod unmanaged;

use std::borrow::Cow;

use autogen_schema::Schema;
use sqlx::mysql::{MySqlConnection, MySqlRow};
use sqlx::Row;

use super::{each_row, CatalogRow, Cell, DecodeCell, Introspector};
use crate::print::{Printer as PrintBackend, Spelling, Unit};
use crate::sqltext::{matching_paren, span, split_top_level, tokenize, Kind, Token};
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
    let sql = "SELECT TABLE_NAME, TABLE_COMMENT, TABLE_COLLATION, ENGINE, CREATE_OPTIONS \
               FROM information_schema.TABLES \
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
                      COLUMN_COMMENT, DATA_TYPE, CAST(ORDINAL_POSITION AS SIGNED), \
                      COLLATION_NAME, GENERATION_EXPRESSION \
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
                CAST(SEQ_IN_INDEX AS SIGNED), INDEX_COMMENT \
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

/// Prints the models' expressions (see `crate::print`) in `CREATE TEMPORARY TABLE`s, which are
/// private to the session, commit nothing and vanish with it. `information_schema` does not show
/// temporary tables (MariaDB 10.11, MySQL 8), so each is read with `SHOW CREATE TABLE`, whose
/// check clauses and defaults are the same text `CHECK_CONSTRAINTS.CHECK_CLAUSE` and
/// `COLUMNS.COLUMN_DEFAULT` hold for a live table on MariaDB (checked on 10.11:
/// `` `q` between 1 and 10 ``, `(current_timestamp() + interval 1 day)`, `'it''s'`); the pieces
/// are handed to the same [`Assembler`] as rows of those views, so both sides go through the
/// same spelling code. MySQL 8 prints expression defaults in parentheses there and marks them
/// `DEFAULT_GENERATED` in `information_schema`; the row handed on says so.
pub(crate) struct Printer<'c, 's> {
    conn: &'c mut MySqlConnection,
    spelling: &'c Spelling<'s>,
    mariadb: bool,
    /// Every temporary table created and not dropped yet.
    created: Vec<String>,
}

impl<'c, 's> Printer<'c, 's> {
    pub(crate) fn new(conn: &'c mut MySqlConnection, spelling: &'c Spelling<'s>) -> Self {
        Printer {
            conn,
            spelling,
            mariadb: true,
            created: Vec::new(),
        }
    }

    fn ddl(&self, unit: &Unit<'_>) -> String {
        let q = self.spelling.quote;
        // Nullable and nothing else, so the server adds no default of its own (a first
        // TIMESTAMP column would get one) and prints the default last.
        let parts = unit.columns_and_checks(self.spelling, " NULL");
        format!(
            "CREATE TEMPORARY TABLE {} ({})",
            q(&unit.temp),
            parts.join(", ")
        )
    }

    async fn drop_tables(&mut self, names: &[String]) -> Result<(), IntrospectError> {
        if names.is_empty() {
            return Ok(());
        }
        let q = self.spelling.quote;
        let list: Vec<String> = names.iter().map(|n| q(n)).collect();
        // TEMPORARY: never a real table, even one of the same name.
        let sql = format!("DROP TEMPORARY TABLE IF EXISTS {}", list.join(", "));
        sqlx::raw_sql(&sql)
            .execute(&mut *self.conn)
            .await
            .map_err(print_error)?;
        self.created.retain(|c| !names.contains(c));
        Ok(())
    }

    /// Hands the table `SHOW CREATE TABLE` printed to the assembler as the catalog rows the
    /// live tables produce: the table, its checks, then its columns.
    fn assemble(
        &self,
        a: &mut Assembler,
        table: &str,
        create: &str,
    ) -> Result<(), IntrospectError> {
        let tokens = tokenize(create);
        let Some(open) = tokens.iter().position(|t| t.kind == Kind::LParen) else {
            return Err(show_create_error(table));
        };
        let close = matching_paren(&tokens, open).ok_or_else(|| show_create_error(table))?;
        let row = |cells: Vec<Option<String>>| ShownRow { cells };
        a.table(&row(vec![Some(table.to_string()), None]))?;
        let elements = split_top_level(&tokens, open + 1, close);
        for &(from, to) in &elements {
            // `CONSTRAINT `name` CHECK (clause)`
            if let [c, name, check, paren, ..] = &tokens[from..to] {
                if c.is_word(create, "CONSTRAINT")
                    && check.is_word(create, "CHECK")
                    && paren.kind == Kind::LParen
                {
                    let end = matching_paren(&tokens, from + 3).unwrap_or(to);
                    let clause = span(create, &tokens, from + 4, end);
                    a.check(&row(vec![
                        Some(table.to_string()),
                        Some(name.ident(create)),
                        Some(clause.to_string()),
                    ]))?;
                }
            }
        }
        let mut position = 0;
        for &(from, to) in &elements {
            let Some(first) = tokens.get(from) else {
                continue;
            };
            if first.kind != Kind::Quoted {
                continue;
            }
            position += 1;
            let name = first.ident(create);
            let default_at = (from + 1..to).find(|&i| tokens[i].is_word(create, "DEFAULT"));
            let type_end = default_at.unwrap_or(to);
            let column_type = span(create, &tokens, from + 1, type_end)
                .trim_end_matches(" NULL")
                .to_string();
            let data_type = tokens
                .get(from + 1)
                .map(|t| t.text(create).to_ascii_lowercase())
                .unwrap_or_default();
            let (default, extra) = match default_at {
                Some(at) => {
                    let end = default_end(&tokens, create, at + 1, to);
                    let text = span(create, &tokens, at + 1, end);
                    if self.mariadb {
                        (Some(text.to_string()), String::new())
                    } else {
                        mysql8_default_cell(&tokens[at + 1..end], create, text)
                    }
                }
                None => (None, String::new()),
            };
            a.column(&row(vec![
                Some(table.to_string()),
                Some(name),
                Some(column_type),
                Some("YES".into()),
                default,
                Some(extra),
                None,
                Some(data_type),
                Some(position.to_string()),
            ]))?;
        }
        Ok(())
    }
}

/// Where a column's default ends in `SHOW CREATE TABLE`: at the end of the column, or at what
/// the server prints after it (MariaDB's JSON columns carry `CHECK (json_valid(..))` there).
fn default_end(tokens: &[Token], src: &str, from: usize, to: usize) -> usize {
    let mut depth = 0usize;
    for (i, t) in tokens.iter().enumerate().take(to).skip(from) {
        match t.kind {
            Kind::LParen => depth += 1,
            Kind::RParen => depth = depth.saturating_sub(1),
            _ if depth == 0
                && ["CHECK", "COMMENT", "INVISIBLE", "ON"]
                    .iter()
                    .any(|w| t.is_word(src, w)) =>
            {
                return i
            }
            _ => {}
        }
    }
    to
}

/// A MySQL 8 default printed by `SHOW CREATE TABLE` as `information_schema.COLUMNS` would
/// report it: an expression (in parentheses, or `CURRENT_TIMESTAMP`) marked
/// `DEFAULT_GENERATED`, a literal unquoted.
fn mysql8_default_cell(tokens: &[Token], src: &str, text: &str) -> (Option<String>, String) {
    match tokens {
        [only] if only.kind == Kind::Str => (Some(only.ident(src)), String::new()),
        [only] if only.is_word(src, "NULL") => (None, String::new()),
        [only] if matches!(only.kind, Kind::Number) => (Some(text.to_string()), String::new()),
        _ => (Some(text.to_string()), "DEFAULT_GENERATED".into()),
    }
}

fn show_create_error(table: &str) -> IntrospectError {
    IntrospectError::Decode {
        query: "mysql show create table",
        column: 1,
        message: format!("no column list in the CREATE TABLE printed for {table}"),
    }
}

fn print_error(e: sqlx::Error) -> IntrospectError {
    IntrospectError::Query {
        query: "mysql print",
        message: e.to_string(),
    }
}

/// One piece of `SHOW CREATE TABLE` output shaped as a row of the catalog view the assembler
/// reads for live tables.
struct ShownRow {
    cells: Vec<Option<String>>,
}

impl CatalogRow for ShownRow {
    fn label(&self) -> &'static str {
        "mysql show create table"
    }

    fn cell(&self, i: usize) -> Result<Cell<'_>, IntrospectError> {
        match self.cells.get(i) {
            Some(Some(s)) => Ok(Cell::Text(Cow::Borrowed(s))),
            // A view column this row does not fill (collations, generation expressions, ...)
            // is NULL: only the pieces the print needs are taken from `SHOW CREATE TABLE`.
            Some(None) | None => Ok(Cell::Null),
        }
    }
}

impl PrintBackend for Printer<'_, '_> {
    async fn begin(&mut self) -> Result<(), IntrospectError> {
        let mut stats = IntrospectStats::default();
        self.mariadb = server(self.conn, &mut stats).await?;
        Ok(())
    }

    async fn create(&mut self, units: &[Unit<'_>]) -> Result<Result<(), String>, IntrospectError> {
        if units.iter().any(|u| !u.indexes.is_empty()) {
            return Ok(Err("MySQL and MariaDB have no partial indexes".into()));
        }
        let mut made = Vec::new();
        for unit in units {
            let sql = self.ddl(unit);
            match sqlx::raw_sql(&sql).execute(&mut *self.conn).await {
                Ok(_) => {
                    self.created.push(unit.temp.clone());
                    made.push(unit.temp.clone());
                }
                // Refused: this call creates all or nothing.
                Err(sqlx::Error::Database(e)) => {
                    self.drop_tables(&made).await?;
                    return Ok(Err(e.message().to_string()));
                }
                Err(e) => return Err(print_error(e)),
            }
        }
        Ok(Ok(()))
    }

    async fn read(&mut self, units: &[Unit<'_>]) -> Result<Schema, IntrospectError> {
        let mut a = Assembler::new(self.mariadb);
        for unit in units {
            let q = self.spelling.quote;
            let sql = format!("SHOW CREATE TABLE {}", q(&unit.temp));
            let mut stats = IntrospectStats::default();
            let mut shown = None;
            each_row(
                &mut *self.conn,
                &mut stats,
                "mysql show create table",
                sqlx::query(&sql),
                |r| {
                    shown = Some(r.text(1)?);
                    Ok(())
                },
            )
            .await?;
            let shown = shown.ok_or_else(|| show_create_error(&unit.temp))?;
            self.assemble(&mut a, &unit.temp, &shown)?;
        }
        Ok(a.finish())
    }

    async fn end(&mut self) -> Result<(), IntrospectError> {
        let all = self.created.clone();
        self.drop_tables(&all).await
    }
}
