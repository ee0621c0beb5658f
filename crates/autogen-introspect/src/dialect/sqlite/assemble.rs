//! SQLite's catalog rows joined into tables: the [`Assembler`] takes the rows of each query in
//! `sqlite.rs` as they stream in and builds the [`Schema`]. What the pragmas leave out (CHECK
//! constraints, constraint names, AUTOINCREMENT, index predicates and expression keys) it takes
//! from the CREATE statements through `ddl.rs`. It runs no query itself.

use std::collections::BTreeMap;

use autogen_schema::{
    parse_default, parse_type, Column, ColumnType, DeclaredColumn, ForeignKey, Generated, Hint,
    Index, IndexColumn, PrimaryKey, ReferentialAction, Schema, Table, UniqueConstraint,
};

use super::ddl;
use crate::dialect::CatalogRow;
use crate::IntrospectError;

/// (table, index) -> key parts as (position, column name, descending); expressions have no
/// name.
type KeyParts = Vec<(i64, Option<String>, bool)>;

/// The five result sets joined into tables, one row at a time. The queries arrive in the
/// order `introspect` runs them: tables, columns, index key parts, indexes, foreign keys.
#[derive(Default)]
pub(super) struct Assembler {
    by_name: BTreeMap<String, (Table, ddl::TableDdl)>,
    /// Per table: columns with their `cid`, and primary-key members with their position.
    columns: BTreeMap<String, Vec<(i64, Column)>>,
    pk_members: BTreeMap<String, Vec<(i64, String)>>,
    keys: BTreeMap<(String, String), KeyParts>,
    /// (table, id) -> the key, whether it names no target columns, its rows' `seq`.
    fks: BTreeMap<(String, i64), (ForeignKey, bool, Vec<i64>)>,
}

impl Assembler {
    pub(super) fn table(&mut self, r: &impl CatalogRow) -> Result<(), IntrospectError> {
        let name = r.text(0)?;
        let ddl = ddl::parse_create_table(&r.opt_text(1)?.unwrap_or_default());
        let mut table = Table::new(name.clone());
        table.options.strict = ddl.strict;
        table.options.without_rowid = ddl.without_rowid;
        self.by_name.insert(name, (table, ddl));
        Ok(())
    }

    pub(super) fn column(&mut self, r: &impl CatalogRow) -> Result<(), IntrospectError> {
        let table = r.str(0)?;
        if !self.by_name.contains_key(table.as_ref()) {
            return Ok(());
        }
        let name = r.text(1)?;
        let declared = r.opt_text(2)?.unwrap_or_default();
        let mut column = Column::new(name.clone(), sqlite_type(&declared));
        column.nullable = !r.flag(3)?;
        column.default = r.opt_text(4)?.map(|d| parse_default(&d));
        let pk = r.int(5)?;
        if pk > 0 {
            self.pk_members
                .entry(table.to_string())
                .or_default()
                .push((pk, name.clone()));
        }
        let cid = r.int(6)?;
        if let Some((_, ddl)) = self.by_name.get(table.as_ref()) {
            // The column as written, for renderers that write it again (see `Hint`).
            column.declared = Hint(Some(DeclaredColumn {
                ty: declared,
                not_null: ddl.not_null_written.contains(&name),
                default: r.opt_text(4)?,
            }));
        }
        if let Some((_, ddl)) = self.by_name.get(table.as_ref()) {
            let hidden = r.int(7)?;
            if hidden == 2 || hidden == 3 {
                let expression = ddl.generated.iter().find(|(c, _)| *c == column.name);
                column.generated = expression.map(|(_, e)| Generated {
                    expression: e.clone(),
                    stored: hidden == 3,
                });
                // The pragma reports no default for a generated column; be sure of it.
                column.default = None;
            }
            column.collation = ddl
                .collations
                .iter()
                .find(|(c, _)| *c == column.name)
                .map(|(_, co)| co.to_ascii_uppercase());
        }
        match self.columns.get_mut(table.as_ref()) {
            Some(list) => list.push((cid, column)),
            None => {
                self.columns.insert(table.into_owned(), vec![(cid, column)]);
            }
        }
        Ok(())
    }

    pub(super) fn index_column(&mut self, r: &impl CatalogRow) -> Result<(), IntrospectError> {
        self.keys
            .entry((r.text(0)?, r.text(1)?))
            .or_default()
            .push((r.int(2)?, r.opt_text(3)?, r.flag(4)?));
        Ok(())
    }

    pub(super) fn index(&mut self, r: &impl CatalogRow) -> Result<(), IntrospectError> {
        let table = r.str(0)?;
        let Some((t, ddl)) = self.by_name.get_mut(table.as_ref()) else {
            return Ok(());
        };
        let name = r.text(1)?;
        let unique = r.flag(2)?;
        let origin = r.str(3)?;
        if origin == "pk" {
            return Ok(());
        }
        let partial = r.flag(4)?;
        let index_ddl = ddl::parse_create_index(&r.opt_text(5)?.unwrap_or_default());
        let mut parts = self
            .keys
            .remove(&(table.into_owned(), name.clone()))
            .unwrap_or_default();
        parts.sort_by_key(|(seqno, _, _)| *seqno);
        let columns: Vec<IndexColumn> = parts
            .into_iter()
            .enumerate()
            .map(|(i, (_, column, descending))| IndexColumn {
                // Expression key parts have no column name; the CREATE INDEX text has them.
                expression: column.is_none(),
                name: column
                    .or_else(|| index_ddl.key_parts.get(i).cloned())
                    .unwrap_or_default(),
                descending,
                // The COLLATE written in the key part (not the column's own, which the pragma
                // would report too), uppercased: SQLite's collation names ignore case.
                collation: index_ddl
                    .collations
                    .get(i)
                    .cloned()
                    .flatten()
                    .map(|c| c.to_ascii_uppercase()),
                ..Default::default()
            })
            .collect();
        if origin == "u" {
            let names: Vec<String> = columns.into_iter().map(|c| c.name).collect();
            let constraint_name = ddl
                .unique_names
                .iter()
                .find(|(_, cols)| cols == &names)
                .map(|(n, _)| n.clone());
            t.unique_constraints.push(UniqueConstraint {
                name: constraint_name,
                columns: names,
                deferrable: Default::default(),
            });
        } else {
            t.indexes.push(Index {
                name,
                columns,
                unique,
                method: None,
                predicate: if partial { index_ddl.predicate } else { None },
                ..Default::default()
            });
        }
        Ok(())
    }

    /// One pragma row per column pair, grouped by id.
    pub(super) fn foreign_key(&mut self, r: &impl CatalogRow) -> Result<(), IntrospectError> {
        let key = (r.text(0)?, r.int(1)?);
        let to = r.opt_text(4)?;
        let (fk, implicit_target, seqs) = self.fks.entry(key).or_insert_with(|| {
            (
                ForeignKey {
                    name: None,
                    columns: Vec::new(),
                    referenced_table: String::new(),
                    referenced_columns: Vec::new(),
                    on_delete: ReferentialAction::NoAction,
                    on_update: ReferentialAction::NoAction,
                    deferrable: Default::default(),
                },
                false,
                Vec::new(),
            )
        });
        if fk.referenced_table.is_empty() {
            fk.referenced_table = r.text(2)?;
            fk.on_update = ReferentialAction::parse(&r.str(5)?).unwrap_or_default();
            fk.on_delete = ReferentialAction::parse(&r.str(6)?).unwrap_or_default();
        }
        fk.columns.push(r.text(3)?);
        match to {
            Some(to) => fk.referenced_columns.push(to),
            None => *implicit_target = true,
        }
        seqs.push(r.int(7)?);
        Ok(())
    }

    pub(super) fn finish(mut self) -> Schema {
        for (table, mut columns) in std::mem::take(&mut self.columns) {
            if let Some((t, _)) = self.by_name.get_mut(&table) {
                columns.sort_by_key(|(cid, _)| *cid);
                t.columns = columns.into_iter().map(|(_, c)| c).collect();
            }
        }
        for (table, mut members) in std::mem::take(&mut self.pk_members) {
            let Some((t, ddl)) = self.by_name.get_mut(&table) else {
                continue;
            };
            members.sort();
            let names: Vec<String> = members.into_iter().map(|(_, n)| n).collect();
            if let [only] = names.as_slice() {
                if ddl.autoincrement {
                    if let Some(c) = t.column_mut(only) {
                        // Only an INTEGER PRIMARY KEY may carry AUTOINCREMENT; SQLite enforces it.
                        c.auto_increment = true;
                        c.ty = ColumnType::Integer { unsigned: false };
                    }
                }
            }
            // SQLite reports `notnull = 0` for primary-key columns declared without NOT NULL
            // (the rowid alias can never hold NULL; other key columns only can through a legacy
            // quirk). Every other dialect makes key columns NOT NULL, and so do models, so we
            // report them so.
            for n in &names {
                if let Some(c) = t.column_mut(n) {
                    c.nullable = false;
                }
            }
            t.primary_key = Some(PrimaryKey {
                name: ddl.primary_key_name.clone(),
                columns: names,
            });
        }

        // `REFERENCES parent` without columns targets the parent's primary key.
        let primary_keys: BTreeMap<String, Vec<String>> = self
            .by_name
            .iter()
            .filter_map(|(n, (t, _))| Some((n.clone(), t.primary_key.as_ref()?.columns.clone())))
            .collect();
        for ((table, _), (mut fk, implicit_target, seqs)) in std::mem::take(&mut self.fks) {
            // The pragma's rows of one key arrive in `seq` order; sorted anyway, since the query
            // has no ORDER BY.
            if seqs.windows(2).any(|w| w[0] > w[1]) {
                let mut order: Vec<usize> = (0..seqs.len()).collect();
                order.sort_by_key(|&i| seqs[i]);
                fk.columns = order.iter().map(|&i| fk.columns[i].clone()).collect();
                if !implicit_target {
                    fk.referenced_columns = order
                        .iter()
                        .filter_map(|&i| fk.referenced_columns.get(i).cloned())
                        .collect();
                }
            }
            if implicit_target {
                fk.referenced_columns = primary_keys
                    .get(&fk.referenced_table)
                    .cloned()
                    .unwrap_or_default();
            }
            let Some((t, ddl)) = self.by_name.get_mut(&table) else {
                continue;
            };
            fk.name = ddl
                .foreign_key_names
                .iter()
                .find(|(_, cols, target)| cols == &fk.columns && target == &fk.referenced_table)
                .map(|(n, _, _)| n.clone());
            fk.deferrable = ddl
                .foreign_key_deferrable
                .iter()
                .find(|(cols, target, _)| cols == &fk.columns && target == &fk.referenced_table)
                .map_or(Default::default(), |(_, _, how)| *how);
            t.foreign_keys.push(fk);
        }

        let tables = self
            .by_name
            .into_values()
            .map(|(mut t, ddl)| {
                t.checks = ddl.checks;
                t
            })
            .collect();
        Schema {
            tables,
            enums: Vec::new(),
            objects: Vec::new(),
        }
    }
}

/// A declared type as the IR reads it on SQLite, which has no binary `jsonb` column type: a
/// column declared `jsonb` is the JSON text column autogen declares as `json`, so a model asking
/// for jsonb (which canonicalises to json here) matches it.
fn sqlite_type(declared: &str) -> ColumnType {
    match parse_type(declared) {
        ColumnType::Jsonb => ColumnType::Json,
        ty => ty,
    }
}
