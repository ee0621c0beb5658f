//! Revisions carried inside an application binary: the (file name, contents) pairs
//! `autogen::embed_revisions!` reads from the revisions folder at compile time, validated at run
//! time with the same checks as a folder. This file does not read files (the macro does) nor
//! apply anything (the runner does).

use crate::graph::RevisionSet;
use crate::RevisionError;

/// A revisions folder read at compile time by `autogen::embed_revisions!("revisions")`: the
/// `*.sql` file names and contents, so an application binary carries its own migrations.
#[derive(Debug, Clone, Copy)]
pub struct EmbeddedRevisions {
    files: &'static [(&'static str, &'static str)],
}

impl EmbeddedRevisions {
    /// What `embed_revisions!` expands to; usable by hand with `include_str!`.
    pub const fn new(files: &'static [(&'static str, &'static str)]) -> EmbeddedRevisions {
        EmbeddedRevisions { files }
    }

    /// The (file name, contents) pairs, sorted by name.
    pub fn files(&self) -> &'static [(&'static str, &'static str)] {
        self.files
    }

    /// Validates the embedded files as a revision set (same checks as a folder).
    pub fn load(&self) -> Result<RevisionSet, RevisionError> {
        RevisionSet::from_sources(self.files)
    }
}
