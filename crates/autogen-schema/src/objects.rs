//! Schema objects other than tables: views, materialized views, triggers (and, as later kinds
//! join, functions, sequences, domains, ...). Tables are Rust models; these are declared in the
//! project's SQL files and read from the catalog, and both sides arrive here as one
//! [`SchemaObject`] record per object, in [`Schema::objects`](crate::Schema::objects).
//!
//! A record carries two texts. `definition` is what is compared: the server's own print of the
//! object (PostgreSQL `pg_get_viewdef` / `pg_get_triggerdef`, a MariaDB catalog print, SQLite's
//! stored text), normalised at the edges so that spacing, case and casts never drift; the differ
//! compares it and nothing else. `sql` is what is executed: the author's statement verbatim for
//! the desired side, a `CREATE` statement rebuilt from the catalog for a database, so a downgrade
//! restores the old object exactly. This file knows no dialect and parses no SQL.

use std::fmt;

/// The kinds of object the SQL files declare. The order is the order kinds are listed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ObjectKind {
    View,
    MaterializedView,
    Trigger,
    /// A PostgreSQL function (declared so a trigger has one to execute). On PostgreSQL its name
    /// carries its argument types, which are part of its identity: `f(integer)`.
    Function,
    /// A PostgreSQL procedure, named with its argument types like a function.
    Procedure,
    /// A PostgreSQL sequence no column owns.
    Sequence,
    /// A PostgreSQL domain.
    Domain,
    /// A PostgreSQL extension.
    Extension,
    /// A PostgreSQL row-level security policy, on its `table` (whose `ENABLE ROW LEVEL SECURITY`
    /// goes with its policies: see `autogen_sql`'s `objects.rs`).
    Policy,
    /// PostgreSQL row-level security switched on (or forced) for a table (`ALTER TABLE t ENABLE
    /// ROW LEVEL SECURITY`, `... FORCE ROW LEVEL SECURITY`): named by its table, and on it.
    RowSecurity,
    /// The privileges one role holds on one table: named by the role, on its `table`.
    Grant,
    /// A MySQL/MariaDB scheduled event.
    Event,
}

impl ObjectKind {
    /// Every kind, in listing order.
    pub const ALL: [ObjectKind; 12] = [
        ObjectKind::View,
        ObjectKind::MaterializedView,
        ObjectKind::Trigger,
        ObjectKind::Function,
        ObjectKind::Procedure,
        ObjectKind::Sequence,
        ObjectKind::Domain,
        ObjectKind::Extension,
        ObjectKind::Policy,
        ObjectKind::RowSecurity,
        ObjectKind::Grant,
        ObjectKind::Event,
    ];

    /// The machine name: `view`, `materialized_view`, `trigger`, `function`.
    pub fn name(self) -> &'static str {
        match self {
            ObjectKind::View => "view",
            ObjectKind::MaterializedView => "materialized_view",
            ObjectKind::Trigger => "trigger",
            ObjectKind::Function => "function",
            ObjectKind::Procedure => "procedure",
            ObjectKind::Sequence => "sequence",
            ObjectKind::Domain => "domain",
            ObjectKind::Extension => "extension",
            ObjectKind::Policy => "policy",
            ObjectKind::RowSecurity => "row_security",
            ObjectKind::Grant => "grant",
            ObjectKind::Event => "event",
        }
    }

    /// The plural used in `manage = [...]`: `views`, `materialized_views`, `triggers`,
    /// `functions`.
    pub fn plural(self) -> &'static str {
        match self {
            ObjectKind::View => "views",
            ObjectKind::MaterializedView => "materialized_views",
            ObjectKind::Trigger => "triggers",
            ObjectKind::Function => "functions",
            ObjectKind::Procedure => "procedures",
            ObjectKind::Sequence => "sequences",
            ObjectKind::Domain => "domains",
            ObjectKind::Extension => "extensions",
            ObjectKind::Policy => "policies",
            ObjectKind::RowSecurity => "row_security",
            ObjectKind::Grant => "grants",
            ObjectKind::Event => "events",
        }
    }

    /// Reads a machine name or its plural.
    pub fn parse(name: &str) -> Option<ObjectKind> {
        ObjectKind::ALL
            .into_iter()
            .find(|k| k.name() == name || k.plural() == name)
    }

    /// The kind in words: `view`, `materialized view`, `trigger`, `function`.
    pub fn label(self) -> &'static str {
        match self {
            ObjectKind::View => "view",
            ObjectKind::MaterializedView => "materialized view",
            ObjectKind::Trigger => "trigger",
            ObjectKind::Function => "function",
            ObjectKind::Procedure => "procedure",
            ObjectKind::Sequence => "sequence",
            ObjectKind::Domain => "domain",
            ObjectKind::Extension => "extension",
            ObjectKind::Policy => "policy",
            ObjectKind::RowSecurity => "row level security",
            ObjectKind::Grant => "grant",
            ObjectKind::Event => "event",
        }
    }
}

impl fmt::Display for ObjectKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// Something an object uses, as far as the side it comes from can tell (exact on PostgreSQL from
/// `pg_depend`, read from the text elsewhere). The ordering pass drops an object before what it
/// uses changes and creates it after.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ObjectDependency {
    /// A table as a whole (a view's `FROM`, a trigger's table).
    Table(String),
    /// One column of a table.
    Column { table: String, column: String },
    /// Another object (a view of a view, a trigger's function).
    Object { kind: ObjectKind, name: String },
}

/// One view, materialized view, trigger or function.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaObject {
    pub kind: ObjectKind,
    /// The object's name (unqualified; PostgreSQL objects live in the managed schema).
    pub name: String,
    /// The table a trigger is on; `None` for the other kinds.
    pub table: Option<String>,
    /// The comparison text: the server's print, normalised (see the module comment).
    pub definition: String,
    /// The statement that creates the object, without a trailing semicolon.
    pub sql: String,
    /// The parts of the object that decide whether it can change in place, where the server
    /// reports them (empty when unknown, as for a declared object no server printed):
    /// - a view's result columns (`name type`): PostgreSQL's `CREATE OR REPLACE VIEW` cannot
    ///   drop or change columns, so the differ replaces in place only when they stay the same;
    /// - a PostgreSQL routine's argument list (with names and defaults) and result, which
    ///   `CREATE OR REPLACE` cannot change either;
    /// - a sequence's options, each as `ALTER SEQUENCE` takes it (`INCREMENT BY 5`), all listed;
    /// - a domain's `AS type [COLLATE c]` first (fixed), then its `DEFAULT ..`, `NOT NULL` and
    ///   `CONSTRAINT name CHECK (..)` parts, which `ALTER DOMAIN` changes one by one;
    /// - a table's row-level security: the switches it turns on, `ENABLE ROW LEVEL SECURITY`
    ///   then `FORCE ROW LEVEL SECURITY`, which one `ALTER TABLE` turns on and off.
    pub columns: Vec<String>,
    /// What it uses, sorted (see [`ObjectDependency`]).
    pub depends_on: Vec<ObjectDependency>,
}

impl SchemaObject {
    /// `view active_users`, `trigger users_touch on users`.
    pub fn label(&self) -> String {
        if self.kind == ObjectKind::RowSecurity {
            return format!("{} on {}", self.kind, self.name);
        }
        match &self.table {
            Some(t) => format!("{} {} on {t}", self.kind, self.name),
            None => format!("{} {}", self.kind, self.name),
        }
    }

    /// True when `self` and `other` are the same object (kind, name and, for a trigger, table).
    pub fn same_object(&self, other: &SchemaObject) -> bool {
        self.kind == other.kind && self.name == other.name && self.table == other.table
    }

    /// True when it uses `table`, as a whole or through one of its columns.
    pub fn uses_table(&self, table: &str) -> bool {
        self.table.as_deref() == Some(table)
            || self.depends_on.iter().any(|d| match d {
                ObjectDependency::Table(t) | ObjectDependency::Column { table: t, .. } => {
                    t == table
                }
                ObjectDependency::Object { .. } => false,
            })
    }

    /// True when it uses column `column` of `table`.
    pub fn uses_column(&self, table: &str, column: &str) -> bool {
        self.depends_on.iter().any(|d| {
            matches!(d, ObjectDependency::Column { table: t, column: c } if t == table && c == column)
        })
    }

    /// True when it uses the object `kind` `name`.
    pub fn uses_object(&self, kind: ObjectKind, name: &str) -> bool {
        self.depends_on.iter().any(
            |d| matches!(d, ObjectDependency::Object { kind: k, name: n } if *k == kind && n == name),
        )
    }
}
