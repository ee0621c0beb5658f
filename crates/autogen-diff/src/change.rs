//! The one `Change` enum that is the differ's whole output. Every variant carries enough of the
//! old state to be inverted, so downgrades are derived rather than written twice.

use autogen_schema::{
    Check, Column, EnumType, ForeignKey, Index, PrimaryKey, SchemaObject, Table, TableOptions,
    UniqueConstraint,
};

/// One schema change. Table-scoped variants name the table as it is called at the moment the
/// change runs (after any rename that precedes it in the list).
// `AlterColumn` holds two whole columns and is the largest variant. A change list is as long
// as the schema's differences (thousands at most), so boxing would buy a few kilobytes at the
// cost of a `Box` at every one of the ~40 places that build or match the variant.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    CreateEnum(EnumType),
    DropEnum(EnumType),
    /// Values added, removed or reordered.
    AlterEnum {
        from: EnumType,
        to: EnumType,
    },
    /// A whole new table, with its keys, indexes and constraints.
    CreateTable(Table),
    /// Drops a table; holds the whole old table so the inverse can recreate it.
    DropTable(Table),
    RenameTable {
        from: String,
        to: String,
    },
    AddColumn {
        table: String,
        column: Column,
    },
    DropColumn {
        table: String,
        column: Column,
    },
    RenameColumn {
        table: String,
        from: String,
        to: String,
    },
    /// Type, nullability, default, auto-increment or comment changed. `from` and `to` have the
    /// same name.
    AlterColumn {
        table: String,
        from: Column,
        to: Column,
    },
    AlterPrimaryKey {
        table: String,
        from: Option<PrimaryKey>,
        to: Option<PrimaryKey>,
    },
    AddIndex {
        table: String,
        index: Index,
    },
    DropIndex {
        table: String,
        index: Index,
    },
    AddUnique {
        table: String,
        unique: UniqueConstraint,
    },
    DropUnique {
        table: String,
        unique: UniqueConstraint,
    },
    AddForeignKey {
        table: String,
        foreign_key: ForeignKey,
    },
    DropForeignKey {
        table: String,
        foreign_key: ForeignKey,
    },
    /// A foreign key equal on both sides but for its deferrability (`DEFERRABLE`, `INITIALLY
    /// DEFERRED`): PostgreSQL changes it in place (`ALTER CONSTRAINT`), SQLite rebuilds the
    /// table. `from` is the key as it is (with the server's name), `to` as it will be.
    AlterForeignKey {
        table: String,
        from: ForeignKey,
        to: ForeignKey,
    },
    AddCheck {
        table: String,
        check: Check,
    },
    DropCheck {
        table: String,
        check: Check,
    },
    AlterTableComment {
        table: String,
        from: Option<String>,
        to: Option<String>,
    },
    /// Table options changed (SQLite STRICT / WITHOUT ROWID, MySQL engine, row format, key block
    /// size, default charset and collation). `to` holds every option after the change, the ones
    /// the desired side did not declare carried over from `from`.
    AlterTableOptions {
        table: String,
        from: TableOptions,
        to: TableOptions,
    },
    /// An index whose name follows a table or column rename (see `renames.rs`): `from` and `to`
    /// are the same index under its old and new name. Both are kept whole because SQLite cannot
    /// rename an index and drops and recreates it instead.
    RenameIndex {
        table: String,
        from: Index,
        to: Index,
    },
    /// A constraint whose name follows a table or column rename, renamed in place. The differ
    /// proposes only the kinds the target dialect can rename (see
    /// [`DiffOptions::constraint_renames`](crate::DiffOptions::constraint_renames)).
    RenameConstraint {
        table: String,
        kind: ConstraintKind,
        from: String,
        to: String,
    },
    /// A view, materialized view, trigger or function (see `objects.rs`), created from its
    /// `sql`.
    CreateObject(SchemaObject),
    /// Drops an object; holds the whole old object so the inverse can recreate it exactly.
    DropObject(SchemaObject),
    /// The object changed and the dialect can replace it in place (`CREATE OR REPLACE VIEW`).
    /// `from` and `to` are the same object (kind, name, table).
    ReplaceObject {
        from: SchemaObject,
        to: SchemaObject,
    },
}

/// The kinds of named constraint a [`Change::RenameConstraint`] can rename.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ConstraintKind {
    PrimaryKey,
    Unique,
    ForeignKey,
    Check,
}

impl ConstraintKind {
    /// `primary key`, `unique`, `foreign key`, `check`: how descriptions name the kind.
    pub fn label(self) -> &'static str {
        match self {
            ConstraintKind::PrimaryKey => "primary key",
            ConstraintKind::Unique => "unique",
            ConstraintKind::ForeignKey => "foreign key",
            ConstraintKind::Check => "check",
        }
    }
}

impl Change {
    /// The change that undoes this one.
    pub fn inverse(&self) -> Change {
        use Change::*;
        match self.clone() {
            CreateEnum(e) => DropEnum(e),
            DropEnum(e) => CreateEnum(e),
            AlterEnum { from, to } => AlterEnum { from: to, to: from },
            CreateTable(t) => DropTable(t),
            DropTable(t) => CreateTable(t),
            RenameTable { from, to } => RenameTable { from: to, to: from },
            AddColumn { table, column } => DropColumn { table, column },
            DropColumn { table, column } => AddColumn { table, column },
            RenameColumn { table, from, to } => RenameColumn {
                table,
                from: to,
                to: from,
            },
            AlterColumn { table, from, to } => AlterColumn {
                table,
                from: to,
                to: from,
            },
            AlterPrimaryKey { table, from, to } => AlterPrimaryKey {
                table,
                from: to,
                to: from,
            },
            AddIndex { table, index } => DropIndex { table, index },
            DropIndex { table, index } => AddIndex { table, index },
            AddUnique { table, unique } => DropUnique { table, unique },
            DropUnique { table, unique } => AddUnique { table, unique },
            AddForeignKey { table, foreign_key } => DropForeignKey { table, foreign_key },
            DropForeignKey { table, foreign_key } => AddForeignKey { table, foreign_key },
            AlterForeignKey { table, from, to } => AlterForeignKey {
                table,
                from: to,
                to: from,
            },
            AddCheck { table, check } => DropCheck { table, check },
            DropCheck { table, check } => AddCheck { table, check },
            AlterTableComment { table, from, to } => AlterTableComment {
                table,
                from: to,
                to: from,
            },
            AlterTableOptions { table, from, to } => AlterTableOptions {
                table,
                from: to,
                to: from,
            },
            RenameIndex { table, from, to } => RenameIndex {
                table,
                from: to,
                to: from,
            },
            RenameConstraint {
                table,
                kind,
                from,
                to,
            } => RenameConstraint {
                table,
                kind,
                from: to,
                to: from,
            },
            CreateObject(o) => DropObject(o),
            DropObject(o) => CreateObject(o),
            ReplaceObject { from, to } => ReplaceObject { from: to, to: from },
        }
    }

    /// The table this change touches, if it touches exactly one (after the change, for renames).
    pub fn table(&self) -> Option<&str> {
        use Change::*;
        match self {
            CreateEnum(_) | DropEnum(_) | AlterEnum { .. } => None,
            // Objects are not table changes, a trigger's table included: renderers and reports
            // that group by table must not take them for one.
            CreateObject(_) | DropObject(_) | ReplaceObject { .. } => None,
            CreateTable(t) | DropTable(t) => Some(&t.name),
            RenameTable { to, .. } => Some(to),
            AddColumn { table, .. }
            | DropColumn { table, .. }
            | RenameColumn { table, .. }
            | AlterColumn { table, .. }
            | AlterPrimaryKey { table, .. }
            | AddIndex { table, .. }
            | DropIndex { table, .. }
            | AddUnique { table, .. }
            | DropUnique { table, .. }
            | AddForeignKey { table, .. }
            | DropForeignKey { table, .. }
            | AlterForeignKey { table, .. }
            | AddCheck { table, .. }
            | DropCheck { table, .. }
            | AlterTableComment { table, .. }
            | AlterTableOptions { table, .. }
            | RenameIndex { table, .. }
            | RenameConstraint { table, .. } => Some(table),
        }
    }
}
