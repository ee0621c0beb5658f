//! The one comparison every command composes: [`compare`] reads two [`SchemaSource`]s (see
//! `source.rs`) and [`Comparison::new`] diffs the two [`Side`]s and renders what was asked for.
//! Autogenerate renders both directions into a revision, `diff` one direction, `check` nothing;
//! verifying a revision on the dev database compares sides it already read, with [`changes`].
//!
//! Diffing and rendering are pure (no connection, no files): [`plan`], what the golden fixtures
//! exercise, is [`Comparison::new`] on a given database schema and the models.

use autogen_diff::{Change, DiffOptions, Suggestion};
use autogen_models::ModelSet;
use autogen_schema::{Dialect, RenameHints, Schema};
use autogen_sql::Statement;

use crate::error::Error;
use crate::ops::source::{SchemaSource, Side, Sources};

/// Which SQL a comparison renders.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Render {
    /// Only the changes (`check`): nothing the renderer refuses can stop a report.
    #[default]
    Nothing,
    /// The SQL that turns FROM into TO (`diff`).
    Upgrade,
    /// The SQL that turns TO back into FROM, rendered from the schema the changes reach
    /// (`diff --downgrade`).
    Downgrade,
    /// Both directions, as a revision holds them (autogenerate).
    Both,
}

/// How to compare.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CompareOptions {
    pub render: Render,
}

/// Two sides and what turns one into the other.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comparison {
    /// The dialect both sides are in and the SQL is written for.
    pub dialect: Dialect,
    pub from: Side,
    pub to: Side,
    /// What turns FROM into TO, in order.
    pub changes: Vec<Change>,
    /// FROM -> TO as SQL (rendered with [`Render::Upgrade`] or [`Render::Both`], else empty).
    pub upgrade: Vec<Statement>,
    /// TO -> FROM as SQL (rendered with [`Render::Downgrade`] or [`Render::Both`], else empty).
    pub downgrade: Vec<Statement>,
}

impl Comparison {
    /// Diffs `from` against `to` and renders as `render` asks. Pure.
    pub fn new(
        dialect: Dialect,
        from: Side,
        to: Side,
        render: Render,
    ) -> Result<Comparison, Error> {
        let changes = changes(dialect, &from, &to)?;
        let mut comparison = Comparison {
            dialect,
            from,
            to,
            changes,
            upgrade: Vec::new(),
            downgrade: Vec::new(),
        };
        comparison.render(render, autogen_sql::Target::default())?;
        Ok(comparison)
    }

    /// (Re)renders the changes as `render` asks, for `target`: a server of a known version (the
    /// dialect's assumed version when `None`; it decides some hazards) and the safety mode (the
    /// forms written).
    pub fn render(&mut self, render: Render, target: autogen_sql::Target) -> Result<(), Error> {
        let (dialect, changes) = (self.dialect, &self.changes);
        let (upgrade, downgrade) = match render {
            Render::Nothing => (Vec::new(), Vec::new()),
            Render::Upgrade => (
                autogen_sql::render_on(dialect, target, &self.from.schema, changes)?,
                Vec::new(),
            ),
            Render::Downgrade => {
                let reached =
                    autogen_diff::apply_all(&self.from.schema, changes, dialect.identifier_quote())
                        .map_err(|e| Error::Internal(e.to_string()))?;
                let back = autogen_diff::downgrade(changes);
                (
                    Vec::new(),
                    autogen_sql::render_on(dialect, target, &reached, &back)?,
                )
            }
            Render::Both => autogen_sql::render_upgrade_downgrade_on(
                dialect,
                target,
                &self.from.schema,
                changes,
            )?,
        };
        self.upgrade = upgrade;
        self.downgrade = downgrade;
        Ok(())
    }

    /// The two sides agree.
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }

    /// Drops and adds that look like undeclared renames (advice; nothing is renamed by guess).
    /// Computed on demand: every drop is paired with every add, and `check` does not need them.
    pub fn suggestions(&self) -> Vec<Suggestion> {
        autogen_diff::rename_suggestions(&self.changes)
    }

    /// The suggestions as the `-- note:` lines a revision file carries.
    pub fn notes(&self) -> Vec<String> {
        self.suggestions().iter().map(|s| s.message()).collect()
    }
}

/// Reads `from` and `to` against `sources` and compares them.
pub async fn compare(
    sources: &Sources<'_>,
    from: &SchemaSource,
    to: &SchemaSource,
    options: &CompareOptions,
) -> Result<Comparison, Error> {
    let (dialect, from, to) = sources.resolve(from, to).await?;
    Comparison::new(dialect, from, to, options.render)
}

/// What turns `from` into `to`. The models' declared renames describe database -> models; with
/// the models on the FROM side the changes are the inverse of the models-ward ones, so that a
/// declared rename stays a rename in either direction.
pub fn changes(dialect: Dialect, from: &Side, to: &Side) -> Result<Vec<Change>, Error> {
    // The differ knows no dialect's abilities: the renderer says which constraints it can
    // rename in place, so that only those follow a renamed table or column.
    let options = |renames: RenameHints| DiffOptions {
        constraint_renames: autogen_sql::constraint_renames(dialect),
        object_rules: autogen_sql::object_rules(dialect),
        ..DiffOptions::new(dialect, renames)
    };
    if let (Some(renames), None) = (&from.renames, &to.renames) {
        let toward_models =
            autogen_diff::diff(&to.schema, &from.schema, &options(renames.clone()))?;
        return Ok(autogen_diff::downgrade(&toward_models));
    }
    let options = options(to.renames.clone().unwrap_or_default());
    Ok(autogen_diff::diff(&from.schema, &to.schema, &options)?)
}

/// What autogenerate would write for a database whose schema is `current` (canonical for
/// `dialect`): the database against the models, both directions rendered. Pure.
pub fn plan(dialect: Dialect, current: &Schema, models: &ModelSet) -> Result<Comparison, Error> {
    Comparison::new(
        dialect,
        Side::database(current.clone()),
        Side::models(dialect, models.clone()),
        Render::Both,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use autogen_schema::{
        Column, ColumnType, Index, IndexColumn, PrimaryKey, RenameHints, Table, TableRename,
    };

    fn schema(table: &str, partial_index: bool) -> Schema {
        let mut t = Table::new(table);
        t.columns = vec![
            Column::new("id", ColumnType::Integer { unsigned: false }),
            Column::new("deleted", ColumnType::Boolean),
        ];
        t.primary_key = Some(PrimaryKey {
            name: None,
            columns: vec!["id".into()],
        });
        if partial_index {
            t.indexes.push(Index {
                name: "ix_live".into(),
                columns: vec![IndexColumn::asc("id")],
                unique: false,
                method: None,
                predicate: Some("deleted = 0".into()),
                ..Default::default()
            });
        }
        Schema {
            tables: vec![t],
            ..Schema::default()
        }
    }

    fn models(schema: Schema, renames: RenameHints) -> Side {
        Side {
            renames: Some(renames),
            ..Side::database(schema)
        }
    }

    #[test]
    fn a_declared_rename_stays_a_rename_with_the_models_on_either_side() {
        let renames = RenameHints {
            tables: vec![TableRename {
                from: "people".into(),
                to: "users".into(),
            }],
            columns: Vec::new(),
        };
        let database = Side::database(schema("people", false));
        let models = models(schema("users", false), renames);
        let rename = |from: &str, to: &str| Change::RenameTable {
            from: from.into(),
            to: to.into(),
        };
        let toward_models = changes(Dialect::Postgres, &database, &models).unwrap();
        assert_eq!(toward_models, [rename("people", "users")]);
        let from_models = changes(Dialect::Postgres, &models, &database).unwrap();
        assert_eq!(from_models, [rename("users", "people")]);
    }

    #[test]
    fn rendering_is_only_what_was_asked_for() {
        // MySQL has no partial indexes: the renderer refuses the change, but a comparison that
        // renders nothing (`check`) still reports it.
        let database = Side::database(schema("users", false));
        let wanted = models(schema("users", true), RenameHints::default());
        let only_changes = Comparison::new(
            Dialect::Mysql,
            database.clone(),
            wanted.clone(),
            Render::Nothing,
        )
        .unwrap();
        assert_eq!(only_changes.changes.len(), 1, "{:?}", only_changes.changes);
        assert!(only_changes.upgrade.is_empty() && only_changes.downgrade.is_empty());
        let rendered = Comparison::new(Dialect::Mysql, database, wanted, Render::Both);
        assert!(matches!(rendered, Err(Error::Render(_))), "{rendered:?}");

        let database = Side::database(schema("users", false));
        let wanted = models(schema("users", true), RenameHints::default());
        let up = Comparison::new(
            Dialect::Sqlite,
            database.clone(),
            wanted.clone(),
            Render::Upgrade,
        )
        .unwrap();
        let down = Comparison::new(
            Dialect::Sqlite,
            database.clone(),
            wanted.clone(),
            Render::Downgrade,
        )
        .unwrap();
        let both = Comparison::new(Dialect::Sqlite, database, wanted, Render::Both).unwrap();
        assert!(!both.upgrade.is_empty() && !both.downgrade.is_empty());
        assert_eq!((&up.upgrade, up.downgrade.len()), (&both.upgrade, 0));
        assert_eq!((down.upgrade.len(), &down.downgrade), (0, &both.downgrade));
    }
}
