//! The SQL of the version table `autogen_version`, in one place for the runner of every dialect
//! and the offline scripts: its definition, how applied revisions are read, recorded, re-stamped
//! and forgotten. The statements take bind parameters in the dialect's style (`$1` on PostgreSQL,
//! `?` elsewhere); the offline scripts inline hex ids and checksums, which the revision parser has
//! already validated. MySQL's progress table is the MySQL runner's own (`dialect/mysql.rs`).

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
