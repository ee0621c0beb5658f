//! Rendering view, materialized view, trigger and function changes. Objects are written in SQL
//! by their authors, so there is little to render: a create runs the object's `sql` as written
//! (the author's statement, or for a database's object the statement rebuilt from its catalog),
//! a replace runs it as `CREATE OR REPLACE` (a sequence as `ALTER SEQUENCE` with its changed
//! options, a domain as one `ALTER DOMAIN` per changed default, `NOT NULL` or constraint), and a
//! drop names the object the dialect's way (a PostgreSQL routine with its argument types).
//!
//! The differ puts object changes before and after the table changes, never between them
//! (`autogen_diff`'s `objects.rs`), in both directions, but for the CHECKs, defaults and column
//! types it takes off before them and puts back after (`object_users.rs`). So
//! [`render_with_objects`] renders the object changes here and hands each run of table changes
//! between them to the dialect's renderer untouched. This file decides nothing about what
//! changes.

use autogen_diff::Change;
use autogen_schema::{Dialect, ObjectKind, Schema, SchemaObject};

use crate::dialect::SqlDialect;
use crate::{RenderError, Statement};

/// Renders `changes` against `state` (advanced past them): object changes here, each run of
/// table changes between them by `d` (one run in the common case; three when CHECKs, defaults or
/// column types are taken off before the object changes and put back after them).
pub(crate) fn render_with_objects(
    dialect: Dialect,
    d: &dyn SqlDialect,
    state: &mut Schema,
    changes: &[Change],
) -> Result<Vec<Statement>, RenderError> {
    let is_object = |c: &Change| {
        matches!(
            c,
            Change::CreateObject(_) | Change::DropObject(_) | Change::ReplaceObject { .. }
        )
    };
    let mut out = Vec::new();
    let mut rest = changes;
    while let Some(first) = rest.first() {
        let object = is_object(first);
        let run = rest.iter().take_while(|c| is_object(c) == object).count();
        let (now, later) = rest.split_at(run);
        if object {
            for c in now {
                out.extend(object_statements(dialect, d, c));
                autogen_diff::apply(state, c, d.quote_char())?;
            }
        } else {
            out.extend(d.render(state, now)?);
        }
        rest = later;
    }
    crate::hazard::forget_new_tables(changes, &mut out);
    Ok(out)
}

fn object_statements(dialect: Dialect, d: &dyn SqlDialect, change: &Change) -> Vec<Statement> {
    match change {
        Change::CreateObject(o) => vec![Statement::new(executable(&o.sql))],
        Change::ReplaceObject { from, to } if to.kind == ObjectKind::Sequence => {
            vec![Statement::new(alter_sequence(d, from, to))]
        }
        Change::ReplaceObject { from, to } if to.kind == ObjectKind::Domain => {
            alter_domain(d, from, to)
                .into_iter()
                .map(Statement::new)
                .collect()
        }
        Change::ReplaceObject { from, to } if to.kind == ObjectKind::RowSecurity => {
            vec![Statement::new(alter_row_security(d, from, to))]
        }
        Change::ReplaceObject { to, .. } => vec![Statement::new(
            autogen_normalize::objects::or_replace(&executable(&to.sql)),
        )],
        Change::DropObject(o) => vec![Statement::new(drop_sql(dialect, d, o))],
        _ => Vec::new(),
    }
}

/// `ALTER SEQUENCE "s" <options>`: the parts of `to` (its options, each spelled as `ALTER
/// SEQUENCE` takes it, every one listed) that `from` does not have.
fn alter_sequence(d: &dyn SqlDialect, from: &SchemaObject, to: &SchemaObject) -> String {
    let changed: Vec<&str> = to
        .columns
        .iter()
        .filter(|p| !from.columns.contains(p))
        .map(String::as_str)
        .collect();
    format!("ALTER SEQUENCE {} {}", d.quote(&to.name), changed.join(" "))
}

/// `ALTER TABLE "t" <actions>`: each switch of a table's row-level security (its parts, `ENABLE
/// ROW LEVEL SECURITY` and `FORCE ROW LEVEL SECURITY`) that `to` has and `from` has not, and the
/// opposite (`DISABLE`, `NO FORCE`) of each one `from` has and `to` has not.
fn alter_row_security(d: &dyn SqlDialect, from: &SchemaObject, to: &SchemaObject) -> String {
    let mut actions: Vec<String> = from
        .columns
        .iter()
        .filter(|p| !to.columns.contains(p))
        .map(|p| switched_off(p))
        .collect();
    actions.extend(
        to.columns
            .iter()
            .filter(|p| !from.columns.contains(p))
            .cloned(),
    );
    format!("ALTER TABLE {} {}", d.quote(&to.name), actions.join(", "))
}

/// The `ALTER TABLE` action that turns a row-level security switch off: `DISABLE ROW LEVEL
/// SECURITY` for `ENABLE ...`, `NO FORCE ROW LEVEL SECURITY` for `FORCE ...`.
fn switched_off(part: &str) -> String {
    match part.strip_prefix("ENABLE ") {
        Some(rest) => format!("DISABLE {rest}"),
        None => format!("NO {part}"),
    }
}

/// One `ALTER DOMAIN` per changed part after the first (the type, which the differ keeps equal
/// here): `DROP CONSTRAINT` for each constraint only `from` has, a default or `NOT NULL` `to`
/// no longer has dropped, then `to`'s new default, `NOT NULL` and constraints set or added.
fn alter_domain(d: &dyn SqlDialect, from: &SchemaObject, to: &SchemaObject) -> Vec<String> {
    let name = d.quote(&to.name);
    let parts = |o: &SchemaObject| o.columns.iter().skip(1).cloned().collect::<Vec<_>>();
    let (old, new) = (parts(from), parts(to));
    let has = |parts: &[String], prefix: &str| parts.iter().any(|p| p.starts_with(prefix));
    let mut out = Vec::new();
    for p in old.iter().filter(|p| !new.contains(p)) {
        if let Some(constraint) = p.strip_prefix("CONSTRAINT ") {
            let constraint_name = constraint_name(constraint);
            out.push(format!(
                "ALTER DOMAIN {name} DROP CONSTRAINT {constraint_name}"
            ));
        } else if p.starts_with("DEFAULT ") && !has(&new, "DEFAULT ") {
            out.push(format!("ALTER DOMAIN {name} DROP DEFAULT"));
        } else if p == "NOT NULL" {
            out.push(format!("ALTER DOMAIN {name} DROP NOT NULL"));
        }
    }
    for p in new.iter().filter(|p| !old.contains(p)) {
        if p.starts_with("CONSTRAINT ") {
            out.push(format!("ALTER DOMAIN {name} ADD {p}"));
        } else if p.starts_with("DEFAULT ") {
            out.push(format!("ALTER DOMAIN {name} SET {p}"));
        } else if p == "NOT NULL" {
            out.push(format!("ALTER DOMAIN {name} SET NOT NULL"));
        }
    }
    out
}

/// The (quoted or bare) name that starts `"name" CHECK (...)`.
fn constraint_name(constraint: &str) -> &str {
    if let Some(rest) = constraint.strip_prefix('"') {
        // A doubled quote is part of the name.
        let mut end = 0;
        let bytes = rest.as_bytes();
        while end < bytes.len() {
            if bytes[end] == b'"' {
                if bytes.get(end + 1) == Some(&b'"') {
                    end += 2;
                    continue;
                }
                return &constraint[..end + 2];
            }
            end += 1;
        }
        constraint
    } else {
        constraint.split_whitespace().next().unwrap_or(constraint)
    }
}

/// The statement without a trailing `;` (the revision writer adds its own).
fn executable(sql: &str) -> String {
    sql.trim_end().trim_end_matches(';').trim_end().to_string()
}

/// `DROP VIEW "v"`, `DROP MATERIALIZED VIEW "m"`, `DROP TRIGGER "t" ON "users"` (PostgreSQL; the
/// others name triggers per schema), `DROP FUNCTION "f"`, `DROP EVENT`, `DROP POLICY "p" ON
/// "users"`; a table's row-level security is switched off (`ALTER TABLE ... DISABLE ROW LEVEL
/// SECURITY`, and `NO FORCE ROW LEVEL SECURITY` where it was forced) and a grant revoked whole (`REVOKE ALL PRIVILEGES ON t FROM role`: the object is
/// every privilege the role holds on the table).
pub(crate) fn drop_sql(dialect: Dialect, d: &dyn SqlDialect, o: &SchemaObject) -> String {
    // A PostgreSQL routine is named with its argument types: `"f"(integer, text)`.
    let name = match (o.kind, o.name.split_once('(')) {
        (ObjectKind::Function | ObjectKind::Procedure, Some((bare, arguments)))
            if o.name.ends_with(')') =>
        {
            format!("{}({arguments}", d.quote(bare))
        }
        _ => d.quote(&o.name),
    };
    match (o.kind, dialect, &o.table) {
        (ObjectKind::View, ..) => format!("DROP VIEW {name}"),
        (ObjectKind::MaterializedView, ..) => format!("DROP MATERIALIZED VIEW {name}"),
        (ObjectKind::Trigger, Dialect::Postgres, Some(table)) => {
            format!("DROP TRIGGER {name} ON {}", d.quote(table))
        }
        (ObjectKind::Trigger, ..) => format!("DROP TRIGGER {name}"),
        (ObjectKind::Function, ..) => format!("DROP FUNCTION {name}"),
        (ObjectKind::Procedure, ..) => format!("DROP PROCEDURE {name}"),
        (ObjectKind::Sequence, ..) => format!("DROP SEQUENCE {name}"),
        (ObjectKind::Domain, ..) => format!("DROP DOMAIN {name}"),
        (ObjectKind::Extension, ..) => format!("DROP EXTENSION {name}"),
        (ObjectKind::Event, ..) => format!("DROP EVENT {name}"),
        (ObjectKind::Policy, _, Some(table)) => {
            format!("DROP POLICY {name} ON {}", d.quote(table))
        }
        (ObjectKind::Policy, _, None) => format!("DROP POLICY {name}"),
        (ObjectKind::RowSecurity, ..) if o.columns.is_empty() => {
            format!("ALTER TABLE {name} DISABLE ROW LEVEL SECURITY")
        }
        (ObjectKind::RowSecurity, ..) => {
            let off: Vec<String> = o.columns.iter().map(|p| switched_off(p)).collect();
            format!("ALTER TABLE {name} {}", off.join(", "))
        }
        (ObjectKind::Grant, ..) => {
            let table = o.table.as_deref().map(|t| d.quote(t)).unwrap_or_default();
            format!(
                "REVOKE ALL PRIVILEGES ON {table} FROM {}",
                grantee(dialect, d, &o.name)
            )
        }
    }
}

/// A grant's role as the dialect names it: `"reader"` on PostgreSQL; on MySQL/MariaDB
/// `'reader'` (an account at any host, `'reader'@'%'`, or a MariaDB role, which has no host: the
/// server reads a bare name as either) or `'user'@'host'` when the name carries a host.
pub(crate) fn grantee(dialect: Dialect, d: &dyn SqlDialect, name: &str) -> String {
    match dialect {
        Dialect::Mysql => {
            let q = |s: &str| format!("'{}'", s.replace('\\', "\\\\").replace('\'', "''"));
            match name.rsplit_once('@') {
                Some((user, host)) => format!("{}@{}", q(user), q(host)),
                None => q(name),
            }
        }
        _ => d.quote(name),
    }
}

#[cfg(test)]
mod tests {
    use autogen_schema::Table;

    use super::*;

    fn trigger(sql: &str) -> SchemaObject {
        SchemaObject {
            kind: ObjectKind::Trigger,
            name: "touch".into(),
            table: Some("users".into()),
            definition: sql.into(),
            sql: sql.into(),
            columns: Vec::new(),
            depends_on: Vec::new(),
        }
    }

    #[test]
    fn objects_render_around_the_table_changes_in_both_directions() {
        let mut from = Schema::default();
        from.tables.push(Table::new("users"));
        let old = trigger("CREATE TRIGGER touch BEFORE UPDATE ON users EXECUTE FUNCTION f();");
        from.objects.push(old.clone());
        let new = trigger("CREATE TRIGGER touch AFTER UPDATE ON users EXECUTE FUNCTION f()");
        let changes = vec![
            Change::DropObject(old),
            Change::AlterTableComment {
                table: "users".into(),
                from: None,
                to: Some("people".into()),
            },
            Change::CreateObject(new),
        ];
        let (up, down) =
            crate::render_upgrade_downgrade(Dialect::Postgres, &from, &changes).unwrap_or_default();
        let sql = |s: &[Statement]| s.iter().map(|s| s.sql.clone()).collect::<Vec<_>>();
        assert_eq!(
            sql(&up),
            [
                "DROP TRIGGER \"touch\" ON \"users\"",
                "COMMENT ON TABLE \"users\" IS 'people'",
                "CREATE TRIGGER touch AFTER UPDATE ON users EXECUTE FUNCTION f()",
            ]
        );
        assert_eq!(
            sql(&down),
            [
                "DROP TRIGGER \"touch\" ON \"users\"",
                "COMMENT ON TABLE \"users\" IS NULL",
                "CREATE TRIGGER touch BEFORE UPDATE ON users EXECUTE FUNCTION f()",
            ]
        );
    }

    #[test]
    fn sequences_and_domains_are_altered_and_routines_dropped_by_signature() {
        let object = |kind, name: &str, parts: &[&str]| SchemaObject {
            kind,
            name: name.into(),
            table: None,
            definition: parts.join(" "),
            sql: parts.join(" "),
            columns: parts.iter().map(|p| p.to_string()).collect(),
            depends_on: Vec::new(),
        };
        let sql = |change: Change| {
            let d = crate::dialect::get(Dialect::Postgres);
            object_statements(Dialect::Postgres, d, &change)
                .into_iter()
                .map(|s| s.sql)
                .collect::<Vec<_>>()
        };
        let seq = |parts: &[&str]| object(ObjectKind::Sequence, "s", parts);
        assert_eq!(
            sql(Change::ReplaceObject {
                from: seq(&["AS bigint", "INCREMENT BY 1", "NO CYCLE"]),
                to: seq(&["AS bigint", "INCREMENT BY 5", "CYCLE"]),
            }),
            ["ALTER SEQUENCE \"s\" INCREMENT BY 5 CYCLE"]
        );
        let domain = |parts: &[&str]| object(ObjectKind::Domain, "d", parts);
        assert_eq!(
            sql(Change::ReplaceObject {
                from: domain(&[
                    "AS integer",
                    "DEFAULT 1",
                    "CONSTRAINT \"d check\" CHECK ((VALUE > 0))"
                ]),
                to: domain(&[
                    "AS integer",
                    "NOT NULL",
                    "CONSTRAINT d_check CHECK ((VALUE > 1))"
                ]),
            }),
            [
                "ALTER DOMAIN \"d\" DROP DEFAULT",
                "ALTER DOMAIN \"d\" DROP CONSTRAINT \"d check\"",
                "ALTER DOMAIN \"d\" SET NOT NULL",
                "ALTER DOMAIN \"d\" ADD CONSTRAINT d_check CHECK ((VALUE > 1))",
            ]
        );
        let rls = |parts: &[&str]| object(ObjectKind::RowSecurity, "users", parts);
        let (on, forced) = ("ENABLE ROW LEVEL SECURITY", "FORCE ROW LEVEL SECURITY");
        assert_eq!(
            sql(Change::ReplaceObject {
                from: rls(&[on, forced]),
                to: rls(&[on]),
            }),
            ["ALTER TABLE \"users\" NO FORCE ROW LEVEL SECURITY"]
        );
        assert_eq!(
            sql(Change::ReplaceObject {
                from: rls(&[forced]),
                to: rls(&[on]),
            }),
            ["ALTER TABLE \"users\" NO FORCE ROW LEVEL SECURITY, ENABLE ROW LEVEL SECURITY"]
        );
        assert_eq!(
            sql(Change::DropObject(rls(&[on, forced]))),
            ["ALTER TABLE \"users\" DISABLE ROW LEVEL SECURITY, NO FORCE ROW LEVEL SECURITY"]
        );
        assert_eq!(
            sql(Change::DropObject(object(
                ObjectKind::Function,
                "f(integer, text)",
                &[]
            ))),
            ["DROP FUNCTION \"f\"(integer, text)"]
        );
        assert_eq!(
            sql(Change::DropObject(object(
                ObjectKind::Procedure,
                "p()",
                &[]
            ))),
            ["DROP PROCEDURE \"p\"()"]
        );
    }
}
