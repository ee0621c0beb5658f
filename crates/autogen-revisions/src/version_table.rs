//! The SQL of the version table `autogen_version`, in one place for the runner of every dialect
//! and the offline scripts: its definition, how applied revisions are read, recorded, re-stamped
//! and forgotten. The statements take bind parameters in the dialect's style (`$1` on PostgreSQL,
//! `?` elsewhere); the offline scripts inline hex ids and checksums, which the revision parser has
//! already validated.
//!
//! The progress table `autogen_progress` is here too: one row per revision that is being applied
//! statement by statement (every revision on MySQL/MariaDB, whose DDL commits as it runs; on
//! PostgreSQL and SQLite a revision with `-- autogen:no-transaction` steps). Its statements are
//! written with their values inlined (ids, hashes and timestamps are hex or digits), so the
//! runner of the transactional dialects and the offline scripts write exactly the same text.

use autogen_schema::Dialect;

/// The table's name.
pub(crate) const TABLE: &str = "autogen_version";

/// Its definition; the same types on every dialect (`varchar` is accepted by all three).
pub(crate) const CREATE: &str = "CREATE TABLE IF NOT EXISTS autogen_version (\
revision varchar(32) NOT NULL PRIMARY KEY, \
checksum varchar(64) NOT NULL, \
applied_at varchar(40) NOT NULL)";

/// Every applied revision, oldest first.
pub(crate) const SELECT_APPLIED: &str =
    "SELECT revision, checksum, applied_at FROM autogen_version ORDER BY applied_at, revision";

/// Records a revision: binds (revision, checksum, applied_at).
pub(crate) fn insert(dialect: Dialect) -> &'static str {
    match dialect {
        Dialect::Postgres => {
            "INSERT INTO autogen_version (revision, checksum, applied_at) VALUES ($1, $2, $3)"
        }
        Dialect::Sqlite | Dialect::Mysql => {
            "INSERT INTO autogen_version (revision, checksum, applied_at) VALUES (?, ?, ?)"
        }
    }
}

/// Forgets a revision: binds (revision).
pub(crate) fn delete(dialect: Dialect) -> &'static str {
    match dialect {
        Dialect::Postgres => "DELETE FROM autogen_version WHERE revision = $1",
        Dialect::Sqlite | Dialect::Mysql => "DELETE FROM autogen_version WHERE revision = ?",
    }
}

/// Records a new checksum: binds (checksum, revision).
pub(crate) fn update_checksum(dialect: Dialect) -> &'static str {
    match dialect {
        Dialect::Postgres => "UPDATE autogen_version SET checksum = $1 WHERE revision = $2",
        Dialect::Sqlite | Dialect::Mysql => {
            "UPDATE autogen_version SET checksum = ? WHERE revision = ?"
        }
    }
}

/// [`insert`] with the values inlined, for offline scripts (`id` and `checksum` are hex).
pub(crate) fn insert_literal(id: &str, checksum: &str, applied_at: &str) -> String {
    format!(
        "INSERT INTO autogen_version (revision, checksum, applied_at) VALUES ('{id}', '{checksum}', '{applied_at}')"
    )
}

/// [`delete`] with the id inlined, for offline scripts.
pub(crate) fn delete_literal(id: &str) -> String {
    format!("DELETE FROM autogen_version WHERE revision = '{id}'")
}

/// The progress table's name.
pub(crate) const PROGRESS_TABLE: &str = "autogen_progress";

/// Its definition (the same on every dialect). `running` is the 0-based index of a statement
/// that was started and not yet recorded as done.
pub(crate) const PROGRESS_CREATE: &str = "CREATE TABLE IF NOT EXISTS autogen_progress (\
revision varchar(32) NOT NULL PRIMARY KEY, \
direction varchar(16) NOT NULL, \
statements_done integer NOT NULL, \
done_hash varchar(64) NOT NULL, \
started_at varchar(40) NOT NULL, \
running integer NULL)";

/// Records that `id` starts in `direction` with nothing done (`hash` is the hash of no
/// statements).
pub(crate) fn progress_start_literal(
    id: &str,
    direction: &str,
    hash: &str,
    started_at: &str,
) -> String {
    format!(
        "INSERT INTO autogen_progress (revision, direction, statements_done, done_hash, started_at) VALUES ('{id}', '{direction}', 0, '{hash}', '{started_at}')"
    )
}

/// Records statement `index` (0-based) of `id` as started.
pub(crate) fn progress_running_literal(id: &str, index: usize) -> String {
    format!("UPDATE autogen_progress SET running = {index} WHERE revision = '{id}'")
}

/// Records the first `done` statements of `id` as done (their hash `hash`) and none running.
pub(crate) fn progress_done_literal(id: &str, done: usize, hash: &str) -> String {
    format!(
        "UPDATE autogen_progress SET statements_done = {done}, done_hash = '{hash}', running = NULL WHERE revision = '{id}'"
    )
}

/// Forgets the progress of `id` (it finished, or nothing of it stayed).
pub(crate) fn progress_delete_literal(id: &str) -> String {
    format!("DELETE FROM autogen_progress WHERE revision = '{id}'")
}
