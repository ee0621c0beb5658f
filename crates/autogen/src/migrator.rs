//! The library API for applications, like sqlx's `migrate!`: the revisions folder embedded in
//! the binary at compile time (`embed_revisions!`), upgraded to head at start-up, and the status
//! (current revisions, pending revisions, heads, history) read as plain values.
//!
//! ```no_run
//! # async fn start(url: &str) -> Result<(), autogen::Error> {
//! // In an application: `autogen::Migrator::new(autogen::embed_revisions!("revisions"))?`.
//! let migrator = autogen::Migrator::new(autogen::revisions::EmbeddedRevisions::new(&[]))?;
//! let url = autogen::db::DatabaseUrl::parse(url)?;
//! let mut conn = autogen::db::Connection::connect(&url).await?;
//! let applied = migrator.upgrade_to_head(&mut conn).await?;
//! let status = migrator.status(&mut conn).await?;
//! assert!(status.is_up_to_date());
//! # Ok(()) }
//! ```
//!
//! It runs the same runner as `autogen upgrade` (locks, one transaction per revision, checksum
//! checks), so an application and the CLI can take turns on one database. It does not read the
//! models or autogenerate anything: that is a development-time job.

use std::collections::BTreeSet;

use autogen_db::Connection;
use autogen_revisions::{
    AppliedRevision, EditedRevision, EmbeddedRevisions, Revision, RevisionSet,
};

use crate::error::Error;

/// Applies embedded revisions and reports where a database stands.
#[derive(Debug, Clone)]
pub struct Migrator {
    set: RevisionSet,
}

/// Where a database stands relative to the embedded revisions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrationStatus {
    /// Applied revisions no other applied revision follows (empty = base).
    pub current: Vec<String>,
    /// Revisions `upgrade_to_head` would apply, in order.
    pub pending: Vec<String>,
    /// Heads of the embedded graph (one, unless branches were not merged).
    pub heads: Vec<String>,
    /// Every row of the version table, oldest first.
    pub applied: Vec<AppliedRevision>,
    /// Applied revisions whose embedded file differs from what ran.
    pub edited: Vec<EditedRevision>,
}

impl MigrationStatus {
    /// At head, with nothing pending and nothing edited.
    pub fn is_up_to_date(&self) -> bool {
        self.pending.is_empty() && self.edited.is_empty()
    }
}

impl Migrator {
    /// Validates the embedded revisions (unique ids, existing parents, no cycles, parsable).
    pub fn new(embedded: EmbeddedRevisions) -> Result<Migrator, Error> {
        Ok(Migrator {
            set: embedded.load()?,
        })
    }

    /// A migrator over an already loaded revision set (e.g. `RevisionSet::load(dir)`).
    pub fn from_set(set: RevisionSet) -> Migrator {
        Migrator { set }
    }

    /// Applies every pending revision up to the single head; returns the ids applied. Refuses
    /// (changing nothing) when the graph has several heads or an applied revision was edited.
    pub async fn upgrade_to_head(&self, conn: &mut Connection) -> Result<Vec<String>, Error> {
        Ok(autogen_revisions::upgrade(conn, &self.set, "head").await?)
    }

    /// Where `conn`'s database stands. Reads only; creates nothing.
    pub async fn status(&self, conn: &mut Connection) -> Result<MigrationStatus, Error> {
        let applied = autogen_revisions::current(conn).await?;
        let ids: BTreeSet<String> = applied.iter().map(|a| a.revision.clone()).collect();
        let pending = self
            .set
            .path_to(&ids, "heads")?
            .into_iter()
            .map(|r| r.id.clone())
            .collect();
        Ok(MigrationStatus {
            current: self.set.applied_heads(&ids),
            pending,
            heads: self.heads(),
            edited: autogen_revisions::edited_revisions(&self.set, &applied),
            applied,
        })
    }

    /// The heads of the graph, in history order.
    pub fn heads(&self) -> Vec<String> {
        self.set.heads().into_iter().map(|r| r.id.clone()).collect()
    }

    /// Every revision, root first.
    pub fn history(&self) -> &[Revision] {
        self.set.history()
    }

    pub fn revisions(&self) -> &RevisionSet {
        &self.set
    }
}
