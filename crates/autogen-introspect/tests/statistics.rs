//! `table_statistics` on real databases: the server version and each table's row estimate, read
//! in one query whatever the number of tables (SQLite: one per 400 tables).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use autogen_db::{Connection, DatabaseUrl, Dialect};
use autogen_introspect::{table_statistics_with_stats, IntrospectOptions};
use autogen_schema::{RowEstimate, ServerVersion};
use autogen_testkit::ScratchDatabase;

/// Three tables: `big` (1,000 rows), `small` (3 rows), `empty`.
const SETUP: &str = "CREATE TABLE big (id integer PRIMARY KEY, v integer);
CREATE TABLE small (id integer PRIMARY KEY);
CREATE TABLE empty (id integer PRIMARY KEY);
INSERT INTO small (id) VALUES (1), (2), (3);";

async fn fill_big(conn: &mut Connection) {
    let values: Vec<String> = (0..1000).map(|i| format!("({i}, {i})")).collect();
    conn.execute_script(&format!(
        "INSERT INTO big (id, v) VALUES {};",
        values.join(", ")
    ))
    .await
    .unwrap();
}

fn tables() -> Vec<String> {
    ["big", "small", "empty"].map(String::from).to_vec()
}

#[tokio::test]
async fn postgres_reads_reltuples_in_one_query() {
    let Some(scratch) = ScratchDatabase::from_env(Dialect::Postgres).await.unwrap() else {
        return;
    };
    let mut conn = scratch.connect().await.unwrap();
    conn.execute_script(SETUP).await.unwrap();
    fill_big(&mut conn).await;
    let options = IntrospectOptions::default();
    // Never analyzed: PostgreSQL 14 and later report -1, which is "unknown".
    let (before, stats) = table_statistics_with_stats(&mut conn, &options, &tables())
        .await
        .unwrap();
    assert_eq!(stats.queries, 1);
    assert_eq!(before.rows.get("big"), Some(&RowEstimate::Unknown));
    let server = before.server.unwrap();
    assert!(server.at_least(10, 0) && !server.mariadb, "{server:?}");
    conn.execute_script("ANALYZE big; ANALYZE small;")
        .await
        .unwrap();
    let (after, stats) = table_statistics_with_stats(&mut conn, &options, &tables())
        .await
        .unwrap();
    assert_eq!(stats.queries, 1);
    assert_eq!(after.rows.get("big"), Some(&RowEstimate::Rows(1000)));
    assert_eq!(after.rows.get("small"), Some(&RowEstimate::Rows(3)));
    // Only the tables asked for.
    let (only, _) = table_statistics_with_stats(&mut conn, &options, &["small".to_string()])
        .await
        .unwrap();
    assert_eq!(only.rows.len(), 1);
    conn.close().await.unwrap();
    scratch.drop_now().await.unwrap();
}

#[tokio::test]
async fn mysql_reads_table_rows_in_one_query() {
    let Some(scratch) = ScratchDatabase::from_env(Dialect::Mysql).await.unwrap() else {
        return;
    };
    let mut conn = scratch.connect().await.unwrap();
    conn.execute_script(SETUP).await.unwrap();
    fill_big(&mut conn).await;
    conn.execute_script("ANALYZE TABLE big, small, empty;")
        .await
        .unwrap();
    let (found, stats) =
        table_statistics_with_stats(&mut conn, &IntrospectOptions::default(), &tables())
            .await
            .unwrap();
    assert_eq!(stats.queries, 1);
    let server = found.server.unwrap();
    assert!(server.at_least(5, 7), "{server:?}");
    // InnoDB's TABLE_ROWS is a sampled estimate: near, not exact, for larger tables.
    let Some(RowEstimate::Rows(big)) = found.rows.get("big").copied() else {
        panic!("{found:?}");
    };
    assert!((500..=2000).contains(&big), "{big}");
    assert_eq!(found.rows.get("empty"), Some(&RowEstimate::Rows(0)));
    assert_eq!(found.rows.len(), 3);
    conn.close().await.unwrap();
    scratch.drop_now().await.unwrap();
}

#[tokio::test]
async fn sqlite_counts_the_tables_asked_for_in_one_query() {
    let url = DatabaseUrl::parse("sqlite::memory:").unwrap();
    let mut conn = Connection::connect(&url).await.unwrap();
    conn.execute_script(SETUP).await.unwrap();
    fill_big(&mut conn).await;
    let (found, stats) =
        table_statistics_with_stats(&mut conn, &IntrospectOptions::default(), &tables())
            .await
            .unwrap();
    assert_eq!(stats.queries, 1);
    assert_eq!(found.rows.get("big"), Some(&RowEstimate::Rows(1000)));
    assert_eq!(found.rows.get("small"), Some(&RowEstimate::Rows(3)));
    assert_eq!(found.rows.get("empty"), Some(&RowEstimate::Rows(0)));
    assert!(found.server.is_some_and(|v: ServerVersion| v.major == 3));
    // No table asked for: the version alone, still one query.
    let (none, stats) = table_statistics_with_stats(&mut conn, &IntrospectOptions::default(), &[])
        .await
        .unwrap();
    assert_eq!((none.rows.len(), stats.queries), (0, 1));
    conn.close().await.unwrap();
}
