//! Revision files and the runner that applies them.
//!
//! A revision is one plain-SQL file in the revisions folder ([`render_revision`] and
//! [`parse_revision`] own its exact format, documented in `src/file.rs`); the folder as a whole is
//! a [`RevisionSet`], a DAG of revisions linked by their parents; [`upgrade`], [`downgrade`],
//! [`stamp`] and [`current`] apply, revert and read revisions on a live database, recording them
//! in the version table ([`VERSION_TABLES`]); [`upgrade_script`] and [`downgrade_script`] write the
//! same work as an offline script. Statement splitting ([`split_statements`]) is the one place
//! that knows where a statement ends in each dialect. Targets (`head`, `heads`, `base`, ids and
//! prefixes, `+N`, `REV-N`) are resolved in `src/target.rs`; [`EmbeddedRevisions`] is a folder
//! compiled into an application; [`empty_dev_database`] empties a scratch (dev) database that
//! carries autogen's marker ([`DEV_DATABASE_MARKER`]) or held nothing.
//!
//! The statement protocol: the renderer hands over `autogen_sql::Statement`s carrying facts
//! (what a step loses, a note, a SQLite rebuild's expected columns), and this crate alone decides
//! how facts become lines (`src/statement.rs`, the one writer behind revision files, `diff` and
//! offline scripts) and reads them back from files (`-- destructive:` for `--deny-destructive`,
//! `-- autogen:rebuild` for the runner). `Statement` itself stays in autogen-sql: defining it here
//! would make the renderer depend on the runner's crate and, through it, on sqlx.
//!
//! This crate deliberately does not compute schema differences, render changes to SQL, choose
//! folders or print anything: the facade and the CLI do that.

#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

mod error;
mod file;
mod graph;
mod name;
mod observe;
mod observed;
mod runner;
mod scratch;
mod script;
mod split;
mod statement;
mod status;
mod target;
mod time;
mod version_table;

mod dialect;
mod embedded;

pub use embedded::EmbeddedRevisions;
pub use error::{
    BranchRebuildConflict, Direction, EditedRevision, RebuildMismatch, RevisionError, RunError,
    StatementFailure, UnknownOutcome,
};
pub use file::{
    parse_revision, render_revision, render_revision_with_notes, HazardStep, Revision,
    RevisionHeader, HEADER_HELP,
};
pub use graph::RevisionSet;
pub use name::{file_name, is_valid_id, new_revision_id, slug, write_revision_file};
pub use observe::{Quiet, RunEvent, RunObserver};
pub use observed::{observe_statements, ObservedAlgorithm, StepObserved};
pub use runner::{
    current, downgrade, downgrade_observed, edited_revisions, history, partially_applied, purge,
    stamp, upgrade, upgrade_observed, upgrade_with, AppliedRevision, DowngradeOptions,
    PartialRevision, Resolution, UpgradeOptions, VERSION_TABLES,
};
pub use scratch::{
    clean_database, empty_dev_database, scratch_contents, ScratchContents, ScratchError,
    DEV_DATABASE_MARKER,
};
pub use script::{downgrade_script, upgrade_script};
pub use split::{split_statements, split_statements_with_lines};
pub use statement::render_script;
pub use status::DatabaseStatus;
pub use time::{format_timestamp, now_timestamp};

/// Re-exported so callers can build the statements of a revision without naming autogen-sql.
pub use autogen_sql::{Hazard, HazardKind, RebuildExpectation, Statement};
