//! PostgreSQL: `pg_catalog` (not `information_schema`, which hides enums, index methods and
//! predicates, and is slow), six queries for one schema: the schema's existence, tables,
//! columns, enum labels, constraints and indexes. Catalog spellings are peeled here:
//! `format_type` output goes through `parse_type`; defaults lose PostgreSQL's casts
//! (`'x'::text`, `'-1'::integer`) before `parse_default`; `nextval(...)` defaults and identity
//! columns become `auto_increment` with no default; user enum types become
//! `ColumnType::Enum` with their labels in `enumsortorder`.
//!
//! PostgreSQL rewrites CHECK expressions and index expressions when it stores them
//! (`age >= 0` comes back as `(age >= 0)`, `lower(email)` on a varchar as
//! `lower((email)::text)`). We strip the outer parentheses and fold whitespace; matching what
//! remains against the text a model wrote is the normaliser's job on the comparison side and may
//! need more rules than live here.
//!
//! Not represented: partitions (child tables are skipped, the partitioned parent is read),
//! exclusion constraints and their indexes, generated columns' expressions (reported as plain
//! columns without a default), columns of array or domain types beyond their `Other` spelling.

use std::collections::BTreeMap;

use autogen_schema::{
    normalize_expression, parse_default, parse_type, Check, Column, ColumnType, DefaultValue,
    EnumType, ForeignKey, Index, IndexColumn, PrimaryKey, ReferentialAction, Schema, Table,
    UniqueConstraint,
};
use sqlx::postgres::{PgConnection, PgRow};
use sqlx::{Row, TypeInfo, ValueRef};

use super::{Cell, Record};
use crate::sqltext::{matching_paren, strip_outer_parens, tokenize, Kind};
use crate::{IntrospectError, IntrospectOptions, IntrospectStats};

/// Ordinary and partitioned tables of schema `$1`, without partitions; `c` is the table.
const TABLES: &str = "n.nspname = $1 AND c.relkind IN ('r', 'p') AND NOT c.relispartition";

pub(super) async fn introspect(
    conn: &mut PgConnection,
    options: &IntrospectOptions,
    stats: &mut IntrospectStats,
) -> Result<Schema, IntrospectError> {
    let schema = options.pg_schema.as_deref().unwrap_or("public");
    let found = fetch(
        conn,
        stats,
        "postgres schema",
        "SELECT n.nspname::text FROM pg_namespace n WHERE n.nspname = $1",
        schema,
    )
    .await?;
    if found.is_empty() {
        return Err(IntrospectError::SchemaNotFound {
            schema: schema.to_string(),
        });
    }
    let tables = fetch(
        conn,
        stats,
        "postgres tables",
        &format!(
            "SELECT c.relname::text, obj_description(c.oid, 'pg_class') \
             FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
             WHERE {TABLES} ORDER BY c.relname"
        ),
        schema,
    )
    .await?;
    let columns = fetch(
        conn,
        stats,
        "postgres columns",
        &format!(
            "SELECT c.relname::text, a.attname::text, format_type(a.atttypid, a.atttypmod), \
                    a.attnotnull, pg_get_expr(d.adbin, d.adrelid), a.attidentity::text, \
                    col_description(c.oid, a.attnum), t.typtype::text, t.typname::text, \
                    a.attgenerated::text \
             FROM pg_attribute a \
             JOIN pg_class c ON c.oid = a.attrelid \
             JOIN pg_namespace n ON n.oid = c.relnamespace \
             JOIN pg_type t ON t.oid = a.atttypid \
             LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum \
             WHERE {TABLES} AND a.attnum > 0 AND NOT a.attisdropped \
             ORDER BY c.relname, a.attnum"
        ),
        schema,
    )
    .await?;
    // Enums defined in the schema, plus any enum a table of the schema uses from elsewhere
    // (so the column still gets its labels); the flag says which is which.
    let enums = fetch(
        conn,
        stats,
        "postgres enums",
        &format!(
            "SELECT t.typname::text, e.enumlabel::text, tn.nspname = $1 \
             FROM pg_type t \
             JOIN pg_namespace tn ON tn.oid = t.typnamespace \
             JOIN pg_enum e ON e.enumtypid = t.oid \
             WHERE tn.nspname = $1 OR t.oid IN ( \
                 SELECT a.atttypid FROM pg_attribute a \
                 JOIN pg_class c ON c.oid = a.attrelid \
                 JOIN pg_namespace n ON n.oid = c.relnamespace WHERE {TABLES}) \
             ORDER BY t.typname, e.enumsortorder"
        ),
        schema,
    )
    .await?;
    let constraints = fetch(
        conn,
        stats,
        "postgres constraints",
        &format!(
            "SELECT c.relname::text, k.conname::text, k.contype::text, \
                    ARRAY(SELECT a.attname::text FROM unnest(k.conkey) WITH ORDINALITY u(n, o) \
                          JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = u.n \
                          ORDER BY u.o), \
                    fc.relname::text, \
                    ARRAY(SELECT a.attname::text FROM unnest(k.confkey) WITH ORDINALITY u(n, o) \
                          JOIN pg_attribute a ON a.attrelid = k.confrelid AND a.attnum = u.n \
                          ORDER BY u.o), \
                    k.confdeltype::text, k.confupdtype::text, pg_get_constraintdef(k.oid) \
             FROM pg_constraint k \
             JOIN pg_class c ON c.oid = k.conrelid \
             JOIN pg_namespace n ON n.oid = c.relnamespace \
             LEFT JOIN pg_class fc ON fc.oid = k.confrelid \
             WHERE {TABLES} AND k.contype IN ('p', 'u', 'f', 'c') \
             ORDER BY c.relname, k.conname"
        ),
        schema,
    )
    .await?;
    // Secondary indexes: everything except the indexes that back a primary key, unique or
    // exclusion constraint (those are reported as the constraint).
    let indexes = fetch(
        conn,
        stats,
        "postgres indexes",
        &format!(
            "SELECT c.relname::text, i.relname::text, x.indisunique, am.amname::text, \
                    pg_get_expr(x.indpred, x.indrelid), \
                    ARRAY(SELECT pg_get_indexdef(x.indexrelid, k.o, true) \
                          FROM generate_series(1, x.indnkeyatts::int) k(o) ORDER BY k.o), \
                    ARRAY(SELECT ((x.indoption[k.o - 1] & 1) = 1)::text \
                          FROM generate_series(1, x.indnkeyatts::int) k(o) ORDER BY k.o) \
             FROM pg_index x \
             JOIN pg_class i ON i.oid = x.indexrelid \
             JOIN pg_class c ON c.oid = x.indrelid \
             JOIN pg_namespace n ON n.oid = c.relnamespace \
             JOIN pg_am am ON am.oid = i.relam \
             WHERE {TABLES} AND NOT EXISTS ( \
                 SELECT 1 FROM pg_constraint k \
                 WHERE k.conindid = x.indexrelid AND k.conrelid = x.indrelid \
                   AND k.contype IN ('p', 'u', 'x')) \
             ORDER BY c.relname, i.relname"
        ),
        schema,
    )
    .await?;
    assemble(&tables, &columns, &enums, &constraints, &indexes)
}

/// The one function every PostgreSQL catalog query goes through (it counts them). Every query
/// takes the schema name as `$1`.
async fn fetch(
    conn: &mut PgConnection,
    stats: &mut IntrospectStats,
    label: &'static str,
    sql: &str,
    schema: &str,
) -> Result<Vec<Record>, IntrospectError> {
    stats.queries += 1;
    let rows = sqlx::query(sql)
        .bind(schema)
        .fetch_all(&mut *conn)
        .await
        .map_err(|e| IntrospectError::Query {
            query: label,
            message: e.to_string(),
        })?;
    rows.iter().map(|r| decode(label, r)).collect()
}

fn decode(label: &'static str, row: &PgRow) -> Result<Record, IntrospectError> {
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
        let type_name = raw.type_info().name().to_string();
        let cell = match type_name.as_str() {
            "BOOL" => Cell::Bool(row.try_get::<bool, _>(i).map_err(err)?),
            "INT2" => Cell::Int(i64::from(row.try_get::<i16, _>(i).map_err(err)?)),
            "INT4" => Cell::Int(i64::from(row.try_get::<i32, _>(i).map_err(err)?)),
            "INT8" => Cell::Int(row.try_get::<i64, _>(i).map_err(err)?),
            "TEXT[]" | "NAME[]" | "VARCHAR[]" => {
                Cell::List(row.try_get::<Vec<String>, _>(i).map_err(err)?)
            }
            _ => Cell::Text(row.try_get::<String, _>(i).map_err(err)?),
        };
        cells.push(cell);
    }
    Ok(Record::new(label, cells))
}

fn assemble(
    tables: &[Record],
    columns: &[Record],
    enums: &[Record],
    constraints: &[Record],
    indexes: &[Record],
) -> Result<Schema, IntrospectError> {
    let mut schema = Schema::default();
    let mut labels: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for r in enums {
        let name = r.text(0)?;
        let label = r.text(1)?;
        labels.entry(name.clone()).or_default().push(label.clone());
        if r.flag(2)? {
            match schema.enums.last_mut() {
                Some(e) if e.name == name => e.values.push(label),
                _ => schema.enums.push(EnumType {
                    name,
                    values: vec![label],
                }),
            }
        }
    }

    let mut by_name: BTreeMap<String, Table> = BTreeMap::new();
    for r in tables {
        let mut t = Table::new(r.text(0)?);
        t.comment = r.opt_text(1)?;
        by_name.insert(t.name.clone(), t);
    }
    for r in columns {
        let Some(t) = by_name.get_mut(&r.text(0)?) else {
            continue;
        };
        let is_enum = r.text(7)? == "e";
        let ty = if is_enum {
            let name = r.text(8)?;
            let values = labels.get(&name).cloned().unwrap_or_default();
            ColumnType::Enum { name, values }
        } else {
            parse_type(&r.text(2)?)
        };
        let mut column = Column::new(r.text(1)?, ty);
        column.nullable = !r.flag(3)?;
        let identity = !r.opt_text(5)?.unwrap_or_default().is_empty();
        let generated = !r.opt_text(9)?.unwrap_or_default().is_empty();
        let default = r.opt_text(4)?.filter(|_| !generated);
        match default.as_deref().map(pg_default) {
            Some(PgDefault::Sequence) => column.auto_increment = true,
            Some(PgDefault::Value(v)) => column.default = Some(v),
            None => {}
        }
        if identity {
            column.auto_increment = true;
        }
        column.comment = r.opt_text(6)?;
        t.columns.push(column);
    }

    for r in constraints {
        let Some(t) = by_name.get_mut(&r.text(0)?) else {
            continue;
        };
        let name = r.text(1)?;
        let columns = r.list(3)?;
        match r.text(2)?.as_str() {
            "p" => {
                t.primary_key = Some(PrimaryKey {
                    name: Some(name),
                    columns,
                })
            }
            "u" => t.unique_constraints.push(UniqueConstraint {
                name: Some(name),
                columns,
            }),
            "f" => t.foreign_keys.push(ForeignKey {
                name: Some(name),
                columns,
                referenced_table: r.text(4)?,
                referenced_columns: r.list(5)?,
                on_delete: referential_action(&r.text(6)?),
                on_update: referential_action(&r.text(7)?),
            }),
            "c" => t.checks.push(Check {
                name: Some(name),
                expression: check_expression(&r.text(8)?),
            }),
            _ => {}
        }
    }

    for r in indexes {
        let Some(t) = by_name.get_mut(&r.text(0)?) else {
            continue;
        };
        let method = r.text(3)?;
        let descending = r.list(6)?;
        let columns = r
            .list(5)?
            .iter()
            .enumerate()
            .map(|(i, key)| IndexColumn {
                name: index_key(key),
                descending: descending.get(i).is_some_and(|d| d == "true"),
            })
            .collect();
        t.indexes.push(Index {
            name: r.text(1)?,
            columns,
            unique: r.flag(2)?,
            method: (method != "btree").then_some(method),
            predicate: r
                .opt_text(4)?
                .map(|p| normalize_expression(strip_outer_parens(&p))),
        });
    }

    schema.tables = by_name.into_values().collect();
    Ok(schema)
}

/// `pg_constraint.confdeltype` / `confupdtype` codes.
fn referential_action(code: &str) -> ReferentialAction {
    match code {
        "r" => ReferentialAction::Restrict,
        "c" => ReferentialAction::Cascade,
        "n" => ReferentialAction::SetNull,
        "d" => ReferentialAction::SetDefault,
        _ => ReferentialAction::NoAction,
    }
}

/// `CHECK ((age >= 0)) NOT VALID` -> `age >= 0`.
fn check_expression(def: &str) -> String {
    let tokens = tokenize(def);
    let inner = tokens
        .iter()
        .position(|t| t.kind == Kind::LParen)
        .and_then(|open| Some((open, matching_paren(&tokens, open)?)))
        .map(|(open, close)| &def[tokens[open].end..tokens[close].start]);
    normalize_expression(strip_outer_parens(inner.unwrap_or(def)))
}

/// An index key as `pg_get_indexdef` prints it: a lone (possibly quoted) column name is
/// unquoted, an expression is kept with its whitespace folded.
fn index_key(key: &str) -> String {
    let tokens = tokenize(key);
    match tokens.as_slice() {
        [only] if matches!(only.kind, Kind::Word | Kind::Quoted) => only.ident(key),
        _ => normalize_expression(key),
    }
}

/// What a PostgreSQL column default means for the IR.
#[derive(Debug, Clone, PartialEq, Eq)]
enum PgDefault {
    /// `nextval('..._seq'::regclass)`: a serial column.
    Sequence,
    Value(DefaultValue),
}

/// Peels PostgreSQL's decorations off a stored default: casts on literals
/// (`'x'::character varying`, `'-1'::integer`, `NULL::text`), then `parse_default`.
fn pg_default(raw: &str) -> PgDefault {
    let expr = strip_outer_parens(raw);
    let lower = expr.to_ascii_lowercase();
    if lower.starts_with("nextval(") {
        return PgDefault::Sequence;
    }
    let tokens = tokenize(expr);
    // A literal followed by one or more `::type` casts and nothing else.
    let literal_cast = match tokens.as_slice() {
        [lit, colon1, colon2, rest @ ..]
            if matches!(lit.kind, Kind::Str | Kind::Word | Kind::Number)
                && colon1.text(expr) == ":"
                && colon2.text(expr) == ":"
                && !rest.is_empty()
                && rest.iter().all(|t| {
                    matches!(
                        t.kind,
                        Kind::Word
                            | Kind::Quoted
                            | Kind::Number
                            | Kind::LParen
                            | Kind::RParen
                            | Kind::Comma
                    ) || matches!(t.text(expr), ":" | "." | "[" | "]")
                }) =>
        {
            Some((*lit, rest[0].text(expr).to_ascii_lowercase()))
        }
        _ => None,
    };
    let Some((lit, cast_type)) = literal_cast else {
        return PgDefault::Value(parse_default(expr));
    };
    let literal = lit.text(expr);
    let numeric_cast = matches!(
        cast_type.as_str(),
        "integer" | "bigint" | "smallint" | "numeric" | "real" | "double" | "decimal"
    );
    if numeric_cast && lit.kind == Kind::Str {
        // `'-1'::integer`: the quotes are PostgreSQL's, the value is a number.
        let inner = &literal[1..literal.len().saturating_sub(1).max(1)];
        if let v @ DefaultValue::Number(_) = parse_default(inner) {
            return PgDefault::Value(v);
        }
    }
    PgDefault::Value(parse_default(literal))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn peels_postgres_defaults() {
        use DefaultValue as D;
        let v = PgDefault::Value;
        let cases: &[(&str, PgDefault)] = &[
            ("nextval('users_id_seq'::regclass)", PgDefault::Sequence),
            ("'-1'::integer", v(D::Number("-1".into()))),
            ("'-1.5'::numeric", v(D::Number("-1.5".into()))),
            ("1.5", v(D::Number("1.5".into()))),
            ("(-5)", v(D::Number("-5".into()))),
            ("'x'::character varying", v(D::String("x".into()))),
            ("'it''s'::text", v(D::String("it's".into()))),
            ("'a::b'::text", v(D::String("a::b".into()))),
            ("'active'::\"Status\"", v(D::String("active".into()))),
            (
                "'2020-01-01 00:00:00'::timestamp without time zone",
                v(D::String("2020-01-01 00:00:00".into())),
            ),
            ("'{}'::jsonb", v(D::String("{}".into()))),
            ("'abc'::character varying(10)", v(D::String("abc".into()))),
            ("NULL::character varying", v(D::Null)),
            ("true", v(D::Boolean(true))),
            ("now()", v(D::CurrentTimestamp)),
            ("CURRENT_TIMESTAMP", v(D::CurrentTimestamp)),
            ("CURRENT_DATE", v(D::CurrentDate)),
            (
                "('a'::text || 'b'::text)",
                v(D::Expression("'a'::text || 'b'::text".into())),
            ),
            (
                "gen_random_uuid()",
                v(D::Expression("gen_random_uuid()".into())),
            ),
        ];
        for (raw, want) in cases {
            assert_eq!(&pg_default(raw), want, "{raw}");
        }
    }

    #[test]
    fn strips_check_definitions() {
        let cases: &[(&str, &str)] = &[
            ("CHECK ((age >= 0))", "age >= 0"),
            ("CHECK (((a > 0) AND (b > 0)))", "(a > 0) AND (b > 0)"),
            ("CHECK ((name <> ')'::text)) NOT VALID", "name <> ')'::text"),
            ("CHECK (flag)", "flag"),
        ];
        for (raw, want) in cases {
            assert_eq!(check_expression(raw), *want, "{raw}");
        }
    }

    #[test]
    fn reads_index_keys() {
        assert_eq!(index_key("email"), "email");
        assert_eq!(index_key("\"Odd Name\""), "Odd Name");
        assert_eq!(index_key("lower((email)::text)"), "lower((email)::text)");
    }
}
