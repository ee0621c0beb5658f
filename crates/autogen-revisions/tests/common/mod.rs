//! Scratch databases for the runner's integration tests: SQLite always (a temporary file), and
//! PostgreSQL / MySQL-MariaDB when their test URLs are set, each created for one test and dropped
//! by `finish`. Shared by `runner.rs` and `graph.rs` (`mod common;` in each).

#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)]

use autogen_db::{Connection, DatabaseUrl, Dialect};
use autogen_testkit::ScratchDatabase;

/// A database to run one scenario against.
pub struct TestDb {
    pub dialect: Dialect,
    pub url: DatabaseUrl,
    scratch: Option<ScratchDatabase>,
    _dir: Option<tempfile::TempDir>,
}

impl TestDb {
    pub async fn connect(&self) -> Connection {
        Connection::connect(&self.url).await.unwrap()
    }

    pub async fn finish(self) {
        if let Some(scratch) = self.scratch {
            scratch.drop_now().await.unwrap();
        }
    }
}

pub async fn database(dialect: Dialect) -> Option<TestDb> {
    if dialect == Dialect::Sqlite {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db.sqlite");
        return Some(TestDb {
            dialect,
            url: DatabaseUrl::parse(&format!("sqlite://{}", path.display())).unwrap(),
            scratch: None,
            _dir: Some(dir),
        });
    }
    let scratch = ScratchDatabase::from_env(dialect).await.unwrap()?;
    Some(TestDb {
        dialect,
        url: scratch.url().clone(),
        scratch: Some(scratch),
        _dir: None,
    })
}

/// SQLite plus every server dialect whose URL is set.
pub async fn databases() -> Vec<TestDb> {
    let mut out = Vec::new();
    for d in [Dialect::Sqlite, Dialect::Postgres, Dialect::Mysql] {
        out.extend(database(d).await);
    }
    out
}
