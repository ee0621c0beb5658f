//! Objects autogen leaves alone, end to end with the real binary on every configured dialect:
//! `ignore` globs in autogen.toml (applied to the database and the models alike, in `check`,
//! autogenerate and `diff`), and the objects autogen does not manage (views, triggers, functions,
//! ...): named in one line by `check` and autogenerate, listed by `check --format json`, never
//! drift, and a revision that would break one of them flagged when it is generated.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use autogen::schema::Dialect;
use common::{autogen, text, Project};
use serde_json::Value;

const MODELS: &str = r#"use autogen::Model;

#[derive(Model)]
#[model(table = "users")]
pub struct User {
    #[model(primary_key, auto_increment)]
    pub id: i64,
    #[model(max_length = 255)]
    pub email: Option<String>,
    #[model(max_length = 100)]
    pub name: String,
}
"#;

/// A project on `dialect` with [`MODELS`] applied (`-m`, `upgrade`), `extra_config` appended to
/// its autogen.toml.
async fn applied(dialect: Dialect, extra_config: &str) -> Option<Project> {
    let p = Project::new(dialect, MODELS, extra_config).await?;
    p.ok(&["-m", "users"]);
    p.ok(&["upgrade"]);
    Some(p)
}

/// `check` (human), with its exit code.
fn check(p: &Project) -> (i32, String) {
    let out = p.run(&["check"]);
    (out.status.code().unwrap_or(-1), text(&out))
}

fn check_json(p: &Project) -> (i32, Value) {
    let out = p.run(&["check", "--format", "json"]);
    let json = serde_json::from_str(&String::from_utf8_lossy(&out.stdout))
        .unwrap_or_else(|e| panic!("not JSON ({e}):\n{}", text(&out)));
    (out.status.code().unwrap_or(-1), json)
}

/// Raw SQL making objects autogen does not manage, and the line `check` must print for them.
fn unmanaged_sql(dialect: Dialect) -> (&'static str, &'static str) {
    match dialect {
        Dialect::Postgres => (
            "CREATE VIEW active_users AS SELECT id, email FROM users;
             CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
             CREATE TRIGGER users_touch BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION touch();
             CREATE SEQUENCE invoice_numbers;
             ALTER TABLE users ENABLE ROW LEVEL SECURITY;
             CREATE POLICY own_rows ON users USING (name <> '');
             CREATE SCHEMA reporting;
             CREATE TABLE reporting.daily (day date);",
            "not managed here: 1 view, 1 trigger, 1 function, 1 sequence, 1 policy, 1 other schema",
        ),
        Dialect::Mysql => (
            "CREATE VIEW active_users AS SELECT id, email FROM users;
             CREATE TRIGGER users_touch BEFORE UPDATE ON users FOR EACH ROW SET NEW.name = TRIM(NEW.name);
             CREATE FUNCTION answer() RETURNS int DETERMINISTIC RETURN 42;",
            "not managed here: 1 view, 1 trigger, 1 function",
        ),
        Dialect::Sqlite => (
            "CREATE VIEW active_users AS SELECT id, email FROM users;
             CREATE TRIGGER users_touch AFTER UPDATE ON users BEGIN SELECT NEW.name; END;",
            "not managed here: 1 view, 1 trigger",
        ),
    }
}

async fn unmanaged_story(dialect: Dialect) {
    let Some(p) = applied(dialect, "").await else {
        return;
    };
    let (code, out) = check(&p);
    assert_eq!(code, 0, "{dialect}: {out}");
    assert!(!out.contains("not managed here"), "{dialect}: {out}");

    let (sql, line) = unmanaged_sql(dialect);
    p.execute(sql).await;
    let (code, out) = check(&p);
    assert_eq!(code, 0, "{dialect}: unmanaged objects are not drift\n{out}");
    assert!(out.contains(line), "{dialect}: expected {line:?} in\n{out}");
    assert_eq!(out.matches("not managed here").count(), 1, "{out}");

    let (code, json) = check_json(&p);
    assert_eq!(code, 0, "{dialect}: {json}");
    assert_eq!(json["status"], "in_sync");
    let listed = json["unmanaged"].as_array().expect("unmanaged is an array");
    let has = |kind: &str, name: &str, table: Value| {
        listed
            .iter()
            .any(|o| o["kind"] == kind && o["name"] == name && o["table"] == table)
    };
    assert!(
        has("view", "active_users", Value::Null),
        "{dialect}: {json}"
    );
    assert!(
        has("trigger", "users_touch", "users".into()),
        "{dialect}: {json}"
    );
    if dialect == Dialect::Postgres {
        assert!(has("policy", "own_rows", "users".into()), "{json}");
        assert!(has("schema", "reporting", Value::Null), "{json}");
        assert!(has("sequence", "invoice_numbers", Value::Null), "{json}");
    }

    // No changes: autogenerate says so, and names the objects in the same line (stderr).
    let out = p.ok(&["-m", "nothing"]);
    assert!(out.contains("No changes detected"), "{out}");
    assert!(out.contains(line), "{dialect}: {out}");

    // Dropping a column the view reads is flagged, on stderr and in the revision.
    p.write_models(&MODELS.replace(
        "    #[model(max_length = 255)]\n    pub email: Option<String>,\n",
        "",
    ));
    let run = p.run(&["-m", "drop email", "--no-verify"]);
    let out = text(&run);
    assert!(run.status.success(), "{dialect}: {out}");
    let warning = "view active_users uses column users.email, which this revision changes";
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(stderr.contains(warning), "{dialect}: {out}");
    let revision = std::fs::read_to_string(p.revision_file(&out)).unwrap();
    assert!(
        revision.contains(&format!("-- note: {warning}")),
        "{dialect}: {revision}"
    );
    // The trigger is on the table, not on the column: only the view is flagged.
    assert!(!stderr.contains("trigger users_touch"), "{dialect}: {out}");
    p.drop_database().await;
}

#[tokio::test]
async fn unmanaged_objects_sqlite() {
    unmanaged_story(Dialect::Sqlite).await;
}

#[tokio::test]
async fn unmanaged_objects_postgres() {
    unmanaged_story(Dialect::Postgres).await;
}

#[tokio::test]
async fn unmanaged_objects_mysql() {
    unmanaged_story(Dialect::Mysql).await;
}

/// Raw SQL giving the database a hand-made index and a column (with an index of its own) that
/// the models do not declare.
const HAND_MADE: &str = "CREATE INDEX ix_tmp_email ON users (email);
     ALTER TABLE users ADD COLUMN legacy_code varchar(20) NULL;
     CREATE INDEX ix_users_legacy_code ON users (legacy_code);";

async fn ignore_story(dialect: Dialect) {
    // Without `ignore`, the hand-made objects are drift autogenerate would drop.
    let Some(p) = applied(dialect, "").await else {
        return;
    };
    p.execute(HAND_MADE).await;
    let (code, out) = check(&p);
    assert_eq!(code, 1, "{dialect}: {out}");
    assert!(
        out.contains("ix_tmp_email") && out.contains("legacy_code"),
        "{out}"
    );
    p.drop_database().await;

    let Some(p) = applied(
        dialect,
        "ignore = [\"*.ix_tmp_*\", \"column:users.legacy_*\"]\n",
    )
    .await
    else {
        return;
    };
    p.execute(HAND_MADE).await;
    let (code, out) = check(&p);
    assert_eq!(code, 0, "{dialect}: ignored objects are no drift\n{out}");
    let out = p.ok(&["-m", "nothing"]);
    assert!(out.contains("No changes detected"), "{dialect}: {out}");

    // A model column the glob ignores is not added; another new one is, and the index on the
    // ignored column stays.
    p.write_models(&MODELS.replace(
        "    pub name: String,\n",
        "    pub name: String,\n    pub legacy_flag: Option<i32>,\n    pub bio: Option<String>,\n",
    ));
    let out = p.ok(&["-m", "bio"]);
    let revision = std::fs::read_to_string(p.revision_file(&out)).unwrap();
    assert!(revision.contains("bio"), "{dialect}: {revision}");
    for left_alone in ["legacy", "ix_tmp_email"] {
        assert!(
            !revision.contains(left_alone),
            "{dialect}: {left_alone} in\n{revision}"
        );
    }
    p.ok(&["upgrade"]);
    let (code, out) = check(&p);
    assert_eq!(code, 0, "{dialect}: {out}");
    let mut conn = p.connect().await;
    let schema = autogen::introspect::introspect(&mut conn, &Default::default())
        .await
        .unwrap();
    let _ = conn.close().await;
    let users = schema.table("users").unwrap();
    let indexes: Vec<&str> = users.indexes.iter().map(|i| i.name.as_str()).collect();
    assert!(indexes.contains(&"ix_tmp_email"), "{dialect}: {indexes:?}");
    assert!(
        indexes.contains(&"ix_users_legacy_code"),
        "{dialect}: {indexes:?}"
    );
    assert!(users.column("legacy_flag").is_none(), "{dialect}");
    assert!(users.column("legacy_code").is_some(), "{dialect}");
    p.drop_database().await;
}

#[tokio::test]
async fn ignore_globs_sqlite() {
    ignore_story(Dialect::Sqlite).await;
}

#[tokio::test]
async fn ignore_globs_postgres() {
    ignore_story(Dialect::Postgres).await;
}

#[tokio::test]
async fn ignore_globs_mysql() {
    ignore_story(Dialect::Mysql).await;
}

#[tokio::test]
async fn a_bad_ignore_glob_names_its_line() {
    let Some(p) = Project::new(
        Dialect::Sqlite,
        MODELS,
        "ignore = [\"users.legacy_*\", \"users.[\"]\n",
    )
    .await
    else {
        return;
    };
    for args in [&["check"][..], &["-m", "x"]] {
        let out = p.run(args);
        let shown = text(&out);
        assert_ne!(out.status.code(), Some(0), "{args:?}: {shown}");
        assert!(
            shown.contains("autogen.toml:3:29: ignore entry \"users.[\""),
            "{args:?}: {shown}"
        );
    }
    let (code, json) = check_json(&p);
    assert_eq!(code, 2);
    assert!(
        json["error"].as_str().unwrap().contains("ignore entry"),
        "{json}"
    );
}

/// `autogen diff` between two databases honours `ignore` when the folder has an autogen.toml.
#[test]
fn diff_between_databases_honours_ignore() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let make = |name: &str, extra: &str| {
        let path = root.join(name);
        let url = format!("sqlite://{}", path.display());
        let sql =
            format!("CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL);{extra}");
        let rt = tokio::runtime::Runtime::new().unwrap();
        rt.block_on(async {
            std::fs::write(&path, b"").unwrap();
            let mut c =
                autogen::db::Connection::connect(&autogen::db::DatabaseUrl::parse(&url).unwrap())
                    .await
                    .unwrap();
            c.execute_script(&sql).await.unwrap();
            let _ = c.close().await;
        });
        url
    };
    let from = make("from.db", "CREATE INDEX ix_tmp_email ON users (email);");
    let to = make("to.db", "");
    let without = autogen(root, &["diff", &from, &to], &[]);
    assert_eq!(without.code, 0, "{without}");
    assert!(without.stdout.contains("DROP INDEX"), "{without}");
    common::write(root, "autogen.toml", "ignore = [\"*.ix_tmp_*\"]\n");
    let with = autogen(root, &["diff", &from, &to], &[]);
    assert_eq!(with.code, 0, "{with}");
    assert!(with.stdout.trim().is_empty(), "{with}");
    assert!(with.stderr.contains("No differences"), "{with}");
}
