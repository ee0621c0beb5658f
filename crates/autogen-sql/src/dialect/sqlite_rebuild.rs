//! The SQLite table rebuild: the documented way (sqlite.org/lang_altertable.html, "making other
//! kinds of table schema changes") to make a change ALTER TABLE cannot. A group of consecutive
//! changes to one table becomes one rebuild:
//!
//! 1. `CREATE TABLE "_autogen_new_<t>" (...)` with the table's definition after the group,
//! 2. `INSERT INTO "_autogen_new_<t>" (...) SELECT ... FROM "<t>"` for every column that exists
//!    before and after (a renamed column maps old name to new),
//! 3. `DROP TABLE "<t>"`, 4. `ALTER TABLE "_autogen_new_<t>" RENAME TO "<t>"`,
//! 5. the table's indexes, created again (they were dropped with the old table).
//!
//! The copy carries the columns the table has when the rebuild starts
//! ([`Statement::rebuild`], written as an `-- autogen:rebuild` line); the runner compares it with the live table and refuses a rebuild that
//! would drop columns the revision does not know. It deliberately touches no PRAGMA and writes
//! nothing for triggers or views: the runner turns `foreign_keys` off around the transaction,
//! runs `PRAGMA foreign_key_check` before committing, and keeps the live table's triggers and
//! AUTOINCREMENT counter across the rebuild (autogen-revisions, `dialect/sqlite_rebuild.rs`).

use autogen_diff::{apply, ApplyError, Change};
use autogen_schema::{Column, DefaultValue, Schema};

use super::sqlite::Sqlite;

/// The hazard of a rebuild in online mode, which cannot avoid it.
const ONLINE_REBUILD: &str = "every row is copied into a new table while the database write lock is held: every writer waits until the revision commits; SQLite has no online form for this change, so online mode cannot avoid it (run the revision when writers can wait)";
use super::SqlDialect;
use crate::{RebuildExpectation, RenderError, Statement};

/// The temporary name of a table being rebuilt.
pub(crate) fn temp_name(table: &str) -> String {
    format!("_autogen_new_{table}")
}

/// Renders `run` (consecutive changes to `table`) as one rebuild, advancing `state` past them.
pub(crate) fn rebuild(
    d: &Sqlite,
    state: &mut Schema,
    table: &str,
    run: &[Change],
    reason: &str,
    out: &mut Vec<Statement>,
) -> Result<(), RenderError> {
    let before = state
        .table(table)
        .cloned()
        .ok_or_else(|| ApplyError::NoSuchTable(table.to_string()))?;
    // For every column of the rebuilt table, the column of the old table it is copied from.
    let mut sources: Vec<(String, Option<String>)> = before
        .columns
        .iter()
        .map(|c| (c.name.clone(), Some(c.name.clone())))
        .collect();
    let mut losses = Vec::new();
    let mut added_by: Vec<(String, &Change)> = Vec::new();
    for change in run {
        apply(state, change, '"')?;
        match change {
            Change::AddColumn { column, .. } => {
                sources.push((column.name.clone(), None));
                added_by.push((column.name.clone(), change));
            }
            Change::DropColumn { column, .. } => sources.retain(|(n, _)| *n != column.name),
            Change::RenameColumn { from, to, .. } => {
                for (n, _) in sources.iter_mut().filter(|(n, _)| n == from) {
                    *n = to.clone();
                }
            }
            _ => {}
        }
        losses.extend(match change {
            Change::AlterColumn { table, from, to } => {
                // SQLite keeps every value whatever the declared type (type affinity converts
                // only when lossless, and lengths are not enforced), so a type change loses
                // nothing; and NULLs are filled from a new default (COALESCE below). What is
                // left is NOT NULL without a default, which makes the copy fail on NULLs.
                let fills = to
                    .default
                    .as_ref()
                    .is_some_and(|d| *d != DefaultValue::Null);
                Change::AlterColumn {
                    table: table.clone(),
                    from: from.clone(),
                    to: Column {
                        ty: from.ty.clone(),
                        nullable: if fills { from.nullable } else { to.nullable },
                        ..to.clone()
                    },
                }
                .data_loss()
            }
            _ => change.data_loss(),
        });
    }
    let after = state
        .table(table)
        .cloned()
        .ok_or_else(|| ApplyError::NoSuchTable(table.to_string()))?;

    let mut targets = Vec::new();
    let mut exprs = Vec::new();
    for col in &after.columns {
        // A generated column computes its values in the new table; SQLite refuses an INSERT
        // into one.
        if col.generated.is_some() {
            continue;
        }
        let source = sources
            .iter()
            .find(|(n, _)| *n == col.name)
            .and_then(|(_, s)| s.as_ref());
        let Some(source) = source else {
            if !col.nullable && col.default.is_none() && !col.auto_increment {
                let change = added_by
                    .iter()
                    .find(|(n, _)| *n == col.name)
                    .map(|(_, c)| c.describe())
                    .unwrap_or_else(|| format!("add column {table}.{}", col.name));
                return Err(RenderError::unsupported(
                    change,
                    format!(
                        "existing rows of {table} have no value for the new NOT NULL column {}; \
                         give it a default or make it nullable (Option<T>), then fill it in a later revision",
                        col.name
                    ),
                ));
            }
            continue;
        };
        let old_nullable = before.column(source).is_none_or(|c| c.nullable);
        let expr = match &col.default {
            // A column that becomes NOT NULL takes its default where the old row held NULL,
            // instead of failing the copy.
            Some(def) if old_nullable && !col.nullable && *def != DefaultValue::Null => {
                format!("COALESCE({}, {})", d.quote(source), d.default_sql(def))
            }
            _ => d.quote(source),
        };
        targets.push(d.quote(&col.name));
        exprs.push(expr);
    }

    let temp = temp_name(table);
    out.push(
        Statement::new(d.create_table_sql(&after, &temp))
            .with_note(format!("rebuild {table}: {reason}; rows are copied")),
    );
    if targets.is_empty() {
        losses.push(format!(
            "no column of {table} survives the rebuild; its rows are not copied"
        ));
    } else {
        // The runner compares these columns with the live table and refuses the copy when they
        // differ (a merged branch's column, a hand-made one): unknown columns would be lost.
        out.push(Statement {
            hazard: Some(crate::Hazard::new(
                crate::HazardKind::TableRebuild,
                table,
                if d.online {
                    ONLINE_REBUILD
                } else {
                    "every row is copied into a new table while the database write lock is held: every writer waits until the revision commits"
                },
            )),
            rebuild: Some(RebuildExpectation {
                table: table.to_string(),
                columns: before.columns.iter().map(|c| c.name.clone()).collect(),
            }),
            ..Statement::new(format!(
                "INSERT INTO {} ({}) SELECT {} FROM {}",
                d.quote(&temp),
                targets.join(", "),
                exprs.join(", "),
                d.quote(table)
            ))
        });
    }
    let drop = Statement::new(d.drop_table_sql(table));
    out.push(if losses.is_empty() {
        drop.with_note(format!("old copy of {table}; its rows were copied above"))
    } else {
        drop.with_loss(Some(losses.join("; ")))
    });
    out.push(Statement::new(d.rename_table_sql(&temp, table)));
    for ix in &after.indexes {
        out.push(Statement::new(d.create_index_sql(&after, ix)));
    }
    Ok(())
}
