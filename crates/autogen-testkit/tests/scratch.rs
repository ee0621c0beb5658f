//! ScratchDatabase against the real servers named by AUTOGEN_TEST_*_URL (skips when unset).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use autogen_db::{Connection, DatabaseUrl, Dialect};
use autogen_testkit::{server_url, ScratchDatabase};

async fn database_exists(server: &str, name: &str, dialect: Dialect) -> bool {
    let mut conn = Connection::connect(&DatabaseUrl::parse(server).unwrap())
        .await
        .unwrap();
    let found = match &mut conn {
        Connection::Postgres(c) => {
            sqlx::query_scalar::<_, i64>("SELECT count(*) FROM pg_database WHERE datname = $1")
                .bind(name)
                .fetch_one(&mut *c)
                .await
                .unwrap()
        }
        Connection::Mysql(c) => sqlx::query_scalar::<_, i64>(
            "SELECT count(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?",
        )
        .bind(name)
        .fetch_one(&mut *c)
        .await
        .unwrap(),
        Connection::Sqlite(_) => panic!("{dialect} has no server"),
    };
    conn.close().await.unwrap();
    found == 1
}

#[tokio::test]
async fn scratch_databases_are_created_and_dropped() {
    for dialect in [Dialect::Postgres, Dialect::Mysql] {
        let Some(server) = server_url(dialect) else {
            continue;
        };
        let a = ScratchDatabase::create(&server).await.unwrap();
        let b = ScratchDatabase::create(&server).await.unwrap();
        assert_ne!(a.name(), b.name());
        assert!(a.name().starts_with("autogen_t_"));
        assert_eq!(a.url().database_name().as_deref(), Some(a.name()));
        let mut conn = a.connect().await.unwrap();
        conn.execute_script("CREATE TABLE t (id integer)")
            .await
            .unwrap();
        // Left open on purpose: dropping must still work (FORCE on PostgreSQL).
        let name = a.name().to_string();
        assert!(database_exists(&server, &name, dialect).await);
        if dialect == Dialect::Mysql {
            conn.close().await.unwrap();
        } else {
            std::mem::forget(conn);
        }
        a.drop_now().await.unwrap();
        assert!(!database_exists(&server, &name, dialect).await);
        // `b` is dropped by its Drop impl.
        let b_name = b.name().to_string();
        drop(b);
        assert!(!database_exists(&server, &b_name, dialect).await);
    }
}
