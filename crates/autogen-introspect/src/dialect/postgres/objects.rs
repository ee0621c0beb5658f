//! PostgreSQL's views, materialized views, triggers and functions as [`SchemaObject`]s, and the
//! server's print of the ones the project declares.
//!
//! Two queries per read: the objects with the server's own print (`pg_get_viewdef`, the view's
//! options and result columns, `pg_get_triggerdef`, `pg_get_functiondef`), and what they use
//! from `pg_depend` (a view's tables, columns and other views, a trigger's table, columns and
//! function), which is exact. Left out like in `unmanaged.rs`: extension members, internal
//! (foreign-key) triggers, aggregates and procedures.
//!
//! Printing ([`print`]): in one transaction that is always rolled back, a scratch schema is put
//! first on the search path, the desired tables are created in it (`setup`, rendered by the
//! caller), then each declared object from its author's text (a savepoint each, so one refused
//! object costs only itself), and the scratch schema is read exactly like a live one. Names the
//! objects use resolve to the scratch tables first and to the managed schema after (functions
//! the project does not declare), and the server prints them unqualified in both, so the
//! desired print and the live print compare exactly. Nothing persists.

use autogen_schema::{ObjectDependency, ObjectKind, SchemaObject};
use sqlx::postgres::PgConnection;

use crate::dialect::each_row;
use crate::{IntrospectError, IntrospectStats};

const LIST: &str = "\
SELECT CASE c.relkind WHEN 'v' THEN 'view' ELSE 'materialized_view' END, c.relname::text, \
       NULL::text, pg_get_viewdef(c.oid), coalesce(array_to_string(c.reloptions, ', '), ''), \
       coalesce((SELECT string_agg(quote_ident(a.attname) || ' ' || format_type(a.atttypid, a.atttypmod), \
                 ', ' ORDER BY a.attnum) FROM pg_attribute a \
                 WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped), '') \
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
  WHERE n.nspname = $1 AND c.relkind IN ('v', 'm') AND NOT EXISTS (SELECT 1 FROM pg_depend d \
    WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e') \
UNION ALL \
SELECT 'trigger', t.tgname::text, c.relname::text, pg_get_triggerdef(t.oid), '', '' \
  FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace \
  WHERE n.nspname = $1 AND NOT t.tgisinternal \
UNION ALL \
SELECT 'function', p.proname::text, NULL, pg_get_functiondef(p.oid), '', '' \
  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace \
  WHERE n.nspname = $1 AND p.prokind = 'f' AND NOT EXISTS (SELECT 1 FROM pg_depend d \
    WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')";

/// `(kind, name, table of a trigger, used relation or function, used column, what it is)`:
/// `r` a table, `v` / `m` a view, `f` a function.
const USES: &str = "\
SELECT CASE v.relkind WHEN 'm' THEN 'materialized_view' ELSE 'view' END, v.relname::text, NULL::text, \
       t.relname::text, a.attname::text, CASE WHEN t.relkind IN ('r', 'p') THEN 'r' ELSE t.relkind::text END \
  FROM pg_depend d JOIN pg_rewrite r ON r.oid = d.objid JOIN pg_class v ON v.oid = r.ev_class \
  JOIN pg_namespace vn ON vn.oid = v.relnamespace \
  JOIN pg_class t ON t.oid = d.refobjid JOIN pg_namespace tn ON tn.oid = t.relnamespace \
  LEFT JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = d.refobjsubid AND d.refobjsubid > 0 \
  WHERE d.classid = 'pg_rewrite'::regclass AND d.refclassid = 'pg_class'::regclass \
    AND vn.nspname = $1 AND tn.nspname = $1 AND t.oid <> v.oid AND t.relkind IN ('r', 'p', 'v', 'm') \
UNION ALL \
SELECT 'trigger', g.tgname::text, c.relname::text, t.relname::text, a.attname::text, 'r' \
  FROM pg_depend d JOIN pg_trigger g ON g.oid = d.objid JOIN pg_class c ON c.oid = g.tgrelid \
  JOIN pg_class t ON t.oid = d.refobjid JOIN pg_namespace tn ON tn.oid = t.relnamespace \
  LEFT JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = d.refobjsubid AND d.refobjsubid > 0 \
  WHERE d.classid = 'pg_trigger'::regclass AND d.refclassid = 'pg_class'::regclass \
    AND tn.nspname = $1 AND NOT g.tgisinternal \
UNION ALL \
SELECT 'trigger', g.tgname::text, c.relname::text, p.proname::text, NULL, 'f' \
  FROM pg_depend d JOIN pg_trigger g ON g.oid = d.objid JOIN pg_class c ON c.oid = g.tgrelid \
  JOIN pg_namespace cn ON cn.oid = c.relnamespace JOIN pg_proc p ON p.oid = d.refobjid \
  WHERE d.classid = 'pg_trigger'::regclass AND d.refclassid = 'pg_proc'::regclass \
    AND cn.nspname = $1 AND NOT g.tgisinternal";

/// The objects of `schema`, sorted by kind and name, with what they use.
pub(crate) async fn objects(
    conn: &mut PgConnection,
    stats: &mut IntrospectStats,
    schema: &str,
) -> Result<Vec<SchemaObject>, IntrospectError> {
    let mut objects = Vec::new();
    each_row(
        conn,
        stats,
        "postgres objects",
        sqlx::query(LIST).bind(schema),
        |r| {
            let kind: String = r.get(0)?;
            let kind = ObjectKind::parse(&kind)
                .ok_or_else(|| r.invalid(0, &format!("unknown kind {kind:?}")))?;
            let name: String = r.get(1)?;
            let table: Option<String> = r.get(2)?;
            let print: String = r.get(3)?;
            let options: String = r.get(4)?;
            let columns: String = r.get(5)?;
            let sql = rebuild(kind, &name, &print, &options, schema);
            objects.push(SchemaObject {
                kind,
                name,
                table,
                definition: sql.clone(),
                sql,
                columns: columns
                    .split(", ")
                    .filter(|c| !c.is_empty())
                    .map(str::to_string)
                    .collect(),
                depends_on: Vec::new(),
            });
            Ok(())
        },
    )
    .await?;
    if objects.iter().all(|o| o.kind == ObjectKind::Function) {
        return Ok(objects);
    }
    each_row(
        conn,
        stats,
        "postgres object uses",
        sqlx::query(USES).bind(schema),
        |r| {
            let kind: String = r.get(0)?;
            let Some(kind) = ObjectKind::parse(&kind) else {
                return Ok(());
            };
            let name: String = r.get(1)?;
            let table: Option<String> = r.get(2)?;
            let used: String = r.get(3)?;
            let column: Option<String> = r.get(4)?;
            let what: String = r.get(5)?;
            let dependency = match (what.as_str(), column) {
                ("r", Some(column)) => ObjectDependency::Column {
                    table: used,
                    column,
                },
                ("r", None) => ObjectDependency::Table(used),
                ("v", _) => ObjectDependency::Object {
                    kind: ObjectKind::View,
                    name: used,
                },
                ("m", _) => ObjectDependency::Object {
                    kind: ObjectKind::MaterializedView,
                    name: used,
                },
                _ => ObjectDependency::Object {
                    kind: ObjectKind::Function,
                    name: used,
                },
            };
            if let Some(o) = objects
                .iter_mut()
                .find(|o| o.kind == kind && o.name == name && o.table == table)
            {
                o.depends_on.push(dependency);
            }
            Ok(())
        },
    )
    .await?;
    Ok(objects)
}

/// The statement that creates the object again, from the server's print: `CREATE VIEW "v" WITH
/// (options) AS <pg_get_viewdef>` (without its final `;`), the trigger's definition as printed,
/// the function's `CREATE OR REPLACE FUNCTION` without the schema qualifier the server always
/// writes (the object lives in whatever schema the search path creates it in).
fn rebuild(kind: ObjectKind, name: &str, print: &str, options: &str, schema: &str) -> String {
    let body = print.trim().trim_end_matches(';').trim_end();
    let with = if options.is_empty() {
        String::new()
    } else {
        format!(" WITH ({options})")
    };
    match kind {
        ObjectKind::View => format!("CREATE VIEW {}{with} AS\n{body}", quote(name)),
        ObjectKind::MaterializedView => {
            format!("CREATE MATERIALIZED VIEW {}{with} AS\n{body}", quote(name))
        }
        // pg_get_triggerdef always qualifies the table; the object lives in the schema the
        // search path creates it in, like the table.
        ObjectKind::Trigger => unqualified_after(body, " ON ", schema),
        ObjectKind::Function => unqualified_after(body, "FUNCTION ", schema),
    }
}

/// `body` with the first `<keyword><schema>.` (the schema quoted or bare) turned into
/// `<keyword>`: the server's print names the schema that the search path supplies anyway.
fn unqualified_after(body: &str, keyword: &str, schema: &str) -> String {
    let mut out = body.to_string();
    for qualifier in [format!("{}.", quote(schema)), format!("{schema}.")] {
        let head = format!("{keyword}{qualifier}");
        if let Some(at) = out.find(&head) {
            out.replace_range(at + keyword.len()..at + head.len(), "");
            break;
        }
    }
    out
}

fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// Prints `objects` (see the module comment): one result per object, in order, the server's
/// print or its reason for refusing the object.
pub(crate) async fn print(
    conn: &mut PgConnection,
    stats: &mut IntrospectStats,
    setup: &[String],
    objects: &[SchemaObject],
) -> Result<Vec<Result<SchemaObject, String>>, IntrospectError> {
    let fail = |e: sqlx::Error| IntrospectError::Query {
        query: "postgres print objects",
        message: e.to_string(),
    };
    sqlx::raw_sql("BEGIN")
        .execute(&mut *conn)
        .await
        .map_err(fail)?;
    let result = print_in_transaction(conn, stats, setup, objects).await;
    // Always rolled back: nothing of the scratch schema persists.
    let rolled_back = sqlx::raw_sql("ROLLBACK").execute(&mut *conn).await;
    let printed = result?;
    rolled_back.map_err(fail)?;
    Ok(printed)
}

async fn print_in_transaction(
    conn: &mut PgConnection,
    stats: &mut IntrospectStats,
    setup: &[String],
    objects: &[SchemaObject],
) -> Result<Vec<Result<SchemaObject, String>>, IntrospectError> {
    let fail = |e: sqlx::Error| IntrospectError::Query {
        query: "postgres print objects",
        message: e.to_string(),
    };
    let path: String = sqlx::query_scalar("SELECT current_setting('search_path')")
        .fetch_one(&mut *conn)
        .await
        .map_err(fail)?;
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let scratch = format!("autogen_print_{}_{nanos}", std::process::id());
    let path = if path.trim().is_empty() {
        quote(&scratch)
    } else {
        format!("{}, {path}", quote(&scratch))
    };
    sqlx::raw_sql(&format!(
        "CREATE SCHEMA {}; SET LOCAL search_path TO {path}",
        quote(&scratch)
    ))
    .execute(&mut *conn)
    .await
    .map_err(fail)?;
    for sql in setup {
        // A table the server refuses (a type from an extension that is not installed) is left
        // out; the objects that need it are refused in turn and keep their text.
        let _ = guarded(conn, sql).await.map_err(fail)?;
    }
    let mut refused: Vec<Option<String>> = Vec::with_capacity(objects.len());
    for o in objects {
        refused.push(guarded(conn, &o.sql).await.map_err(fail)?.err());
    }
    let printed = self::objects(conn, stats, &scratch).await?;
    Ok(crate::objects::pair_printed(objects, refused, &printed))
}

/// Runs `sql` under a savepoint: `Ok(Err(message))` when the server refused it (and the
/// savepoint undid it), `Err` when the connection itself failed.
async fn guarded(conn: &mut PgConnection, sql: &str) -> Result<Result<(), String>, sqlx::Error> {
    sqlx::raw_sql("SAVEPOINT autogen_print")
        .execute(&mut *conn)
        .await?;
    match sqlx::raw_sql(sql).execute(&mut *conn).await {
        Ok(_) => {
            sqlx::raw_sql("RELEASE SAVEPOINT autogen_print")
                .execute(&mut *conn)
                .await?;
            Ok(Ok(()))
        }
        Err(sqlx::Error::Database(e)) => {
            sqlx::raw_sql("ROLLBACK TO SAVEPOINT autogen_print")
                .execute(&mut *conn)
                .await?;
            Ok(Err(e.message().to_string()))
        }
        Err(e) => Err(e),
    }
}
