//! The floor: the catalog data autogen's introspector needs (tables, columns with types,
//! nullability and defaults, primary keys, indexes with their columns, unique constraints,
//! foreign keys with actions, checks, comments), fetched with the fewest whole-schema queries we
//! know per dialect and kept as raw rows: no decoding into strings, no IR. Nothing that reads a
//! catalog can be faster than this by much, so `introspection / floor` says how much autogen
//! spends beyond talking to the server.
//!
//! The queries are written here on purpose rather than borrowed from autogen-introspect: the
//! floor must not inherit the introspector's choices.

use autogen_db::Connection;
use sqlx::Row;

/// How much the floor fetched.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FloorRows {
    pub queries: usize,
    pub rows: usize,
}

const SQLITE_TABLES: &str = "m.type = 'table' AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\'";

fn sqlite_queries() -> Vec<String> {
    vec![
        format!("SELECT m.name, m.sql FROM sqlite_master m WHERE {SQLITE_TABLES}"),
        format!(
            "SELECT m.name, p.name, p.type, p.\"notnull\", p.dflt_value, p.pk \
             FROM sqlite_master m JOIN pragma_table_info(m.name) p WHERE {SQLITE_TABLES}"
        ),
        format!(
            "SELECT m.name, il.name, il.\"unique\", il.origin, il.partial, ix.sql \
             FROM sqlite_master m JOIN pragma_index_list(m.name) il \
             LEFT JOIN sqlite_master ix ON ix.type = 'index' AND ix.name = il.name \
             WHERE {SQLITE_TABLES}"
        ),
        format!(
            "SELECT m.name, il.name, x.seqno, x.name, x.\"desc\" \
             FROM sqlite_master m JOIN pragma_index_list(m.name) il \
             JOIN pragma_index_xinfo(il.name) x WHERE {SQLITE_TABLES} AND x.\"key\" = 1"
        ),
        format!(
            "SELECT m.name, f.id, f.\"table\", f.\"from\", f.\"to\", f.on_update, f.on_delete \
             FROM sqlite_master m JOIN pragma_foreign_key_list(m.name) f WHERE {SQLITE_TABLES}"
        ),
    ]
}

const PG_TABLES: &str = "n.nspname = 'public' AND c.relkind IN ('r', 'p')";

/// Raw catalog columns (oids, attribute numbers, `int2vector`s) wherever the client could join
/// them itself; server-side functions only for what exists solely as a node tree or needs the
/// type cache (defaults, CHECK bodies, index predicates and expressions, type names). Comments
/// are joined from `pg_description` (per-row `col_description()` measured four times slower at
/// 5,000 tables) and defaults are their own query over `pg_attrdef` (`pg_get_expr` on a LEFT JOIN
/// from `pg_attribute` measured three times slower than the separate query).
fn postgres_queries() -> Vec<String> {
    vec![
        format!(
            "SELECT c.oid, c.relname, ds.description \
             FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
             LEFT JOIN pg_description ds ON ds.objoid = c.oid \
                  AND ds.classoid = 'pg_class'::regclass AND ds.objsubid = 0 \
             WHERE {PG_TABLES}"
        ),
        format!(
            "SELECT a.attrelid, a.attnum, a.attname, format_type(a.atttypid, a.atttypmod), \
                    a.attnotnull, a.attidentity, a.atttypid, ds.description \
             FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid \
             JOIN pg_namespace n ON n.oid = c.relnamespace \
             LEFT JOIN pg_description ds ON ds.objoid = a.attrelid \
                  AND ds.classoid = 'pg_class'::regclass AND ds.objsubid = a.attnum \
             WHERE {PG_TABLES} AND a.attnum > 0 AND NOT a.attisdropped"
        ),
        format!(
            "SELECT d.adrelid, d.adnum, pg_get_expr(d.adbin, d.adrelid) \
             FROM pg_attrdef d JOIN pg_class c ON c.oid = d.adrelid \
             JOIN pg_namespace n ON n.oid = c.relnamespace WHERE {PG_TABLES}"
        ),
        format!(
            "SELECT k.conrelid, k.conname, k.contype, k.conkey, k.confrelid, k.confkey, \
                    k.confdeltype, k.confupdtype, \
                    CASE WHEN k.contype = 'c' THEN pg_get_constraintdef(k.oid) END \
             FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid \
             JOIN pg_namespace n ON n.oid = c.relnamespace \
             WHERE {PG_TABLES} AND k.contype IN ('p', 'u', 'f', 'c')"
        ),
        format!(
            "SELECT x.indrelid, i.relname, x.indisunique, i.relam, x.indkey, x.indoption, \
                    pg_get_expr(x.indpred, x.indrelid), pg_get_expr(x.indexprs, x.indrelid) \
             FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid \
             JOIN pg_class c ON c.oid = x.indrelid \
             JOIN pg_namespace n ON n.oid = c.relnamespace WHERE {PG_TABLES}"
        ),
        "SELECT e.enumtypid, e.enumlabel FROM pg_enum e".into(),
    ]
}

fn mysql_queries() -> Vec<String> {
    vec![
        "SELECT TABLE_NAME, TABLE_COMMENT FROM information_schema.TABLES \
         WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE = 'BASE TABLE'"
            .into(),
        "SELECT TABLE_NAME, COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE, COLUMN_DEFAULT, EXTRA, \
                COLUMN_COMMENT FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE()"
            .into(),
        "SELECT TABLE_NAME, INDEX_NAME, NON_UNIQUE, SEQ_IN_INDEX, COLUMN_NAME, COLLATION \
         FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE()"
            .into(),
        // Two queries, not a join: MariaDB materialises information_schema tables, and joining
        // two of them measured slower at 5,000 tables than the introspector's two queries.
        "SELECT TABLE_NAME, CONSTRAINT_NAME, COLUMN_NAME, REFERENCED_TABLE_NAME, \
                REFERENCED_COLUMN_NAME FROM information_schema.KEY_COLUMN_USAGE \
         WHERE TABLE_SCHEMA = DATABASE() AND REFERENCED_TABLE_NAME IS NOT NULL"
            .into(),
        "SELECT TABLE_NAME, CONSTRAINT_NAME, UPDATE_RULE, DELETE_RULE \
         FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE()"
            .into(),
        "SELECT TABLE_NAME, CONSTRAINT_NAME, CHECK_CLAUSE FROM information_schema.CHECK_CONSTRAINTS \
         WHERE CONSTRAINT_SCHEMA = DATABASE()"
            .into(),
    ]
}

/// Runs the floor queries on `conn`, touching every cell of every row without decoding it.
pub async fn fetch(conn: &mut Connection) -> Result<FloorRows, sqlx::Error> {
    let mut out = FloorRows::default();
    match conn {
        Connection::Sqlite(c) => {
            for q in sqlite_queries() {
                let rows = sqlx::query(&q).fetch_all(&mut *c).await?;
                out.queries += 1;
                out.rows += rows.len();
                touch(&rows)?;
            }
        }
        Connection::Postgres(c) => {
            for q in postgres_queries() {
                let rows = sqlx::query(&q).fetch_all(&mut *c).await?;
                out.queries += 1;
                out.rows += rows.len();
                touch(&rows)?;
            }
        }
        Connection::Mysql(c) => {
            for q in mysql_queries() {
                let rows = sqlx::query(&q).fetch_all(&mut *c).await?;
                out.queries += 1;
                out.rows += rows.len();
                touch(&rows)?;
            }
        }
    }
    Ok(out)
}

/// Looks at every raw cell (what any consumer must do at least once) without decoding it.
fn touch<R: Row>(rows: &[R]) -> Result<(), sqlx::Error>
where
    usize: sqlx::ColumnIndex<R>,
{
    for row in rows {
        for i in 0..row.len() {
            std::hint::black_box(row.try_get_raw(i)?);
        }
    }
    Ok(())
}
