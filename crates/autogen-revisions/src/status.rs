//! Where a database stands relative to a revisions folder, as one plain value: the applied
//! revisions it heads, the folder's heads, what is pending, what was edited after it ran, what
//! the folder does not hold and what a stopped run left part way. `autogen current`, `check`,
//! `history`, `autogenerate`'s "is the database at head" and the application-side `Migrator` all
//! read this one value, computed by one function ([`DatabaseStatus::new`]) from the revision set
//! and the version table's rows.
//!
//! This file reads the version table through the runner's queries and decides nothing: whether
//! a status is good enough for a command (at head, in sync) is the caller's question.

use std::collections::BTreeSet;

use autogen_db::Connection;

use crate::error::EditedRevision;
use crate::graph::RevisionSet;
use crate::runner::{current, edited_revisions, partially_applied, AppliedRevision};
use crate::{PartialRevision, RunError};

/// Where a database stands relative to a revision set.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DatabaseStatus {
    /// Every row of the version table, oldest first.
    pub applied: Vec<AppliedRevision>,
    /// Applied revisions no other applied revision follows (usually one; empty = base).
    pub current: Vec<String>,
    /// Heads of the revision set, in history order (more than one: branches to merge).
    pub heads: Vec<String>,
    /// Revisions of the set not applied, in history order: what an upgrade to every head applies.
    pub pending: Vec<String>,
    /// Applied revisions whose file no longer has the checksum recorded when they ran.
    pub edited: Vec<EditedRevision>,
    /// Applied revisions the set does not hold (another branch's files?), oldest first.
    pub unknown: Vec<String>,
    /// Revisions a failed or stopped run left partially applied (MySQL/MariaDB, or a revision
    /// with `-- autogen:no-transaction` steps).
    pub partial: Vec<PartialRevision>,
    /// Indexes the database holds as INVALID (PostgreSQL: `pg_index.indisvalid` is false), as
    /// `index on table`: left by a failed or interrupted `CREATE INDEX CONCURRENTLY` (or being
    /// built right now). Such an index is not used by queries and does not enforce uniqueness,
    /// so the database is not what its catalog shows. Empty elsewhere.
    pub invalid_indexes: Vec<String>,
}

impl DatabaseStatus {
    /// The status for the version table's rows `applied` and the `partial` rows, against `set`.
    /// Reads nothing.
    pub fn new(
        set: &RevisionSet,
        applied: Vec<AppliedRevision>,
        partial: Vec<PartialRevision>,
    ) -> DatabaseStatus {
        let ids: BTreeSet<String> = applied.iter().map(|a| a.revision.clone()).collect();
        // Every revision is an ancestor of some head, so "not applied" is exactly what an
        // upgrade to every head would apply, in the same (history) order.
        let pending = set
            .history()
            .iter()
            .filter(|r| !ids.contains(&r.id))
            .map(|r| r.id.clone())
            .collect();
        DatabaseStatus {
            current: set.applied_heads(&ids),
            heads: set.heads().into_iter().map(|r| r.id.clone()).collect(),
            pending,
            edited: edited_revisions(set, &applied),
            unknown: applied
                .iter()
                .filter(|a| set.get(&a.revision).is_none())
                .map(|a| a.revision.clone())
                .collect(),
            applied,
            partial,
            invalid_indexes: Vec::new(),
        }
    }

    /// Reads the version table, the progress rows and (PostgreSQL) the INVALID indexes of
    /// `conn`'s database. Creates nothing: a database without a version table is at base.
    pub async fn read(
        conn: &mut Connection,
        set: &RevisionSet,
    ) -> Result<DatabaseStatus, RunError> {
        let applied = current(conn).await?;
        let partial = partially_applied(conn).await?;
        let mut status = DatabaseStatus::new(set, applied, partial);
        status.invalid_indexes = crate::dialect::invalid_indexes(conn).await?;
        Ok(status)
    }

    /// Whether the database has applied exactly the heads of the set (both empty counts).
    pub fn at_head(&self) -> bool {
        let a: BTreeSet<&String> = self.current.iter().collect();
        let b: BTreeSet<&String> = self.heads.iter().collect();
        a == b
    }

    /// At every head, with nothing pending and nothing edited since it ran.
    pub fn is_up_to_date(&self) -> bool {
        self.pending.is_empty() && self.edited.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::tests::rev;

    const ROOT: &str = "aaaaaaaaaaaa";
    const LEFT: &str = "bbbbbbbbbbbb";
    const RIGHT: &str = "cccccccccccc";

    fn set() -> RevisionSet {
        RevisionSet::new(vec![
            rev(ROOT, &[]),
            rev(LEFT, &[ROOT]),
            rev(RIGHT, &[ROOT]),
        ])
        .unwrap()
    }

    fn row(set: &RevisionSet, id: &str) -> AppliedRevision {
        AppliedRevision {
            revision: id.into(),
            checksum: set.get(id).map_or("0".repeat(64), |r| r.checksum.clone()),
            applied_at: "2026-01-01T00:00:00Z".into(),
        }
    }

    #[test]
    fn base_has_everything_pending() {
        let set = set();
        let status = DatabaseStatus::new(&set, Vec::new(), Vec::new());
        assert!(status.current.is_empty());
        assert_eq!(status.heads, [LEFT, RIGHT]);
        assert_eq!(status.pending, [ROOT, LEFT, RIGHT]);
        assert!(!status.at_head());
        assert!(!status.is_up_to_date());
    }

    #[test]
    fn one_branch_applied_leaves_the_other_pending() {
        let set = set();
        let applied = vec![row(&set, ROOT), row(&set, LEFT)];
        let status = DatabaseStatus::new(&set, applied, Vec::new());
        assert_eq!(status.current, [LEFT]);
        assert_eq!(status.pending, [RIGHT]);
        assert!(status.edited.is_empty() && status.unknown.is_empty());
        assert!(!status.at_head());
    }

    #[test]
    fn edited_unknown_and_at_head() {
        let set = set();
        let mut edited = row(&set, LEFT);
        edited.checksum = "f".repeat(64);
        let applied = vec![
            row(&set, ROOT),
            edited,
            row(&set, RIGHT),
            row(&set, "dddddddddddd"),
        ];
        let status = DatabaseStatus::new(&set, applied, Vec::new());
        assert_eq!(status.edited.len(), 1);
        assert_eq!(status.edited[0].id, LEFT);
        assert_eq!(status.unknown, ["dddddddddddd"]);
        assert!(status.pending.is_empty());
        assert!(!status.is_up_to_date());
        // The unknown revision heads what was applied as far as the set can tell.
        assert!(status.current.contains(&"dddddddddddd".to_string()));
        assert_eq!(status.applied.len(), 4);
    }

    #[test]
    fn at_head_ignores_order() {
        let status = DatabaseStatus {
            current: vec![RIGHT.into(), LEFT.into()],
            heads: vec![LEFT.into(), RIGHT.into()],
            ..DatabaseStatus::default()
        };
        assert!(status.at_head());
        assert!(DatabaseStatus::default().at_head());
    }
}
