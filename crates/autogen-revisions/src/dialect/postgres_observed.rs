//! PostgreSQL's side of observed hazards (`crate::observed`): each statement runs in a
//! transaction of its own, so that `pg_locks` of this backend and `pg_stat_xact_user_tables`
//! read before `COMMIT` show what that statement alone took and scanned; `pg_class.relfilenode`
//! read after it shows which tables it rewrote. A statement that cannot run in a transaction
//! (marked no-transaction: `CREATE INDEX CONCURRENTLY`) runs alone and only its rewrites are
//! seen. The tables followed are those that existed before the first statement, by oid, so a
//! rename is not a rewrite and a table created by the revision is never reported.

use std::collections::BTreeMap;

use sqlx::{PgConnection, Row};

use super::{db_error, observed_sql, observing};
use crate::error::RunError;
use crate::observed::StepObserved;
use crate::Statement;

/// The lock modes in PostgreSQL's order of strength; from `ShareLock` on, writes wait.
const MODES: [&str; 8] = [
    "AccessShareLock",
    "RowShareLock",
    "RowExclusiveLock",
    "ShareUpdateExclusiveLock",
    "ShareLock",
    "ShareRowExclusiveLock",
    "ExclusiveLock",
    "AccessExclusiveLock",
];

/// The first mode (by position in [`MODES`]) that makes writers wait.
const BLOCKS_WRITES: usize = 4;

/// A table of the schema: its name as the schema IR keys it and its storage.
struct Relation {
    name: String,
    relfilenode: i64,
}

pub(super) async fn observe(
    conn: &mut PgConnection,
    statements: &[Statement],
) -> Result<Vec<StepObserved>, RunError> {
    let mut known = relations(conn).await?;
    let mut observed = Vec::with_capacity(statements.len());
    for (index, statement) in statements.iter().enumerate() {
        let mut step = StepObserved {
            index,
            locks_observed: !statement.no_transaction,
            ..StepObserved::default()
        };
        if statement.no_transaction {
            observed_sql(&mut *conn, &statement.sql, observing(index)).await?;
        } else {
            observed_sql(&mut *conn, "BEGIN", "observing statements").await?;
            let seen = async {
                let before = scans(conn).await?;
                observed_sql(&mut *conn, &statement.sql, observing(index)).await?;
                let after = scans(conn).await?;
                let locks = locks(conn).await?;
                Ok::<_, RunError>((before, after, locks))
            }
            .await;
            let (before, after, locks) = match seen {
                Ok(seen) => seen,
                Err(e) => {
                    let _ = observed_sql(&mut *conn, "ROLLBACK", "observing statements").await;
                    return Err(e);
                }
            };
            observed_sql(&mut *conn, "COMMIT", "observing statements").await?;
            for (oid, mode) in &locks {
                if let Some(table) = known.get(oid) {
                    step.locks
                        .push((table.name.clone(), MODES[*mode].to_string()));
                    let scanned = after.get(oid).copied().unwrap_or(0)
                        > before.get(oid).copied().unwrap_or(0);
                    if scanned && *mode >= BLOCKS_WRITES {
                        step.scanned_blocking
                            .push((table.name.clone(), MODES[*mode].to_string()));
                    }
                }
            }
        }
        let now = relations(conn).await?;
        for (oid, table) in &mut known {
            if let Some(current) = now.get(oid) {
                if current.relfilenode != table.relfilenode {
                    step.rewritten.push(current.name.clone());
                }
                table.relfilenode = current.relfilenode;
                table.name.clone_from(&current.name);
            }
        }
        step.rewritten.sort();
        step.locks.sort();
        step.scanned_blocking.sort();
        observed.push(step);
    }
    Ok(observed)
}

/// Every ordinary, partitioned and materialized table outside the system schemas, by oid,
/// named as the schema IR names tables (bare in the connection's schema, `schema.name`
/// elsewhere).
async fn relations(conn: &mut PgConnection) -> Result<BTreeMap<i64, Relation>, RunError> {
    let rows = sqlx::query(
        "SELECT c.oid::int8, \
                CASE WHEN n.nspname = current_schema() THEN c.relname::text \
                     ELSE n.nspname || '.' || c.relname END, \
                c.relfilenode::int8 \
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
         WHERE c.relkind IN ('r', 'p', 'm') \
           AND n.nspname NOT IN ('pg_catalog', 'information_schema') \
           AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%'",
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(db_error("reading the tables' storage (pg_class)"))?;
    rows.iter()
        .map(|row| {
            Ok((
                row.try_get::<i64, _>(0)?,
                Relation {
                    name: row.try_get(1)?,
                    relfilenode: row.try_get(2)?,
                },
            ))
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(db_error("reading the tables' storage (pg_class)"))
}

/// The sequential scans counted so far in this transaction, per table oid.
async fn scans(conn: &mut PgConnection) -> Result<BTreeMap<i64, i64>, RunError> {
    let rows = sqlx::query("SELECT relid::int8, seq_scan FROM pg_stat_xact_user_tables")
        .fetch_all(&mut *conn)
        .await
        .map_err(db_error("reading pg_stat_xact_user_tables"))?;
    rows.iter()
        .map(|row| Ok((row.try_get(0)?, row.try_get(1)?)))
        .collect::<Result<_, sqlx::Error>>()
        .map_err(db_error("reading pg_stat_xact_user_tables"))
}

/// The strongest relation lock this backend holds on each relation, as an index into
/// [`MODES`].
async fn locks(conn: &mut PgConnection) -> Result<BTreeMap<i64, usize>, RunError> {
    let rows = sqlx::query(
        "SELECT relation::int8, mode FROM pg_locks \
         WHERE pid = pg_backend_pid() AND locktype = 'relation' AND granted",
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(db_error("reading pg_locks"))?;
    let mut strongest = BTreeMap::new();
    for row in &rows {
        let oid: i64 = row.try_get(0).map_err(db_error("reading pg_locks"))?;
        let mode: String = row.try_get(1).map_err(db_error("reading pg_locks"))?;
        if let Some(rank) = MODES.iter().position(|m| *m == mode) {
            let entry = strongest.entry(oid).or_insert(rank);
            *entry = (*entry).max(rank);
        }
    }
    Ok(strongest)
}
