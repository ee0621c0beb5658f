//! Revisions with `-- autogen:no-transaction` steps through the real `autogen` binary: the
//! crash test of issue #17 (kill `autogen upgrade` while its `CREATE INDEX CONCURRENTLY` waits
//! for another session's open transaction; `check` then reports the INVALID index and the
//! partial revision as drift, the next `upgrade` drops the index and builds it again, and
//! `check` exits 0), and the offline `--sql` scripts of such revisions on every dialect as
//! golden files (`fixtures/cli/no_transaction/<dialect>.sql`, refreshed by `AUTOGEN_BLESS=1`).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use autogen::db::Connection;
use autogen::schema::Dialect;
use common::{finish, signal, text, Project};
use serde_json::Value;

const ITEMS: &str = "use autogen::Model;\n\n#[derive(Model)]\n#[model(table = \"items\")]\npub struct Item {\n    #[model(primary_key)]\n    pub id: i32,\n    pub a: i32,\n}\n";

const ITEMS_INDEXED: &str = "use autogen::Model;\n\n#[derive(Model)]\n#[model(table = \"items\")]\n#[model(index(name = \"ix_items_a\", columns(\"a\")))]\npub struct Item {\n    #[model(primary_key)]\n    pub id: i32,\n    pub a: i32,\n}\n";

/// Polls `done` every 100 ms for up to `limit`; whether it came true.
async fn wait_for(limit: Duration, mut done: impl AsyncFnMut() -> bool) -> bool {
    let started = Instant::now();
    while started.elapsed() < limit {
        if done().await {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    false
}

/// `"true"`, `"false"` or nothing: whether ix_items_a exists and is valid.
async fn index_state(p: &Project) -> Vec<String> {
    p.strings("SELECT indisvalid AS x FROM pg_index WHERE indexrelid = to_regclass('ix_items_a')")
        .await
}

/// Server processes (other than the test's) running a `CREATE INDEX CONCURRENTLY`.
async fn builds_running(p: &Project) -> usize {
    p.strings(
        "SELECT pid AS x FROM pg_stat_activity WHERE query LIKE 'CREATE INDEX CONCURRENTLY%' AND state = 'active' AND pid <> pg_backend_pid()",
    )
    .await
    .len()
}

fn check_json(p: &Project) -> (Option<i32>, Value) {
    let out = p.run(&["check", "--format", "json"]);
    let json = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("check JSON: {e}\n{}", text(&out)));
    (out.status.code(), json)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kill_during_create_index_concurrently_is_finished_by_the_next_upgrade() {
    let Some(p) = Project::new(Dialect::Postgres, ITEMS, "").await else {
        return;
    };
    p.ok(&["-m", "items"]);
    p.ok(&["upgrade"]);
    p.execute("INSERT INTO items (id, a) SELECT g, g % 100 FROM generate_series(1, 20000) g")
        .await;
    p.write_models(ITEMS_INDEXED);
    let id = p.hand_written(
        "index items.a",
        "-- autogen:no-transaction\nCREATE INDEX CONCURRENTLY ix_items_a ON items (a);",
        "-- autogen:no-transaction\nDROP INDEX CONCURRENTLY ix_items_a;",
    );

    // Another session's open write transaction: CONCURRENTLY creates the (INVALID) index, then
    // waits for every transaction that writes the table to end.
    let mut blocker = p.connect().await;
    let Connection::Postgres(c) = &mut blocker else {
        unreachable!()
    };
    sqlx::raw_sql("BEGIN; INSERT INTO items (id, a) VALUES (-1, 0)")
        .execute(&mut *c)
        .await
        .unwrap();

    let child = p.spawn(&["upgrade"]);
    let waiting = wait_for(Duration::from_secs(30), async || {
        index_state(&p).await == ["false"] && builds_running(&p).await == 1
    })
    .await;
    assert!(waiting, "the build never waited on the open transaction");
    signal(&child, "KILL");
    let killed = finish(child);
    assert!(!killed.status.success(), "{}", text(&killed));

    // The server notices that the client is gone (client_connection_check_interval) and cancels
    // the build, leaving the INVALID index behind, as a crash does.
    let cancelled = wait_for(Duration::from_secs(15), async || {
        builds_running(&p).await == 0
    })
    .await;
    assert!(
        cancelled,
        "the server still builds the index for a killed autogen"
    );
    assert_eq!(index_state(&p).await, ["false"]);

    // check: drift, naming both the INVALID index and the revision left part way.
    let out = p.run(&["check"]);
    let said = text(&out);
    assert_eq!(out.status.code(), Some(1), "{said}");
    assert!(
        said.contains("INVALID indexes") && said.contains("ix_items_a on items"),
        "{said}"
    );
    assert!(
        said.contains("partially applied") && said.contains(&id),
        "{said}"
    );
    let (code, json) = check_json(&p);
    assert_eq!(code, Some(1));
    assert_eq!(
        json["invalid_indexes"],
        serde_json::json!(["ix_items_a on items"])
    );
    assert_eq!(json["partially_applied"][0]["revision"], id.as_str());
    assert_eq!(json["partially_applied"][0]["unknown_statement"], 1);

    sqlx::raw_sql("COMMIT").execute(&mut *c).await.unwrap();
    let _ = blocker.close().await;

    // The next run finds the INVALID index, drops it, builds it and records the revision.
    let resumed = p.ok(&["upgrade"]);
    assert!(
        resumed.contains("ix_items_a") && resumed.contains("INVALID"),
        "{resumed}"
    );
    assert_eq!(index_state(&p).await, ["true"]);
    assert!(p.applied().await.contains(&id));
    let out = p.run(&["check"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let (code, json) = check_json(&p);
    assert_eq!(code, Some(0));
    assert_eq!(json["invalid_indexes"], serde_json::json!([]));
    assert_eq!(json["partially_applied"], serde_json::json!([]));

    // And the downgrade drops it again, outside the transaction.
    p.ok(&["downgrade", "-1"]);
    assert!(index_state(&p).await.is_empty());
    p.drop_database().await;
}

/// The sections of the golden revisions, per dialect: a plain first revision and a second one
/// whose no-transaction steps sit between transactional ones.
fn revisions(dialect: Dialect) -> [(&'static str, &'static str); 2] {
    let first = (
        "CREATE TABLE items (id integer PRIMARY KEY, a integer);",
        "DROP TABLE items;",
    );
    let second = match dialect {
        Dialect::Postgres => (
            "ALTER TABLE items ADD COLUMN b integer;\n-- autogen:no-transaction\nCREATE INDEX CONCURRENTLY ix_items_a ON items (a);\nUPDATE items SET b = a;",
            "-- autogen:no-transaction\nDROP INDEX CONCURRENTLY ix_items_a;\nALTER TABLE items DROP COLUMN b;",
        ),
        Dialect::Sqlite => (
            "ALTER TABLE items ADD COLUMN b integer;\nUPDATE items SET b = a;\n-- autogen:no-transaction\nVACUUM;",
            "ALTER TABLE items DROP COLUMN b;\n-- autogen:no-transaction\nVACUUM;",
        ),
        Dialect::Mysql => (
            "ALTER TABLE items ADD COLUMN b integer;\n-- autogen:no-transaction\nCREATE INDEX ix_items_a ON items (a);\nUPDATE items SET b = a;",
            "DROP INDEX ix_items_a ON items;\nALTER TABLE items DROP COLUMN b;",
        ),
    };
    [first, second]
}

fn fixture(dialect: Dialect) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/cli/no_transaction")
        .join(format!("{}.sql", dialect.name()))
}

/// The script with the run's timestamps (`'YYYY-MM-DDTHH:MM:SSZ'`) replaced by `'<now>'`.
fn hide_now(script: &str) -> String {
    let mut out = String::new();
    let mut rest = script;
    while let Some(at) = rest.find('\'') {
        let (head, tail) = rest.split_at(at);
        out.push_str(head);
        let candidate = tail.get(1..21).unwrap_or("");
        let is_time = tail.as_bytes().get(21) == Some(&b'\'')
            && candidate.len() == 20
            && candidate.as_bytes()[10] == b'T'
            && candidate.ends_with('Z');
        if is_time {
            out.push_str("'<now>'");
            rest = &tail[22..];
        } else {
            out.push('\'');
            rest = &tail[1..];
        }
    }
    out.push_str(rest);
    out
}

#[test]
fn offline_sql_of_no_transaction_steps_on_every_dialect() {
    let mut failures = Vec::new();
    for dialect in common::DIALECTS {
        let url = match dialect {
            Dialect::Sqlite => "sqlite://offline.db",
            Dialect::Postgres => "postgres://nobody@127.0.0.1:1/offline",
            Dialect::Mysql => "mysql://nobody@127.0.0.1:1/offline",
        };
        let dir = common::project_dir(
            &format!("database_url = \"{url}\"\nmodels = [\"src/*.rs\"]\n"),
            ITEMS,
        );
        let ids = ["00000000000a", "00000000000b"];
        for (n, (up, down)) in revisions(dialect).iter().enumerate() {
            let parent = match n {
                0 => String::new(),
                _ => format!("-- autogen:parent {}\n", ids[n - 1]),
            };
            common::write(
                dir.path(),
                &format!("revisions/{}_r.sql", ids[n]),
                &format!(
                    "-- autogen:revision {id}\n{parent}-- autogen:message step {n}\n-- autogen:created 2026-12-01T00:00:00Z\n-- autogen:dialect {d}\n-- autogen:format 2\n\n-- autogen:upgrade\n{up}\n\n-- autogen:downgrade\n{down}\n\n-- autogen:end\n",
                    id = ids[n],
                    d = dialect.name(),
                ),
            );
        }
        let up = common::autogen(dir.path(), &["upgrade", "--sql", "base:head"], &[]);
        let down = common::autogen(dir.path(), &["downgrade", "--sql", "head:base"], &[]);
        assert!(up.code == 0 && down.code == 0, "{dialect}:\n{up}\n{down}");
        let actual = hide_now(&format!(
            "-- autogen upgrade --sql base:head\n{}\n-- autogen downgrade --sql head:base\n{}",
            up.stdout, down.stdout
        ));
        if let Err(e) = autogen_tests::check_golden(&fixture(dialect), &actual) {
            failures.push(e);
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
