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

use std::collections::BTreeMap;

use autogen_schema::{
    parse_default, parse_type, Column, ColumnType, ForeignKey, Index, IndexColumn, PrimaryKey,
    ReferentialAction, Schema, Table, UniqueConstraint,
};
use sqlx::sqlite::{SqliteConnection, SqliteRow};
use sqlx::{Row, TypeInfo, ValueRef};

use super::{Cell, Record};
use crate::{IntrospectError, IntrospectOptions, IntrospectStats};

/// The tables autogen reads: ordinary tables, not SQLite's own and not virtual tables.
const TABLE_FILTER: &str = "m.type = 'table' AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\' \
     AND coalesce(m.sql, '') NOT LIKE 'CREATE VIRTUAL TABLE%'";

pub(super) async fn introspect(
    conn: &mut SqliteConnection,
    _options: &IntrospectOptions,
    stats: &mut IntrospectStats,
) -> Result<Schema, IntrospectError> {
    let tables = fetch(
        conn,
        stats,
        "sqlite tables",
        &format!("SELECT m.name, m.sql FROM sqlite_master m WHERE {TABLE_FILTER} ORDER BY m.name"),
    )
    .await?;
    let columns = fetch(
        conn,
        stats,
        "sqlite columns",
        &format!(
            "SELECT m.name, p.name, p.type, p.\"notnull\", p.dflt_value, p.pk \
             FROM sqlite_master m JOIN pragma_table_info(m.name) p \
             WHERE {TABLE_FILTER} ORDER BY m.name, p.cid"
        ),
    )
    .await?;
    let indexes = fetch(
        conn,
        stats,
        "sqlite indexes",
        &format!(
            "SELECT m.name, il.name, il.\"unique\", il.origin, il.partial, ix.sql \
             FROM sqlite_master m JOIN pragma_index_list(m.name) il \
             LEFT JOIN sqlite_master ix ON ix.type = 'index' AND ix.name = il.name \
             WHERE {TABLE_FILTER} ORDER BY m.name, il.name"
        ),
    )
    .await?;
    let index_columns = fetch(
        conn,
        stats,
        "sqlite index columns",
        &format!(
            "SELECT m.name, il.name, x.seqno, x.name, x.\"desc\" \
             FROM sqlite_master m JOIN pragma_index_list(m.name) il \
             JOIN pragma_index_xinfo(il.name) x \
             WHERE {TABLE_FILTER} AND x.\"key\" = 1 ORDER BY m.name, il.name, x.seqno"
        ),
    )
    .await?;
    let foreign_keys = fetch(
        conn,
        stats,
        "sqlite foreign keys",
        &format!(
            "SELECT m.name, f.id, f.\"table\", f.\"from\", f.\"to\", f.on_update, f.on_delete \
             FROM sqlite_master m JOIN pragma_foreign_key_list(m.name) f \
             WHERE {TABLE_FILTER} ORDER BY m.name, f.id, f.seq"
        ),
    )
    .await?;
    assemble(&tables, &columns, &indexes, &index_columns, &foreign_keys)
}

/// The one function every SQLite catalog query goes through (it counts them).
async fn fetch(
    conn: &mut SqliteConnection,
    stats: &mut IntrospectStats,
    label: &'static str,
    sql: &str,
) -> Result<Vec<Record>, IntrospectError> {
    stats.queries += 1;
    let rows =
        sqlx::query(sql)
            .fetch_all(&mut *conn)
            .await
            .map_err(|e| IntrospectError::Query {
                query: label,
                message: e.to_string(),
            })?;
    rows.iter().map(|r| decode(label, r)).collect()
}

fn decode(label: &'static str, row: &SqliteRow) -> Result<Record, IntrospectError> {
    let mut cells = Vec::with_capacity(row.len());
    for i in 0..row.len() {
        let err = |e: sqlx::Error| IntrospectError::Decode {
            query: label,
            column: i,
            message: e.to_string(),
        };
        let raw = row.try_get_raw(i).map_err(err)?;
        if raw.is_null() {
            cells.push(Cell::Null);
            continue;
        }
        // Compared in place: an uppercased copy per cell was 400,000 allocations at 5,000
        // tables.
        let info = raw.type_info();
        let type_name = info.name();
        let is = |t: &str| type_name.eq_ignore_ascii_case(t);
        let cell = if is("INTEGER") || is("BOOLEAN") || is("INT8") {
            Cell::Int(row.try_get_unchecked::<i64, _>(i).map_err(err)?)
        } else if is("BLOB") {
            Cell::Text(
                String::from_utf8_lossy(&row.try_get_unchecked::<Vec<u8>, _>(i).map_err(err)?)
                    .into_owned(),
            )
        } else {
            Cell::Text(row.try_get_unchecked::<String, _>(i).map_err(err)?)
        };
        cells.push(cell);
    }
    Ok(Record::new(label, cells))
}

/// Joins the five result sets into tables. Pure, so it is tested without a database too.
fn assemble(
    tables: &[Record],
    columns: &[Record],
    indexes: &[Record],
    index_columns: &[Record],
    foreign_keys: &[Record],
) -> Result<Schema, IntrospectError> {
    let mut by_name: BTreeMap<String, (Table, ddl::TableDdl)> = BTreeMap::new();
    for r in tables {
        let name = r.text(0)?;
        let ddl = ddl::parse_create_table(&r.opt_text(1)?.unwrap_or_default());
        by_name.insert(name.clone(), (Table::new(name), ddl));
    }

    // Columns, and primary-key members with their position in the key.
    let mut pk_members: BTreeMap<String, Vec<(i64, String)>> = BTreeMap::new();
    for r in columns {
        let table = r.text(0)?;
        let Some((t, _)) = by_name.get_mut(&table) else {
            continue;
        };
        let name = r.text(1)?;
        let declared = r.opt_text(2)?.unwrap_or_default();
        let mut column = Column::new(name.clone(), parse_type(&declared));
        column.nullable = !r.flag(3)?;
        column.default = r.opt_text(4)?.map(|d| parse_default(&d));
        let pk = r.int(5)?;
        if pk > 0 {
            pk_members.entry(table).or_default().push((pk, name));
        }
        t.columns.push(column);
    }
    for (table, mut members) in pk_members {
        let Some((t, ddl)) = by_name.get_mut(&table) else {
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
        // SQLite reports `notnull = 0` for primary-key columns declared without NOT NULL (the
        // rowid alias can never hold NULL; other key columns only can through a legacy quirk).
        // Every other dialect makes key columns NOT NULL, and so do models, so we report them so.
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

    // Index key columns, grouped per index.
    // (table, index) -> key parts as (column name, descending); expressions have no name.
    type KeyParts = Vec<(Option<String>, bool)>;
    let mut keys: BTreeMap<(String, String), KeyParts> = BTreeMap::new();
    for r in index_columns {
        keys.entry((r.text(0)?, r.text(1)?))
            .or_default()
            .push((r.opt_text(3)?, r.flag(4)?));
    }
    for r in indexes {
        let table = r.text(0)?;
        let name = r.text(1)?;
        let Some((t, ddl)) = by_name.get_mut(&table) else {
            continue;
        };
        let unique = r.flag(2)?;
        let origin = r.text(3)?;
        let partial = r.flag(4)?;
        let index_ddl = ddl::parse_create_index(&r.opt_text(5)?.unwrap_or_default());
        let parts = keys.remove(&(table, name.clone())).unwrap_or_default();
        let columns: Vec<IndexColumn> = parts
            .into_iter()
            .enumerate()
            .map(|(i, (column, descending))| IndexColumn {
                // Expression key parts have no column name; the CREATE INDEX text has them.
                name: column
                    .or_else(|| index_ddl.key_parts.get(i).cloned())
                    .unwrap_or_default(),
                descending,
            })
            .collect();
        match origin.as_str() {
            "pk" => {}
            "u" => {
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
            }
            _ => t.indexes.push(Index {
                name,
                columns,
                unique,
                method: None,
                predicate: if partial { index_ddl.predicate } else { None },
            }),
        }
    }

    // Foreign keys: one pragma row per column pair, grouped by id.
    let mut fks: BTreeMap<(String, i64), (ForeignKey, bool)> = BTreeMap::new();
    for r in foreign_keys {
        let key = (r.text(0)?, r.int(1)?);
        let to = r.opt_text(4)?;
        let entry = fks.entry(key).or_insert_with(|| {
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
            )
        });
        let (fk, implicit_target) = entry;
        fk.referenced_table = r.text(2)?;
        fk.columns.push(r.text(3)?);
        match to {
            Some(to) => fk.referenced_columns.push(to),
            None => *implicit_target = true,
        }
        fk.on_update = ReferentialAction::parse(&r.text(5)?).unwrap_or_default();
        fk.on_delete = ReferentialAction::parse(&r.text(6)?).unwrap_or_default();
    }
    // `REFERENCES parent` without columns targets the parent's primary key.
    let primary_keys: BTreeMap<String, Vec<String>> = by_name
        .iter()
        .filter_map(|(n, (t, _))| Some((n.clone(), t.primary_key.as_ref()?.columns.clone())))
        .collect();
    for ((table, _), (mut fk, implicit_target)) in fks {
        if implicit_target {
            fk.referenced_columns = primary_keys
                .get(&fk.referenced_table)
                .cloned()
                .unwrap_or_default();
        }
        let Some((t, ddl)) = by_name.get_mut(&table) else {
            continue;
        };
        fk.name = ddl
            .foreign_key_names
            .iter()
            .find(|(_, cols, target)| cols == &fk.columns && target == &fk.referenced_table)
            .map(|(n, _, _)| n.clone());
        t.foreign_keys.push(fk);
    }

    let tables = by_name
        .into_values()
        .map(|(mut t, ddl)| {
            t.checks = ddl.checks;
            t
        })
        .collect();
    Ok(Schema {
        tables,
        enums: Vec::new(),
    })
}
