//! PostgreSQL's unmanaged objects (see `crate::unmanaged`): one query listing views, materialized
//! views, triggers, functions and procedures, sequences no column owns, domains, extensions, policies and
//! other schemas holding tables; and, only when there are views, triggers or policies, one query
//! over `pg_depend` for the tables and columns they use.
//!
//! Left out on purpose: objects an extension created (`pg_depend` type `e`: they come and go
//! with the extension), triggers the server makes for foreign keys (`tgisinternal`), sequences
//! owned by a serial or identity column (types `a` and `i`: autogen manages those through the
//! column), and `plpgsql`, which every database has.

use sqlx::postgres::PgConnection;

use crate::dialect::each_row;
use crate::unmanaged::{add_usage, UnmanagedKind, UnmanagedObject, Usage};
use crate::{IntrospectError, IntrospectStats};

const LIST: &str = "\
SELECT CASE c.relkind WHEN 'v' THEN 'view' ELSE 'materialized_view' END, \
       CASE WHEN n.nspname = $1[1] THEN c.relname::text ELSE n.nspname || '.' || c.relname END, NULL::text \
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
  WHERE n.nspname = ANY($1) AND c.relkind IN ('v', 'm') AND NOT EXISTS (SELECT 1 FROM pg_depend d \
    WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e') \
UNION ALL \
SELECT 'trigger', t.tgname::text, \
       CASE WHEN n.nspname = $1[1] THEN c.relname::text ELSE n.nspname || '.' || c.relname END \
  FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace \
  WHERE n.nspname = ANY($1) AND NOT t.tgisinternal \
UNION ALL \
SELECT CASE p.prokind WHEN 'p' THEN 'procedure' ELSE 'function' END, p.proname::text, NULL \
  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace \
  WHERE n.nspname = ANY($1) AND NOT EXISTS (SELECT 1 FROM pg_depend d \
    WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e') \
UNION ALL \
SELECT 'sequence', \
       CASE WHEN n.nspname = $1[1] THEN c.relname::text ELSE n.nspname || '.' || c.relname END, NULL \
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
  WHERE n.nspname = ANY($1) AND c.relkind = 'S' AND NOT EXISTS (SELECT 1 FROM pg_depend d \
    WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype IN ('a', 'i', 'e')) \
UNION ALL \
SELECT 'domain', \
       CASE WHEN n.nspname = $1[1] THEN t.typname::text ELSE n.nspname || '.' || t.typname END, NULL \
  FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace \
  WHERE n.nspname = ANY($1) AND t.typtype = 'd' AND NOT EXISTS (SELECT 1 FROM pg_depend d \
    WHERE d.classid = 'pg_type'::regclass AND d.objid = t.oid AND d.deptype = 'e') \
UNION ALL \
SELECT 'extension', e.extname::text, NULL FROM pg_extension e WHERE e.extname <> 'plpgsql' \
UNION ALL \
SELECT 'policy', p.polname::text, \
       CASE WHEN n.nspname = $1[1] THEN c.relname::text ELSE n.nspname || '.' || c.relname END \
  FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid JOIN pg_namespace n ON n.oid = c.relnamespace \
  WHERE n.nspname = ANY($1) \
UNION ALL \
SELECT 'schema', n.nspname::text, NULL FROM pg_namespace n \
  WHERE n.nspname <> ALL($1) AND n.nspname NOT IN ('pg_catalog', 'information_schema') \
    AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp\\_%' \
    AND EXISTS (SELECT 1 FROM pg_class c WHERE c.relnamespace = n.oid AND c.relkind IN ('r', 'p'))";

/// What views (through their rewrite rule), triggers and policies depend on: a table (sub-id 0)
/// or one of its columns. Only tables of the managed schema are looked at.
const USES: &str = "\
SELECT CASE v.relkind WHEN 'm' THEN 'materialized_view' ELSE 'view' END, \
       CASE WHEN vn.nspname = $1[1] THEN v.relname::text ELSE vn.nspname || '.' || v.relname END, \
       CASE WHEN tn.nspname = $1[1] THEN t.relname::text ELSE tn.nspname || '.' || t.relname END, \
       a.attname::text \
  FROM pg_depend d JOIN pg_rewrite r ON r.oid = d.objid JOIN pg_class v ON v.oid = r.ev_class \
  JOIN pg_namespace vn ON vn.oid = v.relnamespace \
  JOIN pg_class t ON t.oid = d.refobjid JOIN pg_namespace tn ON tn.oid = t.relnamespace \
  LEFT JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = d.refobjsubid AND d.refobjsubid > 0 \
  WHERE d.classid = 'pg_rewrite'::regclass AND d.refclassid = 'pg_class'::regclass \
    AND vn.nspname = ANY($1) AND tn.nspname = ANY($1) AND t.oid <> v.oid AND t.relkind IN ('r', 'p') \
UNION ALL \
SELECT 'trigger', g.tgname::text, \
       CASE WHEN tn.nspname = $1[1] THEN t.relname::text ELSE tn.nspname || '.' || t.relname END, \
       a.attname::text \
  FROM pg_depend d JOIN pg_trigger g ON g.oid = d.objid \
  JOIN pg_class t ON t.oid = d.refobjid JOIN pg_namespace tn ON tn.oid = t.relnamespace \
  LEFT JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = d.refobjsubid AND d.refobjsubid > 0 \
  WHERE d.classid = 'pg_trigger'::regclass AND d.refclassid = 'pg_class'::regclass \
    AND tn.nspname = ANY($1) AND NOT g.tgisinternal \
UNION ALL \
SELECT 'policy', p.polname::text, \
       CASE WHEN tn.nspname = $1[1] THEN t.relname::text ELSE tn.nspname || '.' || t.relname END, \
       a.attname::text \
  FROM pg_depend d JOIN pg_policy p ON p.oid = d.objid \
  JOIN pg_class t ON t.oid = d.refobjid JOIN pg_namespace tn ON tn.oid = t.relnamespace \
  LEFT JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = d.refobjsubid AND d.refobjsubid > 0 \
  WHERE d.classid = 'pg_policy'::regclass AND d.refclassid = 'pg_class'::regclass AND tn.nspname = ANY($1)";

pub(crate) async fn unmanaged(
    conn: &mut PgConnection,
    stats: &mut IntrospectStats,
    schemas: &[String],
) -> Result<Vec<UnmanagedObject>, IntrospectError> {
    let mut objects = Vec::new();
    each_row(
        conn,
        stats,
        "postgres unmanaged objects",
        sqlx::query(LIST).bind(schemas),
        |r| {
            let kind: String = r.get(0)?;
            let kind = UnmanagedKind::parse(&kind)
                .ok_or_else(|| r.invalid(0, &format!("unknown kind {kind:?}")))?;
            objects.push(UnmanagedObject::new(kind, r.get(1)?, r.get(2)?));
            Ok(())
        },
    )
    .await?;
    let has_uses = objects.iter().any(|o| {
        matches!(
            o.kind,
            UnmanagedKind::View
                | UnmanagedKind::MaterializedView
                | UnmanagedKind::Trigger
                | UnmanagedKind::Policy
        )
    });
    if has_uses {
        each_row(
            conn,
            stats,
            "postgres unmanaged uses",
            sqlx::query(USES).bind(schemas),
            |r| {
                let kind: String = r.get(0)?;
                let Some(kind) = UnmanagedKind::parse(&kind) else {
                    return Ok(());
                };
                let name: String = r.get(1)?;
                let usage = Usage {
                    table: r.get(2)?,
                    column: r.get(3)?,
                };
                add_usage(&mut objects, kind, &name, usage);
                Ok(())
            },
        )
        .await?;
    }
    Ok(objects)
}
