//! Observed hazards: what a revision's statements really did to the tables that were there
//! before them, found by running them one at a time on a dev database and asking the server
//! after each. PostgreSQL tells which tables' storage was replaced (`pg_class.relfilenode`
//! changed: a rewrite), which it read in full (sequential scans counted in
//! `pg_stat_xact_user_tables`) and the locks the statement took (`pg_locks`, each statement in
//! its own transaction); MySQL/MariaDB tell the best algorithm they accept for each ALTER (tried
//! as `ALGORITHM=INSTANT`, then `INPLACE, LOCK=NONE`, then `INPLACE, LOCK=SHARED`: a refusal
//! changes nothing, and what none of them admits is a copy); SQLite tells which tables were
//! rebuilt (their root page changed). The facade compares these facts with the hazards the
//! renderer predicted; this file records them and judges nothing.

use autogen_db::Connection;

use crate::error::RunError;
use crate::Statement;

/// What one statement did, as the server reported it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct StepObserved {
    /// The statement's position in the list observed (0-based).
    pub index: usize,
    /// Tables that existed before the first statement and whose storage this one replaced: a
    /// PostgreSQL rewrite, a SQLite rebuild.
    pub rewritten: Vec<String>,
    /// PostgreSQL: tables (existing before the first statement) this statement read in full
    /// while holding a lock that makes writes wait (SHARE or stronger), with that lock's mode.
    pub scanned_blocking: Vec<(String, String)>,
    /// PostgreSQL: the strongest lock the statement took on each table that existed before the
    /// first statement, as `pg_locks` names the mode (`AccessExclusiveLock`).
    pub locks: Vec<(String, String)>,
    /// MySQL/MariaDB: the best algorithm the server accepted for this ALTER; `None` for a
    /// statement that names no table to alter.
    pub algorithm: Option<ObservedAlgorithm>,
    /// Whether the locks and scans were seen: `false` for a PostgreSQL statement that runs
    /// outside a transaction (`CREATE INDEX CONCURRENTLY`), whose locks end with it.
    pub locks_observed: bool,
}

/// An algorithm a MySQL/MariaDB server accepted for an ALTER, best first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ObservedAlgorithm {
    /// Metadata only.
    Instant,
    /// In place while reads and writes continue.
    InplaceNoLock,
    /// In place, but writes wait for the whole operation.
    InplaceShared,
    /// The table is copied while writes wait.
    Copy,
}

impl ObservedAlgorithm {
    /// The clause that asks for it, as the probe wrote it.
    pub fn clause(self) -> &'static str {
        match self {
            ObservedAlgorithm::Instant => "ALGORITHM=INSTANT",
            ObservedAlgorithm::InplaceNoLock => "ALGORITHM=INPLACE, LOCK=NONE",
            ObservedAlgorithm::InplaceShared => "ALGORITHM=INPLACE, LOCK=SHARED",
            ObservedAlgorithm::Copy => "ALGORITHM=COPY",
        }
    }

    /// Whether writes to the table wait while the statement runs.
    pub fn blocks_writes(self) -> bool {
        matches!(
            self,
            ObservedAlgorithm::InplaceShared | ObservedAlgorithm::Copy
        )
    }
}

/// Runs `statements` on `conn` one at a time, in order, and reports what each did (see the
/// module documentation). Meant for a dev database: the statements are applied for real and
/// left applied, and a failing statement ends the observation with its error.
pub async fn observe_statements(
    conn: &mut Connection,
    statements: &[Statement],
) -> Result<Vec<StepObserved>, RunError> {
    crate::dialect::observe(conn, statements).await
}
