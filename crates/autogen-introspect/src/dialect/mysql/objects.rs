//! MySQL's and MariaDB's views and triggers as [`SchemaObject`]s, and the server's print of the
//! views the project declares.
//!
//! One query: `information_schema.VIEWS` (the server's rewritten definition, every name
//! qualified; the qualifier of the database itself is removed so the print does not depend on
//! the database's name) and `information_schema.TRIGGERS` (timing, event, table and the body as
//! written), each rebuilt into the `CREATE` statement that makes it again. What they use is read
//! from that text (`unmanaged.rs`). A trigger's body is kept as written, so the caller compares
//! triggers by their tokens; a view's definition is the server's rewrite, which only the server
//! can produce from a declared view: [`print`] creates the declared tables and objects in a
//! scratch database (`autogen_print_...`, dropped again at once; MySQL DDL cannot be rolled
//! back) and reads it like the live one.

use autogen_schema::{ObjectDependency, ObjectKind, SchemaObject};
use sqlx::mysql::MySqlConnection;

use super::unmanaged::{trigger_uses, view_uses};
use crate::dialect::{each_row, CatalogRow};
use crate::unmanaged::Usage;
use crate::{IntrospectError, IntrospectStats};

const LIST: &str = "\
SELECT CAST('view' AS CHAR), CAST(TABLE_NAME AS CHAR), CAST(NULL AS CHAR), \
       CAST(VIEW_DEFINITION AS CHAR), CAST(CHECK_OPTION AS CHAR), CAST(NULL AS CHAR), 0 \
  FROM information_schema.VIEWS WHERE TABLE_SCHEMA = ? \
UNION ALL \
SELECT CAST('trigger' AS CHAR), CAST(TRIGGER_NAME AS CHAR), CAST(EVENT_OBJECT_TABLE AS CHAR), \
       CAST(ACTION_STATEMENT AS CHAR), CAST(ACTION_TIMING AS CHAR), \
       CAST(EVENT_MANIPULATION AS CHAR), ACTION_ORDER \
  FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = ? \
ORDER BY 1, 7, 2";

/// The views and triggers of `database` (the connection's current one when `None`).
pub(crate) async fn objects(
    conn: &mut MySqlConnection,
    stats: &mut IntrospectStats,
    database: Option<&str>,
) -> Result<Vec<SchemaObject>, IntrospectError> {
    let database = match database {
        Some(d) => d.to_string(),
        None => current_database(conn).await?,
    };
    let mut objects = Vec::new();
    each_row(
        conn,
        stats,
        "mysql objects",
        sqlx::query(LIST)
            .bind(database.clone())
            .bind(database.clone()),
        |r| {
            let kind = r.text(0)?;
            let name = r.text(1)?;
            let text = r.opt_text(3)?.unwrap_or_default();
            let object = if kind == "view" {
                let check = r.opt_text(4)?.unwrap_or_default();
                let check = match check.as_str() {
                    "" | "NONE" => String::new(),
                    other => format!(" WITH {other} CHECK OPTION"),
                };
                let uses = view_uses(&text, &database);
                let body = unqualified(&text, &database);
                let sql = format!("CREATE VIEW {} AS {body}{check}", quote(&name));
                SchemaObject {
                    kind: ObjectKind::View,
                    name,
                    table: None,
                    definition: sql.clone(),
                    sql,
                    columns: Vec::new(),
                    depends_on: uses.into_iter().map(dependency).collect(),
                }
            } else {
                let table = r.text(2)?;
                let timing = r.opt_text(4)?.unwrap_or_default();
                let event = r.opt_text(5)?.unwrap_or_default();
                let sql = format!(
                    "CREATE TRIGGER {} {timing} {event} ON {} FOR EACH ROW {text}",
                    quote(&name),
                    quote(&table)
                );
                SchemaObject {
                    kind: ObjectKind::Trigger,
                    name,
                    depends_on: trigger_uses(&text, &table)
                        .into_iter()
                        .map(dependency)
                        .collect(),
                    table: Some(table),
                    definition: sql.clone(),
                    sql,
                    columns: Vec::new(),
                }
            };
            objects.push(object);
            Ok(())
        },
    )
    .await?;
    objects.extend(super::routines::routines(conn, stats, &database).await?);
    objects.extend(super::grants::grants(conn, stats, &database).await?);
    // A view read through another view names it like a table.
    let views: Vec<String> = objects
        .iter()
        .filter(|o| o.kind == ObjectKind::View)
        .map(|o| o.name.clone())
        .collect();
    for o in &mut objects {
        for d in &mut o.depends_on {
            if let ObjectDependency::Table(t) = d {
                if views.contains(t) {
                    *d = ObjectDependency::Object {
                        kind: ObjectKind::View,
                        name: t.clone(),
                    };
                }
            }
        }
        o.depends_on.sort();
        o.depends_on.dedup();
    }
    Ok(objects)
}

/// Fills the result columns (`` `name` type ``, as PostgreSQL's print lists them) of the views in
/// `objects`, all of database `database`. Only the printer asks (a scratch database holding the
/// declared objects alone), so reading a live database costs no query more.
async fn view_columns(
    conn: &mut MySqlConnection,
    stats: &mut IntrospectStats,
    database: &str,
    objects: &mut [SchemaObject],
) -> Result<(), IntrospectError> {
    let sql = "SELECT CAST(c.TABLE_NAME AS CHAR), CAST(c.COLUMN_NAME AS CHAR), \
               CAST(c.COLUMN_TYPE AS CHAR) FROM information_schema.COLUMNS c \
               JOIN information_schema.VIEWS v ON v.TABLE_SCHEMA = c.TABLE_SCHEMA \
               AND v.TABLE_NAME = c.TABLE_NAME WHERE c.TABLE_SCHEMA = ? \
               ORDER BY c.TABLE_NAME, c.ORDINAL_POSITION";
    let mut rows: Vec<(String, String)> = Vec::new();
    each_row(
        conn,
        stats,
        "mysql view columns",
        sqlx::query(sql).bind(database),
        |r| {
            let column = format!("{} {}", quote(&r.text(1)?), r.text(2)?);
            rows.push((r.text(0)?, column));
            Ok(())
        },
    )
    .await?;
    for o in objects.iter_mut().filter(|o| o.kind == ObjectKind::View) {
        o.columns = rows
            .iter()
            .filter(|(view, _)| *view == o.name)
            .map(|(_, c)| c.clone())
            .collect();
    }
    Ok(())
}

fn dependency(u: Usage) -> ObjectDependency {
    match u.column {
        Some(column) => ObjectDependency::Column {
            table: u.table,
            column,
        },
        None => ObjectDependency::Table(u.table),
    }
}

/// `text` without the `` `database`. `` qualifier the server puts before every table name.
fn unqualified(text: &str, database: &str) -> String {
    text.replace(&format!("{}.", quote(database)), "")
}

fn quote(name: &str) -> String {
    format!("`{}`", name.replace('`', "``"))
}

async fn current_database(conn: &mut MySqlConnection) -> Result<String, IntrospectError> {
    let db: Option<String> = sqlx::query_scalar("SELECT DATABASE()")
        .fetch_one(&mut *conn)
        .await
        .map_err(|e| IntrospectError::Query {
            query: "mysql current database",
            message: e.to_string(),
        })?;
    db.ok_or(IntrospectError::NoDatabaseSelected)
}

/// Prints `objects` in a scratch database (see the module comment): one result per object, the
/// server's print or its reason for refusing the object.
pub(crate) async fn print(
    conn: &mut MySqlConnection,
    stats: &mut IntrospectStats,
    setup: &[String],
    objects: &[SchemaObject],
) -> Result<Vec<Result<SchemaObject, String>>, IntrospectError> {
    let fail = |e: sqlx::Error| IntrospectError::Query {
        query: "mysql print objects",
        message: e.to_string(),
    };
    let home = current_database(conn).await?;
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let scratch = format!("autogen_print_{}_{nanos}", std::process::id());
    sqlx::raw_sql(&format!("CREATE DATABASE {}", quote(&scratch)))
        .execute(&mut *conn)
        .await
        .map_err(fail)?;
    let result = async {
        sqlx::raw_sql(&format!("USE {}", quote(&scratch)))
            .execute(&mut *conn)
            .await
            .map_err(fail)?;
        for sql in setup {
            // A refused table leaves the objects that need it refused in turn.
            let _ = sqlx::raw_sql(sql).execute(&mut *conn).await;
        }
        let mut refused = Vec::with_capacity(objects.len());
        for o in objects {
            refused.push(match sqlx::raw_sql(&o.sql).execute(&mut *conn).await {
                Ok(_) => None,
                Err(sqlx::Error::Database(e)) => Some(e.message().to_string()),
                Err(e) => return Err(fail(e)),
            });
        }
        let mut printed = self::objects(conn, stats, Some(&scratch)).await?;
        if printed.iter().any(|o| o.kind == ObjectKind::View) {
            view_columns(conn, stats, &scratch, &mut printed).await?;
        }
        Ok(crate::objects::pair_printed(objects, refused, &printed))
    }
    .await;
    let back = sqlx::raw_sql(&format!("USE {}", quote(&home)))
        .execute(&mut *conn)
        .await;
    let dropped = sqlx::raw_sql(&format!("DROP DATABASE {}", quote(&scratch)))
        .execute(&mut *conn)
        .await;
    let printed = result?;
    back.map_err(fail)?;
    dropped.map_err(fail)?;
    Ok(printed)
}
