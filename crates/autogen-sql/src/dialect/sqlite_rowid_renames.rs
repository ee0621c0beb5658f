//! Column renames SQLite's `ALTER TABLE ... RENAME COLUMN` gets wrong: in a `WITHOUT ROWID`
//! table, renaming a primary-key column that a UNIQUE constraint also names leaves the old name
//! in the constraint, and SQLite's own check of the rewritten schema then refuses the rename
//! ("error in table t after rename: expressions prohibited in PRIMARY KEY and UNIQUE
//! constraints", or "no such column"; seen on SQLite 3.40 and 3.46, found by the randomized
//! round trip). Such a rename becomes: drop those UNIQUE constraints, rename, add them back
//! (with the new column name). The usual grouping then makes the three one table rebuild, or,
//! when another table's foreign key points at the table, a plain rename between two rebuilds
//! (only the plain rename rewrites the other table's `REFERENCES`, see `sqlite_group.rs`).
//! Nothing else is changed; a list this pass cannot follow (a change that does not apply) is
//! returned as it is, for the renderer to report.

use std::borrow::Cow;

use autogen_diff::{apply, Change};
use autogen_schema::Schema;

/// `changes` with each rename SQLite would refuse spelled as drop, rename, re-add of the UNIQUE
/// constraints that name the column. `state` is the schema before the first change.
pub(crate) fn split_rowid_renames<'a>(state: &Schema, changes: &'a [Change]) -> Cow<'a, [Change]> {
    let mut scratch = state.clone();
    let mut out: Vec<Change> = Vec::with_capacity(changes.len());
    let mut any = false;
    for change in changes {
        if let Change::RenameColumn { table, from, to } = change {
            let affected: Vec<_> = scratch
                .table(table)
                .filter(|t| {
                    t.options.without_rowid
                        && t.primary_key
                            .as_ref()
                            .is_some_and(|pk| pk.columns.contains(from))
                })
                .map(|t| {
                    t.unique_constraints
                        .iter()
                        .filter(|u| u.columns.contains(from))
                        .cloned()
                        .collect()
                })
                .unwrap_or_default();
            if !affected.is_empty() {
                any = true;
                for unique in &affected {
                    out.push(Change::DropUnique {
                        table: table.clone(),
                        unique: unique.clone(),
                    });
                }
                out.push(change.clone());
                for unique in affected {
                    let mut unique = unique;
                    for c in &mut unique.columns {
                        if c == from {
                            c.clone_from(to);
                        }
                    }
                    out.push(Change::AddUnique {
                        table: table.clone(),
                        unique,
                    });
                }
                if apply(&mut scratch, change, '"').is_err() {
                    return Cow::Borrowed(changes);
                }
                continue;
            }
        }
        if apply(&mut scratch, change, '"').is_err() {
            return Cow::Borrowed(changes);
        }
        out.push(change.clone());
    }
    if any {
        Cow::Owned(out)
    } else {
        Cow::Borrowed(changes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use autogen_schema::{Column, ColumnType, PrimaryKey, Table, UniqueConstraint};

    fn table(without_rowid: bool) -> Schema {
        let mut t = Table::new("t");
        t.columns = vec![
            Column::new("a", ColumnType::Integer { unsigned: false }),
            Column::new("c", ColumnType::Date),
        ];
        t.primary_key = Some(PrimaryKey {
            name: None,
            columns: vec!["a".into()],
        });
        t.unique_constraints = vec![
            UniqueConstraint {
                name: Some("uq_t_a_c".into()),
                columns: vec!["a".into(), "c".into()],
                deferrable: Default::default(),
            },
            UniqueConstraint {
                name: Some("uq_t_c".into()),
                columns: vec!["c".into()],
                deferrable: Default::default(),
            },
        ];
        t.options.without_rowid = without_rowid;
        Schema {
            tables: vec![t],
            ..Schema::default()
        }
    }

    fn rename(from: &str, to: &str) -> Change {
        Change::RenameColumn {
            table: "t".into(),
            from: from.into(),
            to: to.into(),
        }
    }

    #[test]
    fn a_key_column_in_a_unique_constraint_of_a_without_rowid_table() {
        let changes = [rename("a", "b")];
        let split = split_rowid_renames(&table(true), &changes);
        let described: Vec<String> = split.iter().map(Change::describe).collect();
        assert_eq!(split.len(), 3, "{described:?}");
        assert!(
            matches!(&split[0], Change::DropUnique { unique, .. } if unique.columns == ["a", "c"])
        );
        assert_eq!(split[1], changes[0]);
        assert!(
            matches!(&split[2], Change::AddUnique { unique, .. } if unique.columns == ["b", "c"] && unique.name.as_deref() == Some("uq_t_a_c"))
        );
    }

    #[test]
    fn other_renames_stay_as_they_are() {
        // A rowid table, and a column outside the key.
        let changes = [rename("a", "b")];
        assert!(matches!(
            split_rowid_renames(&table(false), &changes),
            Cow::Borrowed(_)
        ));
        let changes = [rename("c", "d")];
        assert!(matches!(
            split_rowid_renames(&table(true), &changes),
            Cow::Borrowed(_)
        ));
    }
}
