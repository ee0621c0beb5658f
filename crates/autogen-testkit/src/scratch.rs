//! Scratch databases on the real PostgreSQL and MySQL/MariaDB test servers. Tests read the
//! server URL from `AUTOGEN_TEST_POSTGRES_URL` / `AUTOGEN_TEST_MYSQL_URL` through
//! [`server_url`], which skips (prints and returns `None`) when the variable is unset, or panics
//! when `AUTOGEN_TEST_REQUIRE_ALL=1` so CI cannot silently skip. Each test then creates its own
//! uniquely named database with [`ScratchDatabase::create`] and drops it with
//! [`ScratchDatabase::drop_now`], so parallel runs never collide. This module is not a fixture
//! framework: it neither loads schemas nor compares results.
//!
//! ```no_run
//! # async fn example() -> Result<(), autogen_db::DbError> {
//! use autogen_db::{Connection, Dialect};
//! use autogen_testkit::{server_url, ScratchDatabase};
//!
//! let Some(server) = server_url(Dialect::Postgres) else { return Ok(()) };
//! let scratch = ScratchDatabase::create(&server).await?;
//! let mut conn = Connection::connect(scratch.url()).await?;
//! conn.execute_script("CREATE TABLE t (id integer)").await?;
//! conn.close().await?;
//! scratch.drop_now().await?;
//! # Ok(()) }
//! ```

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use autogen_db::{Connection, DatabaseUrl, DbError, Dialect};

/// The environment variable holding a server URL for `dialect` (`None` for SQLite, which needs
/// no server).
fn env_var(dialect: Dialect) -> Option<&'static str> {
    match dialect {
        Dialect::Sqlite => None,
        Dialect::Postgres => Some("AUTOGEN_TEST_POSTGRES_URL"),
        Dialect::Mysql => Some("AUTOGEN_TEST_MYSQL_URL"),
    }
}

/// The variable CI sets to `1`: a test that would skip for lack of a server fails instead.
const REQUIRE_ALL_VAR: &str = "AUTOGEN_TEST_REQUIRE_ALL";

/// The test server URL for `dialect`, from the environment. When the variable is unset (or
/// empty) this prints `skipped: <VAR> not set` and returns `None`, unless
/// `AUTOGEN_TEST_REQUIRE_ALL=1`, in which case it panics so the missing server is noticed.
/// SQLite needs no server: always `None`, silently.
pub fn server_url(dialect: Dialect) -> Option<String> {
    match lookup_server_url(dialect, |var| std::env::var(var).ok()) {
        Lookup::Found(url) => Some(url),
        Lookup::Skip(var) => {
            println!("skipped: {var} not set");
            None
        }
        Lookup::Required(message) => panic!("{message}"),
        Lookup::NoServer => None,
    }
}

/// What [`server_url`] decided, separated from printing and panicking so it can be tested
/// without touching the process environment.
#[derive(Debug, PartialEq, Eq)]
enum Lookup {
    Found(String),
    Skip(&'static str),
    Required(String),
    NoServer,
}

fn lookup_server_url(dialect: Dialect, get: impl Fn(&str) -> Option<String>) -> Lookup {
    let Some(var) = env_var(dialect) else {
        return Lookup::NoServer;
    };
    match get(var) {
        Some(url) if !url.trim().is_empty() => Lookup::Found(url.trim().to_string()),
        _ if get(REQUIRE_ALL_VAR).is_some_and(|v| v.trim() == "1") => Lookup::Required(format!(
            "{var} is not set but {REQUIRE_ALL_VAR}=1 requires every database test to run; \
             set {var} to a server URL such as {}",
            example_url(dialect)
        )),
        _ => Lookup::Skip(var),
    }
}

fn example_url(dialect: Dialect) -> &'static str {
    match dialect {
        Dialect::Postgres => "postgres://root@127.0.0.1:5432/postgres",
        Dialect::Mysql => "mysql://root@127.0.0.1:3306/test",
        Dialect::Sqlite => "sqlite::memory:",
    }
}

/// A database created for one test on a shared server. Drop it with [`ScratchDatabase::drop_now`];
/// if a test panics first, `Drop` makes a best-effort attempt from a helper thread.
#[derive(Debug)]
pub struct ScratchDatabase {
    server: DatabaseUrl,
    url: DatabaseUrl,
    name: String,
    dropped: bool,
}

impl ScratchDatabase {
    /// Connects to `server_url` (any existing database on the server, e.g. `postgres` or
    /// `test`), creates `autogen_t_<pid>_<nanos>_<counter>` and returns a handle whose
    /// [`url`](Self::url) points at the new database.
    pub async fn create(server_url: &str) -> Result<ScratchDatabase, DbError> {
        let server = DatabaseUrl::parse(server_url)?;
        let name = unique_name();
        let url = server.with_database(&name)?;
        let create = match server.dialect() {
            Dialect::Postgres => format!("CREATE DATABASE \"{name}\""),
            Dialect::Mysql => format!("CREATE DATABASE `{name}`"),
            Dialect::Sqlite => {
                return Err(DbError::InvalidUrl {
                    url: server.redacted(),
                    message: "scratch databases need a server; use a temporary file for SQLite"
                        .to_string(),
                })
            }
        };
        let mut conn = Connection::connect(&server).await?;
        let created = conn.execute_script(&create).await;
        // Close before reporting so a failed CREATE does not leave the connection dangling.
        let _ = conn.close().await;
        created?;
        Ok(ScratchDatabase {
            server,
            url,
            name,
            dropped: false,
        })
    }

    /// [`server_url`] then [`create`](Self::create): `Ok(None)` when the dialect's variable is
    /// unset (the test should return early).
    pub async fn from_env(dialect: Dialect) -> Result<Option<ScratchDatabase>, DbError> {
        match server_url(dialect) {
            Some(server) => ScratchDatabase::create(&server).await.map(Some),
            None => Ok(None),
        }
    }

    /// The URL of the scratch database.
    pub fn url(&self) -> &DatabaseUrl {
        &self.url
    }

    /// The scratch database's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Opens a connection to the scratch database.
    pub async fn connect(&self) -> Result<Connection, DbError> {
        Connection::connect(&self.url).await
    }

    /// Drops the database now. On PostgreSQL 13+ `WITH (FORCE)` ends sessions a test forgot to
    /// close; older servers get a plain DROP.
    pub async fn drop_now(mut self) -> Result<(), DbError> {
        self.dropped = true;
        drop_database(&self.server, &self.name).await
    }
}

impl Drop for ScratchDatabase {
    fn drop(&mut self) {
        if self.dropped {
            return;
        }
        // We may be inside a Tokio runtime (a panicking #[tokio::test]), where blocking on a
        // future is not allowed; a fresh thread with its own small runtime sidesteps that.
        let server = self.server.clone();
        let name = self.name.clone();
        let handle = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build();
            if let Ok(rt) = runtime {
                let _ = rt.block_on(drop_database(&server, &name));
            }
        });
        let _ = handle.join();
    }
}

async fn drop_database(server: &DatabaseUrl, name: &str) -> Result<(), DbError> {
    let mut conn = Connection::connect(server).await?;
    let result = match server.dialect() {
        Dialect::Postgres => {
            let forced = conn
                .execute_script(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                .await;
            match forced {
                Ok(()) => Ok(()),
                // PostgreSQL before 13 has no FORCE option.
                Err(_) => {
                    conn.execute_script(&format!("DROP DATABASE IF EXISTS \"{name}\""))
                        .await
                }
            }
        }
        Dialect::Mysql => {
            conn.execute_script(&format!("DROP DATABASE IF EXISTS `{name}`"))
                .await
        }
        Dialect::Sqlite => Ok(()),
    };
    let _ = conn.close().await;
    result
}

fn unique_name() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    format!("autogen_t_{}_{nanos}_{n}", std::process::id())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_urls_come_from_the_environment_or_skip_or_fail() {
        let pg = "AUTOGEN_TEST_POSTGRES_URL";
        type Env<'a> = &'a [(&'a str, &'a str)];
        let cases: &[(Dialect, Env, Lookup)] = &[
            (
                Dialect::Postgres,
                &[(pg, " postgres://root@h/postgres ")],
                Lookup::Found("postgres://root@h/postgres".into()),
            ),
            (Dialect::Postgres, &[], Lookup::Skip(pg)),
            (Dialect::Postgres, &[(pg, "  ")], Lookup::Skip(pg)),
            (
                Dialect::Mysql,
                &[(REQUIRE_ALL_VAR, "0")],
                Lookup::Skip("AUTOGEN_TEST_MYSQL_URL"),
            ),
            (Dialect::Sqlite, &[(REQUIRE_ALL_VAR, "1")], Lookup::NoServer),
        ];
        for (dialect, env, want) in cases {
            let got = lookup_server_url(*dialect, |var| {
                env.iter()
                    .find(|(k, _)| *k == var)
                    .map(|(_, v)| v.to_string())
            });
            assert_eq!(&got, want, "{dialect} {env:?}");
        }
        let required = lookup_server_url(Dialect::Mysql, |var| {
            (var == REQUIRE_ALL_VAR).then(|| "1".to_string())
        });
        let Lookup::Required(message) = required else {
            panic!("expected a failure, got {required:?}")
        };
        assert!(
            message.starts_with("AUTOGEN_TEST_MYSQL_URL is not set but AUTOGEN_TEST_REQUIRE_ALL=1")
        );
    }

    #[test]
    fn scratch_names_are_unique_and_valid_identifiers() {
        let a = unique_name();
        let b = unique_name();
        assert_ne!(a, b);
        assert!(a.starts_with(&format!("autogen_t_{}_", std::process::id())));
        assert!(a.len() <= 63, "{a}");
        assert!(a.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'_'));
    }
}
