//! PostgreSQL hazards: which of the statements the PostgreSQL renderer writes lock, rewrite or
//! scan a table, per server version (see `crate::hazard`). The lock levels are PostgreSQL's
//! documented ones (the `ALTER TABLE` and `CREATE INDEX` reference pages); what rewrites is
//! what PostgreSQL skips a rewrite for (binary-coercible type changes, PostgreSQL 11's
//! non-volatile `ADD COLUMN` defaults).
//!
//! Most changes are classified after rendering by [`Postgres::classify`], which sees the change
//! and the statements it became; a column change's type and `SET NOT NULL` steps and an enum's
//! per-column conversions are classified where they are written (`postgres.rs`,
//! `postgres_enum.rs`), through the functions here.

use autogen_diff::Change;
use autogen_schema::{Column, ColumnType, DefaultValue, Table};

use super::postgres::{mentions, Postgres};
use super::SqlDialect;
use crate::hazard::{rename_hazard, set};
use crate::{Hazard, HazardKind, Statement};

const WAITS_ALL: &str = "reads and writes wait";

impl Postgres {
    /// Attaches the hazard of `change` to the statement of `rendered` (what `change` was
    /// rendered into) that carries it, unless one is attached already.
    pub(super) fn classify(&self, change: &Change, rendered: &mut [Statement]) {
        let hazard = match change {
            Change::AddIndex { table, index } => Some(Hazard::new(
                HazardKind::IndexBuild,
                table,
                format!(
                    "CREATE {}INDEX without CONCURRENTLY holds a SHARE lock for the whole build: writes wait{}",
                    if index.unique { "UNIQUE " } else { "" },
                    if index.unique { "; fails on duplicate rows" } else { "" }
                ),
            )),
            Change::DropIndex { table, .. } => Some(Hazard::new(
                HazardKind::IndexDrop,
                table,
                "DROP INDEX without CONCURRENTLY takes an ACCESS EXCLUSIVE lock: it waits for running queries on the table and every query waits behind it",
            )),
            Change::AddForeignKey { table, foreign_key } => Some(Hazard::new(
                HazardKind::ForeignKey,
                table,
                format!(
                    "validated at once: SHARE ROW EXCLUSIVE on {table} and {} while every row is checked (writes wait); fails on a row without a match",
                    foreign_key.referenced_table
                ),
            )),
            Change::AddCheck { table, .. } => Some(Hazard::new(
                HazardKind::Check,
                table,
                format!("validated at once: ACCESS EXCLUSIVE while every row is checked ({WAITS_ALL}); fails on a row that violates it"),
            )),
            Change::AddUnique { table, .. } => Some(Hazard::new(
                HazardKind::UniqueBuild,
                table,
                format!("the unique index is built under ACCESS EXCLUSIVE ({WAITS_ALL} for the whole build); fails on duplicate rows"),
            )),
            Change::AlterPrimaryKey {
                table, to: Some(_), ..
            } => {
                // The ADD is the last statement (after the old key's DROP).
                if let Some(last) = rendered.last_mut() {
                    set(
                        last,
                        Hazard::new(
                            HazardKind::PrimaryKeyBuild,
                            table,
                            format!("the index of the key is built (and its columns checked for NULLs) under ACCESS EXCLUSIVE ({WAITS_ALL} for the whole build); fails on duplicates or NULLs"),
                        ),
                    );
                }
                None
            }
            Change::RenameTable { from, to } => Some(rename_hazard(from, &format!("table {from} becomes {to}"))),
            Change::RenameColumn { table, from, to } => Some(rename_hazard(
                table,
                &format!("column {table}.{from} becomes {to}"),
            )),
            Change::AddColumn { table, column } => self.add_column_hazard(table, column),
            _ => None,
        };
        if let (Some(hazard), Some(first)) = (hazard, rendered.first_mut()) {
            set(first, hazard);
        }
    }

    /// `ADD COLUMN` rewrites the table when every row needs its own value: a volatile default,
    /// an identity or serial column, a stored generated column, and before PostgreSQL 11 any
    /// default at all.
    pub(super) fn add_column_hazard(&self, table: &str, column: &Column) -> Option<Hazard> {
        let rewrite = |kind, why: String| {
            Some(Hazard::new(
                kind,
                table,
                format!("{why}: the table is rewritten under ACCESS EXCLUSIVE ({WAITS_ALL})"),
            ))
        };
        let name = &column.name;
        if column.generated.is_some() {
            return rewrite(
                HazardKind::Rewrite,
                format!("the stored generated column {name} is computed for every row"),
            );
        }
        if column.auto_increment {
            return rewrite(
                HazardKind::VolatileDefault,
                format!("{name} is filled from its sequence for every row"),
            );
        }
        match &column.default {
            Some(DefaultValue::Expression(e)) if volatile(e) => rewrite(
                HazardKind::VolatileDefault,
                format!("the volatile default of {name} is computed for every row"),
            ),
            Some(d) if *d != DefaultValue::Null && !self.server.at_least(11, 0) => rewrite(
                HazardKind::VolatileDefault,
                format!(
                    "PostgreSQL {} writes the default of {name} into every row (11 and later do not)",
                    self.server
                ),
            ),
            _ => None,
        }
    }

    /// The hazard of an `ALTER COLUMN ... TYPE` (or `COLLATE`) of `column` that PostgreSQL makes
    /// without rewriting `table` but that still reads every row under ACCESS EXCLUSIVE: the
    /// CHECKs that read the column are checked again, and after a collation change the
    /// indexes and keys on the column are rebuilt. `None` when neither applies (a widening of a
    /// column no CHECK reads changes only the catalog). Found by observing these steps on a dev
    /// database (`autogen::ops::observed`).
    pub(super) fn recheck_hazard(
        &self,
        table: &Table,
        column: &str,
        collation_changed: bool,
    ) -> Option<Hazard> {
        let checks: Vec<&str> = table
            .checks
            .iter()
            .filter(|c| mentions(&c.expression, column))
            .map(|c| c.name.as_deref().unwrap_or("unnamed"))
            .collect();
        let mut indexes: Vec<&str> = Vec::new();
        if collation_changed {
            indexes.extend(
                table
                    .indexes
                    .iter()
                    .filter(|i| {
                        i.columns.iter().any(|c| {
                            if c.expression {
                                mentions(&c.name, column)
                            } else {
                                c.name == column
                            }
                        })
                    })
                    .map(|i| i.name.as_str()),
            );
            indexes.extend(
                table
                    .unique_constraints
                    .iter()
                    .filter(|u| u.columns.iter().any(|c| c == column))
                    .map(|u| u.name.as_deref().unwrap_or("unnamed")),
            );
            if let Some(pk) = &table.primary_key {
                if pk.columns.iter().any(|c| c == column) {
                    indexes.push(pk.name.as_deref().unwrap_or("the primary key"));
                }
            }
        }
        let name = &table.name;
        match (checks.is_empty(), indexes.is_empty()) {
            (true, true) => None,
            (false, true) => Some(Hazard::new(
                HazardKind::Check,
                name,
                format!(
                    "the CHECKs reading {column} ({}) are checked again against every row under ACCESS EXCLUSIVE ({WAITS_ALL}); the table is not rewritten",
                    checks.join(", ")
                ),
            )),
            (_, false) => Some(Hazard::new(
                HazardKind::IndexBuild,
                name,
                format!(
                    "the collation of {column} changes: its indexes ({}) are rebuilt{} under ACCESS EXCLUSIVE ({WAITS_ALL}); the table is not rewritten",
                    indexes.join(", "),
                    if checks.is_empty() {
                        String::new()
                    } else {
                        format!(" and its CHECKs ({}) checked again", checks.join(", "))
                    }
                ),
            )),
        }
    }

    /// The hazard of `ALTER COLUMN ... TYPE` from `from` to `to`, `None` when PostgreSQL changes
    /// only the catalog (a binary-coercible change: varchar widening, varchar to text, a numeric
    /// precision increase at the same scale).
    pub(super) fn type_change_hazard(
        &self,
        table: &str,
        column: &str,
        from: &ColumnType,
        to: &ColumnType,
    ) -> Option<Hazard> {
        if !rewrites(from, to) {
            return None;
        }
        Some(Hazard::new(
            HazardKind::Rewrite,
            table,
            format!(
                "{column} from {} to {} rewrites the table and rebuilds its indexes under ACCESS EXCLUSIVE ({WAITS_ALL})",
                self.type_sql(from),
                self.type_sql(to)
            ),
        ))
    }

    /// The hazard of `SET NOT NULL` on `column`.
    pub(super) fn set_not_null_hazard(&self, table: &str, column: &str) -> Hazard {
        Hazard::new(
            HazardKind::SetNotNull,
            table,
            format!("every row is scanned for a NULL in {column} under ACCESS EXCLUSIVE ({WAITS_ALL}); fails on a NULL"),
        )
    }

    /// The hazard of converting `table.column` to a replaced enum type.
    pub(super) fn enum_rebuild_hazard(&self, table: &str, column: &str, ty: &str) -> Hazard {
        Hazard::new(
            HazardKind::EnumRebuild,
            table,
            format!("{column} is converted to the new type {ty}: the table is rewritten under ACCESS EXCLUSIVE ({WAITS_ALL}); fails on a value the new type lacks"),
        )
    }
}

/// Whether PostgreSQL rewrites the table to change a column from `from` to `to`: every change
/// does except the binary-coercible ones it recognises (a length limit raised or removed, varchar
/// to text, a numeric precision raised at the same scale or removed).
fn rewrites(from: &ColumnType, to: &ColumnType) -> bool {
    use ColumnType::*;
    match (from, to) {
        (Varchar { length: Some(a) }, Varchar { length: Some(b) }) => b < a,
        (Varchar { .. }, Varchar { length: None } | Text) => false,
        (Text, Varchar { length: None }) => false,
        (
            Decimal {
                precision: Some(p1),
                scale: s1,
            },
            Decimal {
                precision: Some(p2),
                scale: s2,
            },
        ) => !(p2 >= p1 && s1.unwrap_or(0) == s2.unwrap_or(0)),
        (
            Decimal { .. },
            Decimal {
                precision: None, ..
            },
        ) => false,
        (Array(a), Array(b)) => rewrites(a, b),
        _ => from != to,
    }
}

/// Whether a default expression calls a function PostgreSQL marks volatile (evaluated per row),
/// among the ones defaults use: `now()` and `CURRENT_TIMESTAMP` are stable, so PostgreSQL 11 and
/// later store them once instead of rewriting.
pub(super) fn volatile(expression: &str) -> bool {
    const VOLATILE: &[&str] = &[
        "random(",
        "gen_random_uuid(",
        "uuid_generate_v1(",
        "uuid_generate_v1mc(",
        "uuid_generate_v4(",
        "clock_timestamp(",
        "timeofday(",
        "nextval(",
        "txid_current(",
    ];
    let lower = expression.to_ascii_lowercase().replace(' ', "");
    VOLATILE.iter().any(|f| lower.contains(f))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binary_coercible_type_changes_do_not_rewrite() {
        use ColumnType::*;
        let v = |n| Varchar { length: Some(n) };
        let num = |p, s| Decimal {
            precision: Some(p),
            scale: Some(s),
        };
        assert!(!rewrites(&v(20), &v(50)));
        assert!(rewrites(&v(50), &v(20)));
        assert!(!rewrites(&v(20), &Text));
        assert!(!rewrites(&num(10, 2), &num(12, 2)));
        assert!(rewrites(&num(10, 2), &num(12, 3)));
        assert!(rewrites(
            &Integer { unsigned: false },
            &BigInt { unsigned: false }
        ));
        assert!(rewrites(&Text, &v(10)));
        assert!(volatile("gen_random_uuid()"));
        assert!(volatile("random ()"));
        assert!(!volatile("now()"));
    }
}
