//! PostgreSQL's catalog rows joined into tables: the [`Assembler`] takes the rows of each query
//! in `postgres.rs` as they stream in and builds the [`Schema`]. Catalog rows name tables by oid
//! and columns by attribute number; the names are joined here rather than on the server. It runs
//! no query itself; the text spellings it meets go through `spelling.rs`.

use std::collections::{HashMap, HashSet};

use autogen_schema::{
    normalize_expression, parse_type, Check, Column, ColumnType, EnumType, ForeignKey, Generated,
    Index, IndexColumn, PrimaryKey, Schema, Table, UniqueConstraint,
};
use autogen_schema::{Identity, IdentityKind};
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
    /// Sequences owned by a column through an auto dependency (what `serial` creates), by
    /// (table oid, attnum), as `regclass` prints them: a `nextval` of exactly that sequence is
    /// the serial form; a `nextval` of any other sequence is an ordinary default.
    owned_sequences: HashMap<(i64, i16), String>,
    /// The names of the operator classes that are not their type's default, by oid: an index
    /// key part using one of these shows it, any other key part uses its type's default.
    opclasses: HashMap<i64, String>,
    /// The names of the collations indexes use, by oid, without the database default (100).
    index_collations: HashMap<i64, String>,
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
        column.collation = r.get(9)?;
        self.tables[i].columns.push(column);
        self.attnums[i].push(attnum);
        Ok(())
    }

    /// A sequence owned by a column: an identity's own (`deptype` `i`), whose options are the
    /// identity's, or one a `serial` column created (`a`), remembered for `column_default`.
    pub(super) fn owned_sequence(&mut self, r: &Row<'_>) -> Result<(), IntrospectError> {
        let oid: i64 = r.get(0)?;
        let attnum: i16 = r.get(1)?;
        let Some(&i) = self.by_oid.get(&oid) else {
            return Ok(());
        };
        let Some(pos) = self.attnums[i].iter().position(|&a| a == attnum) else {
            return Ok(());
        };
        match r.get::<&str>(2)? {
            "i" => {
                let (start, increment): (i64, i64) = (r.get(3)?, r.get(4)?);
                if let Some(identity) = &mut self.tables[i].columns[pos].identity {
                    // The defaults PostgreSQL picks: INCREMENT BY 1, and a start at the minimum
                    // (1) of an ascending sequence or the maximum (-1) of a descending one.
                    identity.increment = (increment != 1).then_some(increment);
                    let default_start = if increment > 0 { 1 } else { -1 };
                    identity.start = (start != default_start).then_some(start);
                }
            }
            _ => {
                self.owned_sequences.insert((oid, attnum), r.get(5)?);
            }
        }
        Ok(())
    }

    /// A column default. `nextval` of the sequence the column owns makes it a serial column (no
    /// default of its own); `nextval` of any other sequence is a default like any other.
    pub(super) fn column_default(&mut self, r: &Row<'_>) -> Result<(), IntrospectError> {
        let oid: i64 = r.get(0)?;
        let attnum: i16 = r.get(1)?;
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
        if self.generated.contains(&(oid, attnum)) {
            // PostgreSQL 15 has only stored generated columns (`attgenerated = 's'`).
            column.generated = Some(Generated {
                expression: normalize_expression(strip_outer_parens(raw)),
                stored: true,
            });
            return Ok(());
        }
        match pg_default(raw) {
            PgDefault::Sequence {
                sequence,
                otherwise,
            } => {
                if self.owned_sequences.get(&(oid, attnum)) == Some(&sequence) {
                    column.auto_increment = true;
                    column.identity = Some(Identity {
                        kind: IdentityKind::Serial,
                        start: None,
                        increment: None,
                    });
                } else {
                    column.default = Some(otherwise);
                }
            }
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
    /// One operator class that is not its type's default.
    pub(super) fn opclass(&mut self, r: &Row<'_>) -> Result<(), IntrospectError> {
        self.opclasses.insert(r.get(0)?, r.get(1)?);
        Ok(())
    }

    /// One collation some index uses.
    pub(super) fn collation(&mut self, r: &Row<'_>) -> Result<(), IntrospectError> {
        self.index_collations.insert(r.get(0)?, r.get(1)?);
        Ok(())
    }

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
        // its column's own (`Column::collation`, None for the default), or the default for an
        // expression.
        let collation = |k: usize, name: &str| -> Option<String> {
            let used = self.index_collations.get(collations.get(k)?)?;
            let own = if nums.get(k) == Some(&0) {
                None
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
                .map(|p| normalize_expression(strip_outer_parens(p))),
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
