//! The revision file format: rendering a header plus upgrade and downgrade statements to text,
//! and parsing such text back. The format, exactly:
//!
//! ```sql
//! -- autogen:revision 3f9a2c1b7d04
//! -- autogen:parent 9b1e77aa0c12
//! -- autogen:message add column
//! -- autogen:created 2026-11-21T15:30:12Z
//!
//! -- autogen:upgrade
//! -- destructive: drops column users.bio and its data
//! ALTER TABLE "users" DROP COLUMN "bio";
//!
//! -- autogen:downgrade
//! ALTER TABLE "users" ADD COLUMN "bio" text;
//! ```
//!
//! The header comes first: `revision` (12 lowercase hex digits, required), `parent` (one line per
//! parent, none for a root), `message` (one line) and `created` (optional), in any order, each
//! once. Blank lines and ordinary `--` comments may appear in the header. Then the line
//! `-- autogen:upgrade` starts the upgrade section and `-- autogen:downgrade` the downgrade
//! section; each holds `;`-terminated SQL, every statement optionally preceded by a one-line
//! `-- comment`; an empty section holds the line `-- (no steps)`. The body (everything from
//! `-- autogen:upgrade` on) depends only on the statements, so the same statements always give
//! the same bytes.
//!
//! A reviewer acknowledges the destructive steps of a revision (the statements autogenerate marks
//! with a `-- destructive: ...` comment) by adding one header line,
//! `-- autogen:allow-destructive <reason>`. That line is review metadata, not SQL that runs: it
//! is left out of the checksum, so acknowledging an already applied revision is not an edit.
//!
//! This file does not split sections into statements (see `split.rs`, which needs the dialect)
//! nor look at other files (see `graph.rs`).

use std::path::{Path, PathBuf};

use autogen_sql::Statement;
use sha2::{Digest, Sha256};

use crate::name::is_valid_id;
use crate::RevisionError;

/// What every parse error shows after its message, so a hand-edited file can be fixed without
/// looking anything up.
pub const HEADER_HELP: &str =
    "help: a revision file looks like this (the revision line and both section lines are required):
    -- autogen:revision 3f9a2c1b7d04        <- 12 lowercase hex digits
    -- autogen:parent 9b1e77aa0c12          <- one line per parent; none for the first revision
    -- autogen:message add column           <- optional, one line
    -- autogen:created 2026-11-21T15:30:12Z <- optional
    -- autogen:upgrade
    ...SQL statements ending in `;`...
    -- autogen:downgrade
    ...SQL statements ending in `;`...";

const UPGRADE_MARKER: &str = "-- autogen:upgrade";
const DOWNGRADE_MARKER: &str = "-- autogen:downgrade";
const NO_STEPS: &str = "-- (no steps)";

/// The header of a revision file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RevisionHeader {
    pub id: String,
    /// Empty for a root revision; several for a merge.
    pub parents: Vec<String>,
    /// One line; newlines are folded to spaces when rendered.
    pub message: String,
    /// `YYYY-MM-DDTHH:MM:SSZ`, see [`crate::now_timestamp`].
    pub created: String,
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
    /// SHA-256 of the file's bytes without its `-- autogen:allow-destructive` line, lowercase
    /// hex (for a file without that line: the whole file).
    pub checksum: String,
    /// The reason on the `-- autogen:allow-destructive <reason>` header line: a reviewer has
    /// accepted the data loss of this revision's destructive steps. `None` without that line.
    pub allow_destructive: Option<String>,
}

/// The comment prefix autogen-sql puts above a statement that can lose data.
const DESTRUCTIVE_PREFIX: &str = "destructive:";

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
}

/// Renders a revision file. Statement comments and the message are folded onto one line (a
/// newline in them would otherwise turn the rest into executable SQL).
pub fn render_revision(
    header: &RevisionHeader,
    upgrade: &[Statement],
    downgrade: &[Statement],
) -> String {
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
) -> String {
    let mut out = String::new();
    out.push_str(&format!("-- autogen:revision {}\n", one_line(&header.id)));
    for parent in &header.parents {
        out.push_str(&format!("-- autogen:parent {}\n", one_line(parent)));
    }
    push_key(&mut out, "message", &header.message);
    push_key(&mut out, "created", &header.created);
    out.push('\n');
    out.push_str(&render_body(notes, upgrade, downgrade));
    out
}

/// The part of a revision file from `-- autogen:upgrade` on.
fn render_body(notes: &[String], upgrade: &[Statement], downgrade: &[Statement]) -> String {
    let mut out = String::new();
    out.push_str(UPGRADE_MARKER);
    out.push('\n');
    for note in notes {
        out.push_str(&format!("-- note: {}\n", one_line(note)));
    }
    render_section(&mut out, upgrade);
    out.push('\n');
    out.push_str(DOWNGRADE_MARKER);
    out.push('\n');
    render_section(&mut out, downgrade);
    out
}

fn push_key(out: &mut String, key: &str, value: &str) {
    let value = one_line(value);
    if value.is_empty() {
        out.push_str(&format!("-- autogen:{key}\n"));
    } else {
        out.push_str(&format!("-- autogen:{key} {value}\n"));
    }
}

fn render_section(out: &mut String, statements: &[Statement]) {
    let mut any = false;
    for statement in statements {
        let sql = statement.sql.trim();
        let sql = sql.strip_suffix(';').unwrap_or(sql).trim_end();
        if sql.is_empty() {
            continue;
        }
        if any {
            out.push('\n');
        }
        any = true;
        if let Some(comment) = &statement.comment {
            let comment = one_line(comment);
            if comment.is_empty() {
                out.push_str("--\n");
            } else {
                out.push_str(&format!("-- {comment}\n"));
            }
        }
        out.push_str(sql);
        // A statement whose last line holds a line comment would swallow a `;` written on the
        // same line, so the terminator goes on a line of its own then.
        let last_line = sql.rsplit('\n').next().unwrap_or(sql);
        if last_line.contains("--") || last_line.contains('#') {
            out.push('\n');
        }
        out.push_str(";\n");
    }
    if !any {
        out.push_str(NO_STEPS);
        out.push('\n');
    }
}

/// Folds every kind of line break (and other control characters) to a space and trims, so the
/// text stays inside one `--` comment line.
fn one_line(text: &str) -> String {
    let folded: String = text
        .chars()
        .map(|c| {
            if c.is_control() || c == '\u{2028}' || c == '\u{2029}' {
                ' '
            } else {
                c
            }
        })
        .collect();
    folded.trim().to_string()
}

/// Which part of the file the parser is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    Header,
    Upgrade,
    Downgrade,
}

/// Parses a revision file. `path` is only used in errors and stored in the result.
pub fn parse_revision(path: &Path, text: &str) -> Result<Revision, RevisionError> {
    let err = |line: usize, message: String| RevisionError::Parse {
        path: path.to_path_buf(),
        line,
        message,
    };
    let mut id: Option<(String, usize)> = None;
    let mut parents: Vec<(String, usize)> = Vec::new();
    let mut message: Option<(String, usize)> = None;
    let mut created: Option<(String, usize)> = None;
    let mut allow_destructive: Option<(String, usize)> = None;
    let mut part = Part::Header;
    let mut upgrade_at: Option<usize> = None;
    let mut upgrade = String::new();
    let mut downgrade = String::new();

    for (index, raw) in text.split('\n').enumerate() {
        let line_no = index + 1;
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        if index == 0 && line.starts_with('\u{feff}') {
            return Err(err(
                line_no,
                "the file starts with a byte-order mark; save it as UTF-8 without BOM".into(),
            ));
        }
        let Some((key, value)) = autogen_key(line) else {
            match part {
                Part::Header => {
                    let t = line.trim();
                    if !t.is_empty() && !t.starts_with("--") {
                        return Err(err(
                            line_no,
                            format!(
                                "SQL before the `{UPGRADE_MARKER}` line; statements belong in the upgrade or downgrade section"
                            ),
                        ));
                    }
                }
                Part::Upgrade => {
                    upgrade.push_str(line);
                    upgrade.push('\n');
                }
                Part::Downgrade => {
                    downgrade.push_str(line);
                    downgrade.push('\n');
                }
            }
            continue;
        };
        match key {
            "upgrade" | "downgrade" if !value.is_empty() => {
                return Err(err(
                    line_no,
                    format!(
                        "`-- autogen:{key}` stands alone on its line (found `{value}` after it)"
                    ),
                ));
            }
            "upgrade" => match part {
                Part::Header => {
                    part = Part::Upgrade;
                    upgrade_at = Some(line_no);
                }
                Part::Upgrade => {
                    return Err(err(line_no, format!("a second `{UPGRADE_MARKER}` line")));
                }
                Part::Downgrade => {
                    return Err(err(
                        line_no,
                        format!("`{UPGRADE_MARKER}` after `{DOWNGRADE_MARKER}`: the upgrade section comes first"),
                    ));
                }
            },
            "downgrade" => match part {
                Part::Header => {
                    return Err(err(
                        line_no,
                        format!("`{DOWNGRADE_MARKER}` before `{UPGRADE_MARKER}`: the upgrade section comes first"),
                    ));
                }
                Part::Upgrade => part = Part::Downgrade,
                Part::Downgrade => {
                    return Err(err(line_no, format!("a second `{DOWNGRADE_MARKER}` line")));
                }
            },
            "revision" | "parent" | "message" | "created" | "allow-destructive"
                if part != Part::Header =>
            {
                return Err(err(
                    line_no,
                    format!(
                        "header line `-- autogen:{key}` inside the {} section; header lines come before `{UPGRADE_MARKER}`",
                        if part == Part::Upgrade { "upgrade" } else { "downgrade" }
                    ),
                ));
            }
            "revision" => {
                if let Some((_, first)) = &id {
                    return Err(err(
                        line_no,
                        format!(
                            "a second `-- autogen:revision` line (the first is on line {first})"
                        ),
                    ));
                }
                if !is_valid_id(value) {
                    return Err(err(
                        line_no,
                        format!(
                            "malformed revision id `{value}`: an id is 12 lowercase hex digits"
                        ),
                    ));
                }
                id = Some((value.to_string(), line_no));
            }
            "parent" => {
                if !is_valid_id(value) {
                    return Err(err(
                        line_no,
                        format!("malformed parent id `{value}`: an id is 12 lowercase hex digits"),
                    ));
                }
                if let Some((_, first)) = parents.iter().find(|(p, _)| p == value) {
                    return Err(err(
                        line_no,
                        format!("parent {value} is listed twice (first on line {first})"),
                    ));
                }
                parents.push((value.to_string(), line_no));
            }
            "allow-destructive" => {
                if let Some((_, first)) = &allow_destructive {
                    return Err(err(
                        line_no,
                        format!("a second `-- autogen:allow-destructive` line (the first is on line {first})"),
                    ));
                }
                if value.is_empty() {
                    return Err(err(
                        line_no,
                        "`-- autogen:allow-destructive` needs a reason after it, e.g. `-- autogen:allow-destructive bio was never filled`".into(),
                    ));
                }
                allow_destructive = Some((value.to_string(), line_no));
            }
            "message" | "created" => {
                let slot = if key == "message" {
                    &mut message
                } else {
                    &mut created
                };
                if let Some((_, first)) = slot {
                    return Err(err(
                        line_no,
                        format!("a second `-- autogen:{key}` line (the first is on line {first})"),
                    ));
                }
                *slot = Some((value.to_string(), line_no));
            }
            other => {
                return Err(err(
                    line_no,
                    format!(
                        "unknown key `-- autogen:{other}`; the keys are revision, parent, message, created, allow-destructive, upgrade and downgrade"
                    ),
                ));
            }
        }
    }

    // Report a missing section at the last line of the file (not the empty "line" after a
    // final newline).
    let last_line = text.lines().count().max(1);
    let Some((id, _)) = id else {
        return Err(err(1, "missing `-- autogen:revision <id>` line".into()));
    };
    if upgrade_at.is_none() {
        return Err(err(
            last_line,
            format!("missing `{UPGRADE_MARKER}` section"),
        ));
    }
    if part != Part::Downgrade {
        return Err(err(
            last_line,
            format!("missing `{DOWNGRADE_MARKER}` section"),
        ));
    }
    if let Some((_, line)) = parents.iter().find(|(p, _)| *p == id) {
        return Err(err(
            *line,
            format!("revision {id} names itself as its parent"),
        ));
    }

    Ok(Revision {
        id,
        parents: parents.into_iter().map(|(p, _)| p).collect(),
        message: message.map(|(m, _)| m).unwrap_or_default(),
        created: created.map(|(c, _)| c).unwrap_or_default(),
        upgrade_sql: upgrade.trim().to_string(),
        downgrade_sql: downgrade.trim().to_string(),
        path: path.to_path_buf(),
        checksum: checksum(without_acknowledgement(text).as_bytes()),
        allow_destructive: allow_destructive.map(|(reason, _)| reason),
    })
}

/// The file text without its `-- autogen:allow-destructive` line (line ending included), which
/// the checksum leaves out so that acknowledging a revision never counts as editing it.
fn without_acknowledgement(text: &str) -> std::borrow::Cow<'_, str> {
    let is_ack = |line: &str| {
        let line = line.trim_end_matches(['\n', '\r']);
        matches!(autogen_key(line), Some(("allow-destructive", _)))
    };
    if !text.split_inclusive('\n').any(is_ack) {
        return std::borrow::Cow::Borrowed(text);
    }
    std::borrow::Cow::Owned(
        text.split_inclusive('\n')
            .filter(|line| !is_ack(line))
            .collect(),
    )
}

/// SHA-256 of `bytes` as lowercase hex.
pub(crate) fn checksum(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Splits a `-- autogen:key value` line into its key and value. Spacing is forgiven
/// (`--autogen:x`), so a near-miss is reported as an autogen line rather than silently treated
/// as an ordinary comment.
fn autogen_key(line: &str) -> Option<(&str, &str)> {
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

    fn stmt(sql: &str, comment: Option<&str>) -> Statement {
        Statement {
            sql: sql.to_string(),
            comment: comment.map(str::to_string),
        }
    }

    fn header() -> RevisionHeader {
        RevisionHeader {
            id: "3f9a2c1b7d04".into(),
            parents: vec!["9b1e77aa0c12".into()],
            message: "add column".into(),
            created: "2026-11-21T15:30:12Z".into(),
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
        );
        assert_eq!(
            text,
            "-- autogen:revision 3f9a2c1b7d04
-- autogen:parent 9b1e77aa0c12
-- autogen:message add column
-- autogen:created 2026-11-21T15:30:12Z

-- autogen:upgrade
-- destructive: drops column users.bio and its data
ALTER TABLE \"users\" DROP COLUMN \"bio\";

-- autogen:downgrade
ALTER TABLE \"users\" ADD COLUMN \"bio\" text;
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
        );
        assert!(
            text.contains("-- autogen:upgrade\n-- note: t.a dropped, t.b added\nALTER TABLE"),
            "{text}"
        );
        let rev = parse_revision(Path::new("r.sql"), &text).unwrap();
        let split = split_statements(&rev.upgrade_sql, Dialect::Sqlite);
        assert_eq!(split.len(), 1, "{split:?}");
        assert_eq!(
            render_revision(&header(), &up, &[]),
            render_revision_with_notes(&header(), &[], &up, &[])
        );
    }

    #[test]
    fn empty_sections_and_roots() {
        let h = RevisionHeader {
            parents: vec![],
            message: String::new(),
            ..header()
        };
        let text = render_revision(&h, &[], &[]);
        assert_eq!(
            text,
            "-- autogen:revision 3f9a2c1b7d04
-- autogen:message
-- autogen:created 2026-11-21T15:30:12Z

-- autogen:upgrade
-- (no steps)

-- autogen:downgrade
-- (no steps)
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
        let a = render_revision(&header(), &up, &[]);
        let other = RevisionHeader {
            id: "000000000000".into(),
            parents: vec![],
            message: "something else".into(),
            created: "2030-01-01T00:00:00Z".into(),
        };
        let b = render_revision(&other, &up, &[]);
        let body = |s: &str| s[s.find(UPGRADE_MARKER).unwrap()..].to_string();
        assert_eq!(body(&a), body(&b));
        assert_eq!(a, render_revision(&header(), &up, &[]));
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
        let text = render_revision(&h, &up, &down);
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
        let text = render_revision(&header(), &[stmt("SELECT 1", None)], &[]).replace('\n', "\r\n");
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
        );
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
}
