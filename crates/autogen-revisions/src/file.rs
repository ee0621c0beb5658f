//! The revision file format: rendering a header plus upgrade and downgrade statements to text,
//! and parsing such text back. The format (version 2), exactly:
//!
//! ```sql
//! -- autogen:revision 3f9a2c1b7d04
//! -- autogen:parent 9b1e77aa0c12
//! -- autogen:message add column
//! -- autogen:created 2026-11-21T15:30:12Z
//! -- autogen:dialect postgres
//! -- autogen:format 2
//!
//! -- autogen:upgrade
//! -- destructive: drops column users.bio and its data
//! ALTER TABLE "users" DROP COLUMN "bio";
//!
//! -- autogen:downgrade
//! ALTER TABLE "users" ADD COLUMN "bio" text;
//!
//! -- autogen:end
//! ```
//!
//! The header comes first: `revision` (12 lowercase hex digits, required), `parent` (one line per
//! parent, none for a root), `message` (one line) and `created` (optional), `dialect` (`sqlite`,
//! `postgres` or `mysql`: the SQL is written for that dialect and the runner refuses to run it on
//! another) and `format`, in any order, each once. Blank lines and ordinary `--` comments may
//! appear in the header. Then the line `-- autogen:upgrade` starts the upgrade section,
//! `-- autogen:downgrade` the downgrade section, and `-- autogen:end` closes the file (only blank
//! lines and `--` comments may follow it). Each section holds `;`-terminated SQL, every statement optionally
//! preceded by a one-line `-- comment`; an empty section holds the line `-- (no steps)`. The body
//! (everything from `-- autogen:upgrade` on) depends only on the statements, so the same
//! statements always give the same bytes.
//!
//! Inside the sections an `-- autogen:` line counts only at a statement boundary: outside every
//! string literal, quoted identifier, dollar quote and comment, and not inside a statement that
//! has not reached its `;` (the scan is `split.rs`'s, with the file's dialect; SQLite's rules for
//! a file without a dialect). A string holding a line `-- autogen:downgrade` is data. The one
//! in-section directives are `-- autogen:rebuild <rest of line>`, a SQLite table-rebuild
//! expectation read by the runner, and `-- autogen:no-transaction`, which makes the statement
//! right after it run alone, outside the revision's transaction (`CREATE INDEX CONCURRENTLY`,
//! `VACUUM`); both stay in the section's text. `-- autogen:no-transaction` in the header makes
//! every statement of both sections run that way. A section's no-transaction line that marks no
//! statement (another directive or the section's end follows it) is an error, so a misplaced
//! line never silently runs a statement inside the transaction.
//!
//! Files without a `format` line are format 1, what autogen wrote before: they parse exactly as
//! they always did (every `-- autogen:` line counts wherever it is, the `end` line is optional,
//! a missing `dialect` line means "any dialect"). From format 2 on the `end` line is required, so
//! a file cut off anywhere (a truncated copy, an interrupted write) is refused instead of
//! running a partial downgrade.
//!
//! The writer ([`render_revision`]) checks its own output: it reads the text back with
//! [`parse_revision`] and refuses (rather than writes) anything that would read differently, such
//! as a statement that leaves a string open, or a CRLF inside a statement (the parser reads every
//! CRLF as LF, so that a checkout with `core.autocrlf` is the same file).
//!
//! A reviewer acknowledges the destructive steps of a revision (the statements autogenerate marks
//! with a `-- destructive: ...` comment) by adding one header line,
//! `-- autogen:allow-destructive <reason>`. That line is review metadata, not SQL that runs: it
//! is left out of the checksum, so acknowledging an already applied revision is not an edit.
//! The checksum is taken with CRLF line endings read as LF, for the same reason. Hazards (the
//! `-- hazard: <kind>: ...` lines autogenerate writes above a statement that locks, rewrites or
//! scans a table) are acknowledged the same way, one header line per kind,
//! `-- autogen:allow-hazard <kind> <reason>`, also left out of the checksum.
//!
//! This file does not split sections into statements (see `split.rs`, which needs the dialect)
//! nor look at other files (see `graph.rs`).

use std::path::{Path, PathBuf};

use autogen_schema::Dialect;
use autogen_sql::{HazardKind, Statement};
use sha2::{Digest, Sha256};

use crate::name::is_valid_id;
use crate::split::boundary_lines;
use crate::statement::{
    fact_lines, one_line, terminated, DESTRUCTIVE_PREFIX, HAZARD_PREFIX, NO_TRANSACTION_KEY,
    REBUILD_KEY,
};
use crate::RevisionError;

/// What every parse error shows after its message, so a hand-edited file can be fixed without
/// looking anything up.
pub const HEADER_HELP: &str =
    "help: a revision file looks like this (the revision line, both section lines and the end line are required):
    -- autogen:revision 3f9a2c1b7d04        <- 12 lowercase hex digits
    -- autogen:parent 9b1e77aa0c12          <- one line per parent; none for the first revision
    -- autogen:message add column           <- optional, one line
    -- autogen:created 2026-11-21T15:30:12Z <- optional
    -- autogen:dialect postgres             <- sqlite, postgres or mysql
    -- autogen:format 2                     <- without it, the file is read as format 1 (no end line)
    -- autogen:upgrade
    ...SQL statements ending in `;`...
    -- autogen:downgrade
    ...SQL statements ending in `;`...
    -- autogen:end";

/// The format [`render_revision`] writes. Format 1 (no `format` line) is still read.
pub const FORMAT_VERSION: u32 = 2;

const UPGRADE_MARKER: &str = "-- autogen:upgrade";
const DOWNGRADE_MARKER: &str = "-- autogen:downgrade";
const END_MARKER: &str = "-- autogen:end";
const NO_STEPS: &str = "-- (no steps)";

/// The header keys; anything else after `-- autogen:` is an error.
const HEADER_KEYS: &[&str] = &[
    "revision",
    "parent",
    "message",
    "created",
    "allow-destructive",
    "allow-hazard",
    "dialect",
    "format",
    "no-transaction",
];

/// The header of a revision file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RevisionHeader {
    pub id: String,
    /// Empty for a root revision; several for a merge.
    pub parents: Vec<String>,
    /// One line; line breaks and other control characters become spaces when rendered.
    pub message: String,
    /// `YYYY-MM-DDTHH:MM:SSZ`, see [`crate::now_timestamp`].
    pub created: String,
    /// The dialect the statements are written in, written as `-- autogen:dialect <name>`; the
    /// runner refuses to run the file on another. `None` writes no line: SQL meant to run on
    /// every dialect (hand-written tests and examples; autogenerate always names one).
    pub dialect: Option<Dialect>,
}

/// A parsed revision file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Revision {
    pub id: String,
    pub parents: Vec<String>,
    pub message: String,
    /// Empty when the file has no `created` line.
    pub created: String,
    /// The upgrade section's text (without its marker line), trimmed.
    pub upgrade_sql: String,
    /// The downgrade section's text (without its marker line), trimmed.
    pub downgrade_sql: String,
    pub path: PathBuf,
    /// SHA-256 of the file's text with CRLF line endings read as LF and without its
    /// `-- autogen:allow-destructive` line, lowercase hex (for an LF file without that line: the
    /// SHA-256 of its bytes). Recorded in the version table when the revision is applied.
    pub checksum: String,
    /// Other checksums that mean "this file, unchanged": what older autogen versions recorded
    /// for the same text with other line endings (the raw bytes of a CRLF file, or the CRLF form
    /// of an LF file). Empty when there is no other form. See [`Revision::has_checksum`].
    pub equivalent_checksums: Vec<String>,
    /// The reason on the `-- autogen:allow-destructive <reason>` header line: a reviewer has
    /// accepted the data loss of this revision's destructive steps. `None` without that line.
    pub allow_destructive: Option<String>,
    /// The `-- autogen:allow-hazard <kind> <reason>` header lines, in file order: a reviewer has
    /// accepted the hazards of that kind in this revision.
    pub allow_hazards: Vec<(HazardKind, String)>,
    /// The `-- autogen:dialect` line: the dialect the SQL is written for. `None`: the file does
    /// not say (format 1 files, portable SQL), and it runs anywhere.
    pub dialect: Option<Dialect>,
    /// The `-- autogen:format` line; 1 for files without one.
    pub format: u32,
    /// The header's `-- autogen:no-transaction` line: every statement of both sections runs
    /// alone, outside any transaction, with its progress recorded before and after it. Single
    /// statements are marked in the sections instead (see [`crate::split_statements`]).
    pub no_transaction: bool,
}

impl Revision {
    /// The warnings of the upgrade section's destructive steps: the text after every
    /// `-- destructive:` comment line, in file order. Hand-written SQL counts once its author
    /// marks it the same way.
    pub fn destructive_steps(&self) -> Vec<String> {
        self.upgrade_sql
            .lines()
            .filter_map(|line| {
                let comment = line.trim().strip_prefix("--")?.trim_start();
                let warning = comment.strip_prefix(DESTRUCTIVE_PREFIX)?;
                Some(warning.trim().to_string())
            })
            .collect()
    }

    /// The destructive steps no reviewer has acknowledged: all of them without an
    /// `allow-destructive` line, none with one.
    pub fn unacknowledged_destructive_steps(&self) -> Vec<String> {
        if self.allow_destructive.is_some() {
            Vec::new()
        } else {
            self.destructive_steps()
        }
    }

    /// The upgrade section's hazards: every `-- hazard: <kind>: <what happens>` comment line, in
    /// file order, as its kind's name and the whole text after `hazard:`. Hand-written SQL counts
    /// once its author marks it the same way (an unknown kind counts too, and cannot be
    /// acknowledged).
    pub fn hazard_steps(&self) -> Vec<HazardStep> {
        self.upgrade_sql
            .lines()
            .filter_map(|line| {
                let comment = line.trim().strip_prefix("--")?.trim_start();
                let text = comment.strip_prefix(HAZARD_PREFIX)?.trim();
                let kind = text.split(':').next().unwrap_or_default().trim();
                Some(HazardStep {
                    kind: kind.to_string(),
                    text: text.to_string(),
                })
            })
            .collect()
    }

    /// The hazards whose kind no `allow-hazard` line acknowledges.
    pub fn unacknowledged_hazards(&self) -> Vec<HazardStep> {
        self.hazard_steps()
            .into_iter()
            .filter(|step| {
                !self
                    .allow_hazards
                    .iter()
                    .any(|(kind, _)| kind.name() == step.kind)
            })
            .collect()
    }

    /// Whether `recorded` (a checksum from the version table) is this file's, unchanged: its
    /// [`checksum`](Revision::checksum), or one of the [equivalent
    /// ones](Revision::equivalent_checksums) an older autogen recorded for the same text with
    /// other line endings. So switching `core.autocrlf` is never reported as an edit, whichever
    /// version applied the file.
    pub fn has_checksum(&self, recorded: &str) -> bool {
        self.checksum == recorded || self.equivalent_checksums.iter().any(|c| c == recorded)
    }

    /// Refuses to run this revision on `database` when its file names another dialect.
    pub fn check_dialect(&self, database: Dialect) -> Result<(), RevisionError> {
        match self.dialect {
            Some(written_for) if written_for != database => Err(RevisionError::WrongDialect {
                id: self.id.clone(),
                path: self.path.clone(),
                written_for,
                database,
            }),
            _ => Ok(()),
        }
    }
}

/// One `-- hazard:` line of a revision's upgrade section (see [`Revision::hazard_steps`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HazardStep {
    /// The kind's name as written (`index-build`).
    pub kind: String,
    /// The line's text after `hazard:` (`index-build: ... (users, ~1200 rows)`).
    pub text: String,
}

/// Refuses a plan (revisions about to run, or to be written into a script, for `database`) when
/// any of its files names another dialect, before anything of it runs.
pub(crate) fn check_dialects(plan: &[&Revision], database: Dialect) -> Result<(), RevisionError> {
    plan.iter().try_for_each(|rev| rev.check_dialect(database))
}

/// Renders a revision file. The message and statement comments are folded onto one line (a
/// newline in them would otherwise turn the rest into executable SQL). Refused, with nothing
/// written, when the text would not read back as given: a malformed id, a statement that leaves
/// a string, quoted identifier, dollar quote or comment open, or a CRLF inside a statement.
pub fn render_revision(
    header: &RevisionHeader,
    upgrade: &[Statement],
    downgrade: &[Statement],
) -> Result<String, RevisionError> {
    render_revision_with_notes(header, &[], upgrade, downgrade)
}

/// [`render_revision`] with reviewer notes (e.g. rename suggestions): each becomes one
/// `-- note: ...` comment line right after `-- autogen:upgrade`. Notes are plain comments, so
/// parsing, splitting and running ignore them; they are part of the body and of the checksum.
pub fn render_revision_with_notes(
    header: &RevisionHeader,
    notes: &[String],
    upgrade: &[Statement],
    downgrade: &[Statement],
) -> Result<String, RevisionError> {
    let refuse = |message: String| RevisionError::Render {
        id: one_line(&header.id),
        message,
    };
    if !is_valid_id(&header.id) {
        return Err(refuse(format!(
            "malformed revision id `{}`: an id is 12 lowercase hex digits",
            header.id.escape_debug()
        )));
    }
    let scan = scan_dialect(header.dialect);
    let mut out = String::new();
    out.push_str(&format!("-- autogen:revision {}\n", header.id));
    for parent in &header.parents {
        out.push_str(&format!("-- autogen:parent {}\n", one_line(parent)));
    }
    push_key(&mut out, "message", &header.message);
    push_key(&mut out, "created", &header.created);
    if let Some(dialect) = header.dialect {
        out.push_str(&format!("-- autogen:dialect {}\n", dialect.name()));
    }
    out.push_str(&format!("-- autogen:format {FORMAT_VERSION}\n"));
    out.push('\n');

    let mut up = String::new();
    for note in notes {
        up.push_str(&format!("-- note: {}\n", one_line(note)));
    }
    render_section(&mut up, upgrade, scan)
        .map_err(|(n, why)| refuse(format!("upgrade statement {n} {why}")))?;
    let mut down = String::new();
    render_section(&mut down, downgrade, scan)
        .map_err(|(n, why)| refuse(format!("downgrade statement {n} {why}")))?;
    out.push_str(UPGRADE_MARKER);
    out.push('\n');
    out.push_str(&up);
    out.push('\n');
    out.push_str(DOWNGRADE_MARKER);
    out.push('\n');
    out.push_str(&down);
    out.push('\n');
    out.push_str(END_MARKER);
    out.push('\n');

    // The writer's own guarantee: what it writes is what the parser reads. Everything above is
    // built so that this holds; checking it costs one parse and turns any oversight into a
    // refusal instead of a file no command can read (or one that reads differently).
    let back = parse_revision(Path::new("<new revision>"), &out).map_err(|e| match e {
        RevisionError::Parse { line, message, .. } => refuse(format!(
            "line {line} of the file would not read back: {message}"
        )),
        other => refuse(other.to_string()),
    })?;
    let expected_parents: Vec<String> = header.parents.iter().map(|p| one_line(p)).collect();
    let differs = [
        ("id", back.id != one_line(&header.id)),
        ("parents", back.parents != expected_parents),
        ("message", back.message != one_line(&header.message)),
        ("created", back.created != one_line(&header.created)),
        ("dialect", back.dialect != header.dialect),
        ("upgrade section", back.upgrade_sql != up.trim()),
        ("downgrade section", back.downgrade_sql != down.trim()),
    ];
    if let Some((what, _)) = differs.iter().find(|(_, differs)| *differs) {
        return Err(refuse(format!(
            "its {what} would read back differently from what was written; this is a bug in autogen, please report it with the statements of this revision"
        )));
    }
    Ok(out)
}

fn push_key(out: &mut String, key: &str, value: &str) {
    let value = one_line(value);
    if value.is_empty() {
        out.push_str(&format!("-- autogen:{key}\n"));
    } else {
        out.push_str(&format!("-- autogen:{key} {value}\n"));
    }
}

/// Appends the statements of one section. Fails with the 1-based statement number and the reason
/// when a statement cannot be written so that it reads back the same.
fn render_section(
    out: &mut String,
    statements: &[Statement],
    scan: Dialect,
) -> Result<(), (usize, String)> {
    let mut any = false;
    for (index, statement) in statements.iter().enumerate() {
        let sql = statement.sql.trim();
        let sql = sql.strip_suffix(';').unwrap_or(sql).trim_end();
        if sql.is_empty() {
            continue;
        }
        if sql.contains("\r\n") {
            return Err((
                index + 1,
                format!("holds a CRLF line break (`{sql}`); revision files read every CRLF as LF, so write a carriage return inside a string with the dialect's escape instead"),
            ));
        }
        let terminated = terminated(sql);
        // After the `;` the scan must be back at a statement boundary, or every marker line after
        // it would be read as part of an open string, comment or statement.
        let probe = format!("{terminated}--\n");
        if !boundary_lines(&probe, scan).contains(&terminated.len()) {
            return Err((
                index + 1,
                format!("does not end: a string, quoted identifier, dollar quote or comment is left open, or a `BEGIN` has no `END` (`{sql}`); close it"),
            ));
        }
        if any {
            out.push('\n');
        }
        any = true;
        for line in fact_lines(statement) {
            out.push_str(&line);
            out.push('\n');
        }
        out.push_str(&neutralise_boundary_lines(&terminated, scan));
    }
    if !any {
        out.push_str(NO_STEPS);
        out.push('\n');
    }
    Ok(())
}

/// `text` with every line that starts at a statement boundary and reads as an `-- autogen:` line
/// (a comment before a statement, or between two statements of one [`Statement`]) made into an
/// ordinary comment, so that SQL can never end a section or the file.
fn neutralise_boundary_lines(text: &str, scan: Dialect) -> String {
    let starts = boundary_lines(text, scan);
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        if starts.contains(&at) {
            let (body, newline) = match line.strip_suffix('\n') {
                Some(body) => (body, "\n"),
                None => (line, ""),
            };
            out.push_str(&neutralise(body));
            out.push_str(newline);
        } else {
            out.push_str(line);
        }
        at += line.len();
    }
    out
}

/// An `-- autogen:` line other than the in-section directives (`rebuild`, `no-transaction`)
/// becomes `-- (autogen:...)`, an ordinary comment; any other line is returned as it is. Only
/// ever applied to comment lines, so what runs does not change.
fn neutralise(line: &str) -> String {
    match autogen_key(line) {
        Some((key, _)) if key != REBUILD_KEY && key != NO_TRANSACTION_KEY => {
            let at = line.find("autogen:").unwrap_or(0);
            let indent = &line[..line.len() - line.trim_start().len()];
            format!("{indent}-- ({})", &line[at..])
        }
        _ => line.to_string(),
    }
}

/// The rules the sections of a file are scanned with: its dialect's, SQLite's (the plainest:
/// no backslash escapes, no dollar quotes) for a file that names none.
fn scan_dialect(dialect: Option<Dialect>) -> Dialect {
    dialect.unwrap_or(Dialect::Sqlite)
}

/// The dialect a `-- autogen:dialect` value names.
fn parse_dialect(value: &str) -> Option<Dialect> {
    match value.to_ascii_lowercase().as_str() {
        "sqlite" => Some(Dialect::Sqlite),
        "postgres" | "postgresql" => Some(Dialect::Postgres),
        "mysql" | "mariadb" => Some(Dialect::Mysql),
        _ => None,
    }
}

/// Which section the parser is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    Upgrade,
    Downgrade,
}

impl Part {
    fn name(self) -> &'static str {
        match self {
            Part::Upgrade => "upgrade",
            Part::Downgrade => "downgrade",
        }
    }
}

/// The header lines read so far, each with its 1-based line number.
#[derive(Default)]
struct Header {
    id: Option<(String, usize)>,
    parents: Vec<(String, usize)>,
    message: Option<(String, usize)>,
    created: Option<(String, usize)>,
    allow_destructive: Option<(String, usize)>,
    allow_hazards: Vec<(HazardKind, String, usize)>,
    dialect: Option<(Dialect, usize)>,
    format: Option<(u32, usize)>,
    no_transaction: Option<usize>,
}

/// Parses a revision file. `path` is only used in errors and stored in the result.
pub fn parse_revision(path: &Path, text: &str) -> Result<Revision, RevisionError> {
    let err = |line: usize, message: String| RevisionError::Parse {
        path: path.to_path_buf(),
        line,
        message,
    };
    // Line endings: `\n`, with a `\r` before it read as part of the line ending.
    let lines: Vec<&str> = text
        .split('\n')
        .map(|raw| raw.strip_suffix('\r').unwrap_or(raw))
        .collect();
    if lines.first().is_some_and(|l| l.starts_with('\u{feff}')) {
        return Err(err(
            1,
            "the file starts with a byte-order mark; save it as UTF-8 without BOM".into(),
        ));
    }
    // Report a missing part at the last line of the file (not the empty "line" after a final
    // newline).
    let last_line = text.lines().count().max(1);

    let mut header = Header::default();
    let mut upgrade_at = None;
    for (index, line) in lines.iter().enumerate() {
        let line_no = index + 1;
        let Some((key, value)) = autogen_key(line) else {
            let t = line.trim();
            if !t.is_empty() && !t.starts_with("--") {
                return Err(err(
                    line_no,
                    format!(
                        "SQL before the `{UPGRADE_MARKER}` line; statements belong in the upgrade or downgrade section"
                    ),
                ));
            }
            continue;
        };
        match key {
            "upgrade" | "downgrade" | "end" if !value.is_empty() => {
                return Err(err(line_no, stands_alone(key, value)));
            }
            "upgrade" => {
                upgrade_at = Some(index);
                break;
            }
            "downgrade" => {
                return Err(err(
                    line_no,
                    format!("`{DOWNGRADE_MARKER}` before `{UPGRADE_MARKER}`: the upgrade section comes first"),
                ));
            }
            "end" => {
                return Err(err(
                    line_no,
                    format!("`{END_MARKER}` before `{UPGRADE_MARKER}`: the end line closes the file, after the downgrade section"),
                ));
            }
            REBUILD_KEY => {
                return Err(err(
                    line_no,
                    format!("`-- autogen:{REBUILD_KEY}` is a runner directive and belongs inside the upgrade or downgrade section, next to the rebuild it describes"),
                ));
            }
            _ => header_line(&mut header, key, value, line_no).map_err(|m| err(line_no, m))?,
        }
    }

    let Some((id, _)) = header.id.clone() else {
        return Err(err(1, "missing `-- autogen:revision <id>` line".into()));
    };
    let format = header.format.map_or(1, |(f, _)| f);
    let Some(upgrade_at) = upgrade_at else {
        let message = if format >= 2 {
            truncated(
                path,
                &format!("`{UPGRADE_MARKER}`, `{DOWNGRADE_MARKER}` and `{END_MARKER}`"),
                "",
            )
        } else {
            format!("missing `{UPGRADE_MARKER}` section")
        };
        return Err(err(last_line, message));
    };
    let dialect = header.dialect.map(|(d, _)| d);

    // The sections. In format 1 every `-- autogen:` line counts, as it always did; from format 2
    // on only those at a statement boundary do (see the module documentation).
    let body = &lines[upgrade_at + 1..];
    let at_boundary: Vec<bool> = if format >= 2 {
        let joined = body.join("\n");
        let starts = boundary_lines(&joined, scan_dialect(dialect));
        let mut offset = 0;
        body.iter()
            .map(|line| {
                let here = starts.binary_search(&offset).is_ok();
                offset += line.len() + 1;
                here
            })
            .collect()
    } else {
        vec![true; body.len()]
    };
    let mut part = Part::Upgrade;
    let mut upgrade = String::new();
    let mut downgrade = String::new();
    let mut end_at: Option<usize> = None;
    // The 1-based line of `-- autogen:downgrade`.
    let mut downgrade_at = 0;
    // Marker look-alikes that did not count (inside a string or an unfinished statement), for
    // the error when a marker turns out to be missing.
    let mut lookalikes: Vec<(usize, &str)> = Vec::new();
    for (index, line) in body.iter().enumerate() {
        let line_no = upgrade_at + 2 + index;
        if let Some(end_line) = end_at {
            // Blank lines and ordinary comments may follow (an editor's final newline, a note
            // appended by hand); SQL there would never run, and another `-- autogen:` line means
            // two files were joined.
            let t = line.trim();
            let comment = t.starts_with("--") && autogen_key(t).is_none();
            if !t.is_empty() && !comment {
                return Err(err(
                    line_no,
                    format!("text after `{END_MARKER}` (line {end_line}), which closes the file; move what follows into a section or remove it (was another file appended to this one?)"),
                ));
            }
            continue;
        }
        let directive = match autogen_key(line) {
            Some(found) if at_boundary[index] => Some(found),
            Some((key, _)) => {
                lookalikes.push((line_no, key));
                None
            }
            None => None,
        };
        let keep = match directive {
            None => true,
            Some((REBUILD_KEY, _)) => true,
            Some((NO_TRANSACTION_KEY, "")) => true,
            Some((NO_TRANSACTION_KEY, value)) => {
                return Err(err(line_no, stands_alone(NO_TRANSACTION_KEY, value)));
            }
            Some((key @ ("upgrade" | "downgrade" | "end"), value)) if !value.is_empty() => {
                return Err(err(line_no, stands_alone(key, value)));
            }
            Some(("upgrade", _)) => {
                return Err(err(
                    line_no,
                    match part {
                        Part::Upgrade => format!("a second `{UPGRADE_MARKER}` line"),
                        Part::Downgrade => format!("`{UPGRADE_MARKER}` after `{DOWNGRADE_MARKER}`: the upgrade section comes first"),
                    },
                ));
            }
            Some(("downgrade", _)) => {
                if part == Part::Downgrade {
                    return Err(err(line_no, format!("a second `{DOWNGRADE_MARKER}` line")));
                }
                part = Part::Downgrade;
                downgrade_at = line_no;
                false
            }
            Some(("end", _)) => {
                if part == Part::Upgrade {
                    return Err(err(
                        line_no,
                        format!(
                            "`{END_MARKER}` before `{DOWNGRADE_MARKER}`: every revision has a downgrade section (holding `{NO_STEPS}` when there is nothing to undo){}",
                            hint(&lookalikes, "downgrade")
                        ),
                    ));
                }
                end_at = Some(line_no);
                false
            }
            Some((key, _)) if HEADER_KEYS.contains(&key) => {
                return Err(err(
                    line_no,
                    format!(
                        "header line `-- autogen:{key}` inside the {} section; header lines come before `{UPGRADE_MARKER}`",
                        part.name()
                    ),
                ));
            }
            Some((other, _)) => return Err(err(line_no, unknown_key(other))),
        };
        if keep {
            let section = match part {
                Part::Upgrade => &mut upgrade,
                Part::Downgrade => &mut downgrade,
            };
            section.push_str(line);
            section.push('\n');
        }
    }

    if part != Part::Downgrade {
        let message = if format >= 2 {
            truncated(
                path,
                &format!("`{DOWNGRADE_MARKER}` and `{END_MARKER}`"),
                &hint(&lookalikes, "downgrade"),
            )
        } else {
            format!(
                "missing `{DOWNGRADE_MARKER}` section{}",
                hint(&lookalikes, "downgrade")
            )
        };
        return Err(err(last_line, message));
    }
    if format >= 2 && end_at.is_none() {
        return Err(err(
            last_line,
            truncated(path, &format!("`{END_MARKER}`"), &hint(&lookalikes, "end")),
        ));
    }
    for (section, name, first_line) in [
        (&upgrade, "upgrade", upgrade_at + 2),
        (&downgrade, "downgrade", downgrade_at + 1),
    ] {
        if let Some(line) = unattached_no_transaction(section, scan_dialect(dialect)) {
            return Err(err(
                first_line + line,
                format!(
                    "this `-- autogen:{NO_TRANSACTION_KEY}` line in the {name} section marks no statement: it must stand right before the statement that runs outside the transaction, once"
                ),
            ));
        }
    }
    if let Some((_, line)) = header.parents.iter().find(|(p, _)| *p == id) {
        return Err(err(
            *line,
            format!("revision {id} names itself as its parent"),
        ));
    }

    let ack_lines: Vec<usize> = header
        .allow_destructive
        .iter()
        .map(|(_, line)| *line)
        .chain(header.allow_hazards.iter().map(|(_, _, line)| *line))
        .collect();
    let (checksum, equivalent_checksums) = checksums(text, &ack_lines);
    Ok(Revision {
        id,
        parents: header.parents.into_iter().map(|(p, _)| p).collect(),
        message: header.message.map(|(m, _)| m).unwrap_or_default(),
        created: header.created.map(|(c, _)| c).unwrap_or_default(),
        upgrade_sql: upgrade.trim().to_string(),
        downgrade_sql: downgrade.trim().to_string(),
        path: path.to_path_buf(),
        checksum,
        equivalent_checksums,
        allow_destructive: header.allow_destructive.map(|(reason, _)| reason),
        allow_hazards: header
            .allow_hazards
            .into_iter()
            .map(|(kind, reason, _)| (kind, reason))
            .collect(),
        dialect,
        format,
        no_transaction: header.no_transaction.is_some(),
    })
}

/// Reads one header line into `header`; the error is the message for that line.
fn header_line(header: &mut Header, key: &str, value: &str, line_no: usize) -> Result<(), String> {
    let second =
        |first: usize| format!("a second `-- autogen:{key}` line (the first is on line {first})");
    match key {
        "revision" => {
            if let Some((_, first)) = &header.id {
                return Err(second(*first));
            }
            if !is_valid_id(value) {
                return Err(format!(
                    "malformed revision id `{value}`: an id is 12 lowercase hex digits"
                ));
            }
            header.id = Some((value.to_string(), line_no));
        }
        "parent" => {
            if !is_valid_id(value) {
                return Err(format!(
                    "malformed parent id `{value}`: an id is 12 lowercase hex digits"
                ));
            }
            if let Some((_, first)) = header.parents.iter().find(|(p, _)| p == value) {
                return Err(format!(
                    "parent {value} is listed twice (first on line {first})"
                ));
            }
            header.parents.push((value.to_string(), line_no));
        }
        "allow-destructive" => {
            if let Some((_, first)) = &header.allow_destructive {
                return Err(second(*first));
            }
            if value.is_empty() {
                return Err("`-- autogen:allow-destructive` needs a reason after it, e.g. `-- autogen:allow-destructive bio was never filled`".into());
            }
            header.allow_destructive = Some((value.to_string(), line_no));
        }
        "allow-hazard" => {
            let (kind, reason) = value.split_once(' ').unwrap_or((value, ""));
            let Some(kind) = HazardKind::from_name(kind) else {
                let kinds: Vec<&str> = HazardKind::ALL.iter().map(|k| k.name()).collect();
                return Err(format!(
                    "unknown hazard kind `{kind}` after `-- autogen:allow-hazard`; the kinds are {}",
                    kinds.join(", ")
                ));
            };
            if let Some((_, _, first)) = header.allow_hazards.iter().find(|(k, ..)| *k == kind) {
                return Err(format!(
                    "a second `-- autogen:allow-hazard {kind}` line (the first is on line {first}); one line per kind"
                ));
            }
            if reason.trim().is_empty() {
                return Err(format!("`-- autogen:allow-hazard {kind}` needs a reason after the kind, e.g. `-- autogen:allow-hazard {kind} runs in the nightly window`"));
            }
            header
                .allow_hazards
                .push((kind, reason.trim().to_string(), line_no));
        }
        "message" | "created" => {
            let slot = if key == "message" {
                &mut header.message
            } else {
                &mut header.created
            };
            if let Some((_, first)) = slot {
                return Err(second(*first));
            }
            *slot = Some((value.to_string(), line_no));
        }
        "dialect" => {
            if let Some((_, first)) = &header.dialect {
                return Err(second(*first));
            }
            let Some(dialect) = parse_dialect(value) else {
                return Err(format!(
                    "unknown dialect `{value}`: write `-- autogen:dialect sqlite`, `postgres` or `mysql`"
                ));
            };
            header.dialect = Some((dialect, line_no));
        }
        "no-transaction" => {
            if let Some(first) = header.no_transaction {
                return Err(second(first));
            }
            if !value.is_empty() {
                return Err(stands_alone(key, value));
            }
            header.no_transaction = Some(line_no);
        }
        "format" => {
            if let Some((_, first)) = &header.format {
                return Err(second(*first));
            }
            let format = match value.parse::<u32>() {
                Ok(f @ 1..=FORMAT_VERSION) => f,
                Ok(f) if f > FORMAT_VERSION => {
                    return Err(format!(
                        "the file is in format {f}, written by a newer autogen; this one reads formats 1 to {FORMAT_VERSION}, so upgrade autogen"
                    ))
                }
                _ => {
                    return Err(format!(
                        "malformed format `{value}`: write `-- autogen:format {FORMAT_VERSION}`"
                    ))
                }
            };
            header.format = Some((format, line_no));
        }
        other => return Err(unknown_key(other)),
    }
    Ok(())
}

/// Why a marker the parser needed was not found, when a line looking like it did not count.
fn hint(lookalikes: &[(usize, &str)], key: &str) -> String {
    lookalikes
        .iter()
        .find(|(_, k)| *k == key)
        .map(|(line, _)| {
            format!(" (line {line} looks like `-- autogen:{key}` but does not count: it is inside a string, a comment, or a statement whose `;` is missing above it)")
        })
        .unwrap_or_default()
}

fn stands_alone(key: &str, value: &str) -> String {
    format!("`-- autogen:{key}` stands alone on its line (found `{value}` after it)")
}

fn unknown_key(key: &str) -> String {
    format!(
        "unknown key `-- autogen:{key}`; the keys are revision, parent, message, created, allow-destructive, allow-hazard, dialect, format, no-transaction, upgrade, downgrade and end (and `{REBUILD_KEY}` and `{NO_TRANSACTION_KEY}` inside a section)"
    )
}

/// The message for a format 2 file that stops before `missing` (which a complete file has).
fn truncated(path: &Path, missing: &str, hint: &str) -> String {
    format!(
        "the file ends without {missing}{hint}: it was cut off (truncated, or an interrupted copy), so its SQL may be incomplete and nothing of it was run; restore the complete file from version control (`git checkout -- {}`). Add the line back by hand only after checking that both sections hold every statement",
        path.display()
    )
}

/// The checksum of a file and its equivalents (see [`Revision::checksum`]): `ack_line` is the
/// 1-based lines of the header's `-- autogen:allow-destructive` and `allow-hazard` lines, left
/// out.
fn checksums(text: &str, ack_lines: &[usize]) -> (String, Vec<String>) {
    let raw: String = if ack_lines.is_empty() {
        text.to_string()
    } else {
        text.split_inclusive('\n')
            .enumerate()
            .filter(|(index, _)| !ack_lines.contains(&(index + 1)))
            .map(|(_, line)| line)
            .collect()
    };
    let lf = raw.replace("\r\n", "\n");
    let main = checksum(lf.as_bytes());
    let mut equivalents = Vec::new();
    for other in [
        checksum(raw.as_bytes()),
        checksum(lf.replace('\n', "\r\n").as_bytes()),
    ] {
        if other != main && !equivalents.contains(&other) {
            equivalents.push(other);
        }
    }
    (main, equivalents)
}

/// SHA-256 of `bytes` as lowercase hex.
pub(crate) fn checksum(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// The 0-based line (within `section`) of a `-- autogen:no-transaction` line at a statement
/// boundary that marks no statement, if any: the splitter attaches each such line to the next
/// statement, so there are fewer marked statements than lines exactly when one is left over (at
/// the section's end, or a second line before one statement).
fn unattached_no_transaction(section: &str, scan: Dialect) -> Option<usize> {
    let starts = boundary_lines(section, scan);
    let mut lines = Vec::new();
    let mut offset = 0;
    for (index, line) in section.split('\n').enumerate() {
        let directive = autogen_key(line).is_some_and(|(key, _)| key == NO_TRANSACTION_KEY);
        if directive && starts.binary_search(&offset).is_ok() {
            lines.push(index);
        }
        offset += line.len() + 1;
    }
    let marked = crate::split::split_marked(section, scan)
        .iter()
        .filter(|s| s.no_transaction)
        .count();
    (marked < lines.len()).then(|| lines[lines.len() - 1])
}

/// Splits a `-- autogen:key value` line into its key and value. Spacing is forgiven
/// (`--autogen:x`), so a near-miss is reported as an autogen line rather than silently treated
/// as an ordinary comment.
pub(crate) fn autogen_key(line: &str) -> Option<(&str, &str)> {
    let rest = line.trim_start().strip_prefix("--")?.trim_start();
    let rest = rest.strip_prefix("autogen:")?;
    let (key, value) = match rest.find(char::is_whitespace) {
        Some(at) => (&rest[..at], rest[at..].trim()),
        None => (rest, ""),
    };
    Some((key, value))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::split_statements;
    use autogen_schema::Dialect;

    /// A statement with a comment, given as its file line would read: `destructive: ...` is
    /// a data loss, anything else a note.
    fn stmt(sql: &str, comment: Option<&str>) -> Statement {
        let s = Statement::new(sql);
        match comment {
            Some(c) => match c.strip_prefix("destructive:") {
                Some(loss) => s.with_loss(Some(loss.trim().to_string())),
                None => s.with_note(c),
            },
            None => s,
        }
    }

    fn header() -> RevisionHeader {
        RevisionHeader {
            id: "3f9a2c1b7d04".into(),
            parents: vec!["9b1e77aa0c12".into()],
            message: "add column".into(),
            created: "2026-11-21T15:30:12Z".into(),
            dialect: Some(Dialect::Postgres),
        }
    }

    #[test]
    fn renders_the_documented_format_exactly() {
        let text = render_revision(
            &header(),
            &[stmt(
                "ALTER TABLE \"users\" DROP COLUMN \"bio\"",
                Some("destructive: drops column users.bio and its data"),
            )],
            &[stmt("ALTER TABLE \"users\" ADD COLUMN \"bio\" text", None)],
        )
        .unwrap();
        assert_eq!(
            text,
            "-- autogen:revision 3f9a2c1b7d04
-- autogen:parent 9b1e77aa0c12
-- autogen:message add column
-- autogen:created 2026-11-21T15:30:12Z
-- autogen:dialect postgres
-- autogen:format 2

-- autogen:upgrade
-- destructive: drops column users.bio and its data
ALTER TABLE \"users\" DROP COLUMN \"bio\";

-- autogen:downgrade
ALTER TABLE \"users\" ADD COLUMN \"bio\" text;

-- autogen:end
"
        );
    }

    #[test]
    fn notes_are_comment_lines_after_the_upgrade_marker() {
        let up = [stmt("ALTER TABLE \"t\" DROP COLUMN \"a\"", None)];
        let text = render_revision_with_notes(
            &header(),
            &["t.a dropped,\nt.b added".to_string()],
            &up,
            &[],
        )
        .unwrap();
        assert!(
            text.contains("-- autogen:upgrade\n-- note: t.a dropped, t.b added\nALTER TABLE"),
            "{text}"
        );
        let rev = parse_revision(Path::new("r.sql"), &text).unwrap();
        let split = split_statements(&rev.upgrade_sql, Dialect::Sqlite);
        assert_eq!(split.len(), 1, "{split:?}");
        assert_eq!(
            render_revision(&header(), &up, &[]).unwrap(),
            render_revision_with_notes(&header(), &[], &up, &[]).unwrap()
        );
    }

    #[test]
    fn empty_sections_and_roots() {
        let h = RevisionHeader {
            parents: vec![],
            message: String::new(),
            ..header()
        };
        let text = render_revision(&h, &[], &[]).unwrap();
        assert_eq!(
            text,
            "-- autogen:revision 3f9a2c1b7d04
-- autogen:message
-- autogen:created 2026-11-21T15:30:12Z
-- autogen:dialect postgres
-- autogen:format 2

-- autogen:upgrade
-- (no steps)

-- autogen:downgrade
-- (no steps)

-- autogen:end
"
        );
        let rev = parse_revision(Path::new("r.sql"), &text).unwrap();
        assert!(rev.parents.is_empty());
        assert_eq!(rev.message, "");
        assert!(split_statements(&rev.upgrade_sql, Dialect::Sqlite).is_empty());
        assert!(split_statements(&rev.downgrade_sql, Dialect::Sqlite).is_empty());
    }

    #[test]
    fn body_depends_only_on_statements() {
        let up = [stmt("CREATE TABLE t (id integer)", None)];
        let a = render_revision(&header(), &up, &[]).unwrap();
        let other = RevisionHeader {
            id: "000000000000".into(),
            parents: vec![],
            message: "something else".into(),
            created: "2030-01-01T00:00:00Z".into(),
            dialect: None,
        };
        let b = render_revision(&other, &up, &[]).unwrap();
        let body = |s: &str| s[s.find(UPGRADE_MARKER).unwrap()..].to_string();
        assert_eq!(body(&a), body(&b));
        assert_eq!(a, render_revision(&header(), &up, &[]).unwrap());
    }

    #[test]
    fn round_trip_gives_the_same_statements() {
        let up = vec![
            stmt(
                "CREATE TABLE \"a;b\" (x text DEFAULT 'it''s; -- not a comment')",
                Some("multi\nline comment\nDROP TABLE users;"),
            ),
            stmt("CREATE INDEX ix ON t (x)\n  -- trailing comment", None),
            stmt(
                "INSERT INTO t VALUES ('-- autogen:upgrade is data')",
                Some(""),
            ),
            stmt("SELECT 1;", None),
        ];
        let down = vec![stmt(
            "DROP TABLE \"a;b\"",
            Some("destructive: drops table a;b"),
        )];
        let h = RevisionHeader {
            message: "multi\nline\r\nmessage -- autogen:parent 000000000000".into(),
            ..header()
        };
        let text = render_revision(&h, &up, &down).unwrap();
        let rev = parse_revision(Path::new("x.sql"), &text).unwrap();
        assert_eq!(rev.id, h.id);
        assert_eq!(rev.parents, h.parents);
        assert_eq!(
            rev.message,
            "multi line  message -- autogen:parent 000000000000"
        );
        assert_eq!(rev.created, h.created);
        let expected: Vec<String> = up
            .iter()
            .map(|s| s.sql.trim_end_matches(';').to_string())
            .collect();
        assert_eq!(
            split_statements(&rev.upgrade_sql, Dialect::Sqlite),
            expected
        );
        assert_eq!(
            split_statements(&rev.downgrade_sql, Dialect::Postgres),
            vec!["DROP TABLE \"a;b\"".to_string()]
        );
        assert_eq!(rev.checksum, checksum(text.as_bytes()));
        assert_eq!(rev.checksum.len(), 64);
    }

    #[test]
    fn crlf_files_parse() {
        let text = render_revision(&header(), &[stmt("SELECT 1", None)], &[])
            .unwrap()
            .replace('\n', "\r\n");
        let rev = parse_revision(Path::new("x.sql"), &text).unwrap();
        assert_eq!(rev.id, "3f9a2c1b7d04");
        assert_eq!(rev.message, "add column");
        assert_eq!(
            split_statements(&rev.upgrade_sql, Dialect::Sqlite),
            vec!["SELECT 1"]
        );
    }

    #[test]
    fn header_lines_in_any_order_with_comments() {
        let text = "-- a note for reviewers\n-- autogen:created 2026-01-01T00:00:00Z\n\n-- autogen:parent 000000000001\n-- autogen:revision 00000000000a\n-- autogen:parent 000000000002\n-- autogen:upgrade\nSELECT 1;\n-- autogen:downgrade\n";
        let rev = parse_revision(Path::new("x.sql"), text).unwrap();
        assert_eq!(rev.id, "00000000000a");
        assert_eq!(rev.parents, vec!["000000000001", "000000000002"]);
        assert_eq!(rev.upgrade_sql, "SELECT 1;");
        assert_eq!(rev.downgrade_sql, "");
    }

    #[test]
    fn header_errors_name_file_and_line() {
        let ok_tail = "-- autogen:upgrade\n-- autogen:downgrade\n";
        let cases: Vec<(String, usize, &str)> = vec![
            (format!("-- autogen:message x\n{ok_tail}"), 1, "missing `-- autogen:revision"),
            (format!("-- autogen:revision 3F9A2C1B7D04\n{ok_tail}"), 1, "malformed revision id"),
            (format!("-- autogen:revision 3f9a2c\n{ok_tail}"), 1, "malformed revision id"),
            (format!("-- autogen:revision 3f9a2c1b7d04\n-- autogen:parent nope\n{ok_tail}"), 2, "malformed parent id"),
            (format!("-- autogen:revision 3f9a2c1b7d04\n-- autogen:revision 3f9a2c1b7d05\n{ok_tail}"), 2, "second `-- autogen:revision`"),
            (format!("-- autogen:revision 3f9a2c1b7d04\n-- autogen:message a\n-- autogen:message b\n{ok_tail}"), 3, "second `-- autogen:message`"),
            (format!("-- autogen:revision 3f9a2c1b7d04\n-- autogen:created a\n-- autogen:created b\n{ok_tail}"), 3, "second `-- autogen:created`"),
            (format!("-- autogen:revision 3f9a2c1b7d04\n-- autogen:parent 000000000001\n-- autogen:parent 000000000001\n{ok_tail}"), 3, "listed twice"),
            (format!("-- autogen:revision 3f9a2c1b7d04\n-- autogen:parent 3f9a2c1b7d04\n{ok_tail}"), 2, "names itself"),
            (format!("-- autogen:revision 3f9a2c1b7d04\n-- autogen:author me\n{ok_tail}"), 2, "unknown key `-- autogen:author`"),
            (format!("--autogen:revison 3f9a2c1b7d04\n{ok_tail}"), 1, "unknown key `-- autogen:revison`"),
            ("-- autogen:revision 3f9a2c1b7d04\n-- autogen:downgrade\n".to_string(), 2, "before `-- autogen:upgrade`"),
            ("-- autogen:revision 3f9a2c1b7d04\n-- autogen:upgrade\n-- autogen:downgrade\n-- autogen:upgrade\n".to_string(), 4, "after `-- autogen:downgrade`"),
            ("-- autogen:revision 3f9a2c1b7d04\n-- autogen:upgrade\n-- autogen:upgrade\n-- autogen:downgrade\n".to_string(), 3, "second `-- autogen:upgrade`"),
            ("-- autogen:revision 3f9a2c1b7d04\n-- autogen:upgrade\nSELECT 1;\n".to_string(), 3, "missing `-- autogen:downgrade`"),
            ("-- autogen:revision 3f9a2c1b7d04\n".to_string(), 1, "missing `-- autogen:upgrade`"),
            ("-- autogen:revision 3f9a2c1b7d04\nSELECT 1;\n-- autogen:upgrade\n-- autogen:downgrade\n".to_string(), 2, "SQL before"),
            ("-- autogen:revision 3f9a2c1b7d04\n-- autogen:upgrade\n-- autogen:parent 000000000001\n-- autogen:downgrade\n".to_string(), 3, "inside the upgrade section"),
            ("-- autogen:revision 3f9a2c1b7d04\n-- autogen:upgrade now\n-- autogen:downgrade\n".to_string(), 2, "stands alone"),
            ("\u{feff}-- autogen:revision 3f9a2c1b7d04\n".to_string(), 1, "byte-order mark"),
        ];
        for (text, line, needle) in cases {
            let err = parse_revision(Path::new("revs/bad.sql"), &text).unwrap_err();
            let RevisionError::Parse { line: got, .. } = &err else {
                panic!("{text:?}: not a parse error: {err:?}");
            };
            let shown = err.to_string();
            assert_eq!(*got, line, "{text:?}: {shown}");
            assert!(
                shown.starts_with(&format!("revs/bad.sql:{line}: ")),
                "{shown}"
            );
            assert!(shown.contains(needle), "{text:?}: {shown}");
            assert!(
                shown.contains("-- autogen:revision 3f9a2c1b7d04"),
                "help missing: {shown}"
            );
        }
    }

    #[test]
    fn hazards_and_their_acknowledgement_per_kind() {
        let hazard = |kind, what: &str| {
            Statement::new("CREATE INDEX ix ON t (a)").with_hazard(autogen_sql::Hazard {
                rows: Some(autogen_schema::RowEstimate::Rows(1200)),
                ..autogen_sql::Hazard::new(kind, "t", what)
            })
        };
        let text = render_revision(
            &header(),
            &[
                hazard(HazardKind::IndexBuild, "writes wait"),
                hazard(HazardKind::SetNotNull, "scans"),
            ],
            &[hazard(HazardKind::IndexDrop, "waits")],
        )
        .unwrap();
        assert!(
            text.contains("-- hazard: index-build: writes wait (t, ~1200 rows)\nCREATE INDEX"),
            "{text}"
        );
        let rev = parse_revision(Path::new("x.sql"), &text).unwrap();
        // Only the upgrade section counts, as for destructive steps.
        let kinds = |steps: Vec<HazardStep>| steps.into_iter().map(|s| s.kind).collect::<Vec<_>>();
        assert_eq!(kinds(rev.hazard_steps()), ["index-build", "set-not-null"]);
        assert_eq!(
            rev.hazard_steps()[0].text,
            "index-build: writes wait (t, ~1200 rows)"
        );
        assert_eq!(
            kinds(rev.unacknowledged_hazards()),
            ["index-build", "set-not-null"]
        );

        let acked = text.replacen(
            "-- autogen:created",
            "-- autogen:allow-hazard index-build built in the nightly window\n-- autogen:created",
            1,
        );
        let rev2 = parse_revision(Path::new("x.sql"), &acked).unwrap();
        assert_eq!(
            rev2.allow_hazards,
            [(
                HazardKind::IndexBuild,
                "built in the nightly window".to_string()
            )]
        );
        assert_eq!(kinds(rev2.unacknowledged_hazards()), ["set-not-null"]);
        // Acknowledging is not editing.
        assert_eq!(rev2.checksum, rev.checksum);
        let both = acked.replacen(
            "-- autogen:created",
            "-- autogen:allow-hazard set-not-null the column was backfilled\n-- autogen:created",
            1,
        );
        let rev3 = parse_revision(Path::new("x.sql"), &both).unwrap();
        assert!(rev3.unacknowledged_hazards().is_empty());
        assert_eq!(rev3.checksum, rev.checksum);

        for (bad, needle) in [
            (
                acked.replacen(" built in the nightly window", "", 1),
                "needs a reason",
            ),
            (
                acked.replacen("allow-hazard index-build", "allow-hazard index", 1),
                "unknown hazard kind `index`",
            ),
            (
                acked.replacen(
                    "-- autogen:created",
                    "-- autogen:allow-hazard index-build again\n-- autogen:created",
                    1,
                ),
                "a second `-- autogen:allow-hazard index-build`",
            ),
        ] {
            let err = parse_revision(Path::new("x.sql"), &bad).unwrap_err();
            let shown = err.to_string();
            // file:line of the offending header line.
            assert!(shown.starts_with("x.sql:"), "{shown}");
            assert!(shown.contains(needle), "{shown}");
        }
    }

    #[test]
    fn destructive_steps_and_their_acknowledgement() {
        let text = render_revision(
            &header(),
            &[
                stmt("CREATE TABLE t (id integer)", None),
                stmt(
                    "ALTER TABLE \"users\" DROP COLUMN \"bio\"",
                    Some("destructive: drops column users.bio and all its data"),
                ),
            ],
            &[stmt("DROP TABLE t", Some("destructive: drops table t"))],
        )
        .unwrap();
        let rev = parse_revision(Path::new("x.sql"), &text).unwrap();
        assert_eq!(rev.allow_destructive, None);
        // Only the upgrade section counts: the downgrade runs only when asked for by name.
        assert_eq!(
            rev.destructive_steps(),
            vec!["drops column users.bio and all its data"]
        );
        assert_eq!(
            rev.unacknowledged_destructive_steps(),
            rev.destructive_steps()
        );

        let acked = text.replacen(
            "-- autogen:created",
            "-- autogen:allow-destructive bio was never filled in\n-- autogen:created",
            1,
        );
        let rev2 = parse_revision(Path::new("x.sql"), &acked).unwrap();
        assert_eq!(
            rev2.allow_destructive.as_deref(),
            Some("bio was never filled in")
        );
        assert!(rev2.unacknowledged_destructive_steps().is_empty());
        assert_eq!(rev2.destructive_steps().len(), 1);
        // Acknowledging is not editing: the checksum an applied revision was recorded with holds.
        assert_eq!(rev2.checksum, rev.checksum);
        let edited = acked.replace("CREATE TABLE t", "CREATE TABLE u");
        assert_ne!(
            parse_revision(Path::new("x.sql"), &edited)
                .unwrap()
                .checksum,
            rev.checksum
        );

        for (bad, needle) in [
            (
                acked.replacen(
                    "-- autogen:allow-destructive bio was never filled in",
                    "-- autogen:allow-destructive",
                    1,
                ),
                "needs a reason",
            ),
            (
                acked.replacen(
                    "-- autogen:created",
                    "-- autogen:allow-destructive again\n-- autogen:created",
                    1,
                ),
                "a second `-- autogen:allow-destructive`",
            ),
            (
                text.replacen(
                    "-- autogen:downgrade",
                    "-- autogen:allow-destructive late\n-- autogen:downgrade",
                    1,
                ),
                "inside the upgrade section",
            ),
        ] {
            let err = parse_revision(Path::new("x.sql"), &bad)
                .unwrap_err()
                .to_string();
            assert!(err.contains(needle), "{err}");
        }
    }

    /// A format 2 file by hand: `up` and `down` are the section bodies.
    fn v2(up: &str, down: &str) -> String {
        format!("-- autogen:revision 3f9a2c1b7d04\n-- autogen:dialect sqlite\n-- autogen:format 2\n\n-- autogen:upgrade\n{up}\n\n-- autogen:downgrade\n{down}\n\n-- autogen:end\n")
    }

    fn parse_err(text: &str) -> String {
        parse_revision(Path::new("revs/x.sql"), text)
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn dialect_and_format_lines() {
        let rev = parse_revision(Path::new("x.sql"), &v2("SELECT 1;", "")).unwrap();
        assert_eq!(rev.dialect, Some(Dialect::Sqlite));
        assert_eq!(rev.format, 2);
        for (name, dialect) in [
            ("postgres", Dialect::Postgres),
            ("postgresql", Dialect::Postgres),
            ("mysql", Dialect::Mysql),
            ("mariadb", Dialect::Mysql),
        ] {
            let text = v2("", "").replace("dialect sqlite", &format!("dialect {name}"));
            assert_eq!(
                parse_revision(Path::new("x.sql"), &text).unwrap().dialect,
                Some(dialect)
            );
        }
        for (text, needle) in [
            (
                v2("", "").replace("dialect sqlite", "dialect oracle"),
                "unknown dialect `oracle`",
            ),
            (
                v2("", "").replace("format 2", "format 3"),
                "format 3, written by a newer autogen",
            ),
            (
                v2("", "").replace("format 2", "format two"),
                "malformed format `two`",
            ),
            (
                v2("", "").replace(
                    "-- autogen:format 2",
                    "-- autogen:format 2\n-- autogen:format 2",
                ),
                "a second `-- autogen:format` line",
            ),
            (
                v2("", "").replace(
                    "-- autogen:format 2",
                    "-- autogen:format 2\n-- autogen:dialect mysql",
                ),
                "a second `-- autogen:dialect` line",
            ),
        ] {
            let err = parse_err(&text);
            assert!(err.contains(needle), "{err}");
        }
    }

    #[test]
    fn the_end_line_closes_a_format_2_file() {
        // Only blank lines may follow it.
        assert!(parse_revision(
            Path::new("x.sql"),
            &format!("{}\n  \n-- a note\n", v2("", ""))
        )
        .is_ok());
        let err = parse_err(&format!("{}{}", v2("", ""), v2("", "")));
        assert!(
            err.contains("text after `-- autogen:end` (line 11)"),
            "{err}"
        );
        let err = parse_err(&format!("{}SELECT 1;\n", v2("", "")));
        assert!(
            err.contains("text after `-- autogen:end` (line 11)"),
            "{err}"
        );
        let err = parse_err(&v2("-- autogen:end", ""));
        assert!(err.contains("before `-- autogen:downgrade`"), "{err}");
        let err = parse_err(&v2("", "").replace("-- autogen:end", "-- autogen:end now"));
        assert!(err.contains("stands alone"), "{err}");
        let err =
            parse_err("-- autogen:revision 3f9a2c1b7d04\n-- autogen:end\n-- autogen:upgrade\n");
        assert!(err.contains("before `-- autogen:upgrade`"), "{err}");
        // Without its end line, a format 2 file is taken as cut off, wherever it stops.
        let full = v2("SELECT 1;", "SELECT 2;");
        for cut in [
            "-- autogen:upgrade",
            "SELECT 1",
            "-- autogen:downgrade",
            "SELECT 2",
            "-- autogen:end",
        ] {
            let err = parse_err(&full[..full.find(cut).unwrap()]);
            assert!(err.contains("cut off"), "{cut}: {err}");
            assert!(err.contains("git checkout -- revs/x.sql"), "{err}");
        }
        // A format 1 file may carry one (it is then checked the same way) or not.
        let old = "-- autogen:revision 3f9a2c1b7d04\n-- autogen:upgrade\nSELECT 1;\n-- autogen:downgrade\n";
        assert_eq!(parse_revision(Path::new("x.sql"), old).unwrap().format, 1);
        let with_end = format!("{old}-- autogen:end\n");
        assert!(parse_revision(Path::new("x.sql"), &with_end).is_ok());
        assert!(parse_err(&format!("{with_end}SELECT 2;\n")).contains("text after"));
    }

    #[test]
    fn marker_lines_count_only_at_statement_boundaries() {
        let up = "INSERT INTO t VALUES ('\n-- autogen:downgrade\n-- autogen:end\n');\n/*\n-- autogen:downgrade\n*/\nCREATE TRIGGER tr AFTER INSERT ON t BEGIN\n-- autogen:end\nSELECT 1;\nEND;";
        let rev = parse_revision(Path::new("x.sql"), &v2(up, "DROP TABLE t;")).unwrap();
        assert_eq!(rev.upgrade_sql, up);
        assert_eq!(rev.downgrade_sql, "DROP TABLE t;");
        assert_eq!(split_statements(&rev.upgrade_sql, Dialect::Sqlite).len(), 2);
        // A statement missing its `;` hides the marker after it; the error says so.
        let err = parse_err(&v2("SELECT 1", "SELECT 2;"));
        assert!(
            err.contains("line 8 looks like `-- autogen:downgrade` but does not count"),
            "{err}"
        );
        // Format 1 files read every marker line, as they always did.
        let old = "-- autogen:revision 3f9a2c1b7d04\n-- autogen:upgrade\nSELECT 1\n-- autogen:downgrade\nSELECT 2\n";
        let rev = parse_revision(Path::new("x.sql"), old).unwrap();
        assert_eq!(
            (rev.upgrade_sql.as_str(), rev.downgrade_sql.as_str()),
            ("SELECT 1", "SELECT 2")
        );
    }

    #[test]
    fn no_transaction_lines_in_sections_and_header() {
        let up = "CREATE TABLE t (a int);\n-- autogen:no-transaction\nCREATE INDEX CONCURRENTLY i ON t (a);";
        let rev = parse_revision(Path::new("r.sql"), &v2(up, "DROP TABLE t;")).unwrap();
        assert!(rev
            .upgrade_sql
            .contains("-- autogen:no-transaction\nCREATE INDEX"));
        assert!(!rev.no_transaction);
        let marks: Vec<bool> = crate::split::split_marked(&rev.upgrade_sql, Dialect::Postgres)
            .iter()
            .map(|s| s.no_transaction)
            .collect();
        assert_eq!(marks, [false, true]);

        // A line that marks nothing is refused, naming its line.
        let err = parse_err(&v2("SELECT 1;\n-- autogen:no-transaction", "SELECT 2;"));
        assert!(
            err.contains(":7:") && err.contains("marks no statement"),
            "{err}"
        );
        let err = parse_err(&v2(
            "SELECT 1;",
            "-- autogen:no-transaction\n-- autogen:no-transaction\nSELECT 2;",
        ));
        assert!(
            err.contains("downgrade section marks no statement"),
            "{err}"
        );
        let err = parse_err(&v2(
            "-- autogen:no-transaction please\nSELECT 1;",
            "SELECT 2;",
        ));
        assert!(err.contains("stands alone"), "{err}");

        // In the header: every statement of the file.
        let text = v2("VACUUM;", "SELECT 1;").replacen(
            "-- autogen:format 2\n",
            "-- autogen:format 2\n-- autogen:no-transaction\n",
            1,
        );
        assert!(
            parse_revision(Path::new("r.sql"), &text)
                .unwrap()
                .no_transaction
        );

        // The writer keeps the line a statement carries, as it keeps rebuild lines.
        let text = render_revision(
            &header(),
            &[Statement::new(
                "-- autogen:no-transaction\nCREATE INDEX CONCURRENTLY i ON t (a)",
            )],
            &[],
        )
        .unwrap();
        assert!(
            text.contains("\n-- autogen:no-transaction\nCREATE INDEX CONCURRENTLY"),
            "{text}"
        );
    }

    #[test]
    fn rebuild_directives_stay_in_their_section() {
        let up =
            "-- autogen:rebuild users id,email\nCREATE TABLE \"_autogen_new_users\" (id integer);";
        let rev = parse_revision(
            Path::new("x.sql"),
            &v2(up, "-- autogen:rebuild users id\nSELECT 1;"),
        )
        .unwrap();
        assert_eq!(rev.upgrade_sql, up);
        assert!(rev
            .downgrade_sql
            .starts_with("-- autogen:rebuild users id\n"));
        let old = "-- autogen:revision 3f9a2c1b7d04\n-- autogen:upgrade\n-- autogen:rebuild t a\n-- autogen:downgrade\n";
        assert!(parse_revision(Path::new("x.sql"), old).is_ok());
        let err = parse_err("-- autogen:revision 3f9a2c1b7d04\n-- autogen:rebuild t\n-- autogen:upgrade\n-- autogen:downgrade\n");
        assert!(
            err.contains("belongs inside the upgrade or downgrade section"),
            "{err}"
        );
        // The writer writes the directive from the statement's rebuild fact, passes it through
        // from the SQL, and never lets a note pose as one.
        let text = render_revision(
            &header(),
            &[
                Statement {
                    rebuild: Some(autogen_sql::RebuildExpectation {
                        table: "a".into(),
                        columns: vec!["id".into()],
                    }),
                    ..Statement::new("CREATE TABLE a (id integer)")
                },
                stmt("-- autogen:rebuild b id\nCREATE TABLE b (id integer)", None),
                stmt("CREATE TABLE c (id integer)", Some("autogen:rebuild c id")),
            ],
            &[],
        )
        .unwrap();
        assert!(
            text.contains("\n-- autogen:rebuild \"a\" \"id\"\nCREATE TABLE a"),
            "{text}"
        );
        assert!(
            text.contains("\n-- (autogen:rebuild c id)\nCREATE TABLE c"),
            "{text}"
        );
        assert!(
            text.contains("\n-- autogen:rebuild b id\nCREATE TABLE b"),
            "{text}"
        );
    }

    #[test]
    fn the_writer_turns_marker_lines_of_sql_into_plain_comments() {
        let text = render_revision(
            &header(),
            &[
                stmt("SELECT 1", Some("autogen:downgrade")),
                stmt(
                    "-- autogen:end\nSELECT 2;\n  --autogen:upgrade\nSELECT 3",
                    None,
                ),
                stmt("SELECT 4\n-- autogen:end\n+ 1", None),
            ],
            &[],
        )
        .unwrap();
        assert!(text.contains("-- (autogen:downgrade)\nSELECT 1;"), "{text}");
        assert!(
            text.contains("-- (autogen:end)\nSELECT 2;\n  -- (autogen:upgrade)\nSELECT 3;"),
            "{text}"
        );
        // Inside an unfinished statement a marker line is SQL text, written as it is.
        assert!(text.contains("SELECT 4\n-- autogen:end\n+ 1;"), "{text}");
        let rev = parse_revision(Path::new("x.sql"), &text).unwrap();
        assert_eq!(
            split_statements(&rev.upgrade_sql, Dialect::Postgres),
            vec![
                "SELECT 1",
                "SELECT 2",
                "SELECT 3",
                "SELECT 4\n-- autogen:end\n+ 1"
            ]
        );
    }

    #[test]
    fn checksums_read_crlf_as_lf_and_accept_the_raw_bytes() {
        let lf = render_revision(&header(), &[stmt("SELECT 1", None)], &[]).unwrap();
        let crlf = lf.replace('\n', "\r\n");
        let a = parse_revision(Path::new("x.sql"), &lf).unwrap();
        let b = parse_revision(Path::new("x.sql"), &crlf).unwrap();
        assert_eq!(a.checksum, checksum(lf.as_bytes()));
        assert_eq!(b.checksum, a.checksum);
        // What an older autogen recorded for either checkout is accepted by both.
        for rev in [&a, &b] {
            assert!(rev.has_checksum(&checksum(lf.as_bytes())));
            assert!(rev.has_checksum(&checksum(crlf.as_bytes())));
            assert!(!rev.has_checksum(&checksum(b"something else")));
        }
        // Only the header's acknowledgement line is left out; the same words inside a string
        // are SQL, and editing them is an edit.
        let acked = lf.replacen(
            "-- autogen:format 2\n",
            "-- autogen:format 2\n-- autogen:allow-destructive fine\n",
            1,
        );
        assert_eq!(
            parse_revision(Path::new("x.sql"), &acked).unwrap().checksum,
            a.checksum
        );
        let in_string = |words: &str| {
            let text = render_revision(
                &header(),
                &[stmt(
                    &format!("SELECT '\n-- autogen:allow-destructive {words}\n'"),
                    None,
                )],
                &[],
            )
            .unwrap();
            parse_revision(Path::new("x.sql"), &text).unwrap().checksum
        };
        assert_ne!(in_string("a"), in_string("b"));
    }

    #[test]
    fn another_dialect_is_refused_by_name() {
        let rev = parse_revision(Path::new("revs/x.sql"), &v2("SELECT 1;", "")).unwrap();
        assert!(rev.check_dialect(Dialect::Sqlite).is_ok());
        let err = rev
            .check_dialect(Dialect::Postgres)
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("revs/x.sql: revision 3f9a2c1b7d04 is written for SQLite (its `-- autogen:dialect sqlite` line) and cannot run on PostgreSQL; nothing was run"), "{err}");
        let portable = parse_revision(
            Path::new("x.sql"),
            &v2("", "").replace("-- autogen:dialect sqlite\n", ""),
        )
        .unwrap();
        assert!(Dialect::ALL
            .iter()
            .all(|d| portable.check_dialect(*d).is_ok()));
    }
}
