//! Fault injection: `autogen upgrade` of a revision with several statements, one of them slow,
//! is killed (SIGKILL) or asked to stop (SIGTERM, SIGINT) at several points, on every dialect.
//! Afterwards the test reads what the database really holds and requires that `current`,
//! `check --format json` and the next `upgrade` agree with it, and that no statement ever runs
//! twice. On MySQL/MariaDB, where DDL commits as it runs, a statement that was running at the kill
//! is reported as of unknown outcome; the test looks at the database, settles it with
//! `--resolve-interrupted`, and the upgrade finishes.
//!
//! CI runs a few kill points per dialect; `cargo xtask faults --points N` runs N (the
//! `AUTOGEN_FAULT_POINTS` variable).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use autogen::schema::Dialect;
use common::{finish, signal, text, Project};
use serde_json::Value;

/// Models for the `log` table the revisions write to (so `check` has something to compare).
const MODELS: &str = "use autogen::Model;\n\n#[derive(Model)]\n#[model(table = \"log\")]\npub struct Log {\n    #[model(primary_key)]\n    pub step: i32,\n}\n";

/// The slow revision: (upgrade SQL, downgrade SQL). Statements 1 and 4 are DDL, 2, 3 and 5 data
/// statements; 3 and 4 are slow. Each statement leaves a mark the test can look for.
fn slow_revision(dialect: Dialect) -> (String, String) {
    let (slow_insert, slow_ddl) = match dialect {
        Dialect::Mysql => (
            "INSERT INTO log (step) SELECT 3 FROM (SELECT SLEEP(0.7) AS z) s",
            "CREATE TABLE b AS SELECT SLEEP(0.7) AS z",
        ),
        Dialect::Postgres => (
            "INSERT INTO log (step) SELECT 3 FROM (SELECT pg_sleep(0.7)) s",
            "CREATE TABLE b AS SELECT pg_sleep(0.7)::text AS z",
        ),
        Dialect::Sqlite => (
            "INSERT INTO log (step) WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 1000000) SELECT 3 FROM c WHERE x = 1000000",
            "CREATE TABLE b AS WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 1000000) SELECT count(*) AS z FROM c",
        ),
    };
    (
        format!(
            "CREATE TABLE a (id integer);\nINSERT INTO log (step) VALUES (2);\n{slow_insert};\n{slow_ddl};\nINSERT INTO log (step) VALUES (5);"
        ),
        "DROP TABLE b;\nDELETE FROM log WHERE step IN (2, 3, 5);\nDROP TABLE a;".to_string(),
    )
}

/// What the database holds, statement by statement of the slow revision: whether each one's
/// mark is there.
async fn marks(p: &Project) -> [bool; 5] {
    let steps = p.strings("SELECT step AS x FROM log").await;
    let count = |n: &str| steps.iter().filter(|s| s.as_str() == n).count();
    for n in ["2", "3", "5"] {
        assert!(
            count(n) <= 1,
            "{}: step {n} ran twice: log holds {steps:?}",
            p.dialect
        );
    }
    [
        p.has_table("a").await,
        count("2") == 1,
        count("3") == 1,
        p.has_table("b").await,
        count("5") == 1,
    ]
}

/// (statements done, running statement 0-based) from MySQL's progress table.
async fn progress(p: &Project, id: &str) -> Option<(usize, Option<usize>)> {
    if p.dialect != Dialect::Mysql || !p.has_table("autogen_progress").await {
        return None;
    }
    let done = p
        .strings(&format!(
            "SELECT statements_done AS x FROM autogen_progress WHERE revision = '{id}'"
        ))
        .await;
    let done: usize = done.first()?.parse().expect("a number");
    let running = p
        .strings(&format!(
            "SELECT running AS x FROM autogen_progress WHERE revision = '{id}' AND running IS NOT NULL"
        ))
        .await;
    Some((done, running.first().map(|r| r.parse().expect("a number"))))
}

fn check_json(p: &Project) -> Value {
    let out = p.run(&["check", "--format", "json"]);
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{}: check JSON: {e}\n{}", p.dialect, text(&out)))
}

async fn one_point(dialect: Dialect, delay: Duration, sig: &str) {
    let Some(p) = Project::new(dialect, MODELS, "").await else {
        return;
    };
    p.ok(&["-m", "log"]);
    p.ok(&["upgrade"]);
    let (up, down) = slow_revision(dialect);
    let id = p.hand_written("slow", &up, &down);
    let at = format!("{dialect}, {sig} after {} ms", delay.as_millis());

    let child = p.spawn(&["upgrade"]);
    tokio::time::sleep(delay).await;
    signal(&child, sig);
    let out = finish(child);
    let killed_output = text(&out);

    // What the database really holds, and what autogen says about it.
    let held = marks(&p).await;
    let recorded = p.applied().await.contains(&id);
    let partial = progress(&p, &id).await;
    eprintln!(
        "{at}: exit {:?}, recorded {recorded}, progress {partial:?}, marks {held:?}",
        out.status.code()
    );
    match (recorded, partial) {
        (true, _) => assert_eq!(held, [true; 5], "{at}: recorded as applied but {held:?}"),
        (false, None) => assert_eq!(held, [false; 5], "{at}: not recorded, yet {held:?}"),
        (false, Some((done, running))) => {
            for (i, mark) in held.iter().enumerate() {
                let expected = i < done;
                if running == Some(i) {
                    continue; // either way: that is what "unknown" means
                }
                assert_eq!(
                    *mark,
                    expected,
                    "{at}: progress says {done} done (running {running:?}) but statement {} is {}",
                    i + 1,
                    if *mark { "applied" } else { "not applied" }
                );
            }
            if let Some(r) = running {
                assert!(
                    r == 0 || r == 3,
                    "{at}: a data statement ({}) was left of unknown outcome; they commit with their progress",
                    r + 1
                );
            }
        }
    }
    if sig != "KILL" && out.status.success() {
        assert!(recorded, "{at}: exit 0 but not applied:\n{killed_output}");
    }
    if sig != "KILL" && !out.status.success() {
        assert!(
            killed_output.contains("stopped on request"),
            "{at}: a stop request must end with a clean, explained stop:\n{killed_output}"
        );
        assert!(
            partial.is_none_or(|(_, r)| r.is_none()),
            "{at}: a clean stop left {partial:?}"
        );
    }

    let current = p.ok(&["current"]);
    let report = check_json(&p);
    let pending: Vec<&str> = report["pending_revisions"]
        .as_array()
        .expect("pending")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    let partially: Vec<&Value> = report["partially_applied"]
        .as_array()
        .expect("partially_applied")
        .iter()
        .collect();
    assert_eq!(
        pending.contains(&id.as_str()),
        !recorded,
        "{at}: check says pending {pending:?}"
    );
    assert_eq!(
        !partially.is_empty(),
        partial.is_some(),
        "{at}: check says partially applied {partially:?}, the progress table {partial:?}"
    );
    if partial.is_some() {
        assert!(
            current.contains("partially applied"),
            "{at}: current hides the partial revision:\n{current}"
        );
    }
    if recorded {
        assert!(current.contains("(head)"), "{at}: {current}");
    }

    // The next upgrade finishes the job, never running a statement twice.
    let next = p.run(&["upgrade"]);
    let next_text = text(&next);
    if !next.status.success() {
        let Some((_, Some(r))) = partial else {
            panic!("{at}: the next upgrade failed:\n{next_text}");
        };
        assert!(
            next_text.contains("does not know whether it took effect")
                && next_text.contains("--resolve-interrupted"),
            "{at}: {next_text}"
        );
        let took_effect = marks(&p).await[r];
        let answer = if took_effect { "ran" } else { "not-run" };
        p.ok(&["upgrade", "--resolve-interrupted", answer]);
    }
    assert_eq!(marks(&p).await, [true; 5], "{at}: after the next upgrade");
    assert!(
        p.applied().await.contains(&id),
        "{at}: not recorded after the next upgrade"
    );
    assert_eq!(progress(&p, &id).await, None, "{at}: progress left behind");
    let report = check_json(&p);
    assert_eq!(report["pending_revisions"], serde_json::json!([]), "{at}");
    assert_eq!(report["partially_applied"], serde_json::json!([]), "{at}");
    p.drop_database().await;
}

/// Kill points per dialect: spread over the revision's run (about 1.5 s on a server).
fn points() -> Vec<(Duration, &'static str)> {
    let n: u64 = std::env::var("AUTOGEN_FAULT_POINTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(4)
        .max(1);
    let signals = ["KILL", "TERM", "KILL", "INT"];
    (0..n)
        .map(|i| {
            let ms = 150 + i * 1900 / n;
            (
                Duration::from_millis(ms),
                signals[i as usize % signals.len()],
            )
        })
        .collect()
}

async fn kill_points(dialect: Dialect) {
    for (delay, sig) in points() {
        one_point(dialect, delay, sig).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_upgrades_on_sqlite() {
    kill_points(Dialect::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_upgrades_on_postgres() {
    kill_points(Dialect::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_upgrades_on_mariadb() {
    kill_points(Dialect::Mysql).await;
}

/// The unknown-outcome path without timing: a run failed at statement 2 (table `b` existed), then
/// the progress row is set as a kill during statement 2 leaves it. The next upgrade must stop and
/// say so; each answer to `--resolve-interrupted` must then do exactly what it says.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_statement_is_settled_by_the_user_on_mariadb() {
    for answer in ["ran", "not-run"] {
        let Some(p) = Project::new(Dialect::Mysql, MODELS, "").await else {
            return;
        };
        p.ok(&["-m", "log"]);
        p.ok(&["upgrade"]);
        let id = p.hand_written(
            "two tables",
            "CREATE TABLE a (id integer);\nCREATE TABLE b (id integer);\nINSERT INTO log (step) VALUES (3);",
            "DELETE FROM log WHERE step = 3;\nDROP TABLE b;\nDROP TABLE a;",
        );
        p.execute("CREATE TABLE b (id integer)").await;
        let failed = p.run(&["upgrade"]);
        assert!(!failed.status.success(), "{}", text(&failed));
        assert_eq!(progress(&p, &id).await, Some((1, None)));
        // As if statement 2 had been started and the process killed.
        p.execute(&format!(
            "UPDATE autogen_progress SET running = 1 WHERE revision = '{id}'"
        ))
        .await;

        let stopped = p.run(&["upgrade"]);
        let said = text(&stopped);
        assert!(!stopped.status.success(), "{said}");
        assert!(
            said.contains("statement 2 of 3")
                && said.contains("CREATE TABLE b")
                && said.contains("--resolve-interrupted ran"),
            "{said}"
        );
        let current = p.ok(&["current"]);
        assert!(
            current.contains("partially applied") && current.contains("statement 2"),
            "{current}"
        );
        let history = p.ok(&["history"]);
        assert!(history.contains("partially applied"), "{history}");
        let check = p.run(&["check"]);
        let check_text = text(&check);
        assert_eq!(check.status.code(), Some(1), "{check_text}");
        assert!(
            check_text.contains("partially applied") && check_text.contains(&id),
            "{check_text}"
        );

        if answer == "not-run" {
            p.execute("DROP TABLE b").await;
        }
        p.ok(&["upgrade", "--resolve-interrupted", answer]);
        assert!(p.has_table("b").await && p.has_table("a").await);
        assert_eq!(p.strings("SELECT step AS x FROM log").await, ["3"]);
        assert_eq!(progress(&p, &id).await, None);
        // Nothing is left to settle: the flag is refused rather than silently ignored.
        let again = p.run(&["upgrade", "--resolve-interrupted", "ran"]);
        assert!(!again.status.success(), "{}", text(&again));
        p.drop_database().await;
    }
}

/// `upgrade` says which revision it starts and when each is done (with the time it took), so a
/// failure in the second revision still shows that the first was committed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upgrade_reports_each_revision_as_it_goes() {
    for dialect in common::DIALECTS {
        let Some(p) = Project::new(dialect, MODELS, "").await else {
            continue;
        };
        let first = common::revision_id(&p.revision_file(&p.ok(&["-m", "log"])));
        let second = p.hand_written(
            "broken",
            "INSERT INTO log (step) VALUES (1);\nINSERT INTO no_such_table (step) VALUES (2);",
            "DELETE FROM log WHERE step = 1;",
        );
        let out = p.run(&["upgrade"]);
        let stdout = String::from_utf8_lossy(&out.stdout).to_string();
        let all = text(&out);
        assert!(!out.status.success(), "{dialect}: {all}");
        let lines: Vec<&str> = stdout.lines().collect();
        let position = |prefix: &str| {
            lines
                .iter()
                .position(|l| l.starts_with(prefix))
                .unwrap_or_else(|| panic!("{dialect}: no line starting with {prefix:?}:\n{all}"))
        };
        let started = position(&format!("Applying {first} log ..."));
        let done = position(&format!("Applied {first} in "));
        let second_started = position(&format!("Applying {second} broken ..."));
        assert!(
            started < done && done < second_started,
            "{dialect}:\n{stdout}"
        );
        assert!(
            !stdout.contains(&format!("Applied {second}")),
            "{dialect}: the failed revision is reported as applied:\n{stdout}"
        );
        assert!(
            all.contains(&second) && all.contains("no_such_table"),
            "{dialect}: {all}"
        );
        assert_eq!(p.applied().await, [first], "{dialect}");
        p.drop_database().await;
    }
}
