//! Table parts that use an object the change list drops: a CHECK or a column default that calls
//! a function which is dropped (outright, for another signature, or to be created again with
//! another result type), and a column whose type is a domain that is dropped and created again
//! (`ALTER DOMAIN` cannot change a domain's type). PostgreSQL refuses to drop a function a CHECK
//! or a default uses, and a domain a column has, so such parts are taken off before the objects
//! tables may use are dropped and put back after they are created, while views and the like
//! are away (dropped before, created after): a CHECK is dropped and added again, a
//! default dropped and set again, a column moved to the domain's old base type and back onto
//! the domain (a cast each way, so its rows are kept). Putting them back only then makes a
//! CHECK or default bind to the function of the new signature, never to the old one while both
//! exist (an old signature is dropped after the table changes).
//!
//! This file computes the two lists ([`Detached`]) and takes their share out of the table changes
//! so that nothing runs twice; where they run is the ordering pass's business
//! ([`crate::objects::order_objects`]). The downgrade, reversed and inverted, takes the parts off
//! first and puts them back last in the same way.
//!
//! A function is recognised by its name among the calls in the expression (read by
//! `autogen_normalize`, the one place that reads SQL), so a part calling any overload of a
//! dropped name is taken off: an over-approximation that costs a drop and an add, never a
//! refused statement. Left as they are: parts of tables the change list creates, of columns it
//! adds or drops (a column dropped without its default could not be added back to its rows by
//! the downgrade), generated columns and index expressions.

use std::collections::BTreeMap;

use autogen_schema::{parse_type, Column, ColumnType, DefaultValue, Dialect, ObjectKind, Schema};

use crate::objects::{diff_objects, ObjectRules};
use crate::Change;

/// The table changes that take parts off before the object changes (`before`) and put them back
/// after them (`after`), each list in the order it runs.
#[derive(Debug, Default)]
pub(crate) struct Detached {
    pub(crate) before: Vec<Change>,
    pub(crate) after: Vec<Change>,
}

/// The object changes that turn `from`'s objects into `to`'s around the table changes `changes`
/// (unordered), and what must be taken off around them, with `changes` rewritten to match (see
/// [`detach`]). A column moved off a recreated domain is a type change that the objects using
/// the column must be dropped and created again around, like any other (PostgreSQL refuses
/// "cannot alter type of a column used by a view"), so the objects are compared a second time
/// with those moves among the table changes.
pub(crate) fn object_changes(
    from: &Schema,
    view: &Schema,
    to: &Schema,
    rules: ObjectRules,
    dialect: Option<Dialect>,
    changes: &mut Vec<Change>,
) -> (Vec<Change>, Detached) {
    let mut objects = Vec::new();
    diff_objects(from, to, changes, rules, &mut objects);
    let drops_users = objects.iter().any(|c| {
        matches!(c, Change::DropObject(o) if matches!(o.kind, ObjectKind::Function | ObjectKind::Domain))
    });
    if !drops_users {
        return (objects, Detached::default());
    }
    let original = changes.clone();
    let detached = detach(from, view, to, &objects, dialect, changes);
    let moves_columns = detached
        .before
        .iter()
        .any(|c| matches!(c, Change::AlterColumn { from, to, .. } if from.ty != to.ty));
    if !moves_columns {
        return (objects, detached);
    }
    let mut seen = original.clone();
    seen.extend(detached.before.iter().cloned());
    let mut again = Vec::new();
    diff_objects(from, to, &seen, rules, &mut again);
    if again == objects {
        return (objects, detached);
    }
    *changes = original;
    let detached = detach(from, view, to, &again, dialect, changes);
    (again, detached)
}

/// Computes what must be taken off around the object changes `objects` and removes or rewrites
/// the matching table changes in `changes` (unordered, in the renamed view's names). `view` is
/// `from` with the declared renames applied, table for table and part for part.
fn detach(
    from: &Schema,
    view: &Schema,
    to: &Schema,
    objects: &[Change],
    dialect: Option<Dialect>,
    changes: &mut Vec<Change>,
) -> Detached {
    let gone = Gone::new(objects);
    let mut out = Detached::default();
    if gone.functions.is_empty() && gone.domains.is_empty() {
        return out;
    }
    let dialect = dialect.unwrap_or(Dialect::Postgres);
    let calls_gone = |expression: &str| {
        autogen_normalize::called_functions(dialect, expression)
            .iter()
            .any(|name| gone.functions.iter().any(|f| f.eq_ignore_ascii_case(name)))
    };
    let default_calls_gone =
        |d: &Option<DefaultValue>| matches!(d, Some(DefaultValue::Expression(e)) if calls_gone(e));

    for (ft, vt) in from.tables.iter().zip(&view.tables) {
        let Some(tt) = to.table(&vt.name) else {
            // A dropped table loses them first too, and is dropped (and, in the downgrade,
            // created again, empty) without them; the downgrade puts them back last.
            let mut stripped = vt.clone();
            for (fc, vc) in ft.checks.iter().zip(&vt.checks) {
                if calls_gone(&fc.expression) {
                    out.before.push(Change::DropCheck {
                        table: ft.name.clone(),
                        check: fc.clone(),
                    });
                    stripped.checks.retain(|c| c != vc);
                }
            }
            for (fc, sc) in ft.columns.iter().zip(stripped.columns.iter_mut()) {
                let mut detached = fc.clone();
                if default_calls_gone(&fc.default) {
                    detached.default = None;
                    sc.default = None;
                }
                if let Some(base) = gone.base_of(&fc.ty) {
                    detached.ty = base.clone();
                    sc.ty = base.clone();
                }
                if detached != *fc {
                    out.before.push(Change::AlterColumn {
                        table: ft.name.clone(),
                        from: fc.clone(),
                        to: detached,
                    });
                }
            }
            for c in changes.iter_mut() {
                if let Change::DropTable(t) = c {
                    if t.name == vt.name {
                        *t = stripped.clone();
                    }
                }
            }
            continue;
        };
        for (fc, vc) in ft.checks.iter().zip(&vt.checks) {
            if !calls_gone(&fc.expression) {
                continue;
            }
            out.before.push(Change::DropCheck {
                table: ft.name.clone(),
                check: fc.clone(),
            });
            // Already dropped; a rename that follows a table or column rename would find it
            // gone (the check comes back under its new name below).
            changes.retain(|c| match c {
                Change::DropCheck { table, check } => !(*table == vt.name && check == vc),
                Change::RenameConstraint {
                    table,
                    kind: crate::ConstraintKind::Check,
                    from,
                    ..
                } => !(*table == vt.name && Some(from) == vc.name.as_ref()),
                _ => true,
            });
        }
        for tc in tt.checks.iter().filter(|c| calls_gone(&c.expression)) {
            changes.retain(|c| {
                !matches!(c, Change::AddCheck { table, check } if *table == tt.name && check == tc)
            });
            out.after.push(Change::AddCheck {
                table: tt.name.clone(),
                check: tc.clone(),
            });
        }

        for (fc, vc) in ft.columns.iter().zip(&vt.columns) {
            let Some(tc) = tt.column(&vc.name) else {
                continue;
            };
            // The column as it stands while the object changes run: without a default that
            // calls a dropped function, on the old base type of a recreated domain.
            let old_base = gone.base_of(&fc.ty);
            let bare = |c: &Column, calls: bool| {
                let mut c = c.clone();
                if calls {
                    c.default = None;
                }
                if let Some(base) = old_base {
                    c.ty = base.clone();
                }
                c
            };
            let from_calls = default_calls_gone(&fc.default);
            let to_calls = default_calls_gone(&tc.default);
            let detached = bare(fc, from_calls);
            if detached == *fc && !to_calls && gone.base_of(&tc.ty).is_none() {
                continue;
            }
            let middle_from = bare(vc, from_calls);
            // The column's new type is the recreated domain too: it stays on the old base type
            // through the table changes and goes back onto the domain after.
            let middle_to = {
                let mut c = tc.clone();
                if to_calls {
                    c.default = None;
                }
                if gone.base_of(&tc.ty).is_some() {
                    c.ty = old_base.map_or_else(|| vc.ty.clone(), Clone::clone);
                }
                c
            };
            if detached != *fc {
                out.before.push(Change::AlterColumn {
                    table: ft.name.clone(),
                    from: fc.clone(),
                    to: detached,
                });
            }
            let mut found = false;
            changes.retain_mut(|c| match c {
                Change::AlterColumn { table, from, to }
                    if *table == vt.name && from.name == vc.name =>
                {
                    found = true;
                    *from = middle_from.clone();
                    *to = middle_to.clone();
                    from != to
                }
                _ => true,
            });
            if !found && middle_from != middle_to {
                changes.push(Change::AlterColumn {
                    table: vt.name.clone(),
                    from: middle_from,
                    to: middle_to.clone(),
                });
            }
            if middle_to != *tc {
                out.after.push(Change::AlterColumn {
                    table: tt.name.clone(),
                    from: middle_to,
                    to: tc.clone(),
                });
            }
        }
    }
    out
}

/// The functions (by name, without their argument types) and the recreated domains (with their
/// old base type) that the object changes drop.
struct Gone {
    functions: Vec<String>,
    domains: BTreeMap<String, ColumnType>,
}

impl Gone {
    fn new(objects: &[Change]) -> Gone {
        let mut functions = Vec::new();
        let mut domains = BTreeMap::new();
        for c in objects {
            let Change::DropObject(o) = c else { continue };
            match o.kind {
                ObjectKind::Function => {
                    let bare = o.name.split_once('(').map_or(o.name.as_str(), |(n, _)| n);
                    functions.push(bare.trim_matches('"').to_string());
                }
                ObjectKind::Domain => {
                    let recreated = objects
                        .iter()
                        .any(|n| matches!(n, Change::CreateObject(n) if n.same_object(o)));
                    // The first part is `AS type [COLLATE c]`; a domain whose parts no server
                    // printed cannot be taken off (its columns' drop is refused as before).
                    let base = o
                        .columns
                        .first()
                        .and_then(|p| p.strip_prefix("AS "))
                        .map(|p| p.split(" COLLATE ").next().unwrap_or(p));
                    if let (true, Some(base)) = (recreated, base) {
                        domains.insert(o.name.to_lowercase(), parse_type(base));
                    }
                }
                _ => {}
            }
        }
        functions.sort();
        functions.dedup();
        Gone { functions, domains }
    }

    /// The old base type when `ty` is a recreated domain.
    fn base_of(&self, ty: &ColumnType) -> Option<&ColumnType> {
        match ty {
            ColumnType::Other(name) => self.domains.get(&name.to_lowercase()),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use autogen_schema::{Check, SchemaObject, Table};

    use crate::{diff, downgrade, DiffOptions, ViewReplace};

    use super::*;

    fn options() -> DiffOptions {
        DiffOptions {
            object_rules: ObjectRules {
                replace_views: ViewReplace::SameColumns,
                replace_functions: true,
                alter_sequences: true,
                alter_domains: true,
                ..ObjectRules::default()
            },
            ..DiffOptions::new(Dialect::Postgres, Default::default())
        }
    }

    fn object(kind: ObjectKind, name: &str, parts: &[&str]) -> SchemaObject {
        SchemaObject {
            kind,
            name: name.into(),
            table: None,
            definition: parts.join(" "),
            sql: parts.join(" "),
            columns: parts.iter().map(|p| p.to_string()).collect(),
            depends_on: Vec::new(),
        }
    }

    fn schema(level: ColumnType, objects: Vec<SchemaObject>) -> Schema {
        let mut t = Table::new("users");
        t.columns.push(Column::new(
            "score",
            ColumnType::Integer { unsigned: false },
        ));
        let mut code = Column::new("code", ColumnType::Text);
        code.default = Some(DefaultValue::Expression("next_code()".into()));
        t.columns.push(code);
        t.columns.push(Column::new("level", level));
        t.checks.push(Check {
            name: Some("ck_users_score".into()),
            expression: "is_valid_score(score)".into(),
        });
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
    fn checks_defaults_and_columns_are_taken_off_around_what_they_use() {
        let domain = ColumnType::Other("positive_int".into());
        let from = schema(
            domain.clone(),
            vec![
                object(
                    ObjectKind::Function,
                    "is_valid_score(integer)",
                    &["(s integer)"],
                ),
                object(ObjectKind::Function, "next_code()", &["()", "RETURNS text"]),
                object(ObjectKind::Domain, "positive_int", &["AS integer"]),
            ],
        );
        let to = schema(
            domain,
            vec![
                object(
                    ObjectKind::Function,
                    "is_valid_score(bigint)",
                    &["(s bigint)"],
                ),
                object(
                    ObjectKind::Function,
                    "next_code()",
                    &["()", "RETURNS varchar"],
                ),
                object(ObjectKind::Domain, "positive_int", &["AS bigint"]),
            ],
        );
        let changes = diff(&from, &to, &options()).unwrap_or_default();
        let up = lines(&changes);
        // Taken off first, put back last, each object change in between.
        let off = [
            "drop check",
            "alter column users.code",
            "alter column users.level",
        ];
        for (i, prefix) in off.iter().enumerate() {
            assert!(up[i].starts_with(prefix), "{up:#?}");
        }
        let n = up.len();
        assert!(up[n - 3].starts_with("add check"), "{up:#?}");
        assert!(up[n - 2].starts_with("alter column users.code"), "{up:#?}");
        assert!(up[n - 1].starts_with("alter column users.level"), "{up:#?}");
        assert!(up.contains(&"drop function is_valid_score(integer)".to_string()));
        assert!(up.contains(&"drop domain positive_int".to_string()));
        // The downgrade, reversed and inverted, has the same shape.
        let down = lines(&downgrade(&changes));
        assert!(down[0].starts_with("alter column users.level"), "{down:#?}");
        assert!(down[n - 1].starts_with("add check"), "{down:#?}");
    }

    #[test]
    fn a_function_replaced_in_place_takes_nothing_off() {
        let int = ColumnType::Integer { unsigned: false };
        let f = |body: &str| {
            let mut o = object(
                ObjectKind::Function,
                "is_valid_score(integer)",
                &["(s integer)"],
            );
            o.definition = body.into();
            o
        };
        let changes = diff(
            &schema(int.clone(), vec![f("one")]),
            &schema(int, vec![f("two")]),
            &options(),
        )
        .unwrap_or_default();
        assert_eq!(
            lines(&changes),
            ["replace function is_valid_score(integer)"]
        );
    }
}
