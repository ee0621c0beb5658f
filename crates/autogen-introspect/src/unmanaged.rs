//! What a database holds beside the tables autogen manages: views, triggers, functions,
//! sequences and the like, which autogen never creates, alters or drops. [`unmanaged`] lists them
//! (one catalog query per dialect, in `dialect/<dialect>/unmanaged.rs`) so the commands can say
//! they exist, and reads what tables and columns each one uses so a revision that would break one
//! can be flagged when it is generated.
//!
//! How precise "uses" is depends on what the catalog keeps:
//! - PostgreSQL records every dependency in `pg_depend` (a view on the columns it reads, a
//!   trigger on its table and its `UPDATE OF` / `WHEN` columns, a policy on the columns of its
//!   expressions), so these are exact. A trigger's function body is not a dependency there.
//! - MySQL/MariaDB: `VIEW_COLUMN_USAGE` is MySQL 8 only, so a view's stored definition is read
//!   instead; the server stores it with every table qualified by the database and every column
//!   by its table or alias, which is what we match. Triggers use their table and the columns
//!   their body names as `NEW.x` / `OLD.x`.
//! - SQLite keeps only the `CREATE VIEW` / `CREATE TRIGGER` text: a view or trigger uses a table
//!   whose name appears in it as an identifier, and a column of such a table whose name appears
//!   (an over-approximation: `id` in a view over two tables is counted for both).
//!
//! Filtering by the project's `include_tables` / `exclude_tables` is the caller's job.

use autogen_db::Connection;

use crate::{IntrospectError, IntrospectOptions, IntrospectStats};

/// The kinds of object autogen meets but does not manage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum UnmanagedKind {
    View,
    MaterializedView,
    Trigger,
    Function,
    Procedure,
    Sequence,
    /// A PostgreSQL domain.
    Domain,
    Extension,
    Policy,
    /// A PostgreSQL schema other than the managed one that holds tables.
    Schema,
    /// A MySQL/MariaDB scheduled event.
    Event,
}

impl UnmanagedKind {
    /// The machine name (`check --format json`): `view`, `materialized_view`, ...
    pub fn name(self) -> &'static str {
        match self {
            UnmanagedKind::View => "view",
            UnmanagedKind::MaterializedView => "materialized_view",
            UnmanagedKind::Trigger => "trigger",
            UnmanagedKind::Function => "function",
            UnmanagedKind::Procedure => "procedure",
            UnmanagedKind::Sequence => "sequence",
            UnmanagedKind::Domain => "domain",
            UnmanagedKind::Extension => "extension",
            UnmanagedKind::Policy => "policy",
            UnmanagedKind::Schema => "schema",
            UnmanagedKind::Event => "event",
        }
    }

    /// The kind in words, singular or plural by `count`: `1 view`, `2 materialized views`.
    pub fn noun(self, count: usize) -> &'static str {
        let one = count == 1;
        match self {
            UnmanagedKind::View if one => "view",
            UnmanagedKind::View => "views",
            UnmanagedKind::MaterializedView if one => "materialized view",
            UnmanagedKind::MaterializedView => "materialized views",
            UnmanagedKind::Trigger if one => "trigger",
            UnmanagedKind::Trigger => "triggers",
            UnmanagedKind::Function if one => "function",
            UnmanagedKind::Function => "functions",
            UnmanagedKind::Procedure if one => "procedure",
            UnmanagedKind::Procedure => "procedures",
            UnmanagedKind::Sequence if one => "sequence",
            UnmanagedKind::Sequence => "sequences",
            UnmanagedKind::Domain if one => "domain",
            UnmanagedKind::Domain => "domains",
            UnmanagedKind::Extension if one => "extension",
            UnmanagedKind::Extension => "extensions",
            UnmanagedKind::Policy if one => "policy",
            UnmanagedKind::Policy => "policies",
            UnmanagedKind::Schema if one => "other schema",
            UnmanagedKind::Schema => "other schemas",
            UnmanagedKind::Event if one => "event",
            UnmanagedKind::Event => "events",
        }
    }

    /// Reads a kind name as the catalog queries spell it.
    pub(crate) fn parse(name: &str) -> Option<UnmanagedKind> {
        Some(match name {
            "view" => UnmanagedKind::View,
            "materialized_view" => UnmanagedKind::MaterializedView,
            "trigger" => UnmanagedKind::Trigger,
            "function" => UnmanagedKind::Function,
            "procedure" => UnmanagedKind::Procedure,
            "sequence" => UnmanagedKind::Sequence,
            "domain" => UnmanagedKind::Domain,
            "extension" => UnmanagedKind::Extension,
            "policy" => UnmanagedKind::Policy,
            "schema" => UnmanagedKind::Schema,
            "event" => UnmanagedKind::Event,
            _ => return None,
        })
    }
}

/// A table, or one column of it, that an unmanaged object uses.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Usage {
    pub table: String,
    /// `None`: the table as a whole (a trigger's table, a view's `FROM`).
    pub column: Option<String>,
}

/// One object autogen does not manage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnmanagedObject {
    pub kind: UnmanagedKind,
    pub name: String,
    /// The table it belongs to (triggers, policies).
    pub table: Option<String>,
    /// What it uses, sorted, as far as the catalog tells (see the module comment).
    pub uses: Vec<Usage>,
}

impl UnmanagedObject {
    pub(crate) fn new(kind: UnmanagedKind, name: String, table: Option<String>) -> Self {
        UnmanagedObject {
            kind,
            name,
            table,
            uses: Vec::new(),
        }
    }
}

/// Lists the objects of the database behind `conn` (on PostgreSQL, of `options.pg_schema`) that
/// autogen does not manage, sorted by kind and name. One catalog query, and one more for what
/// they use when there are views, triggers or policies.
pub async fn unmanaged(
    conn: &mut Connection,
    options: &IntrospectOptions,
) -> Result<Vec<UnmanagedObject>, IntrospectError> {
    let mut stats = IntrospectStats::default();
    let mut objects = match conn {
        Connection::Postgres(c) => {
            // The managed schemas, the default first: objects of any of them are listed (keyed
            // `schema.name` outside the default one), and none of them is "another schema".
            let schemas: Vec<String> =
                std::iter::once(options.pg_schema.as_deref().unwrap_or("public").to_string())
                    .chain(options.pg_schemas.iter().cloned())
                    .collect();
            crate::dialect::postgres_unmanaged(c, &mut stats, &schemas).await?
        }
        Connection::Mysql(c) => crate::dialect::mysql_unmanaged(c, &mut stats).await?,
        Connection::Sqlite(c) => crate::dialect::sqlite_unmanaged(c, &mut stats).await?,
    };
    for o in &mut objects {
        o.uses.sort();
        o.uses.dedup();
    }
    objects.sort_by(|a, b| (a.kind, &a.name, &a.table).cmp(&(b.kind, &b.name, &b.table)));
    Ok(objects)
}

/// Adds `usage` to the object of `kind` and `name` in `objects`, if it is there.
pub(crate) fn add_usage(
    objects: &mut [UnmanagedObject],
    kind: UnmanagedKind,
    name: &str,
    usage: Usage,
) {
    if let Some(o) = objects
        .iter_mut()
        .find(|o| o.kind == kind && o.name == name)
    {
        o.uses.push(usage);
    }
}
