//! Foreign-key cycles on SQLite: the ordering pass splits a cycle-closing (or self-referencing)
//! foreign key out of `CreateTable` into a later `AddForeignKey`, and out of `DropTable` into an
//! earlier `DropForeignKey`, because other dialects check the referenced table when the key is
//! declared. SQLite does not: `CREATE TABLE` may reference a table that does not exist yet, and
//! dropping a table drops its keys. Rendered literally, each split key would cost a whole table
//! rebuild (SQLite cannot add or drop a constraint in place), so this pass folds them back:
//! an `AddForeignKey` into the `CreateTable` of the same change list, a `DropForeignKey` into the
//! `DropTable` that follows. Only when nothing else touches that table in between; otherwise the
//! change stays and is rendered as usual. It deliberately changes nothing else.

use std::borrow::Cow;

use autogen_diff::Change;

/// `changes` with split-out cycle keys folded back into their table's create or drop.
pub(crate) fn fold_cycle_foreign_keys(changes: &[Change]) -> Cow<'_, [Change]> {
    let mut out: Vec<Change> = changes.to_vec();
    let mut removed = vec![false; out.len()];
    let mut any = false;
    for j in 0..out.len() {
        match out[j].clone() {
            Change::AddForeignKey { table, foreign_key } => {
                // The closest earlier change to the same table must be its creation.
                let earlier = (0..j)
                    .rev()
                    .find(|&i| !removed[i] && touches(&out[i], &table));
                if let Some(i) = earlier {
                    if let Change::CreateTable(t) = &mut out[i] {
                        t.foreign_keys.push(foreign_key);
                        removed[j] = true;
                        any = true;
                    }
                }
            }
            Change::DropForeignKey { table, .. } => {
                // The closest later change to the same table must be its drop.
                let later = (j + 1..out.len()).find(|&k| touches(&out[k], &table));
                if later.is_some_and(|k| matches!(&out[k], Change::DropTable(t) if t.name == table))
                {
                    removed[j] = true;
                    any = true;
                }
            }
            _ => {}
        }
    }
    if !any {
        return Cow::Borrowed(changes);
    }
    Cow::Owned(
        out.into_iter()
            .zip(removed)
            .filter(|(_, r)| !r)
            .map(|(c, _)| c)
            .collect(),
    )
}

/// Whether `change` acts on `table` (by either name, for renames).
fn touches(change: &Change, table: &str) -> bool {
    match change {
        Change::RenameTable { from, to } => from == table || to == table,
        other => other.table() == Some(table),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::fk;
    use autogen_schema::Table;

    #[test]
    fn cycle_keys_fold_into_create_and_drop() {
        let a = Table::new("a");
        let b = Table::new("b");
        let created = vec![
            Change::CreateTable(a.clone()),
            Change::CreateTable(b.clone()),
            Change::AddForeignKey {
                table: "a".into(),
                foreign_key: fk("b"),
            },
        ];
        let folded = fold_cycle_foreign_keys(&created);
        assert_eq!(folded.len(), 2);
        assert!(matches!(&folded[0], Change::CreateTable(t) if t.foreign_keys == vec![fk("b")]));

        let dropped = vec![
            Change::DropForeignKey {
                table: "a".into(),
                foreign_key: fk("b"),
            },
            Change::DropTable(b),
            Change::DropTable(a),
        ];
        let folded = fold_cycle_foreign_keys(&dropped);
        assert_eq!(folded.len(), 2);
        assert!(matches!(&folded[0], Change::DropTable(t) if t.name == "b"));

        // A key added to an existing table, or dropped from a table that stays, is kept.
        let kept = vec![
            Change::AddForeignKey {
                table: "a".into(),
                foreign_key: fk("b"),
            },
            Change::DropForeignKey {
                table: "c".into(),
                foreign_key: fk("b"),
            },
        ];
        assert!(matches!(fold_cycle_foreign_keys(&kept), Cow::Borrowed(_)));
    }
}
