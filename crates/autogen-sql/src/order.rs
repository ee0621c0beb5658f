//! The change list that creates a whole schema from nothing, for [`crate::render_create_schema`].
//! Tables come after the tables they reference; this is not the differ's general ordering pass,
//! only the small topological sort that a fresh schema needs.

use autogen_diff::Change;
use autogen_schema::Schema;

/// `CreateEnum` for every enum, then `CreateTable` for every table in foreign-key order (ties in
/// declaration order). Foreign keys on a reference cycle are split off and added at the end.
pub(crate) fn create_schema_changes(schema: &Schema) -> Vec<Change> {
    let mut changes: Vec<Change> = schema
        .enums
        .iter()
        .cloned()
        .map(Change::CreateEnum)
        .collect();
    let mut created: Vec<&str> = Vec::new();
    let mut pending: Vec<usize> = (0..schema.tables.len()).collect();
    let mut late_fks = Vec::new();
    while !pending.is_empty() {
        // The first pending table whose references all exist (or point at itself or at tables
        // that are not in the schema at all, which the database will report).
        let ready = pending.iter().position(|&i| {
            let t = &schema.tables[i];
            t.foreign_keys.iter().all(|fk| {
                fk.referenced_table == t.name
                    || created.contains(&fk.referenced_table.as_str())
                    || schema.table(&fk.referenced_table).is_none()
            })
        });
        let (pos, defer_missing) = match ready {
            Some(pos) => (pos, false),
            // A cycle: create the first pending table without its forward references.
            None => (0, true),
        };
        let i = pending.remove(pos);
        let mut table = schema.tables[i].clone();
        if defer_missing {
            let (now, later): (Vec<_>, Vec<_>) = table.foreign_keys.into_iter().partition(|fk| {
                fk.referenced_table == table.name || created.contains(&fk.referenced_table.as_str())
            });
            table.foreign_keys = now;
            late_fks.extend(later.into_iter().map(|foreign_key| Change::AddForeignKey {
                table: table.name.clone(),
                foreign_key,
            }));
        }
        created.push(&schema.tables[i].name);
        changes.push(Change::CreateTable(table));
    }
    changes.extend(late_fks);
    changes
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::fk;
    use autogen_schema::Table;

    fn table(name: &str, refs: &[&str]) -> Table {
        let mut t = Table::new(name);
        t.foreign_keys = refs.iter().map(|r| fk(r)).collect();
        t
    }

    fn names(changes: &[Change]) -> Vec<String> {
        changes
            .iter()
            .map(|c| match c {
                Change::CreateTable(t) => format!("create {}", t.name),
                Change::AddForeignKey { table, foreign_key } => {
                    format!("fk {table}->{}", foreign_key.referenced_table)
                }
                other => format!("{other:?}"),
            })
            .collect()
    }

    #[test]
    fn referenced_tables_come_first_and_cycles_are_split() {
        let schema = Schema {
            tables: vec![
                table("posts", &["users"]),
                table("users", &["orgs", "users"]),
                table("orgs", &[]),
                table("a", &["b"]),
                table("b", &["a"]),
            ],
            enums: vec![],
            objects: Vec::new(),
        };
        assert_eq!(
            names(&create_schema_changes(&schema)),
            [
                "create orgs",
                "create users",
                "create posts",
                "create a",
                "create b",
                "fk a->b"
            ]
        );
    }
}
