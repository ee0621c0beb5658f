//! Hazards: what a rendered statement does to a table that holds rows and serves traffic (the
//! lock it takes and for how long, whether it rewrites or scans the table, whether it can fail
//! on existing rows). The dialect renderers attach a [`Hazard`] to the statements they write
//! (`dialect/*_hazards.rs`, per dialect and server version); the revisions crate writes it as a
//! `-- hazard: <kind>: <what happens> (<table>, ~<rows> rows)` line, and `--deny-hazards` refuses
//! the kinds a revision does not acknowledge. This file only names the kinds.

use std::fmt;

use autogen_diff::Change;
use autogen_schema::RowEstimate;

use crate::Statement;

/// The kinds of hazard, one name each as written in revision files and acknowledged by
/// `-- autogen:allow-hazard <kind> <reason>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum HazardKind {
    /// An index built while writes wait (PostgreSQL without `CONCURRENTLY`, SQLite).
    IndexBuild,
    /// An index dropped under a lock that queues every query behind it.
    IndexDrop,
    /// A foreign key checked against every row at once, under a lock.
    ForeignKey,
    /// A CHECK constraint checked against every row at once, under a lock.
    Check,
    /// `NOT NULL` set on a column: every row is scanned under a lock, and one NULL fails it.
    SetNotNull,
    /// A column type change that rewrites the table (and its indexes) under a lock.
    Rewrite,
    /// `ADD COLUMN` whose default must be computed for every row: the table is rewritten.
    VolatileDefault,
    /// A unique constraint or unique index built under a lock; duplicates fail it.
    UniqueBuild,
    /// A primary key built under a lock; duplicates or NULLs fail it.
    PrimaryKeyBuild,
    /// An enum type replaced: every column of the type is rewritten.
    EnumRebuild,
    /// MySQL/MariaDB: a change the server can only make with `ALGORITHM=COPY` on this version.
    Copy,
    /// SQLite: the table is rebuilt (every row copied) under the database's write lock.
    TableRebuild,
    /// A rename: running clients that use the old name fail until they are redeployed.
    Rename,
}

impl HazardKind {
    /// Every kind, in the order the README lists them.
    pub const ALL: [HazardKind; 13] = [
        HazardKind::IndexBuild,
        HazardKind::IndexDrop,
        HazardKind::ForeignKey,
        HazardKind::Check,
        HazardKind::SetNotNull,
        HazardKind::Rewrite,
        HazardKind::VolatileDefault,
        HazardKind::UniqueBuild,
        HazardKind::PrimaryKeyBuild,
        HazardKind::EnumRebuild,
        HazardKind::Copy,
        HazardKind::TableRebuild,
        HazardKind::Rename,
    ];

    /// The kind's name in revision files.
    pub fn name(self) -> &'static str {
        match self {
            HazardKind::IndexBuild => "index-build",
            HazardKind::IndexDrop => "index-drop",
            HazardKind::ForeignKey => "foreign-key",
            HazardKind::Check => "check",
            HazardKind::SetNotNull => "set-not-null",
            HazardKind::Rewrite => "rewrite",
            HazardKind::VolatileDefault => "volatile-default",
            HazardKind::UniqueBuild => "unique-build",
            HazardKind::PrimaryKeyBuild => "primary-key-build",
            HazardKind::EnumRebuild => "enum-rebuild",
            HazardKind::Copy => "copy",
            HazardKind::TableRebuild => "table-rebuild",
            HazardKind::Rename => "rename",
        }
    }

    /// The kind named `name`, `None` for an unknown name.
    pub fn from_name(name: &str) -> Option<HazardKind> {
        HazardKind::ALL.into_iter().find(|k| k.name() == name)
    }
}

impl fmt::Display for HazardKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What one statement risks on a live table (see the module documentation).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hazard {
    pub kind: HazardKind,
    /// What happens, in a few words (`SHARE lock for the whole build: writes wait`).
    pub what: String,
    /// The table it happens to, keyed like [`autogen_schema::Table::name`].
    pub table: String,
    /// The table's estimated rows in the database the revision was generated against; `None`
    /// when no database was asked (`autogen diff`, the golden fixtures).
    pub rows: Option<RowEstimate>,
    /// Whether writes to the table wait while the step reads, builds, rewrites or copies the
    /// whole table, rather than only for a brief catalog change: the part of the prediction a
    /// dev database can confirm (`autogen::ops::observed`). Set from the kind by
    /// [`Hazard::new`]; a dialect that does the same work while writes continue says so with
    /// [`Hazard::writes_continue`].
    pub blocks_writes: bool,
}

impl Hazard {
    pub fn new(kind: HazardKind, table: &str, what: impl Into<String>) -> Hazard {
        Hazard {
            kind,
            what: what.into(),
            table: table.to_string(),
            rows: None,
            blocks_writes: !matches!(kind, HazardKind::Rename | HazardKind::IndexDrop),
        }
    }

    /// The same hazard, for a step that keeps the table writable while it works (MySQL's
    /// `INPLACE` builds, which still fail on existing rows).
    pub fn writes_continue(self) -> Hazard {
        Hazard {
            blocks_writes: false,
            ..self
        }
    }

    /// The text after `-- hazard: `: `<kind>: <what happens> (<table>, ~<rows> rows)`, the rows
    /// left out when they were not read.
    pub fn line(&self) -> String {
        match self.rows {
            Some(rows) => format!(
                "{}: {} ({}, ~{rows} rows)",
                self.kind, self.what, self.table
            ),
            None => format!("{}: {} ({})", self.kind, self.what, self.table),
        }
    }
}

/// The hazard of a rename, the same on every dialect.
pub(crate) fn rename_hazard(table: &str, what: &str) -> Hazard {
    Hazard::new(
        HazardKind::Rename,
        table,
        format!("{what}: running clients that use the old name fail from this step until they are redeployed"),
    )
}

/// Sets `hazard` on `statement` unless it has one (a hazard written where the statement is
/// rendered is the more precise one).
pub(crate) fn set(statement: &mut Statement, hazard: Hazard) {
    if statement.hazard.is_none() {
        statement.hazard = Some(hazard);
    }
}

/// Clears the hazards on tables that `changes` create: a table created in the same revision is
/// empty and unused while the revision runs.
pub(crate) fn forget_new_tables(changes: &[Change], statements: &mut [Statement]) {
    let created: Vec<&str> = changes
        .iter()
        .filter_map(|c| match c {
            Change::CreateTable(t) => Some(t.name.as_str()),
            _ => None,
        })
        .collect();
    if created.is_empty() {
        return;
    }
    for statement in statements {
        if statement
            .hazard
            .as_ref()
            .is_some_and(|h| created.contains(&h.table.as_str()))
        {
            statement.hazard = None;
        }
    }
}

/// The default of `sqlite_rebuild_rows`: in online mode, a SQLite table rebuild of a table
/// known to hold fewer rows is written with a note instead of a hazard.
pub const SQLITE_REBUILD_ROWS: u64 = 100_000;

/// Online mode's row threshold for table rebuilds (SQLite, the one dialect that rebuilds): a
/// `table-rebuild` hazard whose table is known to hold fewer than `limit` rows becomes a note
/// (the write lock is held for a short copy); one at or above it, or of a table whose rows are
/// unknown or were not read, stays a hazard. Applied after the row estimates are filled in.
pub fn settle_small_rebuilds(statements: &mut [Statement], limit: u64) {
    for statement in statements {
        let Some(hazard) = &statement.hazard else {
            continue;
        };
        let rows = match hazard.rows {
            Some(RowEstimate::Rows(rows)) if rows < limit => rows,
            _ => continue,
        };
        if hazard.kind != HazardKind::TableRebuild {
            continue;
        }
        let note = format!(
            "online: rebuilds {} (~{rows} rows, under sqlite_rebuild_rows = {limit}): writers wait for the copy, no online form exists on SQLite",
            hazard.table
        );
        statement.note = Some(match statement.note.take() {
            Some(before) => format!("{before}; {note}"),
            None => note,
        });
        statement.hazard = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_lines_read_as_documented() {
        for kind in HazardKind::ALL {
            assert_eq!(HazardKind::from_name(kind.name()), Some(kind));
        }
        assert_eq!(HazardKind::from_name("index"), None);
        let mut h = Hazard::new(HazardKind::IndexBuild, "users", "writes wait");
        assert_eq!(h.line(), "index-build: writes wait (users)");
        h.rows = Some(RowEstimate::Rows(1200));
        assert_eq!(h.line(), "index-build: writes wait (users, ~1200 rows)");
        h.rows = Some(RowEstimate::Unknown);
        assert_eq!(h.line(), "index-build: writes wait (users, ~unknown rows)");
    }

    #[test]
    fn small_rebuilds_become_notes_and_large_or_unknown_ones_stay_hazards() {
        let rebuild = |rows: Option<RowEstimate>| Statement {
            hazard: Some(Hazard {
                rows,
                ..Hazard::new(HazardKind::TableRebuild, "t", "rows copied")
            }),
            ..Statement::new("INSERT INTO x SELECT * FROM t")
        };
        let mut statements = vec![
            rebuild(Some(RowEstimate::Rows(10))),
            rebuild(Some(RowEstimate::Rows(100))),
            rebuild(Some(RowEstimate::Unknown)),
            rebuild(None),
        ];
        settle_small_rebuilds(&mut statements, 100);
        assert!(statements[0].hazard.is_none());
        assert_eq!(
            statements[0].note.as_deref(),
            Some("online: rebuilds t (~10 rows, under sqlite_rebuild_rows = 100): writers wait for the copy, no online form exists on SQLite")
        );
        assert!(statements[1..]
            .iter()
            .all(|s| s.hazard.is_some() && s.note.is_none()));
    }
}
