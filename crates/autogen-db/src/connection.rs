//! `Connection`: one open sqlx connection of whichever dialect a [`DatabaseUrl`] names. It is an
//! enum rather than `sqlx::Any` so catalog code can use each driver's native types. This file
//! owns how connections are opened (SQLite files created when missing, or refused when missing
//! for readers; foreign keys on; short server timeouts) and the password scrubbing of driver
//! errors; it runs no catalog queries.

use std::str::FromStr;
use std::time::Duration;

use autogen_schema::Dialect;
use sqlx::mysql::{MySqlConnectOptions, MySqlConnection};
use sqlx::postgres::{PgConnectOptions, PgConnection};
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
use sqlx::{ConnectOptions, Connection as _};

use crate::{DatabaseUrl, DbError};

/// How long to wait for a server before giving up. A refused port fails at once anyway; this
/// bounds the wait for a host that silently drops packets.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// An open connection to one database.
#[derive(Debug)]
pub enum Connection {
    Sqlite(SqliteConnection),
    Postgres(PgConnection),
    Mysql(MySqlConnection),
}

/// How many rows sqlx's SQLite worker thread may run ahead of the task reading them (sqlx's
/// default is 50). With 50, a catalog query of 70,000 rows made the worker and the reader wake
/// each other once per row; a buffer larger than any catalog query lets the worker run ahead
/// and the reader drain without waiting. Rows wait in the buffer only while the reader is
/// behind, so it never holds more than `fetch_all` of the same query would. See `each_row` in
/// autogen-introspect for the measurements.
const SQLITE_ROW_BUFFER: usize = 1 << 20;

impl Connection {
    /// Opens a connection. SQLite files are created when missing (their directory must exist)
    /// and `PRAGMA foreign_keys` stays ON; errors carry the redacted URL only.
    pub async fn connect(url: &DatabaseUrl) -> Result<Connection, DbError> {
        Connection::open(url, true).await
    }

    /// Like [`Connection::connect`], but a missing SQLite file is [`DbError::MissingFile`]
    /// instead of a new empty database: for commands that only read, where creating the file
    /// would hide a wrong path behind an empty schema.
    pub async fn connect_existing(url: &DatabaseUrl) -> Result<Connection, DbError> {
        if let Some(path) = url.sqlite_path() {
            if !path.exists() {
                return Err(DbError::MissingFile { path });
            }
        }
        Connection::open(url, false).await
    }

    async fn open(url: &DatabaseUrl, create_sqlite_file: bool) -> Result<Connection, DbError> {
        let secret = url.expose();
        let fail = |message: String| DbError::Connect {
            url: url.redacted(),
            message: scrub_message(&message, url.password().as_deref()),
        };
        match url.dialect() {
            Dialect::Sqlite => {
                // Without `create_if_missing`, a file removed after the check above makes the
                // open fail rather than creating it.
                let options = SqliteConnectOptions::from_str(secret)
                    .map_err(|e| fail(e.to_string()))?
                    .create_if_missing(create_sqlite_file)
                    .foreign_keys(true)
                    .row_buffer_size(SQLITE_ROW_BUFFER);
                let conn = options.connect().await.map_err(|e| fail(e.to_string()))?;
                Ok(Connection::Sqlite(conn))
            }
            Dialect::Postgres => {
                let options =
                    PgConnectOptions::from_str(secret).map_err(|e| fail(e.to_string()))?;
                let conn = with_timeout(options.connect()).await.map_err(fail)?;
                Ok(Connection::Postgres(conn))
            }
            Dialect::Mysql => {
                let options =
                    MySqlConnectOptions::from_str(secret).map_err(|e| fail(e.to_string()))?;
                let conn = with_timeout(options.connect()).await.map_err(fail)?;
                Ok(Connection::Mysql(conn))
            }
        }
    }

    pub fn dialect(&self) -> Dialect {
        match self {
            Connection::Sqlite(_) => Dialect::Sqlite,
            Connection::Postgres(_) => Dialect::Postgres,
            Connection::Mysql(_) => Dialect::Mysql,
        }
    }

    /// Runs a script of one or more `;`-separated statements without parameters (sqlx's
    /// `raw_sql`). Meant for tests and fixtures; the revision runner executes statements itself.
    pub async fn execute_script(&mut self, sql: &str) -> Result<(), DbError> {
        let dialect = self.dialect();
        let result = match self {
            Connection::Sqlite(c) => sqlx::raw_sql(sql).execute(c).await.map(drop),
            Connection::Postgres(c) => sqlx::raw_sql(sql).execute(c).await.map(drop),
            Connection::Mysql(c) => sqlx::raw_sql(sql).execute(c).await.map(drop),
        };
        result.map_err(|e| DbError::Execute {
            dialect,
            message: e.to_string(),
        })
    }

    /// Closes the connection, telling the server goodbye.
    pub async fn close(self) -> Result<(), DbError> {
        let dialect = self.dialect();
        let result = match self {
            Connection::Sqlite(c) => c.close().await,
            Connection::Postgres(c) => c.close().await,
            Connection::Mysql(c) => c.close().await,
        };
        result.map_err(|e| DbError::Close {
            dialect,
            message: e.to_string(),
        })
    }
}

async fn with_timeout<T>(
    fut: impl std::future::Future<Output = Result<T, sqlx::Error>>,
) -> Result<T, String> {
    match tokio::time::timeout(CONNECT_TIMEOUT, fut).await {
        Ok(Ok(conn)) => Ok(conn),
        Ok(Err(e)) => Err(e.to_string()),
        Err(_) => Err(format!(
            "timed out after {}s (is the server running and reachable?)",
            CONNECT_TIMEOUT.as_secs()
        )),
    }
}

/// Drivers do not echo passwords today; this makes sure they never will through us, whether
/// they would print the password alone or inside a URL.
fn scrub_message(message: &str, password: Option<&str>) -> String {
    let message = crate::redact_secrets(message);
    match password {
        Some(p) if !p.is_empty() => message.replace(p, "***"),
        _ => message,
    }
}

#[cfg(test)]
mod tests {
    use super::scrub_message;

    #[test]
    fn scrubs_password_from_driver_messages() {
        assert_eq!(
            scrub_message("auth failed for hunter2 user", Some("hunter2")),
            "auth failed for *** user"
        );
        assert_eq!(scrub_message("refused", Some("")), "refused");
        assert_eq!(scrub_message("refused", None), "refused");
    }
}
