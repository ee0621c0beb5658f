//! The models' expressions as the server prints them, for every comparison that has a live
//! connection to the database it compares with (autogenerate, check, diff against a URL, the dev
//! database). A CHECK expression, an expression default or an index predicate is stored by the
//! server as a parse tree and printed back in its own spelling, which no folding key fully
//! undoes; `autogen_introspect::print_expressions` lets the server print the model's expression
//! in a temporary table, so the two sides compare print against print.
//!
//! Only what the differ's keys (`autogen_normalize`) do not already match is sent: in a database
//! that is in sync nothing is printed and nothing is created. An expression is printed when its
//! table is new, or when the live table's expression of the same name (column, index; for an
//! unnamed check, any of the table's checks) differs from it by more than the keys fold.

use std::collections::HashMap;

use autogen_db::Connection;
use autogen_diff::Change;
use autogen_introspect::{Expression, Printed, Spelling};
use autogen_normalize::{same_default, same_expression};
use autogen_schema::{ColumnType, DefaultValue, Dialect, Index, Schema, Table};

use crate::ops::source::Side;

/// Has the server print the expressions of `models` (canonical for `dialect`) that do not
/// already match `database` by key, through `conn`, and takes the database's text for those
/// whose print matches (see [`apply`]). `conn` is a connection to the database `database` was
/// read from, or to one of the same dialect. What the server printed, or
/// refused, is kept in `models.printed`. Never fails: when the server cannot print at all (a
/// read-only standby refuses even temporary tables), the models keep their text and the usual
/// comparison applies.
pub(crate) async fn print_models(
    conn: &mut Connection,
    dialect: Dialect,
    models: &mut Side,
    database: &Schema,
) {
    // Declared views and triggers are printed by the server too (`objects.rs`).
    crate::ops::objects::print_objects(conn, dialect, models).await;
    // SQLite prints back the text it was given: nothing to ask it.
    if dialect == Dialect::Sqlite {
        return;
    }
    let wanted = to_print(dialect, &models.schema, database);
    if wanted.tables.is_empty() {
        return;
    }
    let type_sql = move |ty: &ColumnType| autogen_sql::type_sql(dialect, ty);
    let default_sql = move |d: &DefaultValue| autogen_sql::default_sql(dialect, d);
    let quote = move |s: &str| autogen_sql::quote_ident(dialect, s);
    let spelling = Spelling {
        type_sql: &type_sql,
        default_sql: &default_sql,
        quote: &quote,
    };
    let Ok(printed) = autogen_introspect::print_expressions(conn, &wanted, &spelling).await else {
        return;
    };
    apply(dialect, &mut models.schema, &printed, database);
    models.printed = printed;
}

/// The part of `models` worth printing: per table, the checks, expression defaults and
/// predicates `database` does not already match, with all the table's columns (they give the
/// expressions their types).
fn to_print(dialect: Dialect, models: &Schema, database: &Schema) -> Schema {
    let live: HashMap<&str, &Table> = database
        .tables
        .iter()
        .map(|t| (t.name.as_str(), t))
        .collect();
    let mut tables = Vec::new();
    for model in &models.tables {
        let live = live.get(model.name.as_str()).copied();
        let mut t = model.clone();
        t.checks.retain(|c| {
            let matched = live.is_some_and(|l| {
                l.checks.iter().any(|lc| {
                    (c.name.is_none() || lc.name == c.name)
                        && same_expression(dialect, &lc.expression, &c.expression)
                })
            });
            !matched
        });
        for column in &mut t.columns {
            if !matches!(column.default, Some(DefaultValue::Expression(_))) {
                continue;
            }
            let matched = live.and_then(|l| l.column(&column.name)).is_some_and(|lc| {
                same_default(dialect, lc.default.as_ref(), column.default.as_ref())
            });
            if matched {
                column.default = None;
            }
        }
        t.indexes.retain(|ix| {
            let Some(p) = &ix.predicate else {
                return false;
            };
            let matched = live
                .and_then(|l| l.indexes.iter().find(|li| li.name == ix.name))
                .and_then(|li: &Index| li.predicate.as_deref())
                .is_some_and(|lp| same_expression(dialect, lp, p));
            !matched
        });
        let any_default = t
            .columns
            .iter()
            .any(|c| matches!(c.default, Some(DefaultValue::Expression(_))));
        if !t.checks.is_empty() || !t.indexes.is_empty() || any_default {
            tables.push(t);
        }
    }
    Schema {
        tables,
        ..Schema::default()
    }
}

/// Where the server's print of a model expression matches the database's expression (by the
/// dialect's key), puts the database's own text in place of the model's: the two are the same
/// constraint, default or predicate, and nothing changes. Where it does not match (a new table,
/// a real change), the model keeps the text its author wrote, so the revision shows that text
/// rather than the server's respelling (`kind IN ('a', 'b')`, not `((kind)::text = ANY
/// ((ARRAY['a'::character varying, ...])::text[]))`); after the upgrade the next comparison
/// prints it again and finds it equal.
fn apply(dialect: Dialect, models: &mut Schema, printed: &[Printed], database: &Schema) {
    let mut at: HashMap<String, usize> = HashMap::new();
    for (i, t) in models.tables.iter().enumerate() {
        at.insert(t.name.clone(), i);
    }
    let live: HashMap<&str, &Table> = database
        .tables
        .iter()
        .map(|t| (t.name.as_str(), t))
        .collect();
    for p in printed {
        let (Some(&i), Ok(server), Some(live)) = (
            at.get(&p.table),
            &p.server,
            live.get(p.table.as_str()).copied(),
        ) else {
            continue;
        };
        let table = &mut models.tables[i];
        match (&p.model, server) {
            (Expression::Check { name, sql }, Expression::Check { sql: print, .. }) => {
                let by_name = name
                    .as_ref()
                    .and_then(|n| live.checks.iter().find(|c| c.name.as_ref() == Some(n)));
                let counterpart = by_name
                    .filter(|c| same_expression(dialect, &c.expression, print))
                    .or_else(|| {
                        live.checks
                            .iter()
                            .find(|c| same_expression(dialect, &c.expression, print))
                    });
                if let (Some(db), Some(c)) = (
                    counterpart,
                    table
                        .checks
                        .iter_mut()
                        .find(|c| &c.name == name && &c.expression == sql),
                ) {
                    c.expression = db.expression.clone();
                }
            }
            (Expression::Default { column, .. }, Expression::Default { value, .. }) => {
                let db = live.column(column).and_then(|c| c.default.as_ref());
                if let (Some(db), Some(c)) = (db, table.column_mut(column)) {
                    if same_default(dialect, Some(db), Some(value)) {
                        c.default = Some(db.clone());
                    }
                }
            }
            (Expression::Predicate { index, .. }, Expression::Predicate { sql: print, .. }) => {
                let db = live
                    .indexes
                    .iter()
                    .find(|ix| &ix.name == index)
                    .and_then(|ix| ix.predicate.as_ref());
                if let (Some(db), Some(ix)) =
                    (db, table.indexes.iter_mut().find(|ix| &ix.name == index))
                {
                    if same_expression(dialect, db, print) {
                        ix.predicate = Some(db.clone());
                    }
                }
            }
            _ => {}
        }
    }
}

/// A model expression that the server stores in a spelling the folding key does not match: a
/// comparison that cannot ask the server to print (no temporary tables allowed, as on a
/// read-only standby) would see it as drift after the upgrade.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Respelled {
    pub table: String,
    /// `CHECK ck_x`, `DEFAULT of created_at`, `WHERE of index ix_live`.
    pub object: String,
    /// As the models write it.
    pub model: String,
    /// As the server stores and prints it.
    pub server: String,
}

impl Respelled {
    pub fn message(&self) -> String {
        format!(
            "{}: the server stores {} `{}` as `{}`; autogen compares the server's print where it can create temporary tables, but a comparison without them (a read-only standby) will report drift; write the model as the server prints it to compare equal everywhere",
            self.table, self.object, self.model, self.server
        )
    }
}

/// The expressions of the tables `changes` touch that the server respells beyond what
/// `dialect`'s keys fold (see [`Respelled`]), for a warning when the revision is generated.
pub(crate) fn respelled(
    dialect: Dialect,
    printed: &[Printed],
    changes: &[Change],
) -> Vec<Respelled> {
    let touched: std::collections::HashSet<&str> =
        changes.iter().filter_map(|c| c.table()).collect();
    printed
        .iter()
        .filter(|p| touched.contains(p.table.as_str()))
        .filter_map(|p| {
            let server = p.server.as_ref().ok()?;
            let differs = match (&p.model, server) {
                (Expression::Default { value: m, .. }, Expression::Default { value: s, .. }) => {
                    !same_default(dialect, Some(m), Some(s))
                }
                (m, s) => !same_expression(dialect, &m.text(), &s.text()),
            };
            differs.then(|| Respelled {
                table: p.table.clone(),
                object: p.model.object(),
                model: p.model.text(),
                server: server.text(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use autogen_schema::{Check, Column};

    fn table(check: &str, default: Option<&str>) -> Table {
        let mut t = Table::new("t");
        let mut c = Column::new(
            "ts",
            ColumnType::Timestamp {
                with_time_zone: false,
            },
        );
        c.default = default.map(|d| DefaultValue::Expression(d.into()));
        t.columns.push(c);
        t.checks.push(Check {
            name: Some("ck".into()),
            expression: check.into(),
        });
        t
    }

    fn schema(t: Table) -> Schema {
        Schema {
            tables: vec![t],
            ..Schema::default()
        }
    }

    #[test]
    fn only_what_the_key_does_not_match_is_printed() {
        let pg = Dialect::Postgres;
        let models = schema(table("ts > '2020-01-01'", Some("clock_timestamp()")));
        let same = schema(table("(ts > '2020-01-01')", Some("clock_timestamp()")));
        assert!(to_print(pg, &models, &same).tables.is_empty());
        let respelled = schema(table(
            "ts > '2020-01-01 00:00:00'::timestamp without time zone",
            Some("statement_timestamp()"),
        ));
        let wanted = to_print(pg, &models, &respelled);
        assert_eq!(wanted.tables.len(), 1);
        assert_eq!(wanted.tables[0].checks.len(), 1);
        assert!(wanted.tables[0].columns[0].default.is_some());
        // A table the database does not have is printed whole.
        assert_eq!(to_print(pg, &models, &Schema::default()), models);
    }
}
