//! PostgreSQL: `pg_catalog` (not `information_schema`, which hides enums, index methods and
//! predicates, and is slow), a fixed number of queries for one schema (the schema's existence,
//! enum labels, tables, columns, collations, identity options, defaults, constraints, operator
//! classes and indexes, plus two small look-ups that run only when some column needs them), one
//! function each below, their rows joined by `postgres/assemble.rs`. Catalog spellings are peeled on the way in (the text
//! ones in `postgres/spelling.rs`): `format_type` output goes through `parse_type`; defaults
//! lose PostgreSQL's casts (`'x'::text`, `'-1'::integer`) before `parse_default`;
//! identity columns become `auto_increment` with their kind (ALWAYS / BY DEFAULT) and their
//! sequence's non-default start and increment; a `nextval(...)` default of a sequence the column
//! owns (what `serial` creates) becomes `auto_increment` of kind `Serial` with no default, while
//! `nextval` of any other sequence (one shared by several tables) stays an expression default; user
//! enum types become `ColumnType::Enum` with their labels in `enumsortorder`.
//!
//! PostgreSQL rewrites CHECK expressions and index expressions when it stores them
//! (`age >= 0` comes back as `(age >= 0)`, `lower(email)` on a varchar as
//! `lower((email)::text)`). We strip the outer parentheses and fold whitespace; matching what
//! remains against the text a model wrote is the normaliser's job on the comparison side and may
//! need more rules than live here.
//!
//! Not represented: partitions (child tables are skipped, the partitioned parent is read),
//! exclusion constraints and their indexes, columns of array or domain types beyond their `Other`
//! spelling. Generated columns (`attgenerated = 's'`) keep their expression in `pg_attrdef` like
//! a default; the assembler reads it as the generation expression, not as a default.

mod assemble;
pub(super) mod objects;
pub(super) mod security;
mod spelling;
pub(super) mod unmanaged;

use autogen_schema::Schema;
use sqlx::postgres::PgConnection;

use super::{each_row, Introspector};
use crate::print::{Printer as PrintBackend, Spelling, Unit};
use crate::{IntrospectError, IntrospectOptions, IntrospectStats};
use assemble::Assembler;

/// Ordinary and partitioned tables of the schemas `$1` (a text array: the default schema and
/// any others the project manages), without partitions; `c` is the table.
const TABLE_FILTER: &str =
    "n.nspname = ANY($1) AND c.relkind IN ('r', 'p') AND NOT c.relispartition";

/// The same queries whatever the number of tables: the schema's existence, enum labels, tables,
/// columns, collations, identity options, defaults, constraints, operator classes and secondary
/// indexes, each schema-bound one with the schema names as `$1`; and, only when some column needs
/// them, the collations of its type and which `nextval` defaults are a `serial` column's.
///
/// Measured at 5,000 tables (PostgreSQL 15): the server-side conveniences an earlier version
/// used cost four times the raw catalog reads. `col_description()` / `obj_description()` per row
/// (a lookup each, 280 ms) became a join with `pg_description` (70 ms); `pg_get_expr` on the
/// columns' LEFT JOIN with `pg_attrdef` (200 ms more) became its own query over `pg_attrdef`
/// (60 ms); per-constraint and per-index `ARRAY(SELECT ... pg_attribute)` and per-key
/// `pg_get_indexdef` (750 ms together) became raw `conkey` / `indkey` attribute numbers joined
/// by the assembler, `pg_get_indexdef` kept for expression indexes only; ORDER BY on names is
/// gone (`dialect::finish` sorts). Rows are decoded straight from the wire as they stream in.
///
/// Nothing is looked up per row on the server (a correlated subquery or a cast to `regclass`):
/// besides its own cost, a per-row subquery counts in the planner's estimate once for every
/// estimated row, and at 5,000 tables that put the columns query above `jit_above_cost`, where
/// compiling it (45 functions) cost more than running it. Such look-ups are small whole
/// queries whose rows the assembler joins, as for operator classes.
impl Introspector for PgConnection {
    async fn introspect(
        &mut self,
        options: &IntrospectOptions,
        stats: &mut IntrospectStats,
    ) -> Result<Schema, IntrospectError> {
        let schema = options.pg_schema.as_deref().unwrap_or("public");
        // Every managed schema is read by the same queries; a table outside the default one is
        // keyed `schema.name` by the assembler.
        let schemas: Vec<String> = std::iter::once(schema.to_string())
            .chain(options.pg_schemas.iter().cloned())
            .collect();
        let schemas = schemas.as_slice();
        schema_exists(self, stats, schemas).await?;
        let mut a = Assembler::new(schema);
        enums(self, stats, schema, &mut a).await?;
        tables(self, stats, schemas, &mut a).await?;
        columns(self, stats, schemas, &mut a).await?;
        collations(self, stats, &mut a).await?;
        identity_options(self, stats, &mut a).await?;
        defaults(self, stats, schemas, &mut a).await?;
        serial_columns(self, stats, &mut a).await?;
        constraints(self, stats, schemas, &mut a).await?;
        indexes(self, stats, schemas, &mut a).await?;
        Ok(a.finish())
    }
}

/// Fails with [`IntrospectError::SchemaNotFound`] naming the first of `schemas` that does not
/// exist.
async fn schema_exists(
    conn: &mut PgConnection,
    stats: &mut IntrospectStats,
    schemas: &[String],
) -> Result<(), IntrospectError> {
    let sql = "SELECT n.nspname::text FROM pg_namespace n WHERE n.nspname = ANY($1)";
    let mut found: Vec<String> = Vec::new();
    each_row(
        conn,
        stats,
        "postgres schema",
        sqlx::query(sql).bind(schemas),
        |r| {
            found.push(r.get(0)?);
            Ok(())
        },
    )
    .await?;
    match schemas.iter().find(|s| !found.contains(s)) {
        None => Ok(()),
        Some(missing) => Err(IntrospectError::SchemaNotFound {
            schema: missing.clone(),
        }),
    }
}

/// Every enum type of the database by oid (pg_enum is small): a column may use an enum of
/// another schema. Those of `schema` are also reported as the schema's enums.
async fn enums(
    conn: &mut PgConnection,
    stats: &mut IntrospectStats,
    schema: &str,
    a: &mut Assembler,
) -> Result<(), IntrospectError> {
    let sql = "SELECT t.oid::int8, t.typname::text, e.enumlabel::text, tn.nspname = $1 \
               FROM pg_enum e \
               JOIN pg_type t ON t.oid = e.enumtypid \
               JOIN pg_namespace tn ON tn.oid = t.typnamespace \
               ORDER BY t.oid, e.enumsortorder";
    each_row(
        conn,
        stats,
        "postgres enums",
        sqlx::query(sql).bind(schema),
        |r| a.enum_label(r),
    )
    .await
}

async fn tables(
    conn: &mut PgConnection,
    stats: &mut IntrospectStats,
    schemas: &[String],
    a: &mut Assembler,
) -> Result<(), IntrospectError> {
    let sql = format!(
        "SELECT c.oid::int8, c.relname::text, ds.description, n.nspname::text \
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
         LEFT JOIN pg_description ds ON ds.objoid = c.oid \
              AND ds.classoid = 'pg_class'::regclass AND ds.objsubid = 0 \
         WHERE {TABLE_FILTER}"
    );
    each_row(
        conn,
        stats,
        "postgres tables",
        sqlx::query(&sql).bind(schemas),
        |r| a.table(r),
    )
    .await
}

/// Columns. A collation other than none (0) and the database default (100, which every
/// collatable built-in type has) comes as its oid; `collations` names it, or drops it when it is
/// the column type's own.
async fn columns(
    conn: &mut PgConnection,
    stats: &mut IntrospectStats,
    schemas: &[String],
    a: &mut Assembler,
) -> Result<(), IntrospectError> {
    let sql = format!(
        "SELECT a.attrelid::int8, a.attnum, a.attname::text, \
                format_type(a.atttypid, a.atttypmod), a.attnotnull, a.attidentity::text, \
                a.attgenerated::text, a.atttypid::int8, ds.description, \
                CASE WHEN a.attcollation NOT IN (0, 100) THEN a.attcollation::int8 END \
         FROM pg_attribute a \
         JOIN pg_class c ON c.oid = a.attrelid \
         JOIN pg_namespace n ON n.oid = c.relnamespace \
         LEFT JOIN pg_description ds ON ds.objoid = a.attrelid \
              AND ds.classoid = 'pg_class'::regclass AND ds.objsubid = a.attnum \
         WHERE {TABLE_FILTER} AND a.attnum > 0 AND NOT a.attisdropped"
    );
    each_row(
        conn,
        stats,
        "postgres columns",
        sqlx::query(&sql).bind(schemas),
        |r| a.column(r),
    )
    .await
}

/// Every collation's name but the database default's (a few hundred short rows, about a
/// millisecond; selecting only those the schema uses would scan `pg_attribute` or `pg_index`
/// again), for columns and index key parts. Then, when some column has a collation, the
/// collations of those columns' types: a column with its type's own collation (a domain
/// declared with one) shows none. Both are joined by the assembler.
async fn collations(
    conn: &mut PgConnection,
    stats: &mut IntrospectStats,
    a: &mut Assembler,
) -> Result<(), IntrospectError> {
    each_row(
        conn,
        stats,
        "postgres collations",
        sqlx::query(
            "SELECT co.oid::int8, co.collname::text FROM pg_collation co WHERE co.oid <> 100",
        ),
        |r| a.collation(r),
    )
    .await?;
    let types = a.collated_types();
    if !types.is_empty() {
        each_row(
            conn,
            stats,
            "postgres type collations",
            sqlx::query(
                "SELECT t.oid::int8, t.typcollation::int8 FROM pg_type t \
                 WHERE t.oid = ANY($1::int8[]::oid[])",
            )
            .bind(types),
            |r| a.type_collation(r),
        )
        .await?;
    }
    a.resolve_collations();
    Ok(())
}

/// The start and increment of identity columns' sequences (dependency type `i`) that are not
/// PostgreSQL's defaults (which the assembler leaves as `None`). `pg_sequence` is small and
/// read whole; only its few rows with other options are followed to their column through
/// `pg_depend`'s depender index, so the cost does not follow the number of identity columns.
/// Tables outside the schema are dropped by the assembler. Reading every owned sequence
/// instead, with its column and `seqrelid::regclass::text`, cost 55 ms at 5,000 tables.
async fn identity_options(
    conn: &mut PgConnection,
    stats: &mut IntrospectStats,
    a: &mut Assembler,
) -> Result<(), IntrospectError> {
    let sql = "SELECT d.refobjid::int8, d.refobjsubid::int2, s.seqstart, s.seqincrement \
               FROM pg_sequence s \
               JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = s.seqrelid \
                    AND d.objsubid = 0 AND d.refclassid = 'pg_class'::regclass \
                    AND d.deptype = 'i' AND d.refobjsubid > 0 \
               WHERE s.seqincrement <> 1 OR s.seqstart <> 1";
    each_row(
        conn,
        stats,
        "postgres identity options",
        sqlx::query(sql),
        |r| a.identity_options(r),
    )
    .await
}

/// Column defaults, read apart from the columns: `pg_get_expr` on a LEFT JOIN with the columns
/// cost 200 ms more at 5,000 tables than this query's 60 ms.
async fn defaults(
    conn: &mut PgConnection,
    stats: &mut IntrospectStats,
    schemas: &[String],
    a: &mut Assembler,
) -> Result<(), IntrospectError> {
    let sql = format!(
        "SELECT d.adrelid::int8, d.adnum, pg_get_expr(d.adbin, d.adrelid), d.oid::int8 \
         FROM pg_attrdef d \
         JOIN pg_class c ON c.oid = d.adrelid \
         JOIN pg_namespace n ON n.oid = c.relnamespace \
         WHERE {TABLE_FILTER}"
    );
    each_row(
        conn,
        stats,
        "postgres defaults",
        sqlx::query(&sql).bind(schemas),
        |r| a.column_default(r),
    )
    .await
}

/// Only when some default is a `nextval(...)`: which of those columns are `serial` ones, whose
/// default depends on a sequence the same column owns (an auto dependency, what `serial` and
/// `OWNED BY` make), matched by oid through `pg_depend`. A `nextval` of any other sequence (one
/// shared by several tables) stays an expression default. Comparing the name in `nextval(...)`
/// with each owned sequence's `seqrelid::regclass::text` instead cost a `regclass` print per
/// sequence (25 ms at 5,000 tables, serial or not).
async fn serial_columns(
    conn: &mut PgConnection,
    stats: &mut IntrospectStats,
    a: &mut Assembler,
) -> Result<(), IntrospectError> {
    let defaults = a.nextval_defaults();
    if defaults.is_empty() {
        return Ok(());
    }
    let sql = "SELECT ad.adrelid::int8, ad.adnum \
               FROM pg_attrdef ad \
               JOIN pg_depend u ON u.classid = 'pg_attrdef'::regclass AND u.objid = ad.oid \
                    AND u.objsubid = 0 AND u.refclassid = 'pg_class'::regclass \
                    AND u.refobjsubid = 0 \
               JOIN pg_depend o ON o.classid = 'pg_class'::regclass AND o.objid = u.refobjid \
                    AND o.objsubid = 0 AND o.refclassid = 'pg_class'::regclass \
                    AND o.refobjid = ad.adrelid AND o.refobjsubid = ad.adnum AND o.deptype = 'a' \
               WHERE ad.oid = ANY($1::int8[]::oid[])";
    each_row(
        conn,
        stats,
        "postgres serial columns",
        sqlx::query(sql).bind(defaults),
        |r| a.serial_column(r),
    )
    .await
}

/// Primary keys, unique constraints, foreign keys and checks, keys as attribute numbers; the
/// referenced columns are named on the server only for a table outside the schema.
async fn constraints(
    conn: &mut PgConnection,
    stats: &mut IntrospectStats,
    schemas: &[String],
    a: &mut Assembler,
) -> Result<(), IntrospectError> {
    let sql = format!(
        "SELECT k.conrelid::int8, k.conname::text, k.contype::text, k.conkey, \
                k.confrelid::int8, fc.relname::text, k.confkey, \
                k.confdeltype::text, k.confupdtype::text, \
                CASE WHEN k.contype = 'c' THEN pg_get_constraintdef(k.oid) END, \
                CASE WHEN k.contype = 'f' AND NOT (fc.relnamespace = n.oid \
                          AND fc.relkind IN ('r', 'p') AND NOT fc.relispartition) \
                     THEN ARRAY(SELECT a.attname::text \
                                FROM unnest(k.confkey) WITH ORDINALITY u(n, o) \
                                JOIN pg_attribute a ON a.attrelid = k.confrelid \
                                     AND a.attnum = u.n ORDER BY u.o) END, \
                k.condeferrable, k.condeferred \
         FROM pg_constraint k \
         JOIN pg_class c ON c.oid = k.conrelid \
         JOIN pg_namespace n ON n.oid = c.relnamespace \
         LEFT JOIN pg_class fc ON fc.oid = k.confrelid \
         WHERE {TABLE_FILTER} AND k.contype IN ('p', 'u', 'f', 'c')"
    );
    let query = sqlx::query(&sql).bind(schemas);
    each_row(conn, stats, "postgres constraints", query, |r| {
        a.constraint(r)
    })
    .await
}

/// Secondary indexes: everything except the indexes that back a primary key, unique or
/// exclusion constraint (those are reported as the constraint). Key expressions are printed
/// with `pg_get_indexdef` only for indexes that have some. Operator classes come back as raw
/// `indclass` oids, named by the assembler from one small query of the non-default operator
/// classes (a default one is never shown), so no per-index lookup is added; collations the same
/// way, from the names `collations` read. The comment is a join with `pg_description`, as for
/// tables.
async fn indexes(
    conn: &mut PgConnection,
    stats: &mut IntrospectStats,
    schemas: &[String],
    a: &mut Assembler,
) -> Result<(), IntrospectError> {
    each_row(
        conn,
        stats,
        "postgres operator classes",
        sqlx::query(
            "SELECT oc.oid::int8, oc.opcname::text FROM pg_opclass oc WHERE NOT oc.opcdefault",
        ),
        |r| a.opclass(r),
    )
    .await?;
    let sql = format!(
        "SELECT x.indrelid::int8, i.relname::text, x.indisunique, am.amname::text, \
                pg_get_expr(x.indpred, x.indrelid), \
                (x.indkey::int2[])[0:x.indnkeyatts - 1], \
                (x.indoption::int2[])[0:x.indnkeyatts - 1], \
                CASE WHEN x.indexprs IS NOT NULL \
                     THEN ARRAY(SELECT pg_get_indexdef(x.indexrelid, k.o, true) \
                                FROM generate_series(1, x.indnkeyatts::int) k(o) \
                                ORDER BY k.o) END, \
                (x.indkey::int2[])[x.indnkeyatts:x.indnatts - 1], \
                ((x.indclass::oid[])[0:x.indnkeyatts - 1])::int8[], \
                x.indnullsnotdistinct, \
                ds.description, \
                ((x.indcollation::oid[])[0:x.indnkeyatts - 1])::int8[] \
         FROM pg_index x \
         JOIN pg_class i ON i.oid = x.indexrelid \
         JOIN pg_class c ON c.oid = x.indrelid \
         JOIN pg_namespace n ON n.oid = c.relnamespace \
         JOIN pg_am am ON am.oid = i.relam \
         LEFT JOIN pg_description ds ON ds.objoid = x.indexrelid \
              AND ds.classoid = 'pg_class'::regclass AND ds.objsubid = 0 \
         WHERE {TABLE_FILTER} AND NOT EXISTS ( \
             SELECT 1 FROM pg_constraint k \
             WHERE k.conindid = x.indexrelid AND k.conrelid = x.indrelid \
               AND k.contype IN ('p', 'u', 'x'))"
    );
    each_row(
        conn,
        stats,
        "postgres indexes",
        sqlx::query(&sql).bind(schemas),
        |r| a.index(r),
    )
    .await
}

/// Prints the models' expressions (see `crate::print`) in temporary tables inside one
/// transaction that is always rolled back, and reads them back with the queries above, so a
/// model expression and a live one go through the same `pg_get_constraintdef` / `pg_get_expr`
/// calls and the same assembler.
pub(crate) struct Printer<'c, 's> {
    conn: &'c mut PgConnection,
    spelling: &'c Spelling<'s>,
}

impl<'c, 's> Printer<'c, 's> {
    pub(crate) fn new(conn: &'c mut PgConnection, spelling: &'c Spelling<'s>) -> Self {
        Printer { conn, spelling }
    }

    /// `CREATE TEMP TABLE` with the unit's columns, defaults and checks, then its partial
    /// indexes. The table is created in the session's own temporary schema, so no real table
    /// can be touched whatever it is called.
    fn ddl(&self, unit: &Unit<'_>) -> String {
        let q = self.spelling.quote;
        let parts = unit.columns_and_checks(self.spelling, "");
        let mut sql = format!(
            "CREATE TEMP TABLE {} ({});\n",
            q(&unit.temp),
            parts.join(", ")
        );
        for (i, name) in &unit.indexes {
            let ix = &unit.table.indexes[*i];
            let columns: Vec<String> = ix
                .columns
                .iter()
                .map(|c| {
                    // Only the predicate is read back; the key only has to be valid.
                    let mut s = if c.expression {
                        format!("({})", c.name)
                    } else {
                        q(&c.name)
                    };
                    if c.descending {
                        s.push_str(" DESC");
                    }
                    s
                })
                .collect();
            let method = ix
                .method
                .as_deref()
                .map(|m| format!(" USING {m}"))
                .unwrap_or_default();
            sql.push_str(&format!(
                "CREATE INDEX {} ON pg_temp.{}{method} ({}) WHERE ({});\n",
                q(name),
                q(&unit.temp),
                columns.join(", "),
                ix.predicate.as_deref().unwrap_or("true"),
            ));
        }
        sql
    }

    async fn run(&mut self, sql: &str) -> Result<(), sqlx::Error> {
        sqlx::raw_sql(sql).execute(&mut *self.conn).await.map(drop)
    }
}

fn print_error(e: sqlx::Error) -> IntrospectError {
    IntrospectError::Query {
        query: "postgres print",
        message: e.to_string(),
    }
}

impl PrintBackend for Printer<'_, '_> {
    async fn begin(&mut self) -> Result<(), IntrospectError> {
        self.run("BEGIN").await.map_err(print_error)
    }

    async fn create(&mut self, units: &[Unit<'_>]) -> Result<Result<(), String>, IntrospectError> {
        let mut sql = String::from("SAVEPOINT autogen_print;\n");
        for unit in units {
            sql.push_str(&self.ddl(unit));
        }
        match self.run(&sql).await {
            Ok(()) => {
                self.run("RELEASE SAVEPOINT autogen_print")
                    .await
                    .map_err(print_error)?;
                Ok(Ok(()))
            }
            // The server refused something: undo this call's tables and say why.
            Err(sqlx::Error::Database(e)) => {
                self.run("ROLLBACK TO SAVEPOINT autogen_print; RELEASE SAVEPOINT autogen_print")
                    .await
                    .map_err(print_error)?;
                Ok(Err(e.message().to_string()))
            }
            Err(e) => Err(print_error(e)),
        }
    }

    async fn read(&mut self, units: &[Unit<'_>]) -> Result<Schema, IntrospectError> {
        if units.is_empty() {
            return Ok(Schema::default());
        }
        let mut stats = IntrospectStats::default();
        let mut temp_schema = None;
        each_row(
            &mut *self.conn,
            &mut stats,
            "postgres temporary schema",
            sqlx::query("SELECT nspname::text FROM pg_namespace WHERE oid = pg_my_temp_schema()"),
            |r| {
                temp_schema = Some(r.get::<String>(0)?);
                Ok(())
            },
        )
        .await?;
        let Some(temp_schema) = temp_schema else {
            return Ok(Schema::default());
        };
        let options = IntrospectOptions {
            exclude_tables: Vec::new(),
            pg_schema: Some(temp_schema),
            pg_schemas: Vec::new(),
        };
        Introspector::introspect(&mut *self.conn, &options, &mut stats).await
    }

    async fn end(&mut self) -> Result<(), IntrospectError> {
        self.run("ROLLBACK").await.map_err(print_error)
    }
}
