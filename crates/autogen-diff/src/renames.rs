//! Declared renames: deciding which [`RenameHints`] apply to a pair of schemas, and building the
//! "renamed view" of the old schema that the rest of the differ compares by name.
//!
//! A hint applies when its source exists in the old schema and its target in the new one. A hint
//! whose source is gone is stale (the rename already ran) and is skipped silently, so that
//! autogenerating right after an upgrade reports nothing. A hint that would collide (target
//! already in the old schema, or source still in the new one) is a [`DiffError`]. Nothing is ever
//! renamed by guess here (see `suggest.rs` for the advice given instead); this file deliberately
//! knows nothing about ordering or rendering. The view renames a column everywhere the servers
//! do: keys, indexes, foreign keys pointing at it, and CHECK / partial-index expression text
//! (through `autogen_schema::rename_identifier`).

use foldhash::{HashMap, HashSet};
use std::borrow::Cow;

use autogen_schema::{rename_identifier, ColumnType, RenameHints, Schema, Table};

use crate::DiffError;

/// The hints that apply, in a deterministic order.
#[derive(Debug, Default)]
pub(crate) struct Renames {
    /// `(old name, new name)`, sorted by old name.
    pub tables: Vec<(String, String)>,
    /// `(new table name, old column name, new column name)`, sorted.
    pub columns: Vec<(String, String, String)>,
}

impl Renames {
    fn is_empty(&self) -> bool {
        self.tables.is_empty() && self.columns.is_empty()
    }
}

/// Picks the hints that apply to `from` -> `to`, or reports the first contradiction.
pub(crate) fn resolve(
    hints: &RenameHints,
    from: &HashMap<&str, &Table>,
    to: &HashMap<&str, &Table>,
) -> Result<Renames, DiffError> {
    let mut out = Renames::default();

    let mut table_hints: Vec<(&str, &str)> = hints
        .tables
        .iter()
        .map(|h| (h.from.as_str(), h.to.as_str()))
        .collect();
    table_hints.sort_unstable();
    table_hints.dedup();
    let mut seen: HashSet<&str> = HashSet::default();
    for (old, new) in table_hints {
        // A stale hint (source gone), a no-op, or a target the models do not declare.
        if old == new || !from.contains_key(old) || !to.contains_key(new) {
            continue;
        }
        if from.contains_key(new) {
            return Err(DiffError::AmbiguousTableRename {
                from: old.to_string(),
                to: new.to_string(),
            });
        }
        if to.contains_key(old) {
            return Err(DiffError::TableRenameSourceKept {
                from: old.to_string(),
                to: new.to_string(),
            });
        }
        for name in [old, new] {
            if !seen.insert(name) {
                return Err(DiffError::ConflictingTableRenames {
                    name: name.to_string(),
                });
            }
        }
        out.tables.push((old.to_string(), new.to_string()));
    }

    let old_of_new: HashMap<&str, &str> = out
        .tables
        .iter()
        .map(|(o, n)| (n.as_str(), o.as_str()))
        .collect();
    let mut column_hints: Vec<(&str, &str, &str)> = hints
        .columns
        .iter()
        .map(|h| (h.table.as_str(), h.from.as_str(), h.to.as_str()))
        .collect();
    column_hints.sort_unstable();
    column_hints.dedup();
    let mut seen: HashSet<(&str, &str)> = HashSet::default();
    for (table, old, new) in column_hints {
        // The hint names the table as the models call it; find what the database calls it.
        let old_table = old_of_new.get(table).copied().unwrap_or(table);
        let (Some(old_t), Some(new_t)) = (from.get(old_table), to.get(table)) else {
            continue;
        };
        if old == new || old_t.column(old).is_none() || new_t.column(new).is_none() {
            continue;
        }
        if old_t.column(new).is_some() {
            return Err(DiffError::AmbiguousColumnRename {
                table: table.to_string(),
                from: old.to_string(),
                to: new.to_string(),
            });
        }
        if new_t.column(old).is_some() {
            return Err(DiffError::ColumnRenameSourceKept {
                table: table.to_string(),
                from: old.to_string(),
                to: new.to_string(),
            });
        }
        for column in [old, new] {
            if !seen.insert((table, column)) {
                return Err(DiffError::ConflictingColumnRenames {
                    table: table.to_string(),
                    column: column.to_string(),
                });
            }
        }
        out.columns
            .push((table.to_string(), old.to_string(), new.to_string()));
    }
    Ok(out)
}

/// The old schema as it looks once the renames have run and the altered enum types carry their
/// new values: exactly what [`apply`](crate::apply) produces for the rename and `AlterEnum`
/// changes, computed in one linear pass. Every later change is computed against this view, so it
/// speaks the new names and the new enum values, as it will at the moment it runs.
pub(crate) fn renamed_view<'a>(
    from: &'a Schema,
    renames: &Renames,
    enum_values: &HashMap<&str, &[String]>,
    quote: char,
) -> Cow<'a, Schema> {
    if renames.is_empty() && enum_values.is_empty() {
        return Cow::Borrowed(from);
    }
    let table_map: HashMap<&str, &str> = renames
        .tables
        .iter()
        .map(|(o, n)| (o.as_str(), n.as_str()))
        .collect();
    let mut column_map: HashMap<&str, HashMap<&str, &str>> = HashMap::default();
    for (t, o, n) in &renames.columns {
        column_map
            .entry(t.as_str())
            .or_default()
            .insert(o.as_str(), n.as_str());
    }
    let no_columns = HashMap::default();

    let mut view = from.clone();
    for t in &mut view.tables {
        if let Some(new) = table_map.get(t.name.as_str()) {
            t.name = (*new).to_string();
        }
        let cols = column_map.get(t.name.as_str()).unwrap_or(&no_columns);
        let rename = |name: &mut String| {
            if let Some(new) = cols.get(name.as_str()) {
                *name = (*new).to_string();
            }
        };
        for c in &mut t.columns {
            rename(&mut c.name);
            // Servers rewrite generated-column expressions when a column they read is renamed.
            if let Some(g) = &mut c.generated {
                g.expression = rename_in_expression(&g.expression, cols, quote);
            }
            if let ColumnType::Enum { name, values } = &mut c.ty {
                if let Some(new_values) = enum_values.get(name.as_str()) {
                    *values = new_values.to_vec();
                }
            }
        }
        if let Some(pk) = &mut t.primary_key {
            pk.columns.iter_mut().for_each(rename);
        }
        for ix in &mut t.indexes {
            for part in &mut ix.columns {
                // An expression key part names the column inside its text (`lower(email)`).
                if part.expression {
                    part.name = rename_in_expression(&part.name, cols, quote);
                } else {
                    rename(&mut part.name);
                }
            }
            ix.include.iter_mut().for_each(rename);
            if let Some(p) = &mut ix.predicate {
                *p = rename_in_expression(p, cols, quote);
            }
        }
        // Servers rewrite stored CHECK expressions when a column is renamed; so does the view,
        // or a declared rename would drop and re-add every check that mentions the column.
        for ck in &mut t.checks {
            ck.expression = rename_in_expression(&ck.expression, cols, quote);
        }
        for u in &mut t.unique_constraints {
            u.columns.iter_mut().for_each(rename);
        }
        for fk in &mut t.foreign_keys {
            fk.columns.iter_mut().for_each(rename);
            if let Some(new) = table_map.get(fk.referenced_table.as_str()) {
                fk.referenced_table = (*new).to_string();
            }
            if let Some(ref_cols) = column_map.get(fk.referenced_table.as_str()) {
                for c in &mut fk.referenced_columns {
                    if let Some(new) = ref_cols.get(c.as_str()) {
                        *c = (*new).to_string();
                    }
                }
            }
        }
    }
    for e in &mut view.enums {
        if let Some(new_values) = enum_values.get(e.name.as_str()) {
            e.values = new_values.to_vec();
        }
    }
    Cow::Owned(view)
}

/// `expr` with every renamed column of its table renamed. The renames of one table are applied
/// at once through placeholders, so swapping two names (`a` -> `b`, `b` -> `a`) works.
fn rename_in_expression(expr: &str, cols: &HashMap<&str, &str>, quote: char) -> String {
    if cols.is_empty() {
        return expr.to_string();
    }
    let mut pairs: Vec<(&str, &str)> = cols.iter().map(|(o, n)| (*o, *n)).collect();
    pairs.sort_unstable();
    let mut out = expr.to_string();
    for (i, (old, _)) in pairs.iter().enumerate() {
        out = rename_identifier(&out, old, &format!("__autogen_rename_{i}__"), quote);
    }
    for (i, (_, new)) in pairs.iter().enumerate() {
        out = rename_identifier(&out, &format!("__autogen_rename_{i}__"), new, quote);
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::{diff, Change, DiffOptions};
    use autogen_schema::{Check, Column, ColumnRename, ColumnType, RenameHints, Schema, Table};

    fn table(col: &str, check: &str) -> Schema {
        Schema {
            tables: vec![Table {
                columns: vec![Column::new(col, ColumnType::Integer { unsigned: false })],
                checks: vec![Check {
                    name: Some("ck_t_1".into()),
                    expression: check.into(),
                }],
                ..Table::new("t")
            }],
            enums: vec![],
            objects: Vec::new(),
        }
    }

    #[test]
    fn a_declared_rename_carries_the_checks_that_mention_the_column() {
        // Found by the randomized round trip: the check was dropped and re-added, and the
        // downgrade re-added `age >= 0` before renaming the column back.
        let mut hints = RenameHints::default();
        hints.columns.push(ColumnRename {
            table: "t".into(),
            from: "age".into(),
            to: "years".into(),
        });
        let options = DiffOptions {
            renames: hints,
            ..DiffOptions::default()
        };
        let changes = diff(
            &table("age", "age >= 0"),
            &table("years", "years >= 0"),
            &options,
        )
        .unwrap();
        assert_eq!(
            changes,
            vec![Change::RenameColumn {
                table: "t".into(),
                from: "age".into(),
                to: "years".into()
            }]
        );
        // A check that really changes is still replaced.
        let changes = diff(
            &table("age", "age >= 0"),
            &table("years", "years > 0"),
            &options,
        )
        .unwrap();
        assert_eq!(changes.len(), 3, "{changes:?}");
    }

    #[test]
    fn applying_a_column_rename_rewrites_check_expressions() {
        // The SQLite renderer rebuilds tables from the applied state: a stale `age >= 0` in the
        // rebuilt table's CHECK failed the upgrade.
        let mut schema = table("age", "\"age\" >= 0 AND age < 200");
        let rename = Change::RenameColumn {
            table: "t".into(),
            from: "age".into(),
            to: "years".into(),
        };
        crate::apply(&mut schema, &rename, '"').unwrap();
        assert_eq!(
            schema.tables[0].checks[0].expression,
            "\"years\" >= 0 AND years < 200"
        );
    }
}
