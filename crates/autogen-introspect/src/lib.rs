//! Live database -> [`Schema`]: the introspector. Each dialect reads its catalog with a FIXED
//! number of whole-schema queries (never one per table; see `dialect/mod.rs` for why) and turns
//! the dialect's spellings into canonical IR values (`int4` -> Integer, `now()` ->
//! CurrentTimestamp, `'x'::text` -> String) before anything leaves this crate, so the differ
//! compares like with like. Tables come back sorted by name, columns in physical order, indexes
//! and constraints sorted by name (unnamed ones by content). This crate deliberately does not
//! open connections (autogen-db), compare schemas (autogen-diff) or know which tables belong to
//! the revision runner: callers pass those in [`IntrospectOptions::exclude_tables`].

mod dialect;
mod error;
mod filter;
mod objects;
mod print;
mod sqltext;
mod statistics;
mod unmanaged;

use autogen_db::Connection;
use autogen_schema::Schema;

pub use error::IntrospectError;
pub use objects::{objects, print_objects, view_columns};
pub use print::{print_expressions, Expression, Printed, Spelling};
pub use statistics::{table_statistics, table_statistics_with_stats};
pub use unmanaged::{unmanaged, UnmanagedKind, UnmanagedObject, Usage};

/// What to read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IntrospectOptions {
    /// Tables to leave out: exact names (the revision runner's version tables, typically) or
    /// globs such as `tmp_*` (see `filter.rs`).
    pub exclude_tables: Vec<String>,
    /// The PostgreSQL schema to read; `None` means `public`. Ignored by other dialects.
    pub pg_schema: Option<String>,
    /// More PostgreSQL schemas to read besides `pg_schema` (autogen.toml `schemas`), read by the
    /// same queries (`nspname = ANY($1)`, never one query per schema). Their tables come back
    /// with [`Table::schema`](autogen_schema::Table::schema) set and keyed `schema.name`.
    pub pg_schemas: Vec<String>,
}

/// Counters from one introspection run, for tests and `--verbose` output.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct IntrospectStats {
    /// How many catalog queries were sent. Depends on the dialect only, never on the number
    /// of tables.
    pub queries: usize,
}

/// Reads the whole schema behind `conn`.
pub async fn introspect(
    conn: &mut Connection,
    options: &IntrospectOptions,
) -> Result<Schema, IntrospectError> {
    introspect_with_stats(conn, options)
        .await
        .map(|(schema, _)| schema)
}

/// [`introspect`], also reporting how many catalog queries it took.
pub async fn introspect_with_stats(
    conn: &mut Connection,
    options: &IntrospectOptions,
) -> Result<(Schema, IntrospectStats), IntrospectError> {
    dialect::introspect(conn, options).await
}
