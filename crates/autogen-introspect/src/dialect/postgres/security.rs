//! PostgreSQL row-level security as [`SchemaObject`]s: each policy (`pg_policy`, its
//! expressions printed by `pg_get_expr`), each table with row-level security switched on or
//! forced (`relrowsecurity`, `relforcerowsecurity`; the switches are the object's parts), and the
//! privileges each role other than the table's owner holds on each table, view and materialized
//! view (`aclexplode(relacl)`, and its columns' `aclexplode(attacl)` as `SELECT (a, b)`;
//! `PUBLIC` as the role `public`).
//!
//! One query. Each row is rebuilt into the statement that makes it again: `CREATE POLICY ...`,
//! `ALTER TABLE ... ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY`, `GRANT p, q (a, b) ON
//! t TO role` (privileges sorted, a column privilege's columns sorted by name),
//! which is also the comparison text (a grant's by its privilege list: see
//! `autogen_normalize::objects::definition_key`). A policy and a table's row-level security are
//! on their table; a grant is named by its role and is on its table. A second query reads the
//! columns each policy's expressions use (`pg_depend`, exact), so that a change to such a column
//! drops the policy before it and creates it again after (PostgreSQL refuses "cannot alter type
//! of a column used in a policy definition").

use autogen_normalize::objects::row_security_parts;
use autogen_schema::{Dialect, ObjectDependency, ObjectKind, SchemaObject};
use sqlx::postgres::PgConnection;

use crate::dialect::each_row;
use crate::{IntrospectError, IntrospectStats};

const LIST: &str = "\
SELECT 'policy', p.polname::text, c.relname::text, \
       'CREATE POLICY ' || quote_ident(p.polname) || ' ON ' || quote_ident(c.relname) \
       || CASE WHEN p.polpermissive THEN '' ELSE ' AS RESTRICTIVE' END \
       || ' FOR ' || CASE p.polcmd WHEN 'r' THEN 'SELECT' WHEN 'a' THEN 'INSERT' WHEN 'w' THEN 'UPDATE' \
                                   WHEN 'd' THEN 'DELETE' ELSE 'ALL' END \
       || ' TO ' || CASE WHEN p.polroles = '{0}'::oid[] THEN 'PUBLIC' ELSE \
            (SELECT string_agg(quote_ident(r.rolname), ', ' ORDER BY r.rolname) FROM pg_roles r \
              WHERE r.oid = ANY (p.polroles)) END \
       || coalesce(' USING (' || pg_get_expr(p.polqual, p.polrelid) || ')', '') \
       || coalesce(' WITH CHECK (' || pg_get_expr(p.polwithcheck, p.polrelid) || ')', '') \
  FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid JOIN pg_namespace n ON n.oid = c.relnamespace \
  WHERE n.nspname = $1 \
UNION ALL \
SELECT 'row_security', c.relname::text, c.relname::text, \
       'ALTER TABLE ' || quote_ident(c.relname) || ' ' \
       || concat_ws(', ', CASE WHEN c.relrowsecurity THEN 'ENABLE ROW LEVEL SECURITY' END, \
                          CASE WHEN c.relforcerowsecurity THEN 'FORCE ROW LEVEL SECURITY' END) \
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
  WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND (c.relrowsecurity OR c.relforcerowsecurity) \
UNION ALL \
SELECT 'grant', coalesce(r.rolname::text, 'public'), c.relname::text, \
       'GRANT ' || string_agg(g.privilege, ', ' ORDER BY g.privilege) || ' ON ' \
       || quote_ident(c.relname) || ' TO ' || coalesce(quote_ident(r.rolname), 'PUBLIC') \
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
  CROSS JOIN LATERAL ( \
    SELECT a.grantee, a.privilege_type::text AS privilege FROM aclexplode(c.relacl) a \
      WHERE a.grantee <> c.relowner \
    UNION ALL \
    SELECT a.grantee, a.privilege_type || ' (' \
           || string_agg(quote_ident(att.attname), ', ' ORDER BY att.attname) || ')' \
      FROM pg_attribute att CROSS JOIN LATERAL aclexplode(att.attacl) a \
      WHERE att.attrelid = c.oid AND att.attnum > 0 AND NOT att.attisdropped \
        AND a.grantee <> c.relowner \
      GROUP BY a.grantee, a.privilege_type) g \
  LEFT JOIN pg_roles r ON r.oid = g.grantee \
  WHERE n.nspname = $1 AND c.relkind IN ('r', 'p', 'v', 'm') \
  GROUP BY r.rolname, c.relname \
ORDER BY 1, 3, 2";

/// `(policy, its table, used table, used column)`.
const POLICY_USES: &str = "\
SELECT p.polname::text, c.relname::text, t.relname::text, a.attname::text \
  FROM pg_depend d JOIN pg_policy p ON p.oid = d.objid JOIN pg_class c ON c.oid = p.polrelid \
  JOIN pg_namespace n ON n.oid = c.relnamespace \
  JOIN pg_class t ON t.oid = d.refobjid JOIN pg_namespace tn ON tn.oid = t.relnamespace \
  JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = d.refobjsubid \
  WHERE d.classid = 'pg_policy'::regclass AND d.refclassid = 'pg_class'::regclass \
    AND d.refobjsubid > 0 AND n.nspname = $1 AND tn.nspname = $1";

/// The policies, row-level security switches and grants of `schema`.
pub(crate) async fn security_objects(
    conn: &mut PgConnection,
    stats: &mut IntrospectStats,
    schema: &str,
) -> Result<Vec<SchemaObject>, IntrospectError> {
    let mut out = Vec::new();
    each_row(
        conn,
        stats,
        "postgres policies and grants",
        sqlx::query(LIST).bind(schema),
        |r| {
            let kind: String = r.get(0)?;
            let kind = ObjectKind::parse(&kind)
                .ok_or_else(|| r.invalid(0, &format!("unknown kind {kind:?}")))?;
            let mut sql: String = r.get(3)?;
            if kind == ObjectKind::Policy {
                // `pg_get_expr`'s print in a spelling that prints back the same when run again
                // (see `spelling::replayable`).
                sql = super::spelling::replayable(&sql);
            }
            // A table's row-level security is compared and altered by its switches.
            let columns = if kind == ObjectKind::RowSecurity {
                row_security_parts(Dialect::Postgres, &sql)
            } else {
                Vec::new()
            };
            out.push(SchemaObject {
                kind,
                name: r.get(1)?,
                table: Some(r.get(2)?),
                definition: sql.clone(),
                sql,
                columns,
                depends_on: Vec::new(),
            });
            Ok(())
        },
    )
    .await?;
    if !out.iter().any(|o| o.kind == ObjectKind::Policy) {
        return Ok(out);
    }
    each_row(
        conn,
        stats,
        "postgres policy uses",
        sqlx::query(POLICY_USES).bind(schema),
        |r| {
            let name: String = r.get(0)?;
            let table: Option<String> = Some(r.get(1)?);
            let dependency = ObjectDependency::Column {
                table: r.get(2)?,
                column: r.get(3)?,
            };
            if let Some(o) = out
                .iter_mut()
                .find(|o| o.kind == ObjectKind::Policy && o.name == name && o.table == table)
            {
                o.depends_on.push(dependency);
            }
            Ok(())
        },
    )
    .await?;
    for o in &mut out {
        o.depends_on.sort();
        o.depends_on.dedup();
    }
    Ok(out)
}
