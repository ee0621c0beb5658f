//! Steps outside the transaction (`-- autogen:no-transaction`) on real databases: SQLite always,
//! PostgreSQL and MySQL/MariaDB when their test URLs are set. A `CREATE INDEX CONCURRENTLY`
//! revision upgrades and downgrades; a revision mixing transactional and no-transaction steps
//! commits in segments and leaves no progress behind; a failure after a no-transaction step
//! reports exactly which statements stayed and the next run resumes after them; an INVALID
//! index an interrupted build left is found, dropped and built again; `VACUUM` runs on SQLite.
//! The kill of a real `autogen upgrade` during a build is in the CLI's tests
//! (`crates/autogen-cli/tests/no_transaction.rs`).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::Path;
use std::sync::Mutex;

use autogen_db::{Connection, Dialect};
use autogen_revisions::{
    downgrade, partially_applied, upgrade, upgrade_observed, DatabaseStatus, RevisionSet, RunError,
    RunEvent, RunObserver, UpgradeOptions,
};
use common::{database, databases};

const R1: &str = "aaaaaaaaaaa1";
const R2: &str = "aaaaaaaaaaa2";
const R3: &str = "aaaaaaaaaaa3";

/// Writes a revision file by hand, the way a user writes one: `up` and `down` are the sections'
/// text, directives included.
fn write_file(dir: &Path, id: &str, parent: Option<&str>, header: &str, up: &str, down: &str) {
    let parent = parent.map_or(String::new(), |p| format!("-- autogen:parent {p}\n"));
    let text = format!(
        "-- autogen:revision {id}\n{parent}-- autogen:message revision {id}\n-- autogen:format 2\n{header}\n-- autogen:upgrade\n{up}\n\n-- autogen:downgrade\n{down}\n\n-- autogen:end\n"
    );
    std::fs::write(dir.join(format!("{id}_rev.sql")), text).unwrap();
}

/// One hand-written revision for [`revisions`]: its header lines (directives such as
/// `-- autogen:no-transaction`, or nothing) and its two sections.
struct Rev<'a> {
    header: &'a str,
    up: &'a str,
    down: &'a str,
}

/// A revision with no header lines.
fn rev<'a>(up: &'a str, down: &'a str) -> Rev<'a> {
    Rev {
        header: "",
        up,
        down,
    }
}

/// A new revisions folder holding `revs` as R1, R2, ... (each the child of the one before), and
/// the set loaded from it. The folder lives as long as the returned `TempDir`, so that a test can
/// add a revision to it and load it again.
fn revisions(revs: &[Rev<'_>]) -> (tempfile::TempDir, RevisionSet) {
    let ids = [R1, R2, R3];
    assert!(revs.len() <= ids.len(), "name more revision ids");
    let dir = tempfile::tempdir().unwrap();
    for (n, r) in revs.iter().enumerate() {
        let parent = n.checked_sub(1).map(|p| ids[p]);
        write_file(dir.path(), ids[n], parent, r.header, r.up, r.down);
    }
    let set = RevisionSet::load(dir.path()).unwrap();
    (dir, set)
}

async fn has_table(conn: &mut Connection, table: &str) -> bool {
    conn.execute_script(&format!("SELECT 1 FROM {table} WHERE 1 = 0"))
        .await
        .is_ok()
}

async fn count(conn: &mut Connection, sql: &str) -> i64 {
    match conn {
        Connection::Postgres(c) => sqlx::query_scalar(&format!("SELECT count(*) FROM ({sql}) q"))
            .fetch_one(c)
            .await
            .unwrap(),
        Connection::Mysql(c) => {
            sqlx::query_scalar(&format!("SELECT CAST(count(*) AS SIGNED) FROM ({sql}) q"))
                .fetch_one(c)
                .await
                .unwrap()
        }
        Connection::Sqlite(c) => sqlx::query_scalar(&format!("SELECT count(*) FROM ({sql}) q"))
            .fetch_one(c)
            .await
            .unwrap(),
    }
}

/// Rows left in `autogen_progress` (0 when the table does not exist).
async fn progress_rows(conn: &mut Connection) -> i64 {
    if has_table(conn, "autogen_progress").await {
        count(conn, "SELECT revision FROM autogen_progress").await
    } else {
        0
    }
}

/// PostgreSQL: whether `index` exists, and whether it is valid.
async fn pg_index(conn: &mut Connection, index: &str) -> Option<bool> {
    let Connection::Postgres(c) = conn else {
        panic!("not PostgreSQL")
    };
    sqlx::query_scalar("SELECT indisvalid FROM pg_index WHERE indexrelid = to_regclass($1)")
        .bind(index)
        .fetch_optional(c)
        .await
        .unwrap()
}

/// The statement that runs alone in the mixed revision, per dialect: one each dialect refuses
/// inside a transaction where it has such statements.
fn alone_step(dialect: Dialect) -> (&'static str, &'static str) {
    match dialect {
        Dialect::Postgres => (
            "CREATE INDEX CONCURRENTLY ix_a_id ON a (id)",
            "DROP INDEX CONCURRENTLY ix_a_id",
        ),
        Dialect::Sqlite => ("VACUUM", "VACUUM"),
        Dialect::Mysql => ("CREATE INDEX ix_a_id ON a (id)", "DROP INDEX ix_a_id ON a"),
    }
}

#[tokio::test]
async fn create_index_concurrently_upgrades_and_downgrades_on_postgres() {
    let Some(db) = database(Dialect::Postgres).await else {
        return;
    };
    let (_dir, set) = revisions(&[
        rev(
            "CREATE TABLE t (id integer PRIMARY KEY, a integer);\nINSERT INTO t SELECT g, g % 7 FROM generate_series(1, 1000) g;",
            "DROP TABLE t;",
        ),
        rev(
            "-- autogen:no-transaction\nCREATE INDEX CONCURRENTLY ix_t_a ON t (a);",
            "-- autogen:no-transaction\nDROP INDEX CONCURRENTLY ix_t_a;",
        ),
    ]);
    let mut conn = db.connect().await;

    // Without the mark, the server refuses it: the reason the mark exists.
    let (_plain, plain_set) = revisions(&[rev(
        "CREATE TABLE u (a integer);\nCREATE INDEX CONCURRENTLY ix_u_a ON u (a);",
        "DROP TABLE u;",
    )]);
    let refused = upgrade(&mut conn, &plain_set, "head").await.unwrap_err();
    assert!(
        refused
            .to_string()
            .contains("cannot run inside a transaction block"),
        "{refused}"
    );
    assert!(!has_table(&mut conn, "u").await);

    assert_eq!(upgrade(&mut conn, &set, "head").await.unwrap(), [R1, R2]);
    assert_eq!(pg_index(&mut conn, "ix_t_a").await, Some(true));
    assert_eq!(progress_rows(&mut conn).await, 0);
    assert!(partially_applied(&mut conn).await.unwrap().is_empty());
    assert_eq!(downgrade(&mut conn, &set, R1).await.unwrap(), [R2]);
    assert_eq!(pg_index(&mut conn, "ix_t_a").await, None);
    assert_eq!(progress_rows(&mut conn).await, 0);
    assert_eq!(upgrade(&mut conn, &set, "head").await.unwrap(), [R2]);
    assert_eq!(pg_index(&mut conn, "ix_t_a").await, Some(true));
    let _ = conn.close().await;
    db.finish().await;
}

#[tokio::test]
async fn mixed_steps_commit_in_segments_and_round_trip() {
    for db in databases().await {
        let d = db.dialect;
        let (up_alone, down_alone) = alone_step(d);
        let (_dir, set) = revisions(&[rev(
            &format!("CREATE TABLE a (id integer PRIMARY KEY);\nINSERT INTO a (id) VALUES (1);\n-- autogen:no-transaction\n{up_alone};\nCREATE TABLE b (id integer PRIMARY KEY);\nINSERT INTO b (id) VALUES (2);"),
            &format!("DROP TABLE b;\n-- autogen:no-transaction\n{down_alone};\nDROP TABLE a;"),
        )]);
        let mut conn = db.connect().await;
        assert_eq!(upgrade(&mut conn, &set, "head").await.unwrap(), [R1], "{d}");
        assert_eq!(count(&mut conn, "SELECT id FROM a").await, 1, "{d}");
        assert_eq!(count(&mut conn, "SELECT id FROM b").await, 1, "{d}");
        assert_eq!(progress_rows(&mut conn).await, 0, "{d}");
        if d == Dialect::Postgres {
            assert_eq!(pg_index(&mut conn, "ix_a_id").await, Some(true));
        }
        assert_eq!(
            downgrade(&mut conn, &set, "base").await.unwrap(),
            [R1],
            "{d}"
        );
        assert!(!has_table(&mut conn, "a").await && !has_table(&mut conn, "b").await);
        assert_eq!(progress_rows(&mut conn).await, 0, "{d}");
        let _ = conn.close().await;
        db.finish().await;
    }
}

#[tokio::test]
async fn a_header_line_runs_every_statement_alone() {
    for db in databases().await {
        let d = db.dialect;
        let up = match d {
            // Each a statement the dialect refuses inside a transaction block.
            Dialect::Postgres => {
                "CREATE TABLE t (a integer);\nCREATE INDEX CONCURRENTLY ix_t_a ON t (a);\nVACUUM t;"
            }
            Dialect::Sqlite => {
                "CREATE TABLE t (a integer);\nVACUUM;\nINSERT INTO t (a) VALUES (1);"
            }
            Dialect::Mysql => "CREATE TABLE t (a integer);\nINSERT INTO t (a) VALUES (1);",
        };
        let (_dir, set) = revisions(&[Rev {
            header: "-- autogen:no-transaction\n",
            up,
            down: "DROP TABLE t;",
        }]);
        assert!(set.get(R1).unwrap().no_transaction);
        let mut conn = db.connect().await;
        assert_eq!(upgrade(&mut conn, &set, "head").await.unwrap(), [R1], "{d}");
        assert!(has_table(&mut conn, "t").await, "{d}");
        assert_eq!(progress_rows(&mut conn).await, 0, "{d}");
        assert_eq!(
            downgrade(&mut conn, &set, "base").await.unwrap(),
            [R1],
            "{d}"
        );
        let _ = conn.close().await;
        db.finish().await;
    }
}

#[tokio::test]
async fn a_failure_after_a_no_transaction_step_reports_where_it_stopped_and_resumes() {
    for db in databases().await {
        let d = db.dialect;
        let (up_alone, down_alone) = alone_step(d);
        let (_dir, set) = revisions(&[rev(
            &format!("CREATE TABLE a (id integer PRIMARY KEY);\n-- autogen:no-transaction\n{up_alone};\nCREATE TABLE b (id integer PRIMARY KEY);\nINSERT INTO later (id) VALUES (1);\nINSERT INTO b (id) VALUES (2);"),
            &format!("DROP TABLE b;\n-- autogen:no-transaction\n{down_alone};\nDROP TABLE a;"),
        )]);
        let mut conn = db.connect().await;
        let err = upgrade(&mut conn, &set, "head").await.unwrap_err();
        // PostgreSQL and SQLite roll back the open segment (CREATE TABLE b); MySQL/MariaDB
        // committed it.
        let stayed = if d == Dialect::Mysql { 3 } else { 2 };
        let RunError::Partial { failure, executed } = &err else {
            panic!("{d}: {err}");
        };
        assert_eq!((failure.index, executed.len()), (4, stayed), "{d}: {err}");
        let said = err.to_string();
        assert!(
            said.contains(&format!("resumes at statement {}", stayed + 1))
                && said.contains("STAYED APPLIED")
                && said.contains("later"),
            "{d}: {said}"
        );
        let partial = partially_applied(&mut conn).await.unwrap();
        assert_eq!(partial.len(), 1, "{d}");
        assert_eq!(partial[0].statements_done, stayed, "{d}");
        assert!(has_table(&mut conn, "a").await, "{d}");
        assert_eq!(has_table(&mut conn, "b").await, d == Dialect::Mysql, "{d}");
        let status = DatabaseStatus::read(&mut conn, &set).await.unwrap();
        assert_eq!(status.partial.len(), 1, "{d}");

        conn.execute_script("CREATE TABLE later (id integer)")
            .await
            .unwrap();
        assert_eq!(upgrade(&mut conn, &set, "head").await.unwrap(), [R1], "{d}");
        assert_eq!(count(&mut conn, "SELECT id FROM b").await, 1, "{d}");
        assert_eq!(count(&mut conn, "SELECT id FROM later").await, 1, "{d}");
        assert_eq!(progress_rows(&mut conn).await, 0, "{d}");
        assert!(
            partially_applied(&mut conn).await.unwrap().is_empty(),
            "{d}"
        );
        let _ = conn.close().await;
        db.finish().await;
    }
}

/// PostgreSQL: a run that resumes a revision part way, on a new connection, makes the
/// revision's session settings that ran before the stop again (online mode's `SET
/// lock_timeout`), so the statements after them run as the revision says.
#[tokio::test]
async fn a_resumed_revision_gets_its_session_settings_again() {
    let Some(db) = database(Dialect::Postgres).await else {
        return;
    };
    let (_dir, set) = revisions(&[rev(
        "SET lock_timeout = '1234ms';\nCREATE TABLE t (id integer PRIMARY KEY);\n-- autogen:no-transaction\nVACUUM t;\nINSERT INTO later (id) VALUES (1);\nDO $$ BEGIN IF current_setting('lock_timeout') <> '1234ms' THEN RAISE EXCEPTION 'lock_timeout is %', current_setting('lock_timeout'); END IF; END $$;\nRESET lock_timeout;",
        "DROP TABLE t;",
    )]);
    let mut conn = db.connect().await;
    let err = upgrade(&mut conn, &set, "head").await.unwrap_err();
    let RunError::Partial { executed, .. } = &err else {
        panic!("{err}");
    };
    assert_eq!(executed.len(), 3, "{err}");
    let _ = conn.close().await;

    let mut conn = db.connect().await;
    conn.execute_script("CREATE TABLE later (id integer)")
        .await
        .unwrap();
    assert_eq!(upgrade(&mut conn, &set, "head").await.unwrap(), [R1]);
    assert_eq!(count(&mut conn, "SELECT id FROM later").await, 1);
    let _ = conn.close().await;
    db.finish().await;
}

/// Collects the run's notices.
#[derive(Default)]
struct Notices(Mutex<Vec<String>>);

impl RunObserver for Notices {
    fn event(&self, event: RunEvent<'_>) {
        if let RunEvent::Notice { message, .. } = event {
            self.0.lock().unwrap().push(message.to_string());
        }
    }
}

/// A build that failed part way leaves an INVALID index, as a killed run's does; with the
/// progress row a kill during the build leaves, the next run finds it, drops it and builds it.
#[tokio::test]
async fn an_invalid_index_left_by_an_interrupted_build_is_dropped_and_built_again() {
    let Some(db) = database(Dialect::Postgres).await else {
        return;
    };
    let (dir, set) = revisions(&[
        rev(
            "CREATE TABLE t (id integer PRIMARY KEY, a integer);\nINSERT INTO t SELECT g, g % 7 FROM generate_series(1, 100) g;",
            "DROP TABLE t;",
        ),
        rev(
            "-- autogen:no-transaction\nCREATE INDEX CONCURRENTLY ix_t_a ON t (a);\nCREATE TABLE after_index (id integer);",
            "DROP TABLE after_index;\n-- autogen:no-transaction\nDROP INDEX CONCURRENTLY ix_t_a;",
        ),
    ]);
    let mut conn = db.connect().await;
    upgrade(&mut conn, &set, R1).await.unwrap();
    // An INVALID ix_t_a: a unique build over duplicates fails after creating it.
    assert!(conn
        .execute_script("CREATE UNIQUE INDEX CONCURRENTLY ix_t_a ON t (a)")
        .await
        .is_err());
    assert_eq!(pg_index(&mut conn, "ix_t_a").await, Some(false));
    // The progress row a kill during statement 1 leaves.
    let empty_hash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    conn.execute_script(&format!(
        "CREATE TABLE IF NOT EXISTS autogen_progress (revision varchar(32) NOT NULL PRIMARY KEY, direction varchar(16) NOT NULL, statements_done integer NOT NULL, done_hash varchar(64) NOT NULL, started_at varchar(40) NOT NULL, running integer NULL);\
         INSERT INTO autogen_progress VALUES ('{R2}', 'upgrade', 0, '{empty_hash}', '2026-01-01T00:00:00Z', 0)"
    ))
    .await
    .unwrap();
    let status = DatabaseStatus::read(&mut conn, &set).await.unwrap();
    assert_eq!(status.invalid_indexes, ["ix_t_a on t"]);
    assert_eq!(status.partial.len(), 1);
    assert_eq!(status.partial[0].running, Some(1));

    let notices = Notices::default();
    let applied = upgrade_observed(
        &mut conn,
        &set,
        "head",
        &UpgradeOptions::default(),
        &notices,
    )
    .await
    .unwrap();
    assert_eq!(applied, [R2]);
    let said = notices.0.lock().unwrap().join("\n");
    assert!(
        said.contains("INVALID") && said.contains("ix_t_a"),
        "{said}"
    );
    assert_eq!(pg_index(&mut conn, "ix_t_a").await, Some(true));
    assert!(has_table(&mut conn, "after_index").await);
    assert_eq!(progress_rows(&mut conn).await, 0);
    let status = DatabaseStatus::read(&mut conn, &set).await.unwrap();
    assert!(status.invalid_indexes.is_empty() && status.partial.is_empty());

    // A failed build is cleaned up at once: no INVALID index stays behind the error.
    conn.execute_script("INSERT INTO t VALUES (1000, 1)")
        .await
        .unwrap();
    write_file(
        dir.path(),
        R3,
        Some(R2),
        "",
        "-- autogen:no-transaction\nCREATE UNIQUE INDEX CONCURRENTLY ux_t_a ON t (a);",
        "-- autogen:no-transaction\nDROP INDEX CONCURRENTLY ux_t_a;",
    );
    let set = RevisionSet::load(dir.path()).unwrap();
    let err = upgrade(&mut conn, &set, "head").await.unwrap_err();
    assert!(matches!(err, RunError::Statement(_)), "{err}");
    assert_eq!(pg_index(&mut conn, "ux_t_a").await, None, "{err}");
    assert_eq!(progress_rows(&mut conn).await, 0);
    let _ = conn.close().await;
    db.finish().await;
}

/// Runs a script statement by statement, as psql, mysql or sqlite3 do with a file (PostgreSQL
/// runs a multi-statement message in one implicit transaction, where `CONCURRENTLY` is refused).
async fn run_by_hand(conn: &mut Connection, script: &str, d: Dialect) {
    for statement in autogen_revisions::split_statements(script, d) {
        conn.execute_script(&statement)
            .await
            .unwrap_or_else(|e| panic!("{d}: {statement}: {e}\n{script}"));
    }
}

/// The offline script of a revision with no-transaction steps, run by hand, does what the
/// runner does: the same tables, the same version rows, no progress left.
#[tokio::test]
async fn offline_scripts_of_no_transaction_steps_run() {
    for db in databases().await {
        let d = db.dialect;
        let (up_alone, down_alone) = alone_step(d);
        let (_dir, set) = revisions(&[rev(
            &format!("CREATE TABLE a (id integer PRIMARY KEY);\n-- autogen:no-transaction\n{up_alone};\nCREATE TABLE b (id integer PRIMARY KEY);"),
            &format!("DROP TABLE b;\n-- autogen:no-transaction\n{down_alone};\nDROP TABLE a;"),
        )]);
        let mut conn = db.connect().await;
        let script = autogen_revisions::upgrade_script(&set, d, "base", "head").unwrap();
        run_by_hand(&mut conn, &script, d).await;
        assert!(has_table(&mut conn, "b").await, "{d}");
        assert_eq!(
            count(&mut conn, "SELECT revision FROM autogen_version").await,
            1,
            "{d}"
        );
        assert_eq!(progress_rows(&mut conn).await, 0, "{d}");
        let script = autogen_revisions::downgrade_script(&set, d, "head", "base").unwrap();
        run_by_hand(&mut conn, &script, d).await;
        assert!(!has_table(&mut conn, "a").await, "{d}");
        assert_eq!(
            count(&mut conn, "SELECT revision FROM autogen_version").await,
            0,
            "{d}"
        );
        let _ = conn.close().await;
        db.finish().await;
    }
}
