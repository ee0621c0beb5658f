//! `ignore` in autogen.toml: indexes, constraints and columns autogen leaves alone, by
//! table-qualified glob (what Alembic's `include_object` is used for). Each entry is
//! `[KIND:]TABLE.OBJECT`: two globs (`*`, `?`, `[abc]`, `{a,b}`, case-sensitive, split at the
//! first `.`) matched against a table name and the name of a column, index, unique constraint,
//! foreign key or check of that table; the optional `KIND:` (`column`, `index`, `unique`,
//! `foreign_key`, `check`) narrows it to one kind. `index` and `unique` are one kind here:
//! MySQL reports every unique index as a unique constraint, so telling them apart would make an
//! entry mean different things on different servers.
//!
//! The rules are applied to BOTH sides of a comparison before diffing ([`IgnoreRules::apply`]),
//! so an ignored object is never created, altered or dropped, whichever side has it. They apply
//! to the tables both sides have (paired by name, or by a declared table rename, matching either
//! name): a table only one side has is created or dropped whole, as it is (leaving whole tables
//! alone is `exclude_tables`' job). An ignored column also takes with it everything of its table
//! that uses it, on both sides: indexes and unique constraints with it as a key part (or in an
//! expression key part, an `INCLUDE` list or a partial index's predicate), foreign keys from it
//! or to it, checks that mention it, generated columns computed from it, and a primary key over
//! it. Those depend on the column, so changing them would touch it: an index on
//! an ignored column that only the database has is not dropped, and one only the models declare
//! is not created.
//!
//! Database objects the server named (unnamed foreign keys, checks and unique constraints in the
//! models) match by the server's name on the database side; in the models, by the name the
//! naming convention gives them. This file does not read files or connect.

use std::collections::{HashMap, HashSet};

use globset::{Glob, GlobMatcher};

use autogen_schema::{RenameHints, Schema, Table};

/// What an `ignore` entry may be narrowed to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Column,
    /// Indexes and unique constraints.
    Index,
    ForeignKey,
    Check,
}

/// One compiled entry.
#[derive(Debug, Clone)]
struct Rule {
    kind: Option<Kind>,
    table: GlobMatcher,
    object: GlobMatcher,
}

/// The compiled `ignore` list.
#[derive(Debug, Clone, Default)]
pub struct IgnoreRules {
    rules: Vec<Rule>,
}

impl IgnoreRules {
    /// Compiles the entries; the error names the offending entry and says why.
    pub fn new<S: AsRef<str>>(entries: &[S]) -> Result<IgnoreRules, (usize, String)> {
        let rules = entries
            .iter()
            .enumerate()
            .map(|(i, e)| compile(e.as_ref()).map_err(|m| (i, m)))
            .collect::<Result<_, _>>()?;
        Ok(IgnoreRules { rules })
    }

    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// Whether an object of `kind` called `object` in a table called one of `tables` is left
    /// alone.
    fn matches(&self, kind: Kind, tables: &[&str], object: &str) -> bool {
        self.rules.iter().any(|r| {
            r.kind.is_none_or(|k| k == kind)
                && r.object.is_match(object)
                && tables.iter().any(|t| r.table.is_match(t))
        })
    }

    /// Removes what the rules leave alone from both sides: `a` and `b` are the two schemas of a
    /// comparison, in either order; `renames` the models' declared renames (database name ->
    /// model name), which pair a renamed table with its old name.
    pub fn apply(&self, a: &mut Schema, b: &mut Schema, renames: Option<&RenameHints>) {
        if self.rules.is_empty() {
            return;
        }
        let other_name = |name: &str| -> Option<String> {
            renames.and_then(|r| {
                r.tables.iter().find_map(|t| {
                    if t.from == name {
                        Some(t.to.clone())
                    } else if t.to == name {
                        Some(t.from.clone())
                    } else {
                        None
                    }
                })
            })
        };
        let b_index: HashMap<&str, usize> = b
            .tables
            .iter()
            .enumerate()
            .map(|(i, t)| (t.name.as_str(), i))
            .collect();
        // The pairs (index in a, index in b) and the names each pair answers to.
        let mut pairs: Vec<(usize, usize, Vec<String>)> = Vec::new();
        for (i, t) in a.tables.iter().enumerate() {
            let renamed = other_name(&t.name);
            let j = b_index
                .get(t.name.as_str())
                .copied()
                .or_else(|| renamed.as_deref().and_then(|n| b_index.get(n).copied()));
            if let Some(j) = j {
                let mut names = vec![t.name.clone()];
                if b.tables[j].name != t.name {
                    names.push(b.tables[j].name.clone());
                }
                pairs.push((i, j, names));
            }
        }
        // The ignored columns of each pair, under the name each side knows its table by (a
        // foreign key names the table it refers to as its own side calls it).
        let mut a_columns: HashMap<String, HashSet<String>> = HashMap::new();
        let mut b_columns: HashMap<String, HashSet<String>> = HashMap::new();
        for (i, j, names) in &pairs {
            let tables: Vec<&str> = names.iter().map(String::as_str).collect();
            let columns = || a.tables[*i].columns.iter().chain(&b.tables[*j].columns);
            let mut ignored: HashSet<String> = columns()
                .filter(|c| self.matches(Kind::Column, &tables, &c.name))
                .map(|c| c.name.clone())
                .collect();
            // A generated column computed from an ignored one cannot change without it either.
            let computed: Vec<String> = columns()
                .filter(|c| {
                    c.generated
                        .as_ref()
                        .is_some_and(|g| ignored.iter().any(|name| mentions(&g.expression, name)))
                })
                .map(|c| c.name.clone())
                .collect();
            ignored.extend(computed);
            if !ignored.is_empty() {
                a_columns.insert(a.tables[*i].name.clone(), ignored.clone());
                b_columns.insert(b.tables[*j].name.clone(), ignored);
            }
        }
        for (i, j, names) in &pairs {
            let tables: Vec<&str> = names.iter().map(String::as_str).collect();
            let own_a = a_columns
                .get(&a.tables[*i].name)
                .cloned()
                .unwrap_or_default();
            let own_b = b_columns
                .get(&b.tables[*j].name)
                .cloned()
                .unwrap_or_default();
            self.filter_table(&mut a.tables[*i], &tables, &own_a, &a_columns);
            self.filter_table(&mut b.tables[*j], &tables, &own_b, &b_columns);
        }
    }

    /// Leaves out of `table` (known as `names`) what the rules ignore and what uses `ignored`,
    /// its ignored columns; `side` holds the ignored columns of every table of its side.
    fn filter_table(
        &self,
        table: &mut Table,
        names: &[&str],
        ignored: &HashSet<String>,
        side: &HashMap<String, HashSet<String>>,
    ) {
        let uses = |column: &str| ignored.contains(column);
        let mentions = |expression: &str| ignored.iter().any(|c| mentions(expression, c));
        table.columns.retain(|c| !uses(&c.name));
        if table
            .primary_key
            .as_ref()
            .is_some_and(|pk| pk.columns.iter().any(|c| uses(c)))
        {
            table.primary_key = None;
        }
        table.indexes.retain(|ix| {
            !(self.matches(Kind::Index, names, &ix.name)
                || ix.columns.iter().any(|c| {
                    // An expression key part keeps its text in `name`.
                    if c.expression {
                        mentions(&c.name)
                    } else {
                        uses(&c.name)
                    }
                })
                || ix.include.iter().any(|c| uses(c))
                || ix.predicate.as_deref().is_some_and(mentions))
        });
        table.unique_constraints.retain(|u| {
            !(u.name
                .as_deref()
                .is_some_and(|n| self.matches(Kind::Index, names, n))
                || u.columns.iter().any(|c| uses(c)))
        });
        table.foreign_keys.retain(|fk| {
            let referred = side.get(&fk.referenced_table);
            !(fk.name
                .as_deref()
                .is_some_and(|n| self.matches(Kind::ForeignKey, names, n))
                || fk.columns.iter().any(|c| uses(c))
                || referred.is_some_and(|r| fk.referenced_columns.iter().any(|c| r.contains(c))))
        });
        table.checks.retain(|ck| {
            !(ck.name
                .as_deref()
                .is_some_and(|n| self.matches(Kind::Check, names, n))
                || mentions(&ck.expression))
        });
    }
}

/// Whether SQL expression `expression` names column `column`. Asked of the one tokenizer that
/// already renames columns inside expressions (it skips string literals and knows the three
/// identifier quotes): the text changes exactly when the column is named in it.
fn mentions(expression: &str, column: &str) -> bool {
    const PROBE: &str = "autogen_ignore_probe";
    column != PROBE
        && autogen_schema::rename_identifier(expression, column, PROBE, '"') != expression
}

fn compile(entry: &str) -> Result<Rule, String> {
    let (kind, rest) = match entry.split_once(':') {
        Some((k, rest)) if !k.contains('.') => {
            let kind = match k.trim() {
                "column" => Kind::Column,
                "index" | "unique" => Kind::Index,
                "foreign_key" => Kind::ForeignKey,
                "check" => Kind::Check,
                other => {
                    return Err(format!(
                        "unknown kind `{other}` in ignore entry {entry:?}; the kinds are column, index, unique, foreign_key and check"
                    ))
                }
            };
            (Some(kind), rest)
        }
        _ => (None, entry),
    };
    let Some((table, object)) = rest.split_once('.') else {
        return Err(format!(
            "ignore entry {entry:?} has no `.`; write TABLE.OBJECT, e.g. \"users.legacy_*\" or \"*.ix_tmp_*\""
        ));
    };
    if table.is_empty() || object.is_empty() {
        return Err(format!(
            "ignore entry {entry:?} needs a glob on both sides of the `.` (use `*` for any)"
        ));
    }
    let glob = |g: &str| {
        Glob::new(g)
            .map(|g| g.compile_matcher())
            .map_err(|e| format!("ignore entry {entry:?}: {e}"))
    };
    Ok(Rule {
        kind,
        table: glob(table)?,
        object: glob(object)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use autogen_schema::{
        Check, Column, ColumnType, ForeignKey, Index, IndexColumn, PrimaryKey, ReferentialAction,
        TableRename, UniqueConstraint,
    };

    fn rules(entries: &[&str]) -> IgnoreRules {
        IgnoreRules::new(entries).unwrap()
    }

    fn users(extra_column: Option<&str>) -> Table {
        let mut t = Table::new("users");
        t.columns = vec![
            Column::new("id", ColumnType::Integer { unsigned: false }),
            Column::new("email", ColumnType::Text),
        ];
        if let Some(c) = extra_column {
            t.columns.push(Column::new(c, ColumnType::Text));
        }
        t.primary_key = Some(PrimaryKey {
            name: None,
            columns: vec!["id".into()],
        });
        t
    }

    fn index(name: &str, column: &str) -> Index {
        Index {
            name: name.into(),
            columns: vec![IndexColumn::asc(column)],
            unique: false,
            method: None,
            predicate: None,
            ..Default::default()
        }
    }

    fn schema(tables: Vec<Table>) -> Schema {
        Schema {
            tables,
            ..Schema::default()
        }
    }

    #[test]
    fn entries_are_table_dot_object_with_an_optional_kind() {
        let r = rules(&["users.legacy_*", "*.ix_tmp_*", "column:audit_*.*"]);
        assert!(r.matches(Kind::Column, &["users"], "legacy_name"));
        assert!(r.matches(Kind::Index, &["users"], "legacy_ix"));
        assert!(!r.matches(Kind::Column, &["orders"], "legacy_name"));
        assert!(r.matches(Kind::Index, &["orders"], "ix_tmp_1"));
        assert!(r.matches(Kind::Column, &["audit_log"], "anything"));
        assert!(!r.matches(Kind::Index, &["audit_log"], "ix_a"));
        assert!(r.matches(Kind::Column, &["people", "audit_x"], "c"));
        for (entry, want) in [
            ("users", "has no `.`"),
            ("users.", "needs a glob on both sides"),
            ("users.[", "ignore entry \"users.[\""),
            ("table:users.x", "unknown kind `table`"),
        ] {
            let (i, message) = IgnoreRules::new(&["ok.*", entry]).unwrap_err();
            assert_eq!(i, 1, "{entry}");
            assert!(message.contains(want), "{entry}: {message}");
        }
    }

    #[test]
    fn an_ignored_object_is_left_out_of_both_sides() {
        let mut db = users(None);
        db.indexes.push(index("ix_tmp_email", "email"));
        db.indexes.push(index("ix_users_email", "email"));
        let mut models = users(Some("legacy_note"));
        models.indexes.push(index("ix_users_email", "email"));
        let (mut a, mut b) = (schema(vec![db]), schema(vec![models]));
        rules(&["*.ix_tmp_*", "users.legacy_*"]).apply(&mut a, &mut b, None);
        assert_eq!(a, b);
        assert_eq!(a.tables[0].indexes.len(), 1);
    }

    #[test]
    fn what_uses_an_ignored_column_is_left_alone_too() {
        let mut db = users(Some("legacy"));
        db.indexes.push(index("ix_by_legacy", "legacy"));
        db.unique_constraints.push(UniqueConstraint {
            name: Some("uq_email_legacy".into()),
            columns: vec!["email".into(), "legacy".into()],
            deferrable: Default::default(),
        });
        db.checks.push(Check {
            name: Some("ck_legacy".into()),
            expression: "length(\"legacy\") > 0".into(),
        });
        db.checks.push(Check {
            name: Some("ck_email".into()),
            expression: "email <> 'legacy'".into(),
        });
        let mut orders = Table::new("orders");
        orders.columns = vec![Column::new("user_legacy", ColumnType::Text)];
        orders.foreign_keys.push(ForeignKey {
            name: Some("fk_orders_legacy".into()),
            columns: vec!["user_legacy".into()],
            referenced_table: "users".into(),
            referenced_columns: vec!["legacy".into()],
            on_delete: ReferentialAction::NoAction,
            on_update: ReferentialAction::NoAction,
            deferrable: Default::default(),
        });
        let mut models = users(None);
        models.checks.push(db.checks[1].clone());
        let mut models_orders = Table::new("orders");
        models_orders.columns = orders.columns.clone();
        let (mut a, mut b) = (
            schema(vec![db, orders]),
            schema(vec![models, models_orders]),
        );
        rules(&["column:users.legacy"]).apply(&mut a, &mut b, None);
        let users = &a.tables[0];
        assert_eq!(users.columns.len(), 2);
        assert!(users.indexes.is_empty() && users.unique_constraints.is_empty());
        assert_eq!(users.checks.len(), 1, "{:?}", users.checks);
        assert!(a.tables[1].foreign_keys.is_empty());
        assert_eq!(a, b);
    }

    #[test]
    fn tables_on_one_side_only_are_whole_and_renamed_tables_pair_up() {
        let (mut a, mut b) = (
            schema(vec![users(Some("legacy"))]),
            schema(vec![Table {
                name: "accounts".into(),
                ..users(Some("legacy"))
            }]),
        );
        let before = (a.clone(), b.clone());
        rules(&["*.legacy"]).apply(&mut a, &mut b, None);
        assert_eq!((a.clone(), b.clone()), before, "no pair: untouched");
        let renames = RenameHints {
            tables: vec![TableRename {
                from: "users".into(),
                to: "accounts".into(),
            }],
            columns: Vec::new(),
        };
        let mut models = b.clone();
        models.tables[0].columns.pop();
        let mut a2 = schema(vec![users(Some("legacy"))]);
        rules(&["accounts.legacy"]).apply(&mut a2, &mut models, Some(&renames));
        assert_eq!(a2.tables[0].columns.len(), 2, "matched by the new name");
        let _ = b;
    }

    #[test]
    fn expressions_computed_from_an_ignored_column_are_left_alone() {
        let mut db = users(Some("legacy"));
        let mut slug = Column::new("legacy_slug", ColumnType::Text);
        slug.generated = Some(autogen_schema::Generated {
            expression: "lower(legacy)".into(),
            stored: true,
        });
        db.columns.push(slug);
        db.indexes.push(Index {
            name: "ix_lower_legacy".into(),
            columns: vec![IndexColumn {
                name: "lower(\"legacy\")".into(),
                expression: true,
                ..IndexColumn::default()
            }],
            ..Index::default()
        });
        let (mut a, mut b) = (schema(vec![db]), schema(vec![users(None)]));
        rules(&["column:users.legacy"]).apply(&mut a, &mut b, None);
        assert_eq!(a, b);
    }

    #[test]
    fn a_primary_key_over_an_ignored_column_is_left_alone() {
        let (mut a, mut b) = (schema(vec![users(None)]), schema(vec![users(None)]));
        b.tables[0].primary_key = Some(PrimaryKey {
            name: None,
            columns: vec!["id".into(), "email".into()],
        });
        rules(&["column:users.id"]).apply(&mut a, &mut b, None);
        assert_eq!(a, b);
        assert!(a.tables[0].primary_key.is_none());
    }
}
