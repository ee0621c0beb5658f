//! The schema state a renderer tracks: only the tables a change list can involve, copied out of
//! the starting schema.
//!
//! A renderer looks up the tables its changes name, scans for foreign keys that point at them
//! (SQLite rebuilds, table renames) and for columns of an altered enum type (PostgreSQL enum
//! replacement); it never needs the rest. Copying the whole schema for each render made render
//! time grow faster than the schema: at 5,000 tables perf put nearly all of `render` in cloning
//! and dropping `Table`s (mostly first touches of fresh pages), and the three copies `ops::plan`
//! made (upgrade, `apply_all`, downgrade) took 35-40 ms against 4-5 ms at 1,000 tables.
//!
//! What is copied, in the starting schema's order:
//! - every table a change names (its own table, both names of a rename, a foreign key's
//!   referenced table, the referenced tables of a created or dropped table), so lookups and the
//!   "already exists" checks of [`autogen_diff::apply`] see what they would see in the whole
//!   schema;
//! - every table with a foreign key to, or from, one of those;
//! - when the list touches an enum type, every table with a column of that type;
//! - every enum type.
//!
//! Scans a renderer or `apply` makes over all tables filter for exactly these relations, so they
//! find the same tables, in the same order, as over the whole schema.

use std::collections::HashSet;

use autogen_diff::Change;
use autogen_schema::{ColumnType, Schema, Table};

/// The part of `from` that `changes` (and their inverses, which name the same tables) involve.
pub(crate) fn involved(from: &Schema, changes: &[Change]) -> Schema {
    let mut named: HashSet<&str> = HashSet::new();
    let mut enums: HashSet<&str> = HashSet::new();
    for change in changes {
        named.extend(change.table());
        match change {
            Change::CreateEnum(e) | Change::DropEnum(e) => {
                enums.insert(&e.name);
            }
            Change::AlterEnum { from, to } => {
                enums.insert(&from.name);
                enums.insert(&to.name);
            }
            Change::CreateTable(t) | Change::DropTable(t) => {
                named.extend(t.foreign_keys.iter().map(|f| f.referenced_table.as_str()));
            }
            Change::RenameTable { from, .. } => {
                named.insert(from);
            }
            Change::AddForeignKey { foreign_key, .. }
            | Change::DropForeignKey { foreign_key, .. }
            | Change::AlterForeignKey {
                to: foreign_key, ..
            } => {
                named.insert(&foreign_key.referenced_table);
            }
            _ => {}
        }
    }
    // Tables the named ones reference keep their state too (a generous reading: no renderer
    // looks at them today).
    let referenced: HashSet<&str> = from
        .tables
        .iter()
        .filter(|t| named.contains(t.name.as_str()))
        .flat_map(|t| t.foreign_keys.iter().map(|f| f.referenced_table.as_str()))
        .collect();
    let keep = |t: &Table| {
        named.contains(t.name.as_str())
            || referenced.contains(t.name.as_str())
            || t.foreign_keys
                .iter()
                .any(|f| named.contains(f.referenced_table.as_str()))
            || (!enums.is_empty()
                && t.columns.iter().any(
                    |c| matches!(&c.ty, ColumnType::Enum { name, .. } if enums.contains(name.as_str())),
                ))
    };
    Schema {
        tables: from.tables.iter().filter(|t| keep(t)).cloned().collect(),
        enums: from.enums.clone(),
        // Object changes are applied to the state too (they are few and small).
        objects: from.objects.clone(),
    }
}

#[cfg(test)]
mod tests {
    use autogen_diff::Change;
    use autogen_schema::{Column, ColumnType, Dialect, EnumType, PrimaryKey, Schema, Table};

    use super::involved;
    use crate::dialect;
    use crate::testing::fk;

    fn table(name: &str, references: Option<&str>) -> Table {
        let mut t = Table::new(name);
        t.columns
            .push(Column::new("id", ColumnType::BigInt { unsigned: false }));
        t.primary_key = Some(PrimaryKey {
            name: None,
            columns: vec!["id".into()],
        });
        if let Some(target) = references {
            t.columns
                .push(Column::new("x", ColumnType::BigInt { unsigned: false }));
            t.foreign_keys.push(fk(target));
        }
        t
    }

    fn mood(values: &[&str]) -> EnumType {
        EnumType {
            name: "mood".into(),
            values: values.iter().map(|v| v.to_string()).collect(),
        }
    }

    /// `orgs`; `users` -> `orgs`; `notes` -> `users`; `people` with a `mood` column; and 20
    /// tables that nothing below touches.
    fn schema() -> Schema {
        let mut s = Schema::default();
        s.enums.push(mood(&["ok", "sad", "glad"]));
        s.tables.push(table("orgs", None));
        s.tables.push(table("users", Some("orgs")));
        s.tables.push(table("notes", Some("users")));
        let mut people = table("people", None);
        people.columns.push(Column::new(
            "mood",
            ColumnType::Enum {
                name: "mood".into(),
                values: mood(&["ok", "sad", "glad"]).values,
            },
        ));
        s.tables.push(people);
        for i in 0..20 {
            s.tables.push(table(&format!("other_{i:02}"), None));
        }
        s
    }

    /// Renders `changes` and their inverse over the whole schema and over the involved part, and
    /// checks that the statements agree and that every tracked table ends the same way.
    fn same_as_whole(dialect: Dialect, changes: &[Change]) -> Vec<String> {
        let d = dialect::get(dialect);
        let back = autogen_diff::downgrade(changes);
        let from = schema();
        let mut whole = from.clone();
        let mut part = involved(&from, changes);
        let whole_sql = (
            d.render(&mut whole, changes).unwrap(),
            d.render(&mut whole, &back).unwrap(),
        );
        let part_sql = (
            d.render(&mut part, changes).unwrap(),
            d.render(&mut part, &back).unwrap(),
        );
        assert_eq!(whole_sql, part_sql, "{dialect:?}: {changes:#?}");
        for t in &part.tables {
            assert_eq!(whole.table(&t.name), Some(t), "{dialect:?}: {}", t.name);
        }
        part.tables.iter().map(|t| t.name.clone()).collect()
    }

    const ALL: [Dialect; 3] = [Dialect::Sqlite, Dialect::Postgres, Dialect::Mysql];

    fn check_on(table: &str) -> Change {
        Change::AddCheck {
            table: table.into(),
            check: autogen_schema::Check {
                name: Some(format!("ck_{table}_id")),
                expression: "id > 0".into(),
            },
        }
    }

    #[test]
    fn a_rebuilt_table_keeps_the_tables_that_reference_it() {
        // SQLite rebuilds `users` for the CHECK, and must see that `notes` points at it.
        let changes = [check_on("users")];
        for dialect in ALL {
            assert_eq!(same_as_whole(dialect, &changes), ["orgs", "users", "notes"]);
        }
    }

    #[test]
    fn a_renamed_table_keeps_both_names_and_the_foreign_keys_that_follow_it() {
        // `notes` references `users` under its new name once the rename has run; the rebuild of
        // `members` must still see it.
        let changes = [
            Change::RenameTable {
                from: "users".into(),
                to: "members".into(),
            },
            check_on("members"),
        ];
        for dialect in ALL {
            assert_eq!(same_as_whole(dialect, &changes), ["orgs", "users", "notes"]);
        }
    }

    #[test]
    fn created_and_dropped_tables_keep_what_they_reference() {
        let changes = [
            Change::CreateTable(table("teams", Some("orgs"))),
            Change::DropTable(table("notes", Some("users"))),
        ];
        for dialect in ALL {
            assert_eq!(same_as_whole(dialect, &changes), ["orgs", "users", "notes"]);
        }
    }

    #[test]
    fn an_altered_enum_keeps_every_table_with_a_column_of_it() {
        // PostgreSQL replaces the type and converts `people.mood`, which no change names.
        let changes = [Change::AlterEnum {
            from: mood(&["ok", "sad", "glad"]),
            to: mood(&["ok", "glad"]),
        }];
        assert_eq!(same_as_whole(Dialect::Postgres, &changes), ["people"]);
    }
}
