//! The revision graph on real databases (SQLite always; PostgreSQL and MySQL/MariaDB when their
//! URLs are set): relative targets and `heads`, stamping then upgrading, accepting an edited
//! revision, purging, hand-written revisions with tricky SQL, the offline script statement for
//! statement against the runner across a merge, and emptying a scratch database.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::Path;

use autogen_db::{Connection, Dialect};
use autogen_revisions::{
    clean_database, current, downgrade, downgrade_script, purge, render_revision, split_statements,
    stamp, upgrade, upgrade_script, upgrade_with, RevisionHeader, RevisionSet, RunError, Statement,
    UpgradeOptions,
};
use common::{database, databases};

fn write_rev(dir: &Path, id: &str, parents: &[&str], up: &[&str], down: &[&str]) {
    let st =
        |sqls: &[&str]| -> Vec<Statement> { sqls.iter().map(|s| Statement::new(*s)).collect() };
    let header = RevisionHeader {
        id: id.to_string(),
        parents: parents.iter().map(|p| p.to_string()).collect(),
        message: format!("revision {id}"),
        created: format!("2026-11-21T15:30:0{}Z", &id[11..]),
        dialect: None,
    };
    let text = render_revision(&header, &st(up), &st(down)).unwrap();
    std::fs::write(dir.join(format!("{id}_rev.sql")), text).unwrap();
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

async fn has_table(conn: &mut Connection, table: &str) -> bool {
    conn.execute_script(&format!("SELECT 1 FROM {table} WHERE 1 = 0"))
        .await
        .is_ok()
}

/// One text value from a query, whatever the dialect.
async fn text(conn: &mut Connection, sql: &str) -> String {
    match conn {
        Connection::Sqlite(c) => sqlx::query_scalar::<_, String>(sql).fetch_one(c).await,
        Connection::Postgres(c) => sqlx::query_scalar::<_, String>(sql).fetch_one(c).await,
        Connection::Mysql(c) => sqlx::query_scalar::<_, String>(sql).fetch_one(c).await,
    }
    .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

const A: &str = "aaaaaaaaaaa1";
const B: &str = "aaaaaaaaaaa2";
const C: &str = "aaaaaaaaaaa3";
const M: &str = "aaaaaaaaaaa4";
const N: &str = "aaaaaaaaaaa5";

/// A -> B, A -> C, merge M of (B, C), then N after M.
fn merged_graph(dir: &Path) -> RevisionSet {
    write_rev(
        dir,
        A,
        &[],
        &["CREATE TABLE a (id integer)"],
        &["DROP TABLE a"],
    );
    write_rev(
        dir,
        B,
        &[A],
        &[
            "CREATE TABLE b (id integer)",
            "INSERT INTO b (id) VALUES (1)",
        ],
        &["DROP TABLE b"],
    );
    write_rev(
        dir,
        C,
        &[A],
        &["CREATE TABLE c (id integer)"],
        &["DROP TABLE c"],
    );
    write_rev(dir, M, &[B, C], &[], &[]);
    write_rev(
        dir,
        N,
        &[M],
        &["CREATE TABLE n (id integer, note varchar(40))"],
        &["DROP TABLE n"],
    );
    RevisionSet::load(dir).unwrap()
}

#[tokio::test]
async fn heads_relative_steps_stamp_and_purge() {
    for db in databases().await {
        let d = db.dialect;
        let dir = tempfile::tempdir().unwrap();
        let full = merged_graph(dir.path());
        // Without the merge: two heads.
        let branched = RevisionSet::new(
            full.history()
                .iter()
                .filter(|r| r.id != M && r.id != N)
                .cloned()
                .collect(),
        )
        .unwrap();
        let mut conn = db.connect().await;

        // `+1` from base is the root; `head` is refused with two heads; `heads` applies both.
        assert_eq!(
            upgrade(&mut conn, &branched, "+1").await.unwrap(),
            vec![A],
            "{d}"
        );
        let err = upgrade(&mut conn, &branched, "head").await.unwrap_err();
        assert!(err.to_string().contains("autogen merge"), "{d}: {err}");
        assert_eq!(applied_ids(&mut conn).await, vec![A], "{d}");
        let err = upgrade(&mut conn, &branched, "+1").await.unwrap_err();
        assert!(
            err.to_string().contains(B) && err.to_string().contains(C),
            "{d}: {err}"
        );
        assert_eq!(
            upgrade(&mut conn, &branched, "heads").await.unwrap(),
            vec![B, C],
            "{d}"
        );

        // After the merge: `+1` applies the merge, `+1` again N; `head-1` downgrades to M.
        assert_eq!(
            upgrade(&mut conn, &full, "+1").await.unwrap(),
            vec![M],
            "{d}"
        );
        assert_eq!(
            upgrade(&mut conn, &full, "+1").await.unwrap(),
            vec![N],
            "{d}"
        );
        assert_eq!(
            downgrade(&mut conn, &full, "head-1").await.unwrap(),
            vec![N],
            "{d}"
        );
        // Downgrading across the merge to one branch reverts the merge and the other branch's
        // side stays.
        assert_eq!(
            downgrade(&mut conn, &full, B).await.unwrap(),
            vec![M],
            "{d}"
        );
        assert_eq!(applied_ids(&mut conn).await, vec![A, B, C], "{d}");
        // With two branch tips applied, `-1` names no single revision.
        let err = downgrade(&mut conn, &full, "-1").await.unwrap_err();
        assert!(err.to_string().contains("several revisions"), "{d}: {err}");
        assert_eq!(applied_ids(&mut conn).await, vec![A, B, C], "{d}");
        assert_eq!(
            downgrade(&mut conn, &full, "base").await.unwrap().len(),
            3,
            "{d}"
        );
        assert!(!has_table(&mut conn, "a").await, "{d}");

        // Stamp without running SQL, then upgrade runs only what comes after.
        conn.execute_script("CREATE TABLE a (id integer)")
            .await
            .unwrap();
        assert_eq!(stamp(&mut conn, &full, A).await.unwrap(), vec![A], "{d}");
        assert_eq!(
            upgrade(&mut conn, &full, "head").await.unwrap(),
            vec![B, C, M, N],
            "{d}"
        );
        assert_eq!(
            text(&mut conn, "SELECT CAST(count(*) AS CHAR(10)) FROM b")
                .await
                .trim(),
            "1",
            "{d}"
        );
        // `stamp heads` on the branched set records both branches.
        assert_eq!(
            stamp(&mut conn, &branched, "heads").await.unwrap(),
            vec![A, B, C],
            "{d}"
        );
        assert_eq!(applied_ids(&mut conn).await, vec![A, B, C], "{d}");

        // Purge forgets everything and runs nothing.
        assert_eq!(purge(&mut conn).await.unwrap().len(), 3, "{d}");
        assert!(applied_ids(&mut conn).await.is_empty(), "{d}");
        assert!(has_table(&mut conn, "n").await, "{d}");

        conn.close().await.unwrap();
        db.finish().await;
    }
}

#[tokio::test]
async fn an_edited_applied_revision_is_refused_unless_allowed() {
    for db in databases().await {
        let d = db.dialect;
        let dir = tempfile::tempdir().unwrap();
        let set = merged_graph(dir.path());
        let mut conn = db.connect().await;
        upgrade(&mut conn, &set, B).await.unwrap();
        let path = dir.path().join(format!("{A}_rev.sql"));
        let original = set.get(A).unwrap().checksum.clone();
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(
            &path,
            text.replace("-- autogen:upgrade", "-- reviewed\n-- autogen:upgrade"),
        )
        .unwrap();
        let edited = RevisionSet::load(dir.path()).unwrap();
        let now = edited.get(A).unwrap().checksum.clone();

        let found =
            autogen_revisions::edited_revisions(&edited, &current(&mut conn).await.unwrap());
        assert_eq!(found.len(), 1, "{d}");
        assert_eq!(
            (
                found[0].id.as_str(),
                &found[0].applied_checksum,
                &found[0].file_checksum
            ),
            (A, &original, &now),
            "{d}"
        );

        let err = upgrade(&mut conn, &edited, "head").await.unwrap_err();
        let shown = err.to_string();
        assert!(
            matches!(err, RunError::ChecksumMismatch { .. }),
            "{d}: {err:?}"
        );
        for needle in [
            original.as_str(),
            now.as_str(),
            "aaaaaaaaaaa1_rev.sql",
            "--allow-edited",
        ] {
            assert!(shown.contains(needle), "{d}: {needle} missing from {shown}");
        }
        assert_eq!(applied_ids(&mut conn).await, vec![A, B], "{d}");

        let options = UpgradeOptions {
            allow_edited: vec!["aaaaaaaaaaa1".into()],
            ..UpgradeOptions::default()
        };
        assert_eq!(
            upgrade_with(&mut conn, &edited, "head", &options)
                .await
                .unwrap(),
            vec![C, M, N],
            "{d}"
        );
        // The acceptance was recorded: a plain upgrade no longer complains.
        assert!(
            upgrade(&mut conn, &edited, "head")
                .await
                .unwrap()
                .is_empty(),
            "{d}"
        );
        conn.close().await.unwrap();
        db.finish().await;
    }
}

/// A data migration a reviewer wrote by hand: string literals holding `;` and comment markers,
/// comments of every kind, and on PostgreSQL a function whose dollar-quoted body holds `;`.
#[tokio::test]
async fn hand_written_revisions_run_as_written() {
    for db in databases().await {
        let d = db.dialect;
        let dir = tempfile::tempdir().unwrap();
        let mut upgrade_sql = String::from(
            "CREATE TABLE notes (id integer PRIMARY KEY, body varchar(100));\n\
             -- a comment; with a semicolon\n\
             INSERT INTO notes (id, body) VALUES (1, 'one; two -- not a comment');\n\
             /* a block comment; also with a semicolon */\n\
             INSERT INTO notes (id, body) VALUES (2, 'it''s /* not */ a comment;');\n\
             UPDATE notes SET body = body || ';' WHERE id = 1;\n",
        );
        if d == Dialect::Mysql {
            upgrade_sql = upgrade_sql.replace("body || ';'", "CONCAT(body, ';')");
        }
        if d == Dialect::Postgres {
            upgrade_sql.push_str(
                "CREATE FUNCTION note_count() RETURNS integer AS $body$\n\
                 BEGIN\n  -- counts; notes\n  RETURN (SELECT count(*) FROM notes);\nEND;\n\
                 $body$ LANGUAGE plpgsql;\n",
            );
        }
        let downgrade_sql = if d == Dialect::Postgres {
            "DROP FUNCTION note_count();\nDROP TABLE notes;\n"
        } else {
            "DROP TABLE notes;\n"
        };
        let text = format!(
            "-- autogen:revision {A}\n-- autogen:message hand written\n\n-- autogen:upgrade\n{upgrade_sql}\n-- autogen:downgrade\n{downgrade_sql}"
        );
        std::fs::write(dir.path().join(format!("{A}_hand.sql")), text).unwrap();
        let set = RevisionSet::load(dir.path()).unwrap();
        let expected_statements = if d == Dialect::Postgres { 5 } else { 4 };
        assert_eq!(
            split_statements(&set.get(A).unwrap().upgrade_sql, d).len(),
            expected_statements,
            "{d}"
        );
        let mut conn = db.connect().await;
        upgrade(&mut conn, &set, "head").await.unwrap();
        assert_eq!(
            text_of(&mut conn, "SELECT body FROM notes WHERE id = 1").await,
            "one; two -- not a comment;",
            "{d}"
        );
        assert_eq!(
            text_of(&mut conn, "SELECT body FROM notes WHERE id = 2").await,
            "it's /* not */ a comment;",
            "{d}"
        );
        if d == Dialect::Postgres {
            assert_eq!(
                text_of(&mut conn, "SELECT note_count()::text").await,
                "2",
                "{d}"
            );
        }
        downgrade(&mut conn, &set, "base").await.unwrap();
        assert!(!has_table(&mut conn, "notes").await, "{d}");
        conn.close().await.unwrap();
        db.finish().await;
    }
}

async fn text_of(conn: &mut Connection, sql: &str) -> String {
    text(conn, sql).await
}

/// The offline script holds, revision by revision, exactly the statements the runner executes
/// (re-splitting the script gives them back), and running it leaves the same version table and
/// tables as the runner, across a branch and a merge, up and down.
#[tokio::test]
async fn offline_script_equals_what_the_runner_executes() {
    for d in [Dialect::Sqlite, Dialect::Postgres, Dialect::Mysql] {
        let Some(by_runner) = database(d).await else {
            continue;
        };
        let Some(by_script) = database(d).await else {
            by_runner.finish().await;
            continue;
        };
        let dir = tempfile::tempdir().unwrap();
        // A statement ending in a comment, and a string with a semicolon, to test the script's
        // statement terminators.
        write_rev(
            dir.path(),
            A,
            &[],
            &[
                "CREATE TABLE a (id integer, note varchar(20)) -- trailing comment",
                "INSERT INTO a (id, note) VALUES (1, 'x;y')",
            ],
            &["DROP TABLE a"],
        );
        write_rev(
            dir.path(),
            B,
            &[A],
            &["CREATE TABLE b (id integer)"],
            &["DROP TABLE b"],
        );
        write_rev(
            dir.path(),
            C,
            &[A],
            &["CREATE TABLE c (id integer)"],
            &["DROP TABLE c"],
        );
        write_rev(dir.path(), M, &[B, C], &[], &[]);
        let set = RevisionSet::load(dir.path()).unwrap();

        for (from, to, up) in [
            ("base", B, true),
            (B, "head", true),
            ("head", A, false),
            (A, "base", false),
        ] {
            let script = if up {
                upgrade_script(&set, d, from, to).unwrap()
            } else {
                downgrade_script(&set, d, from, to).unwrap()
            };
            // Statements, revision by revision, as the script holds them...
            let mut in_script: Vec<(String, Vec<String>)> = Vec::new();
            for chunk in script.split("\n-- revision ").skip(1) {
                let id = chunk[..12].to_string();
                let body = chunk.split_once('\n').map(|x| x.1).unwrap_or_default();
                let statements = split_statements(body, d)
                    .into_iter()
                    .filter(|s| {
                        !matches!(s.as_str(), "BEGIN" | "COMMIT")
                            && !s.starts_with("INSERT INTO autogen_version")
                            && !s.starts_with("DELETE FROM autogen_version")
                            && !s.starts_with("PRAGMA")
                    })
                    .collect();
                in_script.push((id, statements));
            }
            // ...and as the runner executes them.
            let mut runner_conn = by_runner.connect().await;
            let ran = if up {
                upgrade(&mut runner_conn, &set, to).await.unwrap()
            } else {
                downgrade(&mut runner_conn, &set, to).await.unwrap()
            };
            let expected: Vec<(String, Vec<String>)> = ran
                .iter()
                .map(|id| {
                    let rev = set.get(id).unwrap();
                    let sql = if up {
                        &rev.upgrade_sql
                    } else {
                        &rev.downgrade_sql
                    };
                    (id.clone(), split_statements(sql, d))
                })
                .collect();
            assert_eq!(in_script, expected, "{d} {from}:{to}\n{script}");

            let mut script_conn = by_script.connect().await;
            script_conn.execute_script(&script).await.unwrap();
            assert_eq!(
                applied_ids(&mut script_conn).await,
                applied_ids(&mut runner_conn).await,
                "{d} {from}:{to}"
            );
            let script_rows: Vec<(String, String)> = current(&mut script_conn)
                .await
                .unwrap()
                .into_iter()
                .map(|a| (a.revision, a.checksum))
                .collect();
            let mut runner_rows: Vec<(String, String)> = current(&mut runner_conn)
                .await
                .unwrap()
                .into_iter()
                .map(|a| (a.revision, a.checksum))
                .collect();
            let mut sorted = script_rows.clone();
            sorted.sort();
            runner_rows.sort();
            assert_eq!(sorted, runner_rows, "{d} {from}:{to}");
            for table in ["a", "b", "c"] {
                assert_eq!(
                    has_table(&mut script_conn, table).await,
                    has_table(&mut runner_conn, table).await,
                    "{d} {from}:{to} table {table}"
                );
            }
            script_conn.close().await.unwrap();
            runner_conn.close().await.unwrap();
        }
        by_runner.finish().await;
        by_script.finish().await;
    }
}

#[tokio::test]
async fn clean_database_empties_a_scratch_database() {
    for db in databases().await {
        let d = db.dialect;
        let dir = tempfile::tempdir().unwrap();
        let set = merged_graph(dir.path());
        let mut conn = db.connect().await;
        upgrade(&mut conn, &set, "head").await.unwrap();
        conn.execute_script(
            "CREATE TABLE parent (id integer PRIMARY KEY); CREATE TABLE child (id integer PRIMARY KEY, parent_id integer REFERENCES parent (id)); CREATE VIEW v AS SELECT id FROM parent",
        )
        .await
        .unwrap();
        clean_database(&mut conn, None).await.unwrap();
        for table in ["a", "b", "n", "parent", "child", "v", "autogen_version"] {
            assert!(!has_table(&mut conn, table).await, "{d}: {table} survived");
        }
        // Usable again right away.
        assert_eq!(
            upgrade(&mut conn, &set, "head").await.unwrap().len(),
            5,
            "{d}"
        );
        conn.close().await.unwrap();
        db.finish().await;
    }
}
