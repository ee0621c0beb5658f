//! MySQL/MariaDB's side of observed hazards (`crate::observed`): the server cannot say which
//! algorithm it used, but it refuses (error 1845 or 1846, before touching the table) an ALTER
//! whose `ALGORITHM`/`LOCK` clause it cannot honour. So each `ALTER TABLE` and `CREATE INDEX`
//! is run with `ALGORITHM=INSTANT`, then `ALGORITHM=INPLACE, LOCK=NONE`, then
//! `ALGORITHM=INPLACE, LOCK=SHARED`, and the first the server accepts is the best it has; when
//! it refuses all three, the statement runs as written and the server copies the table. A
//! clause online mode wrote is taken off first, so the probe sees what the server could do, not
//! what the revision asked for. Only tables that existed before the first statement are probed
//! (a table the revision creates is empty and unused while it runs, so how it is altered does
//! not matter). Other statements run as written (`DROP INDEX`, which MariaDB
//! lets carry no such clause, among them; InnoDB drops a secondary index in place). A probe the
//! server cannot parse (error 1064) ends the probing: the statement runs as written and its
//! algorithm is left unknown. MariaDB accepts any algorithm clause on an ALTER that changes the
//! table's storage engine (`ENGINE = InnoDB, ALGORITHM=INSTANT` on a MyISAM table succeeds, 10.11)
//! although the rows can only be copied into the new engine, so a probe after which the table's
//! engine differs is reported as the copy it was.

use std::collections::BTreeSet;

use sqlx::MySqlConnection;

use super::words::Tokens;

use super::{db_error, observed_sql, observing};
use crate::error::RunError;
use crate::observed::{ObservedAlgorithm, StepObserved};
use crate::Statement;

/// The clauses online mode appends (`autogen-sql`'s `mysql_online.rs`), longest first so that
/// `, ALGORITHM=INPLACE, LOCK=NONE` is not read as a bare `, ALGORITHM=INPLACE`.
const WRITTEN_CLAUSES: [&str; 6] = [
    ", ALGORITHM=INPLACE, LOCK=SHARED",
    ", ALGORITHM=INPLACE, LOCK=NONE",
    ", ALGORITHM=INSTANT",
    " ALGORITHM=INPLACE LOCK=SHARED",
    " ALGORITHM=INPLACE LOCK=NONE",
    " ALGORITHM=INSTANT",
];

/// The server's "this algorithm or lock is not supported for this operation" errors, and
/// "unknown algorithm" (1800: `INSTANT` on MySQL 5.7), which refuses just as cleanly.
const REFUSED: [u16; 3] = [1845, 1846, 1800];

/// The server's syntax error: this statement takes no algorithm clause.
const SYNTAX: u16 = 1064;

pub(super) async fn observe(
    conn: &mut MySqlConnection,
    statements: &[Statement],
) -> Result<Vec<StepObserved>, RunError> {
    let existing: BTreeSet<String> = sqlx::query_scalar(
        "SELECT CAST(TABLE_NAME AS CHAR) FROM information_schema.TABLES \
         WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE = 'BASE TABLE'",
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(db_error("reading the tables (information_schema.TABLES)"))?
    .into_iter()
    .collect();
    let mut observed = Vec::with_capacity(statements.len());
    for (index, statement) in statements.iter().enumerate() {
        let mut step = StepObserved {
            index,
            ..StepObserved::default()
        };
        let probe = Probe::of(&statement.sql).filter(|p| existing.contains(&p.table));
        match probe {
            Some(probe) => {
                let before = engine(conn, &probe.table).await?;
                step.algorithm = probe.run(conn, index).await?;
                // A table renamed by the ALTER is not found under its old name: no engine
                // change is seen then.
                let after = engine(conn, &probe.table).await?;
                if step.algorithm.is_some()
                    && before.is_some()
                    && after.is_some()
                    && before != after
                {
                    step.algorithm = Some(ObservedAlgorithm::Copy);
                }
            }
            None => observed_sql(&mut *conn, &statement.sql, observing(index)).await?,
        }
        observed.push(step);
    }
    Ok(observed)
}

/// An ALTER that can carry an algorithm clause, without the clause it was written with.
struct Probe<'a> {
    base: &'a str,
    /// The table it alters.
    table: String,
    /// `ALTER TABLE` lists its options after a comma; `CREATE`/`DROP INDEX` after a space.
    comma: bool,
}

impl<'a> Probe<'a> {
    fn of(sql: &'a str) -> Option<Probe<'a>> {
        let words: Vec<String> = sql
            .split_whitespace()
            .take(3)
            .map(str::to_ascii_uppercase)
            .collect();
        let words: Vec<&str> = words.iter().map(String::as_str).collect();
        let (comma, table) = match words.as_slice() {
            ["ALTER", "TABLE", ..] => (true, nth_token(sql, 2)?),
            ["CREATE", "INDEX", ..] => (false, nth_token(sql, 4)?),
            ["CREATE", "UNIQUE", "INDEX"] => (false, nth_token(sql, 5)?),
            _ => return None,
        };
        let trimmed = sql.trim_end();
        let base = WRITTEN_CLAUSES
            .iter()
            .find_map(|clause| trimmed.strip_suffix(clause))
            .unwrap_or(trimmed);
        Some(Probe { base, table, comma })
    }

    async fn run(
        &self,
        conn: &mut MySqlConnection,
        index: usize,
    ) -> Result<Option<ObservedAlgorithm>, RunError> {
        for algorithm in [
            ObservedAlgorithm::Instant,
            ObservedAlgorithm::InplaceNoLock,
            ObservedAlgorithm::InplaceShared,
        ] {
            let clause = if self.comma {
                format!("{}, {}", self.base, algorithm.clause())
            } else {
                format!("{} {}", self.base, algorithm.clause().replace(',', ""))
            };
            match sqlx::raw_sql(&clause).execute(&mut *conn).await {
                Ok(_) => return Ok(Some(algorithm)),
                Err(sqlx::Error::Database(e)) => match e
                    .try_downcast_ref::<sqlx::mysql::MySqlDatabaseError>()
                    .map(|m| m.number())
                {
                    Some(n) if REFUSED.contains(&n) => {}
                    Some(SYNTAX) => {
                        observed_sql(&mut *conn, self.base, observing(index)).await?;
                        return Ok(None);
                    }
                    _ => {
                        return Err(db_error(format!(
                            "observing statement {} on the dev database (`{clause}`)",
                            index + 1
                        ))(sqlx::Error::Database(e)))
                    }
                },
                Err(e) => {
                    return Err(db_error(format!(
                        "observing statement {} on the dev database (`{clause}`)",
                        index + 1
                    ))(e))
                }
            }
        }
        observed_sql(&mut *conn, self.base, observing(index)).await?;
        Ok(Some(ObservedAlgorithm::Copy))
    }
}

/// The storage engine of `table` in the current database, as `information_schema` names it.
async fn engine(conn: &mut MySqlConnection, table: &str) -> Result<Option<String>, RunError> {
    sqlx::query_scalar(
        "SELECT CAST(ENGINE AS CHAR) FROM information_schema.TABLES \
         WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?",
    )
    .bind(table)
    .fetch_optional(&mut *conn)
    .await
    .map(Option::flatten)
    .map_err(db_error(
        "reading the table's engine (information_schema.TABLES)",
    ))
}

/// Token `n` (0-based) of `sql`: the table of `ALTER TABLE t`, `CREATE INDEX ix ON t`. A
/// schema-qualified name gives its schema there, which is not among the dev database's tables,
/// so such a statement is not probed.
fn nth_token(sql: &str, n: usize) -> Option<String> {
    let mut tokens = Tokens { rest: sql };
    (0..n).try_for_each(|_| tokens.next_token().map(drop))?;
    tokens.next_token()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probes_name_the_table_and_drop_the_written_clause() {
        let p = Probe::of("ALTER TABLE `a``b` ADD COLUMN `c` int, ALGORITHM=INPLACE, LOCK=NONE")
            .unwrap();
        assert_eq!((p.table.as_str(), p.comma), ("a`b", true));
        assert_eq!(p.base, "ALTER TABLE `a``b` ADD COLUMN `c` int");
        let p =
            Probe::of("CREATE UNIQUE INDEX `ix` ON `t` (`a`) ALGORITHM=INPLACE LOCK=NONE").unwrap();
        assert_eq!((p.table.as_str(), p.comma), ("t", false));
        assert_eq!(p.base, "CREATE UNIQUE INDEX `ix` ON `t` (`a`)");
        assert_eq!(Probe::of("create index ix on t (a)").unwrap().table, "t");
        assert!(Probe::of("DROP INDEX `ix` ON `t`").is_none());
        assert!(Probe::of("SET SESSION lock_wait_timeout = 5").is_none());
    }
}
