//! Offline scripts (`autogen upgrade --sql`, `downgrade --sql`) piped into MariaDB's own
//! command-line client, which ends a statement at every `;` it sees: revisions holding a
//! trigger, a procedure, a function and an event with `BEGIN ... END` bodies, and a top-level
//! `BEGIN NOT ATOMIC` block, leave the database holding exactly what the runner leaves (the same
//! bodies, rows and version rows), and the downgrade script takes it all away again. Runs when
//! the MySQL/MariaDB test URL is set; the client is `mariadb` (or `mysql`) on the PATH, required
//! when `AUTOGEN_TEST_REQUIRE_ALL=1`. What the script text looks like is pinned by the unit tests
//! of `src/script.rs`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};

use autogen_db::{Connection, DatabaseUrl, Dialect};
use autogen_revisions::{downgrade, downgrade_script, upgrade, upgrade_script, RevisionSet};
use common::database;

const R1: &str = "bbbbbbbbbbb1";
const R2: &str = "bbbbbbbbbbb2";

/// The first revision: tables, a trigger whose body holds `IF ... END IF` and a `;` inside a
/// string, a procedure with a loop, and a `BEGIN NOT ATOMIC` block that inserts a row (through
/// the trigger) only where the table is empty.
const R1_UP: &str = "CREATE TABLE a (id int PRIMARY KEY, n int NULL);
CREATE TABLE log (id int, note varchar(40));
CREATE TRIGGER a_ins BEFORE INSERT ON a FOR EACH ROW
BEGIN
  IF NEW.n IS NULL THEN
    SET NEW.n = 0;
  END IF;
  INSERT INTO log (id, note) VALUES (NEW.id, 'added; by trigger');
END;
CREATE PROCEDURE bump(IN k int)
BEGIN
  DECLARE i int DEFAULT 0;
  WHILE i < k DO
    SET i = i + 1;
  END WHILE;
  UPDATE a SET n = n + i;
END;
BEGIN NOT ATOMIC
  DECLARE c int;
  SELECT count(*) INTO c FROM a;
  IF c = 0 THEN
    INSERT INTO a (id) VALUES (1);
  END IF;
END;";
const R1_DOWN: &str = "DROP PROCEDURE bump;\nDROP TRIGGER a_ins;\nDROP TABLE log;\nDROP TABLE a;";

/// The second revision: a function and a (disabled) event with bodies, after a plain statement.
const R2_UP: &str = "INSERT INTO a (id, n) VALUES (2, 5);
CREATE FUNCTION twice(x int) RETURNS int DETERMINISTIC
BEGIN
  DECLARE y int;
  SET y = x * 2;
  RETURN y;
END;
CREATE EVENT purge_log ON SCHEDULE EVERY 1 DAY DISABLE DO
BEGIN
  DELETE FROM log WHERE id < 0;
  DELETE FROM log WHERE note IS NULL;
END;";
const R2_DOWN: &str = "DROP EVENT purge_log;\nDROP FUNCTION twice;\nDELETE FROM a WHERE id = 2;";

fn write_file(dir: &Path, id: &str, parent: Option<&str>, up: &str, down: &str) {
    let parent = parent.map_or(String::new(), |p| format!("-- autogen:parent {p}\n"));
    let text = format!(
        "-- autogen:revision {id}\n{parent}-- autogen:message bodies {id}\n-- autogen:dialect mysql\n-- autogen:format 2\n\n-- autogen:upgrade\n{up}\n\n-- autogen:downgrade\n{down}\n\n-- autogen:end\n"
    );
    std::fs::write(dir.join(format!("{id}_bodies.sql")), text).unwrap();
}

/// The command-line client on the PATH; `None` (the test is skipped) when there is none, unless
/// every database test is required to run.
fn client() -> Option<&'static str> {
    let found = ["mariadb", "mysql"].into_iter().find(|name| {
        Command::new(name)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    });
    if found.is_none() && std::env::var("AUTOGEN_TEST_REQUIRE_ALL").is_ok_and(|v| v.trim() == "1") {
        panic!("neither `mariadb` nor `mysql` is on the PATH, but AUTOGEN_TEST_REQUIRE_ALL=1");
    }
    found
}

/// Pipes `script` into `client` connected to `url`'s database, as a DBA runs a script by hand;
/// panics with the client's output when it fails.
fn run_client(client: &str, url: &DatabaseUrl, script: &str) {
    // mysql://user[:password]@host[:port]/database[?options]
    let raw = url.expose();
    let rest = raw.split_once("://").unwrap().1;
    let (auth, rest) = rest.rsplit_once('@').unwrap();
    let (user, password) = auth.split_once(':').unwrap_or((auth, ""));
    let (host_port, database) = rest.split_once('/').unwrap();
    let database = database.split('?').next().unwrap();
    let (host, port) = host_port.split_once(':').unwrap_or((host_port, "3306"));
    let mut command = Command::new(client);
    command.args(["-h", host, "-P", port, "-u", user]);
    if !password.is_empty() {
        command.arg(format!("--password={password}"));
    }
    let mut child = command
        .arg(database)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(script.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{client} failed:\n{}\n{}\nscript:\n{script}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Rows of a query whose one column is text.
async fn strings(conn: &mut Connection, sql: &str) -> Vec<String> {
    let Connection::Mysql(c) = conn else {
        panic!("not MySQL/MariaDB")
    };
    sqlx::query_scalar(sql).fetch_all(c).await.unwrap()
}

/// What the revisions leave in a database: trigger, routine and event bodies as the server
/// stores them, the rows of both tables (when they exist), and the version rows.
async fn state(conn: &mut Connection) -> Vec<String> {
    let mut out = Vec::new();
    for sql in [
        "SELECT CAST(CONCAT_WS(' | ', TRIGGER_NAME, ACTION_TIMING, EVENT_MANIPULATION, ACTION_STATEMENT) AS CHAR) FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = DATABASE() ORDER BY TRIGGER_NAME",
        "SELECT CAST(CONCAT_WS(' | ', ROUTINE_NAME, ROUTINE_TYPE, ROUTINE_DEFINITION) AS CHAR) FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = DATABASE() ORDER BY ROUTINE_NAME",
        "SELECT CAST(CONCAT_WS(' | ', EVENT_NAME, STATUS, EVENT_DEFINITION) AS CHAR) FROM information_schema.EVENTS WHERE EVENT_SCHEMA = DATABASE() ORDER BY EVENT_NAME",
        "SELECT CAST(CONCAT_WS(' | ', revision, checksum) AS CHAR) FROM autogen_version ORDER BY revision",
    ] {
        out.extend(strings(conn, sql).await);
    }
    let tables = strings(
        conn,
        "SELECT CAST(TABLE_NAME AS CHAR) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME IN ('a', 'log') ORDER BY TABLE_NAME",
    )
    .await;
    if tables.iter().any(|t| t == "a") {
        let rows = "SELECT CAST(CONCAT_WS(' | ', 'a', id, n) AS CHAR) FROM a ORDER BY id";
        out.extend(strings(conn, rows).await);
    }
    if tables.iter().any(|t| t == "log") {
        let rows = "SELECT CAST(CONCAT_WS(' | ', 'log', id, note) AS CHAR) FROM log ORDER BY id";
        out.extend(strings(conn, rows).await);
    }
    out
}

#[tokio::test]
async fn offline_scripts_with_bodies_run_in_the_mariadb_client() {
    let Some(by_runner) = database(Dialect::Mysql).await else {
        return;
    };
    let Some(client) = client() else {
        by_runner.finish().await;
        return;
    };
    let by_script = database(Dialect::Mysql).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    write_file(dir.path(), R1, None, R1_UP, R1_DOWN);
    write_file(dir.path(), R2, Some(R1), R2_UP, R2_DOWN);
    let set = RevisionSet::load(dir.path()).unwrap();

    let mut runner_conn = by_runner.connect().await;
    assert_eq!(
        upgrade(&mut runner_conn, &set, "head").await.unwrap(),
        [R1, R2]
    );
    let script = upgrade_script(&set, Dialect::Mysql, "base", "head").unwrap();
    // The four bodies and the block, each between its own DELIMITER lines.
    assert_eq!(script.matches("DELIMITER //\n").count(), 5, "{script}");
    run_client(client, &by_script.url, &script);
    let mut script_conn = by_script.connect().await;

    let expected = state(&mut runner_conn).await;
    assert_eq!(state(&mut script_conn).await, expected, "{script}");
    // And that state is the one the revisions describe: the block ran once and the trigger
    // fired for it.
    for line in [
        "a_ins | BEFORE | INSERT | BEGIN",
        "bump | PROCEDURE | BEGIN",
        "twice | FUNCTION | BEGIN",
        "purge_log | DISABLED | BEGIN",
        "a | 1 | 0",
        "a | 2 | 5",
        "log | 1 | added; by trigger",
        "log | 2 | added; by trigger",
    ] {
        assert!(
            expected.iter().any(|s| s.starts_with(line)),
            "{line}: {expected:#?}"
        );
    }
    let twice = strings(&mut script_conn, "SELECT CAST(twice(21) AS CHAR)").await;
    assert_eq!(twice, ["42"]);

    // Down to the first revision, then to nothing.
    assert_eq!(downgrade(&mut runner_conn, &set, R1).await.unwrap(), [R2]);
    let script = downgrade_script(&set, Dialect::Mysql, "head", R1).unwrap();
    run_client(client, &by_script.url, &script);
    let expected = state(&mut runner_conn).await;
    assert_eq!(state(&mut script_conn).await, expected, "{script}");
    assert!(
        !expected.iter().any(|s| s.starts_with("twice")),
        "{expected:#?}"
    );

    assert_eq!(
        downgrade(&mut runner_conn, &set, "base").await.unwrap(),
        [R1]
    );
    let script = downgrade_script(&set, Dialect::Mysql, R1, "base").unwrap();
    run_client(client, &by_script.url, &script);
    assert_eq!(state(&mut script_conn).await, Vec::<String>::new());
    assert_eq!(state(&mut runner_conn).await, Vec::<String>::new());

    let _ = runner_conn.close().await;
    let _ = script_conn.close().await;
    by_runner.finish().await;
    by_script.finish().await;
}
