//! PostgreSQL's catalog rows joined into tables: the [`Assembler`] takes the rows of each query
//! in `postgres.rs` as they stream in and builds the [`Schema`]. Catalog rows name tables by oid
//! and columns by attribute number; the names are joined here rather than on the server. It runs
//! no query itself; the text spellings it meets go through `spelling.rs`.

use std::collections::{HashMap, HashSet};

use autogen_schema::{
    normalize_expression, parse_type, Check, Column, ColumnType, EnumType, ForeignKey, Index,
    IndexColumn, PrimaryKey, Schema, Table, UniqueConstraint,
};
use sqlx::postgres::PgRow;

use super::spelling::{check_expression, index_key, pg_default, referential_action, PgDefault};
use crate::dialect::Live;
use crate::sqltext::strip_outer_parens;
use crate::IntrospectError;

/// A row of one PostgreSQL catalog query, decoded by column type as the assembler asks.
type Row<'r> = Live<'r, PgRow>;

/// The result sets joined into a schema, one row at a time, in the order `introspect` runs the
/// queries: enums, tables, columns, defaults, constraints, indexes.
#[derive(Default)]
pub(super) struct Assembler {
    /// The schema's own enums, in oid order with their labels in `enumsortorder`.
    enums: Vec<EnumType>,
    /// Every enum type of the database by oid, for columns whose type lives in another schema.
    enum_types: HashMap<i64, (String, Vec<String>)>,
    tables: Vec<Table>,
    by_oid: HashMap<i64, usize>,
    /// Per table, the `attnum` of each column, parallel to `Table::columns`.
    attnums: Vec<Vec<i16>>,
    /// Generated columns by (table oid, attnum): their expression is stored as a default and is
    /// not one.
    generated: HashSet<(i64, i16)>,
}

impl Assembler {
    /// One enum label; rows arrive by type oid, labels in their sort order.
    pub(super) fn enum_label(&mut self, r: &Row<'_>) -> Result<(), IntrospectError> {
        let label: String = r.get(2)?;
        let entry = self
            .enum_types
            .entry(r.get(0)?)
            .or_insert_with(|| (String::new(), Vec::new()));
        if entry.0.is_empty() {
            entry.0 = r.get(1)?;
        }
        if r.get::<bool>(3)? {
            match self.enums.last_mut() {
                Some(e) if e.name == entry.0 => e.values.push(label.clone()),
                _ => self.enums.push(EnumType {
                    name: entry.0.clone(),
                    values: vec![label.clone()],
                }),
            }
        }
        entry.1.push(label);
        Ok(())
    }

    pub(super) fn table(&mut self, r: &Row<'_>) -> Result<(), IntrospectError> {
        let mut table = Table::new(r.get::<String>(1)?);
        table.comment = r.get(2)?;
        self.by_oid.insert(r.get(0)?, self.tables.len());
        self.tables.push(table);
        self.attnums.push(Vec::new());
        Ok(())
    }

    pub(super) fn column(&mut self, r: &Row<'_>) -> Result<(), IntrospectError> {
        let oid: i64 = r.get(0)?;
        let attnum: i16 = r.get(1)?;
        let Some(&i) = self.by_oid.get(&oid) else {
            return Ok(());
        };
        let ty = match self.enum_types.get(&r.get::<i64>(7)?) {
            Some((name, values)) => ColumnType::Enum {
                name: name.clone(),
                values: values.clone(),
            },
            None => parse_type(r.get::<&str>(3)?),
        };
        let mut column = Column::new(r.get::<String>(2)?, ty);
        column.nullable = !r.get::<bool>(4)?;
        column.auto_increment = !r.get::<&str>(5)?.is_empty();
        if !r.get::<&str>(6)?.is_empty() {
            self.generated.insert((oid, attnum));
        }
        column.comment = r.get(8)?;
        self.tables[i].columns.push(column);
        self.attnums[i].push(attnum);
        Ok(())
    }

    /// A column default; a `nextval(...)` default makes the column auto-increment instead.
    pub(super) fn column_default(&mut self, r: &Row<'_>) -> Result<(), IntrospectError> {
        let oid: i64 = r.get(0)?;
        let attnum: i16 = r.get(1)?;
        if self.generated.contains(&(oid, attnum)) {
            return Ok(());
        }
        let Some(&i) = self.by_oid.get(&oid) else {
            return Ok(());
        };
        let Some(pos) = self.attnums[i].iter().position(|&a| a == attnum) else {
            return Ok(());
        };
        let Some(raw) = r.get::<Option<&str>>(2)? else {
            return Ok(());
        };
        let column = &mut self.tables[i].columns[pos];
        match pg_default(raw) {
            PgDefault::Sequence => column.auto_increment = true,
            PgDefault::Value(v) => column.default = Some(v),
        }
        Ok(())
    }

    /// A primary key, unique, foreign key or check constraint. Key columns come as attribute
    /// numbers, resolved against the columns read before; a foreign key to a table outside the
    /// schema (not read) brings its column names along.
    pub(super) fn constraint(&mut self, r: &Row<'_>) -> Result<(), IntrospectError> {
        let oid: i64 = r.get(0)?;
        let Some(&i) = self.by_oid.get(&oid) else {
            return Ok(());
        };
        let name: String = r.get(1)?;
        let keys = |col: usize, of: i64| -> Result<Vec<String>, IntrospectError> {
            let nums: Vec<i16> = r.get::<Option<Vec<i16>>>(col)?.unwrap_or_default();
            self.column_names(of, &nums)
                .ok_or_else(|| r.invalid(col, "a key names an unknown column"))
        };
        let constraint = match r.get::<&str>(2)? {
            "p" => Constraint::Primary(PrimaryKey {
                name: Some(name),
                columns: keys(3, oid)?,
            }),
            "u" => Constraint::Unique(UniqueConstraint {
                name: Some(name),
                columns: keys(3, oid)?,
            }),
            "f" => {
                let referenced_columns = match r.get::<Option<Vec<String>>>(10)? {
                    Some(names) => names,
                    None => keys(6, r.get(4)?)?,
                };
                Constraint::Foreign(ForeignKey {
                    name: Some(name),
                    columns: keys(3, oid)?,
                    referenced_table: r.get(5)?,
                    referenced_columns,
                    on_delete: referential_action(r.get(7)?),
                    on_update: referential_action(r.get(8)?),
                })
            }
            "c" => Constraint::Check(Check {
                name: Some(name),
                expression: check_expression(r.get(9)?),
            }),
            _ => return Ok(()),
        };
        let table = &mut self.tables[i];
        match constraint {
            Constraint::Primary(pk) => table.primary_key = Some(pk),
            Constraint::Unique(u) => table.unique_constraints.push(u),
            Constraint::Foreign(fk) => table.foreign_keys.push(fk),
            Constraint::Check(ck) => table.checks.push(ck),
        }
        Ok(())
    }

    /// A secondary index. Plain keys are attribute numbers; an index with expressions comes with
    /// each key printed by `pg_get_indexdef`.
    pub(super) fn index(&mut self, r: &Row<'_>) -> Result<(), IntrospectError> {
        let oid: i64 = r.get(0)?;
        let Some(&i) = self.by_oid.get(&oid) else {
            return Ok(());
        };
        let options: Vec<i16> = r.get(6)?;
        let names = match r.get::<Option<Vec<String>>>(7)? {
            Some(keys) => keys.iter().map(|k| index_key(k)).collect(),
            None => {
                let nums: Vec<i16> = r.get(5)?;
                self.column_names(oid, &nums)
                    .ok_or_else(|| r.invalid(5, "a key names an unknown column"))?
            }
        };
        let columns = names
            .into_iter()
            .enumerate()
            .map(|(k, name)| IndexColumn {
                name,
                descending: options.get(k).is_some_and(|o| o & 1 == 1),
            })
            .collect();
        let method: String = r.get(3)?;
        self.tables[i].indexes.push(Index {
            name: r.get(1)?,
            columns,
            unique: r.get(2)?,
            method: (method != "btree").then_some(method),
            predicate: r
                .get::<Option<&str>>(4)?
                .map(|p| normalize_expression(strip_outer_parens(p))),
        });
        Ok(())
    }

    /// The schema, columns in their physical order.
    pub(super) fn finish(self) -> Schema {
        let mut tables = self.tables;
        for (table, nums) in tables.iter_mut().zip(&self.attnums) {
            let mut order: Vec<(i16, Column)> = nums
                .iter()
                .copied()
                .zip(std::mem::take(&mut table.columns))
                .collect();
            order.sort_by_key(|(n, _)| *n);
            table.columns = order.into_iter().map(|(_, c)| c).collect();
        }
        Schema {
            tables,
            enums: self.enums,
        }
    }

    /// The names of columns `nums` of table `oid`, in order; `None` when a number is unknown.
    fn column_names(&self, oid: i64, nums: &[i16]) -> Option<Vec<String>> {
        let i = *self.by_oid.get(&oid)?;
        nums.iter()
            .map(|n| {
                let pos = self.attnums[i].iter().position(|a| a == n)?;
                Some(self.tables[i].columns[pos].name.clone())
            })
            .collect()
    }
}

/// What one constraint row becomes, built while the row's keys borrow the tables and attached
/// once that borrow ends.
enum Constraint {
    Primary(PrimaryKey),
    Unique(UniqueConstraint),
    Foreign(ForeignKey),
    Check(Check),
}
