//! What the statement-by-statement runs of every dialect share about the progress table
//! `autogen_progress` (its SQL is in `version_table.rs`): a row as read back ([`Progress`]), the
//! hash that pins the statements already done, and the decisions made from a row: whether a
//! revision left part way blocks a plan ([`check_partial`]), whether a file still starts with
//! the statements that ran ([`check_unchanged`]), and the errors for a statement of unknown
//! outcome. MySQL/MariaDB write a row for every revision (their DDL commits as it runs);
//! PostgreSQL and SQLite only for a revision with `-- autogen:no-transaction` steps
//! (`segmented.rs`). Reading the rows is each dialect's own query; nothing here runs SQL.

use super::Step;
use crate::error::{partial_report, Direction, UnknownOutcome};
use crate::file::{checksum, Revision};
use crate::runner::PartialRevision;
use crate::RunError;

/// A revision recorded as partially applied.
pub(crate) struct Progress {
    pub revision: String,
    pub direction: String,
    pub statements_done: usize,
    pub done_hash: String,
    pub started_at: String,
    /// 0-based index of a statement that was started and never recorded as done.
    pub running: Option<usize>,
}

/// Reads one row of `SELECT revision, direction, statements_done, done_hash, started_at, running
/// FROM autogen_progress` on any dialect. Each dialect's query casts the counts to a signed
/// 64-bit integer and the text columns to text, so one decoder serves all three.
pub(crate) fn progress_from_row<R>(row: &R) -> Result<Progress, sqlx::Error>
where
    R: sqlx::Row,
    usize: sqlx::ColumnIndex<R>,
    for<'r> i64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> String: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    let done: i64 = row.try_get(2)?;
    let running: Option<i64> = row.try_get(5)?;
    Ok(Progress {
        revision: row.try_get(0)?,
        direction: row.try_get(1)?,
        statements_done: usize::try_from(done).unwrap_or(0),
        done_hash: row.try_get(3)?,
        started_at: row.try_get(4)?,
        running: running.and_then(|r| usize::try_from(r).ok()),
    })
}

/// Hash of the statements already run, so a resume can check they are still the same text.
pub(crate) fn done_hash(statements: &[String]) -> String {
    let mut joined = String::new();
    for s in statements {
        joined.push_str(s);
        joined.push('\0');
    }
    checksum(joined.as_bytes())
}

/// Fails when a revision is recorded as partially applied and `next` (the first revision the
/// plan runs, in `direction`) is not the one that resumes it.
pub(crate) fn check_partial(
    progress: Vec<Progress>,
    next: Option<&Revision>,
    direction: Direction,
) -> Result<(), RunError> {
    for p in progress {
        let resumable =
            next.is_some_and(|n| n.id == p.revision) && p.direction == direction.as_str();
        if !resumable {
            let unknown = match p.running {
                Some(r) => format!(
                    " Statement {} was running when that run stopped, and whether it took effect is unknown.",
                    r + 1
                ),
                None => String::new(),
            };
            return Err(RunError::PartiallyApplied {
                message: format!(
                    "revision {rev} was left partially applied by an earlier {dir}: its first {done} statement(s) ran and stayed applied, and it is not recorded as done in autogen_version.{unknown} \
                     Run `autogen {dir}` to a target that includes revision {rev} to resume at statement {next}, or undo those statements by hand and run DELETE FROM autogen_progress WHERE revision = '{rev}'; before doing anything else.",
                    rev = p.revision,
                    dir = p.direction,
                    done = p.statements_done,
                    next = p.statements_done + 1,
                ),
                revision: p.revision,
            });
        }
    }
    Ok(())
}

/// The rows as [`PartialRevision`]s, for `current`, `check` and `history`.
pub(crate) fn partial(progress: Vec<Progress>) -> Vec<PartialRevision> {
    progress
        .into_iter()
        .map(|p| PartialRevision {
            direction: if p.direction == Direction::Downgrade.as_str() {
                Direction::Downgrade
            } else {
                Direction::Upgrade
            },
            revision: p.revision,
            statements_done: p.statements_done,
            running: p.running.map(|r| r + 1),
            started_at: p.started_at,
        })
        .collect()
}

/// Fails unless `step` resumes `p`: the same direction, and the file still starts with the
/// statements that ran (by their hash).
pub(crate) fn check_unchanged(p: &Progress, step: &Step<'_>) -> Result<(), RunError> {
    let rev = step.revision;
    let done = p.statements_done;
    let total = step.statements.len();
    let same = p.direction == step.direction.as_str()
        && done <= total
        && done_hash(&step.statements[..done]) == p.done_hash;
    if !same {
        return Err(RunError::PartiallyApplied {
            revision: rev.id.clone(),
            message: format!(
                "revision {id} ({path}) was left partially applied by an earlier {dir} after {done} statement(s), but its file no longer starts with the statements that ran, so autogen cannot tell where to resume. \
                 Restore the first {done} statement(s) of the {dir} section as they were and run `autogen {dir}` again, or bring the database to the state you want by hand and run DELETE FROM autogen_progress WHERE revision = '{id}';",
                id = rev.id,
                path = rev.path.display(),
                dir = p.direction,
            ),
        });
    }
    if let Some(r) = p.running {
        if r != done || r >= total {
            return Err(RunError::PartiallyApplied {
                revision: rev.id.clone(),
                message: format!(
                    "autogen_progress records statement {} of revision {} as running but {done} statement(s) as done, which autogen never writes; bring the database to the state you want by hand and run DELETE FROM autogen_progress WHERE revision = '{}';",
                    r + 1,
                    rev.id,
                    rev.id
                ),
            });
        }
    }
    Ok(())
}

/// The error for `--resolve-interrupted` when nothing is in an unknown state.
pub(crate) fn nothing_to_resolve(step: &Step<'_>) -> RunError {
    RunError::NothingToResolve {
        revision: step.revision.id.clone(),
    }
}

/// The error for statement `i` (0-based) of unknown outcome.
pub(crate) fn unknown(step: &Step<'_>, i: usize, source: Option<sqlx::Error>) -> RunError {
    RunError::OutcomeUnknown(Box::new(UnknownOutcome {
        revision: step.revision.id.clone(),
        path: step.revision.path.clone(),
        direction: step.direction,
        index: i + 1,
        total: step.statements.len(),
        statement: step.statements[i].clone(),
        executed: step.statements[..i].to_vec(),
        source,
    }))
}

/// The error when recording progress after the first `done` statements fails: it names what
/// stayed applied, as every segmented run must.
pub(crate) fn progress_error<'s>(
    step: &'s Step<'_>,
    done: usize,
) -> impl FnOnce(sqlx::Error) -> RunError + 's {
    move |e| RunError::Database {
        context: format!(
            "recording progress of revision {} after statement {done} of {}\n{}",
            step.revision.id,
            step.statements.len(),
            partial_report(
                step.direction,
                &step.revision.id,
                &step.statements[..done],
                done + 1
            )
        ),
        source: Box::new(e),
    }
}
