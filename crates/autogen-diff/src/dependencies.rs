//! What an otherwise unchanged foreign key can depend on that does change: a column on either
//! end whose type changes, or the referenced key (primary key, unique constraint, unique index)
//! being dropped or replaced. Such a foreign key is dropped before and re-added after, so that
//! every step is valid on its own: MySQL refuses to alter a column a foreign key uses, and
//! PostgreSQL refuses to drop a key a foreign key depends on. This file only computes the sets;
//! [`crate::table`] decides what to emit, and ordering is [`crate::order`]'s business.

use foldhash::{HashMap, HashSet};

use autogen_schema::{ColumnType, ForeignKey, Index, Schema, Table};

/// Columns and keys that move underneath foreign keys, by their new names.
#[derive(Debug, Default)]
pub(crate) struct Moving<'a> {
    /// `(table, column)` whose type changes.
    retyped: HashSet<(&'a str, &'a str)>,
    /// `(table, sorted columns)` of keys that are dropped or replaced.
    lost_keys: HashSet<(&'a str, Vec<&'a str>)>,
}

impl Moving<'_> {
    /// True when `fk`, declared on `table`, must be rebuilt around the changes.
    pub(crate) fn affects(&self, table: &str, fk: &ForeignKey) -> bool {
        let retyped =
            |t: &str, cols: &[String]| cols.iter().any(|c| self.retyped.contains(&(t, c.as_str())));
        retyped(table, &fk.columns)
            || retyped(&fk.referenced_table, &fk.referenced_columns)
            || self
                .lost_keys
                .contains(&(fk.referenced_table.as_str(), sorted(&fk.referenced_columns)))
    }
}

/// Computes the moving parts of the tables present on both sides (`old` already renamed).
pub(crate) fn moving<'a>(old: &HashMap<&str, &'a Table>, to: &'a Schema) -> Moving<'a> {
    let mut out = Moving::default();
    for new in &to.tables {
        let Some(old) = old.get(new.name.as_str()).copied() else {
            continue;
        };
        if old == new {
            // Nothing of an equal table moves.
            continue;
        }
        let old_types: HashMap<&str, &ColumnType> = old
            .columns
            .iter()
            .map(|c| (c.name.as_str(), &c.ty))
            .collect();
        for c in &new.columns {
            if old_types
                .get(c.name.as_str())
                .is_some_and(|ty| **ty != c.ty)
            {
                out.retyped.insert((new.name.as_str(), c.name.as_str()));
            }
        }

        // Changed exactly when the differ emits a change for it (column order counts there);
        // stored sorted because a foreign key may list the referenced columns in any order.
        let pk = |t: &'a Table| t.primary_key.as_ref().map(|pk| &pk.columns);
        if let Some(old_pk) = pk(old) {
            if Some(old_pk) != pk(new) {
                out.lost_keys.insert((old.name.as_str(), sorted(old_pk)));
            }
        }
        let new_uniques: HashSet<&Vec<String>> =
            new.unique_constraints.iter().map(|u| &u.columns).collect();
        for u in &old.unique_constraints {
            if !new_uniques.contains(&u.columns) {
                out.lost_keys
                    .insert((old.name.as_str(), sorted(&u.columns)));
            }
        }
        let new_indexes: HashMap<&str, &Index> = new
            .indexes
            .iter()
            .map(|ix| (ix.name.as_str(), ix))
            .collect();
        for ix in old.indexes.iter().filter(|ix| ix.unique) {
            if new_indexes.get(ix.name.as_str()) != Some(&ix) {
                let mut cols: Vec<&str> = ix.columns.iter().map(|c| c.name.as_str()).collect();
                cols.sort_unstable();
                out.lost_keys.insert((old.name.as_str(), cols));
            }
        }
    }
    out
}

fn sorted(columns: &[String]) -> Vec<&str> {
    let mut v: Vec<&str> = columns.iter().map(String::as_str).collect();
    v.sort_unstable();
    v
}
