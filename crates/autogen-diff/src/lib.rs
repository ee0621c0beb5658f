//! The differ: two schemas in, one ordered list of invertible [`Change`]s out.
//!
//! `diff` is a pure function (no async, no connection, no files): it compares canonical IR
//! values, and expressions (checks, predicates, expression defaults, generated columns) by the
//! comparison keys of `autogen_normalize` for [`DiffOptions::dialect`], which is the only SQL
//! reading it does. Renames happen only when declared
//! ([`DiffOptions::renames`]); nothing is renamed by guess ([`rename_suggestions`] only advises). Ordering is a separate pure pass
//! ([`order`]). The downgrade of a change list is `changes.iter().rev().map(Change::inverse)`
//! ([`downgrade`]), computed without a database. This crate renders no SQL.

mod apply;
mod change;
mod dependencies;
mod describe;
mod diff;
mod error;
mod follow;
mod object_users;
mod objects;
mod order;
mod renames;
mod suggest;
mod table;
mod widening;

pub use apply::{apply, apply_all, ApplyError};
pub use change::{Change, ConstraintKind};
pub use diff::{diff, downgrade, DiffOptions};
pub use error::DiffError;
pub use follow::ConstraintRenames;
pub use objects::{ObjectRules, ViewReplace};
pub use order::order;
pub use suggest::{rename_suggestions, Suggestion, SuggestionKind};
