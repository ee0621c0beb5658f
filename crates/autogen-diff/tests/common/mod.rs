//! Shared test helpers: schema builders, a validity checker that applies a change list one step
//! at a time and fails at the first step that leaves a dangling reference, and a normaliser that
//! compares schemas the way the differ does (order and constraint names ignored).

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;

use autogen_diff::{apply, apply_all, diff, downgrade, Change, DiffOptions};
use autogen_schema::{
    Check, Column, ColumnType, EnumType, ForeignKey, Index, IndexColumn, PrimaryKey,
    ReferentialAction, RenameHints, Schema, Table, UniqueConstraint,
};

pub fn int(name: &str) -> Column {
    Column::new(name, ColumnType::Integer { unsigned: false })
}

pub fn varchar(name: &str, n: u32) -> Column {
    Column::new(name, ColumnType::Varchar { length: Some(n) })
}

pub fn text(name: &str) -> Column {
    Column::new(name, ColumnType::Text)
}

pub fn enum_col(name: &str, ty: &EnumType) -> Column {
    Column::new(
        name,
        ColumnType::Enum {
            name: ty.name.clone(),
            values: ty.values.clone(),
        },
    )
}

pub fn enum_type(name: &str, values: &[&str]) -> EnumType {
    EnumType {
        name: name.into(),
        values: values.iter().map(|v| v.to_string()).collect(),
    }
}

pub trait ColumnExt {
    fn null(self) -> Self;
}

impl ColumnExt for Column {
    fn null(mut self) -> Self {
        self.nullable = true;
        self
    }
}

/// A table with an integer `id` primary key plus `columns`.
pub fn table(name: &str, columns: Vec<Column>) -> Table {
    let mut t = Table::new(name);
    t.columns.push(int("id"));
    t.columns.extend(columns);
    t.primary_key = Some(PrimaryKey {
        name: Some(format!("pk_{name}")),
        columns: vec!["id".into()],
    });
    t
}

pub trait TableExt {
    fn index(self, name: &str, columns: &[&str]) -> Self;
    fn unique(self, columns: &[&str]) -> Self;
    fn fk(self, columns: &[&str], target: &str, target_columns: &[&str]) -> Self;
    fn check(self, name: Option<&str>, expression: &str) -> Self;
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

impl TableExt for Table {
    fn index(mut self, name: &str, columns: &[&str]) -> Self {
        self.indexes.push(Index {
            name: name.into(),
            columns: columns.iter().map(|c| IndexColumn::asc(*c)).collect(),
            unique: false,
            method: None,
            predicate: None,
            ..Default::default()
        });
        self
    }
    fn unique(mut self, columns: &[&str]) -> Self {
        self.unique_constraints.push(UniqueConstraint {
            name: Some(format!("uq_{}_{}", self.name, columns.join("_"))),
            columns: strings(columns),
            deferrable: Default::default(),
        });
        self
    }
    fn fk(mut self, columns: &[&str], target: &str, target_columns: &[&str]) -> Self {
        self.foreign_keys.push(ForeignKey {
            name: Some(format!("fk_{}_{}_{target}", self.name, columns.join("_"))),
            columns: strings(columns),
            referenced_table: target.into(),
            referenced_columns: strings(target_columns),
            on_delete: ReferentialAction::NoAction,
            on_update: ReferentialAction::NoAction,
            deferrable: Default::default(),
        });
        self
    }
    fn check(mut self, name: Option<&str>, expression: &str) -> Self {
        self.checks.push(Check {
            name: name.map(str::to_string),
            expression: expression.into(),
        });
        self
    }
}

pub fn schema(tables: Vec<Table>, enums: Vec<EnumType>) -> Schema {
    Schema {
        tables,
        enums,
        objects: Vec::new(),
    }
}

/// Every reference in `s` points at something that exists: key and index columns, foreign key
/// targets (table, columns, and a primary key or unique constraint covering them) and named enum
/// types used by columns.
pub fn check_valid(s: &Schema) -> Result<(), String> {
    for t in &s.tables {
        let has = |c: &str| t.column(c).is_some();
        let need = |what: &str, cols: &[String]| -> Result<(), String> {
            match cols.iter().find(|c| !has(c)) {
                Some(c) => Err(format!("{what} on {} uses missing column {c}", t.name)),
                None => Ok(()),
            }
        };
        if let Some(pk) = &t.primary_key {
            need("primary key", &pk.columns)?;
        }
        for ix in &t.indexes {
            let cols: Vec<String> = ix.columns.iter().map(|c| c.name.clone()).collect();
            need(&format!("index {}", ix.name), &cols)?;
        }
        for u in &t.unique_constraints {
            need("unique", &u.columns)?;
        }
        for fk in &t.foreign_keys {
            need("foreign key", &fk.columns)?;
            let target = s.table(&fk.referenced_table).ok_or_else(|| {
                format!(
                    "foreign key on {} references missing table {}",
                    t.name, fk.referenced_table
                )
            })?;
            let wanted: BTreeSet<&String> = fk.referenced_columns.iter().collect();
            let covered = target
                .primary_key
                .iter()
                .map(|pk| pk.columns.iter().collect::<BTreeSet<_>>())
                .chain(
                    target
                        .unique_constraints
                        .iter()
                        .map(|u| u.columns.iter().collect()),
                )
                .any(|k| k == wanted);
            if !covered {
                return Err(format!(
                    "foreign key on {} references {}({:?}) which has no key on those columns",
                    t.name, fk.referenced_table, fk.referenced_columns
                ));
            }
        }
        for c in &t.columns {
            if let ColumnType::Enum { name, .. } = &c.ty {
                if s.enum_type(name).is_none() {
                    return Err(format!("{}.{} uses missing enum {name}", t.name, c.name));
                }
            }
        }
    }
    Ok(())
}

/// Applies `changes` one by one, checking validity after each step.
pub fn apply_checked(start: &Schema, changes: &[Change]) -> Schema {
    check_valid(start).unwrap_or_else(|e| panic!("start schema invalid: {e}"));
    let mut s = start.clone();
    for (i, c) in changes.iter().enumerate() {
        apply(&mut s, c, '"').unwrap_or_else(|e| panic!("step {i} `{}` failed: {e}", c.describe()));
        if let Err(e) = check_valid(&s) {
            let steps: Vec<String> = changes.iter().map(Change::describe).collect();
            panic!(
                "step {i} `{}` leaves the schema invalid: {e}\nsteps:\n  {}",
                c.describe(),
                steps.join("\n  ")
            );
        }
    }
    s
}

/// `s` as the differ sees it: tables, columns, enums and constraints sorted; names of primary
/// keys, unique constraints and foreign keys removed (they are matched by content).
pub fn normalize(s: &Schema) -> Schema {
    let mut s = s.clone();
    s.tables.sort_by(|a, b| a.name.cmp(&b.name));
    s.enums.sort_by(|a, b| a.name.cmp(&b.name));
    for t in &mut s.tables {
        t.columns.sort_by(|a, b| a.name.cmp(&b.name));
        if let Some(pk) = &mut t.primary_key {
            pk.name = None;
        }
        t.indexes.sort_by(|a, b| a.name.cmp(&b.name));
        for u in &mut t.unique_constraints {
            u.name = None;
        }
        t.unique_constraints
            .sort_by(|a, b| a.columns.cmp(&b.columns));
        for fk in &mut t.foreign_keys {
            fk.name = None;
        }
        t.foreign_keys
            .sort_by(|a, b| format!("{a:?}").cmp(&format!("{b:?}")));
        t.checks
            .sort_by(|a, b| format!("{a:?}").cmp(&format!("{b:?}")));
    }
    s
}

/// The full round trip for one pair: the upgrade is valid at every step and lands on `to`, the
/// downgrade is valid at every step and lands back on `from`, and diffing again finds nothing.
pub fn round_trip(case: &str, from: &Schema, to: &Schema, renames: RenameHints) -> Vec<Change> {
    let options = DiffOptions {
        renames,
        ..DiffOptions::default()
    };
    let changes = diff(from, to, &options).unwrap_or_else(|e| panic!("{case}: {e}"));
    let upgraded = apply_checked(from, &changes);
    assert_eq!(normalize(&upgraded), normalize(to), "{case}: upgrade");
    assert_eq!(
        diff(&upgraded, to, &options).unwrap(),
        vec![],
        "{case}: diff after upgrade"
    );
    // Autogenerating again with the same (now stale) hints must find nothing either.
    assert_eq!(
        diff(
            &apply_all(from, &changes, options.identifier_quote).unwrap(),
            to,
            &options
        )
        .unwrap(),
        vec![],
        "{case}: stale hints"
    );
    let down = downgrade(&changes);
    let downgraded = apply_checked(to, &down);
    assert_eq!(normalize(&downgraded), normalize(from), "{case}: downgrade");
    assert_eq!(
        diff(&downgraded, from, &DiffOptions::default()).unwrap(),
        vec![],
        "{case}: diff after downgrade"
    );
    changes
}
