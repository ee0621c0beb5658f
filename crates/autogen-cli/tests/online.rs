//! Online mode's bounded lock waits through the real `autogen` binary (issue #17). PostgreSQL: a
//! revision written with `--safety online` bounds its lock waits with `lock_timeout`, and when
//! another session holds the table's lock longer than that, the runner retries the step
//! (SQLSTATE 55P03) with backoff, says so on stderr, and the upgrade converges (`check` exits 0).
//! Both retry paths are exercised: a no-transaction step (`CREATE INDEX CONCURRENTLY`) and a step
//! of a transactional segment (`ADD CONSTRAINT ... NOT VALID`, rolled back and run again).
//! MariaDB: the same with `lock_wait_timeout` (error 1205) behind a metadata lock another session
//! holds. Both: `lock_timeout` and `lock_retries` from autogen.toml reach the revision and the
//! runner, and a lock held past every retry ends in a clear error with nothing half-applied.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use autogen::schema::Dialect;
use common::{finish, text, Project};

const ITEMS: &str = "use autogen::Model;\n\n#[derive(Model)]\n#[model(table = \"items\")]\npub struct Item {\n    #[model(primary_key)]\n    pub id: i32,\n    pub a: i32,\n}\n";

const ITEMS_INDEXED: &str = "use autogen::Model;\n\n#[derive(Model)]\n#[model(table = \"items\")]\n#[model(index(name = \"ix_items_a\", columns(\"a\")))]\npub struct Item {\n    #[model(primary_key)]\n    pub id: i32,\n    pub a: i32,\n}\n";

const ITEMS_CHECKED: &str = "use autogen::Model;\n\n#[derive(Model)]\n#[model(table = \"items\")]\n#[model(index(name = \"ix_items_a\", columns(\"a\")))]\n#[model(check(name = \"ck_items_a\", expr = \"a >= 0\"))]\npub struct Item {\n    #[model(primary_key)]\n    pub id: i32,\n    pub a: i32,\n}\n";

/// A project on `dialect` with `config` in its autogen.toml, its `items` table created and
/// holding 5,000 rows, and a revision adding `ix_items_a` written with `--safety online` (not yet
/// applied): the project and the revision's text, or `None` when the dialect's server is not
/// configured.
async fn items_and_an_online_index(dialect: Dialect, config: &str) -> Option<(Project, String)> {
    let p = Project::new(dialect, ITEMS, config).await?;
    p.ok(&["-m", "items"]);
    p.ok(&["upgrade"]);
    let rows = match dialect {
        Dialect::Mysql => "INSERT INTO items (id, a) SELECT seq, seq % 100 FROM seq_1_to_5000",
        _ => "INSERT INTO items (id, a) SELECT g, g % 100 FROM generate_series(1, 5000) g",
    };
    p.execute(rows).await;
    p.write_models(ITEMS_INDEXED);
    let out = p.ok(&["--safety", "online", "-m", "index a"]);
    let revision = std::fs::read_to_string(p.revision_file(&out)).unwrap();
    Some((p, revision))
}

/// Asserts that `autogen check` exits 0: the database matches the models.
fn assert_check_passes(p: &Project) {
    let check = p.run(&["check"]);
    assert_eq!(check.status.code(), Some(0), "{}", text(&check));
}

/// Opens a transaction on a connection of the test's own that holds `items`: on MariaDB a read
/// inside a transaction keeps the table's metadata lock until the transaction ends, on PostgreSQL
/// an explicit lock.
async fn hold_items(p: &Project) -> autogen::db::Connection {
    let mut holder = p.connect().await;
    let sql = match p.dialect {
        Dialect::Mysql => "START TRANSACTION; SELECT * FROM items LIMIT 1",
        _ => "BEGIN; LOCK TABLE items IN ACCESS EXCLUSIVE MODE",
    };
    holder.execute_script(sql).await.unwrap();
    holder
}

/// Ends the holder's transaction, which lets the waiting upgrade have the lock.
async fn release(mut holder: autogen::db::Connection) {
    holder.execute_script("COMMIT").await.unwrap();
    let _ = holder.close().await;
}

/// Runs `autogen upgrade` while another session holds `items` for `held`, longer than the
/// revision's lock timeout: the upgrade must retry, report it on stderr (`retry 1 of
/// {retries}`), and succeed. Returns what it said.
async fn upgrade_behind_a_lock(p: &Project, held: Duration, retries: u32) -> String {
    let holder = hold_items(p).await;
    let child = p.spawn(&["upgrade"]);
    tokio::time::sleep(held).await;
    release(holder).await;
    let out = finish(child);
    let said = text(&out);
    assert!(out.status.success(), "{said}");
    assert!(
        said.contains("did not get its lock in time")
            && said.contains(&format!("retry 1 of {retries}")),
        "no retry reported:\n{said}"
    );
    said
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn online_steps_retry_when_another_session_holds_the_lock() {
    // 1. A no-transaction step: CREATE INDEX CONCURRENTLY times out on the lock and is retried.
    let Some((p, revision)) = items_and_an_online_index(Dialect::Postgres, "").await else {
        return;
    };
    assert!(
        revision.contains("SET lock_timeout = '2s';")
            && revision
                .contains("-- autogen:no-transaction\nCREATE INDEX CONCURRENTLY \"ix_items_a\"")
            && !revision.contains("-- hazard:"),
        "{revision}"
    );
    // Held 3 s, longer than the default lock_timeout of 2 s; 5 is the default lock_retries.
    upgrade_behind_a_lock(&p, Duration::from_secs(3), 5).await;
    assert_eq!(
        p.strings(
            "SELECT indisvalid AS x FROM pg_index WHERE indexrelid = to_regclass('ix_items_a')"
        )
        .await,
        ["true"]
    );
    assert_check_passes(&p);

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
    upgrade_behind_a_lock(&p, Duration::from_secs(3), 5).await;
    assert_check_passes(&p);
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
    assert_check_passes(&p);
    assert_eq!(
        p.strings("SELECT count(*)::text AS x FROM items").await,
        ["5000"]
    );
    p.drop_database().await;
}

const ITEMS_TWO_INDEXES: &str = "use autogen::Model;\n\n#[derive(Model)]\n#[model(table = \"items\")]\n#[model(index(name = \"ix_items_a\", columns(\"a\")))]\n#[model(index(name = \"ix_items_a_id\", columns(\"a\", \"id\")))]\npub struct Item {\n    #[model(primary_key)]\n    pub id: i32,\n    pub a: i32,\n}\n";

/// Runs `autogen upgrade` while `items` is held past every try the configuration allows, and
/// checks that it fails with the lock explained and leaves the revision unapplied, with no trace
/// in the progress table; then releases the lock and checks that the same command finishes.
async fn upgrade_held_past_every_retry(p: &Project, retries: u32, index: &str) {
    let holder = hold_items(p).await;
    let out = p.run(&["upgrade"]);
    release(holder).await;
    let said = text(&out);
    assert_eq!(out.status.code(), Some(1), "{said}");
    assert!(
        said.contains(&format!("retry {retries} of {retries}"))
            && said.contains(&format!(
                "on any of its {} tries (lock_retries = {retries})",
                retries + 1
            ))
            && said.contains("nothing of it was applied"),
        "{said}"
    );
    let index_exists = match p.dialect {
        Dialect::Mysql => format!("SELECT DISTINCT index_name AS x FROM information_schema.statistics WHERE table_schema = DATABASE() AND index_name = '{index}'"),
        _ => format!("SELECT relname AS x FROM pg_class WHERE relname = '{index}'"),
    };
    assert!(
        p.strings(&index_exists).await.is_empty(),
        "{index} was built"
    );
    assert!(p
        .strings("SELECT revision AS x FROM autogen_progress")
        .await
        .is_empty());
    let current = p.ok(&["current"]);
    assert!(!current.contains("partially applied"), "{current}");
    p.ok(&["upgrade"]);
    assert_eq!(p.strings(&index_exists).await.len(), 1, "{index} missing");
    assert_check_passes(p);
}

/// MariaDB: an online revision's `ALTER` queued behind a metadata lock gives up after
/// `lock_timeout` (error 1205) and the runner tries it again with backoff, reporting each retry;
/// released during the retries, the upgrade finishes; held past every retry, the upgrade fails
/// clearly with nothing of the revision applied.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mysql_online_steps_retry_behind_a_metadata_lock() {
    let config = "lock_timeout = \"1s\"\nlock_retries = 3\n";
    // 1. Released after 2.5 s: the first try (1 s) and the first retry (after a 1 s pause) time
    // out or wait; a later try gets the lock.
    let Some((p, revision)) = items_and_an_online_index(Dialect::Mysql, config).await else {
        return;
    };
    assert!(
        revision.contains("SET SESSION lock_wait_timeout = 1;")
            && revision.contains(
                "CREATE INDEX `ix_items_a` ON `items` (`a`) ALGORITHM=INPLACE LOCK=NONE;"
            ),
        "{revision}"
    );
    let said = upgrade_behind_a_lock(&p, Duration::from_millis(2500), 3).await;
    assert!(
        said.contains("did not get its lock in time (Lock wait timeout exceeded"),
        "no retry reported:\n{said}"
    );
    assert_check_passes(&p);

    // 2. Held past all 3 retries (1 + 3 tries of 1 s, pauses of 1, 2 and 4 s).
    p.write_models(ITEMS_TWO_INDEXES);
    p.ok(&["--safety", "online", "-m", "index a id"]);
    upgrade_held_past_every_retry(&p, 3, "ix_items_a_id").await;

    // The downgrades, written in the same mode, take both indexes back; the rows stay.
    p.ok(&["downgrade", "-2"]);
    let indexes = "SELECT index_name AS x FROM information_schema.statistics WHERE table_schema = DATABASE() AND table_name = 'items' AND index_name <> 'PRIMARY'";
    assert!(p.strings(indexes).await.is_empty());
    p.ok(&["upgrade"]);
    assert_check_passes(&p);
    assert_eq!(p.strings("SELECT COUNT(*) AS x FROM items").await, ["5000"]);
    p.drop_database().await;
}

/// PostgreSQL with `lock_timeout = "750ms"` and `lock_retries = 1` in autogen.toml: the revision
/// sets that timeout, the runner retries once, and a lock held past that retry fails clearly
/// with nothing applied.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_lock_timeout_and_retries_come_from_the_config() {
    let config = "lock_timeout = \"750ms\"\nlock_retries = 1\n";
    let Some((p, revision)) = items_and_an_online_index(Dialect::Postgres, config).await else {
        return;
    };
    assert!(
        revision.contains("SET lock_timeout = '750ms';")
            && revision.contains("a step waits at most 750ms for its lock"),
        "{revision}"
    );
    upgrade_held_past_every_retry(&p, 1, "ix_items_a").await;
    p.drop_database().await;
}
