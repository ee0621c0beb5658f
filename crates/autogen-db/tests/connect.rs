//! Opening connections: SQLite files are created, unreachable servers fail fast with a message
//! that names the (redacted) URL and never the password.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use autogen_db::{Connection, DatabaseUrl, DbError, Dialect};

#[tokio::test]
async fn sqlite_file_is_created_with_foreign_keys_on() {
    let dir = tempfile::tempdir().unwrap();
    let url = DatabaseUrl::parse("sqlite:new.db")
        .unwrap()
        .resolve_relative(dir.path());
    let mut conn = Connection::connect(&url).await.unwrap();
    assert_eq!(conn.dialect(), Dialect::Sqlite);
    assert!(dir.path().join("new.db").exists());
    let Connection::Sqlite(c) = &mut conn else {
        panic!("expected sqlite")
    };
    let fk: i64 = sqlx::query_scalar("PRAGMA foreign_keys")
        .fetch_one(&mut *c)
        .await
        .unwrap();
    assert_eq!(fk, 1);
    conn.execute_script("CREATE TABLE a (id INTEGER); CREATE TABLE b (id INTEGER);")
        .await
        .unwrap();
    let err = conn.execute_script("CREATE TABLE a (id INTEGER)").await;
    assert!(matches!(err, Err(DbError::Execute { .. })), "{err:?}");
    conn.close().await.unwrap();
}

#[tokio::test]
async fn unreachable_servers_fail_without_leaking_the_password() {
    for raw in [
        "postgres://app:hunter2@127.0.0.1:1/app",
        "mysql://app:hunter2@127.0.0.1:1/app",
    ] {
        let url = DatabaseUrl::parse(raw).unwrap();
        let started = std::time::Instant::now();
        let err = Connection::connect(&url).await.expect_err(raw);
        assert!(started.elapsed().as_secs() < 5, "{raw}: took too long");
        let DbError::Connect {
            url: shown,
            message,
        } = &err
        else {
            panic!("{raw}: unexpected {err:?}")
        };
        assert_eq!(shown, &raw.replace("hunter2", "***"));
        assert!(!message.is_empty());
        let display = err.to_string();
        assert!(display.starts_with("could not connect to `"), "{display}");
        assert!(!display.contains("hunter2"), "{display}");
        assert!(!format!("{err:?}").contains("hunter2"));
    }
}
