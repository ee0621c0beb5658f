//! Scratch databases for the round trips, one per test and dialect: a temporary SQLite file, or
//! a uniquely named database on the PostgreSQL / MariaDB test servers (dropped afterwards), and
//! row snapshots that read any table back as comparable text.

use autogen::db::{Connection, DatabaseUrl};
use autogen::schema::Dialect;
use autogen::sql::quote_ident;
use autogen_testkit::{server_url, ScratchDatabase};

/// A database that exists for one test.
pub enum Scratch {
    Sqlite {
        url: DatabaseUrl,
        _dir: tempfile::TempDir,
    },
    Server(ScratchDatabase),
}

impl Scratch {
    /// A fresh database for `dialect`, or `None` when its server is not configured (the skip is
    /// printed, and turned into a failure by `AUTOGEN_TEST_REQUIRE_ALL=1`).
    pub async fn create(dialect: Dialect) -> Result<Option<Scratch>, String> {
        match dialect {
            Dialect::Sqlite => {
                let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
                let path = dir.path().join("scratch.db");
                let url = DatabaseUrl::parse(&format!("sqlite://{}", path.display()))
                    .map_err(|e| e.to_string())?;
                Ok(Some(Scratch::Sqlite { url, _dir: dir }))
            }
            _ => {
                let Some(server) = server_url(dialect) else {
                    return Ok(None);
                };
                let db = ScratchDatabase::create(&server)
                    .await
                    .map_err(|e| e.to_string())?;
                Ok(Some(Scratch::Server(db)))
            }
        }
    }

    pub fn url(&self) -> &DatabaseUrl {
        match self {
            Scratch::Sqlite { url, .. } => url,
            Scratch::Server(db) => db.url(),
        }
    }

    pub async fn connect(&self) -> Result<Connection, String> {
        Connection::connect(self.url())
            .await
            .map_err(|e| e.to_string())
    }

    pub async fn drop_now(self) {
        if let Scratch::Server(db) = self {
            if let Err(e) = db.drop_now().await {
                eprintln!("warning: could not drop scratch database: {e}");
            }
        }
    }
}

/// Every row of `table`, projected on `columns`, as one text line per row in sorted order.
/// Values are quoted by the database itself, so NULL and '' stay distinct.
pub async fn snapshot(
    conn: &mut Connection,
    table: &str,
    columns: &[String],
) -> Result<Vec<String>, String> {
    let dialect = conn.dialect();
    let q = |c: &str| quote_ident(dialect, c);
    if columns.is_empty() {
        let sql = format!("SELECT COUNT(*) FROM {}", q(table));
        let n: i64 = match conn {
            Connection::Sqlite(c) => sqlx::query_scalar(&sql).fetch_one(c).await,
            Connection::Postgres(c) => sqlx::query_scalar(&sql).fetch_one(c).await,
            Connection::Mysql(c) => sqlx::query_scalar(&sql).fetch_one(c).await,
        }
        .map_err(|e| format!("{sql}: {e}"))?;
        return Ok(vec![format!("{n} rows")]);
    }
    let parts: Vec<String> = columns
        .iter()
        .map(|c| match dialect {
            Dialect::Sqlite => format!("quote({})", q(c)),
            Dialect::Postgres => format!("quote_nullable({}::text)", q(c)),
            // The column's bytes: without the cast, the concatenation takes its character set
            // from the text columns around a BLOB, so a collation change elsewhere in the row
            // changed how the BLOB's bytes were shown (0xff as `?` or as U+FFFD).
            Dialect::Mysql => format!("QUOTE(CAST({} AS BINARY))", q(c)),
        })
        .collect();
    let expr = match dialect {
        Dialect::Sqlite => parts.join(" || '|' || "),
        Dialect::Postgres => format!("concat_ws('|', {})", parts.join(", ")),
        Dialect::Mysql => format!("CONCAT_WS('|', {})", parts.join(", ")),
    };
    // MySQL types the concatenation as binary as soon as one part is a BLOB, so it is always
    // read as bytes there and decoded leniently (the same bytes give the same text).
    let expr = match dialect {
        Dialect::Mysql => format!("CAST({expr} AS BINARY)"),
        _ => expr,
    };
    let sql = format!("SELECT {expr} AS r FROM {}", q(table));
    let mut rows: Vec<String> = match conn {
        Connection::Sqlite(c) => sqlx::query_scalar(&sql).fetch_all(c).await,
        Connection::Postgres(c) => sqlx::query_scalar(&sql).fetch_all(c).await,
        Connection::Mysql(c) => sqlx::query_scalar::<_, Vec<u8>>(&sql)
            .fetch_all(c)
            .await
            .map(|rows| {
                rows.iter()
                    .map(|r| String::from_utf8_lossy(r).into_owned())
                    .collect()
            }),
    }
    .map_err(|e| format!("{sql}: {e}"))?;
    rows.sort();
    Ok(rows)
}
