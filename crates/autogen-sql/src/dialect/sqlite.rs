//! SQLite: type spelling, canonicalisation, and rendering of changes as plain `ALTER TABLE` where
//! SQLite allows it. Everything else goes through the table rebuild in `sqlite_rebuild.rs`.
//!
//! # Types
//!
//! SQLite keeps a column's declared type verbatim, so autogen declares precise names that parse
//! back to the same [`ColumnType`] through `autogen_schema::parse_type`:
//!
//! | IR                              | SQLite declaration                  |
//! |---------------------------------|-------------------------------------|
//! | Boolean                         | `boolean`                           |
//! | TinyInt / SmallInt / Integer / BigInt | `tinyint` / `smallint` / `integer` / `bigint` (no `unsigned`) |
//! | Real / Double                   | `real` / `double`                   |
//! | Decimal                         | `numeric(p,s)`, `numeric(p)`, `numeric` |
//! | Char / Varchar                  | `char(n)` / `varchar(n)` (or without length) |
//! | Text / Blob                     | `text` / `blob`                     |
//! | Date / Time                     | `date` / `time`                     |
//! | Timestamp (tz false / true)     | `timestamp` / `timestamptz`         |
//! | Uuid / Json / Jsonb             | `uuid` / `json` / `json`            |
//! | Array(element)                  | none: the model reader refuses arrays here |
//! | Enum                            | `text` (canonicalize adds a CHECK)  |
//! | Set                             | none: the model reader refuses MySQL's SET here |
//! | Other(raw)                      | `raw` as written                    |
//!
//! A single-column auto-increment primary key is declared inline as
//! `"id" integer NOT NULL PRIMARY KEY AUTOINCREMENT` (NOT NULL is spelled out so that
//! `PRAGMA table_info` reports it).
//!
//! # Canonicalisation
//!
//! `canonicalize(Sqlite)` drops `unsigned`; turns Jsonb into Json; gives `numeric(p)` its implied scale 0; turns an
//! `Enum` column into `Text` plus a check named `ck_<table>_<column>_enum` with the expression
//! `"<column>" IN ('a', 'b')`; turns the type of a single-column auto-increment primary key into
//! `Integer` (without a default) and clears `auto_increment` everywhere else (SQLite has no other kind); clears
//! index methods, table and column comments and `Schema::enums` (SQLite stores none of them);
//! and makes primary-key columns NOT NULL.
//!
//! # Plain ALTER versus rebuild
//!
//! SQLite's ALTER TABLE can rename a table or a column and add a column that is nullable or has a
//! constant default and no constraint. Indexes are separate objects. Every other change to a
//! table (altering or dropping a column, keys, unique, foreign-key and check constraints) is done
//! by rebuilding the table (`sqlite_rebuild.rs`); all of one table's changes that can be moved
//! together are grouped into one rebuild, so its rows are copied once (`sqlite_group.rs`).
//! Comments and enum types have no SQLite form and render to nothing; neither does an
//! `AlterColumn` that only changes what SQLite does not store (a comment, an enum's values,
//! which live in the CHECK that canonicalisation adds).

use autogen_diff::{apply, Change, ConstraintRenames};
use autogen_schema::{
    parse_default, parse_type, Check, Column, ColumnType, DefaultValue, Dialect, Index, Schema,
    Table, TableOptions,
};
use sea_query::{Alias, SqliteQueryBuilder, Table as SeaTable};

use super::sqlite_group::{groupable_table, rebuild_group};
use super::sqlite_rebuild;
use super::SqlDialect;
use crate::ddl::{self, check_clause, foreign_key_clause, unique_clause};
use crate::{RenderError, Statement};

pub(crate) struct Sqlite {
    /// Online mode: SQLite has no form that keeps a table writable, so the hazard of a rebuild
    /// says so (`safety = "online"`; the row threshold is applied after rendering,
    /// [`crate::hazard::settle_small_rebuilds`]).
    pub(crate) online: bool,
}

impl SqlDialect for Sqlite {
    fn quote_char(&self) -> char {
        '"'
    }

    fn type_sql(&self, ty: &ColumnType) -> String {
        fn with_len(base: &str, n: Option<u32>) -> String {
            match n {
                Some(n) => format!("{base}({n})"),
                None => base.to_string(),
            }
        }
        match ty {
            ColumnType::Boolean => "boolean".into(),
            ColumnType::TinyInt { .. } => "tinyint".into(),
            ColumnType::SmallInt { .. } => "smallint".into(),
            ColumnType::Integer { .. } => "integer".into(),
            ColumnType::BigInt { .. } => "bigint".into(),
            ColumnType::Real => "real".into(),
            ColumnType::Double => "double".into(),
            ColumnType::Decimal { precision, scale } => match (precision, scale) {
                (Some(p), Some(s)) => format!("numeric({p},{s})"),
                (Some(p), None) => format!("numeric({p})"),
                _ => "numeric".into(),
            },
            ColumnType::Char { length } => with_len("char", *length),
            ColumnType::Varchar { length } => with_len("varchar", *length),
            ColumnType::Text | ColumnType::Enum { .. } => "text".into(),
            ColumnType::Blob => "blob".into(),
            ColumnType::Date => "date".into(),
            ColumnType::Time => "time".into(),
            ColumnType::Timestamp { with_time_zone } => if *with_time_zone {
                "timestamptz"
            } else {
                "timestamp"
            }
            .into(),
            ColumnType::Uuid => "uuid".into(),
            ColumnType::Json | ColumnType::Jsonb => "json".into(),
            // SQLite has no arrays (the model reader refuses them); a `text[]` a database
            // declared is written back as declared.
            ColumnType::Array(element) => format!("{}[]", self.type_sql(element)),
            // MySQL's SET has no SQLite counterpart (the model reader refuses it): text.
            ColumnType::Set { .. } => "text".into(),
            ColumnType::Other(raw) => raw.clone(),
        }
    }

    fn drop_table_sql(&self, name: &str) -> String {
        SeaTable::drop()
            .table(Alias::new(name))
            .to_string(SqliteQueryBuilder)
    }

    fn rename_table_sql(&self, from: &str, to: &str) -> String {
        SeaTable::rename()
            .table(Alias::new(from), Alias::new(to))
            .to_string(SqliteQueryBuilder)
    }

    /// None: constraints live inside the table's CREATE text, and renaming one would take a
    /// rebuild (copying every row) for a name nothing compares.
    fn constraint_renames(&self) -> ConstraintRenames {
        ConstraintRenames::default()
    }

    fn object_rules(&self) -> autogen_diff::ObjectRules {
        // No CREATE OR REPLACE; any change beyond an added column or an index may rebuild.
        autogen_diff::ObjectRules {
            table_changes_rebuild: true,
            ..autogen_diff::ObjectRules::default()
        }
    }

    fn canonicalize(&self, out: &mut Schema) {
        ddl::canonicalize_common(out);
        out.enums.clear();
        for t in &mut out.tables {
            t.comment = None;
            // Engines, row formats and character sets are MySQL's; SQLite keeps its two flags.
            t.options = TableOptions {
                strict: t.options.strict,
                without_rowid: t.options.without_rowid,
                ..TableOptions::default()
            };
            let mut enum_checks = Vec::new();
            let table_name = t.name.clone();
            let pk = t.primary_key.clone();
            for c in &mut t.columns {
                c.comment = None;
                // SQLite has one auto-increment form; a declared PostgreSQL form means nothing.
                c.identity = None;
                // Collation names are case-insensitive; BINARY is the default, which the
                // introspector reports as none.
                c.collation = c
                    .collation
                    .take()
                    .map(|co| co.to_ascii_uppercase())
                    .filter(|co| co != "BINARY");
                if c.generated.is_some() {
                    c.default = None;
                }
                let sole_pk = pk
                    .as_ref()
                    .is_some_and(|pk| pk.columns.len() == 1 && pk.columns[0] == c.name);
                if c.auto_increment && sole_pk {
                    // `INTEGER PRIMARY KEY AUTOINCREMENT` is declared without a default.
                    c.ty = ColumnType::Integer { unsigned: false };
                    c.default = None;
                } else {
                    c.auto_increment = false;
                }
                c.ty = match std::mem::replace(&mut c.ty, ColumnType::Text) {
                    // SQLite has one JSON column type (text; its binary JSONB is a blob format
                    // of the json functions, not a column type).
                    ColumnType::Jsonb => ColumnType::Json,
                    ColumnType::TinyInt { .. } => ColumnType::TinyInt { unsigned: false },
                    ColumnType::SmallInt { .. } => ColumnType::SmallInt { unsigned: false },
                    ColumnType::Integer { .. } => ColumnType::Integer { unsigned: false },
                    ColumnType::BigInt { .. } => ColumnType::BigInt { unsigned: false },
                    ColumnType::Decimal {
                        precision: Some(p),
                        scale,
                    } => ColumnType::Decimal {
                        precision: Some(p),
                        scale: Some(scale.unwrap_or(0)),
                    },
                    ColumnType::Decimal {
                        precision: None, ..
                    } => ColumnType::Decimal {
                        precision: None,
                        scale: None,
                    },
                    ColumnType::Enum { values, .. } => {
                        enum_checks.push(Check {
                            name: Some(enum_check_name(&table_name, &c.name)),
                            expression: self.enum_check_expression(&c.name, &values),
                        });
                        ColumnType::Text
                    }
                    other => other,
                };
                // A STRICT table declares each column with the strict type of its affinity (see
                // `strict_type`), which is what the database reports back.
                if t.options.strict {
                    c.ty = parse_type(strict_type(&c.ty));
                }
            }
            for ck in enum_checks {
                if !t.checks.iter().any(|x| x.name == ck.name) {
                    t.checks.push(ck);
                }
            }
            for ix in &mut t.indexes {
                ix.method = None;
                // SQLite stores no index comments, as it stores no table comments.
                ix.comment = None;
                // Collation names are case-insensitive in SQLite; the introspector reports
                // them uppercased.
                for part in &mut ix.columns {
                    if let Some(co) = &mut part.collation {
                        *co = co.to_ascii_uppercase();
                    }
                }
            }
        }
    }

    fn render(
        &self,
        state: &mut Schema,
        changes: &[Change],
    ) -> Result<Vec<Statement>, RenderError> {
        let changes = &*super::sqlite_cycles::fold_cycle_foreign_keys(changes);
        let changes = &*super::sqlite_rowid_renames::split_rowid_renames(state, changes);
        let mut out = Vec::new();
        let mut done = vec![false; changes.len()];
        for i in 0..changes.len() {
            if done[i] {
                continue;
            }
            let change = &changes[i];
            if let Some(table) = groupable_table(change) {
                let referenced = state.tables.iter().any(|t| {
                    t.name != table && t.foreign_keys.iter().any(|f| f.referenced_table == table)
                });
                let members = rebuild_group(changes, &done, i, table, referenced);
                let group: Vec<Change> = members.iter().map(|&k| changes[k].clone()).collect();
                if let Some(reason) = group.iter().find_map(|c| self.rebuild_reason(c)) {
                    sqlite_rebuild::rebuild(self, state, table, &group, reason, &mut out)?;
                    for k in members {
                        done[k] = true;
                    }
                    continue;
                }
            }
            let start = out.len();
            self.render_plain(state, change, &mut out)?;
            classify(change, &mut out[start..]);
            apply(state, change, '"')?;
            done[i] = true;
        }
        Ok(out)
    }
}

/// The hazards of a change SQLite runs in place (a rebuild's hazard is on its copy step, see
/// `sqlite_rebuild.rs`): an index built while the database's write lock is held, and renames.
fn classify(change: &Change, rendered: &mut [Statement]) {
    let hazard = match change {
        Change::AddIndex { table, index } => Some(crate::Hazard::new(
            crate::HazardKind::IndexBuild,
            table,
            format!(
                "built while the database write lock is held: every writer waits for the whole build{}",
                if index.unique { "; fails on duplicate rows" } else { "" }
            ),
        )),
        Change::RenameTable { from, to } => Some(crate::hazard::rename_hazard(
            from,
            &format!("table {from} becomes {to}"),
        )),
        Change::RenameColumn { table, from, to } => Some(crate::hazard::rename_hazard(
            table,
            &format!("column {table}.{from} becomes {to}"),
        )),
        _ => None,
    };
    if let (Some(hazard), Some(first)) = (hazard, rendered.first_mut()) {
        crate::hazard::set(first, hazard);
    }
}

/// The name of the CHECK that stands in for an enum column.
pub(crate) fn enum_check_name(table: &str, column: &str) -> String {
    format!("ck_{table}_{column}_enum")
}

impl Sqlite {
    fn enum_check_expression(&self, column: &str, values: &[String]) -> String {
        let values: Vec<String> = values.iter().map(|v| self.string_literal(v)).collect();
        format!("{} IN ({})", self.quote(column), values.join(", "))
    }

    /// Why `change` needs a table rebuild, or `None` when plain SQL (or nothing) does it.
    pub(crate) fn rebuild_reason(&self, change: &Change) -> Option<&'static str> {
        match change {
            Change::AddColumn { column, .. }
                if column.generated.as_ref().is_some_and(|g| g.stored) =>
            {
                Some("SQLite cannot ADD a STORED generated column in place")
            }
            Change::AddColumn { column, .. } if !add_column_in_place(column) => {
                Some("SQLite can only ADD COLUMN when it is nullable or has a constant default")
            }
            Change::DropColumn { .. } => Some("SQLite cannot drop a column in place"),
            Change::AlterColumn { from, to, .. } if !self.same_definition(from, to) => {
                Some("SQLite cannot ALTER COLUMN")
            }
            Change::AlterPrimaryKey { .. } => Some("SQLite cannot alter a primary key"),
            Change::AlterTableOptions { from, to, .. } if sqlite_options_differ(from, to) => {
                Some("SQLite cannot change STRICT or WITHOUT ROWID in place")
            }
            Change::AddUnique { .. } | Change::DropUnique { .. } => {
                Some("SQLite cannot add or drop a UNIQUE constraint")
            }
            Change::AddForeignKey { .. } | Change::DropForeignKey { .. } => {
                Some("SQLite cannot add or drop a FOREIGN KEY")
            }
            Change::AlterForeignKey { .. } => {
                Some("SQLite cannot change a FOREIGN KEY's DEFERRABLE in place")
            }
            Change::AddCheck { .. } | Change::DropCheck { .. } => {
                Some("SQLite cannot add or drop a CHECK constraint")
            }
            _ => None,
        }
    }

    /// Whether two versions of a column declare the same thing on SQLite (comments and enum
    /// value lists do not reach the declaration).
    fn same_definition(&self, a: &Column, b: &Column) -> bool {
        self.type_sql(&a.ty) == self.type_sql(&b.ty)
            && a.nullable == b.nullable
            && a.default == b.default
            && a.auto_increment == b.auto_increment
            && a.collation == b.collation
            && ddl::same_generated(Dialect::Sqlite, a, b)
    }

    /// A column definition inside CREATE TABLE or ADD COLUMN.
    ///
    /// When the database declared the column (`Column::declared`, read from its CREATE TABLE
    /// text; an added column carries the spelling of the schema it comes from) and that
    /// declaration still describes the column, it is written the same way: the declared
    /// type text (`DATETIME`, `INT`: SQLite keeps it, and `INT PRIMARY KEY` is not a rowid alias
    /// where `INTEGER PRIMARY KEY` is), no `NOT NULL` on a key column that had none (a rowid alias
    /// and a WITHOUT ROWID key are NOT NULL anyway; an ordinary key keeps SQLite's legacy
    /// nullability), and the default's text (`0.0`). So a rebuild leaves what the revision does
    /// not change as the user wrote it.
    pub(crate) fn column_def(&self, table: &Table, c: &Column) -> String {
        let declared = c.declared.0.as_ref();
        let in_key = table
            .primary_key
            .as_ref()
            .is_some_and(|pk| pk.columns.contains(&c.name));
        let unwritten_key = declared.is_some_and(|d| !d.not_null) && in_key;
        let not_null = if c.nullable || unwritten_key {
            ""
        } else {
            " NOT NULL"
        };
        let ty = match declared {
            Some(d) if parse_type(&d.ty) == c.ty => d.ty.clone(),
            _ if table.options.strict => strict_type(&c.ty).to_string(),
            _ => self.type_sql(&c.ty),
        };
        if c.auto_increment && ddl::is_sole_pk(table, &c.name) {
            // AUTOINCREMENT needs the type to be exactly INTEGER (any letter case).
            let ty = declared
                .map(|d| d.ty.as_str())
                .filter(|t| t.eq_ignore_ascii_case("integer"))
                .unwrap_or("integer");
            return format!(
                "{} {ty}{not_null} PRIMARY KEY AUTOINCREMENT",
                self.quote(&c.name)
            );
        }
        // Only a literal's text is kept (`0.0`, `'x'`, a boolean's `1`): the pragma reports an
        // expression default without the parentheses `DEFAULT (...)` needs, and autogen writes
        // those the same way.
        let literal = |d: &DefaultValue, raw: &str| match d {
            DefaultValue::Number(_) | DefaultValue::String(_) => parse_default(raw) == *d,
            // The introspector reads `1` / `0` on a boolean column as TRUE / FALSE.
            DefaultValue::Boolean(b) => {
                let raw = raw.to_ascii_lowercase();
                raw == if *b { "1" } else { "0" } || raw == if *b { "true" } else { "false" }
            }
            _ => false,
        };
        let default = match (&c.default, declared.and_then(|d| d.default.as_deref())) {
            (Some(def), Some(raw)) if literal(def, raw) => {
                format!(" DEFAULT {raw}")
            }
            (Some(def), _) => format!(" DEFAULT {}", self.default_sql(def)),
            (None, _) => String::new(),
        };
        format!(
            "{} {ty}{}{not_null}{default}{}",
            self.quote(&c.name),
            ddl::collate_clause(self, c),
            ddl::generated_clause(c)
        )
    }

    /// `CREATE TABLE "<name>" (...)` for `table`'s definition under the name `name`.
    pub(crate) fn create_table_sql(&self, table: &Table, name: &str) -> String {
        let mut parts: Vec<String> = table
            .columns
            .iter()
            .map(|c| self.column_def(table, c))
            .collect();
        if let Some(pk) = &table.primary_key {
            let inline = pk.columns.len() == 1
                && table
                    .column(&pk.columns[0])
                    .is_some_and(|c| c.auto_increment);
            if !inline {
                parts.push(ddl::primary_key_clause(self, pk));
            }
        }
        parts.extend(
            table
                .unique_constraints
                .iter()
                .map(|u| unique_clause(self, u)),
        );
        parts.extend(
            table
                .foreign_keys
                .iter()
                .map(|f| foreign_key_clause(self, f)),
        );
        parts.extend(table.checks.iter().map(|c| check_clause(self, c)));
        let mut options = Vec::new();
        if table.options.without_rowid {
            options.push("WITHOUT ROWID");
        }
        if table.options.strict {
            options.push("STRICT");
        }
        let options = if options.is_empty() {
            String::new()
        } else {
            format!(" {}", options.join(", "))
        };
        format!(
            "CREATE TABLE {} (\n    {}\n){options}",
            self.quote(name),
            parts.join(",\n    ")
        )
    }

    pub(crate) fn create_index_sql(&self, table: &Table, index: &Index) -> String {
        let mut s = format!(
            "CREATE {}INDEX {} ON {} ({})",
            if index.unique { "UNIQUE " } else { "" },
            self.quote(&index.name),
            self.quote(&table.name),
            ddl::index_key_parts(self, table, index)
        );
        if let Some(p) = &index.predicate {
            s.push_str(" WHERE ");
            s.push_str(p);
        }
        s
    }

    /// Renders a change that needs no rebuild.
    fn render_plain(
        &self,
        state: &Schema,
        change: &Change,
        out: &mut Vec<Statement>,
    ) -> Result<(), RenderError> {
        let table_of = |name: &str| {
            state
                .table(name)
                .ok_or_else(|| autogen_diff::ApplyError::NoSuchTable(name.to_string()))
        };
        match change {
            // SQLite has no enum types and no comments: enums are text columns with a CHECK
            // (see canonicalize), comments are not stored.
            Change::CreateEnum(_) | Change::DropEnum(_) | Change::AlterEnum { .. } => {}
            Change::AlterTableComment { .. } | Change::AlterColumn { .. } => {}
            // Only the options SQLite does not have (MySQL's) differ: nothing to write.
            Change::AlterTableOptions { .. } => {}
            Change::CreateTable(t) => {
                out.push(Statement::new(self.create_table_sql(t, &t.name)));
                for ix in &t.indexes {
                    refuse_index_properties(change, ix)?;
                    out.push(Statement::new(self.create_index_sql(t, ix)));
                }
            }
            Change::DropTable(t) => {
                out.push(Statement::new(self.drop_table_sql(&t.name)).with_loss(change.data_loss()))
            }
            Change::RenameTable { from, to } => {
                out.push(Statement::new(self.rename_table_sql(from, to)))
            }
            Change::AddColumn { table, column } => {
                let t = table_of(table)?;
                out.push(Statement::new(format!(
                    "ALTER TABLE {} ADD COLUMN {}",
                    self.quote(table),
                    self.column_def(t, column)
                )));
            }
            Change::RenameColumn { table, from, to } => out.push(Statement::new(format!(
                "ALTER TABLE {} RENAME COLUMN {} TO {}",
                self.quote(table),
                self.quote(from),
                self.quote(to)
            ))),
            Change::AddIndex { table, index } => {
                let t = table_of(table)?;
                refuse_index_properties(change, index)?;
                out.push(Statement::new(self.create_index_sql(t, index)));
            }
            Change::DropIndex { index, .. } => out.push(Statement::new(format!(
                "DROP INDEX {}",
                self.quote(&index.name)
            ))),
            // SQLite has no ALTER INDEX; rebuilding one index copies no rows.
            Change::RenameIndex { table, from, to } => {
                let t = table_of(table)?;
                out.push(Statement::new(format!(
                    "DROP INDEX {}",
                    self.quote(&from.name)
                )));
                out.push(Statement::new(self.create_index_sql(t, to)));
            }
            // Constraint names live in the table's CREATE text; the differ proposes no such
            // rename for SQLite (`constraint_renames`), and one that reaches here only updates
            // the state, so that a later rebuild writes the new name.
            Change::RenameConstraint { .. } => {}
            // Rendered by `crate::objects` around the table changes, never here.
            Change::CreateObject(_) | Change::DropObject(_) | Change::ReplaceObject { .. } => {
                return Err(RenderError::unsupported(
                    change.describe(),
                    "object changes are rendered before or after the table changes",
                ))
            }
            // Only reached if `rebuild_reason` and this match disagree; a rebuild of one change
            // is always correct.
            other => {
                let table = other.table().unwrap_or_default().to_string();
                let mut scratch = state.clone();
                let reason = self
                    .rebuild_reason(other)
                    .unwrap_or("SQLite cannot alter this in place");
                sqlite_rebuild::rebuild(
                    self,
                    &mut scratch,
                    &table,
                    std::slice::from_ref(other),
                    reason,
                    out,
                )?;
            }
        }
        Ok(())
    }
}

/// Whether the options SQLite has (STRICT, WITHOUT ROWID) differ.
fn sqlite_options_differ(a: &TableOptions, b: &TableOptions) -> bool {
    a.strict != b.strict || a.without_rowid != b.without_rowid
}

/// A STRICT table accepts only `INT`, `INTEGER`, `REAL`, `TEXT`, `BLOB` and `ANY` as declared
/// types, so a column the database did not declare is written with the one of those that has
/// its affinity (sqlite.org/stricttables.html).
fn strict_type(ty: &ColumnType) -> &'static str {
    match ty {
        ColumnType::Boolean
        | ColumnType::TinyInt { .. }
        | ColumnType::SmallInt { .. }
        | ColumnType::Integer { .. }
        | ColumnType::BigInt { .. } => "INTEGER",
        ColumnType::Real | ColumnType::Double => "REAL",
        ColumnType::Blob => "BLOB",
        ColumnType::Decimal { .. } | ColumnType::Other(_) => "ANY",
        _ => "TEXT",
    }
}

/// Whether SQLite's `ALTER TABLE ADD COLUMN` accepts `column`: it must not be a key nor a
/// stored generated column, and must be nullable or have a constant, non-NULL default (SQLite refuses CURRENT_* and expressions there).
fn add_column_in_place(column: &Column) -> bool {
    if column.auto_increment {
        return false;
    }
    // SQLite adds a VIRTUAL generated column in place, never a STORED one.
    if let Some(g) = &column.generated {
        return !g.stored && column.nullable;
    }
    match &column.default {
        None => column.nullable,
        Some(DefaultValue::Null) => column.nullable,
        Some(
            DefaultValue::CurrentTimestamp
            | DefaultValue::CurrentDate
            | DefaultValue::CurrentTime
            | DefaultValue::Expression(_),
        ) => false,
        Some(DefaultValue::Boolean(_) | DefaultValue::Number(_) | DefaultValue::String(_)) => true,
    }
}

/// SQLite's index key parts take a COLLATE and a direction, nothing else.
fn refuse_index_properties(change: &Change, index: &Index) -> Result<(), RenderError> {
    ddl::refuse_index_properties(
        change,
        index,
        "SQLite",
        ddl::IndexSupport {
            collation: true,
            ..ddl::IndexSupport::default()
        },
    )
}
