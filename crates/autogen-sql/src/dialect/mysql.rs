//! MySQL and MariaDB: type spelling, canonicalisation and rendering. Changes are rendered in
//! place; a column change restates the whole column (`MODIFY COLUMN`), as MySQL requires.
//!
//! # Types
//!
//! | IR                            | MySQL / MariaDB                          |
//! |-------------------------------|------------------------------------------|
//! | Boolean                       | `tinyint(1)`                             |
//! | TinyInt / SmallInt / Integer / BigInt | `tinyint` / `smallint` / `int` / `bigint`, `unsigned` kept |
//! | Real / Double                 | `float` / `double`                       |
//! | Decimal                       | `decimal(p,s)`                           |
//! | Char / Varchar                | `char(n)` / `varchar(n)`                 |
//! | Text / Blob                   | `text` / `longblob`                      |
//! | Date / Time                   | `date` / `time`                          |
//! | Timestamp tz false / true     | `datetime` / `timestamp` (MySQL converts `timestamp` values to UTC) |
//! | Uuid                          | `char(36)`                               |
//! | Json                          | `json` (MariaDB stores `longtext` with a `json_valid` check) |
//! | Enum { values }               | inline `enum('a','b')`                   |
//! | Other(raw)                    | `raw` as written                         |
//!
//! Auto-increment is the `AUTO_INCREMENT` column attribute (the column must be a key).
//!
//! # Canonicalisation
//!
//! `canonicalize(Mysql)` agrees with the MySQL introspector's decisions: it turns Uuid into
//! `Char(36)`, a Varchar without length into Text, gives `char` its implied length 1 and
//! `decimal` its implied `(10,0)` / scale 0; names every enum column's type `<table>_<column>`
//! (MySQL enums are anonymous and inline) and clears `Schema::enums`; clears the `btree` index
//! method (InnoDB's default) and the `hash` method (InnoDB builds a B-tree instead); keeps
//! descending key parts (MySQL 8.0 and MariaDB 10.8+ store them) and partial-index predicates
//! (so that rendering one fails with a hint: MySQL has no partial indexes); reports a unique index that a UNIQUE constraint can express
//! (ascending plain columns, default method, no predicate) as that constraint, since MySQL does
//! not tell them apart; drops the primary key's name (always `PRIMARY`); reads `RESTRICT` as
//! `NO ACTION` (identical on InnoDB); turns empty comments into none (MySQL reports "no
//! comment" as `''`); and makes primary-key columns NOT NULL. Json stays Json: the introspector
//! reports MariaDB's `longtext` + `json_valid` check as Json.
//!
//! String literals double `'` and also escape `\`, which MySQL treats as an escape character
//! unless `NO_BACKSLASH_ESCAPES` is set. Defaults: booleans are written `1` / `0` (what MySQL
//! stores and reports); CURRENT_DATE / CURRENT_TIME and expressions are parenthesised expression
//! defaults (MySQL 8.0.13+, MariaDB 10.2+). A literal default on a `text` column needs MySQL
//! 8.0.13+ (MariaDB 10.11 accepts it).

use autogen_diff::Change;
use autogen_schema::{
    Column, ColumnType, DefaultValue, Index, ReferentialAction, Schema, Table, UniqueConstraint,
};
use sea_query::{Alias, MysqlQueryBuilder, Table as SeaTable};

use super::SqlDialect;
use crate::ddl::{self, alter_table, column_list, state_name};
use crate::{RenderError, Statement};

pub(crate) struct Mysql;

impl SqlDialect for Mysql {
    fn quote_char(&self) -> char {
        '`'
    }

    fn string_literal(&self, s: &str) -> String {
        format!("'{}'", s.replace('\\', "\\\\").replace('\'', "''"))
    }

    fn type_sql(&self, ty: &ColumnType) -> String {
        fn int(base: &str, unsigned: bool) -> String {
            if unsigned {
                format!("{base} unsigned")
            } else {
                base.to_string()
            }
        }
        match ty {
            ColumnType::Boolean => "tinyint(1)".into(),
            ColumnType::TinyInt { unsigned } => int("tinyint", *unsigned),
            ColumnType::SmallInt { unsigned } => int("smallint", *unsigned),
            ColumnType::Integer { unsigned } => int("int", *unsigned),
            ColumnType::BigInt { unsigned } => int("bigint", *unsigned),
            ColumnType::Real => "float".into(),
            ColumnType::Double => "double".into(),
            ColumnType::Decimal { precision, scale } => match (precision, scale) {
                (Some(p), Some(s)) => format!("decimal({p},{s})"),
                (Some(p), None) => format!("decimal({p})"),
                _ => "decimal".into(),
            },
            ColumnType::Char { length } => format!("char({})", length.unwrap_or(1)),
            ColumnType::Varchar { length: Some(n) } => format!("varchar({n})"),
            ColumnType::Varchar { length: None } | ColumnType::Text => "text".into(),
            ColumnType::Blob => "longblob".into(),
            ColumnType::Date => "date".into(),
            ColumnType::Time => "time".into(),
            ColumnType::Timestamp {
                with_time_zone: false,
            } => "datetime".into(),
            ColumnType::Timestamp {
                with_time_zone: true,
            } => "timestamp".into(),
            ColumnType::Uuid => "char(36)".into(),
            ColumnType::Json => "json".into(),
            ColumnType::Enum { values, .. } => {
                let values: Vec<String> = values.iter().map(|v| self.string_literal(v)).collect();
                format!("enum({})", values.join(","))
            }
            ColumnType::Other(raw) => raw.clone(),
        }
    }

    fn default_sql(&self, d: &DefaultValue) -> String {
        match d {
            DefaultValue::Null => "NULL".into(),
            DefaultValue::Boolean(b) => if *b { "1" } else { "0" }.into(),
            DefaultValue::Number(n) => n.clone(),
            DefaultValue::String(s) => self.string_literal(s),
            DefaultValue::CurrentTimestamp => "CURRENT_TIMESTAMP".into(),
            DefaultValue::CurrentDate => "(CURRENT_DATE)".into(),
            DefaultValue::CurrentTime => "(CURRENT_TIME)".into(),
            DefaultValue::Expression(e) => format!("({e})"),
        }
    }

    fn drop_table_sql(&self, name: &str) -> String {
        SeaTable::drop()
            .table(Alias::new(name))
            .to_string(MysqlQueryBuilder)
    }

    fn rename_table_sql(&self, from: &str, to: &str) -> String {
        SeaTable::rename()
            .table(Alias::new(from), Alias::new(to))
            .to_string(MysqlQueryBuilder)
    }

    fn canonicalize(&self, out: &mut Schema) {
        ddl::canonicalize_common(out);
        out.enums.clear();
        for t in &mut out.tables {
            if t.comment.as_deref() == Some("") {
                t.comment = None;
            }
            for c in &mut t.columns {
                if c.comment.as_deref() == Some("") {
                    c.comment = None;
                }
                c.ty = match std::mem::replace(&mut c.ty, ColumnType::Text) {
                    ColumnType::Uuid => ColumnType::Char { length: Some(36) },
                    ColumnType::Varchar { length: None } => ColumnType::Text,
                    ColumnType::Char { length } => ColumnType::Char {
                        length: Some(length.unwrap_or(1)),
                    },
                    ColumnType::Decimal { precision, scale } => ColumnType::Decimal {
                        precision: Some(precision.unwrap_or(10)),
                        scale: Some(if precision.is_some() {
                            scale.unwrap_or(0)
                        } else {
                            0
                        }),
                    },
                    ColumnType::Enum { values, .. } => ColumnType::Enum {
                        name: format!("{}_{}", t.name, c.name),
                        values,
                    },
                    other => other,
                };
            }
            for ix in &mut t.indexes {
                // InnoDB builds a B-tree for `USING HASH` and reports BTREE (MariaDB's long
                // unique HASH keys are read back as plain unique keys by the introspector).
                if matches!(ix.method.as_deref(), Some("btree") | Some("hash")) {
                    ix.method = None;
                }
            }
            let (constraints, indexes): (Vec<Index>, Vec<Index>) = std::mem::take(&mut t.indexes)
                .into_iter()
                .partition(|ix| is_plain_unique(t, ix));
            t.indexes = indexes;
            t.unique_constraints
                .extend(constraints.into_iter().map(|ix| UniqueConstraint {
                    name: Some(ix.name),
                    columns: ix.columns.into_iter().map(|c| c.name).collect(),
                }));
            if let Some(pk) = &mut t.primary_key {
                pk.name = None;
            }
            for fk in &mut t.foreign_keys {
                for action in [&mut fk.on_delete, &mut fk.on_update] {
                    if *action == ReferentialAction::Restrict {
                        *action = ReferentialAction::NoAction;
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
        ddl::render_each(state, changes, '`', |state, change, out| {
            self.render_one(state, change, out)
        })
    }
}

/// Whether MySQL would report `ix` as a UNIQUE constraint: a unique index over plain ascending
/// columns with the default method and no predicate.
fn is_plain_unique(table: &Table, ix: &Index) -> bool {
    ix.unique
        && ix.method.is_none()
        && ix.predicate.is_none()
        && ix
            .columns
            .iter()
            .all(|c| !c.descending && table.column(&c.name).is_some())
}

impl Mysql {
    fn column_def(&self, c: &Column) -> String {
        let mut s = format!("{} {}", self.quote(&c.name), self.type_sql(&c.ty));
        // NULL is spelled out: MySQL has had implicit NOT NULL for `timestamp` columns.
        s.push_str(if c.nullable { " NULL" } else { " NOT NULL" });
        if let Some(d) = &c.default {
            s.push_str(" DEFAULT ");
            s.push_str(&self.default_sql(d));
        }
        if c.auto_increment {
            s.push_str(" AUTO_INCREMENT");
        }
        if let Some(cm) = &c.comment {
            s.push_str(" COMMENT ");
            s.push_str(&self.string_literal(cm));
        }
        s
    }

    fn create_table_sql(&self, t: &Table) -> String {
        let mut parts: Vec<String> = t.columns.iter().map(|c| self.column_def(c)).collect();
        // MySQL always names the primary key PRIMARY; a name given here would be ignored.
        parts.extend(
            t.primary_key
                .iter()
                .map(|pk| format!("PRIMARY KEY ({})", column_list(self, &pk.columns))),
        );
        parts.extend(
            t.unique_constraints
                .iter()
                .map(|u| ddl::unique_clause(self, u)),
        );
        parts.extend(
            t.foreign_keys
                .iter()
                .map(|f| ddl::foreign_key_clause(self, f)),
        );
        parts.extend(t.checks.iter().map(|c| ddl::check_clause(self, c)));
        let mut s = format!(
            "CREATE TABLE {} (\n    {}\n)",
            self.quote(&t.name),
            parts.join(",\n    ")
        );
        if let Some(c) = &t.comment {
            s.push_str(" COMMENT = ");
            s.push_str(&self.string_literal(c));
        }
        s
    }

    fn create_index_sql(
        &self,
        change: &Change,
        t: &Table,
        index: &Index,
    ) -> Result<String, RenderError> {
        if index.predicate.is_some() {
            return Err(RenderError::unsupported(
                change.describe(),
                "MySQL and MariaDB have no partial indexes; remove the index's predicate (where) for this database",
            ));
        }
        let (kind, using) = match index.method.as_deref() {
            None => ("", ""),
            Some("btree") => ("", " USING BTREE"),
            Some("hash") => ("", " USING HASH"),
            Some("fulltext") => ("FULLTEXT ", ""),
            Some("spatial") => ("SPATIAL ", ""),
            Some(other) => {
                return Err(RenderError::unsupported(
                    change.describe(),
                    format!(
                        "MySQL has no index method `{other}`; use btree, hash, fulltext or spatial"
                    ),
                ))
            }
        };
        Ok(format!(
            "CREATE {}{kind}INDEX {} ON {} ({}){using}",
            if index.unique { "UNIQUE " } else { "" },
            self.quote(&index.name),
            self.quote(&t.name),
            ddl::index_key_parts(self, t, index)
        ))
    }

    fn need_name(&self, change: &Change, name: Option<String>) -> Result<String, RenderError> {
        name.ok_or_else(|| {
            RenderError::unsupported(
                change.describe(),
                "the constraint has no name in the starting schema; name it in the models and \
                 regenerate against a database that reports the name",
            )
        })
    }

    fn render_one(
        &self,
        state: &Schema,
        change: &Change,
        out: &mut Vec<Statement>,
    ) -> Result<(), RenderError> {
        let state_table = |name: &str| {
            state
                .table(name)
                .ok_or_else(|| autogen_diff::ApplyError::NoSuchTable(name.to_string()))
        };
        match change {
            // MySQL enums are inline column types: a change of values arrives as the column
            // changes that use them.
            Change::CreateEnum(_) | Change::DropEnum(_) | Change::AlterEnum { .. } => {}
            Change::CreateTable(t) => {
                out.push(Statement::new(self.create_table_sql(t)));
                for ix in &t.indexes {
                    out.push(Statement::new(self.create_index_sql(change, t, ix)?));
                }
            }
            Change::DropTable(t) => {
                out.push(Statement::new(self.drop_table_sql(&t.name)).with_loss(change.data_loss()))
            }
            Change::RenameTable { from, to } => {
                out.push(Statement::new(self.rename_table_sql(from, to)))
            }
            Change::AddColumn { table, column } => out.push(Statement::new(format!(
                "{}ADD COLUMN {}",
                alter_table(self, table),
                self.column_def(column)
            ))),
            Change::DropColumn { table, column } => out.push(
                Statement::new(format!(
                    "{}DROP COLUMN {}",
                    alter_table(self, table),
                    self.quote(&column.name)
                ))
                .with_loss(change.data_loss()),
            ),
            Change::RenameColumn { table, from, to } => out.push(Statement::new(format!(
                "{}RENAME COLUMN {} TO {}",
                alter_table(self, table),
                self.quote(from),
                self.quote(to)
            ))),
            Change::AlterColumn { table, to, .. } => out.push(
                Statement::new(format!(
                    "{}MODIFY COLUMN {}",
                    alter_table(self, table),
                    self.column_def(to)
                ))
                .with_loss(change.data_loss()),
            ),
            Change::AlterPrimaryKey { table, from, to } => {
                let mut actions = Vec::new();
                if from.is_some() {
                    actions.push("DROP PRIMARY KEY".to_string());
                }
                if let Some(pk) = to {
                    actions.push(format!(
                        "ADD PRIMARY KEY ({})",
                        column_list(self, &pk.columns)
                    ));
                }
                // One statement, so that an AUTO_INCREMENT column is never left without a key.
                if !actions.is_empty() {
                    out.push(Statement::new(format!(
                        "{}{}",
                        alter_table(self, table),
                        actions.join(", ")
                    )));
                }
            }
            Change::AddIndex { table, index } => {
                let t = state_table(table)?;
                out.push(Statement::new(self.create_index_sql(change, t, index)?));
            }
            Change::DropIndex { table, index } => out.push(Statement::new(format!(
                "DROP INDEX {} ON {}",
                self.quote(&index.name),
                self.quote(table)
            ))),
            Change::AddUnique { table, unique } => out.push(Statement::new(format!(
                "{}ADD {}",
                alter_table(self, table),
                ddl::unique_clause(self, unique)
            ))),
            Change::DropUnique { table, unique } => {
                let t = state_table(table)?;
                let name = state_name(
                    &t.unique_constraints,
                    unique.name.as_ref(),
                    |u| u.columns == unique.columns,
                    |u| u.name.as_ref(),
                );
                out.push(Statement::new(format!(
                    "{}DROP INDEX {}",
                    alter_table(self, table),
                    self.quote(&self.need_name(change, name)?)
                )));
            }
            Change::AddForeignKey { table, foreign_key } => out.push(Statement::new(format!(
                "{}ADD {}",
                alter_table(self, table),
                ddl::foreign_key_clause(self, foreign_key)
            ))),
            Change::DropForeignKey { table, foreign_key } => {
                let t = state_table(table)?;
                let name = state_name(
                    &t.foreign_keys,
                    foreign_key.name.as_ref(),
                    |f| {
                        f.columns == foreign_key.columns
                            && f.referenced_table == foreign_key.referenced_table
                    },
                    |f| f.name.as_ref(),
                );
                let name = self.need_name(change, name)?;
                out.push(Statement::new(format!(
                    "{}DROP FOREIGN KEY {}",
                    alter_table(self, table),
                    self.quote(&name)
                )));
                // MySQL created an index named after the key when no index covered its columns,
                // and keeps it after the key is dropped; the introspector hides it only while the
                // key exists, so it goes with the key.
                if !fk_columns_covered(t, &foreign_key.columns) {
                    out.push(Statement::new(format!(
                        "{}DROP INDEX {}",
                        alter_table(self, table),
                        self.quote(&name)
                    )));
                }
            }
            Change::AddCheck { table, check } => out.push(Statement::new(format!(
                "{}ADD {}",
                alter_table(self, table),
                ddl::check_clause(self, check)
            ))),
            Change::DropCheck { table, check } => {
                let t = state_table(table)?;
                let name = state_name(
                    &t.checks,
                    check.name.as_ref(),
                    |c| c.expression == check.expression,
                    |c| c.name.as_ref(),
                );
                // DROP CONSTRAINT: MariaDB 10.2+ and MySQL 8.0.19+ (older MySQL: DROP CHECK).
                out.push(Statement::new(format!(
                    "{}DROP CONSTRAINT {}",
                    alter_table(self, table),
                    self.quote(&self.need_name(change, name)?)
                )));
            }
            Change::AlterTableComment { table, to, .. } => out.push(Statement::new(format!(
                "{}COMMENT = {}",
                alter_table(self, table),
                self.string_literal(to.as_deref().unwrap_or_default())
            ))),
        }
        Ok(())
    }
}

/// Whether an index, unique constraint or primary key of `t` starts with `columns` (in order):
/// then MySQL needed no index of its own for a foreign key over them.
fn fk_columns_covered(t: &Table, columns: &[String]) -> bool {
    let starts = |key: &[String]| key.len() >= columns.len() && key[..columns.len()] == *columns;
    t.primary_key.as_ref().is_some_and(|pk| starts(&pk.columns))
        || t.unique_constraints.iter().any(|u| starts(&u.columns))
        || t.indexes.iter().any(|i| {
            let names: Vec<String> = i.columns.iter().map(|c| c.name.clone()).collect();
            starts(&names)
        })
}
