//! Rename suggestions: spotting a drop and an add that look like an undeclared rename, so the
//! user can declare it (`renamed_from = "..."`) before data is lost.
//!
//! This is advice only. The differ never renames by guess: a suggestion changes no [`Change`],
//! it is printed on the terminal and written as a note into the revision. Two shapes are
//! recognised: a dropped and an added column of the same type in one table, and a dropped and a
//! created table with the same columns (names and types, order ignored). This file deliberately
//! looks only at the change list the differ produced; it does not read the schemas' other
//! tables, and it knows no dialect.

use std::collections::BTreeSet;

use autogen_schema::Table;

use crate::Change;

/// What a suggestion is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum SuggestionKind {
    Column,
    Table,
}

/// One possible undeclared rename.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Suggestion {
    pub kind: SuggestionKind,
    /// The table (its new name for a table rename; the table holding both columns otherwise).
    pub table: String,
    /// The dropped name (column or table).
    pub from: String,
    /// The added name (column or table).
    pub to: String,
}

impl Suggestion {
    /// One line for the terminal and the revision note.
    pub fn message(&self) -> String {
        match self.kind {
            SuggestionKind::Column => format!(
                "column {t}.{f} is dropped and {t}.{n} added with the same type; if this is a \
                 rename, declare it on the field: #[model(renamed_from = \"{f}\")] (nothing is \
                 renamed by guess)",
                t = self.table,
                f = self.from,
                n = self.to
            ),
            SuggestionKind::Table => format!(
                "table {f} is dropped and {n} created with the same columns; if this is a \
                 rename, declare it on the struct: #[model(table = \"{n}\", renamed_from = \
                 \"{f}\")] (nothing is renamed by guess)",
                f = self.from,
                n = self.to
            ),
        }
    }
}

/// The drops and adds in `changes` that look like undeclared renames, sorted and without
/// duplicates. Every dropped column is paired with every added column of the same type in the
/// same table (several candidates give several suggestions: the user knows which one is meant).
pub fn rename_suggestions(changes: &[Change]) -> Vec<Suggestion> {
    let mut out = BTreeSet::new();
    for change in changes {
        match change {
            Change::DropColumn { table, column } => {
                for other in changes {
                    if let Change::AddColumn {
                        table: t,
                        column: added,
                    } = other
                    {
                        if t == table && added.ty == column.ty {
                            out.insert(Suggestion {
                                kind: SuggestionKind::Column,
                                table: table.clone(),
                                from: column.name.clone(),
                                to: added.name.clone(),
                            });
                        }
                    }
                }
            }
            Change::DropTable(dropped) => {
                let shape = columns_of(dropped);
                for other in changes {
                    if let Change::CreateTable(created) = other {
                        if !shape.is_empty() && columns_of(created) == shape {
                            out.insert(Suggestion {
                                kind: SuggestionKind::Table,
                                table: created.name.clone(),
                                from: dropped.name.clone(),
                                to: created.name.clone(),
                            });
                        }
                    }
                }
            }
            _ => {}
        }
    }
    out.into_iter().collect()
}

/// A table's columns as a set of (name, type), so column order does not matter.
fn columns_of(table: &Table) -> BTreeSet<(String, String)> {
    table
        .columns
        .iter()
        .map(|c| (c.name.clone(), c.ty.to_string()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{diff, DiffOptions};
    use autogen_schema::{Column, ColumnType, RenameHints, Schema};

    fn table(name: &str, cols: &[(&str, ColumnType)]) -> Table {
        Table {
            columns: cols
                .iter()
                .map(|(n, ty)| Column::new(*n, ty.clone()))
                .collect(),
            ..Table::new(name)
        }
    }

    fn schema(tables: Vec<Table>) -> Schema {
        Schema {
            tables,
            enums: vec![],
            objects: Vec::new(),
        }
    }

    fn suggestions(
        from: &Schema,
        to: &Schema,
        hints: RenameHints,
    ) -> Vec<(SuggestionKind, String, String)> {
        let changes = diff(
            from,
            to,
            &DiffOptions {
                renames: hints,
                ..DiffOptions::default()
            },
        )
        .unwrap();
        rename_suggestions(&changes)
            .into_iter()
            .map(|s| (s.kind, s.from, s.to))
            .collect()
    }

    #[test]
    fn drop_and_add_of_the_same_shape_are_suggested_never_applied() {
        use ColumnType::*;
        use SuggestionKind::*;
        let int = Integer { unsigned: false };
        type Case<'a> = (
            &'a str,
            Schema,
            Schema,
            Vec<(SuggestionKind, &'a str, &'a str)>,
        );
        let cases: Vec<Case> = vec![
            (
                "same type column",
                schema(vec![table("u", &[("id", int.clone()), ("fullname", Text)])]),
                schema(vec![table(
                    "u",
                    &[("id", int.clone()), ("full_name", Text)],
                )]),
                vec![(Column, "fullname", "full_name")],
            ),
            (
                "different type is not a rename",
                schema(vec![table("u", &[("id", int.clone()), ("a", Text)])]),
                schema(vec![table("u", &[("id", int.clone()), ("b", int.clone())])]),
                vec![],
            ),
            (
                "two candidates give two suggestions",
                schema(vec![table("u", &[("id", int.clone()), ("a", Text)])]),
                schema(vec![table(
                    "u",
                    &[("id", int.clone()), ("b", Text), ("c", Text)],
                )]),
                vec![(Column, "a", "b"), (Column, "a", "c")],
            ),
            (
                "columns in different tables are not paired",
                schema(vec![
                    table("u", &[("id", int.clone()), ("a", Text)]),
                    table("v", &[("id", int.clone())]),
                ]),
                schema(vec![
                    table("u", &[("id", int.clone())]),
                    table("v", &[("id", int.clone()), ("a2", Text)]),
                ]),
                vec![],
            ),
            (
                "table with the same columns in another order",
                schema(vec![table(
                    "persons",
                    &[("id", int.clone()), ("name", Text)],
                )]),
                schema(vec![table(
                    "people",
                    &[("name", Text), ("id", int.clone())],
                )]),
                vec![(Table, "persons", "people")],
            ),
            (
                "table with other columns",
                schema(vec![table(
                    "persons",
                    &[("id", int.clone()), ("name", Text)],
                )]),
                schema(vec![table(
                    "people",
                    &[("id", int.clone()), ("nick", Text)],
                )]),
                vec![],
            ),
        ];
        for (what, from, to, expected) in cases {
            let expected: Vec<(SuggestionKind, String, String)> = expected
                .into_iter()
                .map(|(k, f, t)| (k, f.to_string(), t.to_string()))
                .collect();
            assert_eq!(
                suggestions(&from, &to, RenameHints::default()),
                expected,
                "{what}"
            );
        }
    }

    #[test]
    fn a_declared_rename_leaves_nothing_to_suggest() {
        let from = schema(vec![table("u", &[("fullname", ColumnType::Text)])]);
        let to = schema(vec![table("u", &[("full_name", ColumnType::Text)])]);
        let mut hints = RenameHints::default();
        hints.columns.push(autogen_schema::ColumnRename {
            table: "u".into(),
            from: "fullname".into(),
            to: "full_name".into(),
        });
        assert_eq!(suggestions(&from, &to, hints), vec![]);
        let changes = diff(&from, &to, &DiffOptions::default()).unwrap();
        let s = rename_suggestions(&changes);
        assert!(
            s[0].message().contains("renamed_from = \"fullname\""),
            "{}",
            s[0].message()
        );
        // The suggestion is advice: the changes still drop and add.
        assert!(changes
            .iter()
            .any(|c| matches!(c, Change::DropColumn { .. })));
    }
}
