//! The library API for applications, like sqlx's `migrate!`: the revisions folder embedded in
//! the binary at compile time (`embed_revisions!`), upgraded to head at start-up, and where the
//! database stands (a [`DatabaseStatus`], the value `autogen current` shows) and the history
//! read as plain values.
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

use autogen_db::Connection;
use autogen_revisions::{DatabaseStatus, EmbeddedRevisions, Revision, RevisionSet};

use crate::error::Error;

/// Applies embedded revisions and reports where a database stands.
#[derive(Debug, Clone)]
pub struct Migrator {
    set: RevisionSet,
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

    /// Where `conn`'s database stands relative to the embedded revisions (`is_up_to_date`: at
    /// head with nothing edited). Reads only; creates nothing.
    pub async fn status(&self, conn: &mut Connection) -> Result<DatabaseStatus, Error> {
        Ok(DatabaseStatus::read(conn, &self.set).await?)
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
