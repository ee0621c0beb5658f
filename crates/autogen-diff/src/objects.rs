//! Views, materialized views, triggers and functions ([`SchemaObject`]): which to create, drop or
//! replace, and the order those changes run in.
//!
//! Objects are matched by kind, name and (triggers) table, and compared by their `definition`
//! only, the server's normalised print (the edges made it so); their `sql` is what runs. An
//! object is dropped and created again, rather than left alone or replaced in place, when
//! - something it uses changes under it: its table is dropped or renamed, a column it uses is
//!   dropped, renamed or changes type or collation (PostgreSQL refuses "cannot alter type of a
//!   column used by a view", and a SQLite or MariaDB view would be left naming what is gone); on
//!   SQLite also any change to its table beyond adding a column or an index, since that may be
//!   a table rebuild, which drops the table's triggers and runs under its views;
//! - its definition changed and the dialect cannot replace it in place: only views can be, with
//!   `CREATE OR REPLACE VIEW` on MySQL/MariaDB, and on PostgreSQL only when the result columns
//!   stay the same (PostgreSQL may add columns at the end in place, but the downgrade would have
//!   to drop them, which it refuses);
//! - an object it uses is dropped and created again (views of views, on every dialect alike).
//!
//! In place means `CREATE OR REPLACE` for a view or routine whose parts (`columns`: result
//! columns, arguments and result) stay the same, and `ALTER` for a sequence (its options), a
//! domain whose type stays the same (its default, `NOT NULL`, constraints) and a table's
//! row-level security (its switches, `ENABLE` and `FORCE`), as the renderer's
//! [`ObjectRules`] allow. A PostgreSQL routine's name carries its argument types, so a new
//! signature is another object: the old one dropped, the new one created.
//!
//! Ordering (see [`order_objects`]): objects that tables may use (extensions, sequences,
//! domains, routines that read no table) are created before the table changes and dropped
//! after them; every other drop runs before any table change (dependents first), every other
//! create and replace after all of them (what is used first), so an object never sees a table
//! in a state between the two schemas. A CHECK, default or column type that uses a function or
//! domain being dropped is taken off before that drop and put back after the creates of its
//! kind, the objects on the column (views) dropped before and created after (`object_users.rs`).
//! The downgrade, reversed and inverted, has the same shape. This file parses no SQL and
//! renders nothing.

use std::collections::BTreeSet;

use autogen_schema::{ObjectDependency, ObjectKind, Schema, SchemaObject};

use crate::object_users::Detached;
use crate::Change;

/// What the renderer can do with objects in place: a renderer capability (like
/// [`crate::ConstraintRenames`]) that the caller hands in through `DiffOptions::object_rules`
/// (`autogen_sql::object_rules(dialect)`), so that the differ itself stays dialect-free. The
/// default replaces nothing in place and assumes no table rebuilds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ObjectRules {
    /// When a changed view can be replaced in place (`CREATE OR REPLACE VIEW`).
    pub replace_views: ViewReplace,
    /// Whether a changed function or procedure can be replaced in place (`CREATE OR REPLACE`,
    /// which keeps the triggers that execute it) when its parts (`SchemaObject::columns`: its
    /// arguments and result, which `CREATE OR REPLACE` cannot change) stay the same.
    pub replace_functions: bool,
    /// Whether a changed sequence is altered in place (`ALTER SEQUENCE` with its parts, the
    /// options, that changed). Only when both sides know their parts.
    pub alter_sequences: bool,
    /// Whether a changed domain is altered in place (`ALTER DOMAIN` for each default, `NOT NULL`
    /// and constraint part that changed) when its first part (its type and collation) stays
    /// the same. Only when both sides know their parts.
    pub alter_domains: bool,
    /// Whether a table's changed row-level security is altered in place (one `ALTER TABLE`
    /// switching on and off what changed among its parts, `ENABLE` and `FORCE`). Only when both
    /// sides know their parts.
    pub alter_row_security: bool,
    /// Whether any table change other than an added column or an index change may rebuild the
    /// table (SQLite), which takes the objects on or using it down with it.
    pub table_changes_rebuild: bool,
}

/// When a changed view can be replaced in place.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ViewReplace {
    #[default]
    Never,
    /// Only when its result columns stay the same (PostgreSQL may add columns at the end in
    /// place, but the downgrade would then have to drop them, which it refuses).
    SameColumns,
    Always,
}

/// The object changes that turn `from`'s objects into `to`'s, given the table changes
/// `table_changes` that run between them. Appended to `out` unordered.
pub(crate) fn diff_objects(
    from: &Schema,
    to: &Schema,
    table_changes: &[Change],
    rules: ObjectRules,
    out: &mut Vec<Change>,
) {
    if from.objects.is_empty() && to.objects.is_empty() {
        return;
    }
    let pair = |o: &SchemaObject| to.objects.iter().find(|n| n.same_object(o));
    // Objects of FROM that are dropped and created again (index into from.objects).
    let mut recreate: BTreeSet<usize> = BTreeSet::new();
    for (i, old) in from.objects.iter().enumerate() {
        let Some(new) = pair(old) else { continue };
        let changed = old.definition != new.definition;
        if touched(old, table_changes, rules) || (changed && !replaceable(rules, old, new)) {
            recreate.insert(i);
        }
    }
    // An object using a recreated (or dropped) object is recreated too: PostgreSQL refuses to
    // drop what another object uses, and elsewhere the user would be left broken.
    let dropped: Vec<usize> = (0..from.objects.len())
        .filter(|&i| pair(&from.objects[i]).is_none())
        .collect();
    loop {
        let gone: Vec<&SchemaObject> = recreate
            .iter()
            .chain(&dropped)
            .map(|&i| &from.objects[i])
            .collect();
        let more: Vec<usize> = (0..from.objects.len())
            .filter(|i| !recreate.contains(i) && !dropped.contains(i))
            .filter(|&i| pair(&from.objects[i]).is_some())
            .filter(|&i| {
                // What uses it, and what is on it: a grant on a view, a trigger on a view (both
                // go with the view when it is dropped).
                gone.iter().any(|g| {
                    let o = &from.objects[i];
                    o.uses_object(g.kind, &g.name)
                        || (matches!(g.kind, ObjectKind::View | ObjectKind::MaterializedView)
                            && o.table.as_deref() == Some(g.name.as_str()))
                })
            })
            .collect();
        if more.is_empty() {
            break;
        }
        recreate.extend(more);
    }
    for (i, old) in from.objects.iter().enumerate() {
        match pair(old) {
            None => out.push(Change::DropObject(old.clone())),
            Some(new) if recreate.contains(&i) => {
                out.push(Change::DropObject(old.clone()));
                out.push(Change::CreateObject(new.clone()));
            }
            Some(new) if old.definition != new.definition => out.push(Change::ReplaceObject {
                from: old.clone(),
                to: new.clone(),
            }),
            Some(_) => {}
        }
    }
    for new in &to.objects {
        if !from.objects.iter().any(|o| o.same_object(new)) {
            out.push(Change::CreateObject(new.clone()));
        }
    }
}

/// True when a table change in `changes` changes something `object` uses (see the module
/// comment).
fn touched(object: &SchemaObject, changes: &[Change], rules: ObjectRules) -> bool {
    let column_changed = |from: &autogen_schema::Column, to: &autogen_schema::Column| {
        from.ty != to.ty || from.collation != to.collation || from.generated != to.generated
    };
    changes.iter().any(|c| {
        let direct = match c {
            Change::DropTable(t) => object.uses_table(&t.name),
            Change::RenameTable { from, .. } => object.uses_table(from),
            Change::DropColumn { table, column } => object.uses_column(table, &column.name),
            Change::RenameColumn { table, from, .. } => object.uses_column(table, from),
            Change::AlterColumn { table, from, to } => {
                column_changed(from, to) && object.uses_column(table, &to.name)
            }
            _ => false,
        };
        let rebuilt = rules.table_changes_rebuild
            && !matches!(
                c,
                Change::AddColumn { .. }
                    | Change::AddIndex { .. }
                    | Change::DropIndex { .. }
                    | Change::RenameIndex { .. }
                    | Change::CreateTable(_)
            )
            && c.table().is_some_and(|t| object.uses_table(t));
        direct || rebuilt
    })
}

/// True when `from` can become `to` in place under `rules` (see the module comment).
fn replaceable(rules: ObjectRules, from: &SchemaObject, to: &SchemaObject) -> bool {
    use autogen_schema::ObjectKind;
    match from.kind {
        ObjectKind::View => match rules.replace_views {
            ViewReplace::Always => true,
            ViewReplace::SameColumns => !from.columns.is_empty() && to.columns == from.columns,
            ViewReplace::Never => false,
        },
        ObjectKind::Function | ObjectKind::Procedure => {
            rules.replace_functions && from.columns == to.columns
        }
        ObjectKind::Sequence => {
            rules.alter_sequences && !from.columns.is_empty() && !to.columns.is_empty()
        }
        ObjectKind::Domain => {
            rules.alter_domains
                && !from.columns.is_empty()
                && from.columns.first() == to.columns.first()
        }
        ObjectKind::RowSecurity => {
            rules.alter_row_security && !from.columns.is_empty() && !to.columns.is_empty()
        }
        _ => false,
    }
}

/// Orders object changes around the table changes `middle`, in five steps, with the table
/// changes that take off the CHECKs, defaults and column types using a dropped function or
/// domain (`detached.before`) and put them back (`detached.after`, see `object_users.rs`) at
/// the seams of the kinds: taken off within step 1, after the drops of views, triggers and the
/// like and before the drops of the kinds tables may use; put back within step 5, after the
/// creates of those kinds and before the others:
/// 1. drops of the objects tables do not use (views, triggers, ...), and of the objects tables
///    may use that are dropped and created again under the same name (dependents first);
/// 2. creates and replaces of the objects tables may use: extensions, sequences, domains,
///    functions and procedures that use no table and no view (what is used first), so that a
///    column's type, default or CHECK finds them;
/// 3. `middle`;
/// 4. drops of the other objects tables may use (after the tables stop using them);
/// 5. creates and replaces of every other object.
///
/// Ties keep kind and name order: within a step, functions are created before triggers and
/// dropped after them. The downgrade, reversed and inverted, has the same shape.
pub(crate) fn order_objects(
    objects: Vec<Change>,
    middle: Vec<Change>,
    detached: Detached,
) -> Vec<Change> {
    let created: Vec<SchemaObject> = objects
        .iter()
        .filter_map(|c| match c {
            Change::CreateObject(o) => Some(o.clone()),
            _ => None,
        })
        .collect();
    let mut early_drops = Vec::new();
    let mut late_drops = Vec::new();
    let mut early_creates = Vec::new();
    let mut late_creates = Vec::new();
    for c in objects {
        match c {
            Change::DropObject(o)
                if used_by_tables(&o) && !created.iter().any(|n| n.same_object(&o)) =>
            {
                late_drops.push(o)
            }
            Change::DropObject(o) => early_drops.push(o),
            Change::CreateObject(_) | Change::ReplaceObject { .. }
                if object_of(&c).is_some_and(used_by_tables) =>
            {
                early_creates.push(c)
            }
            other => late_creates.push(other),
        }
    }
    // Creation order of the dropped objects, reversed.
    let drops = |objects: Vec<SchemaObject>| -> Vec<Change> {
        creation_order(objects.into_iter().map(Change::CreateObject))
            .into_iter()
            .rev()
            .map(|c| c.inverse())
            .collect()
    };
    // The parts using a dropped function or domain come off after the objects on or using
    // their tables are dropped (a view of a column whose type moves) and before the objects
    // tables may use are; they go back on after those are created and before the others.
    let usable = |c: &Change| object_of(c).is_some_and(|o| usable_kind(o.kind));
    let mut early = drops(early_drops);
    let at = early.iter().position(usable).unwrap_or(early.len());
    let mut out: Vec<Change> = early.drain(..at).collect();
    out.extend(detached.before);
    out.extend(early);
    out.extend(creation_order(early_creates.into_iter()));
    out.extend(middle);
    out.extend(drops(late_drops));
    let mut late = creation_order(late_creates.into_iter());
    let at = late.iter().position(|c| !usable(c)).unwrap_or(late.len());
    let rest = late.split_off(at);
    out.extend(late);
    out.extend(detached.after);
    out.extend(rest);
    out
}

/// The kinds a table may use (a column's type or default, a CHECK).
fn usable_kind(kind: ObjectKind) -> bool {
    matches!(
        kind,
        ObjectKind::Extension
            | ObjectKind::Sequence
            | ObjectKind::Domain
            | ObjectKind::Function
            | ObjectKind::Procedure
    )
}

/// True for an object a table may use (a column's type or default, a CHECK): an extension,
/// sequence, domain, function or procedure that itself uses no table and no view, so it can
/// exist before the tables change and after.
fn used_by_tables(o: &SchemaObject) -> bool {
    usable_kind(o.kind)
        && o.depends_on.iter().all(|d| match d {
            ObjectDependency::Object { kind, .. } => usable_kind(*kind),
            ObjectDependency::Table(_) | ObjectDependency::Column { .. } => false,
        })
}

/// Creates and replaces in an order where every object comes after the objects it uses that
/// are among them; otherwise functions first, then views, then triggers, each by name (a stable
/// topological sort, cycles broken by that order).
fn creation_order(changes: impl Iterator<Item = Change>) -> Vec<Change> {
    let mut pending: Vec<Change> = changes.collect();
    let rank = |o: &SchemaObject| {
        let k = match o.kind {
            autogen_schema::ObjectKind::Extension => 0,
            autogen_schema::ObjectKind::Sequence => 1,
            autogen_schema::ObjectKind::Domain => 2,
            autogen_schema::ObjectKind::Function => 3,
            autogen_schema::ObjectKind::Procedure => 4,
            autogen_schema::ObjectKind::View => 5,
            autogen_schema::ObjectKind::MaterializedView => 6,
            autogen_schema::ObjectKind::Trigger => 7,
            autogen_schema::ObjectKind::Event => 8,
            autogen_schema::ObjectKind::RowSecurity => 9,
            autogen_schema::ObjectKind::Policy => 10,
            autogen_schema::ObjectKind::Grant => 11,
        };
        (k, o.name.clone(), o.table.clone())
    };
    pending.sort_by_key(|c| object_of(c).map(&rank));
    let mut out: Vec<Change> = Vec::with_capacity(pending.len());
    while !pending.is_empty() {
        let waits = |c: &Change, pending: &[Change]| {
            let Some(o) = object_of(c) else { return false };
            pending.iter().any(|p| {
                object_of(p).is_some_and(|q| {
                    !q.same_object(o)
                        && o.depends_on.iter().any(|d| {
                            matches!(d, ObjectDependency::Object { kind, name } if *kind == q.kind && *name == q.name)
                        })
                })
            })
        };
        let next = (0..pending.len())
            .find(|&i| !waits(&pending[i], &pending))
            .unwrap_or(0);
        out.push(pending.remove(next));
    }
    out
}

fn object_of(change: &Change) -> Option<&SchemaObject> {
    match change {
        Change::CreateObject(o) | Change::DropObject(o) => Some(o),
        Change::ReplaceObject { to, .. } => Some(to),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use autogen_schema::{Column, ColumnType, Dialect, ObjectKind, Table};

    use super::*;
    use crate::{diff, DiffOptions};

    /// Options carrying the object rules each renderer reports (`autogen_sql::object_rules`;
    /// the round trips in tests/tests/objects.rs run with the real ones on real servers).
    fn rendered_for(dialect: Dialect) -> DiffOptions {
        let object_rules = match dialect {
            Dialect::Postgres => ObjectRules {
                replace_views: ViewReplace::SameColumns,
                replace_functions: true,
                alter_sequences: true,
                alter_domains: true,
                alter_row_security: true,
                table_changes_rebuild: false,
            },
            Dialect::Mysql => ObjectRules {
                replace_views: ViewReplace::Always,
                ..ObjectRules::default()
            },
            Dialect::Sqlite => ObjectRules {
                table_changes_rebuild: true,
                ..ObjectRules::default()
            },
        };
        DiffOptions {
            object_rules,
            ..DiffOptions::new(dialect, Default::default())
        }
    }

    fn view(name: &str, definition: &str, deps: Vec<ObjectDependency>) -> SchemaObject {
        SchemaObject {
            kind: ObjectKind::View,
            name: name.into(),
            table: None,
            definition: definition.into(),
            sql: format!("CREATE VIEW {name} AS {definition}"),
            columns: vec!["id integer".into()],
            depends_on: deps,
        }
    }

    fn col(table: &str, column: &str) -> ObjectDependency {
        ObjectDependency::Column {
            table: table.into(),
            column: column.into(),
        }
    }

    fn schema(ty: ColumnType, objects: Vec<SchemaObject>) -> Schema {
        let mut t = Table::new("users");
        t.columns.push(Column::new("id", ty));
        Schema {
            tables: vec![t],
            objects,
            ..Schema::default()
        }
    }

    fn lines(changes: &[Change]) -> Vec<String> {
        changes.iter().map(Change::describe).collect()
    }

    #[test]
    fn a_type_change_under_a_view_of_a_view_recreates_both_around_it() {
        let v1 = view("v1", "select id from users", vec![col("users", "id")]);
        let v2 = view(
            "v2",
            "select id from v1",
            vec![ObjectDependency::Object {
                kind: ObjectKind::View,
                name: "v1".into(),
            }],
        );
        let from = schema(
            ColumnType::Integer { unsigned: false },
            vec![v1.clone(), v2.clone()],
        );
        let to = schema(ColumnType::BigInt { unsigned: false }, vec![v1, v2]);
        let options = rendered_for(Dialect::Postgres);
        let changes = diff(&from, &to, &options).unwrap_or_default();
        assert_eq!(
            lines(&changes),
            [
                "drop view v2",
                "drop view v1",
                "alter column users.id: type integer -> bigint",
                "create view v1",
                "create view v2",
            ]
        );
        assert_eq!(
            lines(&crate::downgrade(&changes)),
            [
                "drop view v2",
                "drop view v1",
                "alter column users.id: type bigint -> integer",
                "create view v1",
                "create view v2",
            ]
        );
    }

    #[test]
    fn a_changed_view_is_replaced_in_place_only_where_the_dialect_can() {
        let int = ColumnType::Integer { unsigned: false };
        let from = schema(int.clone(), vec![view("v", "select 1", vec![])]);
        let mut new = view("v", "select 2", vec![]);
        let to = schema(int.clone(), vec![new.clone()]);
        let on = |d| diff(&from, &to, &rendered_for(d)).unwrap_or_default();
        assert_eq!(lines(&on(Dialect::Postgres)), ["replace view v"]);
        assert_eq!(lines(&on(Dialect::Mysql)), ["replace view v"]);
        assert_eq!(
            lines(&on(Dialect::Sqlite)),
            ["drop view v", "create view v"]
        );
        // PostgreSQL cannot drop a result column in place (nor, for the downgrade, add one).
        new.columns = vec!["id integer".into(), "other integer".into()];
        let to = schema(int, vec![new]);
        let pg = diff(&from, &to, &rendered_for(Dialect::Postgres)).unwrap_or_default();
        assert_eq!(lines(&pg), ["drop view v", "create view v"]);
    }

    fn object(kind: ObjectKind, name: &str, definition: &str, parts: &[&str]) -> SchemaObject {
        SchemaObject {
            kind,
            name: name.into(),
            table: None,
            definition: definition.into(),
            sql: definition.into(),
            columns: parts.iter().map(|p| p.to_string()).collect(),
            depends_on: Vec::new(),
        }
    }

    #[test]
    fn what_tables_may_use_is_created_before_the_table_changes_and_dropped_after() {
        let int = ColumnType::Integer { unsigned: false };
        let domain = object(ObjectKind::Domain, "positive", "d", &["AS integer"]);
        let function = object(ObjectKind::Function, "valid(integer)", "f", &[]);
        let mut view = view("v", "select valid(id) from users", vec![col("users", "id")]);
        view.depends_on.push(ObjectDependency::Object {
            kind: ObjectKind::Function,
            name: "valid(integer)".into(),
        });
        let from = schema(int.clone(), vec![]);
        let to = schema(
            ColumnType::Other("positive".into()),
            vec![view.clone(), function.clone(), domain.clone()],
        );
        let options = rendered_for(Dialect::Postgres);
        let changes = diff(&from, &to, &options).unwrap_or_default();
        assert_eq!(
            lines(&changes),
            [
                "create domain positive",
                "create function valid(integer)",
                "alter column users.id: type integer -> positive",
                "create view v",
            ]
        );
        assert_eq!(
            lines(&crate::downgrade(&changes)),
            [
                "drop view v",
                "alter column users.id: type positive -> integer",
                "drop function valid(integer)",
                "drop domain positive",
            ]
        );
    }

    #[test]
    fn routines_sequences_and_domains_change_in_place_only_when_they_can() {
        let int = ColumnType::Integer { unsigned: false };
        let on = |a: SchemaObject, b: SchemaObject| {
            let changes = diff(
                &schema(int.clone(), vec![a]),
                &schema(int.clone(), vec![b]),
                &rendered_for(Dialect::Postgres),
            )
            .unwrap_or_default();
            lines(&changes)
        };
        let f = |body: &str, result: &str| {
            object(
                ObjectKind::Function,
                "f(integer)",
                body,
                &["(a integer)", result],
            )
        };
        // A new body: in place. A new result type: dropped and created again, in one step
        // before the table changes (the same name cannot exist twice).
        assert_eq!(
            on(f("one", "RETURNS integer"), f("two", "RETURNS integer")),
            ["replace function f(integer)"]
        );
        assert_eq!(
            on(f("one", "RETURNS integer"), f("two", "RETURNS bigint")),
            ["drop function f(integer)", "create function f(integer)"]
        );
        let s = |parts: &[&str]| object(ObjectKind::Sequence, "s", &parts.join(" "), parts);
        assert_eq!(
            on(s(&["INCREMENT BY 1"]), s(&["INCREMENT BY 5"])),
            ["replace sequence s"]
        );
        // Without the parts (no server printed them) a sequence is created again.
        assert_eq!(
            on(s(&[]), s(&["INCREMENT BY 5"])),
            ["drop sequence s", "create sequence s"]
        );
        let d = |parts: &[&str]| object(ObjectKind::Domain, "d", &parts.join(" "), parts);
        assert_eq!(
            on(
                d(&["AS integer", "DEFAULT 1"]),
                d(&["AS integer", "NOT NULL"])
            ),
            ["replace domain d"]
        );
        assert_eq!(
            on(d(&["AS integer"]), d(&["AS bigint"])),
            ["drop domain d", "create domain d"]
        );
    }

    #[test]
    fn a_grant_on_a_recreated_view_is_granted_again() {
        let int = ColumnType::Integer { unsigned: false };
        let grant = SchemaObject {
            kind: ObjectKind::Grant,
            name: "reader".into(),
            table: Some("v".into()),
            definition: "grant SELECT".into(),
            sql: "GRANT SELECT ON v TO reader".into(),
            columns: Vec::new(),
            depends_on: Vec::new(),
        };
        let from = schema(
            int.clone(),
            vec![view("v", "select 1", vec![]), grant.clone()],
        );
        let to = schema(int, vec![view("v", "select 2", vec![]), grant]);
        let changes = diff(&from, &to, &rendered_for(Dialect::Sqlite)).unwrap_or_default();
        assert_eq!(
            lines(&changes),
            [
                "drop grant reader on v",
                "drop view v",
                "create view v",
                "create grant reader on v",
            ]
        );
    }

    #[test]
    fn equal_definitions_change_nothing_whatever_the_sql_text() {
        let int = ColumnType::Integer { unsigned: false };
        let a = view("v", "select 1", vec![]);
        let mut b = a.clone();
        b.sql = "create   view v as SELECT 1".into();
        let changes = diff(
            &schema(int.clone(), vec![a]),
            &schema(int, vec![b]),
            &DiffOptions::default(),
        )
        .unwrap_or_default();
        assert!(changes.is_empty(), "{changes:?}");
    }
}
