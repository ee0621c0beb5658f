//! The server's own print of the models' expressions. PostgreSQL and MariaDB/MySQL store a CHECK
//! expression, an expression default or an index predicate as a parse tree and print it back in
//! their own spelling (`ts > '2020-01-01'` comes back from PostgreSQL as
//! `ts > '2020-01-01 00:00:00'::timestamp without time zone`, `BETWEEN` as two comparisons,
//! MariaDB lowercases and backquotes). No folding key can undo every such rewrite, but the
//! server can do it for us: [`print_expressions`] creates temporary tables carrying the models'
//! expressions and reads them back through the very code that reads the live tables, so a model
//! expression and the live one compare print against print, which is exact.
//!
//! Nothing is left behind. PostgreSQL: one transaction that is always rolled back (temporary
//! tables and their indexes, never touching a real table; if the process dies the server rolls
//! the transaction back). MariaDB/MySQL: `CREATE TEMPORARY TABLE`, which is session-private and
//! commits nothing, dropped again with `DROP TEMPORARY TABLE` (which can never drop a real
//! table); the server drops them with the session too. SQLite stores the text it is given
//! verbatim and `sqlite_master` hands it back unchanged, so there is nothing to print there:
//! [`print_expressions`] returns nothing there.
//!
//! An expression the server refuses (an unknown function, a type that does not exist yet) is
//! reported with the server's message and its model text stays as it was: the comparison then
//! falls back to comparing text, and must not fail because of it.

use std::collections::HashMap;

use autogen_db::Connection;
use autogen_schema::{ColumnType, DefaultValue, Schema, Table};

use crate::IntrospectError;

/// How the renderer spells what the temporary tables are made of, so that they are built the way
/// a revision would build the real ones. The facade passes autogen-sql's functions (this crate
/// does not depend on the renderer).
pub struct Spelling<'a> {
    /// A column type in DDL.
    pub type_sql: &'a (dyn Fn(&ColumnType) -> String + Sync),
    /// A default after `DEFAULT`.
    pub default_sql: &'a (dyn Fn(&DefaultValue) -> String + Sync),
    /// A quoted identifier.
    pub quote: &'a (dyn Fn(&str) -> String + Sync),
}

/// One model expression, as the models spell it or as the server printed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expression {
    /// A CHECK constraint (named or not) and its expression.
    Check { name: Option<String>, sql: String },
    /// A column's default (an [`DefaultValue::Expression`] on the model side; the server's print
    /// may read back as any kind of default, e.g. a cast literal as a string).
    Default { column: String, value: DefaultValue },
    /// A partial index's predicate.
    Predicate { index: String, sql: String },
}

impl Expression {
    /// The object it belongs to, for messages: `CHECK ck_x`, `DEFAULT of created_at`,
    /// `WHERE of ix_live`.
    pub fn object(&self) -> String {
        match self {
            Expression::Check { name: Some(n), .. } => format!("CHECK {n}"),
            Expression::Check { name: None, .. } => "unnamed CHECK".into(),
            Expression::Default { column, .. } => format!("DEFAULT of {column}"),
            Expression::Predicate { index, .. } => format!("WHERE of index {index}"),
        }
    }

    /// The expression's text (a default as the schema text spells it).
    pub fn text(&self) -> String {
        match self {
            Expression::Check { sql, .. } | Expression::Predicate { sql, .. } => sql.clone(),
            Expression::Default { value, .. } => match value {
                DefaultValue::Expression(e) => e.clone(),
                other => other.to_string(),
            },
        }
    }
}

/// What the server made of one model expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Printed {
    pub table: String,
    /// The expression as the models have it.
    pub model: Expression,
    /// The server's print of it, read back as the introspector reads live tables; or the
    /// server's reason for refusing it (then the model's text is all there is).
    pub server: Result<Expression, String>,
}

/// Asks the server behind `conn` to print every expression of `schema`: each table's CHECK
/// constraints, its [`DefaultValue::Expression`] defaults and its index predicates (pass only
/// the tables and expressions worth printing; the other columns give the expressions their
/// types). One [`Printed`] per expression, in table order.
///
/// The temporary tables are first created all at once, then (when the server refuses one) one
/// per table, then one per expression, so a refused expression costs only itself. An error is
/// returned only when the connection itself fails (or, on PostgreSQL, the transaction cannot be
/// opened, as on a read-only standby); callers keep the model text then. On SQLite it returns
/// nothing: SQLite prints back exactly what it was given.
pub async fn print_expressions(
    conn: &mut Connection,
    schema: &Schema,
    spelling: &Spelling<'_>,
) -> Result<Vec<Printed>, IntrospectError> {
    let mut names = Names::default();
    let units: Vec<Unit<'_>> = schema
        .tables
        .iter()
        .filter_map(|t| Unit::whole(t, &mut names))
        .collect();
    if units.is_empty() {
        return Ok(Vec::new());
    }
    let (server, refused) = match conn {
        // SQLite keeps the CREATE statement's text and introspection reads it back from
        // there, so the model's text is already exactly what the database will hold: there is
        // nothing to print.
        Connection::Sqlite(_) => return Ok(Vec::new()),
        Connection::Postgres(c) => {
            let mut printer = crate::dialect::postgres::Printer::new(c, spelling);
            create_and_read(&mut printer, units.clone(), &mut names).await?
        }
        Connection::Mysql(c) => {
            let mut printer = crate::dialect::mysql::Printer::new(c, spelling);
            create_and_read(&mut printer, units.clone(), &mut names).await?
        }
    };
    let read: HashMap<&str, &Table> = server.tables.iter().map(|t| (t.name.as_str(), t)).collect();
    let mut out = Vec::new();
    for unit in &units {
        for (model, temp) in unit.expressions() {
            let server = match refused.get(&temp) {
                Some(reason) => Err(reason.clone()),
                None => find_print(&read, &model, &temp)
                    .ok_or_else(|| "the server did not report it back".to_string()),
            };
            out.push(Printed {
                table: unit.table.name.clone(),
                model,
                server,
            });
        }
    }
    Ok(out)
}

/// The server's print of `model`, which was created under the temporary names `temp`.
fn find_print(read: &HashMap<&str, &Table>, model: &Expression, temp: &Temp) -> Option<Expression> {
    let table = read.get(temp.table.as_str())?;
    Some(match model {
        Expression::Check { name, .. } => Expression::Check {
            name: name.clone(),
            sql: table
                .checks
                .iter()
                .find(|c| c.name.as_deref() == Some(temp.object.as_str()))?
                .expression
                .clone(),
        },
        Expression::Default { column, .. } => Expression::Default {
            column: column.clone(),
            value: table.column(column)?.default.clone()?,
        },
        Expression::Predicate { index, .. } => Expression::Predicate {
            index: index.clone(),
            sql: table
                .indexes
                .iter()
                .find(|i| i.name == temp.object)?
                .predicate
                .clone()?,
        },
    })
}

/// Creates `units` (all at once, then per table, then per expression, as the server allows),
/// reads back what was created and always cleans up. Returns the tables read back and, by
/// temporary name, the server's reasons for the expressions it refused.
async fn create_and_read<P: Printer>(
    printer: &mut P,
    units: Vec<Unit<'_>>,
    names: &mut Names,
) -> Result<(Schema, HashMap<Temp, String>), IntrospectError> {
    printer.begin().await?;
    let result = async {
        let mut created: Vec<Unit<'_>> = Vec::new();
        let mut refused = HashMap::new();
        if printer.create(&units).await?.is_ok() {
            created = units;
        } else {
            for unit in units {
                if printer.create(std::slice::from_ref(&unit)).await?.is_ok() {
                    created.push(unit);
                    continue;
                }
                for single in unit.split(names) {
                    match printer.create(std::slice::from_ref(&single)).await? {
                        Ok(()) => created.push(single),
                        Err(reason) => {
                            for (_, temp) in single.expressions() {
                                // The temporary names of the whole-table unit are the ones the
                                // caller looks up; `split` kept them for the objects.
                                refused.insert(temp, reason.clone());
                            }
                        }
                    }
                }
            }
        }
        let mut schema = printer.read(&created).await?;
        // The per-expression units have tables of their own: report them under the whole-table
        // unit's name, which the caller looks up.
        for unit in &created {
            if let Some(original) = &unit.renamed_from {
                if let Some(t) = schema.tables.iter_mut().find(|t| t.name == unit.temp) {
                    t.name = original.clone();
                }
            }
        }
        let schema = merge_tables(schema);
        Ok::<_, IntrospectError>((schema, refused))
    }
    .await;
    let ended = printer.end().await;
    let out = result?;
    ended?;
    Ok(out)
}

/// Tables of one name (the pieces of a split unit) merged into one: their checks, indexes and
/// column defaults together.
fn merge_tables(schema: Schema) -> Schema {
    let mut out: Vec<Table> = Vec::new();
    let mut at: HashMap<String, usize> = HashMap::new();
    for t in schema.tables {
        match at.get(&t.name) {
            Some(&i) => {
                let into = &mut out[i];
                into.checks.extend(t.checks);
                into.indexes.extend(t.indexes);
                for c in t.columns {
                    if c.default.is_some() {
                        if let Some(col) = into.column_mut(&c.name) {
                            if col.default.is_none() {
                                col.default = c.default;
                            }
                        }
                    }
                }
            }
            None => {
                at.insert(t.name.clone(), out.len());
                out.push(t);
            }
        }
    }
    Schema {
        tables: out,
        ..Schema::default()
    }
}

/// One dialect's way of creating temporary tables and reading them back. Implemented next to the
/// dialect's catalog queries (`dialect/postgres.rs`, `dialect/mysql.rs`).
pub(crate) trait Printer {
    /// Opens what the temporary tables live in (PostgreSQL: a transaction).
    async fn begin(&mut self) -> Result<(), IntrospectError>;
    /// Creates `units`, all or none: `Ok(Err(reason))` when the server refused one (nothing of
    /// this call is left then), `Err` when the connection failed.
    async fn create(&mut self, units: &[Unit<'_>]) -> Result<Result<(), String>, IntrospectError>;
    /// Reads the created tables back as the introspector reads live ones.
    async fn read(&mut self, units: &[Unit<'_>]) -> Result<Schema, IntrospectError>;
    /// Removes every trace (PostgreSQL: rolls the transaction back; MySQL: drops the tables).
    async fn end(&mut self) -> Result<(), IntrospectError>;
}

/// Temporary names: tables `autogen_print_<n>`, constraints and indexes `autogen_print_x<n>`,
/// unique within the run.
#[derive(Default)]
pub(crate) struct Names(usize);

impl Names {
    fn next(&mut self, prefix: &str) -> String {
        self.0 += 1;
        format!("autogen_print_{prefix}{}", self.0)
    }
}

/// The temporary names one expression was created under: its table and its object (the check's
/// or index's temporary name; the column's own name for a default).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct Temp {
    table: String,
    object: String,
}

/// One temporary table to create: a model table's columns and some of its expressions.
#[derive(Clone)]
pub(crate) struct Unit<'s> {
    /// The temporary table's name.
    pub temp: String,
    /// The whole-table unit's name, for a table made for a single expression after the whole
    /// table was refused.
    pub renamed_from: Option<String>,
    pub table: &'s Table,
    /// Indexes into `table.columns` of the defaults printed here.
    pub defaults: Vec<usize>,
    /// Indexes into `table.checks`, with the temporary constraint name.
    pub checks: Vec<(usize, String)>,
    /// Indexes into `table.indexes` (those with a predicate), with the temporary index name.
    pub indexes: Vec<(usize, String)>,
}

impl Unit<'_> {
    /// The temporary table's column definitions (each followed by `column_suffix`, with the
    /// default when it is one of the unit's) and its CHECK constraints under their temporary
    /// names: the body of the CREATE statement every dialect's printer writes.
    pub(crate) fn columns_and_checks(
        &self,
        spelling: &Spelling<'_>,
        column_suffix: &str,
    ) -> Vec<String> {
        let q = spelling.quote;
        let mut parts: Vec<String> = self
            .table
            .columns
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let mut col = format!(
                    "{} {}{column_suffix}",
                    q(&c.name),
                    (spelling.type_sql)(&c.ty)
                );
                if self.defaults.contains(&i) {
                    if let Some(d) = &c.default {
                        col.push_str(" DEFAULT ");
                        col.push_str(&(spelling.default_sql)(d));
                    }
                }
                col
            })
            .collect();
        for (i, name) in &self.checks {
            let check = &self.table.checks[*i];
            parts.push(format!(
                "CONSTRAINT {} CHECK ({})",
                q(name),
                check.expression
            ));
        }
        parts
    }
}

impl<'s> Unit<'s> {
    /// Every expression of `table`, or `None` when it has none.
    fn whole(table: &'s Table, names: &mut Names) -> Option<Unit<'s>> {
        let defaults: Vec<usize> = table
            .columns
            .iter()
            .enumerate()
            .filter(|(_, c)| matches!(c.default, Some(DefaultValue::Expression(_))))
            .map(|(i, _)| i)
            .collect();
        let checks: Vec<(usize, String)> = (0..table.checks.len())
            .map(|i| (i, names.next("x")))
            .collect();
        let indexes: Vec<(usize, String)> = table
            .indexes
            .iter()
            .enumerate()
            .filter(|(_, ix)| ix.predicate.is_some())
            .map(|(i, _)| (i, names.next("x")))
            .collect();
        if defaults.is_empty() && checks.is_empty() && indexes.is_empty() {
            return None;
        }
        Some(Unit {
            temp: names.next(""),
            renamed_from: None,
            table,
            defaults,
            checks,
            indexes,
        })
    }

    /// One unit per expression, each on a table of its own (named anew: the whole-table unit's
    /// name may still exist on MySQL if dropping it failed) and keeping the object's temporary
    /// name.
    fn split(&self, names: &mut Names) -> Vec<Unit<'s>> {
        let empty = |names: &mut Names| Unit {
            temp: names.next(""),
            renamed_from: Some(self.temp.clone()),
            table: self.table,
            defaults: Vec::new(),
            checks: Vec::new(),
            indexes: Vec::new(),
        };
        let mut out = Vec::new();
        for &d in &self.defaults {
            out.push(Unit {
                defaults: vec![d],
                ..empty(names)
            });
        }
        for c in &self.checks {
            out.push(Unit {
                checks: vec![c.clone()],
                ..empty(names)
            });
        }
        for i in &self.indexes {
            out.push(Unit {
                indexes: vec![i.clone()],
                ..empty(names)
            });
        }
        out
    }

    /// The model expressions of this unit with the temporary names they are created under
    /// (always the whole-table unit's table name, which is what the caller looks up).
    fn expressions(&self) -> Vec<(Expression, Temp)> {
        let table = self
            .renamed_from
            .clone()
            .unwrap_or_else(|| self.temp.clone());
        let temp = |object: &str| Temp {
            table: table.clone(),
            object: object.to_string(),
        };
        let mut out = Vec::new();
        for &d in &self.defaults {
            let c = &self.table.columns[d];
            if let Some(value) = &c.default {
                out.push((
                    Expression::Default {
                        column: c.name.clone(),
                        value: value.clone(),
                    },
                    temp(&c.name),
                ));
            }
        }
        for (i, name) in &self.checks {
            let c = &self.table.checks[*i];
            out.push((
                Expression::Check {
                    name: c.name.clone(),
                    sql: c.expression.clone(),
                },
                temp(name),
            ));
        }
        for (i, name) in &self.indexes {
            let ix = &self.table.indexes[*i];
            if let Some(p) = &ix.predicate {
                out.push((
                    Expression::Predicate {
                        index: ix.name.clone(),
                        sql: p.clone(),
                    },
                    temp(name),
                ));
            }
        }
        out
    }
}
