//! SQLite: `sqlite_master` joined with the pragma table-valued functions (`pragma_table_info`,
//! `pragma_index_list`, `pragma_index_xinfo`, `pragma_foreign_key_list`), five queries for the
//! whole file. What the pragmas do not report (CHECK constraints, constraint names,
//! AUTOINCREMENT, partial-index predicates, expression index keys) is read from the stored
//! CREATE statements by `sqlite/ddl.rs`.
//!
//! Decisions:
//! - `auto_increment` is true only for the rowid alias (the single INTEGER PRIMARY KEY column)
//!   of a table whose CREATE TABLE contains the AUTOINCREMENT keyword. A bare INTEGER PRIMARY
//!   KEY also hands out rowids, but without AUTOINCREMENT it may reuse them; the renderer writes
//!   `INTEGER PRIMARY KEY AUTOINCREMENT` for auto_increment keys, so this is the reading that
//!   round-trips. `sqlite_sequence` is not consulted: it only has a row after the first insert.
//! - Declared types are kept as written by SQLite and go through `parse_type` (`varchar(255)`,
//!   `boolean`, `uuid` all map); a column declared without a type becomes `Other("")`.
//! - Indexes with origin `c` are secondary indexes, origin `u` are UNIQUE constraints (named
//!   when CREATE TABLE names them), origin `pk` is the primary key and skipped.
//! - Generated columns are hidden from `pragma_table_info` and therefore not reported; the IR
//!   has no notion of them. Virtual tables are skipped (their pragmas need the module loaded).
//! - SQLite has no comments.

mod ddl;

use std::borrow::Cow;
use std::collections::BTreeMap;

use autogen_schema::{
    parse_default, parse_type, Column, ColumnType, ForeignKey, Index, IndexColumn, PrimaryKey,
    ReferentialAction, Schema, Table, UniqueConstraint,
};
use sqlx::sqlite::{SqliteConnection, SqliteRow};
use sqlx::Row;

use super::{each_row, CatalogRow, Cell, DecodeCell};
use crate::{IntrospectError, IntrospectOptions, IntrospectStats};

/// The tables autogen reads: ordinary tables, not SQLite's own and not virtual tables.
const TABLE_FILTER: &str = "m.type = 'table' AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\' \
     AND coalesce(m.sql, '') NOT LIKE 'CREATE VIRTUAL TABLE%'";

pub(super) async fn introspect(
    conn: &mut SqliteConnection,
    _options: &IntrospectOptions,
    stats: &mut IntrospectStats,
) -> Result<Schema, IntrospectError> {
    // Each query's rows go to the assembler as the driver returns them (see `each_row`). No
    // ORDER BY: the assembler puts columns and key parts in order itself.
    let mut a = Assembler::default();
    let sql =
        format!("SELECT m.name, m.sql FROM sqlite_master m WHERE {TABLE_FILTER} ORDER BY m.name");
    each_row(&mut *conn, stats, "sqlite tables", &sql, |r| a.table(r)).await?;
    let sql = format!(
        "SELECT m.name, p.name, p.type, p.\"notnull\", p.dflt_value, p.pk, p.cid \
         FROM sqlite_master m JOIN pragma_table_info(m.name) p WHERE {TABLE_FILTER}"
    );
    each_row(&mut *conn, stats, "sqlite columns", &sql, |r| a.column(r)).await?;
    let sql = format!(
        "SELECT m.name, il.name, x.seqno, x.name, x.\"desc\" \
         FROM sqlite_master m JOIN pragma_index_list(m.name) il \
         JOIN pragma_index_xinfo(il.name) x \
         WHERE {TABLE_FILTER} AND x.\"key\" = 1"
    );
    each_row(&mut *conn, stats, "sqlite index columns", &sql, |r| {
        a.index_column(r)
    })
    .await?;
    let sql = format!(
        "SELECT m.name, il.name, il.\"unique\", il.origin, il.partial, ix.sql \
         FROM sqlite_master m JOIN pragma_index_list(m.name) il \
         LEFT JOIN sqlite_master ix ON ix.type = 'index' AND ix.name = il.name \
         WHERE {TABLE_FILTER}"
    );
    each_row(&mut *conn, stats, "sqlite indexes", &sql, |r| a.index(r)).await?;
    let sql = format!(
        "SELECT m.name, f.id, f.\"table\", f.\"from\", f.\"to\", f.on_update, f.on_delete, f.seq \
         FROM sqlite_master m JOIN pragma_foreign_key_list(m.name) f WHERE {TABLE_FILTER}"
    );
    each_row(&mut *conn, stats, "sqlite foreign keys", &sql, |r| {
        a.foreign_key(r)
    })
    .await?;
    Ok(a.finish())
}

/// A SQLite catalog cell, by the storage class SQLite reports for the value.
impl DecodeCell for SqliteRow {
    fn decode(&self, i: usize, type_name: &str) -> Result<Cell<'_>, sqlx::Error> {
        let is = |t: &str| type_name.eq_ignore_ascii_case(t);
        Ok(if is("INTEGER") || is("BOOLEAN") || is("INT8") {
            Cell::Int(self.try_get_unchecked::<i64, _>(i)?)
        } else if is("BLOB") {
            Cell::Text(String::from_utf8_lossy(
                self.try_get_unchecked::<&[u8], _>(i)?,
            ))
        } else {
            Cell::Text(Cow::Borrowed(self.try_get_unchecked::<&str, _>(i)?))
        })
    }
}

/// (table, index) -> key parts as (position, column name, descending); expressions have no
/// name.
type KeyParts = Vec<(i64, Option<String>, bool)>;

/// The five result sets joined into tables, one row at a time. The queries arrive in the
/// order `introspect` runs them: tables, columns, index key parts, indexes, foreign keys.
#[derive(Default)]
struct Assembler {
    by_name: BTreeMap<String, (Table, ddl::TableDdl)>,
    /// Per table: columns with their `cid`, and primary-key members with their position.
    columns: BTreeMap<String, Vec<(i64, Column)>>,
    pk_members: BTreeMap<String, Vec<(i64, String)>>,
    keys: BTreeMap<(String, String), KeyParts>,
    /// (table, id) -> the key, whether it names no target columns, its rows' `seq`.
    fks: BTreeMap<(String, i64), (ForeignKey, bool, Vec<i64>)>,
}

impl Assembler {
    fn table(&mut self, r: &impl CatalogRow) -> Result<(), IntrospectError> {
        let name = r.text(0)?;
        let ddl = ddl::parse_create_table(&r.opt_text(1)?.unwrap_or_default());
        self.by_name.insert(name.clone(), (Table::new(name), ddl));
        Ok(())
    }

    fn column(&mut self, r: &impl CatalogRow) -> Result<(), IntrospectError> {
        let table = r.str(0)?;
        if !self.by_name.contains_key(table.as_ref()) {
            return Ok(());
        }
        let name = r.text(1)?;
        let declared = r.opt_text(2)?.unwrap_or_default();
        let mut column = Column::new(name.clone(), parse_type(&declared));
        column.nullable = !r.flag(3)?;
        column.default = r.opt_text(4)?.map(|d| parse_default(&d));
        let pk = r.int(5)?;
        if pk > 0 {
            self.pk_members
                .entry(table.to_string())
                .or_default()
                .push((pk, name));
        }
        let cid = r.int(6)?;
        match self.columns.get_mut(table.as_ref()) {
            Some(list) => list.push((cid, column)),
            None => {
                self.columns.insert(table.into_owned(), vec![(cid, column)]);
            }
        }
        Ok(())
    }

    fn index_column(&mut self, r: &impl CatalogRow) -> Result<(), IntrospectError> {
        self.keys
            .entry((r.text(0)?, r.text(1)?))
            .or_default()
            .push((r.int(2)?, r.opt_text(3)?, r.flag(4)?));
        Ok(())
    }

    fn index(&mut self, r: &impl CatalogRow) -> Result<(), IntrospectError> {
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
                name: column
                    .or_else(|| index_ddl.key_parts.get(i).cloned())
                    .unwrap_or_default(),
                descending,
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
            });
        } else {
            t.indexes.push(Index {
                name,
                columns,
                unique,
                method: None,
                predicate: if partial { index_ddl.predicate } else { None },
            });
        }
        Ok(())
    }

    /// One pragma row per column pair, grouped by id.
    fn foreign_key(&mut self, r: &impl CatalogRow) -> Result<(), IntrospectError> {
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

    fn finish(mut self) -> Schema {
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
        }
    }
}
