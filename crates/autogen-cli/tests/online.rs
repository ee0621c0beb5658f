//! PostgreSQL online mode through the real `autogen` binary (issue #17 item 3): a revision
//! written with `--safety online` bounds its lock waits with `lock_timeout`, and when another
//! session holds the table's lock longer than that, the runner retries the step (SQLSTATE 55P03)
//! with backoff, says so on stderr, and the upgrade converges (`check` exits 0). Both retry paths
//! are exercised: a no-transaction step (`CREATE INDEX CONCURRENTLY`) and a step of a
//! transactional segment (`ADD CONSTRAINT ... NOT VALID`, rolled back and run again).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use autogen::schema::Dialect;
use common::{finish, text, Project};

const ITEMS: &str = "use autogen::Model;\n\n#[derive(Model)]\n#[model(table = \"items\")]\npub struct Item {\n    #[model(primary_key)]\n    pub id: i32,\n    pub a: i32,\n}\n";

const ITEMS_INDEXED: &str = "use autogen::Model;\n\n#[derive(Model)]\n#[model(table = \"items\")]\n#[model(index(name = \"ix_items_a\", columns(\"a\")))]\npub struct Item {\n    #[model(primary_key)]\n    pub id: i32,\n    pub a: i32,\n}\n";

const ITEMS_CHECKED: &str = "use autogen::Model;\n\n#[derive(Model)]\n#[model(table = \"items\")]\n#[model(index(name = \"ix_items_a\", columns(\"a\")))]\n#[model(check(name = \"ck_items_a\", expr = \"a >= 0\"))]\npub struct Item {\n    #[model(primary_key)]\n    pub id: i32,\n    pub a: i32,\n}\n";

/// Runs `autogen upgrade` while another session holds `ACCESS EXCLUSIVE` on items for 3 s
/// (longer than the revision's 2 s lock_timeout): the upgrade must retry, report it on stderr,
/// and succeed.
async fn upgrade_behind_a_lock(p: &Project) -> String {
    let mut blocker = p.connect().await;
    blocker
        .execute_script("BEGIN; LOCK TABLE items IN ACCESS EXCLUSIVE MODE")
        .await
        .unwrap();
    let child = p.spawn(&["upgrade"]);
    tokio::time::sleep(Duration::from_secs(3)).await;
    blocker.execute_script("COMMIT").await.unwrap();
    let _ = blocker.close().await;
    let out = finish(child);
    let said = text(&out);
    assert!(out.status.success(), "{said}");
    assert!(
        said.contains("did not get its lock in time") && said.contains("retry 1 of 5"),
        "no retry reported:\n{said}"
    );
    said
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn online_steps_retry_when_another_session_holds_the_lock() {
    let Some(p) = Project::new(Dialect::Postgres, ITEMS, "").await else {
        return;
    };
    p.ok(&["-m", "items"]);
    p.ok(&["upgrade"]);
    p.execute("INSERT INTO items (id, a) SELECT g, g % 100 FROM generate_series(1, 5000) g")
        .await;

    // 1. A no-transaction step: CREATE INDEX CONCURRENTLY times out on the lock and is retried.
    p.write_models(ITEMS_INDEXED);
    let out = p.ok(&["--safety", "online", "-m", "index a"]);
    let revision = std::fs::read_to_string(p.revision_file(&out)).unwrap();
    assert!(
        revision.contains("SET lock_timeout = '2s';")
            && revision
                .contains("-- autogen:no-transaction\nCREATE INDEX CONCURRENTLY \"ix_items_a\"")
            && !revision.contains("-- hazard:"),
        "{revision}"
    );
    upgrade_behind_a_lock(&p).await;
    assert_eq!(
        p.strings(
            "SELECT indisvalid AS x FROM pg_index WHERE indexrelid = to_regclass('ix_items_a')"
        )
        .await,
        ["true"]
    );
    let check = p.run(&["check"]);
    assert_eq!(check.status.code(), Some(0), "{}", text(&check));

    // 2. A transactional step: ADD CONSTRAINT ... NOT VALID times out, its segment is rolled back
    // and run again; VALIDATE then runs outside it.
    p.write_models(ITEMS_CHECKED);
    let out = p.ok(&["--safety", "online", "-m", "check a"]);
    let revision = std::fs::read_to_string(p.revision_file(&out)).unwrap();
    assert!(
        revision.contains("CHECK (a >= 0) NOT VALID;")
            && revision.contains("-- autogen:no-transaction\nALTER TABLE \"items\" VALIDATE CONSTRAINT \"ck_items_a\";"),
        "{revision}"
    );
    upgrade_behind_a_lock(&p).await;
    let check = p.run(&["check"]);
    assert_eq!(check.status.code(), Some(0), "{}", text(&check));
    assert_eq!(
        p.strings("SELECT count(*)::text AS x FROM items").await,
        ["5000"]
    );

    // The downgrades, written in the same mode, take both back; upgrading again converges.
    let constraints = "SELECT conname AS x FROM pg_constraint WHERE conrelid = 'items'::regclass AND contype = 'c'";
    let index = "SELECT indexrelid::regclass::text AS x FROM pg_index WHERE indexrelid = to_regclass('ix_items_a')";
    assert_eq!(p.strings(constraints).await, ["ck_items_a"]);
    p.ok(&["downgrade", "-1"]);
    assert!(p.strings(constraints).await.is_empty());
    assert_eq!(p.strings(index).await, ["ix_items_a"]);
    p.ok(&["downgrade", "-1"]);
    assert!(p.strings(index).await.is_empty());
    p.ok(&["upgrade"]);
    let check = p.run(&["check"]);
    assert_eq!(check.status.code(), Some(0), "{}", text(&check));
    assert_eq!(
        p.strings("SELECT count(*)::text AS x FROM items").await,
        ["5000"]
    );
    p.drop_database().await;
}
