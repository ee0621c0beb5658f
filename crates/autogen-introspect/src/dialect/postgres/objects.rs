//! PostgreSQL's views, materialized views, triggers, functions, procedures, sequences, domains
//! and extensions as [`SchemaObject`]s, and the server's print of the ones the project declares.
//!
//! Two queries per read: the objects with the server's own print (`pg_get_viewdef`, the view's
//! options and result columns, `pg_get_triggerdef`, `pg_get_functiondef` with the routine's
//! argument types as part of its name, `pg_sequence`'s options, a domain's type, default, `NOT
//! NULL` and constraints from `pg_type` / `pg_constraint`, an extension's name), and what they
//! use from `pg_depend` (a view's tables, columns, other views and functions, a trigger's table,
//! columns and function, a routine's domains), which is exact. Left out like in `unmanaged.rs`:
//! extension members (functions, sequences, domains, views), internal (foreign-key) triggers,
//! aggregates and window functions, sequences owned by a column (serial, identity: the column
//! is their model), and `plpgsql`.
//!
//! Printing ([`print`]): in one transaction that is always rolled back, a scratch schema is put
//! first on the search path, the declared extensions are created (where the database lacks
//! them, into the scratch schema), the desired tables are created in it (`setup`, rendered by
//! the caller), then each declared object from its author's text (a savepoint each, so one
//! refused object costs only itself), and the scratch schema is read exactly like a live one.
//! Names the objects use resolve to the scratch tables first and to the managed schema after
//! (functions the project does not declare), and the server prints them unqualified in both, so
//! the desired print and the live print compare exactly. A declared routine takes the name the
//! server gives it (`f(int4)` is `f(integer)`). Nothing persists.

use autogen_schema::{ObjectDependency, ObjectKind, SchemaObject};
use sqlx::postgres::PgConnection;

use super::spelling::replayable;
use crate::dialect::each_row;
use crate::{IntrospectError, IntrospectStats};

/// `(kind, name, table of a trigger, print, options, parts)`. A function's or procedure's name
/// carries its argument types (`f(integer, text)`, part of its identity); its parts are its
/// argument list and result (`CREATE OR REPLACE` cannot change them). A sequence's print is empty
/// and its options are its whole option list, one part each. A domain's parts are its `AS type
/// [COLLATE ..]`, then its default, `NOT NULL` and constraints (by name). An extension's option
/// is its schema.
const LIST: &str = "\
SELECT CASE c.relkind WHEN 'v' THEN 'view' ELSE 'materialized_view' END, c.relname::text, \
       NULL::text, pg_get_viewdef(c.oid), coalesce(array_to_string(c.reloptions, ', '), ''), \
       coalesce((SELECT array_agg(quote_ident(a.attname) || ' ' || format_type(a.atttypid, a.atttypmod) \
                 ORDER BY a.attnum) FROM pg_attribute a \
                 WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped), '{}'::text[]) \
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
  WHERE n.nspname = $1 AND c.relkind IN ('v', 'm') AND NOT EXISTS (SELECT 1 FROM pg_depend d \
    WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e') \
UNION ALL \
SELECT 'trigger', t.tgname::text, c.relname::text, pg_get_triggerdef(t.oid), '', '{}'::text[] \
  FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace \
  WHERE n.nspname = $1 AND NOT t.tgisinternal \
UNION ALL \
SELECT CASE p.prokind WHEN 'p' THEN 'procedure' ELSE 'function' END, \
       p.proname || '(' || oidvectortypes(p.proargtypes) || ')', NULL, pg_get_functiondef(p.oid), '', \
       ARRAY['(' || pg_get_function_arguments(p.oid) || ')', \
             coalesce('RETURNS ' || pg_get_function_result(p.oid), '')] \
  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace \
  WHERE n.nspname = $1 AND p.prokind IN ('f', 'p') AND NOT EXISTS (SELECT 1 FROM pg_depend d \
    WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e') \
UNION ALL \
SELECT 'sequence', c.relname::text, NULL, '', '', \
       ARRAY['AS ' || format_type(s.seqtypid, NULL), 'INCREMENT BY ' || s.seqincrement, \
             'MINVALUE ' || s.seqmin, 'MAXVALUE ' || s.seqmax, 'START WITH ' || s.seqstart, \
             'CACHE ' || s.seqcache, CASE WHEN s.seqcycle THEN 'CYCLE' ELSE 'NO CYCLE' END] \
  FROM pg_sequence s JOIN pg_class c ON c.oid = s.seqrelid JOIN pg_namespace n ON n.oid = c.relnamespace \
  WHERE n.nspname = $1 AND NOT EXISTS (SELECT 1 FROM pg_depend d \
    WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype IN ('a', 'i', 'e')) \
UNION ALL \
SELECT 'domain', t.typname::text, NULL, '', '', \
       ARRAY['AS ' || format_type(t.typbasetype, t.typtypmod) || CASE WHEN t.typcollation <> b.typcollation \
             THEN ' COLLATE ' || quote_ident(co.collname) ELSE '' END] \
       || CASE WHEN t.typdefault IS NULL THEN '{}'::text[] ELSE ARRAY['DEFAULT ' || t.typdefault] END \
       || CASE WHEN t.typnotnull THEN ARRAY['NOT NULL'] ELSE '{}'::text[] END \
       || coalesce((SELECT array_agg('CONSTRAINT ' || quote_ident(k.conname) || ' ' || pg_get_constraintdef(k.oid) \
                    ORDER BY k.conname) FROM pg_constraint k WHERE k.contypid = t.oid AND k.contype = 'c'), '{}'::text[]) \
  FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace JOIN pg_type b ON b.oid = t.typbasetype \
  LEFT JOIN pg_collation co ON co.oid = t.typcollation \
  WHERE n.nspname = $1 AND t.typtype = 'd' AND NOT EXISTS (SELECT 1 FROM pg_depend d \
    WHERE d.classid = 'pg_type'::regclass AND d.objid = t.oid AND d.deptype = 'e') \
UNION ALL \
SELECT 'extension', e.extname::text, NULL, '', n.nspname::text, '{}'::text[] \
  FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname <> 'plpgsql'";

/// `(kind, name, table of a trigger, used relation, function or type, used column, what it is)`:
/// `r` a table, `v` / `m` a view, `f` a function, `d` a domain.
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
SELECT CASE v.relkind WHEN 'm' THEN 'materialized_view' ELSE 'view' END, v.relname::text, NULL::text, \
       p.proname || '(' || oidvectortypes(p.proargtypes) || ')', NULL, 'f' \
  FROM pg_depend d JOIN pg_rewrite r ON r.oid = d.objid JOIN pg_class v ON v.oid = r.ev_class \
  JOIN pg_namespace vn ON vn.oid = v.relnamespace \
  JOIN pg_proc p ON p.oid = d.refobjid JOIN pg_namespace pn ON pn.oid = p.pronamespace \
  WHERE d.classid = 'pg_rewrite'::regclass AND d.refclassid = 'pg_proc'::regclass \
    AND vn.nspname = $1 AND pn.nspname = $1 \
UNION ALL \
SELECT 'trigger', g.tgname::text, c.relname::text, t.relname::text, a.attname::text, 'r' \
  FROM pg_depend d JOIN pg_trigger g ON g.oid = d.objid JOIN pg_class c ON c.oid = g.tgrelid \
  JOIN pg_class t ON t.oid = d.refobjid JOIN pg_namespace tn ON tn.oid = t.relnamespace \
  LEFT JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = d.refobjsubid AND d.refobjsubid > 0 \
  WHERE d.classid = 'pg_trigger'::regclass AND d.refclassid = 'pg_class'::regclass \
    AND tn.nspname = $1 AND NOT g.tgisinternal \
UNION ALL \
SELECT 'trigger', g.tgname::text, c.relname::text, p.proname || '(' || oidvectortypes(p.proargtypes) || ')', NULL, 'f' \
  FROM pg_depend d JOIN pg_trigger g ON g.oid = d.objid JOIN pg_class c ON c.oid = g.tgrelid \
  JOIN pg_namespace cn ON cn.oid = c.relnamespace JOIN pg_proc p ON p.oid = d.refobjid \
  WHERE d.classid = 'pg_trigger'::regclass AND d.refclassid = 'pg_proc'::regclass \
    AND cn.nspname = $1 AND NOT g.tgisinternal \
UNION ALL \
SELECT CASE p.prokind WHEN 'p' THEN 'procedure' ELSE 'function' END, \
       p.proname || '(' || oidvectortypes(p.proargtypes) || ')', NULL, t.typname::text, NULL, 'd' \
  FROM pg_depend d JOIN pg_proc p ON p.oid = d.objid JOIN pg_namespace pn ON pn.oid = p.pronamespace \
  JOIN pg_type t ON t.oid = d.refobjid JOIN pg_namespace tn ON tn.oid = t.typnamespace \
  WHERE d.classid = 'pg_proc'::regclass AND d.refclassid = 'pg_type'::regclass \
    AND pn.nspname = $1 AND tn.nspname = $1 AND t.typtype = 'd'";

/// The objects of `schema`, sorted by kind and name, with what they use.
pub(crate) async fn objects(
    conn: &mut PgConnection,
    stats: &mut IntrospectStats,
    schema: &str,
) -> Result<Vec<SchemaObject>, IntrospectError> {
    // Policies, row-level security and grants first (`security.rs`): they use nothing the
    // ordering below reads.
    let mut objects = super::security::security_objects(conn, stats, schema).await?;
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
            let mut parts: Vec<String> = r.get(5)?;
            if kind == ObjectKind::Domain {
                // A domain's CHECK as the server prints it may not print back the same when
                // run again (see `spelling::replayable`).
                parts = parts.iter().map(|p| replayable(p)).collect();
            }
            let sql = rebuild(kind, &name, &print, &options, &parts, schema);
            let definition = match kind {
                // Only the name is compared: where an extension's objects live is the server's
                // business once it exists (the rebuilt statement keeps its schema).
                ObjectKind::Extension => extension_definition(&name),
                _ => sql.clone(),
            };
            objects.push(SchemaObject {
                kind,
                name,
                table,
                definition,
                sql,
                columns: parts,
                depends_on: Vec::new(),
            });
            Ok(())
        },
    )
    .await?;
    // Only views, triggers and (through their argument types) functions of a domain use
    // something the ordering needs to know.
    let uses_anything = objects.iter().any(|o| {
        matches!(
            o.kind,
            ObjectKind::View
                | ObjectKind::MaterializedView
                | ObjectKind::Trigger
                | ObjectKind::Domain
        )
    });
    if !uses_anything {
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
                ("d", _) => ObjectDependency::Object {
                    kind: ObjectKind::Domain,
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
/// the function's or procedure's `CREATE OR REPLACE` without the schema qualifier the server
/// always writes (the object lives in whatever schema the search path creates it in), a
/// sequence's or domain's `CREATE` with every part the catalog holds, an extension's `CREATE
/// EXTENSION IF NOT EXISTS`, `WITH SCHEMA` when it lives outside `schema`.
fn rebuild(
    kind: ObjectKind,
    name: &str,
    print: &str,
    options: &str,
    parts: &[String],
    schema: &str,
) -> String {
    let body = print.trim().trim_end_matches(';').trim_end();
    // A view's query and a trigger's `WHEN` are the server's deparse, which is not always a
    // fixed point: `status IN ('a', 'b')` on a varchar column prints with an array cast the
    // server added itself and, run again, stores differently (see `spelling::replayable`). The
    // replayable spelling makes the same catalog wherever it runs, so the statement copied from
    // one database (`autogen diff A B`, a downgrade) prints back exactly as it was read.
    let body = match kind {
        ObjectKind::View | ObjectKind::MaterializedView | ObjectKind::Trigger => replayable(body),
        _ => body.to_string(),
    };
    let body = body.as_str();
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
        ObjectKind::Procedure => unqualified_after(body, "PROCEDURE ", schema),
        ObjectKind::Sequence => format!("CREATE SEQUENCE {} {}", quote(name), parts.join(" ")),
        ObjectKind::Domain => format!("CREATE DOMAIN {} {}", quote(name), parts.join(" ")),
        ObjectKind::Extension if options.is_empty() || options == schema => {
            extension_definition(name)
        }
        ObjectKind::Extension => format!(
            "{} WITH SCHEMA {}",
            extension_definition(name),
            quote(options)
        ),
        _ => body.to_string(),
    }
}

/// What an extension is compared by: its name, as `CREATE EXTENSION IF NOT EXISTS "name"`.
fn extension_definition(name: &str) -> String {
    format!("CREATE EXTENSION IF NOT EXISTS {}", quote(name))
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
    // Extensions first: the tables and objects may use their types and functions. They are
    // created in the scratch schema (first on the search path) unless the database has them.
    let mut refused: Vec<Option<String>> = vec![None; objects.len()];
    for (i, o) in objects.iter().enumerate() {
        if o.kind == ObjectKind::Extension {
            refused[i] = guarded(conn, &o.sql).await.map_err(fail)?.err();
        }
    }
    for sql in setup {
        // A table the server refuses (a type from an extension that is not installed) is left
        // out; the objects that need it are refused in turn and keep their text.
        let _ = guarded(conn, sql).await.map_err(fail)?;
    }
    // The objects as the server names them: a function or procedure by the argument types the
    // server reads from its text (`f(int)` is `f(integer)`), found as the one routine its
    // statement added to the scratch schema.
    let mut keyed: Vec<SchemaObject> = objects.to_vec();
    let mut routines: Vec<String> = sqlx::query_scalar(ROUTINES)
        .bind(&scratch)
        .fetch_all(&mut *conn)
        .await
        .map_err(fail)?;
    for (i, o) in objects.iter().enumerate() {
        if o.kind == ObjectKind::Extension {
            continue;
        }
        refused[i] = guarded(conn, &o.sql).await.map_err(fail)?.err();
        if refused[i].is_none() && matches!(o.kind, ObjectKind::Function | ObjectKind::Procedure) {
            let now: Vec<String> = sqlx::query_scalar(ROUTINES)
                .bind(&scratch)
                .fetch_all(&mut *conn)
                .await
                .map_err(fail)?;
            if let Some(added) = now.iter().find(|r| !routines.contains(r)) {
                keyed[i].name = added.clone();
            }
            routines = now;
        }
    }
    let mut printed = self::objects(conn, stats, &scratch).await?;
    // An extension prints as its name; whether the database has it already is no difference.
    for o in objects.iter().filter(|o| o.kind == ObjectKind::Extension) {
        printed.retain(|p| !p.same_object(o));
        printed.push(SchemaObject {
            definition: extension_definition(&o.name),
            ..o.clone()
        });
    }
    Ok(crate::objects::pair_printed(&keyed, refused, &printed))
}

/// The functions and procedures of the schema `$1`, named with their argument types (an
/// extension's too: one created in the scratch schema is not a declared routine).
const ROUTINES: &str = "\
SELECT p.proname || '(' || oidvectortypes(p.proargtypes) || ')' FROM pg_proc p \
  JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = $1 AND p.prokind IN ('f', 'p')";

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deparsed_prints_are_rebuilt_replayable() {
        let any =
            "(s)::text = ANY ((ARRAY['a'::character varying, 'b'::character varying])::text[])";
        let replayed = "(s)::text = ANY (ARRAY['a'::character varying, 'b'::character varying])";
        let view = rebuild(
            ObjectKind::View,
            "v",
            &format!(" SELECT t.id\n   FROM t\n  WHERE ({any});"),
            "",
            &[],
            "public",
        );
        assert_eq!(
            view,
            format!("CREATE VIEW \"v\" AS\nSELECT t.id\n   FROM t\n  WHERE ({replayed})")
        );
        let trigger = rebuild(
            ObjectKind::Trigger,
            "tr",
            &format!("CREATE TRIGGER tr AFTER UPDATE ON public.t FOR EACH ROW WHEN ({any}) EXECUTE FUNCTION f()"),
            "",
            &[],
            "public",
        );
        assert_eq!(
            trigger,
            format!("CREATE TRIGGER tr AFTER UPDATE ON t FOR EACH ROW WHEN ({replayed}) EXECUTE FUNCTION f()")
        );
        // A routine's body is its author's text, never respelled.
        let body = "CREATE OR REPLACE FUNCTION public.f()\n RETURNS boolean\n LANGUAGE sql\nAS $function$SELECT 'a' = ANY ((ARRAY['a'])::text[])$function$";
        let function = rebuild(ObjectKind::Function, "f()", body, "", &[], "public");
        assert!(
            function.contains("ANY ((ARRAY['a'])::text[])"),
            "{function}"
        );
    }
}
