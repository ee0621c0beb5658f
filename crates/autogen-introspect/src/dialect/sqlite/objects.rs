//! SQLite's views and triggers as [`SchemaObject`]s: `sqlite_master` keeps each one's `CREATE`
//! text exactly as it was executed, which is both the statement that makes it again and (once
//! the caller tokenizes it) the comparison text; there is nothing for the server to print. What
//! an object uses is read from the names in that text (`unmanaged.rs`), with views named by
//! another view or trigger counted as objects.

use std::collections::HashMap;

use autogen_schema::{ObjectDependency, ObjectKind, SchemaObject};
use sqlx::sqlite::SqliteConnection;

use super::unmanaged::uses;
use crate::dialect::{each_row, CatalogRow};
use crate::sqltext::{tokenize, Kind};
use crate::{IntrospectError, IntrospectStats};

/// The result columns of the views `names`, in order (empty for a name that is no view): one
/// query over `sqlite_master` and `pragma_table_info`.
pub(crate) async fn view_columns(
    conn: &mut SqliteConnection,
    stats: &mut IntrospectStats,
    names: &[String],
) -> Result<Vec<Vec<String>>, IntrospectError> {
    let mut found: HashMap<String, Vec<String>> = HashMap::new();
    let sql = "SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p \
               WHERE m.type = 'view' ORDER BY m.name, p.cid";
    each_row(conn, stats, "sqlite view columns", sqlx::query(sql), |r| {
        found.entry(r.text(0)?).or_default().push(r.text(1)?);
        Ok(())
    })
    .await?;
    Ok(names
        .iter()
        .map(|n| found.get(n).cloned().unwrap_or_default())
        .collect())
}

pub(crate) async fn objects(
    conn: &mut SqliteConnection,
    stats: &mut IntrospectStats,
) -> Result<Vec<SchemaObject>, IntrospectError> {
    let mut objects = Vec::new();
    let sql = "SELECT m.type, m.name, m.tbl_name, coalesce(m.sql, '') FROM sqlite_master m \
               WHERE m.type IN ('view', 'trigger') AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\' \
               ORDER BY m.type DESC, m.name";
    each_row(conn, stats, "sqlite objects", sqlx::query(sql), |r| {
        let kind = if r.text(0)? == "view" {
            ObjectKind::View
        } else {
            ObjectKind::Trigger
        };
        let sql = r.text(3)?;
        objects.push(SchemaObject {
            kind,
            name: r.text(1)?,
            table: (kind == ObjectKind::Trigger)
                .then(|| r.text(2))
                .transpose()?,
            definition: sql.clone(),
            sql,
            columns: Vec::new(),
            depends_on: Vec::new(),
        });
        Ok(())
    })
    .await?;
    if objects.is_empty() {
        return Ok(objects);
    }
    let mut columns: HashMap<String, (String, Vec<String>)> = HashMap::new();
    let sql = "SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p \
               WHERE m.type = 'table'";
    each_row(conn, stats, "sqlite object uses", sqlx::query(sql), |r| {
        let table = r.text(0)?;
        columns
            .entry(table.to_lowercase())
            .or_insert_with(|| (table, Vec::new()))
            .1
            .push(r.text(1)?);
        Ok(())
    })
    .await?;
    let views: Vec<String> = objects
        .iter()
        .filter(|o| o.kind == ObjectKind::View)
        .map(|o| o.name.clone())
        .collect();
    for o in &mut objects {
        let mut deps: Vec<ObjectDependency> = uses(&o.sql, &columns)
            .into_iter()
            .map(|u| match u.column {
                Some(column) => ObjectDependency::Column {
                    table: u.table,
                    column,
                },
                None => ObjectDependency::Table(u.table),
            })
            .collect();
        let words: Vec<String> = tokenize(&o.sql)
            .iter()
            .filter(|t| matches!(t.kind, Kind::Word | Kind::Quoted))
            .map(|t| t.ident(&o.sql).to_lowercase())
            .collect();
        for v in &views {
            if *v != o.name && words.contains(&v.to_lowercase()) {
                deps.push(ObjectDependency::Object {
                    kind: ObjectKind::View,
                    name: v.clone(),
                });
            }
        }
        if let Some(t) = &o.table {
            deps.push(ObjectDependency::Table(t.clone()));
        }
        deps.sort();
        deps.dedup();
        o.depends_on = deps;
    }
    Ok(objects)
}
