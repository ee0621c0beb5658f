//! The runner: reads where a database is (the version table), and applies or reverts revisions
//! to reach a target. Every revision runs in one transaction together with its version-table
//! row where the dialect allows it (SQLite, PostgreSQL); MySQL/MariaDB commit DDL as it runs, so
//! there progress is recorded statement by statement (see `dialect/mysql.rs`), and so it is for
//! a revision with `-- autogen:no-transaction` steps everywhere (`dialect/segmented.rs`). The whole run
//! holds the dialect's migration lock, and the applied set is read after the lock is taken, so
//! two concurrent runs apply each revision once.
//!
//! The version table has one row per applied revision (not one row holding "the" version), so
//! branches and merges need no special storage: where the database is = the applied revisions no
//! other applied revision has as a parent ([`RevisionSet::applied_heads`]). This file owns the
//! planning and the order of operations; the SQL of each dialect lives in `dialect/`. It does
//! not print or choose files.

use std::collections::BTreeSet;
use std::time::Instant;

use autogen_db::Connection;

use crate::dialect::{self, LockGuard};
use crate::error::{Direction, EditedRevision};
use crate::file::Revision;
use crate::graph::RevisionSet;
use crate::observe::{Quiet, RunEvent, RunObserver};
use crate::split::split_marked;
use crate::{RevisionError, RunError};

/// Every table the runner owns. Introspection callers pass these in `exclude_tables`.
/// `autogen_version` holds the applied revisions (every dialect); `autogen_progress` holds the
/// statement-level progress of a revision being applied on MySQL/MariaDB, or of one with
/// `-- autogen:no-transaction` steps on any dialect.
pub const VERSION_TABLES: &[&str] = &[crate::version_table::TABLE, "autogen_progress"];

/// One row of the version table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppliedRevision {
    pub revision: String,
    /// SHA-256 of the revision file when it was applied.
    pub checksum: String,
    /// UTC, `YYYY-MM-DDTHH:MM:SSZ`.
    pub applied_at: String,
}

/// A revision recorded as partially applied: on MySQL/MariaDB, where DDL commits as it runs, a
/// run that failed or was stopped part way leaves one; elsewhere a revision with
/// `-- autogen:no-transaction` steps can. It is not in the version table, so it is
/// neither applied nor pending; `current`, `check` and `history` show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartialRevision {
    pub revision: String,
    pub direction: Direction,
    /// Statements of its `direction` section that ran and stayed.
    pub statements_done: usize,
    /// A statement (1-based) that was started and whose outcome is unknown (the run was killed
    /// while it ran).
    pub running: Option<usize>,
    /// When the run that left it started.
    pub started_at: String,
}

/// How the user settles a statement whose outcome a killed run left unknown (see
/// [`RunError::OutcomeUnknown`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resolution {
    /// It took effect: record it as done and go on after it.
    Ran,
    /// It did not take effect: run it again.
    NotRun,
}

/// Every applied revision, oldest first (by `applied_at`, then id). Creates nothing: a database
/// without a version table is at base (empty list). Use [`RevisionSet::applied_heads`] to get
/// the current revision(s).
pub async fn current(conn: &mut Connection) -> Result<Vec<AppliedRevision>, RunError> {
    dialect::read_applied(conn).await
}

/// The revisions recorded as partially applied (only ever on MySQL/MariaDB). Creates nothing.
pub async fn partially_applied(conn: &mut Connection) -> Result<Vec<PartialRevision>, RunError> {
    dialect::partial(conn).await
}

/// Every revision of the set, root first. The same as [`RevisionSet::history`]; here so the
/// runner's commands sit together.
pub fn history(set: &RevisionSet) -> &[Revision] {
    set.history()
}

/// Applies every revision needed to reach `target` (`head`, `heads`, an id or unique prefix,
/// `+N`, `REV+N`; `base` does nothing), parents first. Returns the ids applied, in order.
/// Refuses to run when applied revisions are missing from the set or were edited after they ran
/// (checksum); see [`upgrade_with`] to accept an edit.
pub async fn upgrade(
    conn: &mut Connection,
    set: &RevisionSet,
    target: &str,
) -> Result<Vec<String>, RunError> {
    upgrade_with(conn, set, target, &UpgradeOptions::default()).await
}

/// How [`upgrade_with`] treats applied revisions.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UpgradeOptions {
    /// Applied revisions (ids or unique prefixes) whose edited files are accepted: their new
    /// checksum is recorded before the upgrade runs, so later runs accept them too.
    pub allow_edited: Vec<String>,
    /// Settles a statement an earlier, killed run left in an unknown state (MySQL/MariaDB).
    pub resolve_interrupted: Option<Resolution>,
    /// How many times a statement whose lock wait timed out is tried again (`lock_retries` in
    /// autogen.toml); `None` for [`DEFAULT_LOCK_RETRIES`].
    pub lock_retries: Option<u32>,
}

/// How [`downgrade_observed`] runs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DowngradeOptions {
    /// Settles a statement an earlier, killed run left in an unknown state (MySQL/MariaDB).
    pub resolve_interrupted: Option<Resolution>,
    /// As [`UpgradeOptions::lock_retries`].
    pub lock_retries: Option<u32>,
}

/// How many times the runner tries a statement whose lock was not granted in time again, unless
/// told otherwise: PostgreSQL's `lock_timeout` (SQLSTATE 55P03) and MySQL/MariaDB's
/// `lock_wait_timeout` (error 1205), pausing 1, 2, 4, 8 and 16 seconds.
pub const DEFAULT_LOCK_RETRIES: u32 = 5;

/// [`upgrade`] with options.
pub async fn upgrade_with(
    conn: &mut Connection,
    set: &RevisionSet,
    target: &str,
    options: &UpgradeOptions,
) -> Result<Vec<String>, RunError> {
    upgrade_observed(conn, set, target, options, &Quiet).await
}

/// [`upgrade_with`], reporting to `observer` as it goes (lock waits, each revision's start and
/// end) and stopping cleanly when it asks.
pub async fn upgrade_observed(
    conn: &mut Connection,
    set: &RevisionSet,
    target: &str,
    options: &UpgradeOptions,
    observer: &dyn RunObserver,
) -> Result<Vec<String>, RunError> {
    // Resolve before touching the database so a typo or an unmerged branch changes nothing
    // (`+N` depends on the database and is resolved under the lock).
    match target.trim().strip_prefix('+') {
        None => {
            set.upgrade_targets(&BTreeSet::new(), target)?;
        }
        Some(n) if !n.parse::<i64>().is_ok_and(|n| n > 0) => {
            return Err(RevisionError::RelativeTarget {
                target: target.trim().to_string(),
                reason: "a relative step is `+` followed by a positive number, like `+1`".into(),
            }
            .into())
        }
        Some(_) => {}
    }
    let mut allowed = BTreeSet::new();
    for id in &options.allow_edited {
        match set.resolve(id)? {
            Some(rev) => allowed.insert(rev.id.clone()),
            None => {
                return Err(RevisionError::UnknownTarget {
                    target: format!("{id} (--allow-edited needs a revision)"),
                }
                .into())
            }
        };
    }
    let guard = dialect::lock(conn, observer).await?;
    let result = upgrade_locked(conn, set, target, &allowed, options, observer).await;
    unlock(conn, guard, result).await
}

/// Applied revisions whose file no longer has the checksum recorded when they ran, in the
/// order they were applied. Revisions missing from the set are not reported here (the runner
/// refuses them separately).
pub fn edited_revisions(set: &RevisionSet, applied: &[AppliedRevision]) -> Vec<EditedRevision> {
    applied
        .iter()
        .filter_map(|a| {
            let rev = set.get(&a.revision)?;
            (!rev.has_checksum(&a.checksum)).then(|| EditedRevision {
                id: rev.id.clone(),
                path: rev.path.clone(),
                applied_checksum: a.checksum.clone(),
                file_checksum: rev.checksum.clone(),
            })
        })
        .collect()
}

/// Reverts applied revisions down to `target`: `-N` (N steps back from the single current
/// revision), `base` (everything), or an applied revision's id or unique prefix (every applied
/// revision built on it is reverted; the target itself stays). Children are reverted before
/// their parents. Returns the ids reverted, in order. Checksums are not checked: fixing a broken
/// downgrade section is a legitimate reason to edit an applied file.
pub async fn downgrade(
    conn: &mut Connection,
    set: &RevisionSet,
    target: &str,
) -> Result<Vec<String>, RunError> {
    downgrade_observed(conn, set, target, &DowngradeOptions::default(), &Quiet).await
}

/// [`downgrade`] with options, reporting to `observer` as it goes and stopping cleanly when it
/// asks.
pub async fn downgrade_observed(
    conn: &mut Connection,
    set: &RevisionSet,
    target: &str,
    options: &DowngradeOptions,
    observer: &dyn RunObserver,
) -> Result<Vec<String>, RunError> {
    let target = parse_downgrade_target(set, target)?;
    let guard = dialect::lock(conn, observer).await?;
    let result = downgrade_locked(conn, set, target, options, observer).await;
    unlock(conn, guard, result).await
}

/// Records the database as being exactly at `target` (`head`, `heads`, `base`, an id or unique
/// prefix, `REV±N`) without running any revision SQL: the target(s) and their ancestors become
/// the applied set (with the files' current checksums), every other row is removed. For a
/// database brought up to date by other means, and for accepting an intended edit of an applied
/// file. Returns the recorded ids, root first.
pub async fn stamp(
    conn: &mut Connection,
    set: &RevisionSet,
    target: &str,
) -> Result<Vec<String>, RunError> {
    let mut keep = BTreeSet::new();
    for rev in set.stamp_targets(target)? {
        keep.extend(set.ancestors_and_self(&rev.id));
    }
    let guard = dialect::lock(conn, &Quiet).await?;
    let result = stamp_locked(conn, set, &keep).await;
    unlock(conn, guard, result).await
}

/// Empties the version table (and MySQL's progress table) without running any revision SQL and
/// without looking at the revisions folder, which may be the thing that is broken. Returns the
/// ids that were recorded.
pub async fn purge(conn: &mut Connection) -> Result<Vec<String>, RunError> {
    let guard = dialect::lock(conn, &Quiet).await?;
    let result = purge_locked(conn).await;
    unlock(conn, guard, result).await
}

async fn purge_locked(conn: &mut Connection) -> Result<Vec<String>, RunError> {
    dialect::ensure_tables(conn).await?;
    let applied = dialect::read_applied(conn).await?;
    let ids: Vec<String> = applied.into_iter().map(|a| a.revision).collect();
    let plan = dialect::StampPlan {
        delete: ids.clone(),
        update: Vec::new(),
        insert: Vec::new(),
        applied_at: crate::now_timestamp(),
        clear_progress: true,
    };
    dialect::stamp(conn, &plan).await?;
    Ok(ids)
}

async fn stamp_locked(
    conn: &mut Connection,
    set: &RevisionSet,
    keep: &BTreeSet<String>,
) -> Result<Vec<String>, RunError> {
    dialect::ensure_tables(conn).await?;
    let applied = dialect::read_applied(conn).await?;
    let mut plan = dialect::StampPlan {
        delete: applied
            .iter()
            .filter(|a| !keep.contains(&a.revision))
            .map(|a| a.revision.clone())
            .collect(),
        update: Vec::new(),
        insert: Vec::new(),
        applied_at: crate::now_timestamp(),
        clear_progress: true,
    };
    let mut recorded = Vec::new();
    for rev in set.history().iter().filter(|r| keep.contains(&r.id)) {
        recorded.push(rev.id.clone());
        match applied.iter().find(|a| a.revision == rev.id) {
            Some(a) if rev.has_checksum(&a.checksum) => {}
            Some(_) => plan.update.push((rev.id.clone(), rev.checksum.clone())),
            None => plan.insert.push((rev.id.clone(), rev.checksum.clone())),
        }
    }
    dialect::stamp(conn, &plan).await?;
    Ok(recorded)
}

/// What `downgrade` was asked for, resolved against the set (not yet against the database).
#[derive(Debug, Clone, Copy)]
enum DowngradeTarget<'s> {
    Steps(usize),
    To(Option<&'s Revision>),
}

fn parse_downgrade_target<'s>(
    set: &'s RevisionSet,
    target: &str,
) -> Result<DowngradeTarget<'s>, RunError> {
    let t = target.trim();
    if let Some(n) = t.strip_prefix('-') {
        return match n.parse::<usize>() {
            Ok(steps) if steps > 0 => Ok(DowngradeTarget::Steps(steps)),
            _ => Err(RunError::RelativeStep {
                steps: t.to_string(),
                reason: "a relative target is `-` followed by a positive number, like `-1`"
                    .to_string(),
            }),
        };
    }
    Ok(DowngradeTarget::To(set.resolve(t)?))
}

/// Releases the migration lock after a run, whatever its outcome (the run's error wins over an
/// unlock error).
async fn unlock(
    conn: &mut Connection,
    guard: LockGuard,
    result: Result<Vec<String>, RunError>,
) -> Result<Vec<String>, RunError> {
    let unlocked = dialect::unlock(conn, guard).await;
    match (result, unlocked) {
        (Err(e), _) => Err(e),
        (Ok(_), Err(e)) => Err(e),
        (Ok(ids), Ok(())) => Ok(ids),
    }
}

async fn upgrade_locked(
    conn: &mut Connection,
    set: &RevisionSet,
    target: &str,
    allowed: &BTreeSet<String>,
    options: &UpgradeOptions,
    observer: &dyn RunObserver,
) -> Result<Vec<String>, RunError> {
    dialect::ensure_tables(conn).await?;
    let applied = dialect::read_applied(conn).await?;
    check_known(set, &applied)?;
    let (accepted, refused): (Vec<EditedRevision>, Vec<EditedRevision>) =
        edited_revisions(set, &applied)
            .into_iter()
            .partition(|e| allowed.contains(&e.id));
    if !refused.is_empty() {
        return Err(RunError::ChecksumMismatch { edited: refused });
    }
    if !accepted.is_empty() {
        // Record the accepted files' checksums first, so the acceptance holds for later runs
        // even when there is nothing to apply.
        dialect::stamp(
            conn,
            &dialect::StampPlan {
                delete: Vec::new(),
                update: accepted
                    .into_iter()
                    .map(|e| (e.id, e.file_checksum))
                    .collect(),
                insert: Vec::new(),
                applied_at: crate::now_timestamp(),
                clear_progress: false,
            },
        )
        .await?;
    }
    let applied_ids: BTreeSet<String> = applied.into_iter().map(|a| a.revision).collect();
    let plan = set.path_to(&applied_ids, target)?;
    dialect::check_partial(conn, plan.first().copied(), Direction::Upgrade).await?;
    dialect::check_plan(conn, set, &plan, Direction::Upgrade)?;
    run_plan(
        conn,
        &plan,
        Direction::Upgrade,
        options.resolve_interrupted,
        options.lock_retries.unwrap_or(DEFAULT_LOCK_RETRIES),
        observer,
    )
    .await
    .map_err(|e| dialect::explain(set, e))
}

async fn downgrade_locked(
    conn: &mut Connection,
    set: &RevisionSet,
    target: DowngradeTarget<'_>,
    options: &DowngradeOptions,
    observer: &dyn RunObserver,
) -> Result<Vec<String>, RunError> {
    let applied = dialect::read_applied(conn).await?;
    check_known(set, &applied)?;
    let applied_ids: BTreeSet<String> = applied.into_iter().map(|a| a.revision).collect();
    let plan: Vec<&Revision> = match target {
        DowngradeTarget::Steps(steps) => step_back(set, &applied_ids, steps)?,
        DowngradeTarget::To(None) => set.downgrade_path(&applied_ids, None),
        DowngradeTarget::To(Some(rev)) => {
            if !applied_ids.contains(&rev.id) {
                return Err(RunError::NotApplied {
                    target: rev.id.clone(),
                    applied_heads: set.applied_heads(&applied_ids),
                });
            }
            set.downgrade_path(&applied_ids, Some(rev))
        }
    };
    if !plan.is_empty() {
        // A database whose version table predates the MySQL progress table gets it now.
        dialect::ensure_tables(conn).await?;
    }
    dialect::check_partial(conn, plan.first().copied(), Direction::Downgrade).await?;
    dialect::check_plan(conn, set, &plan, Direction::Downgrade)?;
    run_plan(
        conn,
        &plan,
        Direction::Downgrade,
        options.resolve_interrupted,
        options.lock_retries.unwrap_or(DEFAULT_LOCK_RETRIES),
        observer,
    )
    .await
    .map_err(|e| dialect::explain(set, e))
}

/// The revisions `-steps` reverts: the single applied head, then the single head after that,
/// and so on. Computed completely before anything runs, so an impossible request changes
/// nothing.
fn step_back<'s>(
    set: &'s RevisionSet,
    applied: &BTreeSet<String>,
    steps: usize,
) -> Result<Vec<&'s Revision>, RunError> {
    let mut remaining = applied.clone();
    let mut plan = Vec::new();
    for done in 0..steps {
        let heads = set.applied_heads(&remaining);
        let reason = match heads.as_slice() {
            [] if done == 0 => Some("the database is at base".to_string()),
            [] => Some(format!("only {done} revision(s) are applied")),
            [one] => match set.get(one) {
                Some(rev) => {
                    remaining.remove(one);
                    plan.push(rev);
                    None
                }
                None => Some(format!("revision {one} is not in the revisions folder")),
            },
            several => Some(format!(
                "the database is at several revisions ({}); name the revision to downgrade to",
                several.join(", ")
            )),
        };
        if let Some(reason) = reason {
            return Err(RunError::RelativeStep {
                steps: format!("-{steps}"),
                reason,
            });
        }
    }
    Ok(plan)
}

async fn run_plan(
    conn: &mut Connection,
    plan: &[&Revision],
    direction: Direction,
    resolve_interrupted: Option<Resolution>,
    lock_retries: u32,
    observer: &dyn RunObserver,
) -> Result<Vec<String>, RunError> {
    let dialect = conn.dialect();
    // A revision written for another dialect (its `-- autogen:dialect` line) is refused before
    // anything of the plan runs.
    crate::file::check_dialects(plan, dialect)?;
    // Split and check every revision before running the first, so a bad file later in the plan
    // stops the run before it changes anything.
    let mut steps = Vec::with_capacity(plan.len());
    for rev in plan {
        let sql = match direction {
            Direction::Upgrade => &rev.upgrade_sql,
            Direction::Downgrade => &rev.downgrade_sql,
        };
        let (statements, alone): (Vec<String>, Vec<bool>) = split_marked(sql, dialect)
            .into_iter()
            .map(|s| (s.sql, s.no_transaction || rev.no_transaction))
            .unzip();
        if let Some(statement) = statements.iter().find(|s| is_transaction_control(s)) {
            return Err(RunError::TransactionControl {
                revision: rev.id.clone(),
                path: rev.path.clone(),
                statement: statement.clone(),
            });
        }
        steps.push(dialect::Step {
            revision: rev,
            direction,
            statements,
            alone,
            applied_at: String::new(),
            observer,
            lock_retries,
            // Only the first revision of a run can be the one a killed run left part way.
            resolve_interrupted: if steps.is_empty() {
                resolve_interrupted
            } else {
                None
            },
        });
    }
    if steps.is_empty() && resolve_interrupted.is_some() {
        return Err(RunError::NothingToResolve {
            revision: "(none: nothing to run)".into(),
        });
    }
    let total = steps.len();
    let mut done = Vec::new();
    for (position, mut step) in steps.into_iter().enumerate() {
        let rev = step.revision;
        if observer.stop_requested() {
            return Err(RunError::Interrupted {
                completed: done,
                detail: format!("stopped before revision {}", rev.id),
            });
        }
        observer.event(RunEvent::Started {
            revision: rev,
            direction,
            position: position + 1,
            total,
        });
        let started = Instant::now();
        step.applied_at = crate::now_timestamp();
        match dialect::apply(conn, &step).await {
            Ok(dialect::Outcome::Done) => {
                observer.event(RunEvent::Finished {
                    revision: rev,
                    direction,
                    elapsed: started.elapsed(),
                });
                done.push(rev.id.clone());
            }
            Ok(dialect::Outcome::Skipped) => {}
            Err(RunError::Interrupted { detail, .. }) => {
                return Err(RunError::Interrupted {
                    completed: done,
                    detail,
                })
            }
            Err(e) => return Err(e),
        }
    }
    Ok(done)
}

/// Whether a statement starts or ends a transaction (`BEGIN`, `COMMIT`, `START TRANSACTION`,
/// ...). The runner owns each revision's transaction, so such a statement would silently break
/// the all-or-nothing guarantee. `BEGIN` inside a trigger body is part of a larger statement and
/// never starts one, and MariaDB's `BEGIN NOT ATOMIC ... END` is a compound statement, run like
/// any other.
fn is_transaction_control(statement: &str) -> bool {
    let mut words = statement
        .split(|c: char| !c.is_ascii_alphanumeric() && c != '_')
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_uppercase);
    match words.next().as_deref() {
        Some("BEGIN") => {
            !(words.next().as_deref() == Some("NOT") && words.next().as_deref() == Some("ATOMIC"))
        }
        Some("COMMIT" | "ROLLBACK" | "END" | "ABORT") => true,
        Some("START") => words.next().as_deref() == Some("TRANSACTION"),
        _ => false,
    }
}

fn check_known(set: &RevisionSet, applied: &[AppliedRevision]) -> Result<(), RunError> {
    let unknown: Vec<String> = applied
        .iter()
        .filter(|a| set.get(&a.revision).is_none())
        .map(|a| a.revision.clone())
        .collect();
    if unknown.is_empty() {
        Ok(())
    } else {
        Err(RunError::UnknownApplied { ids: unknown })
    }
}

#[cfg(test)]
mod tests {
    use super::is_transaction_control;

    #[test]
    fn transaction_control_statements() {
        for (sql, expected) in [
            ("BEGIN", true),
            ("begin transaction", true),
            ("COMMIT", true),
            ("ROLLBACK", true),
            ("END", true),
            ("abort", true),
            ("START TRANSACTION", true),
            ("start  transaction read write", true),
            ("START SLAVE", false),
            (
                "CREATE TRIGGER t AFTER INSERT ON a BEGIN SELECT 1; END",
                false,
            ),
            ("BEGINNING", false),
            ("BEGIN NOT ATOMIC SELECT 1; END", false),
            ("begin not\n atomic declare x int; set x = 1; end", false),
            ("BEGIN NOT", true),
            ("SELECT 'BEGIN'", false),
            ("CREATE TABLE \"begin\" (x int)", false),
        ] {
            assert_eq!(is_transaction_control(sql), expected, "{sql}");
        }
    }
}
