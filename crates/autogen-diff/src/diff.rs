//! The `diff` entry point: resolves rename hints, compares enum types and tables, and hands the
//! unordered changes to the ordering pass.
//!
//! Tables and columns are indexed by name in hash maps so that a 5,000-table schema diffs in
//! linear time; hash order never reaches the output because [`order`](crate::order) sorts every
//! change by a total key. This file deliberately compares whole tables only (added, dropped,
//! matched); what differs inside a matched table is [`crate::table`]'s business.

use autogen_schema::{Dialect, RenameHints, Schema, Table};
use foldhash::HashMap;

use crate::dependencies::moving;
use crate::follow::{ConstraintRenames, NameRenames};
use crate::objects::ObjectRules;
use crate::renames::{renamed_view, resolve};
use crate::table::diff_table;
use crate::{order, Change, DiffError};

/// What the differ should know beyond the two schemas.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiffOptions {
    /// Renames declared in the models. Hints that do not apply (stale after the rename ran) are
    /// skipped; contradictory ones are an error.
    pub renames: RenameHints,
    /// How a renamed column that needs quoting is quoted inside CHECK and predicate text (the
    /// target dialect's [`Dialect::identifier_quote`]).
    pub identifier_quote: char,
    /// The dialect both schemas are in: CHECK expressions, index predicates and expression
    /// defaults are compared by that dialect's `autogen_normalize` keys (how its server prints
    /// them back). `None` compares with the dialect-neutral key.
    pub dialect: Option<Dialect>,
    /// The constraint kinds the renderer can rename in place, so that one named after a renamed
    /// table or column follows it (`follow.rs`). A renderer capability, handed in by the caller
    /// (`autogen_sql::constraint_renames(dialect)`); [`DiffOptions::new`] and the default allow
    /// none, and such a constraint keeps its old name (no drift: constraints match by content).
    pub constraint_renames: ConstraintRenames,
    /// What the renderer can replace in place and whether table changes may rebuild tables
    /// (`objects.rs`): a renderer capability handed in by the caller
    /// (`autogen_sql::object_rules(dialect)`); [`DiffOptions::new`] and the default replace
    /// nothing and assume no rebuilds.
    pub object_rules: ObjectRules,
}

impl Default for DiffOptions {
    fn default() -> DiffOptions {
        DiffOptions {
            renames: RenameHints::default(),
            identifier_quote: '"',
            dialect: None,
            constraint_renames: ConstraintRenames::default(),
            object_rules: ObjectRules::default(),
        }
    }
}

impl DiffOptions {
    /// Options for a diff whose changes will be rendered for `dialect`, renaming no constraint
    /// in place: a caller that renders sets [`DiffOptions::constraint_renames`] to what its
    /// renderer can do.
    pub fn new(dialect: Dialect, renames: RenameHints) -> DiffOptions {
        DiffOptions {
            renames,
            identifier_quote: dialect.identifier_quote(),
            dialect: Some(dialect),
            constraint_renames: ConstraintRenames::default(),
            object_rules: ObjectRules::default(),
        }
    }
}

/// Compares `from` (usually the live database) with `to` (usually the models) and returns the
/// ordered changes that turn `from` into `to`.
///
/// Pure, dialect-free and deterministic: the same inputs give the same list whatever order their
/// tables, columns or enums are declared in.
pub fn diff(from: &Schema, to: &Schema, options: &DiffOptions) -> Result<Vec<Change>, DiffError> {
    let from_tables = index(&from.tables);
    let to_tables = index(&to.tables);
    let renames = resolve(&options.renames, &from_tables, &to_tables)?;

    let mut changes = Vec::new();
    for (old, new) in &renames.tables {
        changes.push(Change::RenameTable {
            from: old.clone(),
            to: new.clone(),
        });
    }
    for (table, old, new) in &renames.columns {
        changes.push(Change::RenameColumn {
            table: table.clone(),
            from: old.clone(),
            to: new.clone(),
        });
    }

    // Enum types are matched by name. An altered enum's new values are what its columns hold
    // once the AlterEnum has run, so the renamed view carries them and the columns do not show
    // up again as type changes.
    let from_enums: HashMap<&str, _> = from.enums.iter().map(|e| (e.name.as_str(), e)).collect();
    let to_enums: HashMap<&str, _> = to.enums.iter().map(|e| (e.name.as_str(), e)).collect();
    let mut enum_values: HashMap<&str, &[String]> = HashMap::default();
    for e in &from.enums {
        match to_enums.get(e.name.as_str()) {
            None => changes.push(Change::DropEnum(e.clone())),
            Some(new) if new.values != e.values => {
                enum_values.insert(e.name.as_str(), new.values.as_slice());
                changes.push(Change::AlterEnum {
                    from: e.clone(),
                    to: (*new).clone(),
                });
            }
            Some(_) => {}
        }
    }
    for e in &to.enums {
        if !from_enums.contains_key(e.name.as_str()) {
            changes.push(Change::CreateEnum(e.clone()));
        }
    }

    let view = renamed_view(from, &renames, &enum_values, options.identifier_quote);
    let old_tables = index(&view.tables);
    for t in &view.tables {
        if !to_tables.contains_key(t.name.as_str()) {
            changes.push(Change::DropTable(t.clone()));
        }
    }
    let moving = moving(&old_tables, to);
    let names = NameRenames::new(&renames, options.constraint_renames);
    for t in &to.tables {
        match old_tables.get(t.name.as_str()) {
            // The common case, checked without building any name map: a table equal in every
            // field has nothing to diff unless one of its foreign keys must move with a change
            // elsewhere.
            Some(old)
                if *old == t && !t.foreign_keys.iter().any(|fk| moving.affects(&t.name, fk)) => {}
            Some(old) => {
                let start = changes.len();
                diff_table(old, t, &moving, options.dialect, &mut changes);
                // Indexes and constraints whose names follow a declared rename are renamed.
                let mut mine = changes.split_off(start);
                names.rewrite(old, t, options.dialect, &mut mine);
                changes.append(&mut mine);
            }
            None => changes.push(Change::CreateTable(t.clone())),
        }
    }
    // The object changes, and the CHECKs, defaults and columns that use a function or domain
    // they drop, taken off around them (`object_users.rs`).
    let (objects, detached) = crate::object_users::object_changes(
        from,
        &view,
        to,
        options.object_rules,
        options.dialect,
        &mut changes,
    );
    Ok(crate::objects::order_objects(
        objects,
        order(changes),
        detached,
    ))
}

/// The downgrade of an ordered change list: each change undone, last first.
pub fn downgrade(changes: &[Change]) -> Vec<Change> {
    changes.iter().rev().map(Change::inverse).collect()
}

fn index(tables: &[Table]) -> HashMap<&str, &Table> {
    tables.iter().map(|t| (t.name.as_str(), t)).collect()
}
