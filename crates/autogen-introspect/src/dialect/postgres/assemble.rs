//! PostgreSQL's catalog rows joined into tables: the [`Assembler`] takes the rows of each query
//! in `postgres.rs` as they stream in and builds the [`Schema`]. Catalog rows name tables by oid
//! and columns by attribute number; the names are joined here rather than on the server. It runs
//! no query itself; the text spellings it meets go through `spelling.rs`.

use std::collections::{HashMap, HashSet};

use autogen_schema::{
    normalize_expression, parse_type, Check, Column, ColumnType, EnumType, ForeignKey, Generated,
    Index, IndexColumn, PrimaryKey, Schema, Table, UniqueConstraint,
};
use autogen_schema::{Deferrable, Dialect, Identity, IdentityKind};
use sqlx::postgres::PgRow;

use super::spelling::{
    check_expression, index_key, pg_default, referential_action, replayable, PgDefault,
};
use crate::dialect::Live;
use crate::sqltext::strip_outer_parens;
use crate::IntrospectError;

/// A row of one PostgreSQL catalog query, decoded by column type as the assembler asks.
type Row<'r> = Live<'r, PgRow>;

/// The result sets joined into a schema, one row at a time, in the order `introspect` runs the
/// queries: enums, tables, columns, collations, identity options, defaults, serial columns,
/// constraints, indexes.
#[derive(Default)]
pub(super) struct Assembler {
    /// The project's default schema: its tables are keyed by their bare name, those of every
    /// other schema read by `schema.name` with [`Table::schema`] set.
    default_schema: String,
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
    /// Columns with a collation other than none or the default, until `resolve_collations`:
    /// (table index, column index, collation oid, type oid).
    column_collations: Vec<(usize, usize, i64, i64)>,
    /// The collation of each type in `column_collations`, by type oid.
    type_collations: HashMap<i64, i64>,
    /// The `pg_attrdef` oids of the `nextval(...)` defaults, for `serial_column`.
    nextval_defaults: Vec<i64>,
    /// The names of the operator classes that are not their type's default, by oid: an index
    /// key part using one of these shows it, any other key part uses its type's default.
    opclasses: HashMap<i64, String>,
    /// The names of the collations, by oid, without the database default (100).
    collations: HashMap<i64, String>,
}

impl Assembler {
    pub(super) fn new(default_schema: &str) -> Self {
        Assembler {
            default_schema: default_schema.to_string(),
            ..Assembler::default()
        }
    }

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
        let name: String = r.get(1)?;
        let schema: String = r.get(3)?;
        let mut table = if schema == self.default_schema {
            Table::new(name)
        } else {
            Table {
                name: autogen_schema::qualified_name(Some(&schema), &name),
                schema: Some(schema),
                ..Table::default()
            }
        };
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
        let kind = match r.get::<&str>(5)? {
            "a" => Some(IdentityKind::Always),
            "d" => Some(IdentityKind::ByDefault),
            _ => None,
        };
        column.auto_increment = kind.is_some();
        column.identity = kind.map(|kind| Identity {
            kind,
            start: None,
            increment: None,
        });
        if !r.get::<&str>(6)?.is_empty() {
            self.generated.insert((oid, attnum));
        }
        column.comment = r.get(8)?;
        if let Some(collation) = r.get::<Option<i64>>(9)? {
            let at = self.tables[i].columns.len();
            self.column_collations
                .push((i, at, collation, r.get::<i64>(7)?));
        }
        self.tables[i].columns.push(column);
        self.attnums[i].push(attnum);
        Ok(())
    }

    /// One collation's name (all but the database default).
    pub(super) fn collation(&mut self, r: &Row<'_>) -> Result<(), IntrospectError> {
        self.collations.insert(r.get(0)?, r.get(1)?);
        Ok(())
    }

    /// The types of the columns that have a collation of their own, for `type_collation`.
    pub(super) fn collated_types(&self) -> Vec<i64> {
        let mut types: Vec<i64> = self.column_collations.iter().map(|c| c.3).collect();
        types.sort_unstable();
        types.dedup();
        types
    }

    /// One type's collation.
    pub(super) fn type_collation(&mut self, r: &Row<'_>) -> Result<(), IntrospectError> {
        self.type_collations.insert(r.get(0)?, r.get(1)?);
        Ok(())
    }

    /// Names the columns' collations, now that the names and the types' collations are read:
    /// a column whose collation is its type's own has none.
    pub(super) fn resolve_collations(&mut self) {
        for (i, at, collation, ty) in std::mem::take(&mut self.column_collations) {
            if self.type_collations.get(&ty) == Some(&collation) {
                continue;
            }
            self.tables[i].columns[at].collation = self.collations.get(&collation).cloned();
        }
    }

    /// The options of an identity column's sequence that differs from PostgreSQL's defaults.
    pub(super) fn identity_options(&mut self, r: &Row<'_>) -> Result<(), IntrospectError> {
        let Some((i, pos)) = self.column_at(r.get(0)?, r.get(1)?) else {
            return Ok(());
        };
        let (start, increment): (i64, i64) = (r.get(2)?, r.get(3)?);
        if let Some(identity) = &mut self.tables[i].columns[pos].identity {
            // The defaults PostgreSQL picks: INCREMENT BY 1, and a start at the minimum (1) of
            // an ascending sequence or the maximum (-1) of a descending one.
            identity.increment = (increment != 1).then_some(increment);
            let default_start = if increment > 0 { 1 } else { -1 };
            identity.start = (start != default_start).then_some(start);
        }
        Ok(())
    }

    /// A column default. A `nextval` default is kept as a default and remembered: when it uses
    /// the sequence its column owns, `serial_column` makes it a serial column instead.
    pub(super) fn column_default(&mut self, r: &Row<'_>) -> Result<(), IntrospectError> {
        let oid: i64 = r.get(0)?;
        let attnum: i16 = r.get(1)?;
        let Some((i, pos)) = self.column_at(oid, attnum) else {
            return Ok(());
        };
        let Some(raw) = r.get::<Option<&str>>(2)? else {
            return Ok(());
        };
        let column = &mut self.tables[i].columns[pos];
        if self.generated.contains(&(oid, attnum)) {
            // PostgreSQL 15 has only stored generated columns (`attgenerated = 's'`).
            column.generated = Some(Generated {
                expression: normalize_expression(strip_outer_parens(raw)),
                stored: true,
            });
            return Ok(());
        }
        match pg_default(raw) {
            PgDefault::Sequence { otherwise } => {
                column.default = Some(otherwise);
                self.nextval_defaults.push(r.get(3)?);
            }
            PgDefault::Value(v) => column.default = Some(v),
        }
        Ok(())
    }

    /// The `pg_attrdef` oids of the `nextval(...)` defaults read.
    pub(super) fn nextval_defaults(&self) -> Vec<i64> {
        self.nextval_defaults.clone()
    }

    /// A column whose `nextval` default uses the sequence it owns: a serial column, with no
    /// default of its own.
    pub(super) fn serial_column(&mut self, r: &Row<'_>) -> Result<(), IntrospectError> {
        let Some((i, pos)) = self.column_at(r.get(0)?, r.get(1)?) else {
            return Ok(());
        };
        let column = &mut self.tables[i].columns[pos];
        column.default = None;
        column.auto_increment = true;
        column.identity = Some(Identity {
            kind: IdentityKind::Serial,
            start: None,
            increment: None,
        });
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
        // `condeferred` implies `condeferrable`; primary keys and checks are read without it.
        let deferrable = match (r.get::<bool>(11)?, r.get::<bool>(12)?) {
            (true, true) => Deferrable::Deferred,
            (true, false) => Deferrable::Immediate,
            _ => Deferrable::NotDeferrable,
        };
        let constraint = match r.get::<&str>(2)? {
            "p" => Constraint::Primary(PrimaryKey {
                name: Some(name),
                columns: keys(3, oid)?,
            }),
            "u" => Constraint::Unique(UniqueConstraint {
                name: Some(name),
                columns: keys(3, oid)?,
                deferrable,
            }),
            "f" => {
                let referenced_columns = match r.get::<Option<Vec<String>>>(10)? {
                    Some(names) => names,
                    None => keys(6, r.get(4)?)?,
                };
                // A table this read knows is named by its key (`schema.name` in another
                // managed schema); one outside them by its bare name, as before.
                let referenced_table = match self.by_oid.get(&r.get::<i64>(4)?) {
                    Some(&j) => self.tables[j].name.clone(),
                    None => r.get(5)?,
                };
                Constraint::Foreign(ForeignKey {
                    name: Some(name),
                    columns: keys(3, oid)?,
                    referenced_table,
                    referenced_columns,
                    on_delete: referential_action(r.get(7)?),
                    on_update: referential_action(r.get(8)?),
                    deferrable,
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

    /// One operator class that is not its type's default.
    pub(super) fn opclass(&mut self, r: &Row<'_>) -> Result<(), IntrospectError> {
        self.opclasses.insert(r.get(0)?, r.get(1)?);
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
        let nums: Vec<i16> = r.get(5)?;
        let names = match r.get::<Option<Vec<String>>>(7)? {
            Some(keys) => keys.iter().map(|k| index_key(k)).collect(),
            None => self
                .column_names(oid, &nums)
                .ok_or_else(|| r.invalid(5, "a key names an unknown column"))?,
        };
        let include_nums: Vec<i16> = r.get(8)?;
        let include = self
            .column_names(oid, &include_nums)
            .ok_or_else(|| r.invalid(8, "an INCLUDE column is unknown"))?;
        let classes: Vec<i64> = r.get(9)?;
        let collations: Vec<i64> = r.get(12)?;
        let table = &self.tables[i];
        // A key part's collation is shown when it is not the one the key would have anyway:
        // its column's own (`Column::collation`, None for the default), or for an expression the
        // one PostgreSQL derives from the columns it reads (`upper(name)` on a column collated
        // `und-x-icu` is keyed in `und-x-icu` without a word about it), when they agree on one.
        let collation = |k: usize, name: &str| -> Option<String> {
            let used = self.collations.get(collations.get(k)?)?;
            let own = if nums.get(k) == Some(&0) {
                let mut read = autogen_normalize::identifiers(Dialect::Postgres, name)
                    .into_iter()
                    .filter_map(|id| table.column(&id))
                    .map(|c| c.collation.as_deref());
                match read.next() {
                    Some(first) if read.all(|c| c == first) => first,
                    _ => None,
                }
            } else {
                table.column(name).and_then(|c| c.collation.as_deref())
            };
            (own != Some(used.as_str())).then(|| used.clone())
        };
        let columns = names
            .into_iter()
            .enumerate()
            .map(|(k, name)| {
                // indoption: bit 0 is DESC, bit 1 NULLS FIRST. NULLS FIRST is the default for
                // DESC and NULLS LAST for ASC, so only the other order is shown.
                let option = options.get(k).copied().unwrap_or(0);
                let descending = option & 1 == 1;
                let nulls_first = option & 2 == 2;
                IndexColumn {
                    descending,
                    // Attribute number 0 marks an expression key part.
                    expression: nums.get(k) == Some(&0),
                    opclass: classes.get(k).and_then(|c| self.opclasses.get(c)).cloned(),
                    nulls_first: (nulls_first != descending).then_some(nulls_first),
                    collation: collation(k, &name),
                    name,
                    ..Default::default()
                }
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
                .map(|p| replayable(&normalize_expression(strip_outer_parens(p)))),
            include,
            nulls_not_distinct: r.get(10)?,
            comment: r.get(11)?,
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
            objects: Vec::new(),
        }
    }

    /// Where column `attnum` of table `oid` is: (table index, column index), `None` for a table
    /// or column not read.
    fn column_at(&self, oid: i64, attnum: i16) -> Option<(usize, usize)> {
        let i = *self.by_oid.get(&oid)?;
        let pos = self.attnums[i].iter().position(|&a| a == attnum)?;
        Some((i, pos))
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
