//! Rendering view, materialized view, trigger and function changes. Objects are written in SQL
//! by their authors, so there is little to render: a create runs the object's `sql` as written
//! (the author's statement, or for a database's object the statement rebuilt from its catalog),
//! a replace runs it as `CREATE OR REPLACE`, and a drop names the object the dialect's way.
//!
//! The differ puts every object drop before the table changes and every create or replace after
//! them (`autogen_diff`'s `objects.rs`), in both directions, so [`render_with_objects`] renders
//! the leading and trailing object changes here and hands the table changes between them to the
//! dialect's renderer untouched. This file decides nothing about what changes.

use autogen_diff::Change;
use autogen_schema::{Dialect, ObjectKind, Schema, SchemaObject};

use crate::dialect::SqlDialect;
use crate::{RenderError, Statement};

/// Renders `changes` against `state` (advanced past them): object changes here, the table
/// changes between them by `d`.
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
    let head = changes.iter().take_while(|c| is_object(c)).count();
    let tail = changes[head..]
        .iter()
        .rev()
        .take_while(|c| is_object(c))
        .count();
    let middle = &changes[head..changes.len() - tail];
    if let Some(c) = middle.iter().find(|c| is_object(c)) {
        return Err(RenderError::unsupported(
            c.describe(),
            "object changes must come before or after every table change (the differ orders them so)",
        ));
    }
    let mut out = Vec::new();
    for c in &changes[..head] {
        out.push(object_statement(dialect, d, c));
        autogen_diff::apply(state, c, d.quote_char())?;
    }
    out.extend(d.render(state, middle)?);
    for c in &changes[changes.len() - tail..] {
        out.push(object_statement(dialect, d, c));
        autogen_diff::apply(state, c, d.quote_char())?;
    }
    Ok(out)
}

fn object_statement(dialect: Dialect, d: &dyn SqlDialect, change: &Change) -> Statement {
    match change {
        Change::CreateObject(o) => Statement::new(executable(&o.sql)),
        Change::ReplaceObject { to, .. } => {
            Statement::new(autogen_normalize::objects::or_replace(&executable(&to.sql)))
        }
        Change::DropObject(o) => Statement::new(drop_sql(dialect, d, o)),
        _ => Statement::new(String::new()),
    }
}

/// The statement without a trailing `;` (the revision writer adds its own).
fn executable(sql: &str) -> String {
    sql.trim_end().trim_end_matches(';').trim_end().to_string()
}

/// `DROP VIEW "v"`, `DROP MATERIALIZED VIEW "m"`, `DROP TRIGGER "t" ON "users"` (PostgreSQL; the
/// others name triggers per schema), `DROP FUNCTION "f"`.
pub(crate) fn drop_sql(dialect: Dialect, d: &dyn SqlDialect, o: &SchemaObject) -> String {
    let name = d.quote(&o.name);
    match (o.kind, dialect, &o.table) {
        (ObjectKind::View, ..) => format!("DROP VIEW {name}"),
        (ObjectKind::MaterializedView, ..) => format!("DROP MATERIALIZED VIEW {name}"),
        (ObjectKind::Trigger, Dialect::Postgres, Some(table)) => {
            format!("DROP TRIGGER {name} ON {}", d.quote(table))
        }
        (ObjectKind::Trigger, ..) => format!("DROP TRIGGER {name}"),
        (ObjectKind::Function, ..) => format!("DROP FUNCTION {name}"),
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
}
