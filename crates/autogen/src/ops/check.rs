//! `autogen check`: whether the models, the database and the revisions folder agree, as a plain
//! [`CheckReport`] value. It reports the changes autogenerate would write (database vs models),
//! revisions not yet applied, several heads, applied revisions whose file was edited or is gone,
//! and, on request, revisions whose destructive steps no reviewer acknowledged.
//!
//! With a dev database ([`CheckOptions::dev_url`]) the models are compared with the revisions
//! replayed into that scratch database instead of the live database, which is then not read
//! (only asked which database it is, so the dev database is never the live one; an unreachable
//! live database is no error): the changes are exactly what autogenerate has not written yet,
//! and the status is the dev database's after the replay (nothing pending, edited or unknown;
//! only several heads can be drift there).
//!
//! Both are one comparison (`compare.rs`) of a source with the models, rendering nothing: a
//! change the renderer cannot write is still drift to report.
//!
//! A [`CheckReport`] is only built when the check could run; everything that stops it (bad
//! config, unreachable database, broken revision files, model errors) is an [`Error`], which the
//! CLI maps to its own exit code. This file prints nothing and writes nothing: it never creates
//! the version table either (reading a database without one means nothing is applied).

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::PathBuf;

use autogen_diff::Change;
use autogen_revisions::{DatabaseStatus, Revision};
use autogen_schema::{Dialect, Schema};

use crate::error::Error;
use crate::ops::{compare, CompareOptions, SchemaSource, Sources};
use crate::project::Project;

/// What `check` looks at besides models, database and revisions.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CheckOptions {
    /// Also report every revision in the folder with destructive steps and no
    /// `-- autogen:allow-destructive` line.
    pub deny_destructive: bool,
    /// Also report every revision in the folder with hazards (`-- hazard:` lines) of a kind no
    /// `-- autogen:allow-hazard <kind> <reason>` line acknowledges.
    pub deny_hazards: bool,
    /// Compare the models with the revisions replayed into this scratch database (emptied
    /// before and after) instead of with the live database.
    pub dev_url: Option<String>,
    /// Empty the dev database even when it holds objects autogen did not create there
    /// (`--dev-url-may-be-emptied`); never lets it be the project's own database.
    pub dev_url_may_be_emptied: bool,
}

/// What the models were compared with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Against {
    /// The live database.
    Database,
    /// The revisions at their head(s), replayed into a dev database.
    Revisions,
}

impl Against {
    pub fn name(self) -> &'static str {
        match self {
            Against::Database => "database",
            Against::Revisions => "revisions",
        }
    }
}

/// A destructive step of a revision that no reviewer acknowledged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DestructiveStep {
    pub revision: String,
    pub path: PathBuf,
    /// The data-loss warning of the step (the text of its `-- destructive:` comment).
    pub warning: String,
}

/// A hazard of a revision whose kind no reviewer acknowledged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HazardousStep {
    pub revision: String,
    pub path: PathBuf,
    /// The hazard's kind (`index-build`), as the line names it.
    pub kind: String,
    /// The text of its `-- hazard:` line after `hazard:`.
    pub hazard: String,
}

/// Everything `check` found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckReport {
    pub dialect: Dialect,
    pub against: Against,
    /// The database checked (the dev database with [`Against::Revisions`]), password removed.
    pub database: String,
    /// `render_compared_text` of the database schema (of the replayed revisions with a dev
    /// database), limited to the tables and enums the changes touch (empty when there are none):
    /// the text diff shows only those, and rendering 5,000 untouched tables twice measured as
    /// long as the diff itself.
    pub database_text: String,
    /// `render_compared_text` of the canonical model schema, limited like `database_text`,
    /// columns of tables present in the database listed in the database's order (column order is
    /// never a change; this keeps it out of the text diff).
    pub models_text: String,
    /// What autogenerate would write: database -> models, in order.
    pub changes: Vec<Change>,
    /// Where the database stands. With [`Against::Revisions`], the dev database after the
    /// replay: every revision applied, so only the folder's heads can be drift.
    pub status: DatabaseStatus,
    /// Filled only with [`CheckOptions::deny_destructive`].
    pub unacknowledged_destructive: Vec<DestructiveStep>,
    /// Filled only with [`CheckOptions::deny_hazards`].
    pub unacknowledged_hazards: Vec<HazardousStep>,
    /// What the checked database holds that autogen does not manage (views, triggers, ...).
    /// Never drift: reported so nobody wonders why autogen left them alone.
    pub unmanaged: Vec<autogen_introspect::UnmanagedObject>,
}

impl CheckReport {
    /// True when nothing is out of step.
    pub fn in_sync(&self) -> bool {
        let status = &self.status;
        self.changes.is_empty()
            && status.pending.is_empty()
            && status.heads.len() <= 1
            && status.edited.is_empty()
            && status.unknown.is_empty()
            && self.unacknowledged_destructive.is_empty()
            && self.unacknowledged_hazards.is_empty()
            && status.partial.is_empty()
            && status.invalid_indexes.is_empty()
    }
}

/// Runs the check: revisions are loaded first (a broken file stops everything before the
/// database is touched), then models and database are read concurrently.
pub async fn check(project: &Project, options: &CheckOptions) -> Result<CheckReport, Error> {
    let set = project.load_revisions()?;
    let dev = match &options.dev_url {
        Some(raw) => super::dev::dev_url(project, Some(raw))?,
        None => None,
    };
    let sources = Sources::project(project).with_revisions(&set);
    let (sources, from, against, database) = match dev {
        None => (
            sources,
            SchemaSource::ProjectDatabase,
            Against::Database,
            project.database_url.redacted(),
        ),
        Some(url) => {
            let database = url.redacted();
            // `heads`: every branch, so several heads are reported rather than failing here.
            let target = if set.is_empty() { "base" } else { "heads" };
            (
                sources.with_dev_database(url, options.dev_url_may_be_emptied),
                SchemaSource::Revisions {
                    target: target.into(),
                },
                Against::Revisions,
                database,
            )
        }
    };
    let comparison = compare(
        &sources,
        &from,
        &SchemaSource::Models,
        &CompareOptions::default(),
    )
    .await?;
    let (database_schema, models, changes) = (
        comparison.from.schema,
        comparison.to.schema,
        comparison.changes,
    );
    let status = comparison.from.status.unwrap_or_default();
    let unmanaged = comparison.from.unmanaged;
    let unacknowledged_destructive = if options.deny_destructive {
        unacknowledged_destructive(set.history())
    } else {
        Vec::new()
    };
    let unacknowledged_hazards = if options.deny_hazards {
        unacknowledged_hazards(set.history())
    } else {
        Vec::new()
    };
    Ok(CheckReport {
        dialect: comparison.dialect,
        against,
        database,
        database_text: autogen_schema::render_compared_text(&touched(&database_schema, &changes)),
        models_text: autogen_schema::render_compared_text(&spelled_as_database(
            &in_database_column_order(&touched(&models, &changes), &database_schema),
            &database_schema,
            comparison.dialect,
        )),
        changes,
        status,
        unacknowledged_destructive,
        unacknowledged_hazards,
        unmanaged,
    })
}

/// The destructive steps of `revisions` that carry no acknowledgement, in the order given.
pub fn unacknowledged_destructive<'a>(
    revisions: impl IntoIterator<Item = &'a Revision>,
) -> Vec<DestructiveStep> {
    revisions
        .into_iter()
        .flat_map(|rev| {
            rev.unacknowledged_destructive_steps()
                .into_iter()
                .map(|warning| DestructiveStep {
                    revision: rev.id.clone(),
                    path: rev.path.clone(),
                    warning,
                })
        })
        .collect()
}

/// The hazards of `revisions` whose kind carries no acknowledgement, in the order given.
pub fn unacknowledged_hazards<'a>(
    revisions: impl IntoIterator<Item = &'a Revision>,
) -> Vec<HazardousStep> {
    revisions
        .into_iter()
        .flat_map(|rev| {
            rev.unacknowledged_hazards()
                .into_iter()
                .map(|step| HazardousStep {
                    revision: rev.id.clone(),
                    path: rev.path.clone(),
                    kind: step.kind,
                    hazard: step.text,
                })
        })
        .collect()
}

/// The unacknowledged destructive steps of the revisions `upgrade target` would apply, read
/// before anything runs (`upgrade --deny-destructive`).
pub async fn pending_destructive(
    project: &Project,
    target: &str,
) -> Result<Vec<DestructiveStep>, Error> {
    Ok(pending_unacknowledged(project, target).await?.0)
}

/// The unacknowledged destructive steps and hazards of the revisions `upgrade target` would
/// apply, read before anything runs (`upgrade --deny-destructive`, `--deny-hazards`).
pub async fn pending_unacknowledged(
    project: &Project,
    target: &str,
) -> Result<(Vec<DestructiveStep>, Vec<HazardousStep>), Error> {
    let set = project.load_revisions()?;
    let mut conn = project.connect().await?;
    let applied = autogen_revisions::current(&mut conn).await;
    let _ = conn.close().await;
    let applied: BTreeSet<String> = applied?.into_iter().map(|a| a.revision).collect();
    let pending = set.path_to(&applied, target)?;
    Ok((
        unacknowledged_destructive(pending.iter().copied()),
        unacknowledged_hazards(pending.iter().copied()),
    ))
}

/// The machine name of a change's kind, as `autogen check --format json` reports it: the
/// variant name in snake case (`add_column`, `drop_table`, ...).
pub fn change_kind(change: &Change) -> &'static str {
    use Change::*;
    match change {
        CreateEnum(_) => "create_enum",
        DropEnum(_) => "drop_enum",
        AlterEnum { .. } => "alter_enum",
        CreateTable(_) => "create_table",
        DropTable(_) => "drop_table",
        RenameTable { .. } => "rename_table",
        AddColumn { .. } => "add_column",
        DropColumn { .. } => "drop_column",
        RenameColumn { .. } => "rename_column",
        AlterColumn { .. } => "alter_column",
        AlterPrimaryKey { .. } => "alter_primary_key",
        AddIndex { .. } => "add_index",
        DropIndex { .. } => "drop_index",
        AddUnique { .. } => "add_unique",
        DropUnique { .. } => "drop_unique",
        AddForeignKey { .. } => "add_foreign_key",
        DropForeignKey { .. } => "drop_foreign_key",
        AlterForeignKey { .. } => "alter_foreign_key",
        AddCheck { .. } => "add_check",
        DropCheck { .. } => "drop_check",
        AlterTableComment { .. } => "alter_table_comment",
        AlterTableOptions { .. } => "alter_table_options",
        RenameIndex { .. } => "rename_index",
        RenameConstraint { .. } => "rename_constraint",
        CreateObject(_) => "create_object",
        DropObject(_) => "drop_object",
        ReplaceObject { .. } => "replace_object",
    }
}

/// The named thing inside the table a change is about (column, index, constraint; the enum
/// type for enum changes; the new name for renames), or `None` for whole-table changes and
/// constraints without a name.
pub fn change_object(change: &Change) -> Option<&str> {
    use Change::*;
    match change {
        CreateEnum(e) | DropEnum(e) | AlterEnum { to: e, .. } => Some(&e.name),
        CreateTable(_)
        | DropTable(_)
        | RenameTable { .. }
        | AlterTableComment { .. }
        | AlterTableOptions { .. } => None,
        AddColumn { column, .. } | DropColumn { column, .. } => Some(&column.name),
        RenameColumn { to, .. } => Some(to),
        AlterColumn { to, .. } => Some(&to.name),
        AlterPrimaryKey { from, to, .. } => to
            .as_ref()
            .or(from.as_ref())
            .and_then(|pk| pk.name.as_deref()),
        AddIndex { index, .. } | DropIndex { index, .. } => Some(&index.name),
        AddUnique { unique, .. } | DropUnique { unique, .. } => unique.name.as_deref(),
        AddForeignKey { foreign_key, .. }
        | DropForeignKey { foreign_key, .. }
        | AlterForeignKey {
            from: foreign_key, ..
        } => foreign_key.name.as_deref(),
        AddCheck { check, .. } | DropCheck { check, .. } => check.name.as_deref(),
        RenameIndex { to, .. } => Some(&to.name),
        RenameConstraint { to, .. } => Some(to),
        CreateObject(o) | DropObject(o) | ReplaceObject { to: o, .. } => Some(&o.name),
    }
}

/// The part of `schema` that `changes` touch: their tables (under both names for a renamed
/// one) and their enum types.
fn touched(schema: &Schema, changes: &[Change]) -> Schema {
    let mut tables: HashSet<&str> = HashSet::new();
    let mut enums: HashSet<&str> = HashSet::new();
    for change in changes {
        tables.extend(change.table());
        match change {
            Change::RenameTable { from, .. } => {
                tables.insert(from);
            }
            Change::CreateEnum(e) | Change::DropEnum(e) => {
                enums.insert(&e.name);
            }
            Change::AlterEnum { from, to } => {
                enums.insert(&from.name);
                enums.insert(&to.name);
            }
            _ => {}
        }
    }
    Schema {
        tables: schema
            .tables
            .iter()
            .filter(|t| tables.contains(t.name.as_str()))
            .cloned()
            .collect(),
        enums: schema
            .enums
            .iter()
            .filter(|e| enums.contains(e.name.as_str()))
            .cloned()
            .collect(),
        objects: Vec::new(),
    }
}

/// A copy of `models` whose tables list the columns the database also has in the database's
/// order, followed by the models' new columns in model order.
fn in_database_column_order(models: &Schema, database: &Schema) -> Schema {
    // Indexed by name: `Schema::table` is a linear scan, quadratic over thousands of tables.
    let by_name: HashMap<&str, &autogen_schema::Table> = database
        .tables
        .iter()
        .map(|t| (t.name.as_str(), t))
        .collect();
    let mut out = models.clone();
    for table in &mut out.tables {
        let Some(db_table) = by_name.get(table.name.as_str()) else {
            continue;
        };
        let position = |name: &str| {
            db_table
                .columns
                .iter()
                .position(|c| c.name == name)
                .unwrap_or(usize::MAX)
        };
        // A stable sort keeps the models' order among the new columns (all at usize::MAX).
        table.columns.sort_by_key(|c| position(&c.name));
    }
    out
}

/// `models` with every expression that compares equal to the database's (a CHECK, an expression
/// default, a generated column's expression, a partial index's predicate) written as the
/// database spells it, so that the unified diff of `check` shows a line as changed only when
/// the differ counts it as a change: `qty>0` in a model and the server's `(qty > 0)` are one
/// constraint, and a red/green pair for it would send the reader looking for a difference that
/// is not there. Checks are paired the way the differ pairs them: by name when both sides carry
/// it, otherwise by expression.
fn spelled_as_database(models: &Schema, database: &Schema, dialect: Dialect) -> Schema {
    use autogen_normalize::{same_default, same_expression};
    let by_name: HashMap<&str, &autogen_schema::Table> = database
        .tables
        .iter()
        .map(|t| (t.name.as_str(), t))
        .collect();
    let mut out = models.clone();
    for table in &mut out.tables {
        let Some(db_table) = by_name.get(table.name.as_str()) else {
            continue;
        };
        // A table option the models do not declare is not compared (the server's default
        // engine and character set): show the database's, so it is no difference.
        let (o, db) = (&mut table.options, &db_table.options);
        for (model, db) in [
            (&mut o.engine, &db.engine),
            (&mut o.row_format, &db.row_format),
            (&mut o.charset, &db.charset),
            (&mut o.collation, &db.collation),
        ] {
            if model.is_none() {
                model.clone_from(db);
            }
        }
        // As the differ decides: an undeclared key block size goes with the row format (which
        // is the database's here when the models do not declare one).
        if o.key_block_size.is_none() && o.row_format == db.row_format {
            o.key_block_size = db.key_block_size;
        }
        for column in &mut table.columns {
            let Some(db_column) = db_table.column(&column.name) else {
                continue;
            };
            if let (Some(model), Some(db)) = (&column.default, &db_column.default) {
                if model != db && same_default(dialect, Some(model), Some(db)) {
                    column.default = Some(db.clone());
                }
            }
            if let (Some(model), Some(db)) = (&mut column.generated, &db_column.generated) {
                if model.expression != db.expression
                    && same_expression(dialect, &model.expression, &db.expression)
                {
                    model.expression = db.expression.clone();
                }
            }
        }
        for check in &mut table.checks {
            let named = check.name.as_deref().and_then(|n| {
                db_table
                    .checks
                    .iter()
                    .find(|c| c.name.as_deref() == Some(n))
            });
            let counterpart = named.or_else(|| {
                db_table
                    .checks
                    .iter()
                    .find(|c| same_expression(dialect, &c.expression, &check.expression))
            });
            if let Some(db) = counterpart {
                if same_expression(dialect, &db.expression, &check.expression) {
                    check.expression = db.expression.clone();
                    if named.is_none() {
                        // Paired by expression: the name is the server's choice, not a change.
                        check.name = db.name.clone();
                    }
                }
            }
        }
        for index in &mut table.indexes {
            let Some(db) = db_table.indexes.iter().find(|i| i.name == index.name) else {
                continue;
            };
            if let (Some(model), Some(db)) = (&index.predicate, &db.predicate) {
                if model != db && same_expression(dialect, model, db) {
                    index.predicate = Some(db.clone());
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use autogen_schema::{Column, ColumnType, Table};

    fn table(name: &str, columns: &[&str]) -> Table {
        let mut t = Table::new(name);
        t.columns = columns
            .iter()
            .map(|c| Column::new(*c, ColumnType::Text))
            .collect();
        t
    }

    fn names(s: &Schema, table: &str) -> Vec<String> {
        s.table(table)
            .map(|t| t.columns.iter().map(|c| c.name.clone()).collect())
            .unwrap_or_default()
    }

    #[test]
    fn model_columns_follow_the_database_order_new_ones_last() {
        let models = Schema {
            tables: vec![
                table("users", &["id", "new_a", "email", "new_b", "bio"]),
                table("fresh", &["z", "a"]),
            ],
            ..Schema::default()
        };
        let database = Schema {
            tables: vec![table("users", &["bio", "id", "email", "gone"])],
            ..Schema::default()
        };
        let out = in_database_column_order(&models, &database);
        assert_eq!(
            names(&out, "users"),
            ["bio", "id", "email", "new_a", "new_b"]
        );
        assert_eq!(names(&out, "fresh"), ["z", "a"]);
    }

    #[test]
    fn texts_cover_only_the_tables_the_changes_touch() {
        let schema = Schema {
            tables: vec![
                table("a", &["x"]),
                table("b", &["y"]),
                table("old_c", &["z"]),
            ],
            ..Schema::default()
        };
        let changes = [
            Change::DropColumn {
                table: "b".into(),
                column: Column::new("y", ColumnType::Text),
            },
            Change::RenameTable {
                from: "old_c".into(),
                to: "c".into(),
            },
        ];
        let names: Vec<String> = touched(&schema, &changes)
            .tables
            .into_iter()
            .map(|t| t.name)
            .collect();
        assert_eq!(names, ["b", "old_c"]);
        assert!(touched(&schema, &[]).tables.is_empty());
    }
}
