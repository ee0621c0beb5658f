//! The differ: two schemas in, one ordered list of invertible [`Change`]s out.
//!
//! `diff` is a pure function (no async, no connection, no files) and dialect-free: it compares
//! canonical IR values and never parses SQL. Renames happen only when declared
//! ([`DiffOptions::renames`]); nothing is renamed by guess ([`rename_suggestions`] only advises). Ordering is a separate pure pass
//! ([`order`]). The downgrade of a change list is `changes.iter().rev().map(Change::inverse)`
//! ([`downgrade`]), computed without a database. This crate deliberately knows no dialect and
//! renders no SQL.

mod apply;
mod change;
mod dependencies;
mod describe;
mod diff;
mod error;
mod order;
mod renames;
mod suggest;
mod table;
mod widening;

pub use apply::{apply, apply_all, ApplyError};
pub use change::Change;
pub use diff::{diff, downgrade, DiffOptions};
pub use error::DiffError;
pub use order::order;
pub use suggest::{rename_suggestions, Suggestion, SuggestionKind};
