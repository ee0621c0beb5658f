//! Applying a [`Change`] to a [`Schema`] value: the state tracker renderers use to know what a
//! table looks like at any point of a change list (the SQLite rebuild needs the whole table), and
//! what tests use to check that `apply(from, diff(from, to))` lands on `to`. An `AlterEnum` also
//! updates the values carried by the columns of that enum type.

use autogen_schema::{ColumnType, Schema, Table};
use thiserror::Error;

use crate::{Change, ConstraintKind};

#[derive(Debug, Error, PartialEq, Eq)]
pub enum ApplyError {
    #[error("table `{0}` does not exist")]
    NoSuchTable(String),
    #[error("table `{0}` already exists")]
    TableExists(String),
    #[error("column `{table}.{column}` does not exist")]
    NoSuchColumn { table: String, column: String },
    #[error("column `{table}.{column}` already exists")]
    ColumnExists { table: String, column: String },
    #[error("`{object}` on table `{table}` does not exist")]
    NoSuchObject { table: String, object: String },
    #[error("enum type `{0}` does not exist")]
    NoSuchEnum(String),
    #[error("{0} does not exist")]
    NoSuchSchemaObject(String),
    #[error("{0} already exists")]
    SchemaObjectExists(String),
}

fn table_mut<'a>(schema: &'a mut Schema, name: &str) -> Result<&'a mut Table, ApplyError> {
    schema
        .table_mut(name)
        .ok_or_else(|| ApplyError::NoSuchTable(name.to_string()))
}

fn remove_where<T>(
    items: &mut Vec<T>,
    table: &str,
    object: String,
    pred: impl Fn(&T) -> bool,
) -> Result<(), ApplyError> {
    match items.iter().position(pred) {
        Some(i) => {
            items.remove(i);
            Ok(())
        }
        None => Err(ApplyError::NoSuchObject {
            table: table.to_string(),
            object,
        }),
    }
}

/// Applies one change to `schema` in place. Constraints are matched by content (and indexes by
/// name), the same way the differ matches them. `quote` quotes a renamed column that needs it
/// inside CHECK and predicate text (as [`crate::DiffOptions::identifier_quote`]).
pub fn apply(schema: &mut Schema, change: &Change, quote: char) -> Result<(), ApplyError> {
    use Change::*;
    match change {
        CreateEnum(e) => schema.enums.push(e.clone()),
        DropEnum(e) => {
            let i = schema
                .enums
                .iter()
                .position(|x| x.name == e.name)
                .ok_or_else(|| ApplyError::NoSuchEnum(e.name.clone()))?;
            schema.enums.remove(i);
        }
        AlterEnum { from, to } => {
            let e = schema
                .enums
                .iter_mut()
                .find(|x| x.name == from.name)
                .ok_or_else(|| ApplyError::NoSuchEnum(from.name.clone()))?;
            *e = to.clone();
            // Columns of a named enum type hold its values in their `ColumnType::Enum`, so an
            // altered type changes them too (this is what the database reports afterwards).
            for t in &mut schema.tables {
                for c in &mut t.columns {
                    if let ColumnType::Enum { name, values } = &mut c.ty {
                        if *name == from.name {
                            values.clone_from(&to.values);
                        }
                    }
                }
            }
        }
        CreateTable(t) => {
            if schema.table(&t.name).is_some() {
                return Err(ApplyError::TableExists(t.name.clone()));
            }
            schema.tables.push(t.clone());
        }
        DropTable(t) => {
            let i = schema
                .tables
                .iter()
                .position(|x| x.name == t.name)
                .ok_or_else(|| ApplyError::NoSuchTable(t.name.clone()))?;
            schema.tables.remove(i);
        }
        RenameTable { from, to } => {
            if schema.table(to).is_some() {
                return Err(ApplyError::TableExists(to.clone()));
            }
            table_mut(schema, from)?.name = to.clone();
            for t in &mut schema.tables {
                for fk in &mut t.foreign_keys {
                    if fk.referenced_table == *from {
                        fk.referenced_table = to.clone();
                    }
                }
            }
        }
        AddColumn { table, column } => {
            let t = table_mut(schema, table)?;
            if t.column(&column.name).is_some() {
                return Err(ApplyError::ColumnExists {
                    table: table.clone(),
                    column: column.name.clone(),
                });
            }
            t.columns.push(column.clone());
        }
        DropColumn { table, column } => {
            let t = table_mut(schema, table)?;
            let i = t
                .columns
                .iter()
                .position(|c| c.name == column.name)
                .ok_or_else(|| ApplyError::NoSuchColumn {
                    table: table.clone(),
                    column: column.name.clone(),
                })?;
            t.columns.remove(i);
        }
        RenameColumn { table, from, to } => {
            let t = table_mut(schema, table)?;
            if t.column(to).is_some() {
                return Err(ApplyError::ColumnExists {
                    table: table.clone(),
                    column: to.clone(),
                });
            }
            let c = t.column_mut(from).ok_or_else(|| ApplyError::NoSuchColumn {
                table: table.clone(),
                column: from.clone(),
            })?;
            c.name = to.clone();
            let rename = |name: &mut String| {
                if name == from {
                    *name = to.clone();
                }
            };
            if let Some(pk) = &mut t.primary_key {
                pk.columns.iter_mut().for_each(rename);
            }
            for ix in &mut t.indexes {
                for part in &mut ix.columns {
                    // An expression key part names the column inside its text (`lower(email)`).
                    if part.expression {
                        part.name = autogen_schema::rename_identifier(&part.name, from, to, quote);
                    } else {
                        rename(&mut part.name);
                    }
                }
                ix.include.iter_mut().for_each(rename);
                if let Some(p) = &mut ix.predicate {
                    *p = autogen_schema::rename_identifier(p, from, to, quote);
                }
            }
            // Servers rewrite generated-column expressions too (PostgreSQL, SQLite, MariaDB).
            for col in &mut t.columns {
                if let Some(g) = &mut col.generated {
                    g.expression =
                        autogen_schema::rename_identifier(&g.expression, from, to, quote);
                }
            }
            for u in &mut t.unique_constraints {
                u.columns.iter_mut().for_each(rename);
            }
            for fk in &mut t.foreign_keys {
                fk.columns.iter_mut().for_each(rename);
            }
            // As the servers do (and as the differ's renamed view does): stored expressions
            // follow the column.
            for ck in &mut t.checks {
                ck.expression = autogen_schema::rename_identifier(&ck.expression, from, to, quote);
            }
            let table_name = t.name.clone();
            for other in &mut schema.tables {
                for fk in &mut other.foreign_keys {
                    if fk.referenced_table == table_name {
                        fk.referenced_columns.iter_mut().for_each(rename);
                    }
                }
            }
        }
        AlterColumn { table, from, to } => {
            let t = table_mut(schema, table)?;
            let c = t
                .column_mut(&from.name)
                .ok_or_else(|| ApplyError::NoSuchColumn {
                    table: table.clone(),
                    column: from.name.clone(),
                })?;
            // A `to` that does not say how it is spelled (a model column) keeps the database's
            // spelling, which the renderer uses only while it still describes the column.
            let declared = std::mem::take(&mut c.declared);
            *c = to.clone();
            if c.declared.0.is_none() {
                c.declared = declared;
                // A NOT NULL the change adds (or removes) is written from now on: the old
                // declaration no longer says whether it was (a SQLite key column declared
                // without NOT NULL would otherwise be rebuilt nullable).
                if from.nullable != to.nullable {
                    if let Some(d) = c.declared.0.as_mut() {
                        d.not_null = !to.nullable;
                    }
                }
            }
        }
        AlterPrimaryKey { table, to, .. } => table_mut(schema, table)?.primary_key = to.clone(),
        AddIndex { table, index } => table_mut(schema, table)?.indexes.push(index.clone()),
        DropIndex { table, index } => {
            let t = table_mut(schema, table)?;
            remove_where(
                &mut t.indexes,
                table,
                format!("index {}", index.name),
                |x| x.name == index.name,
            )?;
        }
        AddUnique { table, unique } => table_mut(schema, table)?
            .unique_constraints
            .push(unique.clone()),
        DropUnique { table, unique } => {
            let t = table_mut(schema, table)?;
            remove_where(
                &mut t.unique_constraints,
                table,
                format!("unique ({})", unique.columns.join(", ")),
                |x| x.columns == unique.columns,
            )?;
        }
        AddForeignKey { table, foreign_key } => table_mut(schema, table)?
            .foreign_keys
            .push(foreign_key.clone()),
        DropForeignKey { table, foreign_key } => {
            let t = table_mut(schema, table)?;
            remove_where(
                &mut t.foreign_keys,
                table,
                format!(
                    "foreign key ({}) -> {}",
                    foreign_key.columns.join(", "),
                    foreign_key.referenced_table
                ),
                |x| {
                    x.columns == foreign_key.columns
                        && x.referenced_table == foreign_key.referenced_table
                        && x.referenced_columns == foreign_key.referenced_columns
                },
            )?;
        }
        // The key keeps its name (the server's, in a tracked state): only when it is checked
        // changes.
        AlterForeignKey { table, from, to } => {
            let t = table_mut(schema, table)?;
            let fk = t
                .foreign_keys
                .iter_mut()
                .find(|x| {
                    x.columns == from.columns
                        && x.referenced_table == from.referenced_table
                        && x.referenced_columns == from.referenced_columns
                })
                .ok_or_else(|| ApplyError::NoSuchObject {
                    table: table.clone(),
                    object: format!(
                        "foreign key ({}) -> {}",
                        from.columns.join(", "),
                        from.referenced_table
                    ),
                })?;
            fk.deferrable = to.deferrable;
        }
        AddCheck { table, check } => table_mut(schema, table)?.checks.push(check.clone()),
        DropCheck { table, check } => {
            let t = table_mut(schema, table)?;
            remove_where(
                &mut t.checks,
                table,
                format!("check ({})", check.expression),
                |x| (x.name.is_some() && x.name == check.name) || x.expression == check.expression,
            )?;
        }
        AlterTableComment { table, to, .. } => table_mut(schema, table)?.comment = to.clone(),
        AlterTableOptions { table, to, .. } => table_mut(schema, table)?.options = to.clone(),
        RenameIndex { table, from, to } => {
            let t = table_mut(schema, table)?;
            let ix = t
                .indexes
                .iter_mut()
                .find(|x| x.name == from.name)
                .ok_or_else(|| ApplyError::NoSuchObject {
                    table: table.clone(),
                    object: format!("index {}", from.name),
                })?;
            *ix = to.clone();
        }
        RenameConstraint {
            table,
            kind,
            from,
            to,
        } => {
            let t = table_mut(schema, table)?;
            let wanted = Some(from);
            let name = match kind {
                ConstraintKind::PrimaryKey => t
                    .primary_key
                    .as_mut()
                    .map(|pk| &mut pk.name)
                    .filter(|n| n.as_ref() == wanted),
                ConstraintKind::Unique => t
                    .unique_constraints
                    .iter_mut()
                    .map(|u| &mut u.name)
                    .find(|n| n.as_ref() == wanted),
                ConstraintKind::ForeignKey => t
                    .foreign_keys
                    .iter_mut()
                    .map(|f| &mut f.name)
                    .find(|n| n.as_ref() == wanted),
                ConstraintKind::Check => t
                    .checks
                    .iter_mut()
                    .map(|c| &mut c.name)
                    .find(|n| n.as_ref() == wanted),
            };
            *name.ok_or_else(|| ApplyError::NoSuchObject {
                table: table.clone(),
                object: format!("{} {from}", kind.label()),
            })? = Some(to.clone());
        }
        CreateObject(o) => {
            if schema.objects.iter().any(|x| x.same_object(o)) {
                return Err(ApplyError::SchemaObjectExists(o.label()));
            }
            schema.objects.push(o.clone());
        }
        DropObject(o) => {
            let i = schema
                .objects
                .iter()
                .position(|x| x.same_object(o))
                .ok_or_else(|| ApplyError::NoSuchSchemaObject(o.label()))?;
            schema.objects.remove(i);
        }
        ReplaceObject { from, to } => {
            let x = schema
                .objects
                .iter_mut()
                .find(|x| x.same_object(from))
                .ok_or_else(|| ApplyError::NoSuchSchemaObject(from.label()))?;
            *x = to.clone();
        }
    }
    Ok(())
}

/// Applies every change in order to a copy of `schema`.
pub fn apply_all(schema: &Schema, changes: &[Change], quote: char) -> Result<Schema, ApplyError> {
    let mut out = schema.clone();
    for c in changes {
        apply(&mut out, c, quote)?;
    }
    Ok(out)
}
