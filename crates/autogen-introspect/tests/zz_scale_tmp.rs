#![allow(clippy::unwrap_used, clippy::expect_used)]
use autogen_db::testing::ScratchDatabase;
use autogen_db::{Connection, DatabaseUrl, Dialect};
use autogen_introspect::{introspect_with_stats, IntrospectOptions};

fn ddl(n: usize, d: Dialect) -> String {
    let mut sql = String::new();
    for i in 0..n {
        let fk = if i > 0 {
            ", p integer REFERENCES t0 (id)".to_string()
        } else {
            String::new()
        };
        let pk = if d == Dialect::Sqlite {
            "INTEGER PRIMARY KEY"
        } else {
            "integer PRIMARY KEY"
        };
        sql.push_str(&format!("CREATE TABLE t{i} (id {pk}, v varchar(10) CHECK (v <> ''), w integer DEFAULT 0{fk});\nCREATE INDEX ix_t{i}_v ON t{i} (v);\n"));
    }
    sql
}

#[tokio::test]
async fn scale() {
    let n: usize = std::env::var("N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5000);
    for d in [Dialect::Postgres, Dialect::Mysql] {
        let (mut conn, scratch) = if d == Dialect::Sqlite {
            (
                Connection::connect(&DatabaseUrl::parse("sqlite::memory:").unwrap())
                    .await
                    .unwrap(),
                None,
            )
        } else {
            let Some(s) = ScratchDatabase::from_env(d).await.unwrap() else {
                continue;
            };
            (s.connect().await.unwrap(), Some(s))
        };
        let t = std::time::Instant::now();
        let all = ddl(n, d);
        let lines: Vec<&str> = all.lines().collect();
        for chunk in lines.chunks(400) {
            conn.execute_script(&chunk.join("\n")).await.unwrap();
        }
        let created = t.elapsed();
        let t = std::time::Instant::now();
        let (schema, stats) = introspect_with_stats(&mut conn, &IntrospectOptions::default())
            .await
            .unwrap();
        println!(
            "{d}: {n} tables created in {created:?}, introspected in {:?} with {} queries",
            t.elapsed(),
            stats.queries
        );
        assert_eq!(schema.tables.len(), n);
        conn.close().await.unwrap();
        if let Some(s) = scratch {
            s.drop_now().await.unwrap();
        }
    }
}

#[tokio::test]
async fn existing() {
    let Ok(url) = std::env::var("SCALE_URL") else { return };
    let mut conn = Connection::connect(&DatabaseUrl::parse(&url).unwrap()).await.unwrap();
    let t = std::time::Instant::now();
    let (schema, stats) = introspect_with_stats(&mut conn, &IntrospectOptions::default()).await.unwrap();
    println!("existing: {} tables introspected in {:?} with {} queries", schema.tables.len(), t.elapsed(), stats.queries);
}
