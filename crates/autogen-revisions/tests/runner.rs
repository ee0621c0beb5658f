//! The runner on real databases: SQLite always (a temporary file), PostgreSQL and MySQL/MariaDB
//! when AUTOGEN_TEST_POSTGRES_URL / AUTOGEN_TEST_MYSQL_URL are set (each test creates and drops
//! its own scratch database). One body per behaviour loops over every available dialect.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::Path;

use autogen_db::{Connection, DatabaseUrl, Dialect};
use autogen_revisions::{
    current, downgrade, downgrade_script, render_revision, stamp, upgrade, upgrade_script,
    RevisionHeader, RevisionSet, RunError, Statement,
};
use common::databases;

const R1: &str = "aaaaaaaaaaa1";
const R2: &str = "aaaaaaaaaaa2";

fn stmts(sqls: &[&str]) -> Vec<Statement> {
    sqls.iter().map(|s| Statement::new(*s)).collect()
}

fn write_rev(dir: &Path, id: &str, parent: Option<&str>, up: &[&str], down: &[&str]) {
    let header = RevisionHeader {
        id: id.to_string(),
        parents: parent.into_iter().map(str::to_string).collect(),
        message: format!("revision {id}"),
        created: format!("2026-11-21T15:30:0{}Z", &id[11..]),
        dialect: None,
    };
    let text = render_revision(&header, &stmts(up), &stmts(down)).unwrap();
    std::fs::write(dir.join(format!("{id}_rev.sql")), text).unwrap();
}

/// Whether `table` exists, asked in the one way every dialect understands.
async fn has_table(conn: &mut Connection, table: &str) -> bool {
    conn.execute_script(&format!("SELECT 1 FROM {table} WHERE 1 = 0"))
        .await
        .is_ok()
}

async fn applied_ids(conn: &mut Connection) -> Vec<String> {
    let mut ids: Vec<String> = current(conn)
        .await
        .unwrap()
        .into_iter()
        .map(|a| a.revision)
        .collect();
    ids.sort();
    ids
}

fn two_revisions(dir: &Path) -> RevisionSet {
    write_rev(
        dir,
        R1,
        None,
        &["CREATE TABLE a (id integer PRIMARY KEY)"],
        &["DROP TABLE a"],
    );
    write_rev(
        dir,
        R2,
        Some(R1),
        &[
            "CREATE TABLE b (id integer PRIMARY KEY, note varchar(20))",
            "INSERT INTO b (id, note) VALUES (1, 'x;y')",
        ],
        &["DROP TABLE b"],
    );
    RevisionSet::load(dir).unwrap()
}

#[tokio::test]
async fn upgrade_current_and_downgrade() {
    for db in databases().await {
        let d = db.dialect;
        let dir = tempfile::tempdir().unwrap();
        let set = two_revisions(dir.path());
        let mut conn = db.connect().await;

        assert!(current(&mut conn).await.unwrap().is_empty(), "{d}");
        assert!(
            !has_table(&mut conn, "autogen_version").await,
            "{d}: current created a table"
        );

        assert_eq!(
            upgrade(&mut conn, &set, "head").await.unwrap(),
            vec![R1, R2],
            "{d}"
        );
        assert!(
            has_table(&mut conn, "a").await && has_table(&mut conn, "b").await,
            "{d}"
        );
        let rows = current(&mut conn).await.unwrap();
        assert_eq!(rows.len(), 2, "{d}");
        for row in &rows {
            assert_eq!(
                row.checksum,
                set.get(&row.revision).unwrap().checksum,
                "{d}"
            );
            assert_eq!(row.applied_at.len(), 20, "{d}: {}", row.applied_at);
        }
        let ids = rows.iter().map(|r| r.revision.clone()).collect();
        assert_eq!(set.applied_heads(&ids), vec![R2], "{d}");
        assert!(
            upgrade(&mut conn, &set, "head").await.unwrap().is_empty(),
            "{d}"
        );

        assert_eq!(
            downgrade(&mut conn, &set, "-1").await.unwrap(),
            vec![R2],
            "{d}"
        );
        assert!(
            has_table(&mut conn, "a").await && !has_table(&mut conn, "b").await,
            "{d}"
        );
        assert_eq!(applied_ids(&mut conn).await, vec![R1], "{d}");

        assert_eq!(
            downgrade(&mut conn, &set, "base").await.unwrap(),
            vec![R1],
            "{d}"
        );
        assert!(!has_table(&mut conn, "a").await, "{d}");
        assert!(applied_ids(&mut conn).await.is_empty(), "{d}");

        // A prefix target, then downgrade to an applied revision.
        assert_eq!(
            upgrade(&mut conn, &set, "aaaaaaaaaaa2").await.unwrap(),
            vec![R1, R2],
            "{d}"
        );
        assert_eq!(
            downgrade(&mut conn, &set, R1).await.unwrap(),
            vec![R2],
            "{d}"
        );

        // Impossible requests change nothing.
        let err = downgrade(&mut conn, &set, "-2").await.unwrap_err();
        assert!(
            err.to_string().contains("only 1 revision(s) are applied"),
            "{d}: {err}"
        );
        let err = downgrade(&mut conn, &set, R2).await.unwrap_err();
        assert!(matches!(err, RunError::NotApplied { .. }), "{d}: {err}");
        let err = upgrade(&mut conn, &set, "zzz").await.unwrap_err();
        assert!(
            err.to_string().contains("no revision matches `zzz`"),
            "{d}: {err}"
        );
        assert_eq!(applied_ids(&mut conn).await, vec![R1], "{d}");

        conn.close().await.unwrap();
        db.finish().await;
    }
}

#[tokio::test]
async fn a_failing_statement_leaves_nothing_of_its_revision() {
    for db in databases().await {
        let d = db.dialect;
        let dir = tempfile::tempdir().unwrap();
        write_rev(
            dir.path(),
            R1,
            None,
            &["CREATE TABLE a (id integer PRIMARY KEY)"],
            &["DROP TABLE a"],
        );
        write_rev(
            dir.path(),
            R2,
            Some(R1),
            &[
                "CREATE TABLE b (id integer PRIMARY KEY)",
                "INSERT INTO missing_table (id) VALUES (1)",
            ],
            &["DROP TABLE b"],
        );
        let set = RevisionSet::load(dir.path()).unwrap();
        let mut conn = db.connect().await;

        let err = upgrade(&mut conn, &set, "head").await.unwrap_err();
        let shown = err.to_string();
        assert!(
            shown.contains(R2) && shown.contains("aaaaaaaaaaa2_rev.sql"),
            "{d}: {shown}"
        );
        assert!(shown.contains("statement 2 of 2"), "{d}: {shown}");
        assert!(
            shown.contains("INSERT INTO missing_table (id) VALUES (1)"),
            "{d}: {shown}"
        );
        assert!(shown.contains("missing_table"), "{d}: {shown}");
        // The first revision went through; the second left no row in the version table.
        assert!(has_table(&mut conn, "a").await, "{d}");
        assert_eq!(applied_ids(&mut conn).await, vec![R1], "{d}");

        match d {
            Dialect::Sqlite | Dialect::Postgres => {
                assert!(
                    matches!(&err, RunError::Statement(f) if f.index == 2),
                    "{d}: {err:?}"
                );
                assert!(shown.contains("nothing of it was applied"), "{d}: {shown}");
                assert!(
                    !has_table(&mut conn, "b").await,
                    "{d}: the revision left a table"
                );
            }
            Dialect::Mysql => {
                // DDL committed: the report lists exactly what ran and how to recover.
                let RunError::Partial { executed, failure } = &err else {
                    panic!("{d}: {err:?}");
                };
                let index = &failure.index;
                assert_eq!(
                    executed,
                    &vec!["CREATE TABLE b (id integer PRIMARY KEY)".to_string()]
                );
                assert_eq!(*index, 2);
                assert!(
                    shown.contains("[1] CREATE TABLE b (id integer PRIMARY KEY)"),
                    "{shown}"
                );
                assert!(shown.contains("STAYED APPLIED"), "{shown}");
                assert!(shown.contains("resumes at statement 2"), "{shown}");
                assert!(
                    shown.contains("DELETE FROM autogen_progress WHERE revision = 'aaaaaaaaaaa2'"),
                    "{shown}"
                );
                assert!(has_table(&mut conn, "b").await);

                // Another target than the partial revision is refused.
                let err = downgrade(&mut conn, &set, "base").await.unwrap_err();
                assert!(matches!(err, RunError::PartiallyApplied { .. }), "{err:?}");

                // Fix statement 2 (statement 1 unchanged): the run resumes after statement 1
                // (running CREATE TABLE b again would fail).
                write_rev(
                    dir.path(),
                    R2,
                    Some(R1),
                    &[
                        "CREATE TABLE b (id integer PRIMARY KEY)",
                        "INSERT INTO b (id) VALUES (1)",
                    ],
                    &["DROP TABLE b"],
                );
                let fixed = RevisionSet::load(dir.path()).unwrap();
                assert_eq!(upgrade(&mut conn, &fixed, "head").await.unwrap(), vec![R2]);
                assert_eq!(applied_ids(&mut conn).await, vec![R1, R2]);
                assert!(conn
                    .execute_script("SELECT 1 FROM autogen_progress")
                    .await
                    .is_ok());
                assert_eq!(
                    downgrade(&mut conn, &fixed, "base").await.unwrap(),
                    vec![R2, R1]
                );
            }
        }

        // A revision whose first statement fails is an ordinary failure everywhere.
        let dir2 = tempfile::tempdir().unwrap();
        write_rev(
            dir2.path(),
            R1,
            None,
            &["CREATE TABLE c (id integer PRIMARY KEY)"],
            &["DROP TABLE c"],
        );
        write_rev(
            dir2.path(),
            R2,
            Some(R1),
            &[
                "INSERT INTO nope (id) VALUES (1)",
                "CREATE TABLE d (id integer)",
            ],
            &[],
        );
        let set2 = RevisionSet::load(dir2.path()).unwrap();
        if d != Dialect::Mysql {
            // Continue from the state above: a, R1 applied; clear it first.
            downgrade(&mut conn, &set, "base").await.unwrap();
        }
        let err = upgrade(&mut conn, &set2, "head").await.unwrap_err();
        assert!(
            matches!(&err, RunError::Statement(f) if f.index == 1),
            "{d}: {err:?}"
        );
        assert!(!has_table(&mut conn, "d").await, "{d}");
        assert_eq!(applied_ids(&mut conn).await, vec![R1], "{d}");
        // Nothing is left to resume: a fixed file runs from the start.
        write_rev(
            dir2.path(),
            R2,
            Some(R1),
            &["CREATE TABLE d (id integer)"],
            &["DROP TABLE d"],
        );
        let set2 = RevisionSet::load(dir2.path()).unwrap();
        assert_eq!(
            upgrade(&mut conn, &set2, "head").await.unwrap(),
            vec![R2],
            "{d}"
        );

        conn.close().await.unwrap();
        db.finish().await;
    }
}

#[tokio::test]
async fn concurrent_upgrades_apply_each_revision_once() {
    for db in databases().await {
        let d = db.dialect;
        let dir = tempfile::tempdir().unwrap();
        let set = two_revisions(dir.path());
        let mut c1 = db.connect().await;
        let mut c2 = db.connect().await;
        let (r1, r2) = tokio::join!(
            upgrade(&mut c1, &set, "head"),
            upgrade(&mut c2, &set, "head")
        );
        let mut all = r1.unwrap();
        all.extend(r2.unwrap());
        all.sort();
        assert_eq!(all, vec![R1, R2], "{d}: each revision applied exactly once");
        assert_eq!(applied_ids(&mut c1).await, vec![R1, R2], "{d}");
        c1.close().await.unwrap();
        c2.close().await.unwrap();
        db.finish().await;
    }
}

#[tokio::test]
async fn edited_and_unknown_revisions_are_refused() {
    for db in databases().await {
        let d = db.dialect;
        let dir = tempfile::tempdir().unwrap();
        let set = two_revisions(dir.path());
        let mut conn = db.connect().await;
        upgrade(&mut conn, &set, R1).await.unwrap();

        // Edit the applied revision's file.
        let path = dir.path().join(format!("{R1}_rev.sql"));
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, text.replace("PRIMARY KEY", "PRIMARY KEY NOT NULL")).unwrap();
        let edited = RevisionSet::load(dir.path()).unwrap();
        let err = upgrade(&mut conn, &edited, "head").await.unwrap_err();
        assert!(
            matches!(err, RunError::ChecksumMismatch { .. }),
            "{d}: {err:?}"
        );
        assert!(
            err.to_string().contains("aaaaaaaaaaa1_rev.sql"),
            "{d}: {err}"
        );
        assert_eq!(applied_ids(&mut conn).await, vec![R1], "{d}");

        // Stamping accepts the edit; then the upgrade goes on.
        assert_eq!(
            stamp(&mut conn, &edited, R1).await.unwrap(),
            vec![R1],
            "{d}"
        );
        let rows = current(&mut conn).await.unwrap();
        assert_eq!(rows[0].checksum, edited.get(R1).unwrap().checksum, "{d}");
        assert_eq!(
            upgrade(&mut conn, &edited, "head").await.unwrap(),
            vec![R2],
            "{d}"
        );
        // Stamping runs no SQL: base forgets everything, head records everything again.
        assert!(
            stamp(&mut conn, &edited, "base").await.unwrap().is_empty(),
            "{d}"
        );
        assert!(applied_ids(&mut conn).await.is_empty(), "{d}");
        assert!(has_table(&mut conn, "b").await, "{d}");
        assert_eq!(
            stamp(&mut conn, &edited, "head").await.unwrap(),
            vec![R1, R2],
            "{d}"
        );
        assert_eq!(applied_ids(&mut conn).await, vec![R1, R2], "{d}");
        assert_eq!(
            downgrade(&mut conn, &edited, "-1").await.unwrap(),
            vec![R2],
            "{d}"
        );

        // A folder that lacks an applied revision.
        let other = tempfile::tempdir().unwrap();
        write_rev(other.path(), "bbbbbbbbbbb1", None, &["SELECT 1"], &[]);
        let other = RevisionSet::load(other.path()).unwrap();
        let err = upgrade(&mut conn, &other, "head").await.unwrap_err();
        assert!(
            matches!(err, RunError::UnknownApplied { .. }),
            "{d}: {err:?}"
        );
        assert!(err.to_string().contains(R1), "{d}: {err}");

        conn.close().await.unwrap();
        db.finish().await;
    }
}

#[tokio::test]
async fn sqlite_foreign_key_violations_roll_the_revision_back() {
    let dir = tempfile::tempdir().unwrap();
    let db_path = dir.path().join("fk.sqlite");
    let url = DatabaseUrl::parse(&format!("sqlite://{}", db_path.display())).unwrap();
    let revs = dir.path().join("revs");
    std::fs::create_dir(&revs).unwrap();
    write_rev(
        &revs,
        R1,
        None,
        &[
            "CREATE TABLE parent (id integer PRIMARY KEY)",
            "CREATE TABLE child (id integer PRIMARY KEY, parent_id integer REFERENCES parent (id))",
            "INSERT INTO parent (id) VALUES (1)",
            "INSERT INTO child (id, parent_id) VALUES (10, 1)",
        ],
        &["DROP TABLE child", "DROP TABLE parent"],
    );
    write_rev(&revs, R2, Some(R1), &["DELETE FROM parent"], &[]);
    let set = RevisionSet::load(&revs).unwrap();
    let mut conn = Connection::connect(&url).await.unwrap();

    let err = upgrade(&mut conn, &set, "head").await.unwrap_err();
    let RunError::ForeignKeyViolations {
        revision,
        violations,
        ..
    } = &err
    else {
        panic!("{err:?}");
    };
    assert_eq!(revision, R2);
    assert_eq!(violations.len(), 1, "{violations:?}");
    assert!(
        violations[0].contains("child") && violations[0].contains("rowid 10"),
        "{violations:?}"
    );
    assert_eq!(applied_ids(&mut conn).await, vec![R1]);
    // The parent row survived, and foreign keys are enforced again afterwards.
    conn.execute_script("SELECT 1 FROM parent WHERE id = 1")
        .await
        .unwrap();
    let Connection::Sqlite(c) = &mut conn else {
        unreachable!()
    };
    let fk: i64 = sqlx::query_scalar("PRAGMA foreign_keys")
        .fetch_one(&mut *c)
        .await
        .unwrap();
    assert_eq!(fk, 1);
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM parent")
        .fetch_one(&mut *c)
        .await
        .unwrap();
    assert_eq!(count, 1);
    conn.close().await.unwrap();
}

#[tokio::test]
async fn a_revision_with_transaction_control_is_refused_before_anything_runs() {
    // Branches, merges and relative targets are covered in tests/graph.rs.
    for db in databases().await {
        let d = db.dialect;
        let dir = tempfile::tempdir().unwrap();
        let (a, m) = ("aaaaaaaaaaa1", "aaaaaaaaaaa4");
        write_rev(
            dir.path(),
            a,
            None,
            &["CREATE TABLE a (id integer)"],
            &["DROP TABLE a"],
        );
        write_rev(dir.path(), m, Some(a), &[], &[]);
        let mut conn = db.connect().await;
        assert_eq!(
            upgrade(&mut conn, &RevisionSet::load(dir.path()).unwrap(), a)
                .await
                .unwrap(),
            vec![a],
            "{d}"
        );

        // A revision that commits on its own is refused before anything runs.
        write_rev(
            dir.path(),
            "aaaaaaaaaaa5",
            Some(m),
            &["CREATE TABLE e (id integer)"],
            &[],
        );
        write_rev(
            dir.path(),
            "aaaaaaaaaaa6",
            Some("aaaaaaaaaaa5"),
            &["COMMIT"],
            &[],
        );
        let bad = RevisionSet::load(dir.path()).unwrap();
        let err = upgrade(&mut conn, &bad, "head").await.unwrap_err();
        assert!(
            matches!(err, RunError::TransactionControl { .. }),
            "{d}: {err:?}"
        );
        assert!(!has_table(&mut conn, "e").await, "{d}");
        assert_eq!(applied_ids(&mut conn).await, vec![a], "{d}");

        conn.close().await.unwrap();
        db.finish().await;
    }
}

#[tokio::test]
async fn a_failing_downgrade_keeps_the_revision_applied() {
    for db in databases().await {
        let d = db.dialect;
        if d == Dialect::Mysql {
            // DDL is not transactional there; covered by the partial-progress test.
            db.finish().await;
            continue;
        }
        let dir = tempfile::tempdir().unwrap();
        write_rev(
            dir.path(),
            R1,
            None,
            &["CREATE TABLE a (id integer)", "CREATE TABLE b (id integer)"],
            &["DROP TABLE b", "DROP TABLE nope", "DROP TABLE a"],
        );
        let set = RevisionSet::load(dir.path()).unwrap();
        let mut conn = db.connect().await;
        upgrade(&mut conn, &set, "head").await.unwrap();
        let err = downgrade(&mut conn, &set, "base").await.unwrap_err();
        assert!(
            matches!(&err, RunError::Statement(f) if f.index == 2),
            "{d}: {err:?}"
        );
        assert!(
            err.to_string()
                .starts_with("downgrade of revision aaaaaaaaaaa1"),
            "{d}: {err}"
        );
        assert!(
            has_table(&mut conn, "b").await,
            "{d}: the failed downgrade dropped b"
        );
        assert_eq!(applied_ids(&mut conn).await, vec![R1], "{d}");
        conn.close().await.unwrap();
        db.finish().await;
    }
}

#[tokio::test]
async fn offline_scripts_do_what_the_runner_does() {
    for db in databases().await {
        let d = db.dialect;
        let dir = tempfile::tempdir().unwrap();
        let set = two_revisions(dir.path());
        let mut conn = db.connect().await;
        let script = upgrade_script(&set, d, "base", "head").unwrap();
        conn.execute_script(&script).await.unwrap();
        assert_eq!(applied_ids(&mut conn).await, vec![R1, R2], "{d}");
        assert!(has_table(&mut conn, "b").await, "{d}");
        // Checksums match the files: the runner sees nothing to do.
        assert!(
            upgrade(&mut conn, &set, "head").await.unwrap().is_empty(),
            "{d}"
        );
        let script = downgrade_script(&set, d, "head", "base").unwrap();
        conn.execute_script(&script).await.unwrap();
        assert!(applied_ids(&mut conn).await.is_empty(), "{d}");
        assert!(!has_table(&mut conn, "a").await, "{d}");
        conn.close().await.unwrap();
        db.finish().await;
    }
}
