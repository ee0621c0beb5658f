//! Revision files and the runner that applies them.
//!
//! A revision is one plain-SQL file in the revisions folder ([`render_revision`] and
//! [`parse_revision`] own its exact format, documented in `src/file.rs`); the folder as a whole is
//! a [`RevisionSet`], a DAG of revisions linked by their parents; [`upgrade`], [`downgrade`],
//! [`stamp`] and [`current`] apply, revert and read revisions on a live database, recording them
//! in the version table ([`VERSION_TABLES`]); [`upgrade_script`] and [`downgrade_script`] write the
//! same work as an offline script. Statement splitting ([`split_statements`]) is the one place
//! that knows where a statement ends in each dialect.
//!
//! This crate deliberately does not compute schema differences, render changes to SQL (it takes
//! `autogen_sql::Statement`s), choose folders or print anything: the facade and the CLI do that.

#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

mod error;
mod file;
mod graph;
mod name;
mod runner;
mod script;
mod split;
mod time;

mod dialect;

pub use error::{Direction, RevisionError, RunError, StatementFailure};
pub use file::{parse_revision, render_revision, Revision, RevisionHeader, HEADER_HELP};
pub use graph::RevisionSet;
pub use name::{file_name, is_valid_id, new_revision_id, slug, write_revision_file};
pub use runner::{current, downgrade, history, stamp, upgrade, AppliedRevision, VERSION_TABLES};
pub use script::{downgrade_script, upgrade_script};
pub use split::split_statements;
pub use time::{format_timestamp, now_timestamp};

/// Re-exported so callers can build the statements of a revision without naming autogen-sql.
pub use autogen_sql::Statement;
