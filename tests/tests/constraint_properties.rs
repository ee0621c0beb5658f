//! Deferrable constraints, MySQL `SET` columns and the names servers give unnamed constraints,
//! on real servers (issue #15, item 2).
//!
//! PostgreSQL: tables built by raw SQL with unnamed foreign keys, unique constraints and checks
//! (named `kids_parent_id_fkey`, `kids_tag_key`, ... by the server), some `DEFERRABLE [INITIALLY
//! DEFERRED]`, match models that declare no names; a revision that changes only a key's
//! deferrability is an `ALTER CONSTRAINT` under the server's name, the others drop the server's
//! names; the revision converges, rows survive, and its downgrade restores `pg_constraint`
//! exactly (names, definitions, deferrability), with a deferred key really deferred.
//!
//! SQLite: a deferrable foreign key (read from the table's text) survives a rebuild made for
//! another reason, and a change of only its deferrability is a rebuild that changes it and whose
//! downgrade brings it back.
//!
//! MariaDB/MySQL: a `SET(...)` column and an unnamed foreign key that needs an index of its own
//! (`kids_ibfk_1`, its index named `parent_id` by the server) match models without names; a
//! revision that changes the key and the set's values converges and keeps the rows, and its
//! downgrade gives back `SHOW CREATE TABLE` exactly. `deferrable` is a model error there.
// Setup failures should panic at the spot; these helpers are test code outside #[test] fns.
#![allow(clippy::unwrap_used)]

use autogen::db::Connection;
use autogen::ops::diff::diff;
use autogen::ops::{SchemaSource, Sources};
use autogen::schema::Dialect;
use autogen::sql::Statement;
use autogen_tests::trip::Steps;

fn sql_of(statements: &[Statement]) -> String {
    statements
        .iter()
        .map(|s| s.sql.as_str())
        .collect::<Vec<_>>()
        .join(";\n")
}

const PG_SQL: &str = "
    CREATE TABLE parents (id int PRIMARY KEY, code text NOT NULL,
                          UNIQUE (code) DEFERRABLE INITIALLY DEFERRED);
    CREATE TABLE kids (
        id int PRIMARY KEY,
        parent_id int NOT NULL REFERENCES parents (id) DEFERRABLE INITIALLY DEFERRED,
        other_id int REFERENCES parents (id) ON DELETE CASCADE,
        tag text UNIQUE,
        n int CHECK (n > 0)
    );
    INSERT INTO parents VALUES (1, 'a'), (2, 'b');
    INSERT INTO kids VALUES (10, 1, 2, 'x', 1), (11, 2, NULL, 'y', 2);
";

/// Models of [`PG_SQL`] without a constraint name; the placeholders are replaced per step.
const PG_MODELS: &str = r#"
use autogen::Model;

#[derive(Model)]
#[model(table = "parents"PARENTS)]
pub struct Parent {
    #[model(primary_key)]
    pub id: i32,
    pub code: String,
}

#[derive(Model)]
#[model(table = "kids", check(expr = "n > 0"))]
pub struct Kid {
    #[model(primary_key)]
    pub id: i32,
    #[model(references = "parents.id"PARENT_ID)]
    pub parent_id: i32,
    #[model(references = "parents.id"OTHER_ID)]
    pub other_id: Option<i32>,
    #[model(TAG)]
    pub tag: Option<String>,
    pub n: Option<i32>,
}
"#;

fn pg_models(parents: &str, parent_id: &str, other_id: &str, tag: &str) -> String {
    PG_MODELS
        .replace("PARENTS", parents)
        .replace("PARENT_ID", parent_id)
        .replace("OTHER_ID", other_id)
        .replace("TAG", tag)
}

/// `pg_constraint` of the two tables: name, kind, deferrability and definition, by name.
async fn pg_constraints(db: &Steps) -> Vec<String> {
    let mut conn = db.connect().await;
    let Connection::Postgres(c) = &mut conn else {
        panic!("not PostgreSQL")
    };
    let rows: Vec<(String, bool, bool, String)> = sqlx::query_as(
        "SELECT conname::text, condeferrable, condeferred, pg_get_constraintdef(oid) \
         FROM pg_constraint WHERE conrelid IN ('parents'::regclass, 'kids'::regclass) \
         ORDER BY conname",
    )
    .fetch_all(&mut *c)
    .await
    .unwrap();
    let _ = conn.close().await;
    rows.into_iter()
        .map(|(n, d, i, def)| format!("{n} deferrable={d} deferred={i} {def}"))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_deferrable_constraints_and_server_names() {
    let Some(db) = Steps::start(Dialect::Postgres, PG_SQL).await else {
        return;
    };
    let before = pg_constraints(&db).await;
    assert!(
        before
            .iter()
            .any(|c| c.starts_with("kids_parent_id_fkey deferrable=true deferred=true")),
        "{before:#?}"
    );

    // Models without names, declaring what the database has: in sync.
    let models = pg_models(
        ", unique(columns(\"code\"), deferrable = \"deferred\")",
        ", deferrable = \"deferred\"",
        ", on_delete = \"cascade\"",
        "unique",
    );
    db.assert_matches(&models, "adopted").await;

    // Leaving `deferrable` out of a model is a change: the key would be checked at once.
    let undeferred = db
        .plan_to(&pg_models(
            ", unique(columns(\"code\"), deferrable = \"deferred\")",
            "",
            ", on_delete = \"cascade\"",
            "unique",
        ))
        .await;
    assert_eq!(
        undeferred.changes,
        ["alter foreign key kids (parent_id) -> parents (id): deferrable initially deferred -> not deferrable"]
    );

    // Only deferrability (an ALTER CONSTRAINT under the server's name), a unique constraint's
    // deferrability (drop and add), an action (drop and add) and a dropped unique constraint.
    let changed = pg_models(
        ", unique(columns(\"code\"))",
        ", deferrable",
        "",
        "skip_tag_unique",
    )
    .replace("#[model(skip_tag_unique)]", "");
    let change = db.plan_to(&changed).await;
    assert_eq!(change.changes.len(), 6, "{:#?}", change.changes);
    let up_sql = sql_of(&change.up);
    for want in [
        "ALTER TABLE \"kids\" ALTER CONSTRAINT \"kids_parent_id_fkey\" DEFERRABLE INITIALLY IMMEDIATE",
        "ALTER TABLE \"kids\" DROP CONSTRAINT \"kids_other_id_fkey\"",
        "ALTER TABLE \"kids\" DROP CONSTRAINT \"kids_tag_key\"",
        "ALTER TABLE \"parents\" DROP CONSTRAINT \"parents_code_key\"",
    ] {
        assert!(up_sql.contains(want), "{want}\n{up_sql}");
    }
    db.upgrade(&change, "converged").await;
    let after = pg_constraints(&db).await;
    assert!(
        after
            .iter()
            .any(|c| c.starts_with("kids_parent_id_fkey deferrable=true deferred=false")),
        "{after:#?}"
    );
    assert!(
        after
            .iter()
            .any(|c| c.starts_with("uq_parents_code deferrable=false")),
        "{after:#?}"
    );
    assert_eq!(
        db.rows("kids", &["id", "parent_id", "other_id", "tag"])
            .await,
        ["'10'|'1'|'2'|'x'", "'11'|'2'|NULL|'y'"]
    );

    // The downgrade restores the catalog exactly: the server's names, definitions and
    // deferrability.
    db.downgrade(&change).await;
    assert_eq!(pg_constraints(&db).await, before);
    db.assert_matches(&models, "back").await;
    // And the deferred key is deferred: a child before its parent commits.
    db.script(
        "BEGIN; INSERT INTO kids VALUES (12, 3, NULL, 'z', 3); \
         INSERT INTO parents VALUES (3, 'c'); COMMIT;",
    )
    .await
    .unwrap();
    assert_eq!(db.rows("kids", &["id"]).await, ["'10'", "'11'", "'12'"]);
    db.finish().await;
}

const SQLITE_SQL: &str = "
    CREATE TABLE parents (id INTEGER PRIMARY KEY, code TEXT NOT NULL);
    CREATE TABLE kids (
        id INTEGER PRIMARY KEY,
        parent_id INTEGER NOT NULL REFERENCES parents (id) DEFERRABLE INITIALLY DEFERRED,
        other_id INTEGER REFERENCES parents (id) ON DELETE CASCADE
    );
    INSERT INTO parents VALUES (1, 'a'), (2, 'b');
    INSERT INTO kids VALUES (10, 1, 2), (11, 2, NULL);
";

const SQLITE_MODELS: &str = r#"
use autogen::Model;

#[derive(Model)]
#[model(table = "parents")]
pub struct Parent {
    #[model(primary_key)]
    pub id: i32,
    pub code: String,
}

#[derive(Model)]
#[model(table = "kids"KIDS)]
pub struct Kid {
    #[model(primary_key)]
    pub id: i32,
    #[model(references = "parents.id"PARENT_ID)]
    pub parent_id: i32,
    #[model(references = "parents.id", on_delete = "cascade")]
    pub other_id: Option<i32>,
}
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_deferrable_foreign_keys_survive_rebuilds() {
    let Some(db) = Steps::start(Dialect::Sqlite, SQLITE_SQL).await else {
        panic!("SQLite needs no server")
    };
    let models = |kids: &str, parent_id: &str| {
        SQLITE_MODELS
            .replace("KIDS", kids)
            .replace("PARENT_ID", parent_id)
    };
    let deferred = ", deferrable = \"deferred\"";
    db.assert_matches(&models("", deferred), "adopted").await;

    // A rebuild for another reason (a new CHECK) keeps the key deferrable.
    let change = db
        .plan_to(&models(", check(expr = \"id > 0\")", deferred))
        .await;
    assert_eq!(change.changes.len(), 1, "{:?}", change.changes);
    db.upgrade(&change, "converged").await;
    let kids = db.sqlite_create("kids").await;
    assert!(
        kids.contains("references \"parents\" (\"id\") deferrable initially deferred"),
        "{kids}"
    );

    // A change of only the deferrability is a rebuild that makes it; the downgrade undoes it.
    let change = db.plan_to(&models(", check(expr = \"id > 0\")", "")).await;
    assert_eq!(
        change.changes,
        ["alter foreign key kids (parent_id) -> parents (id): deferrable initially deferred -> not deferrable"]
    );
    db.upgrade(&change, "converged").await;
    assert!(!db.sqlite_create("kids").await.contains("deferrable"));
    db.downgrade(&change).await;
    assert!(db
        .sqlite_create("kids")
        .await
        .contains("deferrable initially deferred"));
    db.assert_matches(&models(", check(expr = \"id > 0\")", deferred), "back")
        .await;
    assert_eq!(
        db.rows("kids", &["id", "parent_id", "other_id"]).await,
        ["10|1|2", "11|2|NULL"]
    );
    db.finish().await;
}

const MYSQL_SQL: &str = "
    CREATE TABLE parents (id INT NOT NULL PRIMARY KEY, code VARCHAR(20) NOT NULL UNIQUE);
    CREATE TABLE kids (
        id INT NOT NULL PRIMARY KEY,
        parent_id INT NOT NULL,
        perms SET('read','write','it''s') NOT NULL DEFAULT 'read',
        tag VARCHAR(10),
        UNIQUE (tag),
        FOREIGN KEY (parent_id) REFERENCES parents (id)
    );
    INSERT INTO parents VALUES (1, 'a'), (2, 'b');
    INSERT INTO kids VALUES (10, 1, 'read,write', 'x'), (11, 2, '', NULL);
";

const MYSQL_MODELS: &str = r#"
use autogen::Model;

#[derive(Model)]
#[model(table = "parents")]
pub struct Parent {
    #[model(primary_key)]
    pub id: i32,
    #[model(max_length = 20, unique)]
    pub code: String,
}

#[derive(Model)]
#[model(table = "kids")]
pub struct Kid {
    #[model(primary_key)]
    pub id: i32,
    #[model(references = "parents.id"PARENT_ID)]
    pub parent_id: i32,
    #[model(column_type = "PERMS", default = "'read'")]
    pub perms: String,
    #[model(max_length = 10, unique)]
    pub tag: Option<String>,
}
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mysql_set_columns_and_unnamed_foreign_keys() {
    let Some(db) = Steps::start(Dialect::Mysql, MYSQL_SQL).await else {
        return;
    };
    let before = db.show_create("kids").await;
    assert!(before.contains("CONSTRAINT `kids_ibfk_1`"), "{before}");
    assert!(before.contains("KEY `parent_id` (`parent_id`)"), "{before}");
    let models = |parent_id: &str, perms: &str| {
        MYSQL_MODELS
            .replace("PARENT_ID", parent_id)
            .replace("PERMS", perms)
    };
    let set = "set('read','write','it''s')";
    db.assert_matches(&models("", set), "adopted").await;

    // The key gets an action (dropped under the server's name, with the index the server named
    // after its column) and the set a value; rows keep their values.
    let change = db
        .plan_to(&models(
            ", on_delete = \"cascade\"",
            "SET('read','write','it''s','admin')",
        ))
        .await;
    assert_eq!(change.changes.len(), 3, "{:#?}", change.changes);
    let up_sql = sql_of(&change.up);
    assert!(
        up_sql.contains("ALTER TABLE `kids` DROP FOREIGN KEY `kids_ibfk_1`"),
        "{up_sql}"
    );
    db.upgrade(&change, "converged").await;
    assert_eq!(
        db.rows("kids", &["id", "parent_id", "perms", "tag"]).await,
        ["'10'|'1'|'read,write'|'x'", "'11'|'2'|''|NULL"]
    );
    db.script("UPDATE kids SET perms = 'admin,it''s' WHERE id = 11")
        .await
        .unwrap();
    assert_eq!(
        db.rows("kids", &["id", "perms"]).await,
        ["'10'|'read,write'", "'11'|'it\\'s,admin'"]
    );
    db.script("UPDATE kids SET perms = '' WHERE id = 11")
        .await
        .unwrap();

    // The downgrade gives back the table exactly as the server printed it.
    db.downgrade(&change).await;
    assert_eq!(db.show_create("kids").await, before);
    db.assert_matches(&models("", set), "back").await;

    // MySQL has no deferrable constraints: a model asking for one is an error, not a key
    // built without it.
    let p = db.project(&models(", deferrable", set));
    let err = diff(
        &Sources::project(&p),
        &SchemaSource::ProjectDatabase,
        &SchemaSource::Models,
        false,
    )
    .await
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("MySQL/MariaDB has no deferrable foreign keys"),
        "{err}"
    );
    db.finish().await;
}
