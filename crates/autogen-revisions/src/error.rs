//! The crate's two error types: [`RevisionError`] for files and the revision graph (no database
//! involved) and [`RunError`] for the runner. Every message names the file, revision id or
//! statement involved and says what to do next; nothing here formats for a terminal.

use std::fmt::Write as _;
use std::path::PathBuf;

use autogen_schema::Dialect;

use crate::file::HEADER_HELP;

/// A revision file or the revisions folder is not usable.
#[derive(Debug, thiserror::Error)]
pub enum RevisionError {
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("revisions folder {} does not exist; create it (for example with `autogen init`) or fix the configured path", path.display())]
    MissingFolder { path: PathBuf },

    #[error("{}: the file is not valid UTF-8; revision files are plain UTF-8 SQL", path.display())]
    NotUtf8 { path: PathBuf },

    /// A malformed revision file; `line` is 1-based.
    #[error("{}:{line}: {message}\n{HEADER_HELP}", path.display())]
    Parse {
        path: PathBuf,
        line: usize,
        message: String,
    },

    #[error("revision id {id} is used by two files: {} and {}; give one of them a new id (its `-- autogen:revision` line, and the `-- autogen:parent` lines that point at it)", first.display(), second.display())]
    DuplicateId {
        id: String,
        first: PathBuf,
        second: PathBuf,
    },

    #[error("{}: parent {parent} of revision {id} does not exist in the revisions folder; restore the missing file or point the `-- autogen:parent` line at an existing revision", path.display())]
    MissingParent {
        id: String,
        parent: String,
        path: PathBuf,
    },

    #[error("the revisions form a cycle: {}; a revision's parents must be older revisions, fix the `-- autogen:parent` lines of these files", format_cycle(.cycle))]
    Cycle { cycle: Vec<(String, PathBuf)> },

    #[error("no revision matches `{target}`; use `head`, `heads`, `base`, a revision id (or a unique prefix of one) from `autogen history`, or `REV+N`/`REV-N`")]
    UnknownTarget { target: String },

    #[error("`{target}` matches several revisions: {}; use more characters of the id", candidates.join(", "))]
    AmbiguousTarget {
        target: String,
        candidates: Vec<String>,
    },

    #[error("cannot resolve `{target}`: {reason}")]
    RelativeTarget { target: String, reason: String },

    #[error("several heads: {}; run `autogen merge` to join them, or name one revision as the target", heads.join(", "))]
    SeveralHeads { heads: Vec<String> },

    #[error("refusing to write {name:?}: a revision file name must be a plain `*.sql` name inside the revisions folder")]
    BadFileName { name: String },

    #[error("{} already exists; refusing to overwrite it", path.display())]
    AlreadyExists { path: PathBuf },

    #[error("{}", join_errors(.0))]
    Several(Vec<RevisionError>),

    /// The revision's file names another dialect than the database (or offline script) it was
    /// about to run on; refused before anything of the run.
    #[error("{}: revision {id} is written for {} (its `-- autogen:dialect {}` line) and cannot run on {}; nothing was run. A revisions folder holds the SQL of one dialect: run these revisions against a {} database, or give the {} database a revisions folder of its own (`revisions` in autogen.toml)", path.display(), dialect_title(*.written_for), written_for.name(), dialect_title(*.database), dialect_title(*.written_for), dialect_title(*.database))]
    WrongDialect {
        id: String,
        path: PathBuf,
        written_for: Dialect,
        database: Dialect,
    },

    /// A new revision could not be written so that it reads back as given; nothing was written.
    #[error("cannot write revision {id}: {message}")]
    Render { id: String, message: String },
}

/// How messages name a dialect.
fn dialect_title(dialect: Dialect) -> &'static str {
    match dialect {
        Dialect::Sqlite => "SQLite",
        Dialect::Postgres => "PostgreSQL",
        Dialect::Mysql => "MySQL/MariaDB",
    }
}

fn format_cycle(cycle: &[(String, PathBuf)]) -> String {
    cycle
        .iter()
        .map(|(id, path)| format!("{id} ({})", path.display()))
        .collect::<Vec<_>>()
        .join(" -> ")
}

fn join_errors(errors: &[RevisionError]) -> String {
    errors
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// An applied revision whose file changed after it ran.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EditedRevision {
    pub id: String,
    pub path: PathBuf,
    /// SHA-256 recorded in `autogen_version` when the revision was applied.
    pub applied_checksum: String,
    /// SHA-256 of the file as it is now.
    pub file_checksum: String,
}

impl std::fmt::Display for EditedRevision {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} ({}): applied with checksum {}, the file now has {}",
            self.id,
            self.path.display(),
            self.applied_checksum,
            self.file_checksum
        )
    }
}

/// Which way a revision was being applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Upgrade,
    Downgrade,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Upgrade => "upgrade",
            Direction::Downgrade => "downgrade",
        }
    }
}

impl std::fmt::Display for Direction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Applying or reverting revisions failed.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error(transparent)]
    Revisions(#[from] RevisionError),

    /// A query of the runner's own (version table, lock, transaction control) failed.
    #[error("{context}: {source}")]
    Database {
        context: String,
        #[source]
        source: Box<sqlx::Error>,
    },

    /// A statement of a revision failed and the revision's transaction was rolled back: nothing
    /// of the revision stayed (PostgreSQL, SQLite; MySQL/MariaDB when it was the first
    /// statement).
    #[error("{failure}; the revision was rolled back and nothing of it was applied\n{details}", failure = .0, details = .0.details())]
    Statement(Box<StatementFailure>),

    /// A statement failed after earlier statements committed (MySQL/MariaDB, where DDL commits as
    /// it runs; a revision with `-- autogen:no-transaction` steps anywhere): the statements before
    /// it stayed applied. The message lists them (`executed`) and says how to recover.
    #[error("{failure}\n{}\n{}", failure.details(), partial_report(failure.direction, &failure.revision, executed, executed.len() + 1))]
    Partial {
        failure: Box<StatementFailure>,
        /// Statements of the revision that ran and stayed applied, in order.
        executed: Vec<String>,
    },

    /// SQLite found rows violating foreign keys after the revision's statements; it was rolled
    /// back.
    #[error("{direction} of revision {revision} ({}) leaves rows that violate foreign keys, so it was rolled back and nothing of it was applied:\n{}\nfix the data (or the revision) and run it again", path.display(), violations.iter().map(|v| format!("  {v}")).collect::<Vec<_>>().join("\n"))]
    ForeignKeyViolations {
        revision: String,
        path: PathBuf,
        direction: Direction,
        violations: Vec<String>,
    },

    #[error("the database has revisions applied that are not in the revisions folder: {}; restore their files (did you switch branches?) before running upgrade or downgrade", ids.join(", "))]
    UnknownApplied { ids: Vec<String> },

    #[error("applied revisions were edited after they ran (the file's checksum differs from the one recorded in autogen_version):\n{}\nrestore the original files; if the edit is intended and the database already matches the files, accept it with `autogen upgrade --allow-edited ID` (records the file's checksum) or `autogen stamp <current revision>`", edited.iter().map(|e| format!("  {e}")).collect::<Vec<_>>().join("\n"))]
    ChecksumMismatch { edited: Vec<EditedRevision> },

    #[error("cannot downgrade to {target}: it is not applied to this database (applied heads: {})", if applied_heads.is_empty() { "none, the database is at base".to_string() } else { applied_heads.join(", ") })]
    NotApplied {
        target: String,
        applied_heads: Vec<String>,
    },

    #[error("revision {revision} ({}) controls transactions itself (`{statement}`); autogen runs every revision in its own transaction, so remove that statement", path.display())]
    TransactionControl {
        revision: String,
        path: PathBuf,
        statement: String,
    },

    #[error("cannot downgrade {steps}: {reason}")]
    RelativeStep { steps: String, reason: String },

    #[error("could not take the migration lock: {message}")]
    Lock { message: String },

    /// A revision is recorded as partially applied and the run cannot go on.
    #[error("{message}")]
    PartiallyApplied { revision: String, message: String },

    /// A statement that commits by itself was started and its outcome was never
    /// recorded (the run was killed, or lost its connection, while it ran). Nothing more runs
    /// until the user says whether it took effect.
    #[error("{0}")]
    OutcomeUnknown(Box<UnknownOutcome>),

    /// SQLite: a table rebuild found the live table's columns different from those the revision
    /// was written for; the revision was rolled back.
    #[error("{0}")]
    RebuildMismatch(Box<RebuildMismatch>),

    /// SQLite: two revisions of different branches change one table and the later one rebuilds
    /// it knowing only its own branch's columns. Found before anything runs.
    #[error("{0}")]
    BranchRebuildConflict(Box<BranchRebuildConflict>),

    /// `--resolve-interrupted` was given but no statement is in an unknown state.
    #[error("--resolve-interrupted was given, but no statement of revision {revision} (nor of any other) was left in an unknown state; nothing was run. Run the command again without it")]
    NothingToResolve { revision: String },

    /// The caller asked the run to stop (SIGINT/SIGTERM) and it stopped at a clean point.
    #[error("{}{detail}", completed_prefix(.completed))]
    Interrupted {
        /// Revisions completed (and committed) by this run before it stopped.
        completed: Vec<String>,
        detail: String,
    },
}

fn completed_prefix(completed: &[String]) -> String {
    if completed.is_empty() {
        "stopped on request: ".to_string()
    } else {
        format!(
            "stopped on request after {} revision(s) were applied and committed ({}): ",
            completed.len(),
            completed.join(", ")
        )
    }
}

/// A statement whose outcome nobody knows (MySQL/MariaDB), for [`RunError::OutcomeUnknown`].
#[derive(Debug)]
pub struct UnknownOutcome {
    pub revision: String,
    pub path: PathBuf,
    pub direction: Direction,
    /// 1-based.
    pub index: usize,
    pub total: usize,
    pub statement: String,
    /// The statements before it, which ran and stayed applied.
    pub executed: Vec<String>,
    /// The connection error that made the outcome unknown in this run; `None` when an earlier
    /// run left it so.
    pub source: Option<sqlx::Error>,
}

impl std::fmt::Display for UnknownOutcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let why = match &self.source {
            Some(e) => format!("the connection failed while it ran ({e})"),
            None => "an earlier run was stopped (killed, or its connection was lost) while it ran"
                .to_string(),
        };
        writeln!(
            f,
            "{} of revision {} ({}): statement {} of {} was started, but {why}, so autogen does not know whether it took effect and will not guess:",
            self.direction,
            self.revision,
            self.path.display(),
            self.index,
            self.total
        )?;
        writeln!(f, "{}", indent(&self.statement))?;
        if self.executed.is_empty() {
            writeln!(f, "no statement of the revision ran before it.")?;
        } else {
            writeln!(
                f,
                "statements 1..{} of the revision ran and stayed applied.",
                self.executed.len()
            )?;
        }
        write!(
            f,
            "Such a statement commits by itself (MySQL/MariaDB DDL, a `-- autogen:no-transaction` step), so the database may have completed it after the client was gone. \
             Check whether its effect is in the database (SHOW CREATE TABLE for a table it changes, or the rows it writes), then run \
             `autogen {dir} --resolve-interrupted ran` if it took effect (autogen records it as done and goes on with statement {next}), or \
             `autogen {dir} --resolve-interrupted not-run` if it did not (autogen runs it again).",
            dir = self.direction,
            next = self.index + 1
        )
    }
}

/// Two branches' revisions that change one table, one of them by a SQLite rebuild, for
/// [`RunError::BranchRebuildConflict`].
#[derive(Debug)]
pub struct BranchRebuildConflict {
    pub table: String,
    /// The revision whose rebuild would lose data: (id, path).
    pub rebuilt_by: (String, PathBuf),
    /// The revision of the other branch that changes the table first: (id, path).
    pub changed_by: (String, PathBuf),
}

impl std::fmt::Display for BranchRebuildConflict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (table, (rebuilt, rebuilt_path), (changed, changed_path)) =
            (&self.table, &self.rebuilt_by, &self.changed_by);
        write!(
            f,
            "revisions {changed} ({}) and {rebuilt} ({}) were written on different branches and both change table {table}; \
             {rebuilt} rebuilds {table} (SQLite) copying only the columns it knew, so running it after {changed} would drop what that revision changed. \
             Nothing was run. Fix: write one change again on top of the other (remove {rebuilt}'s file, `autogen upgrade`, then `autogen -m ...`), \
             or edit its rebuild of {table} to include the other branch's columns",
            changed_path.display(),
            rebuilt_path.display()
        )
    }
}

/// A SQLite rebuild that met columns it was not written for, for [`RunError::RebuildMismatch`].
#[derive(Debug)]
pub struct RebuildMismatch {
    pub revision: String,
    pub path: PathBuf,
    pub direction: Direction,
    pub table: String,
    /// Live columns the revision does not know.
    pub unexpected: Vec<String>,
    /// Columns the revision expects that the live table lacks.
    pub missing: Vec<String>,
    /// Other revisions of the folder that change the table and name those columns: (id, path).
    pub changed_by: Vec<(String, PathBuf)>,
}

impl std::fmt::Display for RebuildMismatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let table = &self.table;
        write!(
            f,
            "{} of revision {} ({}) rebuilds table {table}, but the table's columns are not the ones the revision was written for",
            self.direction,
            self.revision,
            self.path.display()
        )?;
        if !self.unexpected.is_empty() {
            write!(
                f,
                ": it has column(s) {} that the revision does not know",
                self.unexpected.join(", ")
            )?;
        }
        if !self.missing.is_empty() {
            write!(
                f,
                "{}it lacks column(s) {} that the revision expects",
                if self.unexpected.is_empty() {
                    ": "
                } else {
                    ", and "
                },
                self.missing.join(", ")
            )?;
        }
        if !self.changed_by.is_empty() {
            let by: Vec<String> = self
                .changed_by
                .iter()
                .map(|(id, p)| format!("{id} ({})", p.display()))
                .collect();
            write!(f, " (changed by revision {})", by.join(", "))?;
        }
        write!(
            f,
            "; the rebuild copies only the columns it knows, so running it would lose data. The revision was rolled back and nothing of it was applied. \
             Fix: write the change again on top of the current table (undo or move this revision, then `autogen -m ...`), or add the columns to this revision's rebuild of {table} \
             (its CREATE TABLE \"_autogen_new_{table}\", INSERT ... SELECT and `-- autogen:rebuild` line)"
        )
    }
}

/// Which statement of which revision failed, and the database's error.
#[derive(Debug)]
pub struct StatementFailure {
    pub revision: String,
    pub path: PathBuf,
    pub direction: Direction,
    /// 1-based.
    pub index: usize,
    pub total: usize,
    pub statement: String,
    pub source: sqlx::Error,
    /// `Some(retries)` when the statement failed because its lock was not granted in time
    /// (PostgreSQL `lock_timeout`, MySQL/MariaDB `lock_wait_timeout`) on its first try and on
    /// each of `retries` more (`lock_retries`).
    pub lock_wait: Option<u32>,
}

impl StatementFailure {
    /// The failed statement and the database's error, for the lines after the headline.
    fn details(&self) -> String {
        let mut out = format!(
            "statement:\n{}\ndatabase error: {}",
            indent(&self.statement),
            self.source
        );
        if let Some(retries) = self.lock_wait {
            let _ = write!(
                out,
                "\nthe statement did not get its table's lock within the lock timeout on any of its {} tries (lock_retries = {retries}): another session holds the table, usually a long or idle transaction. \
                 Find it (PostgreSQL: pg_stat_activity and pg_locks; MySQL/MariaDB: SHOW PROCESSLIST, information_schema.METADATA_LOCK_INFO), end it or wait until it ends, and run the same command again; \
                 or raise lock_timeout / lock_retries in autogen.toml",
                retries + 1
            );
        }
        out
    }
}

impl std::fmt::Display for StatementFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} of revision {} ({}) failed at statement {} of {}",
            self.direction,
            self.revision,
            self.path.display(),
            self.index,
            self.total
        )
    }
}

fn indent(text: &str) -> String {
    text.lines()
        .map(|l| format!("    {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The recovery text for a statement that failed on MySQL/MariaDB after `index - 1` others of
/// the same revision were committed.
pub(crate) fn partial_report(
    direction: Direction,
    revision: &str,
    executed: &[String],
    index: usize,
) -> String {
    let mut out = String::new();
    if executed.is_empty() {
        let _ = writeln!(
            out,
            "no statement of revision {revision} ran before the failure, so the database is unchanged."
        );
    } else {
        let _ = writeln!(
            out,
            "these {} statement(s) of revision {revision} ran and STAYED APPLIED (MySQL/MariaDB commits DDL as it runs, and a `-- autogen:no-transaction` step commits what comes before it):",
            executed.len()
        );
        for (i, s) in executed.iter().enumerate() {
            let _ = writeln!(out, "  [{}] {}", i + 1, one_line(s));
        }
    }
    let done = index - 1;
    let ran = if done == 1 {
        "statement 1".to_string()
    } else {
        format!("statements 1..{done}")
    };
    let _ = write!(
        out,
        "autogen recorded this in the autogen_progress table (revision {revision}, {direction}, {done} statement(s) done) and did NOT mark the revision as {} in autogen_version.\n\
         to recover, either:\n\
         \x20 - fix the cause (the database state, or statement {index} and later in the file; keep {ran} unchanged) and run `autogen {direction}` again: it resumes at statement {index}; or\n\
         \x20 - undo {ran} by hand, then run DELETE FROM autogen_progress WHERE revision = '{revision}'; and `autogen {direction}` starts the revision over.",
        match direction {
            Direction::Upgrade => "applied",
            Direction::Downgrade => "reverted",
        }
    );
    out
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}
