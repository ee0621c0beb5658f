//! SQLite's side of observed hazards (`crate::observed`): the statements run in one
//! transaction with foreign keys off, as the runner runs a revision, and after each the root
//! page of every table that existed before the first is read from `sqlite_master`. A table
//! whose name comes back on another root page was rebuilt (created anew, rows copied, the old
//! one dropped and the new one renamed); the step that brings the name back is the one
//! reported. A table renamed (`ALTER TABLE ... RENAME TO` keeps its root page) is followed under
//! its new name, so a rebuild after the rename is still seen. SQLite has no lock to observe
//! beyond the database's write lock, which every statement takes.

use std::collections::BTreeMap;

use sqlx::{Row, SqliteConnection};

use super::{db_error, observed_sql, observing};
use crate::error::RunError;
use crate::observed::StepObserved;
use crate::Statement;

pub(super) async fn observe(
    conn: &mut SqliteConnection,
    statements: &[Statement],
) -> Result<Vec<StepObserved>, RunError> {
    let fk_before: i64 = sqlx::query_scalar("PRAGMA foreign_keys")
        .fetch_one(&mut *conn)
        .await
        .map_err(db_error("reading PRAGMA foreign_keys"))?;
    observed_sql(
        &mut *conn,
        "PRAGMA foreign_keys = OFF",
        "observing statements",
    )
    .await?;
    observed_sql(&mut *conn, "BEGIN IMMEDIATE", "observing statements").await?;
    let result = steps(conn, statements).await;
    let end = if result.is_ok() { "COMMIT" } else { "ROLLBACK" };
    let ended = observed_sql(&mut *conn, end, "observing statements").await;
    let restore = if fk_before != 0 {
        "PRAGMA foreign_keys = ON"
    } else {
        "PRAGMA foreign_keys = OFF"
    };
    let restored = observed_sql(&mut *conn, restore, "restoring PRAGMA foreign_keys").await;
    let observed = result?;
    ended?;
    restored?;
    Ok(observed)
}

async fn steps(
    conn: &mut SqliteConnection,
    statements: &[Statement],
) -> Result<Vec<StepObserved>, RunError> {
    // The last root page each table of the start was seen on, kept while it is absent (between
    // a rebuild's DROP and its RENAME).
    let mut known = root_pages(conn).await?;
    let mut observed = Vec::with_capacity(statements.len());
    for (index, statement) in statements.iter().enumerate() {
        let before = root_pages(conn).await?;
        observed_sql(&mut *conn, &statement.sql, observing(index)).await?;
        let now = root_pages(conn).await?;
        let mut step = StepObserved {
            index,
            locks_observed: true,
            ..StepObserved::default()
        };
        follow_renames(&mut known, &before, &now);
        for (name, page) in &mut known {
            if let Some(current) = now.get(name) {
                if current != page {
                    step.rewritten.push(name.clone());
                    *page = *current;
                }
            }
        }
        observed.push(step);
    }
    Ok(observed)
}

/// Moves each followed table that this step took away to the name that appeared on its root
/// page in the same step: a rename (the page of a table dropped by one statement is never
/// reused by the same statement, so a page shared across one step is the same table).
fn follow_renames(
    known: &mut BTreeMap<String, i64>,
    before: &BTreeMap<String, i64>,
    now: &BTreeMap<String, i64>,
) {
    let renamed: Vec<(String, String)> = known
        .keys()
        .filter(|name| !now.contains_key(*name))
        .filter_map(|name| {
            let page = before.get(name)?;
            now.iter()
                .find(|(other, p)| *p == page && !before.contains_key(*other))
                .map(|(other, _)| (name.clone(), other.clone()))
        })
        .collect();
    for (from, to) in renamed {
        if let Some(page) = known.remove(&from) {
            known.insert(to, page);
        }
    }
}

async fn root_pages(conn: &mut SqliteConnection) -> Result<BTreeMap<String, i64>, RunError> {
    let rows = sqlx::query(
        "SELECT name, rootpage FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'",
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(db_error("reading sqlite_master"))?;
    rows.iter()
        .map(|row| Ok((row.try_get(0)?, row.try_get(1)?)))
        .collect::<Result<_, sqlx::Error>>()
        .map_err(db_error("reading sqlite_master"))
}
