//! `autogen` processes started at once against one database, on every dialect: eight upgrades
//! together, and an upgrade racing a downgrade, repeated. The runner's lock (pg advisory lock,
//! GET_LOCK, a lock on the SQLite file) must serialise them: every revision applied exactly once,
//! and the version table always an ancestor-closed set that matches what the database holds. One
//! revision holds a slow step with a visible side effect (an INSERT), so a revision applied twice
//! would leave two rows behind. A run that waits for the lock says so after a second.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use autogen::schema::Dialect;
use common::{finish, text, Project};

const V1: &str = "use autogen::Model;\n\n#[derive(Model)]\n#[model(table = \"users\")]\npub struct User {\n    #[model(primary_key, auto_increment)]\n    pub id: i64,\n    #[model(max_length = 100)]\n    pub name: String,\n}\n";

fn with_bio() -> String {
    V1.replace(
        "    pub name: String,\n",
        "    pub name: String,\n    pub bio: Option<String>,\n",
    )
}

/// Three revisions (the table, a column, a slow data step), the database at base. Returns the
/// ids in order.
async fn three_revisions(p: &Project) -> [String; 3] {
    let first = p.ok(&["-m", "create users"]);
    p.ok(&["upgrade"]);
    p.write_models(&with_bio());
    let second = p.ok(&["-m", "add bio"]);
    p.ok(&["downgrade", "base"]);
    // A slow first statement keeps the revision running while the other process plans.
    let sleep = match p.dialect {
        Dialect::Postgres => "SELECT pg_sleep(0.5);\n",
        Dialect::Mysql => "DO SLEEP(0.5);\n",
        Dialect::Sqlite => "CREATE TABLE slow AS WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 300000) SELECT max(x) AS x FROM c;\nDROP TABLE slow;\n",
    };
    let third = p.hand_written(
        "slow data step",
        &format!("{sleep}INSERT INTO users (name) VALUES ('once');"),
        "DELETE FROM users WHERE name = 'once';",
    );
    [
        common::revision_id(&p.revision_file(&first)),
        common::revision_id(&p.revision_file(&second)),
        third,
    ]
}

/// The version table must be a prefix of the chain, and the database must hold exactly what
/// that prefix creates.
async fn consistent(p: &Project, ids: &[String; 3], context: &str) -> usize {
    let applied = p.applied().await;
    let depth = ids.iter().take_while(|id| applied.contains(id)).count();
    let mut expected: Vec<String> = ids[..depth].to_vec();
    expected.sort();
    assert_eq!(
        applied, expected,
        "{}: {context}: the version table is not a chain prefix (a child recorded without its parent?)",
        p.dialect
    );
    assert_eq!(
        p.has_table("users").await,
        depth >= 1,
        "{}: {context}: users",
        p.dialect
    );
    if depth >= 1 {
        let bio = p.has_table("(SELECT bio FROM users) AS q").await;
        assert_eq!(bio, depth >= 2, "{}: {context}: column bio", p.dialect);
        let once = p
            .strings("SELECT name AS x FROM users WHERE name = 'once'")
            .await;
        assert_eq!(
            once.len(),
            usize::from(depth >= 3),
            "{}: {context}: the data step's rows {once:?}",
            p.dialect
        );
    }
    depth
}

fn rounds() -> usize {
    std::env::var("AUTOGEN_CONCURRENCY_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2)
}

async fn concurrent_runs(dialect: Dialect) {
    let Some(p) = Project::new(dialect, V1, "").await else {
        return;
    };
    let ids = three_revisions(&p).await;
    for round in 0..rounds() {
        // Eight upgrades at once from base: each revision applied exactly once.
        let children: Vec<_> = (0..8).map(|_| p.spawn(&["upgrade"])).collect();
        let outs: Vec<_> = children.into_iter().map(finish).collect();
        let mut applied_lines = 0;
        for out in &outs {
            assert!(
                out.status.success(),
                "{dialect} round {round}: an upgrade failed:\n{}",
                text(out)
            );
            applied_lines += text(out)
                .lines()
                .filter(|l| l.starts_with("Applied "))
                .count();
        }
        assert_eq!(
            applied_lines, 3,
            "{dialect} round {round}: three revisions applied in all"
        );
        assert_eq!(consistent(&p, &ids, "after 8 upgrades").await, 3);

        // An upgrade and a downgrade together, from the middle of the chain and from head.
        for start in [ids[1].as_str(), "head"] {
            p.ok(&["downgrade", "base"]);
            p.ok(&["upgrade", start]);
            let up = p.spawn(&["upgrade"]);
            let down = p.spawn(&["downgrade", "-1"]);
            let (up, down) = (finish(up), finish(down));
            assert!(up.status.success(), "{dialect}: upgrade:\n{}", text(&up));
            assert!(
                down.status.success(),
                "{dialect}: downgrade:\n{}",
                text(&down)
            );
            let depth =
                consistent(&p, &ids, &format!("upgrade racing downgrade from {start}")).await;
            // Serialised, the two runs end at depth 2 (upgrade first) or 3 (downgrade first).
            assert!(
                depth == 2 || depth == 3,
                "{dialect}: from {start}: depth {depth} after an upgrade and a downgrade"
            );
            p.ok(&["upgrade"]);
        }
        p.ok(&["downgrade", "base"]);
    }
    p.write_models(&with_bio());
    p.ok(&["upgrade"]);
    assert!(
        p.ok(&["-m", "after"]).contains("No changes detected"),
        "{dialect}: schema not at the models"
    );
    p.drop_database().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_runs_on_sqlite() {
    concurrent_runs(Dialect::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_runs_on_postgres() {
    concurrent_runs(Dialect::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_runs_on_mariadb() {
    concurrent_runs(Dialect::Mysql).await;
}

/// Holds the migration lock the way another run would, for a while.
async fn waits_for_the_lock(dialect: Dialect) {
    let Some(p) = Project::new(dialect, V1, "").await else {
        return;
    };
    p.ok(&["-m", "create users"]);
    let mut holder = p.connect().await;
    let mut file_lock = None;
    match &mut holder {
        autogen::db::Connection::Postgres(c) => {
            sqlx::query("SELECT pg_advisory_lock(27432215686636910)")
                .execute(c)
                .await
                .expect("lock");
        }
        autogen::db::Connection::Mysql(c) => {
            sqlx::query("SELECT GET_LOCK(CONCAT('autogen:', LEFT(SHA2(COALESCE(DATABASE(), ''), 256), 40)), 0)")
                .execute(c)
                .await
                .expect("lock");
        }
        autogen::db::Connection::Sqlite(_) => {
            let f = std::fs::File::open(p.root().join("app.db")).expect("open db");
            f.lock().expect("flock");
            file_lock = Some(f);
        }
    }
    let child = p.spawn(&["upgrade"]);
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert!(
        child.id() > 0 && p.applied().await.is_empty(),
        "{dialect}: the upgrade ran while another run held the lock"
    );
    drop(file_lock);
    let _ = holder.close().await;
    let out = finish(child);
    let all = text(&out);
    assert!(out.status.success(), "{dialect}: {all}");
    assert!(
        all.contains("Waiting for another autogen run to release the migration lock"),
        "{dialect}: the wait was not reported:\n{all}"
    );
    assert_eq!(p.applied().await.len(), 1, "{dialect}");
    p.drop_database().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lock_waits_are_reported() {
    for dialect in common::DIALECTS {
        waits_for_the_lock(dialect).await;
    }
}
