//! The crate's two error types: [`RevisionError`] for files and the revision graph (no database
//! involved) and [`RunError`] for the runner. Every message names the file, revision id or
//! statement involved and says what to do next; nothing here formats for a terminal.

use std::fmt::Write as _;
use std::path::PathBuf;

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

    /// A statement failed on MySQL/MariaDB, where DDL commits as it runs: the statements before
    /// it stayed applied. The message lists them (`executed`) and says how to recover.
    #[error("{failure}\n{}\n{}", failure.details(), partial_report(failure.direction, &failure.revision, executed, failure.index))]
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

    /// MySQL/MariaDB: a revision is recorded as partially applied and the run cannot go on.
    #[error("{message}")]
    PartiallyApplied { revision: String, message: String },
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
}

impl StatementFailure {
    /// The failed statement and the database's error, for the lines after the headline.
    fn details(&self) -> String {
        format!(
            "statement:\n{}\ndatabase error: {}",
            indent(&self.statement),
            self.source
        )
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
            "MySQL/MariaDB commits DDL as it runs, so these {} statement(s) of revision {revision} ran and STAYED APPLIED:",
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
