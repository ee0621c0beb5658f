//! Which database a connection really reaches, learned from the server (or the file system)
//! rather than from the URL's text: `postgres://h/app`, `postgresql://h:5432/app?sslmode=disable`
//! and `postgres://u:pw@localhost/app` are one database, and so are two hard links to one SQLite
//! file. autogen uses this to refuse a dev database (which it empties) that is a database it must
//! not touch. This file reads identities and compares them; it decides nothing about them.
//!
//! - PostgreSQL: the cluster (`system_identifier` from `pg_control_system()`, where the role may
//!   read it, the port and the postmaster's start time), `current_database()` and the schema
//!   autogen works in (`pg_schema`, else `current_schema()`).
//! - MySQL/MariaDB: the server (`@@server_uuid`, which MariaDB lacks, `@@hostname`, `@@port`,
//!   `@@datadir`) and `DATABASE()` (folded to lower case where the server folds names).
//! - SQLite: the file's device and inode; an in-memory database is private to its connection, so
//!   it is never the same as anything.
//!
//! A fact a connection could not read (a role without the right to call `pg_control_system()`)
//! is left out of the comparison rather than making two connections to one server look like two
//! servers: a missing fact can only make more databases compare equal, never fewer.

use std::path::Path;

use autogen_schema::Dialect;
use sqlx::Row;

use crate::{Connection, DatabaseUrl, DbError};

/// Where a database lives, as the server or the file system reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatabaseIdentity {
    place: Place,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Place {
    /// An in-memory SQLite database.
    Private,
    /// An SQLite file.
    File(FileId),
    /// A database on a PostgreSQL or MySQL/MariaDB server.
    Server {
        dialect: Dialect,
        /// (name, value) facts about the server; `None` when this connection could not read it.
        facts: Vec<(&'static str, Option<String>)>,
        database: Option<String>,
        /// The PostgreSQL schema; `None` elsewhere.
        schema: Option<String>,
    },
}

/// A file by device and inode, so hard links, symlinks and every spelling of its path agree.
#[cfg(unix)]
#[derive(Debug, Clone, PartialEq, Eq)]
struct FileId {
    device: u64,
    inode: u64,
}

/// Where inodes are not available, the canonical path stands in (hard links then differ).
#[cfg(not(unix))]
#[derive(Debug, Clone, PartialEq, Eq)]
struct FileId {
    path: std::path::PathBuf,
}

impl DatabaseIdentity {
    /// The identity of the database `url` names, without creating anything: an SQLite file is
    /// looked up on disk (`Ok(None)` when it does not exist, since then it holds nothing), a
    /// server is connected to and asked. `pg_schema` is the PostgreSQL schema autogen works in.
    pub async fn of_url(
        url: &DatabaseUrl,
        pg_schema: Option<&str>,
    ) -> Result<Option<DatabaseIdentity>, DbError> {
        if url.is_memory() {
            return Ok(Some(DatabaseIdentity {
                place: Place::Private,
            }));
        }
        if let Some(path) = url.sqlite_path() {
            return file_identity(&path).map_err(|e| DbError::Connect {
                url: url.redacted(),
                message: format!("cannot read the file {}: {e}", path.display()),
            });
        }
        let mut conn = Connection::connect(url).await?;
        let identity = conn.identity(pg_schema).await;
        let _ = conn.close().await;
        identity.map(Some)
    }

    /// Whether both identities are one database. An in-memory SQLite database is never the same
    /// as anything, itself included.
    pub fn same_database(&self, other: &DatabaseIdentity) -> bool {
        match (&self.place, &other.place) {
            (Place::File(a), Place::File(b)) => a == b,
            (
                Place::Server {
                    dialect: da,
                    facts: fa,
                    database: a,
                    schema: sa,
                },
                Place::Server {
                    dialect: db,
                    facts: fb,
                    database: b,
                    schema: sb,
                },
            ) => da == db && a == b && sa == sb && same_server(fa, fb),
            _ => false,
        }
    }

    /// What the identity rests on, for messages: `server <facts>, database <name>` or `file
    /// (device D, inode I)`. Holds no secret.
    pub fn describe(&self) -> String {
        match &self.place {
            Place::Private => "an in-memory database".to_string(),
            #[cfg(unix)]
            Place::File(id) => format!("file device {} inode {}", id.device, id.inode),
            #[cfg(not(unix))]
            Place::File(id) => format!("file {}", id.path.display()),
            Place::Server {
                facts,
                database,
                schema,
                ..
            } => {
                let mut parts: Vec<String> = facts
                    .iter()
                    .filter_map(|(name, value)| value.as_ref().map(|v| format!("{name} {v}")))
                    .collect();
                parts.push(format!(
                    "database {}",
                    database.as_deref().unwrap_or("(none)")
                ));
                if let Some(s) = schema {
                    parts.push(format!("schema {s}"));
                }
                parts.join(", ")
            }
        }
    }
}

impl Connection {
    /// Asks the open connection which database it reaches (see [`DatabaseIdentity`]).
    /// `pg_schema` is the PostgreSQL schema autogen works in (`None`: `current_schema()`); other
    /// dialects ignore it.
    pub async fn identity(&mut self, pg_schema: Option<&str>) -> Result<DatabaseIdentity, DbError> {
        let dialect = self.dialect();
        let fail = |e: sqlx::Error| DbError::Execute {
            dialect,
            message: format!("reading which database this is: {e}"),
        };
        let place = match self {
            Connection::Sqlite(c) => {
                let rows = sqlx::query("PRAGMA database_list")
                    .fetch_all(&mut *c)
                    .await
                    .map_err(fail)?;
                let mut file = String::new();
                for row in &rows {
                    let name: String = row.try_get(1).map_err(fail)?;
                    if name == "main" {
                        file = row
                            .try_get::<Option<String>, _>(2)
                            .map_err(fail)?
                            .unwrap_or_default();
                    }
                }
                if file.is_empty() {
                    Place::Private
                } else {
                    match file_identity(Path::new(&file)) {
                        Ok(Some(id)) => id.place,
                        // The open file vanished (deleted under us); it holds nothing anyone
                        // can reach by name any more.
                        Ok(None) => Place::Private,
                        Err(e) => {
                            return Err(DbError::Execute {
                                dialect,
                                message: format!("cannot read the SQLite file {file}: {e}"),
                            })
                        }
                    }
                }
            }
            Connection::Postgres(c) => {
                // The start time is read as epoch seconds: as text, a timestamptz follows the
                // session's TimeZone, which a URL can set.
                let row = sqlx::query(
                    "SELECT current_database()::text, current_schema()::text, \
                     current_setting('port'), extract(epoch FROM pg_postmaster_start_time())::text",
                )
                .fetch_one(&mut *c)
                .await
                .map_err(fail)?;
                let database: Option<String> = row.try_get(0).map_err(fail)?;
                let current_schema: Option<String> = row.try_get(1).map_err(fail)?;
                let port: Option<String> = row.try_get(2).map_err(fail)?;
                let started: Option<String> = row.try_get(3).map_err(fail)?;
                // A role may lack the right to call pg_control_system(); the fact is then left
                // out (see the file comment).
                let system: Option<String> =
                    sqlx::query_scalar("SELECT system_identifier::text FROM pg_control_system()")
                        .fetch_one(&mut *c)
                        .await
                        .ok();
                Place::Server {
                    dialect,
                    facts: vec![
                        ("system identifier", system),
                        ("port", port),
                        ("started", started),
                    ],
                    database,
                    schema: pg_schema.map(str::to_string).or(current_schema),
                }
            }
            Connection::Mysql(c) => {
                let row = sqlx::query(
                    "SELECT CAST(@@hostname AS CHAR), CAST(@@port AS CHAR), CAST(@@datadir AS CHAR), \
                     CAST(@@lower_case_table_names AS CHAR), CAST(DATABASE() AS CHAR)",
                )
                .fetch_one(&mut *c)
                .await
                .map_err(fail)?;
                let host: Option<String> = row.try_get(0).map_err(fail)?;
                let port: Option<String> = row.try_get(1).map_err(fail)?;
                let datadir: Option<String> = row.try_get(2).map_err(fail)?;
                let fold: Option<String> = row.try_get(3).map_err(fail)?;
                let mut database: Option<String> = row.try_get(4).map_err(fail)?;
                // With lower_case_table_names 1 or 2, `App` and `app` are one database.
                if fold.as_deref().is_some_and(|f| f != "0") {
                    database = database.map(|d| d.to_lowercase());
                }
                // MySQL has @@server_uuid; MariaDB does not (the query fails there).
                let uuid: Option<String> = sqlx::query_scalar("SELECT CAST(@@server_uuid AS CHAR)")
                    .fetch_one(&mut *c)
                    .await
                    .ok()
                    .flatten();
                Place::Server {
                    dialect,
                    facts: vec![
                        ("server uuid", uuid),
                        ("host", host),
                        ("port", port),
                        ("datadir", datadir),
                    ],
                    database,
                    schema: None,
                }
            }
        };
        Ok(DatabaseIdentity { place })
    }
}

/// Two servers are one when every fact both sides know agrees and they share at least one.
fn same_server(a: &[(&str, Option<String>)], b: &[(&str, Option<String>)]) -> bool {
    let mut shared = 0;
    for (name, value) in a {
        let Some(value) = value else { continue };
        let other = b
            .iter()
            .find(|(n, _)| n == name)
            .and_then(|(_, v)| v.as_ref());
        if let Some(other) = other {
            if other != value {
                return false;
            }
            shared += 1;
        }
    }
    shared > 0
}

fn file_identity(path: &Path) -> std::io::Result<Option<DatabaseIdentity>> {
    let metadata = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    #[cfg(unix)]
    let id = {
        use std::os::unix::fs::MetadataExt;
        FileId {
            device: metadata.dev(),
            inode: metadata.ino(),
        }
    };
    #[cfg(not(unix))]
    let id = {
        let _ = metadata;
        FileId {
            path: std::fs::canonicalize(path)?,
        }
    };
    Ok(Some(DatabaseIdentity {
        place: Place::File(id),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn server(facts: &[(&'static str, Option<&str>)], db: &str) -> DatabaseIdentity {
        DatabaseIdentity {
            place: Place::Server {
                dialect: Dialect::Postgres,
                facts: facts
                    .iter()
                    .map(|(n, v)| (*n, v.map(str::to_string)))
                    .collect(),
                database: Some(db.to_string()),
                schema: Some("public".to_string()),
            },
        }
    }

    #[test]
    fn unknown_facts_never_make_one_server_two() {
        let full = server(&[("system", Some("7")), ("port", Some("5432"))], "app");
        let partial = server(&[("system", None), ("port", Some("5432"))], "app");
        assert!(full.same_database(&partial));
        assert!(partial.same_database(&full));
        let other_port = server(&[("system", Some("7")), ("port", Some("5433"))], "app");
        assert!(!full.same_database(&other_port));
        let other_db = server(&[("system", Some("7")), ("port", Some("5432"))], "app2");
        assert!(!full.same_database(&other_db));
        let nothing = server(&[("system", None), ("port", None)], "app");
        assert!(!nothing.same_database(&nothing.clone()));
    }

    #[cfg(unix)]
    #[test]
    fn files_compare_by_inode_and_memory_never_matches() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.db");
        std::fs::write(&a, b"x").unwrap();
        let b = dir.path().join("b.db");
        std::fs::hard_link(&a, &b).unwrap();
        let c = dir.path().join("c.db");
        std::fs::write(&c, b"x").unwrap();
        let id = |p: &Path| file_identity(p).unwrap().unwrap();
        assert!(id(&a).same_database(&id(&b)));
        assert!(!id(&a).same_database(&id(&c)));
        assert!(file_identity(&dir.path().join("missing.db"))
            .unwrap()
            .is_none());
        let memory = DatabaseIdentity {
            place: Place::Private,
        };
        assert!(!memory.same_database(&memory.clone()));
    }
}
