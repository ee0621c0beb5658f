//! `autogen check` and `autogen diff` end to end: the real binary in temporary projects on every
//! dialect whose server is configured (SQLite always). Exit codes are asserted on all three
//! dialects; the human output is snapshotted on SQLite into `fixtures/cli/check.txt` (rewritten
//! only by `cargo xtask bless`); every JSON report is validated against `docs/check.schema.json`
//! by the small validator below (the `jsonschema` crate pulls in ~60 crates, ICU included, for
//! the handful of keywords the schema uses).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::{Path, PathBuf};

use autogen::schema::Dialect;
use autogen_testkit::models::USERS;
use autogen_tests::db::Scratch;
use autogen_tests::{check_golden, workspace_root};
use common::{autogen, scratch, Run, UrlProject};
use serde_json::Value;

fn users_with_bio() -> String {
    USERS.replace(
        "    pub email: String,\n",
        "    pub email: String,\n    pub bio: Option<String>,\n",
    )
}

impl Run {
    fn json(&self) -> Value {
        let value: Value = serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", self.stdout));
        if let Err(e) = validate(&schema(), &value, &schema(), "$") {
            panic!(
                "the JSON does not match docs/check.schema.json: {e}\n{}",
                self.stdout
            );
        }
        value
    }
}

/// A temporary project whose database URL comes from `DATABASE_URL`, with a transcript of what
/// was run in it.
struct Project {
    project: UrlProject,
    transcript: String,
}

impl Project {
    fn new(url: &str, models: &str) -> Project {
        Project {
            project: UrlProject::new(url, models),
            transcript: String::new(),
        }
    }

    fn root(&self) -> &Path {
        self.project.root()
    }

    fn write(&self, rel: &str, text: &str) {
        self.project.write(rel, text);
    }

    fn run(&mut self, args: &[&str]) -> Run {
        let run = self.project.run(args);
        let root = self.root().display().to_string();
        let clean = |t: &str| replace_ids(&common::hide_durations(&t.replace(&root, "<project>")));
        self.transcript.push_str(&format!(
            "$ autogen {}\n[exit {}]\n",
            args.join(" "),
            run.code
        ));
        for (name, text) in [("stdout", &run.stdout), ("stderr", &run.stderr)] {
            if !text.is_empty() {
                self.transcript
                    .push_str(&format!("--- {name}\n{}\n", clean(text).trim_end()));
            }
        }
        self.transcript.push('\n');
        run
    }

    fn revision_files(&self) -> Vec<PathBuf> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(self.root().join("revisions"))
            .expect("read revisions")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "sql"))
            .collect();
        files.sort_by_key(|p| std::fs::metadata(p).and_then(|m| m.modified()).ok());
        files
    }

    fn revision_containing(&self, needle: &str) -> PathBuf {
        self.revision_files()
            .into_iter()
            .find(|p| {
                std::fs::read_to_string(p)
                    .unwrap_or_default()
                    .contains(needle)
            })
            .unwrap_or_else(|| panic!("no revision contains {needle}"))
    }
}

/// Replaces 12-hex-digit revision ids with `<id>` and creation times with `<time>`.
fn replace_ids(text: &str) -> String {
    let mut out = String::new();
    for word in text.split_inclusive(|c: char| !c.is_ascii_alphanumeric()) {
        let core = word.trim_end_matches(|c: char| !c.is_ascii_alphanumeric());
        if core.len() == 12
            && core
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        {
            out.push_str("<id>");
            out.push_str(&word[core.len()..]);
        } else {
            out.push_str(word);
        }
    }
    out
}

fn assert_code(run: &Run, code: i32, what: &str) {
    assert_eq!(
        run.code, code,
        "{what}: expected exit {code}\n--- stdout\n{}\n--- stderr\n{}",
        run.stdout, run.stderr
    );
}

/// The whole check story on one dialect: in sync, a model change, a pending revision, a
/// destructive revision refused until acknowledged, an edited applied revision.
async fn check_story(dialect: Dialect) -> Option<String> {
    let scratch = scratch(dialect).await?;
    let mut p = Project::new(scratch.url().expose(), USERS);
    assert_code(&p.run(&["-m", "create users"]), 0, "autogenerate");
    let pending = p.run(&["check"]);
    assert_code(&pending, 1, "check with the first revision pending");
    assert!(
        pending.stdout.contains("Revisions not applied"),
        "{}",
        pending.stdout
    );
    let json = p.run(&["check", "--format", "json"]).json();
    assert_eq!(json["status"], "drift");
    assert_eq!(json["pending_revisions"].as_array().map(Vec::len), Some(1));
    assert_eq!(json["dialect"], dialect.name());

    assert_code(&p.run(&["upgrade"]), 0, "upgrade");
    let in_sync = p.run(&["check"]);
    assert_code(&in_sync, 0, "check in sync");
    assert!(in_sync.stdout.contains("In sync"), "{}", in_sync.stdout);
    let json = p.run(&["check", "--format", "json"]).json();
    assert_eq!(json["status"], "in_sync");
    assert_eq!(json["changes"], Value::Array(vec![]));
    assert_eq!(json["error"], Value::Null);

    // A model change not autogenerated yet.
    p.write("src/models.rs", &users_with_bio());
    let drift = p.run(&["check"]);
    assert_code(&drift, 1, "check with a model change");
    assert!(
        drift.stdout.contains("\n+  column bio text null\n"),
        "the diff must show the new column:\n{}",
        drift.stdout
    );
    assert!(
        drift.stdout.contains("  + add column users.bio"),
        "{}",
        drift.stdout
    );
    let json = p.run(&["check", "--format", "json"]).json();
    assert_eq!(json["status"], "drift");
    assert_eq!(json["changes"][0]["kind"], "add_column");
    assert_eq!(json["changes"][0]["table"], "users");
    assert_eq!(json["changes"][0]["object"], "bio");
    assert_eq!(json["changes"][0]["destructive"], false);

    // Autogenerated but not applied: a pending revision.
    assert_code(&p.run(&["-m", "add bio"]), 0, "autogenerate add bio");
    let json = p.run(&["check", "--format", "json"]).json();
    assert_eq!(json["status"], "drift");
    assert_eq!(json["pending_revisions"].as_array().map(Vec::len), Some(1));
    assert_code(&p.run(&["upgrade"]), 0, "upgrade add bio");
    assert_code(&p.run(&["check"]), 0, "check after add bio");

    // A destructive revision: refused by --deny-destructive until a reviewer acknowledges it.
    p.write("src/models.rs", USERS);
    assert_code(&p.run(&["-m", "drop bio"]), 0, "autogenerate drop bio");
    let refused = p.run(&["upgrade", "--deny-destructive"]);
    assert_code(&refused, 1, "upgrade --deny-destructive");
    assert!(
        refused.stderr.contains("drops column users.bio"),
        "{}",
        refused.stderr
    );
    let json = p
        .run(&["check", "--format", "json", "--deny-destructive"])
        .json();
    assert_eq!(
        json["pending_revisions"].as_array().map(Vec::len),
        Some(1),
        "nothing ran"
    );
    assert_eq!(
        json["unacknowledged_destructive"][0]["warning"],
        "drops column users.bio and all its data"
    );
    let drop_bio = p.revision_containing("-- autogen:message drop bio");
    let text = std::fs::read_to_string(&drop_bio).expect("read");
    std::fs::write(
        &drop_bio,
        text.replacen(
            "-- autogen:message",
            "-- autogen:allow-destructive bio was never shown to anyone\n-- autogen:message",
            1,
        ),
    )
    .expect("write");
    assert_code(
        &p.run(&["upgrade", "--deny-destructive"]),
        0,
        "acknowledged upgrade",
    );
    assert_code(
        &p.run(&["check", "--deny-destructive"]),
        0,
        "check after the drop",
    );

    // An applied revision edited afterwards.
    let first = p.revision_containing("-- autogen:message create users");
    let original = std::fs::read_to_string(&first).expect("read");
    std::fs::write(&first, format!("{original}-- an afterthought\n")).expect("write");
    let json = p.run(&["check", "--format", "json"]).json();
    assert_eq!(json["status"], "drift");
    assert_eq!(json["edited_revisions"].as_array().map(Vec::len), Some(1));
    std::fs::write(&first, original).expect("write");
    assert_code(&p.run(&["check"]), 0, "check after restoring the file");

    scratch.drop_now().await;
    Some(p.transcript)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_story_sqlite() {
    check_story(Dialect::Sqlite)
        .await
        .expect("sqlite always runs");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_story_postgres() {
    check_story(Dialect::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_story_mysql() {
    check_story(Dialect::Mysql).await;
}

/// Hazards on one dialect: a revision that builds a unique key carries `-- hazard:` lines with
/// the database's row estimate; `check --deny-hazards` and `upgrade --deny-hazards` refuse it
/// (nothing runs) until every kind it has is acknowledged in the header.
async fn hazard_story(dialect: Dialect) {
    let Some(scratch) = scratch(dialect).await else {
        return;
    };
    let mut p = Project::new(scratch.url().expose(), USERS);
    assert_code(&p.run(&["-m", "create users"]), 0, "autogenerate");
    assert_code(&p.run(&["upgrade"]), 0, "upgrade");
    // A table created by the revision is empty: no hazard, nothing to acknowledge.
    assert_code(
        &p.run(&["check", "--deny-hazards"]),
        0,
        "check after create",
    );

    p.write(
        "src/models.rs",
        &USERS.replace(
            "#[model(table = \"users\")]",
            "#[model(table = \"users\")]\n#[model(unique(columns(\"email\")))]",
        ),
    );
    assert_code(&p.run(&["-m", "unique email"]), 0, "autogenerate unique");
    let file = p.revision_containing("-- autogen:message unique email");
    let text = std::fs::read_to_string(&file).expect("read");
    assert!(text.contains("-- hazard: "), "{text}");
    let json = p
        .run(&["check", "--format", "json", "--deny-hazards"])
        .json();
    assert_eq!(json["status"], "drift");
    let hazards = json["unacknowledged_hazards"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(!hazards.is_empty(), "{json}");
    let mut kinds: Vec<String> = Vec::new();
    for h in &hazards {
        let line = h["hazard"].as_str().unwrap_or_default();
        // The row estimate of the database the revision was generated against.
        assert!(
            line.contains("(users, ~") && line.ends_with(" rows)"),
            "{line}"
        );
        let kind = h["kind"].as_str().unwrap_or_default().to_string();
        if !kinds.contains(&kind) {
            kinds.push(kind);
        }
    }
    let refused = p.run(&["upgrade", "--deny-hazards"]);
    assert_code(&refused, 1, "upgrade --deny-hazards");
    assert!(
        refused.stderr.contains("hazard(s) not acknowledged"),
        "{}",
        refused.stderr
    );
    let json = p.run(&["check", "--format", "json"]).json();
    assert_eq!(
        json["pending_revisions"].as_array().map(Vec::len),
        Some(1),
        "nothing ran"
    );
    // Without the flag, hazards are no drift of their own.
    assert!(json["unacknowledged_hazards"]
        .as_array()
        .is_some_and(Vec::is_empty));

    // Acknowledging all but one kind is not enough; every kind is.
    let ack: String = kinds
        .iter()
        .map(|k| format!("-- autogen:allow-hazard {k} users has a few rows\n"))
        .collect();
    std::fs::write(
        &file,
        text.replacen("-- autogen:message", &format!("{ack}-- autogen:message"), 1),
    )
    .expect("write");
    assert_code(
        &p.run(&["upgrade", "--deny-hazards"]),
        0,
        "acknowledged upgrade",
    );
    assert_code(
        &p.run(&["check", "--deny-hazards"]),
        0,
        "check after the upgrade",
    );
    drop(scratch);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hazard_story_sqlite() {
    hazard_story(Dialect::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hazard_story_postgres() {
    hazard_story(Dialect::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hazard_story_mysql() {
    hazard_story(Dialect::Mysql).await;
}

/// The human output on SQLite, snapshotted: drift with its diff, a pending revision, several
/// heads, a destructive step, in sync.
#[test]
fn human_output_snapshot() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("app.db").display());
    let mut p = Project::new(&url, USERS);
    p.run(&["-m", "create users"]);
    p.run(&["upgrade"]);
    p.run(&["check"]);
    p.write("src/models.rs", &users_with_bio());
    p.run(&["check"]);
    assert_code(&p.run(&["diff", &url, "models", "--exit-code"]), 1, "diff");
    p.run(&["-m", "add bio"]);
    p.run(&["check"]);
    p.run(&["upgrade"]);
    // A second branch off the first revision: two heads.
    let first = p.revision_containing("-- autogen:message create users");
    let first_id = std::fs::read_to_string(&first)
        .expect("read")
        .lines()
        .next()
        .and_then(|l| l.strip_prefix("-- autogen:revision "))
        .expect("revision line")
        .to_string();
    p.write(
        "revisions/abcdef012345_branch.sql",
        &format!("-- autogen:revision abcdef012345\n-- autogen:parent {first_id}\n-- autogen:message branch\n\n-- autogen:upgrade\n-- (no steps)\n\n-- autogen:downgrade\n-- (no steps)\n"),
    );
    assert_code(&p.run(&["check"]), 1, "several heads");
    std::fs::remove_file(p.root().join("revisions/abcdef012345_branch.sql")).expect("rm");
    p.write("src/models.rs", USERS);
    p.run(&["-m", "drop bio"]);
    p.run(&["upgrade"]);
    assert_code(
        &p.run(&["check", "--deny-destructive"]),
        1,
        "unacknowledged",
    );
    let transcript = p
        .transcript
        .replace(&dir.path().display().to_string(), "<dir>");
    let path = workspace_root().join("fixtures/cli/check.txt");
    if let Err(e) = check_golden(&path, &transcript) {
        panic!("{e}");
    }
}

/// Prepares a project for one scenario.
type Setup = Box<dyn Fn(&Project)>;

/// Could not check: exit 2 on every kind of failure, the password never printed, and the JSON
/// still a valid report with status `error`.
#[test]
fn could_not_check_exits_2() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = format!("sqlite://{}", dir.path().join("app.db").display());
    let unreachable = "postgres://app:s3cr3t-pw@127.0.0.1:1/app";
    let cases: Vec<(&str, String, Setup)> = vec![
        (
            "unreachable database",
            unreachable.to_string(),
            Box::new(|_| {}),
        ),
        (
            "model error",
            db.clone(),
            Box::new(|p: &Project| {
                p.write("src/models.rs", &USERS.replace("max_length", "max_lenght"))
            }),
        ),
        (
            "broken revision file",
            db.clone(),
            Box::new(|p: &Project| {
                p.write(
                    "revisions/0123456789ab_broken.sql",
                    "-- autogen:revison 0123456789ab\n-- autogen:upgrade\n-- autogen:downgrade\n",
                )
            }),
        ),
        (
            "malformed autogen.toml",
            db.clone(),
            Box::new(|p: &Project| p.write("autogen.toml", "models = [\"src/*.rs\"\n")),
        ),
    ];
    for (what, url, setup) in cases {
        let mut p = Project::new(&url, USERS);
        setup(&p);
        let human = p.run(&["check"]);
        assert_code(&human, 2, what);
        assert!(
            human.stderr.contains("could not check"),
            "{what}: {}",
            human.stderr
        );
        let json_run = p.run(&["check", "--format", "json"]);
        assert_code(&json_run, 2, what);
        let json = json_run.json();
        assert_eq!(json["status"], "error", "{what}");
        assert!(
            json["error"].as_str().is_some_and(|e| !e.is_empty()),
            "{what}"
        );
        for out in [
            &human.stdout,
            &human.stderr,
            &json_run.stdout,
            &json_run.stderr,
        ] {
            assert!(
                !out.contains("s3cr3t-pw"),
                "{what}: the password was printed:\n{out}"
            );
        }
    }
}

/// `autogen diff A B` through the binary on every dialect: exit 1 with SQL while they differ;
/// after running that SQL on A, exit 0. Also the refusals.
async fn diff_story(dialect: Dialect) {
    let case = autogen_tests::fixtures::cases()
        .into_iter()
        .find(|c| c.name == "several_changes_in_one_revision")
        .expect("fixture");
    let make = |models: autogen::models::ModelSet| async move {
        let scratch = scratch(dialect).await?;
        let schema = autogen::sql::canonicalize(dialect, &models.schema);
        let statements = autogen::sql::render_create_schema(dialect, &schema).expect("render");
        let mut conn = scratch.connect().await.expect("connect");
        for s in statements {
            conn.execute_script(&s.sql).await.expect("create");
        }
        let _ = conn.close().await;
        Some(scratch)
    };
    let Some(a) = make(case.before_models().expect("before")).await else {
        return;
    };
    let Some(b) = make(case.after_models().expect("after")).await else {
        return;
    };
    let (url_a, url_b) = (a.url().expose(), b.url().expose());
    let dir = tempfile::tempdir().expect("temp dir");
    let first = autogen(dir.path(), &["diff", url_a, url_b, "--exit-code"], &[]);
    assert_code(&first, 1, "diff of two different databases");
    assert!(!first.stdout.trim().is_empty());
    let mut conn = a.connect().await.expect("connect");
    for statement in autogen::revisions::split_statements(&first.stdout, dialect) {
        conn.execute_script(&statement)
            .await
            .unwrap_or_else(|e| panic!("{statement}: {e}"));
    }
    let _ = conn.close().await;
    let second = autogen(dir.path(), &["diff", url_a, url_b, "--exit-code"], &[]);
    assert_code(&second, 0, "diff after applying the diff");
    assert_eq!(second.stdout, "");
    assert!(
        second.stderr.contains("No differences"),
        "{}",
        second.stderr
    );

    let other = match dialect {
        Dialect::Sqlite => "postgres://u:pw@127.0.0.1:1/x".to_string(),
        _ => format!("sqlite://{}", dir.path().join("x.db").display()),
    };
    let cross = autogen(dir.path(), &["diff", url_a, &other], &[]);
    assert_code(&cross, 1, "cross-dialect diff");
    assert!(
        cross.stderr.contains("cannot compare a"),
        "{}",
        cross.stderr
    );
    a.drop_now().await;
    b.drop_now().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn diff_urls_sqlite() {
    diff_story(Dialect::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn diff_urls_postgres() {
    diff_story(Dialect::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn diff_urls_mysql() {
    diff_story(Dialect::Mysql).await;
}

/// `diff URL models` and `diff models URL` in a project, and what needs a project.
#[test]
fn diff_against_models() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("app.db").display());
    // An empty file is an empty SQLite database (`diff` only reads: it never creates one).
    std::fs::write(dir.path().join("app.db"), b"").expect("create app.db");
    let p = Project::new(&url, USERS);
    let up = autogen(p.root(), &["diff", &url, "models", "--exit-code"], &[]);
    assert_code(&up, 1, "empty database vs models");
    assert!(
        up.stdout.contains("CREATE TABLE \"users\""),
        "{}",
        up.stdout
    );
    let down = autogen(p.root(), &["diff", "models", &url], &[]);
    assert_code(&down, 0, "models vs empty database");
    assert!(
        down.stdout.contains("DROP TABLE \"users\""),
        "{}",
        down.stdout
    );
    assert!(
        down.stdout.contains("-- destructive: drops table users"),
        "{}",
        down.stdout
    );
    let reverse = autogen(p.root(), &["diff", &url, "models", "--downgrade"], &[]);
    assert_eq!(
        reverse.stdout, down.stdout,
        "--downgrade is the reverse direction"
    );
    let no_project = autogen(dir.path(), &["diff", &url, "models"], &[]);
    assert_code(&no_project, 1, "models without a project");
    assert!(
        no_project.stderr.contains("needs a project"),
        "{}",
        no_project.stderr
    );
    let revisions = autogen(p.root(), &["diff", &url, "revisions@head"], &[]);
    assert_code(&revisions, 1, "revisions side without a dev database");
    assert!(
        revisions.stderr.contains("needs a dev database"),
        "{}",
        revisions.stderr
    );
}

/// `check --dev-url` compares the models with the revisions replayed into a scratch database
/// (the live database is not consulted); `diff revisions[@REV] ...` replays into it too.
async fn dev_database_story(dialect: Dialect) {
    let scratch = |what: &'static str| async move {
        match Scratch::create(dialect).await {
            Ok(s) => s,
            Err(e) => panic!("cannot create a scratch {dialect} {what}: {e}"),
        }
    };
    let (Some(live), Some(dev_db)) = (scratch("database").await, scratch("dev database").await)
    else {
        return;
    };
    let dev_url = dev_db.url().expose().to_string();
    let mut p = Project::new(live.url().expose(), USERS);
    let with_dev = |args: &[&str]| -> Vec<String> {
        args.iter()
            .map(|a| a.to_string())
            .chain(["--dev-url".to_string(), dev_url.clone()])
            .collect()
    };
    let run = |p: &mut Project, args: &[&str]| {
        let args = with_dev(args);
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        p.run(&refs)
    };
    assert_code(&p.run(&["-m", "create users"]), 0, "autogenerate");
    // The live database has nothing applied, but the revisions match the models.
    assert_code(&p.run(&["check"]), 1, "live check: pending");
    let json = run(&mut p, &["check", "--format", "json"]).json();
    assert_eq!(json["status"], "in_sync", "{json}");
    assert_eq!(json["against"], "revisions");
    assert_eq!(json["pending_revisions"], Value::Array(vec![]));

    p.write("src/models.rs", &users_with_bio());
    let drift = run(&mut p, &["check"]);
    assert_code(&drift, 1, "dev check with a model change");
    assert!(
        drift.stdout.contains("--- revisions\n+++ models"),
        "{}",
        drift.stdout
    );
    assert!(
        drift.stdout.contains("\n+  column bio text null\n"),
        "{}",
        drift.stdout
    );

    let sql = run(&mut p, &["diff", "revisions", "models", "--exit-code"]);
    assert_code(&sql, 1, "diff revisions models");
    assert!(
        sql.stdout.contains("ADD COLUMN") && sql.stdout.contains("bio"),
        "{}",
        sql.stdout
    );
    let create = run(&mut p, &["diff", "revisions@base", "revisions"]);
    assert_code(&create, 0, "diff revisions@base revisions");
    assert!(
        create.stdout.starts_with("CREATE TABLE"),
        "{}",
        create.stdout
    );

    let live_url = live.url().expose().to_string();
    let same = autogen(
        p.root(),
        &["diff", &live_url, "revisions", "--dev-url", &live_url],
        &[],
    );
    assert_code(&same, 1, "dev database compared with itself");
    assert!(same.stderr.contains("also compared"), "{}", same.stderr);
    live.drop_now().await;
    dev_db.drop_now().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dev_database_sqlite() {
    dev_database_story(Dialect::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dev_database_postgres() {
    dev_database_story(Dialect::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dev_database_mysql() {
    dev_database_story(Dialect::Mysql).await;
}

// ---- a JSON Schema validator for the keywords docs/check.schema.json uses ----

fn schema() -> Value {
    let path = workspace_root().join("docs/check.schema.json");
    let text = std::fs::read_to_string(&path).expect("read docs/check.schema.json");
    serde_json::from_str(&text).expect("the schema is JSON")
}

/// Validates `value` against `schema` (a subschema of `root`): type, const, enum, required,
/// properties, additionalProperties: false, items, pattern (only the revision id pattern) and
/// local `$ref`s. Any other keyword fails loudly, so the schema cannot silently outgrow it.
fn validate(schema: &Value, value: &Value, root: &Value, at: &str) -> Result<(), String> {
    let Some(obj) = schema.as_object() else {
        return Err(format!("{at}: schema is not an object"));
    };
    for (key, rule) in obj {
        match key.as_str() {
            "$schema" | "$id" | "title" | "description" | "$defs" => {}
            "$ref" => {
                let name = rule
                    .as_str()
                    .and_then(|r| r.strip_prefix("#/$defs/"))
                    .ok_or_else(|| format!("{at}: unsupported $ref {rule}"))?;
                validate(&root["$defs"][name], value, root, at)?;
            }
            "type" => {
                let types: Vec<&str> = match rule {
                    Value::String(s) => vec![s.as_str()],
                    Value::Array(a) => a.iter().filter_map(Value::as_str).collect(),
                    _ => return Err(format!("{at}: bad type keyword")),
                };
                let actual = match value {
                    Value::Null => "null",
                    Value::Bool(_) => "boolean",
                    Value::Number(n) if n.is_u64() || n.is_i64() => "integer",
                    Value::Number(_) => "number",
                    Value::String(_) => "string",
                    Value::Array(_) => "array",
                    Value::Object(_) => "object",
                };
                let ok =
                    types.contains(&actual) || (actual == "integer" && types.contains(&"number"));
                if !ok {
                    return Err(format!("{at}: {actual} is not {types:?}"));
                }
            }
            "const" if value != rule => return Err(format!("{at}: {value} is not {rule}")),
            "const" => {}
            "enum" => {
                if !rule.as_array().is_some_and(|a| a.contains(value)) {
                    return Err(format!("{at}: {value} is not one of {rule}"));
                }
            }
            "required" => {
                for name in rule
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                {
                    if value.get(name).is_none() {
                        return Err(format!("{at}: missing {name}"));
                    }
                }
            }
            "properties" => {
                if let (Some(props), Some(fields)) = (rule.as_object(), value.as_object()) {
                    for (name, sub) in props {
                        if let Some(v) = fields.get(name) {
                            validate(sub, v, root, &format!("{at}.{name}"))?;
                        }
                    }
                }
            }
            "additionalProperties" => {
                if rule != &Value::Bool(false) {
                    return Err(format!(
                        "{at}: only additionalProperties: false is supported"
                    ));
                }
                let known = obj.get("properties").and_then(Value::as_object);
                if let (Some(known), Some(fields)) = (known, value.as_object()) {
                    if let Some(extra) = fields.keys().find(|k| !known.contains_key(*k)) {
                        return Err(format!("{at}: unexpected field {extra}"));
                    }
                }
            }
            "items" => {
                for (i, item) in value.as_array().into_iter().flatten().enumerate() {
                    validate(rule, item, root, &format!("{at}[{i}]"))?;
                }
            }
            "pattern" => {
                if rule != "^[0-9a-f]{12}$" {
                    return Err(format!("{at}: unsupported pattern {rule}"));
                }
                let ok = value.as_str().is_some_and(|s| {
                    s.len() == 12
                        && s.bytes()
                            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
                });
                if !ok {
                    return Err(format!("{at}: {value} is not a revision id"));
                }
            }
            other => return Err(format!("{at}: unsupported keyword {other}")),
        }
    }
    Ok(())
}

/// Breaks a valid report in one way.
type Mutation = Box<dyn Fn(&mut Value)>;

#[test]
fn the_validator_rejects_what_the_schema_forbids() {
    let root = schema();
    let good = serde_json::json!({
        "version": 1, "status": "drift", "dialect": "sqlite", "against": "database", "database": "sqlite://x.db",
        "changes": [{"kind": "add_column", "table": "users", "object": "bio", "destructive": false,
                     "description": "add column users.bio", "data_loss": null}],
        "pending_revisions": ["0123456789ab"], "heads": ["0123456789ab"],
        "edited_revisions": [], "missing_revisions": [], "unacknowledged_destructive": [], "partially_applied": [],
        "unmanaged": [{"kind": "trigger", "name": "audit", "table": "users"}, {"kind": "view", "name": "v", "table": null}],
        "error": null
    });
    validate(&root, &good, &root, "$").expect("a valid report");
    let mutations: Vec<(&str, Mutation)> = vec![
        ("version", Box::new(|v| v["version"] = 2.into())),
        ("status", Box::new(|v| v["status"] = "fine".into())),
        (
            "missing field",
            Box::new(|v| {
                v.as_object_mut().map(|o| o.remove("heads"));
            }),
        ),
        ("extra field", Box::new(|v| v["surprise"] = true.into())),
        (
            "change kind",
            Box::new(|v| v["changes"][0]["kind"] = "teleport".into()),
        ),
        (
            "destructive type",
            Box::new(|v| v["changes"][0]["destructive"] = "no".into()),
        ),
        (
            "revision id",
            Box::new(|v| v["pending_revisions"][0] = "XYZ".into()),
        ),
        ("dialect", Box::new(|v| v["dialect"] = "oracle".into())),
        (
            "unmanaged kind",
            Box::new(|v| v["unmanaged"][0]["kind"] = "table".into()),
        ),
        (
            "unmanaged field",
            Box::new(|v| v["unmanaged"][1]["uses"] = serde_json::json!([])),
        ),
    ];
    for (what, mutate) in mutations {
        let mut bad = good.clone();
        mutate(&mut bad);
        assert!(
            validate(&root, &bad, &root, "$").is_err(),
            "{what} was accepted"
        );
    }
}

/// The unified diff `check` prints marks a line as changed only when the differ counts it as a
/// change: a CHECK, a default and a partial index written the way a person writes them
/// (`qty>0`) and stored the way the server prints them back (`(qty > 0)`) compare equal, so they
/// must show as unchanged context lines, not as a red/green pair, next to a real change.
async fn equal_expressions_show_as_unchanged(dialect: Dialect) {
    let models = r#"
use autogen::Model;

#[derive(Model)]
#[model(table = "items")]
#[model(check(name = "ck_items_qty", expr = "qty>0 AND qty<1000"))]
#[model(index(name = "ix_items_open", columns("qty"), where = "qty>1"))]
pub struct Item {
    #[model(primary_key)]
    pub id: i64,
    #[model(default = "((1))")]
    pub qty: i32,
    pub note: Option<String>,
}
"#;
    let where_clause = if dialect == Dialect::Mysql {
        // MariaDB has no partial indexes: the model keeps none there.
        ""
    } else {
        " WHERE (qty > 1)"
    };
    let models = if dialect == Dialect::Mysql {
        models.replace(
            "#[model(index(name = \"ix_items_open\", columns(\"qty\"), where = \"qty>1\"))]\n",
            "#[model(index(name = \"ix_items_open\", columns(\"qty\")))]\n",
        )
    } else {
        models.to_string()
    };
    let Some(p) = common::Project::new(dialect, &models, "").await else {
        return;
    };
    p.execute(
        "CREATE TABLE items (id BIGINT NOT NULL PRIMARY KEY, qty INTEGER NOT NULL DEFAULT 1, \
         CONSTRAINT ck_items_qty CHECK ((qty > 0) AND (qty < 1000)))",
    )
    .await;
    p.execute(&format!(
        "CREATE INDEX ix_items_open ON items (qty){where_clause}"
    ))
    .await;
    let out = p.run(&["check"]);
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{dialect:?}: the new column is drift\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("+  column note"),
        "{dialect:?}: the real change shows\n{stdout}"
    );
    let changed: Vec<&str> = stdout
        .lines()
        .filter(|l| (l.starts_with("+ ") || l.starts_with("- ")) && !l.contains("column note"))
        .collect();
    assert!(
        changed.is_empty(),
        "{dialect:?}: lines shown as changed that compare equal: {changed:?}\n{stdout}"
    );
    assert!(
        stdout.contains("  check ck_items_qty") || stdout.contains("check ck_items_qty"),
        "{dialect:?}: the check is shown as context\n{stdout}"
    );
    p.drop_database().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn equal_expressions_show_as_unchanged_sqlite() {
    equal_expressions_show_as_unchanged(Dialect::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn equal_expressions_show_as_unchanged_postgres() {
    equal_expressions_show_as_unchanged(Dialect::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn equal_expressions_show_as_unchanged_mysql() {
    equal_expressions_show_as_unchanged(Dialect::Mysql).await;
}
