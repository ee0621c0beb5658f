//! SQLite table rebuilds meet a live table that changed after the revision was written: a
//! trigger, a view and a moved-on AUTOINCREMENT counter added by hand; a column added by hand;
//! a column added by a revision of another branch that was merged. No row and no column the
//! revision did not name may be lost: the rebuild keeps the triggers and the counter, and refuses
//! (rolling back, before anything of it stays) when the table has columns it does not know,
//! naming the table, the columns and the revisions involved.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use autogen::schema::Dialect;
use common::{revision_id, text, Project};

const USERS: &str = "use autogen::Model;\n\n#[derive(Model)]\n#[model(table = \"users\")]\npub struct User {\n    #[model(primary_key, auto_increment)]\n    pub id: i64,\n    pub name: String,\n}\n";

fn nullable_name(models: &str) -> String {
    models.replace("pub name: String", "pub name: Option<String>")
}

fn with_bio(models: &str) -> String {
    models.replace(
        "    pub name: ",
        "    pub bio: Option<String>,\n    pub name: ",
    )
}

async fn sqlite(models: &str, config: &str) -> Project {
    Project::new(Dialect::Sqlite, models, config)
        .await
        .expect("SQLite needs no server")
}

#[tokio::test]
async fn rebuild_keeps_triggers_views_and_the_autoincrement_counter() {
    let p = sqlite(USERS, "exclude_tables = [\"audit\"]\n").await;
    p.ok(&["-m", "create users"]);
    p.ok(&["upgrade"]);
    p.execute(
        "CREATE TABLE audit (user_id integer);
         CREATE TRIGGER users_audit AFTER INSERT ON users BEGIN INSERT INTO audit (user_id) VALUES (new.id); END;
         CREATE VIEW named_users AS SELECT id, name FROM users;
         INSERT INTO users (name) VALUES ('a'), ('b'), ('c');
         DELETE FROM users WHERE id = 3;",
    )
    .await;

    p.write_models(&nullable_name(USERS));
    let written = p.ok(&["-m", "loosen name"]);
    let file = std::fs::read_to_string(p.revision_file(&written)).unwrap();
    assert!(
        file.contains("_autogen_new_users"),
        "not a rebuild:\n{file}"
    );
    p.ok(&["upgrade"]);

    let triggers = p
        .strings("SELECT name AS x FROM sqlite_master WHERE type = 'trigger'")
        .await;
    assert_eq!(triggers, ["users_audit"], "the rebuild dropped the trigger");
    assert_eq!(
        p.strings("SELECT name AS x FROM named_users ORDER BY id")
            .await,
        ["a", "b"]
    );
    p.execute("INSERT INTO users (name) VALUES ('d')").await;
    assert_eq!(
        p.strings("SELECT id AS x FROM users WHERE name = 'd'")
            .await,
        ["4"],
        "the AUTOINCREMENT counter was reset: a deleted id was handed out again"
    );
    assert_eq!(
        p.strings("SELECT user_id AS x FROM audit ORDER BY user_id")
            .await,
        ["1", "2", "3", "4"],
        "the trigger did not fire after the rebuild"
    );
    let check = p.run(&["check"]);
    assert!(check.status.success(), "{}", text(&check));

    // And back: the downgrade's rebuild keeps them too.
    p.ok(&["downgrade", "-1"]);
    assert_eq!(
        p.strings("SELECT name AS x FROM sqlite_master WHERE type = 'trigger'")
            .await,
        ["users_audit"]
    );
    p.execute("INSERT INTO users (name) VALUES ('e')").await;
    assert_eq!(
        p.strings("SELECT id AS x FROM users WHERE name = 'e'")
            .await,
        ["5"]
    );
}

#[tokio::test]
async fn rebuild_refuses_a_column_added_by_hand() {
    let p = sqlite(USERS, "").await;
    let first = p.ok(&["-m", "create users"]);
    p.ok(&["upgrade"]);
    p.write_models(&nullable_name(USERS));
    p.ok(&["-m", "loosen name"]);
    p.execute(
        "INSERT INTO users (name) VALUES ('a'), ('b');
         ALTER TABLE users ADD COLUMN extra text;
         UPDATE users SET extra = 'keep';",
    )
    .await;

    let out = p.run(&["upgrade"]);
    let all = text(&out);
    assert!(
        !out.status.success(),
        "the rebuild dropped a column:\n{all}"
    );
    assert!(
        all.contains("rebuilds table users")
            && all.contains("extra")
            && all.contains("rolled back"),
        "{all}"
    );
    assert_eq!(
        p.strings("SELECT extra AS x FROM users").await,
        ["keep", "keep"],
        "the hand-added column lost its data"
    );
    assert_eq!(p.applied().await, [revision_id(&p.revision_file(&first))]);
}

/// Two branches from one base: A adds a column to users, B makes users.name nullable (a SQLite
/// rebuild that knows only the base's columns), then a merge. Returns (base, A, B).
async fn two_branches(p: &Project) -> (String, String, String) {
    let base = revision_id(&p.revision_file(&p.ok(&["-m", "create users"])));
    p.ok(&["upgrade"]);
    p.execute("INSERT INTO users (name) VALUES ('a'), ('b')")
        .await;
    p.write_models(&with_bio(USERS));
    let a_file = p.revision_file(&p.ok(&["-m", "add bio"]));
    // Write B as its author would on another branch: without A's file.
    let aside = p.root().join("a.sql.aside");
    std::fs::rename(&a_file, &aside).unwrap();
    p.write_models(&nullable_name(USERS));
    let b = revision_id(&p.revision_file(&p.ok(&["-m", "loosen name"])));
    std::fs::rename(&aside, &a_file).unwrap();
    p.ok(&["merge", "-m", "join branches"]);
    p.write_models(&nullable_name(&with_bio(USERS)));
    (base, revision_id(&a_file), b)
}

#[tokio::test]
async fn merged_branches_never_lose_a_column() {
    // Both branches in one run.
    let p = sqlite(USERS, "").await;
    let (base, a, b) = two_branches(&p).await;
    let out = p.run(&["upgrade"]);
    let all = text(&out);
    if out.status.success() {
        p.execute("UPDATE users SET bio = 'x'").await;
        assert_eq!(
            p.strings("SELECT name AS x FROM users ORDER BY id").await,
            ["a", "b"]
        );
        let check = p.run(&["check"]);
        assert!(check.status.success(), "{}", text(&check));
    } else {
        assert!(
            all.contains(&a) && all.contains(&b) && all.contains("users"),
            "the refusal must name both revisions and the table:\n{all}"
        );
        assert_eq!(
            p.applied().await,
            std::slice::from_ref(&base),
            "the refusal came after something ran"
        );
        assert_eq!(
            p.strings("SELECT name AS x FROM users ORDER BY id").await,
            ["a", "b"]
        );
    }

    // Branch A applied on its own first (as a teammate's deploy would), then the rest.
    let p = sqlite(USERS, "").await;
    let (base, a, b) = two_branches(&p).await;
    p.ok(&["upgrade", &a]);
    p.execute("UPDATE users SET bio = 'keep'").await;
    let out = p.run(&["upgrade"]);
    let all = text(&out);
    assert!(
        !out.status.success(),
        "B's rebuild ran over A's column:\n{all}"
    );
    assert!(
        all.contains(&b) && all.contains(&a) && all.contains("users") && all.contains("bio"),
        "the refusal must name both revisions, the table and the column:\n{all}"
    );
    assert_eq!(
        p.strings("SELECT bio AS x FROM users").await,
        ["keep", "keep"],
        "column bio lost its data"
    );
    let mut expected = vec![base, a];
    expected.sort();
    assert_eq!(p.applied().await, expected);
}
