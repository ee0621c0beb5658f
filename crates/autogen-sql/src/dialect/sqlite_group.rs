//! Which changes of a list form one SQLite table rebuild.
//!
//! The differ orders changes by phase across all tables (drops, then column changes, then new
//! constraints, ...), so one table's changes are usually not adjacent. Rebuilding the table once
//! per phase would copy its rows several times, so a rebuild gathers every later change to the
//! same table that can be moved up past the changes in between. On SQLite, DDL on one table does
//! not look at another table's definition (foreign keys are checked on data, at the end, by the
//! runner), so moving a change up only matters to the schema-state bookkeeping: renames change
//! other tables' foreign-key targets, and a column rename of the rebuilt table changes foreign
//! keys in other tables that point at it. Those are the barriers below; everything else commutes.

use autogen_diff::Change;

/// The table a change is scoped to when it may join a rebuild group: changes inside one table.
pub(crate) fn groupable_table(change: &Change) -> Option<&str> {
    match change {
        Change::CreateEnum(_)
        | Change::DropEnum(_)
        | Change::AlterEnum { .. }
        | Change::CreateTable(_)
        | Change::DropTable(_)
        | Change::RenameTable { .. } => None,
        other => other.table(),
    }
}

/// The indices of the changes that join a rebuild of `table` starting at `start`, in list order.
/// `done[i]` marks changes already rendered by an earlier group. `referenced` says whether
/// another table's foreign key points at `table`: then a column rename of `table` never joins a
/// rebuild, because the rebuild copies rows into a new definition but leaves the other table's
/// `REFERENCES t(old)` text alone, whereas a plain `ALTER TABLE ... RENAME COLUMN` rewrites it.
pub(crate) fn rebuild_group(
    changes: &[Change],
    done: &[bool],
    start: usize,
    table: &str,
    referenced: bool,
) -> Vec<usize> {
    let mut members = vec![start];
    let stays_plain = |c: &Change| referenced && matches!(c, Change::RenameColumn { .. });
    if changes.get(start).is_some_and(stays_plain) {
        return members;
    }
    let mut skipped: Vec<&Change> = Vec::new();
    for (j, change) in changes.iter().enumerate().skip(start + 1) {
        if done.get(j).copied().unwrap_or(false) {
            continue;
        }
        if groupable_table(change) == Some(table) {
            if stays_plain(change) {
                break;
            }
            if skipped.iter().all(|x| commutes(x, change, table)) {
                members.push(j);
                continue;
            }
            // This change must stay after `x`, and every later change of the table after it.
            break;
        }
        if is_barrier(change, table) {
            break;
        }
        skipped.push(change);
    }
    members
}

/// A change that nothing of `table` may move past.
fn is_barrier(change: &Change, table: &str) -> bool {
    match change {
        // Renames rewrite foreign-key targets in every table.
        Change::RenameTable { .. } | Change::RenameColumn { .. } => true,
        Change::CreateTable(t) | Change::DropTable(t) => t.name == table,
        _ => false,
    }
}

/// Whether `moved` (a change to `table`) may run before `other` (a change to another table).
fn commutes(other: &Change, moved: &Change, table: &str) -> bool {
    let references_table = match other {
        Change::AddForeignKey { foreign_key, .. }
        | Change::DropForeignKey { foreign_key, .. }
        | Change::AlterForeignKey {
            to: foreign_key, ..
        } => foreign_key.referenced_table == table,
        Change::CreateTable(t) => t.foreign_keys.iter().any(|f| f.referenced_table == table),
        _ => false,
    };
    // A column rename of `table` also renames the referenced columns of foreign keys pointing
    // at it; `other` must see them as they were when it was written.
    !(references_table && matches!(moved, Change::RenameColumn { .. }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use autogen_schema::{Check, Column, ColumnType, ForeignKey, ReferentialAction};

    fn add_check(table: &str) -> Change {
        Change::AddCheck {
            table: table.into(),
            check: Check {
                name: None,
                expression: "1".into(),
            },
        }
    }

    fn drop_col(table: &str) -> Change {
        Change::DropColumn {
            table: table.into(),
            column: Column::new("c", ColumnType::Text),
        }
    }

    fn rename_col(table: &str) -> Change {
        Change::RenameColumn {
            table: table.into(),
            from: "a".into(),
            to: "b".into(),
        }
    }

    fn fk_to(table: &str, target: &str) -> Change {
        Change::DropForeignKey {
            table: table.into(),
            foreign_key: ForeignKey {
                name: None,
                columns: vec!["x".into()],
                referenced_table: target.into(),
                referenced_columns: vec!["a".into()],
                on_delete: ReferentialAction::NoAction,
                on_update: ReferentialAction::NoAction,
                deferrable: Default::default(),
            },
        }
    }

    #[test]
    fn gathers_one_tables_changes_across_phases() {
        let changes = vec![
            add_check("a"),
            drop_col("b"),
            drop_col("a"),
            add_check("b"),
            add_check("a"),
        ];
        let done = vec![false; changes.len()];
        assert_eq!(rebuild_group(&changes, &done, 0, "a", false), [0, 2, 4]);
        assert_eq!(rebuild_group(&changes, &done, 1, "b", false), [1, 3]);
    }

    #[test]
    fn stops_at_renames_and_reference_conflicts() {
        let changes = vec![
            add_check("a"),
            Change::RenameTable {
                from: "x".into(),
                to: "y".into(),
            },
            add_check("a"),
        ];
        assert_eq!(rebuild_group(&changes, &[false; 3], 0, "a", false), [0]);
        // A rename of a's column cannot move above b's foreign key that points at a.
        let changes = vec![
            add_check("a"),
            fk_to("b", "a"),
            rename_col("a"),
            drop_col("a"),
        ];
        assert_eq!(rebuild_group(&changes, &[false; 4], 0, "a", false), [0]);
        // Other changes can.
        let changes = vec![add_check("a"), fk_to("b", "a"), drop_col("a")];
        assert_eq!(rebuild_group(&changes, &[false; 3], 0, "a", false), [0, 2]);
        // Changes already rendered are skipped.
        assert_eq!(
            rebuild_group(&changes, &[false, false, true], 0, "a", false),
            [0]
        );
    }

    #[test]
    fn a_rename_of_a_referenced_tables_column_stays_a_plain_alter() {
        // Found by the randomized round trip: the downgrade dropped a column of a table whose
        // primary key was renamed back in the same rebuild, leaving another table's foreign
        // key pointing at the vanished name ("foreign key mismatch").
        let changes = vec![drop_col("a"), rename_col("a"), add_check("a")];
        assert_eq!(
            rebuild_group(&changes, &[false; 3], 0, "a", false),
            [0, 1, 2]
        );
        assert_eq!(rebuild_group(&changes, &[false; 3], 0, "a", true), [0]);
        assert_eq!(
            rebuild_group(&changes, &[true, false, false], 1, "a", true),
            [1]
        );
    }
}
