//! What autogen says about the objects it does not manage (read by autogen-introspect's
//! `unmanaged`): the one-line count `check` and autogenerate print, and the hazards of a new
//! revision, the changes in it that would break one of those objects (a view reading a column
//! the revision drops, a trigger on a table it renames). Both are plain values; the CLI prints
//! them, and a revision carries its hazards as `-- note:` lines for the reviewer.
//!
//! A hazard is raised for a dropped or renamed table that an object is on or uses, and for a
//! dropped or renamed column, or a column whose type changes, that an object uses. How exact
//! "uses" is depends on the dialect (see autogen-introspect's `unmanaged.rs`): exact on
//! PostgreSQL, read from stored definitions on MySQL/MariaDB and SQLite.

use std::collections::{BTreeMap, HashMap};

use autogen_diff::Change;
use autogen_introspect::{UnmanagedKind, UnmanagedObject};

/// `not managed here: 2 views, 1 trigger`, or `None` when there is nothing.
pub fn summary(objects: &[UnmanagedObject]) -> Option<String> {
    if objects.is_empty() {
        return None;
    }
    let mut counts: BTreeMap<UnmanagedKind, usize> = BTreeMap::new();
    for o in objects {
        *counts.entry(o.kind).or_default() += 1;
    }
    let parts: Vec<String> = counts
        .into_iter()
        .map(|(kind, n)| format!("{n} {}", kind.noun(n)))
        .collect();
    Some(format!("not managed here: {}", parts.join(", ")))
}

/// One change of a new revision that may break an object autogen does not manage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hazard {
    pub kind: UnmanagedKind,
    pub object: String,
    /// What the object depends on, in words (`column users.email`, `table users`).
    pub uses: String,
    /// The change, as `Change::describe` puts it.
    pub change: String,
}

impl Hazard {
    /// The warning printed at generation and written into the revision as a note.
    pub fn message(&self) -> String {
        format!(
            "{} {} uses {}, which this revision changes ({}); autogen does not manage it, so update it by hand",
            self.kind.noun(1),
            self.object,
            self.uses,
            self.change
        )
    }
}

/// The changes in `changes` (database -> models, in order) that touch what one of `objects`
/// (read from that database) is on or uses.
pub fn hazards(changes: &[Change], objects: &[UnmanagedObject]) -> Vec<Hazard> {
    if objects.is_empty() {
        return Vec::new();
    }
    // Table-scoped changes name a table as it is called when they run, after any rename before
    // them; the objects know the database's names.
    let mut original: HashMap<String, String> = HashMap::new();
    let mut out = Vec::new();
    for change in changes {
        let database_name = |t: &str, original: &HashMap<String, String>| {
            original.get(t).cloned().unwrap_or_else(|| t.to_string())
        };
        let (table, column) = match change {
            Change::DropTable(t) => (database_name(&t.name, &original), None),
            Change::RenameTable { from, to } => {
                let name = database_name(from, &original);
                original.insert(to.clone(), name.clone());
                (name, None)
            }
            Change::DropColumn { table, column } => {
                (database_name(table, &original), Some(column.name.clone()))
            }
            Change::RenameColumn { table, from, .. } => {
                (database_name(table, &original), Some(from.clone()))
            }
            Change::AlterColumn { table, from, to } if from.ty != to.ty => {
                (database_name(table, &original), Some(from.name.clone()))
            }
            _ => continue,
        };
        for o in objects {
            let hit = match &column {
                None => {
                    o.table.as_deref() == Some(table.as_str())
                        || o.uses.iter().any(|u| u.table == table)
                }
                Some(c) => o
                    .uses
                    .iter()
                    .any(|u| u.table == table && u.column.as_deref() == Some(c.as_str())),
            };
            if hit {
                out.push(Hazard {
                    kind: o.kind,
                    object: o.name.clone(),
                    uses: match &column {
                        None => format!("table {table}"),
                        Some(c) => format!("column {table}.{c}"),
                    },
                    change: change.describe(),
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use autogen_introspect::Usage;
    use autogen_schema::{Column, ColumnType, Table};

    fn object(
        kind: UnmanagedKind,
        name: &str,
        table: Option<&str>,
        uses: &[(&str, Option<&str>)],
    ) -> UnmanagedObject {
        UnmanagedObject {
            kind,
            name: name.into(),
            table: table.map(str::to_string),
            uses: uses
                .iter()
                .map(|(t, c)| Usage {
                    table: t.to_string(),
                    column: c.map(str::to_string),
                })
                .collect(),
        }
    }

    #[test]
    fn the_summary_counts_by_kind() {
        assert_eq!(summary(&[]), None);
        let objects = [
            object(UnmanagedKind::Trigger, "t", Some("users"), &[]),
            object(UnmanagedKind::View, "a", None, &[]),
            object(UnmanagedKind::View, "b", None, &[]),
            object(UnmanagedKind::Policy, "p", Some("users"), &[]),
        ];
        assert_eq!(
            summary(&objects).as_deref(),
            Some("not managed here: 2 views, 1 trigger, 1 policy")
        );
    }

    #[test]
    fn changes_to_what_an_object_uses_are_hazards() {
        let view = object(
            UnmanagedKind::View,
            "active_users",
            None,
            &[("users", None), ("users", Some("email"))],
        );
        let trigger = object(UnmanagedKind::Trigger, "audit", Some("orders"), &[]);
        let objects = [view, trigger];
        let email = Column::new("email", ColumnType::Text);
        let bio = Column::new("bio", ColumnType::Text);
        let mut wider = email.clone();
        wider.nullable = true;
        let mut retyped = email.clone();
        retyped.ty = ColumnType::Integer { unsigned: false };
        let changes = [
            Change::DropColumn {
                table: "users".into(),
                column: bio,
            },
            Change::AlterColumn {
                table: "users".into(),
                from: email.clone(),
                to: wider,
            },
            Change::RenameTable {
                from: "users".into(),
                to: "people".into(),
            },
            Change::AlterColumn {
                table: "people".into(),
                from: email.clone(),
                to: retyped,
            },
            Change::DropTable(Table::new("orders")),
        ];
        let found: Vec<(String, String)> = hazards(&changes, &objects)
            .into_iter()
            .map(|h| (h.object, h.uses))
            .collect();
        assert_eq!(
            found,
            [
                ("active_users".to_string(), "table users".to_string()),
                ("active_users".to_string(), "column users.email".to_string()),
                ("audit".to_string(), "table orders".to_string()),
            ]
        );
    }
}
