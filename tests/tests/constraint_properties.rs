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
use autogen_tests::db::{snapshot, Scratch};
use autogen_tests::trip;

async fn script(db: &Scratch, sql: &str) -> Result<(), String> {
    let mut conn = db.connect().await.unwrap();
    let r = conn.execute_script(sql).await.map_err(|e| e.to_string());
    let _ = conn.close().await;
    r
}

async fn rows(db: &Scratch, table: &str, columns: &[&str]) -> Vec<String> {
    let mut conn = db.connect().await.unwrap();
    let columns: Vec<String> = columns.iter().map(|c| c.to_string()).collect();
    let r = snapshot(&mut conn, table, &columns).await.unwrap();
    let _ = conn.close().await;
    r
}

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
async fn pg_constraints(db: &Scratch) -> Vec<String> {
    let mut conn = db.connect().await.unwrap();
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
    let db = match Scratch::create(Dialect::Postgres).await {
        Ok(Some(db)) => db,
        Ok(None) => return,
        Err(e) => panic!("cannot create a scratch PostgreSQL database: {e}"),
    };
    script(&db, PG_SQL).await.unwrap();
    let url = db.url().expose().to_string();
    let dir = tempfile::tempdir().unwrap();
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
    let p = trip::project_with_models(dir.path(), &url, &models);
    assert_eq!(
        trip::plan(&p, false).await.0,
        Vec::<String>::new(),
        "adopted"
    );

    // Leaving `deferrable` out of a model is a change: the key would be checked at once.
    let p = trip::project_with_models(
        dir.path(),
        &url,
        &pg_models(
            ", unique(columns(\"code\"), deferrable = \"deferred\")",
            "",
            ", on_delete = \"cascade\"",
            "unique",
        ),
    );
    assert_eq!(
        trip::plan(&p, false).await.0,
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
    let p = trip::project_with_models(dir.path(), &url, &changed);
    let (changes, up) = trip::plan(&p, false).await;
    let (_, down) = trip::plan(&p, true).await;
    assert_eq!(changes.len(), 6, "{changes:#?}");
    let up_sql = sql_of(&up);
    for want in [
        "ALTER TABLE \"kids\" ALTER CONSTRAINT \"kids_parent_id_fkey\" DEFERRABLE INITIALLY IMMEDIATE",
        "ALTER TABLE \"kids\" DROP CONSTRAINT \"kids_other_id_fkey\"",
        "ALTER TABLE \"kids\" DROP CONSTRAINT \"kids_tag_key\"",
        "ALTER TABLE \"parents\" DROP CONSTRAINT \"parents_code_key\"",
    ] {
        assert!(up_sql.contains(want), "{want}\n{up_sql}");
    }
    trip::run_statements(&db, &up).await;
    assert_eq!(
        trip::plan(&p, false).await.0,
        Vec::<String>::new(),
        "converged"
    );
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
        rows(&db, "kids", &["id", "parent_id", "other_id", "tag"]).await,
        ["'10'|'1'|'2'|'x'", "'11'|'2'|NULL|'y'"]
    );

    // The downgrade restores the catalog exactly: the server's names, definitions and
    // deferrability.
    trip::run_statements(&db, &down).await;
    assert_eq!(pg_constraints(&db).await, before);
    let p = trip::project_with_models(dir.path(), &url, &models);
    assert_eq!(trip::plan(&p, false).await.0, Vec::<String>::new(), "back");
    // And the deferred key is deferred: a child before its parent commits.
    script(
        &db,
        "BEGIN; INSERT INTO kids VALUES (12, 3, NULL, 'z', 3); \
         INSERT INTO parents VALUES (3, 'c'); COMMIT;",
    )
    .await
    .unwrap();
    assert_eq!(rows(&db, "kids", &["id"]).await, ["'10'", "'11'", "'12'"]);
    db.drop_now().await;
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

/// `sqlite_master.sql` of `kids`, whitespace folded, lowercased.
async fn sqlite_kids(db: &Scratch) -> String {
    let mut conn = db.connect().await.unwrap();
    let Connection::Sqlite(c) = &mut conn else {
        panic!("not SQLite")
    };
    let sql: String = sqlx::query_scalar("SELECT sql FROM sqlite_master WHERE name = 'kids'")
        .fetch_one(&mut *c)
        .await
        .unwrap();
    let _ = conn.close().await;
    sql.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_ascii_lowercase()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_deferrable_foreign_keys_survive_rebuilds() {
    let Ok(Some(db)) = Scratch::create(Dialect::Sqlite).await else {
        panic!("cannot create a scratch SQLite database")
    };
    script(&db, SQLITE_SQL).await.unwrap();
    let url = db.url().expose().to_string();
    let dir = tempfile::tempdir().unwrap();
    let models = |kids: &str, parent_id: &str| {
        SQLITE_MODELS
            .replace("KIDS", kids)
            .replace("PARENT_ID", parent_id)
    };
    let deferred = ", deferrable = \"deferred\"";
    let p = trip::project_with_models(dir.path(), &url, &models("", deferred));
    assert_eq!(
        trip::plan(&p, false).await.0,
        Vec::<String>::new(),
        "adopted"
    );

    // A rebuild for another reason (a new CHECK) keeps the key deferrable.
    let p = trip::project_with_models(
        dir.path(),
        &url,
        &models(", check(expr = \"id > 0\")", deferred),
    );
    let (changes, up) = trip::plan(&p, false).await;
    assert_eq!(changes.len(), 1, "{changes:?}");
    trip::run_statements(&db, &up).await;
    assert_eq!(
        trip::plan(&p, false).await.0,
        Vec::<String>::new(),
        "converged"
    );
    let kids = sqlite_kids(&db).await;
    assert!(
        kids.contains("references \"parents\" (\"id\") deferrable initially deferred"),
        "{kids}"
    );

    // A change of only the deferrability is a rebuild that makes it; the downgrade undoes it.
    let p = trip::project_with_models(dir.path(), &url, &models(", check(expr = \"id > 0\")", ""));
    let (changes, up) = trip::plan(&p, false).await;
    assert_eq!(
        changes,
        ["alter foreign key kids (parent_id) -> parents (id): deferrable initially deferred -> not deferrable"]
    );
    let (_, down) = trip::plan(&p, true).await;
    trip::run_statements(&db, &up).await;
    assert_eq!(
        trip::plan(&p, false).await.0,
        Vec::<String>::new(),
        "converged"
    );
    assert!(!sqlite_kids(&db).await.contains("deferrable"));
    trip::run_statements(&db, &down).await;
    assert!(sqlite_kids(&db)
        .await
        .contains("deferrable initially deferred"));
    let p = trip::project_with_models(
        dir.path(),
        &url,
        &models(", check(expr = \"id > 0\")", deferred),
    );
    assert_eq!(trip::plan(&p, false).await.0, Vec::<String>::new(), "back");
    assert_eq!(
        rows(&db, "kids", &["id", "parent_id", "other_id"]).await,
        ["10|1|2", "11|2|NULL"]
    );
    db.drop_now().await;
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

/// `SHOW CREATE TABLE` of `table`.
async fn show_create(db: &Scratch, table: &str) -> String {
    let mut conn = db.connect().await.unwrap();
    let Connection::Mysql(c) = &mut conn else {
        panic!("not MySQL")
    };
    let (_, sql): (String, String) = sqlx::query_as(&format!("SHOW CREATE TABLE `{table}`"))
        .fetch_one(&mut *c)
        .await
        .unwrap();
    let _ = conn.close().await;
    sql
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mysql_set_columns_and_unnamed_foreign_keys() {
    let db = match Scratch::create(Dialect::Mysql).await {
        Ok(Some(db)) => db,
        Ok(None) => return,
        Err(e) => panic!("cannot create a scratch MySQL database: {e}"),
    };
    script(&db, MYSQL_SQL).await.unwrap();
    let url = db.url().expose().to_string();
    let dir = tempfile::tempdir().unwrap();
    let before = show_create(&db, "kids").await;
    assert!(before.contains("CONSTRAINT `kids_ibfk_1`"), "{before}");
    assert!(before.contains("KEY `parent_id` (`parent_id`)"), "{before}");
    let models = |parent_id: &str, perms: &str| {
        MYSQL_MODELS
            .replace("PARENT_ID", parent_id)
            .replace("PERMS", perms)
    };
    let set = "set('read','write','it''s')";
    let p = trip::project_with_models(dir.path(), &url, &models("", set));
    assert_eq!(
        trip::plan(&p, false).await.0,
        Vec::<String>::new(),
        "adopted"
    );

    // The key gets an action (dropped under the server's name, with the index the server named
    // after its column) and the set a value; rows keep their values.
    let p = trip::project_with_models(
        dir.path(),
        &url,
        &models(
            ", on_delete = \"cascade\"",
            "SET('read','write','it''s','admin')",
        ),
    );
    let (changes, up) = trip::plan(&p, false).await;
    assert_eq!(changes.len(), 3, "{changes:#?}");
    let (_, down) = trip::plan(&p, true).await;
    let up_sql = sql_of(&up);
    assert!(
        up_sql.contains("ALTER TABLE `kids` DROP FOREIGN KEY `kids_ibfk_1`"),
        "{up_sql}"
    );
    trip::run_statements(&db, &up).await;
    assert_eq!(
        trip::plan(&p, false).await.0,
        Vec::<String>::new(),
        "converged"
    );
    assert_eq!(
        rows(&db, "kids", &["id", "parent_id", "perms", "tag"]).await,
        ["'10'|'1'|'read,write'|'x'", "'11'|'2'|''|NULL"]
    );
    script(&db, "UPDATE kids SET perms = 'admin,it''s' WHERE id = 11")
        .await
        .unwrap();
    assert_eq!(
        rows(&db, "kids", &["id", "perms"]).await,
        ["'10'|'read,write'", "'11'|'it\\'s,admin'"]
    );
    script(&db, "UPDATE kids SET perms = '' WHERE id = 11")
        .await
        .unwrap();

    // The downgrade gives back the table exactly as the server printed it.
    trip::run_statements(&db, &down).await;
    assert_eq!(show_create(&db, "kids").await, before);
    let p = trip::project_with_models(dir.path(), &url, &models("", set));
    assert_eq!(trip::plan(&p, false).await.0, Vec::<String>::new(), "back");

    // MySQL has no deferrable constraints: a model asking for one is an error, not a key
    // built without it.
    let p = trip::project_with_models(dir.path(), &url, &models(", deferrable", set));
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
    db.drop_now().await;
}
