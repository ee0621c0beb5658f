//! Two `autogen upgrade` processes started at once against the same PostgreSQL or MariaDB
//! database: the runner's lock (pg_advisory_lock, GET_LOCK) must serialise them so that every
//! revision is applied exactly once. One revision holds a slow step with a visible side effect (an
//! INSERT), so a revision applied twice would leave two rows behind.

// A test that cannot set up its temporary project should fail loudly, right there.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::{Command, Output};

use autogen::db::testing::ScratchDatabase;
use autogen::db::Connection;
use autogen::schema::Dialect;

const V1: &str = "use autogen::Model;\n\n#[derive(Model)]\n#[model(table = \"users\")]\npub struct User {\n    #[model(primary_key, auto_increment)]\n    pub id: i64,\n    #[model(max_length = 100)]\n    pub name: String,\n}\n";

fn autogen(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_autogen"))
        .args(args)
        .current_dir(dir)
        .env_remove("DATABASE_URL")
        .env("NO_COLOR", "1")
        .output()
        .expect("run autogen")
}

fn ok(dir: &Path, args: &[&str]) -> String {
    let out = autogen(dir, args);
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "autogen {args:?} failed:\n{text}");
    text
}

async fn applied(conn: &mut Connection) -> Vec<String> {
    let sql = "SELECT revision FROM autogen_version ORDER BY revision";
    let mut rows: Vec<String> = match conn {
        Connection::Postgres(c) => sqlx::query_scalar(sql).fetch_all(c).await,
        Connection::Mysql(c) => sqlx::query_scalar(sql).fetch_all(c).await,
        Connection::Sqlite(c) => sqlx::query_scalar(sql).fetch_all(c).await,
    }
    .expect("read the version table");
    rows.sort();
    rows
}

async fn user_rows(conn: &mut Connection) -> i64 {
    let sql = "SELECT COUNT(*) FROM users";
    match conn {
        Connection::Postgres(c) => sqlx::query_scalar(sql).fetch_one(c).await,
        Connection::Mysql(c) => sqlx::query_scalar(sql).fetch_one(c).await,
        Connection::Sqlite(c) => sqlx::query_scalar(sql).fetch_one(c).await,
    }
    .expect("count users")
}

async fn two_processes_apply_each_revision_once(dialect: Dialect) {
    let Some(scratch) = ScratchDatabase::from_env(dialect)
        .await
        .expect("scratch database")
    else {
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path();
    std::fs::create_dir_all(root.join("src")).expect("mkdir");
    std::fs::create_dir_all(root.join("revisions")).expect("mkdir");
    std::fs::write(
        root.join("autogen.toml"),
        format!(
            "database_url = \"{}\"\nmodels = [\"src/*.rs\"]\n",
            scratch.url().expose()
        ),
    )
    .expect("write config");
    std::fs::write(root.join("src/models.rs"), V1).expect("write models");

    // Three revisions: the table, a column, and a slow hand-written data step.
    ok(root, &["-m", "create users"]);
    ok(root, &["upgrade"]);
    std::fs::write(
        root.join("src/models.rs"),
        V1.replace(
            "    pub name: String,\n",
            "    pub name: String,\n    pub bio: Option<String>,\n",
        ),
    )
    .expect("write models");
    ok(root, &["-m", "add bio"]);
    ok(root, &["downgrade", "base"]);
    ok(root, &["revision", "--empty", "-m", "slow data step"]);
    let slow = std::fs::read_dir(root.join("revisions"))
        .expect("list revisions")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| p.to_string_lossy().contains("slow_data_step"))
        .expect("the empty revision");
    let sleep = match dialect {
        Dialect::Postgres => "SELECT pg_sleep(1)",
        _ => "DO SLEEP(1)",
    };
    let text = std::fs::read_to_string(&slow).expect("read revision");
    let text = text
        .replacen(
            "-- autogen:upgrade\n-- (no steps)",
            &format!("-- autogen:upgrade\n{sleep};\nINSERT INTO users (name) VALUES ('once');"),
            1,
        )
        .replacen(
            "-- autogen:downgrade\n-- (no steps)",
            "-- autogen:downgrade\nDELETE FROM users WHERE name = 'once';",
            1,
        );
    std::fs::write(&slow, text).expect("write revision");

    // Two upgrades at once.
    let spawn = || {
        Command::new(env!("CARGO_BIN_EXE_autogen"))
            .arg("upgrade")
            .current_dir(root)
            .env_remove("DATABASE_URL")
            .env("NO_COLOR", "1")
            .output()
    };
    let (a, b) = std::thread::scope(|s| {
        let a = s.spawn(spawn);
        let b = s.spawn(spawn);
        (
            a.join().expect("thread a").expect("run a"),
            b.join().expect("thread b").expect("run b"),
        )
    });
    let show = |o: &Output| {
        format!(
            "{}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        )
    };
    assert!(
        a.status.success() && b.status.success(),
        "{dialect}: both upgrades must succeed (the second waits):\n--- a\n{}\n--- b\n{}",
        show(&a),
        show(&b)
    );
    let applied_lines = show(&a).matches("Applied").count() + show(&b).matches("Applied").count();
    assert_eq!(
        applied_lines,
        3,
        "{dialect}: three revisions applied in all:\n--- a\n{}\n--- b\n{}",
        show(&a),
        show(&b)
    );

    let mut conn = scratch.connect().await.expect("connect");
    let ids = applied(&mut conn).await;
    let mut unique = ids.clone();
    unique.dedup();
    assert_eq!(ids.len(), 3, "{dialect}: version table {ids:?}");
    assert_eq!(ids, unique, "{dialect}: a revision recorded twice");
    assert_eq!(
        user_rows(&mut conn).await,
        1,
        "{dialect}: the data step ran more than once"
    );
    let _ = conn.close().await;
    assert!(
        ok(root, &["-m", "after"]).contains("No changes detected"),
        "{dialect}: schema not at the models"
    );
    scratch.drop_now().await.expect("drop scratch database");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_upgrades_on_postgres() {
    two_processes_apply_each_revision_once(Dialect::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_upgrades_on_mariadb() {
    two_processes_apply_each_revision_once(Dialect::Mysql).await;
}
