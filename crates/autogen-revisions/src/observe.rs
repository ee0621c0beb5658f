//! What a run tells its caller while it works, and how the caller asks it to stop. The runner
//! sends [`RunEvent`]s (waiting for another run's lock, a revision started, a revision finished)
//! to a [`RunObserver`]; the CLI prints them, so a long backfill does not look hung and a failure
//! in the second revision still shows that the first was committed. The observer also answers
//! [`RunObserver::stop_requested`], which the runner asks between statements (SIGINT/SIGTERM in
//! the CLI). This file owns only the vocabulary; it prints nothing and installs no handler.

use std::time::Duration;

use crate::error::Direction;
use crate::file::Revision;

/// One thing that happened during a run.
#[derive(Debug, Clone, Copy)]
pub enum RunEvent<'a> {
    /// Another run holds the migration lock of this database. Sent once the wait passes one
    /// second, then every few seconds with the time waited so far.
    WaitingForLock { waited: Duration },
    /// The lock was granted after a wait of `waited`.
    LockAcquired { waited: Duration },
    /// `revision` starts (`position` of `total` in this run, 1-based).
    Started {
        revision: &'a Revision,
        direction: Direction,
        position: usize,
        total: usize,
    },
    /// Something the run found and dealt with while resuming `revision`, worth telling the user
    /// (an INVALID index an interrupted `CREATE INDEX CONCURRENTLY` left, dropped to be built
    /// again; a statement an earlier run left unfinished, settled from the catalog).
    Notice {
        revision: &'a Revision,
        message: &'a str,
    },
    /// `revision` was applied (or reverted) and recorded.
    Finished {
        revision: &'a Revision,
        direction: Direction,
        elapsed: Duration,
    },
}

/// Receives a run's events and tells it when to stop. Both methods have do-nothing defaults.
pub trait RunObserver: Sync {
    fn event(&self, event: RunEvent<'_>) {
        let _ = event;
    }

    /// Whether the run should stop at the next point where it can stop cleanly: between
    /// revisions, and between statements (a transactional revision is then rolled back; on
    /// MySQL/MariaDB the statements that ran are recorded and the next run resumes after them).
    fn stop_requested(&self) -> bool {
        false
    }
}

/// An observer that ignores every event and never asks to stop.
#[derive(Debug, Clone, Copy, Default)]
pub struct Quiet;

impl RunObserver for Quiet {}

/// How long a lock wait goes before the first [`RunEvent::WaitingForLock`].
pub(crate) const FIRST_WAIT_REPORT: Duration = Duration::from_secs(1);
/// How often a continuing lock wait is reported after the first report.
pub(crate) const WAIT_REPORT_EVERY: Duration = Duration::from_secs(5);
/// How long the runner sleeps between two tries of a busy lock.
pub(crate) const LOCK_POLL: Duration = Duration::from_millis(100);
