//! What the SQLite runner does around a table rebuild (`CREATE TABLE "_autogen_new_t"`,
//! `INSERT INTO "_autogen_new_t" ... SELECT ... FROM "t"`, `DROP TABLE "t"`,
//! `ALTER TABLE "_autogen_new_t" RENAME TO "t"`), which a revision file holds as SQL frozen when
//! it was written. The live table may have changed since: a merged branch or a hand-made change
//! added a column, someone added a trigger, the AUTOINCREMENT counter moved on. So the runner:
//!
//! - refuses a rebuild that would drop columns the revision does not know. Each rebuild written
//!   by autogen carries a `-- autogen:rebuild "t" "col" ...` line naming the columns `t` has
//!   when the rebuild starts; before the copy the live columns are compared with it, and any
//!   difference rolls the revision back with the table, the columns and the fix. Before an
//!   upgrade runs at all, [`check_plan`] refuses a rebuild of a table that a revision of another
//!   branch, earlier in the same run, also changes (the two-branch merge);
//! - keeps the table's triggers (dropped with the old table; recreated after the rename) and its
//!   AUTOINCREMENT counter (`sqlite_sequence`, which the copy would reset to the largest id
//!   copied, so deleted ids would be handed out again);
//! - renames with `PRAGMA legacy_alter_table = ON`, so a view or trigger elsewhere that names the
//!   table (briefly missing between the drop and the rename) does not make the rename fail.
//!
//! Files without the `autogen:rebuild` line (written before it existed) get the last two but not
//! the column check. This file only recognises autogen's own rebuild statements; hand-written
//! SQL that looks different runs untouched.

use std::collections::{BTreeSet, HashMap, VecDeque};

use sqlx::sqlite::SqliteConnection;
use sqlx::Row;

use super::words::{identifiers, Tokens};
use super::{db_error, Step};
use crate::error::{BranchRebuildConflict, Direction, RebuildMismatch};
use crate::file::Revision;
use crate::graph::RevisionSet;
use crate::RunError;

/// The prefix of the temporary table a rebuild copies into.
const TEMP_PREFIX: &str = "_autogen_new_";
/// The directive key (`-- autogen:rebuild ...`).
const DIRECTIVE: &str = "autogen:rebuild";

/// One recognised statement of a rebuild.
#[derive(Debug, PartialEq, Eq)]
enum Part {
    /// `INSERT INTO "_autogen_new_<t>" ...`: the copy.
    Copy(String),
    /// `DROP TABLE "<t>"`.
    Drop(String),
    /// `ALTER TABLE "_autogen_new_<t>" RENAME TO "<t>"`.
    Rename(String),
    /// `ALTER TABLE "<t>" ...` (any other alteration of a table, for [`check_plan`]).
    Alter(String),
}

/// What was saved of a table between its drop and the rename of its new copy.
struct Saved {
    triggers: Vec<(String, String)>,
    sequence: Option<i64>,
    legacy_alter_table: i64,
}

/// The rebuild bookkeeping of one revision's run.
pub(super) struct Rebuilds {
    /// Expected columns per table (lowercased key), in the order the directives appear.
    expected: HashMap<String, VecDeque<Vec<String>>>,
    saved: HashMap<String, Saved>,
}

impl Rebuilds {
    pub(super) fn new(section: &str) -> Self {
        let mut expected: HashMap<String, VecDeque<Vec<String>>> = HashMap::new();
        for (table, columns) in directives(section) {
            expected
                .entry(table.to_lowercase())
                .or_default()
                .push_back(columns);
        }
        Rebuilds {
            expected,
            saved: HashMap::new(),
        }
    }

    /// Runs before statement `index` of `step`.
    pub(super) async fn before(
        &mut self,
        conn: &mut SqliteConnection,
        step: &Step<'_>,
        index: usize,
    ) -> Result<(), RunError> {
        match classify(&step.statements[index]) {
            Some(Part::Copy(table)) => {
                let Some(expected) = self
                    .expected
                    .get_mut(&table.to_lowercase())
                    .and_then(VecDeque::pop_front)
                else {
                    return Ok(());
                };
                let live = live_columns(conn, &table).await?;
                let fold = |v: &[String]| -> BTreeSet<String> {
                    v.iter().map(|c| c.to_lowercase()).collect()
                };
                let (live_set, expected_set) = (fold(&live), fold(&expected));
                let unexpected: Vec<String> = live
                    .iter()
                    .filter(|c| !expected_set.contains(&c.to_lowercase()))
                    .cloned()
                    .collect();
                let missing: Vec<String> = expected
                    .iter()
                    .filter(|c| !live_set.contains(&c.to_lowercase()))
                    .cloned()
                    .collect();
                if unexpected.is_empty() && missing.is_empty() {
                    return Ok(());
                }
                Err(RunError::RebuildMismatch(Box::new(RebuildMismatch {
                    revision: step.revision.id.clone(),
                    path: step.revision.path.clone(),
                    direction: step.direction,
                    table,
                    unexpected,
                    missing,
                    changed_by: Vec::new(),
                })))
            }
            Some(Part::Drop(table)) if self.opened(&step.statements[..index], &table) => {
                let saved = save(conn, &table).await?;
                self.saved.insert(table.to_lowercase(), saved);
                set_legacy_alter_table(conn, 1).await
            }
            _ => Ok(()),
        }
    }

    /// Runs after statement `index` of `step` succeeded.
    pub(super) async fn after(
        &mut self,
        conn: &mut SqliteConnection,
        step: &Step<'_>,
        index: usize,
    ) -> Result<(), RunError> {
        let Some(Part::Rename(table)) = classify(&step.statements[index]) else {
            return Ok(());
        };
        let Some(saved) = self.saved.remove(&table.to_lowercase()) else {
            return Ok(());
        };
        set_legacy_alter_table(conn, saved.legacy_alter_table).await?;
        for (name, sql) in &saved.triggers {
            sqlx::raw_sql(sql)
                .execute(&mut *conn)
                .await
                .map_err(|e| RunError::Database {
                    context: format!(
                        "{} of revision {} ({}): recreating trigger {name} of table {table} after its rebuild (SQLite drops a table's triggers with it); the revision was rolled back. Change or drop the trigger so it fits the table's new columns, then run again",
                        step.direction,
                        step.revision.id,
                        step.revision.path.display()
                    ),
                    source: Box::new(e),
                })?;
        }
        if let Some(seq) = saved.sequence {
            restore_sequence(conn, &table, seq).await?;
        }
        Ok(())
    }

    /// Whether an earlier statement of the revision created the rebuild copy of `table`.
    fn opened(&self, earlier: &[String], table: &str) -> bool {
        earlier.iter().any(|s| {
            matches!(classify(s), Some(Part::Copy(t)) if t.eq_ignore_ascii_case(table))
                || create_temp(s).is_some_and(|t| t.eq_ignore_ascii_case(table))
        })
    }
}

/// Before an upgrade runs anything: refuses when a revision of the plan rebuilds a table that an
/// earlier revision of the plan, not one of its ancestors, changes. The rebuild was written
/// knowing only its ancestors' columns, so it would drop what the other branch added.
pub(crate) fn check_plan(set: &RevisionSet, plan: &[&Revision]) -> Result<(), RunError> {
    for (i, rev) in plan.iter().enumerate() {
        let rebuilt: BTreeSet<String> = directives(&rev.upgrade_sql)
            .into_iter()
            .map(|(t, _)| t.to_lowercase())
            .collect();
        if rebuilt.is_empty() {
            continue;
        }
        let ancestors = set.ancestors_and_self(&rev.id);
        for other in &plan[..i] {
            if ancestors.contains(&other.id) {
                continue;
            }
            let changed = changed_tables(other);
            if let Some(table) = rebuilt.iter().find(|t| changed.contains(*t)) {
                return Err(RunError::BranchRebuildConflict(Box::new(
                    BranchRebuildConflict {
                        table: table.clone(),
                        rebuilt_by: (rev.id.clone(), rev.path.clone()),
                        changed_by: (other.id.clone(), other.path.clone()),
                    },
                )));
            }
        }
    }
    Ok(())
}

/// For a [`RunError::RebuildMismatch`]: the other revisions of the set whose upgrade changes the
/// table and mentions one of the unexpected columns (the likely source: a merged branch).
pub(crate) fn explain(set: &RevisionSet, error: RunError) -> RunError {
    let RunError::RebuildMismatch(mut m) = error else {
        return error;
    };
    let columns: Vec<&String> = m.unexpected.iter().chain(&m.missing).collect();
    m.changed_by = set
        .history()
        .iter()
        .filter(|r| r.id != m.revision)
        .filter(|r| changed_tables(r).contains(&m.table.to_lowercase()))
        .filter(|r| columns.iter().any(|c| r.upgrade_sql.contains(&quote(c))))
        .map(|r| (r.id.clone(), r.path.clone()))
        .collect();
    RunError::RebuildMismatch(m)
}

/// Tables an upgrade section alters or rebuilds (lowercased).
fn changed_tables(rev: &Revision) -> BTreeSet<String> {
    let mut out: BTreeSet<String> = directives(&rev.upgrade_sql)
        .into_iter()
        .map(|(t, _)| t.to_lowercase())
        .collect();
    for statement in
        crate::split::split_statements(&rev.upgrade_sql, autogen_schema::Dialect::Sqlite)
    {
        match classify(&statement) {
            Some(Part::Alter(t) | Part::Drop(t) | Part::Rename(t) | Part::Copy(t)) => {
                out.insert(t.to_lowercase());
            }
            None => {}
        }
    }
    out
}

/// The `-- autogen:rebuild "t" "a" "b"` lines of a section: (table, columns).
fn directives(section: &str) -> Vec<(String, Vec<String>)> {
    section
        .lines()
        .filter_map(|line| {
            let rest = line.trim().strip_prefix("--")?.trim_start();
            let rest = rest.strip_prefix(DIRECTIVE)?;
            let mut names = identifiers(rest);
            if names.is_empty() {
                return None;
            }
            let table = names.remove(0);
            Some((table, names))
        })
        .collect()
}

/// The directive line for a rebuild of `table` whose columns are `columns` when it starts (the
/// renderer in autogen-sql writes the same form).
#[cfg(test)]
fn directive_line(table: &str, columns: &[String]) -> String {
    let mut out = format!("{DIRECTIVE} {}", quote(table));
    for c in columns {
        out.push(' ');
        out.push_str(&quote(c));
    }
    out
}

fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

fn keyword(token: Option<String>, word: &str) -> bool {
    token.is_some_and(|t| t.eq_ignore_ascii_case(word))
}

/// `CREATE TABLE "_autogen_new_<t>"`: `t`.
fn create_temp(sql: &str) -> Option<String> {
    let mut t = Tokens { rest: sql };
    if !keyword(t.next_token(), "CREATE") || !keyword(t.next_token(), "TABLE") {
        return None;
    }
    t.next_token()?
        .strip_prefix(TEMP_PREFIX)
        .map(str::to_string)
}

fn classify(sql: &str) -> Option<Part> {
    let mut t = Tokens { rest: sql };
    let first = t.next_token()?.to_ascii_uppercase();
    match first.as_str() {
        "INSERT" => {
            if !keyword(t.next_token(), "INTO") {
                return None;
            }
            let name = t.next_token()?;
            name.strip_prefix(TEMP_PREFIX)
                .map(|n| Part::Copy(n.to_string()))
        }
        "DROP" => {
            if !keyword(t.next_token(), "TABLE") {
                return None;
            }
            let mut name = t.next_token()?;
            if name.eq_ignore_ascii_case("IF") {
                t.next_token();
                name = t.next_token()?;
            }
            Some(Part::Drop(name))
        }
        "ALTER" => {
            if !keyword(t.next_token(), "TABLE") {
                return None;
            }
            let name = t.next_token()?;
            let Some(table) = name.strip_prefix(TEMP_PREFIX) else {
                return Some(Part::Alter(name));
            };
            if keyword(t.next_token(), "RENAME") && keyword(t.next_token(), "TO") {
                let target = t.next_token()?;
                if target.eq_ignore_ascii_case(table) {
                    return Some(Part::Rename(target));
                }
            }
            None
        }
        _ => None,
    }
}

/// The columns of `table` as SQLite stores them (generated columns included).
async fn live_columns(conn: &mut SqliteConnection, table: &str) -> Result<Vec<String>, RunError> {
    let rows = sqlx::query("SELECT name FROM pragma_table_xinfo(?) WHERE hidden IN (0, 2, 3)")
        .bind(table)
        .fetch_all(&mut *conn)
        .await
        .map_err(db_error(format!("reading the columns of {table}")))?;
    rows.iter()
        .map(|r| r.try_get::<String, _>(0))
        .collect::<Result<_, _>>()
        .map_err(db_error(format!("reading the columns of {table}")))
}

async fn save(conn: &mut SqliteConnection, table: &str) -> Result<Saved, RunError> {
    let rows = sqlx::query(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ? COLLATE NOCASE AND sql IS NOT NULL ORDER BY name",
    )
    .bind(table)
    .fetch_all(&mut *conn)
    .await
    .map_err(db_error(format!("reading the triggers of {table}")))?;
    let triggers = rows
        .iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
        .collect::<Result<Vec<(String, String)>, sqlx::Error>>()
        .map_err(db_error(format!("reading the triggers of {table}")))?;
    let has_sequence: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_sequence'",
    )
    .fetch_one(&mut *conn)
    .await
    .map_err(db_error("looking for sqlite_sequence"))?;
    let sequence = if has_sequence > 0 {
        sqlx::query_scalar("SELECT seq FROM sqlite_sequence WHERE name = ? COLLATE NOCASE")
            .bind(table)
            .fetch_optional(&mut *conn)
            .await
            .map_err(db_error(format!(
                "reading the AUTOINCREMENT counter of {table}"
            )))?
    } else {
        None
    };
    let legacy_alter_table: i64 = sqlx::query_scalar("PRAGMA legacy_alter_table")
        .fetch_one(&mut *conn)
        .await
        .map_err(db_error("reading PRAGMA legacy_alter_table"))?;
    Ok(Saved {
        triggers,
        sequence,
        legacy_alter_table,
    })
}

async fn set_legacy_alter_table(conn: &mut SqliteConnection, value: i64) -> Result<(), RunError> {
    let sql = if value != 0 {
        "PRAGMA legacy_alter_table = ON"
    } else {
        "PRAGMA legacy_alter_table = OFF"
    };
    sqlx::raw_sql(sql)
        .execute(&mut *conn)
        .await
        .map_err(db_error("setting PRAGMA legacy_alter_table"))?;
    Ok(())
}

/// Puts the counter of a rebuilt AUTOINCREMENT table back to at least `seq`.
async fn restore_sequence(
    conn: &mut SqliteConnection,
    table: &str,
    seq: i64,
) -> Result<(), RunError> {
    let context = || format!("restoring the AUTOINCREMENT counter of {table}");
    let updated =
        sqlx::query("UPDATE sqlite_sequence SET seq = max(seq, ?) WHERE name = ? COLLATE NOCASE")
            .bind(seq)
            .bind(table)
            .execute(&mut *conn)
            .await
            .map_err(db_error(context()))?;
    if updated.rows_affected() == 0 {
        sqlx::query(
            "INSERT INTO sqlite_sequence (name, seq) SELECT name, ? FROM sqlite_master WHERE type = 'table' AND name = ? COLLATE NOCASE AND sql LIKE '%AUTOINCREMENT%'",
        )
        .bind(seq)
        .bind(table)
        .execute(&mut *conn)
        .await
        .map_err(db_error(context()))?;
    }
    Ok(())
}

/// The section of `rev` that runs in `direction`.
pub(super) fn section(rev: &Revision, direction: Direction) -> &str {
    match direction {
        Direction::Upgrade => &rev.upgrade_sql,
        Direction::Downgrade => &rev.downgrade_sql,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_rebuild_statements() {
        for (sql, expected) in [
            (
                "INSERT INTO \"_autogen_new_users\" (\"id\") SELECT \"id\" FROM \"users\"",
                Some(Part::Copy("users".into())),
            ),
            ("DROP TABLE \"users\"", Some(Part::Drop("users".into()))),
            (
                "drop table if exists users",
                Some(Part::Drop("users".into())),
            ),
            (
                "ALTER TABLE \"_autogen_new_a \"\"b\" RENAME TO \"a \"\"b\"",
                Some(Part::Rename("a \"b".into())),
            ),
            (
                "ALTER TABLE \"users\" ADD COLUMN \"x\" text",
                Some(Part::Alter("users".into())),
            ),
            ("INSERT INTO users VALUES (1)", None),
            ("ALTER TABLE \"_autogen_new_a\" RENAME TO \"b\"", None),
            ("SELECT 1", None),
        ] {
            assert_eq!(classify(sql), expected, "{sql}");
        }
    }

    #[test]
    fn directive_lines_round_trip() {
        let cols = vec!["id".to_string(), "we\"ird name".to_string()];
        let line = directive_line("t\"x", &cols);
        let section = format!("-- {line}\nINSERT INTO x VALUES (1);\n");
        assert_eq!(directives(&section), vec![("t\"x".to_string(), cols)]);
        assert!(directives("-- autogen:upgrade\n-- a comment\n").is_empty());
    }
}
