//! SQLite's unmanaged objects (see `crate::unmanaged`): views and triggers, listed from
//! `sqlite_master` in one query. SQLite keeps nothing but their CREATE text, so what they use is
//! read from the identifiers in it, matched against the tables and columns of the file (a second
//! query, run only when there is a view or trigger).

use std::collections::{HashMap, HashSet};

use sqlx::sqlite::SqliteConnection;

use crate::dialect::{each_row, CatalogRow};
use crate::sqltext::{tokenize, Kind};
use crate::unmanaged::{UnmanagedKind, UnmanagedObject, Usage};
use crate::{IntrospectError, IntrospectStats};

pub(crate) async fn unmanaged(
    conn: &mut SqliteConnection,
    stats: &mut IntrospectStats,
) -> Result<Vec<UnmanagedObject>, IntrospectError> {
    let mut found = Vec::new();
    let sql = "SELECT m.type, m.name, m.tbl_name, coalesce(m.sql, '') FROM sqlite_master m \
               WHERE m.type IN ('view', 'trigger') AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\'";
    each_row(
        conn,
        stats,
        "sqlite unmanaged objects",
        sqlx::query(sql),
        |r| {
            let kind = r.text(0)?;
            let kind = UnmanagedKind::parse(&kind)
                .ok_or_else(|| r.error(0, &format!("unknown kind {kind:?}")))?;
            let table = (kind == UnmanagedKind::Trigger)
                .then(|| r.text(2))
                .transpose()?;
            found.push((UnmanagedObject::new(kind, r.text(1)?, table), r.text(3)?));
            Ok(())
        },
    )
    .await?;
    if found.is_empty() {
        return Ok(Vec::new());
    }
    // Every table's columns, by table name folded to lower case (SQLite matches names without
    // regard to ASCII case).
    let mut columns: HashMap<String, (String, Vec<String>)> = HashMap::new();
    let sql = "SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p \
               WHERE m.type = 'table'";
    each_row(
        conn,
        stats,
        "sqlite unmanaged uses",
        sqlx::query(sql),
        |r| {
            let table = r.text(0)?;
            columns
                .entry(table.to_lowercase())
                .or_insert_with(|| (table, Vec::new()))
                .1
                .push(r.text(1)?);
            Ok(())
        },
    )
    .await?;
    Ok(found
        .into_iter()
        .map(|(mut object, sql)| {
            object.uses = uses(&sql, &columns);
            object
        })
        .collect())
}

/// The tables named in `sql`, and the columns of those tables named in it.
pub(crate) fn uses(sql: &str, columns: &HashMap<String, (String, Vec<String>)>) -> Vec<Usage> {
    let words: HashSet<String> = tokenize(sql)
        .iter()
        .filter(|t| matches!(t.kind, Kind::Word | Kind::Quoted))
        .map(|t| t.ident(sql).to_lowercase())
        .collect();
    let mut uses = Vec::new();
    for (key, (table, table_columns)) in columns {
        if !words.contains(key) {
            continue;
        }
        uses.push(Usage {
            table: table.clone(),
            column: None,
        });
        for column in table_columns {
            if words.contains(&column.to_lowercase()) {
                uses.push(Usage {
                    table: table.clone(),
                    column: Some(column.clone()),
                });
            }
        }
    }
    uses
}
