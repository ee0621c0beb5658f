//! Observed, not only predicted: with a dev database, verified generation runs the new
//! revision's upgrade and then its downgrade a second time, one statement at a time, and asks the
//! server what each did (autogen-revisions' `observe_statements`: PostgreSQL's rewrites, full
//! reads and locks; the best algorithm MySQL/MariaDB accepts; SQLite's rebuilds). This file
//! compares those facts with the hazards the renderer predicted for the same statements and
//! words each disagreement. It judges what the dev database can show: rewrites, scans under a
//! lock that makes writes wait, copies. A dev database holds few rows, so how long a step takes
//! and whether existing rows fail it are not observed; a rename's effect on running clients is
//! not observable at all.

use autogen_revisions::{Statement, StepObserved};
use autogen_schema::Dialect;
use autogen_sql::HazardKind;

/// What the dev database showed of a new revision, and where it disagreed with the predicted
/// hazards.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ObservedHazards {
    pub upgrade: Vec<StepObserved>,
    pub downgrade: Vec<StepObserved>,
    /// One sentence per disagreement, naming the section, the step and the table.
    pub mismatches: Vec<String>,
}

/// The kinds whose statement rewrites its table on PostgreSQL.
const REWRITES: [HazardKind; 3] = [
    HazardKind::Rewrite,
    HazardKind::VolatileDefault,
    HazardKind::EnumRebuild,
];

/// The kinds whose statement reads the whole table while writes wait, on PostgreSQL.
const SCANS: [HazardKind; 6] = [
    HazardKind::IndexBuild,
    HazardKind::ForeignKey,
    HazardKind::Check,
    HazardKind::SetNotNull,
    HazardKind::UniqueBuild,
    HazardKind::PrimaryKeyBuild,
];

/// The disagreements between `statements` (with the hazards the renderer predicted) and what
/// running them showed; `section` is `upgrade` or `downgrade`.
pub fn mismatches(
    dialect: Dialect,
    section: &str,
    statements: &[Statement],
    observed: &[StepObserved],
) -> Vec<String> {
    match dialect {
        Dialect::Postgres => postgres(section, statements, observed),
        Dialect::Mysql => mysql(section, statements, observed),
        Dialect::Sqlite => sqlite(section, statements, observed),
    }
}

fn predicted(statement: &Statement) -> String {
    match &statement.hazard {
        Some(h) => format!("predicts `{}`", h.line()),
        None => "predicts no hazard".to_string(),
    }
}

/// The step as a reader finds it in the revision: its number and the start of its SQL.
fn step(section: &str, index: usize, statement: &Statement) -> String {
    let sql: String = statement
        .sql
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let head: String = sql.chars().take(60).collect();
    let more = if head.len() < sql.len() { "..." } else { "" };
    format!("{section} step {} (`{head}{more}`)", index + 1)
}

fn postgres(section: &str, statements: &[Statement], observed: &[StepObserved]) -> Vec<String> {
    let mut out = Vec::new();
    for (statement, seen) in statements.iter().zip(observed) {
        let kind = statement.hazard.as_ref().map(|h| h.kind);
        let on = statement.hazard.as_ref().map(|h| h.table.as_str());
        let at = || step(section, seen.index, statement);
        for table in &seen.rewritten {
            let explained = kind.is_some_and(|k| {
                k == HazardKind::EnumRebuild || (REWRITES.contains(&k) && on == Some(table))
            });
            if !explained {
                out.push(format!(
                    "{} rewrote {table} (its storage was replaced), but the revision {}",
                    at(),
                    predicted(statement)
                ));
            }
        }
        if let (Some(HazardKind::Rewrite | HazardKind::VolatileDefault), Some(table)) = (kind, on) {
            if !seen.rewritten.iter().any(|t| t == table) {
                out.push(format!(
                    "{} kept {table}'s storage, but the revision {}",
                    at(),
                    predicted(statement)
                ));
            }
        }
        for (table, mode) in &seen.scanned_blocking {
            if seen.rewritten.contains(table) {
                continue;
            }
            let explained = statement.hazard.as_ref().is_some_and(|h| h.blocks_writes);
            if !explained {
                out.push(format!(
                    "{} read all of {table} holding {mode} (writes wait for the scan), but the revision {}",
                    at(),
                    predicted(statement)
                ));
            }
        }
        if let (Some(k), Some(table)) = (kind, on) {
            let scanned = seen.scanned_blocking.iter().any(|(t, _)| t == table)
                || seen.rewritten.iter().any(|t| t == table);
            if SCANS.contains(&k) && seen.locks_observed && !scanned {
                out.push(format!(
                    "{} did not read {table} under a lock that makes writes wait, but the revision {}",
                    at(),
                    predicted(statement)
                ));
            }
        }
    }
    out
}

fn mysql(section: &str, statements: &[Statement], observed: &[StepObserved]) -> Vec<String> {
    let mut out = Vec::new();
    for (statement, seen) in statements.iter().zip(observed) {
        let Some(accepted) = seen.algorithm else {
            continue;
        };
        let predicts_wait = statement.hazard.as_ref().is_some_and(|h| h.blocks_writes);
        if accepted.blocks_writes() && !predicts_wait {
            out.push(format!(
                "{}: the best the server accepts is {} (writes wait), but the revision {}",
                step(section, seen.index, statement),
                accepted.clause(),
                predicted(statement)
            ));
        } else if predicts_wait && !accepted.blocks_writes() {
            out.push(format!(
                "{}: the server accepts {} (writes continue), but the revision {}",
                step(section, seen.index, statement),
                accepted.clause(),
                predicted(statement)
            ));
        }
    }
    out
}

/// SQLite rebuilds span several statements (create, copy, drop, rename), and the hazard sits on
/// one of them, so the section is judged as a whole: the tables rebuilt against the tables
/// predicted to be.
fn sqlite(section: &str, statements: &[Statement], observed: &[StepObserved]) -> Vec<String> {
    let mut rebuilt: Vec<&str> = observed
        .iter()
        .flat_map(|s| s.rewritten.iter().map(String::as_str))
        .collect();
    rebuilt.sort_unstable();
    rebuilt.dedup();
    let mut predicted: Vec<&str> = statements
        .iter()
        .filter_map(|s| s.hazard.as_ref())
        .filter(|h| h.kind == HazardKind::TableRebuild)
        .map(|h| h.table.as_str())
        .collect();
    predicted.sort_unstable();
    predicted.dedup();
    let mut out = Vec::new();
    for table in &rebuilt {
        if !predicted.contains(table) {
            out.push(format!(
                "the {section} rebuilt {table} (it moved to a new root page), but the revision predicts no table-rebuild hazard for it"
            ));
        }
    }
    for table in &predicted {
        if !rebuilt.contains(table) {
            out.push(format!(
                "the {section} left {table} in place, but the revision predicts a table-rebuild hazard for it"
            ));
        }
    }
    out
}
