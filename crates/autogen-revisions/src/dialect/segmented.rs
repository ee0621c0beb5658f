//! A revision with `-- autogen:no-transaction` steps on a dialect whose DDL is transactional
//! (PostgreSQL, SQLite). Such a step cannot share the revision's transaction (`CREATE INDEX
//! CONCURRENTLY`, `VACUUM`), so the revision runs in segments, with its progress in
//! `autogen_progress` exactly as MySQL/MariaDB record every revision:
//!
//! - the statements before a no-transaction step run in one transaction that also records them
//!   as done, so they commit together with their progress or not at all;
//! - the step is recorded as running, runs alone (committed by itself), and is recorded as done;
//! - the last segment commits together with the version-table row and the removal of the
//!   progress row, so the revision is applied exactly when its last statement is.
//!
//! A failure or a stop rolls back only the open segment; the error says which statements stayed
//! and the next run resumes after them. A step left running by a killed run is settled by the
//! dialect where the catalog can tell (PostgreSQL: whether the index a `CREATE INDEX
//! CONCURRENTLY` builds exists and is valid; an INVALID one is dropped and built again),
//! re-run where running it again is harmless (`VACUUM`, `ANALYZE`), and otherwise reported as of
//! unknown outcome for the user to settle with `--resolve-interrupted`, as on MySQL.
//!
//! A statement the server refuses because its lock was not granted in time (PostgreSQL's
//! `lock_timeout`, SQLSTATE 55P03, which online revisions set) is retried up to
//! `lock_retries` times with a doubling pause (`lock_retry.rs`), each retry reported as a notice: the open
//! segment is rolled back and run again from its start, and a no-transaction step is cleaned up
//! (an INVALID index dropped) and run again. Session settings a revision makes (`SET
//! lock_timeout`) are made again when a new run resumes it part way.
//!
//! This file owns the order of operations only; the dialects implement [`Segmented`] (how to
//! run a statement, what to check before a commit, how to settle an interrupted step). A
//! revision without such steps never comes here: it is one transaction, as it always was.

use super::lock_retry::{announce_retry, gave_up};
use super::progress::{self, done_hash, nothing_to_resolve, progress_error, Progress};
use super::{db_error, failure, statement_error, BoxFuture, Outcome, Step};
use crate::error::{partial_report, Direction};
use crate::observe::RunEvent;
use crate::runner::Resolution;
use crate::version_table;
use crate::RunError;

/// What a dialect knows of a no-transaction step an earlier run started and never recorded as
/// done.
pub(crate) enum Settled {
    /// It took effect: record it as done.
    Ran,
    /// It did not take effect, or running it again is harmless: run it.
    NotRun,
    /// Nobody can tell: stop and ask (`--resolve-interrupted`).
    Unknown,
}

/// One connection's part in a segmented run.
pub(crate) trait Segmented {
    /// Runs SQL of the runner's own (transaction control, progress and version rows).
    fn exec<'a>(&'a mut self, sql: &'a str) -> BoxFuture<'a, Result<(), sqlx::Error>>;
    /// The statement that opens a segment's transaction.
    fn begin(&self) -> &'static str;
    /// The rows of `autogen_progress`; empty when the table does not exist.
    fn read_progress(&mut self) -> BoxFuture<'_, Result<Vec<Progress>, RunError>>;
    /// Whether the version table already says what this step would make it say (another run
    /// got there first); asked only when no progress row exists.
    fn already_done<'a>(&'a mut self, step: &'a Step<'a>) -> BoxFuture<'a, Result<bool, RunError>> {
        let _ = step;
        Box::pin(async { Ok(false) })
    }
    /// Runs statement `index` of `step`, in the open transaction or alone. The outer error is a
    /// failure of the runner's own; the inner one is the statement's.
    fn statement<'a>(
        &'a mut self,
        step: &'a Step<'a>,
        index: usize,
    ) -> BoxFuture<'a, Result<Result<(), sqlx::Error>, RunError>>;
    /// Checks made before a segment commits (SQLite: foreign keys).
    fn before_commit<'a>(&'a mut self, step: &'a Step<'a>) -> BoxFuture<'a, Result<(), RunError>> {
        let _ = step;
        Box::pin(async { Ok(()) })
    }
    /// Runs before no-transaction step `index` (PostgreSQL: drops an INVALID index left by an
    /// interrupted build of the same index).
    fn before_alone<'a>(
        &'a mut self,
        step: &'a Step<'a>,
        index: usize,
    ) -> BoxFuture<'a, Result<(), RunError>> {
        let _ = (step, index);
        Box::pin(async { Ok(()) })
    }
    /// Runs after no-transaction step `index` failed with a database error (PostgreSQL: drops
    /// the INVALID index a failed `CREATE INDEX CONCURRENTLY` leaves). Best effort.
    fn after_failed_alone<'a>(&'a mut self, step: &'a Step<'a>, index: usize) -> BoxFuture<'a, ()> {
        let _ = (step, index);
        Box::pin(async {})
    }
    /// Whether `error` says the statement's lock was not granted in time (PostgreSQL: SQLSTATE
    /// 55P03 `lock_not_available`), so the statement may be tried again.
    fn lock_not_granted(&self, error: &sqlx::Error) -> bool {
        let _ = error;
        false
    }
    /// Whether `sql` is a session setting (`SET lock_timeout ...`) to make again when a new run
    /// resumes the revision after it.
    fn session_setting(&self, sql: &str) -> bool {
        let _ = sql;
        false
    }
    /// What is known of no-transaction step `index`, which an earlier run started and never
    /// recorded as done, with a line for the user when the answer came from the database.
    fn settle<'a>(
        &'a mut self,
        step: &'a Step<'a>,
        index: usize,
    ) -> BoxFuture<'a, Result<(Settled, Option<String>), RunError>>;
}

/// Why a segment's transaction was rolled back.
enum Abort {
    /// A stop was requested between two statements.
    Stop,
    /// Statement `.0` failed.
    Statement(usize, sqlx::Error),
    /// A check or a query of the runner's own failed.
    Run(RunError),
}

/// Applies (or reverts) `step` in segments; see the module documentation.
pub(crate) async fn apply(db: &mut dyn Segmented, step: &Step<'_>) -> Result<Outcome, RunError> {
    let rev = step.revision;
    let total = step.statements.len();
    let row = db
        .read_progress()
        .await?
        .into_iter()
        .find(|p| p.revision == rev.id);
    // `recorded`: a progress row of this revision is committed.
    let (mut done, mut recorded) = match row {
        Some(p) => (resume(db, step, &p).await?, true),
        None => {
            if step.resolve_interrupted.is_some() {
                return Err(nothing_to_resolve(step));
            }
            if db.already_done(step).await? {
                return Ok(Outcome::Skipped);
            }
            db.exec(version_table::PROGRESS_CREATE)
                .await
                .map_err(db_error("creating the runner table autogen_progress"))?;
            (0, false)
        }
    };
    let start_row = version_table::progress_start_literal(
        &rev.id,
        step.direction.as_str(),
        &done_hash(&[]),
        &step.applied_at,
    );
    // A new session resuming part way: the revision's session settings before `done` again.
    for j in 0..done {
        if db.session_setting(&step.statements[j]) {
            if let Err(source) = db.exec(&step.statements[j]).await {
                return Err(failed(db, step, j, done, source).await);
            }
        }
    }
    let mut finished = false;
    let mut attempt = 0;
    while done < total {
        if step.observer.stop_requested() {
            return Err(stopped(db, step, done, recorded).await);
        }
        if step.alone[done] {
            let i = done;
            if !recorded {
                db.exec(&start_row).await.map_err(db_error(format!(
                    "recording the start of revision {}",
                    rev.id
                )))?;
                recorded = true;
            }
            db.before_alone(step, i).await?;
            db.exec(&version_table::progress_running_literal(&rev.id, i))
                .await
                .map_err(progress_error(step, i))?;
            match db.statement(step, i).await? {
                Ok(()) => {
                    record_done(db, step, i + 1).await?;
                    done = i + 1;
                    attempt = 0;
                }
                Err(source @ sqlx::Error::Database(_)) => {
                    // The server refused it: a single statement outside a transaction is atomic,
                    // so it did not take effect (what it leaves behind is cleaned up first).
                    db.after_failed_alone(step, i).await;
                    record_done(db, step, i).await?;
                    let lock_wait = db.lock_not_granted(&source);
                    if lock_wait && attempt < step.lock_retries {
                        attempt += 1;
                        announce_retry(step, i, attempt, &source).await;
                        continue;
                    }
                    let error = failed(db, step, i, done, source).await;
                    return Err(if lock_wait {
                        gave_up(error, attempt)
                    } else {
                        error
                    });
                }
                // The connection failed while it ran: the `running` mark stays for the next run.
                Err(source) => return Err(progress::unknown(step, i, Some(source))),
            }
        } else {
            let end = (done..total).find(|&j| step.alone[j]).unwrap_or(total);
            let last = end == total;
            db.exec(db.begin()).await.map_err(db_error(format!(
                "starting a transaction for revision {}",
                rev.id
            )))?;
            match segment(db, step, done, end, last, recorded, &start_row).await {
                Ok(()) => {
                    db.exec("COMMIT").await.map_err(db_error(format!(
                        "committing statements {}..{end} of revision {} ({}); they were rolled back",
                        done + 1,
                        rev.id,
                        rev.path.display()
                    )))?;
                }
                Err(abort) => {
                    let _ = db.exec("ROLLBACK").await;
                    if let Abort::Statement(j, source) = &abort {
                        if db.lock_not_granted(source) && attempt < step.lock_retries {
                            attempt += 1;
                            announce_retry(step, *j, attempt, source).await;
                            continue;
                        }
                    }
                    return Err(match abort {
                        Abort::Stop => stopped(db, step, done, recorded).await,
                        Abort::Statement(j, source) if db.lock_not_granted(&source) => {
                            gave_up(failed(db, step, j, done, source).await, attempt)
                        }
                        Abort::Statement(j, source) => failed(db, step, j, done, source).await,
                        Abort::Run(e) => e,
                    });
                }
            }
            recorded = !last;
            finished = last;
            done = end;
            attempt = 0;
        }
    }
    if !finished {
        // The revision ends with a no-transaction step (or a killed run left only this): record
        // it as applied and forget its progress, atomically.
        db.exec(db.begin()).await.map_err(db_error(format!(
            "starting a transaction for revision {}",
            rev.id
        )))?;
        let result = async {
            db.exec(&version_row(step)).await.map_err(db_error(format!(
                "recording revision {} in autogen_version",
                rev.id
            )))?;
            db.exec(&version_table::progress_delete_literal(&rev.id))
                .await
                .map_err(db_error(format!(
                    "removing the progress of revision {}",
                    rev.id
                )))?;
            db.exec("COMMIT").await.map_err(db_error(format!(
                "recording revision {} in autogen_version",
                rev.id
            )))
        }
        .await;
        if let Err(e) = result {
            let _ = db.exec("ROLLBACK").await;
            return Err(e);
        }
    }
    Ok(Outcome::Done)
}

/// Where a revision with a progress row resumes (0-based), settling a step left running.
async fn resume(db: &mut dyn Segmented, step: &Step<'_>, p: &Progress) -> Result<usize, RunError> {
    progress::check_unchanged(p, step)?;
    let done = p.statements_done;
    let settled = match (p.running, step.resolve_interrupted) {
        (None, Some(_)) => return Err(nothing_to_resolve(step)),
        (None, None) => return Ok(done),
        (Some(r), Some(Resolution::Ran)) => (r, Settled::Ran),
        (Some(r), Some(Resolution::NotRun)) => (r, Settled::NotRun),
        (Some(r), None) if !step.alone[r] => (r, Settled::Unknown),
        (Some(r), None) => {
            let (settled, note) = db.settle(step, r).await?;
            if let Some(message) = note {
                step.observer.event(RunEvent::Notice {
                    revision: step.revision,
                    message: &message,
                });
            }
            (r, settled)
        }
    };
    match settled {
        (r, Settled::Ran) => {
            record_done(db, step, r + 1).await?;
            Ok(r + 1)
        }
        (r, Settled::NotRun) => {
            record_done(db, step, r).await?;
            Ok(r)
        }
        (r, Settled::Unknown) => Err(progress::unknown(step, r, None)),
    }
}

/// Statements `from..end` in the open transaction, then their bookkeeping: the progress row,
/// or for the last segment the version-table row (and the progress row's removal).
async fn segment(
    db: &mut dyn Segmented,
    step: &Step<'_>,
    from: usize,
    end: usize,
    last: bool,
    recorded: bool,
    start_row: &str,
) -> Result<(), Abort> {
    let rev = step.revision;
    let own = |context: String| move |e: sqlx::Error| Abort::Run(db_error(context)(e));
    if !recorded && !last {
        db.exec(start_row)
            .await
            .map_err(own(format!("recording the start of revision {}", rev.id)))?;
    }
    for j in from..end {
        if j > from && step.observer.stop_requested() {
            return Err(Abort::Stop);
        }
        match db.statement(step, j).await {
            Ok(Ok(())) => {}
            Ok(Err(source)) => return Err(Abort::Statement(j, source)),
            Err(e) => return Err(Abort::Run(e)),
        }
    }
    if last {
        db.exec(&version_row(step)).await.map_err(own(format!(
            "recording revision {} in autogen_version",
            rev.id
        )))?;
        if recorded {
            db.exec(&version_table::progress_delete_literal(&rev.id))
                .await
                .map_err(own(format!("removing the progress of revision {}", rev.id)))?;
        }
    } else {
        db.exec(&version_table::progress_done_literal(
            &rev.id,
            end,
            &done_hash(&step.statements[..end]),
        ))
        .await
        .map_err(own(format!(
            "recording progress of revision {} after statement {end}",
            rev.id
        )))?;
    }
    db.before_commit(step).await.map_err(Abort::Run)
}

/// The version-table statement that marks `step` done (values inlined: hex and a timestamp).
fn version_row(step: &Step<'_>) -> String {
    let rev = step.revision;
    match step.direction {
        Direction::Upgrade => {
            version_table::insert_literal(&rev.id, &rev.checksum, &step.applied_at)
        }
        Direction::Downgrade => version_table::delete_literal(&rev.id),
    }
}

/// Records the first `done` statements as done and nothing as running.
async fn record_done(db: &mut dyn Segmented, step: &Step<'_>, done: usize) -> Result<(), RunError> {
    db.exec(&version_table::progress_done_literal(
        &step.revision.id,
        done,
        &done_hash(&step.statements[..done]),
    ))
    .await
    .map_err(progress_error(step, done))
}

/// The error for statement `index` that failed (and was rolled back, or did not take effect)
/// after the first `done` statements committed. With nothing committed but session settings
/// (online mode's `SET lock_timeout`, which last only as long as the session) the revision left
/// no trace: its progress row goes too, and the failure is an ordinary one.
async fn failed(
    db: &mut dyn Segmented,
    step: &Step<'_>,
    index: usize,
    done: usize,
    source: sqlx::Error,
) -> RunError {
    if step.statements[..done]
        .iter()
        .all(|s| db.session_setting(s))
    {
        let _ = db
            .exec(&version_table::progress_delete_literal(&step.revision.id))
            .await;
        return statement_error(step, index, source);
    }
    RunError::Partial {
        failure: Box::new(failure(step, index, source)),
        executed: step.statements[..done].to_vec(),
    }
}

/// The error for a stop honoured with the first `done` statements committed.
async fn stopped(db: &mut dyn Segmented, step: &Step<'_>, done: usize, recorded: bool) -> RunError {
    let rev = step.revision;
    if done == 0 {
        if recorded {
            let _ = db
                .exec(&version_table::progress_delete_literal(&rev.id))
                .await;
        }
        return RunError::Interrupted {
            completed: Vec::new(),
            detail: format!(
                "stopped before statement 1 of revision {} took effect; nothing of it was applied",
                rev.id
            ),
        };
    }
    RunError::Interrupted {
        completed: Vec::new(),
        detail: format!(
            "{dir} of revision {id} stopped after statement {done} of {total}\n{report}",
            dir = step.direction,
            id = rev.id,
            total = step.statements.len(),
            report = partial_report(step.direction, &rev.id, &step.statements[..done], done + 1)
        ),
    }
}
