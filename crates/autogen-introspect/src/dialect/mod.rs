//! Dialect dispatch and what every dialect shares: the [`Introspector`] trait each dialect
//! implements once (on its sqlx connection, the way sqlx's `Migrate` is implemented once per
//! driver), the one function every catalog query goes through ([`each_row`], which also counts
//! them), the row reader ([`Live`], [`CatalogRow`]), and the final canonical ordering and
//! clean-up of a [`Schema`]. This is the one place that matches on the connection's dialect.
//!
//! Every dialect module is laid out alike: `<dialect>.rs` holds the trait implementation, which
//! runs the catalog queries in order, and one function per catalog query (its SQL and its
//! label), each handing its rows to the dialect's `Assembler` in `<dialect>/assemble.rs`, which
//! builds the [`Schema`]. What turns the dialect's text into canonical values sits beside them
//! (`postgres/spelling.rs`, `mysql/spelling.rs`, `sqlite/ddl.rs`).
//!
//! Every dialect reads its catalog with a fixed number of whole-schema queries and joins the
//! rows in memory. We deliberately do not use sea-schema's discovery (or any per-table query
//! loop): it issues several queries per table, which measured quadratic on large schemas —
//! minutes to an hour at 5,000 tables — while a handful of catalog-wide queries stays
//! around a second. Measured at 5,000 tables by `cargo xtask bench` (2026-11-21, release build,
//! medians of 5, two full runs on a shared machine), introspect against the bulk-query floor:
//! SQLite 0.78 / 0.44 s and 1.00 / 0.67 s, PostgreSQL 15 0.39 / 0.34 s and 0.44 / 0.38 s,
//! MariaDB 10.11 1.19 / 1.06 s and 1.19 / 1.09 s with the server's default table caches
//! (0.57 / 0.43 s with the caches sized to the schema; see the README). `IntrospectStats::queries`
//! lets tests pin that the count does not grow with the number of tables.

pub(crate) mod mysql;
pub(crate) mod postgres;
mod sqlite;

pub(crate) use mysql::objects::{objects as mysql_objects, print as mysql_print_objects};
pub(crate) use mysql::unmanaged::unmanaged as mysql_unmanaged;
pub(crate) use postgres::objects::{objects as postgres_objects, print as postgres_print_objects};
pub(crate) use postgres::unmanaged::unmanaged as postgres_unmanaged;
pub(crate) use sqlite::objects::{objects as sqlite_objects, view_columns as sqlite_view_columns};
pub(crate) use sqlite::unmanaged::unmanaged as sqlite_unmanaged;

use std::borrow::Cow;

use futures_util::TryStreamExt;

use autogen_db::Connection;
use autogen_schema::{ColumnType, DefaultValue, Schema, Table};

use crate::{IntrospectError, IntrospectOptions, IntrospectStats};

/// One dialect's reading of its catalog, implemented once per sqlx connection type. An
/// implementation runs a fixed number of whole-schema queries through [`each_row`] (which counts
/// them in `stats`) and returns the tables it found in any order: exclusion and the canonical
/// ordering are applied afterwards, once for every dialect.
pub(crate) trait Introspector {
    async fn introspect(
        &mut self,
        options: &IntrospectOptions,
        stats: &mut IntrospectStats,
    ) -> Result<Schema, IntrospectError>;
}

pub(crate) async fn introspect(
    conn: &mut Connection,
    options: &IntrospectOptions,
) -> Result<(Schema, IntrospectStats), IntrospectError> {
    let mut stats = IntrospectStats::default();
    let mut schema = match conn {
        Connection::Sqlite(c) => Introspector::introspect(c, options, &mut stats).await?,
        Connection::Postgres(c) => Introspector::introspect(c, options, &mut stats).await?,
        Connection::Mysql(c) => Introspector::introspect(c, options, &mut stats).await?,
    };
    let excluded = crate::filter::Excluded::new(&options.exclude_tables);
    schema.tables.retain(|t| !excluded.contains(&t.name));
    finish(&mut schema);
    Ok((schema, stats))
}

/// One catalog value, borrowed from the driver's row where it can be. Catalog queries cast
/// their columns to a few simple types, so the dialect code reads plain data instead of
/// driver-specific values.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Cell<'a> {
    Null,
    Int(i64),
    Text(Cow<'a, str>),
}

/// A catalog row as the SQLite and MySQL assemblers read it: the driver's row, decoded cell by
/// cell as it is asked for, text borrowed where the driver allows. Rows are not copied into an
/// intermediate form (at 5,000 tables that was about 100,000 rows and 600,000 cells).
pub(crate) trait CatalogRow {
    /// The query's label, for error messages.
    fn label(&self) -> &'static str;

    fn cell(&self, i: usize) -> Result<Cell<'_>, IntrospectError>;

    fn error(&self, column: usize, message: &str) -> IntrospectError {
        decode_error(self.label(), column, message)
    }

    /// A non-NULL text value, borrowed where the driver allows (for look-ups by name).
    fn str(&self, i: usize) -> Result<Cow<'_, str>, IntrospectError> {
        match self.cell(i)? {
            Cell::Null => Err(self.error(i, "unexpected NULL")),
            Cell::Text(s) => Ok(s),
            Cell::Int(n) => Ok(Cow::Owned(n.to_string())),
        }
    }

    /// A non-NULL value as text.
    fn text(&self, i: usize) -> Result<String, IntrospectError> {
        Ok(self.str(i)?.into_owned())
    }

    /// A value as text, `None` for NULL.
    fn opt_text(&self, i: usize) -> Result<Option<String>, IntrospectError> {
        Ok(match self.cell(i)? {
            Cell::Null => None,
            Cell::Text(s) => Some(s.into_owned()),
            Cell::Int(n) => Some(n.to_string()),
        })
    }

    /// A non-NULL integer (numeric text is accepted: some catalogs report numbers as strings).
    fn int(&self, i: usize) -> Result<i64, IntrospectError> {
        self.opt_int(i)?
            .ok_or_else(|| self.error(i, "unexpected NULL"))
    }

    fn opt_int(&self, i: usize) -> Result<Option<i64>, IntrospectError> {
        Ok(match self.cell(i)? {
            Cell::Null => None,
            Cell::Int(n) => Some(n),
            Cell::Text(s) => Some(
                s.trim()
                    .parse()
                    .map_err(|_| self.error(i, &format!("expected an integer, found {s:?}")))?,
            ),
        })
    }

    /// A truth value: non-zero integers, and `YES`/`Y`/`t`/`true`/`1` text. NULL is
    /// false.
    fn flag(&self, i: usize) -> Result<bool, IntrospectError> {
        Ok(match self.cell(i)? {
            Cell::Null => false,
            Cell::Int(n) => n != 0,
            Cell::Text(s) => {
                let s = s.trim();
                ["yes", "y", "t", "true", "1"]
                    .iter()
                    .any(|w| s.eq_ignore_ascii_case(w))
            }
        })
    }
}

/// A driver row of one catalog query, with the query's label for error messages. The SQLite and
/// MySQL assemblers read it as a [`CatalogRow`] (for every row type that implements
/// [`DecodeCell`]); the PostgreSQL assembler decodes typed columns with [`Live::get`].
pub(crate) struct Live<'r, R> {
    label: &'static str,
    row: &'r R,
}

impl<'r, R: sqlx::Row> Live<'r, R> {
    /// Column `i` decoded as `T`, straight from the driver's row.
    pub(crate) fn get<T>(&self, i: usize) -> Result<T, IntrospectError>
    where
        T: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
        usize: sqlx::ColumnIndex<R>,
    {
        self.row
            .try_get(i)
            .map_err(|e| decode_error(self.label, i, &e.to_string()))
    }

    /// A decoding error naming this row's query and `column`.
    pub(crate) fn invalid(&self, column: usize, message: &str) -> IntrospectError {
        decode_error(self.label, column, message)
    }
}

fn decode_error(query: &'static str, column: usize, message: &str) -> IntrospectError {
    IntrospectError::Decode {
        query,
        column,
        message: message.to_string(),
    }
}

/// How one driver's row turns a non-NULL cell into a [`Cell`], given the type name the driver
/// reports for it. Each dialect implements this for its own row type; reading the raw value and
/// NULL are handled once, in [`Live`]'s [`CatalogRow`].
pub(crate) trait DecodeCell: sqlx::Row {
    fn decode(&self, i: usize, type_name: &str) -> Result<Cell<'_>, sqlx::Error>;
}

impl<R> CatalogRow for Live<'_, R>
where
    R: DecodeCell,
    usize: sqlx::ColumnIndex<R>,
{
    fn label(&self) -> &'static str {
        self.label
    }

    fn cell(&self, i: usize) -> Result<Cell<'_>, IntrospectError> {
        use sqlx::{TypeInfo, ValueRef};
        let err = |e: sqlx::Error| self.error(i, &e.to_string());
        let raw = self.row.try_get_raw(i).map_err(err)?;
        if raw.is_null() {
            return Ok(Cell::Null);
        }
        // The type name is looked at in place: an uppercased copy per cell was 400,000
        // allocations at 5,000 tables.
        let info = raw.type_info();
        self.row.decode(i, info.name()).map_err(err)
    }
}

/// Runs one catalog query and hands each row to `on_row` as it arrives. Every catalog query of
/// every dialect goes through here, which is what makes [`IntrospectStats::queries`] true.
/// `query` is built by the caller so PostgreSQL can bind its schema name.
///
/// Rows are handed on while the query runs, so each is dropped before the next arrives and a
/// query's rows never sit in memory all at once. On SQLite this pays only together with the
/// connection's large row buffer (`autogen-db`): sqlx's SQLite worker thread sends rows over a
/// bounded channel, and with its default of 50 rows the worker and the assembler woke each
/// other once per row. Measured at 5,000 tables on 2 cores, the `autogen check` process (models
/// read beside it, the facade's `Sources::resolve`), min and median of 12 runs: 0.69-0.77 s streamed
/// with the large buffer, 0.79-0.86 s collecting every row first (`fetch_all`); streaming with
/// the 50-row buffer measured no better than collecting. Introspection alone, with nothing
/// beside it, is slower streamed (0.80-0.86 s against 0.72-0.76 s, 5 runs), because the
/// assembler then waits for every row; `check` and `autogen -m` always read the models at the
/// same time, so they are what we tune for. MySQL measured the same either way.
pub(crate) async fn each_row<'q, DB, A, C>(
    conn: &mut C,
    stats: &mut IntrospectStats,
    label: &'static str,
    query: sqlx::query::Query<'q, DB, A>,
    mut on_row: impl FnMut(&Live<'_, DB::Row>) -> Result<(), IntrospectError>,
) -> Result<(), IntrospectError>
where
    DB: sqlx::Database,
    A: sqlx::IntoArguments<'q, DB> + 'q,
    for<'c> &'c mut C: sqlx::Executor<'c, Database = DB>,
{
    stats.queries += 1;
    let fail = |e: sqlx::Error| IntrospectError::Query {
        query: label,
        message: e.to_string(),
    };
    let mut rows = query.fetch(conn);
    while let Some(row) = rows.try_next().await.map_err(fail)? {
        on_row(&Live { label, row: &row })?;
    }
    Ok(())
}

/// The canonical finishing pass every dialect shares: tables by name, named indexes and
/// constraints by name with unnamed ones after them by content, enums by name, and the default
/// clean-ups that do not depend on the dialect.
fn finish(schema: &mut Schema) {
    schema.tables.sort_by(|a, b| a.name.cmp(&b.name));
    schema.enums.sort_by(|a, b| a.name.cmp(&b.name));
    for table in &mut schema.tables {
        finish_table(table);
    }
}

fn finish_table(table: &mut Table) {
    for column in &mut table.columns {
        column.default = match column.default.take() {
            // `DEFAULT NULL` is what a nullable column without a default means anyway (MariaDB
            // reports every such column that way), so both sides compare as "no default".
            Some(DefaultValue::Null) | None => None,
            // A boolean stored as 0/1 (SQLite, MySQL tinyint(1)) reports its default as a number.
            Some(DefaultValue::Number(n))
                if column.ty == ColumnType::Boolean && (n == "0" || n == "1") =>
            {
                Some(DefaultValue::Boolean(n == "1"))
            }
            other => other,
        };
    }
    // Index names are unique within a table (within a schema on PostgreSQL).
    table.indexes.sort_by(|a, b| a.name.cmp(&b.name));
    table.unique_constraints.sort_by(|a, b| {
        (a.name.is_none(), &a.name, &a.columns).cmp(&(b.name.is_none(), &b.name, &b.columns))
    });
    table.foreign_keys.sort_by(|a, b| {
        (
            a.name.is_none(),
            &a.name,
            &a.columns,
            &a.referenced_table,
            &a.referenced_columns,
        )
            .cmp(&(
                b.name.is_none(),
                &b.name,
                &b.columns,
                &b.referenced_table,
                &b.referenced_columns,
            ))
    });
    table.checks.sort_by(|a, b| {
        (a.name.is_none(), &a.name, &a.expression).cmp(&(b.name.is_none(), &b.name, &b.expression))
    });
}
